"""Tests of maskverify.impl.network (S-1, S-3, S-4, S-5, S-6): formulas against literal loops, and the
S-5/S-6 gradients against finite differences and autograd away from ReLU kinks."""

import math

import numpy as np
import pytest
import torch

from maskverify.impl import network, reference


def _instance(seed, n=5, d=3, m=7):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    y = rng.uniform(-1, 1, n)
    W = rng.standard_normal((m, d))
    a = rng.choice([-1.0, 1.0], m)
    mask = rng.integers(0, 2, m).astype(float)
    return (torch.tensor(v) for v in (X, y, W, a, mask))


def _kink_distance(W, X):
    return float((W @ X.T).abs().min())


@pytest.mark.parametrize("seed", range(4))
def test_S1_S3_S4_outputs_match_literal_sums(seed):
    """S-1, S-3, S-4: f, the surrogate f_{m^l} (no xi) and u = xi f equal the literal sums of p.5-6."""
    X, y, W, a, mask = _instance(seed)
    xi = 0.3
    ref_f = np.array([reference.surrogate(W.numpy(), a.numpy(), np.ones(7), x) for x in X.numpy()])
    ref_fm = np.array([reference.surrogate(W.numpy(), a.numpy(), mask.numpy(), x) for x in X.numpy()])
    np.testing.assert_allclose(network.f(W, a, X).numpy(), ref_f, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(network.f_masked(W, a, mask, X).numpy(), ref_fm, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(network.whole_output(W, a, X, xi).numpy(), xi * ref_f, rtol=1e-13, atol=1e-15)
    # batched leading dims: (2, m, d)
    Wb = torch.stack([W, 2 * W])
    out = network.f(Wb, torch.stack([a, a]), X)
    assert out.shape == (2, 5)
    np.testing.assert_allclose(out[1].numpy(), 2 * ref_f, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("seed", range(6))
def test_S6_surrogate_grad_finite_differences(seed):
    """S-6 (p.5): surrogate_grad is the gradient of (1/2)||y - f_{m^l}(W, X)||^2 (central differences)."""
    X, y, W, a, mask = _instance(seed)
    assert _kink_distance(W, X) > 1e-4
    g = network.surrogate_grad(W, a, mask, X, y)
    h = 1e-6

    def half_loss(Wv):
        return 0.5 * float(((y - network.f_masked(Wv, a, mask, X)) ** 2).sum())

    fd = torch.zeros_like(W)
    for r in range(W.shape[0]):
        for j in range(W.shape[1]):
            E = torch.zeros_like(W)
            E[r, j] = h
            fd[r, j] = (half_loss(W + E) - half_loss(W - E)) / (2 * h)
    np.testing.assert_allclose(g.numpy(), fd.numpy(), rtol=1e-6, atol=1e-8)
    # unselected neurons have exactly zero gradient (S-6 derived)
    assert torch.all(g[mask == 0] == 0)
    np.testing.assert_allclose(g.numpy(), reference.surrogate_grad(W.numpy(), a.numpy(), mask.numpy(),
                                                                   X.numpy(), y.numpy()), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("xi", [0.25, 0.7, 1.0])
def test_S5_full_gradient_is_gradient_of_half_loss_of_u(xi):
    """S-5 (p.18): the full gradient (xi/sqrt m) sum_i a_r x_i (u_i - y_i) 1{...} equals
    d/dW (1/2)||y - xi f(W, X)||^2 (autograd, away from kinks) -- the xi factor is computed, not assumed."""
    X, y, W, a, _ = _instance(11)
    Wr = W.clone().requires_grad_(True)
    half = 0.5 * ((y - network.whole_output(Wr, a, X, xi)) ** 2).sum()
    (auto,) = torch.autograd.grad(half, Wr)
    np.testing.assert_allclose(network.full_grad(W, a, X, y, xi).numpy(), auto.numpy(), rtol=1e-12, atol=1e-15)
    h, fd = 1e-6, torch.zeros_like(W)
    for idx in np.ndindex(*W.shape):
        E = torch.zeros_like(W)
        E[idx] = h
        plus = 0.5 * float(((y - network.whole_output(W + E, a, X, xi)) ** 2).sum())
        minus = 0.5 * float(((y - network.whole_output(W - E, a, X, xi)) ** 2).sum())
        fd[idx] = (plus - minus) / (2 * h)
    np.testing.assert_allclose(network.full_grad(W, a, X, y, xi).numpy(), fd.numpy(), rtol=1e-6, atol=1e-8)


def test_S6_relu_derivative_convention_at_zero():
    """S-6: sigma'(0) := 1 -- a neuron exactly at the kink receives the gradient."""
    X = torch.tensor([[1.0, 0.0]], dtype=torch.float64)
    W = torch.tensor([[0.0, 1.0]], dtype=torch.float64)        # <w, x> = 0
    a = torch.tensor([1.0], dtype=torch.float64)
    y = torch.tensor([1.0], dtype=torch.float64)
    g = network.surrogate_grad(W, a, torch.ones(1), X, y)
    assert torch.allclose(g, torch.tensor([[-1.0, 0.0]], dtype=torch.float64))  # (0 - 1) * x / sqrt(1)


def test_S1_init_weights_law_and_determinism():
    """S-1: rows of W0 ~ N(0, kappa^2 I), a uniform on {-1, +1}; one seed gives one instance on every dtype."""
    g = torch.Generator().manual_seed(3)
    W0, a = network.init_weights(20000, 3, 0.5, g)
    assert set(a.unique().tolist()) == {-1.0, 1.0}
    assert abs(float(a.mean())) < 4 / math.sqrt(20000)
    assert abs(float(W0.var()) - 0.25) < 0.02
    W32, a32 = network.init_weights(20000, 3, 0.5, torch.Generator().manual_seed(3), dtype=torch.float32)
    assert torch.equal(W32, W0.float()) and torch.equal(a32, a.float())

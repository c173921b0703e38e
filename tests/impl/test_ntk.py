"""Tests of maskverify.impl.ntk (N-1..N-4): kernels against literal sums, chunking, the closed form of
H^inf against Monte Carlo, and lambda_0 with its warnings-free conditioning report."""

import itertools
import math
import warnings

import numpy as np
import pytest
import torch

from maskverify.impl import ntk


def data(seed, n=5, d=3, m=11):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    W = rng.standard_normal((m, d))
    return torch.tensor(X), torch.tensor(W)


def literal_H(W, X, xi, mask=None):
    m, n = W.shape[0], X.shape[0]
    mask = np.ones(m) if mask is None else np.asarray(mask, dtype=float)
    Hm = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            s = sum(mask[r] * (W[r] @ X[i] >= 0) * (W[r] @ X[j] >= 0) for r in range(m))
            Hm[i, j] = xi / m * (X[i] @ X[j]) * s
    return Hm


@pytest.mark.parametrize("seed", range(3))
def test_N1_N2_kernels_equal_literal_sums(seed, monkeypatch):
    """N-1 (p.6): H(k) with its factor xi; N-2 (Definition 1, p.7): masked NTK without xi -- both equal the
    literal sums, also when computed in chunks of one neuron."""
    X, W = data(seed)
    mask = np.random.default_rng(seed).integers(0, 2, 11)
    Xn, Wn = X.numpy(), W.numpy()
    np.testing.assert_allclose(ntk.H(W, X, 0.3).numpy(), literal_H(Wn, Xn, 0.3), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(ntk.masked_H(W, X, torch.tensor(mask)).numpy(), literal_H(Wn, Xn, 1.0, mask),
                               rtol=1e-13, atol=1e-15)
    monkeypatch.setattr(ntk, "CHUNK_ELEMENTS", 1)
    np.testing.assert_allclose(ntk.H(W, X, 0.3).numpy(), literal_H(Wn, Xn, 0.3), rtol=1e-13, atol=1e-15)


def test_N2_expectation_over_bernoulli_masks_is_H():
    """N-2 (p.7): E_{M_k}[m^l_k o H(k,0)] = H(k), by exhaustive enumeration over Bern(xi) masks (m = 6)."""
    X, W = data(4, m=6)
    xi = 0.35
    total = torch.zeros(5, 5, dtype=torch.float64)
    for bits in itertools.product([0, 1], repeat=6):
        prob = math.prod(xi if b else 1 - xi for b in bits)
        total += prob * ntk.masked_H(W, X, torch.tensor(bits))
    np.testing.assert_allclose(total.numpy(), ntk.H(W, X, xi).numpy(), rtol=1e-12, atol=1e-15)


def test_N2_batched_masks_broadcast():
    """N-2: masked_H accepts W (T, 1, m, d) with masks (T, p, m) -> (T, p, n, n)."""
    X, W = data(5)
    M = torch.randint(0, 2, (2, 3, 11), generator=torch.Generator().manual_seed(0))
    Wb = torch.stack([W, -W]).unsqueeze(1)
    out = ntk.masked_H(Wb, X, M)
    assert out.shape == (2, 3, 5, 5)
    np.testing.assert_allclose(out[1, 2].numpy(), literal_H(-W.numpy(), X.numpy(), 1.0, M[1, 2].numpy()),
                               rtol=1e-13, atol=1e-15)


def test_N3_closed_form_matches_monte_carlo():
    """N-3 (p.6): H^inf closed form xi <x_i,x_j> (pi - arccos<x_i,x_j>)/(2 pi) equals the Monte Carlo mean
    over w ~ N(0, I) within 6 standard errors; diagonal xi/2."""
    X, _ = data(6, n=6, d=4)
    xi = 0.6
    closed = ntk.H_inf(X, xi)
    mc, se = ntk.H_inf_monte_carlo(X, xi, 200_000, torch.Generator().manual_seed(1), return_stderr=True)
    assert float(((mc - closed).abs() - 6 * se - 1e-12).max()) <= 0
    np.testing.assert_allclose(torch.diagonal(closed).numpy(), xi / 2, rtol=1e-14)


def test_N3_planted_wrong_kernel_is_rejected():
    """N-3: the same Monte Carlo comparison rejects a wrong closed form (arccos without pi - ...)."""
    X, _ = data(7, n=5, d=3)
    G = X @ X.T
    wrong = 0.5 * G * torch.arccos(G.clamp(-1, 1)) / (2 * math.pi)
    mc, se = ntk.H_inf_monte_carlo(X, 0.5, 50_000, torch.Generator().manual_seed(2), return_stderr=True)
    assert float(((mc - wrong).abs() - 6 * se).max()) > 0


def test_N4_lambda_0_and_info():
    """N-4 (p.6): lambda_0 = lambda_min(H^inf) = xi lambda_min(K^inf) <= xi/2; info reports conditioning."""
    X, _ = data(8, n=7, d=5)
    lam = ntk.lambda_0(X, 0.4)
    assert lam == pytest.approx(0.4 * ntk.lambda_0(X, 1.0), rel=1e-12)
    assert 0 < lam <= 0.2
    assert lam == pytest.approx(float(np.linalg.eigvalsh(ntk.H_inf(X, 0.4).numpy())[0]), rel=1e-12)
    info = ntk.lambda_0(X, 0.4, return_info=True)
    assert info["duplicates"] == 0 and not info["ill_conditioned"] and info["condition_number"] > 1


def test_N4_duplicates_reported_without_warnings():
    """N-4: duplicated samples make H^inf singular; lambda_0 reports it as data and emits no warning."""
    X, _ = data(9, n=4, d=3)
    X = torch.cat([X, X[:1]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        info = ntk.lambda_0(X, 0.5, return_info=True)
    assert info["duplicates"] == 1 and info["ill_conditioned"] and info["condition_number"] == math.inf


def test_N4_antipodal_pairs_beyond_their_rank_reported_singular():
    """N-4: x 1{<w,x> >= 0} - (-x) 1{<w,-x> >= 0} = x, so three antipodal pairs in d = 2 (more than d) make H^inf
    singular with no same-direction duplicate; two pairs in d = 2 do not."""
    r = 1 / math.sqrt(2)
    X = torch.tensor([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0], [r, r], [-r, -r]], dtype=torch.float64)
    info = ntk.lambda_0(X, 1.0, return_info=True)
    assert info["duplicates"] == 0 and info["antipodal_pairs"] == 3 and info["antipodal_rank_deficit"] == 1
    assert info["structurally_singular"] and info["ill_conditioned"] and info["condition_number"] == math.inf
    ok = ntk.lambda_0(X[:4], 1.0, return_info=True)
    assert ok["antipodal_pairs"] == 2 and ok["antipodal_rank_deficit"] == 0 and not ok["structurally_singular"]
    assert ok["lambda_0"] == pytest.approx(0.5, rel=1e-12) and not ok["ill_conditioned"]


def test_N1_large_m_is_chunked():
    """N-1: m = 200000 neurons with n = 50 runs in bounded memory (chunks) and matches the mean formula."""
    X, _ = data(10, n=50, d=3)
    W = torch.randn(200_000, 3, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    Hm = ntk.H(W, X, 1.0)
    assert float((Hm - ntk.H_inf(X, 1.0)).abs().max()) < 0.01

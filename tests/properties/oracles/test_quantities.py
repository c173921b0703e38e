"""Tests of maskverify.properties.oracles.quantities (N-5, N-6, N-9 proof quantities and the printed right-hand
sides): each numpy evaluation is compared with an independent computation (the torch engine, explicit loops,
the sympy constants of maskverify.theory)."""

import itertools
import math

import numpy as np
import pytest
import sympy as sp
import torch

from maskverify.impl import network, ntk
from maskverify.properties.oracles import quantities as Q


def _inst(seed=0, n=4, d=3, m=7, p=2):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    y = rng.uniform(-1, 1, n)
    W = rng.standard_normal((m, d))
    a = rng.choice([-1.0, 1.0], m)
    M = rng.random((p, m)) < 0.5
    return X, y, W, a, M


def _t(x):
    return torch.tensor(np.asarray(x, dtype=float))


def test_network_pieces_match_engine():
    """S-3, S-4, S-6, S-5 p.18 (N-8 ingredients): f_masked, whole_output, surrogate_grads, full_grad equal the
    engine's torch implementations."""
    X, y, W, a, M = _inst()
    for mask in M:
        np.testing.assert_allclose(Q.f_masked(W, a, mask, X), network.f_masked(_t(W), _t(a), _t(mask), _t(X)).numpy(),
                                   rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(Q.surrogate_grads(W, a, mask, X, y),
                                   network.surrogate_grad(_t(W), _t(a), _t(mask), _t(X), _t(y)).numpy(),
                                   rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(Q.whole_output(W, a, X, 0.3), network.whole_output(_t(W), _t(a), _t(X), 0.3).numpy(),
                               rtol=1e-13)
    np.testing.assert_allclose(Q.full_grad(W, a, X, y, 0.3), network.full_grad(_t(W), _t(a), _t(X), _t(y), 0.3).numpy(),
                               rtol=1e-13, atol=1e-15)


def test_ntks_match_engine():
    """N-1, N-2, N-3, N-4: H, masked_H, H_inf and lambda_0 equal the engine's."""
    X, y, W, a, M = _inst(1)
    np.testing.assert_allclose(Q.H(W, X, 0.4), ntk.H(_t(W), _t(X), 0.4).numpy(), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(Q.masked_H(W, X, M[0]), ntk.masked_H(_t(W), _t(X), _t(M[0])).numpy(), rtol=1e-13,
                               atol=1e-15)
    # arccos near <x,x> = 1 turns an ulp of rounding into ~1e-8 (sqrt of eps): compare at 1e-7
    np.testing.assert_allclose(Q.H_inf(X, 0.4), ntk.H_inf(_t(X), 0.4).numpy(), rtol=1e-7)
    assert Q.lambda_0(X, 0.4) == pytest.approx(ntk.lambda_0(_t(X), 0.4), rel=1e-6)


def test_truncated_ntk_is_the_loop_definition():
    """N-6 (p.24): H(k)^perp_{ij} = (xi/m) <x_i,x_j> sum_{r in S_i^perp} 1{.,.} by explicit loops."""
    X, y, W, a, M = _inst(2, m=9)
    rows = Q.in_S(W, X, 0.4)
    Hp = Q.H(W, X, 0.5, rows=~rows)
    n, m = X.shape[0], W.shape[0]
    ref = np.zeros((n, n))
    for i, j in itertools.product(range(n), range(n)):
        s = sum(1 for r in range(m) if not rows[i, r] and W[r] @ X[i] >= 0 and W[r] @ X[j] >= 0)
        ref[i, j] = 0.5 / m * (X[i] @ X[j]) * s
    np.testing.assert_allclose(Hp, ref, rtol=1e-14, atol=1e-16)


def test_S_sets_match_the_ball_definition():
    """N-5 (p.18, eq. (8)): r is outside S_i iff some w in Ball(w_{0,r}, R) flips 1{<w,x_i> >= 0}; for unit x_i
    the extreme points are w_{0,r} -+ R x_i."""
    X, y, W, a, M = _inst(3, m=40)
    R = 0.3
    inS = Q.in_S(W, X, R)
    for i, r in itertools.product(range(X.shape[0]), range(W.shape[0])):
        base = W[r] @ X[i] >= 0
        flips = any(((W[r] + s * R * X[i]) @ X[i] >= 0) != base for s in (-1.0, 1.0))
        assert inS[i, r] == (not flips)


def test_split_increment_sums_to_the_output_change():
    """N-9 (p.24, p.21): I_1 + I_2 = u_{k+1} - u_k (global) and uhat_{t+1} - uhat_t (local, mask coefficients)."""
    X, y, W, a, M = _inst(4)
    W2 = W + 0.05 * np.random.default_rng(0).standard_normal(W.shape)
    inS = Q.in_S(W, X, 0.2)
    xi = 0.6
    I1, I2 = Q.split_increment(W, W2, xi * a / math.sqrt(W.shape[0]), X, inS)
    np.testing.assert_allclose(I1 + I2, Q.whole_output(W2, a, X, xi) - Q.whole_output(W, a, X, xi), atol=1e-14)
    I1, I2 = Q.split_increment(W, W2, a * M[0] / math.sqrt(W.shape[0]), X, inS)
    np.testing.assert_allclose(I1 + I2, Q.f_masked(W2, a, M[0], X) - Q.f_masked(W, a, M[0], X), atol=1e-14)


def test_E1_E2_D_by_loops():
    """N-9 (p.33, p.39): E_1, the E_2 integrand and the D_1/D_2 integrands by explicit loops."""
    X, y, W, a, M = _inst(5, m=5, p=2)
    n, m, d = X.shape[0], W.shape[0], X.shape[1]
    xi, p, tau = 0.5, 2, 3
    inS = Q.in_S(W, X, 0.3)
    th = 1 - (1 - xi) ** p
    ref = [th * xi * (1 - xi) * tau / m**1.5 * sum(a[r] * (X[i] @ X[j]) * max(W[r] @ X[j], 0)
                                                     for r in range(m) if inS[i, r] for j in range(n))
           for i in range(n)]
    np.testing.assert_allclose(Q.E1(W, a, X, inS, xi, p, tau), ref, rtol=1e-13, atol=1e-16)
    rng = np.random.default_rng(1)
    Wl = W[None, None, None] + 0.01 * rng.standard_normal((1, p, tau + 1, m, d))
    Wl[:, :, 0] = W
    got = Q.E2_samples(W, a, X, y, M[None], Wl, inS, xi)[0]
    eta_r = Q.aggregation_weights(M)
    ref = []
    for i in range(n):
        tot = 0.0
        for r in range(m):
            if not inS[i, r] or W[r] @ X[i] < 0:
                continue
            v = sum(Q.surrogate_grads(Wl[0, l, t], a, M[l], X, y)[r] - Q.surrogate_grads(W, a, M[l], X, y)[r]
                    for l in range(p) for t in range(1, tau))
            tot += a[r] * (eta_r[r] * v) @ X[i]
        ref.append(xi / math.sqrt(m) * tot)
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-16)
    Wn = W + 0.1 * rng.standard_normal(W.shape)
    D1, D2 = Q.D_samples(W, Wn[None], inS)
    for i in range(n):
        assert D1[0, i] == pytest.approx(sum(np.sum((Wn[r] - W[r]) ** 2) for r in range(m) if inS[i, r]))
        assert D2[0, i] == pytest.approx(sum(np.sum((Wn[r] - W[r]) ** 2) for r in range(m) if not inS[i, r]))


def test_iota_and_iota_pair_decompose_the_squared_differences():
    """N-9 iota_k (p.42) and L-22's iota^{l,l'} (p.47): iota is the l'<l sum of the squared-difference changes over
    p^2, and the r != r' cross terms (p/m scaled, as printed) plus the diagonal (1/m) give that change."""
    X, y, W, a, M = _inst(6, m=6, p=3)
    rng = np.random.default_rng(2)
    S, p, tau, m = 1, 3, 2, W.shape[0]
    Wl = W[None, None, None] + 0.1 * rng.standard_normal((S, p, tau + 1, m, X.shape[1]))
    Wl[:, :, 0] = W
    uh = Q.f_masked(Wl, a[None, None, None], M[None, :, None, :], X)
    ref = sum(np.sum((uh[0, l, 0] - uh[0, lp, 0]) ** 2) - np.sum((uh[0, l, -1] - uh[0, lp, -1]) ** 2)
              for l in range(p) for lp in range(l)) / p**2
    assert Q.iota_samples(uh)[0] == pytest.approx(ref, rel=1e-12)
    l, lp = 2, 0
    change = np.sum((uh[0, l, 0] - uh[0, lp, 0]) ** 2) - np.sum((uh[0, l, -1] - uh[0, lp, -1]) ** 2)
    s0, s1 = Q.relu(Q.preact(W, X)), Q.relu(Q.preact(Wl[0, :, -1], X))
    A = M[l, :, None] * (s0 - s1[l]) - M[lp, :, None] * (s0 - s1[lp])
    B = M[l, :, None] * (s0 + s1[l]) - M[lp, :, None] * (s0 + s1[lp])
    diag = (A * B).sum() / m
    assert change == pytest.approx(diag + Q.iota_pair(W, a, X, M[None], Wl, l, lp)[0] / p, rel=1e-10)


def test_mixing_gradient_and_lemma9_mean_by_enumeration():
    """N-8 (p.24) and L-9 (p.29): the exact mean of g_{k,r} over all 2^(pm) Bernoulli masks equals Lemma 9's
    expression (the identity the L-13(a) check relies on)."""
    X, y, W, a, _ = _inst(7, m=4, p=2)
    M, w = Q.enumerate_bernoulli(2, 4, 0.3)
    assert w.sum() == pytest.approx(1.0, rel=1e-14) and len(M) == 2**8
    g = Q.mixing_gradient(W, a, M, X, y)
    np.testing.assert_allclose(np.tensordot(w, g, 1), Q.lemma9_mean(W, a, X, y, 0.3, 2), rtol=1e-12, atol=1e-15)


def test_enumerate_categorical_one_hot():
    """S-2 categorical masks: p^m patterns, one-hot columns, uniform weights."""
    M, w = Q.enumerate_categorical(3, 4)
    assert M.shape == (81, 3, 4) and np.all(M.sum(1) == 1) and w.sum() == pytest.approx(1.0)


def test_constants_match_theory_sympy():
    """T-4 (p.8) B_1, theta, C_1, alpha, B; C-18 p.26 middle line; C-16/C-17 (p.43-44): the numeric helpers
    equal maskverify.theory's sympy expressions at random points."""
    from maskverify.theory import constants as TC
    from maskverify.theory.symbols import d, eta, gamma, kappa, lambda_0, m, n, p, tau, xi

    rng = np.random.default_rng(0)
    for _ in range(5):
        v = {n: int(rng.integers(2, 9)), d: int(rng.integers(1, 5)), m: int(rng.integers(8, 999)),
             p: int(rng.integers(1, 6)), tau: int(rng.integers(1, 5)), xi: float(rng.uniform(0.1, 1)),
             eta: float(rng.uniform(1e-4, 1e-2)), kappa: float(rng.uniform(0.1, 1)),
             lambda_0: float(rng.uniform(0.01, 0.4)), gamma: float(rng.uniform(0.1, 0.9))}
        args = dict(n=v[n], d=v[d], m=v[m], p=v[p], xi=v[xi], tau=v[tau], eta=v[eta], kappa=v[kappa], lam0=v[lambda_0])
        assert Q.B1_T4(**args) == pytest.approx(float(TC.B1.subs(v)), rel=1e-12)
        assert Q.B_T4(**args) == pytest.approx(float(TC.B_T4.subs(v)), rel=1e-12)
        e2 = float(rng.uniform(0.1, 5))
        mid = Q.one_step_middle_T4(e2, **args) - (1 - float(TC.alpha_T4.subs(v))) * e2
        assert mid == pytest.approx(float(sp.Add(*TC.ASSEMBLED_TERMS_P26).subs(v)), rel=1e-12)
        assert Q.rate_T8(v[gamma], v[eta], v[lambda_0], v[tau]) == pytest.approx(float(TC.rate_T8_gamma.subs(v)))
        assert Q.B1_T8(v[gamma], v[eta], v[tau], v[p], v[kappa], v[n], v[d], v[lambda_0], v[m], "p.44b") == \
            pytest.approx(float(TC.error_T8_p44.subs(v)), rel=1e-12)
        assert Q.B1_T8(v[gamma], v[eta], v[tau], v[p], v[kappa], v[n], v[d], v[lambda_0], v[m], "p.44a") == \
            pytest.approx(float(TC.error_T8_p44_eta.subs(v)), rel=1e-12)


def test_drift_bound_forms():
    """C-20 (p.7, p.23, p.44): the three printed second terms of (5)."""
    base = dict(E_norm=0.0, n=4, m=100, p=2, xi=0.5, tau=3, eta=0.1, kappa=1.0, K=2, delta=0.1)
    s7 = Q.hyp1_drift_bound(**base, form="p.7")
    assert Q.hyp1_drift_bound(**base, form="p.23") == pytest.approx(3 * s7)
    assert Q.hyp1_drift_bound(**base, form="p.44") == pytest.approx(3 * s7 / math.sqrt(2))

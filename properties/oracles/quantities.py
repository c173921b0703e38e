"""N-5, N-6, N-9 · p.18-49 — proof quantities evaluated on recorded global / local steps (numpy, float64).

The engine (:mod:`maskverify.impl.algorithm1`) produces the trajectories; this module only *evaluates* the
objects that the proofs of Hypothesis 1, Theorem 3 and Theorem 7 define on them (activation-change sets
S_i, the splits I_1 / I_2 of an output increment, the truncated NTKs, E_1, E_2, D_1, D_2, iota) and the
explicit right-hand sides printed in the appendix. Everything is plain numpy in float64, so a
counterexample replays on any machine without torch.

Shapes use the paper's symbols: ``W (m, d)``, ``a (m,)``, ``X (n, d)``, ``y (n,)``, ``M (p, m)``; a leading
``S`` is a batch of sampled (or enumerated) masks M_k; ``W_local (S, p, tau+1, m, d)`` are the local iterates
W^l_{k,t}; ``uhat (S, p, tau+1, n)`` the subnetwork outputs uhat^l_{k,t}.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

# --------------------------------------------------------------------------------------------------
# Network pieces (S-1, S-3, S-4, S-6), vectorised over any leading axes


def relu(z):
    return np.maximum(z, 0.0)


def preact(W, X):
    """<w_r, x_i>.  W (..., m, d), X (n, d) -> (..., m, n)."""
    return np.asarray(W) @ np.asarray(X).T


def f_masked(W, a, mask, X):
    """S-3 · p.5 — f_{m^l}(W, x_i) = (1/sqrt m) sum_r a_r m^l_r sigma(<w_r, x_i>).  -> (..., n)."""
    m = W.shape[-2]
    coef = np.asarray(a) * np.asarray(mask, dtype=float) / math.sqrt(m)   # (..., m)
    return np.einsum("...r,...ri->...i", coef, relu(preact(W, X)))


def whole_output(W, a, X, xi):
    """S-4 · p.6 — u = (xi/sqrt m) sum_r a_r sigma(<w_r, x_i>).  -> (..., n)."""
    return xi * f_masked(W, a, np.ones(W.shape[-2]), X)


def surrogate_grads(W, a, mask, X, y):
    """S-6 · p.5 — dL_{m^l}(W)/dw_r (gradient of the 1/2-loss, sigma'(0) := 1).  W (..., m, d),
    mask (..., m) -> (..., m, d)."""
    m = W.shape[-2]
    pre = preact(W, X)                                                    # (..., m, n)
    coef = np.asarray(a) * np.asarray(mask, dtype=float) / math.sqrt(m)   # (..., m)
    resid = np.einsum("...r,...ri->...i", coef, relu(pre)) - y            # (..., n)
    G = coef[..., :, None] * (pre >= 0) * resid[..., None, :]              # (..., m, n)
    return G @ X


def full_grad(W, a, X, y, xi):
    """S-5 · p.18 — dL(W_k)/dw_r = (xi/sqrt m) sum_i a_r x_i (u^{(i)} - y_i) 1{<w_r,x_i> >= 0}.  -> (m, d)."""
    m = W.shape[-2]
    pre = preact(W, X)
    resid = whole_output(W, a, X, xi) - y
    G = (xi / math.sqrt(m)) * np.asarray(a)[..., :, None] * (pre >= 0) * resid[..., None, :]
    return G @ X


def aggregation_weights(M):
    """S-2 · p.5 — eta_{k,r} = N^perp_{k,r} / N_{k,r}.  M (..., p, m) -> (..., m)."""
    Xc = np.asarray(M, dtype=float).sum(-2)
    return np.minimum(Xc, 1.0) / np.maximum(Xc, 1.0)


def mixing_gradient(W, a, M, X, y):
    """N-8 · p.24 — g_{k,r} = eta_{k,r} sum_l dL_{m^l_k}(W_k)/dw_r.  M (..., p, m) -> (..., m, d)."""
    M = np.asarray(M, dtype=float)
    grads = surrogate_grads(np.broadcast_to(W, M.shape[:-1] + W.shape[-2:]), a, M, X, y)  # (..., p, m, d)
    return aggregation_weights(M)[..., None] * grads.sum(-3)


def lemma9_mean(W, a, X, y, xi, p):
    """L-9 · p.29 — (theta/xi) dL(W_k)/dw_r + (theta (1-xi)/m) sum_i x_i sigma(<w_{k,r}, x_i>).  -> (m, d)."""
    th = theta(xi, p)
    m = W.shape[-2]
    return (th / xi) * full_grad(W, a, X, y, xi) + (th * (1 - xi) / m) * (relu(preact(W, X)) @ X)


# --------------------------------------------------------------------------------------------------
# NTKs (N-1, N-2, N-3, N-6) and the activation-change sets (N-5)


def H_inf(X, xi):
    """N-3 closed form — xi <x_i,x_j> (pi - arccos<x_i,x_j>)/(2 pi), for unit rows.  -> (n, n)."""
    G = np.clip(np.asarray(X) @ np.asarray(X).T, -1.0, 1.0)
    return xi * G * (math.pi - np.arccos(G)) / (2 * math.pi)


def lambda_0(X, xi):
    """N-4 — lambda_min(H^inf)."""
    return float(np.linalg.eigvalsh(H_inf(X, xi))[0])


def H(W, X, xi, rows=None):
    """N-1 · p.6 — (xi/m) <x_i,x_j> sum_r 1{<w_r,x_i> >= 0, <w_r,x_j> >= 0}; ``rows (n, m)`` bool restricts the
    sum for row i to the neurons with rows[i, r] (N-6: rows = not S_i gives H(k)^perp)."""
    m = W.shape[-2]
    act = (preact(W, X) >= 0).astype(float)                               # (m, n)
    if rows is None:
        rows = np.ones((X.shape[0], m), dtype=bool)
    cnt = np.einsum("ir,ri,rj->ij", rows.astype(float), act, act)
    return (xi / m) * (np.asarray(X) @ np.asarray(X).T) * cnt


def masked_H(W, X, mask, rows=None):
    """N-2 · p.7 — (1/m) <x_i,x_j> sum_r m^l_r 1{...}; with ``rows`` the truncated N-6 form."""
    m = W.shape[-2]
    r_ = np.ones((X.shape[0], m), dtype=bool) if rows is None else rows
    return H(W, X, 1.0, rows=r_ * (np.asarray(mask, dtype=float)[None, :] > 0))


def lambda_min(A):
    A = np.asarray(A)
    return float(np.linalg.eigvalsh(0.5 * (A + A.T))[0])


def in_S(W0, X, R):
    """N-5 · p.18, eq. (8) — S_i membership as an (n, m) bool array: r in S_i iff no w in Ball(w_{0,r}, R)
    flips 1{<w, x_i> >= 0}; for unit x_i that is: not (-R <= <w_{0,r}, x_i> < R)."""
    z = preact(W0, X).T                                                   # (n, m)
    return ~((z >= -R) & (z < R))


# --------------------------------------------------------------------------------------------------
# Increments and the proof objects of Appendix C-G


def split_increment(W_before, W_after, coef, X, inS):
    """I_1 / I_2 split (p.21, p.24): sum over r in S_i (resp. S_i^perp) of coef_r (sigma(<w'_r,x_i>) -
    sigma(<w_r,x_i>)). ``coef (..., m)``: a_r m^l_r / sqrt m (local step) or xi a_r / sqrt m (global step).
    Returns I1, I2 of shape (..., n)."""
    diff = relu(preact(W_after, X)) - relu(preact(W_before, X))          # (..., m, n)
    term = np.asarray(coef)[..., :, None] * diff                          # (..., m, n)
    S = inS.T.astype(float)                                               # (m, n)
    return (term * S).sum(-2), (term * (1 - S)).sum(-2)


def E1(W, a, X, inS, xi, p, tau, *, indicator=False):
    """N-9 · p.33 — E^{(i)}_{1,k} = (theta xi (1-xi) tau / m^{3/2}) sum_{r in S_i} sum_j a_r <x_i,x_j>
    sigma(<w_{k,r}, x_j>), as printed; ``indicator=True`` adds the factor 1{<w_{k,r}, x_i> >= 0} that the
    derivation of L-13(b) produces (p.33, line 2 of E[I_1]).  -> (n,)."""
    m = W.shape[-2]
    s = relu(preact(W, X))                                                # (m, n)  sigma(<w_r, x_j>)
    G = np.asarray(X) @ np.asarray(X).T                                   # (n, n)
    inner = np.einsum("r,rj,ij->ir", a, s, G)                             # (n, m)
    if indicator:
        inner = inner * (preact(W, X) >= 0).T
    return theta(xi, p) * xi * (1 - xi) * tau / m**1.5 * (inner * inS).sum(-1)


def E2_samples(W, a, X, y, M, W_local, inS, xi):
    """Per-mask integrand of E^{(i)}_{2,k} (N-9, p.33): (xi/sqrt m) sum_{r in S_i} a_r <eta_{k,r} sum_l
    sum_{t=1..tau-1} (dL_{m^l}(W^l_{k,t})/dw_r - dL_{m^l}(W_k)/dw_r), x_i> 1{<w_{k,r},x_i> >= 0}; its mean over
    M_k is E_2.  M (S, p, m), W_local (S, p, tau+1, m, d) -> (S, n)."""
    M = np.asarray(M, dtype=float)
    S_, p, T1, m, d = W_local.shape
    if T1 <= 2:
        return np.zeros((S_, X.shape[0]))
    Mt = np.broadcast_to(M[:, :, None, :], (S_, p, T1 - 2, m))
    g_t = surrogate_grads(W_local[:, :, 1:T1 - 1], a, Mt, X, y)           # (S, p, tau-1, m, d)
    g_0 = surrogate_grads(np.broadcast_to(W, (S_, p, m, d)), a, M, X, y)  # (S, p, m, d)
    V = aggregation_weights(M)[..., None] * (g_t - g_0[:, :, None]).sum((1, 2))  # (S, m, d)
    act = (preact(W, X) >= 0).T                                           # (n, m)
    proj = V @ np.asarray(X).T                                            # (S, m, n)  <V_r, x_i>
    w = (xi / math.sqrt(m)) * np.asarray(a)[None, :] * act * inS          # (n, m)
    return np.einsum("ir,sri->si", w, proj)


def D_samples(W, W_next, inS):
    """Per-mask integrands of D_{1,k}, D_{2,k} (N-9, p.39), per sample index i (S_i depends on i):
    sum_{r in S_i} ||w_{k+1,r} - w_{k,r}||^2 and the S_i^perp part.  W_next (S, m, d) -> two (S, n)."""
    sq = ((np.asarray(W_next) - W) ** 2).sum(-1)                          # (S, m)
    S = inS.T.astype(float)                                               # (m, n)
    return sq @ S, sq @ (1 - S)


def iota_samples(uhat):
    """N-9 · p.42 — per-mask integrand of iota_k: (1/p^2) sum_l sum_{l'<l} (||uhat^l_k - uhat^{l'}_k||^2 -
    ||uhat^l_{k,tau} - uhat^{l'}_{k,tau}||^2).  uhat (S, p, tau+1, n) -> (S,)."""
    S_, p = uhat.shape[:2]
    out = np.zeros(S_)
    for l, lp in itertools.combinations(range(p), 2):
        d0 = ((uhat[:, l, 0] - uhat[:, lp, 0]) ** 2).sum(-1)
        dt = ((uhat[:, l, -1] - uhat[:, lp, -1]) ** 2).sum(-1)
        out += d0 - dt
    return out / p**2


def iota_pair(W, a, X, M, W_local, l, lp):
    """L-22 · p.47 — iota^{l,l'}_k = (p/m) sum_i sum_r sum_{r' != r} a_r a_{r'} A_{r,i} B_{r',i} with
    A = m^l_r (s^l_k - s^l_{k+1}) - m^{l'}_r (s^{l'}_k - s^{l'}_{k+1}), B = the same with '+', where
    s^l_k = sigma(<w^l_{k,r}, x_i>) (start of local training) and s^l_{k+1} = sigma(<w^l_{k,tau,r}, x_i>).
    M (S, p, m), W_local (S, p, tau+1, m, d) -> (S,)."""
    M = np.asarray(M, dtype=float)
    p, m = M.shape[-2], M.shape[-1]
    W = np.asarray(W, float)
    Wb = W[:, None] if W.ndim == 3 else W                                 # one W_k per sample, or shared
    s0 = relu(preact(np.broadcast_to(Wb, W_local[:, :, 0].shape), X))    # (S, p, m, n)
    s1 = relu(preact(W_local[:, :, -1], X))                               # (S, p, m, n)
    A = M[:, l, :, None] * (s0[:, l] - s1[:, l]) - M[:, lp, :, None] * (s0[:, lp] - s1[:, lp])  # (S, m, n)
    B = M[:, l, :, None] * (s0[:, l] + s1[:, l]) - M[:, lp, :, None] * (s0[:, lp] + s1[:, lp])
    a = np.asarray(a, float)
    a_ = a[:, :, None] if a.ndim == 2 else a[None, :, None]
    aA = a_ * A
    aB = a_ * B
    total = aA.sum(1) * aB.sum(1) - (aA * aB).sum(1)                      # (S, n): sum over r != r'
    return (p / m) * total.sum(-1)


def ball_radius_used(W0, *Ws):
    """max over the given weight arrays (any leading axes, last two (m, d)) of max_r ||w_r - w_{0,r}||."""
    out = 0.0
    for Wx in Ws:
        out = max(out, float(np.sqrt(((np.asarray(Wx) - W0) ** 2).sum(-1)).max()))
    return out


# --------------------------------------------------------------------------------------------------
# Constants and printed right-hand sides (T-4 p.8 / p.25-41; T-8 p.43-45; SPEC section 4)


def theta(xi, p):
    """T-4 · p.8 — theta = 1 - (1 - xi)^p."""
    return 1.0 - (1.0 - xi) ** p


def C1(xi, p, n, kappa):
    """T-4 · p.8 — C_1 = 4 theta^2 (1 - xi) n kappa^2 / p."""
    return 4 * theta(xi, p) ** 2 * (1 - xi) * n * kappa**2 / p


def B1_terms(n, d, m, p, xi, tau, eta, kappa, lam0):
    """T-4 · p.8 — the six terms of B_1, in print order."""
    th, c1 = theta(xi, p), C1(xi, p, n, kappa)
    return (64 * (1 - xi) ** 2 * n**3 * d / (m * lam0**2),
            68 * eta * tau * (th - xi**2) * n**3 * kappa**2 / (p * lam0),
            (th - xi**2) * n * kappa**2 / (6 * tau**2 * p),
            (tau - 1) ** 2 * p * c1 / (24 * tau**2),
            8 * eta**2 * (tau - 1) ** 2 * n**4 * p * c1 / lam0**2,
            4 * eta * (tau - 1) * p * n * c1)


def B1_T4(n, d, m, p, xi, tau, eta, kappa, lam0):
    return float(sum(B1_terms(n, d, m, p, xi, tau, eta, kappa, lam0)))


def alpha_T4(p, xi, tau, eta, lam0):
    """T-4(c) · p.25 — alpha = (1/4) eta theta tau lambda_0."""
    return 0.25 * eta * theta(xi, p) * tau * lam0


def B_T4(n, d, m, p, xi, tau, eta, kappa, lam0):
    """p.7, p.25 — B = sqrt(B_1/alpha) + kappa sqrt(xi (1-xi) p n)."""
    return math.sqrt(B1_T4(n, d, m, p, xi, tau, eta, kappa, lam0) / alpha_T4(p, xi, tau, eta, lam0)) \
        + kappa * math.sqrt(xi * (1 - xi) * p * n)


def lemma13_rhs(e2, n, d, m, p, xi, tau, eta, kappa, lam0):
    """L-13 · p.32 — (1/8) eta theta tau lambda_0 ||e||^2 + 16 eta theta tau xi^2 (1-xi)^2 kappa^2 n^3 d/(m lambda_0)
    + 2 eta^3 xi^2 tau (tau-1)^2 n^4 p C_1/(theta lambda_0).  ``e2`` = ||y - u_k||^2."""
    th, c1 = theta(xi, p), C1(xi, p, n, kappa)
    return (eta * th * tau * lam0 * e2 / 8 + 16 * eta * th * tau * xi**2 * (1 - xi) ** 2 * kappa**2 * n**3 * d
            / (m * lam0) + 2 * eta**3 * xi**2 * tau * (tau - 1) ** 2 * n**4 * p * c1 / (th * lam0))


def lemma13_pre(e2, n, d, m, p, xi, tau, eta, kappa, lam0):
    """L-13(e) · p.34 — the last display before "Using ab <= (a^2+b^2)/2": (1/32) eta theta tau lambda_0 ||e||^2
    + (eta^2 theta xi tau (tau-1) n^2/2)||e||^2 + (eta theta xi (1-xi) tau kappa sqrt(2 n^3 d/m)
    + (eta^2 xi^2 tau (tau-1) n^2/2) sqrt(p C_1)) ||e||."""
    th, c1 = theta(xi, p), C1(xi, p, n, kappa)
    e = math.sqrt(e2)
    return (eta * th * tau * lam0 * e2 / 32 + eta**2 * th * xi * tau * (tau - 1) * n**2 / 2 * e2
            + (eta * th * xi * (1 - xi) * tau * kappa * math.sqrt(2 * n**3 * d / m)
               + eta**2 * xi**2 * tau * (tau - 1) * n**2 / 2 * math.sqrt(p * c1)) * e)


def lemma14_rhs(n, d, m, p, xi, tau, kappa):
    """L-14 · p.34 — theta xi (1-xi) tau n kappa sqrt(2d/m)."""
    return theta(xi, p) * xi * (1 - xi) * tau * n * kappa * math.sqrt(2 * d / m)


def lemma15_rhs(e, n, p, xi, tau, eta, kappa):
    """L-15 · p.35 — (eta xi tau (tau-1) n^{3/2}/2)(theta ||y - u_k|| + sqrt(p C_1)).  ``e`` = ||y - u_k||."""
    return eta * xi * tau * (tau - 1) * n**1.5 / 2 * (theta(xi, p) * e + math.sqrt(p * C1(xi, p, n, kappa)))


def lemma16_rhs(e2, n, p, xi, tau, eta, kappa, lam0):
    """L-16 · p.36."""
    th, c1 = theta(xi, p), C1(xi, p, n, kappa)
    return (eta * th * tau * lam0 * e2 / 8 + eta * lam0 * xi**2 * (th - xi**2) * n * kappa**2 / (24 * p * tau)
            + eta * lam0 * xi**2 * (tau - 1) ** 2 * p * c1 / (96 * tau * th))


def lemma16a_bounds(e, n, m, p, xi, tau, eta, kappa, R, s_perp):
    """L-16(a) · p.38 — the two printed bounds on E_{M_k}|I^{(i)}_{2,k}|: with |S_i^perp| (``s_perp``) and after
    |S_i^perp| <= 4 m kappa^{-1} R."""
    th, c1 = theta(xi, p), C1(xi, p, n, kappa)
    first = (eta * th * xi * tau * math.sqrt(n) / m * s_perp * e
             + 4 * eta * xi * kappa * n * s_perp / m * math.sqrt(th * (th - xi**2) / p)
             + eta * xi * (tau - 1) / m * math.sqrt(n * p * c1) * s_perp)
    second = (8 * eta * th * xi * tau * math.sqrt(n) * R / kappa * e
              + 16 * eta * xi * n * R * math.sqrt(th * (th - xi**2) / p)
              + 4 * eta * xi * (tau - 1) * R / kappa * math.sqrt(n * p * c1))
    return first, second


def lemma17_rhs(e2, n, p, xi, tau, eta, kappa, lam0, form="p.38"):
    """L-17 · p.38 (last term (tau-1)^2) or C-19 'p.26' (last term tau (tau-1))."""
    th, c1 = theta(xi, p), C1(xi, p, n, kappa)
    last = (tau - 1) ** 2 if form == "p.38" else tau * (tau - 1)
    return (eta * th * tau * lam0 * e2 / 4 + 17 * eta**2 * xi**2 * tau**2 * th * (th - xi**2) * n**3 * kappa**2 / p
            + eta**2 * xi**2 * lam0 * last * p * n * c1)


def lemma18_rhs(e2, n, p, xi, tau, eta, kappa):
    """L-18 · p.39."""
    th, c1 = theta(xi, p), C1(xi, p, n, kappa)
    return ((4 * eta**2 * tau**2 * n * th + 4 * eta**4 * th * n**3 * tau**3 * (tau - 1) * p) * e2
            + 16 * eta**2 * tau**2 * th * (th - xi**2) * n**2 * kappa**2 / p
            + 4 * eta**4 * n**3 * tau**2 * (tau - 1) ** 2 * p * c1)


def lemma19_rhs(e2, n, p, xi, tau, eta, kappa, lam0):
    """L-19 · p.40."""
    th, c1 = theta(xi, p), C1(xi, p, n, kappa)
    return ((eta**2 * th * tau * lam0 / 18) * (1 + (tau - 1) * p) * e2
            + 4 * eta**2 * lam0 * th * (th - xi**2) * tau * n * kappa**2 / (9 * p)
            + eta**2 * tau * (tau - 1) * lam0 * p * c1 / 18)


def one_step_middle_T4(e2, n, d, m, p, xi, tau, eta, kappa, lam0):
    """C-18 / T-4(h) · p.26 — the "Putting things together" middle line (before "<= ... + (1/4) eta theta tau
    lambda_0 B_1"), as printed (the first error term without kappa^2; last term tau (tau-1))."""
    th, c1 = theta(xi, p), C1(xi, p, n, kappa)
    return ((1 - eta * th * tau * lam0 / 4) * e2
            + 16 * eta * th * tau * xi**2 * (1 - xi) ** 2 * n**3 * d / (m * lam0)
            + 2 * eta**3 * xi**2 * tau * (tau - 1) ** 2 * n**4 * p * c1 / (th * lam0)
            + eta * lam0 * xi**2 * (th - xi**2) * n * kappa**2 / (24 * tau * p)
            + eta * lam0 * xi**2 * (tau - 1) ** 2 * p * c1 / (96 * tau * th)
            + 17 * eta**2 * xi**2 * tau**2 * th * (th - xi**2) * n**3 * kappa**2 / p
            + eta**2 * xi**2 * lam0 * tau * (tau - 1) * p * n * c1)


def one_step_T4(e2, n, d, m, p, xi, tau, eta, kappa, lam0):
    """T-4(h) · p.26 — (1 - (1/4) eta theta tau lambda_0)||e||^2 + (1/4) eta theta tau lambda_0 B_1."""
    a_ = alpha_T4(p, xi, tau, eta, lam0)
    return (1 - a_) * e2 + a_ * B1_T4(n, d, m, p, xi, tau, eta, kappa, lam0)


def hyp1_drift_bound(E_norm, n, m, p, xi, tau, eta, kappa, K, delta, form="p.7"):
    """(5) of Hypothesis 1 and its C-20 forms: eta tau sqrt(2nK/(m delta)) E||y - u_k|| + second term, with
    the second term 2 eta kappa n sqrt(2 xi(1-xi)pK/(m delta)) ('p.7'), with tau ('p.23'), or with tau and
    without the 2 inside the root ('p.44')."""
    first = eta * tau * math.sqrt(2 * n * K / (m * delta)) * E_norm
    if form == "p.7":
        second = 2 * eta * kappa * n * math.sqrt(2 * xi * (1 - xi) * p * K / (m * delta))
    elif form == "p.23":
        second = 2 * eta * tau * kappa * n * math.sqrt(2 * xi * (1 - xi) * p * K / (m * delta))
    else:
        second = 2 * eta * tau * kappa * n * math.sqrt(xi * (1 - xi) * p * K / (m * delta))
    return first + second


def rate_T8(gamma, eta, lam0, tau):
    """C-17 · p.43 — gamma + (1 - gamma)(1 - eta lambda_0/2)^tau."""
    return gamma + (1 - gamma) * (1 - eta * lam0 / 2) ** tau


def error_T8_p43(gamma, eta, tau, p, kappa, n, d, lam0, m):
    """T-8 · p.43 — 32 eta tau (p-1)^2 kappa^2 n^3 d / (gamma lambda_0 m)."""
    return 32 * eta * tau * (p - 1) ** 2 * kappa**2 * n**3 * d / (gamma * lam0 * m)


def B1_T8(gamma, eta, tau, p, kappa, n, d, lam0, m, form="p.44a"):
    """C-16 · p.44 — the Theorem 7 error: before the last step ('p.44a') or the final form ('p.44b')."""
    if form == "p.44a":
        return 32 * eta * tau * (p - 1) ** 2 * kappa**2 * n**3 * d / (
            (1 - (1 - eta * lam0 / 2) ** tau) * gamma * (1 - gamma) * lam0 * m)
    return 64 * tau * (p - 1) ** 2 * kappa**2 * n**3 * d / (lam0**2 * gamma * (1 - gamma) * m)


def lemma22_iota_prime_bound(eta, kappa, tau, p, n, d, gamma, lam0, m):
    """L-22 · p.46 — 32 eta kappa^2 tau (p-1)^2 n^3 d / (gamma lambda_0 m)."""
    return 32 * eta * kappa**2 * tau * (p - 1) ** 2 * n**3 * d / (gamma * lam0 * m)


def lemma22d_rhs(eta, gamma, lam0, m, n, p, kappa, tau, d, resid_sum):
    """L-22(d) · p.48 — (eta gamma lambda_0 m/(4 n (p-1))) sum_t ||y - uhat^l_{k,t}||^2
    + 16 eta kappa^2 tau (p-1) n^2 d/(gamma lambda_0)."""
    return (eta * gamma * lam0 * m / (4 * n * (p - 1)) * resid_sum
            + 16 * eta * kappa**2 * tau * (p - 1) * n**2 * d / (gamma * lam0))


# --------------------------------------------------------------------------------------------------
# Mask enumeration (SPEC 5.0 recipes)


def enumerate_bernoulli(p, m, xi):
    """All 2^(p m) Bernoulli masks with their probabilities.  -> M (2^(pm), p, m) bool, w (2^(pm),)."""
    bits = np.array(list(itertools.product((0, 1), repeat=p * m)), dtype=bool).reshape(-1, p, m)
    ones = bits.reshape(len(bits), -1).sum(-1)
    w = xi**ones * (1 - xi) ** (p * m - ones)
    return bits, w


def enumerate_categorical(p, m):
    """All p^m categorical masks (one-hot columns), equally likely.  -> M (p^m, p, m) bool, w (p^m,)."""
    owners = np.array(list(itertools.product(range(p), repeat=m)), dtype=int).reshape(-1, m)
    M = owners[:, None, :] == np.arange(p)[None, :, None]
    return M, np.full(len(M), 1.0 / len(M))

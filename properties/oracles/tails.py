"""Exact laws used as oracles by the probability checks (SPEC section 5.0; derived, not claims of the paper).

Everything here is a standard fact, verified independently in ``tests/properties/checks/test_probability_lemmas.py``
(Monte Carlo, mpmath quadrature, exact enumeration) before the checks rely on it:

* ``p_activation_change(rho)``: for unit x and ``w ~ N(0, kappa^2 I)``,
  ``P(A_ir) = P(-R <= <w, x> < R) = erf(rho / sqrt 2)`` with ``rho = R / kappa`` (N-5).
* ``binom_tail_gt(m, q, thr)``: ``P(Bin(m, q) > thr)`` (|S_i^perp| ~ Bin(m, erf(rho/sqrt 2)), L-23).
* ``chi2_tail_ge(k, x)``: ``P(chi^2_k >= x)`` (||W_0||_F^2/kappa^2 ~ chi^2_{md}; sum_r <w_r,x_i>^2/kappa^2 ~ chi^2_m).
* ``chi2_1_centred_mgf(s)``: ``E[exp(s (Z^2 - 1))] = exp(-s)/sqrt(1 - 2 s)`` for s < 1/2, +inf for s >= 1/2
  (the MGF of ``t (w^2 - kappa^2)`` with ``s = t kappa^2``; P-1(g)).
* ``orthant(c)``: ``P(<w,x_i> >= 0, <w,x_j> >= 0) = (pi - arccos c)/(2 pi)`` for unit x_i, x_j with
  ``<x_i,x_j> = c`` (N-3 closed form).
* ``rademacher_mean_tail(n, t)``: exact ``P(|(1/n) sum X_i| >= t)`` for i.i.d. Rademacher X_i, as a Fraction.

Logs are used where a probability may underflow, so comparisons with ``exp(-x)`` stay exact in their sign.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from scipy import stats

__all__ = ["p_activation_change", "binom_tail_gt", "binom_logtail_gt", "chi2_tail_ge", "chi2_logtail_ge",
           "chi2_1_centred_mgf", "chi2_1_centred_log_mgf", "orthant", "rademacher_mean_tail",
           "orthonormal_union", "k_inf", "orthonormal_data"]


def p_activation_change(rho):
    """N-5 / 5.0: ``P(A_ir) = erf(rho/sqrt 2)`` for ``rho = R/kappa`` (unit x_i, w_{0,r} ~ N(0, kappa^2 I))."""
    return math.erf(float(rho) / math.sqrt(2.0))


def binom_tail_gt(m, q, thr):
    """``P(Bin(m, q) > thr)`` for a real threshold ``thr`` (exact binomial sum via scipy)."""
    k = math.floor(thr)
    if k >= m:
        return 0.0
    if k < 0:
        return 1.0
    return float(stats.binom.sf(k, m, q))


def binom_logtail_gt(m, q, thr):
    """``log P(Bin(m, q) > thr)`` (-inf when the event is impossible)."""
    k = math.floor(thr)
    if k >= m or q <= 0.0:
        return -math.inf
    if k < 0:
        return 0.0
    return float(stats.binom.logsf(k, m, q))


def chi2_tail_ge(k, x):
    """``P(chi^2_k >= x)`` (continuous law: same as ``> x``)."""
    return float(stats.chi2.sf(x, k))


def chi2_logtail_ge(k, x):
    """``log P(chi^2_k >= x)``."""
    return float(stats.chi2.logsf(x, k))


def chi2_1_centred_log_mgf(s):
    """``log E[exp(s (Z^2 - 1))]`` for Z ~ N(0, 1): ``-s - log(1 - 2 s)/2`` for s < 1/2, +inf otherwise."""
    s = float(s)
    if s >= 0.5:
        return math.inf
    return -s - 0.5 * math.log1p(-2.0 * s)


def chi2_1_centred_mgf(s):
    """``E[exp(s (Z^2 - 1))] = exp(-s)/sqrt(1 - 2 s)`` (s < 1/2); +inf for s >= 1/2 (the integral diverges)."""
    v = chi2_1_centred_log_mgf(s)
    return math.inf if v == math.inf else math.exp(v)


def orthant(c):
    """N-3 closed form: ``P(<w,x_i> >= 0, <w,x_j> >= 0) = (pi - arccos c)/(2 pi)``, c = <x_i, x_j>."""
    c = min(1.0, max(-1.0, float(c)))
    return (math.pi - math.acos(c)) / (2.0 * math.pi)


def k_inf(X):
    """The kernel of Du et al. without the factor xi: ``K^inf_ij = <x_i,x_j> (pi - arccos<x_i,x_j>)/(2 pi)``.

    Args: X (n, d) unit rows. Returns (n, n) float64. (``H^inf = xi K^inf``, N-3/N-4.)
    """
    X = np.asarray(X, dtype=float)
    G = X @ X.T
    U = X / np.linalg.norm(X, axis=1, keepdims=True)
    # angle by Kahan's formula 2 atan2(|u_i - u_j|, |u_i + u_j|): exact 0 on the diagonal and accurate for
    # nearly parallel pairs, where arccos(<x_i,x_j>) loses half the digits (arccos(1 - 1e-16) = 1.5e-8)
    diff = np.linalg.norm(U[:, None, :] - U[None, :, :], axis=-1)
    summ = np.linalg.norm(U[:, None, :] + U[None, :, :], axis=-1)
    theta = 2.0 * np.arctan2(diff, summ)
    return G * (np.pi - theta) / (2.0 * np.pi)


def rademacher_mean_tail(n, t):
    """Exact ``P(|(1/n) sum_{i<=n} X_i| >= t)`` for i.i.d. Rademacher X_i, as a Fraction.

    ``sum X_i = 2B - n`` with ``B ~ Bin(n, 1/2)``; ``t`` is a Fraction (or int) so the event is decided
    exactly.
    """
    t = Fraction(t)
    total = 0
    for b in range(n + 1):
        if abs(Fraction(2 * b - n, n)) >= t:
            total += math.comb(n, b)
    return Fraction(total, 2**n)


def orthonormal_union(p_single, n):
    """``P(exists i <= n: E_i)`` for n independent events of probability ``p_single`` (orthonormal data,
    where <w_r, x_i> are independent across i): ``1 - (1 - p)^n``, computed stably."""
    p = float(p_single)
    if p >= 1.0:
        return 1.0
    return -math.expm1(n * math.log1p(-p))


def orthonormal_data(n, d=None):
    """n orthonormal unit vectors in R^d (d >= n; default d = n): the first n standard basis vectors."""
    d = n if d is None else d
    X = np.zeros((n, d))
    X[np.arange(n), np.arange(n)] = 1.0
    return X

"""The exact mask layer: Bin(p, xi) closed forms in rational arithmetic, and brute-force enumeration.

Two independent computations of every per-neuron mask expectation (SPEC 5.0, "derived" tools):

* **closed forms** (``cf_*``): sums over ``x = 0..p`` with weights ``C(p,x) xi^x (1-xi)^(p-x)``, written as
  integers over ``s^p`` for ``xi = j/s`` (so p = 30 with a 0.01 grid costs a few integer operations);
* **enumeration** (``enum_*``): every 0/1 pattern of 1, 2 or 3 mask columns ``m_{k,r}`` (``2^(p c)``
  patterns), each weighted by ``xi^(#ones) (1-xi)^(#zeros)``. Enumeration never calls a binomial
  coefficient: a table ``T[k] = sum of the statistic over the patterns with k ones`` is built once per
  (p, columns) and then evaluated at any xi.

The network part (``net_*``) evaluates the two-layer ReLU network of S-1 in numpy float64 (or exactly, with
``Fraction`` weights, for the per-neuron closed forms used by the bound checks), independently of
``maskverify.impl``. ``all_bernoulli_masks`` / ``all_categorical_masks`` list every mask ``M in {0,1}^{p x m}``
with its probability, for exhaustive expectations over M_k with W_k and a fixed.

Names follow the paper (Table 1): ``p`` subnetworks, ``m`` width, ``xi`` selection probability,
``X = X_{k,r} = sum_l m^l_{k,r}``, ``N^perp = min(X, 1)``, ``eta_{k,r} = N^perp / max(X, 1)``,
``nu_{k,r,r'} = eta_{k,r} sum_l m^l_{k,r} m^l_{k,r'}``, ``theta = 1 - (1 - xi)^p``.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from functools import cache

import numpy as np

# --------------------------------------------------------------------------------------------------
# rationals


def q(x):
    """A Fraction from an int, a Fraction, or a string "num/den" (JSON form of a rational)."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, bool):
        raise TypeError("bool is not a rational")
    if isinstance(x, int):
        return Fraction(x)
    if isinstance(x, str):
        return Fraction(x)
    if isinstance(x, float):
        return Fraction(x)
    raise TypeError(f"cannot make a rational from {x!r}")


def qs(x):
    """JSON form of a rational: "num/den"."""
    return str(q(x))


def xi_grid(step):
    """xi = j/step for j = 1..step (xi in (0, 1]), as Fractions."""
    return [Fraction(j, step) for j in range(1, step + 1)]


def theta_of(p, xi):
    """theta = P(N^perp = 1) = 1 - (1 - xi)^p (Theorem 3, Lemma 25)."""
    return 1 - (1 - q(xi)) ** p


# --------------------------------------------------------------------------------------------------
# closed forms via X ~ Bin(p, xi) (integer numerators over s^p)


@cache
def _binom_ints(p, j, s):
    """Numerators C(p,x) j^x (s-j)^(p-x), x = 0..p, of P(Bin(p, j/s) = x) over the denominator s^p."""
    return tuple(math.comb(p, x) * j ** x * (s - j) ** (p - x) for x in range(p + 1))


def binom_pmf(p, xi):
    """P(Bin(p, xi) = x) for x = 0..p, exact."""
    xi = q(xi)
    nums = _binom_ints(p, xi.numerator, xi.denominator)
    den = xi.denominator ** p
    return [Fraction(c, den) for c in nums]


@cache
def _moment(p, j, s, kind):
    """E[g(X)] for X ~ Bin(p, j/s), exact, for g in a fixed list (kind):

    'inv_pos'   : 1{X>=1}/X            (= e_p = E[eta_{k,r}])
    'inv2_pos'  : 1{X>=1}/X^2
    'inv_1p'    : 1/(1+X)               (used with p-1 for E[1/(1+Y)], Y ~ Bin(p-1, xi))
    'inv2_1p'   : 1/(1+X)^2
    'pos'       : 1{X>=1}               (= theta)
    """
    nums = _binom_ints(p, j, s)
    den = s ** p
    L = math.lcm(*range(1, p + 2)) if kind in ("inv_pos", "inv_1p") else None
    if kind == "pos":
        return Fraction(sum(nums[1:]), den)
    if kind == "inv_pos":
        return Fraction(sum(nums[x] * (L // x) for x in range(1, p + 1)), den * L)
    if kind == "inv_1p":
        return Fraction(sum(nums[x] * (L // (x + 1)) for x in range(p + 1)), den * L)
    if kind == "inv2_pos":
        return sum((Fraction(nums[x], x * x) for x in range(1, p + 1)), Fraction(0)) / den
    if kind == "inv2_1p":
        return sum((Fraction(nums[x], (x + 1) ** 2) for x in range(p + 1)), Fraction(0)) / den
    raise ValueError(kind)


def _m(p, xi, kind):
    xi = q(xi)
    if p < 0:
        raise ValueError("p must be >= 0")
    return _moment(p, xi.numerator, xi.denominator, kind)


def cf_theta(p, xi):
    """theta as the closed-form sum P(X >= 1) (checked against 1 - (1-xi)^p)."""
    return _m(p, xi, "pos")


def cf_e_p(p, xi):
    """e_p = E[eta_{k,r}] = E[1/X ; X >= 1] = sum_{x>=1} C(p,x) xi^x (1-xi)^(p-x) / x (SPEC 5.0)."""
    return _m(p, xi, "inv_pos")


def cf_inv_X_given_pos(p, xi):
    """E[1/X | X >= 1] = e_p / theta."""
    return cf_e_p(p, xi) / cf_theta(p, xi)


def cf_inv_1pY(p, xi):
    """E[1/(1 + Y)], Y ~ Bin(p-1, xi) (the paper's E[1/(1 + X(p-1))])."""
    return _m(p - 1, xi, "inv_1p")


def cf_inv2_1pY(p, xi):
    """E[1/(1 + Y)^2], Y ~ Bin(p-1, xi)."""
    return _m(p - 1, xi, "inv2_1p")


def cf_m_over_X_given_pos(p, xi):
    """E[m^l_{k,r}/X | X >= 1] = (sum_{x>=1} P(X=x) (x/p)(1/x)) / theta = 1/p  (E[m^l | X=x] = x/p)."""
    xi = q(xi)
    return sum((Fraction(x, p) / x * w for x, w in enumerate(binom_pmf(p, xi)) if x >= 1),
               Fraction(0)) / cf_theta(p, xi)


def cf_m_over_X2_given_pos(p, xi):
    """E[m^l_{k,r}/X^2 | X >= 1] = (sum_{x>=1} P(X=x) (x/p)/x^2) / theta = e_p/(p theta)."""
    return _m(p, xi, "inv_pos") / p / cf_theta(p, xi)


def cf_nu_cond_mean(p, xi):
    """E[nu_{k,r,r'} | N^perp = 1] for r != r': given column r with X = x >= 1, nu = B/x, B ~ Bin(x, xi)."""
    return q(xi)


def cf_nu_cond_var(p, xi):
    """Var(nu_{k,r,r'} | N^perp = 1), r != r' (derived): E[Var(B/x | X=x) | X>=1] = xi(1-xi) E[1/X | X>=1]."""
    xi = q(xi)
    return xi * (1 - xi) * cf_inv_X_given_pos(p, xi)


def cf_nu_cond_second(p, xi):
    """E[nu_{k,r,r'}^2 | N^perp = 1], r != r' (derived): xi^2 + xi(1-xi) E[1/X | X>=1]."""
    xi = q(xi)
    return xi * xi + cf_nu_cond_var(p, xi)


# --------------------------------------------------------------------------------------------------
# brute-force enumeration over mask columns (shares nothing with the closed forms above)


def _stats_1(c):
    """Statistics of one column c = m_{k,r} (length p)."""
    X = sum(c)
    N = 1 if X >= 1 else 0
    eta = Fraction(1, X) if X else Fraction(0)
    sum_eta_m = sum(eta * ci for ci in c)
    return {"N": N, "N2": N * N, "eta": eta, "c0_over_X": c[0] * eta, "c0_over_X2": c[0] * eta * eta,
            "c0N": c[0] * N, "c0": c[0],
            "eta_sum_m_ne_N": 1 if sum_eta_m != N else 0}


def _stats_2(c, c2):
    """Statistics of two columns c = m_{k,r}, c2 = m_{k,r'} (r != r')."""
    X = sum(c)
    N = 1 if X >= 1 else 0
    eta = Fraction(1, X) if X else Fraction(0)
    nu = eta * sum(a * b for a, b in zip(c, c2))
    nurr = eta * sum(a * a for a in c)
    return {"N": N, "Nnu": N * nu, "Nnu2": N * nu * nu, "nu": nu, "nu2": nu * nu,
            "nurr": nurr, "nurr2": nurr * nurr, "Nnurr": N * nurr, "Nnurr2": N * nurr * nurr,
            "A0": eta * eta * X, "A1": eta * eta * sum(a * b for a, b in zip(c, c2)),
            "nurr_ne_N": 1 if nurr != N else 0,
            "nu_nonzero_when_N0": 1 if (N == 0 and nu != 0) else 0}


def _stats_3(c, c1, c2):
    """Statistics of three columns (r, r1, r2), r1 != r2 (both != r)."""
    X = sum(c)
    N = 1 if X >= 1 else 0
    eta = Fraction(1, X) if X else Fraction(0)
    nu1 = eta * sum(a * b for a, b in zip(c, c1))
    nu2 = eta * sum(a * b for a, b in zip(c, c2))
    return {"N": N, "Nnu1": N * nu1, "Nnu2": N * nu2, "Nnu1nu2": N * nu1 * nu2}


_STATS = {1: _stats_1, 2: _stats_2, 3: _stats_3}


@cache
def column_tables(p, ncols):
    """Enumerate all 2^(p ncols) patterns of ``ncols`` columns; return {stat: (T[0..p ncols])} where
    T[k] is the sum of the statistic over the patterns with k ones in total."""
    total = p * ncols
    tables = {}
    fn = _STATS[ncols]
    for bits in itertools.product((0, 1), repeat=total):
        cols = [bits[i * p:(i + 1) * p] for i in range(ncols)]
        k = sum(bits)
        for name, val in fn(*cols).items():
            tab = tables.setdefault(name, [Fraction(0)] * (total + 1))
            tab[k] += val
    return {name: tuple(tab) for name, tab in tables.items()}


def enum_expect(p, ncols, stat, xi):
    """E[stat] over i.i.d. Bern(xi) entries of ``ncols`` columns of length p, by enumeration."""
    xi = q(xi)
    tab = column_tables(p, ncols)[stat]
    total = p * ncols
    one_minus = 1 - xi
    return sum((t * xi ** k * one_minus ** (total - k) for k, t in enumerate(tab) if t), Fraction(0))


def enum_cond(p, ncols, stat_times_N, xi):
    """E[stat | N^perp_{k,r} = 1] = E[stat N] / E[N], by enumeration."""
    return enum_expect(p, ncols, stat_times_N, xi) / enum_expect(p, ncols, "N", xi)


def enum_count(p, ncols, stat):
    """Number of patterns with a nonzero (0/1) statistic: per-realization identities."""
    return sum(column_tables(p, ncols)[stat])


# --------------------------------------------------------------------------------------------------
# whole masks M in {0,1}^{p x m} (float64 network identities)


@cache
def _bern_patterns(p, m):
    bits = np.array(list(itertools.product((0, 1), repeat=p * m)), dtype=np.int8)   # (2^{pm}, pm)
    return bits.reshape(-1, p, m), bits.sum(axis=1)


def all_bernoulli_masks(p, m, xi):
    """Every M in {0,1}^{p x m} with probability xi^{#ones} (1-xi)^{#zeros}.  -> M (P, p, m), w (P,)."""
    M, ones = _bern_patterns(p, m)
    xi = float(xi)
    w = xi ** ones * (1.0 - xi) ** (p * m - ones)
    return M.astype(np.float64), w


@cache
def _cat_patterns(p, m):
    owners = np.array(list(itertools.product(range(p), repeat=m)), dtype=np.int64).reshape(-1, m)  # (p^m, m)
    return (owners[:, None, :] == np.arange(p)[None, :, None]).astype(np.float64)      # (p^m, p, m)


def all_categorical_masks(p, m):
    """Every categorical mask (each neuron in exactly one of p subnetworks), uniform.  -> M, w."""
    M = _cat_patterns(p, m)
    return M, np.full(M.shape[0], 1.0 / M.shape[0])


def mask_quantities(M):
    """X, N^perp, eta (P, m) from masks M (P, p, m) (S-2)."""
    X = M.sum(axis=1)
    Np = np.minimum(X, 1.0)
    eta = np.where(X >= 1, 1.0 / np.maximum(X, 1.0), 0.0)
    return X, Np, eta


# --------------------------------------------------------------------------------------------------
# the network (numpy float64), independent of maskverify.impl


def relu(z):
    return np.maximum(z, 0.0)


def net_sigma(W, X):
    """sigma(<w_r, x_i>)  W (m, d), X (n, d) -> (m, n)."""
    return relu(W @ X.T)


def net_f(W, a, X):
    """S-1: f(W, x_i) = (1/sqrt m) sum_r a_r sigma(<w_r,x_i>).  -> (n,)."""
    return (a @ net_sigma(W, X)) / math.sqrt(W.shape[0])


def net_u(W, a, X, xi):
    """S-4: u = xi f(W, X)."""
    return float(xi) * net_f(W, a, X)


def net_uhat(M, W, a, X):
    """S-3 surrogate outputs uhat^l for all masks: M (P, p, m) -> (P, p, n)."""
    return np.einsum("Plr,r,rn->Pln", M, a, net_sigma(W, X), optimize=True) / math.sqrt(W.shape[0])


def net_nu(M):
    """nu_{k,r,r'} = eta_{k,r} sum_l m^l_{k,r} m^l_{k,r'}  (P, m, m)  (N-7)."""
    _, _, eta = mask_quantities(M)
    return eta[:, :, None] * np.einsum("Plr,Pls->Prs", M, M)


def net_mixing_f(M, W, a, X):
    """Mixing function, second form: f^{(i)}_{k,r} = (1/sqrt m) sum_r' a_r' nu_{r,r'} sigma(<w_r',x_i>)
    -> (P, m, n)."""
    return np.einsum("Prs,s,sn->Prn", net_nu(M), a, net_sigma(W, X), optimize=True) / math.sqrt(W.shape[0])


def net_mixing_f_first(M, W, a, X):
    """Mixing function, first form: f^{(i)}_{k,r} = eta_{k,r} sum_l m^l_{k,r} uhat^{l(i)}_k  -> (P, m, n)."""
    _, _, eta = mask_quantities(M)
    return eta[:, :, None] * np.einsum("Plr,Pln->Prn", M, net_uhat(M, W, a, X))


def net_surrogate_grad(W, a, mask, X, y):
    """S-6 (gradient of (1/2)||y - f_m(W,X)||^2), one mask (m,) -> (m, d)."""
    m = W.shape[0]
    pre = W @ X.T                                                   # (m, n)
    coeff = a * mask / math.sqrt(m)                                 # (m,)
    resid = coeff @ relu(pre) - y                                   # (n,)
    return (coeff[:, None] * (pre >= 0) * resid[None, :]) @ X       # (m, d)


def net_full_grad(W, a, X, y, xi):
    """S-5 p.18: dL(W)/dw_r = (xi/sqrt m) sum_i a_r x_i (u_i - y_i) 1{<w_r,x_i> >= 0}  -> (m, d)."""
    m = W.shape[0]
    pre = W @ X.T
    resid = net_u(W, a, X, xi) - y
    return (float(xi) / math.sqrt(m)) * ((a[:, None] * (pre >= 0) * resid[None, :]) @ X)


def local_train(W, a, mask, X, y, eta, tau):
    """S-7 lines 5-6: tau full-batch GD steps on (1/2)||y - f_m(W,X)||^2 from W.  -> (W_t (tau+1,m,d),
    uhat_t (tau+1, n))."""
    Ws = [W.copy()]
    for _ in range(tau):
        Ws.append(Ws[-1] - eta * net_surrogate_grad(Ws[-1], a, mask, X, y))
    Ws = np.stack(Ws)
    uh = np.stack([(a * mask) @ net_sigma(Wt, X) / math.sqrt(W.shape[0]) for Wt in Ws])
    return Ws, uh


def global_step(W, a, X, y, M, eta, tau):
    """S-7 lines 4-9 for one mask M (p, m): returns W_next (m, d), uhat (p, tau+1, n)."""
    p = M.shape[0]
    runs = [local_train(W, a, M[l], X, y, eta, tau) for l in range(p)]
    Xc = M.sum(axis=0)
    eta_r = np.where(Xc >= 1, 1.0 / np.maximum(Xc, 1.0), 0.0)
    delta = sum(Ws[-1] - W for Ws, _ in runs)                       # sum_l Delta W^l (m, d)
    return W + eta_r[:, None] * delta, np.stack([uh for _, uh in runs])


# --------------------------------------------------------------------------------------------------
# exact per-neuron closed forms for the bound lemmas (work with Fractions or floats)


def _isqrt_exact(m):
    r = math.isqrt(m)
    return Fraction(r) if r * r == m else math.sqrt(m)


def pre_matrix(W, X):
    """<w_r, x_i> as nested lists (m x n), exact when entries are Fractions."""
    return [[sum(wc * xc for wc, xc in zip(w, x)) for x in X] for w in W]


def sig_matrix(W, X, P=None):
    """sigma(<w_r, x_i>) as nested lists (m x n); ``P`` = a precomputed :func:`pre_matrix`."""
    return [[v if v > 0 else 0 * v for v in row] for row in (pre_matrix(W, X) if P is None else P)]


def lemma10_lhs(p, xi, W, X, r=0, S=None):
    """E_{M_k}[ ||f_{k,r} - u_k||^2 | N^perp_{k,r} = 1 ] (derived closed form, exact for Fraction input):

    given N^perp = 1, f^{(i)} - u^{(i)} = (1/sqrt m) [ (1-xi) a_r sigma_ri + sum_{r' != r} a_r' (nu_rr' - xi) sigma_r'i ],
    the nu_rr' (r' != r) have mean xi, variance V = xi(1-xi) E[1/X | X>=1] and are uncorrelated, so
    the value is (1/m) sum_i [ (1-xi)^2 sigma_ri^2 + V sum_{r' != r} sigma_r'i^2 ] (a_r^2 = 1).
    """
    xi = q(xi)
    S = sig_matrix(W, X) if S is None else S
    m, n = len(W), len(X)
    V = cf_nu_cond_var(p, xi)
    tot = 0
    for i in range(n):
        tot += (1 - xi) ** 2 * S[r][i] ** 2 + V * sum(S[s][i] ** 2 for s in range(m) if s != r)
    return tot / m


def lemma11_sq_lhs(p, xi, W, a, X, y, r=0, P=None):
    """E_{M_k} ||g_{k,r}||^2 (derived closed form): theta (1/m) sum_{i,j} G_ij <x_i,x_j> 1_ri 1_rj with
    G_ij = E[(f_i - y_i)(f_j - y_j) | N=1] = (mu_i - y_i)(mu_j - y_j) + (V/m) sum_{r'!=r} sigma_r'i sigma_r'j,
    mu_i = (1/sqrt m)[xi sum_{r'!=r} a_r' sigma_r'i + a_r sigma_ri]."""
    xi = q(xi)
    m, n = len(W), len(X)
    sm = _isqrt_exact(m)
    P = pre_matrix(W, X) if P is None else P
    S = [[v if v > 0 else 0 * v for v in row] for row in P]
    V = cf_nu_cond_var(p, xi)
    th = theta_of(p, xi)
    mu = [(xi * sum(a[s] * S[s][i] for s in range(m) if s != r) + a[r] * S[r][i]) / sm for i in range(n)]
    ind = [1 if P[r][i] >= 0 else 0 for i in range(n)]
    tot = 0
    for i in range(n):
        for j in range(n):
            if not (ind[i] and ind[j]):
                continue
            G = (mu[i] - y[i]) * (mu[j] - y[j]) + V * sum(S[s][i] * S[s][j] for s in range(m) if s != r) / m
            tot += G * sum(u * v for u, v in zip(X[i], X[j]))
    return th * tot / m


def lemma31_lhs(p, xi, W, X, r=0, S=None):
    """E_{M_k}[eta_{k,r}^2 sum_l m^l_{k,r} ||u_k - uhat^l_k||^2] (derived closed form):
    e_p (1/m) sum_i [ (1-xi)^2 sigma_ri^2 + xi(1-xi) sum_{r'!=r} sigma_r'i^2 ]  (eta^2 X = eta)."""
    xi = q(xi)
    S = sig_matrix(W, X) if S is None else S
    m, n = len(W), len(X)
    tot = 0
    for i in range(n):
        tot += (1 - xi) ** 2 * S[r][i] ** 2 + xi * (1 - xi) * sum(S[s][i] ** 2 for s in range(m) if s != r)
    return cf_e_p(p, xi) * tot / m


def lemma32_lhs(xi, W, X, S=None):
    """E_{M_k}||u_k - uhat^l_k||^2 = (xi(1-xi)/m) sum_i sum_r sigma_ri^2 (entries of row l i.i.d. Bern(xi);
    also the categorical law with xi = 1/p)."""
    xi = q(xi)
    S = sig_matrix(W, X) if S is None else S
    return xi * (1 - xi) * sum(v * v for row in S for v in row) / len(W)


def hypothesis_forms(W0, X, m, kappa, R, P0=None):
    """Evaluate the printed forms of the initialization hypothesis of Lemmas 10, 31, 32 (SPEC L-10).

    per_i   : for all i, sum_r <w0_r, x_i>^2 <= 2 m kappa^2 - m R^2      (Lemma 30 conclusion, p.54)
    printed : for all i, sum_r <w0_r, x_i>^2 <= 2 m n kappa^2 - m n R^2  (Lemma 10/31/32 as printed, free i)
    summed  : sum_i sum_r <w0_r, x_i>^2 <= 2 m n kappa^2 - m n R^2     (proof of Theorem 3, p.25)
    """
    n = len(X)
    P = pre_matrix(W0, X) if P0 is None else P0
    col = [sum(P[r][i] ** 2 for r in range(len(W0))) for i in range(n)]
    return {"per_i": all(c <= 2 * m * kappa ** 2 - m * R ** 2 for c in col),
            "printed": all(c <= 2 * m * n * kappa ** 2 - m * n * R ** 2 for c in col),
            "summed": sum(col) <= 2 * m * n * kappa ** 2 - m * n * R ** 2}


def in_ball(W0, Wk, R):
    """||w_{k,r} - w_{0,r}||_2 <= R for all r (exact: compares squares)."""
    return all(sum((a - b) ** 2 for a, b in zip(wk, w0)) <= R * R for wk, w0 in zip(Wk, W0))

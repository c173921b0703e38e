"""Fast numeric evaluation of the printed bounds (T-4, T-8, C-1..C-17), vectorized over numpy grids.

Every function here is the lambdified sympy expression of ``maskverify.theory.constants`` (compiled
once, on first use), so the numbers cannot drift from the symbolic forms. Arguments broadcast like numpy
ufuncs (scalars or arrays); a scalar result is returned as a Python float.

Public API (paper symbols; ``p`` counts subnetworks, ``xi`` is the mask probability):

  theta(xi, p)                                      1 - (1 - xi)^p (p.8)
  C1(theta, xi, n, kappa, p)                        C_1 of Theorem 3 (p.8)
  B1_T4(n, d, m, p, xi, tau, eta, kappa, lambda_0)  error term B_1 of Theorem 3 (T-4, p.8)
  B1_terms_T4(...)                                  its six printed terms, stacked on axis 0
  rate_T4(eta, theta, tau, lambda_0)                1 - (1/4) eta theta tau lambda_0 ((7), p.8)
  error_T8_explicit(tau, p, kappa, n, d, lambda_0, m, gamma=1/2)   C-16, p.44
  rate_T8(eta, lambda_0, tau, gamma=1/2)            C-17, p.43-44 (gamma = 1/2 is the p.9 form)
  R_C1(kappa, lambda_0, n, form="main"|"proof")     C-1 (p.7 / p.20)
  eta_max_H1(lambda_0, n)                           C-8 explicit, lambda_0/(4 n^2) (p.22)
  eta_max_T4(lambda_0, n, p, tau)                   C-9 explicit, lambda_0/(48 n tau max{n,p}) (p.38)
  width6_T4(..., c_m=1)                             the three terms of (6) at a given m (B_1 depends on m)
  m_required_T4(..., form="derived"|"main")         smallest m meeting C-13 (derived) or (6) (main)
  evaluate(item, form, **values)                    any printed form of a C-item
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp

from maskverify.theory import constants as cst
from maskverify.theory import symbols as S

_THETA = sp.Symbol("theta", positive=True)


@functools.cache
def _compile(key):
    """Lambdify the expression registered under ``key`` (cached)."""
    expr, args = _EXPRS[key]()
    return sp.lambdify(args, expr, modules="numpy")


def _call(key, *args):
    arrs = np.broadcast_arrays(*[np.asarray(a, dtype=float) for a in args])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = _compile(key)(*arrs)
    out = np.asarray(out, dtype=float)
    if out.ndim == 0:
        return float(out)
    return out


_T4_ARGS = (S.n, S.d, S.m, S.p, S.xi, S.tau, S.eta, S.kappa, S.lambda_0)

_EXPRS = {
    "theta": lambda: (cst.theta, (S.xi, S.p)),
    "C1": lambda: (cst.C_1_of(_THETA), (_THETA, S.xi, S.n, S.kappa, S.p)),
    "B1": lambda: (cst.B1, _T4_ARGS),
    **{f"B1_term{i}": (lambda i=i: (cst.B1_TERMS[i], _T4_ARGS)) for i in range(6)},
    "rate_T4": lambda: (1 - cst.alpha_of(_THETA), (S.eta, _THETA, S.tau, S.lambda_0)),
    "error_T8": lambda: (cst.error_T8_p44, (S.tau, S.p, S.kappa, S.n, S.d, S.lambda_0, S.m, S.gamma)),
    "error_T8_eta": lambda: (cst.error_T8_p44_eta,
                             (S.eta, S.tau, S.p, S.kappa, S.n, S.d, S.lambda_0, S.m, S.gamma)),
    "rate_T8": lambda: (cst.rate_T8_gamma, (S.eta, S.lambda_0, S.tau, S.gamma)),
    "R_C1_main": lambda: (cst.C1.form("main").expr, (S.kappa, S.lambda_0, S.n)),
    "R_C1_proof": lambda: (cst.C1.form("proof").expr, (S.kappa, S.lambda_0, S.n)),
    "eta_H1": lambda: (cst.C8.form("proof").expr, (S.lambda_0, S.n)),
    "eta_L17": lambda: (cst.C9.form("Lemma 17").expr, (S.lambda_0, S.n, S.p, S.tau)),
    "eta_L13": lambda: (cst.C9.form("Lemma 13").expr, (S.lambda_0, S.n, S.tau)),
    **{f"W6_{i}": (lambda i=i: (cst.W6_TERMS[i], (*_T4_ARGS, S.K, S.delta))) for i in range(3)},
    "C13_derived": lambda: (cst.C13_DERIVED, (*_T4_ARGS, S.K, S.delta, S.C)),
}


def theta(xi, p):
    """theta = 1 - (1 - xi)^p (Theorem 3, p.8): P(a neuron is in at least one of p subnetworks)."""
    return _call("theta", xi, p)


def C1(theta, xi, n, kappa, p):
    """C_1 = 4 theta^2 (1 - xi) n kappa^2 / p (Theorem 3, p.8)."""
    return _call("C1", theta, xi, n, kappa, p)


def B1_T4(n, d, m, p, xi, tau, eta, kappa, lambda_0):
    """T-4 · Theorem 3 · p.8 — the error term B_1 of (7), all six printed terms summed."""
    return _call("B1", n, d, m, p, xi, tau, eta, kappa, lambda_0)


def B1_terms_T4(n, d, m, p, xi, tau, eta, kappa, lambda_0):
    """The six printed terms of B_1 (T-4, p.8), stacked on a new leading axis (6, ...)."""
    return np.stack([np.asarray(_call(f"B1_term{i}", n, d, m, p, xi, tau, eta, kappa, lambda_0))
                     for i in range(6)])


def rate_T4(eta, theta, tau, lambda_0):
    """T-4 · Theorem 3 · p.8 — the contraction factor 1 - (1/4) eta theta tau lambda_0 of (7)."""
    return _call("rate_T4", eta, theta, tau, lambda_0)


def error_T8_explicit(tau, p, kappa, n, d, lambda_0, m, gamma=0.5, eta=None):
    """C-16 · Theorem 7 · p.44 — 64 tau (p-1)^2 kappa^2 n^3 d/(lambda_0^2 gamma (1-gamma) m).

    With ``eta`` given, the form before the last step (p.44):
    32 eta tau (p-1)^2 kappa^2 n^3 d/((1 - (1 - eta lambda_0/2)^tau) gamma (1-gamma) lambda_0 m).
    """
    if eta is None:
        return _call("error_T8", tau, p, kappa, n, d, lambda_0, m, gamma)
    return _call("error_T8_eta", eta, tau, p, kappa, n, d, lambda_0, m, gamma)


def rate_T8(eta, lambda_0, tau, gamma=0.5):
    """C-17 · Theorem 7 · p.43-44 — gamma + (1 - gamma)(1 - eta lambda_0/2)^tau (p.9 prints gamma = 1/2)."""
    return _call("rate_T8", eta, lambda_0, tau, gamma)


def R_C1(kappa, lambda_0, n, form="main"):
    """C-1 · Theorem 2 · p.7/p.20 — R = kappa lambda_0/(8n) ("main", p.7) or the bound
    kappa lambda_0/(12n) used in the proof ("proof", p.20)."""
    if form not in ("main", "proof"):
        from maskverify.errors import invalid

        raise invalid("form", "R_C1", "one of 'main', 'proof'", form)
    return _call(f"R_C1_{form}", kappa, lambda_0, n)


def eta_max_H1(lambda_0, n):
    """C-8 · Hypothesis 1 · p.22 — the explicit step-size bound lambda_0/(4 n^2)."""
    return _call("eta_H1", lambda_0, n)


def eta_max_T4(lambda_0, n, p, tau):
    """C-9 · Theorem 3 · p.38 — the explicit step-size bound lambda_0/(48 n tau max{n, p}) (Lemma 17)."""
    return _call("eta_L17", lambda_0, n, p, tau)


def eta_max_L13(lambda_0, n, tau):
    """C-9 · Lemma 13 · p.32 — lambda_0/(16 (tau - 1) n^2) (infinite at tau = 1)."""
    return _call("eta_L13", lambda_0, n, tau)


def width6_T4(n, d, m, p, xi, tau, eta, kappa, K, delta, lambda_0, c_m=1.0):
    """T-4 · (6) · p.8 — the three terms c_m (K/delta) max{...} evaluated at width m, stacked (3, ...)."""
    args = (n, d, m, p, xi, tau, eta, kappa, lambda_0, K, delta)
    return np.stack([c_m * np.asarray(_call(f"W6_{i}", *args)) for i in range(3)])


def _bisect_increasing(g, lo, hi, iters=200):
    """Smallest m in [lo, hi] (log-bisection, vectorized) with g(m) >= 0, g increasing in m."""
    lo = np.asarray(lo, dtype=float)
    hi = np.asarray(hi, dtype=float)
    for _ in range(iters):
        mid = np.sqrt(lo * hi)
        ok = g(mid) >= 0
        hi = np.where(ok, mid, hi)
        lo = np.where(ok, lo, mid)
    return hi


def m_required_T4(n, d, p, xi, tau, eta, kappa, K, delta, lambda_0, C=1.0, form="derived", c_m=1.0):
    """C-13 · Theorem 3 · p.28 — the smallest width m satisfying the width condition.

    ``form="derived"``: the base case C-5 solved for m (SPEC C-13, derived),
    ``m >= (2nK/delta)(288 eta tau n/(kappa lambda_0))^2 (4 C sqrt(n)/(eta theta tau lambda_0) + K B)^2``.
    ``form="main"``: (6) with hidden constant ``c_m``, ``m >= c_m (K/delta) max{...}``.
    Both are implicit in m (B_1 has a 1/m term); the right-hand side decreases in m, so the smallest
    admissible m is found by log-bisection (vectorized). Returns ``inf`` where no finite m exists.
    """
    base = (n, d, None, p, xi, tau, eta, kappa, lambda_0)
    if form == "derived":
        def rhs(mm):
            a = list(base)
            a[2] = mm
            return _call("C13_derived", *a, K, delta, C)
    elif form == "main":
        def rhs(mm):
            return np.max(width6_T4(n, d, mm, p, xi, tau, eta, kappa, K, delta, lambda_0, c_m=c_m), axis=0)
    else:
        from maskverify.errors import invalid

        raise invalid("form", "m_required_T4", "one of 'derived', 'main'", form)
    shape = np.broadcast_shapes(*[np.shape(v) for v in (n, d, p, xi, tau, eta, kappa, K, delta, lambda_0, C)])
    lo = np.full(shape, 1.0)
    hi = np.full(shape, 1e300)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        g = lambda mm: mm - rhs(mm)  # noqa: E731  (increasing in m: rhs decreases)
        finite = g(hi) >= 0
        out = np.where(finite, _bisect_increasing(g, lo, hi), np.inf)
        out = np.where(g(lo) >= 0, 1.0, out)
    return float(out) if out.ndim == 0 else out


def evaluate(item, form, **values):
    """Evaluate one printed form of a C-item numerically (float64): ``evaluate("C-9", "Lemma 17",
    lambda_0=0.1, n=10, p=2, tau=3)``. Missing symbols raise ``InvalidParameterError``."""
    expr = cst.get(item).form(form).expr
    free = sorted(expr.free_symbols, key=lambda s: s.name)
    missing = [s.name for s in free if s.name not in values]
    if missing:
        from maskverify.errors import invalid

        raise invalid(missing[0], f"evaluate({item!r}, {form!r})", "given (a number or array)", None)
    fn = _compile_expr(expr, tuple(free))
    return _call_fn(fn, *[values[s.name] for s in free])


@functools.lru_cache(maxsize=256)
def _compile_expr(expr, args):
    return sp.lambdify(args, expr, modules="numpy")


def _call_fn(fn, *args):
    arrs = np.broadcast_arrays(*[np.asarray(a, dtype=float) for a in args])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = np.asarray(fn(*arrs), dtype=float)
    return float(out) if out.ndim == 0 else out


def exact(expr, **values):
    """Evaluate a sympy expression exactly: each value goes through ``sympy.Rational`` (ints, "p/q"
    strings, or floats taken at their exact binary value); returns the simplified sympy number."""
    subs = {S.ALL[k]: sp.Rational(v) for k, v in values.items() if k in S.ALL}
    return sp.simplify(expr.subs(subs))

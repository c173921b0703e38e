"""T-5, T-6, T-7 · Corollaries 4-6 · p.8-9 — re-derived from Theorem 3 by substitution.

Each corollary fixes parameters of Theorem 3 (T-4): ``tau``, ``p``, ``kappa^2 = 1/n`` (text p.8-9), the
step size at the stated order with an explicit constant ``c_eta`` and the width at the stated Theta with
an explicit constant ``c_m``. :func:`substituted_terms` puts those choices into the six printed terms
of B_1; :func:`compare_orders` compares each term with the corollary's printed O(.) error by limits of
the ratio ``term / (sum of printed terms)`` along parameter directions (n -> oo, xi -> 1, xi -> 0,
p -> oo, tau -> oo, lambda_0 -> 0, delta -> 0, ...) at several base points. A term whose ratio tends to
infinity along some direction is *not* O(printed error): the direction and base point are the witness.

The text before the corollaries assumes ``max{K, d, p} <= n`` (p.8), so ``max{n, p} = n`` in the step
sizes and the directions keep ``K, d, p <= n``; ``lambda_0 <= xi/2`` (N-4) is kept too.
"""

from __future__ import annotations

import functools

import sympy as sp

from maskverify.theory import constants as cst
from maskverify.theory.symbols import (
    K,
    c_eta,
    c_m,
    d,
    delta,
    eta,
    kappa,
    lambda_0,
    m,
    n,
    p,
    tau,
    xi,
)

_th = cst.theta
_Q = (1 - xi) ** p
#: Parameter choices of each corollary (p.8-9); eta uses max{n, p} = n (p <= n, text p.8).
CHOICES = {
    "T-5": {"tau": 1, "p": 1, "eta": c_eta * lambda_0 / n**2,
            "m": c_m * n**5 * K / (xi**2 * lambda_0**4 * delta)},
    "T-6": {"tau": 1, "p": None, "eta": c_eta * lambda_0 / n**2,
            "m": c_m * n**5 * K / (xi * _th * lambda_0**4 * delta)},
    "T-7": {"tau": None, "p": None, "eta": c_eta * lambda_0 / (n * tau * n),
            "m": c_m * n**5 * K / (xi * _th * lambda_0**4 * delta)},
}

#: Base points for the directions (exact rationals; lambda_0 <= xi/2, K, d, p <= n).
#: d = n: a data set of n unit vectors with lambda_0 bounded away from 0 needs d growing with n (for fixed d,
#: lambda_0 -> 0 as n grows; d = 1 forces parallel points, lambda_0 = 0), so every direction keeps d = n.
BASE = {"xi": sp.Rational(1, 2), "K": 1, "d": 64, "lambda_0": sp.Rational(1, 8), "delta": sp.Rational(1, 2),
        "c_eta": 1, "c_m": 1, "n": 64}
_SYM = {"n": n, "d": d, "K": K, "p": p, "tau": tau, "xi": xi, "lambda_0": lambda_0, "delta": delta,
        "c_eta": c_eta, "c_m": c_m}


def printed_terms(item):
    from maskverify.theory.statements import STATEMENTS

    return tuple(STATEMENTS[item].forms["printed O-terms"])


def substitute(expr, item):
    """Put the corollary's choices (and kappa^2 = 1/n) into a Theorem 3 expression."""
    ch = CHOICES[item]
    e = expr.xreplace({kappa: 1 / sp.sqrt(n)})
    e = e.xreplace({eta: ch["eta"], m: ch["m"]})
    fix = {}
    if ch["tau"] is not None:
        fix[tau] = ch["tau"]
    if ch["p"] is not None:
        fix[p] = ch["p"]
    return e.xreplace(fix)


@functools.cache
def substituted_terms(item):
    """The six printed B_1 terms (T-4, p.8) after the corollary's substitutions, simplified."""
    return tuple(sp.simplify(substitute(t_, item)) for t_ in cst.B1_TERMS)


def bases(item):
    """Base points: free p in {1, 2}, free tau in {1, 2} (boundary values p = 1, tau = 1 included)."""
    ch = CHOICES[item]
    ps = [None] if ch["p"] is not None else [1, 2]
    taus = [None] if ch["tau"] is not None else [1, 2]
    out = []
    for pv in ps:
        for tv in taus:
            b = dict(BASE)
            if pv is not None:
                b["p"] = pv
            if tv is not None:
                b["tau"] = tv
            out.append(b)
    return out


def directions(item):
    """(label, variable, point, side, ties): ties maps symbol names to expressions in the variable."""
    ch = CHOICES[item]
    ds = [
        ("n -> oo (K = 1, d = n)", "n", sp.oo, "-", {"d": n}),
        ("n -> oo (K = d = n)", "n", sp.oo, "-", {"K": n, "d": n}),
        ("xi -> 1-", "xi", 1, "-", {}),
        ("xi -> 0+ (lambda_0 = xi/4)", "xi", 0, "+", {"lambda_0": xi / 4}),
        ("lambda_0 -> 0+", "lambda_0", 0, "+", {}),
        ("delta -> 0+", "delta", 0, "+", {}),
    ]
    if ch["p"] is None:
        ds.append(("p -> oo (n = K = d = p)", "p", sp.oo, "-", {"n": p, "K": p, "d": p}))
    if ch["tau"] is None:
        ds.append(("tau -> oo", "tau", sp.oo, "-", {}))
    return ds


def _at(expr, base, var, ties):
    subs = {}
    for name, v in base.items():
        if name == var or name in ties:
            continue
        subs[_SYM[name]] = sp.sympify(v)
    e = expr.xreplace({_SYM[k]: v for k, v in ties.items()})
    return e.xreplace(subs)


@functools.cache
def ratio_limit(item, term_index, base_key, direction_label, printed_index=None):
    """Limit of (substituted B_1 term) / (printed O-terms, or one of them) along a direction.

    ``base_key`` is a tuple of sorted (name, value-string) pairs. Returns the sympy limit (``oo``,
    a number, or ``nan`` when sympy cannot decide).
    """
    base = {k: sp.Rational(v) for k, v in base_key}
    lab = {dd[0]: dd for dd in directions(item)}[direction_label]
    _, var, point, side, ties = lab
    term = substituted_terms(item)[term_index]
    pr = printed_terms(item)
    den = sp.Add(*pr) if printed_index is None else pr[printed_index]
    if var == "p":
        # (1 - xi)^p -> 0 exponentially fast (xi in (0, 1) fixed), faster than any polynomial factor in p:
        # replace it by 0 before the (then polynomial) limit; keeps sympy's Gruntz algorithm fast.
        term, den = term.xreplace({_Q: 0}), den.xreplace({_Q: 0})
    num = _at(term, base, var, ties)
    den_v = _at(den, base, var, ties)
    if num == 0:
        return sp.Integer(0)
    r = num / den_v
    try:
        return sp.limit(r, _SYM[var], point, side)
    except (NotImplementedError, ValueError):  # sympy could not decide
        return sp.nan


def base_key(base):
    return tuple(sorted((k, str(sp.Rational(v))) for k, v in base.items()))


def effective_key(base, direction):
    """The base point without the direction's variable and tied symbols (so duplicates share a cache)."""
    _, var, _, _, ties = direction
    return base_key({k: v for k, v in base.items() if k != var and k not in ties})


def compare_orders(item):
    """Term-by-term order comparison of B_1 (after substitution) with the printed error of a corollary.

    Returns a list of dicts, one per B_1 term: ``{"term": i, "substituted": str, "vanishes": bool,
    "matched": bool, "witness": None | {"base": ..., "direction": ..., "limit": ...},
    "bounded_by_printed": [indices of printed terms that bound it alone]}``.
    """
    out = []
    subs_terms = substituted_terms(item)
    pr = printed_terms(item)
    for i, term in enumerate(subs_terms):
        rec = {"term": i + 1, "printed_B1_term": str(cst.B1_TERMS[i]), "substituted": str(term),
               "vanishes": term == 0, "matched": True, "witness": None, "limits": {}}
        if term != 0:
            for b in bases(item):
                for dd in directions(item):
                    lim = ratio_limit(item, i, effective_key(b, dd), dd[0])
                    rec["limits"][f"{_fmt_base(b)} | {dd[0]}"] = str(lim)
                    if lim is sp.oo or lim is sp.zoo or lim is sp.nan or (lim.is_finite is False):
                        if rec["matched"]:
                            rec["witness"] = {"base": {k: str(v) for k, v in b.items()}, "direction": dd[0],
                                              "limit": str(lim)}
                        rec["matched"] = False
            rec["bounded_by_printed"] = [
                j + 1 for j in range(len(pr))
                if all(_finite(ratio_limit(item, i, effective_key(b, dd), dd[0], j))
                       for b in bases(item) for dd in directions(item))]
        out.append(rec)
    return out


def _finite(lim):
    return not (lim is sp.oo or lim is sp.zoo or lim is sp.nan or lim is sp.S.NegativeInfinity
                or lim.is_finite is False)


def _fmt_base(b):
    return ", ".join(f"{k}={v}" for k, v in sorted(b.items()) if k in ("p", "tau"))


def sequence_values(item, term_index, base, direction_label, steps=(1, 2, 4, 8)):
    """Exact ratios term/printed along the direction at a few points (the variable scaled up or moved
    towards the limit point), as strings; the human-readable part of a witness."""
    lab = {dd[0]: dd for dd in directions(item)}[direction_label]
    _, var, point, side, ties = lab
    term = substituted_terms(item)[term_index]
    den = sp.Add(*printed_terms(item))
    out = []
    for s in steps:
        if point is sp.oo:
            v = sp.Integer(64) * 4**s if var == "n" else sp.Integer(2) ** (2 * s)
        elif point == 0:
            v = sp.Rational(1, 2**(2 * s + 1))
        else:
            v = 1 - sp.Rational(1, 2**(2 * s + 1))
        num = _at(term, base, var, ties).xreplace({_SYM[var]: v})
        dv = _at(den, base, var, ties).xreplace({_SYM[var]: v})
        out.append({var: str(v), "ratio": str(sp.nsimplify(num / dv)) if dv != 0 else "inf",
                    "ratio_float": float(num / dv) if dv != 0 else float("inf")})
    return out


# --------------------------------------------------------------------------------------------------
# Admissibility of the corollaries' choices under Theorem 3's hypotheses

def width_ratios(item):
    """(6)'s three terms (with kappa^2 = 1/n, the corollary's eta, and m in B_1) divided by the
    corollary's width (c_m = 1 on both sides): admissible with equal constants where every ratio <= 1."""
    ch = CHOICES[item]
    m_cor = ch["m"].xreplace({c_m: 1})
    out = []
    for i, w in enumerate(cst.W6_TERMS):
        e = substitute(w, item).xreplace({c_m: 1})
        e = e.xreplace({p: ch["p"]} if ch["p"] is not None else {})
        mc = m_cor.xreplace({p: ch["p"]} if ch["p"] is not None else {})
        out.append((i + 1, sp.simplify(e / mc)))
    return out


def eta_ratio(item):
    """Corollary's eta (c_eta = 1) / Theorem 3's eta order lambda_0/(max{n,p} n tau) (c_eta = 1),
    WITHOUT the p <= n simplification: ratio max{n,p}/n (for T-6 with p > n, unbounded in p)."""
    ch = CHOICES[item]
    thm = lambda_0 / (sp.Max(n, p) * n * tau)
    cor = ch["eta"].xreplace({c_eta: 1})
    fix = {}
    if ch["tau"] is not None:
        fix[tau] = ch["tau"]
    if ch["p"] is not None:
        fix[p] = ch["p"]
    return sp.simplify((cor / thm).xreplace(fix))

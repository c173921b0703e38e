"""Exact symbolic evaluators shared by the statement checks (T-4(a)-(c), T-5..T-8, T-9(i), (j)) and the
constants checks (C-1..C-22).

Every relation the paper asserts between printed forms is evaluated exactly (sympy Rationals; sqrt/exp
at 60 digits) at admissible values, or as a limit along a parameter direction for O()-statements. A
relation that fails yields a ``violated`` Outcome whose counterexample names one of the module-level
``replay_*`` evaluators below; ``evaluator(**args)`` recomputes the same verdict and values.
Evidence shows the printed forms' log10 magnitudes on grids, so vacuity is visible.
"""

from __future__ import annotations

import math
from fractions import Fraction

import sympy as sp

from maskverify.properties.framework import verdicts as V
from maskverify.theory import constants as cst
from maskverify.theory import symbols as S

_PREC = 60   # digits for non-rational exact comparisons


def _rat(v):
    if not isinstance(v, (str, int, float, Fraction, sp.Rational)):  # sp.Rational(list) would sympify strings
        raise TypeError(f"not a rational number: {v!r}")
    return sp.Rational(str(v)) if isinstance(v, str) else sp.Rational(v)


def _subs(expr, values):
    return expr.xreplace({S.ALL[k]: _rat(v) for k, v in values.items() if k in S.ALL})


def _cmp(lhs, rhs, relation):
    """Exact-as-possible comparison: True/False, or None when the two sides agree to 1e-45 (undecided)."""
    diff = lhs - rhs
    if diff.is_Rational:
        dv = diff
        tiny = 0
    else:
        dv = sp.N(diff, _PREC)
        scale = max(abs(sp.N(lhs, _PREC)), abs(sp.N(rhs, _PREC)), sp.Float(1e-300))
        tiny = scale * sp.Float(1e-45)
        if abs(dv) <= tiny:
            return None
    if relation == "<=":
        return bool(dv <= 0)
    if relation == ">=":
        return bool(dv >= 0)
    if relation == "==":
        return bool(dv == 0)   # non-rational: |dv| > tiny here, so unequal
    raise ValueError(relation)


def _num(x):
    """A sympy value as a JSON-friendly string (exact for rationals) or float."""
    x = sp.sympify(x)
    if x.is_Rational:
        return str(x)
    if x is sp.oo or x is sp.zoo:
        return "inf"
    try:
        return float(sp.N(x, 20))
    except TypeError:
        return str(x)


def _log10(x):
    try:
        v = abs(float(sp.N(x, 30)))
    except TypeError:
        return None
    if v == 0:
        return "-inf"
    if not math.isfinite(v):
        return "inf"
    return round(math.log10(v), 4)


# Named expressions a witness can refer to (besides "C-x/<form>" of theory.constants).
def _named_exprs():
    th = cst.theta
    two_sum = 2 * cst.L13_extra + 2 * cst.L16_extra + cst.L17_extra
    return {
        "C-18/lemma bounds via T-4(g)": two_sum,
        "C-18/alpha B_1": cst.alpha_T4 * cst.B1,
        "C-18/assembled p.26": sp.Add(*cst.ASSEMBLED_TERMS_P26),
        "C-22/MGF minus Lemma 29 bound": cst.C22.form("exact MGF (derived)").expr - cst.C22.form("Lemma 29 bound").expr,
        "T-9(i)/printed sum (exponent k)": S.eta * th * S.tau * S.k * (1 - S.eta * th * S.tau * S.lambda_0) ** S.k,
        "T-9(i)/geometric sum (exponent k')": (1 - (1 - S.eta * th * S.tau * S.lambda_0) ** S.k) / S.lambda_0,
        "T-8/width ratio p.45 over p.9": cst.C15.form("p.45").expr / cst.C15.form("main").expr,
        "C-13/Lemma 19 width over (6) term 1": (cst.C13.form("m_1").expr / S.xi**2) / cst.W6_TERMS[0],
        "C-12/explicit width over proof-end form": _c12_needed_b() / cst.C12.form("proof end").expr,
        "T-6/claim ratio at p = nK": ((th - S.xi**2) / S.p) / ((1 - S.xi) ** 2 / (S.n * S.K)),
    }


def _c12_needed_b():
    """Width from T-2(b)'s per-(k',l) probability after the union bound over K p (half of delta):
    2 K p n^2 exp(-m lambda_0^2/(8 n^2)) <= delta/2."""
    n, lam, K, p, delta = S.n, S.lambda_0, S.K, S.p, S.delta
    return 8 * n**2 * sp.log(4 * K * p * n**2 / delta) / lam**2


def _expr(ref):
    if ref in _named_exprs():
        return _named_exprs()[ref]
    item_id, form = ref.split("/", 1)
    return cst.get(item_id).form(form).expr


@V.evaluator
def replay_relation(item_id, lhs, rhs, relation, values):
    """Recompute ``lhs <relation> rhs`` exactly at ``values`` (names -> "p/q" strings or numbers).

    ``lhs``/``rhs``: "C-x/<form name>" of theory.constants or a named expression of this module.
    """
    L = _subs(_expr(lhs), values)
    Rr = _subs(_expr(rhs), values)
    ok = _cmp(L, Rr, relation)
    vals = {"lhs": _num(L), "rhs": _num(Rr), "relation": relation, "log10_lhs": _log10(L), "log10_rhs": _log10(Rr)}
    args = {"item_id": item_id, "lhs": lhs, "rhs": rhs, "relation": relation, "values": values}
    w = V.counterexample(item_id, replay_relation, args, vals)
    return V.from_cases([(ok, None if ok is None else (0.0 if ok else -1.0), w)], method="exact relation",
                        covered=f"{lhs} {relation} {rhs} at {values}", evidence=vals)


@V.evaluator
def replay_limit(item_id, ref, var, point, side, values):
    """Limit of the named expression as ``var -> point`` (others at ``values``): the claim is that it
    stays bounded; an infinite limit is the violation."""
    e = _subs(_expr(ref), {k: v for k, v in values.items() if k != var})
    pt = sp.oo if point == "oo" else _rat(point)
    lim = sp.limit(e, S.ALL[var], pt, side)
    ok = bool(lim.is_finite) if lim is not sp.nan else None
    vals = {"limit": str(lim), "expression": str(sp.simplify(e))}
    args = {"item_id": item_id, "ref": ref, "var": var, "point": point, "side": side, "values": values}
    w = V.counterexample(item_id, replay_limit, args, vals)
    return V.from_cases([(ok, 0.0 if ok else -1.0, w)], method="sympy limit", covered=f"{ref}, {var} -> {point}",
                        evidence=vals)


def _eta_L17(lam, n, p, tau):
    """C-9 Lemma 17 explicit step size (p.38) as an exact Fraction."""
    v = _subs(cst.C9.form("Lemma 17").expr, {"lambda_0": str(lam), "n": n, "p": p, "tau": tau})
    return Fraction(int(v.p), int(v.q))


def _ns(ctx):
    """Perfect squares (kappa = n^{-1/2} stays rational); more in deeper profiles."""
    k = 3 if ctx.profile.max_examples <= 25 else (4 if ctx.profile.max_examples <= 100 else 6)
    return [4**j for j in range(1, k + 1)]           # 4, 16, 64 (, 256, ...)


def _xis(ctx):
    step = 4 if ctx.profile.max_examples <= 25 else 8
    return [Fraction(j, step) for j in range(1, step + 1)]


def _relation_cases(item_id, lhs, rhs, relation, points):
    cases, table = [], []
    for vals in points:
        o = replay_relation(item_id, lhs, rhs, relation, vals)
        ok = {V.HOLDS: True, V.VIOLATED: False}.get(o.verdict)
        cases.append((ok, o.evidence.get("min_margin"), o.counterexample
                      or V.counterexample(item_id, replay_relation, {"item_id": item_id, "lhs": lhs, "rhs": rhs,
                                                                     "relation": relation, "values": vals}, {})))
        table.append({"values": vals, "log10_lhs": o.evidence["log10_lhs"], "log10_rhs": o.evidence["log10_rhs"],
                      "holds": ok})
    return cases, table


def _const_regime(item_id, conditions=None, form=None):
    c = conditions or {}
    return {"form": form or f"{item_id}: printed forms ({cst.get(item_id).page})",
            "constant_profile": {"hidden constants": "explicit printed values; O()-forms with constant 1"},
            "conditions": c, "inside": all(c.values()) if c else True}


def _rel_check(item_id, pairs, pts, *, method, evidence=None, regime=None):
    """Check a list of (lhs, rhs, relation) over points; one from_cases over all."""
    cases, tables = [], {}
    for lhs, rhs, rel in pairs:
        cs, tb = _relation_cases(item_id, lhs, rhs, rel, pts)
        cases += cs
        tables[f"{lhs} {rel} {rhs}"] = tb
    return V.from_cases(cases, method=method, covered=f"{len(pts)} exact points x {len(pairs)} relations",
                        evidence={"relations": tables, **(evidence or {})},
                        regime=regime or _const_regime(item_id))


def _t4_point(n, xi, p, tau, K=2, d=2, delta=Fraction(1, 10), C=2):
    kappa = Fraction(1, int(math.isqrt(n)))
    lam = Fraction(xi) / 4
    eta = _eta_L17(lam, n, p, tau)               # C-9 Lemma 17 (explicit, p.38)
    return dict(n=n, d=d, p=p, xi=Fraction(xi), tau=tau, eta=eta, kappa=kappa, K=K, delta=delta, lambda_0=lam, C=C)


@V.evaluator
def replay_width_T8_outcome(values, item_id="C-15"):
    """T-8 / C-15: limit as n -> oo of (p.45 width)/(p.9 width) with kappa = n^{-1/2} and d = n (unless ``values``
    fixes d; d = n keeps a lambda_0 bounded away from 0 realizable as n grows) at ``values``."""
    e = _subs(_named_exprs()["T-8/width ratio p.45 over p.9"], values).xreplace({S.kappa: 1 / sp.sqrt(S.n), S.d: S.n})
    lim = sp.limit(e, S.n, sp.oo)
    ok = bool(lim.is_finite)
    vals = {"limit": str(lim), "ratio_at_n=16": _num(e.xreplace({S.n: 16})), "ratio_at_n=256": _num(e.xreplace({S.n: 256}))}
    w = V.counterexample(item_id, replay_width_T8_outcome, {"values": values, "item_id": item_id}, vals)
    return V.from_cases([(ok, 0.0 if ok else -1.0, w)], method="sympy limit", covered="n -> oo", evidence=vals)


def lemma19_radius():
    """L-19 · Lemma 19's last step (p.40-41), exactly: the largest c such that R <= c kappa lambda_0/n turns the
    p.40 line into the printed conclusion, with |S_i^perp| <= 4 m R/kappa (N-7 / Lemma 24).

    Each p.40 coefficient of |S_i^perp| (times 4 m R/kappa) must be <= the matching printed coefficient of the
    conclusion (p.40, statement): per term the constraint is c <= printed / (coefficient * 4 m lambda_0/n).
    Returns ``(c_star, per_term)``: c_star = min over the four terms (a sympy expression; free of xi iff the
    xi of p.41's 'R <= xi kappa lambda_0/(144n)' is not needed)."""
    eta, tau, n, m, th, xi, kap, lam, p, C1 = (S.eta, S.tau, S.n, S.m, cst.theta, S.xi, S.kappa, S.lambda_0, S.p,
                                               sp.Symbol("C_1", positive=True))
    terms = {   # (p.40 coefficient of |S_i^perp|, printed coefficient of the conclusion), same factor dropped
        "||y - u_k||^2, the '1' of (1 + (tau-1)p)": (2 * eta**2 * tau * n * th / m, eta**2 * th * tau * lam / 18),
        "kappa^2 (theta - xi^2) term": (8 * eta**2 * th * (th - xi**2) * tau * n**2 * kap**2 / (p * m),
                                        4 * eta**2 * lam * th * (th - xi**2) * tau * n * kap**2 / (9 * p)),
        "||y - u_k||^2, the (tau-1)p of (1 + (tau-1)p)": (2 * eta**2 * th * tau * (tau - 1) * n * p / m,
                                                          eta**2 * th * tau * lam * (tau - 1) * p / 18),
        "C_1 term": (2 * eta**2 * tau * (tau - 1) * n * p * C1 / m, eta**2 * tau * (tau - 1) * lam * p * C1 / 18),
    }
    per = {k: sp.simplify(pr / (co * 4 * m * lam / n)) for k, (co, pr) in terms.items()}
    return sp.Min(*per.values()), {k: str(v) for k, v in per.items()}

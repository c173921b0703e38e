"""T-5, T-6, T-7 · Corollaries 4-6 (p.8-9): dropout, multi-sample dropout and multi-worker IST with
Bernoulli masks, as special cases of Theorem 3.

Each corollary substitutes its special case (p = 1 and xi; p subnetworks sharing xi; xi = 1/p) into B_1 and the
width (6) of Theorem 3 and compares the result with the printed O()-terms and widths, exactly in sympy
(relations at admissible values, limits along a parameter for O()-statements). Shared evaluators:
:mod:`maskverify.properties.checks.shared.symbolic`.
"""

from __future__ import annotations

import math
from fractions import Fraction

import sympy as sp

from maskverify.properties.checks.shared import envelopes as EN
from maskverify.properties.checks.shared.symbolic import _rat, _xis, replay_limit
from maskverify.properties.framework import verdicts as V
from maskverify.properties.framework.registry import item
from maskverify.theory import bounds as bd
from maskverify.theory import constants as cst
from maskverify.theory import corollaries as co
from maskverify.theory import regime as rg
from maskverify.theory import symbols as S


@V.evaluator
def replay_corollary_term(item_id, term, base, direction):
    """T-5..T-7: is B_1 term ``term`` (1-based, after the corollary's substitutions) O(printed error)
    along ``direction`` from ``base``? Infinite limit of term/printed = violated."""
    b = {k: _rat(v) for k, v in base.items()}
    dd = {x[0]: x for x in co.directions(item_id)}[direction]
    lim = co.ratio_limit(item_id, term - 1, co.effective_key(b, dd), direction)
    ok = co._finite(lim)
    seq = co.sequence_values(item_id, term - 1, b, direction)
    vals = {"limit": str(lim), "substituted_term": str(co.substituted_terms(item_id)[term - 1]),
            "printed_error": str(sp.Add(*co.printed_terms(item_id))), "sequence": seq}
    args = {"item_id": item_id, "term": term, "base": base, "direction": direction}
    w = V.counterexample(item_id, replay_corollary_term, args, vals)
    return V.from_cases([(ok, 0.0 if ok else -1.0, w)], method="sympy limit of term/printed error",
                        covered=f"term {term}, {direction}", evidence=vals)


def _corollary_outcome(item_id):
    res = co.compare_orders(item_id)
    cases = []
    for r in res:
        if r["vanishes"]:
            cases.append((True, 0.0, None))
            continue
        w = None
        if not r["matched"]:
            wi = r["witness"]
            w = replay_corollary_term(item_id, r["term"], wi["base"], wi["direction"]).counterexample
        cases.append((r["matched"], 0.0 if r["matched"] else -1.0, w))
    orders = V.from_cases(cases, method="term-by-term order comparison (sympy limits)",
                          covered="directions " + "; ".join(d[0] for d in co.directions(item_id))
                          + " from base points with p, tau in {1, 2} where free")
    # Admissibility: (6)'s terms / corollary width (c_m = 1 on both sides), maxima over a grid; eta ratio.
    adm_cases, adm = [], {}
    wr = co.width_ratios(item_id)
    for i, ratio in wr:
        fn = sp.lambdify([S.n, S.d, S.K, S.p, S.tau, S.xi, S.lambda_0, S.delta, S.c_eta], ratio, "numpy")
        worst = 0.0
        for n in (4, 16, 64, 256):
            for xi in (0.1, 0.5, 0.9):
                for pp in (1, 2, n):
                    for tau in (1, 2, 8):
                        for KK in (1, n):
                            val = float(fn(n, n, KK, pp, tau, xi, xi / 2, 0.01, 1.0))
                            worst = max(worst, val)
        adm[f"(6) term {i} / corollary width (max over grid)"] = worst
        adm_cases.append((worst <= 1.0 + 1e-12, 1.0 - worst, None))
    derived = []
    ch = co.CHOICES[item_id]
    for n in (16, 64):
        pp = ch["p"] if ch["p"] is not None else 2
        tt = ch["tau"] if ch["tau"] is not None else 2
        vals = {S.n: n, S.xi: sp.Rational(1, 2), S.K: 2, S.delta: sp.Rational(1, 10), S.lambda_0: sp.Rational(1, 8),
                S.p: pp, S.tau: tt, S.c_eta: sp.Rational(1, 48), S.c_m: 1}
        eta_v, m_v = float(ch["eta"].xreplace(vals)), float(ch["m"].xreplace(vals))
        req = bd.m_required_T4(n, 2, pp, 0.5, tt, eta_v, n**-0.5, 2, 0.1, 0.125, C=2.0, form="derived")
        derived.append({"n": n, "p": pp, "tau": tt, "log10_corollary_m": round(math.log10(m_v), 3),
                        "log10_C13_derived_m": round(math.log10(req), 3)})
    adm["C-13 derived width vs corollary width (c_m = 1, c_eta = 1/48, xi = 1/2, lambda_0 = 1/8, K = 2, "
        "delta = 1/10, C = 2; the Theta constant needed)"] = derived
    eta_r = co.eta_ratio(item_id)
    adm["corollary eta / Theorem 3 eta order"] = str(eta_r)
    adm_cases.append((bool(sp.simplify(eta_r.xreplace({S.p: S.n})) == 1), 0.0, None))
    admissible = V.from_cases(adm_cases, method="width and step-size ratios (c_m = c_eta = 1)",
                              covered="n in {4..256}, xi in {.1,.5,.9}, p in {1,2,n}, tau in {1,2,8}, K in {1,n}, "
                                      "lambda_0 = xi/2, delta = 1/100, d = n; p <= n for eta")
    ev = {"terms": [{k: r.get(k) for k in ("term", "printed_B1_term", "substituted", "vanishes", "matched",
                                           "bounded_by_printed", "witness")} for r in res],
          "printed_error": [str(t_) for t_ in co.printed_terms(item_id)],
          "choices": {k: str(v) for k, v in co.CHOICES[item_id].items()}, "admissibility": adm,
          "eta_note": "with p > n (the corollary statement lists only max{K,d} <= n) the ratio max{n,p}/n is "
                      "unbounded; the text p.8 assumes p <= n" if item_id == "T-6" else ""}
    return orders, admissible, ev


def _cor_regime(item_id):
    ch = co.CHOICES[item_id]
    n, xi, K, d, delta = 16, 0.5, 2, 2, 0.1
    p = ch["p"] if ch["p"] is not None else 2
    tau = ch["tau"] if ch["tau"] is not None else 2
    lam = xi / 4
    vals = {S.n: n, S.xi: xi, S.K: K, S.delta: delta, S.lambda_0: lam, S.p: p, S.tau: tau, S.c_eta: 1, S.c_m: 1}
    eta = float(ch["eta"].xreplace(vals))
    m = float(ch["m"].xreplace(vals))
    r = rg.regime_T4(n, d, m, p, xi, tau, eta, n**-0.5, K, delta, lam, C=2)
    r["form"] = f"{item_id}: corollary choices (c_m = c_eta = 1) put into Theorem 3 (6), p.8; n = 16"
    return r


def _claims_T5():
    th_rate = 1 - sp.Rational(1, 4) * S.eta * S.xi * S.lambda_0
    sub = co.substituted_terms("T-5")
    B1s = sp.Add(*sub)
    claims = {
        "xi -> 0: rate -> 1": sp.limit(th_rate, S.xi, 0, "+") == 1,
        "xi -> 0: printed error O(1 - xi) -> constant 1": sp.limit(1 - S.xi, S.xi, 0, "+") == 1,
        "xi -> 1: rate -> 1 - eta lambda_0/4 = 1 - O(eta lambda_0)": sp.limit(th_rate, S.xi, 1, "-") == 1 - S.eta * S.lambda_0 / 4,
        "xi -> 1: error -> 0 (printed and substituted B_1)": sp.limit(1 - S.xi, S.xi, 1, "-") == 0
        and sp.limit(B1s, S.xi, 1, "-") == 0,
    }
    info = {"substituted B_1 as xi -> 0": str(sp.limit(B1s, S.xi, 0, "+"))}
    return claims, info


def _claims_T6(ctx):
    th = cst.theta
    claims, info = {}, {}
    ok = True
    for xi in _xis(ctx)[:-1]:
        for p in range(1, 12):
            t1 = 1 - (1 - xi) ** p
            t2 = 1 - (1 - xi) ** (p + 1)
            ok &= t2 > t1
    claims["theta increases in p (xi in (0,1))"] = ok
    # printed error non-increasing in p at fixed xi (exact), strict for p >= 2
    ok, ties = True, 0
    for xi in _xis(ctx)[:-1]:
        for n in (4, 16):
            for KK in (1, 2):
                for p in range(1, n):
                    e = [(1 - xi) ** 2 / Fraction(n * KK) + (1 - (1 - xi) ** q - xi**2) / q for q in (p, p + 1)]
                    ok &= e[1] <= e[0]
                    ties += e[1] == e[0]
    claims["printed error non-increasing in p at fixed xi"] = ok
    info["exact ties (p = 1 -> 2)"] = ties
    # "after p ~ nK the error is dominated by (1-xi)^2/(nK)": ratio of the other term at p = nK
    r = ((th - S.xi**2) / S.p) / ((1 - S.xi) ** 2 / (S.n * S.K))
    lim = sp.limit(r.xreplace({S.n: 4, S.K: 1, S.p: 4}), S.xi, 1, "-")
    info["ratio (theta - xi^2)/p over (1-xi)^2/(nK) at p = nK = 4, xi = 1/2"] = str(
        r.xreplace({S.n: 4, S.K: 1, S.p: 4, S.xi: sp.Rational(1, 2)}))
    info["same ratio, xi -> 1"] = str(lim)
    info["reading"] = ("at p = nK the ratio is n K (theta - xi^2)/(p (1-xi)^2) ~ 2/(1-xi): for a FIXED xi both terms are "
                       "Theta(1/(nK)) (an O-reading with xi constant would hold), but the corollary's O-term displays "
                       "its xi-dependence and the ratio diverges as the dropout rate 1 - xi -> 0 (a growth-order gap in "
                       "1 - xi, not a constant): (theta - xi^2)/p is first order in 1 - xi, (1-xi)^2/(nK) second order, "
                       "so the claimed domination needs p >~ nK/(1-xi)")
    claims["p >= nK: error dominated by (1-xi)^2/(nK) uniformly in xi"] = bool(lim.is_finite)
    w = None
    if not lim.is_finite:
        w = replay_limit("T-6", "T-6/claim ratio at p = nK", "xi", "1", "-", {"n": 4, "K": 1, "p": 4}).counterexample
    return claims, info, w


def _claims_T7(ctx):
    ok = True
    for xi in _xis(ctx)[:-1]:
        for tau in (2, 3, 8):
            for p in range(1, 12):
                f = [(tau - 1) ** 2 * (1 - (1 - xi) ** q) ** 2 * (1 - xi) / tau**2 for q in (p, p + 1)]
                ok &= f[1] > f[0]
    return {"(tau-1)^2 theta^2 (1-xi)/tau^2 increases with p (tau > 1, xi < 1)": ok}, {}


def _corollary_check(item_id, ctx):
    orders, admissible, ev = _corollary_outcome(item_id)
    w = None
    if item_id == "T-5":
        claims, info = _claims_T5()
    elif item_id == "T-6":
        claims, info, w = _claims_T6(ctx)
    else:
        claims, info = _claims_T7(ctx)
    claim_cases = [(bool(v), 0.0 if v else -1.0, w) for v in claims.values()]
    text = V.from_cases(claim_cases, method="text claims on the printed forms (exact / limits)",
                        covered=f"{len(claims)} claims")
    out = V.combine([orders, admissible, text], method=f"{item_id}: orders + admissibility + text claims")
    out.evidence.update({"orders_verdict": orders.verdict, "admissibility_verdict": admissible.verdict,
                         "text_claims_verdict": text.verdict, "text_claims": {k: bool(v) for k, v in claims.items()},
                         "text_claims_info": info, **ev})
    out.regime = _cor_regime(item_id)
    if item_id == "T-7" and orders.verdict == V.VIOLATED:
        # (theta - xi)/p, printed p.9, vs (theta - xi^2)/p, the form of B_1 and of Corollary 5 (T-6).
        corr = _orders_against(item_id, res_terms=[int(r["term"]) for r in ev["terms"] if not r["matched"]],
                               printed=co.printed_terms(item_id)[:1] + ((cst.theta - S.xi**2) / S.p,)
                               + co.printed_terms(item_id)[2:])
        return V.classify(out, V.TYPO, "none: with (theta - xi^2)/p every B_1 term is O(printed error)",
                          corrected_form=V.corrected("(1-xi)^2/(nK) + (theta - xi^2)/p + (tau-1)^2 theta^2 "
                                                     "(1-xi)/tau^2 (p.9 with xi^2 for xi)", corr))
    if item_id != "T-6" or orders.verdict == V.VIOLATED:
        return out                                   # any other failure stays unclassified until looked at
    return V.classify(out, V.STATEMENT, "none: the corollary's error bound is O-consistent; the remark 'after "
                      "p ~ nK the error is dominated by (1-xi)^2/(nK)' fails uniformly in xi (needs p >~ nK/(1-xi))")


def _orders_against(item_id, res_terms, printed):
    """The B_1 terms ``res_terms`` (1-based, after substitution) against a corrected printed error: the limit of
    term / sum(printed) along every direction from every base point (as :func:`co.compare_orders`)."""
    den = sp.Add(*printed)
    cases, lims = [], {}
    for i in res_terms:
        term = co.substituted_terms(item_id)[i - 1]
        for b in co.bases(item_id):
            for dd in co.directions(item_id):
                _, var, point, side, ties = dd
                num, dv = term, den
                if var == "p":
                    num, dv = num.xreplace({co._Q: 0}), dv.xreplace({co._Q: 0})
                num = co._at(num, {k: sp.Rational(v) for k, v in b.items()}, var, ties)
                dv = co._at(dv, {k: sp.Rational(v) for k, v in b.items()}, var, ties)
                lim = sp.Integer(0) if num == 0 else sp.limit(num / dv, co._SYM[var], point, side)
                lims[f"term {i} | {co._fmt_base(b)} | {dd[0]}"] = str(lim)
                cases.append((co._finite(lim), 0.0, None))
    return V.from_cases(cases, method="sympy limits of term / corrected printed error",
                        covered=f"terms {res_terms}, all bases and directions", evidence={"limits": lims})


def _with_envelope(ctx, item_id, symbolic):
    """Issue 8: the corollary's conclusion on runs of its special case decides (the envelope); the symbolic
    re-derivation can only make it worse."""
    env = EN.envelope_check(ctx, item_id)
    return EN.with_envelope(env, symbolic, other_name="symbolic_re_derivation")


@item("T-5", title="Corollary 4 (dropout) re-derived from Theorem 3", source="Corollary 4, p.8", kind="corollary")
def check_T5_corollary(ctx):
    """T-5: tau = p = 1, kappa^2 = 1/n, eta = c_eta lambda_0/n^2, m = c_m n^5 K/(xi^2 lambda_0^4 delta) into B_1;
    each term O(1 - xi)?; admissibility under (6); text claims (xi -> 0, xi -> 1)."""
    return _with_envelope(ctx, "T-5", _corollary_check("T-5", ctx))


@item("T-6", title="Corollary 5 (multi-sample dropout) re-derived from Theorem 3", source="Corollary 5, p.9",
      kind="corollary")
def check_T6_corollary(ctx):
    """T-6: tau = 1, kappa^2 = 1/n, eta = c_eta lambda_0/n^2, m = c_m n^5 K/(xi theta lambda_0^4 delta) into B_1;
    each term O((1-xi)^2/(nK) + (theta - xi^2)/p)?; admissibility; text claims (theta increases in p; error
    decreases in p; after p ~ nK dominated by (1-xi)^2/(nK))."""
    return _with_envelope(ctx, "T-6", _corollary_check("T-6", ctx))


@item("T-7", title="Corollary 6 (multi-worker IST) re-derived from Theorem 3", source="Corollary 6, p.9",
      kind="corollary")
def check_T7_corollary(ctx):
    """T-7: kappa^2 = 1/n, eta = c_eta lambda_0/(n tau max{n,p}), m = c_m n^5 K/(xi theta lambda_0^4 delta) into
    B_1; each term O((1-xi)^2/(nK) + (theta - xi)/p + (tau-1)^2 theta^2 (1-xi)/tau^2)?; admissibility; the
    (tau-1)^2 theta^2 (1-xi)/tau^2 term increases with p."""
    return _with_envelope(ctx, "T-7", _corollary_check("T-7", ctx))

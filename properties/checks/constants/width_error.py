"""C-12..C-22 · Explicit constants (SPEC section 4): widths m (C-12..C-15), error terms and rates
(C-16..C-20), success probabilities (C-21) and sub-exponential parameters (C-22).

Each check evaluates the printed forms of ``maskverify.theory.constants`` exactly (sympy Rationals; sqrt/exp at
60 digits) on grids of admissible values and reports their log10 magnitudes, so vacuity is visible. A relation
that fails yields ``violated`` with a counterexample replayed by the module-level evaluators of
``maskverify.properties.checks.shared.symbolic`` (``replay_relation``, ``replay_limit``, ``replay_C12``, ``replay_C22``,
``replay_width_T8_outcome``).
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import sympy as sp

from maskverify.properties.checks.shared.constants_grid import _with_forms_grid
from maskverify.properties.checks.shared.symbolic import (
    _cmp,
    _const_regime,
    _eta_L17,
    _expr,
    _ns,
    _rat,
    _rel_check,
    _subs,
    _t4_point,
    lemma19_radius,
    replay_limit,
    replay_relation,
    replay_width_T8_outcome,
)
from maskverify.properties.framework import verdicts as V
from maskverify.properties.framework.registry import item
from maskverify.theory import bounds as bd
from maskverify.theory import constants as cst
from maskverify.theory import symbols as S


@item("C-12", title="Theorem 2 width: main 1/lambda_0^2 vs proof-end 1/lambda_0 vs explicit probabilities",
      source="p.7, p.19-20", kind="constant")
@_with_forms_grid
def check_C12(ctx):
    """C-12: (i) main/proof-end = 1/lambda_0 (main larger when lambda_0 < 1); (ii) each printed form, with a fixed
    constant c_m, makes the explicit union-bound failure K p (2n^2 e^{-m lambda_0^2/(8n^2)} + n^2 e^{-m xi lambda_0/(12n)})
    <= delta for all small lambda_0? Tested with c_m = 100 for the proof-end form ("gives the desired result", p.20)."""
    ratio = sp.simplify(cst.C12.form("main").expr / cst.C12.form("proof end").expr)
    cases = [(bool(sp.simplify(ratio - 1 / S.lambda_0) == 0), 0.0, None)]
    tab = []
    for lam in ("1/4", "1/16", "1/64", "1/256"):
        o = replay_C12(100, 2, 1, 1, "1/2", 1, lam)
        cases.append((o.verdict == V.HOLDS, o.evidence["min_margin"], o.counterexample))
        mm = 100 * float(_subs(cst.C12.form("main").expr, {"n": 2, "K": 1, "p": 1, "delta": "1/2", "xi": 1, "lambda_0": lam}))
        fail_main = float(sp.N(_subs(cst.C12.form("per-(k',l) failure, sum of T-2(b) and T-2(d)").expr,
                                     {"n": 2, "xi": 1, "lambda_0": lam, "m": str(sp.Float(mm, 30))}), 20))
        tab.append({"lambda_0": lam, "failure_at_proof_end_width": o.evidence["failure_bound"],
                    "failure_at_main_width": fail_main, "delta": 0.5})
    # Corrected reading: p.20's width with its square restored, 1/lambda_0^2 (the p.7 form), same c_m = 100.
    corr = V.corrected("m = c_m n^2 log(Kpn/delta)/(xi lambda_0^2) (p.20 with the square of p.7), c_m = 100",
                       V.from_cases([V.bound_le(r["failure_at_main_width"], r["delta"]) + (None,) for r in tab],
                                    method="60-digit evaluation", covered="lambda_0 in {1/4..1/256}",
                                    evidence={"table": tab}))
    return V.classify(V.from_cases(cases, method="sympy ratio + 60-digit evaluation", covered="lambda_0 in {1/4..1/256}, n = 2, "
                        "K = p = 1, xi = 1, delta = 1/2, c_m = 100",
                        evidence={"main / proof_end": str(ratio), "table": tab,
                                  "order": "the Hoeffding part (T-2(b)) needs m >= 8 n^2 log(2Kpn^2/delta)/lambda_0^2; over "
                                           "c_m n^2 log(Kpn/delta)/(xi lambda_0) this is ~ 8 xi/(c_m lambda_0) -> oo as "
                                           "lambda_0 -> 0 for EVERY fixed c_m (c_m = 100 is one instance): a growth-order "
                                           "gap of the p.20 proof-end width, not a constant; the main-text width (p.7, "
                                           "1/lambda_0^2) is of the needed order",
                                  "T-2(e) as printed": "1 - n^2 (e^{-m xi lambda_0/(12n)} - 2 e^{-m lambda_0^2/(8n^2)}) "
                                                       "(minus sign; see T-2(e))"},
                        regime=_const_regime("C-12", {"lambda_0 <= xi/2": True})),
                      V.TYPO, "none: Theorem 2 (p.7) states the 1/lambda_0^2 width", corrected_form=corr)


@item("C-13", title="Theorem 3 width: derivation chain (6) from the base case", source="p.8, p.28", kind="constant")
@_with_forms_grid
def check_C13(ctx):
    """C-13: each step of p.28 as a relation between printed forms (sympy), the implicit (6) is solvable,
    and the width needed when R must also satisfy Lemma 19, at the radius its last step needs (computed exactly
    by ``lemma19_radius``: kappa lambda_0/(144n), no xi), vs (6). The xi printed in p.41's condition
    (R <= xi kappa lambda_0/(144n)) would cost xi^-2; it decides only if the computed radius carries xi."""
    Bs, B1s = sp.Symbol("B", positive=True), sp.Symbol("B_1", positive=True)
    f = {x.name: x.expr.xreplace({cst.B_T4: Bs}).xreplace({cst.B1: B1s}) for x in cst.C13.forms}
    th, n, K, kap, lam, dl, eta, tau = cst.theta, S.n, S.K, S.kappa, S.lambda_0, S.delta, S.eta, S.tau
    alpha = cst.alpha_T4
    steps = {}
    # step 1/2: the derived form (C-5 solved for m) splits into m_1 and m_2 (first) times absolute constants
    part1 = (2 * n * K / dl) * (288 * eta * tau * n / (kap * lam)) ** 2 * (4 * S.C * sp.sqrt(n) / (eta * th * tau * lam)) ** 2
    r1 = sp.simplify(part1 / f["m_1"])
    steps["derived first part / m_1 (constant)"] = (str(r1), bool(r1.free_symbols <= {S.C}))
    part2 = (2 * n * K / dl) * (288 * eta * tau * n / (kap * lam)) ** 2 * (K * Bs) ** 2
    r2 = sp.simplify(part2 / f["m_2 (first)"])
    steps["derived second part / m_2 (first) (constant)"] = (str(r2), bool(r2.is_number))
    # step 3: "using the requirement of eta"
    r3 = sp.simplify(f["m_2 (eta used)"] / f["m_2 (first)"])
    steps["m_2(eta used)/m_2(first) = lambda_0/(eta tau n^2) >= 1 iff eta <= lambda_0/(tau n^2)"] = (
        str(r3), bool(sp.simplify(r3 - lam / (eta * tau * n**2)) == 0))
    # step 4: "plugging in the definition of B": B^2 <= 2 B_1/alpha + 2 kappa^2 xi (1-xi) p n
    Bsq_upper = 2 * B1s / alpha + 2 * kap**2 * S.xi * (1 - S.xi) * S.p * n
    m2B = f["m_2 (eta used)"].xreplace({Bs: sp.sqrt(Bsq_upper)})
    printed = f["m_2 (B plugged in)"]
    r4 = sp.simplify((m2B / printed).xreplace({eta: lam / (tau * n**2)}))
    rng = ctx.rng("C-13 step 4")
    r4_ok = True
    for _ in range(40):   # exact random admissible points: the ratio lies in (0, 8]
        pt = {B1s: sp.Rational(int(rng.integers(1, 10**6)), int(rng.integers(1, 10**3))), n: int(rng.integers(1, 64)),
              S.p: int(rng.integers(1, 8)), S.xi: sp.Rational(int(rng.integers(1, 99)), 100),
              kap: sp.Rational(1, int(rng.integers(1, 9))), lam: sp.Rational(1, int(rng.integers(2, 64)))}
        v = r4.xreplace(pt)
        r4_ok &= bool(0 < v <= 8)
    steps["m_2 with B^2 <= 2B_1/alpha + 2kappa^2 xi(1-xi)pn over printed, at eta = lambda_0/(tau n^2): in (0, 8]"] = (
        str(r4), r4_ok)
    # step 5: combining: (6)'s terms over the m_1 and m_2 parts
    W6 = [w.xreplace({cst.B1: B1s}) for w in cst.W6_TERMS]
    r5 = [sp.simplify(W6[0] / f["m_1"]), sp.simplify(W6[1] / (n * K**3 * B1s / (th * kap**2 * lam**2 * dl))),
          sp.simplify(W6[2] / (S.xi * (1 - S.xi) * K**3 * S.p / dl))]
    steps["(6) terms / (m_1, m_2 parts) = theta/xi >= 1, 1, 1/(xi(1-xi)) >= 1"] = (
        [str(x) for x in r5], bool(sp.simplify(r5[0] - th / S.xi) == 0 and r5[1] == 1))
    cases = [(ok, 0.0, None) for _, ok in steps.values() if ok is not None]
    # Lemma 19's radius: p.41 prints R <= xi kappa lambda_0/(144n), whose width would carry 1/xi^2 more than m_1.
    # The radius Lemma 19's last step needs is computed (lemma19_radius, exact); the width at that radius (m_1
    # scaled by (kappa lambda_0/(144n) / R)^2) is compared with (6) term 1 as xi -> 0. The printed-xi form decides
    # only if the computed radius itself carries xi.
    c_star, per_term = lemma19_radius()
    ref = "C-13/Lemma 19 width over (6) term 1"
    o = replay_limit("C-13", ref, "xi", "0", "+", {"p": 1})
    if S.xi in c_star.free_symbols:
        cases.append((o.verdict == V.HOLDS, o.evidence["min_margin"], o.counterexample))
    else:
        ratio = (f["m_1"] * (1 / (144 * c_star)) ** 2 / cst.W6_TERMS[0]).xreplace({S.p: 1})
        lim19 = sp.limit(ratio, S.xi, 0, "+")
        cases.append((bool(lim19.is_finite), 0.0, None))
        o.evidence = {"printed_condition (xi kappa lambda_0/(144n))": dict(o.evidence),
                      "radius Lemma 19's last step needs (c* kappa lambda_0/n)": str(c_star), "per term": per_term,
                      "width at c* over (6) term 1, xi -> 0 (p = 1)": str(lim19),
                      "reading": "the xi of p.41's radius condition is not needed (computed), so it costs no width; "
                                 "the printed condition's slip is C-2's"}
    tab = []
    for n_ in _ns(ctx):
        v = {k: float(x) for k, x in _t4_point(n_, Fraction(1, 2), 2, 2).items()}
        args = (v["n"], v["d"], v["p"], v["xi"], v["tau"], v["eta"], v["kappa"], v["K"], v["delta"], v["lambda_0"])
        tab.append({"n": n_, "log10_m_(6)_c_m=1": round(math.log10(bd.m_required_T4(*args, C=v["C"], form="main")), 3),
                    "log10_m_C13_derived": round(math.log10(bd.m_required_T4(*args, C=v["C"], form="derived")), 3)})
    return V.from_cases(cases, method="sympy relations between printed forms + limit",
                        covered="symbolic; Lemma 19 factor as xi -> 0 (p = 1)",
                        evidence={"steps": steps, "lemma19_ratio": o.evidence, "width_table": tab,
                                  "side_conditions": "m >= p, m >= 1/xi, Lemma 23 and Lemmas 29-30 widths are below (6) "
                                                     "term 1 or 3 for kappa <= 1, lambda_0 <= 1/2, theta <= 1"},
                        regime=_const_regime("C-13", form="C-13 printed chain p.28; derived form SPEC"))


@item("C-14", title="corollary widths vs (6) term 1 at kappa = n^{-1/2}", source="p.8-9", kind="constant")
@_with_forms_grid
def check_C14(ctx):
    """C-14: with kappa^2 = 1/n, (6) term 1 equals n^5 K/(xi theta lambda_0^4 delta) (Corollaries 5-6) and, at
    p = 1 (theta = xi), n^5 K/(xi^2 lambda_0^4 delta) (Corollary 4): exact ratios."""
    t1 = cst.W6_TERMS[0].xreplace({S.kappa: 1 / sp.sqrt(S.n)})
    r56 = sp.simplify(t1 / cst.C14.form("Corollaries 5-6").expr)
    r4 = sp.simplify(t1.xreplace({S.p: 1}) / cst.C14.form("Corollary 4").expr)
    cases = [(r56 == 1, 0.0, None), (r4 == 1, 0.0, None)]
    return V.from_cases(cases, method="sympy exact ratio", covered="symbolic",
                        evidence={"(6) term1 / Cor 5-6": str(r56), "(6) term1 / Cor 4 (p = 1)": str(r4),
                                  "full admissibility": "see T-5, T-6, T-7 evidence"},
                        regime=_const_regime("C-14", {"kappa = n^{-1/2}": True}))


@item("C-15", title="Theorem 7 width: main (p.9) vs p.45", source="p.9, p.45", kind="constant")
@_with_forms_grid
def check_C15(ctx):
    """C-15: is the p.45 width O(main width)? Ratio (p.45)/(p.9) at gamma = 1/2 and kappa = n^{-1/2}
    (the text's regime, K = p = 1, d = n) as n -> oo. What the paper asserts: Theorem 7 holds at the p.9 width, and
    its proof (p.45) needs the p.45 width; a diverging ratio means the statement's width is below, in order, what the
    printed proof needs (a gap in the proof of the stated width, not a failing training run)."""
    vals = {"K": 1, "p": 1, "gamma": "1/2", "tau": 1, "lambda_0": "1/8", "delta": "1/2"}      # d = n (see replay)
    o = replay_width_T8_outcome(vals)
    tab = []
    for n in _ns(ctx):
        for kappa in (1.0, n**-0.5):
            e1 = float(_subs(cst.C15.form("main").expr, {**vals, "n": n, "d": n}))
            e2 = float(_subs(cst.C15.form("p.45").expr, {**vals, "n": n, "d": n,
                                                         "kappa": Fraction(kappa).limit_denominator(10**6)}))
            tab.append({"n": n, "kappa": kappa, "log10_main": round(math.log10(e1), 3), "log10_p45": round(math.log10(e2), 3)})
    o.evidence.update({"table": tab})
    o.regime = _const_regime("C-15", {"kappa = n^{-1/2}": True, "gamma = 1/2": True})
    return V.classify(o, V.PROOF_GAP, "Theorem 7's conclusion is proved only at the p.45 width, larger than the "
                      "stated p.9 width by a factor growing in n; T-8 is not refuted (inconclusive)", to=("T-8",))


@item("C-16", title="Theorem 7 error: main O-term vs p.44 forms", source="p.9, p.44", kind="constant")
@_with_forms_grid
def check_C16(ctx):
    """C-16: p.44 at gamma = 1/2 == 256 kappa^2 tau (p-1)^2 n^3 d/(lambda_0^2 m) (exact); p.44 first form <= second
    (x <= 1 - (1-x)^tau); p.44 / main O-term = 256 kappa^2 (bounded for kappa <= 1)."""
    half = {S.gamma: sp.Rational(1, 2)}
    c1 = sp.simplify(cst.error_T8_p44.xreplace(half) - cst.C16.form("derived gamma=1/2").expr) == 0
    c2 = sp.simplify(cst.error_T8_p44.xreplace(half) / cst.error_T8_main - 256 * S.kappa**2) == 0
    cases = [(c1, 0.0, None), (c2, 0.0, None)]
    tab = []
    for tau in (1, 2, 5):
        for x in ("1/1000", "1/4", "1"):       # x = eta lambda_0 / 2
            vals = {"tau": tau, "p": 3, "kappa": "1/2", "n": 4, "d": 2, "lambda_0": "1/8", "m": 10**6, "gamma": "1/2",
                    "eta": str(_rat(x) * 16)}
            o = replay_relation("C-16", "C-16/p.44 before the last step", "C-16/p.44", "<=", vals)
            cases.append((o.verdict == V.HOLDS, o.evidence["min_margin"], o.counterexample))
            tab.append({"tau": tau, "eta lambda_0/2": x, "log10_first": o.evidence["log10_lhs"],
                        "log10_second": o.evidence["log10_rhs"]})
    return V.from_cases(cases, method="sympy exact + exact rationals", covered="symbolic; tau in {1,2,5}",
                        evidence={"gamma=1/2 identity": bool(c1), "p.44/main == 256 kappa^2": bool(c2), "table": tab},
                        regime=_const_regime("C-16", {"kappa <= 1": True, "0 < eta lambda_0/2 <= 1": True}))


@item("C-17", title="Theorem 7 rate: main vs gamma form; alpha >= (1-gamma) eta lambda_0/2", source="p.9, p.43-44",
      kind="constant")
@_with_forms_grid
def check_C17(ctx):
    """C-17: rate at gamma = 1/2 equals the main rate; alpha = 1 - rate; alpha >= (1-gamma) eta lambda_0/2 for tau >= 1
    and 0 < eta lambda_0/2 <= 1 (exact grid); rate in (0,1) for gamma in (0,1)."""
    half = {S.gamma: sp.Rational(1, 2)}
    c1 = sp.simplify(cst.rate_T8_gamma.xreplace(half) - cst.rate_T8_main) == 0
    c2 = sp.simplify(1 - cst.rate_T8_gamma - cst.alpha_T8) == 0
    cases = [(c1, 0.0, None), (c2, 0.0, None)]
    for g in (Fraction(1, 10), Fraction(1, 2), Fraction(9, 10)):
        for x in (Fraction(1, 1000), Fraction(1, 3), Fraction(1)):
            for tau in range(1, 7):
                a = (1 - g) * (1 - (1 - x) ** tau)
                cases.append((a >= (1 - g) * x and 0 < 1 - a < 1, float(a - (1 - g) * x), None))
    return V.from_cases(cases, method="sympy exact + exact rationals", covered="gamma in {.1,.5,.9}, x in {1e-3,1/3,1}, tau 1..6",
                        evidence={"gamma=1/2 == main": bool(c1), "alpha == 1 - rate": bool(c2),
                                  "note": "Lemma 22 says 'for all gamma > 0'; for gamma >= 1 the rate is >= 1 and "
                                          "gamma(1-gamma) <= 0 in the error: only gamma in (0,1) is meaningful"},
                        regime=_const_regime("C-17", {"gamma in (0,1)": True}))


def _c18_points():
    pts = []
    for n in (4, 16):
        kappa = Fraction(1, math.isqrt(n))
        for xi in (Fraction(1, 2), Fraction(9, 10)):
            for p in (1, 2):
                for tau, shrink in itertools.product((1, 2, 3), (1, 1000)):
                    # eta at the explicit order (C-9) and 1000x smaller (still admissible: eta is an upper bound)
                    lam = xi / 4
                    eta = _eta_L17(lam, n, p, tau) / shrink
                    pts.append({"n": n, "d": 2, "m": 10**12, "p": p, "xi": str(xi), "tau": tau, "eta": str(eta),
                                "kappa": str(kappa), "lambda_0": str(lam)})
    return pts


@item("C-18", title="assembly of B_1: lemma bounds via T-4(g) vs (1/4) eta theta tau lambda_0 B_1", source="p.26",
      kind="constant")
@_with_forms_grid
def check_C18(ctx):
    """C-18: the extra terms 2|<.,E I'_1>| + 2|<.,E I_2>| + E||u_{k+1}-u_k||^2 (T-4(g), Lemmas 13, 16, 17 as used on
    p.26) vs the printed assembled line and vs (1/4) eta theta tau lambda_0 B_1: exact at admissible values
    (kappa = n^{-1/2}, eta = lambda_0/(48 n tau max{n,p}), lambda_0 = xi/4), term by term and summed."""
    pts = _c18_points()
    # quadratic coefficients: -1 + 2(1/8) + 2(1/8) + 1/4 = -1/4
    coef = -1 + 2 * sp.Rational(1, 8) + 2 * sp.Rational(1, 8) + sp.Rational(1, 4)
    main = _rel_check("C-18", [("C-18/lemma bounds via T-4(g)", "C-18/alpha B_1", "<="),
                               ("C-18/assembled p.26", "C-18/alpha B_1", "<=")], pts, method="exact rationals")
    # term by term ratios (symbolic)
    lemma_terms = [2 * t_ for t_ in sp.Add.make_args(cst.L13_extra)] + [2 * t_ for t_ in sp.Add.make_args(cst.L16_extra)] \
        + list(sp.Add.make_args(cst.L17_extra))
    target_terms = [cst.alpha_T4 * t_ for t_ in cst.B1_TERMS]
    pairing = {}
    th_s = sp.Symbol("theta", positive=True)
    for lt in lemma_terms:
        best = None
        for i, tt in enumerate(target_terms):
            r = sp.cancel((lt / tt).xreplace({cst.theta: th_s}))
            if not (r.free_symbols & {S.m, S.eta, S.n, S.d}) and (best is None or sp.count_ops(r) < sp.count_ops(best[1])):
                best = (i + 1, r)
        pairing[str(lt)] = {"B1_term": best[0] if best else None, "ratio": str(best[1]) if best else None}
    main.evidence.update({"quadratic coefficient (should be -1/4)": str(coef), "term_pairing": pairing,
                          "printed assembled line": "coefficient 1 (not 2) on the Lemma 13 and Lemma 16 terms; no "
                                                    "kappa^2 in its first term; tau(tau-1) in its last (C-19)"})
    main.regime = _const_regime("C-18", {"kappa = n^{-1/2}": True, "eta = lambda_0/(48 n tau max{n,p})": True,
                                         "lambda_0 = xi/4 <= xi/2": True})
    # Corrected reading (evidence): how much larger than the printed B_1 the lemma bounds make it, exactly.
    ratios = [_subs(_expr("C-18/lemma bounds via T-4(g)"), v) / _subs(_expr("C-18/alpha B_1"), v) for v in pts]
    worst = max(ratios)
    corr = V.corrected("(7) with 2 B_1 (the factor 2 of T-4(g) kept in the assembly)", V.from_cases(
        [(bool(r <= 2), float(2 - r), None) for r in ratios], method="exact rationals", covered=f"{len(pts)} points",
        evidence={"max (lemma bounds)/((1/4) eta theta tau lambda_0 B_1)": float(worst)}))
    return V.classify(main, V.PROOF_GAP, "the assembled p.26 line drops the factor 2 of T-4(g) on the Lemma 13 and 16 "
                      "terms, so (7) is proved with a B_1 larger than printed by a bounded factor; Theorem 3's "
                      "conclusion with the printed B_1 is not established (not refuted)", to=("T-4",),
                      corrected_form=corr)


@item("C-19", title="last term of Lemma 17: (tau-1)^2 (p.38) vs tau (tau-1) (p.26)", source="p.38, p.26", kind="constant")
@_with_forms_grid
def check_C19(ctx):
    """C-19: the p.26 form is >= the Lemma 17 form (tau (tau-1) >= (tau-1)^2), equal at tau = 1: using the larger
    one on p.26 is conservative. Exact over tau."""
    r = sp.simplify(cst.C19.form("p.26").expr / cst.C19.form("Lemma 17 statement").expr)
    pts = [{"eta": "1/1000", "xi": "1/2", "lambda_0": "1/8", "tau": tau, "p": 2, "n": 4, "kappa": "1/2"} for tau in range(1, 9)]
    return _rel_check("C-19", [("C-19/Lemma 17 statement", "C-19/p.26", "<=")], pts, method="exact rationals",
                      evidence={"p.26 / Lemma 17": str(r), "larger": "p.26 form (tau/(tau-1) >= 1)"})


@item("C-20", title="second term of (5): three printed forms", source="p.7, p.23, p.44", kind="constant")
@_with_forms_grid
def check_C20(ctx):
    """C-20: (i) the proof's form (p.23) must be <= the statement's form (p.7) for (5) to follow: factor tau;
    (ii) in the p.44 chain the Hypothesis-1 form (with sqrt 2) must be <= the p.44 form (without sqrt 2)."""
    pts = [{"eta": "1/100", "tau": tau, "kappa": "1/2", "n": 4, "xi": "1/2", "p": 2, "K": 2, "m": 10**6, "delta": "1/10"}
           for tau in (1, 2, 4)]
    out = _rel_check("C-20", [("C-20/proof", "C-20/main (5)", "<="), ("C-20/proof", "C-20/p.44 chain", "<=")], pts,
                      method="exact (sqrt at 60 digits)",
                      evidence={"reading": "(i) what the p.23 proof derives must imply the statement's (5) (p.7): it "
                                           "does for tau = 1 only (the proof's term carries an extra factor tau, which "
                                           "grows without bound); (ii) the last '<=' of the p.44 chain follows from the "
                                           "Hypothesis-1 bound it cites only if that bound is <= the printed p.44 term "
                                           "(an explicit inequality; it is larger by sqrt 2). Both are gaps between "
                                           "printed steps, not counterexamples to the weight bounds themselves"})
    return V.classify(out, V.PROOF_GAP, "Hypothesis 1's (5) as stated (p.7) is proved only for tau = 1; Theorem 3's "
                      "proof (p.27-28) uses the proof's form with tau, so T-4 is unaffected", to=("T-3",))


@item("C-21", title="success probability of Theorem 3 vs the union of the events used", source="p.7-8, p.25-26",
      kind="constant")
@_with_forms_grid
def check_C21(ctx):
    """C-21: Hypothesis 1 (4 delta) + Lemmas 29-30 (delta) + Lemma 23 (delta) = 6 delta by the union bound, vs the
    printed 1 - delta. With delta' = delta/6 the hypotheses change by constants: (6) at delta/6 over (6) at delta is
    exactly 6 (absorbed by Omega), and log(n/delta) widths grow by a bounded factor."""
    tot = sum(f.expr for f in cst.C21.forms[1:])
    r6 = sp.simplify(cst.W6_TERMS[0].xreplace({S.delta: S.delta / 6}) / cst.W6_TERMS[0])
    lg = sp.limit(sp.log(6 * S.n / S.delta) / sp.log(S.n / S.delta), S.n, sp.oo)
    cases = [(sp.simplify(tot - 6 * S.delta) == 0, 0.0, None), (r6 == 6, 0.0, None), (bool(lg.is_finite), 0.0, None)]
    return V.from_cases(cases, method="sympy", covered="symbolic",
                        evidence={"total failure (union bound)": str(tot), "(6) at delta/6 over (6) at delta": str(r6),
                                  "log(6n/delta)/log(n/delta), n -> oo": str(lg),
                                  "reading": "the printed 1 - delta holds after delta -> delta/6, absorbed by Omega in (6)"},
                        regime=_const_regime("C-21"))


def _mgf_integrand(w, t, kappa):
    """exp(t (w^2 - kappa^2)) times the N(0, kappa^2) density (one exponent, no overflow)."""
    return math.exp(t * (w * w - kappa**2) - w * w / (2 * kappa**2)) / (kappa * math.sqrt(2 * math.pi))


@item("C-22", title="sub-exponential MGF bounds of Lemmas 29 and 30", source="p.53, p.55", kind="constant")
@_with_forms_grid
def check_C22(ctx):
    """C-22: exact MGF of w^2 - kappa^2 (w ~ N(0, kappa^2)) vs the printed value (p.53 with sqrt; p.55 without) and
    vs the printed bounds e^{2 t^2 kappa^4} (p.53), e^{2 t kappa^4} (p.55) over the stated t <= 1/(2 kappa^2)."""
    # (a) printed values vs exact MGF (integral check by scipy quad at a few t, independent of the closed form)
    from scipy import integrate

    cases, tab = [], []
    for kappa in (1.0, 0.5):
        for t in (-1.0, 0.1, 0.3):
            t_ = t / kappa**2
            q = integrate.quad(_mgf_integrand, -np.inf, np.inf, args=(t_, kappa))[0]
            v29 = float(_subs(cst.C22.form("Lemma 29 value").expr, {"t": t_, "kappa": kappa}))
            v30 = float(_subs(cst.C22.form("Lemma 30 value").expr, {"t": t_, "kappa": kappa}))
            tab.append({"kappa": kappa, "t": t_, "quad": q, "p.53 value": v29, "p.55 value": v30})
            cases.append((abs(v29 - q) <= 1e-8 * q, 0.0, None))
    # (b) the bounds on a t grid in the stated range (kappa = 1 and 1/2), smallest |t| first
    grid = sorted({Fraction(i, 20) for i in range(-20, 10)}, key=lambda x: (abs(x), x))
    crossings = {}
    for form in ("Lemma 29 bound", "Lemma 30 bound"):
        for kappa in ("1", "1/2"):
            k2 = _rat(kappa) ** 2
            for tt in grid:
                t = sp.Rational(tt.numerator, tt.denominator) / k2     # t = tt/kappa^2, tt < 1/2
                o = replay_C22(form, str(t), kappa)
                ok = o.verdict == V.HOLDS
                cases.append((ok, o.evidence["min_margin"], o.counterexample))
                if not ok:
                    crossings.setdefault(f"{form}, kappa={kappa}", []).append(str(t))
    p55_value_ok = all(abs(r["p.55 value"] - r["quad"]) <= 1e-8 * r["quad"] for r in tab)
    # smallest positive crossing (kappa = 1; the bounds scale with t kappa^2): log MGF = -t - log(1-2t)/2
    from scipy.optimize import brentq

    def _g29(t):
        return -t - 0.5 * math.log(1 - 2 * t) - 2 * t * t

    def _g30(t):
        return -t - 0.5 * math.log(1 - 2 * t) - 2 * t

    cross = {"Lemma 29 bound e^{2t^2 kappa^4}: fails for t kappa^2 >": brentq(_g29, 0.05, 0.499),
             "Lemma 30 bound e^{2t kappa^4}: fails for t kappa^2 < 0 and for t kappa^2 >": brentq(_g30, 0.05, 0.4999999)}
    # Corrected reading: the p.53 bound e^{2 t^2 kappa^4} (t squared) on the standard range t <= 1/(4 kappa^2)
    corr = [replay_C22("Lemma 29 bound", str(sp.Rational(tt.numerator, tt.denominator) / _rat(k) ** 2), k)
            for k in ("1", "1/2") for tt in grid if tt <= Fraction(1, 4)]
    corr = V.corrected("E e^{t(w^2 - kappa^2)} <= e^{2 t^2 kappa^4} for t <= 1/(4 kappa^2) (both lemmas)",
                       V.combine(corr, method="60-digit evaluation on t kappa^2 in [-1, 1/4]"))
    return V.classify(V.from_cases(cases, method="scipy quad + 60-digit evaluation",
                        covered="t kappa^2 in [-1, 0.45] step 0.05, kappa in {1, 1/2}",
                        evidence={"values": tab, "p.55 printed value equals the MGF": p55_value_ok,
                                  "failing t (first few)": {k: v[:6] for k, v in crossings.items()},
                                  "crossings (t kappa^2)": cross,
                                  "standard range": "the e^{2 t^2 kappa^4} bound holds for |t| <= 1/(4 kappa^2)"},
                        regime=_const_regime("C-22", {"kappa <= 1": True, "t <= 1/(2 kappa^2)": True})),
                      V.TYPO, "none: Lemmas 29 and 30 use only branch 1 of the tail (L-29(e), L-30(e)), inside the "
                      "corrected range", corrected_form=corr)


@V.evaluator
def replay_C12(c_m, n, K, p, delta, xi, lambda_0):
    """C-12: at m = c_m * (proof-end form n^2 log(Kpn/delta)/(xi lambda_0)), is the union-bound failure
    K p (2 n^2 e^{-m lambda_0^2/(8n^2)} + n^2 e^{-m xi lambda_0/(12n)}) <= delta? (60 digits)"""
    vals = {"n": n, "K": K, "p": p, "delta": delta, "xi": xi, "lambda_0": lambda_0}
    m_ = _rat(c_m) * _subs(cst.C12.form("proof end").expr, vals)
    fail = _subs(K * p * cst.C12.form("per-(k',l) failure, sum of T-2(b) and T-2(d)").expr.xreplace({S.m: m_}), vals)
    ok = _cmp(fail, _rat(delta), "<=")
    out = {"m": float(sp.N(m_, 20)), "failure_bound": float(sp.N(fail, 20)), "delta": str(delta)}
    w = V.counterexample("C-12", replay_C12, dict(c_m=c_m, n=n, K=K, p=p, delta=delta, xi=xi, lambda_0=lambda_0), out)
    return V.from_cases([(ok, 0.0 if ok else -1.0, w)], method="60-digit evaluation", covered="one instance",
                        evidence=out)


@V.evaluator
def replay_C22(form, t, kappa):
    """C-22: exact MGF e^{-t k^2}/sqrt(1-2tk^2) of w^2 - kappa^2 (w ~ N(0, kappa^2)) vs the printed bound
    ``form`` ("Lemma 29 bound" e^{2t^2 k^4}, p.53; "Lemma 30 bound" e^{2t k^4}, p.55) at t < 1/(2 kappa^2)."""
    vals = {"t": t, "kappa": kappa}
    mgf = _subs(cst.C22.form("exact MGF (derived)").expr, vals)
    bound = _subs(cst.C22.form(form).expr, vals)
    ok = _cmp(mgf, bound, "<=")
    out = {"mgf": float(sp.N(mgf, 30)), "bound": float(sp.N(bound, 30)), "form": form}
    w = V.counterexample("C-22", replay_C22, {"form": form, "t": t, "kappa": kappa}, out)
    return V.from_cases([(ok, 0.0 if ok else -1.0, w)], method="60-digit evaluation", covered="one t",
                        evidence=out)

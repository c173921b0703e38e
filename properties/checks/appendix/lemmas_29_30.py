"""L-29, L-30 · Lemmas 29 and 30 (p.53-55): sub-exponential concentration of ||W_0||_F^2 and of
sum_r <w_{0,r}, x_i>^2, with the printed MGF claims (a)-(f).

Exact chi-square laws and tails (:mod:`maskverify.properties.oracles.tails`), mpmath quadrature of the MGFs on
t-grids over the stated ranges. Every violated verdict replays through a module-level ``replay_*`` evaluator.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from maskverify.properties.checks.shared.probability import (
    _case,
    _l29b_case,
    _l30b_case,
    _le_log,
    _m_grid,
    _mgf_quadrature_cases,
    _replay_one,
    _s_grid,
    _unit_rows,
    fc,
)
from maskverify.properties.framework import verdicts as V
from maskverify.properties.framework.registry import item
from maskverify.properties.oracles import tails

_L29_REGIME_FORM = ("Lemma 29 (p.53); the statement prints '1 - e^{md/32}' (positive exponent, a vacuous "
                    "bound); the proof's last line prints 1 - e^{-md/32}, which is the form tested")


def _l29_case(m, d, c):
    """c in [0, 1]: R/kappa = c sqrt(d/32) (kappa cancels: ||W_0||_F^2/kappa^2 ~ chi^2_{md})."""
    rho = c * math.sqrt(d / 32.0)
    thr = (math.sqrt(2 * m * d) - math.sqrt(m) * rho) ** 2
    lp = tails.chi2_logtail_ge(m * d, thr)
    ok, margin = _le_log(lp, -m * d / 32.0)
    values = {"R/kappa": rho, "threshold_over_kappa^2": thr, "P_exact": math.exp(lp),
              "bound_exp(-md/32)": math.exp(-m * d / 32.0)}
    return _case("L-29", replay_L29, {"m": m, "d": d, "c": c}, ok, margin, values)


@V.evaluator
def replay_L29(m, d, c):
    return _replay_one(_l29_case(m, d, c), "exact chi-square tail", "one (m, d, R/kappa) case")


@item("L-29", title="||W_0||_F <= kappa sqrt(2md) - sqrt(m) R w.p. >= 1 - exp(-md/32)",
      source="Lemma 29, p.53", kind="probability-bound")
def check_L29_frobenius(ctx):
    """L-29 · Lemma 29, p.53 — ||W_0||_F <= kappa sqrt(2md) - sqrt(m) R w.p. >= 1 - exp(-md/32)."""
    ds = [1, 2, 3, 4, 8, 16, 32, 64, 128]
    cs = [0.0, 0.25, 0.5, 0.75, 1.0]
    ms = _m_grid(ctx, factor=16)
    cases = [_l29_case(m, d, c) for d in ds for m in ms for c in cs]
    regime = {"form": _L29_REGIME_FORM, "constant_profile": {},
              "conditions": {"kappa <= 1": True, "R <= kappa sqrt(d/32)": True}, "inside": True}
    return fc(ctx, cases, method="exact chi-square tail (scipy chi2.logsf)",
                        covered={"m": [ms[0], ms[-1]], "d": ds, "R/(kappa sqrt(d/32))": cs,
                                 "kappa": "cancels (any kappa <= 1)"}, regime=regime)


@item("L-29(a)", title="E[w_rd^2] = kappa^2", source="Lemma 29 proof, p.53", kind="identity")
def check_L29a_second_moment(ctx):
    """L-29(a) · Lemma 29 proof, p.53 — E[w_rd^2] = kappa^2."""
    import sympy as sp

    w, k = sp.symbols("w kappa", positive=True)
    wr = sp.Symbol("w_real", real=True)
    dens = sp.exp(-wr**2 / (2 * k**2)) / (k * sp.sqrt(2 * sp.pi))
    val = sp.simplify(sp.integrate(wr**2 * dens, (wr, -sp.oo, sp.oo)))
    ok = sp.simplify(val - k**2) == 0
    case = (bool(ok), 0.0 if ok else -1.0, None)
    return fc(ctx, [case], method="sympy integration", covered="symbolic kappa > 0",
                        evidence={"E[w^2]": str(val)})


@item("L-29(b)", title="w^2 is (2k^2,2k^2)-sub-exponential: e^{-tk^2}/sqrt(1-2tk^2) <= e^{2t^2k^4}, t <= 1/(2k^2)",
      source="Lemma 29 proof, p.53", kind="bound")
def check_L29b_mgf(ctx):
    """L-29(b) · Lemma 29 proof, p.53 — w^2 is (2k^2,2k^2)-sub-exponential: e^{-tk^2}/sqrt(1-2tk^2) <= e^{2t^2k^4}, t <= 1/(2k^2).
    """
    quad = _mgf_quadrature_cases("L-29(b)", [-2.0, -0.3, 0.1, 0.25, 0.45])
    cases = [_l29b_case(s, 1.0) for s in _s_grid(ctx)]
    cases += [_l29b_case(s / k**2, k) for k in (0.5, 0.1) for s in (-0.5, 0.2, 0.4, 0.5)]
    svals = [c[2]["values"]["s=t*kappa^2"] for c in cases if c[0] is False]
    from scipy.optimize import brentq

    s_star = brentq(lambda s: tails.chi2_1_centred_log_mgf(s) - 2 * s * s, 0.25, 0.45, xtol=1e-15)
    regime = {"form": "p.53 as printed; range t <= 1/(2 kappa^2) (includes negative t and the endpoint)",
              "constant_profile": {}, "conditions": {"t <= 1/(2 kappa^2)": True, "kappa <= 1": True},
              "inside": True}
    out = fc(ctx, quad + cases, method="closed-form chi-square MGF (verified by mpmath quadrature) on a "
                       "grid of s = t kappa^2", covered={"s": [-5.0, 0.5]}, regime=regime,
                       evidence={"failing_s_range": [min(svals), max(svals)] if svals else None,
                                 "crossing_s*_(fails_for_s*<s<=1/2)": s_star,
                                 "note": "the standard chi-square sub-exponential bound holds for |s| <= 1/4; "
                                         "below the grid (s < -5) log lhs = -s - log(1 - 2s)/2 <= |s| <= 2 s^2"})
    return V.classify(out, V.TYPO, _NO_USE, corrected_form=corrected_mgf(ctx))


#: Where the MGF/tail misprints of Lemmas 29-30 would matter: the lemmas use only branch 1 of the tail at
#: m kappa^2/2 <= t <= m kappa^2 (L-29(e), L-30(e)), inside the corrected ranges, and their conclusions hold.
_NO_USE = ("none: Lemmas 29 and 30 use only branch 1 of the tail at N kappa^2/2 <= t <= N kappa^2 (L-29(e), "
           "L-30(e)), inside the corrected range; L-29 and L-30 themselves are checked exactly")


def corrected_mgf(ctx):
    """Corrected reading of the printed MGF claims (L-29(b),(c), L-30(b),(c), C-22, P-1(g)): the centred chi^2_1
    MGF e^{-s}/sqrt(1-2s) <= e^{2 s^2} (square root and t^2 as on p.53), s = t kappa^2, on the standard range
    t <= 1/(4 kappa^2) ((2 kappa^2, 4 kappa^2)-sub-exponential) instead of 1/(2 kappa^2). A sum of N
    independent copies multiplies both logs by N, so one copy decides it."""
    cases = [_l29b_case(s / k**2, k) for k in (1.0, 0.5, 0.1) for s in _s_grid(ctx) if s <= 0.25]
    return V.corrected("E e^{t(w^2 - kappa^2)} = e^{-t kappa^2}/sqrt(1 - 2t kappa^2) <= e^{2 t^2 kappa^4} for "
                       "t <= 1/(4 kappa^2) (alpha = 4 kappa^2)",
                       V.from_cases(cases, method="closed-form chi-square MGF", covered="s = t kappa^2 in [-5, 1/4], "
                                    "kappa in {1, 1/2, 1/10}"))


def corrected_tail(N_grid=(1, 2, 3, 5, 10, 30, 100, 1000, 10000)):
    """Corrected reading of the printed tails (L-29(d), L-30(d), P-1(c)): Property 1 with t linear in branch 2
    and the standard chi-square parameters (nu^2, alpha) = (4 N kappa^4, 4 kappa^2):
    P(chi^2_N >= N + tau) <= exp(-tau^2/(8N)) for tau = t/kappa^2 <= N, exp(-tau/8) beyond (exact tails)."""
    cases = []
    for N in N_grid:
        for f in (0.01, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0, 10.0, 20.0, 100.0):
            tau = f * N
            lb = -tau**2 / (8 * N) if tau <= N else -tau / 8
            cases.append((*_le_log(tails.chi2_logtail_ge(N, N + tau), lb), None))
    return V.corrected("P(sum of N w^2 >= N kappa^2 + t) <= exp(-t^2/(8 N kappa^4)) for t <= N kappa^2, "
                       "exp(-t/(8 kappa^2)) beyond (Property 1, t linear, alpha = 4 kappa^2)",
                       V.from_cases(cases, method="exact chi-square tail", covered=f"N in {list(N_grid)}, "
                                    "t/(N kappa^2) in [0.01, 100]"))


def _l29c_case(m, d, t):
    s = t
    lhs = m * d * tails.chi2_1_centred_log_mgf(s)
    rhs = 2 * m * d * t**2
    ok, margin = _le_log(lhs, rhs)
    return _case("L-29(c)", replay_L29c, {"m": m, "d": d, "t": t}, ok, margin,
                 {"log_E_exp(t(||W||^2 - md kappa^2))": lhs, "log_rhs": rhs})


@V.evaluator
def replay_L29c(m, d, t):
    return _replay_one(_l29c_case(m, d, t), "closed-form MGF of chi^2_{md}", "one case (kappa = 1)")


@item("L-29(c)", title="E exp(t(||W_0||_F^2 - md kappa^2)) <= exp(2 m d t^2 kappa^4)",
      source="Lemma 29 proof, p.53", kind="bound")
def check_L29c_mgf_product(ctx):
    """L-29(c) · Lemma 29 proof, p.53 — E exp(t(||W_0||_F^2 - md kappa^2)) <= exp(2 m d t^2 kappa^4)."""
    ss = [s for s in _s_grid(ctx)][::7]
    cases = [_l29c_case(m, d, s) for (m, d) in ((1, 1), (2, 3), (10, 10), (100, 4)) for s in ss]
    regime = {"form": "p.53, t <= 1/(2 kappa^2), kappa = 1 (s = t kappa^2 is the only parameter)",
              "constant_profile": {}, "conditions": {"t <= 1/(2 kappa^2)": True}, "inside": True}
    return V.classify(fc(ctx, cases, method="exact MGF (product of chi^2_1 MGFs)", covered={"s": [-5.0, 0.5]},
                         regime=regime), V.TYPO, _NO_USE, corrected_form=corrected_mgf(ctx))


def _tail_case(item_id, evaluator, N, tau, kappa, branch2_den):
    """P(chi^2_N >= N + tau) vs the two printed branches (tau = t/kappa^2).

    Branch 1 (0 <= tau <= 2N): exp(-tau^2/(8N)). Branch 2 (tau > 2N for L-29, tau >= 2N for L-30):
    exp(-t^2/(branch2_den kappa^2)) = exp(-tau^2 kappa^2/branch2_den).
    """
    lp = tails.chi2_logtail_ge(N, N + tau)
    logb = -tau**2 / (8 * N) if tau <= 2 * N else -tau**2 * kappa**2 / branch2_den
    ok, margin = _le_log(lp, logb)
    values = {"P_exact": math.exp(lp), "bound": math.exp(logb), "log_P": lp, "log_bound": logb,
              "branch": 1 if tau <= 2 * N else 2}
    return ok, margin, values


def _tail_branch_summary(cases, alpha_over_kappa2):
    """Failures per printed branch, and whether the standard branch 2, exp(-t/(2 alpha)) with
    alpha = alpha_over_kappa2 * kappa^2 (t linear, Property 1 corrected), holds on the same cases."""
    by_branch, std_ok = {}, True
    for ok, _, wit in cases:
        v = wit["values"]
        if ok is False:
            by_branch[str(v["branch"])] = by_branch.get(str(v["branch"]), 0) + 1
        a = wit["args"]
        N = a["m"] * a.get("d", 1)
        tau = a["t"] / a["kappa"] ** 2
        if tau > 2 * N:
            std_ok = std_ok and float(v["log_P"]) <= -tau / (2 * alpha_over_kappa2) + 1e-12
    return {"failures_by_branch": by_branch,
            "standard_branch_2_exp(-t/(2 alpha))_holds_on_branch_2_cases": std_ok,
            "note": "the lemma's own argument uses branch 1 with m kappa^2/2 <= t <= m kappa^2 (L-29(e), L-30(e)); "
                    "branch 2 as printed has t^2 where the standard sub-exponential tail has t (Property 1, "
                    "P-1(c)); failures counted under branch 1 are all at t = 2 N kappa^2 (N = md or m), where L-30(d) "
                    "also prints branch 2 (t >= 2 m kappa^2) and L-29(d)'s branch 1 itself fails for N >= 100 "
                    "(chi-square tail ~ exp(-0.45 N) vs exp(-N/2))"}


def _l29d_case(m, d, t, kappa):
    tau = t / kappa**2
    ok, margin, values = _tail_case("L-29(d)", replay_L29d, m * d, tau, kappa, 4.0)
    if tau == 2 * m * d:  # boundary: only branch 1 applies in L-29 (t > 2 m d kappa^2 for branch 2)
        pass
    return _case("L-29(d)", replay_L29d, {"m": m, "d": d, "t": t, "kappa": kappa}, ok, margin, values)


@V.evaluator
def replay_L29d(m, d, t, kappa):
    return _replay_one(_l29d_case(m, d, t, kappa), "exact chi-square tail", "one case")


@item("L-29(d)", title="tail of ||W_0||_F^2: exp(-t^2/(8md k^4)) (t <= 2md k^2), exp(-t^2/(4k^2)) beyond",
      source="Lemma 29 proof, p.53", kind="probability-bound")
def check_L29d_tail(ctx):
    """L-29(d) · Lemma 29 proof, p.53 — tail of ||W_0||_F^2: exp(-t^2/(8md k^4)) (t <= 2md k^2), exp(-t^2/(4k^2)) beyond.
    """
    cases = []
    for N in (1, 2, 3, 5, 10, 30, 100, 1000):
        for kappa in (1.0, 0.5, 0.1):
            for f in (0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0, 10.0, 20.0):
                cases.append(_l29d_case(N, 1, f * N * kappa**2, kappa))
    regime = {"form": "p.53 as printed (Property 1 with (2 kappa^2, 2 kappa^2))", "constant_profile": {},
              "conditions": {"kappa <= 1": True, "t >= 0": True}, "inside": True}
    return V.classify(fc(ctx, cases, method="exact chi-square tail", covered={"md": [1, 1000],
                         "t/(md kappa^2)": [0.1, 20.0], "kappa": [0.1, 1.0]}, regime=regime,
                         evidence=_tail_branch_summary(cases, 2.0)), V.TYPO, _NO_USE, corrected_form=corrected_tail())


def _l29e_case(m, d, kappa, c):
    """Exact rational check: t = m d k^2 - 2 m k R sqrt(2d) + m R^2 with R = c k sqrt(d/32) equals
    m k^2 d (1 - c/2 + c^2/32), compared with (1/2) m d k^2; also t <= 2 m d k^2 (branch 1)."""
    m, d, kappa, c = int(m), int(d), Fraction(kappa), Fraction(c)
    t = m * kappa**2 * d * (1 - c / 2 + c**2 / 32)
    lo = Fraction(1, 2) * m * d * kappa**2
    ok = lo <= t <= 2 * m * d * kappa**2
    return _case("L-29(e)", replay_L29e, {"m": m, "d": d, "kappa": str(kappa), "c": str(c)}, ok,
                 float(t - lo), {"t": t, "md_kappa^2/2": lo})


@V.evaluator
def replay_L29e(m, d, kappa, c):
    return _replay_one(_l29e_case(m, d, Fraction(kappa), Fraction(c)), "exact rational", "one case")


@item("L-29(e)", title="R <= kappa sqrt(d/32) gives t >= (1/2) m d kappa^2", source="Lemma 29 proof, p.53",
      kind="claim")
def check_L29e_t_lower(ctx):
    """L-29(e) · Lemma 29 proof, p.53 — R <= kappa sqrt(d/32) gives t >= (1/2) m d kappa^2."""
    import sympy as sp

    d, k, m, c = sp.symbols("d kappa m c", positive=True)
    R = c * k * sp.sqrt(d / 32)
    t = m * d * k**2 - 2 * m * k * R * sp.sqrt(2 * d) + m * R**2
    ratio = sp.simplify(t / (m * d * k**2))  # 1 - c/2 + c^2/32
    # decreasing on c in [0, 1] (derivative -1/2 + c/16 < 0), so its minimum is at c = 1
    deriv_neg = bool(sp.simplify(sp.diff(ratio, c).subs(c, 1)) < 0)
    min_val = sp.nsimplify(ratio.subs(c, 1))
    sym_ok = bool(deriv_neg and bool(min_val >= sp.Rational(1, 2)))
    cases = [(sym_ok, float(min_val - sp.Rational(1, 2)), None)]
    cases += [_l29e_case(mm, dd, kk, cc) for mm in (1, 7) for dd in (1, 2, 5, 64) for kk in ("1", "1/3")
              for cc in ("0", "1/4", "1/2", "1", )]
    regime = {"form": "p.53", "constant_profile": {}, "conditions": {"R <= kappa sqrt(d/32)": True,
              "kappa <= 1": True}, "inside": True}
    return fc(ctx, cases, method="sympy (t/(m d kappa^2) = 1 - c/2 + c^2/32 for R = c kappa sqrt(d/32)) "
                        "and exact rationals", covered="all d, m, kappa; c in [0, 1]", regime=regime,
                        evidence={"t/(m d kappa^2)": str(ratio), "minimum_at_c=1": str(min_val)})


def _l30_case(m, rho2, n):
    rho2 = float(rho2)
    lp = tails.chi2_logtail_ge(m, m * (2.0 - rho2))
    p = math.exp(lp)
    pu = tails.orthonormal_union(p, n)
    logbound = math.log(n) - m / 32.0
    ok, margin = _le_log(lp, -m / 32.0)
    if ok is not True:
        ok_u, margin = _le_log(math.log(pu) if pu > 0 else -math.inf, logbound)
        ok = False if ok_u is False else None
    values = {"P_single_i": p, "P_union_orthonormal": pu, "bound_n_exp(-m/32)": math.exp(logbound)}
    return _case("L-30", replay_L30, {"m": m, "rho2": rho2, "n": n}, ok, margin, values)


@V.evaluator
def replay_L30(m, rho2, n):
    return _replay_one(_l30_case(m, rho2, n), "exact chi-square tail", "one (m, (R/kappa)^2, n) case")


_RHO2 = [0.0, 0.125, 0.25, 0.375, 0.5]


@item("L-30", title="sum_r <w_0r,x_i>^2 <= 2 m kappa^2 - m R^2 for all i w.p. >= 1 - n exp(-m/32)",
      source="Lemma 30, p.54-55", kind="probability-bound")
def check_L30_projection_sums(ctx):
    """L-30 · Lemma 30, p.54-55 — sum_r <w_0r,x_i>^2 <= 2 m kappa^2 - m R^2 for all i w.p. >= 1 - n exp(-m/32)."""
    ms = sorted(set(range(1, 201)) | set(_m_grid(ctx, factor=64)))
    cases = [_l30_case(m, r2, n) for n in (1, 2, 10, 100) for m in ms for r2 in _RHO2]
    regime = {"form": "Lemma 30 (p.54)", "constant_profile": {},
              "conditions": {"kappa <= 1": True, "R <= kappa/sqrt(2)": True}, "inside": True}
    return fc(ctx, cases, method="exact chi-square tail, union exact on orthonormal data",
                        covered={"m": [1, ms[-1]], "(R/kappa)^2": _RHO2, "n": [1, 100],
                                 "kappa": "cancels (any kappa <= 1)"}, regime=regime)


@item("L-30(a)", title="<w_0r,x_i> ~ N(0, kappa^2); E[omega_ri] = kappa^2", source="Lemma 30 proof, p.54",
      kind="identity")
def check_L30a_variance(ctx):
    """L-30(a) · Lemma 30 proof, p.54 — <w_0r,x_i> ~ N(0, kappa^2); E[omega_ri] = kappa^2."""
    cases = []
    for x in ((Fraction(3, 5), Fraction(4, 5)), (Fraction(2, 7), Fraction(3, 7), Fraction(6, 7)),
              (Fraction(1),)):
        for k2 in (Fraction(1), Fraction(1, 4), Fraction(1, 9)):
            var = k2 * sum(xi * xi for xi in x)  # Var <w,x> = kappa^2 ||x||^2 (independent coordinates)
            ok, margin = V.exact_equal(var, k2)
            cases.append((ok, margin, None))
    rng = ctx.rng("mc")
    X = _unit_rows(rng, 1, 4)[0]
    kappa = 0.7
    s = ((kappa * rng.normal(size=(ctx.profile.mc_samples, 4))) @ X) ** 2
    mc = V.mean_equals(s, kappa**2, alpha=ctx.alpha, rel_width=0.2)
    out = fc(ctx, cases, method="exact rationals on rational unit vectors; Monte Carlo cross-check",
                       covered="kappa^2 in {1, 1/4, 1/9}, d in {1, 2, 3}",
                       evidence={"mc_mean": mc.evidence["mean"], "mc_verdict": mc.verdict, "mc_ci": mc.confidence})
    return out


@item("L-30(b)", title="E e^{t(omega-k^2)} = e^{-tk^2}/(1-2tk^2) <= e^{2tk^4} for t <= 1/(2k^2) (as printed)",
      source="Lemma 30 proof, p.55", kind="bound")
def check_L30b_mgf_printed(ctx):
    """L-30(b) · Lemma 30 proof, p.55 — E e^{t(omega-k^2)} = e^{-tk^2}/(1-2tk^2) <= e^{2tk^4} for t <= 1/(2k^2) (as printed).
    """
    cases = []
    for kappa in (1.0, 0.5, 0.1):
        cases += [_l30b_case(s / kappa**2, kappa, "inequality") for s in _s_grid(ctx) if s < 0.5]
    cases += [_l30b_case(s, 1.0, "equality") for s in (0.05, 0.25, -0.25)]
    bad_true = [s for s in _s_grid(ctx) if s < 0.5 and tails.chi2_1_centred_log_mgf(s) > 2 * s + 1e-12]
    regime = {"form": "p.55 as printed (MGF without the square root; exponent 2 t kappa^4, linear in t)",
              "constant_profile": {}, "conditions": {"t <= 1/(2 kappa^2)": True, "kappa <= 1": True},
              "inside": True}
    out = fc(ctx, cases, method="closed forms evaluated as printed", covered={"s = t kappa^2": [-5, 0.5],
             "kappa": [0.1, 1.0]}, regime=regime,
             evidence={"true_mgf": "E exp(t(omega - kappa^2)) = exp(-t kappa^2)/sqrt(1 - 2 t kappa^2) "
                       "(omega/kappa^2 ~ chi^2_1), +inf for t >= 1/(2 kappa^2)",
                       "true_mgf_also_exceeds_e^{2tk^4}_at_kappa=1_for_s":
                       [min(bad_true), max(bad_true)] if bad_true else None})
    return V.classify(out, V.TYPO, _NO_USE, corrected_form=corrected_mgf(ctx))


def _l30c_case(m, t, kappa):
    s = t * kappa**2
    lhs = m * tails.chi2_1_centred_log_mgf(s)
    rhs = 2 * m * t * kappa**4
    ok, margin = _le_log(lhs, rhs)
    return _case("L-30(c)", replay_L30c, {"m": m, "t": t, "kappa": kappa}, ok, margin,
                 {"log_true_E_exp": lhs, "log_rhs_2mtk^4": rhs})


@V.evaluator
def replay_L30c(m, t, kappa):
    return _replay_one(_l30c_case(m, t, kappa), "exact MGF of a chi^2_m sum", "one case")


@item("L-30(c)", title="E exp(t sum_r (omega_ri - kappa^2)) <= exp(2 m t kappa^4)", source="Lemma 30 proof, p.55",
      kind="bound")
def check_L30c_mgf_sum(ctx):
    """L-30(c) · Lemma 30 proof, p.55 — E exp(t sum_r (omega_ri - kappa^2)) <= exp(2 m t kappa^4)."""
    ss = [s for s in _s_grid(ctx) if s < 0.5][::5]
    cases = [_l30c_case(m, s / k**2, k) for m in (1, 4, 100) for k in (1.0, 0.3) for s in ss]
    regime = {"form": "p.55 (exact left side: product of true chi^2_1 MGFs)", "constant_profile": {},
              "conditions": {"t <= 1/(2 kappa^2)": True, "kappa <= 1": True}, "inside": True}
    ok_sq = [s for s in ss if 2 * s * s + 1e-12 < tails.chi2_1_centred_log_mgf(s)]
    out = fc(ctx, cases, method="exact MGF", covered={"s": [-5, 0.5], "m": [1, 100]}, regime=regime,
             evidence={"note": "as printed the exponent 2 m t kappa^4 is linear in t, so it is negative for t < 0 "
                               "while any centred MGF is >= 1 (Jensen); with t^2 (the p.53 form, L-29(c)) the "
                               "claim still fails near the end of the stated range",
                       "t^2_form_fails_for_s_in": [min(ok_sq), max(ok_sq)] if ok_sq else None})
    return V.classify(out, V.TYPO, _NO_USE, corrected_form=corrected_mgf(ctx))


def _l30d_case(m, t, kappa):
    tau = t / kappa**2
    ok, margin, values = _tail_case("L-30(d)", replay_L30d, m, tau, kappa, 2.0)
    if tau == 2 * m and ok is not False:  # both branches printed with equality at t = 2 m kappa^2
        lp = tails.chi2_logtail_ge(m, m + tau)
        ok, margin = _le_log(lp, -tau**2 * kappa**2 / 2.0)
    return _case("L-30(d)", replay_L30d, {"m": m, "t": t, "kappa": kappa}, ok, margin, values)


@V.evaluator
def replay_L30d(m, t, kappa):
    return _replay_one(_l30d_case(m, t, kappa), "exact chi-square tail", "one case")


@item("L-30(d)", title="tail of sum_r omega_ri: exp(-t^2/(8mk^4)) (t <= 2mk^2), exp(-t^2/(2k^2)) (t >= 2mk^2)",
      source="Lemma 30 proof, p.55", kind="probability-bound")
def check_L30d_tail(ctx):
    """L-30(d) · Lemma 30 proof, p.55 — tail of sum_r omega_ri: exp(-t^2/(8mk^4)) (t <= 2mk^2), exp(-t^2/(2k^2)) (t >= 2mk^2).
    """
    cases = [_l30d_case(m, f * m * k**2, k) for m in (1, 2, 3, 5, 10, 30, 100, 1000) for k in (1.0, 0.5, 0.1)
             for f in (0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0, 10.0, 20.0)]
    regime = {"form": "p.55 as printed", "constant_profile": {}, "conditions": {"kappa <= 1": True, "t >= 0": True},
              "inside": True}
    out = fc(ctx, cases, method="exact chi-square tail", covered={"m": [1, 1000], "t/(m kappa^2)": [0.1, 20]},
             regime=regime, evidence=_tail_branch_summary(cases, 2.0))
    return V.classify(out, V.TYPO, _NO_USE, corrected_form=corrected_tail())


def _l30e_case(m, rho2):
    rho2 = Fraction(rho2)
    t_over = 1 - rho2  # t/(m kappa^2) with t = m kappa^2 - m R^2
    interval_ok = Fraction(1, 2) <= t_over <= 1
    lp = tails.chi2_logtail_ge(m, m * (2.0 - float(rho2)))
    ok, margin = _le_log(lp, -m / 8.0)
    ok = ok if interval_ok else False
    values = {"t/(m kappa^2)": t_over, "P_exact": math.exp(lp), "bound_exp(-m/8)": math.exp(-m / 8.0),
              "interval_m_k^2/2<=t<=m_k^2": interval_ok}
    return _case("L-30(e)", replay_L30e, {"m": m, "rho2": str(rho2)}, ok, margin, values)


@V.evaluator
def replay_L30e(m, rho2):
    return _replay_one(_l30e_case(m, rho2), "exact chi-square tail", "one case")


@item("L-30(e)", title="P(sum_r omega_ri >= 2 m kappa^2 - m R^2) <= exp(-m/8)", source="Lemma 30 proof, p.55",
      kind="probability-bound")
def check_L30e_intermediate(ctx):
    """L-30(e) · Lemma 30 proof, p.55 — P(sum_r omega_ri >= 2 m kappa^2 - m R^2) <= exp(-m/8)."""
    ms = sorted(set(range(1, 401)) | set(_m_grid(ctx, factor=64)))
    rho2s = ["1/2", "3/8", "1/4", "1/8", "0"]
    cases = [_l30e_case(m, r2) for m in ms for r2 in rho2s]
    regime = {"form": "p.55", "constant_profile": {}, "conditions": {"R <= kappa/sqrt(2)": True, "kappa <= 1": True},
              "inside": True}
    fails = {r2: sum(1 for c, (m, rr) in zip(cases, [(m, r2_) for m in ms for r2_ in rho2s]) if rr == r2 and
                     c[0] is False) for r2 in rho2s}
    first = {r2: next((m for c, (m, rr) in zip(cases, [(m, r2_) for m in ms for r2_ in rho2s])
                       if rr == r2 and c[0] is False), None) for r2 in rho2s}
    # Corrected reading: exp(-m/32), what branch 1 gives at t = m kappa^2/2 and what the lemma states.
    corr = [(*_le_log(tails.chi2_logtail_ge(m, m * (2.0 - float(Fraction(r2)))), -m / 32.0), None)
            for m in ms for r2 in rho2s]
    corr = V.corrected("P(sum_r omega_ri >= 2 m kappa^2 - m R^2) <= exp(-m/32) (R <= kappa/sqrt 2)",
                       V.from_cases(corr, method="exact chi-square tail", covered={"m": [1, ms[-1]],
                                                                                  "(R/kappa)^2": rho2s}))
    out = fc(ctx, cases, method="exact chi-square tail; exact rationals for m k^2/2 <= t <= m k^2",
                        covered={"m": [1, ms[-1]], "(R/kappa)^2": rho2s}, regime=regime,
                        evidence={"failures_per_(R/kappa)^2": fails, "smallest_failing_m_per_(R/kappa)^2": first,
                                  "note": "t = m kappa^2 - m R^2 lies in [m kappa^2/2, m kappa^2] exactly when "
                                          "R <= kappa/sqrt 2 (checked in rationals per case); branch 1 gives "
                                          "exp(-t^2/(8 m kappa^4)) in [exp(-m/8), exp(-m/32)], i.e. exp(-m/8) only "
                                          "at R = 0; the lemma's statement uses exp(-m/32) (checked under L-30). "
                                          "The chi-square tail is free of kappa, so kappa <= 1 holds for every case."})
    return V.classify(out, V.TYPO, "none: Lemma 30's statement and its union step (L-30(f)) use exp(-m/32)",
                      corrected_form=corr)


def _l30f_mc(n, d, m, rho2, kappa, seed, samples, alpha):
    rng = np.random.default_rng(seed)
    X = _unit_rows(rng, n, d)
    fails = 0
    for _ in range(samples):
        W = kappa * rng.normal(size=(m, d))
        sums = ((W @ X.T) ** 2).sum(axis=0)
        fails += bool((sums >= 2 * m * kappa**2 - m * rho2 * kappa**2).any())
    delta = min(1.0, n * math.exp(-m / 32.0))
    args = {"n": n, "d": d, "m": m, "rho2": rho2, "kappa": kappa, "seed": seed, "samples": samples, "alpha": alpha}
    w = V.counterexample("L-30(f)", replay_L30f, args, {"failures": fails, "delta": delta})
    return V.probability_le(fails, samples, delta, alpha=alpha, witness=w,
                            evidence={"data": "random unit rows (correlated projections)", **args})


@V.evaluator
def replay_L30f(n, d, m, rho2, kappa, seed, samples, alpha):
    return _l30f_mc(n, d, m, rho2, kappa, seed, samples, alpha)


@item("L-30(f)", title="union bound over i: probability >= 1 - n exp(-m/32)", source="Lemma 30 proof, p.55",
      kind="probability-bound")
def check_L30f_union(ctx):
    """L-30(f) · Lemma 30 proof, p.55 — union bound over i: probability >= 1 - n exp(-m/32)."""
    S = max(200, ctx.profile.mc_samples // 4)
    outs = [_l30f_mc(4, 3, m, 0.5, 1.0, ctx.int_seed(f"f{m}"), S, ctx.alpha) for m in (64, 128)]
    # the union-bound step itself, exactly: for independent events 1-(1-p)^n <= n p
    cases = []
    for m in (8, 64, 128):
        p = tails.chi2_tail_ge(m, 1.5 * m)
        for n in (2, 10):
            ok, margin = V.bound_le(tails.orthonormal_union(p, n), n * p)
            cases.append((ok, margin, None))
    exact = fc(ctx, cases, method="exact", covered="union step")
    out = V.combine([exact, *outs], method="Monte Carlo on correlated data + exact union step")
    out.evidence["mc"] = [{"verdict": o.verdict, **o.confidence} for o in outs]
    return out

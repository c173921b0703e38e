"""Checks of the probability bounds over the initialization and the Appendix A tools (SPEC 5, P-1, P-2(d)).

Items: L-23, L-24, L-29 (a-e), L-30 (a-f), L-33 (a-d), P-1 (a-h), P-2(d). Theorem 2 (T-2, T-2(a-e)) and the
explicit parts of Theorem 34 (T-9(a-g), (k), (l), (m)) live in :mod:`maskverify.properties.checks_theorem2`,
imported (and so registered) at the end of this module.

Method: exact laws wherever the law is known (binomial, chi-square, erf, Rademacher sums; SPEC 5.0 via
:mod:`maskverify.properties.tails`), Monte Carlo with confidence intervals elsewhere. Every violated verdict
carries a counterexample whose evaluator (``replay_*`` below, JSON args) recomputes the same values; Monte
Carlo evaluators take the seed, sample count and alpha.

Union bounds over i in [n] (L-23, L-30): the exact probability of "some i fails" depends on the data. For
orthonormal data (d >= n) the events are independent, so ``P = 1 - (1 - p)^n`` exactly; a case is
``holds`` for every data set when the single-i probability is below the per-i bound (union bound), and
``violated`` when the orthonormal-data probability already exceeds the printed bound.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from maskverify.properties import tails, verdicts
from maskverify.properties.registry import item

V = verdicts

# --------------------------------------------------------------------------------------------------
# small shared helpers


def _le_log(loglhs, logrhs, rtol=V.FLOAT64_RTOL):
    """Compare ``exp(loglhs) <= exp(logrhs)`` in the log domain: (ok, margin = logrhs - loglhs)."""
    if loglhs == -math.inf:
        return True, None
    if logrhs == math.inf:
        return True, None
    if loglhs == math.inf:
        return False, -math.inf
    diff = logrhs - loglhs
    if diff >= 0:
        return True, diff
    if diff < -rtol * max(1.0, abs(logrhs)):
        return False, diff
    return None, diff


def _case(item_id, evaluator, args, ok, margin, values):
    return ok, margin, V.counterexample(item_id, evaluator, args, values)


def _replay_one(case, method, covered, regime=None):
    return V.from_cases([case], method=method, covered=covered, regime=regime)


# --------------------------------------------------------------------------------------------------
# Generic replay for cases without a dedicated evaluator: re-run the registered check itself.


def replay_check(item_id, profile, seed, alpha):
    """Re-run the registered check ``item_id`` with the same profile, seed and alpha (deterministic)."""
    from maskverify.properties import profiles, registry

    registry.load_all()
    chk = registry.registry()[item_id]
    return chk.fn(registry.Context(profile=profiles.get(profile), seed=seed, item_id=item_id, alpha=alpha))


def fc(ctx, cases, **kw):
    """``verdicts.from_cases`` where every case lacking a witness gets the generic :func:`replay_check` one
    (values: the case index and margin), so a failing case always yields a replayable violated verdict."""
    out = []
    for i, (ok, margin, w) in enumerate(cases):
        if w is None:
            w = V.counterexample(ctx.item_id, replay_check, {"item_id": ctx.item_id, "profile": ctx.profile.name,
                                                               "seed": ctx.seed, "alpha": ctx.alpha},
                                 {"case_index": i, "margin": margin})
        out.append((ok, margin, w))
    return V.from_cases(out, **kw)


def _m_grid(ctx, dense=10, factor=1):
    """1..dense, then roughly geometric up to ``factor * profile.max_m``."""
    top = max(dense, factor * ctx.profile.max_m)
    g = set(range(1, dense + 1))
    x = float(dense)
    while x < top:
        x *= 1.5
        g.add(min(top, int(round(x))))
    return sorted(g)


def _unit_rows(rng, n, d):
    X = rng.normal(size=(n, d))
    return X / np.linalg.norm(X, axis=1, keepdims=True)


# ==================================================================================================
# L-23 Lemma 23 (p.49): P(|S_i^perp| <= 4 m R/kappa for all i) >= 1 - n exp(-m R/kappa)


def _l23_case(m, rho, n):
    q = tails.p_activation_change(rho)
    thr = 4.0 * m * rho
    lp = tails.binom_logtail_gt(m, q, thr)
    p = math.exp(lp) if lp > -math.inf else 0.0
    pu = tails.orthonormal_union(p, n)
    logbound = math.log(n) - m * rho
    ok_all, margin = _le_log(lp, -m * rho)  # union bound: n p <= n exp(-m rho) for every data set
    if ok_all is True:
        ok = True
    else:
        ok_u, margin = _le_log(math.log(pu) if pu > 0 else -math.inf, logbound)
        ok = False if ok_u is False else None
    values = {"q_P(A_ir)": q, "threshold_4m_rho": thr, "P_single_i": p, "P_union_orthonormal": pu,
              "bound_n_exp(-m rho)": math.exp(logbound), "log_P_single": lp, "log_bound": logbound}
    return _case("L-23", replay_L23, {"m": m, "rho": rho, "n": n}, ok, margin, values)


def replay_L23(m, rho, n):
    """Replay one L-23 grid case (exact binomial tail, orthonormal data for the union)."""
    return _replay_one(_l23_case(m, rho, n), "exact binomial tail", "one (m, R/kappa, n) case")


def _l23_mc(ctx, m, rho, n, samples, seed):
    """Monte Carlo of P(exists i: |S_i^perp| > 4 m rho) on orthonormal data (kappa = 1)."""
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(samples, m, n))  # <w_r, x_i> for orthonormal x_i, kappa = 1
    cnt = ((Z >= -rho) & (Z < rho)).sum(axis=1)  # |S_i^perp|, shape (samples, n)
    fail = (cnt > 4 * m * rho).any(axis=1).astype(float)
    exact = tails.orthonormal_union(tails.binom_tail_gt(m, tails.p_activation_change(rho), 4 * m * rho), n)
    return V.mean_equals(fail, exact, alpha=ctx.alpha, rel_width=0.2, method="monte-carlo cross-check",
                         evidence={"m": m, "rho": rho, "n": n, "samples": samples, "seed": seed})


@item("L-23", title="|S_i^perp| <= 4 m R/kappa for all i w.p. >= 1 - n exp(-m R/kappa)",
      source="Lemma 23, p.49", kind="probability-bound")
def check_L23_set_size(ctx):
    """L-23 · Lemma 23, p.49 — |S_i^perp| <= 4 m R/kappa for all i w.p. >= 1 - n exp(-m R/kappa)."""
    rhos = sorted({float(f"{x:.6g}") for x in np.geomspace(1e-4, 1.0, 25)} | {0.25, 0.3, 0.5, 2.0})
    ns = [1, 2, 10, 100]
    cases = [_l23_case(m, rho, n) for n in ns for m in _m_grid(ctx, factor=16) for rho in rhos]
    regime = {"form": "Lemma 23 as printed (p.49); no hypothesis on R/kappa",
              "constant_profile": {}, "conditions": {"none printed": True}, "inside": True}
    out = fc(ctx, cases, method="exact binomial tail, union exact on orthonormal data",
                       covered={"m": [1, max(_m_grid(ctx, factor=16))], "R/kappa": [rhos[0], rhos[-1]], "n": ns},
                       regime=regime)
    mcs = [_l23_mc(ctx, 1, 0.2, 3, ctx.profile.mc_samples, ctx.int_seed("mc1")),
           _l23_mc(ctx, 2, 0.1, 2, ctx.profile.mc_samples, ctx.int_seed("mc2"))]
    out.evidence["mc_cross_check"] = [{"verdict": o.verdict, **o.evidence, "ci": o.confidence} for o in mcs]
    if any(o.verdict == V.VIOLATED for o in mcs):
        return V.inconclusive("the Monte Carlo cross-check disagrees with the exact binomial oracle",
                              method=out.method, evidence=out.evidence, regime=regime)
    return out


# ==================================================================================================
# L-24 Lemma 24 (p.49-50): |S_i^perp| <= 4 m R/kappa  =>  ||H^perp||_2 <= 4 n xi R/kappa


def h_perp(W, X, xi, Sperp):
    """N-6 / Lemma 24: ``H^perp_ij = (xi/m) <x_i,x_j> sum_{r in S_i^perp} 1{<w_r,x_i> >= 0, <w_r,x_j> >= 0}``.

    Args: W (m, d), X (n, d), Sperp (n, m) bool (row i is S_i^perp). Returns (n, n), not symmetric in general.
    """
    m = W.shape[0]
    act = (W @ X.T >= 0).astype(float)  # (m, n)
    G = X @ X.T
    both = (Sperp.astype(float) * act.T) @ act  # [i, j] = sum_{r in S_i^perp} act_ri act_rj
    return (xi / m) * G * both


def _l24_instance(kind, m, n, d, xi, kappa, rho, seed):
    rng = np.random.default_rng(seed)
    R = rho * kappa
    if kind == "adversarial":
        # nearly parallel unit data around e1; |S_i^perp| = floor(4 m rho) neurons sitting at <w,x> = R/2
        ang = 1e-3 * np.arange(n)
        X = np.zeros((n, d))
        X[:, 0], X[:, 1 % d] = np.cos(ang), np.sin(ang) if d > 1 else 0.0
        X /= np.linalg.norm(X, axis=1, keepdims=True)
        s = min(m, math.floor(4 * m * rho))
        W0 = np.zeros((m, d))
        W0[:, 0] = 10.0 * R + 1.0
        W0[:s, 0] = R / 2
        W = W0.copy()
    else:
        X = _unit_rows(rng, n, d)
        W0 = kappa * rng.normal(size=(m, d))
        U = rng.normal(size=(m, d))
        U *= (R * rng.uniform(size=(m, 1))) / np.linalg.norm(U, axis=1, keepdims=True)
        W = W0 + U  # weights in the R-ball around W0
    pre = W0 @ X.T
    Sperp = ((pre >= -R) & (pre < R)).T  # (n, m): A_ir (N-5)
    return X, W, Sperp


def _l24_case(kind, m, n, d, xi, kappa, rho, seed):
    X, W, Sperp = _l24_instance(kind, m, n, d, xi, kappa, rho, seed)
    sizes = Sperp.sum(axis=1)
    admissible = bool((sizes <= 4 * m * rho).all())
    H = h_perp(W, X, xi, Sperp)
    lhs = float(np.linalg.norm(H, 2))
    rhs = 4 * n * xi * rho
    ok, margin = V.bound_le(lhs, rhs)
    values = {"norm_H_perp": lhs, "bound_4n_xi_R/kappa": rhs, "max_S_perp": int(sizes.max()),
              "4mR/kappa": 4 * m * rho, "frobenius": float(np.linalg.norm(H)),
              "max_entry": float(np.abs(H).max()), "admissible": admissible}
    args = {"kind": kind, "m": m, "n": n, "d": d, "xi": xi, "kappa": kappa, "rho": rho, "seed": seed}
    return admissible, _case("L-24", replay_L24, args, ok, margin, values)


def replay_L24(kind, m, n, d, xi, kappa, rho, seed):
    adm, case = _l24_case(kind, m, n, d, xi, kappa, rho, seed)
    return _replay_one(case, "direct computation", "one instance")


@item("L-24", title="||H^perp||_2 <= 4 n xi R/kappa when |S_i^perp| <= 4 m R/kappa",
      source="Lemma 24, p.49-50", kind="bound")
def check_L24_hperp_norm(ctx):
    """L-24 · Lemma 24, p.49-50 — ||H^perp||_2 <= 4 n xi R/kappa when |S_i^perp| <= 4 m R/kappa."""
    cases, ratios, skipped = [], [], 0
    rng = ctx.rng("grid")
    for kind in ("adversarial", "random"):
        for m in (8, 40, 100, ctx.profile.max_m):
            for n in (1, 3, 6):
                for xi in (0.3, 1.0):
                    for rho in (0.01, 0.05, 0.2, 0.25):
                        d = 3
                        seed = int(rng.integers(2**31))
                        adm, c = _l24_case(kind, m, n, d, xi, 1.0 if kind == "adversarial" else 0.7, rho, seed)
                        if not adm:
                            skipped += 1
                            continue
                        cases.append(c)
                        v = c[2]["values"]
                        ratios.append(v["norm_H_perp"] / v["bound_4n_xi_R/kappa"])
    regime = {"form": "Lemma 24 (p.49-50)", "constant_profile": {},
              "conditions": {"|S_i^perp| <= 4 m R/kappa for all i": True}, "inside": True}
    return fc(ctx, cases, method="direct computation: random weights in the R-ball and an adversarial "
                        "construction (nearly parallel data, sets of maximal size)",
                        covered={"m": [8, ctx.profile.max_m], "n": [1, 6], "xi": [0.3, 1.0],
                                 "R/kappa": [0.01, 0.25]}, regime=regime,
                        evidence={"max_ratio_norm_to_bound": max(ratios), "instances_not_admissible": skipped})


# ==================================================================================================
# L-29 Lemma 29 (p.53): ||W_0||_F <= kappa sqrt(2md) - sqrt(m) R w.p. >= 1 - exp(-md/32)

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


# --- MGF inequality (P-1(g), L-29(b), L-30(b)) ----------------------------------------------------


def _s_grid(ctx):
    step = 1.0 / (10 * ctx.profile.xi_step)  # ci: 1e-3
    neg = np.arange(-5.0, 0.0, step * 5)
    pos = np.arange(step, 0.5, step)
    return sorted(set(np.round(np.concatenate([neg, pos, [0.5]]), 12).tolist()), key=abs)


def _l29b_case(t, kappa):
    s = t * kappa**2
    lhs = tails.chi2_1_centred_log_mgf(s)
    rhs = 2 * t**2 * kappa**4
    ok, margin = _le_log(lhs, rhs)
    values = {"s=t*kappa^2": s, "log_lhs_exp(-s)/sqrt(1-2s)": lhs, "log_rhs_2t^2kappa^4": rhs,
              "lhs": tails.chi2_1_centred_mgf(s), "rhs": math.exp(rhs)}
    return _case("L-29(b)", replay_L29b, {"t": t, "kappa": kappa}, ok, margin, values)


def replay_L29b(t, kappa):
    return _replay_one(_l29b_case(t, kappa), "closed-form MGF", "one t")


def _mgf_quadrature_cases(item_id, ss):
    """Independent check of the closed form E exp(s(Z^2-1)) = e^{-s}/sqrt(1-2s) by mpmath quadrature."""
    import mpmath as mp

    out = []
    with mp.workdps(30):
        for s in ss:
            f = lambda z, s=s: mp.exp(s * (z**2 - 1) - z**2 / 2) / mp.sqrt(2 * mp.pi)  # noqa: E731
            q = float(mp.quad(f, [-mp.inf, 0, mp.inf]))
            ok, margin = V.float_equal(q, tails.chi2_1_centred_mgf(s), rtol=1e-10)
            out.append((ok, margin, None))
    return out


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
    return out


def _l29c_case(m, d, t):
    s = t
    lhs = m * d * tails.chi2_1_centred_log_mgf(s)
    rhs = 2 * m * d * t**2
    ok, margin = _le_log(lhs, rhs)
    return _case("L-29(c)", replay_L29c, {"m": m, "d": d, "t": t}, ok, margin,
                 {"log_E_exp(t(||W||^2 - md kappa^2))": lhs, "log_rhs": rhs})


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
    return fc(ctx, cases, method="exact MGF (product of chi^2_1 MGFs)", covered={"s": [-5.0, 0.5]},
                        regime=regime)


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
    return fc(ctx, cases, method="exact chi-square tail", covered={"md": [1, 1000],
                        "t/(md kappa^2)": [0.1, 20.0], "kappa": [0.1, 1.0]}, regime=regime,
              evidence=_tail_branch_summary(cases, 2.0))


def _l29e_case(m, d, kappa, c):
    """Exact rational check: t = m d k^2 - 2 m k R sqrt(2d) + m R^2 with R = c k sqrt(d/32) equals
    m k^2 d (1 - c/2 + c^2/32), compared with (1/2) m d k^2; also t <= 2 m d k^2 (branch 1)."""
    m, d, kappa, c = int(m), int(d), Fraction(kappa), Fraction(c)
    t = m * kappa**2 * d * (1 - c / 2 + c**2 / 32)
    lo = Fraction(1, 2) * m * d * kappa**2
    ok = lo <= t <= 2 * m * d * kappa**2
    return _case("L-29(e)", replay_L29e, {"m": m, "d": d, "kappa": str(kappa), "c": str(c)}, ok,
                 float(t - lo), {"t": t, "md_kappa^2/2": lo})


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


# ==================================================================================================
# L-30 Lemma 30 (p.54-55): sum_r <w_{0,r},x_i>^2 <= 2 m kappa^2 - m R^2 for all i w.p. >= 1 - n exp(-m/32)


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


def _l30b_case(t, kappa, part):
    s = t * kappa**2
    true_log = tails.chi2_1_centred_log_mgf(s)
    printed_log = (-s - math.log1p(-2 * s)) if s < 0.5 else math.inf
    if part == "inequality":
        rhs = 2 * t * kappa**4
        ok, margin = _le_log(printed_log, rhs)
        values = {"printed_lhs_e^{-t k^2}/(1-2t k^2)": math.exp(printed_log) if printed_log < 700 else "inf",
                  "rhs_e^{2 t k^4}": math.exp(rhs), "true_mgf_e^{-s}/sqrt(1-2s)":
                  math.exp(true_log) if true_log < 700 else "inf"}
    else:
        ok, margin = V.float_equal(math.exp(printed_log), math.exp(true_log))
        values = {"printed_mgf": math.exp(printed_log), "true_mgf": math.exp(true_log)}
    return _case("L-30(b)", replay_L30b, {"t": t, "kappa": kappa, "part": part}, ok, margin, values)


def replay_L30b(t, kappa, part):
    return _replay_one(_l30b_case(t, kappa, part), "closed form as printed", "one t")


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
    return fc(ctx, cases, method="closed forms evaluated as printed", covered={"s = t kappa^2": [-5, 0.5],
                        "kappa": [0.1, 1.0]}, regime=regime,
                        evidence={"true_mgf": "E exp(t(omega - kappa^2)) = exp(-t kappa^2)/sqrt(1 - 2 t kappa^2) "
                                  "(omega/kappa^2 ~ chi^2_1), +inf for t >= 1/(2 kappa^2)",
                                  "true_mgf_also_exceeds_e^{2tk^4}_at_kappa=1_for_s":
                                  [min(bad_true), max(bad_true)] if bad_true else None})


def _l30c_case(m, t, kappa):
    s = t * kappa**2
    lhs = m * tails.chi2_1_centred_log_mgf(s)
    rhs = 2 * m * t * kappa**4
    ok, margin = _le_log(lhs, rhs)
    return _case("L-30(c)", replay_L30c, {"m": m, "t": t, "kappa": kappa}, ok, margin,
                 {"log_true_E_exp": lhs, "log_rhs_2mtk^4": rhs})


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
    return fc(ctx, cases, method="exact MGF", covered={"s": [-5, 0.5], "m": [1, 100]}, regime=regime,
              evidence={"note": "as printed the exponent 2 m t kappa^4 is linear in t, so it is negative for t < 0 "
                                "while any centred MGF is >= 1 (Jensen); with t^2 (the p.53 form, L-29(c)) the "
                                "claim still fails near the end of the stated range",
                        "t^2_form_fails_for_s_in": [min(ok_sq), max(ok_sq)] if ok_sq else None})


def _l30d_case(m, t, kappa):
    tau = t / kappa**2
    ok, margin, values = _tail_case("L-30(d)", replay_L30d, m, tau, kappa, 2.0)
    if tau == 2 * m and ok is not False:  # both branches printed with equality at t = 2 m kappa^2
        lp = tails.chi2_logtail_ge(m, m + tau)
        ok, margin = _le_log(lp, -tau**2 * kappa**2 / 2.0)
    return _case("L-30(d)", replay_L30d, {"m": m, "t": t, "kappa": kappa}, ok, margin, values)


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
    return fc(ctx, cases, method="exact chi-square tail", covered={"m": [1, 1000], "t/(m kappa^2)": [0.1, 20]},
                        regime=regime, evidence=_tail_branch_summary(cases, 2.0))


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
    return fc(ctx, cases, method="exact chi-square tail; exact rationals for m k^2/2 <= t <= m k^2",
                        covered={"m": [1, ms[-1]], "(R/kappa)^2": rho2s}, regime=regime,
                        evidence={"failures_per_(R/kappa)^2": fails, "smallest_failing_m_per_(R/kappa)^2": first,
                                  "note": "t = m kappa^2 - m R^2 lies in [m kappa^2/2, m kappa^2] exactly when "
                                          "R <= kappa/sqrt 2 (checked in rationals per case); branch 1 gives "
                                          "exp(-t^2/(8 m kappa^4)) in [exp(-m/8), exp(-m/32)], i.e. exp(-m/8) only "
                                          "at R = 0; the lemma's statement uses exp(-m/32) (checked under L-30). "
                                          "The chi-square tail is free of kappa, so kappa <= 1 holds for every case."})


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


# ==================================================================================================
# L-33 Lemma 33 (p.58-59): E_{W0,a} ||y - u_0||^2 <= C^2 n for |y_i| <= C - 1, C >= 1


def _u0_samples(X, m, xi, kappa, samples, rng):
    """Samples of u_0 = xi f(W_0, X) over (W_0, a) (S-1, S-4). Returns (samples, n)."""
    n, d = X.shape
    out = np.empty((samples, n))
    chunk = max(1, 200000 // max(1, m * d))
    for s0 in range(0, samples, chunk):
        s1 = min(samples, s0 + chunk)
        W = kappa * rng.normal(size=(s1 - s0, m, d))
        a = rng.choice([-1.0, 1.0], size=(s1 - s0, m))
        out[s0:s1] = xi / math.sqrt(m) * np.einsum("sm,smn->sn", a, np.maximum(W @ X.T, 0.0))
    return out


def _l33_instance(n, d, C, seed):
    rng = np.random.default_rng(seed)
    X = _unit_rows(rng, n, d)
    y = (C - 1.0) * np.where(np.arange(n) % 2 == 0, 1.0, -1.0)  # boundary |y_i| = C - 1
    return X, y, rng


def _l33_mc(n, m, d, xi, kappa, C, seed, samples, alpha):
    X, y, rng = _l33_instance(n, d, C, seed)
    u = _u0_samples(X, m, xi, kappa, samples, rng)
    v = ((y - u) ** 2).sum(axis=1)
    exact = float((y**2).sum() + n * xi**2 * kappa**2 / 2)
    args = {"n": n, "m": m, "d": d, "xi": xi, "kappa": kappa, "C": C, "seed": seed, "samples": samples,
            "alpha": alpha}
    w = V.counterexample("L-33", replay_L33, args, {"mean": float(v.mean()), "bound_C^2n": C**2 * n,
                                                    "exact_sum_y^2+n_xi^2_kappa^2/2": exact})
    regime = {"form": "Lemma 33 (p.58)", "constant_profile": {"kappa": kappa},
              "conditions": {"|y_i| <= C - 1": True, "C >= 1": C >= 1, "unit x_i": True}, "inside": C >= 1}
    return V.mean_le_bound(v, C**2 * n, alpha=alpha, witness=w, regime=regime,
                           evidence={**args, "exact_value": exact})


def replay_L33(n, m, d, xi, kappa, C, seed, samples, alpha):
    return _l33_mc(n, m, d, xi, kappa, C, seed, samples, alpha)


@item("L-33", title="E_{W0,a} ||y - u_0||^2 <= C^2 n for |y_i| <= C - 1", source="Lemma 33, p.58-59",
      kind="bound")
def check_L33_initial_loss(ctx):
    """L-33 · Lemma 33, p.58-59 — E_{W0,a} ||y - u_0||^2 <= C^2 n for |y_i| <= C - 1."""
    S = ctx.profile.mc_samples
    outs = []
    for kappa in (0.5, 1.0, 1.5, 2.0, 4.0):
        for C in (1.0, 2.0):
            for xi in (0.5, 1.0):
                for (n, m, d) in ((1, 16, 3), (3, 1, 1), (3, 16, 3)):
                    outs.append(_l33_mc(n, m, d, xi, kappa, C, ctx.int_seed(f"{kappa}{C}{xi}{n}{m}"), S, ctx.alpha))
    summary = [{"kappa": o.evidence["kappa"], "C": o.evidence["C"], "xi": o.evidence["xi"], "n": o.evidence["n"],
                "m": o.evidence["m"], "verdict": o.verdict, "mean": o.evidence["mean"],
                "bound": o.evidence["bound"]} for o in outs]
    viol = [o for o in outs if o.verdict == V.VIOLATED]
    if viol:
        # the smallest kappa whose violation survives a family-wise (Holm) correction comfortably
        robust = [o for o in viol if o.p_value is not None and o.p_value <= ctx.alpha * 1e-3]
        o = robust[0] if robust else min(viol, key=lambda v: v.p_value if v.p_value is not None else 1.0)
        o.evidence["sweep"] = summary
        o.evidence["smallest_violating_kappa_in_sweep"] = viol[0].evidence["kappa"]
        o.evidence["exact_E||y-u0||^2"] = "sum_i y_i^2 + n xi^2 kappa^2/2 (unit x_i); exceeds C^2 n iff " \
                                          "xi^2 kappa^2/2 > 2C - 1 at |y_i| = C - 1"
        o.evidence["scope"] = ("Lemma 33 (p.58) prints only |y_i| <= C - 1, C >= 1; kappa is the free initialisation "
                               "scale of S-1, so the witness is admissible as printed. The statement holds exactly for "
                               "xi kappa <= sqrt(2) (hence for every kappa <= 1, the range of Lemmas 29-30 that the "
                               "proof of Theorem 3 uses together with Lemma 33, and for kappa = n^{-1/2} of p.8); it "
                               "fails only for xi^2 kappa^2/2 > 2C - 1. The proof's error (E[(u_0^(i))^2] = xi^2 "
                               "instead of xi^2 kappa^2/2, L-33(b)) makes the bound looser, not tighter, for kappa <= 1.")
        o.regime = {**(o.regime or {}), "not_printed_in_lemma_33": {
            "kappa <= 1 (Lemmas 29-30, p.53-54)": o.evidence["kappa"] <= 1,
            "xi kappa <= sqrt(2) (where the statement holds exactly)": o.evidence["xi"] * o.evidence["kappa"]
            <= math.sqrt(2)}}
        return o
    if any(o.verdict == V.INCONCLUSIVE for o in outs):
        return V.inconclusive("some Monte Carlo intervals contain the bound", method="monte-carlo",
                              evidence={"sweep": summary})
    return V.Outcome(V.HOLDS, "monte-carlo", {"sweep": summary, "kappa_range": [0.5, 4.0]},
                     confidence={"false_alarm_rate": ctx.alpha, "samples": S})


@item("L-33(a)", title="E_{W0,a}[u_0^(i)] = 0", source="Lemma 33 proof, p.58", kind="identity")
def check_L33a_mean_zero(ctx):
    """L-33(a) · Lemma 33 proof, p.58 — E_{W0,a}[u_0^(i)] = 0."""
    import itertools

    rng = ctx.rng("a")
    cases = []
    for m in (1, 3, 8):
        X = _unit_rows(rng, 2, 3)
        W = rng.normal(size=(m, 3))
        sig = np.maximum(W @ X.T, 0.0)  # (m, n)
        tot = np.zeros(2)
        for a in itertools.product([1.0, -1.0], repeat=m - 1):
            a = np.array((1.0,) + a)
            tot += (a @ sig) + ((-a) @ sig)  # a and -a cancel exactly
        mean = tot / 2**m
        ok, margin = V.float_equal(float(np.abs(mean).max()), 0.0)
        cases.append((ok, margin, None))
    return fc(ctx, cases, method="exact enumeration over a in {-1,1}^m for fixed W_0 (then any law of W_0)",
                        covered={"m": [1, 3, 8]})


def _l33_moment_mc(which, n, m, d, xi, kappa, yv, seed, samples, alpha):
    rng = np.random.default_rng(seed)
    X = _unit_rows(rng, n, d)
    u = _u0_samples(X, m, xi, kappa, samples, rng)
    y = np.full(n, yv)
    if which == "b":
        s, target, exact = u[:, 0] ** 2, xi**2, xi**2 * kappa**2 / 2
    elif which == "c":
        s, target, exact = (yv - u[:, 0]) ** 2, yv**2 + xi**2, yv**2 + xi**2 * kappa**2 / 2
    else:
        s, target, exact = ((y - u) ** 2).sum(axis=1), n * yv**2 + n * xi**2, n * yv**2 + n * xi**2 * kappa**2 / 2
    item_id = {"b": "L-33(b)", "c": "L-33(c)", "d": "L-33(d)"}[which]
    args = {"which": which, "n": n, "m": m, "d": d, "xi": xi, "kappa": kappa, "yv": yv, "seed": seed,
            "samples": samples, "alpha": alpha}
    w = V.counterexample(item_id, replay_L33_moment, args, {"mean": float(s.mean()), "printed_value": target,
                                                             "exact_value": exact})
    return V.mean_equals(s, target, alpha=alpha, rel_width=0.1, witness=w,
                         evidence={**args, "printed_value": target, "exact_value": exact})


def replay_L33_moment(which, n, m, d, xi, kappa, yv, seed, samples, alpha):
    return _l33_moment_mc(which, n, m, d, xi, kappa, yv, seed, samples, alpha)


def _l33_moment_check(ctx, which):
    S = ctx.profile.mc_samples
    outs = [_l33_moment_mc(which, 2, m, 3, xi, kappa, 0.5, ctx.int_seed(f"{which}{m}{xi}{kappa}"), S, ctx.alpha)
            for kappa in (1.0, math.sqrt(2.0), 0.5) for xi in (1.0, 0.5) for m in (4, 32)]
    for o in outs:
        if o.verdict == V.VIOLATED:
            o.evidence["exact_note"] = ("exact E[(u_0^(i))^2] = xi^2 kappa^2/2 for unit x_i (relu halves the "
                                        "second moment; w ~ N(0, kappa^2 I)); the printed chain drops sigma "
                                        "(factor 1/2) and uses E[w_{0,r,d'}^2] = 1 (i.e. kappa = 1); the printed "
                                        "value is right only at kappa = sqrt 2")
            o.regime = {"form": "proof of Lemma 33 (p.58-59), W_0 rows ~ N(0, kappa^2 I), a ~ Unif{-1,1}, unit x_i",
                        "constant_profile": {"kappa": o.evidence["kappa"], "xi": o.evidence["xi"]},
                        "conditions": {"kappa <= 1 (Lemmas 29-30)": o.evidence["kappa"] <= 1,
                                       "xi in (0, 1]": 0 < o.evidence["xi"] <= 1, "unit x_i": True},
                        "inside": o.evidence["kappa"] <= 1 and 0 < o.evidence["xi"] <= 1}
            return o
    if any(o.verdict != V.HOLDS for o in outs):
        return V.inconclusive("some intervals too wide", method="monte-carlo",
                              evidence={"runs": [o.evidence for o in outs]})
    return V.Outcome(V.HOLDS, "monte-carlo", {"runs": len(outs)})


@item("L-33(b)", title="E_{W0,a}[(u_0^(i))^2] = xi^2", source="Lemma 33 proof, p.58", kind="identity")
def check_L33b_second_moment(ctx):
    """L-33(b) · Lemma 33 proof, p.58 — E_{W0,a}[(u_0^(i))^2] = xi^2."""
    return _l33_moment_check(ctx, "b")


@item("L-33(c)", title="E[(y_i - u_0^(i))^2] = y_i^2 + xi^2", source="Lemma 33 proof, p.59", kind="identity")
def check_L33c_cross(ctx):
    """L-33(c) · Lemma 33 proof, p.59 — E[(y_i - u_0^(i))^2] = y_i^2 + xi^2."""
    return _l33_moment_check(ctx, "c")


@item("L-33(d)", title="E||y - u_0||^2 = sum_i y_i^2 + xi^2 n <= C^2 n", source="Lemma 33 proof, p.59",
      kind="identity")
def check_L33d_sum(ctx):
    """L-33(d) · Lemma 33 proof, p.59 — E||y - u_0||^2 = sum_i y_i^2 + xi^2 n <= C^2 n."""
    eq = _l33_moment_check(ctx, "d")
    # the final inequality sum y_i^2 + xi^2 n <= C^2 n under |y_i| <= C - 1, exactly over a rational grid
    cases = []
    for C in (Fraction(1), Fraction(3, 2), Fraction(2), Fraction(5)):
        for xi in (Fraction(1, 10), Fraction(1, 2), Fraction(1)):
            ok, margin = V.bound_le(float((C - 1) ** 2 + xi**2), float(C**2))
            ok = (C - 1) ** 2 + xi**2 <= C**2
            cases.append((ok, float(C**2 - (C - 1) ** 2 - xi**2), None))
    ineq = fc(ctx, cases, method="exact rationals at |y_i| = C - 1", covered="C in [1, 5], xi in (0, 1]")
    return V.combine([eq, ineq], method="Monte Carlo for the equality, exact for the final inequality")


# ==================================================================================================
# P-2(d) (p.19, p.49): P(A_ir) <= 2R/(kappa sqrt(2 pi)) <= R/kappa; E[1{A}^2] = 2R/(kappa sqrt(2 pi))


def _p2d_case(rho, part):
    pa = tails.p_activation_change(rho)
    mid = 2 * rho / math.sqrt(2 * math.pi)
    if part == "chain":
        ok1, m1 = V.bound_le(pa, mid)
        ok2, m2 = V.bound_le(mid, rho)
        ok3, m3 = V.bound_le(pa * (1 - pa), pa)  # Var(1{A}) <= E[1{A}^2] (p.49)
        ok = next((o for o in (ok1, ok2, ok3) if o is not True), True)
        margin = min(m1, m2, m3)
    else:  # p.49 prints E[1{A_ir}^2] = 2R/(kappa sqrt(2 pi)) with equality
        ok, margin = V.float_equal(pa, mid)
    return _case("P-2(d)", replay_P2d, {"rho": rho, "part": part}, ok, margin,
                 {"P(A_ir)=E[1{A}^2]=erf(rho/sqrt2)": pa, "2R/(kappa sqrt(2pi))": mid, "R/kappa": rho})


def replay_P2d(rho, part):
    return _replay_one(_p2d_case(rho, part), "exact erf", "one R/kappa")


@item("P-2(d)", title="P(A_ir) <= 2R/(kappa sqrt(2pi)) <= R/kappa; E[1{A_ir}^2] = 2R/(kappa sqrt(2pi))",
      source="p.19, p.49", kind="bound")
def check_P2d_activation_probability(ctx):
    """P-2(d) · p.19, p.49 — P(A_ir) <= 2R/(kappa sqrt(2pi)) <= R/kappa; E[1{A_ir}^2] = 2R/(kappa sqrt(2pi))."""
    rhos = sorted(set(np.geomspace(1e-4, 10.0, 60).tolist()))
    chain = [_p2d_case(r, "chain") for r in rhos]
    # equality cases nearest R/kappa = 1/2 first (the R <= kappa/sqrt 2 regime of Lemma 30), so the witness
    # shows a difference far above float64 noise; at R/kappa -> 0 the relative gap is only ~ (R/kappa)^2/6
    eq = [_p2d_case(r, "equality") for r in sorted(rhos, key=lambda r: abs(math.log(r / 0.5)))]
    return fc(ctx, chain + eq, method="exact P(A_ir) = erf(R/(kappa sqrt 2)) (N-5)",
                        covered={"R/kappa": [rhos[0], rhos[-1]]},
                        evidence={"note": "the chain of inequalities is the p.19 claim; the equality is the "
                                  "p.49 display E[1{A}^2] = 2R/(kappa sqrt(2 pi))",
                                  "chain_p19_holds": all(c[0] is True for c in chain),
                                  "equality_as_<=_holds": all(float(c[2]["values"]["P(A_ir)=E[1{A}^2]=erf(rho/sqrt2)"])
                                                              <= float(c[2]["values"]["2R/(kappa sqrt(2pi))"]) for c in eq),
                                  "reading": "violated only through the '=' printed on p.49 (erf(x) < 2x/sqrt(pi) "
                                             "for x > 0); read as '<=' it holds and its use in Lemma 23 is "
                                             "unaffected"})


# ==================================================================================================
# P-1 Appendix A tools (p.17-18), evaluated as printed


def _gauss_mgf(t, sigma):
    return math.exp(sigma**2 * t**2 / 2)


def _p1a_case(dist, t, kappa):
    if dist == "gaussian":
        lhs = _gauss_mgf(t, kappa)
    elif dist == "rademacher":
        lhs = math.cosh(t)
    elif dist == "uniform[-1,1]":
        lhs = math.sinh(t) / t if t != 0 else 1.0
    else:  # constant 0
        lhs = 1.0
    ok, margin = V.bound_le(lhs, math.exp(kappa**2 * t**2 / 2))
    return _case("P-1(a)", replay_P1a, {"dist": dist, "t": t, "kappa": kappa}, ok, margin,
                 {"E[e^{tX}]": lhs, "e^{kappa^2 t^2/2}": math.exp(kappa**2 * t**2 / 2)})


def replay_P1a(dist, t, kappa):
    return _replay_one(_p1a_case(dist, t, kappa), "closed-form MGF", "one t")


@item("P-1(a)", title="Definition 2 (sub-Gaussian) on standard distributions", source="Appendix A, p.17",
      kind="definition")
def check_P1a_subgaussian(ctx):
    """P-1(a) · Appendix A, p.17 — Definition 2 (sub-Gaussian) on standard distributions."""
    ts = [t for t in np.linspace(-10, 10, 401).tolist()]
    cases = [_p1a_case(dist, t, k) for dist, k in (("gaussian", 0.7), ("rademacher", 1.0),
                                                   ("uniform[-1,1]", 1.0), ("constant 0", 0.0)) for t in ts]
    return fc(ctx, cases, method="closed-form MGFs of variables that are sub-Gaussian with the stated "
                        "kappa in the standard sense", covered={"t": [-10, 10]},
                        evidence={"note": "a non-zero constant c satisfies no kappa (the printed definition has "
                                  "no centring; the standard definition requires E X = 0)"})


def _p1b_case(dist, t, kp):
    # Definition 3 as printed: E[e^{t(X-mu)}] <= e^{-t^2 kappa'^2/2} (minus sign)
    if dist == "centred chi2_1 (paper's (2,2) for kappa=1)":
        lhs = tails.chi2_1_centred_mgf(t)
    elif dist == "gaussian":
        lhs = _gauss_mgf(t, 1.0)
    else:
        lhs = 1.0
    rhs = math.exp(-(t**2) * kp**2 / 2)
    ok, margin = V.bound_le(lhs, rhs)
    return _case("P-1(b)", replay_P1b, {"dist": dist, "t": t, "kp": kp}, ok, margin,
                 {"E[e^{t(X-mu)}]": lhs, "printed_bound_e^{-t^2 k'^2/2}": rhs})


def replay_P1b(dist, t, kp):
    return _replay_one(_p1b_case(dist, t, kp), "closed-form MGF", "one t")


@item("P-1(b)", title="Definition 3 (sub-exponential) as printed admits the variables it is applied to",
      source="Appendix A, p.17", kind="definition")
def check_P1b_subexponential_definition(ctx):
    """P-1(b) · Appendix A, p.17 — Definition 3 (sub-exponential) as printed admits the variables it is applied to.
    """
    # By Jensen E[e^{t(X-mu)}] >= 1 >= e^{-t^2 k'^2/2}: only constants satisfy the printed definition.
    # The paper applies it to w^2 with (2 kappa^2, 2 kappa^2) (Lemma 29) -- checked here as printed.
    ts = sorted((k / 200 for k in range(-100, 101) if k != 0), key=abs)
    cases = [_p1b_case("centred chi2_1 (paper's (2,2) for kappa=1)", t, 2.0) for t in ts]
    cases += [_p1b_case("gaussian", t, 1.0) for t in ts]
    cases += [_p1b_case("constant", t, 0.0) for t in ts]  # kappa' = 0: the only pairs admitted
    # Sign corrected (e^{+t^2 kappa'^2/2}), centred chi^2_1 (kappa = 1): the paper's (2, 2) on its range
    # t <= 1/2 (= P-1(g)), and the standard (2, 4) on t <= 1/4.
    grid = np.linspace(-5.0, 0.5, 1101)[:-1].tolist()
    fail_22 = [t for t in grid if tails.chi2_1_centred_log_mgf(t) > 2 * t * t + 1e-12]
    ok_24 = all(tails.chi2_1_centred_log_mgf(t) <= 2 * t * t + 1e-12 for t in grid if t <= 0.25)
    return fc(ctx, cases, method="closed-form MGFs against the printed right side e^{-t^2 kappa'^2/2}",
                        covered={"t": [-0.5, 0.5]},
                        evidence={"note": "E e^{t(X-mu)} >= 1 by Jensen while e^{-t^2 kappa'^2/2} < 1 for t != 0, "
                                  "so only constants with kappa' = 0 satisfy the printed definition; the standard "
                                  "definition has e^{+t^2 kappa'^2/2} and |t| < 1/alpha",
                                  "reading": "as printed (minus sign: evidently a typo, but it is what p.17 prints)",
                                  "sign_corrected": {
                                      "centred chi2_1 with the paper's (kappa', alpha) = (2, 2), t <= 1/2":
                                          "fails" if fail_22 else "holds",
                                      "failing_t_range": [min(fail_22), max(fail_22)] if fail_22 else None,
                                      "centred chi2_1 with the standard (2, 4), t <= 1/4": "holds" if ok_24
                                      else "fails",
                                      "see": "P-1(g), L-29(b)"}})


def _p1c_case(dist, nu, alpha, t):
    """Property 1 as printed, for variables that are (nu, alpha)-sub-exponential in the standard sense
    (Wainwright Def. 2.7: E e^{l(X-mu)} <= e^{nu^2 l^2/2} for |l| < 1/alpha): Gaussian N(0,1) is (1, alpha)
    for every alpha > 0; centred chi^2_1 is (2, 4)."""
    if dist == "gaussian":
        p = float(__import__("scipy").stats.norm.sf(t))
    else:
        p = tails.chi2_tail_ge(1, 1 + t)
    bound = math.exp(-t**2 / (2 * nu**2)) if t <= nu**2 / alpha else math.exp(-t**2 / (2 * alpha))
    ok, margin = V.bound_le(p, bound)
    return _case("P-1(c)", replay_P1c, {"dist": dist, "nu": nu, "alpha": alpha, "t": t}, ok, margin,
                 {"P(X > mu + t)": p, "printed_bound": bound, "branch": 1 if t <= nu**2 / alpha else 2})


def replay_P1c(dist, nu, alpha, t):
    return _replay_one(_p1c_case(dist, nu, alpha, t), "exact tail", "one t")


@item("P-1(c)", title="Property 1 (sub-exponential tail bound) as printed", source="Appendix A, p.17",
      kind="bound")
def check_P1c_subexp_tail(ctx):
    """P-1(c) · Appendix A, p.17 — Property 1 (sub-exponential tail bound) as printed."""
    ts = np.linspace(0.0, 20.0, 201).tolist()
    cases = [_p1c_case(dist, nu, al, t) for dist, nu, al in (("chi2_1 centred", 2.0, 4.0), ("gaussian", 1.0, 1.0),
                                                              ("gaussian", 1.0, 0.5)) for t in ts]
    # The witnesses satisfy Definition 3 with only its sign corrected (range t <= 1/alpha as printed):
    grid = [v for v in np.linspace(-20.0, 0.25, 2026).tolist()]
    chi_ok = all(tails.chi2_1_centred_log_mgf(v) <= 2.0 * v * v + 1e-12 for v in grid)   # (nu, alpha) = (2, 4)
    std_ok = True
    for _, _, wit in cases:
        a, v = wit["args"], wit["values"]
        if a["t"] > a["nu"] ** 2 / a["alpha"]:
            std_ok = std_ok and float(v["P(X > mu + t)"]) <= math.exp(-a["t"] / (2 * a["alpha"])) * (1 + 1e-12)
    return fc(ctx, cases, method="exact tails of standard sub-exponential variables (standard definition; "
                        "under the printed Definition 3 only constants qualify and Property 1 is vacuous)",
                        covered={"t": [0, 20]},
                        evidence={"reading": "Property 1 as printed (branch 2 e^{-t^2/(2 alpha)}), for variables that "
                                             "satisfy Definition 3 with its sign corrected; under Definition 3 exactly "
                                             "as printed only constants qualify and Property 1 holds vacuously. The "
                                             "printed t^2 is carried into Lemmas 29(d) and 30(d).",
                                  "witnesses_satisfy_sign_corrected_definition_3 (chi2_1: (2,4), t in [-20, 1/4]; "
                                  "N(0,1): exact)": chi_ok,
                                  "standard_branch_2_e^{-t/(2 alpha)}_holds_on_grid": std_ok})


@item("P-1(d)", title="Property 2 (Markov): P(X >= a) <= E[X]/a", source="Appendix A, p.17", kind="bound")
def check_P1d_markov(ctx):
    """P-1(d) · Appendix A, p.17 — Property 2 (Markov): P(X >= a) <= E[X]/a."""
    from scipy import stats

    cases = []
    for _name, dist in (("exp(1)", stats.expon()), ("chi2_3", stats.chi2(3)), ("uniform[0,2]", stats.uniform(0, 2)),
                       ("bernoulli(0.3)", stats.bernoulli(0.3))):
        for a in np.geomspace(1e-3, 50, 80):
            ok, margin = V.bound_le(float(dist.sf(a) + (dist.pmf(a) if hasattr(dist, "pmf") else 0.0)),
                                    float(dist.mean()) / a)
            cases.append((ok, margin, None))
    for a in (0.5, 1.0, 2.0):  # constant X = 1
        ok, margin = V.bound_le(1.0 if a <= 1.0 else 0.0, 1.0 / a)
        cases.append((ok, margin, None))
    return fc(ctx, cases, method="closed-form tails", covered={"a": "(0, 50] (a > 0 implicit; a <= 0 makes "
                        "the printed right side non-positive)"})


def _p1e_case(n, t):
    t = Fraction(t)
    p = tails.rademacher_mean_tail(n, t)
    import mpmath as mp

    with mp.workdps(40):
        b = mp.e ** (-2 * n * mp.mpf(t.numerator) ** 2 / mp.mpf(t.denominator) ** 2)
        ok = mp.mpf(p.numerator) / p.denominator <= b
        margin = float(b - mp.mpf(p.numerator) / p.denominator)
    correct = 2 * math.exp(-n * float(t) ** 2 / 2)
    return _case("P-1(e)", replay_P1e, {"n": n, "t": str(t)}, bool(ok), margin,
                 {"P_exact": p, "printed_e^{-2nt^2}": float(b), "correct_2e^{-nt^2/2}": correct,
                  "correct_form_holds": float(p) <= correct})


def replay_P1e(n, t):
    return _replay_one(_p1e_case(n, t), "exact binomial (Rademacher sums)", "one (n, t)")


@item("P-1(e)", title="Property 3 (Hoeffding) as printed: P(|mean| >= t) <= e^{-2nt^2} for |X_i| <= 1",
      source="Appendix A, p.17", kind="probability-bound")
def check_P1e_hoeffding(ctx):
    """P-1(e) · Appendix A, p.17 — Property 3 (Hoeffding) as printed: P(|mean| >= t) <= e^{-2nt^2} for |X_i| <= 1.
    """
    ts = [Fraction(k, 20) for k in range(1, 21)]
    cases = [_p1e_case(n, t) for n in range(1, 1 + min(60, ctx.profile.p_max * 2)) for t in ts]
    correct_ok = all(c[2]["values"]["correct_form_holds"] for c in cases)
    return fc(ctx, cases, method="exact Rademacher-sum law (rational arithmetic, mpmath bound)",
                        covered={"n": [1, min(60, ctx.profile.p_max * 2)], "t": "1/20..1"},
                        evidence={"correct_form_2exp(-n t^2/2)_holds_on_grid": correct_ok})


def _p1f_case(kind, n, t):
    # X_i Rademacher, M = 1, sum E X_j^2 = n.  "iid": independent (exact binomial); "copies": X_i = X_1.
    bound = math.exp(-(t**2 / 2) / (n + t / 3))
    if kind == "iid":
        b = math.floor((t + n) / 2)  # sum = 2B - n > t  <=>  B > (t + n)/2
        from scipy import stats

        p = float(stats.binom.sf(b, n, 0.5))
    else:
        p = 0.5 if t < n else 0.0
    ok, margin = V.bound_le(p, bound)
    return _case("P-1(f)", replay_P1f, {"kind": kind, "n": n, "t": t}, ok, margin,
                 {"P(sum > t)": p, "printed_bound": bound})


def replay_P1f(kind, n, t):
    return _replay_one(_p1f_case(kind, n, t), "exact law", "one (n, t)")


@item("P-1(f)", title="Property 4 (Bernstein) as printed (no independence hypothesis printed)",
      source="Appendix A, p.18", kind="probability-bound")
def check_P1f_bernstein(ctx):
    """P-1(f) · Appendix A, p.18 — Property 4 (Bernstein) as printed (no independence hypothesis printed)."""
    cases = [_p1f_case("iid", n, t) for n in range(1, 41) for t in np.linspace(0.1, n, 25).tolist()]
    cases += [_p1f_case("copies", n, t) for n in range(1, 11) for t in np.linspace(0.1, n - 0.01, 25).tolist()]
    iid_ok = all(c[0] for c in cases[: 40 * 25])
    return fc(ctx, cases, method="exact laws: independent Rademacher sums, and identical copies (mean zero, "
                        "|X_i| <= 1, dependent -- the printed statement does not assume independence)",
                        covered={"n": [1, 40]}, evidence={"independent_case_holds": iid_ok,
                                                          "reading": "violated only because p.18 prints no "
                                                          "independence hypothesis (dependent copies X_i = X_1); "
                                                          "with independence (standard Bernstein) every case on "
                                                          "the grid holds"})


@item("P-1(g)", title="MGF claims of Lemmas 29 (p.53) and 30 (p.55), both printed forms", source="p.53, p.55",
      kind="bound")
def check_P1g_mgf_forms(ctx):
    """P-1(g) · p.53, p.55 — MGF claims of Lemmas 29 (p.53) and 30 (p.55), both printed forms."""
    a = check_L29b_mgf(ctx)
    b = check_L30b_mgf_printed(ctx)
    out = V.combine([a, b], method="both printed forms on a fine s-grid of the stated range")
    out.evidence["forms"] = {"p.53": a.verdict, "p.55": b.verdict}
    return _own(out, ctx)


def _own(out, ctx):
    """Label a combined outcome's counterexample with this item (the evaluator is the sub-claim's)."""
    if out.counterexample and out.counterexample.get("item") != ctx.item_id:
        out.counterexample = {**out.counterexample, "item": ctx.item_id, "via": out.counterexample["item"]}
    return out


@item("P-1(h)", title="Property 5 (Jensen): E[X^{1/2}] <= (E X)^{1/2}", source="Appendix A, p.18", kind="bound")
def check_P1h_jensen(ctx):
    """P-1(h) · Appendix A, p.18 — Property 5 (Jensen): E[X^{1/2}] <= (E X)^{1/2}."""
    cases = []
    for k in range(1, 30):  # chi^2_k: E sqrt X = sqrt2 Gamma((k+1)/2)/Gamma(k/2)
        lhs = math.sqrt(2) * math.exp(math.lgamma((k + 1) / 2) - math.lgamma(k / 2))
        cases.append((*V.bound_le(lhs, math.sqrt(k)), None))
    for b in (0.5, 1.0, 7.0):  # uniform[0, b]: E sqrt X = (2/3) sqrt b
        cases.append((*V.bound_le(2 / 3 * math.sqrt(b), math.sqrt(b / 2)), None))
    cases.append((*V.bound_le(math.sqrt(math.pi) / 2, 1.0), None))  # exp(1)
    cases.append((*V.bound_le(math.sqrt(4.0), math.sqrt(4.0)), None))  # constant 4
    return fc(ctx, cases, method="closed forms", covered="chi^2_1..29, uniform, exponential, constant")


@item("P-1", title="Appendix A tools (p.17-18) and MGF claims, as printed", source="Appendix A, p.17-18",
      kind="claim")
def check_P1_tools(ctx):
    """P-1 · Appendix A, p.17-18 — Appendix A tools (p.17-18) and MGF claims, as printed."""
    parts = [check_P1a_subgaussian(ctx), check_P1b_subexponential_definition(ctx), check_P1c_subexp_tail(ctx),
             check_P1d_markov(ctx), check_P1e_hoeffding(ctx), check_P1f_bernstein(ctx), check_P1g_mgf_forms(ctx),
             check_P1h_jensen(ctx)]
    # The counterexample shown for P-1 is taken from the most substantive violated part first: (g) (the MGF
    # claims fail on their stated range, not through a misprint), then (e), (c), (f), (b).
    order = [6, 4, 2, 5, 1, 0, 3, 7]
    out = V.combine([parts[i] for i in order], method="conjunction of P-1(a)..(h)")
    out.evidence["parts"] = [{"verdict": p.verdict, "method": p.method} for p in parts]
    out.evidence["sub_verdicts"] = dict(zip("abcdefgh", [p.verdict for p in parts]))
    return _own(out, ctx)


# Theorem 2 and Theorem 34 explicit parts (registered on import)
from maskverify.properties import checks_theorem2  # noqa: E402,F401

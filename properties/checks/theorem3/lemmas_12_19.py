"""L-12..L-19 · Lemmas 12-19 (p.32-41): the bounds of Theorem 3's proof, on real local training.

Deterministic bounds (L-12, L-14) on local trajectories; bounds in expectation over M_k (L-13, L-15..L-19) by
enumeration or Monte Carlo over the masks with actual local training, decided only from the cases inside the
explicit hypotheses the lemma or its proof prints (:mod:`maskverify.properties.checks.shared.trajectory_support`).
"""

from __future__ import annotations

import math

import numpy as np

from maskverify.properties.checks.shared import trajectory_cases as TC
from maskverify.properties.checks.shared import trajectory_studies as ST
from maskverify.properties.checks.shared import trajectory_support as TS
from maskverify.properties.checks.shared.trajectory_outcomes import T4_CONSTANTS, _params, local_outcome
from maskverify.properties.framework import search
from maskverify.properties.framework import verdicts as V
from maskverify.properties.framework.registry import item
from maskverify.properties.oracles import quantities as Q

GAMMAS = (0.5, 0.1, 0.9)


def lemma_parts(ctx, item_id, form, *, cases=None, inside=None, collect=None):
    """``collect``: a list that receives (outcome, inside) per case (for corrected readings)."""
    parts = []
    for case in (cases or TC.bernoulli_step_cases(ctx)):
        res = ST.step_study(case)
        o = TC.BUILDERS[("step", item_id)](item_id, case, res, alpha=ctx.alpha)
        ins = TS.conds_all(res["cond"]) if inside is None else inside(case, res)
        if collect is not None:
            collect.append((o, ins))
        parts.append((o, ins, {**TS.case_summary(case), "lambda_0": res["lambda_0"],
                               "ratio": o.evidence.get("ratio_mean_to_bound", o.evidence.get("ratio")),
                               "conditions": res["cond"]}))
    return TS.inside_outcomes(parts, method="enumeration / Monte Carlo over M_k with local training", form=form,
                              constants=T4_CONSTANTS)


def _wargs(study, item_id, case, alpha=None):
    return TC.witness_args(study, item_id, case, **({} if alpha is None else {"alpha": alpha}))


@item("L-12", title="|uhat_t - uhat_0| bounds along local GD", source="Lemma 12, p.32", kind="bound")
def check_L12_local_outputs(ctx):
    return local_outcome(ctx, "L-12", {"R": "C-3", "eta": "C-8 and C-9"})


@TC.builder("step", "L-13")
def _l13(item_id, case, res, *, alpha, **_):
    P = _params(case, res)
    z = res["eI1"] - P["eta"] * res["theta"] * P["tau"] * res["eHe"]         # <e, I'_1> per mask
    return TC.abs_expect_le(_wargs("step", item_id, case, alpha), z, res["w"], Q.lemma13_rhs(res["e2"], **P),
                            alpha=alpha)


@item("L-13", title="|<y - u_k, E I'_1>| bound", source="Lemma 13, p.32", kind="bound")
def check_L13(ctx):
    """L-13 on the generated step cases, plus an adversarial Hypothesis search (``target()`` on the ratio
    |E<y - u_k, I'_1>| / bound) over small exactly-enumerable instances inside every explicit hypothesis."""
    out = lemma_parts(ctx, "L-13", "Lemma 13 p.32 with eta <= lambda_0/(16(tau-1)n^2)")
    found = {}

    def evaluate(args):
        case = l13_search_case(**args)
        res = ST.step_study(case)
        o = _l13("L-13", case, res, alpha=ctx.alpha)
        ins = TS.conds_all(res["cond"])
        if ins and o.verdict == V.VIOLATED:
            found.setdefault("outcome", o)
        ratio = abs(o.evidence["E"]) / o.evidence["bound"] if o.evidence["bound"] > 0 else math.inf
        return search.Observation(ratio=ratio, admissible=ins, values={**args, "ratio": ratio})

    res = search.search_claim(_l13_strategy(ctx), evaluate, ctx=ctx, label="L-13 |E<e, I'_1>| / bound")
    ev = {"adversarial_search": {**res.evidence(), "strategy": "seed, n, d in {2,3}, m in {16,32,64}, p in 1..3, xi, "
                                 "tau in 2..4, kappa, eta and R as fractions of their explicit bounds (C-9, C-4), W_k "
                                 "anywhere in the R-ball; Monte Carlo over M_k (samples from the profile)",
                                 "inside_instances": res.admissible},
          "inside_instances_total": out.evidence.get("inside_instances", 0) + res.admissible}
    if res.failing_args is not None and "outcome" in found:
        bad = found["outcome"]
        bad.evidence.update(ev)
        return V.combine([bad, out], method="step cases + adversarial search")
    out.evidence.update(ev)
    return out


def _l13_strategy(ctx):
    from hypothesis import strategies as st

    # Small widths (m <= 8) never meet the hypotheses: (4) along every local trajectory and lambda_min(H(k))
    # >= lambda_0/2 need m of tens; W_k and the local iterates must stay in the R-ball (small pert, eta).
    samples = max(200, ctx.profile.mc_samples // 10)

    @st.composite
    def draw(draw_):
        return {"seed": draw_(st.integers(0, 2**16)), "n": draw_(st.sampled_from([2, 3])),
                "d": draw_(st.sampled_from([2, 3])), "m": draw_(st.sampled_from([16, 32, 64])),
                "p": draw_(st.integers(1, 3)), "xi": draw_(st.sampled_from([0.25, 0.5, 0.75, 1.0])),
                "tau": draw_(st.integers(2, 4)), "kappa": draw_(st.sampled_from([0.5, 1.0])),
                "eta_fac": draw_(st.floats(0.001, 1.0)), "r_fac": draw_(st.floats(0.05, 1.0)),
                "pert": draw_(st.floats(0.0, 1.0)), "samples": samples}
    return draw()


def l13_search_case(seed, n, d, m, p, xi, tau, kappa, eta_fac, r_fac, pert, samples):
    """One L-13 search instance (JSON-able case dict of the step studies; Monte Carlo over M_k)."""
    rng = np.random.default_rng(int(seed))
    return TC._step_case(rng, kind="bernoulli", n=int(n), d=int(d), m=int(m), p=int(p), xi=float(xi), tau=int(tau),
                         kappa=float(kappa), eta_fac=float(eta_fac), r_fac=float(r_fac), mode="mc",
                         samples=int(samples), pert=float(pert))


@TC.builder("step", "L-13(a)")
def _l13a(item_id, case, res, **_):
    j = int(np.argmax(res["identity_13a"]))
    specs = [{"name": "per mask: w_{k+1}-w_k = -eta tau g_k - eta eta_{k,r} sum_l sum_{t>=1}(grad_t - grad_0) "
                      "(error relative to ||W_{k+1}||_F)", "lhs": float(res["identity_13a"][j]),
              "rhs": V.FLOAT64_RTOL, "inside": True, "mask_index": j}]
    if case["mode"] == "enum":
        g, l9 = res["g_mean"], res["lemma9"]
        specs.append({"name": "E[g_{k,r}] = (theta/xi) dL/dw_r + (theta(1-xi)/m) sum_i x_i sigma (exact enumeration)",
                      "lhs": float(np.linalg.norm(g - l9) / max(np.linalg.norm(l9), 1e-300)), "rhs": V.FLOAT64_RTOL,
                      "inside": True})
    return TC.det_cases(_wargs("step", item_id, case), specs, method="per mask; enumeration for the expectation",
                        covered=f"{len(res['w'])} masks")


@item("L-13(a)", title="E[w_{k+1,r} - w_{k,r}] decomposition", source="p.33", kind="identity")
def check_L13a(ctx):
    return lemma_parts(ctx, "L-13(a)", "p.33", inside=lambda c, r: True)


def _ball(res):
    return TS.conds_all(TC.pick(res["cond"], "for every mask (p.20"))


@TC.builder("step", "L-13(b)", "L-13(c)")
def _l13bc(item_id, case, res, **_):
    P = _params(case, res)
    w, e = res["w"], res["e"]
    EI1 = np.tensordot(w, res["I1"], 1)
    E2 = np.tensordot(w, res["E2"], 1)
    c = P["eta"] * res["theta"] * P["tau"]
    Hd = res["Hk"] - res["Hperp"]
    if item_id == "L-13(b)":
        lhs, rhs = EI1, c * Hd @ e - P["eta"] * (res["E1"] + E2)
        alt = c * Hd @ e - P["eta"] * (res["E1_indicator"] + E2)
        name = "E[I_1] = eta theta tau (H - H^perp) e - eta (E_1 + E_2), E_1 as printed (no 1{<w_r,x_i> >= 0})"
    else:
        lhs, rhs = EI1 - c * res["Hk"] @ e, c * res["Hperp"] @ e + P["eta"] * (res["E1"] + E2)
        alt = -(c * res["Hperp"] @ e + P["eta"] * (res["E1_indicator"] + E2))
        name = "E[I'_1] = eta theta tau H^perp e + eta (E_1 + E_2) as printed"
    scale = max(np.linalg.norm(lhs), np.linalg.norm(rhs), 1e-300)
    err = float(np.linalg.norm(lhs - rhs) / scale)
    err_alt = float(np.linalg.norm(lhs - alt) / max(np.linalg.norm(lhs), np.linalg.norm(alt), 1e-300))
    return TC.det_cases(_wargs("step", item_id, case),
                        [{"name": name + " (relative error <= 1e-9)", "lhs": err, "rhs": 1e-9, "inside": True,
                          "E[I]": lhs.tolist(), "printed_rhs": rhs.tolist()}],
                        method="exact enumeration over M_k", covered=f"{len(w)} masks",
                        evidence={"relative_error_printed": err, "relative_error_corrected": err_alt,
                                  "corrected_form": ("E_1 with the factor 1{<w_{k,r},x_i> >= 0}" if item_id == "L-13(b)"
                                                     else "-(eta theta tau H^perp e + eta(E_1 + E_2)), E_1 with indicator")})


def _enum_cases(ctx):
    return [c for c in TC.bernoulli_step_cases(ctx) if c["mode"] == "enum"]


@item("L-13(b)", title="E[I_1] in terms of H, H^perp, E_1, E_2", source="p.33", kind="identity")
def check_L13b(ctx):
    return _l13bc_check(ctx, "L-13(b)", "p.33 (exact; needs activation patterns on S_i unchanged: R-ball)",
                        "E[I_1] = eta theta tau (H - H^perp) e - eta (E_1 + E_2), E_1 with 1{<w_{k,r},x_i> >= 0}")


@item("L-13(c)", title="E[I'_1] = eta theta tau H^perp (y - u) + eta (E_1 + E_2)", source="p.34", kind="identity")
def check_L13c(ctx):
    return _l13bc_check(ctx, "L-13(c)", "p.34 (exact; R-ball)",
                        "E[I'_1] = -(eta theta tau H^perp e + eta (E_1 + E_2)), E_1 with the indicator")


def _l13bc_check(ctx, item_id, form, corrected_text):
    """L-13(b)/(c) as printed, and the corrected reading on the same inside cases (relative error <= 1e-9)."""
    got = []
    out = lemma_parts(ctx, item_id, form, cases=_enum_cases(ctx), inside=lambda c, r: _ball(r), collect=got)
    corr = [(*V.bound_le(o.evidence["relative_error_corrected"], 1e-9), None) for o, ins in got if ins]
    fix = V.corrected(corrected_text, V.from_cases(corr, method="exact enumeration over M_k",
                                                   covered=f"{len(corr)} inside cases (R-ball)"))
    return V.classify(out, V.TYPO, "none: Lemma 13 bounds |<y - u_k, E I'_1>| (sign-free) and is checked on its "
                      "own (L-13)", corrected_form=fix)


def weight_cases(ctx):
    """(X, W_0, W_k) for the deterministic weight lemmas: W_k on the R-ball, random or adversarial (each row
    moved by R along the gradient of E_1^(i) for one i)."""
    def build():
        rng = TS.shared_rng(ctx, "weights")
        out = []
        for c in range(ctx.profile.max_examples):
            n, d, m = 3, int(rng.choice([2, 3, 4])), int(rng.choice([16, 64, min(256, ctx.profile.max_m)]))
            xi, p, tau, kappa = float(rng.choice([0.3, 0.5, 0.9])), int(rng.integers(1, 4)), int(rng.integers(1, 4)), \
                float(rng.choice([1.0, 0.3]))
            X, _y = TS.unit_data(rng, n, d)
            W0, a = TS.init_weights(rng, m, d, kappa)
            lam0 = Q.lambda_0(X, xi)
            R = kappa * lam0 / (128 * n) * float(rng.choice([1.0, 8.0]))
            if c % 2:
                i = int(rng.integers(n))
                G = X @ X.T
                D = a[:, None] * ((Q.preact(W0, X) > 0) * G[i][None, :]) @ X   # (m, d) ascent direction
                D /= np.maximum(np.linalg.norm(D, axis=1, keepdims=True), 1e-300)
                Wk = W0 + R * D
            else:
                Wk = TS.perturb_in_ball(rng, W0, R)
            out.append({"X": X.tolist(), "W0": W0.tolist(), "Wk": Wk.tolist(), "a": a.tolist(), "R": R, "xi": xi,
                        "p": p, "tau": tau, "kappa": kappa, "n": n, "d": d, "m": m, "adversarial": bool(c % 2)})
        return out
    return TC._memo("weights", ctx, build)


@TC.builder("none", "L-13(d)", "L-14")
def _weights_builder(item_id, case, res, **_):
    X, W0, Wk, a = (np.asarray(case[k], float) for k in ("X", "W0", "Wk", "a"))
    R, xi, p, tau, kappa = case["R"], case["xi"], case["p"], case["tau"], case["kappa"]
    n, d, m = X.shape[0], X.shape[1], W0.shape[0]
    lam0 = Q.lambda_0(X, xi)
    inS = Q.in_S(W0, X, R)
    ev_s = bool(np.all((~inS).sum(1) <= 4 * m * R / kappa))
    if item_id == "L-13(d)":
        hp = float(np.linalg.norm(Q.H(Wk, X, xi, rows=~inS), 2))
        specs = [{"name": "||H(k)^perp||_2 <= 4 xi n R/kappa (Lemma 24, needs |S_i^perp| <= 4mR/kappa)", "lhs": hp,
                  "rhs": 4 * xi * n * R / kappa, "inside": ev_s},
                 {"name": "with R <= kappa lambda_0/(128n): ||H(k)^perp||_2 <= lambda_0/32", "lhs": hp,
                  "rhs": lam0 / 32, "inside": ev_s and TS.le(R, kappa * lam0 / (128 * n))}]
    else:
        e1 = np.abs(Q.E1(Wk, a, X, inS, xi, p, tau))
        ins = (TS.le(np.linalg.norm(W0), kappa * math.sqrt(2 * m * d) - math.sqrt(m) * R)
               and TS.le(Q.ball_radius_used(W0, Wk), R))
        specs = [{"name": "|E_1^(i)| <= theta xi (1-xi) tau n kappa sqrt(2d/m)", "lhs": float(e1.max()),
                  "rhs": Q.lemma14_rhs(n, d, m, p, xi, tau, kappa), "inside": ins}]
    return TC.det_cases(_wargs("none", item_id, case), specs, method="direct evaluation", covered="one weight set")


def _weight_outcome(ctx, item_id, form):
    parts = []
    for case in weight_cases(ctx):
        o = _weights_builder(item_id, case, None)
        parts.append((o, o.verdict != V.INCONCLUSIVE, {**TS.case_summary(case), "adversarial": case["adversarial"]}))
    return TS.inside_outcomes(parts, method="direct evaluation on random and adversarial W_k in the R-ball",
                              form=form, constants={"R": "kappa lambda_0/(128n) x {1, 8}"})


@item("L-13(d)", title="||H(k)^perp|| <= 4 xi n R/kappa <= lambda_0/32", source="p.34", kind="bound")
def check_L13d(ctx):
    return _weight_outcome(ctx, "L-13(d)", "p.34 (Lemma 24 event; R <= kappa lambda_0/(128n))")


@TC.builder("none", "L-13(e)", "L-16(b)")
def _algebra_builder(item_id, case, res, **_):
    return TC.det_cases(_wargs("none", item_id, case), case["specs"], method="algebra on a random grid",
                        covered=f"{len(case['specs'])} parameter points")


def _grid(ctx, item_id):
    rng = ctx.rng("grid")
    specs = []
    for _ in range(20 * ctx.profile.max_examples):
        n, d, m, p, tau = (int(rng.integers(1, 9)), int(rng.integers(1, 9)), int(2 ** rng.integers(2, 14)),
                           int(rng.integers(1, 9)), int(rng.integers(2, 9)))
        xi, kappa = float(rng.uniform(0.01, 1.0)), float(rng.uniform(0.01, 1.0))
        lam0 = float(rng.uniform(1e-4, xi / 2))
        e2 = float(10 ** rng.uniform(-4, 3))
        fac = float(rng.choice([0.1, 0.5, 1.0, 2.0, 10.0]))
        if item_id == "L-13(e)":
            eta = fac * lam0 / (16 * (tau - 1) * n**2)
            lhs = Q.lemma13_pre(e2, n, d, m, p, xi, tau, eta, kappa, lam0)
            rhs = Q.lemma13_rhs(e2, n, d, m, p, xi, tau, eta, kappa, lam0)
        else:
            eta = float(10 ** rng.uniform(-6, -1))
            R = fac * kappa * lam0 / (192 * n)
            lhs = math.sqrt(n * e2) * Q.lemma16a_bounds(math.sqrt(e2), n, m, p, xi, tau, eta, kappa, R, 0)[1]
            rhs = Q.lemma16_rhs(e2, n, p, xi, tau, eta, kappa, lam0)
        specs.append({"name": "last step of the proof", "lhs": lhs, "rhs": rhs, "inside": fac <= 1.0,
                      "params": [n, d, m, p, tau, xi, kappa, lam0, e2, eta, fac]})
    return specs


@item("L-13(e)", title="final step: ab <= (a^2+b^2)/2 with eta <= lambda_0/(16(tau-1)n^2)", source="p.34",
      kind="bound")
def check_L13e(ctx):
    specs = _grid(ctx, "L-13(e)")
    return TC.det_cases(_wargs("none", "L-13(e)", {"specs": specs}), specs,
                        method="algebra on a random grid (inside: eta <= lambda_0/(16(tau-1)n^2))",
                        covered=f"{len(specs)} parameter points", evidence={"outside_points": sum(not s["inside"] for s in specs)})


@item("L-14", title="|E_1^(i)| <= theta xi (1-xi) tau n kappa sqrt(2d/m)", source="Lemma 14, p.34", kind="bound")
def check_L14(ctx):
    return _weight_outcome(ctx, "L-14", "Lemma 14 p.34 (||W_0||_F <= kappa sqrt(2md) - sqrt(m) R; R-ball)")


@TC.builder("step", "L-15")
def _l15(item_id, case, res, *, alpha, **_):
    P = _params(case, res)
    b = Q.lemma15_rhs(math.sqrt(res["e2"]), P["n"], P["p"], P["xi"], P["tau"], P["eta"], P["kappa"])
    wa = _wargs("step", item_id, case, alpha)
    return V.combine([TC.abs_expect_le({**wa, "i": i}, res["E2"][:, i], res["w"], b, alpha=alpha)
                      for i in range(P["n"])], method="per sample index i")


@item("L-15", title="|E_2^(i)| bound", source="Lemma 15, p.35", kind="bound")
def check_L15(ctx):
    return lemma_parts(ctx, "L-15", "Lemma 15 p.35")


@TC.builder("step", "L-16")
def _l16(item_id, case, res, *, alpha, **_):
    P = _params(case, res)
    b = Q.lemma16_rhs(res["e2"], P["n"], P["p"], P["xi"], P["tau"], P["eta"], P["kappa"], P["lam0"])
    return TC.abs_expect_le(_wargs("step", item_id, case, alpha), res["eI2"], res["w"], b, alpha=alpha)


@item("L-16", title="|<y - u_k, E I_2>| bound", source="Lemma 16, p.36", kind="bound")
def check_L16(ctx):
    return lemma_parts(ctx, "L-16", "Lemma 16 p.36")


@TC.builder("step", "L-16(a)")
def _l16a(item_id, case, res, *, alpha, **_):
    P = _params(case, res)
    e = math.sqrt(res["e2"])
    parts = []
    for i in range(P["n"]):
        first, second = Q.lemma16a_bounds(e, P["n"], P["m"], P["p"], P["xi"], P["tau"], P["eta"], P["kappa"],
                                          case["R"], int(res["sperp"][i]))
        wa = {**_wargs("step", item_id, case, alpha), "i": i}
        parts.append(TC.expect_le(wa, res["I2abs"][:, i], res["w"], first, alpha=alpha))
        parts.append(TC.det_cases(wa, [{"name": "first bound <= second (|S_i^perp| <= 4mR/kappa)", "lhs": first,
                                        "rhs": second, "inside": int(res["sperp"][i]) <= 4 * P["m"] * case["R"] / P["kappa"]}],
                                  method="arithmetic", covered="one index"))
    return V.combine(parts, method="per sample index i")


@item("L-16(a)", title="E|I_2^(i)| chain", source="p.38", kind="bound")
def check_L16a(ctx):
    return lemma_parts(ctx, "L-16(a)", "p.38")


@item("L-16(b)", title="final step with R <= kappa lambda_0/(192n)", source="p.38", kind="bound")
def check_L16b(ctx):
    specs = _grid(ctx, "L-16(b)")
    return TC.det_cases(_wargs("none", "L-16(b)", {"specs": specs}), specs,
                        method="algebra on a random grid: sqrt(n)||e|| x (a)'s second bound <= statement "
                               "(inside: R <= kappa lambda_0/(192n))", covered=f"{len(specs)} parameter points")


@TC.builder("step", "L-17")
def _l17(item_id, case, res, *, alpha, **_):
    P = _params(case, res)
    args = (res["e2"], P["n"], P["p"], P["xi"], P["tau"], P["eta"], P["kappa"], P["lam0"])
    o = TC.expect_le(_wargs("step", item_id, case, alpha), res["du2"], res["w"], Q.lemma17_rhs(*args, form="p.38"),
                     alpha=alpha)
    o.evidence["C-19 p.26 form bound"] = Q.lemma17_rhs(*args, form="p.26")
    return o


@item("L-17", title="E||u_{k+1} - u_k||^2 bound", source="Lemma 17, p.38", kind="bound")
def check_L17(ctx):
    return lemma_parts(ctx, "L-17", "Lemma 17 p.38 (last term (tau-1)^2; C-19's p.26 form in evidence)")


@TC.builder("step", "L-17(a)", "L-17(b)")
def _l17ab(item_id, case, res, **_):
    xi, n, m = case["xi"], res["n"], res["m"]
    aw = res["atol_w"]                       # rounding of a weight difference; outputs carry sqrt(m) of them
    du_i2, dsig2, dw2, du2 = res["du_i2"], res["dsig2"], res["dw2"], res["du2"]

    def at_sq(x):                            # rounding bound of a sum of m squared differences equal to x
        return 2 * np.sqrt(m * x) * aw + m * aw**2

    if item_id == "L-17(a)":
        r1 = du_i2 - xi**2 * dsig2                                            # (S, n)
        j = np.unravel_index(int(np.argmax(r1)), r1.shape)
        specs = [{"name": "(u_{k+1}-u_k)^(i)^2 <= xi^2 sum_r (sigma_{k+1}-sigma_k)^2", "lhs": float(du_i2[j]),
                  "rhs": float(xi**2 * dsig2[j]), "inside": True,
                  "atol": float(2 * np.sqrt(du_i2[j]) * xi * np.sqrt(m) * aw + xi**2 * at_sq(dsig2[j]))}]
        r2 = dsig2 - dw2[:, None]
        j2 = np.unravel_index(int(np.argmax(r2)), r2.shape)
        specs.append({"name": "xi^2 sum_r (sigma_{k+1}-sigma_k)^2 <= xi^2 sum_r ||w_{k+1,r}-w_{k,r}||^2",
                      "lhs": float(dsig2[j2]), "rhs": float(dw2[j2[0]]), "inside": True,
                      "atol": float(at_sq(dsig2[j2]) + at_sq(dw2[j2[0]]))})
    else:
        r = du2 - xi**2 * n * dw2
        j = int(np.argmax(r))
        specs = [{"name": "||u_{k+1}-u_k||^2 <= xi^2 n sum_r ||w_{k+1,r}-w_{k,r}||^2 (per mask)",
                  "lhs": float(du2[j]), "rhs": float(xi**2 * n * dw2[j]), "inside": True,
                  "atol": float(2 * np.sqrt(n * du2[j]) * xi * np.sqrt(m) * aw + xi**2 * n * at_sq(dw2[j]))}]
    return TC.det_cases(_wargs("step", item_id, case), specs, method="per mask (rounding of the weight "
                        "differences as absolute tolerance)", covered=f"{len(res['w'])} masks")


@item("L-17(a)", title="per-sample chain to xi^2 (D_1 + D_2)", source="p.38", kind="bound")
def check_L17a(ctx):
    return lemma_parts(ctx, "L-17(a)", "p.38 (deterministic per mask)", inside=lambda c, r: True)


@item("L-17(b)", title="E||u_{k+1}-u_k||^2 <= xi^2 n (D_1 + D_2)", source="p.39", kind="bound")
def check_L17b(ctx):
    return lemma_parts(ctx, "L-17(b)", "p.39 (deterministic per mask)", inside=lambda c, r: True)


@TC.builder("step", "L-18", "L-19")
def _l1819(item_id, case, res, *, alpha, **_):
    P = _params(case, res)
    if item_id == "L-18":
        b, D = Q.lemma18_rhs(res["e2"], P["n"], P["p"], P["xi"], P["tau"], P["eta"], P["kappa"]), res["D1"]
    else:
        b, D = Q.lemma19_rhs(res["e2"], P["n"], P["p"], P["xi"], P["tau"], P["eta"], P["kappa"], P["lam0"]), res["D2"]
    wa = _wargs("step", item_id, case, alpha)
    return V.combine([TC.expect_le({**wa, "i": i}, D[:, i], res["w"], b, alpha=alpha) for i in range(P["n"])],
                     method="per sample index i (S_i depends on i)")


@item("L-18", title="D_1 bound", source="Lemma 18, p.39", kind="bound")
def check_L18(ctx):
    return lemma_parts(ctx, "L-18", "Lemma 18 p.39")


@item("L-19", title="D_2 bound", source="Lemma 19, p.40", kind="bound")
def check_L19(ctx):
    return lemma_parts(ctx, "L-19", "Lemma 19 p.40 (R <= xi kappa lambda_0/(144n))")

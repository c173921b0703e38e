"""T-8(a), (b), (d), (e) · Theorem 7 (categorical masks), proof in Appendix F (p.41-45), on engine runs.

xi = 1/p, lambda_0 = lambda_min(H^inf) with that xi (N-4). Step size at the explicit value the proof
inherits from Hypothesis 1, eta <= lambda_0/(4n^2) (C-10 -> C-8), radius R = kappa lambda_0/(64n) (C-3).
Imported by :mod:`checks_trajectory`.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from maskverify.properties import quantities as Q
from maskverify.properties import trajectory_cases as TC
from maskverify.properties import trajectory_studies as ST
from maskverify.properties import trajectory_support as TS
from maskverify.properties import verdicts as V
from maskverify.properties.registry import item

T8_CONSTANTS = {"xi": "1/p", "eta": "lambda_0/(4n^2) (C-10 via C-8, p.22) x factor", "R": "kappa lambda_0/(64n) (C-3)",
                "gamma": [0.5, 0.1, 0.9], "C": 2, "labels": "y_i ~ U[-1,1]"}
GAMMAS = (0.5, 0.1, 0.9)


def _cat_parts(ctx, item_id, form, inside_fn):
    parts = []
    for case in TC.categorical_step_cases(ctx):
        res = ST.step_study(case)
        o = TC.BUILDERS[("step", item_id)](item_id, case, res, alpha=ctx.alpha)
        parts.append((o, inside_fn(case, res), {**TS.case_summary(case), "lambda_0": res["lambda_0"]}))
    return TS.inside_outcomes(parts, method="categorical masks: enumeration / Monte Carlo over M_k", form=form,
                              constants=T8_CONSTANTS)


@TC.builder("step", "T-8(a)")
def _a_builder(item_id, case, res, **_):
    un, av = res["u_next"], res["avg_out"]
    err = np.linalg.norm(un - av, axis=1) / np.maximum(
        np.maximum(np.linalg.norm(un, axis=1), np.linalg.norm(av, axis=1)), 1e-300)
    j = int(np.argmax(err))
    return TC.det_cases(TC.witness_args("step", item_id, case),
                        [{"name": "||u_{k+1} - (1/p) sum_l uhat^l_{k,tau}|| / norm (<= 1e-12)", "lhs": float(err[j]),
                          "rhs": V.FLOAT64_RTOL, "inside": True, "mask_index": j}],
                        method="per realisation", covered=f"{len(err)} masks")


@item("T-8(a)", title="u_{k+1} = (1/p) sum_l uhat^l_{k,tau} per realisation", source="p.41", kind="identity")
def check_T8a_average(ctx):
    return _cat_parts(ctx, "T-8(a)", "p.41 (per realisation of categorical masks and local training)",
                      lambda c, r: True)


def _geometric_identity(tau_max=8):
    x = sp.Symbol("x")
    out = []
    for tau in range(1, tau_max + 1):
        lhs = (1 - x) ** tau
        rhs = 1 - x * sp.Add(*[(1 - x) ** t for t in range(tau)])
        out.append((sp.expand(lhs - rhs) == 0, tau))
    return out


@TC.builder("step", "T-8(b)")
def _b_builder(item_id, case, res, **_):
    lam0, n, kappa = res["lambda_0"], res["n"], case["kappa"]
    base = TS.le(case["eta"], lam0 / (4 * n**2)) and TS.le(case["R"], kappa * lam0 / (64 * n))
    lhs, rhs, ev = res["hyp1_tau_lhs"], res["hyp1_tau_rhs"], res["hyp1_event"]
    specs = [{"name": "||y - uhat^l_{k,tau}||^2 <= (1 - eta lambda_0/2)^tau ||y - uhat^l_k||^2", "lhs": float(lhs[s, l]),
              "rhs": float(rhs[s, l]), "inside": bool(base and ev[s, l]), "mask_l": [s, l]}
             for s in range(lhs.shape[0]) for l in range(lhs.shape[1])]
    return TC.det_cases(TC.witness_args("step", item_id, case), specs, method="local trajectories per (mask, l)",
                        covered=f"{len(specs)} (mask, subnetwork) pairs",
                        evidence={"fraction_inside": float(np.mean([s["inside"] for s in specs])),
                                  "fraction_holding_overall": float(np.mean(lhs <= rhs * (1 + 1e-12)))})


def _b_inside(case, res):
    lam0, n, kappa = res["lambda_0"], res["n"], case["kappa"]
    return (TS.le(case["eta"], lam0 / (4 * n**2)) and TS.le(case["R"], kappa * lam0 / (64 * n))
            and bool(res["hyp1_event"].any()))


@item("T-8(b)", title="Hypothesis 1 consequence and the geometric-sum identity", source="p.41", kind="identity")
def check_T8b_geometric(ctx):
    sym = V.from_cases([(ok, 0.0 if ok else -1.0, None) for ok, _ in _geometric_identity()],
                       method="sympy expansion", covered="tau = 1..8, x = eta lambda_0/2 symbolic")
    traj = _cat_parts(ctx, "T-8(b)", "p.41 (Hypothesis 1 (4) iterated; C-8, C-3 and the Theorem 2 / Lemma 23 / "
                      "R-ball events per local run)", _b_inside)
    out = V.combine([sym, traj], method="sympy + trajectories")
    out.evidence.update({"identity": sym.verdict, "trajectories": traj.verdict, "trajectory_evidence": traj.evidence})
    return out


# --------------------------------------------------------------------------------------------------
# (d): the chain into the p.43 one-step bound; p.44 envelope on full runs


@TC.builder("joint", "T-8(d)")
def _d_builder(item_id, case, res, *, alpha, gamma):
    lam0, n, d, m = res["lambda_0"], res["n"], res["d"], res["m"]
    p, tau, eta, kappa = case["p"], case["tau"], case["eta"], case["kappa"]
    rate = Q.rate_T8(gamma, eta, lam0, tau)
    err = Q.error_T8_p43(gamma, eta, tau, p, kappa, n, d, lam0, m)
    z = res["loss1"] - rate * res["loss0"]
    wargs = TC.witness_args("joint", item_id, case, alpha=alpha, gamma=gamma)
    o = TC.expect_le(wargs, z, None, err, alpha=alpha,
                     evidence={"gamma": gamma, "rate": rate, "error_p43": err,
                               "E||y-u_1||^2": float(res["loss1"].mean()), "E||y-u_0||^2": float(res["loss0"].mean())})
    o.method = "Monte Carlo over (W_0, a, M_0) with local training"
    return o


def _joint_inside(case, res):
    lam0, n = res["lambda_0"], res["n"]
    return (TS.le(case["eta"], lam0 / (4 * n**2)) and bool((res["drift_local"] <= case["R"]).all())
            and bool(res["contraction_all"]))


@TC.builder("runs", "T-8(d)#runs")
def _runs_builder(item_id, case, res, *, alpha, gamma, form):
    lam0, n, d, m = res["lambda_0"], res["n"], res["d"], case["m"]
    p, tau, eta, kappa, K = case["p"], case["tau"], case["eta"], case["kappa"], case["K"]
    rate = Q.rate_T8(gamma, eta, lam0, tau)
    loss = res["loss"].reshape(-1, K + 1)
    parts = []
    for k in range(1, K + 1):
        if form == "p.44a":
            z, bound = loss[:, k] - rate**k * loss[:, 0], Q.B1_T8(gamma, eta, tau, p, kappa, n, d, lam0, m, "p.44a")
        else:
            z, bound = loss[:, k], rate**k * 4.0 * n + Q.B1_T8(gamma, eta, tau, p, kappa, n, d, lam0, m, "p.44b")
        wargs = TC.witness_args("runs", item_id, case, alpha=alpha, gamma=gamma, form=form)
        parts.append(TC.expect_le(wargs, z, None, bound, alpha=alpha, evidence={"k": k}))
    out = V.combine(parts, method="full runs over (W_0, a) and mask sequences")
    out.evidence.update({"gamma": gamma, "form": form, "k_ratios": [pt.evidence["ratio_mean_to_bound"] for pt in parts]})
    return out


@item("T-8(d)", title="chain into the p.43 one-step bound; p.44 envelope on full runs", source="p.42-44",
      kind="bound")
def check_T8d_chain(ctx):
    one = []
    for case in TC.joint_cases(ctx, "categorical"):
        res = ST.joint_study(case)
        for g in GAMMAS:
            o = _d_builder("T-8(d)", case, res, alpha=ctx.alpha, gamma=g)
            one.append((o, _joint_inside(case, res), {**TS.case_summary(case), "gamma": g,
                                                      "ratio": o.evidence.get("ratio_mean_to_bound")}))
    step = TS.inside_outcomes(one, method="Monte Carlo over (W_0, a, M_0)",
                              form="p.43 one-step bound read as E over (M_0, W_0, a) of both sides",
                              constants=T8_CONSTANTS)
    runs = []
    for case in TC.runs_cases(ctx, "categorical"):
        res = ST.runs_study(case)
        ins = (TS.le(case["eta"], res["lambda_0"] / (4 * res["n"] ** 2))
               and bool((res["local_drift"] <= case["R"]).all()) and bool(res["contraction"].all()))
        for g in GAMMAS:
            for form in ("p.44a", "p.44b"):
                o = _runs_builder("T-8(d)#runs", case, res, alpha=ctx.alpha, gamma=g, form=form)
                runs.append((o, ins, {**TS.case_summary(case), "gamma": g, "form": form,
                                      "k_ratios": o.evidence.get("k_ratios")}))
    full = TS.inside_outcomes(runs, method="full runs", form="p.44 envelope (C-16, C-17 forms)",
                              constants=T8_CONSTANTS)
    width = {"m = Omega(tau^2 K max{n^4, n^2 d, p K^2}/((1-gamma)^2 kappa^2 lambda_0^4 delta sqrt(gamma))) "
             "(C-15, p.45; constant 1)": False}
    full = TS.theorem_level(full, "the width condition C-15 is not met at the feasible sizes", list(width)[0])
    if full.verdict == V.VIOLATED:
        return full
    step.evidence.update({"full_runs": full.verdict, "full_runs_evidence": full.evidence, "width": width})
    return step


@TC.builder("step", "T-8(e)#tri")
def _e_tri_builder(item_id, case, res, **_):
    lhs, rhs = res["tri_lhs"], res["tri_rhs"]
    err = np.abs(lhs - rhs)
    j = np.unravel_index(int(np.argmax(err)), err.shape)
    return TC.det_cases(TC.witness_args("step", item_id, case),
                        [{"name": "triangle inequality step (categorical: an equality; |lhs - rhs| within the "
                                  "rounding of ||w - w'||)", "lhs": float(err[j]), "rhs": 0.0, "atol": res["atol_w"],
                          "inside": True},
                         {"name": "||w_{k+1,r} - w_{k,r}|| <= eta_{k,r} sum_l m^l ||w^l_{k,tau,r} - w_{k,r}||",
                          "lhs": float(lhs[j]), "rhs": float(rhs[j]), "atol": res["atol_w"], "inside": True}],
                        method="per mask and neuron", covered=f"{lhs.size} (mask, r) pairs")


@item("T-8(e)", title="weight-perturbation step with the printed C-20 forms", source="p.44", kind="bound")
def check_T8e_weight_step(ctx):
    from maskverify.properties.checks_trajectory import joint_outcome

    parts = []
    for case in TC.categorical_step_cases(ctx):
        o = _e_tri_builder("T-8(e)#tri", case, ST.step_study(case))
        parts.append((o, True, TS.case_summary(case)))
    tri = TS.inside_outcomes(parts, method="per mask", form="p.44 first inequality", constants=T8_CONSTANTS)
    p23 = joint_outcome(ctx, "T-8(e)", kind="categorical", form="C-20 p.23/p.44 form with 2 inside the root")
    p44 = joint_outcome(ctx, "T-8(e)*", kind="categorical", form="C-20 p.44 chain form without the 2")
    out = V.combine([tri, p23, p44], method="per mask + Monte Carlo over (W_0, a, M_0)")
    out.evidence.update({"triangle": tri.verdict, "C-20 p.23 form": p23.verdict, "C-20 p.44 form": p44.verdict})
    return out

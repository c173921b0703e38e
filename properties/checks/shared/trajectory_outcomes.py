"""Outcome builders shared by the trajectory checks of Hypothesis 1, Theorem 3 and Theorem 7 (local-step
outcomes, the joint k = 0 step over (W_0, a, M_0), the constant profile of Theorem 3's proof).
"""

from __future__ import annotations

import math

from maskverify.properties.checks.shared import trajectory_cases as TC
from maskverify.properties.checks.shared import trajectory_studies as ST
from maskverify.properties.checks.shared import trajectory_support as TS
from maskverify.properties.framework import verdicts as V
from maskverify.properties.oracles import quantities as Q

LOCAL_FORMS = {
    "T-3": "(4) p.7 with the explicit constants of p.22: R <= kappa lambda_0/(64n) (C-3), eta <= lambda_0/(4n^2) (C-8)",
    "T-3(a)": "p.21 (needs only Lemma 23's |S_i^perp| <= 4 m kappa^-1 R)",
    "T-3(b)": "p.21 (no hypothesis)",
    "T-3(c)": "p.22 (needs the R-ball, Lemma 23 and Theorem 2 events; with ||m o H^perp||^2 <= 16 n^2 R^2/kappa^2)",
    "T-3(d)": "p.22 (events of (c); the 'choose R, eta' step under C-3 and C-8)",
    "T-3(e)": "p.23 (the conditions of (4))",
    "T-3(f)": "p.23 chain; steps 1, 2, 4 unconditional, step 3 needs (4)",
    "L-12": "Lemma 12 p.32 under the condition of Theorem 3: (4)'s conditions and C-9",
}


def local_outcome(ctx, item_id, constants):
    subs = []
    for case in TC.local_cases(ctx):
        res = ST.local_study(case)
        specs = res["items"][item_id]
        bad = next((s for s in specs if s["inside"] and TS.cmp_le(s["lhs"], s["rhs"], atol=s.get("atol", 0.0))[0] is False), None)
        wit = (V.counterexample(item_id, TC.replay, TC.witness_args("local", item_id, case), V.jsonable(bad))
               if bad else None)
        summ = {**TS.case_summary(case), "lambda_0": res["lambda_0"]}
        for s in specs:
            subs.append(TS.subcase(TS.cmp_le(s["lhs"], s["rhs"], atol=s.get("atol", 0.0)), lhs=s["lhs"], rhs=s["rhs"], inside=s["inside"],
                                   witness=wit, summary={"name": s["name"], "t": s["t"], **summ}))
            subs[-1]["conditions"] = s["requires"] or {"no hypothesis needed": True}
    cases = TC.local_cases(ctx)
    covered = (f"{len(cases)} local trajectories: n in {sorted({c['n'] for c in cases})}, "
               f"m in {sorted({c['m'] for c in cases})}, tau in {sorted({c['tau'] for c in cases})}, "
               f"xi in {sorted({c['xi'] for c in cases})}; eta = (0.01..64) lambda_0/(4n^2), "
               f"R = (0.25..8) kappa lambda_0/(64n); W_k on the R-ball")
    return TS.inside_cases(subs, method="trajectory simulation (every t; inside-only verdict)", covered=covered,
                           form=LOCAL_FORMS[item_id], constants=constants)


#: (K, delta) pairs at which the "with probability at least ..." claims are read.
K_DELTA = ((1, 0.1), (2, 0.5))


def _joint_threshold(item_id, case, res, K, delta, k=0):
    """(exceedance indicator per sample, allowed failure probability, printed threshold) of one claim."""
    n, m, p, xi, tau, eta, kappa = res["n"], res["m"], case["p"], case["xi"], case["tau"], case["eta"], case["kappa"]
    if item_id == "T-3(g)":
        r, E = (res["r0"], res["E_r0"]) if k == 0 else (res["r1"], res["E_r1"])
        thr = math.sqrt(2 * K / delta) * E
        return r > thr, delta / (2 * K), thr
    if item_id == "T-3(h)":
        thr = 2 * kappa * math.sqrt(2 * xi * (1 - xi) * n * p * K / delta)
        return res["sub_dev"][:, 0] > thr, delta / (2 * p * K), thr
    form = {"T-3(i)": "p.23", "T-3": "p.7", "T-4(k)": "p.23", "T-8(e)": "p.23", "T-8(e)*": "p.44"}[item_id]
    thr = Q.hyp1_drift_bound(res["E_r0"], n, m, p, xi, tau, eta, kappa, K, delta, form=form)
    drift = res["drift_step"] if item_id in ("T-4(k)", "T-8(e)", "T-8(e)*") else res["drift_local"]
    allowed = 4 * delta if item_id == "T-3" else delta / K
    return drift > thr, min(allowed, 1.0), thr


@TC.builder("joint", "T-3(g)", "T-3(h)", "T-3(i)", "T-3", "T-4(k)", "T-8(e)", "T-8(e)*")
def _joint_builder(item_id, case, res, *, alpha, K, delta, k=0):
    fail, allowed, thr = _joint_threshold(item_id, case, res, K, delta, k)
    wargs = TC.witness_args("joint", item_id, case, alpha=alpha, K=K, delta=delta, k=k)
    values = {"failures": int(fail.sum()), "trials": int(fail.size), "allowed": allowed, "threshold": thr}
    wit = V.counterexample(TC.item_of(item_id), TC.replay, wargs, values)
    return V.probability_le(int(fail.sum()), int(fail.size), allowed, alpha=alpha, witness=wit,
                            method="Monte Carlo over (W_0, a, M_0), Clopper-Pearson",
                            evidence={"K": K, "delta": delta, "k": k, "threshold": thr,
                                      "E_{W0,a}||y-u_0|| (independent sample)": res["E_r0"]})


def joint_outcome(ctx, item_id, kind="bernoulli", ks=(0,), inside=True, form=""):
    parts = []
    for case in TC.joint_cases(ctx, kind):
        res = ST.joint_study(case)
        for K, delta in K_DELTA:
            for k in ks:
                o = _joint_builder(item_id, case, res, alpha=ctx.alpha, K=K, delta=delta, k=k)
                parts.append((o, inside, {**TS.case_summary(case), "K": K, "delta": delta, "k": k,
                                          "failure_rate": o.evidence.get("failure_rate")}))
    return TS.inside_outcomes(parts, method="Monte Carlo over (W_0, a, M_0) with local training", form=form,
                              constants={"K, delta": K_DELTA})


T4_CONSTANTS = {"eta": "C-9: eta <= lambda_0/(48 n tau max{n,p}) (Lemma 17, p.38) and lambda_0/(16(tau-1)n^2) "
                       "(Lemma 13, p.32)",
                "R": "C-4: kappa lambda_0/(128n) (p.34), kappa lambda_0/(192n) (p.38), xi kappa lambda_0/(144n) (p.41)",
                "B_1, theta, C_1": "p.8", "labels": "y_i ~ U[-1,1] (C = 2)", "data": "unit x_i"}


def _params(case, res):
    return dict(n=res["n"], d=res["d"], m=res["m"], p=case["p"], xi=case["xi"], tau=case["tau"], eta=case["eta"],
                kappa=case["kappa"], lam0=res["lambda_0"])

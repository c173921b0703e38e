"""T-3 · Hypothesis 1 (p.7; constants p.22) on training runs inside its hypotheses (issue 8): the envelope
machinery of :mod:`maskverify.properties.checks.shared.envelopes` for a conditional statement.

Hypothesis 1 says: if (2) the global recursion ``E||y-u_{k'+1}||^2 <= (1-alpha) E||y-u_{k'}||^2 + alpha B_1``
holds for k' < k (appendix C, p.20) and (3) ``||w_{k,r} - w_{0,r}|| + 2 eta tau sqrt(2nK/(m delta)) ((1/alpha)
E||y-u_k|| + (K-k) B) <= R`` with ``B = sqrt(B_1/alpha) + kappa sqrt(xi(1-xi)pn)``, then w.p. >= 1 - 4 delta
(4) every local step contracts, ``||y-uhat^l_{k,t+1}||^2 <= (1 - eta lambda_0/2)||y-uhat^l_{k,t}||^2``, and (5)
``||w_{k,t,r} - w_{k,r}|| <= eta tau sqrt(2nK/(m delta)) E||y-u_k|| + 2 eta kappa n sqrt(2 xi(1-xi)pK/(m delta))``.

The runs record the subnetwork losses and weight distances of every local step (impl/algorithm1 records
``subnet_loss``, ``distances``). alpha in (0, 1) and B_1 > 0 are free in the statement: they are chosen as
permissively as it allows (the alpha on a grid minimising the largest left side of (3), B_1 the smallest value
making (2) hold on the observed mean losses). The expectations over ([M], W_0, a) are the means over the
instance's runs. A run is inside when the static conditions (width, C-8 step, C-3 radius R = kappa
lambda_0/(64n), delta < 1/4) hold and (3) holds at every k < K; it *exceeds* when (4) or (5) fails at some
(k, l, t) there. The test is Clopper-Pearson against 4 delta.
"""

from __future__ import annotations

import math

import numpy as np

#: The alpha grid of the permissive choice.
ALPHAS = np.concatenate([np.geomspace(1e-4, 0.5, 60), np.linspace(0.5, 0.999, 40)[1:]])


def run_instance_T3(inst, *, max_m):
    import torch

    from maskverify.impl import algorithm1
    from maskverify.properties.checks.shared import envelopes as EN
    from maskverify.theory import envelope_forms as EF

    X, y, lam, s = EN.instance_setup(inst)
    n, d, K, p, tau, xi = inst["n"], inst["d"], int(inst["K"]), inst["p"], inst["tau"], inst["xi"]
    kappa, delta = inst["kappa"], inst["delta"]
    rec = {"instance": {k: v for k, v in inst.items() if k != "over_budget"}, "lambda_0": lam, "m": s["m"],
           "eta": s["eta"], "m_required": s["m_required"], "alpha": s["alpha"], "B": 0.0,
           "conditions": dict(s["conditions"]), "inside": False, "contraction_K": 1.0, "masks_enter": xi < 1,
           "engine": "impl.algorithm1 (records subnet_loss, distances)", "seqs_used": 1}
    if not math.isfinite(s["m"]) or s["m"] > max_m:
        rec["skipped"] = f"width m = {s['m']:.3g} needed exceeds this profile's envelope budget max_m = {max_m:.3g}"
        rec["peak_bytes_needed"] = EF.algorithm1_bytes(s["m"], d, n, p, xi, "bernoulli") if math.isfinite(s["m"]) \
            else None
        return rec
    m, eta = int(s["m"]), s["eta"]
    losses, subs, dinit, dloc = [], [], [], []
    for j in range(int(inst["inits"])):
        g = torch.Generator().manual_seed(EN._seed(inst["seed"], j))
        W0 = kappa * torch.randn(m, d, generator=g, dtype=torch.float64)
        a = torch.randint(0, 2, (m,), generator=g, dtype=torch.int64).to(torch.float64) * 2 - 1
        gm = torch.Generator().manual_seed(EN._seed(inst["seed"], j, 0))
        r = algorithm1.run(torch.as_tensor(X), torch.as_tensor(y), W0, a, None, float(xi), float(eta), int(tau),
                           record=("subnet_loss", "distances"), K=K, p=int(p), mask_kind="bernoulli", generator=gm)
        losses.append(r.loss.numpy())
        subs.append(r.records["subnet_loss"].numpy())               # (K, p, tau+1)
        dinit.append(r.records["dist_init"].numpy())                # (K, p, tau+1)  max_r ||w - w_0||
        dloc.append(r.records["dist_local"].numpy())                # (K, p, tau+1)  max_r ||w - w_k||
    L, Sb, Di, Dl = (np.asarray(x, float) for x in (losses, subs, dinit, dloc))
    E = L.mean(0)                                                    # (K+1,)  E||y - u_k||^2
    En = np.sqrt(L).mean(0)                                          # (K+1,)  E||y - u_k||
    R = kappa * lam / (64 * n)                                       # C-3, p.22
    c = 2 * eta * tau * math.sqrt(2 * n * K / (m * delta))
    drift = Di[:, :, :, 0].max(-1)                                   # (T, K) max_r ||w_{k,r} - w_{0,r}||
    best = None
    for al in ALPHAS:
        gaps = [(E[k + 1] - (1 - al) * E[k]) / al for k in range(K - 1)]
        B1 = max([1e-12, *gaps])
        B = math.sqrt(B1 / al) + kappa * math.sqrt(xi * (1 - xi) * p * n)
        lhs = drift + c * (En[None, :K] / al + (K - np.arange(K))[None, :] * B)   # (T, K)
        if best is None or lhs.max() < best[0].max():
            best = (lhs, al, B1, B)
    lhs3, al, B1, B = best
    hyp = lhs3 <= R                                                  # (T, K)  (3) per run and k
    static = all(s["conditions"].values())
    q = Sb[:, :, :, 1:] / np.maximum(Sb[:, :, :, :-1], 1e-300)        # (T, K, p, tau)
    b5 = eta * tau * math.sqrt(2 * n * K / (m * delta)) * En[:K] + 2 * eta * kappa * n * math.sqrt(
        2 * xi * (1 - xi) * p * K / (m * delta))
    dr = Dl[:, :, :, 1:] / b5[None, :, None, None]                   # (T, K, p, tau)
    run_in = [bool(static and hyp[j].all()) for j in range(L.shape[0])]
    q_max = [float(q[j].max()) for j in range(L.shape[0])]
    d_max = [float(dr[j].max()) for j in range(L.shape[0])]
    contr = 1 - eta * lam / 2
    rec["conditions"].update({"(2) for k' < K-1 with the permissive alpha, B_1 (on the run means)": True,
                              "(3) at every k < K in some run (R = kappa lambda_0/(64n), C-3)": bool(any(run_in))})
    rec.update({"inside": bool(static and any(run_in)), "runs_inside": run_in, "alpha_2": float(al), "B1_2": float(B1),
                "B_2": float(B), "R": R, "max_lhs3_over_R": float(lhs3.max() / R), "contraction_K": (1 - al) ** K,
                "B": float(B1), "losses": L[:, None, :].tolist(), "q_max": q_max, "drift_max": d_max,
                "local_contraction": contr, "peak_bytes": EF.algorithm1_bytes(m, d, n, p, xi, "bernoulli")
                + 8 * 2 * m * d})
    rec.update(measure_T3(rec))
    return rec


def measure_T3(rec, planted=None):
    """Exceedances of the inside runs against (4) (local contraction, ``rate_factor`` plants a faster one) and
    (5) (``drift_factor`` plants a smaller drift bound); curves of the global loss against (2) unrolled."""
    from maskverify.properties.checks.shared.envelopes import RTOL, normalised_curves
    from maskverify.theory import envelope_forms as EF

    planted = planted or {}
    lam_eta = 1 - rec["local_contraction"]                          # eta lambda_0/2
    bound4 = 1 - planted.get("rate_factor", 1.0) * lam_eta
    df = planted.get("drift_factor", 1.0)
    ins = [j for j, v in enumerate(rec["runs_inside"]) if v]
    exceed = [bool(rec["q_max"][j] > bound4 * (1 + RTOL) or rec["drift_max"][j] > df * (1 + RTOL)) for j in ins]
    ratios = [max(rec["q_max"][j] / bound4, rec["drift_max"][j] / df) for j in ins]
    L = np.asarray(rec["losses"], float)[:, 0, :]
    K = L.shape[1] - 1
    env = np.stack([EF.envelope(rec["alpha_2"], l0, rec["B1_2"], K) for l0 in L[:, 0]])
    B_over = [rec["B1_2"] / float(L[:, 0].mean())]                 # (2) is about E||y - u_0||^2
    return {"exceed": exceed, "max_ratio": max(ratios) if ratios else -math.inf, "L0": L[:, 0].tolist(),
            "ratio_k": (L / env).max(0).tolist(), "B_over_L0": B_over,
            "curves": normalised_curves(L, env),
            "informative": bool(rec["inside"] and np.all(np.asarray(B_over) < 1) and rec["contraction_K"] < 0.99)}


def tightness_T3(records):
    """``rate_factor``: the largest c with every inside local step contracting by 1 - c eta lambda_0/2 (c > 1:
    (4) is c x pessimistic); ``drift_factor``: the largest observed drift / (5) bound (< 1: (5) is 1/f x
    pessimistic)."""
    cs, fs = [], []
    for r in records:
        for j, v in enumerate(r.get("runs_inside", [])):
            if v:
                cs.append((1 - r["q_max"][j]) / (1 - r["local_contraction"]))
                fs.append(r["drift_max"][j])
    if not cs:
        return None
    return {"rate_factor": float(min(cs)), "rate_factor_loosest_run": float(max(cs)), "drift_factor": float(max(fs)),
            "B1_factor": None}

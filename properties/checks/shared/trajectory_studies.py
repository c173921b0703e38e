"""The trajectory studies behind T-3, T-4(d)-(k), T-8 and L-12..L-22: each takes one JSON-able ``case``
(data, weights, parameters, and for Monte Carlo the seed and sample count) and returns every quantity the
items evaluate on it. Items share a study through the memoisation in :func:`trajectory_support.cached`;
an item's counterexample replays by re-running its study on the stored case.

* :func:`local_study`  — local GD for one fixed mask (Hypothesis 1 proof, p.20-23; Lemma 12, p.32).
* :func:`step_study`   — one global step for every enumerated mask or for Monte Carlo masks, W_k fixed
  (Bernoulli: T-4(g)-(k), L-13..L-19; categorical: T-8(a),(b),(e), L-22(c),(d)).
* :func:`joint_study`  — one global step at k = 0 with a fresh (W_0, a, M_0) per sample (T-3(g)-(i), (5),
  T-4(k), T-8(d),(e), L-22, L-22(a)).
* :func:`runs_study`   — full runs of Algorithm 1, several mask sequences per initialization (T-4(d),(e),(i),
  T-8(d) p.44 envelope).
"""

from __future__ import annotations

import math

import numpy as np

from maskverify.properties.checks.shared import trajectory_support as TS
from maskverify.properties.checks.shared.trajectory_support import le
from maskverify.properties.oracles import quantities as Q


def _arr(case, *keys):
    return [np.asarray(case[k], dtype=float) for k in keys]


def _radii(lam0, n, kappa, xi):
    """The explicit radii of SPEC section 4 (C-1..C-4, C-6)."""
    return {"C-1 kappa lambda_0/(8n)": kappa * lam0 / (8 * n), "C-3 kappa lambda_0/(64n)": kappa * lam0 / (64 * n),
            "C-4 kappa lambda_0/(128n)": kappa * lam0 / (128 * n), "C-4 kappa lambda_0/(192n)": kappa * lam0 / (192 * n),
            "C-4 xi kappa lambda_0/(144n)": xi * kappa * lam0 / (144 * n)}


def _steps(lam0, n, p, tau):
    """The explicit step-size conditions (C-8, C-9)."""
    return {"C-8 lambda_0/(4n^2)": lam0 / (4 * n**2),
            "C-9 Lemma 13 lambda_0/(16(tau-1)n^2)": lam0 / (16 * (tau - 1) * n**2) if tau > 1 else math.inf,
            "C-9 Lemma 17 lambda_0/(48 n tau max{n,p})": lam0 / (48 * n * tau * max(n, p))}


def _worst(lhs, rhs):
    """Scalars (lhs, rhs, index) at the smallest relative slack of the elementwise claim lhs <= rhs."""
    lhs, rhs = np.atleast_1d(np.asarray(lhs, float)), np.atleast_1d(np.asarray(rhs, float))
    lhs, rhs = np.broadcast_arrays(lhs, rhs)
    scale = np.maximum(np.maximum(np.abs(lhs), np.abs(rhs)), 1e-300)
    j = int(np.argmin((rhs - lhs) / scale))
    return float(lhs.flat[j]), float(rhs.flat[j]), j


def _sc(name, t, lhs, rhs, inside, atol=0.0):
    """One evaluated inequality lhs <= rhs (worst index). ``inside``: a bool, or a dict of the conditions it
    requires (then inside = all of them, and the dict is kept as the spec's regime conditions)."""
    l_, r_, j = _worst(lhs, np.asarray(rhs, float) + atol)
    req = inside if isinstance(inside, dict) else None
    ok = all(req.values()) if req is not None else bool(inside)
    return {"name": name, "t": t, "index": j, "lhs": l_, "rhs": r_ - atol, "inside": bool(ok), "atol": float(atol),
            "requires": req if req is not None else {}}


# --------------------------------------------------------------------------------------------------
# Local GD for one mask (T-3, L-12)


@TS.cached
def local_study(case):
    X, y, W0, Wk, a, mask = _arr(case, "X", "y", "W0", "Wk", "a", "mask")
    eta, tau, kappa, R, xi, p = (case["eta"], int(case["tau"]), case["kappa"], case["R"], case["xi"],
                                 int(case["p"]))
    n, m = X.shape[0], W0.shape[0]
    lam0 = Q.lambda_0(X, xi)
    Wt, ut = TS.local_trajectory(Wk, a, mask > 0, X, y, eta, tau)             # (tau+1, m, d), (tau+1, n)
    e = y - ut
    en = np.linalg.norm(e, axis=1)
    e2 = en**2
    inS = Q.in_S(W0, X, R)
    sperp = (~inS).sum(1)
    coef = a * mask / math.sqrt(m)
    I1, I2 = Q.split_increment(Wt[:-1], Wt[1:], coef, X, inS)                # (tau, n)
    lam_t = np.array([Q.lambda_min(Q.masked_H(Wt[t], X, mask)) for t in range(tau)])
    dist0 = Q.ball_radius_used(W0, Wt)
    st = _steps(lam0, n, p, tau)
    cond = {"R <= kappa lambda_0/(64n) (C-3, p.22)": le(R, kappa * lam0 / (64 * n)),
            "eta <= lambda_0/(4n^2) (C-8, p.22)": le(eta, st["C-8 lambda_0/(4n^2)"]),
            "|S_i^perp| <= 4 m R/kappa for all i (Lemma 23 event, p.21)": bool(np.all(sperp <= 4 * m * R / kappa)),
            "||w^l_{k,t,r} - w_{0,r}|| <= R for all t, r (p.20)": le(dist0, R),
            "lambda_min(m^l_k o H(k,t)) >= lambda_0/2 for all t < tau (Theorem 2 event, p.22)":
                bool(np.all(lam_t >= lam0 / 2))}
    extra = {"eta <= lambda_0/(48 n tau max{n,p}) (C-9, Theorem 3)": le(eta, st["C-9 Lemma 17 lambda_0/(48 n tau max{n,p})"]),
             "eta <= lambda_0/(16(tau-1)n^2) (C-9, Lemma 13)": le(eta, st["C-9 Lemma 13 lambda_0/(16(tau-1)n^2)"])}
    keys = list(cond)
    S_only = {keys[2]: cond[keys[2]]}                                          # Lemma 23 event
    events = {k: cond[k] for k in keys[2:5]}                                    # + R-ball, Theorem 2 event
    cr = {k: cond[k] for k in keys[:2]}                                         # C-3, C-8
    hyp1 = dict(cond)
    l12 = {**cond, **extra}
    u_k = Q.whole_output(Wk, a, X, xi)
    uk_e, uk_d = float(np.linalg.norm(y - u_k)), float(np.linalg.norm(u_k - ut[0]))
    items = {k: [] for k in ("T-3", "T-3(a)", "T-3(b)", "T-3(c)", "T-3(d)", "T-3(e)", "T-3(f)", "L-12")}
    G = Q.surrogate_grads(Wt[:-1], a, mask, X, y)                             # (tau, m, d)
    gn = np.linalg.norm(G, axis=-1)                                           # (tau, m)
    fac_d = 1 - eta * lam0 + 16 * eta * n * R / kappa + eta**2 * n**2
    # float64 error bounds of the sides computed by cancellation (weight / output differences)
    wmax = float(np.linalg.norm(Wt, axis=-1).max())
    at_w = 64 * np.finfo(float).eps * wmax                                     # ||w_t,r - w_k,r||
    at_u = at_w * math.sqrt(m)                                                # sums over r with 1/sqrt(m)
    for t in range(tau):
        items["T-3(b)"].append(_sc("(b) ||uhat_{t+1}-uhat_t||^2 <= eta^2 n^2 ||y-uhat_t||^2", t,
                                   np.sum((ut[t + 1] - ut[t]) ** 2), eta**2 * n**2 * e2[t], True,
                                   2 * math.sqrt(n) * at_u * np.linalg.norm(ut[t + 1] - ut[t]) + n * at_u**2))
        items["T-3(a)"].append(_sc("(a) |I_2^(i)| <= 4 eta kappa^-1 sqrt(n) R ||y-uhat_t||", t, np.abs(I2[t]),
                                   4 * eta * math.sqrt(n) * R / kappa * en[t], S_only, at_u))
        items["T-3(a)"].append(_sc("(a) <y-uhat_t, I_2> <= 4 eta kappa^-1 n R ||y-uhat_t||^2", t, e[t] @ I2[t],
                                   4 * eta * n * R / kappa * e2[t], S_only, math.sqrt(n) * en[t] * at_u))
        items["T-3(c)"].append(_sc("(c) <y-uhat_t, I_1> >= (eta lambda_0/2 - 4 eta kappa^-1 n R)||y-uhat_t||^2", t,
                                   (eta * lam0 / 2 - 4 * eta * n * R / kappa) * e2[t], e[t] @ I1[t], events,
                                   math.sqrt(n) * en[t] * at_u))
        Hp = Q.masked_H(Wt[t], X, mask, rows=~inS)
        items["T-3(c)"].append(_sc("(c) ||m o H(k,t)^perp||_2^2 <= 16 n^2 kappa^-2 R^2", t,
                                   np.linalg.norm(Hp, 2) ** 2, 16 * n**2 * R**2 / kappa**2, S_only))
        items["T-3(d)"].append(_sc("(d) ||y-uhat_{t+1}||^2 <= (1 - eta lambda_0 + 16 eta kappa^-1 n R + eta^2 n^2)"
                                   "||y-uhat_t||^2", t, e2[t + 1], fac_d * e2[t], events))
        items["T-3(d)"].append(_sc("(d) choosing R, eta: factor <= 1 - eta lambda_0/2", t, fac_d,
                                   1 - eta * lam0 / 2, cr))
        items["T-3"].append(_sc("(4) ||y-uhat_{t+1}||^2 <= (1 - eta lambda_0/2)||y-uhat_t||^2", t, e2[t + 1],
                                (1 - eta * lam0 / 2) * e2[t], hyp1))
    for t in range(1, tau + 1):
        items["T-3(e)"].append(_sc("(e) ||y-uhat_t||^2 <= (1-eta lambda_0/2)^t ||y-uhat_0||^2", t, e2[t],
                                   (1 - eta * lam0 / 2) ** t * e2[0], hyp1))
        dw = np.linalg.norm(Wt[t] - Wk, axis=-1)                              # (m,)
        s1 = eta * gn[:t].sum(0)
        s2 = eta * math.sqrt(n / m) * en[:t].sum()
        s3 = eta * tau * math.sqrt(n / m) * en[0]
        s4 = eta * tau * math.sqrt(n / m) * (uk_e + uk_d)
        items["T-3(f)"] += [_sc("(f) ||w_t - w_k|| <= eta sum ||dL/dw_r||", t, dw, s1, True, at_w),
                            _sc("(f) eta sum ||dL/dw_r|| <= eta sqrt(n/m) sum ||y-uhat_t'||", t, s1, s2, True),
                            _sc("(f) ... <= eta tau sqrt(n/m) ||y-uhat_0||", t, s2, s3, hyp1),
                            _sc("(f) ... <= eta tau sqrt(n/m)(||y-u_k|| + ||u_k-uhat_0||)", t, s3, s4, True)]
        du = np.abs(ut[t] - ut[0])                                            # (n,)
        dsig = np.abs(Q.relu(Q.preact(Wt[t], X)) - Q.relu(Q.preact(Wk, X)))  # (m, n)
        c1 = (np.abs(mask)[:, None] * dsig).sum(0) / math.sqrt(m)
        c2 = dw.sum() / math.sqrt(m)
        c3 = eta * math.sqrt(n) * en[:t].sum()
        c4 = eta * t * math.sqrt(n) * en[0]
        items["L-12"] += [_sc("chain |uhat_t-uhat_0|^(i) <= m^-1/2 sum_r |sigma_t - sigma_0|", t, du, c1, True, at_u),
                          _sc("chain m^-1/2 sum_r |sigma_t - sigma_0| <= m^-1/2 sum_r ||w_t,r - w_k,r||", t,
                              c1, c2, True, at_u),
                          _sc("chain m^-1/2 sum_r ||w_t,r - w_k,r|| <= eta sqrt(n) sum_t' ||y-uhat_t'||", t, c2, c3,
                              True, at_u),
                          _sc("chain eta sqrt(n) sum_t' ||y-uhat_t'|| <= eta t sqrt(n) ||y-uhat_0||", t, c3, c4, l12),
                          _sc("display 1: |uhat_t-uhat_0|^(i) <= eta t sqrt(n) ||y-uhat_0||", t, du, c4, l12, at_u),
                          _sc("display 2: ... <= eta t sqrt(n)(||y-u_k|| + ||u_k-uhat_0||)", t, du,
                              eta * t * math.sqrt(n) * (uk_e + uk_d), l12, at_u),
                          _sc("display 3: (...)^2 <= 2 eta^2 t^2 n (||y-u_k||^2 + ||u_k-uhat_0||^2)", t, du**2,
                              2 * eta**2 * t**2 * n * (uk_e**2 + uk_d**2), l12, 2 * float(du.max()) * at_u + at_u**2)]
    return {"items": items, "conditions": cond, "extra_conditions": extra, "lambda_0": lam0,
            "max_drift_from_W0": dist0, "lambda_min_masked_H": lam_t.tolist(), "max_S_perp": int(sperp.max())}


# --------------------------------------------------------------------------------------------------
# One global step, W_k fixed, expectation over M_k (enumeration or Monte Carlo)


def masks_of(case):
    p, m, kind = int(case["p"]), int(case["m"]), case["kind"]
    if case["mode"] == "enum":
        if kind == "bernoulli":
            return Q.enumerate_bernoulli(p, m, case["xi"])
        return Q.enumerate_categorical(p, m)
    rng = np.random.default_rng(int(case["seed"]))
    S = int(case["samples"])
    return TS.sample_masks(rng, kind, S, p, m, case["xi"]), np.full(S, 1.0 / S)


def _masked_lambda(Wl, X, M):
    """lambda_min(m^l o H(k,t)) for local iterates Wl (S, p, T, m, d), masks M (S, p, m) -> (S, p, T)."""
    m = Wl.shape[-2]
    act = (Q.preact(Wl, X) >= 0).astype(float)                                # (S, p, T, m, n)
    act = act * np.asarray(M, float)[:, :, None, :, None]
    cnt = np.einsum("sptri,sptrj->sptij", act, act)
    Hm = cnt * (X @ X.T) / m
    return np.linalg.eigvalsh(Hm)[..., 0]


@TS.cached
def step_study(case):
    X, y, W0, Wk, a = _arr(case, "X", "y", "W0", "Wk", "a")
    eta, tau, kappa, R, xi, p = (case["eta"], int(case["tau"]), case["kappa"], case["R"], case["xi"],
                                 int(case["p"]))
    n, m, d = X.shape[0], W0.shape[0], X.shape[1]
    lam0 = Q.lambda_0(X, xi)
    M, w = masks_of(case)
    gs = TS.global_steps(Wk, a, X, y, M, xi, eta, tau)
    Wn, Wl, uh = gs["W_next"], gs["W_local"], gs["uhat"]
    u_k = Q.whole_output(Wk, a, X, xi)
    e = y - u_k
    e2 = float(e @ e)
    u_n = Q.whole_output(Wn, a, X, xi)                                        # (S, n)
    loss_n = ((y - u_n) ** 2).sum(-1)
    du = u_n - u_k
    inS = Q.in_S(W0, X, R)
    sperp = (~inS).sum(1)
    I1, I2 = Q.split_increment(Wk, Wn, xi * a / math.sqrt(m), X, inS)       # (S, n)
    Hk = Q.H(Wk, X, xi)
    Hp = Q.H(Wk, X, xi, rows=~inS)
    th = Q.theta(xi, p)
    D1, D2 = Q.D_samples(Wk, Wn, inS)
    E2 = Q.E2_samples(Wk, a, X, y, M, Wl, inS, xi)
    sub = ((y[None, None, None, :] - uh) ** 2).sum(-1)                       # (S, p, tau+1)
    contr = sub[:, :, 1:] <= (1 - eta * lam0 / 2) * sub[:, :, :-1] * (1 + 1e-12)
    dist = max(Q.ball_radius_used(W0, Wl), Q.ball_radius_used(W0, Wn))
    # per-mask identities
    Mf = np.asarray(M, float)
    Gt = Q.surrogate_grads(Wl[:, :, :tau], a, np.broadcast_to(Mf[:, :, None, :], (len(M), p, tau, m)), X, y)
    etak = Q.aggregation_weights(Mf)                                          # (S, m)
    g = etak[..., None] * Gt[:, :, 0].sum(1)                                  # (S, m, d) mixing gradient
    rest = etak[..., None] * (Gt[:, :, 1:] - Gt[:, :, :1]).sum((1, 2))
    dW = Wn - Wk
    st = _steps(lam0, n, p, tau)
    rad = _radii(lam0, n, kappa, xi)
    z0 = Q.preact(W0, X) ** 2                                                 # (m, n)  <w_0r, x_i>^2
    cond_common = {
        "eta <= lambda_0/(48 n tau max{n,p}) (C-9, Lemma 17 p.38)": le(eta, st["C-9 Lemma 17 lambda_0/(48 n tau max{n,p})"]),
        "eta <= lambda_0/(16(tau-1)n^2) (C-9, Lemma 13 p.32)": le(eta, st["C-9 Lemma 13 lambda_0/(16(tau-1)n^2)"]),
        "R <= kappa lambda_0/(128n) (C-4, p.34)": le(R, rad["C-4 kappa lambda_0/(128n)"]),
        "R <= kappa lambda_0/(192n) (C-4, p.38)": le(R, rad["C-4 kappa lambda_0/(192n)"]),
        "R <= xi kappa lambda_0/(144n) (C-4, p.41)": le(R, rad["C-4 xi kappa lambda_0/(144n)"]),
        "|S_i^perp| <= 4 m R/kappa (Lemma 23 event, p.26)": bool(np.all(sperp <= 4 * m * R / kappa)),
        "sum_i sum_r <w_0r,x_i>^2 <= 2mn kappa^2 - mn R^2 (p.25)": le(z0.sum(), 2 * m * n * kappa**2 - m * n * R**2),
        "sum_r <w_0r,x_i>^2 <= 2mn kappa^2 - mn R^2 for each i (Lemma 10/31/32 as printed)":
            bool(np.all(z0.sum(0) <= 2 * m * n * kappa**2 - m * n * R**2)),
        "||W_0||_F <= kappa sqrt(2md) - sqrt(m) R (Lemma 29, p.35)":
            le(np.linalg.norm(W0), kappa * math.sqrt(2 * m * d) - math.sqrt(m) * R),
        "||w^l_{k,t,r} - w_{0,r}|| <= R and ||w_{k+1,r} - w_{0,r}|| <= R for every mask (p.20, p.25)": le(dist, R),
        "(4) held along every local trajectory (Hypothesis 1 event, p.25)": bool(contr.all()),
        "lambda_min(H(k)) >= lambda_0/2 (p.26)": Q.lambda_min(Hk) >= lam0 / 2,
    }
    out = {"case": case, "lambda_0": lam0, "theta": th, "e": e, "e2": e2, "w": w, "loss_next": loss_n,
           "norm_next": np.sqrt(loss_n), "u_next": u_n, "du2": (du**2).sum(-1), "eI1": I1 @ e, "eI2": I2 @ e,
           "eHe": float(e @ Hk @ e), "I2abs": np.abs(I2), "I1": I1, "I2": I2, "Hk": Hk, "Hperp": Hp,
           "D1": D1, "D2": D2, "E1": Q.E1(Wk, a, X, inS, xi, p, tau),
           "E1_indicator": Q.E1(Wk, a, X, inS, xi, p, tau, indicator=True), "E2": E2, "sperp": sperp,
           "dsig2": ((Q.relu(Q.preact(Wn, X)) - Q.relu(Q.preact(Wk, X))) ** 2).sum(-2),   # (S, n)
           "dw2": (dW**2).sum((-1, -2)), "du_i2": du**2,
           "identity_g": np.abs(loss_n - (e2 - 2 * (I1 @ e) - 2 * (I2 @ e) + (du**2).sum(-1))) /
           np.maximum(np.maximum(loss_n, e2), 1e-300),
           "identity_13a": np.linalg.norm((Wn - (Wk - eta * tau * g - eta * rest)).reshape(len(M), -1), axis=1) /
           np.linalg.norm(Wn.reshape(len(M), -1), axis=1),
           "g_mean": np.tensordot(w, g, 1), "lemma9": Q.lemma9_mean(Wk, a, X, y, xi, p),
           "dW_mean": np.tensordot(w, dW, 1), "rest_mean": np.tensordot(w, rest, 1),
           "max_drift_from_W0": dist, "contraction_fraction": float(contr.mean()),
           "cond": cond_common, "n": n, "m": m, "d": d}
    # T-4(k): ||w_{k+1,r} - w_{k,r}|| <= eta_{k,r} sum_l m^l_{k,r} ||w^l_{k,tau,r} - w_{k,r}||
    lhs_k = np.linalg.norm(dW, axis=-1)                                        # (S, m)
    rhs_k = etak * (Mf * np.linalg.norm(Wl[:, :, -1] - Wk, axis=-1)).sum(1)
    out["tri_lhs"], out["tri_rhs"] = lhs_k, rhs_k
    out["atol_w"] = 64 * np.finfo(float).eps * float(np.linalg.norm(Wn, axis=-1).max())   # ||w - w'|| rounding
    if case["kind"] == "categorical":
        out.update(_categorical_parts(case, X, y, Wk, a, M, Wl, uh, sub, lam0, inS, sperp))
    return out


def _categorical_parts(case, X, y, Wk, a, M, Wl, uh, sub, lam0, inS, sperp):
    p, tau, eta, m = int(case["p"]), int(case["tau"]), case["eta"], Wk.shape[0]
    kappa, R = case["kappa"], case["R"]
    u_n_avg = uh[:, :, -1].mean(1)                                            # (S, n)  (1/p) sum_l uhat^l_{k,tau}
    out = {"avg_out": u_n_avg}
    W0 = np.asarray(case["W0"], float)
    WlT = Wl[:, :, -1]                                                        # (S, p, m, d)  W^l_{k,tau}
    out["fro_Wl"] = np.linalg.norm(WlT, axis=(-1, -2))
    out["fro_W0"] = float(np.linalg.norm(W0))
    out["fro_diff"] = np.linalg.norm(WlT - W0, axis=(-1, -2))
    out["R_min"] = np.sqrt(((WlT - W0) ** 2).sum(-1)).max(-1)                  # (S, p) smallest admissible R
    lam_t = _masked_lambda(Wl[:, :, :tau], X, M)                              # (S, p, tau)
    drift = np.sqrt(((Wl - np.asarray(case["W0"])) ** 2).sum(-1)).max(-1)     # (S, p, tau+1)
    out["hyp1_tau_lhs"] = sub[:, :, -1]
    out["hyp1_tau_rhs"] = (1 - eta * lam0 / 2) ** tau * sub[:, :, 0]
    out["hyp1_event"] = (lam_t >= lam0 / 2).all(-1) & (drift <= R).all(-1) & bool(np.all(sperp <= 4 * m * R / kappa))
    # L-22(d): sum_r |(sigma^l_{k,r})^2 - (sigma^l_{k+1,r})^2| per (sample, l, i)
    s0 = Q.relu(Q.preact(Wk, X)) ** 2                                         # (m, n)
    s1 = Q.relu(Q.preact(Wl[:, :, -1], X)) ** 2                               # (S, p, m, n)
    out["l22d_lhs"] = np.abs(s0[None, None] - s1).sum(-2)                     # (S, p, n)
    out["l22d_resid"] = sub[:, :, :tau].sum(-1)                               # (S, p)
    out["overlap"] = int(max((np.asarray(M)[:, l] & np.asarray(M)[:, lp]).sum()
                             for l in range(p) for lp in range(p) if l != lp)) if p > 1 else 0
    return out


# --------------------------------------------------------------------------------------------------
# Joint Monte Carlo over (W_0, a, M_0) at k = 0


@TS.cached
def joint_study(case):
    X, y = _arr(case, "X", "y")
    n, d = X.shape
    m, p, xi, tau, eta, kappa = int(case["m"]), int(case["p"]), case["xi"], int(case["tau"]), case["eta"], case["kappa"]
    S = int(case["samples"])
    rng = np.random.default_rng(int(case["seed"]))
    W0, a = TS.init_weights(rng, m, d, kappa, trials=S)
    M = TS.sample_masks(rng, case["kind"], S, p, m, xi)
    gs = TS.global_steps(W0, a, X, y, M, xi, eta, tau)
    W0b, ab = TS.init_weights(rng, m, d, kappa, trials=S)                      # independent copy: E||y - u_0||
    Mb = TS.sample_masks(rng, case["kind"], S, p, m, xi)
    gb = TS.global_steps(W0b, ab, X, y, Mb, xi, eta, tau, local=False)
    u0 = Q.whole_output(W0, a, X, xi)
    u1 = Q.whole_output(gs["W_next"], a, X, xi)
    u0b = Q.whole_output(W0b, ab, X, xi)
    u1b = Q.whole_output(gb["W_next"], ab, X, xi)
    Wl, uh = gs["W_local"], gs["uhat"]
    lam0 = Q.lambda_0(X, xi)
    out = {"lambda_0": lam0, "n": n, "d": d, "m": m,
           "fro_W0_ok": bool(np.all(np.linalg.norm(W0, axis=(1, 2)) <= kappa * math.sqrt(2 * m * d))),
           "r0": np.linalg.norm(y - u0, axis=1), "r1": np.linalg.norm(y - u1, axis=1),
           "E_r0": float(np.linalg.norm(y - u0b, axis=1).mean()), "E_r1": float(np.linalg.norm(y - u1b, axis=1).mean()),
           "E_r0_sq": float((np.linalg.norm(y - u0b, axis=1) ** 2).mean()),
           "sub_dev": np.linalg.norm(u0[:, None, :] - uh[:, :, 0], axis=-1),      # (S, p)  ||u_0 - uhat^l_0||
           "drift_local": np.sqrt(((Wl - W0[:, None, None]) ** 2).sum(-1)).max((1, 2, 3)),   # max_{l,t,r}
           "drift_step": np.linalg.norm(gs["W_next"] - W0, axis=-1).max(-1),     # max_r ||w_{1,r} - w_{0,r}||
           "loss0": np.linalg.norm(y - u0, axis=1) ** 2, "loss1": np.linalg.norm(y - u1, axis=1) ** 2}
    sub = ((y[None, None, None, :] - uh) ** 2).sum(-1)                        # (S, p, tau+1)
    out["contraction_all"] = bool((sub[:, :, 1:] <= (1 - eta * lam0 / 2) * sub[:, :, :-1] * (1 + 1e-12)).all())
    Mf = M.astype(float)
    etak = Q.aggregation_weights(Mf)
    rhs = etak * (Mf * np.linalg.norm(Wl[:, :, -1] - W0[:, None], axis=-1)).sum(1)
    lhs = np.linalg.norm(gs["W_next"] - W0, axis=-1)
    out["tri_lhs"], out["tri_rhs"] = lhs, rhs
    if case["kind"] == "categorical":
        out["iota"] = Q.iota_samples(uh)
        out["resid_sum"] = sub[:, :, :tau].sum((1, 2))                        # sum_l sum_{t<tau}
        out["iota_pair"] = Q.iota_pair(W0, a, X, M, Wl, 1, 0) if p > 1 else np.zeros(S)
        out["iota_pair_scale"] = float(np.mean(np.abs(out["iota_pair"]))) if p > 1 else 0.0
    return out


# --------------------------------------------------------------------------------------------------
# Full runs: T0 initialisations x S mask sequences


@TS.cached
def runs_study(case):
    X, y = _arr(case, "X", "y")
    n, d = X.shape
    m, p, xi, tau, eta, kappa, K = (int(case["m"]), int(case["p"]), case["xi"], int(case["tau"]), case["eta"],
                                    case["kappa"], int(case["K"]))
    T0, S = int(case["inits"]), int(case["seqs"])
    rng = np.random.default_rng(int(case["seed"]))
    W0, a = TS.init_weights(rng, m, d, kappa, trials=T0)
    W0r, ar = np.repeat(W0, S, axis=0), np.repeat(a, S, axis=0)
    masks = np.stack([TS.sample_masks(rng, case["kind"], T0 * S, p, m, xi) for _ in range(K)], axis=1)
    loss, rec = TS.run_losses(X, y, W0r, ar, masks, xi, eta, tau, record=("distances", "subnet_loss", "ntk"))
    lam0 = Q.lambda_0(X, xi)
    R = case["R"]
    drift = rec["dist_init"][..., 0].max(-1)                                   # (T0 S, K): max_r ||w_{k,r}-w_{0,r}||
    local_drift = rec["dist_init"].max((-1, -2))                              # (T0 S, K)
    sub = rec["subnet_loss"]                                                   # (T0 S, K, p, tau+1)
    contr = (sub[..., 1:] <= (1 - eta * lam0 / 2) * sub[..., :-1] * (1 + 1e-12)).all((-1, -2))  # (T0 S, K)
    return {"loss": loss.reshape(T0, S, K + 1), "drift": drift.reshape(T0, S, K),
            "local_drift": local_drift.reshape(T0, S, K), "contraction": contr.reshape(T0, S, K),
            "lambda_min_H": rec["lambda_min_H"].reshape(T0, S, -1), "lambda_0": lam0, "n": n, "d": d,
            "sperp_ok": [bool(np.all((~Q.in_S(W0[j], X, R)).sum(1) <= 4 * m * R / kappa)) for j in range(T0)]}

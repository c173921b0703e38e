"""Checks of the NTK objects and proof definitions (N-1, N-3, N-4, N-5, N-6, N-9), Theorem 1 (T-1) and
P-2(g) (H^inf positive definite).

The NTK matrices come from :mod:`maskverify.impl.ntk`; every check compares them with an independent
computation (literal loops, mpmath quadrature / high-precision eigenvalues, Monte Carlo with confidence
intervals, exhaustive enumeration over masks).

Theorem 1's hypothesis "x_i, x_j not co-aligned (x_i not parallel to x_j)": we read "parallel" in the
geometric sense, x_j = +-x_i, so antipodal pairs are outside the hypothesis. They are evaluated anyway
(reported separately): lambda_0 > 0 there as well, so the reading does not change the verdict. Duplicated
points break the hypothesis and make H^inf singular (reported as evidence, not as a case).

Also here: N-2 (masked NTK, Definition 1), N-7 (mixing function), N-8 (mixing gradient), checked by exhaustive
enumeration of the masks (:mod:`maskverify.properties.checks.shared.net_identities`).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from maskverify.properties.checks.shared.net_identities import _run_net_identity, _run_per_mask
from maskverify.properties.checks.shared.ntk_data import _data, _lambda_min_mp, _np, _ntk
from maskverify.properties.checks.shared.probability import fc
from maskverify.properties.framework import verdicts as V
from maskverify.properties.framework.registry import item
from maskverify.properties.oracles import tails


@item("N-2", title="E_M[m^l o H(k,0)] = H(k)", source="Definition 1, p.7", kind="identity")
def check_N2_masked_ntk(ctx):
    return _run_net_identity(ctx, "N-2", ("bernoulli",))


@item("N-7", title="mixing function: two forms equal; nu_rr = N^perp; f_{k,r} = 0 if N^perp = 0",
      source="p.24-25", kind="definition")
def check_N7_mixing_function(ctx):
    return _run_per_mask(ctx, "N-7", "eta sum_l m^l uhat^l vs (1/sqrt m) sum_r' a nu sigma; nu_rr vs N^perp; f "
                                     "where N^perp = 0")


@item("N-8", title="mixing gradient: each equality of the chain", source="p.24", kind="definition")
def check_N8_mixing_gradient(ctx):
    return _run_per_mask(ctx, "N-8", "first form from S-6 gradients (numpy; and maskverify.impl.network."
                                     "surrogate_grad when present) = explicit double sum = (1/sqrt m) sum_i "
                                     "(f - N^perp y_i) a_r x_i 1{...}; W^l_{k,0} = W_k by S-7 line 5")


def _max_rel(A, B):
    A, B = np.asarray(A, float), np.asarray(B, float)
    return float(np.abs(A - B).max() / max(np.abs(A).max(), np.abs(B).max(), 1e-300))


def _H_literal(W, X, xi):
    m, n = W.shape[0], X.shape[0]
    H = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            cnt = sum(1 for r in range(m) if W[r] @ X[i] >= 0 and W[r] @ X[j] >= 0)
            H[i, j] = xi / m * (X[i] @ X[j]) * cnt
    return H


@item("N-1", title="H(k)_ij = (xi/m) <x_i,x_j> sum_r 1{<w_r,x_i> >= 0, <w_r,x_j> >= 0}", source="p.6",
      kind="definition")
def check_N1_finite_ntk(ctx):
    """N-1 · p.6 — H(k)_ij = (xi/m) <x_i,x_j> sum_r 1{<w_r,x_i> >= 0, <w_r,x_j> >= 0}."""
    ntk = _ntk()
    rng = ctx.rng("n1")
    cases, worst = [], 0.0
    for m, n, d in ((1, 1, 1), (3, 2, 2), (8, 4, 3), (20, 6, 4)):
        for xi in (0.25, 1.0):
            X = _data(n, d, int(rng.integers(2**31)))
            W = rng.normal(size=(m, d))
            e = _max_rel(_np(ntk.H(W, X, xi)), _H_literal(W, X, xi))
            e2 = _max_rel(_np(ntk.H(W, X, xi)), xi * _np(ntk.H(W, X, 1.0)))
            worst = max(worst, e, e2)
            cases.append((bool(max(e, e2) <= V.FLOAT64_RTOL), V.FLOAT64_RTOL - max(e, e2), None))
    return fc(ctx, cases, method="impl.ntk.H vs a literal loop; linearity in xi",
                        covered={"m": [1, 20], "n": [1, 6]}, evidence={"max_relative_error": worst})


def _orthant_mc(c, kappa, samples, seed):
    rng = np.random.default_rng(seed)
    xi_ = np.array([1.0, 0.0])
    xj = np.array([c, math.sqrt(max(0.0, 1 - c * c))])
    w = kappa * rng.normal(size=(samples, 2))
    return ((w @ xi_ >= 0) & (w @ xj >= 0)).astype(float)


@V.evaluator
def replay_N3_mc(kind, c, kappa, m, samples, seed, alpha):
    """Monte Carlo of the N-3 closed form: ``kind`` = "orthant" (indicator over w ~ N(0, kappa^2 I)) or
    "E H(0)" (the (0,1) entry of H(0) over W_0 at width m, xi = 1)."""
    if kind == "orthant":
        s, target = _orthant_mc(c, kappa, samples, seed), tails.orthant(c)
        vr = None
    else:
        rng = np.random.default_rng(seed)
        X = np.array([[1.0, 0.0], [c, math.sqrt(max(0.0, 1 - c * c))]])
        W = kappa * rng.normal(size=(samples, m, 2))
        act = (W @ X.T >= 0)
        s = c * (act[..., 0] & act[..., 1]).mean(axis=1)
        target = float(tails.k_inf(X)[0, 1])
        vr = (min(0.0, c), max(0.0, c)) if c != 0 else None
    args = {"kind": kind, "c": c, "kappa": kappa, "m": m, "samples": samples, "seed": seed, "alpha": alpha}
    w = V.counterexample("N-3", replay_N3_mc, args, {"mean": float(s.mean()), "target": target})
    return V.mean_equals(s, target, alpha=alpha, value_range=vr, rel_width=0.25, witness=w, evidence=args)


@item("N-3", title="H^inf closed form xi <x_i,x_j>(pi - arccos<x_i,x_j>)/(2pi); E_{W0}[H(0)] = H^inf",
      source="p.6, p.19", kind="definition")
def check_N3_infinite_ntk(ctx):
    """N-3 · p.6, p.19 — H^inf closed form xi <x_i,x_j>(pi - arccos<x_i,x_j>)/(2pi); E_{W0}[H(0)] = H^inf."""
    import mpmath as mp

    ntk = _ntk()
    cases = []
    with mp.workdps(30):
        for c in (-0.99, -0.7, -0.3, 0.0, 0.2, 0.5, 0.8, 0.95, 0.999):
            # P(Z1 >= 0, c Z1 + s Z2 >= 0) = int_0^inf phi(z) Phi(c z/s) dz
            s_ = mp.sqrt(1 - mp.mpf(c) ** 2)
            val = mp.quad(lambda z, c=c, s_=s_: mp.npdf(z) * mp.ncdf(mp.mpf(c) * z / s_), [0, mp.inf])
            closed = (mp.pi - mp.acos(c)) / (2 * mp.pi)
            cases.append((*V.float_equal(float(val), float(closed)), None))
    rng = ctx.rng("n3")
    impl_err = 0.0
    for n, d in ((2, 2), (5, 3), (8, 4)):
        X = _data(n, d, int(rng.integers(2**31)))
        for xi in (0.3, 1.0):
            impl_err = max(impl_err, _max_rel(_np(ntk.H_inf(X, xi)), xi * tails.k_inf(X)))
            cases.append((*V.float_equal(float(xi * tails.k_inf(X)[0, 0]), xi / 2), None))
    exact = fc(ctx, cases, method="mpmath quadrature of the orthant probability; impl.ntk.H_inf vs closed form",
                         covered="c in [-0.99, 0.999]; n <= 8")
    S = ctx.profile.mc_samples * 5
    mcs = [replay_N3_mc("orthant", c, k, 0, S, ctx.int_seed(f"o{c}{k}"), ctx.alpha)
           for c, k in ((0.5, 1.0), (-0.6, 0.3))]
    mcs += [replay_N3_mc("E H(0)", c, 0.7, m, S, ctx.int_seed(f"h{c}{m}"), ctx.alpha) for c, m in ((0.6, 3), (-0.4, 1))]
    out = V.combine([exact, *mcs], method="exact + Monte Carlo (w ~ N(0, kappa^2 I); E_{W0}[H(0)] at finite m)")
    out.evidence["mc"] = [{**o.evidence, "verdict": o.verdict, "ci": o.confidence} for o in mcs]
    out.evidence["impl.ntk.H_inf_max_relative_deviation_from_closed_form"] = impl_err
    return out


@item("N-4", title="lambda_0 = lambda_min(H^inf) = xi lambda_min(K^inf) <= xi/2", source="p.6, Theorem 1",
      kind="definition")
def check_N4_lambda0(ctx):
    """N-4 · p.6, Theorem 1 — lambda_0 = lambda_min(H^inf) = xi lambda_min(K^inf) <= xi/2."""
    ntk = _ntk()
    rng = ctx.rng("n4")
    cases, impl_dev = [], 0.0
    for n in range(1, 9):
        for d in (2, 4):
            X = _data(n, d, int(rng.integers(2**31)), min_angle=0.05)
            K = tails.k_inf(X)
            lk = float(np.linalg.eigvalsh(K)[0])
            for xi in (0.1, 1 / 3, 0.5, 1.0):
                l0 = float(np.linalg.eigvalsh(xi * K)[0])  # lambda_min(H^inf), H^inf = xi K^inf (N-3)
                impl_dev = max(impl_dev, abs(float(ntk.lambda_0(X, xi)) - l0))
                tol = 1e-12 * xi * float(np.linalg.norm(K, 2))  # eigenvalue perturbation scale
                ok = abs(l0 - xi * lk) <= tol
                cases.append((bool(ok), float(tol - abs(l0 - xi * lk)), None))
                cases.append((*V.bound_le(l0, xi / 2 * (1 + 1e-12)), None))  # n = 1: equality, float64 rounding
    return fc(ctx, cases, method="eigvalsh(xi K^inf) vs xi * eigvalsh(K^inf) (absolute tolerance "
              "1e-12 xi ||K^inf||_2); lambda_0 <= min diagonal entry xi/2",
              covered={"n": [1, 8], "xi": [0.1, 1.0], "categorical xi = 1/p": "p in {1, 2, 3, 10}"},
              evidence={"impl.ntk.lambda_0_max_abs_deviation": impl_dev,
                        "note": "impl.ntk.H_inf computes arccos(G_ii/|x_i|^2); when that ratio rounds to "
                                "1 - 2^-52 the diagonal is off by ~2.4e-9 (arccos loses half the digits near 1)"})


def _a_exists(w0, x, R):
    """Whether some w in the closed ball B(w0, R) changes 1{<w,x> >= 0}: the extremal point w0 -+ R x/||x||
    attains min/max of <w, x> over the ball."""
    z = float(w0 @ x)
    s = 1.0 if z >= 0 else -1.0
    wstar = w0 - s * R * x / np.linalg.norm(x)
    return (float(wstar @ x) >= 0) != (z >= 0)


@V.evaluator
def replay_N5_mc(rho, samples, seed, alpha):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=samples)
    s = ((z >= -rho) & (z < rho)).astype(float)
    target = tails.p_activation_change(rho)
    args = {"rho": rho, "samples": samples, "seed": seed, "alpha": alpha}
    w = V.counterexample("N-5", replay_N5_mc, args, {"mean": float(s.mean()), "target": target})
    return V.mean_equals(s, target, alpha=alpha, rel_width=0.25, witness=w, evidence=args)


@item("N-5", title="A_ir iff -R <= <w_0r, x_i> < R; P(A_ir) = erf(R/(kappa sqrt 2))", source="p.18, eq. (8)",
      kind="definition")
def check_N5_activation_sets(ctx):
    """N-5 · p.18, eq. (8) — A_ir iff -R <= <w_0r, x_i> < R; P(A_ir) = erf(R/(kappa sqrt 2))."""
    rng = ctx.rng("n5")
    cases = []
    for _ in range(ctx.profile.max_examples * 20):
        d = int(rng.integers(1, 5))
        x = rng.normal(size=d)
        x /= np.linalg.norm(x)
        w0 = rng.normal(size=d) * rng.uniform(0.01, 2)
        R = float(rng.uniform(0.001, 1.0))
        z = float(w0 @ x)
        if min(abs(z - R), abs(z + R)) < 1e-9:
            continue
        cases.append((_a_exists(w0, x, R) == (-R <= z < R), None, None))
    for R in (0.5, 0.25, 1.0):  # exact boundary values with x = e_1
        for z in (R, -R, 0.0):
            x, w0 = np.array([1.0, 0.0]), np.array([z, 0.3])
            cases.append((_a_exists(w0, x, R) == (-R <= z < R), None, None))
    exact = fc(ctx, cases, method="extremal point of the ball vs the formula (incl. exact boundaries)",
                         covered="d in 1..4, R in (0, 1]")
    mcs = [replay_N5_mc(rho, ctx.profile.mc_samples * 5, ctx.int_seed(f"{rho}"), ctx.alpha) for rho in (0.1, 0.7)]
    out = V.combine([exact, *mcs], method="exact equivalence + Monte Carlo of the law")
    out.evidence["mc"] = [{**o.evidence, "verdict": o.verdict} for o in mcs]
    out.evidence["R_in_proofs"] = "R = kappa lambda_0/(192 n) (p.18, C-2)"
    return out


@item("N-6", title="H(k)^perp (rows over S_i^perp; not symmetric) and its masked form", source="p.22, p.24, p.49",
      kind="definition")
def check_N6_truncated(ctx):
    """N-6 · p.22, p.24, p.49 — H(k)^perp (rows over S_i^perp; not symmetric) and its masked form."""
    from maskverify.properties.checks.shared.probability import h_perp
    from maskverify.properties.oracles import quantities

    ntk = _ntk()
    rng = ctx.rng("n6")
    cases, asym = [], 0.0
    for m, n, d, rho in ((6, 3, 2, 0.5), (10, 4, 3, 0.3), (64, 6, 3, 0.2)):
        X = _data(n, d, int(rng.integers(2**31)))
        W0 = rng.normal(size=(m, d))
        pre = W0 @ X.T
        Sp = ((pre >= -rho) & (pre < rho)).T  # (n, m)
        W = W0 + 0.5 * rho * rng.normal(size=(m, d)) / math.sqrt(d)
        xi = 0.5
        Hp = h_perp(W, X, xi, Sp)
        Hs = h_perp(W, X, xi, ~Sp)
        e = _max_rel(Hp + Hs, _np(ntk.H(W, X, xi)))  # H(k) = H_S + H^perp
        cases.append((bool(e <= 1e-12), 1e-12 - e, None))
        e2 = _max_rel(Hp, quantities.H(W, X, xi, rows=Sp))  # independent implementation (rows = S_i^perp)
        cases.append((bool(e2 <= 1e-12), 1e-12 - e2, None))
        asym = max(asym, float(np.abs(Hp - Hp.T).max()))
        if m <= 10:  # E_M[(m o H^perp)] = H^perp with xi: exact enumeration over 2^m masks
            acc = np.zeros((n, n))
            for bits in itertools.product((0.0, 1.0), repeat=m):
                mk = np.array(bits)
                wgt = xi ** mk.sum() * (1 - xi) ** (m - mk.sum())
                acc += wgt * h_perp(W, X, 1.0, Sp & (mk[None, :] > 0))
            e3 = _max_rel(acc, Hp)
            cases.append((bool(e3 <= 1e-12), 1e-12 - e3, None))
    cases.append((bool(asym > 0), asym, None))  # "need not be symmetric": an asymmetric instance exists
    return fc(ctx, cases, method="H = H_S + H^perp; two implementations; mask enumeration; asymmetry",
                        covered={"m": [6, 64]}, evidence={"max_|H^perp - H^perp^T|": asym})


@item("N-9", title="I_1 + I_2 = u_{k+1} - u_k (p.24); T = eta theta tau sum_k' (I - eta theta tau H^inf)^k' (p.64)",
      source="p.24, p.64", kind="definition")
def check_N9_proof_quantities(ctx):
    """N-9 · p.24, p.64 — I_1 + I_2 = u_{k+1} - u_k (p.24); T = eta theta tau sum_k' (I - eta theta tau H^inf)^k' (p.64).
    """
    import torch

    from maskverify.impl import algorithm1

    rng = ctx.rng("n9")
    cases, worst = [], 0.0
    for m, n, d, p, tau, xi in ((8, 3, 2, 2, 2, 0.5), (32, 5, 3, 3, 3, 0.7), (64, 4, 4, 1, 1, 1.0)):
        X = _data(n, d, int(rng.integers(2**31)))
        W = rng.normal(size=(m, d))
        a = rng.choice([-1.0, 1.0], size=m)
        y = rng.uniform(-1, 1, size=n)
        M = (rng.uniform(size=(p, m)) < xi).astype(float)
        rec = algorithm1.global_step(torch.tensor(W), torch.tensor(a), torch.tensor(X), torch.tensor(y),
                                     torch.tensor(M), xi, 0.2, tau)
        W1 = rec.W_next.numpy()
        R = 0.3
        S = ~(((W @ X.T) >= -R) & ((W @ X.T) < R)).T  # (n, m) S_i (weights W_0 = W here)
        dsig = np.maximum(W1 @ X.T, 0) - np.maximum(W @ X.T, 0)  # (m, n)
        I1 = xi / math.sqrt(m) * np.einsum("r,ri,ir->i", a, dsig, S.astype(float))
        I2 = xi / math.sqrt(m) * np.einsum("r,ri,ir->i", a, dsig, (~S).astype(float))
        du = (rec.u_after - rec.u_before).numpy()
        e = float(np.abs(I1 + I2 - du).max() / max(np.abs(du).max(), 1e-300))
        worst = max(worst, e)
        cases.append((bool(e <= 1e-10), 1e-10 - e, None))
        # T (p.64) from its definition vs its spectral form
        Hinf = xi * tails.k_inf(X)
        c = 0.5 / np.linalg.eigvalsh(Hinf)[-1]
        k = 7
        T = c * sum(np.linalg.matrix_power(np.eye(n) - c * Hinf, j) for j in range(k))
        lam, U = np.linalg.eigh(Hinf)
        T2 = (U * (c * np.array([sum((1 - c * li) ** j for j in range(k)) for li in lam]))) @ U.T
        e2 = _max_rel(T, T2)
        cases.append((bool(e2 <= 1e-12), 1e-12 - e2, None))
    return fc(ctx, cases, method="impl.algorithm1.global_step; I_1, I_2 over S_i / S_i^perp (R = 0.3, weights "
                        "W_k as the reference); T by definition vs eigen-decomposition",
                        covered={"m": [8, 64], "p": [1, 3], "tau": [1, 3]},
                        evidence={"max_relative_error_I1+I2": worst,
                                  "tolerance": "1e-10 relative (the step is computed in torch, float64)"})


def _t1_datasets(ctx):
    rng = ctx.rng("t1")
    sets = []
    for n, d in ((2, 2), (4, 3), (8, 4), (6, 2)):
        sets.append(("random", _data(n, d, int(rng.integers(2**31)), min_angle=0.01)))
    for eps in (1e-2, 1e-4, 1e-6, 1e-8, 1e-10):
        sets.append((f"nearly parallel pair, angle {eps:g}",
                     np.array([[1.0, 0.0], [math.cos(eps), math.sin(eps)], [0.0, 1.0]])))
    for n in (10, 16, 24):
        ang = np.pi * np.arange(n) / n  # many points in d = 2, no two parallel (angles in [0, pi))
        sets.append((f"{n} points on a half circle, d = 2", np.stack([np.cos(ang), np.sin(ang)], 1)))
    return sets


@item("T-1", title="x_i not parallel to x_j for i != j  =>  lambda_0 > 0", source="Theorem 1, p.6 (Du et al.)",
      kind="theorem")
def check_T1_lambda0_positive(ctx):
    """T-1 · Theorem 1, p.6 (Du et al.) — x_i not parallel to x_j for i != j  =>  lambda_0 > 0."""
    cases, vals = [], {}
    for name, X in _t1_datasets(ctx):
        lm = _lambda_min_mp(X)
        ok = lm > 1e-40  # far above the working precision (60 digits)
        cases.append((bool(ok), float(lm), None))
        vals[name] = float(lm)
    anti = {}
    for name, X in (("antipodal pair x, -x", np.array([[1.0, 0.0], [-1.0, 0.0]])),
                    ("antipodal pair + third point", np.array([[1.0, 0.0], [-1.0, 0.0], [0.6, 0.8]]))):
        anti[name] = float(_lambda_min_mp(X))
    broken = {"duplicate point (hypothesis broken)": float(_lambda_min_mp(np.array([[1.0, 0.0], [1.0, 0.0],
                                                                                      [0.0, 1.0]])))}
    regime = {"form": "Theorem 1 (p.6)", "constant_profile": {},
              "conditions": {"x_i not parallel x_j (i != j)": True, "||x_i|| = 1": True}, "inside": True}
    return fc(ctx, cases, method="closed-form H^inf (N-3) and eigenvalues in mpmath (60 digits)",
                        covered="random, nearly parallel (angle down to 1e-10), up to 24 points in d = 2",
                        regime=regime, evidence={"lambda_min(K^inf)": vals,
                                                 "antipodal (read as parallel; outside the hypothesis)": anti,
                                                 "broken": broken})

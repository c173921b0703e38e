"""Machinery of the bounds in expectation over masks: L-10, L-10(d), L-11, L-11(a), L-11(b) (Theorem 3) and L-31,
L-31(d), L-31(e), L-32 (Appendix H).

Each bound is evaluated by exact conditional / unconditional expectations over the masks M_k (closed forms of
:mod:`maskverify.properties.exact_masks`, checked in-run against enumeration; square-root forms by exhaustive
enumeration of the mask columns that matter) at Gaussian-initialisation weights and at adversarial weights
that satisfy each printed form of the hypothesis (SPEC L-10): all the allowed mass on one neuron, the mass
spread evenly, and random directions filling a random fraction of the budget, with random moves inside the
R-ball. Sweeps p, xi, m >= p (and m >= 1/xi), n, kappa, R; the witness is the first failing case in the
order p, then xi.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

import numpy as np

from maskverify.properties.framework import registry
from maskverify.properties.framework import verdicts as V
from maskverify.properties.oracles import exact_masks as E

_UNIT2 = [(Fraction(1), Fraction(0)), (Fraction(3, 5), Fraction(4, 5)), (Fraction(0), Fraction(1)),
          (Fraction(-4, 5), Fraction(3, 5))]


_FORMS = ("per_i", "printed", "summed")


def _sqrt_floor(v, digits=9):
    """Largest c = k/10^digits with c^2 <= v (v >= 0 rational)."""
    v = Fraction(v)
    if v <= 0:
        return Fraction(0)
    return Fraction(math.isqrt(math.floor(v * 10 ** (2 * digits))), 10 ** digits)


def _rat_unit(vec, digits=6):
    """A rational vector of norm <= 1 close to vec/||vec||."""
    v = np.asarray(vec, float)
    v = v / max(np.linalg.norm(v), 1e-300)
    u = [Fraction(round(x * 10 ** digits), 10 ** digits) for x in v]
    while sum(c * c for c in u) > 1:
        u = [c * Fraction(999999, 1000000) for c in u]
    return u


def _budget(form, m, n, kappa, R):
    return (2 * m * kappa ** 2 - m * R ** 2) if form == "per_i" else (2 * m * n * kappa ** 2 - m * n * R ** 2)


def _inst(p, xi, m, n, kappa, R, W0, Wk, a, family, form):
    X = [list(_UNIT2[i]) for i in range(n)]
    return {"p": p, "xi": xi, "m": m, "n": n, "kappa": Fraction(kappa), "R": Fraction(R), "W0": W0, "Wk": Wk,
            "a": a, "X": X, "y": [Fraction(0)] * n, "family": family, "form": form}


def _family_conc(p, xi, m, n, kappa, R, form):
    """All the allowed mass sum_r <w_0r, x_i>^2 on neuron r = 0 along x_1; w_k0 = w_00 + R x_1; others 0."""
    X = [_UNIT2[i] for i in range(n)]
    z = X[0]
    B = _budget(form, m, n, kappa, R)
    if B <= 0:
        return None
    s = sum(sum(zc * xc for zc, xc in zip(z, x)) ** 2 for x in X) if form == "summed" else Fraction(1)
    c = _sqrt_floor(B / s)
    W0 = [[c * zc for zc in z]] + [[Fraction(0)] * 2 for _ in range(m - 1)]
    Wk = [[(c + R) * zc for zc in z]] + [[Fraction(0)] * 2 for _ in range(m - 1)]
    a = [1 if r % 2 == 0 else -1 for r in range(m)]
    return _inst(p, xi, m, n, kappa, R, W0, Wk, a, "concentrated", form)


def _family_per_point(p, xi, m, n, kappa, R, form):
    """Orthonormal data x_i = e_i (n <= 2) and one neuron per data point carrying the whole allowed mass of its
    x_i along x_i (the printed form allows each i its own budget 2 m n kappa^2 - m n R^2: n times the per-i one,
    and every i may use it at once); w_ki = w_0i + R x_i; the other neurons are 0."""
    if n > 2 or m < n:
        return None
    B = _budget(form, m, n, kappa, R)
    if B <= 0:
        return None
    E2 = [(Fraction(1), Fraction(0)), (Fraction(0), Fraction(1))]
    c = _sqrt_floor(B)
    W0 = [[c * zc for zc in E2[r]] if r < n else [Fraction(0)] * 2 for r in range(m)]
    Wk = [[(c + R) * zc for zc in E2[r]] if r < n else [Fraction(0)] * 2 for r in range(m)]
    a = [1 if r % 2 == 0 else -1 for r in range(m)]
    inst = _inst(p, xi, m, n, kappa, R, W0, Wk, a, "per-point", form)
    inst["X"] = [list(E2[i]) for i in range(n)]
    return inst


def _family_spread(p, xi, m, n, kappa, R):
    """The per-i budget spread evenly over all m neurons along x_1; w_kr = w_0r + R x_1."""
    z = _UNIT2[0]
    c = _sqrt_floor(_budget("per_i", m, n, kappa, R) / m)
    W0 = [[c * zc for zc in z] for _ in range(m)]
    Wk = [[(c + R) * zc for zc in z] for _ in range(m)]
    return _inst(p, xi, m, n, kappa, R, W0, Wk, [1] * m, "spread", "per_i")


def _family_random(p, xi, m, n, kappa, R, rng, family):
    """family 'random': random directions filling a random fraction of the per-i budget, random R-ball moves;
    family 'init': W0 ~ N(0, kappa^2 I) (Gaussian initialisation, S-1), w_kr = w_0r + (R/2) u_r."""
    X = [_UNIT2[i] for i in range(n)]
    G = rng.standard_normal((m, 2))
    if family == "init":
        W0 = [[Fraction(round(float(kappa) * g * 10 ** 6), 10 ** 6) for g in row] for row in G]   # 6 digits
        step = R / 2
    else:
        W0 = [_rat_unit(row) for row in G]
        cols = [sum(sum(w[c] * x[c] for c in range(2)) ** 2 for w in W0) for x in X]
        t = Fraction(int(rng.integers(1, 11)), 10)
        lam = _sqrt_floor(t * _budget("per_i", m, n, kappa, R) / max(max(cols), Fraction(1, 10 ** 12)))
        W0 = [[lam * c for c in w] for w in W0]
        step = R
    U = [_rat_unit(row) for row in rng.standard_normal((m, 2))]
    Wk = [[w[c] + step * u[c] for c in range(2)] for w, u in zip(W0, U)]
    a = [int(v) for v in rng.choice([-1, 1], size=m)]
    return _inst(p, xi, m, n, kappa, R, W0, Wk, a, family, "per_i" if family == "random" else "none")


def _bound_ps(p_max):
    return sorted({p for p in (1, 2, 3, 4, 5, 6, 8, 12, 20, 30, 60, 100) if p <= p_max} | {p_max})


def _bound_xis(step):
    return sorted({Fraction(max(1, round(step * f)), step) for f in (0.01, 0.05, 0.1, 0.2, 0.25, 1 / 3, 0.5,
                                                                     0.75, 0.9, 1.0)})


@lru_cache(maxsize=8)
def _bound_instances(seed, p_max, xi_step):
    rng = np.random.default_rng(seed)
    out = []
    for p in _bound_ps(p_max):
        for xi in _bound_xis(xi_step):
            for m in sorted({p, max(p, math.ceil(1 / xi))}):
                cands = [_family_conc(p, xi, m, 1, 1, 1, "per_i"),
                         _family_conc(p, xi, m, 2, Fraction(1, 4), Fraction(1, 40), "per_i"),
                         _family_conc(p, xi, m, 2, 1, Fraction(1, 2), "printed"),
                         _family_conc(p, xi, m, 2, 1, Fraction(1, 2), "summed"),
                         _family_spread(p, xi, m, 2, 1, Fraction(1, 2)),
                         _family_random(p, xi, m, 2, 1, Fraction(1, 2), rng, "random"),
                         _family_random(p, xi, m, 2, 1, Fraction(1, 2), rng, "random"),
                         _family_random(p, xi, m, 2, Fraction(1, 4), Fraction(1, 40), rng, "init"),
                         _family_per_point(p, xi, max(m, 2), 2, 1, Fraction(1, 2), "printed"),
                         _family_per_point(p, xi, max(m, 2), 2, 1, Fraction(1, 2), "per_i")]
                out.extend(c for c in cands if c is not None)
    return tuple(out)


def _conditions(inst):
    if "_cond" not in inst:
        inst["_cond"] = _conditions_uncached(inst)
    return inst["_cond"]


def _mats(inst):
    """Cached <w_kr, x_i>, sigma(<w_kr, x_i>) and <w_0r, x_i> (exact nested lists)."""
    if "_P" not in inst:
        inst["_P"] = E.pre_matrix(inst["Wk"], inst["X"])
        inst["_S"] = E.sig_matrix(None, None, P=inst["_P"])
        inst["_P0"] = E.pre_matrix(inst["W0"], inst["X"])
    return inst["_P"], inst["_S"], inst["_P0"]


def _conditions_uncached(inst):
    p, xi, m = inst["p"], inst["xi"], inst["m"]
    forms = E.hypothesis_forms(inst["W0"], inst["X"], m, inst["kappa"], inst["R"], P0=_mats(inst)[2])
    return {"m >= p": m >= p, "R > 0": inst["R"] > 0, "||w_kr - w_0r|| <= R for all r": E.in_ball(
        inst["W0"], inst["Wk"], inst["R"]), "||x_i|| = 1": all(sum(c * c for c in x) == 1 for x in inst["X"]),
        "hypothesis per-i form (2 m kappa^2 - m R^2, Lemma 30 p.54)": forms["per_i"],
        "hypothesis as printed (for each i: 2 m n kappa^2 - m n R^2)": forms["printed"],
        "hypothesis summed over i (p.25)": forms["summed"],
        "m >= 1/xi (used in the proof of Lemma 31, p.57)": m * xi >= 1}


def _u_vec(inst):
    xi, m = inst["xi"], inst["m"]
    S = _mats(inst)[1]
    sm = E._isqrt_exact(m)
    return [xi * sum(inst["a"][r] * S[r][i] for r in range(m)) / sm for i in range(inst["n"])]


def _enum_quantities(inst, enum_pm):
    key = ("_enum", enum_pm)
    if key not in inst:
        inst[key] = _enum_quantities_uncached(inst, enum_pm)
    return inst[key]


def _enum_quantities_uncached(inst, enum_pm):
    """Square-root expectations by exhaustive enumeration over the mask columns that matter (neuron r = 0 and
    every neuron with a nonzero activation); float64. None when p * columns > enum_pm."""
    p, m, xi = inst["p"], inst["m"], float(inst["xi"])
    Sf = np.array([[float(v) for v in row] for row in _mats(inst)[1]])                          # (m, n)
    rel = [0] + [r for r in range(1, m) if np.any(Sf[r] != 0)]
    if p * len(rel) > enum_pm:
        return None
    M, w = E.all_bernoulli_masks(p, len(rel), inst["xi"])
    a = np.array([float(inst["a"][r]) for r in rel])
    S = Sf[rel]
    X = np.array([[float(c) for c in x] for x in inst["X"]])
    y = np.array([float(v) for v in inst["y"]])
    sm = math.sqrt(m)
    u = xi * (np.array([float(v) for v in inst["a"]]) @ Sf) / sm
    _, Np, eta = E.mask_quantities(M)
    nu0 = E.net_nu(M)[:, 0, :]                                          # (P, rel)
    f = (nu0 * a[None]) @ S / sm                                         # (P, n)  f_{k,0}
    pre0 = np.array([float(v) for v in _mats(inst)[0][0]])
    ind = (pre0 >= 0).astype(float)
    g = ((f - Np[:, :1] * y) * a[0] * ind) @ X / sm                      # (P, d)
    uh = np.einsum("Plr,r,rn->Pln", M, a, S) / sm                        # (P, p, n)
    dev = np.linalg.norm(uh - u, axis=2)                                # (P, p)
    fu = np.linalg.norm(f - u, axis=1) * Np[:, 0]
    # float64 rounding floor: values below 1e-13 x (output scale) are rounding noise of an exact zero
    # (e.g. f = u exactly when xi = 1), so they are set to 0 before comparing with a bound that is 0 there.
    scale = (np.abs(S).sum() / sm + np.abs(y).sum() + 1.0) * math.sqrt(inst["n"])

    def clean(v):
        v = float(v)
        return 0.0 if abs(v) <= 1e-13 * scale else v

    return {"E_g_norm": clean(w @ np.linalg.norm(g, axis=1)), "E_g_sq": float(w @ (g ** 2).sum(1)),
            "E_N_fu_norm": clean(w @ fu), "E_N_fu_sq": float(w @ fu ** 2),
            "E_eta_dev": clean(w @ (eta[:, 0] * (M[:, :, 0] * dev).sum(1))),
            "E_eta2_dev_sq": float(w @ (eta[:, 0] ** 2 * (M[:, :, 0] * dev ** 2).sum(1))),
            "columns_enumerated": len(rel)}


def _cmp(lhs, rhs):
    """lhs <= rhs: exact for rationals, else float64 with the 1e-12 band."""
    if isinstance(lhs, Fraction) and isinstance(rhs, Fraction):
        ok = lhs <= rhs
        return ok, float(rhs - lhs) / max(abs(float(rhs)), abs(float(lhs)), 1e-300)
    return V.bound_le(float(lhs), float(rhs))


def _chain(steps):
    """steps: list of (label, relation, lhs, rhs); returns ok, margin, first failing step."""
    ok, margin, first = True, math.inf, None
    for label, rel, lhs, rhs in steps:
        if rel == "=":
            if isinstance(lhs, Fraction) and isinstance(rhs, Fraction):
                good, mg = lhs == rhs, (0.0 if lhs == rhs else -V.relative_error(lhs, rhs))
            else:
                good, mg = V.float_equal(lhs, rhs)
        else:
            good, mg = _cmp(lhs, rhs)
        margin = min(margin, mg if mg is not None else 0.0)
        if good is None:
            ok = None if ok is not False else ok
        elif not good:
            ok = False
            if first is None:
                first = {"step": label, "lhs": lhs, "rhs": rhs}
    return ok, margin, first


def _L10_chain(inst, i):
    p, xi, m, kappa, R = inst["p"], inst["xi"], inst["m"], inst["kappa"], inst["R"]
    th = E.theta_of(p, xi)
    P, S, P0 = _mats(inst)
    Vv = E.cf_nu_cond_var(p, xi)
    others = sum(S[s][i] ** 2 for s in range(1, m))
    L0 = ((1 - xi) ** 2 * S[0][i] ** 2 + Vv * others) / m
    L1 = Vv * others / m
    L2 = Vv * others / m + (th - 2 * xi * th + xi * xi) * S[0][i] ** 2 / m
    L3 = (th - xi * xi) / (p * m) * sum(P[s][i] ** 2 for s in range(1, m)) + (th - xi * xi) / m * S[0][i] ** 2
    L4 = (2 * (th - xi * xi) / (p * m) * (sum(P0[s][i] ** 2 for s in range(m)) + m * R * R)
          + 2 * (th - xi * xi) / p * (P[0][i] + R * R))
    L5 = 8 * (th - xi * xi) * kappa ** 2 / p
    return [("E[(f-u)^2|N=1] = (1/m) E[(sum_{r'!=r} a (nu - xi) sigma)^2 | N=1]", "=", L0, L1),
            ("= (1/m) sum Var(nu|N=1) sigma^2 + (1/m) E[(nu_rr - xi)^2] sigma_r^2", "=", L1, L2),
            ("<= ((theta-xi^2)/(pm)) sum_{r'!=r} <w_kr',x_i>^2 + ((theta-xi^2)/m) sigma_r^2", "<=", L2, L3),
            ("<= (2(theta-xi^2)/(pm))(sum <w_0r',x_i>^2 + mR^2) + (2(theta-xi^2)/p)(<w_kr,x_i> + R^2)", "<=", L3, L4),
            ("<= 8(theta-xi^2) kappa^2/p", "<=", L4, L5)]


def _L31_chain(inst, i):
    p, xi, m, kappa = inst["p"], inst["xi"], inst["m"], inst["kappa"]
    th = E.theta_of(p, xi)
    ep = E.cf_e_p(p, xi)
    P, S, _ = _mats(inst)
    tot = sum(S[s][i] ** 2 for s in range(m))
    D0 = ep * ((1 - xi) ** 2 * S[0][i] ** 2 + xi * (1 - xi) * (tot - S[0][i] ** 2)) / m
    D2 = xi * (1 - xi) / m * ep * tot + (1 - xi) * (1 - 2 * xi) / m * ep * S[0][i] ** 2
    D3 = th * th * (1 - xi) / (m * p) * sum(P[s][i] ** 2 for s in range(m)) \
        + (1 - xi) ** 2 * th * th / (m * p * xi) * P[0][i] ** 2
    D4 = 2 * th * th * (1 - xi) * kappa ** 2 / p + 2 * th * th * (1 - xi) ** 2 * kappa ** 2 / (m * p * xi)
    D5 = 4 * th * th * (1 - xi) * kappa ** 2 / p
    return [("E[eta^2 sum_l m^l (u-uhat^l)^2] <= (1/m) E[eta^2 sum_l m^l (sum_r' a (xi - m^l_r') sigma)^2]",
             "<=", D0, D0),
            ("<= (xi(1-xi)/m) E[eta] sum_r' sigma^2 + ((1-xi)(1-2xi)/m) E[eta] sigma_r^2", "<=", D0, D2),
            ("<= (theta^2(1-xi)/(mp)) sum <w_kr',x_i>^2 + ((1-xi)^2 theta^2/(mp xi)) <w_kr,x_i>^2", "<=", D2, D3),
            ("<= 2 theta^2(1-xi)kappa^2/p + 2 theta^2 (1-xi)^2 kappa^2/(mp xi)", "<=", D3, D4),
            ("<= 4 theta^2 (1-xi) kappa^2/p (uses m >= 1/xi)", "<=", D4, D5)]


def _bound_eval(item_id, inst, enum_pm):
    """Evaluate one bound item at one instance: returns (ok, margin, values, applicable)."""
    p, xi, m, n, kappa = inst["p"], inst["xi"], inst["m"], inst["n"], inst["kappa"]
    th = E.theta_of(p, xi)
    vals = {}
    if item_id in ("L-10", "L-11(a)"):
        lhs = E.lemma10_lhs(p, xi, inst["Wk"], inst["X"], S=_mats(inst)[1])
        if item_id == "L-10":
            rhs = 8 * (th - xi * xi) * n * kappa ** 2 / p
        else:
            lhs, rhs = th * lhs, 8 * th * (th - xi * xi) * n * kappa ** 2 / p
        ok, mg = _cmp(lhs, rhs)
        vals = {"lhs": lhs, "rhs": rhs}
        if item_id == "L-11(a)":
            en = _enum_quantities(inst, enum_pm)
            if en is not None:      # the identity E[N ||f-u||^2] = theta E[||f-u||^2 | N=1], by enumeration
                eq, _ = V.float_equal(en["E_N_fu_sq"], float(lhs), rtol=1e-9)
                vals["identity_enumerated"] = en["E_N_fu_sq"]
                ok = ok and eq
        return ok, mg, vals, True
    if item_id in ("L-10(d)", "L-31(d)"):
        chain = _L10_chain if item_id == "L-10(d)" else _L31_chain
        ok_all, mg_all, first = True, math.inf, None
        for i in range(n):
            ok, mg, fst = _chain(chain(inst, i))
            mg_all = min(mg_all, mg)
            if ok is False and ok_all is not False:
                ok_all, first = False, {"i": i, **fst}
            elif ok is None and ok_all is True:
                ok_all = None
        return ok_all, mg_all, {"first_failing_step": first}, True
    if item_id == "L-11":
        lhs1 = E.lemma11_sq_lhs(p, xi, inst["Wk"], inst["a"], inst["X"], inst["y"], P=_mats(inst)[0])
        u = _u_vec(inst)
        res2 = sum((yv - uv) ** 2 for yv, uv in zip(inst["y"], u))
        rhs1 = 2 * n * th / m * res2 + 16 * th * (th - xi * xi) * n * n * kappa ** 2 / (p * m)
        ok, mg = _cmp(lhs1, rhs1)
        vals = {"E||g||^2": lhs1, "bound_sq": rhs1}
        en = _enum_quantities(inst, enum_pm)
        if en is not None:
            rhs2 = math.sqrt(n) * float(th) / math.sqrt(m) * math.sqrt(float(res2)) + \
                4 * n * float(kappa) * math.sqrt(float(th * (th - xi * xi)) / (p * m))
            ok2, mg2 = V.bound_le(en["E_g_norm"], rhs2)
            tool, _ = V.float_equal(en["E_g_sq"], float(lhs1), rtol=1e-9)
            vals.update({"E||g||": en["E_g_norm"], "bound_norm": rhs2})
            ok = None if not tool else (False if (ok is False or ok2 is False) else
                                        (None if (ok is None or ok2 is None) else True))
            mg = min(mg, mg2 if mg2 is not None else 0.0)
        return ok, mg, vals, True
    if item_id == "L-11(b)":
        en = _enum_quantities(inst, enum_pm)
        if en is None:
            return None, None, {}, False
        rhs = 2 * float(kappa) * math.sqrt(2 * float(th * (th - xi * xi)) * n / p)
        ok, mg = V.bound_le(en["E_N_fu_norm"], rhs)
        return ok, mg, {"E[N||f-u||]": en["E_N_fu_norm"], "rhs": rhs}, True
    if item_id == "L-31":
        C1 = 4 * th * th * (1 - xi) * n * kappa ** 2 / p
        lhs1 = E.lemma31_lhs(p, xi, inst["Wk"], inst["X"], S=_mats(inst)[1])
        ok, mg = _cmp(lhs1, C1)
        vals = {"lhs_sq": lhs1, "C_1": C1}
        en = _enum_quantities(inst, enum_pm)
        if en is not None:
            ok2, mg2 = V.bound_le(en["E_eta_dev"], math.sqrt(p * float(C1)))
            tool, _ = V.float_equal(en["E_eta2_dev_sq"], float(lhs1), rtol=1e-9)
            vals.update({"lhs_norm": en["E_eta_dev"], "sqrt(p C_1)": math.sqrt(p * float(C1))})
            ok = None if not tool else (False if (ok is False or ok2 is False) else
                                        (None if (ok is None or ok2 is None) else True))
            mg = min(mg, mg2 if mg2 is not None else 0.0)
        return ok, mg, vals, True
    if item_id == "L-31(e)":
        en = _enum_quantities(inst, enum_pm)
        if en is None:
            return None, None, {}, False
        rhs = math.sqrt(p * en["E_eta2_dev_sq"])
        ok, mg = V.bound_le(en["E_eta_dev"], rhs)
        return ok, mg, {"E[eta sum_l m^l ||u-uhat^l||]": en["E_eta_dev"],
                        "sqrt(p E[eta^2 sum_l m^l ||u-uhat^l||^2])": rhs}, True
    if item_id == "L-32":
        lhs = E.lemma32_lhs(xi, inst["Wk"], inst["X"], S=_mats(inst)[1])
        rhs = 4 * xi * (1 - xi) * n * kappa ** 2
        ok, mg = _cmp(lhs, rhs)
        return ok, mg, {"lhs": lhs, "rhs": rhs}, True
    raise KeyError(item_id)


_BOUND_HYP = {  # which conditions each statement prints (besides the R-ball, R > 0 and unit x)
    "L-10": ("m >= p",), "L-10(d)": ("m >= p",), "L-11": ("m >= p",), "L-11(a)": ("m >= p",),
    "L-11(b)": ("m >= p",), "L-31": (), "L-31(d)": (), "L-31(e)": (), "L-32": (),
}


def _admissible(item_id, cond, extra=()):
    base = (cond["R > 0"] and cond["||w_kr - w_0r|| <= R for all r"] and cond["||x_i|| = 1"]
            and cond["hypothesis as printed (for each i: 2 m n kappa^2 - m n R^2)"])
    return base and all(cond[c] for c in (*_BOUND_HYP[item_id], *extra))


#: The per-i form of the initialisation hypothesis (what Lemma 30 concludes, p.54), for corrected readings.
PER_I = "hypothesis per-i form (2 m kappa^2 - m R^2, Lemma 30 p.54)"


def _inst_json(inst):
    return V.jsonable({k: v for k, v in inst.items() if isinstance(k, str) and not k.startswith("_")})


def _inst_from_json(d):
    def rat(v):
        return E.q(v) if not isinstance(v, list) else [rat(x) for x in v]
    out = dict(d)
    for k in ("xi", "kappa", "R", "W0", "Wk", "X", "y"):
        out[k] = rat(d[k])
    out["a"] = [int(v) for v in d["a"]]
    for k in ("p", "m", "n"):
        out[k] = int(d[k])
    return out


@V.evaluator
def replay_bound(item, instance, enum_pm):
    """Evaluator of a bound item at one instance (weights as "num/den" strings; exact where the closed form is
    rational, enumeration over masks in float64 for square-root forms)."""
    inst = _inst_from_json(instance)
    ok, mg, vals, _ = _bound_eval(item, inst, int(enum_pm))
    cond = _conditions(inst)
    values = {**vals, "conditions": cond, "admissible": _admissible(item, cond)}
    if not values["admissible"]:
        ok = None
    wit = V.counterexample(item, replay_bound, {"item": item, "instance": instance, "enum_pm": int(enum_pm)},
                           values)
    return V.from_cases([(ok, mg, wit)], method="closed-form+exact-enumeration",
                        covered={"p": inst["p"], "xi": E.qs(inst["xi"]), "m": inst["m"]})


def _run_bound(ctx, item_id, *, form_name, note=None, extra_conditions=()):
    """``extra_conditions``: condition names (of :func:`_conditions`) required on top of the statement's own,
    e.g. (PER_I,) for a corrected reading of the hypothesis."""
    # one instance set shared by all bound items of a run (seeded like a Context of item "L-10")
    shared = registry.Context(profile=ctx.profile, seed=ctx.seed, item_id="L-10")
    insts = _bound_instances(shared.int_seed("bound-instances"), ctx.profile.p_max, ctx.profile.xi_step)
    enum_pm = ctx.profile.enum_pm
    cases, per_family, skipped = [], {}, 0
    worst_ratio = {"per_i": -math.inf, "printed": -math.inf, "summed": -math.inf}
    first_values = first_strict = strict_wit = None
    n_strict, strict_pos = 0, None
    init_bad, first_steps = [], {}
    for inst in insts:
        cond = _conditions(inst)
        if not _admissible(item_id, cond, extra_conditions):
            skipped += 1
            continue
        ok, mg, vals, applicable = _bound_eval(item_id, inst, enum_pm)
        if not applicable:
            skipped += 1
            continue
        fam = per_family.setdefault(inst["family"], {"cases": 0, "violated": 0, "max_ratio": -math.inf})
        fam["cases"] += 1
        ratio = _ratio_from(vals)
        if ratio is not None:
            fam["max_ratio"] = max(fam["max_ratio"], ratio)
            for f, key in zip(_FORMS, ("hypothesis per-i form (2 m kappa^2 - m R^2, Lemma 30 p.54)",
                                       "hypothesis as printed (for each i: 2 m n kappa^2 - m n R^2)",
                                       "hypothesis summed over i (p.25)")):
                if cond[key]:
                    worst_ratio[f] = max(worst_ratio[f], ratio)
        wit = None
        if ok is False:
            fam["violated"] += 1
            values = {**vals, "conditions": cond, "admissible": True}
            ij = _inst_json(inst)
            wit = V.counterexample(item_id, replay_bound, {"item": item_id, "instance": ij, "enum_pm": enum_pm},
                                   values)
            summary = {"p": inst["p"], "xi": E.qs(inst["xi"]), "m": inst["m"], "n": inst["n"],
                       "kappa": E.qs(inst["kappa"]), "R": E.qs(inst["R"]), "family": inst["family"],
                       **V.jsonable(values)}
            if first_values is None:
                first_values = summary
            if first_strict is None and all(cond.values()):
                first_strict = summary
                strict_wit = wit
                strict_pos = len(cases)
            n_strict += all(cond.values())
            if inst["family"] == "init":
                init_bad.append({"p": inst["p"], "xi": E.qs(inst["xi"]), "m": inst["m"],
                                 "m >= 1/xi": bool(inst["m"] * inst["xi"] >= 1)})
            fst = vals.get("first_failing_step")
            if fst:
                first_steps[fst["step"]] = first_steps.get(fst["step"], 0) + 1
        cases.append((ok, mg, wit))
    if strict_pos is not None:
        # The reported counterexample is the first case that satisfies EVERY condition (each printed form of the
        # initialisation hypothesis, m >= p, and m >= 1/xi which the proof of Lemma 31 uses), so a violated
        # verdict never rests on a hypothesis that only one printed form omits; the smallest case is kept
        # in the evidence ("smallest_witness").
        cases.insert(0, cases.pop(strict_pos))
    covered = {"p": _bound_ps(ctx.profile.p_max), "xi": [E.qs(x) for x in _bound_xis(ctx.profile.xi_step)],
               "m": "{p, max(p, ceil(1/xi))}", "n": [1, 2], "d": 2, "kappa": ["1", "1/4"],
               "R": ["1", "1/2", "1/40"],
               "families": {"concentrated": "all allowed mass on neuron r along x_1 (per-i, printed, summed forms)",
                            "spread": "per-i budget spread over all neurons", "random": "random directions, random "
                            "fraction of the per-i budget, random R-ball moves", "init": "W0 ~ N(0, kappa^2 I)",
                            "per-point": "x_i = e_i, one neuron per x_i with the whole budget of its form (printed, "
                                         "per-i), m >= n = 2"},
               "enumeration": f"square-root forms: all 2^(p c) patterns of the c relevant mask columns, p c <= "
                              f"{enum_pm}"}
    ev = {"per_family": per_family, "max_ratio_lhs_over_bound_by_form": {
        k: (None if v == -math.inf else v) for k, v in worst_ratio.items()},
        "cases_skipped_inadmissible_or_not_enumerable": skipped}
    if first_values is not None:
        ev["smallest_witness"] = first_values
        ev["violations_with_every_condition_true"] = {
            "count": n_strict, "meaning": "cases that satisfy every printed form of the hypothesis (per-i, as "
                                          "printed, summed), m >= p and m >= 1/xi",
            "smallest": first_strict,
            "replay": None if strict_wit is None else {k: strict_wit[k] for k in ("evaluator", "args")}}
    if first_steps:
        ev["first_failing_step_counts"] = first_steps
    ev["gaussian_init_family"] = {
        "violations": init_bad,
        "violations_with_m_ge_1/xi": sum(b["m >= 1/xi"] for b in init_bad),
        "meaning": "W0 ~ N(0, kappa^2 I) (S-1, kappa = 1/4, n = 2, R = 1/40), W_k inside the R-ball; these are the "
                   "typical weights the proof of Theorem 3 applies the lemma to. Failures there occur only at the "
                   "widths listed (m in {p, max(p, ceil(1/xi))} swept); the other families are admissible "
                   "worst cases (all the allowed mass of sum_r <w_0r,x_i>^2 on few neurons)."}
    ev["text_after_theorem_3"] = ("p.8 'In the following sections, we assume max{K, d, p} <= n and kappa = n^{-1/2}' "
                                  "introduces the corollaries and is not printed in the lemma; the reported witness "
                                  "(when n = 1, kappa = 1) satisfies kappa = n^{-1/2} and p <= n, and has all "
                                  "vectors on x_1 = e_1, so d = 1 <= n gives the same numbers.")
    if note:
        ev["note"] = note
    regime = {"form": form_name, "constant_profile": {"constants": "as printed (no hidden constants)"},
              "conditions": {"hypothesis as printed (Lemma 10/31/32 form)": True, "R-ball": True,
                             **{c: True for c in (*_BOUND_HYP[item_id], *extra_conditions)}},
              "inside": True}
    if first_values is not None:
        regime["conditions_of_witness"] = (first_strict or first_values)["conditions"]
    return V.from_cases(cases, method="closed-form+exact-enumeration", covered=covered, evidence=ev,
                        regime=regime)


def _ratio_from(vals):
    for lk, rk in (("lhs", "rhs"), ("E||g||^2", "bound_sq"), ("lhs_sq", "C_1"), ("E[N||f-u||]", "rhs"),
                   ("E[eta sum_l m^l ||u-uhat^l||]", "sqrt(p E[eta^2 sum_l m^l ||u-uhat^l||^2])")):
        if lk in vals and rk in vals:
            r, lv = float(vals[rk]), float(vals[lk])
            if r > 0:
                return lv / r
            return math.inf if lv > 0 else None     # 0 <= 0 (e.g. xi = 1): no ratio
    return None

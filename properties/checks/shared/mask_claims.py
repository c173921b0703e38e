"""The table of per-neuron mask claims and their evaluation, shared by the mask identities and mask-expectation
checks (SPEC L-8..L-11, L-20, L-21, L-25..L-28,
L-31, L-32, S-4(a)-(d), N-2, N-7, N-8, P-2(a)-(c),(e),(f), T-8(c), T-9(h),(n)).

Every verdict is computed from :mod:`maskverify.properties.oracles.exact_masks`:

* per-neuron mask claims: exact rationals over the grid ``p = 1..profile.p_max`` and
  ``xi = j/profile.xi_step`` (j = 1..xi_step), with the Bin(p, xi) closed forms for every p and brute-force
  enumeration of the mask columns wherever ``p * columns <= profile.enum_pm``; both must agree exactly;
* network identities: exhaustive enumeration of all masks M_k (p m <= profile.enum_pm) for small random
  networks, float64, relative error <= 1e-12 (``verdicts.FLOAT64_RTOL``);
* bounds (L-10, L-11, L-31, L-32): exact conditional expectations over masks (closed forms verified
  against enumeration, and enumeration for the square-root forms) at Gaussian-initialisation weights and at
  adversarial weights satisfying each printed form of the hypothesis -- in
  :mod:`maskverify.properties.checks.shared.mask_bounds`.

A violated verdict carries the first failing case in the order p, then xi (the smallest witness found),
and a module-level evaluator that recomputes it from JSON arguments (rationals as "num/den" strings).
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cache

from maskverify.properties.framework import verdicts as V
from maskverify.properties.oracles import exact_masks as E

RTOL = V.FLOAT64_RTOL


class _Truth:
    """Exact per-neuron mask quantities at (p, xi): enumeration where feasible, closed forms always.

    ``get(name)`` returns the enumerated value when the enumeration for that quantity fits in
    ``enum_pm`` (p * columns), else the closed form; when both exist and differ, ``disagree`` records it
    (a tool failure: the case becomes undecided)."""

    def __init__(self, p, xi, enum_pm):
        self.p, self.xi, self.enum_pm = p, E.q(xi), enum_pm
        self.disagree = []
        self.methods = set()
        self._cache = {}

    def _enum(self, cols):
        return self.p * cols <= self.enum_pm

    def get(self, name):
        if name in self._cache:
            return self._cache[name]
        p, xi = self.p, self.xi
        th = E.cf_theta(p, xi)
        cf, en = _CLOSED[name](p, xi, th), None
        cols = _ENUM_COLS[name]
        if cols and self._enum(cols):
            en = _ENUMS[name](p, xi)
            self.methods.add("exact-enumeration")
            if en != cf:
                self.disagree.append(name)
        self.methods.add("closed-form")
        val = en if en is not None else cf
        self._cache[name] = val
        return val


def _cond(p, cols, stat, xi):
    return E.enum_cond(p, cols, stat, xi)


# closed forms (derived; tested against enumeration in tests/properties/oracles/test_exact_masks.py)
_CLOSED = {
    "theta": lambda p, xi, th: th,
    "N_mean": lambda p, xi, th: E.cf_theta(p, xi),
    "N_second": lambda p, xi, th: E.cf_theta(p, xi),               # N in {0, 1}
    "e_p": lambda p, xi, th: E.cf_e_p(p, xi),
    "inv_X_pos": lambda p, xi, th: E.cf_inv_X_given_pos(p, xi),
    "m_over_X_pos": lambda p, xi, th: E.cf_m_over_X_given_pos(p, xi),
    "m_over_X2_pos": lambda p, xi, th: E.cf_m_over_X2_given_pos(p, xi),
    "P_m1_pos": lambda p, xi, th: xi / th,
    "nu_mean_c": lambda p, xi, th: E.cf_nu_cond_mean(p, xi),
    "nu2_c": lambda p, xi, th: E.cf_nu_cond_second(p, xi),
    "nu_var_c": lambda p, xi, th: E.cf_nu_cond_var(p, xi),
    "nurr_mean_c": lambda p, xi, th: Fraction(1),
    "nurr2_c": lambda p, xi, th: Fraction(1),
    "nurr_mean": lambda p, xi, th: th,
    "nurr2": lambda p, xi, th: th,
    "inv_1pY": lambda p, xi, th: E.cf_inv_1pY(p, xi),
    "cross_c": lambda p, xi, th: Fraction(0),                      # conditional independence given column r
    "A0": lambda p, xi, th: E.cf_e_p(p, xi),                       # E[eta^2 X] = E[eta]
    "A1": lambda p, xi, th: xi * E.cf_e_p(p, xi),                  # E[eta^2 sum_l m^l_r m^l_r'] = xi E[eta]
    "bad_eta_sum": lambda p, xi, th: 0,
    "bad_nurr": lambda p, xi, th: 0,
    "bad_nu_N0": lambda p, xi, th: 0,
}


# enumeration (columns needed, and the computation)
_ENUM_COLS = {"theta": 0, "N_mean": 1, "N_second": 1, "e_p": 1, "inv_X_pos": 1, "m_over_X_pos": 1,
              "m_over_X2_pos": 1, "P_m1_pos": 1, "nu_mean_c": 2, "nu2_c": 2, "nu_var_c": 2,
              "nurr_mean_c": 2, "nurr2_c": 2, "nurr_mean": 2, "nurr2": 2, "inv_1pY": 1, "cross_c": 3,
              "A0": 2, "A1": 2, "bad_eta_sum": 1, "bad_nurr": 2, "bad_nu_N0": 2}


_ENUMS = {
    "N_mean": lambda p, xi: E.enum_expect(p, 1, "N", xi),
    "N_second": lambda p, xi: E.enum_expect(p, 1, "N2", xi),
    "e_p": lambda p, xi: E.enum_expect(p, 1, "eta", xi),
    "inv_X_pos": lambda p, xi: _cond(p, 1, "eta", xi),
    "m_over_X_pos": lambda p, xi: _cond(p, 1, "c0_over_X", xi),
    "m_over_X2_pos": lambda p, xi: _cond(p, 1, "c0_over_X2", xi),
    "P_m1_pos": lambda p, xi: _cond(p, 1, "c0N", xi),
    "nu_mean_c": lambda p, xi: _cond(p, 2, "Nnu", xi),
    "nu2_c": lambda p, xi: _cond(p, 2, "Nnu2", xi),
    "nu_var_c": lambda p, xi: _cond(p, 2, "Nnu2", xi) - _cond(p, 2, "Nnu", xi) ** 2,
    "nurr_mean_c": lambda p, xi: _cond(p, 2, "Nnurr", xi),
    "nurr2_c": lambda p, xi: _cond(p, 2, "Nnurr2", xi),
    "nurr_mean": lambda p, xi: E.enum_expect(p, 2, "nurr", xi),
    "nurr2": lambda p, xi: E.enum_expect(p, 2, "nurr2", xi),
    # E[1/(1+Y)], Y ~ Bin(p-1, xi): enumerate a column of length p-1 (p = 1: Y = 0)
    "inv_1pY": lambda p, xi: _enum_inv_1pY(p, xi),
    "cross_c": lambda p, xi: (_cond(p, 3, "Nnu1nu2", xi) - xi * _cond(p, 3, "Nnu1", xi)
                              - xi * _cond(p, 3, "Nnu2", xi) + xi * xi),
    "A0": lambda p, xi: E.enum_expect(p, 2, "A0", xi),
    "A1": lambda p, xi: E.enum_expect(p, 2, "A1", xi),
    "bad_eta_sum": lambda p, xi: E.enum_count(p, 1, "eta_sum_m_ne_N"),
    "bad_nurr": lambda p, xi: E.enum_count(p, 2, "nurr_ne_N"),
    "bad_nu_N0": lambda p, xi: E.enum_count(p, 2, "nu_nonzero_when_N0"),
}


def _enum_inv_1pY(p, xi):
    """E[1/(1+Y)] by enumerating the p-1 other entries of a column: E[m^0/X | m^0 = 1]."""
    return E.enum_expect(p, 1, "c0_over_X", xi) / E.enum_expect(p, 1, "c0", xi)


# Each claim: (p, xi, T) -> list of (relation, label, lhs, rhs); relation "=" (exact) or "<=".
def _claim_L25(p, xi, T):
    th = T.get("theta")
    return [("=", "P(N^perp=1) = 1 - (1-xi)^p", T.get("N_mean"), 1 - (1 - xi) ** p),
            ("=", "N^perp in {0,1}: E[N^2] = E[N] (Bernoulli law)", T.get("N_second"), T.get("N_mean")),
            ("=", "theta (closed-form sum) = 1 - (1-xi)^p", th, 1 - (1 - xi) ** p)]


def _claim_L26(p, xi, T):
    th = T.get("theta")
    sq = T.get("nurr2") - 2 * xi * T.get("nurr_mean") + xi * xi
    return [("<=", "E[(nu_rr - xi)^2] <= theta - xi^2", sq, th - xi * xi),
            ("=", "E[nu_rr] = theta", T.get("nurr_mean"), th),
            ("=", "E[nu_rr^2] = theta", T.get("nurr2"), th),
            ("=", "E[(nu_rr - xi)^2] = theta - 2 xi theta + xi^2", sq, th - 2 * xi * th + xi * xi)]


def _claim_L27(p, xi, T):
    return [("=", "E[nu_rr' | N=1] = xi (r != r')", T.get("nu_mean_c"), xi),
            ("=", "E[nu_rr | N=1] = 1", T.get("nurr_mean_c"), Fraction(1))]


def _claim_L28(p, xi, T):
    th = T.get("theta")
    nurr_var = T.get("nurr2_c") - T.get("nurr_mean_c") ** 2
    return [("=", "Var(nu_rr' | N=1) = (theta - xi^2)/p (r != r')", T.get("nu_var_c"), (th - xi * xi) / p),
            ("=", "Var(nu_rr | N=1) = 0", nurr_var, Fraction(0))]


def _a_terms(p, xi, T):
    mx = T.get("m_over_X_pos")
    mid = p * (p - 1) * xi * xi * mx * mx + p * xi * T.get("m_over_X2_pos")
    final = xi * xi + xi * T.get("inv_X_pos") - xi * xi * p * mx * mx
    return mid, final


def _claim_L28a(p, xi, T):
    mid, final = _a_terms(p, xi, T)
    return [("=", "E[nu^2 | N=1] = sum_l sum_l'!=l (...) + sum_l (...) (first line, p.52)", T.get("nu2_c"), mid),
            ("=", "first line = xi^2 + xi E[1/X|N=1] - xi^2 sum_l E[m^l/X|N=1]^2", mid, final)]


def _claim_L28b(p, xi, T):
    mx = T.get("m_over_X_pos")
    return [("=", "Var(nu|N=1) = xi E[1/X|N=1] - xi^2 sum_l E[m^l/X|N=1]^2", T.get("nu_var_c"),
             xi * T.get("inv_X_pos") - xi * xi * p * mx * mx)]


def _claim_L28c(p, xi, T):
    return [("=", "E[1/X | N^perp=1] = E[1/(1 + Bin(p-1, xi))]", T.get("inv_X_pos"), T.get("inv_1pY"))]


def _claim_L28d(p, xi, T):
    e1 = T.get("inv_1pY")
    pm = T.get("P_m1_pos")
    return [("=", "E[m^l/X | N=1] = P(m^l=1 | N=1) E[1/(1+X(p-1))]", T.get("m_over_X_pos"), pm * e1),
            ("=", "P(m^l=1 | N=1) E[1/(1+X(p-1))] = (xi/theta) E[1/(1+X(p-1))]", pm * e1, xi / T.get("theta") * e1)]


def _claim_L28e(p, xi, T):
    return [("=", "E[1/(1+Bin(p-1,xi))] = theta/(p xi)", T.get("inv_1pY"), T.get("theta") / (p * xi))]


def _claim_L28f(p, xi, T):
    th, e1 = T.get("theta"), T.get("inv_1pY")
    mid = xi * e1 - xi ** 4 / th ** 2 * p * e1 * e1
    return [("=", "Var(nu|N=1) = xi E[1/(1+X(p-1))] - (xi^4/theta^2) p E[1/(1+X(p-1))]^2", T.get("nu_var_c"), mid),
            ("=", "xi E1 - (xi^4/theta^2) p E1^2 = (theta - xi^2)/p (algebra, E1 = theta/(p xi))", mid,
             (th - xi * xi) / p)]


def _claim_L28g(p, xi, T):
    return [("=", "Var(nu_rr | N=1) = 0", T.get("nurr2_c") - T.get("nurr_mean_c") ** 2, Fraction(0))]


def _claim_L31a(p, xi, T):
    th, ep = T.get("theta"), T.get("e_p")
    return [("=", "E[eta] = P(N=1) E[eta | N=1]", ep, th * T.get("inv_X_pos")),
            ("=", "E[eta] = theta^2/(p xi)", ep, th * th / (p * xi))]


def _claim_L31b(p, xi, T):
    lhs = xi * xi * T.get("A0") + (1 - 2 * xi) * T.get("A1")   # eta^2 sum_l m^l_r (xi - m^l_r')^2 expanded
    return [("=", "E[eta^2 sum_l m^l_r (xi - m^l_r')^2] = xi(1-xi) E[eta] (r != r')", lhs, xi * (1 - xi) * T.get("e_p"))]


def _claim_L31c(p, xi, T):
    lhs = (1 - xi) ** 2 * T.get("A0")                           # sum_l m^l_r (xi - m^l_r)^2 = X (1-xi)^2
    return [("=", "E[eta^2 sum_l m^l_r (xi - m^l_r)^2] = (1-xi)^2 E[eta]", lhs, (1 - xi) ** 2 * T.get("e_p"))]


def _claim_L10a(p, xi, T):
    return [("=", "E[(nu_r,r1 - xi)(nu_r,r2 - xi) | N=1] = 0 (r1 != r2, both != r)", T.get("cross_c"), Fraction(0))]


def _claim_L10b(p, xi, T):
    sq = T.get("nu2_c") - 2 * xi * T.get("nu_mean_c") + xi * xi
    return [("=", "Var(nu_rr' | N=1) = E[(nu_rr' - xi)^2 | N=1] (r != r')", T.get("nu_var_c"), sq)]


def _claim_L10c(p, xi, T):
    th = T.get("theta")
    cond = T.get("nurr2_c") - 2 * xi * T.get("nurr_mean_c") + xi * xi
    return [("<=", "r'=r term: E[(nu_rr - xi)^2 | N=1] <= theta - xi^2 (Lemma 26 applied to the conditional "
                   "expectation the chain needs)", cond, th - xi * xi),
            ("<=", "r'!=r terms: Var(nu_rr' | N=1) <= (theta - xi^2)/p (Lemma 28 as a bound)",
             T.get("nu_var_c"), (th - xi * xi) / p)]


def _claim_P2f(p, xi, T):
    th = T.get("theta")
    return [("=", "#mask columns with sum_l eta m^l != N^perp (per realization)", T.get("bad_eta_sum"), 0),
            ("=", "E[N^perp] = theta", T.get("N_mean"), th),
            ("=", "Var(N^perp) = theta - theta^2", T.get("N_second") - T.get("N_mean") ** 2, th - th * th)]


_MASK_CLAIMS = {
    "L-25": _claim_L25, "L-26": _claim_L26, "L-27": _claim_L27, "L-28": _claim_L28,
    "L-28(a)": _claim_L28a, "L-28(b)": _claim_L28b, "L-28(c)": _claim_L28c, "L-28(d)": _claim_L28d,
    "L-28(e)": _claim_L28e, "L-28(f)": _claim_L28f, "L-28(g)": _claim_L28g,
    "L-31(a)": _claim_L31a, "L-31(b)": _claim_L31b, "L-31(c)": _claim_L31c,
    "L-10(a)": _claim_L10a, "L-10(b)": _claim_L10b, "L-10(c)": _claim_L10c, "P-2(f)": _claim_P2f,
}


@cache
def _truth(p, xi, enum_pm):
    """One shared :class:`_Truth` per (p, xi, enum_pm), so the quantities are computed once per run."""
    return _Truth(p, xi, enum_pm)


def _eval_mask_claim(item_id, p, xi, enum_pm):
    """Evaluate one mask claim at (p, xi): (ok, margin, values, methods)."""
    T = _truth(p, E.q(xi), enum_pm)
    rels = _MASK_CLAIMS[item_id](p, T.xi, T)
    out, ok, margin = [], True, math.inf
    for rel, label, lhs, rhs in rels:
        lhs, rhs = Fraction(lhs), Fraction(rhs)
        good = (lhs == rhs) if rel == "=" else (lhs <= rhs)
        if rel == "=":
            mg = 0.0 if good else -abs(float(lhs - rhs)) / max(abs(float(lhs)), abs(float(rhs)), 1e-300)
        else:
            mg = float(rhs - lhs) / max(abs(float(rhs)), abs(float(lhs)), 1e-300)
        margin = min(margin, mg)
        ok = ok and good
        out.append({"relation": rel, "claim": label, "lhs": lhs, "rhs": rhs, "holds": good,
                    "lhs_float": float(lhs), "rhs_float": float(rhs)})
    values = {"p": p, "xi": T.xi, "relations": out}
    if T.disagree:
        values["tool_disagreement"] = T.disagree
        return None, margin, values, T.methods
    return ok, margin, values, T.methods


@V.evaluator
def replay_mask_claim(item, p, xi, enum_pm):
    """Evaluator of a per-neuron mask claim at one (p, xi) ("num/den"), exact rationals."""
    ok, margin, values, methods = _eval_mask_claim(item, int(p), E.q(xi), int(enum_pm))
    args = {"item": item, "p": int(p), "xi": E.qs(xi), "enum_pm": int(enum_pm)}
    wit = V.counterexample(item, replay_mask_claim, args, values)
    return V.from_cases([(ok, margin, wit)], method="+".join(sorted(methods)),
                        covered={"p": [int(p)], "xi": [E.qs(xi)]})


def _grid(ctx):
    return list(range(1, ctx.profile.p_max + 1)), E.xi_grid(ctx.profile.xi_step)


def _run_mask_claim(ctx, item_id, *, note=None, extra=None, regime=None):
    ps, xis = _grid(ctx)
    enum_pm = ctx.profile.enum_pm
    cases, methods, first_values = [], set(), None
    n_rel_fail = {}
    for p in ps:
        for xi in xis:
            ok, margin, values, mth = _eval_mask_claim(item_id, p, xi, enum_pm)
            methods |= mth
            for rel in values["relations"]:
                if not rel["holds"]:
                    n_rel_fail[rel["claim"]] = n_rel_fail.get(rel["claim"], 0) + 1
            wit = None
            if ok is False:
                wit = V.counterexample(item_id, replay_mask_claim,
                                       {"item": item_id, "p": p, "xi": E.qs(xi), "enum_pm": enum_pm}, values)
                if first_values is None:
                    first_values = values
            cases.append((ok, margin, wit))
    cols = max((c for c in _ENUM_COLS.values()), default=1)
    covered = {"p": f"1..{ps[-1]}", "xi": f"j/{ctx.profile.xi_step}, j=1..{ctx.profile.xi_step} (exact rationals)",
               "enumeration": f"all 2^(p*c) patterns of the c mask columns needed (c <= {cols}) where "
                              f"p*c <= enum_pm={enum_pm}; closed forms via Bin(p, xi) for every p",
               "comparison": "exact equality / inequality of rationals"}
    ev = {"failing_cases_per_relation": n_rel_fail, **(extra or {})}
    if note:
        ev["note"] = note
    if first_values is not None:
        ev["smallest_witness"] = V.jsonable(first_values)
    return V.from_cases(cases, method="+".join(sorted(methods)), covered=covered, evidence=ev,
                        regime=regime or _bern_regime())


def _bern_regime(**conds):
    return {"form": "Bernoulli masks, entries i.i.d. Bern(xi), xi in (0,1] (Theorem 3, Table 1)",
            "constant_profile": {}, "conditions": {"xi in (0,1]": True, "p >= 1": True, **conds},
            "inside": all([True, *conds.values()])}

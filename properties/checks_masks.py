"""Checks of the mask identities and mask-expectation claims (SPEC L-8..L-11, L-20, L-21, L-25..L-28,
L-31, L-32, S-4(a)-(d), N-2, N-7, N-8, P-2(a)-(c),(e),(f), T-8(c), T-9(h),(n)).

Every verdict is computed from :mod:`maskverify.properties.exact_masks`:

* per-neuron mask claims: exact rationals over the grid ``p = 1..profile.p_max`` and
  ``xi = j/profile.xi_step`` (j = 1..xi_step), with the Bin(p, xi) closed forms for every p and brute-force
  enumeration of the mask columns wherever ``p * columns <= profile.enum_pm``; both must agree exactly;
* network identities: exhaustive enumeration of all masks M_k (p m <= profile.enum_pm) for small random
  networks, float64, relative error <= 1e-12 (``verdicts.FLOAT64_RTOL``);
* bounds (L-10, L-11, L-31, L-32): exact conditional expectations over masks (closed forms verified
  against enumeration, and enumeration for the square-root forms) at Gaussian-initialisation weights and at
  adversarial weights satisfying each printed form of the hypothesis -- in
  :mod:`maskverify.properties.checks_masks_bounds`, imported at the end of this module.

A violated verdict carries the first failing case in the order p, then xi (the smallest witness found),
and a module-level evaluator that recomputes it from JSON arguments (rationals as "num/den" strings).
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cache

import numpy as np

from maskverify.properties import exact_masks as E
from maskverify.properties import verdicts as V
from maskverify.properties.registry import item

RTOL = V.FLOAT64_RTOL

# ==================================================================================================
# Part 1. Per-neuron mask claims, exact (rationals)


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


# closed forms (derived; tested against enumeration in tests/test_exact_masks.py)
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


@item("L-25", title="N^perp ~ Bern(theta), theta = 1 - (1-xi)^p", source="Lemma 25, p.50", kind="identity")
def check_L25_nperp_law(ctx):
    return _run_mask_claim(ctx, "L-25")


@item("L-26", title="E[(nu_rr - xi)^2] <= theta - xi^2", source="Lemma 26, p.50", kind="bound")
def check_L26_nu_rr(ctx):
    return _run_mask_claim(ctx, "L-26")


@item("L-27", title="E[nu_rr' | N^perp=1] = xi (r != r'), 1 (r = r')", source="Lemma 27, p.51", kind="identity")
def check_L27_nu_mean(ctx):
    return _run_mask_claim(ctx, "L-27")


_L28_NOTE = ("Given column r with X = x >= 1, nu_rr' = Bin(x, xi)/x, so Var(nu | N=1) = xi(1-xi) E[1/X | X>=1] "
             "(enumeration of both columns agrees exactly with this closed form).")


@item("L-28", title="Var(nu_rr' | N^perp=1) = (theta - xi^2)/p", source="Lemma 28, p.51", kind="identity")
def check_L28_variance(ctx):
    out = _run_mask_claim(ctx, "L-28", note=_L28_NOTE, extra=_L28_bound_reading(ctx))
    return out


def _L28_bound_reading(ctx):
    """Extra evidence: does the printed value at least upper-bound the true variance (the way L-10 uses it)?"""
    ps, xis = _grid(ctx)
    worst, n_bad = -math.inf, 0
    for p in ps:
        for xi in xis:
            th = E.cf_theta(p, xi)
            v = E.cf_nu_cond_var(p, xi)
            b = (th - xi * xi) / p
            if b > 0:
                worst = max(worst, float(v / b))
            if v > b:
                n_bad += 1
    return {"as_upper_bound": {"max_true_over_printed": worst, "cases_true_exceeds_printed": n_bad}}


for _sub, _title in [("a", "E[nu^2 | N=1] expansion"), ("b", "Var(nu|N=1) via E[1/X|N=1]"),
                     ("c", "E[1/X | N=1] = E[1/(1+Bin(p-1,xi))]"), ("d", "E[m^l/X | N=1] = (xi/theta) E[1/(1+Y)]"),
                     ("e", "E[1/(1+Bin(p-1,xi))] = theta/(p xi)"), ("f", "final variance formula"),
                     ("g", "Var(nu_rr | N=1) = 0")]:
    def _mk(sub=_sub, title=_title):
        iid = f"L-28({sub})"

        @item(iid, title=title, source="Lemma 28 proof, p.52-53", kind="identity")
        def check(ctx):
            return _run_mask_claim(ctx, iid, note=_L28_NOTE)

        check.__name__ = f"check_L28{sub}_proof_step"
        return check

    globals()[f"check_L28{_sub}_proof_step"] = _mk()


@item("L-31(a)", title="E[eta_{k,r}] = theta^2/(p xi)", source="Lemma 31 proof, p.56", kind="identity")
def check_L31a_eta_mean(ctx):
    return _run_mask_claim(ctx, "L-31(a)", note="E[eta] = e_p = sum_{x>=1} P(X=x)/x (SPEC 5.0)")


@item("L-31(b)", title="E[eta^2 sum_l m^l_r (xi - m^l_r')^2] = xi(1-xi)E[eta]", source="Lemma 31 proof, p.56",
      kind="identity")
def check_L31b_cross(ctx):
    return _run_mask_claim(ctx, "L-31(b)")


@item("L-31(c)", title="E[eta^2 sum_l m^l_r (xi - m^l_r)^2] = (1-xi)^2 E[eta]", source="Lemma 31 proof, p.56",
      kind="identity")
def check_L31c_diag(ctx):
    return _run_mask_claim(ctx, "L-31(c)")


@item("L-10(a)", title="conditional cross terms vanish", source="Lemma 10 proof, p.30", kind="identity")
def check_L10a_cross(ctx):
    return _run_mask_claim(ctx, "L-10(a)", note="closed form 0: given column r the columns r1, r2 are "
                                               "independent with E[nu | column r] = xi; enumeration of 3 columns "
                                               "where 3p <= enum_pm")


@item("L-10(b)", title="Var(nu|N=1) = E[(nu - xi)^2 | N=1]", source="Lemma 10 proof, p.30", kind="identity")
def check_L10b_var(ctx):
    return _run_mask_claim(ctx, "L-10(b)")


@item("L-10(c)", title="r'=r term by Lemma 26, r'!=r terms by Lemma 28", source="Lemma 10 proof, p.30",
      kind="bound")
def check_L10c_terms(ctx):
    return _run_mask_claim(
        ctx, "L-10(c)",
        note="The chain of p.30 is a conditional expectation given N^perp=1, so the r'=r term it needs is "
             "E[(nu_rr - xi)^2 | N=1] = (1-xi)^2; Lemma 26 bounds the unconditional E[(nu_rr - xi)^2] "
             "(checked under L-26). The r'!=r terms use Lemma 28's value as an upper bound.")


@item("P-2(f)", title="sum_l eta m^l = N^perp; E[N^perp]=theta; Var = theta - theta^2", source="p.69-70",
      kind="identity")
def check_P2f_nperp(ctx):
    return _run_mask_claim(ctx, "P-2(f)")


def _erf_part(ctx):
    """T-9(n), W0 part: sup over admissible w_{k,t,r} of E_{W0,M}[N^perp |s_{r,i}|] = theta P(A_ir) with
    P(A_ir) = erf(R/(kappa sqrt 2)) (SPEC 5.0), vs 2 theta R/(kappa sqrt(2 pi)) and theta R/kappa."""
    cases = []
    ps, xis = _grid(ctx)
    zs = [j / 50.0 for j in range(1, 151)]                 # R/kappa in (0, 3]
    for p in ps[:: max(1, len(ps) // 10)]:
        for xi in xis[:: max(1, len(xis) // 10)]:
            th = float(E.theta_of(p, xi))
            for z in zs:
                pa = math.erf(z / math.sqrt(2.0))
                b1 = 2 * th * z / math.sqrt(2 * math.pi)
                ok1, m1 = V.bound_le(th * pa, b1)
                ok2, m2 = V.bound_le(b1, th * z)
                ok = None if (ok1 is None or ok2 is None) else (ok1 and ok2)
                wit = None
                if ok is False:
                    args = {"p": p, "xi": E.qs(xi), "R_over_kappa": z}
                    wit = V.counterexample("T-9(n)", replay_T9n_erf, args, _t9n_values(p, xi, z))
                cases.append((ok, min(m1, m2), wit))
    return cases


def _t9n_values(p, xi, z):
    th = float(E.theta_of(p, E.q(xi)))
    return {"theta_P_A": th * math.erf(z / math.sqrt(2.0)), "bound_2thetaR_over_kappa_sqrt2pi":
            2 * th * z / math.sqrt(2 * math.pi), "bound_theta_R_over_kappa": th * z}


def replay_T9n_erf(p, xi, R_over_kappa):
    """Evaluator: theta P(A_ir) <= 2 theta R/(kappa sqrt(2pi)) <= theta R/kappa at one point."""
    v = _t9n_values(int(p), xi, float(R_over_kappa))
    ok1, m1 = V.bound_le(v["theta_P_A"], v["bound_2thetaR_over_kappa_sqrt2pi"])
    ok2, m2 = V.bound_le(v["bound_2thetaR_over_kappa_sqrt2pi"], v["bound_theta_R_over_kappa"])
    ok = None if (ok1 is None or ok2 is None) else (ok1 and ok2)
    wit = V.counterexample("T-9(n)", replay_T9n_erf, {"p": int(p), "xi": E.qs(xi), "R_over_kappa": R_over_kappa}, v)
    return V.from_cases([(ok, min(m1, m2), wit)], method="closed-form", covered={"p": p})


@item("T-9(n)", title="N^perp facts and E_{W0,M}[N^perp |s_ri|] <= theta R/kappa", source="Theorem 34 proof, p.69-70",
      kind="identity")
def check_T9n_nperp(ctx):
    mask_part = _run_mask_claim(ctx, "P-2(f)")
    mask_part.counterexample = (None if mask_part.counterexample is None else
                                {**mask_part.counterexample, "item": "T-9(n)"})
    erf = V.from_cases(_erf_part(ctx), method="closed-form (erf, float64)",
                       covered={"R/kappa": "0.02..3 step 0.02", "p, xi": "subgrid of the mask grid"},
                       evidence={"reading": "s_ri = 1{<w_{k,t,r},x_i> >= 0} - 1{<w_0r,x_i> >= 0} has |s_ri| <= "
                                            "1{A_ir} for w_{k,t,r} in the R-ball; N^perp is independent of W0, "
                                            "so E[N^perp |s_ri|] = theta E|s_ri| <= theta P(A_ir), with "
                                            "equality for the worst admissible w_{k,t,r}; the printed '=' is "
                                            "read as this supremum"})
    out = V.combine([mask_part, erf], method="exact-enumeration+closed-form")
    out.evidence.update({"mask_part": mask_part.evidence, "erf_part": erf.evidence})
    return out


# ==================================================================================================
# Part 2. Network identities over all masks (float64, exhaustive enumeration)


def _unit_rows(rng, n, d):
    X = rng.standard_normal((n, d))
    return X / np.linalg.norm(X, axis=1, keepdims=True)


@cache
def _net_instances(seed, enum_pm, count):
    """Small random networks: (p, m, W, a, X, y) with p m <= enum_pm, n = 3, d = 3."""
    rng = np.random.default_rng(seed)
    shapes = [(p, m) for p in (1, 2, 3, 4) for m in (1, 2, 3, 4, 6) if p * m <= enum_pm]
    out = []
    for t in range(max(count, len(shapes))):
        p, m = shapes[t % len(shapes)]
        n, d = 3, 3
        W = rng.standard_normal((m, d))
        a = rng.choice([-1.0, 1.0], size=m)
        X = _unit_rows(rng, n, d)
        y = rng.standard_normal(n)
        out.append((p, m, W, a, X, y))
    return tuple(out)


_NET_XI = (Fraction(1, 100), Fraction(1, 10), Fraction(1, 3), Fraction(1, 2), Fraction(9, 10), Fraction(1))


def _rel_err(A, B):
    A, B = np.asarray(A, float), np.asarray(B, float)
    scale = max(np.linalg.norm(A), np.linalg.norm(B), 1e-300)
    return float(np.linalg.norm(A - B) / scale)


def _case_float(item_id, evaluator, args, lhs, rhs, extra=None):
    err = _rel_err(lhs, rhs)
    ok = err <= RTOL
    values = {"relative_error": err, "lhs": np.asarray(lhs).tolist(), "rhs": np.asarray(rhs).tolist(),
              **(extra or {})}
    wit = V.counterexample(item_id, evaluator, args, values) if not ok else None
    return ok, RTOL - err, wit


def _net_identity_values(item_id, p, m, W, a, X, y, xi, model):
    """(lhs, rhs) of one network identity in expectation over all masks (exhaustive)."""
    xi_f = float(xi)
    if model == "bernoulli":
        M, w = E.all_bernoulli_masks(p, m, xi)
    else:
        M, w = E.all_categorical_masks(p, m)
    sig = E.net_sigma(W, X)                                        # (m, n)
    u = E.net_u(W, a, X, xi_f)                                     # (n,)
    th = float(E.theta_of(p, xi)) if model == "bernoulli" else 1.0
    sm = math.sqrt(m)
    if item_id in ("L-8", "L-8(a)", "L-8(b)"):
        Fm = E.net_mixing_f(M, W, a, X)                            # (P, m, n)
        _, Np, _ = E.mask_quantities(M)                            # (P, m)
        if item_id == "L-8":
            lhs = np.einsum("P,Prn->rn", w, Fm)
            rhs = th * u[None, :] + th * (1 - xi_f) / sm * a[:, None] * sig
            return lhs, rhs
        if item_id == "L-8(a)":
            p0 = np.einsum("P,Pr->r", w, 1 - Np)                   # P(N=0) per r
            num = np.einsum("P,Pr,Prn->rn", w, 1 - Np, Fm, optimize=True)
            keep = p0 > 0
            lhs = np.where(keep[:, None], num / np.where(keep, p0, 1.0)[:, None], 0.0)
            return lhs, np.zeros_like(lhs)
        p1 = np.einsum("P,Pr->r", w, Np)
        lhs = np.einsum("P,Pr,Prn->rn", w, Np, Fm, optimize=True) / p1[:, None]
        rhs = (xi_f / sm) * (a @ sig)[None, :] + ((1 - xi_f) / sm) * a[:, None] * sig
        return lhs, rhs
    if item_id == "L-9":
        G = _mixing_grads(M, W, a, X, y)                           # (P, m, d)
        lhs = np.einsum("P,Prd->rd", w, G)
        rhs = th / xi_f * E.net_full_grad(W, a, X, y, xi_f) + th * (1 - xi_f) / m * (sig @ X)
        return lhs, rhs
    if item_id in ("N-2", "P-2(a)"):
        act = (W @ X.T >= 0).astype(float)                         # (m, n)
        G = X @ X.T
        mH = np.einsum("Plr,ri,rj->Plij", M, act, act, optimize=True) * G / m     # (P, p, n, n)
        lhs = np.einsum("P,Plij->lij", w, mH)
        H = xi_f / m * G * (act.T @ act)
        return lhs, np.broadcast_to(H, lhs.shape)
    if item_id in ("S-4(a)", "S-4(b)", "P-2(c)"):
        U = E.net_uhat(M, W, a, X)                                 # (P, p, n)
        lhs = np.einsum("P,Pln->ln", w, U)
        return lhs, np.broadcast_to(u, lhs.shape)
    if item_id in ("P-2(b)", "T-8(c)"):
        U = E.net_uhat(M, W, a, X)
        lhs = np.einsum("P,Pl->l", w, ((y - U) ** 2).sum(-1))
        rhs = ((y - u) ** 2).sum() + np.einsum("P,Pl->l", w, ((U - u) ** 2).sum(-1))
        return lhs, rhs
    raise KeyError(item_id)


def _mixing_grads(M, W, a, X, y):
    """g_{k,r} = eta_{k,r} sum_l dL_{m^l}(W_k)/dw_r for all masks (N-8 first form, S-6 gradients). -> (P,m,d)."""
    m = W.shape[0]
    pre = W @ X.T                                                   # (m, n)
    coeff = M * a[None, None, :] / math.sqrt(m)                     # (P, p, m)
    resid = np.einsum("Plr,rn->Pln", coeff, E.relu(pre)) - y        # (P, p, n)
    Gl = np.einsum("Plr,rn,Pln,nd->Plrd", coeff, (pre >= 0).astype(float), resid, X, optimize=True)   # (P, p, m, d)
    _, _, eta = E.mask_quantities(M)
    return eta[:, :, None] * Gl.sum(axis=1)


def replay_net_identity(item, p, m, W, a, X, y, xi, model):
    """Evaluator of a network identity in expectation over all masks (float64, rtol 1e-12)."""
    W, a, X, y = (np.asarray(v, float) for v in (W, a, X, y))
    lhs, rhs = _net_identity_values(item, int(p), int(m), W, a, X, y, E.q(xi), model)
    args = {"item": item, "p": int(p), "m": int(m), "W": W.tolist(), "a": a.tolist(), "X": X.tolist(),
            "y": y.tolist(), "xi": E.qs(xi), "model": model}
    return V.from_cases([_case_float(item, replay_net_identity, args, lhs, rhs)], method="exact-enumeration",
                        covered={"p": p, "m": m})


def _run_net_identity(ctx, item_id, models, *, evidence=None):
    count = max(6, ctx.profile.max_examples // 2)
    insts = _net_instances(ctx.int_seed("nets"), ctx.profile.enum_pm, count)
    cases, worst, sizes = [], 0.0, set()
    for p, m, W, a, X, y in insts:
        for model in models:
            xis = _NET_XI if model == "bernoulli" else (Fraction(1, p),)
            for xi in xis:
                lhs, rhs = _net_identity_values(item_id, p, m, W, a, X, y, xi, model)
                args = {"item": item_id, "p": p, "m": m, "W": W.tolist(), "a": a.tolist(), "X": X.tolist(),
                        "y": y.tolist(), "xi": E.qs(xi), "model": model}
                c = _case_float(item_id, replay_net_identity, args, lhs, rhs)
                worst = max(worst, RTOL - c[1])
                sizes.add((p, m))
                cases.append(c)
    covered = {"networks": len(insts), "(p, m)": sorted(sizes), "n": 3, "d": 3, "mask_models": list(models),
               "xi": [E.qs(x) for x in _NET_XI] if "bernoulli" in models else "1/p",
               "enumeration": f"all masks M in {{0,1}}^(p x m), p m <= {ctx.profile.enum_pm} (Bernoulli: 2^(pm); "
                              "categorical: p^m)",
               "comparison": "float64, relative Frobenius error <= 1e-12"}
    ev = {"max_relative_error": worst, **(evidence or {})}
    regime = {"form": f"mask model(s): {', '.join(models)}", "constant_profile": {},
              "conditions": {"W_k, a fixed; expectation over M_k only": True}, "inside": True}
    return V.from_cases(cases, method="exact-enumeration", covered=covered, evidence=ev, regime=regime)


def _reduction_values(item_id, p, W, a, X, y, xi):
    """Per-neuron Bin reduction for wide networks: by linearity E[f^{(i)}_{k,r}] needs only E[nu_rr'] (r' != r)
    and E[nu_rr], obtained by enumerating the two columns m_{k,r}, m_{k,r'} (2^(2p) patterns), any m."""
    m = W.shape[0]
    xi_f, th = float(xi), float(E.theta_of(p, xi))
    e_nu, e_nurr = float(E.enum_expect(p, 2, "nu", xi)), float(E.enum_expect(p, 2, "nurr", xi))
    sig = E.net_sigma(W, X)                                         # (m, n)
    asig = a[:, None] * sig
    Ef = (e_nu * (asig.sum(0)[None, :] - asig) + e_nurr * asig) / math.sqrt(m)   # (m, n)
    if item_id == "L-8":
        return Ef, th * E.net_u(W, a, X, xi_f)[None, :] + th * (1 - xi_f) / math.sqrt(m) * asig
    act = (W @ X.T >= 0).astype(float)
    Eg = ((Ef - th * y[None, :]) * a[:, None] * act) @ X / math.sqrt(m)          # (m, d)
    return Eg, th / xi_f * E.net_full_grad(W, a, X, y, xi_f) + th * (1 - xi_f) / m * (sig @ X)


def replay_reduction(item, p, W, a, X, y, xi):
    """Evaluator of the per-neuron reduction check of L-8 / L-9 (float64, rtol 1e-12)."""
    W, a, X, y = (np.asarray(v, float) for v in (W, a, X, y))
    lhs, rhs = _reduction_values(item, int(p), W, a, X, y, E.q(xi))
    args = {"item": item, "p": int(p), "W": W.tolist(), "a": a.tolist(), "X": X.tolist(), "y": y.tolist(),
            "xi": E.qs(xi)}
    return V.from_cases([_case_float(item, replay_reduction, args, lhs, rhs)], method="exact-enumeration",
                        covered={"p": p, "m": W.shape[0]})


def _run_with_reduction(ctx, item_id):
    """Full enumeration over M_k for small p m, plus the per-neuron reduction for m up to profile.max_m."""
    full = _run_net_identity(ctx, item_id, ("bernoulli",))
    rng = ctx.rng("reduction")
    cases, widths, worst = [], [], 0.0
    for m in sorted({16, 64, ctx.profile.max_m}):
        W, a, X, y = rng.standard_normal((m, 3)), rng.choice([-1.0, 1.0], m), _unit_rows(rng, 4, 3), \
            rng.standard_normal(4)
        for p in range(1, ctx.profile.enum_pm // 2 + 1):
            for xi in _NET_XI:
                lhs, rhs = _reduction_values(item_id, p, W, a, X, y, xi)
                args = {"item": item_id, "p": p, "W": W.tolist(), "a": a.tolist(), "X": X.tolist(),
                        "y": y.tolist(), "xi": E.qs(xi)}
                cs = _case_float(item_id, replay_reduction, args, lhs, rhs)
                worst = max(worst, RTOL - cs[1])
                cases.append(cs)
        widths.append(m)
    red = V.from_cases(cases, method="exact-enumeration (two columns) + linearity",
                       covered={"m": widths, "p": f"1..{ctx.profile.enum_pm // 2}", "n": 4, "d": 3,
                                "xi": [E.qs(x) for x in _NET_XI]},
                       evidence={"max_relative_error": worst})
    out = V.combine([full, red], method="exact-enumeration")
    out.evidence.update({"full_enumeration": full.evidence, "per_neuron_reduction": red.evidence})
    out.regime = full.regime
    return out


@item("L-8", title="E[f_{k,r}] = theta u + theta(1-xi) a_r sigma_r/sqrt m", source="Lemma 8, p.29", kind="identity")
def check_L8_mixing_mean(ctx):
    return _run_with_reduction(ctx, "L-8")


@item("L-8(a)", title="E[f_{k,r} | N^perp=0] = 0", source="Lemma 8 proof, p.29", kind="identity")
def check_L8a_given_zero(ctx):
    return _run_net_identity(ctx, "L-8(a)", ("bernoulli",),
                             evidence={"note": "xi = 1 has P(N^perp=0) = 0; the conditional is then vacuous and "
                                               "compared as 0 = 0"})


@item("L-8(b)", title="E[f_{k,r} | N^perp=1]", source="Lemma 8 proof, p.29", kind="identity")
def check_L8b_given_one(ctx):
    return _run_net_identity(ctx, "L-8(b)", ("bernoulli",))


@item("L-9", title="E[g_{k,r}] = (theta/xi) dL/dw_r + theta(1-xi)/m sum_i x_i sigma", source="Lemma 9, p.29",
      kind="identity")
def check_L9_mixing_grad(ctx):
    out = _run_with_reduction(ctx, "L-9")
    out.evidence["bias_study_p3"] = _L9_bias_study(ctx)
    return out


def _L9_bias_study(ctx):
    """p.3 claim: the first-step aggregated gradient is biased, 'with the bias term decreasing as the number of
    subnetworks grows'. E[g_{k,r}] = (theta/xi) G_r + theta (1-xi) B_r (Lemma 9, verified above by enumeration),
    with G the full gradient and B_r = (1/m) sum_i x_i sigma(<w_r,x_i>); theta = 1 - (1-xi)^p."""
    insts = _net_instances(ctx.int_seed("nets"), ctx.profile.enum_pm, 6)
    readings = {"E[g] - dL/dw": lambda th, xi, G, B: (th / xi - 1) * G + th * (1 - xi) * B,
                "E[g] - (theta/xi) dL/dw": lambda th, xi, G, B: th * (1 - xi) * B,
                "(xi/theta) E[g] - dL/dw": lambda th, xi, G, B: xi * (1 - xi) * B}
    out = {}
    for xi in (Fraction(1, 10), Fraction(1, 2), Fraction(9, 10)):
        xf = float(xi)
        for name, fn in readings.items():
            trend = {"decreasing_in_p": 0, "increasing_in_p": 0, "constant_in_p": 0, "non_monotone": 0}
            example = None
            for _p0, m, W, a, X, y in insts:
                G = E.net_full_grad(W, a, X, y, xf)
                B = E.net_sigma(W, X) @ X / m
                vals = [float(np.linalg.norm(fn(float(E.theta_of(p, xi)), xf, G, B)))
                        for p in range(1, ctx.profile.p_max + 1)]
                dif = np.diff(vals)
                scale = max(max(vals), 1e-300)
                if np.all(np.abs(dif) <= 1e-12 * scale):
                    trend["constant_in_p"] += 1
                elif np.all(dif <= 1e-12 * scale):
                    trend["decreasing_in_p"] += 1
                elif np.all(dif >= -1e-12 * scale):
                    trend["increasing_in_p"] += 1
                else:
                    trend["non_monotone"] += 1
                if example is None:
                    example = [round(v, 6) for v in vals[:10]]
            out[f"xi={xi}: ||{name}||_F"] = {**trend, "first_instance_p=1..10": example}
    out["p_range"] = f"1..{ctx.profile.p_max}"
    out["readings_decreasing_in_p_for_every_instance"] = sorted(
        {k.split(": ", 1)[1] for k, v in out.items() if isinstance(v, dict) and v["decreasing_in_p"] == len(insts)})
    out["conclusion_rule"] = "the p.3 claim is supported by a reading only if its bias decreases in p"
    return out


@item("N-2", title="E_M[m^l o H(k,0)] = H(k)", source="Definition 1, p.7", kind="identity")
def check_N2_masked_ntk(ctx):
    return _run_net_identity(ctx, "N-2", ("bernoulli",))


@item("P-2(a)", title="E_M[m^l o H(k,0)] = H(k)", source="p.7", kind="identity")
def check_P2a_masked_ntk(ctx):
    return _run_net_identity(ctx, "P-2(a)", ("bernoulli",))


@item("S-4(a)", title="E_M[uhat^l_k] = u_k (Bernoulli)", source="p.8", kind="identity")
def check_S4a_unbiased_bernoulli(ctx):
    return _run_net_identity(ctx, "S-4(a)", ("bernoulli",))


@item("S-4(b)", title="E_M[uhat^l_k] = u_k (categorical)", source="p.41", kind="identity")
def check_S4b_unbiased_categorical(ctx):
    return _run_net_identity(ctx, "S-4(b)", ("categorical",))


@item("P-2(c)", title="E_M[uhat^l_k] = u_k", source="p.8, p.41", kind="identity")
def check_P2c_unbiased(ctx):
    return _run_net_identity(ctx, "P-2(c)", ("bernoulli", "categorical"))


@item("P-2(b)", title="E||y - uhat||^2 = ||y - u||^2 + E||uhat - u||^2", source="p.8, p.41", kind="identity")
def check_P2b_decomposition(ctx):
    return _run_net_identity(ctx, "P-2(b)", ("bernoulli", "categorical"))


@item("T-8(c)", title="categorical: E||y - uhat||^2 = ||y - u||^2 + E||u - uhat||^2", source="p.41",
      kind="identity")
def check_T8c_decomposition(ctx):
    return _run_net_identity(ctx, "T-8(c)", ("categorical",))


# ==================================================================================================
# Part 3. Per-realization identities (every mask of an exhaustive list)


def _per_mask_values(item_id, p, m, W, a, X, y, xi, with_impl=False):
    """Per-realization identity over all Bernoulli masks: returns (lhs, rhs) stacked over masks."""
    M, _ = E.all_bernoulli_masks(p, m, xi)
    xi_f = float(xi)
    _, Np, eta = E.mask_quantities(M)
    sm = math.sqrt(m)
    act = (W @ X.T >= 0).astype(float)                              # (m, n)
    if item_id == "N-7":
        F1 = E.net_mixing_f_first(M, W, a, X)
        F2 = E.net_mixing_f(M, W, a, X)
        nu = E.net_nu(M)
        nurr = np.einsum("Prr->Pr", nu)
        F0 = F2 * (Np == 0)[:, :, None]                             # f_{k,r} where N^perp = 0
        lhs = np.concatenate([F1.ravel(), nurr.ravel(), F0.ravel()])
        rhs = np.concatenate([F2.ravel(), Np.ravel(), np.zeros(F0.size)])
        return lhs, rhs
    G1 = _mixing_grads(M, W, a, X, y)                               # eta sum_l dL_{m^l}(W_k)/dw_r
    F = E.net_mixing_f(M, W, a, X)                                  # (P, m, n)
    if item_id == "N-8":
        U = E.net_uhat(M, W, a, X)                                  # (P, p, n)
        G2 = np.einsum("Pr,Plr,Pln,r,rn,nd->Prd", eta, M, U - y, a, act, X, optimize=True) / sm
        G3 = np.einsum("Prn,r,rn,nd->Prd", F - Np[:, :, None] * y, a, act, X, optimize=True) / sm
        G0 = _impl_mixing_grads(M, W, a, X, y) if with_impl else None
        lhs = np.concatenate([G1.ravel(), G2.ravel(), G3.ravel()] + ([G0.ravel()] if G0 is not None else []))
        rhs = np.concatenate([G2.ravel(), G3.ravel(), G1.ravel()] + ([G1.ravel()] if G0 is not None else []))
        return lhs, rhs
    if item_id == "L-11(c)":
        u = E.net_u(W, a, X, xi_f)
        full = E.net_full_grad(W, a, X, y, xi_f)                    # (m, d)
        rhs = (np.einsum("Prn,r,Pr,rn,nd->Prd", F - u, a, Np, act, X, optimize=True) / sm
               + Np[:, :, None] / xi_f * full[None])
        return G1, rhs
    raise KeyError(item_id)


def _impl_mixing_grads(M, W, a, X, y):
    """Cross-check with maskverify.impl.network.surrogate_grad (torch) when it exists."""
    try:
        import torch

        from maskverify.impl import network as net
    except ImportError:
        return None
    Mt = torch.as_tensor(M)
    G = net.surrogate_grad(torch.as_tensor(W), torch.as_tensor(a), Mt, torch.as_tensor(X), torch.as_tensor(y))
    _, _, eta = E.mask_quantities(M)
    return eta[:, :, None] * G.numpy().sum(axis=1)


def replay_per_mask(item, p, m, W, a, X, y, xi, with_impl=False):
    """Evaluator of a per-realization identity over all Bernoulli masks (float64, rtol 1e-12)."""
    W, a, X, y = (np.asarray(v, float) for v in (W, a, X, y))
    lhs, rhs = _per_mask_values(item, int(p), int(m), W, a, X, y, E.q(xi), bool(with_impl))
    args = {"item": item, "p": int(p), "m": int(m), "W": W.tolist(), "a": a.tolist(), "X": X.tolist(),
            "y": y.tolist(), "xi": E.qs(xi), "with_impl": bool(with_impl)}
    return V.from_cases([_case_float(item, replay_per_mask, args, lhs, rhs)], method="exact-enumeration",
                        covered={"p": p, "m": m})


def _run_per_mask(ctx, item_id, note):
    insts = _net_instances(ctx.int_seed("nets"), ctx.profile.enum_pm, max(6, ctx.profile.max_examples // 2))
    cases, worst, masks = [], 0.0, 0
    for p, m, W, a, X, y in insts:
        for xi in (Fraction(1, 10), Fraction(1, 2), Fraction(1)):
            with_impl = xi == Fraction(1, 2)       # the torch cross-check once per network (masks do not
            lhs, rhs = _per_mask_values(item_id, p, m, W, a, X, y, xi, with_impl)   # depend on xi)
            args = {"item": item_id, "p": p, "m": m, "W": W.tolist(), "a": a.tolist(), "X": X.tolist(),
                    "y": y.tolist(), "xi": E.qs(xi), "with_impl": with_impl}
            c = _case_float(item_id, replay_per_mask, args, lhs, rhs)
            worst = max(worst, RTOL - c[1])
            masks += 2 ** (p * m)
            cases.append(c)
    return V.from_cases(cases, method="exact-enumeration",
                        covered={"networks": len(insts), "masks_checked": masks, "n": 3, "d": 3,
                                 "comparison": "every mask realization; float64 relative error <= 1e-12"},
                        evidence={"max_relative_error": worst, "note": note},
                        regime={"form": "Bernoulli masks, per realization", "constant_profile": {},
                                "conditions": {}, "inside": True})


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


@item("L-11(c)", title="g = (1/sqrt m) sum_i (f - u) a N x 1 + (N/xi) dL/dw_r", source="Lemma 11 proof, p.31",
      kind="identity")
def check_L11c_identity(ctx):
    return _run_per_mask(ctx, "L-11(c)", "per mask realization")


def _Z_identity(m, W, a, X, xi):
    Z = (a[:, None, None] * X.T[None, :, :] * (W @ X.T >= 0)[:, None, :]) / math.sqrt(m)   # (m, d, n)
    mat3 = Z.reshape(-1, X.shape[0])                                                     # (m d, n)
    act = (W @ X.T >= 0).astype(float)
    H = float(xi) / m * (X @ X.T) * (act.T @ act)                                       # N-1
    return mat3.T @ mat3, H / float(xi)


def replay_Z_identity(item, m, W, a, X, xi):
    """Evaluator of mat_3(Z(0))^T mat_3(Z(0)) = (1/xi) H(0) (float64, rtol 1e-12)."""
    W, a, X = (np.asarray(v, float) for v in (W, a, X))
    lhs, rhs = _Z_identity(int(m), W, a, X, E.q(xi))
    args = {"item": item, "m": int(m), "W": W.tolist(), "a": a.tolist(), "X": X.tolist(), "xi": E.qs(xi)}
    return V.from_cases([_case_float(item, replay_Z_identity, args, lhs, rhs)], method="direct",
                        covered={"m": m})


def _run_Z(ctx, item_id):
    rng = ctx.rng("Z")
    cases = []
    for _t in range(max(8, ctx.profile.max_examples)):
        m, n, d = int(rng.integers(1, 40)), int(rng.integers(1, 6)), int(rng.integers(1, 5))
        W, a, X = rng.standard_normal((m, d)), rng.choice([-1.0, 1.0], m), _unit_rows(rng, n, d)
        xi = Fraction(int(rng.integers(1, 101)), 100)
        lhs, rhs = _Z_identity(m, W, a, X, xi)
        args = {"item": item_id, "m": m, "W": W.tolist(), "a": a.tolist(), "X": X.tolist(), "xi": E.qs(xi)}
        cases.append(_case_float(item_id, replay_Z_identity, args, lhs, rhs))
    return V.from_cases(cases, method="direct", covered={"instances": len(cases), "m": "1..39", "n": "1..5",
                                                         "comparison": "float64 relative error <= 1e-12"},
                        evidence={"note": "Z(0)_{r,:,i} = a_r x_i 1{<w_0r,x_i> >= 0}/sqrt m (p.60); "
                                          "a_r^2 = 1 makes Z^T Z = (1/m) <x_i,x_j> sum_r 1 1 = H(0)/xi"})


@item("P-2(e)", title="mat_3(Z(0))^T mat_3(Z(0)) = (1/xi) H(0)", source="p.64", kind="identity")
def check_P2e_Z(ctx):
    return _run_Z(ctx, "P-2(e)")


@item("T-9(h)", title="mat_3(Z(0))^T mat_3(Z(0)) = (1/xi) H(0)", source="Theorem 34 proof, p.64", kind="identity")
def check_T9h_Z(ctx):
    return _run_Z(ctx, "T-9(h)")


# ---------------------------------------------------------------------------------------------------
# after local training: S-4(c), S-4(d), L-20, L-21


def _train_values(item_id, p, m, W, a, X, y, M, xi, eta, tau):
    """(lhs, rhs) for one mask realization M (p, m) after one global step of Algorithm 1 (numpy)."""
    xi_f = float(xi)
    W1, uh = E.global_step(W, a, X, y, M, eta, tau)                # uh (p, tau+1, n)
    u0, u1 = E.net_u(W, a, X, xi_f), E.net_u(W1, a, X, xi_f)
    if item_id == "S-4(c)":
        return u1, uh[:, -1].mean(axis=0)
    if item_id == "S-4(d)":
        return u0, uh[:, 0].mean(axis=0)
    if item_id == "L-20":
        v = uh[:, -1]
        lhs = ((y - u1) ** 2).sum()
        pair = sum(((v[l] - v[l2]) ** 2).sum() for l in range(p) for l2 in range(l))
        return lhs, ((y - v) ** 2).sum(-1).mean() - pair / p ** 2
    if item_id == "L-21":
        v = uh[:, 0]
        pair = sum(((v[l] - v[l2]) ** 2).sum() for l in range(p) for l2 in range(l))
        return ((u0 - v) ** 2).sum(), pair / p
    raise KeyError(item_id)


def replay_train_identity(item, p, m, W, a, X, y, M, xi, eta, tau, model):
    """Evaluator: one realization of one global step (float64, rtol 1e-12)."""
    W, a, X, y, M = (np.asarray(v, float) for v in (W, a, X, y, M))
    lhs, rhs = _train_values(item, int(p), int(m), W, a, X, y, M, E.q(xi), float(eta), int(tau))
    args = {"item": item, "p": int(p), "m": int(m), "W": W.tolist(), "a": a.tolist(), "X": X.tolist(),
            "y": y.tolist(), "M": M.tolist(), "xi": E.qs(xi), "eta": float(eta), "tau": int(tau), "model": model}
    return V.from_cases([_case_float(item, replay_train_identity, args, lhs, rhs, {"mask_model": model})],
                        method="trajectory-simulation", covered={"p": p, "m": m})


def _run_train_identity(ctx, item_id, *, claim_model="categorical"):
    rng = ctx.rng("train")
    per_model = {"categorical": [], "bernoulli": []}
    worst = {"categorical": 0.0, "bernoulli": 0.0}
    expectation = []
    for _t in range(max(4, ctx.profile.max_examples // 3)):
        p, m, n, d = int(rng.integers(1, 4)), int(rng.integers(1, 5)), 3, 2
        tau = int(rng.integers(1, 4))
        eta = float(rng.choice([0.05, 0.3, 1.0]))
        W, a, X, y = rng.standard_normal((m, d)), rng.choice([-1.0, 1.0], m), _unit_rows(rng, n, d), \
            rng.standard_normal(n)
        Mc, _ = E.all_categorical_masks(p, m)
        for M in Mc[: 16]:
            args = {"item": item_id, "p": p, "m": m, "W": W.tolist(), "a": a.tolist(), "X": X.tolist(),
                    "y": y.tolist(), "M": M.tolist(), "xi": E.qs(Fraction(1, p)), "eta": eta, "tau": tau,
                    "model": "categorical"}
            lhs, rhs = _train_values(item_id, p, m, W, a, X, y, M, Fraction(1, p), eta, tau)
            c = _case_float(item_id, replay_train_identity, args, lhs, rhs, {"mask_model": "categorical"})
            worst["categorical"] = max(worst["categorical"], RTOL - c[1])
            per_model["categorical"].append(c)
        xi = Fraction(int(rng.integers(1, 10)), 10)
        if p * m <= ctx.profile.enum_pm:
            Mb, wb = E.all_bernoulli_masks(p, m, xi)
            vals = []
            for M in Mb[:: max(1, len(Mb) // 16)]:
                lhs, rhs = _train_values(item_id, p, m, W, a, X, y, M, xi, eta, tau)
                c = _case_float(item_id, replay_train_identity, {}, lhs, rhs)
                worst["bernoulli"] = max(worst["bernoulli"], RTOL - c[1])
                per_model["bernoulli"].append(c)
            if item_id == "S-4(d)":   # in expectation over all Bernoulli masks
                mean_rhs = sum(w * E.net_uhat(M[None], W, a, X)[0].mean(axis=0) for M, w in zip(Mb, wb))
                vals.append(_rel_err(E.net_u(W, a, X, float(xi)), mean_rhs))
                expectation.extend(vals)
    cat_ok = V.from_cases(per_model["categorical"], method="trajectory-simulation",
                          covered={"mask_model": "categorical (the claim's setting, Theorem 7 / Appendix F-G)",
                                   "realizations": len(per_model["categorical"]), "p": "1..3", "m": "1..4",
                                   "tau": "1..3", "eta": [0.05, 0.3, 1.0],
                                   "comparison": "per realization, float64 relative error <= 1e-12"},
                          evidence={"max_relative_error_categorical": worst["categorical"]},
                          regime={"form": "categorical masks, xi = 1/p (p.41, p.44)", "constant_profile": {},
                                  "conditions": {"categorical masks": True}, "inside": True})
    n_b = len(per_model["bernoulli"])
    n_b_fail = sum(1 for ok, _, _ in per_model["bernoulli"] if ok is False)
    cat_ok.evidence["bernoulli_per_realization"] = {
        "realizations": n_b, "failing": n_b_fail, "max_relative_error": worst["bernoulli"],
        "note": "outside the claim's setting; recorded only"}
    if expectation:
        cat_ok.evidence["bernoulli_in_expectation_max_relative_error"] = max(expectation)
    return cat_ok


@item("S-4(c)", title="u_{k+1} = (1/p) sum_l uhat^l_{k,tau} (categorical)", source="p.41", kind="identity")
def check_S4c_average_after_training(ctx):
    return _run_train_identity(ctx, "S-4(c)")


@item("S-4(d)", title="u_k = (1/p) sum_l uhat^l_k", source="p.46", kind="identity")
def check_S4d_average(ctx):
    return _run_train_identity(ctx, "S-4(d)")


def _sympy_pair_identity(which, p_max=4, dim=2):
    """Symbolic check of L-20 / L-21 with u = (1/p) sum_l v_l, vectors of symbols in R^dim."""
    import sympy as sp

    res = {}
    for p in range(1, p_max + 1):
        v = [[sp.Symbol(f"v{l}_{c}") for c in range(dim)] for l in range(p)]
        yv = [sp.Symbol(f"y_{c}") for c in range(dim)]
        u = [sum(v[l][c] for l in range(p)) / p for c in range(dim)]

        def sq(A, B):
            return sum((A[c] - B[c]) ** 2 for c in range(dim))

        pair = sum(sq(v[l], v[l2]) for l in range(p) for l2 in range(l))
        if which == "L-20":
            diff = sq(yv, u) - (sum(sq(yv, v[l]) for l in range(p)) / p - pair / p ** 2)
        else:
            diff = sum(sq(u, v[l]) for l in range(p)) - pair / p
        res[p] = sp.expand(diff) == 0
    return res


def _run_pair_identity(ctx, item_id):
    sym = _sympy_pair_identity(item_id)
    numeric = _run_train_identity(ctx, item_id)
    symbolic_cases = [(ok, 0.0 if ok else -1.0, None) for ok in sym.values()]
    sym_out = V.from_cases(symbolic_cases, method="symbolic", covered={"p": list(sym), "vectors": "R^2 symbols"})
    out = V.combine([sym_out, numeric], method="symbolic+trajectory-simulation")
    out.evidence.update({"symbolic": {"p": list(sym), "identity_with_u_equal_mean": sym},
                         "numeric": numeric.evidence})
    return out


@item("L-20", title="||y - u_{k+1}||^2 = (1/p) sum ||y - uhat^l||^2 - (1/p^2) sum ||uhat^l - uhat^l'||^2",
      source="Lemma 20, p.45", kind="identity")
def check_L20_global_error(ctx):
    return _run_pair_identity(ctx, "L-20")


@item("L-21", title="sum_l ||u_k - uhat^l_k||^2 = (1/p) sum_l sum_l'<l ||uhat^l - uhat^l'||^2",
      source="Lemma 21, p.45-46", kind="identity")
def check_L21_spread(ctx):
    return _run_pair_identity(ctx, "L-21")


# Part 4 (bounds in expectation over masks) lives in its own module; importing it registers its checks.
from maskverify.properties import checks_masks_bounds  # noqa: E402,F401

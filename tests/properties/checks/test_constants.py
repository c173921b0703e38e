"""Tests of maskverify.properties.checks.constants (radius_step, width_error): every registered check (C-1 .. C-22) returns a well-formed
Outcome in the ci profile, every violated verdict replays, and planted-wrong constants are reported violated."""

import dataclasses
import importlib
import json
from fractions import Fraction

import pytest
import sympy as sp

from maskverify.properties.checks.constants import radius_step as radius_step
from maskverify.properties.checks.constants import width_error as width_error
from maskverify.properties.checks.shared import symbolic as symbolic_checks
from maskverify.properties.framework import profiles, registry
from maskverify.properties.framework import verdicts as V
from maskverify.theory import constants as cst
from maskverify.theory import symbols as sy

IDS = [f"C-{i}" for i in range(1, 23)]


def assert_well_formed(o):
    """The Outcome contract (as in test_statements): verdict, JSON, regime keys, replayable violation."""
    assert o.verdict in V.VERDICTS
    json.dumps(o.to_json())
    if o.regime is not None:
        assert {"form", "conditions", "inside"} <= set(o.regime)
    if o.verdict == V.VIOLATED:
        ce = o.counterexample
        mod, fn = ce["evaluator"].split(":")
        r = getattr(importlib.import_module(mod), fn)(**json.loads(json.dumps(ce["args"])))
        assert r.verdict == o.verdict
        assert V.jsonable(r.counterexample["values"]) == ce["values"]


@pytest.fixture(scope="module")
def outcomes():
    reg = registry.registry()
    return {iid: reg[iid].fn(registry.Context(profile=profiles.get("ci"), seed=0, item_id=iid, alpha=1e-4))
            for iid in IDS}


def test_registered_ids():
    """C-1, C-2, C-3, C-4, C-5, C-6, C-7, C-8, C-9, C-10, C-11, C-12, C-13, C-14, C-15, C-16, C-17, C-18, C-19,
    C-20, C-21, C-22: exactly these IDs come from checks/constants/."""
    mine = sorted(i for i, c in registry.registry().items() if c.fn.__module__.startswith("maskverify.properties.checks.constants."))
    assert sorted(mine) == sorted(IDS)


@pytest.mark.parametrize("iid", IDS)
def test_outcome_well_formed_and_replayable(outcomes, iid):
    """C-1, C-2, C-3, C-4, C-5, C-6, C-7, C-8, C-9, C-10, C-11, C-12, C-13, C-14, C-15, C-16, C-17, C-18, C-19,
    C-20, C-21, C-22: well-formed Outcome; violated ones replay to the same verdict and values."""
    assert_well_formed(outcomes[iid])


def test_planted_wrong_constant_is_violated(monkeypatch):
    """C-9 (planted): with Lemma 17's step size replaced by lambda_0/(2 n tau max{n,p}) the 'minimum' relation
    fails (it exceeds lambda_0/(4n^2) at tau = 1) and the check reports violated with a replayable witness."""
    c9 = cst.get("C-9")
    forms = tuple(dataclasses.replace(f, expr=sy.lambda_0 / (2 * sy.n * sy.tau * sp.Max(sy.n, sy.p)))
                  if f.name == "Lemma 17" else f for f in c9.forms)
    monkeypatch.setitem(cst.CONSTANTS, "C-9", dataclasses.replace(c9, forms=forms))
    o = radius_step.check_C9(registry.Context(profile=profiles.get("ci"), item_id="C-9"))
    assert o.verdict == V.VIOLATED and o.counterexample["evaluator"].endswith("replay_relation")
    assert symbolic_checks.replay_relation(**o.counterexample["args"]).verdict == V.VIOLATED


def test_planted_wrong_identity_is_violated():
    """C-16 (planted): 'p.44 at gamma = 1/2 == 256 kappa^2 ...' holds; a wrong pairing with C-1 is violated."""
    vals = {"tau": 2, "p": 3, "kappa": "1/2", "n": 4, "d": 2, "lambda_0": "1/8", "m": 1000, "gamma": "1/2"}
    assert symbolic_checks.replay_relation("C-16", "C-16/p.44", "C-16/derived gamma=1/2", "==", vals).verdict == V.HOLDS
    assert symbolic_checks.replay_relation("C-16", "C-16/p.44", "C-1/main", "<=", vals).verdict == V.VIOLATED


def test_C22_bounds_at_known_points():
    """C-22: e^{2 t^2 kappa^4} bounds the MGF at t = 1/10 (kappa = 1) but not at t = 2/5; e^{2 t kappa^4} fails at t < 0."""
    assert width_error.replay_C22("Lemma 29 bound", "1/10", "1").verdict == V.HOLDS
    assert width_error.replay_C22("Lemma 29 bound", "2/5", "1").verdict == V.VIOLATED
    assert width_error.replay_C22("Lemma 30 bound", "-1/2", "1").verdict == V.VIOLATED


def test_C12_proof_end_width_insufficient_for_small_lambda_0():
    """C-12: at m = 100 x n^2 log(Kpn/delta)/(xi lambda_0) the union-bound failure exceeds delta for lambda_0 = 1/64,
    and is below delta for lambda_0 = 1/4."""
    assert width_error.replay_C12(100, 2, 1, 1, "1/2", 1, "1/64").verdict == V.VIOLATED
    assert width_error.replay_C12(100, 2, 1, 1, "1/2", 1, "1/4").verdict == V.HOLDS


def test_C4_O_upper_bound_holds_and_planted_unbounded_radius_is_violated(monkeypatch):
    """C-4: every explicit radius the proofs need is <= kappa lambda_0/n (R = O(kappa lambda_0/n) holds); planted:
    a Lemma 19 radius kappa lambda_0/(144 xi n) (unbounded ratio as xi -> 0) is reported violated and replays."""
    ctx = registry.Context(profile=profiles.get("ci"), item_id="C-4")
    assert radius_step.check_C4(ctx).verdict == V.HOLDS
    c4 = cst.get("C-4")
    forms = tuple(dataclasses.replace(f, expr=sy.kappa * sy.lambda_0 / (144 * sy.xi * sy.n)) if f.name == "Lemma 19"
                  else f for f in c4.forms)
    monkeypatch.setitem(cst.CONSTANTS, "C-4", dataclasses.replace(c4, forms=forms))
    monkeypatch.setattr(cst, "C4", dataclasses.replace(c4, forms=forms))
    o = radius_step.check_C4(ctx)
    assert o.verdict == V.VIOLATED
    assert symbolic_checks.replay_relation(**o.counterexample["args"]).verdict == V.VIOLATED


def test_C5_base_case_width_finite_and_grows_as_R_shrinks():
    """C-5: the p.28 base-case lhs decreases in m, so a finite width attains lhs <= R; a 4x smaller R needs a larger
    m (about 16x: lhs ~ m^{-1/2} once B_1's 1/m term is small)."""
    v = symbolic_checks._t4_point(4, Fraction(1, 2), 2, 2)
    vals = {k: (str(x) if isinstance(x, Fraction) else x) for k, x in v.items()}
    r = symbolic_checks._subs(cst.C5.form("base case rhs").expr, vals)
    m1, m4 = radius_step._base_case_width(vals, r), radius_step._base_case_width(vals, r / 4)
    assert 1 < m1 < m4 < float("inf")
    assert 10 < m4 / m1 < 20
    lhs = symbolic_checks._subs(cst.C5.form("base case lhs").expr, vals)
    assert float(lhs.xreplace({sy.m: sp.Float(m1 * 1.01)})) <= float(r) < float(lhs.xreplace({sy.m: sp.Float(m1 * 0.99)}))


def test_lemma19_radius_needs_no_xi_and_C13_follows():
    """C-13 / C-2: the radius Lemma 19's last step needs (p.40-41, |S_i^perp| <= 4 m R/kappa) is computed exactly:
    R <= kappa lambda_0/(144n), with no xi. So the xi^-2 width of p.41's printed 'R <= xi kappa lambda_0/(144n)'
    is not needed (C-13 holds) and C-2's failure against it is a typo (corrected form computed, holds)."""
    c_star, per_term = symbolic_checks.lemma19_radius()
    assert c_star == sp.Rational(1, 144) and sy.xi not in sp.sympify(c_star).free_symbols
    assert min(sp.Rational(v) for v in per_term.values()) == sp.Rational(1, 144)
    ctx = registry.Context(profile=profiles.get("ci"), seed=0, item_id="C-13", alpha=1e-4)
    assert width_error.check_C13(ctx).verdict == V.HOLDS
    c2 = radius_step.check_C2(registry.Context(profile=profiles.get("ci"), seed=0, item_id="C-2", alpha=1e-4))
    assert c2.verdict == V.VIOLATED and c2.severity == "typo" and c2.evidence["corrected"]["verdict"] == V.HOLDS


def test_C13_would_catch_a_radius_that_needs_xi(monkeypatch):
    """C-13 (planted): were Lemma 19's needed radius xi kappa lambda_0/(144n), the width would carry xi^-2 over (6)
    and C-13 must be violated with the replayable limit."""
    monkeypatch.setattr(width_error, "lemma19_radius", lambda: (sy.xi / 144, {"planted": "xi/144"}))
    ctx = registry.Context(profile=profiles.get("ci"), seed=0, item_id="C-13", alpha=1e-4)
    o = width_error.check_C13(ctx)
    assert o.verdict == V.VIOLATED
    assert_well_formed(o)

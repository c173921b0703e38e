"""Tests of the symbolic statement checks (checks/theorem3/statement.py, corollaries.py, theorem7/statement.py,
theorem34.py): every registered check (T-4, T-4(a), T-4(b), T-4(c), T-5, T-6,
T-7, T-8, T-9, T-9(i), T-9(j)) returns a well-formed Outcome in the ci profile, every violated verdict replays,
and the exact evaluators decide planted cases correctly."""

import importlib
import json

import pytest
import sympy as sp

from maskverify.properties.checks import corollaries as corollaries_checks
from maskverify.properties.checks import theorem34 as thm34
from maskverify.properties.checks.shared import symbolic as symbolic_checks
from maskverify.properties.checks.theorem3 import statement as thm3_statement
from maskverify.properties.checks.theorem7 import statement as thm7_statement  # noqa: F401  (registers T-8)
from maskverify.properties.framework import profiles, registry
from maskverify.properties.framework import verdicts as V

IDS = ["T-4", "T-4(a)", "T-4(b)", "T-4(c)", "T-5", "T-6", "T-7", "T-8", "T-9", "T-9(i)", "T-9(j)"]


@pytest.fixture(scope="module")
def outcomes():
    reg = registry.registry()
    return {iid: reg[iid].fn(registry.Context(profile=profiles.get("ci"), seed=0, item_id=iid, alpha=1e-4))
            for iid in IDS}


def assert_well_formed(o):
    """Shared contract: verdict, JSON, not-checkable reason, regime keys, replayable violation."""
    assert o.verdict in V.VERDICTS
    json.dumps(o.to_json())
    if o.verdict == V.NOT_CHECKABLE:
        assert o.evidence["reason"] and o.evidence.get("tested_instead")
    if o.regime is not None:
        assert {"form", "conditions", "inside"} <= set(o.regime)
    if o.verdict == V.VIOLATED:
        ce = o.counterexample
        mod, fn = ce["evaluator"].split(":")
        r = getattr(importlib.import_module(mod), fn)(**json.loads(json.dumps(ce["args"])))
        assert r.verdict == o.verdict
        assert V.jsonable(r.counterexample["values"]) == ce["values"]


def test_registered_ids():
    """T-4, T-4(a), T-4(b), T-4(c), T-5, T-6, T-7, T-8, T-9, T-9(i), T-9(j): each is registered, in the module of
    its result."""
    where = {"T-4": "theorem3.statement", "T-4(a)": "theorem3.statement", "T-4(b)": "theorem3.statement",
             "T-4(c)": "theorem3.statement", "T-5": "corollaries", "T-6": "corollaries", "T-7": "corollaries",
             "T-8": "theorem7.statement", "T-9": "theorem34", "T-9(i)": "theorem34", "T-9(j)": "theorem34"}
    reg = registry.registry()
    assert {i: reg[i].fn.__module__.removeprefix("maskverify.properties.checks.") for i in IDS} == where


@pytest.mark.parametrize("iid", IDS)
def test_outcome_well_formed_and_replayable(outcomes, iid):
    """T-4, T-4(a), T-4(b), T-4(c), T-5, T-6, T-7, T-8, T-9, T-9(i), T-9(j): verdict in the four verdicts;
    JSON-serializable; a violated verdict carries a counterexample whose evaluator recomputes the same verdict
    and values; a regime, where given, has the contract keys."""
    assert_well_formed(outcomes[iid])


def test_replay_T4b_directions():
    """T-4(b): B_1 at p = 1 vs p = 2 with tau = 2 increases (exact), at tau = 1 it is flat (terms 2, 3 equal)."""
    base = {"n": 16, "d": 2, "m": 10**14, "xi": "1/2", "eta": "1/100000", "kappa": "1/4", "lambda_0": "1/8"}
    up = thm3_statement.replay_T4b("p", {**base, "p": 1, "tau": 2}, {**base, "p": 2, "tau": 2})
    assert up.verdict == V.VIOLATED
    flat = thm3_statement.replay_T4b("p", {**base, "p": 1, "tau": 1}, {**base, "p": 2, "tau": 1})
    assert flat.verdict == V.HOLDS and flat.evidence["B1_a"] == flat.evidence["B1_b"]


def test_T9i_exact_sum():
    """T-9(i): eta theta tau sum_{k'<k} (1 - eta theta tau lambda_0)^{k'} = (1 - (1 - a lambda_0)^k)/lambda_0 != lambda_0."""
    o = thm34.replay_T9i("exponent k'", "1/10", "1", 1, "1/2", 3)
    a, lam = sp.Rational(1, 10), sp.Rational(1, 2)
    assert sp.Rational(o.evidence["sum"]) == (1 - (1 - a * lam) ** 3) / lam
    assert o.verdict == V.VIOLATED


def test_planted_wrong_corollary_limit_is_violated():
    """T-5 (planted): replay_limit on a ratio that grows (n -> oo) is violated; a bounded one holds."""
    o = symbolic_checks.replay_limit("T-5", "T-6/claim ratio at p = nK", "n", "oo", "-", {"xi": "1/2", "K": 1, "p": 4})
    assert o.verdict == V.VIOLATED
    o = symbolic_checks.replay_limit("T-5", "T-6/claim ratio at p = nK", "xi", "0", "+", {"n": 4, "K": 1, "p": 4})
    assert o.verdict == V.HOLDS


def test_corollary_directions_keep_d_equal_n():
    """T-5, T-6, T-7: every order-comparison direction keeps d = n (base d = n = 64, n-directions tie d to n), so a
    data set with lambda_0 = 1/8 bounded away from 0 is realizable (d = 1 forces parallel points, lambda_0 = 0);
    T-7's term-2 divergence along n -> oo survives with d = n."""
    from maskverify.theory import corollaries as co

    assert co.BASE["d"] == co.BASE["n"]
    for item in ("T-5", "T-6", "T-7"):
        for label, var, _pt, _side, ties in co.directions(item):
            if var in ("n", "p"):
                assert str(ties.get("d")) == var, (item, label)
    o = corollaries_checks.replay_corollary_term("T-7", 2, {k: str(v) for k, v in co.BASE.items()} | {"p": "1", "tau": "1"},
                                 "n -> oo (K = 1, d = n)")
    assert o.verdict == V.VIOLATED


def test_T4b_tau_claim_at_a_smaller_admissible_eta_is_violated():
    """T-4(b): 'B_1 increases in tau' with eta fixed held only at the largest admissible eta; at 1/10 of it (still
    admissible: Lemma 17's eta is an upper bound) a pair with B_1(tau+1) < B_1(tau) exists, exactly, and replays."""
    n, kappa, xi, lam, pmax = thm3_statement._t4b_points(registry.Context(profile=profiles.get("ci"), seed=0,
                                                                           item_id="T-4(b)"))[0]
    conv = "eta fixed at 1/10 of the largest admissible"
    cases, summary = thm3_statement._t4b_eval("tau", conv, n, kappa, xi, lam, pmax)
    assert summary["violations"] > 0
    cx = next(w for ok, _, w in cases if ok is False and w is not None)
    again = thm3_statement.replay_T4b(**json.loads(json.dumps(cx["args"])))
    assert again.verdict == V.VIOLATED and again.counterexample["values"] == cx["values"]


def test_T4b_and_T9i_severities(outcomes):
    """T-4(b) is a statement-level failure of the abstract's reading; T-9(i)'s printed '= lambda_0' is a typo
    whose corrected form (<= 1/lambda_0, what (k) uses) is computed and holds; the literal '<= lambda_0' holds in
    T-9's regime and fails once eta theta tau lambda_0 k is of order 1."""
    t4b = outcomes["T-4(b)"]
    assert t4b.verdict == V.VIOLATED and t4b.severity == "statement"
    assert t4b.evidence["verdict_per_part_and_convention"]["tau | eta fixed at 1/10 of the largest admissible"] \
        == V.VIOLATED
    t9i = outcomes["T-9(i)"]
    assert t9i.verdict == V.VIOLATED and t9i.severity == "typo" and t9i.evidence["corrected"]["verdict"] == V.HOLDS
    lit = t9i.evidence["literal_||T||_2<=lambda_0"]
    assert lit["literal_holds_in_T9_regime"] and lit["outside_first_failure"]["||T||_2"] > lit["outside_first_failure"][
        "lambda_0"]


def test_T7_printed_theta_minus_xi_is_a_typo_for_theta_minus_xi_squared(outcomes):
    """T-7: (theta - xi)/p vanishes at p = 1 while B_1's (theta - xi^2)/p does not; with xi^2 every B_1 term is
    O(printed error) (sympy limits, computed), so the severity is typo."""
    o = outcomes["T-7"]
    assert o.verdict == V.VIOLATED and o.severity == "typo" and o.evidence["corrected"]["verdict"] == V.HOLDS

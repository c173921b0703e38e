"""Tests of properties/framework/verdicts.py: the builders decide verdicts from evidence, and can say no."""

import json
from fractions import Fraction

import numpy as np

from maskverify.properties.framework import verdicts as V
from maskverify.properties.framework.replay import replay_counterexample


@V.evaluator
def evaluate_planted(x, bound):
    """A planted wrong bound: claims x**2 <= bound for every x (false for |x| > sqrt(bound))."""
    lhs = x * x
    ok, margin = V.bound_le(lhs, bound)
    cx = V.counterexample("P-0", evaluate_planted, {"x": x, "bound": bound}, {"lhs": lhs, "rhs": bound})
    return V.from_cases([(ok, margin, cx)], method="closed-form", covered="one x")


def test_from_cases_planted_violation_replays():
    """A planted wrong bound is reported violated, with a counterexample that replays to the same numbers."""
    out = V.from_cases(((x * x <= 2.0, 2.0 - x * x, V.counterexample(
        "P-0", evaluate_planted, {"x": x, "bound": 2.0}, {"lhs": x * x, "rhs": 2.0})) for x in (0.5, 1.0, 3.0)),
        method="closed-form", covered="x in {0.5, 1, 3}")
    assert out.verdict == V.VIOLATED
    assert out.counterexample["args"] == {"x": 3.0, "bound": 2.0}
    rep = replay_counterexample(json.loads(json.dumps(out.counterexample)))
    assert rep["reproduced"], rep


def test_from_cases_holds_and_empty():
    out = V.from_cases([(True, 0.5, None), (True, 0.1, None)], method="m", covered="c")
    assert out.verdict == V.HOLDS and out.evidence["min_margin"] == 0.1
    assert V.from_cases([], method="m", covered="c").verdict == V.INCONCLUSIVE
    assert V.from_cases([(None, 0.0, None)], method="m", covered="c").verdict == V.INCONCLUSIVE


def test_violated_without_counterexample_is_downgraded():
    assert V.Outcome(V.VIOLATED, "m", {}).verdict == V.INCONCLUSIVE
    out = V.from_cases([(True, 0.1, None), (False, -0.5, None)], method="m", covered="c")
    assert out.verdict == V.INCONCLUSIVE and out.evidence["cases_violated"] == 1


def test_exact_and_float_comparisons():
    assert V.exact_equal(Fraction(1, 3), Fraction(2, 6))[0]
    assert not V.exact_equal(Fraction(1, 3), Fraction(1, 3) + Fraction(1, 10**30))[0]
    assert V.float_equal(1.0, 1.0 + 1e-14)[0] and not V.float_equal(1.0, 1.0 + 1e-9)[0]
    assert V.bound_le(1.0, 1.0)[0] is True and V.bound_le(1.0 + 1e-15, 1.0)[0] is True
    assert V.bound_le(1.0 + 1e-11, 1.0)[0] is False and V.bound_le(float('nan'), 1.0)[0] is None
    assert V.bound_le(2.0, 1.0)[0] is False


def test_mean_le_bound_three_ways():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, 20000)  # mean 0.5
    assert V.mean_le_bound(x, 0.6, alpha=1e-3, value_range=(0, 1)).verdict == V.HOLDS
    planted = V.mean_le_bound(x, 0.4, alpha=1e-3, value_range=(0, 1), witness={"evaluator": "x:y", "args": {}})
    assert planted.verdict == V.VIOLATED and planted.p_value < 1e-3
    assert V.mean_le_bound(x[:50], 0.5, alpha=1e-3, value_range=(0, 1)).verdict == V.INCONCLUSIVE
    assert V.mean_le_bound(rng.normal(1, 1, 5000), 0.5, alpha=1e-3,
                           witness={"evaluator": "x:y", "args": {}}).verdict == V.VIOLATED


def test_mean_equals_and_probability_le():
    rng = np.random.default_rng(1)
    x = rng.normal(2.0, 1.0, 40000)
    assert V.mean_equals(x, 2.0, alpha=1e-3).verdict == V.HOLDS
    assert V.mean_equals(x, 2.1, alpha=1e-3, witness={"evaluator": "x:y", "args": {}}).verdict == V.VIOLATED
    assert V.probability_le(2, 1000, 0.05, alpha=1e-3).verdict == V.HOLDS
    assert V.probability_le(200, 1000, 0.05, alpha=1e-3, witness={"evaluator": "x:y", "args": {}}).verdict \
        == V.VIOLATED
    assert V.probability_le(5, 100, 0.05, alpha=1e-3).verdict == V.INCONCLUSIVE


def test_holm_step_down():
    rej, thr = V.holm([0.001, 0.04, 0.012, 0.5], 0.05)
    assert rej == [True, False, True, False]
    assert thr[0] == 0.05 / 4 and thr[2] == 0.05 / 3


def test_combine_and_jsonable():
    parts = [V.Outcome(V.HOLDS, "a"), V.inconclusive("x")]
    assert V.combine(parts).verdict == V.INCONCLUSIVE
    assert V.combine([V.Outcome(V.HOLDS, "a")]).verdict == V.HOLDS
    assert V.jsonable({"f": Fraction(1, 3), "a": np.arange(3), "inf": float("inf")}) == \
        {"f": "1/3", "a": [0, 1, 2], "inf": "inf"}


def test_combine_bonferroni_p_value():
    """combine keeps Monte Carlo parts visible to Holm (Bonferroni over parts); exact violations carry none."""
    mc = V.Outcome(V.HOLDS, "mc", p_value=0.2)
    mc_bad = V.Outcome(V.VIOLATED, "mc", counterexample={"evaluator": "x:y", "args": {}}, p_value=0.001)
    exact_bad = V.Outcome(V.VIOLATED, "exact", counterexample={"evaluator": "x:y", "args": {}})
    assert V.combine([mc, V.Outcome(V.HOLDS, "mc", p_value=0.3)]).p_value == 0.4
    assert V.combine([mc, mc_bad]).p_value == 0.002
    assert V.combine([exact_bad, mc]).p_value is None
    assert V.combine([V.Outcome(V.HOLDS, "exact")]).p_value is None


def test_classify_severity_needs_a_computed_corrected_form_for_a_typo():
    """A violated outcome carries one of typo / proof-gap / statement; a typo only with a corrected form whose
    computed verdict is holds (else 'unclassified'); other verdicts carry none. to_json serialises both fields."""
    bad = evaluate_planted(2.0, 1.0)
    fixed = V.corrected("x^2 <= 4", evaluate_planted(2.0, 4.0))
    out = V.classify(bad, V.TYPO, "none", corrected_form=fixed)
    assert out.severity == "typo" and out.evidence["corrected"]["verdict"] == "holds"
    assert out.consequence == {"propagates": False, "to": [], "note": "none"}
    d = out.to_json()
    assert d["severity"] == "typo" and d["consequence"]["propagates"] is False
    # the corrected form is computed, not typed: one that fails leaves the typo unclassified
    wrong = V.corrected("x^2 <= 2", evaluate_planted(2.0, 2.0))
    assert V.classify(evaluate_planted(2.0, 1.0), V.TYPO, corrected_form=wrong).severity == "unclassified"
    assert V.classify(evaluate_planted(2.0, 1.0), V.TYPO).severity == "unclassified"
    assert V.classify(evaluate_planted(2.0, 1.0), "minor").severity == "unclassified"
    gap = V.classify(evaluate_planted(2.0, 1.0), V.PROOF_GAP, "reaches T-4", to=("T-4",))
    assert gap.severity == "proof-gap" and gap.consequence["propagates"] and gap.consequence["to"] == ["T-4"]
    held = V.classify(evaluate_planted(0.5, 1.0), V.STATEMENT)
    assert held.verdict == "holds" and held.severity is None and held.consequence is None
    assert V.severity_rule("violated", None, {}) == "unclassified"
    assert V.severity_rule("holds", "typo", {}) is None


def test_combine_keeps_the_worst_severity_of_its_violated_parts():
    typo = V.classify(evaluate_planted(2.0, 1.0), V.TYPO, corrected_form=V.corrected("x^2 <= 4",
                                                                                   evaluate_planted(2.0, 4.0)))
    gap = V.classify(evaluate_planted(3.0, 1.0), V.PROOF_GAP)
    assert V.combine([typo, gap]).severity == "proof-gap"
    both = V.combine([typo, typo])
    assert both.severity == "typo" and both.evidence["corrected"]["verdict"] == "holds"
    assert V.combine([typo, evaluate_planted(3.0, 1.0)]).severity == "unclassified"

"""Tests of properties/framework/runner.py, lock.py, replay.py and properties/report/document.py: the machinery can say no."""

import json

import pytest

from maskverify.errors import InstanceFileError
from maskverify.properties.framework import lock, registry, runner
from maskverify.properties.framework import verdicts as V
from maskverify.properties.framework.replay import load_counterexample, replay_counterexample
from maskverify.properties.report import document as report


@V.evaluator
def planted_evaluator(x):
    """Planted wrong claim 'x <= 1' (module-level so it can be replayed)."""
    ok, margin = V.bound_le(x, 1.0)
    return V.from_cases([(ok, margin, V.counterexample("Z-1", planted_evaluator, {"x": x}, {"x": x}))],
                        method="closed-form", covered="one x")


@pytest.fixture
def planted_items():
    """Register planted checks under temporary IDs, removed afterwards."""
    added = []

    def add(iid, fn):
        registry.item(iid, title="planted", source="test", kind="claim")(fn)
        added.append(iid)

    add("Z-1", lambda ctx: planted_evaluator(2.0))
    add("Z-2", lambda ctx: planted_evaluator(0.5))
    add("Z-3", lambda ctx: 1 / 0)
    yield
    for iid in added:
        registry._REGISTRY.pop(iid, None)


def test_run_one_planted_violation_and_crash(planted_items):
    """A planted wrong bound is violated; a crashing check becomes inconclusive, not a crash."""
    assert runner.run_one("Z-1", "ci", 0, 0.01)["verdict"] == "violated"
    assert runner.run_one("Z-2", "ci", 0, 0.01)["verdict"] == "holds"
    rec = runner.run_one("Z-3", "ci", 0, 0.01)
    assert rec["verdict"] == "inconclusive" and "ZeroDivisionError" in rec["evidence"]["reason"]


def test_holm_downgrades_weak_monte_carlo_violations():
    recs = {
        "A": {"id": "L-23", "verdict": "violated", "p_value": 1e-6, "evidence": {}, "confidence": {}},
        "B": {"id": "L-24", "verdict": "violated", "p_value": 0.009, "evidence": {}, "confidence": {}},
        "C": {"id": "L-33", "verdict": "holds", "p_value": 0.5, "evidence": {}, "confidence": {}},
    }
    runner._apply_holm(recs, 0.01)
    assert recs["A"]["verdict"] == "violated"
    assert recs["B"]["verdict"] == "inconclusive" and "Holm" in recs["B"]["evidence"]["reason"]
    assert recs["A"]["confidence"]["holm_family_size"] == 3


def test_holm_thresholds_do_not_depend_on_completion_order():
    """Equal p-values are ranked by item ID, not by the order a pool happened to finish them in."""
    def recs(order):
        return {i: {"id": i, "verdict": "holds", "p_value": 1.0, "evidence": {}, "confidence": {}} for i in order}
    a, b = recs(["T-2(a)", "T-2(b)", "T-2(c)"]), recs(["T-2(c)", "T-2(a)", "T-2(b)"])
    runner._apply_holm(a, 0.01)
    runner._apply_holm(b, 0.01)
    assert {i: r["confidence"]["holm_threshold"] for i, r in a.items()} == \
        {i: r["confidence"]["holm_threshold"] for i, r in b.items()}


def test_unreplayable_counterexample_is_downgraded():
    good = planted_evaluator(3.0).to_json()
    bad = dict(good, counterexample={**good["counterexample"], "values": {"x": 4.0}})
    recs = {"g": {**good, "evidence": {}}, "b": {**bad, "evidence": {}}}
    runner._confirm_counterexamples(recs)
    assert recs["g"]["verdict"] == "violated" and recs["g"]["counterexample"]["replay_confirmed"]
    assert recs["b"]["verdict"] == "inconclusive"


def test_lock_roundtrip_and_diff(tmp_path):
    doc = {"items": [{"id": "L-25", "verdict": "holds"}, {"id": "T-1", "verdict": "violated"}]}
    path = tmp_path / "lock.json"
    lock.update(path, "ci", doc)
    assert lock.load(path)["ci"] == {"T-1": "violated", "L-25": "holds"}
    assert lock.diff(lock.load(path)["ci"], {"T-1": "holds", "L-25": "holds"}) == ["  T-1: violated -> holds"]
    lock.update(path, "ci", {"items": [{"id": "T-1", "verdict": "holds"}]}, partial=True)
    assert lock.load(path)["ci"] == {"T-1": "holds", "L-25": "holds"}


def test_write_outputs_and_replay_from_files(tmp_path):
    rec = runner._record("Z-1", "planted", "test", "claim", planted_evaluator(2.0))
    doc = {"paper": "p", "tool_version": "0", "profile": "ci", "seed": 0, "created": "now",
           "family_alpha": 0.01, "items": [rec]}
    report.write_outputs(doc, tmp_path)
    saved = json.loads((tmp_path / "verdicts.json").read_text())
    assert saved["items"][0]["counterexample_file"] == "counterexamples/Z-1.json"
    assert "| Z-1 |" in (tmp_path / "report.md").read_text()
    assert "**VIOLATED** ([cx](counterexamples/Z-1.json))" in (tmp_path / "report.md").read_text()
    cx = load_counterexample(tmp_path / "counterexamples" / "Z-1.json")
    assert replay_counterexample(cx)["reproduced"]
    assert load_counterexample(tmp_path / "verdicts.json")["args"] == {"x": 2.0}
    with pytest.raises(InstanceFileError):
        load_counterexample(tmp_path / "report.md")


def test_select_main_id_selects_subclaims():
    ids = ["L-28", "L-28(a)", "L-28(b)", "L-29"]
    assert runner.select(ids, ["L-28"]) == ["L-28", "L-28(a)", "L-28(b)"]
    assert runner.select(ids, ["L-28(b)"]) == ["L-28(b)"]


def test_context_rng_is_deterministic_per_item():
    c1 = registry.Context(profile=None, seed=0, item_id="L-25")
    c2 = registry.Context(profile=None, seed=0, item_id="L-26")
    assert c1.rng("a").integers(1 << 30) == registry.Context(profile=None, seed=0, item_id="L-25").rng("a") \
        .integers(1 << 30)
    assert c1.int_seed("a") != c2.int_seed("a")


def test_conjunction_record_for_main_id_without_check():
    """A main ID (here P-2) without its own check gets the conjunction of its sub-claims' verdicts."""
    hold = runner._record("P-2(a)", "t", "s", "identity", V.Outcome(V.HOLDS, "m"))
    bad = runner._record("P-2(b)", "t", "s", "identity", planted_evaluator(2.0))
    rec = runner.conjunction_record("P-2", {"P-2(a)": hold, "P-2(b)": bad})
    assert rec["verdict"] == "violated" and rec["counterexample"]["args"] == {"x": 2.0}
    assert runner.conjunction_record("P-2", {"P-2(a)": hold})["verdict"] == "holds"
    assert runner.conjunction_record("P-3", {"P-2(a)": hold}) is None


def test_severity_rule_flags_unclassified_violations_and_clears_others():
    """The runner's rule: every violated record ends with one of the three severities or 'unclassified'
    (visible in verdicts.json as top-level keys); a record downgraded from violated carries none."""
    bad = runner._record("Z-1", "t", "s", "claim", planted_evaluator(2.0))
    typo = runner._record("Z-4", "t", "s", "claim", V.classify(planted_evaluator(3.0), V.TYPO, corrected_form=V.corrected(
        "x <= 3", planted_evaluator(1.0))))
    held = runner._record("Z-2", "t", "s", "claim", planted_evaluator(0.5))
    held["severity"] = "typo"                     # e.g. a violation downgraded by Holm keeps no severity
    assert {"severity", "consequence"} <= set(bad)
    recs = {"Z-1": bad, "Z-4": typo, "Z-2": held}
    runner._apply_severity_rule(recs)
    assert bad["severity"] == "unclassified" and typo["severity"] == "typo"
    assert held["severity"] is None and held["consequence"] is None


def test_conjunction_record_carries_the_worst_sub_claim_severity():
    t1 = runner._record("P-2(a)", "t", "s", "identity", V.classify(planted_evaluator(2.0), V.TYPO, corrected_form=(
        V.corrected("x <= 2", planted_evaluator(1.0)))))
    t2 = runner._record("P-2(b)", "t", "s", "identity", V.classify(planted_evaluator(3.0), V.STATEMENT, to=("T-4",)))
    rec = runner.conjunction_record("P-2", {"P-2(a)": t1})
    assert rec["severity"] == "typo" and rec["evidence"]["corrected"]["verdict"] == "holds"
    rec = runner.conjunction_record("P-2", {"P-2(a)": t1, "P-2(b)": t2})
    assert rec["severity"] == "statement" and rec["consequence"]["to"] == ["T-4"]


def _ci_violated_ids():
    """The items the recorded ci lock section has violated, that have a check of their own (a main ID without
    one gets a conjunction record, tested above)."""
    doc = json.loads((runner.REPO_ROOT / "verdicts.lock.json").read_text())
    checks = registry.load_all()
    return sorted(i for i, v in doc["ci"].items() if v == "violated" and i in checks)


@pytest.mark.slow
@pytest.mark.parametrize("item_id", _ci_violated_ids())
def test_every_violated_ci_item_has_a_severity(item_id):
    """Severity (issue: 'how many real errors, how many typos'): each ci item that the lock records as violated,
    re-run in the ci profile, is either no longer violated or carries typo / proof-gap / statement -- never
    unclassified -- and a typo carries its computed corrected form, which holds."""
    rec = runner.run_one(item_id, "ci", 0, 0.01)
    sev = V.severity_rule(rec["verdict"], rec["severity"], rec["evidence"])
    if rec["verdict"] == V.VIOLATED:
        assert sev in V.SEVERITIES, (item_id, rec["severity"])
        assert isinstance(rec["consequence"], dict) and {"propagates", "to", "note"} <= set(rec["consequence"])
        if sev == V.TYPO:
            assert rec["evidence"]["corrected"]["verdict"] == V.HOLDS
    else:
        assert sev is None

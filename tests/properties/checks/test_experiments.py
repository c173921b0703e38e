"""Tests of maskverify.properties.checks.experiments (E-1, E-2, E-2(1), E-2(2), E-2(3), E-3, E-4): every
registered check returns a well-formed, computed Outcome; violated ones replay through their evaluator."""

import importlib
import json

import pytest

from maskverify.properties.figure2 import data
from maskverify.properties.figure2 import experiments as ex
from maskverify.properties.framework import profiles, registry
from maskverify.properties.framework import verdicts as V

IDS = ["E-1", "E-2", "E-2(1)", "E-2(2)", "E-2(3)", "E-3", "E-4"]
registry.load_all()     # the checks register on import; this file must not depend on another test importing them

#: Small sizes so the seven checks run in seconds here; the real ci sizes are exercised by `make verify`.
SMALL = ex.Sizes("ci", n=14, a_m=20, a_K=4, a_trials=2, a_p=2, a_tau=2, a_xis=(0.8, 0.3), m=20, K=4, trials=2,
                 b_ps=(1, 2, 3), b_xis=(0.4, 0.7, 1.0), b_tau=2, c_ps=(1, 2, 3), c_taus=(1, 2, 3),
                 alt_settings=((0.5, "1"),), alt_a_m=12, alt_m=12, alt_K=3, alt_ps=(1, 2), alt_xis=(0.5, 1.0),
                 alt_taus=(1, 2))



@pytest.fixture(autouse=True)
def _one_torch_thread():
    """One torch thread, as the runner's workers use (small tensors; avoids oversubscription)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)

@pytest.fixture
def small_ci(monkeypatch):
    monkeypatch.setitem(ex.SIZES, "ci", SMALL)
    return profiles.get("ci")


def test_registered_ids_are_the_experiment_items():
    """E-1, E-2, E-2(1), E-2(2), E-2(3), E-3, E-4: exactly these IDs come from checks/experiments.py."""
    mine = sorted(i for i, c in registry.registry().items() if c.fn.__module__ == "maskverify.properties.checks.experiments")
    assert mine == sorted(IDS)


@pytest.mark.parametrize("item_id", IDS)
def test_check_outcome_is_well_formed(item_id, small_ci):
    """E-1, E-2, E-2(1), E-2(2), E-2(3), E-3, E-4: computed Outcome with regime, JSON-able evidence naming the
    sizes and unstated choices; a violated outcome's counterexample reproduces verdict and values."""
    ctx = registry.Context(profile=small_ci, seed=0, item_id=item_id, alpha=1e-3)
    out = registry.registry()[item_id].fn(ctx)
    assert out.verdict in V.VERDICTS
    assert out.regime and "conditions" in out.regime and "inside" in out.regime
    doc = json.loads(json.dumps(out.to_json()))
    if item_id != "E-1":
        assert doc["evidence"]["setting"]["eta"] > 0
        assert doc["regime"]["inside"] is False          # m, K are below the paper's 4000, 200
    if item_id in ("E-3", "E-4"):
        assert "printed_bounds" in doc["evidence"] and "sensitivity" in doc["evidence"]
        assert "trend_comparison" in doc["evidence"]["printed_bounds"]
    if item_id == "E-4":
        assert set(doc["evidence"]["conventions"]) == {"fixed-K", "fixed-Ktau", "eta/tau"}
    if out.verdict == V.VIOLATED:
        cx = json.loads(json.dumps(out.counterexample))
        mod, fn = cx["evaluator"].split(":")
        again = getattr(importlib.import_module(mod), fn)(**cx["args"])
        assert again.verdict == V.VIOLATED
        assert V.jsonable(again.counterexample["values"]) == cx["values"]


def test_checks_are_deterministic_per_seed(small_ci):
    """E-3: the same seed gives the same verdict and grid (runs are derived from ctx.int_seed only)."""
    a, b = (registry.registry()["E-3"].fn(registry.Context(profile=small_ci, seed=1, item_id="E-3", alpha=1e-3))
            for _ in range(2))
    assert a.verdict == b.verdict
    assert a.to_json()["evidence"]["grid_mean"] == b.to_json()["evidence"]["grid_mean"]


def test_profile_sizes_cover_the_paper_grids():
    """E-3, E-4: dev/report sizes use the paper's full 10 x 10 grids and panel (a) at the paper's m = 4000;
    ci uses coarse grids (stated in evidence)."""
    dev = ex.sizes_for(profiles.get("dev"))
    assert dev.b_ps == tuple(range(1, 11)) and dev.c_taus == tuple(range(1, 11)) and len(dev.b_xis) == 10
    assert dev.a_m == 4000 and ex.sizes_for("report") is dev
    assert ex.sizes_for(profiles.get("ci")).name == "ci"


def test_E4_paper_size_retest_of_a_violation(monkeypatch):
    """E-4: with paper_check on, every violated trend part of the primary protocol is re-run on one row/column
    at the paper's m and K (patched to m = 200, K = 20 here); the tau-trend violation there becomes the primary
    protocol's counterexample (its regime names that m and K), and it replays. The item itself is violated
    only if every protocol is (E-4 protocol rule)."""
    from dataclasses import replace

    monkeypatch.setitem(ex.SIZES, "ci", replace(SMALL, paper_check=True))
    monkeypatch.setattr(ex, "PAPER_M", 200)
    monkeypatch.setattr(ex, "PAPER_K", 20)
    study = ex.Study.make(profiles.get("ci"), 5, 1e-3)
    primary, _ = ex._trend_item(study, "E-4", "c", ex._E4_SPECS, ex.e4_bounds, SMALL.conventions)
    violated_parts = [k for k, v in primary.evidence["parts"].items() if v["verdict"] == V.VIOLATED]
    retest = primary.evidence["paper_size_retest"]
    assert violated_parts and sorted(retest) == sorted(violated_parts)
    for r in retest.values():
        assert r["m"] == 200 and r["K"] == 20 and r["trials"] == ex.PAPER_TRIALS
    assert any(r["verdict"] == V.VIOLATED for r in retest.values())
    cx = json.loads(json.dumps(primary.counterexample))
    assert cx["args"]["m"] == 200 and cx["args"]["K"] == 20 and primary.regime["constant_profile"]["m"] == 200
    assert cx["args"]["ds"]["sha256"] == data.CRIME_SHA256
    mod, fn = cx["evaluator"].split(":")
    again = getattr(importlib.import_module(mod), fn)(**cx["args"])
    assert again.verdict == V.VIOLATED and V.jsonable(again.counterexample["values"]) == cx["values"]
    item = ex.e4_item(study)
    table = item.evidence["protocols"]
    assert any(v["verdict"] != V.VIOLATED for v in table.values()) == (item.verdict != V.VIOLATED)


def test_E_items_say_which_data_they_were_judged_on(small_ci):
    """E-1..E-4: every item's evidence names its data set: kind, SHA-256, rows, features (the packaged,
    pinned crime data here)."""
    for item_id in IDS:
        out = registry.registry()[item_id].fn(registry.Context(profile=small_ci, seed=0, item_id=item_id,
                                                               alpha=1e-3))
        d = out.evidence["data"]
        assert d["kind"] == "crime" and d["sha256"] == data.CRIME_SHA256
        assert d["rows"] == SMALL.n and d["features"] == 99


def test_E2_2_is_decided_across_protocols(small_ci):
    """E-2(2): one row per protocol of the sweep (eta_factor x kappa) in the sensitivity table; violated only
    if every row is violated; the item's p-value is the largest per-protocol p-value (intersection-union)."""
    out = registry.registry()["E-2(2)"].fn(registry.Context(profile=small_ci, seed=0, item_id="E-2(2)", alpha=1e-3))
    table = out.evidence["protocols"]
    assert len(table) == len(SMALL.e2_protocols) == out.evidence["protocol_count"]
    rows = list(table.values())
    assert (out.verdict == V.VIOLATED) == all(r["verdict"] == V.VIOLATED for r in rows)
    assert (out.verdict == V.HOLDS) == all(r["verdict"] == V.HOLDS for r in rows)
    assert out.p_value == max(r["p_value"] for r in rows)
    if out.verdict == V.INCONCLUSIVE:
        assert "unstated parameters decide" in out.evidence["reason"]


def test_E4_evidence_has_trend_per_convention_and_internal_consistency(small_ci):
    """E-4: the tau- and p-trends per convention and the figure's internal consistency (its p = 1 row vs GD
    for K*tau steps, S-8(b)), with the figure reading used and the S-8(b) cross-check of the engine's row."""
    out = registry.registry()["E-4"].fn(registry.Context(profile=small_ci, seed=0, item_id="E-4", alpha=1e-3))
    tpc = out.evidence["trend_per_convention"]
    assert set(tpc) == set(SMALL.conventions)
    ic = out.evidence["internal_consistency"]
    assert ic["figure_reading"]["p1_row"]["direction"] == "rises"
    assert ic["s8b_cross_check"]["agrees_to_1e-9"]
    assert isinstance(ic["consistent"], bool) and ic["stable_configurations"] > 0
    assert "Internal consistency" in out.evidence["finding"]
    if not ic["consistent"]:
        assert out.verdict != V.VIOLATED

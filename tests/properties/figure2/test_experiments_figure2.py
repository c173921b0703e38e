"""Tests of maskverify.properties.figure2.experiments (E-2, E-3, E-4 machinery: runs, statistics, replay, figures)."""

import itertools
import json
import math
import os

import numpy as np
import pytest
import torch
from scipy import stats

from maskverify.impl import masks as masks_mod
from maskverify.impl import reference
from maskverify.properties.figure2 import experiments as ex
from maskverify.properties.framework import verdicts

TINY = ex.Sizes("tiny", n=12, a_m=16, a_K=3, a_trials=2, a_p=2, a_tau=2, a_xis=(0.8, 0.3), m=16, K=4, trials=2,
                b_ps=(1, 2, 3), b_xis=(0.3, 0.6, 1.0), b_tau=2, c_ps=(1, 2, 3), c_taus=(1, 2, 3),
                alt_settings=((0.5, "1"),), alt_a_m=12, alt_m=12, alt_K=3, alt_ps=(1, 2), alt_xis=(0.5, 1.0),
                alt_taus=(1, 2))
SYN = {"kind": "synthetic", "n": 6, "seed": 4, "d": 3}



@pytest.fixture(autouse=True)
def _one_torch_thread():
    """One torch thread, as the runner's workers use (small tensors; avoids oversubscription)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)

def test_mahonian_matches_enumeration():
    """E-3, E-4 statistics: the exact null law of the agreement count equals brute-force enumeration."""
    for L in range(1, 7):
        counts = np.zeros(L * (L - 1) // 2 + 1)
        for perm in itertools.permutations(range(L)):
            counts[sum(perm[i] > perm[j] for i in range(L) for j in range(i + 1, L))] += 1
        np.testing.assert_allclose(ex.mahonian(L), counts / math.factorial(L), rtol=1e-13)


def test_agreements_match_scipy_kendall_tau():
    """E-3, E-4 statistics: agreement counts give scipy's Kendall tau (an independent implementation)."""
    rng = np.random.default_rng(0)
    for _ in range(20):
        s = rng.standard_normal(7)
        pairs = 21
        tau = stats.kendalltau(np.arange(7), s).statistic
        assert abs((2 * ex.agreements(s[None], +1)[0] - pairs) / pairs - tau) < 1e-12
        assert abs((2 * ex.agreements(s[None], -1)[0] - pairs) / pairs + tau) < 1e-12


def test_trend_test_p_values_match_enumeration():
    """E-3, E-4 statistics: pooled p-values for two series of length 3 equal the enumeration over all
    6 x 6 rank pairs."""
    obs = np.array([[3.0, 2.0, 1.0], [2.0, 3.0, 1.0]])
    r = ex.trend_test(obs, -1)
    A = r["agreements"]
    perms = list(itertools.permutations(range(3)))
    null = [ex.agreements(np.array([p1, p2], float), -1).sum() for p1 in perms for p2 in perms]
    assert r["p_claim"] == pytest.approx(np.mean([a >= A for a in null]), rel=1e-12)
    assert r["p_opposite"] == pytest.approx(np.mean([a <= A for a in null]), rel=1e-12)
    assert r["kendall_tau_mean"] == pytest.approx(-(1.0 + 1 / 3) / 2)


def _planted_replay(F, axis, direction):
    return dict(item="E-3", part="planted", ds=SYN, mask_kind="bernoulli", ps=list(range(1, F.shape[0] + 1)),
                cols=[0.5] * F.shape[1], col_kind="xi", tau=1, K=1, m=4, trials=F.shape[2], eta=0.1, kappa=1.0,
                seed=0, convention="fixed-K", axis=axis, direction=direction, alpha=1e-3)


def test_trend_outcome_decides_planted_grids():
    """E-3/E-4 decision rule: a clean decreasing grid holds for 'decreasing', is violated for 'increasing';
    pure noise is inconclusive."""
    rng = np.random.default_rng(1)
    F = np.arange(8)[None, ::-1, None] + 0.01 * rng.standard_normal((4, 8, 3))   # decreasing along axis 1
    ok = ex.trend_outcome(F, axis=1, direction=-1, alpha=1e-3, replay=_planted_replay(F, 1, -1))
    assert ok.verdict == verdicts.HOLDS
    bad = ex.trend_outcome(F, axis=1, direction=+1, alpha=1e-3, replay=_planted_replay(F, 1, +1))
    assert bad.verdict == verdicts.VIOLATED and bad.counterexample["evaluator"].endswith(":replay_trend")
    noise = ex.trend_outcome(rng.standard_normal((3, 4, 2)), axis=1, direction=-1, alpha=1e-3,
                             replay=_planted_replay(np.zeros((3, 4, 2)), 1, -1))
    assert noise.verdict == verdicts.INCONCLUSIVE


def test_trend_outcome_single_group_violation_replays_that_group_only():
    """Four rows follow the claim, one row goes strongly against it: the pooled test does not reject toward
    the opposite, but that row does (Bonferroni) -> violated, counterexample = that row only."""
    rng = np.random.default_rng(2)
    F = np.arange(8)[None, ::-1, None] + 0.01 * rng.standard_normal((5, 8, 3))     # decreasing rows
    F[2] = np.arange(8)[:, None] + 0.01 * rng.standard_normal((8, 3))              # row 2 increases
    out = ex.trend_outcome(F, axis=1, direction=-1, alpha=1e-3, replay=_planted_replay(F, 1, -1))
    assert out.verdict == verdicts.VIOLATED
    assert out.counterexample["args"]["ps"] == [3] and out.counterexample["args"]["alpha"] == pytest.approx(2e-4)


def test_phase_run_matches_the_reference_loop():
    """E-2 trajectory records equal the literal Algorithm 1 loop (impl/reference.py) with the same masks."""
    ds, xi, p, tau, K, m, T, seed = SYN, 0.6, 2, 2, 3, 5, 1, 7
    eta, kappa = 0.3, 1.0
    res = ex.phase_run(ds, "bernoulli", xi, p, tau, K, m, T, eta, kappa, seed)
    X, y, _ = ex._data(ds)
    W0, a = ex._init(seed, m, X.shape[1], kappa, T)
    g = torch.Generator().manual_seed(ex.derive_seed(seed, "phase", "bernoulli", xi, p, tau, K))
    M = masks_mod.bernoulli_masks(K, p, m, xi, g, trials=T)[0].numpy()
    ref = reference.algorithm1(X, y, W0[0].numpy(), a[0].numpy(), M, xi, eta, tau)
    np.testing.assert_allclose(res["loss"][0], ref["loss"], rtol=1e-10)
    np.testing.assert_allclose(res["sub"][0], ((y - ref["uhat"]) ** 2).sum(-1), rtol=1e-10)


def test_phase_events_on_a_hand_built_record():
    """E-2(1)-(3) event extraction: counts on a record whose moves are known."""
    loss = np.array([[1.0, 0.5]])                                   # u_0, u_1
    sub = np.array([[[[2.0, 1.0, 0.8], [1.0, 1.0, 0.6]]]])          # (T=1, K=1, p=2, tau+1=3)
    ev = ex.phase_events({"loss": loss, "sub": sub})
    assert ev["3"]["moves"].tolist() == [[True]]                    # mean 1.5 > 1.0
    assert ev["1"]["moves"].tolist() == [[[True, True]]]            # 1.5 -> 1.0 -> 0.7
    assert ev["2"]["moves"].tolist() == [[True]]                    # 0.5 < 0.7
    assert ev["1"]["per_subnet_fraction"] == 0.75                   # 1.0 -> 1.0 is not a decrease


def test_E2_1_planted_wrong_step_size_is_violated_and_replays():
    """E-2(1) planted wrong: with eta far above the stability limit local steps increase the loss; the
    machinery must report violated with a counterexample whose evaluator reproduces it."""
    ds = {"kind": "synthetic", "n": 8, "seed": 1, "d": 3}
    replay = dict(item="E-2(1)", part="1", ds=ds, mask_kind="bernoulli", xi=0.8, p=2, tau=3, K=6, m=20, trials=2,
                  eta=50.0, kappa=1.0, seed=3, alpha=1e-3)
    out = ex.replay_phase(**replay)
    assert out.verdict == verdicts.VIOLATED
    w = out.counterexample
    again = getattr(ex, w["evaluator"].split(":")[1])(**json.loads(json.dumps(w["args"])))
    assert again.verdict == out.verdict and verdicts.jsonable(again.counterexample["values"]) == w["values"]


def test_E4_planted_wrong_direction_is_violated_and_replays():
    """E-4 machinery on a planted-wrong claim: "more local steps at fixed K and eta increase the loss" at
    p = 1, where categorical Algorithm 1 is plain GD (S-8b) and more GD steps with a stable step size
    decrease the loss. The machinery must say violated, and the counterexample must replay."""
    ds = {"kind": "synthetic", "n": 8, "seed": 2, "d": 3}
    F = ex.grid_run(ds, "categorical", [1], [1, 2, 4, 8], "tau", tau=1, K=3, m=30, trials=3, eta=0.2, kappa=1.0,
                    seed=5)
    replay = dict(item="E-4", part="planted", ds=ds, mask_kind="categorical", ps=[1], cols=[1, 2, 4, 8],
                  col_kind="tau", tau=1, K=3, m=30, trials=3, eta=0.2, kappa=1.0, seed=5, convention="fixed-K",
                  axis=1, direction=+1, alpha=1e-2)
    out = ex.trend_outcome(F, axis=1, direction=+1, alpha=1e-2, replay=replay)
    assert out.verdict == verdicts.VIOLATED
    w = out.counterexample
    again = ex.replay_trend(**json.loads(json.dumps(w["args"])))
    assert again.verdict == verdicts.VIOLATED and verdicts.jsonable(again.counterexample["values"]) == w["values"]


def test_grid_run_xi_one_column_is_independent_of_p():
    """E-3 / S-8a: all-ones masks make the run independent of p, so E-3 drops the xi = 1 column."""
    F = ex.grid_run(SYN, "bernoulli", [1, 2, 3], [1.0], "xi", tau=2, K=3, m=10, trials=2, eta=0.2, kappa=1.0, seed=1)
    np.testing.assert_allclose(F[1:, 0], np.broadcast_to(F[0, 0], F[1:, 0].shape), rtol=1e-12)


def test_conventions_change_K_and_eta_as_documented(monkeypatch):
    """E-4 conventions: fixed-K keeps (K, eta); fixed-Ktau uses K // tau; eta/tau divides eta by tau."""
    from maskverify.impl import algorithm1

    calls = []

    orig = algorithm1.run

    def spy(X, y, W0, a, masks, xi, eta, tau, record=(), **kw):
        calls.append((tau, kw["K"], eta))
        return orig(X, y, W0, a, masks, xi, eta, tau, record, **kw)

    monkeypatch.setattr(algorithm1, "run", spy)
    for conv in ("fixed-K", "fixed-Ktau", "eta/tau"):
        ex.grid_run(SYN, "categorical", [2], [1, 4], "tau", tau=1, K=8, m=6, trials=1, eta=0.4, kappa=1.0, seed=0,
                    convention=conv)
    assert calls == [(1, 8, 0.4), (4, 8, 0.4), (1, 8, 0.4), (4, 2, 0.4), (1, 8, 0.4), (4, 8, 0.1)]


def test_build_figures_writes_pngs_meta_and_outcomes(tmp_path):
    """E-1..E-4 on tiny sizes: figures exist (PNG), meta JSON parses, every E- item has an outcome, and no
    temporary files are left behind (atomic writes)."""
    from maskverify.properties.report.figure2_panels import build_figures

    out = build_figures(tmp_path, TINY, 0, progress=False)
    for key in ("a", "b", "c", "c_conventions"):
        with open(out["figures"][key], "rb") as fh:
            assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
    with open(out["meta"]) as fh:
        meta = json.load(fh)
    assert meta["sizes"]["name"] == "tiny"
    assert set(out["outcomes"]) == {"E-1", "E-2", "E-2(1)", "E-2(2)", "E-2(3)", "E-3", "E-4"}
    for o in out["outcomes"].values():
        assert o["verdict"] in verdicts.VERDICTS
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]
    assert "E-4" in out["notes"]


# ------------------------------------------------------------------------------------------------------
# data pinning, stand-in data, protocol rule, Figure 2(c) internal consistency


def _planted_phase_witness(eta):
    ds = {"kind": "synthetic", "n": 8, "seed": 1, "d": 3}
    ds["sha256"] = ex.dataset("synthetic", 8, 1, 3)[2]["sha256"]
    return dict(item="E-2(1)", part="1", ds=ds, mask_kind="bernoulli", xi=0.8, p=2, tau=3, K=6, m=20, trials=2,
                eta=eta, kappa=1.0, seed=3, alpha=1e-3)


def test_replay_on_other_data_is_refused(tmp_path):
    """A recorded instance stores its data set's SHA-256; re-evaluating it on data with another SHA-256 raises
    InstanceFileError (the CLI: one line, exit 2), never a verdict on other data."""
    from maskverify import cli
    from maskverify.errors import InstanceFileError

    out = ex.replay_phase(**_planted_phase_witness(50.0))
    assert out.verdict == verdicts.VIOLATED
    cx = json.loads(json.dumps(out.counterexample))
    cx["args"]["ds"]["sha256"] = "0" * 64
    with pytest.raises(InstanceFileError, match="cannot be re-evaluated on other data"):
        ex.replay_phase(**cx["args"])
    f = tmp_path / "cx.json"
    f.write_text(json.dumps(cx))
    assert cli.main(["replay", str(f)]) == 2


def test_across_protocols_violated_only_under_every_protocol(tmp_path, capsys):
    """Protocol rule: violated only if violated under every protocol (p-value = largest per-protocol p-value;
    the counterexample replays every protocol's witness); one protocol that does not fail -> inconclusive."""
    from maskverify import cli
    from maskverify.properties.figure2 import protocols

    bad = {f"eta={e}": ex.replay_phase(**_planted_phase_witness(e)) for e in (50.0, 80.0)}
    assert all(o.verdict == verdicts.VIOLATED for o in bad.values())
    out = protocols.across_protocols("E-2(1)", bad, method="planted")
    assert out.verdict == verdicts.VIOLATED and out.p_value == max(o.p_value for o in bad.values())
    w = json.loads(json.dumps(out.counterexample))
    again = protocols.replay_protocols(**w["args"])
    assert again.verdict == verdicts.VIOLATED and verdicts.jsonable(again.counterexample["values"]) == w["values"]
    f = tmp_path / "all.json"
    f.write_text(json.dumps(w))
    assert cli.main(["replay", str(f)]) == 0                 # through the CLI's evaluator registry
    good = ex.replay_phase(**_planted_phase_witness(0.05))
    assert good.verdict != verdicts.VIOLATED
    mixed = protocols.across_protocols("E-2(1)", {**bad, "eta=0.05": good}, method="planted")
    assert mixed.verdict == verdicts.INCONCLUSIVE and mixed.counterexample is None
    assert set(mixed.evidence["protocols"]) == {"eta=50.0", "eta=80.0", "eta=0.05"}
    assert "unstated parameters decide" in mixed.evidence["reason"]
    gated = protocols.across_protocols("E-2(1)", bad, method="planted",
                                       gate={"ok": False, "reason": "figure inconsistent", "args": None})
    assert gated.verdict == verdicts.INCONCLUSIVE and gated.evidence["reason"] == "figure inconsistent"


def test_E_items_on_a_stand_in_are_inconclusive(monkeypatch):
    """Without the crime data (a broken install) the E- claims are judged on a synthetic stand-in: each is
    inconclusive with the reason, no counterexample and no p-value; the evidence names the data
    (kind synthetic-stand-in-for-crime, its SHA-256, rows, features)."""
    from maskverify.properties.figure2 import data

    for fn in (ex._dataset_cached, ex._lambda_max_cached, ex._phase_run_cached):
        fn.cache_clear()
    monkeypatch.setattr(ex, "_GRIDS", {})
    monkeypatch.setattr(data, "crime_resource", lambda name="crime.csv": None)
    try:
        study = ex.Study.make(TINY, 0, 1e-3)
        for out in (ex.e2_item(study, "2"), ex.e2_whole(study), ex.e3_item(study), ex.e4_item(study)):
            assert out.verdict == verdicts.INCONCLUSIVE
            assert out.counterexample is None and out.p_value is None
            assert "judged on other data" in out.evidence["reason"]
            d = out.evidence["data"]
            assert d["kind"] == "synthetic-stand-in-for-crime" and d["rows"] == TINY.n and d["features"] == 99
            assert d["sha256"] == study.ds["sha256"]
    finally:
        for fn in (ex._dataset_cached, ex._lambda_max_cached, ex._phase_run_cached):
            fn.cache_clear()


def test_figure_2c_reading_p1_row_rises():
    """E-4: the reading of Figure 2(c) used (10 x 10, rows p, columns tau): its p = 1 row rises in every
    adjacent step, and the colour-bar range 0.006..0.022 contains every value."""
    from maskverify.properties.figure2 import consistency

    vals = np.array(consistency.FIG2C_READING["values"])
    assert vals.shape == (10, 10) and 0.006 < vals.min() and vals.max() < 0.022
    row = consistency.figure_p1_row()
    assert row["direction"] == "rises" and row["adjacent_rises"] == 9


def test_p1_row_is_gd_and_does_not_rise_at_stable_steps():
    """E-4 / S-8(b): the p = 1 row under fixed K is GD for K*tau steps; at every stable step size its final
    loss does not rise with tau, so a rising figure row is inconsistent with the stated protocol. The engine's
    heatmap row (tau local steps per global iteration) equals the GD run read at step K*tau."""
    from maskverify.properties.figure2 import consistency

    ds = {"kind": "synthetic", "n": 8, "seed": 2, "d": 3}
    taus = [1, 2, 3]
    st = ex.resolve_setting((1.0, "1"), ds)
    F = ex.grid_run(ds, "categorical", [1], taus, "tau", tau=1, K=4, m=40, trials=2, eta=st["eta"],
                    kappa=st["kappa"], seed=9)
    r = consistency.p1_row_consistency(ds, 40, 4, taus, 2, 9, eta_factors=(0.5, 1.0), kappas=("1",),
                                       check_row={"F": F[0].T, "eta_factor": 1.0, "kappa": "1"})
    assert r["s8b_cross_check"]["agrees_to_1e-9"]
    assert r["stable_configurations"] == 4 and r["computed_row_non_increasing_for_every_stable_eta"]
    assert r["consistent"] is False and "not produced under its stated protocol" in r["finding"]
    json.dumps(r)

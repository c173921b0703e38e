"""Tests of maskverify.properties.checks.setup (S-1, S-2, S-3, S-4, S-5, S-6, S-7, S-8, S-8(a)-(e)):
every registered check returns a well-formed Outcome, counterexamples replay, and planted errors in the
engine are reported as violated."""

import importlib
import json

import pytest
import torch

from maskverify.impl import masks as masks_mod
from maskverify.impl import network
from maskverify.properties.checks import setup as setup_checks
from maskverify.properties.framework import profiles, registry
from maskverify.properties.framework import verdicts as V

IDS = ["S-1", "S-2", "S-3", "S-4", "S-5", "S-6", "S-7", "S-8", "S-8(a)", "S-8(b)", "S-8(c)", "S-8(d)", "S-8(e)"]


def _ctx(item_id, seed=0):
    return registry.Context(profile=profiles.get("ci"), seed=seed, item_id=item_id, alpha=1e-4)


def _replay(outcome):
    cx = json.loads(json.dumps(outcome.counterexample))
    mod, fn = cx["evaluator"].split(":")
    return cx, getattr(importlib.import_module(mod), fn)(**cx["args"])


def test_registered_ids_are_the_setup_items():
    """S-1..S-8(e): checks/setup.py registers exactly these IDs, S-4(a)-(d) included."""
    mine = sorted(i for i, c in registry.registry().items() if c.fn.__module__ == setup_checks.__name__)
    assert sorted(mine) == sorted(IDS + ["S-4(a)", "S-4(b)", "S-4(c)", "S-4(d)"])


@pytest.mark.parametrize("item_id", IDS)
def test_check_outcome_is_well_formed(item_id):
    """S-1, S-2, S-3, S-4, S-5, S-6, S-7, S-8, S-8(a), S-8(b), S-8(c), S-8(d), S-8(e): each check returns a
    computed Outcome with regime and JSON-able evidence; a violated one carries a replayable counterexample."""
    out = registry.registry()[item_id].fn(_ctx(item_id))
    assert out.verdict in V.VERDICTS
    assert out.regime and "form" in out.regime and "inside" in out.regime
    json.dumps(out.to_json())
    if out.verdict == V.VIOLATED:
        cx, again = _replay(out)
        assert again.verdict == out.verdict


def test_S7_planted_sum_instead_of_mean_is_violated(monkeypatch):
    """S-7 / S-2: aggregating with eta_{k,r} = 1 (sum, not mean) must be reported violated, and the
    counterexample must replay to the same verdict and values."""
    monkeypatch.setattr(masks_mod, "aggregation_weights",
                        lambda M, dtype=torch.float64: (M.sum(-2) > 0).to(dtype))
    out = setup_checks.check_S7_algorithm1(_ctx("S-7"))
    assert out.verdict == V.VIOLATED
    cx, again = _replay(out)
    assert again.verdict == V.VIOLATED
    assert V.jsonable(again.counterexample["values"]) == cx["values"]


def test_S3_planted_xi_in_surrogate_is_violated(monkeypatch):
    """S-3: a surrogate that multiplies by xi (= 1/2 here) is not the p.5 surrogate."""
    real = network.f

    monkeypatch.setattr(network, "f_masked", lambda W, a, mask, X: 0.5 * real(W, a * mask.to(W.dtype), X))
    out = setup_checks.check_S3_surrogate(_ctx("S-3"))
    assert out.verdict == V.VIOLATED
    assert _replay(out)[1].verdict == V.VIOLATED


def test_S5_planted_missing_xi_in_full_gradient_is_violated(monkeypatch):
    """S-5: the full gradient without its xi factor is not the gradient of (1/2)||y - xi f||^2."""
    real = network.full_grad
    monkeypatch.setattr(network, "full_grad", lambda W, a, X, y, xi: real(W, a, X, y, xi) / xi)
    out = setup_checks.check_S5_loss_conventions(_ctx("S-5"))
    assert out.verdict == V.VIOLATED


def test_S1_planted_wrong_init_scale_is_violated(monkeypatch):
    """S-1: an initialization with variance 2 kappa^2 is detected by the Monte Carlo moment check."""
    real = network.init_weights
    monkeypatch.setattr(network, "init_weights",
                        lambda m, d, kappa, g, **kw: real(m, d, kappa * 2 ** 0.5, g, **kw))
    out = setup_checks.check_S1_network_and_init(_ctx("S-1"))
    assert out.verdict == V.VIOLATED
    assert _replay(out)[1].verdict == V.VIOLATED


def test_S8e_convexity_case_and_replay():
    """S-8(e): one drawn categorical case recomputes identically through the evaluator."""
    import numpy as np
    inst = setup_checks.draw_instance(np.random.default_rng(0), kind="categorical", p=3)
    out = setup_checks.replay_setup_case("S-8(e)", inst)
    vals = out.evidence["values"]
    assert vals["lhs"] <= vals["rhs"] * (1 + 1e-12) and vals["premise_relative_error"] <= 1e-12


@pytest.mark.parametrize("biased, verdict", [((True, True), V.VIOLATED), ((True, False), V.HOLDS),
                                             ((False, False), V.HOLDS)])
def test_S1_S2_monte_carlo_replication_logic(monkeypatch, biased, verdict):
    """S-1/S-2 Monte Carlo parts: a rejection must replicate on an independent sample to be reported as
    violated (then p = max(p1, p2)^2); a non-replicating rejection gives the replication's verdict."""
    import numpy as np
    calls = []

    def fake(part, seed, samples, param):
        stage = len(calls)
        calls.append(seed)
        rng = np.random.default_rng(stage)
        shift = 0.1 if biased[stage] else 0.0
        return np.clip(rng.uniform(0, 1, samples) + shift, 0, 1) if shift else rng.uniform(0, 1, samples), \
            0.5, (0.0, 1.0)

    monkeypatch.setattr(setup_checks, "_moment_sample", fake)
    out = setup_checks.replay_moments("S-1", "w_sign", 7, 40000, 1e-3, 0.5)
    assert out.verdict == verdict
    assert len(calls) == (1 if not biased[0] else 2) and (len(calls) == 1 or calls[1] == 8)
    if verdict == V.VIOLATED:
        assert out.p_value <= 1e-6 and out.counterexample["evaluator"].endswith(":replay_moments")

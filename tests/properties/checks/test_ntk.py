"""Tests of maskverify.properties.checks_ntk.

Items: N-1, N-3, N-4, N-5, N-6, N-9, T-1, P-2(g).
"""

import importlib
import json
import math

import numpy as np
import pytest

from maskverify.properties.checks import ntk as ntk_checks
from maskverify.properties.checks.shared import ntk_data as ntk_data
from maskverify.properties.framework import profiles, registry
from maskverify.properties.framework import verdicts as V
from maskverify.properties.oracles import tails

IDS = ["N-1", "N-3", "N-4", "N-5", "N-6", "N-9", "T-1", "P-2(g)"]


def _ctx(iid):
    return registry.Context(profile=profiles.get("ci"), seed=0, item_id=iid, alpha=1e-4)


@pytest.mark.parametrize("iid", IDS)
def test_registered_check_is_well_formed_and_replays(iid):
    """N-1, N-3, N-4, N-5, N-6, N-9, T-1, P-2(g): each check returns a valid Outcome; a violated one replays."""
    out = registry.registry()[iid].fn(_ctx(iid))
    assert out.verdict in V.VERDICTS
    json.dumps(out.to_json())
    if out.verdict == V.VIOLATED:
        ce = json.loads(json.dumps(out.counterexample))
        mod, fn = ce["evaluator"].split(":")
        again = getattr(importlib.import_module(mod), fn)(**ce["args"])
        assert again.verdict == V.VIOLATED


def test_literal_H_matches_quantities():
    """N-1: the literal loop used as oracle equals the vectorised NTK of properties.quantities."""
    from maskverify.properties.oracles import quantities

    rng = np.random.default_rng(0)
    X = ntk_data._data(4, 3, 1)
    W = rng.normal(size=(9, 3))
    assert np.allclose(ntk_checks._H_literal(W, X, 0.4), quantities.H(W, X, 0.4), rtol=1e-13)


def test_extremal_point_predicate_against_sampling():
    """N-5: if a sampled ball point changes the activation, the predicate is true; and when the predicate is
    true the extremal point itself is a witness inside the ball."""
    rng = np.random.default_rng(1)
    for _ in range(300):
        x = rng.normal(size=3)
        x /= np.linalg.norm(x)
        w0, R = rng.normal(size=3) * 0.5, float(rng.uniform(0.05, 0.8))
        u = rng.normal(size=(200, 3))
        pts = w0 + u / np.linalg.norm(u, axis=1, keepdims=True) * R * rng.uniform(size=(200, 1)) ** (1 / 3)
        any_flip = bool(((pts @ x >= 0) != (w0 @ x >= 0)).any())
        pred = ntk_checks._a_exists(w0, x, R)
        if any_flip:
            assert pred
        assert pred == (-R <= w0 @ x < R)


def test_mpmath_lambda_min_matches_numpy_and_detects_duplicates():
    """T-1 / P-2(g): the 60-digit eigenvalue agrees with float64 on a well-conditioned set and is 0 for
    duplicated points (hypothesis broken)."""
    X = ntk_data._data(5, 3, 2, min_angle=0.3)
    assert float(ntk_data._lambda_min_mp(X)) == pytest.approx(np.linalg.eigvalsh(tails.k_inf(X))[0], rel=1e-10)
    dup = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    assert abs(float(ntk_data._lambda_min_mp(dup))) < 1e-50


def test_nearly_parallel_pair_eigenvalue_closed_form():
    """T-1: for the pair (1,0), (cos e, sin e) the smallest eigenvalue of K^inf is 1/2 - cos e (pi - e)/(2 pi)."""
    for e in (1e-3, 1e-8):
        X = np.array([[1.0, 0.0], [math.cos(e), math.sin(e)]])
        expected = 0.5 - math.cos(e) * (math.pi - e) / (2 * math.pi)
        assert float(ntk_data._lambda_min_mp(X)) == pytest.approx(expected, rel=1e-6)


def test_planted_duplicate_data_makes_T1_machinery_report_violation(monkeypatch):
    """T-1 (planted): if the data generator (wrongly) produced duplicated points, lambda_0 = 0 and the
    machinery reports a violated verdict with a replayable witness."""
    monkeypatch.setattr(ntk_checks, "_t1_datasets", lambda ctx: [("dup", np.array([[1.0, 0.0], [1.0, 0.0]]))])
    out = ntk_checks.check_T1_lambda0_positive(_ctx("T-1"))
    assert out.verdict == V.VIOLATED
    assert out.counterexample["evaluator"].endswith(":replay_check")


def test_orthant_monte_carlo_replay_is_deterministic():
    """N-3: the Monte Carlo evaluator recomputes identical values from its seed."""
    a = ntk_checks.replay_N3_mc("orthant", 0.3, 1.0, 0, 5000, 9, 1e-4)
    b = ntk_checks.replay_N3_mc("orthant", 0.3, 1.0, 0, 5000, 9, 1e-4)
    assert a.evidence["mean"] == b.evidence["mean"] and a.verdict == b.verdict

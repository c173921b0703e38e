"""Tests of properties/framework/strategies.py: every strategy draws what it promises; bad arguments are named."""

import inspect
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from maskverify.properties.framework import strategies as S


@settings(max_examples=30)
@given(S.unit_datasets(max_n=6, max_d=3, min_angle=0.2))
def test_unit_datasets_are_unit_norm(ds):
    X = np.asarray(ds["X"])
    assert X.shape == (ds["n"], ds["d"])
    assert np.allclose(np.linalg.norm(X, axis=1), 1.0)


def test_duplicates_break_non_parallel_assumption():
    """T-1's hypothesis (no two parallel points) is broken on purpose by duplicates=1."""
    X = S.build_dataset(5, 3, 0, duplicates=1)
    assert np.allclose(X[0], X[-1])


@settings(max_examples=30)
@given(S.configs(n=4, d=2))
def test_configs_respect_mask_model(cfg):
    assert 0 < cfg["xi"] <= 1 and cfg["p"] >= 1 and cfg["m"] >= 1 and cfg["tau"] >= 1
    if cfg["mask"] == "categorical":
        assert math.isclose(cfg["xi"], 1 / cfg["p"])


@settings(max_examples=30)
@given(st.data())
def test_ball_weights_stay_in_ball(data):
    W0 = np.random.default_rng(0).standard_normal((5, 3))
    W = np.asarray(data.draw(S.ball_weights(W0=W0, R=0.1)))
    assert np.all(np.linalg.norm(W - W0, axis=1) <= 0.1 + 1e-12)


@settings(max_examples=30)
@given(S.step_sizes(eta_max=0.01, min_fraction=0.5, max_fraction=2.0), S.selection_probs(grid=10),
       S.labels(n=3, C=2.0), S.bernoulli_mask_columns(p=4))
def test_scalar_strategies_ranges(eta, xi, y, col):
    assert 0.005 - 1e-12 <= eta <= 0.02 + 1e-12
    assert xi in {j / 10 for j in range(1, 11)}
    assert all(abs(v) <= 1.0 for v in y)
    assert len(col) == 4 and set(col) <= {0, 1}


@pytest.mark.parametrize("call", [
    lambda: S.widths(min_m=0), lambda: S.widths(min_m=5, max_m=2), lambda: S.selection_probs(grid=0),
    lambda: S.step_sizes(eta_max=-1.0), lambda: S.init_scales(min_kappa=0.0), lambda: S.labels(n=0),
    lambda: S.ball_weights(W0=[[0.0]], R=-1.0), lambda: S.unit_datasets(min_angle=3.0),
])
def test_invalid_arguments_are_named(call):
    with pytest.raises(InvalidArgument, match="'|min_|must"):
        call()


def test_public_surface_and_keyword_only():
    """STYLE 7: an __all__, and every strategy takes keyword-only arguments."""
    for name in S.__all__:
        fn = getattr(S, name)
        if name.startswith("build_"):
            continue
        params = inspect.signature(fn).parameters.values()
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params), name

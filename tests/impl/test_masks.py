"""Tests of maskverify.impl.masks (S-2): laws, shapes, step-by-step drawing, aggregation weights."""

import math

import pytest
import torch

from maskverify.errors import InvalidParameterError
from maskverify.impl import masks


def test_S2_bernoulli_shapes_and_frequency():
    """S-2 (p.5): entries i.i.d. Bern(xi); xi = 1 gives all-ones masks."""
    g = torch.Generator().manual_seed(0)
    M = masks.bernoulli_masks(50, 3, 200, 0.3, g)
    assert M.shape == (50, 3, 200) and M.dtype == torch.bool
    freq = float(M.double().mean())
    assert abs(freq - 0.3) < 5 * math.sqrt(0.3 * 0.7 / M.numel())
    assert bool(masks.bernoulli_masks(3, 2, 5, 1.0, g).all())


def test_S2_categorical_columns_are_one_hot_and_uniform():
    """S-2 (Theorem 7, p.9): every neuron is in exactly one subnetwork, chosen uniformly; eta_{k,r} = 1."""
    g = torch.Generator().manual_seed(1)
    M = masks.categorical_masks(40, 4, 300, g, trials=2)
    assert M.shape == (2, 40, 4, 300)
    assert bool((M.sum(-2) == 1).all())
    freq = M.double().mean((0, 1, 3))
    assert float((freq - 0.25).abs().max()) < 5 * math.sqrt(0.25 * 0.75 / (2 * 40 * 300))
    assert bool((masks.aggregation_weights(M) == 1).all())


def test_S2_aggregation_weights_definition():
    """S-2 (p.5): eta_{k,r} = N^perp/N = 1/X_{k,r} if X >= 1 else 0."""
    M = torch.tensor([[1, 0, 1, 0], [1, 0, 0, 1], [1, 0, 1, 0]], dtype=torch.bool)
    eta = masks.aggregation_weights(M)
    assert eta.tolist() == [1 / 3, 0.0, 0.5, 1.0]
    assert masks.selection_counts(M).tolist() == [3, 0, 2, 1]


def test_S2_stepwise_draws_equal_precomputed_masks():
    """S-2: masks drawn one global iteration at a time equal the (T, K, p, m) array from the same seed."""
    full = masks.bernoulli_masks(4, 3, 9, 0.4, torch.Generator().manual_seed(5), trials=2)
    g = torch.Generator().manual_seed(5)
    steps = torch.stack([masks.step_masks("bernoulli", 3, 9, 0.4, g, trials=2) for _ in range(4)], 1)
    assert torch.equal(full, steps)


@pytest.mark.parametrize("kw, name", [(dict(K=-1, p=1, m=1, xi=0.5), "K"), (dict(K=1, p=0, m=1, xi=0.5), "p"),
                                      (dict(K=1, p=1, m=0, xi=0.5), "m"), (dict(K=1, p=1, m=1, xi=0.0), "xi"),
                                      (dict(K=1, p=1, m=1, xi=1.5), "xi")])
def test_S2_invalid_parameters(kw, name):
    """S-2: xi in (0, 1], p, m >= 1, K >= 0, with the standard message."""
    with pytest.raises(InvalidParameterError, match=f"The '{name}' parameter of bernoulli_masks"):
        masks.bernoulli_masks(generator=torch.Generator(), **kw)

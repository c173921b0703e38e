"""S-2 · p.4-5, Table 1 p.16 — mask laws and the per-neuron aggregation quantities.

Convention (Table 1): ``M_k in {0,1}^{p x m}``; row l is subnetwork l's mask ``m^l_k``, column r is neuron
r's membership ``m_{k,r}``. A run's masks are ``(K, p, m)``, or ``(T, K, p, m)`` for T independent trials.

Masks are drawn on the CPU from an explicit ``torch.Generator``, one global iteration at a time (k = 0, 1,
...; each draw covers all trials), so a run that draws its masks lazily step by step sees exactly the masks
that :func:`bernoulli_masks` / :func:`categorical_masks` return for the same generator state.
"""

from __future__ import annotations

import torch

from maskverify.impl.params import check_int, check_xi

MASK_KINDS = ("bernoulli", "categorical")


def bernoulli_step(p, m, xi, generator, *, trials=None):
    """One global iteration's Bernoulli mask: entries i.i.d. Bern(xi) (p.5). -> (T?, p, m) bool."""
    lead = () if trials is None else (int(trials),)
    return torch.rand(*lead, p, m, generator=generator, dtype=torch.float64) < xi   # (T?, p, m)


def categorical_step(p, m, generator, *, trials=None):
    """One global iteration's categorical mask (Theorem 7, p.9): each neuron joins exactly one of the p
    subnetworks, chosen uniformly and independently over r (xi = 1/p). -> (T?, p, m) bool, one-hot columns."""
    lead = () if trials is None else (int(trials),)
    owner = torch.randint(0, p, (*lead, m), generator=generator)                       # (T?, m)
    return owner.unsqueeze(-2) == torch.arange(p).view(*([1] * len(lead)), p, 1)       # (T?, p, m)


def step_masks(kind, p, m, xi, generator, *, trials=None):
    """One global iteration of either law (``xi`` is ignored for categorical masks, where xi = 1/p)."""
    if kind == "bernoulli":
        return bernoulli_step(p, m, xi, generator, trials=trials)
    return categorical_step(p, m, generator, trials=trials)


def bernoulli_masks(K, p, m, xi, generator, *, trials=None):
    """S-2 · p.5 — K i.i.d. Bernoulli masks, entries m^l_{k,r} ~ Bern(xi) i.i.d. over (k, l, r).

    Returns ``(K, p, m)`` bool, or ``(T, K, p, m)`` with ``trials=T``."""
    K, p, m = (check_int(K, "K", "bernoulli_masks", 0), check_int(p, "p", "bernoulli_masks", 1),
               check_int(m, "m", "bernoulli_masks", 1))
    xi = check_xi(xi, "bernoulli_masks")
    return _stack([bernoulli_step(p, m, xi, generator, trials=trials) for _ in range(K)], K, p, m, trials)


def categorical_masks(K, p, m, generator, *, trials=None):
    """S-2 · Theorem 7, p.9 — K i.i.d. categorical masks: every column m_{k,r} is one-hot, uniform over p.

    Returns ``(K, p, m)`` bool, or ``(T, K, p, m)`` with ``trials=T``."""
    K, p, m = (check_int(K, "K", "categorical_masks", 0), check_int(p, "p", "categorical_masks", 1),
               check_int(m, "m", "categorical_masks", 1))
    return _stack([categorical_step(p, m, generator, trials=trials) for _ in range(K)], K, p, m, trials)


def _stack(steps, K, p, m, trials):
    if trials is None:
        return torch.stack(steps) if steps else torch.zeros(0, p, m, dtype=torch.bool)          # (K, p, m)
    return torch.stack(steps, 1) if steps else torch.zeros(int(trials), 0, p, m, dtype=torch.bool)  # (T,K,p,m)


def selection_counts(M):
    """S-2 · Table 1 — X_{k,r} = sum_l m^l_{k,r}.  M (..., p, m) -> (..., m) int64."""
    return M.to(torch.int64).sum(-2)


def aggregation_weights(M, dtype=torch.float64):
    """S-2 · p.5 — eta_{k,r} = N^perp_{k,r} / N_{k,r} = 1/X_{k,r} if X_{k,r} >= 1, else 0.

    M (..., p, m) -> (..., m) in ``dtype``."""
    X = selection_counts(M)                                        # (..., m)
    N = X.clamp(min=1).to(dtype)                                   # N_{k,r} = max{X, 1}
    N_perp = X.clamp(max=1).to(dtype)                              # N^perp_{k,r} = min{X, 1}
    return N_perp / N

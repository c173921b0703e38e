"""S-2 · p.4-5, Table 1 p.16 — mask laws and the per-neuron aggregation quantities.

Convention (Table 1): ``M_k in {0,1}^{p x m}``; row l is subnetwork l's mask ``m^l_k``, column r is neuron
r's membership ``m_{k,r}``. A run's masks are ``(K, p, m)``, or ``(T, K, p, m)`` for T independent trials.

Masks are drawn on the CPU from an explicit ``torch.Generator``, one global iteration at a time (k = 0, 1,
...; each draw covers all trials), so a run that draws its masks lazily step by step sees exactly the masks
that :func:`bernoulli_masks` / :func:`categorical_masks` return for the same generator state.

:func:`counter_masks` is a second, counter-based stream of the same laws for engines that hold only some
neurons (the neuron-sharded and width-streaming engines, :mod:`maskverify.impl.wide`): the masks of any
block of neurons at any step are drawn on their own, from a generator keyed by (seed, trial, k, block).
"""

from __future__ import annotations

import hashlib

import torch

from maskverify.errors import invalid
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


# ------------------------------------------------------------------------------------------------------
# Counter-based streams: any block of neurons can be drawn on its own (sharded and streamed engines)

#: Neurons per block of the counter-based streams. Part of the streams' definition: changing it changes
#: every counter-drawn mask and initial weight, so it is a constant, not a parameter.
STREAM_BLOCK = 1 << 16


def stream_seed(kind, seed, trial, k, block):
    """Seed of the generator of one block of a counter-based stream: the first 63 bits of
    blake2b("maskverify:<kind>:<seed>:<trial>:<k>:<block>"). Distinct keys give independent-looking seeds;
    the same key always gives the same seed (no state is carried from one block or step to the next)."""
    key = f"maskverify:{kind}:{int(seed)}:{int(trial)}:{int(k)}:{int(block)}".encode()
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "little") >> 1


def stream_blocks(lo, hi):
    """The stream blocks b that neurons lo..hi-1 touch, each with the slice of the block they cover:
    yields (b, start, stop) with neurons b*STREAM_BLOCK + start .. b*STREAM_BLOCK + stop - 1."""
    last = (hi - 1) // STREAM_BLOCK if hi > lo else lo // STREAM_BLOCK - 1
    for b in range(lo // STREAM_BLOCK, last + 1):
        base = b * STREAM_BLOCK
        yield b, max(lo, base) - base, min(hi, base + STREAM_BLOCK) - base


def counter_masks(seed, k, p, m, xi, law, lo, hi, *, trial=0):
    """S-2 · p.5 / Theorem 7 p.9 — the masks M_k restricted to neurons lo..hi-1, from a counter-based stream.

    Returns ``(p, hi - lo)`` bool: column r - lo is neuron r's membership m_{k,r}. The law is the same as
    :func:`bernoulli_step` / :func:`categorical_step` (Bernoulli: entries i.i.d. Bern(xi), as
    ``U < xi`` with ``U`` a float64 uniform; categorical: each neuron joins one subnetwork, uniform over
    the p, and ``xi`` is ignored), but the draw is organised by blocks of :data:`STREAM_BLOCK` neurons:
    block b of step k is drawn, in full, from ``torch.Generator().manual_seed(stream_seed("mask", seed,
    trial, k, b))`` -- Bernoulli ``torch.rand(p, STREAM_BLOCK, float64) < xi``, categorical
    ``torch.randint(0, p, (STREAM_BLOCK,))`` -- and then sliced. Hence the mask of neuron r at step k
    depends only on (seed, trial, k, r, p, law, xi): not on m (a wider network extends a narrower one), not
    on how the neurons are split across ranks or blocks, and not on which steps were drawn before. Any
    engine drawing ``counter_masks`` for its own neurons sees the same masks as one that draws them all.
    These are NOT the masks of :func:`bernoulli_masks` for any generator state (a different stream)."""
    own = "counter_masks"
    p, m = check_int(p, "p", own, 1), check_int(m, "m", own, 1)
    lo, hi = check_int(lo, "lo", own, 0), check_int(hi, "hi", own, 0)
    check_int(k, "k", own, 0), check_int(seed, "seed", own, 0), check_int(trial, "trial", own, 0)
    if law not in MASK_KINDS:
        raise invalid("law", own, f"one of {', '.join(map(repr, MASK_KINDS))}", law)
    if law == "bernoulli":
        xi = check_xi(xi, own)
    if not lo <= hi <= m:
        raise invalid("hi", own, f"an int with lo <= hi <= m = {m} (lo = {lo})", hi)
    out = torch.empty(p, hi - lo, dtype=torch.bool)                                   # (p, hi - lo)
    at = 0
    for b, start, stop in stream_blocks(lo, hi):
        g = torch.Generator().manual_seed(stream_seed("mask", seed, trial, k, b))
        if law == "bernoulli":
            block = torch.rand(p, STREAM_BLOCK, generator=g, dtype=torch.float64)[:, start:stop] < xi
        else:
            owner = torch.randint(0, p, (STREAM_BLOCK,), generator=g)[start:stop]      # (stop - start,)
            block = owner.unsqueeze(0) == torch.arange(p).unsqueeze(1)                # (p, stop - start)
        out[:, at: at + stop - start] = block
        at += stop - start
    return out

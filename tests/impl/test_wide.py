"""Tests of maskverify.impl.wide (S-7 streamed over the width), its kernels, and the counter-based streams
of maskverify.impl.masks / network (S-2, S-1): equality with the batched engine on the same draws."""

import math
import threading

import pytest
import torch

from maskverify.errors import InvalidParameterError
from maskverify.impl import algorithm1, masks, network, wide, wide_kernels

B = masks.STREAM_BLOCK


def _rel(a, b):
    """max |a - b| / max |b| (the FLOAT64_RTOL comparison of the verdicts: <= 1e-12)."""
    return float((a - b).abs().max() / b.abs().max())


# ------------------------------------------------------------------------------------------------------
# S-2, S-1: counter-based streams


@pytest.mark.parametrize("law", ["bernoulli", "categorical"])
def test_S2_counter_masks_do_not_depend_on_the_split(law):
    """S-2: the masks of neurons lo..hi-1 are the same columns whichever ranges, widths or orders draw them."""
    m, p = 2 * B + 100, 3
    full = masks.counter_masks(5, 2, p, m, 0.3, law, 0, m)
    assert full.shape == (p, m) and full.dtype == torch.bool
    for lo, hi in ((0, 7), (B - 3, B + 5), (B, 2 * B), (2 * B + 1, m), (10, 10)):
        assert torch.equal(masks.counter_masks(5, 2, p, m, 0.3, law, lo, hi), full[:, lo:hi])
    # a wider network extends a narrower one; another step, seed or trial is another draw
    assert torch.equal(masks.counter_masks(5, 2, p, 50, 0.3, law, 0, 50), full[:, :50])
    assert not torch.equal(masks.counter_masks(5, 3, p, m, 0.3, law, 0, m), full)
    assert not torch.equal(masks.counter_masks(6, 2, p, m, 0.3, law, 0, m), full)
    assert not torch.equal(masks.counter_masks(5, 2, p, m, 0.3, law, 0, m, trial=1), full)


def test_S2_counter_masks_laws():
    """S-2 (p.5, Theorem 7 p.9): Bernoulli entries have frequency xi; categorical columns are one-hot, uniform."""
    M = masks.counter_masks(0, 0, 4, 100_000, 0.3, "bernoulli", 0, 100_000)
    assert abs(float(M.double().mean()) - 0.3) < 5 * math.sqrt(0.21 / M.numel())
    C = masks.counter_masks(0, 0, 4, 100_000, None, "categorical", 0, 100_000)
    assert bool((C.sum(0) == 1).all())
    assert float((C.double().mean(1) - 0.25).abs().max()) < 5 * math.sqrt(0.1875 / 100_000)


@pytest.mark.parametrize("bad", [dict(hi=11), dict(lo=5, hi=4), dict(law="dropout"), dict(xi=1.5), dict(p=0)])
def test_S2_counter_masks_bad_arguments(bad):
    args = {**dict(seed=0, k=0, p=2, m=10, xi=0.5, law="bernoulli", lo=0, hi=10), **bad}
    with pytest.raises(InvalidParameterError):
        masks.counter_masks(**args)


def test_S1_counter_init_rows_do_not_depend_on_the_split():
    """S-1: W0 rows ~ N(0, kappa^2 I), a_r in {-1, +1}; any block of rows is drawn on its own."""
    W, a = network.counter_init(1, B + 50, 3, 2.0, 0, B + 50)
    W2, a2 = network.counter_init(1, B + 50, 3, 2.0, B - 10, B + 20, dtype=torch.float32)
    assert W.shape == (B + 50, 3) and set(a.unique().tolist()) == {-1.0, 1.0}
    assert torch.equal(W2, W[B - 10: B + 20].float()) and torch.equal(a2, a[B - 10: B + 20].float())
    assert abs(float(W.std()) - 2.0) < 0.05


# ------------------------------------------------------------------------------------------------------
# S-7: the wide engine equals the batched engine on the same draws


@pytest.mark.parametrize("law", ["bernoulli", "categorical"])
@pytest.mark.parametrize("tau", [1, 2, 3])
def test_S7_wide_equals_batched_engine(law, tau):
    """S-7: losses ||y - u_k||^2 (k = 0..K) and final weights of wide.train equal algorithm1.run on the
    materialized counter-stream draws (float64, relative difference <= 1e-12)."""
    n, d, m, p, K = 5, 3, 700, 3, 4
    X, y = wide.data(n, d, 7)
    W0, a, M = wide.materialize(m=m, d=d, p=p, K=K, law=law, seed=3, kappa=1.0)
    xi = 0.5 if law == "bernoulli" else 1 / p
    ref = algorithm1.run(X, y, W0, a, M, xi, 0.3, tau)
    res = wide.train(X, y, m=m, p=p, tau=tau, eta=0.3, K=K, law=law, seed=3, kernel="eager", return_weights=True)
    assert res.loss.shape == (K + 1,) and res.diverged_at is None and res.kernel == "eager"
    assert _rel(res.loss, ref.loss) <= 1e-12 and _rel(res.W, ref.W) <= 1e-12


def test_S7_wide_streams_blocks_and_is_deterministic():
    """S-7 over several blocks (block = 2^16, m > 2^16): same numbers as the batched engine; the same call
    twice gives the same numbers."""
    n, d, m, p, K = 4, 2, B + 3000, 4, 2
    X, y = wide.data(n, d, 0)
    W0, a, M = wide.materialize(m=m, d=d, p=p, K=K, seed=1)
    ref = algorithm1.run(X, y, W0, a, M, 0.5, 0.2, 1)
    kw = dict(m=m, p=p, tau=1, eta=0.2, K=K, seed=1, kernel="eager", block=B, return_weights=True)
    one, two = wide.train(X, y, **kw), wide.train(X, y, **kw)
    assert _rel(one.loss, ref.loss) <= 1e-12 and _rel(one.W, ref.W) <= 1e-12
    assert torch.equal(one.loss, two.loss) and torch.equal(one.W, two.W)
    assert one.peak_bytes >= one.W.numel() * 8 and one.config["block"] == B


def test_S7_wide_float32_close_to_float64():
    X, y = wide.data(4, 2, 2)
    r64 = wide.train(X, y, m=500, p=2, tau=2, eta=0.2, K=3, seed=2, kernel="eager")
    r32 = wide.train(X, y, m=500, p=2, tau=2, eta=0.2, K=3, seed=2, kernel="eager", dtype="float32")
    assert r32.config["dtype"] == "float32" and _rel(r32.loss, r64.loss) < 1e-4


def test_S7_wide_divergence_is_an_outcome():
    """S-7: a non-finite whole-network loss stops the run and is reported (diverged_at), never raised."""
    X, y = wide.data(4, 2, 0)
    res = wide.train(X, y, m=64, p=2, tau=2, eta=1e6, K=40, kappa=5.0, seed=0, kernel="eager")
    k = res.diverged_at
    assert k is not None and not math.isfinite(float(res.loss[k])) and bool(res.loss[k + 1:].isnan().all())
    assert bool(torch.isfinite(res.loss[:k]).all())


@pytest.mark.parametrize("bad", [dict(p=31), dict(block=1000), dict(law="categorical", xi=0.3), dict(K=-1),
                                 dict(kernel="numba"), dict(eta=0.0)])
def test_S7_wide_bad_parameters(bad):
    X, y = wide.data(3, 2, 0)
    kw = {**dict(m=10, p=2, tau=1, eta=0.1, K=1), **bad}
    with pytest.raises(InvalidParameterError):
        wide.train(X, y, **kw)


def _threaded(X, y, cfg, world, K):
    """Run Algorithm 1 on `world` shards in threads, summing the partial outputs in rank order (what an
    all-reduce does), and return each shard's (loss, W)."""
    slots, barrier, results = [None] * world, threading.Barrier(world), [None] * world

    def body(q):
        def reduce(t):
            slots[q] = t.clone()
            barrier.wait()
            total = sum(slots[1:], slots[0].clone())
            barrier.wait()
            return t.copy_(total)
        lo, hi = q * cfg["m"] // world, (q + 1) * cfg["m"] // world
        shard = wide.Shard(X, y, cfg, lo, hi, dtype=torch.float64, device=torch.device("cpu"), kernel="eager",
                           reduce=reduce)
        loss, _ = wide.run_shard(shard, K)
        results[q] = (loss, shard.W.T)
    threads = [threading.Thread(target=body, args=(q,)) for q in range(world)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.parametrize("law", ["bernoulli", "categorical"])
def test_S7_any_number_of_shards_gives_the_same_run(law):
    """S-7 sharded: 1, 2 or 3 blocks of neurons (uneven, one shard boundary inside a stream block), joined
    only by sums of the partial outputs, give the single-process run (float64, <= 1e-12)."""
    X, y = wide.data(4, 2, 5)
    m, K = B + 1001, 3
    cfg = wide.resolve(m=m, p=3, tau=2, eta=0.25, K=K, kappa=1.0, xi=None, law=law, seed=4, trial=0,
                       block=B, kernel="eager")
    ref = wide.train(X, y, m=m, p=3, tau=2, eta=0.25, K=K, law=law, seed=4, kernel="eager", block=B,
                     return_weights=True)
    for world in (1, 2, 3):
        parts = _threaded(X, y, cfg, world, K)
        W = torch.cat([w for _, w in parts])
        assert all(_rel(loss, ref.loss) <= 1e-12 for loss, _ in parts) and _rel(W, ref.W) <= 1e-12


def test_S7_wide_refuses_a_run_that_cannot_fit():
    """A width whose estimate exceeds the available memory is one InvalidParameterError (with the estimated
    bytes), raised before anything is allocated."""
    X, y = wide.data(4, 2, 0)
    with pytest.raises(InvalidParameterError, match="estimated .* bytes"):
        wide.train(X, y, m=10**12, p=2, tau=1, eta=0.1, K=1)


def test_memory_estimate_counts_the_working_set():
    """The estimate grows with m, holds W and one int32 code per neuron, and adds compact rows for tau >= 2."""
    e1 = wide.memory_estimate(m=10**6, n=4, d=2, p=4, tau=1, xi=0.5)
    e2 = wide.memory_estimate(m=10**6, n=4, d=2, p=4, tau=2, xi=0.5)
    assert e1["weights"] == 16 * 10**6 and e1["codes"] == 4 * 10**6 and e1["local_rows"] == 0
    assert e2["local_rows"] >= 2 * 10**6 * 16 and e2["total"] > e1["total"]


@pytest.mark.slow
def test_S7_compiled_kernels_equal_eager():
    """S-7: the torch.compile'd kernels (inductor) compute the eager kernels' numbers (float64, <= 1e-12).
    Skipped where compile does not work here (the engine then runs eagerly by itself)."""
    if not wide_kernels.compile_available("cpu"):
        pytest.skip("torch.compile (inductor) is not available on this machine")
    X, y = wide.data(3, 2, 1)
    kw = dict(m=3000, p=2, tau=2, eta=0.3, K=2, seed=0, return_weights=True)
    eager, compiled = wide.train(X, y, kernel="eager", **kw), wide.train(X, y, kernel="compiled", **kw)
    assert compiled.kernel == "compiled"
    assert _rel(compiled.loss, eager.loss) <= 1e-12 and _rel(compiled.W, eager.W) <= 1e-12
    kw["tau"] = 1
    eager, compiled = wide.train(X, y, kernel="eager", **kw), wide.train(X, y, kernel="compiled", **kw)
    assert _rel(compiled.loss, eager.loss) <= 1e-12 and _rel(compiled.W, eager.W) <= 1e-12

"""Wide-regime rows of ``maskverify bench``: the wide engine against the copy-bandwidth bound, and its memory.

Bandwidth bound of one local step (tau = 1, so one global step): every selected (neuron, subnetwork) pair's
row is read and written once, ``2 d s`` elements with ``s = sum_l |m^l_k|``; measured, in the same run and
with the same threads and clock, as the time of ``dst.copy_(src)`` on ``s d`` elements of the dtype.
``bound_ratio`` = copy time / engine time per global step (1 = as fast as that copy). The engine step is
timed with the masks of the next step drawn beforehand (``Shard.step(next_codes=...)``): the kernels alone,
as the batched engine's rows are timed with their masks given; the counter-stream draw is timed apart
(``rng_seconds_per_step``).

Memory: :func:`peak_memory` runs :func:`maskverify.impl.wide.train` in a fresh Python process and reads
its resident set (VmRSS of /proc/self/status): once after importing torch, building the data and a small
warm-up run that compiles the kernels (baseline), and every 2 ms during the run (peak); the process's
``ru_maxrss`` is reported too. ``engine_bytes`` = peak - baseline is what the run added (W, codes, compact
rows, temporaries, allocator slack); it is compared with the weights, m d bytes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import torch

from maskverify.impl import algorithm1, wide
from maskverify.impl.bench import CLOCKS, _best

WIDE = dict(n=4, d=2, m=1_000_000, p=4, tau=1, xi=0.5, law="bernoulli")
WIDE_QUICK = dict(WIDE, m=20_000)
#: The memory row: categorical p = 2, n = d = 2, m = 2.9e7 (464 MB of float64 weights), K = 10.
MEMORY = dict(n=2, d=2, m=29_000_000, p=2, tau=2, law="categorical", K=10, dtype="float64")
MEMORY_QUICK = dict(MEMORY, m=200_000, K=2)


def measure(sizes=WIDE, *, dtype="float64", device="cpu", repeat=3, clock="wall", kernel="compiled",
            check=True):
    """Time one wide-engine global step against the copy bound; returns a dict (seconds, ratio, ...)."""
    n, d, m, p, tau, xi, law = (sizes[k] for k in ("n", "d", "m", "p", "tau", "xi", "law"))
    X, y = wide.data(n, d, 0)
    cfg = wide.resolve(m=m, p=p, tau=tau, eta=0.05, K=2, kappa=1.0, xi=xi, law=law, seed=0, trial=0,
                       block=None, kernel=kernel, owner="bench")
    kernel = wide.choose_kernel(kernel, device, m * 100)
    X, y, dt, dev = wide.prepare_data(X, y, dtype, device, "bench")
    shard = wide.Shard(X, y, cfg, 0, m, dtype=dt, device=dev, kernel=kernel)
    Z = shard.open()
    now = CLOCKS[clock]
    t0 = now()
    nxt = torch.cat([shard._draw(1, a, b, shard.code) for a, b in shard.blocks()])   # (m,) codes of step 1
    rng = now() - t0
    selected = int(sum(((shard.code >> l) & 1).sum() for l in range(p)))          # s = sum_l |m^l_0|
    src = torch.randn(selected * d, dtype=dt, device=dev)
    dst = torch.empty_like(src)
    shard.step(0, Z, last=False, next_codes=nxt)                                   # warm-up (and compile)
    t_step, t_copy = _best([lambda: shard.step(0, Z, last=False, next_codes=nxt), lambda: dst.copy_(src)],
                           repeat, clock)
    row = {"regime": "wide-engine", "dtype": dtype, "device": str(dev), "kernel": kernel, "n": n, "d": d, "m": m,
           "p": p, "tau": tau, "xi": xi, "mask": law, "selected_rows": selected, "block": shard.block,
           "seconds_per_step": t_step, "copy_bound_seconds": t_copy, "bound_ratio": t_copy / t_step,
           "copy_bound_bytes": 2 * selected * d * dt.itemsize, "rng_seconds_per_step": rng,
           "effective_gb_per_s": 2 * selected * d * dt.itemsize / t_step / 1e9}
    if check:
        row["max_rel_diff_vs_batched"] = agreement(n=n, d=d, m=m, p=p, xi=xi, law=law, dtype=dtype,
                                                   kernel=kernel)
    return row


def agreement(*, n, d, m, p, xi, law, dtype, kernel, K=1, tau=1):
    """max relative difference of the losses of the wide engine and algorithm1.run on the same draws."""
    X, y = wide.data(n, d, 0)
    W0, a, M = wide.materialize(m=m, d=d, p=p, K=K, xi=xi, law=law, seed=0)
    ref = algorithm1.run(X, y, W0, a, M, xi, 0.05, tau, dtype=dtype)
    got = wide.train(X, y, m=m, p=p, tau=tau, eta=0.05, K=K, xi=xi, law=law, seed=0, dtype=dtype, kernel=kernel)
    return float((got.loss - ref.loss.double()).abs().max() / ref.loss.double().abs().max())


_CHILD = r"""
import json, resource, sys, threading, time
import torch
from maskverify.impl import wide
cfg = json.loads(sys.argv[1])
torch.set_num_threads(cfg.pop("threads"))
X, y = wide.data(cfg["n"], cfg["d"], 0)
kernel = wide.choose_kernel(cfg["kernel"], "cpu", cfg["m"] * cfg["K"] * cfg["tau"])
run = lambda m, K: wide.train(X, y, m=m, p=cfg["p"], tau=cfg["tau"], eta=0.1, K=K, law=cfg["law"], seed=0,
                              dtype=cfg["dtype"], kernel=kernel)
run(3 * 65536, 2)          # warm-up: compiles the kernels (the compiler's memory is not the engine's)
def rss():                 # resident set now (VmRSS), bytes
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmRSS:"))
base, peak, done = rss(), [0], threading.Event()
def sample():              # the run's peak resident set, sampled every 2 ms
    while not done.is_set():
        peak[0] = max(peak[0], rss())
        time.sleep(0.002)
sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
t = time.perf_counter()
res = run(cfg["m"], cfg["K"])
seconds = time.perf_counter() - t
done.set()
sampler.join()
peak[0] = max(peak[0], rss())
print(json.dumps({"baseline_rss_bytes": base, "peak_rss_bytes": peak[0], "seconds": seconds,
                  "process_max_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "accounted_peak_bytes": res.peak_bytes, "kernel": res.kernel, "diverged_at": res.diverged_at,
                  "final_loss": float(res.loss[-1]), "timing": res.timing}))
"""


def peak_memory(sizes=MEMORY, *, kernel="auto", threads=None, timeout=3600):
    """Peak resident memory of one wide-engine run in a fresh process (see module docstring)."""
    cfg = {**sizes, "kernel": kernel, "threads": threads or torch.get_num_threads()}
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(cfg)], capture_output=True, text=True,
                          timeout=timeout, env=env)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"memory measurement failed: {tail}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    weights = sizes["m"] * sizes["d"] * (8 if sizes["dtype"] == "float64" else 4)
    engine = out["peak_rss_bytes"] - out["baseline_rss_bytes"]
    return {"regime": "wide-memory", **{k: sizes[k] for k in ("n", "d", "m", "p", "tau", "law", "K", "dtype")},
            "threads": cfg["threads"], "weights_bytes": weights, **out, "engine_bytes": engine,
            "engine_over_weights": engine / weights, "peak_over_weights": out["peak_rss_bytes"] / weights,
            "method": "resident set (VmRSS) of a fresh process, sampled every 2 ms during the run, minus the "
                      "resident set before it (after importing torch, the data and a warm-up that compiles)"}


def markdown(rows, memory=None):
    """The BENCHMARKS.md tables of the wide-engine rows (and the memory row)."""
    lines = ["| dtype | kernel | n | d | m | p | tau | xi | step ms | copy-bound ms | bound ratio | "
             "effective GB/s | RNG ms/step | rel. diff vs batched |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        diff = r.get("max_rel_diff_vs_batched")
        lines.append(f"| {r['dtype']} | {r['kernel']} | {r['n']} | {r['d']} | {r['m']} | {r['p']} | {r['tau']} | "
                     f"{r['xi']} | {1e3 * r['seconds_per_step']:.3g} | {1e3 * r['copy_bound_seconds']:.3g} | "
                     f"{100 * r['bound_ratio']:.0f}% | {r['effective_gb_per_s']:.3g} | "
                     f"{1e3 * r['rng_seconds_per_step']:.3g} | {'-' if diff is None else f'{diff:.1e}'} |")
    if memory:
        mb = 1 / 2**20
        lines += ["", "| run | kernel | weights MiB | baseline RSS MiB | peak RSS MiB | engine MiB | "
                  "engine / weights | seconds |", "|---|---|---|---|---|---|---|---|"]
        for r in memory:
            lines.append(f"| {r['law']} p={r['p']} tau={r['tau']} n={r['n']} d={r['d']} m={r['m']} K={r['K']} "
                         f"{r['dtype']} | {r['kernel']} | {r['weights_bytes'] * mb:.0f} | "
                         f"{r['baseline_rss_bytes'] * mb:.0f} | {r['peak_rss_bytes'] * mb:.0f} | "
                         f"{r['engine_bytes'] * mb:.0f} | {r['engine_over_weights']:.2f}x | {r['seconds']:.1f} |")
    return "\n".join(lines) + "\n"


def run_all(*, quick=False, device="cpu", dtypes=("float32", "float64"), repeat=3, clock="wall",
            kernel="compiled", memory=False):
    """Wide-engine rows for each dtype (and the memory row when ``memory``); ``clock='cpu'`` uses one thread."""
    threads = torch.get_num_threads()
    if clock == "cpu":
        torch.set_num_threads(1)
    try:
        rows = [measure(WIDE_QUICK if quick else WIDE, dtype=dt, device=device, repeat=repeat, clock=clock,
                        kernel=kernel) for dt in dtypes]
        mem = [peak_memory(MEMORY_QUICK if quick else MEMORY, kernel="eager" if quick else "auto",
                           threads=torch.get_num_threads())] if memory else []
    finally:
        torch.set_num_threads(threads)
    return {"rows": rows, "memory": mem, "bound": "copy of sum_l |m^l_k| d elements (read + write once)",
            "threads": 1 if clock == "cpu" else threads}

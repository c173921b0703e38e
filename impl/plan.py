"""Memory and communication plans of a training run, computed before anything is allocated.

``maskverify train`` refuses a run whose estimate exceeds the memory available (one line, exit 2, instead
of an allocation crash) and prints :func:`describe` with ``--dry-run``. Estimates are upper-leaning sums of
the large buffers; small ones (X, y, per-step scalars) are ignored.
"""

from __future__ import annotations

import math
import os

from maskverify.impl import wide

_ES = {"float64": 8, "float32": 4}


def batched_bytes(*, n, d, m, p, tau, xi, K, trials, dtype="float64", records=()):
    """Peak bytes of :func:`maskverify.impl.algorithm1.run` on a generated instance (upper estimate).

    T m d weights several times over (W0 drawn in float64, W, W_next, the aggregation buffer and the
    weights of the loss), the masks (T K p m bools, drawn up front), the gathered rows of the selected
    neurons and their (p s n) pre-activations for every local step, the (T m n) pre-activations of the
    whole-network loss, and ``weights`` records (T (K+1) m d)."""
    es, T = _ES[dtype], trials
    s = math.ceil(min(1.0, xi + 3 * math.sqrt(xi * (1 - xi) / max(m, 1))) * m)  # largest selected count
    total = T * m * d * (8 + 5 * es)                           # W0 (float64) + W, W_init, W_next, acc, cast
    total += T * K * p * m + T * m * 8                          # masks (bool) + aggregation weights
    total += T * p * s * (d * (tau + 3) + 3 * n) * es           # selected rows, deltas, pre-activations
    total += 2 * T * m * n * es                                 # <w_r, x_i> and sigma of the loss
    if "weights" in records:
        total += T * (K + 1) * m * d * es
    return int(total + 2 * n * (d + 1) * 8)                     # + X, y (float64 and cast)


def wide_bytes(*, n, d, m, p, tau, xi, K, trials, ranks=1, dtype="float64", kernel="eager"):
    """Peak bytes of one rank of the wide / sharded engine (:func:`maskverify.impl.wide.memory_estimate` for
    its m / ranks neurons) plus the loss records."""
    est = wide.memory_estimate(m=max(math.ceil(m / ranks), 1), n=n, d=d, p=p, tau=tau, xi=xi, dtype=dtype,
                               kernel=kernel)
    return int(est["total"] + 2 * trials * (K + 1) * 8 + 2 * n * (d + 1) * 8)   # + losses, X, y


def available_bytes(device="cpu"):
    """Memory a new allocation can get: MemAvailable of /proc/meminfo (CPU; falls back to physical memory),
    or the free memory of the CUDA device. None when unknown."""
    import torch

    dev = torch.device(device)
    if dev.type == "cuda":
        free, _ = torch.cuda.mem_get_info(dev)
        return int(free)
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def human(nbytes):
    """1536 -> '1.5 KiB'."""
    value = float(nbytes)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if value < 1024 or unit == "PiB":
            return f"{value:.3g} {unit}"
        value /= 1024
    return f"{value:.3g} PiB"


def describe(*, engine, n, d, m, p, tau, xi, K, trials, ranks=1, local_ranks=None, dtype="float64",
             kernel="eager", device="cpu", records=()):
    """The plan of a run as a dict (``--dry-run``): engine, ranks, neurons per rank, memory per rank (and the
    rule of thumb (m/ranks) d (2 + p xi) floats), communication per global step, available memory and
    whether the ``local_ranks`` ranks on this machine (default: all of them) fit in it."""
    from maskverify.impl import distributed

    if engine == "batched":
        per_rank = batched_bytes(n=n, d=d, m=m, p=p, tau=tau, xi=xi, K=K, trials=trials, dtype=dtype,
                                 records=records)
        out = {"engine": "batched", "ranks": 1, "neurons_per_rank": [m], "memory_per_rank_bytes": per_rank,
               "communication_per_step_bytes": 0}
    else:
        out = {"engine": "wide", **distributed.plan(m=m, n=n, d=d, p=p, tau=tau, xi=xi, ranks=ranks, dtype=dtype,
                                                    kernel=kernel, trials=trials, K=K)}
        out["memory_per_rank_bytes"] = wide_bytes(n=n, d=d, m=m, p=p, tau=tau, xi=xi, K=K, trials=trials,
                                                  ranks=ranks, dtype=dtype, kernel=kernel)
    out["memory_per_rank"] = human(out["memory_per_rank_bytes"])
    avail = available_bytes(device)
    local = (out["ranks"] if local_ranks is None else local_ranks) if str(device).startswith("cpu") else 1
    out.update(memory_available_bytes=avail, local_ranks=local,
               fits=avail is None or local * out["memory_per_rank_bytes"] <= avail)
    return out

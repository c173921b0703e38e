"""Engine throughput in the goal's unit: useful GFLOP/s of Algorithm 1 (S-7), beside a same-run roofline.

Useful FLOPs of one global step (nanoGPT ``estimate_mfu`` style, counting only work the algorithm needs):
``tau * 4 n d * sum_l |m^l_k|`` for the local steps (forward ``<w_r, x_i>`` 2nd and backward ``G X`` 2nd
per selected neuron and step; elementwise work is not counted) plus ``2 n m d`` for the whole-network loss
``||y - u_{k+1}||^2``. Compared implementations, all on the same instance and masks:

* ``engine``    -- :func:`maskverify.impl.algorithm1.run` (selected rows only, batched over subnetworks).
* ``dense``     -- :func:`dense_global_step`: the same algorithm on full-size masked weights ``(p, m, d)``
                   (work does not shrink with xi); its result is checked against the engine.
* ``reference`` -- :func:`maskverify.impl.reference.algorithm1` (literal loops), timed on one local step of
                   one subnetwork with ``m_ref <= m`` neurons and extrapolated linearly to ``p tau m``.
* ``matmul``    -- the roofline: ``torch.bmm`` on exactly the engine's matmul shapes
                   ``(p, s, d) x (d, n)`` and ``(p, s, n) x (n, d)`` plus ``(m, d) x (d, n)``.
Times are the minimum over repeats, measured round-robin (the machine may be shared).
"""

from __future__ import annotations

import math
import os
import platform
import time

import numpy as np
import torch

from maskverify.impl import algorithm1, network, reference
from maskverify.impl import masks as masks_mod
from maskverify.impl.params import resolve_device, resolve_dtype

#: The paper's scale (Sec 5 / Fig 2: n = 100 samples, d = 128, m = 4000, p = 4, tau = 5) and a wide regime.
REGIMES = {
    "paper": dict(n=100, d=128, m=4000, p=4, tau=5, xi=0.5, K=3),
    "paper-categorical": dict(n=100, d=128, m=4000, p=4, tau=5, xi=0.25, K=3, mask="categorical"),
    "wide": dict(n=4, d=2, m=1_000_000, p=4, tau=1, xi=0.5, K=2),
}
QUICK = {
    "paper": dict(n=20, d=16, m=400, p=4, tau=2, xi=0.5, K=2),
    "paper-categorical": dict(n=20, d=16, m=400, p=4, tau=2, xi=0.25, K=2, mask="categorical"),
    "wide": dict(n=4, d=2, m=20_000, p=4, tau=1, xi=0.5, K=2),
}


def dense_global_step(W, a, X, y, M, xi, eta, tau):
    """Algorithm 1 lines 3-9 on full-size masked weights: W (m, d), M (p, m) -> W_{k+1} (m, d)."""
    p, m = M.shape
    Mf = M.to(W.dtype)                                                   # (p, m)
    coeff = a * Mf / math.sqrt(m)                                        # (p, m)
    Wl = W.expand(p, *W.shape).clone()                                   # (p, m, d)
    XT = X.T.contiguous().expand(p, *X.T.shape)                          # (p, d, n)
    for _ in range(tau):
        pre = torch.bmm(Wl, XT)                                          # (p, m, n)
        ind = (pre >= 0).to(W.dtype)                                     # (p, m, n)
        out = torch.bmm(coeff.unsqueeze(1), pre.clamp_(min=0)).squeeze(1)  # (p, n)
        R = (out - y).unsqueeze(-1) * X                                  # (p, n, d)
        Wl = Wl - eta * coeff.unsqueeze(-1) * torch.bmm(ind, R)          # (p, m, d)
    delta = (Wl - W).sum(0)                                              # (m, d)
    return W + masks_mod.aggregation_weights(M, W.dtype).unsqueeze(-1) * delta


#: Clocks: ``wall`` (perf_counter; what a user waits) or ``cpu`` (thread_time with one torch thread: the
#: CPU time of the work itself, robust when other processes share the machine).
CLOCKS = {"wall": time.perf_counter, "cpu": time.thread_time}


def _best(fns, repeat, clock="wall"):
    """Minimum time of each function over ``repeat`` rounds, interleaved (round-robin) so that load
    from other processes hits all measurements alike; one untimed warm-up round first."""
    now = CLOCKS[clock]
    for fn in fns:
        fn()
    best = [math.inf] * len(fns)
    for _ in range(repeat):
        for j, fn in enumerate(fns):
            _sync()
            t = now()
            fn()
            _sync()
            best[j] = min(best[j], now() - t)
    return best


def _sync():
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()


def measure(regime, sizes, *, dtype="float64", device="cpu", repeat=3, m_ref=2000, seed=0, clock="wall"):
    """Time one regime; returns a dict of seconds per global step, useful GFLOP/s and ratios."""
    dev, dt = resolve_device(device, "bench"), resolve_dtype(dtype, "bench")
    n, d, m, p, tau, xi, K = (sizes[k] for k in ("n", "d", "m", "p", "tau", "xi", "K"))
    mask = sizes.get("mask", "bernoulli")
    cfg = algorithm1.Config(n=n, d=d, m=m, p=p, tau=tau, xi=xi, K=K, eta=0.05, kappa=1.0, seed=seed,
                            device=str(dev), dtype=dtype, mask=mask)
    inst = algorithm1.init_instance(cfg)
    X, y, W0, a, M = inst.X, inst.y, inst.W0, inst.a, inst.masks                # M (K, p, m)
    sel = M.sum(-1)                                                             # (K, p)
    s_max = int(sel.max())
    useful = float(tau * 4 * n * d * sel.sum() + K * 2 * n * m * d) / K         # FLOPs per global step

    def engine():
        return algorithm1.run(X, y, W0, a, M, xi, 0.05, tau).W

    def dense():
        W = W0
        for k in range(K):
            W = dense_global_step(W, a, X, y, M[k], xi, 0.05, tau)
            network.loss(network.whole_output(W, a, X, xi), y)
        return W
    agree = float((dense() - engine()).abs().max())
    # roofline: the engine's matmul shapes, nothing else
    Wl = torch.randn(p, s_max, d, dtype=dt, device=dev)
    G = torch.randn(p, s_max, n, dtype=dt, device=dev)
    XT, Xb = X.T.contiguous().expand(p, d, n), X.expand(p, n, d)

    def matmuls():
        for _ in range(K):
            for _ in range(tau):
                torch.bmm(Wl, XT)
                torch.bmm(G, Xb)
            W0 @ X.T
    t_engine, t_dense, t_mm = (t / K for t in _best([engine, dense, matmuls], repeat, clock))
    mm_flops = tau * 4 * n * d * p * s_max + 2 * n * m * d
    # reference: one local step of one subnetwork on m_ref neurons, extrapolated to p * tau * m neurons
    mr = min(m, m_ref)
    Xn, yn, Wn, an = (v.double().cpu().numpy() for v in (X, y, W0[:mr], a[:mr]))
    Mn = M[:1, :1, :mr].cpu().numpy()
    now = CLOCKS[clock]
    t0 = now()
    reference.algorithm1(Xn, yn, Wn, an, Mn, xi, 0.05, 1)
    t_ref = (now() - t0) * (m / mr) * p * tau
    gf = 1e-9
    return {
        "regime": regime, "mask": mask, "dtype": dtype, "device": str(dev),
        **{k: sizes[k] for k in ("n", "d", "m", "p", "tau", "xi", "K")},
        "selected_per_subnetwork": float(sel.double().mean()), "useful_gflop_per_step": useful * gf,
        "seconds_per_step": {"engine": t_engine, "dense": t_dense, "reference_extrapolated": t_ref},
        "gflops": {"engine": useful / t_engine * gf, "dense": useful / t_dense * gf,
                   "reference": useful / t_ref * gf, "matmul": mm_flops / t_mm * gf},
        "engine_vs_matmul": (useful / t_engine) / (mm_flops / t_mm),
        "speedup_vs_dense": t_dense / t_engine, "speedup_vs_reference": t_ref / t_engine,
        "dense_max_abs_diff": agree, "reference_timed_on": {"m_ref": mr, "p": 1, "tau": 1, "K": 1},
    }


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            names = [line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    info = {"cpu": cpu, "threads": torch.get_num_threads(), "torch": torch.__version__,
            "numpy": np.__version__, "python": platform.python_version(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "load_average": [round(v, 2) for v in os.getloadavg()] if hasattr(os, "getloadavg") else None}
    if torch.cuda.is_available():
        info["gpu"] = torch.cuda.get_device_name(0)
    return info


def run_all(*, quick=False, device="cpu", dtypes=("float32", "float64"), repeat=3, m_ref=2000, clock="wall"):
    """All regimes and dtypes. ``clock='cpu'`` sets one torch thread for the run (restored after)."""
    sizes = QUICK if quick else REGIMES
    threads = torch.get_num_threads()
    if clock == "cpu":
        torch.set_num_threads(1)
    try:
        info = machine()
        rows = [measure(r, s, dtype=dt, device=device, repeat=repeat, m_ref=min(m_ref, 200) if quick else m_ref,
                        clock=clock) for r, s in sizes.items() for dt in dtypes]
    finally:
        torch.set_num_threads(threads)
    return {"machine": info, "quick": quick, "clock": clock, "rows": rows,
            "load_average_after": [round(v, 2) for v in os.getloadavg()] if hasattr(os, "getloadavg") else None}


def markdown(result):
    """The BENCHMARKS.md table."""
    lines = ["| regime | dtype | n | d | m | p | tau | xi | engine GFLOP/s | matmul GFLOP/s | engine/matmul | "
             "dense GFLOP/s | engine vs dense | reference GFLOP/s (extrap.) | engine vs reference |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in result["rows"]:
        g = r["gflops"]
        lines.append(f"| {r['regime']} | {r['dtype']} | {r['n']} | {r['d']} | {r['m']} | {r['p']} | {r['tau']} | "
                     f"{r['xi']} | {g['engine']:.3g} | {g['matmul']:.3g} | {100 * r['engine_vs_matmul']:.0f}% | "
                     f"{g['dense']:.3g} | {r['speedup_vs_dense']:.2f}x | {g['reference']:.2g} | "
                     f"{r['speedup_vs_reference']:.3g}x |")
    return "\n".join(lines) + "\n"

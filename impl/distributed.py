"""S-7 · Algorithm 1 (p.5), neuron-sharded on torch.distributed: each rank trains a contiguous block of neurons.

Rank q of R holds neurons ``lo_q .. hi_q - 1`` with ``lo_q = floor(q m / R)`` -- its rows of W, entries of a,
columns of every mask -- and runs the wide engine (:class:`maskverify.impl.wide.Shard`) on them. Everything
in Algorithm 1 is per neuron except the outputs u_k and uhat^l_{k,t}, sums over neurons; so each pass over
the neurons ends with ONE all-reduce of the (p+1, n) float64 partial sums: tau all-reduces per global step,
``tau (p+1) n 8`` bytes of payload per rank, whatever m is. W_0, a and the masks come from the counter-based
streams (:func:`maskverify.impl.masks.counter_masks`, :func:`maskverify.impl.network.counter_init`), so
1, 2 or R ranks draw exactly what the single-process engine draws and agree with it to rounding
(float64: relative differences ~1e-16, from the order of the sums).

Backends: gloo on CPU (loopback ``tcp://127.0.0.1:PORT`` for ``launch``), NCCL on CUDA (rank q uses
cuda:LOCAL_RANK). ``launch(job, nproc)`` spawns nproc local ranks (``maskverify train --nproc N``); under
torchrun every process calls :func:`run_torchrun` (``maskverify train --torchrun``, or
``torchrun ... -m maskverify.impl.distributed -- <train options>``).

Failures are one :class:`DistributedRunError` (the CLI prints one line, exit 2): a busy ``master_port``,
nproc < 1, a rank that raises or dies (the other ranks are stopped; nothing is returned, so nothing is
written).
"""

from __future__ import annotations

import datetime
import errno
import math
import os
import signal
import socket
import tempfile

import torch

from maskverify.errors import DistributedRunError, invalid
from maskverify.impl import wide

#: Environment hook for the tests: "RANK:CALL" makes rank RANK kill itself (SIGKILL) at its CALL-th
#: all-reduce, i.e. a rank that dies mid-run. Never set outside tests.
FAULT_ENV = "MASKVERIFY_TEST_KILL_RANK"
#: Seconds a rank waits for the others (rendezvous and each collective) before giving up.
TIMEOUT_S = 600


def split(m, ranks):
    """Contiguous neuron ranges of the ranks: [(lo_q, hi_q)] with lo_q = floor(q m / R) (sizes differ by <= 1)."""
    return [(q * m // ranks, (q + 1) * m // ranks) for q in range(ranks)]


def plan(*, m, n, d, p, tau, xi, ranks, dtype="float64", kernel="eager", trials=1, K=0):
    """The layout of a sharded run, computed without running it (``maskverify train --dry-run``).

    Returns a dict: ranks, neurons per rank, memory per rank (the engine's estimate, and the rule of
    thumb (m/R) d (2 + p xi) floats: W, an aggregation buffer and the selected rows), communication per
    global step (tau all-reduces of (p+1) n float64 partial sums; a ring all-reduce sends about
    2 (R-1)/R of the payload per rank)."""
    ranges = split(m, ranks)
    es = 4 if str(dtype).endswith("32") else 8
    per_rank = [wide.memory_estimate(m=max(hi - lo, 1), n=n, d=d, p=p, tau=tau, xi=xi, dtype=dtype,
                                     kernel=kernel)["total"] for lo, hi in ranges]
    payload = (p + 1) * n * 8
    return {
        "ranks": ranks, "neurons_per_rank": [hi - lo for lo, hi in ranges],
        "memory_per_rank_bytes": max(per_rank),
        "memory_rule_of_thumb_bytes": math.ceil(math.ceil(m / ranks) * d * (2 + p * xi) * es),
        "allreduce_payload_bytes": payload, "allreduces_per_step": tau,
        "communication_per_step_bytes": tau * payload if ranks > 1 else 0,
        "communication_per_step_sent_per_rank_bytes": math.ceil(tau * payload * 2 * (ranks - 1) / ranks),
        "steps": K * trials,
    }


# ------------------------------------------------------------------------------------------------------
# What every rank runs


def run_job(job, rank=0, world=1, reduce=None):
    """Run ``job`` (a plain dict of train options) on neurons of ``rank`` of ``world``; ``reduce`` sums a
    float64 tensor over ranks in place. Returns (on every rank) a dict: loss (T, K+1) float64, diverged_at,
    peak_bytes (this rank), kernel, timing, seconds, and W (m, d) per trial when job['return_weights'] and
    world == 1 (sharded runs gather W in :func:`_gather_weights`)."""
    import time

    cfg = wide.resolve(m=job["m"], p=job["p"], tau=job["tau"], eta=job["eta"], K=job["K"], kappa=job["kappa"],
                       xi=job.get("xi"), law=job["law"], seed=job["seed"], trial=0, block=job.get("block"),
                       kernel=job.get("kernel", "auto"), owner="maskverify train")
    X, y, dt, dev = wide.prepare_data(*wide.data(job["n"], job["d"], job["seed"]), job["dtype"], job["device"],
                                      "maskverify train")
    lo, hi = split(cfg["m"], world)[rank]
    cfg["kernel"] = wide.choose_kernel(cfg["kernel"], dev, (hi - lo) * max(cfg["K"], 1) * cfg["tau"])
    if world > 1:  # every rank must use the same kernel and blocks, or the sums differ in rounding
        flag = torch.tensor([1.0 if cfg["kernel"] == "compiled" else 0.0], dtype=torch.float64, device=dev)
        reduce(flag)
        cfg["kernel"] = "compiled" if flag.item() == world else "eager"
    start = time.perf_counter()
    losses, diverged, weights, peak = [], [], [], 0
    timing = {"draws": 0.0, "kernels": 0.0, "reduce": 0.0}
    for trial in range(job.get("trials", 1)):
        shard = wide.Shard(X, y, {**cfg, "trial": trial}, lo, hi, dtype=dt, device=dev, kernel=cfg["kernel"],
                           reduce=reduce)
        loss, div = wide.run_shard(shard, cfg["K"], progress=job.get("progress", False) and rank == 0)
        losses.append(loss)
        diverged.append(div)
        peak = max(peak, shard.peak)
        timing = {key: timing[key] + shard.timing[key] for key in timing}
        if job.get("return_weights"):
            weights.append(shard.W)
    out = {"loss": torch.stack(losses), "diverged_at": diverged, "peak_bytes": int(peak), "kernel": cfg["kernel"],
           "block": shard.block, "xi": cfg["xi"], "timing": timing, "seconds": time.perf_counter() - start,
           "lo": lo, "hi": hi}
    if job.get("return_weights"):
        out["W"] = [w.T.contiguous() for w in weights] if world == 1 else weights
    return out


def _allreduce(fault):
    """The reduce of a rank: torch.distributed.all_reduce (sum), with the test fault hook."""
    import torch.distributed as dist

    calls = [0]

    def reduce(t):
        calls[0] += 1
        if fault is not None and calls[0] == fault:
            os.kill(os.getpid(), signal.SIGKILL)                 # a rank that dies mid-run (tests only)
        dist.all_reduce(t)
        return t
    return reduce


def _fault_for(rank):
    spec = os.environ.get(FAULT_ENV, "")
    if ":" in spec:
        r, call = spec.split(":", 1)
        if r.strip() == str(rank):
            return int(call)
    return None


def _gather_weights(out, world, dev):
    """W of every trial, gathered on every rank: (m, d) each (ranks hold (d, m_q) column blocks)."""
    import torch.distributed as dist

    sizes = torch.tensor([out["hi"] - out["lo"]], dtype=torch.int64, device=dev)
    all_sizes = [torch.zeros_like(sizes) for _ in range(world)]
    dist.all_gather(all_sizes, sizes)
    width = int(max(s.item() for s in all_sizes))
    full = []
    for W in out["W"]:
        pad = torch.zeros(W.shape[0], width, dtype=W.dtype, device=W.device)
        pad[:, : W.shape[1]] = W
        parts = [torch.zeros_like(pad) for _ in range(world)]
        dist.all_gather(parts, pad)
        full.append(torch.cat([q[:, : int(s.item())] for q, s in zip(parts, all_sizes)], 1).T.contiguous())
    out["W"] = full


def _gather_peaks(out, world, dev):
    import torch.distributed as dist

    mine = torch.tensor([float(out["peak_bytes"])], dtype=torch.float64, device=dev)
    every = [torch.zeros_like(mine) for _ in range(world)]
    dist.all_gather(every, mine)
    out["peak_bytes_per_rank"] = [int(v.item()) for v in every]


def run_rank(job, rank, world, init_method=None, backend=None):
    """One rank of a sharded run: join the process group, run :func:`run_job` with an all-reduce, gather
    the per-rank peaks (and W on request), leave the group. Returns the result dict (same on all ranks)."""
    import torch.distributed as dist

    dev = torch.device(job["device"])
    backend = backend or ("nccl" if dev.type == "cuda" else "gloo")
    if dev.type == "cuda":
        dev = torch.device("cuda", int(os.environ.get("LOCAL_RANK", rank)) % torch.cuda.device_count())
        torch.cuda.set_device(dev)
        job = {**job, "device": str(dev)}
    kw = {"timeout": datetime.timedelta(seconds=TIMEOUT_S)}
    if init_method is not None:
        kw.update(init_method=init_method, rank=rank, world_size=world)
    dist.init_process_group(backend, **kw)
    try:
        out = run_job(job, rank, world, reduce=_allreduce(_fault_for(rank)))
        _gather_peaks(out, world, dev)
        if job.get("return_weights") and world > 1:
            _gather_weights(out, world, dev)
        out["backend"], out["ranks"] = backend, world
        return out
    finally:
        dist.destroy_process_group()


def _spawned(rank, world, port, job, outdir):
    """Entry point of a spawned local rank: its output goes to a log file (the parent prints one line)."""
    log = os.open(os.path.join(outdir, f"rank{rank}.log"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")    # local ranks talk over loopback only
    if "OMP_NUM_THREADS" not in os.environ:              # as torchrun: ranks share the cores, no oversubscription
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // world))
    out = run_rank(job, rank, world, init_method=f"tcp://127.0.0.1:{port}")
    if rank == 0:
        tmp = os.path.join(outdir, "result.tmp")
        torch.save({k: (v.cpu() if isinstance(v, torch.Tensor) else
                        [w.cpu() for w in v] if k == "W" else v) for k, v in out.items()}, tmp)
        os.replace(tmp, os.path.join(outdir, "result.pt"))   # the parent sees a whole file or none


# ------------------------------------------------------------------------------------------------------
# Launchers


def port_free(port, host="127.0.0.1"):
    """Whether ``host:port`` can be bound now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def free_port(host="127.0.0.1"):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def launch(job, nproc, *, master_port=None):
    """Spawn ``nproc`` local ranks (gloo on CPU, NCCL on CUDA, rendezvous on tcp://127.0.0.1:master_port,
    a free port when None); returns rank 0's result dict. Raises :class:`DistributedRunError` (one line)
    for a busy port or a rank that fails or dies; the other ranks are then stopped."""
    import logging

    import torch.multiprocessing as mp

    if isinstance(nproc, bool) or not isinstance(nproc, int) or nproc < 1:
        raise invalid("nproc", "maskverify train", "an int in the range [1, inf)", nproc)
    if torch.device(job["device"]).type == "cuda" and nproc > torch.cuda.device_count():
        raise invalid("nproc", "maskverify train", f"at most {torch.cuda.device_count()} (CUDA devices here)",
                      nproc)
    if master_port is not None:
        if isinstance(master_port, bool) or not isinstance(master_port, int) or not 1 <= master_port <= 65535:
            raise invalid("master_port", "maskverify train", "an int in the range [1, 65535]", master_port)
        if not port_free(master_port):
            raise DistributedRunError(f"port {master_port} on 127.0.0.1 is in use (--master-port); choose a free "
                                      "port or omit --master-port to pick one")
    port = master_port or free_port()
    # torch logs a warning for every survivor it stops after a failure; the failure is reported once, below
    logging.getLogger("torch.multiprocessing.spawn").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="maskverify-ranks-") as outdir:
        ctx = mp.start_processes(_spawned, args=(nproc, port, job, outdir), nprocs=nproc, join=False,
                                 start_method="spawn")
        try:
            while not ctx.join():
                pass
        except mp.ProcessExitedException as exc:
            raise DistributedRunError(_describe(exc, nproc, ctx)) from None
        except mp.ProcessRaisedException as exc:
            raise DistributedRunError(_describe(exc, nproc, ctx)) from None
        except KeyboardInterrupt:
            for proc in ctx.processes:
                if proc.is_alive():
                    proc.terminate()
            raise
        path = os.path.join(outdir, "result.pt")
        if not os.path.exists(path):
            raise DistributedRunError(f"the {nproc} ranks finished but rank 0 left no result")
        return torch.load(path, weights_only=True)


def _describe(exc, nproc, ctx):
    """One line for a failed sharded run. A rank killed by a signal is named first: it is the cause, the
    others then fail in their collectives (SIGTERM is how the launcher stops the survivors)."""
    for q, proc in enumerate(ctx.processes):
        code = proc.exitcode
        if code is not None and code < 0 and -code != signal.SIGTERM:
            name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
            return (f"rank {q} of {nproc} died mid-run (killed by {name}); the run was stopped and nothing was "
                    "written")
    rank = getattr(exc, "error_index", "?")
    lines = [s.strip() for s in str(exc).strip().splitlines() if s.strip()]
    cause = lines[-1] if lines else type(exc).__name__
    code = getattr(exc, "exit_code", None)
    if code is not None:
        cause = f"exit code {code}"
    return f"rank {rank} of {nproc} failed ({cause}); the run was stopped and nothing was written"


def run_torchrun(job):
    """This process is one rank of a torchrun job (RANK, WORLD_SIZE, MASTER_ADDR/PORT from the
    environment). Returns the result dict on rank 0 and None elsewhere."""
    missing = [v for v in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT") if v not in os.environ]
    if missing:
        raise DistributedRunError(f"--torchrun needs the torchrun environment; {', '.join(missing)} not set "
                                  "(start with: torchrun --nproc-per-node N -m maskverify.impl.distributed ...)")
    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    out = run_rank(job, rank, world)
    return out if rank == 0 else None


if __name__ == "__main__":  # torchrun ... -m maskverify.impl.distributed -- <maskverify train options>
    import sys

    from maskverify.cli import main
    argv = sys.argv[1:]
    sys.exit(main(["train", "--torchrun", *(argv[1:] if argv[:1] == ["--"] else argv)]))

"""S-7 · Algorithm 1 (p.5) in the wide regime -- small n, d; huge m -- with the width streamed in blocks.

Everything in Algorithm 1 is per neuron except the network outputs, which are sums over neurons. So the
engine keeps only per-neuron state, walks the neurons in blocks of ``block`` (memory stays bounded), and
carries across blocks just the (p+1, n) output sums. One global step k (lines 3-9), neuron r, subnetwork l,
sample i, t = 0..tau-1:

  u_k             = (xi / sqrt m) sum_r a_r sigma(<w_{k,r}, x_i>)                         (n,)    S-4
  uhat^l_{k,t}    = (1 / sqrt m) sum_r a_r m^l_{k,r} sigma(<w^l_{k,t,r}, x_i>)            (p, n)  S-3
  e^l_{k,t,i}     = uhat^l_{k,t,i} - y_i                                                    (p, n)
  w^l_{k,0,r}     = w_{k,r}                                                                 line 5
  w^l_{k,t+1,r}   = w^l_{k,t,r} - eta (a_r m^l_{k,r} / sqrt m) sum_i 1{<w^l_{k,t,r}, x_i> >= 0} e^l_{k,t,i} x_i
                                                                                   S-6, line 6 (d,) per row
  w_{k+1,r}       = w_{k,r} + eta_{k,r} sum_l (w^l_{k,tau,r} - w_{k,r}),                    lines 7-9
                    eta_{k,r} = 1 / #{l : m^l_{k,r} = 1}  (0 when no subnetwork selected r)
  loss_k          = ||y - u_k||^2  (no 1/2, S-5), reported for k = 0..K.

Passes over the neurons per global step: tau = 1 -- one fused pass (update every neuron in place, then
sum the outputs of W_{k+1} under the masks of step k+1); tau >= 2 -- tau passes: the first tau-1 train the
selected rows of every subnetwork (kept compactly, ``(d, s_l)`` per block) and sum uhat^l_{k,t+1}; the last
finishes the local steps, aggregates into W in place and sums the outputs of W_{k+1}. Each pass ends with
one reduction of the (p+1, n) sums (an all-reduce in the neuron-sharded engine,
:mod:`maskverify.impl.distributed`, which runs exactly this code on its own block of neurons).

Randomness: counter-based streams (:func:`maskverify.impl.masks.counter_masks`,
:func:`maskverify.impl.network.counter_init`) keyed by (seed, trial, step, block of 2^16 neurons), so any
split of the neurons into ranks or blocks sees the same W_0, a and masks; :func:`materialize` returns them
in full for the batched engine (:func:`maskverify.impl.algorithm1.run`), which then computes the same
trajectory (float64: equal to ~1e-15 relative). Storage: W as ``(d, m)`` (one row per coordinate) and one
int32 code per neuron: the mask bits of the current step and sign(a_r) (:mod:`maskverify.impl.wide_kernels`).

Divergence (a non-finite whole-network loss) stops the run and is reported in ``diverged_at``; it is an
outcome, never an exception. Same inputs, seed, device, dtype, kernel and torch thread count: the same
numbers (compiled reductions split their sums by thread). On a small shared machine one torch thread
(``torch.set_num_threads(1)``) avoids OpenMP stalls that can slow every op by 10-100x.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import torch

from maskverify.errors import invalid
from maskverify.impl import masks as masks_mod
from maskverify.impl import network, wide_kernels
from maskverify.impl.params import (
    as_tensor,
    check_choice,
    check_int,
    check_positive,
    check_xi,
    resolve_device,
    resolve_dtype,
)

#: Default neurons per block (a multiple of the stream block 2^16): compiled kernels keep no per-neuron
#: temporaries, so they take large blocks (fewer calls, ~0.1 ms of call overhead each); eager kernels
#: create ~30 block-sized temporaries, so their blocks stay cache-sized.
BLOCK = {"compiled": 1 << 20, "eager": 1 << 16}
KERNELS = ("auto", "eager", "compiled")
#: ``kernel='auto'`` compiles (CPU only) when a run does at least this many neuron-steps (m K tau): below
#: that, eager torch finishes before inductor has compiled (5-30 s on 2 cores, cached on disk after).
AUTO_COMPILE_WORK = 1e8


@dataclass
class WideResult:
    """Output of :func:`train` (one trial)."""

    loss: torch.Tensor          # (K+1,) float64 ||y - u_k||^2, k = 0..K; nan after divergence
    diverged_at: int | None     # first k with a non-finite loss, or None
    peak_bytes: int             # engine-held memory at its peak (see memory note in train())
    seconds: float              # wall time of the run
    kernel: str                 # 'eager' or 'compiled'
    W: torch.Tensor | None = None   # (m, d) final weights (only with return_weights=True)
    config: dict = field(default_factory=dict)
    timing: dict = field(default_factory=dict)  # seconds: draws (counter streams), kernels, reduce


def resolve(*, m, p, tau, eta, K, kappa, xi, law, seed, trial, block, kernel, owner="wide.train"):
    """Validate the scalar parameters; returns a dict with xi resolved (None: 0.5 Bernoulli, 1/p categorical)."""
    m, p, tau, K = (check_int(m, "m", owner, 1), check_int(p, "p", owner, 1), check_int(tau, "tau", owner, 1),
                    check_int(K, "K", owner, 0))
    if p > wide_kernels.MAX_P:
        raise invalid("p", owner, f"an int in the range [1, {wide_kernels.MAX_P}] (wide engine)", p)
    seed, trial = check_int(seed, "seed", owner, 0), check_int(trial, "trial", owner, 0)
    eta, kappa = check_positive(eta, "eta", owner), check_positive(kappa, "kappa", owner)
    check_choice(law, "law", owner, masks_mod.MASK_KINDS)
    check_choice(kernel, "kernel", owner, KERNELS)
    if law == "categorical" and xi is not None and abs(check_xi(xi, owner) - 1.0 / p) > 1e-12:
        raise invalid("xi", owner, f"1/p = {1.0 / p!r} for categorical masks (Theorem 7, p.9), or None", xi)
    xi = check_xi((0.5 if law == "bernoulli" else 1.0 / p) if xi is None else xi, owner)
    block = None if block is None else check_int(block, "block", owner, 1)
    if block is not None and block % masks_mod.STREAM_BLOCK:
        raise invalid("block", owner, f"a positive multiple of {masks_mod.STREAM_BLOCK}", block)
    return dict(m=m, p=p, tau=tau, eta=eta, K=K, kappa=kappa, xi=xi, law=law, seed=seed, trial=trial,
                block=block, kernel=kernel)


def data(n, d, seed):
    """The generated data of ``maskverify train`` for a seed: x_i = g_i/||g_i||, y_i ~ U[-1, 1] (the X, y of
    :func:`maskverify.impl.instance.unit_data` with ``torch.Generator().manual_seed(seed)``). float64 CPU."""
    from maskverify.impl.instance import unit_data
    return unit_data(check_int(n, "n", "wide.data", 1), check_int(d, "d", "wide.data", 1),
                     torch.Generator().manual_seed(check_int(seed, "seed", "wide.data", 0)))


def materialize(*, m, d, p, K, xi=None, law="bernoulli", seed=0, trial=0, kappa=1.0):
    """The counter-stream draws of a run in full: W0 (m, d), a (m,) float64 and masks (K, p, m) bool.

    ``algorithm1.run(X, y, W0, a, masks, xi, eta, tau)`` on them is the same trajectory as :func:`train`."""
    cfg = resolve(m=m, p=p, tau=1, eta=1.0, K=K, kappa=kappa, xi=xi, law=law, seed=seed, trial=trial,
                  block=None, kernel="auto", owner="wide.materialize")
    W0, a = network.counter_init(seed, cfg["m"], check_int(d, "d", "wide.materialize", 1), cfg["kappa"],
                                 0, cfg["m"], trial=trial)
    M = [masks_mod.counter_masks(seed, k, cfg["p"], cfg["m"], cfg["xi"], law, 0, cfg["m"], trial=trial)
         for k in range(cfg["K"])]
    masks = torch.stack(M) if M else torch.zeros(0, cfg["p"], cfg["m"], dtype=torch.bool)
    return W0, a, masks


def memory_estimate(*, m, n, d, p, tau, xi, dtype="float64", block=None, kernel="eager"):
    """Bytes the engine holds for ``m`` neurons: W (d m), one int32 code per neuron (the masks of step k,
    overwritten block by block with step k+1's once a block is updated), for
    tau >= 2 the compact local rows with their int32 index (p xi m of them, in expectation), and
    the temporaries of one block (the mask draw: a float64 stream block, (p, c) bools and int32 codes; for
    eager kernels also their block-sized intermediates). Returns a dict of bytes (``total`` included)."""
    es = torch.tensor([], dtype=resolve_dtype(dtype, "wide.memory_estimate")).element_size()
    weights = m * d * es
    codes = 4 * m
    rows = math.ceil(p * xi * m) * (d * es + 4) if tau >= 2 else 0
    c = min(block or BLOCK[kernel], m)
    draw = c * (p + 3 * 4 * p + 4) + masks_mod.STREAM_BLOCK * 8 * p
    temporaries = draw + (c * (2 * n + 3 * d + p + 4) * es if kernel == "eager" else 0)
    return {"weights": weights, "codes": codes, "local_rows": rows, "block_temporaries": temporaries,
            "total": weights + codes + rows + temporaries}


# ------------------------------------------------------------------------------------------------------
# One block of neurons lo..hi-1 of one trial (the whole network in one process; a rank's share otherwise)


class Shard:
    """The per-neuron state of Algorithm 1 for neurons lo..hi-1 and the passes over them.

    ``reduce(t)`` sums a float64 (rows, n) tensor over all shards in place (identity for one shard)."""

    def __init__(self, X, y, cfg, lo, hi, *, dtype, device, kernel, reduce=None):
        self.X, self.y, self.cfg, self.lo, self.hi = X, y, cfg, lo, hi
        self.dtype, self.device, self.reduce = dtype, device, reduce or (lambda t: t)
        self.k = wide_kernels.kernels(kernel)
        self.block = cfg["block"] or BLOCK[kernel]
        self.n, self.d = X.shape
        self.p, self.m = cfg["p"], cfg["m"]
        self.W = torch.empty(self.d, hi - lo, dtype=dtype, device=device)         # (d, m_local)
        self.code = torch.empty(hi - lo, dtype=torch.int32, device=device)        # (m_local,) masks of step k
        self.scale = torch.tensor([-cfg["eta"] / math.sqrt(self.m)], dtype=dtype, device=device)
        self.held = self.W.nbytes + self.code.nbytes
        self.peak = self.held
        self.timing = {"draws": 0.0, "kernels": 0.0, "reduce": 0.0}
        self.est_temp = memory_estimate(m=max(hi - lo, 1), n=self.n, d=self.d, p=self.p, tau=1, xi=cfg["xi"],
                                        dtype=dtype, block=self.block, kernel=kernel)["block_temporaries"]

    def blocks(self):
        """Block boundaries (local offsets) on the global grid of self.block (aligned to stream blocks)."""
        B = self.block
        start = self.lo
        while start < self.hi:
            stop = min(self.hi, (start // B + 1) * B)
            yield start - self.lo, stop - self.lo
            start = stop

    def _draw(self, k, a, b, sign_from):
        """Codes of step k for local neurons a..b-1 (sign bits copied from ``sign_from``)."""
        t = time.perf_counter()
        cfg = self.cfg
        M = masks_mod.counter_masks(cfg["seed"], k, self.p, self.m, cfg["xi"], cfg["law"], self.lo + a,
                                    self.lo + b, trial=cfg["trial"]).to(self.device)  # (p, b - a)
        negative = ((sign_from[a:b] >> wide_kernels.SIGN_BIT) & 1).bool()
        out = wide_kernels.make_codes(M, negative)
        self.timing["draws"] += time.perf_counter() - t
        return out

    def _sum(self, parts):
        """Reduce the float64 (rows, n) output sums over all shards; scale by 1/sqrt m."""
        t = time.perf_counter()
        total = self.reduce(parts)
        self.timing["reduce"] += time.perf_counter() - t
        return total / math.sqrt(self.m)

    def _note(self):
        """Peak accounting: the tensors held now plus an upper estimate of one block's temporaries."""
        self.peak = max(self.peak, self.held + self.est_temp)

    def open(self):
        """W_0, a and the codes of step 0; returns Z_0 (p+1, n): rows l = uhat^l_{0,0}, row p = u_0 / xi."""
        cfg, parts = self.cfg, torch.zeros(self.p + 1, self.n, dtype=torch.float64, device=self.device)
        for a, b in self.blocks():
            t = time.perf_counter()
            W0, av = network.counter_init(cfg["seed"], self.m, self.d, cfg["kappa"], self.lo + a, self.lo + b,
                                          trial=cfg["trial"], dtype=self.dtype, device=self.device)
            self.W[:, a:b] = W0.T
            self.code[a:b] = (av < 0).to(torch.int32) << wide_kernels.SIGN_BIT
            self.timing["draws"] += time.perf_counter() - t
            self.code[a:b] = self._draw(0, a, b, self.code)
            parts += self._outputs(a, b, self.code[a:b])
            self._note()
        return self._sum(parts)

    def _outputs(self, a, b, code):
        """Output sums (p+1, n) float64 of the neurons a..b-1 under their codes ``code`` (b - a,)."""
        t = time.perf_counter()
        out = self.k["outputs"](self.W[:, a:b], code, self.X, self.p)
        self.timing["kernels"] += time.perf_counter() - t
        return out

    def step(self, k, Z, *, last, next_codes=None):
        """Global step k (lines 3-9) given Z_k = (uhat^l_{k,0}; u_k / xi) (p+1, n); returns Z_{k+1}. With
        ``last`` the masks of step k+1 are not drawn (only the row u_{k+1} / xi of the result is valid);
        ``next_codes`` (m_local,) int32 are the codes of step k+1, used as given instead of drawn (the
        benchmark times the kernels alone with them)."""
        E = (Z[: self.p] - self.y).to(self.dtype)                                 # (p, n)  e^l_{k,0,i}
        if self.cfg["tau"] >= 2:
            E, rows = self._local_passes(E)
        parts = torch.zeros(self.p + 1, self.n, dtype=torch.float64, device=self.device)
        for a, b in self.blocks():
            t = time.perf_counter()
            if self.cfg["tau"] == 1:
                self.k["update_tau1"](self.W[:, a:b], self.code[a:b], self.X, E, self.scale)
            else:
                self._aggregate(a, b, E, rows.pop(0))
            self.timing["kernels"] += time.perf_counter() - t
            if next_codes is not None:
                code = next_codes[a:b]
            elif last:
                code = self.code[a:b]
            else:   # this block is done with step k: its codes make room for step k+1's (one code buffer)
                code = self._draw(k + 1, a, b, self.code)
                self.code[a:b] = code
            parts += self._outputs(a, b, code)
            self._note()
        if next_codes is not None:
            self.code = next_codes
        return self._sum(parts)

    # tau >= 2: the selected rows of every subnetwork, trained in tau - 1 passes before the aggregation

    def _local_passes(self, E):
        """Local steps t = 0..tau-2 on compact rows; returns e^l_{k,tau-1} (p, n) and per block the list
        over l of (index (s_l,) int32 of the selected neurons in the block, rows w^l_{k,tau-1} (d, s_l))."""
        rows = []
        for t in range(self.cfg["tau"] - 1):
            parts = torch.zeros(self.p + 1, self.n, dtype=torch.float64, device=self.device)
            for j, (a, b) in enumerate(self.blocks()):
                tick = time.perf_counter()
                code = self.code[a:b]
                if t == 0:                                                       # line 5: W^l_{k,0} = W_k
                    sel = [((code >> l) & 1).nonzero().squeeze(1).to(torch.int32) for l in range(self.p)]
                    rows.append([(idx, self.W[:, a:b].index_select(1, idx)) for idx in sel])
                    self.held += sum(idx.nbytes + w.nbytes for idx, w in rows[j])
                new = []
                for l, (idx, w) in enumerate(rows[j]):
                    w, out = self.k["local_step"](w, code.index_select(0, idx), self.X, E[l], self.scale)
                    parts[l] += out
                    new.append((idx, w))
                rows[j] = new
                self.timing["kernels"] += time.perf_counter() - tick
                self._note()
            E = (self._sum(parts)[: self.p] - self.y).to(self.dtype)           # e^l_{k,t+1}
        return E, rows

    def _aggregate(self, a, b, E, block):
        """Last local step of every subnetwork on block a..b, then lines 7-9 in place."""
        W, code = self.W[:, a:b], self.code[a:b]                                  # (d, c), (c,)
        acc = torch.zeros_like(W)                                                 # (d, c)  sum_l Delta^l
        for l, (idx, w) in enumerate(block):
            w, _ = self.k["local_step"](w, code.index_select(0, idx), self.X, E[l], self.scale)  # w^l_{k,tau}
            delta = w - W.index_select(1, idx)                                    # Delta^l_k (line 7), (d, s_l)
            for j in range(self.d):   # row by row: 1-D index_add_ is the fast path (int32 index, dim 1 is not)
                acc[j].index_add_(0, idx, delta[j])                               # l = 1..p in order
            self.held -= idx.nbytes + w.nbytes
        count = sum(((code >> l) & 1) for l in range(self.p)).to(self.dtype)     # (c,)  N_{k,r}
        W += acc * torch.where(count > 0, 1.0 / count.clamp(min=1), 0.0)         # lines 8-9: eta_{k,r}


# ------------------------------------------------------------------------------------------------------
# Public entry point


def choose_kernel(kernel, device, work):
    """'auto' -> 'compiled' on CPU when compile works and the run does >= AUTO_COMPILE_WORK neuron-steps."""
    if kernel != "auto":
        if kernel == "compiled" and not wide_kernels.compile_available(device):
            return "eager"
        return kernel
    dev = torch.device(device)
    if dev.type == "cpu" and work >= AUTO_COMPILE_WORK and wide_kernels.compile_available(dev):
        return "compiled"
    return "eager"


def check_memory(cfg, n, d, dtype, device, owner):
    """Refuse (InvalidParameterError, one line) a run whose estimate exceeds the memory available now."""
    from maskverify.impl.plan import available_bytes, human

    kernels = ("eager", "compiled") if cfg["kernel"] == "auto" else (cfg["kernel"],)
    need = max(memory_estimate(m=cfg["m"], n=n, d=d, p=cfg["p"], tau=cfg["tau"], xi=cfg["xi"], dtype=dtype,
                               block=cfg["block"], kernel=kernel)["total"] for kernel in kernels)
    avail = available_bytes(device)
    if avail is not None and need > avail:
        raise invalid("m", owner, f"small enough to fit: the run needs an estimated {need} bytes ({human(need)}) "
                      f"but {human(avail)} is available", cfg["m"])


def prepare_data(X, y, dtype, device, owner):
    dev, dt = resolve_device(device, owner), resolve_dtype(dtype, owner)
    X = as_tensor(X, "X", owner, dtype=dt, device=dev, ndim=2)
    y = as_tensor(y, "y", owner, dtype=torch.float64, device=dev, ndim=1, shape=(X.shape[0],))
    return X, y, dt, dev


def run_shard(shard, K, *, progress=False):
    """The loop over k (line 2) on one shard; returns (loss (K+1,) float64, diverged_at)."""
    xi = shard.cfg["xi"]
    loss = torch.full((K + 1,), float("nan"), dtype=torch.float64)
    Z = shard.open()
    loss[0] = float(((shard.y - xi * Z[shard.p]) ** 2).sum())                     # ||y - u_0||^2
    diverged = None if math.isfinite(loss[0]) else 0
    steps = range(K)
    if progress:
        from tqdm import tqdm
        steps = tqdm(steps, desc="Algorithm 1 (wide)", unit="step", leave=False)
    for k in steps:
        if diverged is not None:
            break
        Z = shard.step(k, Z, last=k == K - 1)
        loss[k + 1] = float(((shard.y - xi * Z[shard.p]) ** 2).sum())             # ||y - u_{k+1}||^2
        if not math.isfinite(loss[k + 1]):
            diverged = k + 1                                                       # an outcome: stop here
    return loss, diverged


def train(X, y, *, m, p, tau, eta, K, kappa=1.0, xi=None, law="bernoulli", seed=0, trial=0,
          dtype="float64", device="cpu", block=None, kernel="auto", return_weights=False, progress=False):
    """S-7 · Algorithm 1 (p.5) — K global steps of one trial at width m, streamed in blocks of neurons.

    Args:
      X (n, d), y (n,): data (any real arrays; the theorems assume ||x_i|| = 1).
      m, p, tau, eta, K, kappa: as in :class:`maskverify.impl.algorithm1.Config`; p <= 30.
      xi: selection probability (None: 0.5 Bernoulli, 1/p categorical); law: 'bernoulli' | 'categorical'.
      seed, trial: key of the counter streams that draw W_0 ~ N(0, kappa^2 I), a ~ U{-1, 1} and the masks
        (see :func:`materialize`).
      dtype 'float64' | 'float32'; device 'cpu' | 'cuda'; block: neurons per block (multiple of 2^16).
      kernel: 'eager', 'compiled' (torch.compile; falls back to eager where compile does not work, per
        kernel from the first call that fails to compile) or 'auto' (compiled on CPU for runs of >= 1e8
        neuron-steps). A run whose memory estimate exceeds the memory available raises
        InvalidParameterError before anything is allocated.
    Returns :class:`WideResult`: ``loss`` (K+1,) ||y - u_k||^2 in float64, ``diverged_at``, ``peak_bytes``
      (CPU: the engine's accounted tensors -- W, codes, compact rows -- plus an upper estimate of one
      block's temporaries; CUDA: torch.cuda.max_memory_allocated during the run), ``W`` (m, d) on request.
    """
    own = "wide.train"
    cfg = resolve(m=m, p=p, tau=tau, eta=eta, K=K, kappa=kappa, xi=xi, law=law, seed=seed, trial=trial,
                  block=block, kernel=kernel, owner=own)
    X, y, dt, dev = prepare_data(X, y, dtype, device, own)
    check_memory(cfg, X.shape[0], X.shape[1], dt, dev, own)            # before compiling or allocating
    cfg["kernel"] = choose_kernel(cfg["kernel"], dev, cfg["m"] * max(cfg["K"], 1) * cfg["tau"])
    start = time.perf_counter()
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats(dev)
        base = torch.cuda.memory_allocated(dev)
    shard = Shard(X, y, cfg, 0, cfg["m"], dtype=dt, device=dev, kernel=cfg["kernel"])
    loss, diverged = run_shard(shard, cfg["K"], progress=progress)
    peak = shard.peak if dev.type != "cuda" else torch.cuda.max_memory_allocated(dev) - base
    return WideResult(loss=loss, diverged_at=diverged, peak_bytes=int(peak), seconds=time.perf_counter() - start,
                      kernel=cfg["kernel"], W=shard.W.T.contiguous() if return_weights else None,
                      config={**cfg, "block": shard.block, "n": X.shape[0], "d": X.shape[1],
                              "dtype": str(dt).replace("torch.", ""),
                              "device": str(dev)},
                      timing=dict(shard.timing))

"""S-7 · Algorithm 1 "RandomlyMaskedTraining" (p.5), batched over T trials and p subnetworks.

Read top to bottom: :func:`_global_step` is lines 3-9 of Algorithm 1 for all trials at once; :func:`run`
is the loop over k (line 2); :func:`train` draws the masks (line 3) and the presets below are one-line calls
of it. Shapes: ``T`` trials, ``p`` subnetworks, ``m`` neurons, ``d`` input dimension, ``n`` samples, ``s``
the largest number of neurons one subnetwork selects in this step (padded; work shrinks with xi).

Conventions (S-5 rule): local steps follow the S-6 gradient of the 1/2-loss verbatim; every reported loss
is ||y - u||^2 with u = xi f(W, X) and no 1/2. A trial whose whole-network loss becomes non-finite stops
(its weights are frozen) and is reported in ``diverged_at``; that is an outcome, never an exception.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import torch

from maskverify.errors import invalid
from maskverify.impl import masks as masks_mod
from maskverify.impl import network, trajectory
from maskverify.impl.params import (
    as_mask,
    as_tensor,
    check_choice,
    check_int,
    check_positive,
    check_xi,
    resolve_device,
    resolve_dtype,
)

#: Up to this many (trial, subnetwork) rows, _select loops over rows (cheaper than the vectorized
#: slot arithmetic for a few long rows, e.g. m = 1e6; measured on CPU, see BENCHMARKS.md).
_SELECT_LOOP_ROWS = 32

#: Opt-in trajectory quantities of :func:`run` (the whole-network loss is always recorded).
RECORDS = ("subnet_loss", "phases", "distances", "act_changes", "ntk", "weights")


@dataclass(frozen=True)
class Config:
    """One training configuration; the resolved config is stored in every result."""

    n: int = 16               # samples (unit-norm x_i, labels y_i ~ Uniform[-1, 1] for generated instances)
    d: int = 4                # input dimension
    m: int = 64               # hidden neurons
    xi: float | None = None   # selection probability; None: 0.5 (Bernoulli) or 1/p (categorical, Thm 7)
    p: int = 2                # subnetworks per global iteration
    tau: int = 2              # local GD steps per subnetwork
    eta: float = 0.1          # local step size
    K: int = 10               # global iterations (K = 0: no training)
    kappa: float = 1.0        # initialization scale, w_r ~ N(0, kappa^2 I)
    mask: str = "bernoulli"   # 'bernoulli' (i.i.d. Bern(xi)) or 'categorical' (one subnetwork per neuron)
    seed: int = 0             # seeds the CPU generator that draws X, y, W0, a and the masks, in that order
    trials: int = 1           # independent (W0, a, masks) draws sharing one data set
    device: str = "cpu"       # 'cpu' or 'cuda'
    dtype: str = "float64"    # 'float64' (verification) or 'float32'

    def __post_init__(self):
        own = "Config"
        for name, low in (("n", 1), ("d", 1), ("m", 1), ("p", 1), ("tau", 1), ("K", 0), ("trials", 1),
                          ("seed", 0)):
            check_int(getattr(self, name), name, own, low)
        check_positive(self.eta, "eta", own)
        check_positive(self.kappa, "kappa", own)
        check_choice(self.mask, "mask", own, masks_mod.MASK_KINDS)
        check_choice(self.dtype, "dtype", own, ("float64", "float32"))
        if self.mask == "categorical" and self.xi is not None \
                and abs(check_xi(self.xi, own) - 1.0 / self.p) > 1e-12:
            raise invalid("xi", own, f"1/p = {1.0 / self.p!r} for categorical masks (Theorem 7, p.9), or None",
                          self.xi)
        if self.xi is None:
            object.__setattr__(self, "xi", 0.5 if self.mask == "bernoulli" else 1.0 / self.p)
        object.__setattr__(self, "xi", check_xi(self.xi, own))


@dataclass
class StepRecord:
    """One global iteration (S-7 lines 3-9) of one trial."""

    W_next: torch.Tensor   # (m, d)          W_{k+1}
    W_local: torch.Tensor  # (p, tau+1, m, d) W^l_{k,t}, t = 0..tau (unselected rows stay at w_{k,r})
    uhat: torch.Tensor     # (p, tau+1, n)   uhat^l_{k,t} = f_{m^l_k}(W^l_{k,t}, X)
    u_before: torch.Tensor  # (n,)           u_k = xi f(W_k, X)
    u_after: torch.Tensor  # (n,)            u_{k+1}


@dataclass
class RunResult:
    """Output of :func:`run`. Leading ``T`` is dropped when the inputs had no trial dimension."""

    loss: torch.Tensor            # (T, K+1) ||y - u_k||^2; nan after a trial diverged
    W: torch.Tensor               # (T, m, d) final weights (frozen at divergence)
    diverged_at: list             # per trial: first k with non-finite loss, or None
    records: dict = field(default_factory=dict)  # opt-in quantities, see run()
    seconds: float = 0.0


# ------------------------------------------------------------------------------------------------------
# S-7 lines 3-9 for all trials at once


def _select(M):
    """Rows of the selected neurons of every (trial, subnetwork), padded to the largest count s.

    M (T, p, m) bool -> flat (T p, s) long: row t*m + r of W.view(T m, d) for selected neuron r of trial t;
    padding slots hold the spare row T*m. valid (T p, s) bool marks the real slots."""
    T, p, m = M.shape
    Mf = M.reshape(T * p, m)
    if T * p <= _SELECT_LOOP_ROWS:                                           # few long rows: one nonzero per row
        counts = Mf.sum(-1)                                                  # (T p,)
        s = int(counts.max()) if counts.numel() else 0
        flat = torch.full((T * p, s), T * m, dtype=torch.long, device=M.device)
        for row in range(T * p):
            cols = Mf[row].nonzero().squeeze(1)
            flat[row, : cols.numel()] = cols + m * (row // p)
        return flat, torch.arange(s, device=M.device) < counts.unsqueeze(-1)
    rows_cols = Mf.nonzero()                                                 # (N_sel, 2), row-major order
    rows, cols = rows_cols[:, 0], rows_cols[:, 1]
    counts = Mf.sum(-1)                                                      # (T p,)
    s = int(counts.max()) if counts.numel() else 0
    pos = torch.arange(rows.numel(), device=M.device) - (counts.cumsum(0) - counts)[rows]  # slot in its row
    flat = torch.full((T * p * s,), T * m, dtype=torch.long, device=M.device)
    flat.index_copy_(0, rows * s + pos, cols + m * torch.div(rows, p, rounding_mode="floor"))
    valid = torch.arange(s, device=M.device) < counts.unsqueeze(-1)         # (T p, s)
    return flat.view(T * p, s), valid


def _global_step(W, a, X, y, M, xi, eta, tau, *, W0=None, want=(), full_local=False):
    """Algorithm 1, lines 3-9, given the mask M_k (line 3). W (T, m, d), a (T, m), M (T, p, m) bool.

    Returns a dict with ``W_next (T, m, d)`` and, on request (``want``), ``uhat (T, p, tau+1, n)``,
    distances ``(T, p, tau+1)``, ``W_local (T, p, tau+1, m, d)`` (``full_local``)."""
    T, m, d = W.shape
    p, n = M.shape[1], X.shape[0]
    sqrt_m = math.sqrt(m)
    # gather only the selected rows: local training touches nothing else (S-6: unselected grads are 0)
    flat, valid = _select(M)                                                 # (T p, s)
    s = flat.shape[-1]
    gather = flat.clamp(max=T * m - 1).view(-1)                              # (T p s,)  pads read row T m - 1
    coeff = a.reshape(T * m).index_select(0, gather).view(T * p, s) * valid / sqrt_m  # (T p, s) a_r m^l_r/sqrt m
    Wk_sel = W.reshape(T * m, d).index_select(0, gather).view(T * p, s, d)  # (T p, s, d)  W^l_{k,0} = W_k (line 5)
    Wl = Wk_sel
    XT = X.T.contiguous().expand(T * p, d, n)                                # (T p, d, n)
    step_coeff = eta * coeff                                                 # (T p, s)  eta a_r m^l_r / sqrt m
    need_uhat = bool({"subnet_loss", "phases"} & set(want)) or full_local
    uhat, dist_k, dist_0 = [], [], []
    if "distances" in want:
        drift = torch.linalg.vector_norm(W - W0, dim=-1)                     # (T, m)  ||w_{k,r} - w_{0,r}||
        unsel = drift.unsqueeze(1).masked_fill(M, 0.0).amax(-1).view(T * p)  # (T p,) rows frozen at w_{k,r}
        W0_sel = W0.reshape(T * m, d).index_select(0, gather).view(T * p, s, d)  # (T p, s, d)
    local = [Wl] if full_local else None
    for t in range(tau + 1):
        if "distances" in want:                                              # max_r over selected rows
            dist_k.append(torch.linalg.vector_norm(Wl - Wk_sel, dim=-1).masked_fill(~valid, 0.0).amax(-1))
            dist_0.append(torch.maximum(unsel, torch.linalg.vector_norm(Wl - W0_sel, dim=-1)
                                        .masked_fill(~valid, 0.0).amax(-1)))
        if t == tau and not need_uhat:
            break
        pre = torch.bmm(Wl, XT)                                              # (T p, s, n)  <w_r, x_i>
        ind = pre >= 0                                                       # (T p, s, n)  1{<w_r,x_i> >= 0}
        out = torch.bmm(coeff.unsqueeze(1), pre.clamp_(min=0)).squeeze(1)    # (T p, n)  uhat^l_{k,t}  (S-3)
        uhat.append(out)
        if t == tau:
            break
        # line 6: W^l_{k,t+1} = W^l_{k,t} - eta dL_{m^l_k}/dW  (S-6, sigma'(0) := 1), written as
        # grad_r = (a_r m^l_r / sqrt m) sum_i 1{<w_r,x_i> >= 0} [(f(x_i) - y_i) x_i]: one (s, n) x (n, d) product
        R = (out - y).unsqueeze(-1) * X                                      # (T p, n, d)  (f - y_i) x_i
        Wl = torch.addcmul(Wl, step_coeff.unsqueeze(-1), torch.bmm(ind.to(W.dtype), R), value=-1.0)
        if full_local:
            local.append(Wl)
    # line 7: Delta W^l_k = W^l_{k,tau} - W_k on the selected rows (padded rows have a_r m^l_r = 0)
    delta = (Wl - Wk_sel).view(T, p, s, d)                                   # (T, p, s, d)
    # lines 8-9: w_{k+1,r} = w_{k,r} + eta_{k,r} sum_l Delta w^l_{k,r}; the sum runs l = 1..p in order.
    # Within one subnetwork the rows are distinct, so each index_add_ adds exactly one term per row:
    # exact and deterministic (also on CUDA); padded slots add into the spare row T*m, which is dropped.
    sink = flat.view(T, p, s)                                                # (T, p, s)
    acc = torch.zeros(T * m + 1, d, dtype=W.dtype, device=W.device)          # (T m + 1, d)
    for l in range(p):
        acc.index_add_(0, sink[:, l].reshape(-1), delta[:, l].reshape(-1, d))
    eta_kr = masks_mod.aggregation_weights(M, W.dtype)                       # (T, m)  N^perp / N
    out = {"W_next": W + eta_kr.unsqueeze(-1) * acc[: T * m].view(T, m, d)}  # (T, m, d)
    if uhat:
        out["uhat"] = torch.stack(uhat, 1).view(T, p, len(uhat), -1)         # (T, p, tau+1, n)
    if dist_k:
        out["dist_local"] = torch.stack(dist_k, 1).view(T, p, tau + 1)       # max_r ||w^l_{k,t,r} - w_{k,r}||
        out["dist_init"] = torch.stack(dist_0, 1).view(T, p, tau + 1)        # max_r ||w^l_{k,t,r} - w_{0,r}||
    if full_local:
        full = W.unsqueeze(1).unsqueeze(1).repeat(1, p, tau + 1, 1, 1).view(T * p, tau + 1, m, d)
        for t, Wt in enumerate(local):
            for row in range(T * p):
                keep = valid[row]
                full[row, t, flat[row][keep] - m * (row // p)] = Wt[row][keep]
        out["W_local"] = full.view(T, p, tau + 1, m, d)
    return out


# ------------------------------------------------------------------------------------------------------
# Public API


def _prepare(X, y, W0, a, owner, device=None, dtype=None):
    """Validate and convert inputs; returns tensors with a trial axis and whether it was added."""
    if device is None:
        device = W0.device if isinstance(W0, torch.Tensor) else "cpu"
    if dtype is None:
        dtype = W0.dtype if isinstance(W0, torch.Tensor) and W0.is_floating_point() else torch.float64
    dev, dt = resolve_device(device, owner), resolve_dtype(dtype, owner)
    X = as_tensor(X, "X", owner, dtype=dt, device=dev, ndim=2)
    n, d = X.shape
    y = as_tensor(y, "y", owner, dtype=dt, device=dev, ndim=1, shape=(n,))
    W0 = as_tensor(W0, "W0", owner, dtype=dt, device=dev, ndim=(2, 3))
    if W0.shape[-1] != d:
        raise invalid("W0", owner, f"an array of shape (..., m, {d}) (d from X)",
                                               f"shape {tuple(W0.shape)}")
    unbatched = W0.dim() == 2
    W0 = W0.unsqueeze(0) if unbatched else W0
    T, m, _ = W0.shape
    a = as_tensor(a, "a", owner, dtype=dt, device=dev, ndim=1 if unbatched else (1, 2), shape=(m,))
    if a.dim() == 2 and a.shape[0] != T:
        raise invalid("a", owner, f"an array of shape (m,) or ({T}, {m})", f"shape {tuple(a.shape)}")
    a = a.unsqueeze(0).expand(T, m) if a.dim() == 1 else a
    return X, y, W0, a, unbatched


def global_step(W, a, X, y, M, xi, eta, tau):
    """S-7 · Algorithm 1 lines 3-9 (p.5) — one global iteration of one trial, with every local iterate.

    Args: W (m, d) = W_k, a (m,), X (n, d), y (n,), M (p, m) 0/1 = M_k, xi in (0, 1], eta > 0, tau >= 1.
    Returns :class:`StepRecord` (W_next (m, d), W_local (p, tau+1, m, d), uhat (p, tau+1, n),
    u_before (n,), u_after (n,)). Dense output, meant for trajectory analysis at small sizes."""
    own = "global_step"
    xi, eta, tau = check_xi(xi, own), check_positive(eta, "eta", own), check_int(tau, "tau", own, 1)
    X, y, Wb, ab, _ = _prepare(X, y, W, a, own)
    M = as_mask(M, "M", own, device=Wb.device, shape_tail=(Wb.shape[1],))
    if M.dim() != 2:
        raise invalid("M", own, "a 0/1 array of shape (p, m)", f"shape {tuple(M.shape)}")
    out = _global_step(Wb, ab, X, y, M.unsqueeze(0), xi, eta, tau, full_local=True)
    return StepRecord(W_next=out["W_next"][0], W_local=out["W_local"][0], uhat=out["uhat"][0],
                      u_before=network.whole_output(Wb[0], ab[0], X, xi),
                      u_after=network.whole_output(out["W_next"][0], ab[0], X, xi))


def local_train(W, a, mask, X, y, eta, tau):
    """S-7 lines 5-6 (p.5) — tau full-batch GD steps on (1/2)||y - f_{m^l}(W, X)||^2 (S-6) from W.

    Args: W (m, d), a (m,), mask (m,) 0/1, X (n, d), y (n,). Returns W_t (tau+1, m, d) and
    uhat_t (tau+1, n) = f_{m^l}(W_t, X) for t = 0..tau."""
    own = "local_train"
    eta, tau = check_positive(eta, "eta", own), check_int(tau, "tau", own, 1)
    X, y, Wb, ab, _ = _prepare(X, y, W, a, own)
    mask = as_mask(mask, "mask", own, device=Wb.device, shape_tail=(Wb.shape[1],))
    out = _global_step(Wb, ab, X, y, mask.reshape(1, 1, -1), 1.0, eta, tau, full_local=True)
    return out["W_local"][0, 0], out["uhat"][0, 0]


def run(X, y, W0, a, masks=None, xi=None, eta=None, tau=None, record=(), *, K=None, p=None, mask_kind=None,
        generator=None, device=None, dtype=None, progress=False):
    """S-7 · Algorithm 1 (p.5) — K global iterations for T independent trials in one batched computation.

    Args:
      X (n, d), y (n,): data shared by all trials.
      W0 (m, d) or (T, m, d), a (m,) or (T, m): initialization (a is never trained).
      masks (K, p, m) or (T, K, p, m) 0/1; or None to draw them step by step from ``generator`` with
        ``K``, ``p``, ``mask_kind`` (same masks as :func:`masks.bernoulli_masks` for that generator state).
      xi: selection probability (enters only u = xi f); eta: local step size; tau: local steps.
      record: any of :data:`RECORDS`: ``subnet_loss`` (T, K, p, tau+1) ||y - uhat^l_{k,t}||^2;
        ``phases`` (Fig 2(a)) after_resampling / after_local (T, K) means over l of ||y - uhat^l_k||^2 and
        ||y - uhat^l_{k,tau}||^2, after_aggregation (T, K) ||y - u_{k+1}||^2; ``distances`` (T, K, p, tau+1)
        max_r ||w^l_{k,t,r} - w_{0,r}|| and max_r ||w^l_{k,t,r} - w_{k,r}||; ``act_changes`` (T, K+1)
        #{(i, r): 1{<w_{k,r},x_i> >= 0} != 1{<w_{0,r},x_i> >= 0}}; ``ntk`` lambda_min of H(k) (T, K+1) and
        of the masked NTKs m^l_k o H(k, 0) (T, K, p); ``weights`` W_k for k = 0..K (T, K+1, m, d).
    Returns :class:`RunResult`."""
    own = "run"
    xi, eta, tau = check_xi(xi, own), check_positive(eta, "eta", own), check_int(tau, "tau", own, 1)
    for r in record:
        check_choice(r, "record", own, RECORDS)
    X, y, W, a, unbatched = _prepare(X, y, W0, a, own, device, dtype)
    T, m, d = W.shape
    if masks is not None:
        masks = as_mask(masks, "masks", own, device=W.device, shape_tail=(m,))
        if masks.dim() != (3 if unbatched else 4) or (not unbatched and masks.shape[0] != T):
            raise invalid("masks", own, "a 0/1 array of shape (K, p, m) or (T, K, p, m)",
                                                   f"shape {tuple(masks.shape)}")
        masks = masks.unsqueeze(0) if unbatched else masks
        K, p = masks.shape[1], masks.shape[2]
    else:
        K, p = check_int(K, "K", own, 0), check_int(p, "p", own, 1)
        check_choice(mask_kind, "mask_kind", own, masks_mod.MASK_KINDS)
        if not isinstance(generator, torch.Generator):
            raise invalid("generator", own, "a torch.Generator when masks is None",
                                                   type(generator).__name__)
    want = set(record)
    if "phases" in want:
        want.add("subnet_loss")
    start = time.perf_counter()
    W_init = W
    loss = torch.full((T, K + 1), float("nan"), dtype=W.dtype, device=W.device)   # (T, K+1)
    loss[:, 0] = network.loss(network.whole_output(W, a, X, xi), y)
    diverged = [None if math.isfinite(v) else 0 for v in loss[:, 0].tolist()]
    active = torch.tensor([v is None for v in diverged], device=W.device)
    rec = {key: [] for key in ("uhat", "dist_local", "dist_init", "ntk_masked")}
    act_changes, ntk_full, weights = [], [], [W]
    from maskverify.impl import ntk as ntk_mod
    steps = range(K)
    if progress:
        from maskverify.progress import bar
        steps = bar(steps, desc="Algorithm 1", unit="step")  # a tqdm bar on a terminal; in a log, one line
    for k in steps:
        if "act_changes" in want:
            act_changes.append(trajectory.act_changes(W, W_init, X))
        if "ntk" in want:
            ntk_full.append(ntk_mod.lambda_min_batched(ntk_mod.H(W, X, xi)))
        # line 3: sample M_k ~ D (drawn even for stopped trials, so the mask stream does not depend on them)
        if masks is not None:
            M = masks[:, k]                                                            # (T, p, m)
        else:
            M = masks_mod.step_masks(mask_kind, p, m, xi, generator, trials=T).to(W.device)  # (T, p, m)
        if "ntk" in want:
            rec["ntk_masked"].append(ntk_mod.lambda_min_batched(ntk_mod.masked_H(W.unsqueeze(1), X, M)))
        step = _global_step(W, a, X, y, M, xi, eta, tau, W0=W_init, want=want)
        W = torch.where(active.view(T, 1, 1), step["W_next"], W)                     # stopped trials frozen
        if "weights" in want:
            weights.append(W)
        for key in ("uhat", "dist_local", "dist_init"):
            if key in step:
                rec[key].append(step[key])
        L = network.loss(network.whole_output(W, a, X, xi), y)                        # (T,) ||y - u_{k+1}||^2
        loss[:, k + 1] = torch.where(active, L, float("nan"))
        for i, v in enumerate(L.tolist()):
            if diverged[i] is None and not math.isfinite(v):
                diverged[i] = k + 1
        active = torch.tensor([v is None for v in diverged], device=W.device)
        if not bool(active.any()):
            break
    if "act_changes" in want:
        act_changes.append(trajectory.act_changes(W, W_init, X))
    if "ntk" in want:
        ntk_full.append(ntk_mod.lambda_min_batched(ntk_mod.H(W, X, xi)))
    records = trajectory.collect(rec, act_changes, ntk_full, loss, y, want, T, K, p, tau)
    if "weights" in want:
        records["weights"] = torch.stack(weights, 1)                                   # (T, steps+1, m, d)
    result = RunResult(loss=loss, W=W, diverged_at=diverged, records=records,
                       seconds=time.perf_counter() - start)
    return trajectory.squeeze(result) if unbatched else result


# ------------------------------------------------------------------------------------------------------
# Mask laws and the paper's named special cases (p.8-9): one-line calls of train()


def train(X, y, W0, a, *, mask, xi, p, tau, eta, K, generator, record=(), progress=False):
    """S-7 with masks drawn step by step from ``generator`` (S-2): ``mask`` 'bernoulli' or 'categorical'."""
    return run(X, y, W0, a, None, xi, eta, tau, record, K=K, p=p, mask_kind=mask, generator=generator,
               progress=progress)


def dropout(X, y, W0, a, *, xi, eta, K, generator, **kw):
    """Corollary 4 (p.8): Bernoulli masks, p = 1, tau = 1."""
    return train(X, y, W0, a, mask="bernoulli", xi=xi, p=1, tau=1, eta=eta, K=K, generator=generator, **kw)


def multi_sample_dropout(X, y, W0, a, *, xi, p, eta, K, generator, **kw):
    """Corollary 5 (p.9): Bernoulli masks, p >= 1, tau = 1."""
    return train(X, y, W0, a, mask="bernoulli", xi=xi, p=p, tau=1, eta=eta, K=K, generator=generator, **kw)


def ist_bernoulli(X, y, W0, a, *, xi, p, tau, eta, K, generator, **kw):
    """Corollary 6 (p.9): multi-worker IST with Bernoulli masks, p >= 1, tau >= 1."""
    return train(X, y, W0, a, mask="bernoulli", xi=xi, p=p, tau=tau, eta=eta, K=K, generator=generator, **kw)


def ist_categorical(X, y, W0, a, *, p, tau, eta, K, generator, **kw):
    """Theorem 7 (p.9): categorical masks, xi = 1/p."""
    return train(X, y, W0, a, mask="categorical", xi=1.0 / p, p=p, tau=tau, eta=eta, K=K, generator=generator,
                 **kw)


def full_gd(X, y, W0, a, *, eta, K, generator=None, **kw):
    """S-8(a): xi = 1, p = 1, tau = 1 is full-batch GD on (1/2)||y - f(W, X)||^2 for K steps."""
    return train(X, y, W0, a, mask="bernoulli", xi=1.0, p=1, tau=1, eta=eta, K=K,
                 generator=generator if generator is not None else torch.Generator().manual_seed(0), **kw)


def init_instance(config, *, with_masks=True):
    """Draw X, y, W0, a (and masks) for ``config`` (see :mod:`maskverify.impl.instance`)."""
    from maskverify.impl.instance import generate
    return generate(config, with_masks=with_masks)

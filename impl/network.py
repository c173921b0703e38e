"""S-1, S-3..S-6 · the two-layer ReLU network, its masked surrogate, the whole-network output and gradients.

All functions accept a leading batch shape ``...`` on ``W``/``a``/``mask`` (trials, subnetworks, ...):
``W (..., m, d)``, ``a (..., m)``, ``mask (..., m)``, ``X (n, d)``, ``y (n,)``; outputs ``(..., n)`` or
``(..., m, d)``. The ReLU derivative convention is ``sigma'(0) := 1`` (the indicator uses ``>= 0``, S-6).
"""

from __future__ import annotations

import math

import torch


def preactivation(W, X):
    """<w_r, x_i> for all r, i.  W (..., m, d), X (n, d) -> (..., m, n)."""
    return W @ X.transpose(-1, -2)


def activation_pattern(W, X):
    """1{<w_r, x_i> >= 0} (S-6 convention), as bool.  -> (..., m, n)."""
    return preactivation(W, X) >= 0


def f(W, a, X):
    """S-1 · p.5 — f(W, x) = (1/sqrt m) sum_r a_r sigma(<w_r, x>).  -> (..., n)."""
    m = W.shape[-2]
    act = torch.relu(preactivation(W, X))                       # (..., m, n)
    return (a.unsqueeze(-2) @ act).squeeze(-2) / math.sqrt(m)   # (..., n)


def f_masked(W, a, mask, X):
    """S-3 · p.5 — surrogate f_{m^l}(W, x) = (1/sqrt m) sum_r a_r m^l_r sigma(<w_r, x>); no xi, no 1/xi.

    ``mask (..., m)`` is 0/1 (bool or float). -> (..., n)."""
    return f(W, a * mask.to(W.dtype), X)


def whole_output(W, a, X, xi):
    """S-4 · p.6 — u = (xi/sqrt m) sum_r a_r sigma(<w_r, x>) = xi f(W, X).  -> (..., n)."""
    return xi * f(W, a, X)


def loss(u, y):
    """S-5 · p.6 — the reported loss ||y - u||_2^2 (no 1/2).  u (..., n), y (n,) -> (...)."""
    return ((y - u) ** 2).sum(-1)


def surrogate_grad(W, a, mask, X, y):
    """S-6 · p.5 — dL_{m^l}(W)/dw_r = (1/sqrt m) sum_i a_r m^l_r (f_{m^l}(W, x_i) - y_i) x_i 1{<w_r,x_i> >= 0}.

    The gradient of the 1/2-loss (1/2)||y - f_{m^l}(W, X)||^2 (S-5 rule), with sigma'(0) := 1.
    W (..., m, d), a (..., m), mask (..., m), X (n, d), y (n,) -> (..., m, d)."""
    m = W.shape[-2]
    pre = preactivation(W, X)                                       # (..., m, n)
    coeff = a * mask.to(W.dtype) / math.sqrt(m)                     # (..., m)
    resid = (coeff.unsqueeze(-2) @ torch.relu(pre)).squeeze(-2) - y  # (..., n)  f_{m^l}(W, x_i) - y_i
    G = coeff.unsqueeze(-1) * (pre >= 0).to(W.dtype) * resid.unsqueeze(-2)  # (..., m, n)
    return G @ X                                                    # (..., m, d)


def full_grad(W, a, X, y, xi):
    """S-5 · p.18 — "full gradient" dL(W_k)/dw_r = (xi/sqrt m) sum_i a_r x_i (u^{(i)} - y_i) 1{<w_r,x_i> >= 0},
    with u = xi f(W, X).  (derived) It equals the gradient of (1/2)||y - u||^2 with respect to w_r.
    -> (..., m, d)."""
    m = W.shape[-2]
    pre = preactivation(W, X)                                                  # (..., m, n)
    resid = xi * (a.unsqueeze(-2) @ torch.relu(pre)).squeeze(-2) / math.sqrt(m) - y  # (..., n) u - y
    G = (xi / math.sqrt(m)) * a.unsqueeze(-1) * (pre >= 0).to(W.dtype) * resid.unsqueeze(-2)  # (..., m, n)
    return G @ X                                                               # (..., m, d)


def init_weights(m, d, kappa, generator, *, trials=None, dtype=torch.float64, device="cpu"):
    """S-1 · p.5 — W_0 rows ~ N(0, kappa^2 I_d) i.i.d.; a_r ~ Uniform{-1, +1} i.i.d.; independent.

    Sampled on the CPU in float64 from ``generator`` (a CPU ``torch.Generator``), then cast and moved, so one
    seed gives the same instance on every device and dtype. Draw order: W_0 first, then a.
    Returns ``W0 (m, d)``, ``a (m,)`` or, with ``trials=T``, ``W0 (T, m, d)``, ``a (T, m)``."""
    lead = () if trials is None else (int(trials),)
    W0 = kappa * torch.randn(*lead, m, d, generator=generator, dtype=torch.float64)      # (T?, m, d)
    a = 2.0 * torch.randint(0, 2, (*lead, m), generator=generator).to(torch.float64) - 1  # (T?, m)
    return W0.to(device=device, dtype=dtype), a.to(device=device, dtype=dtype)


def counter_init(seed, m, d, kappa, lo, hi, *, trial=0, dtype=torch.float64, device="cpu"):
    """S-1 · p.5 — rows lo..hi-1 of W_0 and a from a counter-based stream (a rank builds only its own block).

    Same law as :func:`init_weights` (w_r ~ N(0, kappa^2 I_d), a_r ~ Uniform{-1, +1}, independent), drawn by
    blocks of :data:`maskverify.impl.masks.STREAM_BLOCK` neurons: block b is drawn in full, on the CPU in
    float64, from ``torch.Generator().manual_seed(masks.stream_seed("init", seed, trial, 0, b))`` --
    first ``randn(STREAM_BLOCK, d)`` (times kappa), then ``2 randint(0, 2, (STREAM_BLOCK,)) - 1`` -- then
    sliced, cast and moved. So row r depends only on (seed, trial, r, d, kappa): not on m nor on the split
    of the neurons into ranks or blocks. A different stream from :func:`init_weights`.
    Returns ``W0 (hi - lo, d)``, ``a (hi - lo,)``."""
    from maskverify.errors import invalid
    from maskverify.impl.masks import STREAM_BLOCK, stream_blocks, stream_seed
    from maskverify.impl.params import check_int, check_positive

    own = "counter_init"
    m, d = check_int(m, "m", own, 1), check_int(d, "d", own, 1)
    lo, hi = check_int(lo, "lo", own, 0), check_int(hi, "hi", own, 0)
    kappa = check_positive(kappa, "kappa", own)
    if not lo <= hi <= m:
        raise invalid("hi", own, f"an int with lo <= hi <= m = {m} (lo = {lo})", hi)
    W0 = torch.empty(hi - lo, d, dtype=torch.float64)                              # (hi - lo, d)
    a = torch.empty(hi - lo, dtype=torch.float64)                                  # (hi - lo,)
    at = 0
    for b, start, stop in stream_blocks(lo, hi):
        g = torch.Generator().manual_seed(stream_seed("init", seed, trial, 0, b))
        Wb = kappa * torch.randn(STREAM_BLOCK, d, generator=g, dtype=torch.float64)   # (B, d)
        ab = 2.0 * torch.randint(0, 2, (STREAM_BLOCK,), generator=g).to(torch.float64) - 1  # (B,)
        W0[at: at + stop - start] = Wb[start:stop]
        a[at: at + stop - start] = ab[start:stop]
        at += stop - start
    return W0.to(device=device, dtype=dtype), a.to(device=device, dtype=dtype)

"""The per-neuron kernels of the wide engine (:mod:`maskverify.impl.wide`), eager or torch.compile'd.

Layout: a block of c neurons holds its weights column-wise, ``W (d, c)`` (row j = coordinate j of every
w_r, contiguous), and one int32 ``code (c,)`` per neuron and step: bit l (l < p) is the mask entry
m^l_{k,r}, bit :data:`SIGN_BIT` is 1 when a_r = -1. With n, d and p small (the wide regime), every kernel
below is one loop over the c neurons with the loops over i < n, j < d, l < p unrolled when traced, so
``torch.compile`` (inductor, CPU) turns each into a single vectorized C++ loop: one read of W, one write.

The same functions run eagerly (plain torch, one op per line) where compile is unavailable or not worth
its start-up; both paths compute the same formulas (float64 results agree to rounding, ~1e-16 relative).
"""

from __future__ import annotations

import functools
import threading
import warnings

import torch

#: Bit of ``code`` that stores sign(a_r) (1: a_r = -1). Masks use bits 0..p-1, so p <= SIGN_BIT.
SIGN_BIT = 30
MAX_P = SIGN_BIT


def make_codes(M, negative):
    """Codes of one step: M (p, c) bool masks, negative (c,) bool (a_r = -1) -> (c,) int32."""
    p = M.shape[0]
    shifts = torch.arange(p, dtype=torch.int32, device=M.device).unsqueeze(1)     # (p, 1)
    code = (M.to(torch.int32) << shifts).sum(0, dtype=torch.int32)              # (c,)  sum_l m^l 2^l
    return code | (negative.to(torch.int32) << SIGN_BIT)


def _bits(code, p, dtype):
    """[m^l_r for l < p] as p tensors (c,) of dtype (0/1)."""
    return [((code >> l) & 1).to(dtype) for l in range(p)]


def _sign(code, dtype):
    """a_r = 1 - 2 [bit SIGN_BIT]  -> (c,) of dtype (+-1)."""
    return 1.0 - 2.0 * ((code >> SIGN_BIT) & 1).to(dtype)


def outputs(W, code, X, p: int):
    """Unscaled output sums of a block: row l < p: sum_r m^l_r a_r sigma(<w_r, x_i>); row p: sum_r a_r
    sigma(<w_r, x_i>).  W (d, c), code (c,), X (n, d) -> (p+1, n) float64.
    (uhat^l_i = row l / sqrt m and u_i = xi row p / sqrt m after summing over all blocks.) The sums are
    accumulated in float64 also for float32 weights: more accurate, and faster under inductor than its
    cascaded float32 sum."""
    d, n = W.shape[0], X.shape[0]
    a = _sign(code, W.dtype)                                            # (c,)  a_r
    bits = _bits(code, p, torch.float64)                                # p x (c,)  m^l_r
    rows = [[] for _ in range(p + 1)]
    for i in range(n):
        pre = W[0] * X[i, 0]
        for j in range(1, d):
            pre = pre + W[j] * X[i, j]                                  # (c,)  <w_r, x_i>
        act = (pre.clamp(min=0) * a).to(torch.float64)                  # (c,)  a_r sigma(<w_r, x_i>)
        for l in range(p):
            rows[l].append((bits[l] * act).sum())
        rows[p].append(act.sum())
    return torch.stack([torch.stack(r) for r in rows])                  # (p+1, n)


def update_tau1(W, code, X, E, scale):
    """Algorithm 1 lines 5-9 with tau = 1, fused: all p local steps and the aggregation of a block, in place.

    w_{k+1,r} = w_r + eta_{k,r} sum_l Delta^l_r with Delta^l_r = -(eta a_r m^l_r / sqrt m) sum_i
    1{<w_r, x_i> >= 0} e^l_i x_i (S-6 at W^l_{k,0} = W_k, so every subnetwork shares the indicator), i.e.
      w_{k+1,r} = w_r + (scale a_r / N_r) sum_i 1{<w_r,x_i> >= 0} (sum_l m^l_r e^l_i) x_i,  N_r = sum_l m^l_r,
    with scale = -eta/sqrt m and nothing added when N_r = 0 (eta_{k,r} = 0).
    W (d, c) is overwritten; code (c,); X (n, d); E (p, n) = e^l_i = uhat^l_{k,0,i} - y_i; scale (1,)."""
    d, n, p = W.shape[0], X.shape[0], E.shape[0]
    bits = _bits(code, p, W.dtype)                                      # p x (c,)
    count = bits[0]
    for l in range(1, p):
        count = count + bits[l]                                         # (c,)  N_r = X_{k,r}
    factor = torch.where(count > 0, scale[0] / count.clamp(min=1), 0.0) * _sign(code, W.dtype)  # (c,)
    G = [None] * d                                                      # d x (c,)
    for i in range(n):
        pre = W[0] * X[i, 0]
        for j in range(1, d):
            pre = pre + W[j] * X[i, j]                                  # (c,)  <w_r, x_i>
        e = bits[0] * E[0, i]
        for l in range(1, p):
            e = e + bits[l] * E[l, i]                                   # (c,)  sum_l m^l_r e^l_i
        q = torch.where(pre >= 0, e, 0.0)                               # sigma'(0) := 1 (S-6)
        for j in range(d):
            G[j] = q * X[i, j] if G[j] is None else G[j] + q * X[i, j]
    W.add_(factor * torch.stack(G))                                     # (d, c), in place


def local_step(rows, code, X, e, scale):
    """One local GD step (S-6, line 6) of one subnetwork on its selected rows, and its new outputs.

    rows (d, s) = w^l_{k,t,r} of the s selected neurons, code (s,) their codes (for a_r), X (n, d),
    e (n,) = e^l_{k,t,i}, scale (1,) = -eta/sqrt m.  Returns rows' (d, s) = w^l_{k,t+1,r} and the unscaled
    output sum (n,) float64 = sum_r a_r sigma(<w^l_{k,t+1,r}, x_i>) (uhat^l_{k,t+1} = that / sqrt m over all
    blocks)."""
    sign = _sign(code, rows.dtype)                                      # (s,)  a_r
    d, n = rows.shape[0], X.shape[0]
    G = [None] * d
    for i in range(n):
        pre = rows[0] * X[i, 0]
        for j in range(1, d):
            pre = pre + rows[j] * X[i, j]                               # (s,)
        q = torch.where(pre >= 0, e[i], 0.0)                            # (s,)
        for j in range(d):
            G[j] = q * X[i, j] if G[j] is None else G[j] + q * X[i, j]
    new = rows + (scale[0] * sign) * torch.stack(G)                     # (d, s)
    out = []
    for i in range(n):
        pre = new[0] * X[i, 0]
        for j in range(1, d):
            pre = pre + new[j] * X[i, j]
        out.append((pre.clamp(min=0) * sign).to(torch.float64).sum())
    return new, torch.stack(out)                                        # (d, s), (n,)


# ------------------------------------------------------------------------------------------------------
# Selection: compiled (inductor) where it works, eager otherwise

_EAGER = {"outputs": outputs, "update_tau1": update_tau1, "local_step": local_step}
_COMPILED = {}
_PROBE = {}
_LOCK = threading.Lock()


def compile_available(device="cpu"):
    """Whether torch.compile (inductor) works here: compiles and runs a 3-line kernel once per process and
    device type (a missing C++ compiler or backend makes this False; the engine then runs eagerly)."""
    kind = torch.device(device).type
    with _LOCK:
        if kind not in _PROBE:
            try:
                W = torch.randn(2, 37, dtype=torch.float64, device=device)
                code = torch.randint(0, 4, (37,), dtype=torch.int32, device=device)
                X = torch.randn(3, 2, dtype=torch.float64, device=device)
                got = _quiet(_compile(outputs))(W, code, X, 2)
                _PROBE[kind] = bool(torch.allclose(got, outputs(W, code, X, 2), rtol=1e-12, atol=1e-12))
            except Exception:  # noqa: BLE001 -- any compile failure means: run eagerly
                _PROBE[kind] = False
    return _PROBE[kind]


def kernels(mode):
    """The kernel functions for ``mode`` 'eager' or 'compiled' (a dict: outputs, update_tau1, local_step).

    Compiled kernels are dynamic in the neuron count only (n, d, p are specialized when traced)."""
    if mode == "eager":
        return dict(_EAGER)
    with _LOCK:
        if not _COMPILED:
            import torch._dynamo
            # one trace per (n, d, p, dtype) in a process; tests and sweeps use a handful of them
            torch._dynamo.config.cache_size_limit = max(torch._dynamo.config.cache_size_limit, 64)
            _COMPILED.update({name: _fallback(_quiet(_compile(fn)), fn) for name, fn in _EAGER.items()})
    return dict(_COMPILED)


def _fallback(compiled, eager):
    """``compiled``, or ``eager`` from the first call on which compiling fails (a shape or dtype inductor
    cannot handle): the run goes on with the same formulas instead of stopping. Kernels mutate their
    input only after they ran, so a failed call leaves nothing half-done."""
    broken = []

    @functools.wraps(eager)
    def call(*args):
        if not broken:
            try:
                return compiled(*args)
            except Exception:  # noqa: BLE001 -- any compile failure: run this kernel eagerly from now on
                broken.append(True)
        return eager(*args)
    return call


def _compile(fn):
    with warnings.catch_warnings():                      # importing inductor warns (see _quiet)
        warnings.simplefilter("ignore")
        return torch.compile(fn, dynamic=True)


def _quiet(fn):
    """Call ``fn`` with warnings ignored: compiling imports torch modules that emit DeprecationWarnings,
    which a caller running under ``-W error`` (pytest's filterwarnings) would otherwise get as errors."""
    @functools.wraps(fn)
    def call(*args):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args)
    return call

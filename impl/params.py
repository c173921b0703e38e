"""Parameter validation and device/dtype resolution shared by the engine (scikit-learn message shape).

Every public engine function validates its scalar parameters here, so a bad value raises
:class:`maskverify.errors.InvalidParameterError` with one message of the form
"The 'xi' parameter of run must be a float in the range (0.0, 1.0]. Got 1.5 instead."
"""

from __future__ import annotations

import math
import numbers

import torch

from maskverify.errors import DeviceUnavailableError, invalid

#: dtype names accepted by the engine and the CLI. float64 is the default of every verification run.
DTYPES = {"float64": torch.float64, "float32": torch.float32}
DEFAULT_DTYPE = "float64"


def check_xi(xi, owner):
    """S-2 (Table 1, p.16; Theorem 3, p.8): xi in (0, 1]."""
    if isinstance(xi, bool) or not isinstance(xi, numbers.Real) or not math.isfinite(float(xi)) \
            or not 0.0 < float(xi) <= 1.0:
        raise invalid("xi", owner, "a float in the range (0.0, 1.0]", xi)
    return float(xi)


def check_int(value, name, owner, low):
    """An integer >= low (p, tau, m, n, d >= 1; K >= 0; trials >= 1)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < low:
        raise invalid(name, owner, f"an int in the range [{low}, inf)", value)
    return int(value)


def check_positive(value, name, owner):
    """A finite float > 0 (eta, kappa)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)) \
            or float(value) <= 0.0:
        raise invalid(name, owner, "a finite float in the range (0.0, inf)", value)
    return float(value)


def check_choice(value, name, owner, choices):
    if value not in choices:
        raise invalid(name, owner, f"one of {', '.join(map(repr, choices))}", value)
    return value


def resolve_dtype(dtype, owner="engine"):
    """'float64' / 'float32' / torch dtype -> torch dtype."""
    if isinstance(dtype, torch.dtype) and dtype in DTYPES.values():
        return dtype
    if isinstance(dtype, str) and dtype in DTYPES:
        return DTYPES[dtype]
    raise invalid("dtype", owner, "one of 'float64', 'float32'", dtype)


def resolve_device(device, owner="engine"):
    """'cpu' / 'cuda' / 'cuda:N' / torch.device -> torch.device; cuda without CUDA raises
    :class:`DeviceUnavailableError`. Verification runs disable TF32 so float32 matmuls are true float32."""
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        raise invalid("device", owner, "'cpu' or 'cuda' (optionally 'cuda:N')", device) from None
    if dev.type not in ("cpu", "cuda"):
        raise invalid("device", owner, "'cpu' or 'cuda' (optionally 'cuda:N')", device)
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise DeviceUnavailableError(f"The 'device' parameter of {owner} asks for {device!r}, but CUDA is "
                                         "not available on this machine (torch.cuda.is_available() is False).")
        disable_tf32()
    return dev


def disable_tf32():
    """Exact float32 arithmetic on GPUs: TF32 would round matmul inputs to 10 mantissa bits."""
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False


def as_tensor(value, name, owner, *, dtype, device, ndim=None, shape=None):
    """Convert an array-like to a tensor on (device, dtype); check rank, shape and finiteness."""
    try:
        t = torch.as_tensor(value)
    except (TypeError, ValueError, RuntimeError):
        raise invalid(name, owner, "an array of numbers", type(value).__name__) from None
    if t.dtype == torch.bool or not (t.is_floating_point() or t.dtype in (torch.int64, torch.int32,
                                                                        torch.int16, torch.int8, torch.uint8)):
        raise invalid(name, owner, "a real-valued array", str(t.dtype))
    t = t.to(device=device, dtype=dtype)
    if ndim is not None and t.dim() not in (ndim if isinstance(ndim, tuple) else (ndim,)):
        raise invalid(name, owner, f"an array with {ndim} dimensions", f"shape {tuple(t.shape)}")
    if shape is not None and tuple(t.shape[-len(shape):]) != tuple(shape):
        raise invalid(name, owner, f"an array of shape (..., {', '.join(map(str, shape))})",
                      f"shape {tuple(t.shape)}")
    if not bool(torch.isfinite(t).all()):
        raise invalid(name, owner, "an array of finite numbers", "an array containing nan or inf")
    return t


def as_mask(value, name, owner, *, device, shape_tail):
    """Convert a 0/1 (or bool) array to a bool tensor; check trailing shape and that entries are 0/1."""
    try:
        t = torch.as_tensor(value)
    except (TypeError, ValueError, RuntimeError):
        raise invalid(name, owner, "a 0/1 array", type(value).__name__) from None
    if tuple(t.shape[-len(shape_tail):]) != tuple(shape_tail) or t.dim() < len(shape_tail):
        raise invalid(name, owner, f"a 0/1 array of shape (..., {', '.join(map(str, shape_tail))})",
                      f"shape {tuple(t.shape)}")
    if t.dtype != torch.bool:
        if t.is_complex() or not bool(((t == 0) | (t == 1)).all()):
            raise invalid(name, owner, "an array with entries in {0, 1}", "other values")
        t = t != 0
    return t.to(device)

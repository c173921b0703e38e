"""Problem instances: generation from a :class:`~maskverify.impl.algorithm1.Config` and ``.npz`` files.

File format (``.npz``): ``X (n, d)`` finite, ``y (n,)`` finite, ``W0 (m, d)`` finite, ``a (m,)`` with entries
+-1 (S-1), optional ``masks (K, p, m)`` with entries 0/1 (they fix K and p).

Generated data (documented default; the paper's theorems assume ``||x_i|| = 1`` and bounded labels):
``x_i = g_i / ||g_i||`` with ``g_i ~ N(0, I_d)`` and ``y_i ~ Uniform[-1, 1]``, drawn on the CPU in float64
from ``torch.Generator().manual_seed(seed)`` in the order X, y, W0, a, masks (k = 0, 1, ...), then cast.
With ``trials = T`` the data are shared and ``W0 (T, m, d)``, ``a (T, m)``, ``masks (T, K, p, m)``.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass

import numpy as np
import torch

from maskverify.errors import InstanceFileError, InvalidParameterError
from maskverify.impl import masks as masks_mod
from maskverify.impl import network


@dataclass
class Instance:
    """X (n, d), y (n,), W0 ([T,] m, d), a ([T,] m), masks ([T,] K, p, m) bool or None."""

    X: torch.Tensor
    y: torch.Tensor
    W0: torch.Tensor
    a: torch.Tensor
    masks: torch.Tensor | None = None


def unit_data(n, d, generator):
    """x_i = g_i/||g_i||, g_i ~ N(0, I_d); y_i ~ Uniform[-1, 1]. -> X (n, d), y (n,) float64 on the CPU."""
    G = torch.randn(n, d, generator=generator, dtype=torch.float64)          # (n, d)
    X = G / torch.linalg.vector_norm(G, dim=1, keepdim=True)                  # (n, d) unit rows
    y = 2.0 * torch.rand(n, generator=generator, dtype=torch.float64) - 1.0   # (n,)
    return X, y


def generate(config, *, with_masks=True):
    """Draw an instance for ``config`` (fields n, d, m, p, K, xi, kappa, mask, seed, trials, device, dtype)."""
    from maskverify.impl.params import resolve_device, resolve_dtype
    dev, dt = resolve_device(config.device, "Config"), resolve_dtype(config.dtype, "Config")
    gen = torch.Generator().manual_seed(int(config.seed))
    X, y = unit_data(config.n, config.d, gen)
    T = None if config.trials == 1 else config.trials
    W0, a = network.init_weights(config.m, config.d, config.kappa, gen, trials=T)
    M = None
    if with_masks:
        if config.mask == "bernoulli":
            M = masks_mod.bernoulli_masks(config.K, config.p, config.m, config.xi, gen, trials=T)
        else:
            M = masks_mod.categorical_masks(config.K, config.p, config.m, gen, trials=T)
        M = M.to(dev)
    cast = dict(device=dev, dtype=dt)
    return Instance(X.to(**cast), y.to(**cast), W0.to(**cast), a.to(**cast), M)


def save(path, inst):
    """Write ``inst`` as ``.npz`` (float64 arrays, masks as uint8)."""
    arrays = {"X": inst.X.cpu().double().numpy(), "y": inst.y.cpu().double().numpy(),
              "W0": inst.W0.cpu().double().numpy(), "a": inst.a.cpu().double().numpy()}
    if inst.masks is not None:
        arrays["masks"] = inst.masks.cpu().numpy().astype(np.uint8)
    try:
        with open(path, "wb") as fh:
            np.savez(fh, **arrays)
    except OSError as exc:
        from maskverify.errors import OutputPathError
        raise OutputPathError(f"cannot write instance file {os.fspath(path)!r}: {exc.strerror}") from None


def load(path):
    """Read and validate an instance file; any problem raises :class:`InstanceFileError` with one message."""
    name = os.fspath(path)
    try:
        with np.load(name, allow_pickle=False) as z:
            data = {k: z[k] for k in z.files}
    except FileNotFoundError:
        raise InstanceFileError(f"instance file {name!r} does not exist") from None
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise InstanceFileError(f"instance file {name!r} is not a readable .npz file ({exc})") from None
    try:
        return validate(data)
    except InvalidParameterError as exc:
        raise InstanceFileError(f"instance file {name!r}: {exc}") from None


def validate(data):
    """Check a dict of arrays against the file format; returns a float64 CPU :class:`Instance`."""
    def bad(msg):
        return InvalidParameterError(msg)

    missing = [k for k in ("X", "y", "W0", "a") if k not in data]
    if missing:
        raise bad(f"missing array(s) {', '.join(missing)} (needs X, y, W0, a; optional masks)")
    extra = sorted(set(data) - {"X", "y", "W0", "a", "masks"})
    if extra:
        raise bad(f"unknown array(s) {', '.join(extra)}")
    arr = {}
    for k in ("X", "y", "W0", "a"):
        v = np.asarray(data[k])
        if v.dtype.kind not in "iuf":
            raise bad(f"array {k} must be real-valued, got dtype {v.dtype}")
        arr[k] = v.astype(np.float64)
        if not np.isfinite(arr[k]).all():
            raise bad(f"array {k} contains nan or inf")
    X, y, W0, a = arr["X"], arr["y"], arr["W0"], arr["a"]
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise bad(f"X must have shape (n, d) with n, d >= 1, got {X.shape}")
    n, d = X.shape
    if y.shape != (n,):
        raise bad(f"y must have shape ({n},) to match X, got {y.shape}")
    if W0.ndim != 2 or W0.shape[1] != d or W0.shape[0] < 1:
        raise bad(f"W0 must have shape (m, {d}) to match X, got {W0.shape}")
    m = W0.shape[0]
    if a.shape != (m,):
        raise bad(f"a must have shape ({m},) to match W0, got {a.shape}")
    if not np.isin(a, (-1.0, 1.0)).all():
        raise bad("a must have entries -1 or +1 (S-1)")
    M = None
    if "masks" in data:
        Mv = np.asarray(data["masks"])
        if Mv.ndim != 3 or Mv.shape[2] != m or Mv.shape[1] < 1:
            raise bad(f"masks must have shape (K, p, {m}) with p >= 1, got {Mv.shape}")
        if Mv.dtype.kind not in "biuf" or not np.isin(Mv, (0, 1)).all():
            raise bad("masks must have entries 0 or 1")
        M = torch.as_tensor(Mv.astype(bool))
    return Instance(*(torch.as_tensor(v) for v in (X, y, W0, a)), M)

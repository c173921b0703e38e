"""N-1..N-4 · finite-width, masked and infinite-width NTKs and lambda_0.

Every finite-width kernel is a sum over neurons, computed in chunks of neurons so that ``n`` up to a few
hundred and ``m`` up to 1e6 never allocate an ``n x n x m`` (or ``n x m`` per batch entry beyond
:data:`CHUNK_ELEMENTS`) array. Kernels accept a leading batch shape on ``W`` and ``mask`` (broadcast).
Ill-conditioning is reported as data (:func:`lambda_0` with ``return_info=True``), never as a warning.
"""

from __future__ import annotations

import math

import numpy as np
import torch

#: Upper bound on the elements of one activation chunk (batch x neurons x samples): ~32 MiB in float64.
CHUNK_ELEMENTS = 1 << 22


def _as_float(t, dtype=None):
    t = torch.as_tensor(t)
    return t.to(dtype or (t.dtype if t.is_floating_point() else torch.float64))


def _indicator_kernel(W, X, weights=None):
    """sum_r weights_r 1{<w_r,x_i> >= 0} 1{<w_r,x_j> >= 0}.  W (..., m, d), weights (..., m) -> (..., n, n)."""
    W = _as_float(W)
    X = _as_float(X, W.dtype).to(W.device)
    m, n = W.shape[-2], X.shape[0]
    batch = torch.broadcast_shapes(W.shape[:-2], () if weights is None else weights.shape[:-1])
    chunk = max(1, CHUNK_ELEMENTS // max(1, n * math.prod(batch)))
    acc = torch.zeros(*batch, n, n, dtype=W.dtype, device=W.device)
    for start in range(0, m, chunk):
        A = (W[..., start:start + chunk, :] @ X.T >= 0).to(W.dtype)          # (..., c, n)
        Aw = A if weights is None else A * weights[..., start:start + chunk, None].to(W.dtype)  # (..., c, n)
        acc = acc + Aw.transpose(-1, -2) @ A                                  # (..., n, n)
    return acc


def H(W, X, xi):
    """N-1 · p.6 — H(k)_{ij} = (xi/m) <x_i,x_j> sum_r 1{<w_{k,r},x_i> >= 0, <w_{k,r},x_j> >= 0}.

    W (..., m, d), X (n, d) -> (..., n, n). Carries the extra factor xi (p.6)."""
    W = _as_float(W)
    X = _as_float(X, W.dtype).to(W.device)
    return (xi / W.shape[-2]) * (X @ X.T) * _indicator_kernel(W, X)


def masked_H(W, X, mask):
    """N-2 · Definition 1, p.7 — (m^l o H(k,t))_{ij} = (1/m) <x_i,x_j> sum_r m^l_r 1{<w_r,x_i> >= 0, <w_r,x_j> >= 0}.

    No factor xi. W (..., m, d), mask (..., m) 0/1 (broadcast against W's batch) -> (..., n, n)."""
    W = _as_float(W)
    X = _as_float(X, W.dtype).to(W.device)
    mask = torch.as_tensor(mask, device=W.device).to(W.dtype)
    return (X @ X.T) * _indicator_kernel(W, X, mask) / W.shape[-2]


def _gram_and_cos(X):
    X = _as_float(X, torch.float64)
    G = X @ X.T                                                               # (n, n)
    norms = torch.linalg.vector_norm(X, dim=1)
    denom = torch.outer(norms, norms)
    cos = torch.where(denom > 0, G / torch.where(denom > 0, denom, 1.0), 0.0).clamp(-1.0, 1.0)
    return G, cos


def H_inf(X, xi):
    """N-3 · p.6 — H^inf_{ij} = xi E_{w~N(0,I)}[<x_i,x_j> 1{<w,x_i> >= 0, <w,x_j> >= 0}], closed form

    xi <x_i,x_j> (pi - arccos(cos_ij)) / (2 pi), cos_ij = <x_i,x_j>/(||x_i|| ||x_j||) clipped to [-1, 1]
    (for unit x_i this is the SPEC form with arccos(<x_i,x_j>); diagonal xi ||x_i||^2 / 2). -> (n, n) float64."""
    X = _as_float(X, torch.float64)
    G = X @ X.T                                                               # (n, n)
    U = X / torch.linalg.vector_norm(X, dim=1, keepdim=True).clamp_min(1e-300)
    # The angle by Kahan's formula 2 atan2(|u_i - u_j|, |u_i + u_j|): exactly 0 on the diagonal and accurate
    # for nearly parallel pairs, where arccos(<x_i,x_j>) loses half the digits (arccos(1 - 2^-52) ~ 2e-8,
    # which shifted lambda_0 by ~1e-9). Distances without the matmul shortcut, which cancels the same way.
    exact = "donot_use_mm_for_euclid_dist"
    angle = 2.0 * torch.atan2(torch.cdist(U, U, compute_mode=exact), torch.cdist(U, -U, compute_mode=exact))
    return xi * G * (math.pi - angle) / (2 * math.pi)


def H_inf_monte_carlo(X, xi, samples, generator, *, return_stderr=False):
    """N-3 · p.6 — Monte Carlo estimate of H^inf with ``samples`` draws w ~ N(0, I_d) from ``generator``
    (CPU ``torch.Generator``). Returns (n, n) float64, and the entrywise standard error if asked."""
    X = _as_float(X, torch.float64)
    n, d = X.shape
    G = X @ X.T
    total = torch.zeros(n, n, dtype=torch.float64)
    total_sq = torch.zeros(n, n, dtype=torch.float64)
    chunk = max(1, CHUNK_ELEMENTS // max(1, n * n))
    done = 0
    while done < samples:
        c = min(chunk, samples - done)
        A = (torch.randn(c, d, generator=generator, dtype=torch.float64) @ X.T >= 0).to(torch.float64)  # (c, n)
        total += A.T @ A                                                      # count of joint activations
        done += c
    mean = xi * G * total / samples
    if not return_stderr:
        return mean
    q = total / samples                                                       # Bernoulli frequency
    total_sq = (xi * G) ** 2 * q * (1 - q) / max(samples - 1, 1)
    return mean, total_sq.sqrt()


def lambda_min_batched(Hm):
    """Smallest eigenvalue of symmetric matrices (..., n, n), computed in float64 -> (...)."""
    Hm = Hm.to(torch.float64)
    return torch.linalg.eigvalsh(0.5 * (Hm + Hm.transpose(-1, -2)))[..., 0]


def lambda_0(X, xi, *, return_info=False):
    """N-4 · p.6, Theorem 1 — lambda_0 = lambda_min(H^inf), H^inf with its factor xi (N-3).

    With ``return_info=True`` returns a dict instead: ``lambda_0``, ``lambda_max``, ``condition_number``,
    ``duplicates`` (pairs i < j with x_i, x_j parallel, cos >= 1 - 1e-12: then H^inf is singular),
    ``antipodal_pairs`` (pairs with cos <= -1 + 1e-12) and ``antipodal_rank_deficit`` (their number minus the
    rank of one representative per pair: x 1{<w,x> >= 0} - (-x) 1{<w,-x> >= 0} = x, so more antipodal pairs than
    the rank of their directions -- e.g. more than d pairs -- make the feature maps dependent and H^inf
    singular), ``structurally_singular`` (duplicates or a rank deficit), ``ill_conditioned`` (lambda_0 <=
    n * eps * lambda_max, i.e. numerically zero). No warning is ever emitted, so callers running under
    ``filterwarnings=error`` stay quiet."""
    Hm = H_inf(X, xi).numpy()
    eig = np.linalg.eigvalsh(0.5 * (Hm + Hm.T))
    lam0, lam_max = float(eig[0]), float(eig[-1])
    if not return_info:
        return lam0
    _, cos = _gram_and_cos(X)
    n = cos.shape[0]
    dup = int(torch.triu(cos >= 1 - 1e-12, diagonal=1).sum()) if n > 1 else 0
    anti = torch.nonzero(torch.triu(cos <= -1 + 1e-12, diagonal=1)) if n > 1 else torch.zeros((0, 2), dtype=torch.long)
    reps = _as_float(X, torch.float64)[anti[:, 0]] if len(anti) else None                   # (pairs, d)
    deficit = int(len(anti) - torch.linalg.matrix_rank(reps, rtol=1e-9)) if reps is not None else 0
    tiny = n * float(np.finfo(np.float64).eps) * max(abs(lam_max), 1e-300)
    return {"lambda_0": lam0, "lambda_max": lam_max,
            "condition_number": (lam_max / lam0) if lam0 > tiny else math.inf,
            "duplicates": dup, "antipodal_pairs": int(len(anti)), "antipodal_rank_deficit": deficit,
            "structurally_singular": bool(dup > 0 or deficit > 0), "ill_conditioned": bool(lam0 <= tiny)}

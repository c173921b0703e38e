"""Trajectory records of :func:`maskverify.impl.algorithm1.run` (opt-in quantities, S-7 / Fig 2(a)).

Shapes use ``T`` trials, ``K`` global steps, ``p`` subnetworks, ``tau`` local steps; entries after a
trial stopped (divergence) are nan.
"""

from __future__ import annotations

import torch

from maskverify.impl import network


def act_changes(W, W_init, X):
    """Number of (i, r) with 1{<w_{k,r}, x_i> >= 0} != 1{<w_{0,r}, x_i> >= 0}. -> (T,) int64."""
    return (network.activation_pattern(W, X) != network.activation_pattern(W_init, X)).sum((-1, -2))


def collect(rec, act_changes, ntk_full, loss, y, want, T, K, p, tau):
    """Assemble the requested records from per-step lists (``rec``: uhat, dist_*, ntk_masked per step)."""
    out = {}
    nan = float("nan")

    def pad(parts, shape, dtype=None):
        full = torch.full((T, K, *shape), nan, dtype=dtype or loss.dtype, device=loss.device)
        if parts:
            full[:, : len(parts)] = torch.stack(parts, 1)
        return full

    if "subnet_loss" in want:
        sub = pad([network.loss(u, y) for u in rec["uhat"]], (p, tau + 1))            # (T, K, p, tau+1)
        out["subnet_loss"] = sub
        if "phases" in want:
            out["phases"] = {"after_resampling": sub[..., 0].mean(-1), "after_local": sub[..., tau].mean(-1),
                             "after_aggregation": loss[:, 1:]}
    if "distances" in want:
        out["dist_init"] = pad(rec["dist_init"], (p, tau + 1))
        out["dist_local"] = pad(rec["dist_local"], (p, tau + 1))
    if "act_changes" in want:
        out["act_changes"] = torch.stack(act_changes, 1)                               # (T, steps+1)
    if "ntk" in want:
        out["lambda_min_H"] = torch.stack(ntk_full, 1)                                 # (T, steps+1)
        out["lambda_min_masked_H"] = pad(rec["ntk_masked"], (p,))                      # (T, K, p)
    return out


def squeeze(result):
    """Drop the trial axis of a RunResult computed for unbatched inputs."""
    def sq(v):
        if isinstance(v, dict):
            return {k: sq(x) for k, x in v.items()}
        return v[0] if isinstance(v, torch.Tensor) else v
    return type(result)(loss=result.loss[0], W=result.W[0], diverged_at=result.diverged_at[0],
                        records=sq(result.records), seconds=result.seconds)

"""Figures of the report (matplotlib, Agg backend): Figure 2 (a)-(c) reproduced, empirical loss against a
proved envelope, and vacuity ratios B_1 / L_0 over widths.

Every function writes its PNG atomically (render to memory, then :func:`maskverify.properties.framework.atomic.
write_bytes_atomic`: temporary file + ``os.replace``), so an interrupted run never leaves a half-written
figure. Axes are titled, log-scaled where the data span decades, with legends and colorbars.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import LogNorm  # noqa: E402

from maskverify.properties.framework.atomic import write_bytes_atomic  # noqa: E402

__all__ = ["plot_phase_dynamics", "plot_heatmap", "plot_heatmap_row", "plot_envelope", "plot_vacuity"]


def _save(fig, path):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120, bbox_inches="tight")
    plt.close(fig)
    write_bytes_atomic(path, buf.getvalue())
    return str(path)


def _spans_decades(values, decades=1.0):
    v = np.asarray(values, float)
    v = v[np.isfinite(v) & (v > 0)]
    return v.size > 1 and np.log10(v.max() / v.min()) >= decades


def _note(fig, note):
    if note:
        fig.text(0.01, -0.02, note, fontsize=7, ha="left", va="top", wrap=True)


def plot_phase_dynamics(path, curves, *, title, note=""):
    """Figure 2(a): loss against total training steps (log y), mean line and mean -/+ sd band per curve.

    ``curves``: label -> {"x", "mean", "lo", "hi", "phase"}; ``phase[i]`` in {'start', 'resampling',
    'local', 'aggregation'} marks the three phases of the paper's annotations (1) local, (2) aggregation,
    (3) resampling (markers on the first curve)."""
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (label, c) in enumerate(curves.items()):
        col = colors[i % len(colors)]
        ax.plot(c["x"], c["mean"], color=col, lw=1.2, label=label)
        ax.fill_between(c["x"], c["lo"], c["hi"], color=col, alpha=0.2, lw=0)
        if i == 0:
            ph = np.asarray(c["phase"])
            for name, mk, lab in (("resampling", "^", "(3) after re-sampling"),
                                  ("aggregation", "v", "(2) after aggregation")):
                sel = ph == name
                ax.plot(np.asarray(c["x"])[sel], np.asarray(c["mean"])[sel], mk, color="k", ms=4, ls="none",
                        label=lab)
    ax.set_yscale("log")
    ax.set_xlabel("Total Training Steps (re-sampling, tau local steps (1), aggregation)")
    ax.set_ylabel("Training Error ||y - u||^2 (log scale)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="upper right")
    ax.grid(True, which="both", alpha=0.3)
    _note(fig, note)
    return _save(fig, path)


def _heat(ax, M, ps, cols, *, xlabel, ylabel, title, cbar_label, fig):
    M = np.asarray(M, float)
    finite = M[np.isfinite(M) & (M > 0)]
    norm = LogNorm(vmin=finite.min(), vmax=finite.max()) if _spans_decades(finite) else None
    im = ax.imshow(M, cmap="YlGnBu", aspect="auto", origin="upper", norm=norm)
    ax.set_xticks(range(len(cols)), [f"{c:g}" for c in cols], fontsize=8)
    ax.set_yticks(range(len(ps)), [str(p) for p in ps], fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=9)
    cb = fig.colorbar(im, ax=ax)
    cb.set_label(cbar_label + (" (log color scale)" if norm is not None else ""), fontsize=8)
    return im


def plot_heatmap(path, M, ps, cols, *, xlabel, ylabel, title, cbar_label, note=""):
    """Figure 2(b)/(c): trial-mean final loss ``M (len(ps), len(cols))``; darker = larger (as in the paper)."""
    fig, ax = plt.subplots(figsize=(6, 4.6))
    _heat(ax, M, ps, cols, xlabel=xlabel, ylabel=ylabel, title=title, cbar_label=cbar_label, fig=fig)
    _note(fig, note)
    return _save(fig, path)


def plot_heatmap_row(path, grids, *, xlabel, ylabel, title, cbar_label):
    """Several heatmaps side by side (e.g. Figure 2(c) under each convention), one colorbar each.
    ``grids``: panel title -> (M (len(ps), len(cols)), ps, cols)."""
    fig, axes = plt.subplots(1, len(grids), figsize=(5.4 * len(grids), 4.2), squeeze=False, layout="constrained")
    for ax, (name, (M, ps, cols)) in zip(axes[0], grids.items()):
        _heat(ax, M, ps, cols, xlabel=xlabel, ylabel=ylabel, title=name, cbar_label=cbar_label, fig=fig)
    fig.suptitle(title, fontsize=10)
    return _save(fig, path)


def plot_envelope(path, losses, envelope, title, regime_note=""):
    """Empirical loss against a proved envelope ``c^k L_0 + B_1`` (c: the contraction per global step).

    ``losses (T, K+1)``: per mask stream / trial; drawn as the mean with the min-max band. ``envelope
    (K+1,)``. Log y-axis when the values span a decade or more."""
    L = np.atleast_2d(np.asarray(losses, float))
    env = np.asarray(envelope, float)
    k = np.arange(L.shape[1])
    fig, ax = plt.subplots(figsize=(6.4, 4))
    with np.errstate(all="ignore"):
        mean = np.nanmean(L, 0)
        lo, hi = np.nanmin(L, 0), np.nanmax(L, 0)
    ax.fill_between(k, lo, hi, color="C0", alpha=0.2, lw=0, label=f"empirical min-max ({L.shape[0]} runs)")
    ax.plot(k, mean, color="C0", lw=1.5, label="empirical mean ||y - u_k||^2")
    ax.plot(np.arange(env.size), env, color="C3", ls="--", lw=1.5, label="proved envelope c^k L_0 + B_1")
    if _spans_decades(np.concatenate([mean, env])):
        ax.set_yscale("log")
    ax.set_xlabel("global iteration k")
    ax.set_ylabel("loss ||y - u_k||^2")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    _note(fig, regime_note)
    return _save(fig, path)


def plot_vacuity(path, widths, ratios, title="B_1 / L_0 against width m", note=""):
    """Vacuity ratios B_1 / L_0 over widths (log-log); the line ratio = 1 marks where the bound starts to
    say something. ``ratios``: an array aligned with ``widths`` or a dict label -> array."""
    fig, ax = plt.subplots(figsize=(6.4, 4))
    series = ratios if isinstance(ratios, dict) else {"B_1 / L_0": ratios}
    w = np.asarray(widths, float)
    for label, r in series.items():
        ax.plot(w, np.asarray(r, float), marker=".", label=label)
    ax.axhline(1.0, color="k", ls=":", lw=1, label="ratio = 1 (vacuous above)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("width m")
    ax.set_ylabel("B_1 / L_0")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    _note(fig, note)
    return _save(fig, path)

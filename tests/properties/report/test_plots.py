"""Tests of maskverify.properties.report.plots (Figure 2 panels, envelope and vacuity plots; atomic PNG writes)."""

import os

import numpy as np
import pytest

from maskverify.properties.report import plots

PNG = b"\x89PNG\r\n\x1a\n"


def _is_png(path):
    with open(path, "rb") as fh:
        return fh.read(8) == PNG


def test_plot_envelope_and_vacuity_write_pngs_atomically(tmp_path):
    """Envelope (T, K+1) losses vs (K+1,) envelope; vacuity ratios over widths; no temp files left."""
    k = np.arange(11)
    losses = 5.0 * 0.7 ** k[None, :] * (1 + 0.1 * np.random.default_rng(0).random((4, 11)))
    p1 = plots.plot_envelope(tmp_path / "env.png", losses, 6.0 * 0.9 ** k + 0.5, "case", "inside: NO")
    p2 = plots.plot_vacuity(tmp_path / "vac.png", np.logspace(1, 9, 9), np.logspace(6, -2, 9), title="t")
    p3 = plots.plot_vacuity(tmp_path / "vac2.png", [10, 100], {"a": [3.0, 0.5], "b": [1.0, 2.0]})
    assert all(_is_png(p) for p in (p1, p2, p3))
    assert sorted(os.listdir(tmp_path)) == ["env.png", "vac.png", "vac2.png"]


def test_heatmaps_and_phase_plot(tmp_path):
    """E-2, E-3, E-4 panels render (including nan cells from diverged runs)."""
    M = np.array([[1.0, 0.5, np.nan], [0.2, 0.1, 0.05]])
    assert _is_png(plots.plot_heatmap(tmp_path / "h.png", M, [1, 2], [0.1, 0.5, 1.0], xlabel="xi", ylabel="p",
                                      title="t", cbar_label="loss"))
    grids = {"A": (M, [1, 2], [1, 2, 3]), "B": (M[:1, :2], [1], [1, 2])}
    assert _is_png(plots.plot_heatmap_row(tmp_path / "r.png", grids, xlabel="tau", ylabel="p", title="t",
                                          cbar_label="loss"))
    x = np.arange(5)
    curve = {"x": x, "mean": np.array([1, 2, 1, 0.5, 0.4]), "lo": np.full(5, 0.3), "hi": np.full(5, 3.0),
             "phase": ["start", "resampling", "local", "local", "aggregation"]}
    assert _is_png(plots.plot_phase_dynamics(tmp_path / "a.png", {"Probability: 0.5": curve}, title="t"))


def test_log_scale_rule():
    """Log axes only where the data span at least a decade."""
    assert plots._spans_decades([0.01, 0.5]) and not plots._spans_decades([0.2, 0.5])
    assert not plots._spans_decades([np.nan, 1.0])


def test_interrupted_write_leaves_no_file(tmp_path, monkeypatch):
    """An exception while writing leaves neither the target nor a temporary file."""
    from maskverify.properties.framework import atomic

    def boom(fh_self, data):
        raise KeyboardInterrupt

    class Boom:
        def __init__(self, *a, **k):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *a):
            return False

        write = boom

    monkeypatch.setattr(atomic.os, "fdopen", lambda fd, mode: (os.close(fd), Boom())[1])
    with pytest.raises(KeyboardInterrupt):
        plots.plot_vacuity(tmp_path / "v.png", [1, 10], [2.0, 1.0])
    assert os.listdir(tmp_path) == []

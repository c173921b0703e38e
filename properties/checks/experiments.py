"""E-1..E-4 · Sec 5, p.10, Figure 2: the paper's experiments as verdicts.

The runs, trend statistics and studies live in :mod:`maskverify.properties.figure2.experiments`; this module
only registers the items and turns each study into an Outcome.
"""

from __future__ import annotations

from maskverify.properties.figure2 import experiments as ex
from maskverify.properties.figure2 import protocols  # noqa: F401  (registers the all-protocols evaluator for replay)
from maskverify.properties.framework import verdicts as V
from maskverify.properties.framework.registry import Context, item


def _empirical(out):
    """Severity of a failing Figure 2 claim: the paper's empirical statement fails on the recomputed runs; it is
    a remark on Figure 2, not a premise of any theorem."""
    return V.classify(out, V.STATEMENT, "none: an empirical remark on Figure 2, not used by any proof")


def _study(ctx):
    shared = Context(profile=ctx.profile, seed=ctx.seed, item_id="E")
    seed = shared.int_seed("experiments") % (2**31)
    return ex.Study.make(ctx.profile, seed, ctx.alpha)


@item("E-1", title="stated setup of Figure 2 vs the data actually loaded", source="Sec 5, p.10", kind="claim")
def check_E1_setup(ctx):
    """E-1 · p.10 — "This dataset has 128 features; we take a subset of 100 samples": computed facts of the
    loaded subset (attribute count, n, unit norms, label bound, lambda_min > 0) and the list of unstated
    choices."""
    return ex.e1_outcome(_study(ctx).seed, ex.sizes_for(ctx.profile).n, ctx.alpha)


@item("E-2(1)", title="Fig 2(a): local training decreases the loss smoothly", source="Sec 5, p.10", kind="claim")
def check_E2_1_local(ctx):
    """E-2(1) · p.10 — "A smooth decrease of training error ... subnetworks' local training": per local step,
    the mean subnetwork loss decreases (Clopper-Pearson over transitions; legend xi, Bernoulli masks)."""
    return _empirical(ex.e2_item(_study(ctx), "1"))


@item("E-2(2)", title="Fig 2(a): aggregation decreases the loss suddenly", source="Sec 5, p.10", kind="claim")
def check_E2_2_aggregation(ctx):
    """E-2(2) · p.10 — "The sudden decrease of training error ... aggregation": ||y - u_{k+1}||^2 below the
    mean subnetwork loss after local training, per transition and in expectation; eta and kappa (unstated)
    decide it, so it is decided across the protocol sweep (violated only if violated under every protocol)."""
    return _empirical(ex.e2_item(_study(ctx), "2"))


@item("E-2(3)", title="Fig 2(a): re-sampling increases the loss", source="Sec 5, p.10", kind="claim")
def check_E2_3_resampling(ctx):
    """E-2(3) · p.10 — "The increase of training error ... re-sampling subnetworks": the mean subnetwork
    loss right after sampling exceeds ||y - u_k||^2, per transition and in expectation."""
    return _empirical(ex.e2_item(_study(ctx), "3"))


@item("E-2", title="Fig 2(a): the three phases of the training-error dynamics", source="Sec 5, p.10",
      kind="claim")
def check_E2_dynamics(ctx):
    """E-2 · p.10, Figure 2(a) — the three phase claims together (combine of E-2(1), (2), (3))."""
    return _empirical(ex.e2_whole(_study(ctx)))


@item("E-3", title="Fig 2(b): Bernoulli heatmap, loss decreases in xi and in p", source="Sec 5, p.10",
      kind="claim")
def check_E3_bernoulli_heatmap(ctx):
    """E-3 · p.10, Figure 2(b) — at fixed p the loss decreases in xi; at fixed xi it decreases in p."""
    return _empirical(ex.e3_item(_study(ctx)))


@item("E-4", title="Fig 2(c): categorical heatmap, loss increases in p and in tau", source="Sec 5, p.10",
      kind="claim")
def check_E4_categorical_heatmap(ctx):
    """E-4 · p.10, Figure 2(c) — the loss increases in p (at fixed tau) and in tau (at fixed p); decided across
    the conventions (fixed (eta, K) as stated, fixed K*tau, eta/tau) and alternative settings: violated only
    if violated under every one and the figure is consistent with its stated protocol; the figure's own p = 1
    row against S-8(b) in ``internal_consistency``."""
    return _empirical(ex.e4_item(_study(ctx)))

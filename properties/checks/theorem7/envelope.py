"""T-8 · Theorem 7 (p.9; explicit forms p.43-45) — the envelope on training runs (issue 8).

Categorical masks (xi = 1/p), eta <= lambda_0/(4n^2) (C-10), width max{p.9, p.45} with unit constants,
gamma = 1/2 (p.9); the envelope is p.44's first form per initialisation:
``||y - u_k||^2 (mean over mask sequences) <= (gamma + (1 - gamma)(1 - eta lambda_0/2)^tau)^k ||y - u_0||^2 + B_1``.
Machinery: :mod:`maskverify.properties.checks.shared.envelopes`.
"""

from __future__ import annotations

from maskverify.properties.checks.shared import envelopes as EN


def envelope_T8(ctx):
    """T-8 · Theorem 7 · p.9 — Hypothesis-drawn instances inside the hypotheses, run and tested."""
    return EN.envelope_check(ctx, "T-8")


def main_outcome(ctx, forms):
    """T-8's verdict: the envelope (its conclusion); the forms/proof-gap check can only make it worse."""
    return EN.with_envelope(envelope_T8(ctx), forms, other_name="forms_and_proof_width",
                            other_reason="identities between printed forms and the proof's width gap (C-15) say "
                                         "nothing about training runs")

"""T-4 · Theorem 3 (p.8) — inequality (7) on training runs inside the hypotheses (issue 8).

Bernoulli masks under the reference constant profile: eta = eta_fraction x the explicit step of the proof
(C-9: min{lambda_0/(4n^2), lambda_0/(16(tau-1)n^2), lambda_0/(48 n tau max{n,p})}), m >= the base case C-5
solved for m (C-13 derived), Lemma 23's width, m >= p, 1/xi. Those widths are 1e10 and more at every
informative instance, so the verdict is normally ``inconclusive`` with ``would_decide``; the same search under
the main text's unit constants (eta = lambda_0/(max{n,p} n tau), (6)) runs beside it as evidence only
(``evidence["beside"]``). The envelope per initialisation (the expectation of (7) is over the masks only):
``E_{[M]} ||y - u_k||^2 <= (1 - eta theta tau lambda_0/4)^k ||y - u_0||^2 + B_1``.
Machinery: :mod:`maskverify.properties.checks.shared.envelopes`.
"""

from __future__ import annotations

import math

from maskverify.properties.checks.shared import envelopes as EN
from maskverify.theory import envelope_forms as EF


def would_decide_T4():
    """What would decide (7) with xi < 1 in the paper's own regime (kappa = n^{-1/2}, eta at the largest
    admissible step): width, memory and steps, computed at n = d = 2 (orthonormal), p = 2, tau = 1, delta = 1/2."""
    rows = []
    for xi in (0.9, 0.75, 0.5):
        for ef in (1.0, 0.1):
            lam = xi / 2
            K = 1
            s = EF.setup("T-4", n=2, d=2, p=2, xi=xi, tau=1, K=K, kappa=2**-0.5, delta=0.5, lambda_0=lam,
                         eta_fraction=ef)
            K = max(1, math.ceil(math.log(0.99) / math.log1p(-s["alpha"])))   # (1 - alpha)^K < 0.99
            s = EF.setup("T-4", n=2, d=2, p=2, xi=xi, tau=1, K=K, kappa=2**-0.5, delta=0.5, lambda_0=lam,
                         eta_fraction=ef)
            rows.append({"xi": xi, "eta_fraction": ef, "K_for_contraction_0.99": K, "m_required": s["m_required"],
                         "B_1": s["error"], "peak_bytes_algorithm1": EF.algorithm1_bytes(s["m"], 2, 2, 2, xi,
                                                                                         "bernoulli"),
                         "steps_until_envelope_halves": EF.steps_to_leave(s["alpha"], 1.0, s["error"])})
    return {"regime": "kappa = n^{-1/2} (p.8), n = d = 2 orthonormal, p = 2, tau = 1, delta = 1/2, reference "
                      "constant profile (C-9 step, C-13 derived width)",
            "table": rows,
            "reading": "B_1 is informative (B_1 < L_0 ~ ||y||^2) only where eta theta (theta - xi^2) n^3 kappa^2/lambda_0 "
                       "is small: a small eta (slow rate, more steps, width ~ K^3) or a small kappa (Theorem 3 lets "
                       "kappa <= 1 free; the envelope strategies draw kappa = 0.2 first)"}


def envelope_T4(ctx):
    return EN.envelope_check(ctx, "T-4", would_decide=would_decide_T4())


def main_outcome(ctx, well_formed):
    """T-4's verdict: (7) on runs inside the hypotheses; well-formedness cannot fail and is only evidence."""
    return EN.with_envelope(envelope_T4(ctx), EN.cannot_fail(well_formed, "the statement is well formed by "
                                                             "construction"),
                            other_name="well_formedness", other_reason="cannot fail: known symbols, B_1 >= 0, "
                            "0 < rate < 1 and a finite solution of (6) hold by construction")


def outcome_T4a(ctx, symbolic):
    """T-4(a) (linear decrease to the region B_1): the same runs; 'rate in (0,1)' is necessary, cannot fail,
    and is kept as evidence only."""
    return EN.with_envelope(envelope_T4(ctx), EN.cannot_fail(symbolic, "0 < alpha < 1 at every admissible eta"),
                            other_name="rate_in_(0,1)", other_reason="cannot fail at admissible eta")

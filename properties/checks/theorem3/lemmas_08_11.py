"""L-8..L-11 · Lemmas 8-11 (p.29-31): expectation of the mixing function and gradient (L-8, L-9, exact over
every mask) and the per-neuron mask bounds (L-10, L-11, exact conditional expectations at Gaussian and
adversarial admissible weights, every printed form of the hypothesis).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from maskverify.properties.checks.shared.mask_bounds import _run_bound
from maskverify.properties.checks.shared.mask_claims import RTOL, _run_mask_claim
from maskverify.properties.checks.shared.net_identities import (
    _NET_XI,
    _case_float,
    _net_instances,
    _run_net_identity,
    _run_per_mask,
    _unit_rows,
)
from maskverify.properties.framework import verdicts as V
from maskverify.properties.framework.registry import item
from maskverify.properties.oracles import exact_masks as E


@item("L-10(a)", title="conditional cross terms vanish", source="Lemma 10 proof, p.30", kind="identity")
def check_L10a_cross(ctx):
    return _run_mask_claim(ctx, "L-10(a)", note="closed form 0: given column r the columns r1, r2 are "
                                               "independent with E[nu | column r] = xi; enumeration of 3 columns "
                                               "where 3p <= enum_pm")


@item("L-10(b)", title="Var(nu|N=1) = E[(nu - xi)^2 | N=1]", source="Lemma 10 proof, p.30", kind="identity")
def check_L10b_var(ctx):
    return _run_mask_claim(ctx, "L-10(b)")


@item("L-10(c)", title="r'=r term by Lemma 26, r'!=r terms by Lemma 28", source="Lemma 10 proof, p.30",
      kind="bound")
def check_L10c_terms(ctx):
    return V.classify(_run_mask_claim(
        ctx, "L-10(c)",
        note="The chain of p.30 is a conditional expectation given N^perp=1, so the r'=r term it needs is "
             "E[(nu_rr - xi)^2 | N=1] = (1-xi)^2; Lemma 26 bounds the unconditional E[(nu_rr - xi)^2] "
             "(checked under L-26). The r'!=r terms use Lemma 28's value as an upper bound."),
        V.PROOF_GAP, _T4_USES.format("Lemma 10"), to=("L-10",))


#: Consequence of a failure in the per-neuron lemmas (L-10, L-11), which Theorem 3's proof (p.26) uses as printed.
_T4_USES = ("{} fails under its own hypotheses (admissible worst cases; at Gaussian initialisation only at small m); "
            "Theorem 3's proof (p.26) uses it as printed, so its conclusion is not established by the printed proof "
            "(T-4 itself is not refuted)")


def _reduction_values(item_id, p, W, a, X, y, xi):
    """Per-neuron Bin reduction for wide networks: by linearity E[f^{(i)}_{k,r}] needs only E[nu_rr'] (r' != r)
    and E[nu_rr], obtained by enumerating the two columns m_{k,r}, m_{k,r'} (2^(2p) patterns), any m."""
    m = W.shape[0]
    xi_f, th = float(xi), float(E.theta_of(p, xi))
    e_nu, e_nurr = float(E.enum_expect(p, 2, "nu", xi)), float(E.enum_expect(p, 2, "nurr", xi))
    sig = E.net_sigma(W, X)                                         # (m, n)
    asig = a[:, None] * sig
    Ef = (e_nu * (asig.sum(0)[None, :] - asig) + e_nurr * asig) / math.sqrt(m)   # (m, n)
    if item_id == "L-8":
        return Ef, th * E.net_u(W, a, X, xi_f)[None, :] + th * (1 - xi_f) / math.sqrt(m) * asig
    act = (W @ X.T >= 0).astype(float)
    Eg = ((Ef - th * y[None, :]) * a[:, None] * act) @ X / math.sqrt(m)          # (m, d)
    return Eg, th / xi_f * E.net_full_grad(W, a, X, y, xi_f) + th * (1 - xi_f) / m * (sig @ X)


@V.evaluator
def replay_reduction(item, p, W, a, X, y, xi):
    """Evaluator of the per-neuron reduction check of L-8 / L-9 (float64, rtol 1e-12)."""
    W, a, X, y = (np.asarray(v, float) for v in (W, a, X, y))
    lhs, rhs = _reduction_values(item, int(p), W, a, X, y, E.q(xi))
    args = {"item": item, "p": int(p), "W": W.tolist(), "a": a.tolist(), "X": X.tolist(), "y": y.tolist(),
            "xi": E.qs(xi)}
    return V.from_cases([_case_float(item, replay_reduction, args, lhs, rhs)], method="exact-enumeration",
                        covered={"p": p, "m": W.shape[0]})


def _run_with_reduction(ctx, item_id):
    """Full enumeration over M_k for small p m, plus the per-neuron reduction for m up to profile.max_m."""
    full = _run_net_identity(ctx, item_id, ("bernoulli",))
    rng = ctx.rng("reduction")
    cases, widths, worst = [], [], 0.0
    for m in sorted({16, 64, ctx.profile.max_m}):
        W, a, X, y = rng.standard_normal((m, 3)), rng.choice([-1.0, 1.0], m), _unit_rows(rng, 4, 3), \
            rng.standard_normal(4)
        for p in range(1, ctx.profile.enum_pm // 2 + 1):
            for xi in _NET_XI:
                lhs, rhs = _reduction_values(item_id, p, W, a, X, y, xi)
                args = {"item": item_id, "p": p, "W": W.tolist(), "a": a.tolist(), "X": X.tolist(),
                        "y": y.tolist(), "xi": E.qs(xi)}
                cs = _case_float(item_id, replay_reduction, args, lhs, rhs)
                worst = max(worst, RTOL - cs[1])
                cases.append(cs)
        widths.append(m)
    red = V.from_cases(cases, method="exact-enumeration (two columns) + linearity",
                       covered={"m": widths, "p": f"1..{ctx.profile.enum_pm // 2}", "n": 4, "d": 3,
                                "xi": [E.qs(x) for x in _NET_XI]},
                       evidence={"max_relative_error": worst})
    out = V.combine([full, red], method="exact-enumeration")
    out.evidence.update({"full_enumeration": full.evidence, "per_neuron_reduction": red.evidence})
    out.regime = full.regime
    return out


@item("L-8", title="E[f_{k,r}] = theta u + theta(1-xi) a_r sigma_r/sqrt m", source="Lemma 8, p.29", kind="identity")
def check_L8_mixing_mean(ctx):
    return _run_with_reduction(ctx, "L-8")


@item("L-8(a)", title="E[f_{k,r} | N^perp=0] = 0", source="Lemma 8 proof, p.29", kind="identity")
def check_L8a_given_zero(ctx):
    return _run_net_identity(ctx, "L-8(a)", ("bernoulli",),
                             evidence={"note": "xi = 1 has P(N^perp=0) = 0; the conditional is then vacuous and "
                                               "compared as 0 = 0"})


@item("L-8(b)", title="E[f_{k,r} | N^perp=1]", source="Lemma 8 proof, p.29", kind="identity")
def check_L8b_given_one(ctx):
    return _run_net_identity(ctx, "L-8(b)", ("bernoulli",))


@item("L-9", title="E[g_{k,r}] = (theta/xi) dL/dw_r + theta(1-xi)/m sum_i x_i sigma", source="Lemma 9, p.29",
      kind="identity")
def check_L9_mixing_grad(ctx):
    out = _run_with_reduction(ctx, "L-9")
    out.evidence["bias_study_p3"] = _L9_bias_study(ctx)
    return out


def _L9_bias_study(ctx):
    """p.3 claim: the first-step aggregated gradient is biased, 'with the bias term decreasing as the number of
    subnetworks grows'. E[g_{k,r}] = (theta/xi) G_r + theta (1-xi) B_r (Lemma 9, verified above by enumeration),
    with G the full gradient and B_r = (1/m) sum_i x_i sigma(<w_r,x_i>); theta = 1 - (1-xi)^p."""
    insts = _net_instances(ctx.int_seed("nets"), ctx.profile.enum_pm, 6)
    readings = {"E[g] - dL/dw": lambda th, xi, G, B: (th / xi - 1) * G + th * (1 - xi) * B,
                "E[g] - (theta/xi) dL/dw": lambda th, xi, G, B: th * (1 - xi) * B,
                "(xi/theta) E[g] - dL/dw": lambda th, xi, G, B: xi * (1 - xi) * B}
    out = {}
    for xi in (Fraction(1, 10), Fraction(1, 2), Fraction(9, 10)):
        xf = float(xi)
        for name, fn in readings.items():
            trend = {"decreasing_in_p": 0, "increasing_in_p": 0, "constant_in_p": 0, "non_monotone": 0}
            example = None
            for _p0, m, W, a, X, y in insts:
                G = E.net_full_grad(W, a, X, y, xf)
                B = E.net_sigma(W, X) @ X / m
                vals = [float(np.linalg.norm(fn(float(E.theta_of(p, xi)), xf, G, B)))
                        for p in range(1, ctx.profile.p_max + 1)]
                dif = np.diff(vals)
                scale = max(max(vals), 1e-300)
                if np.all(np.abs(dif) <= 1e-12 * scale):
                    trend["constant_in_p"] += 1
                elif np.all(dif <= 1e-12 * scale):
                    trend["decreasing_in_p"] += 1
                elif np.all(dif >= -1e-12 * scale):
                    trend["increasing_in_p"] += 1
                else:
                    trend["non_monotone"] += 1
                if example is None:
                    example = [round(v, 6) for v in vals[:10]]
            out[f"xi={xi}: ||{name}||_F"] = {**trend, "first_instance_p=1..10": example}
    out["p_range"] = f"1..{ctx.profile.p_max}"
    out["readings_decreasing_in_p_for_every_instance"] = sorted(
        {k.split(": ", 1)[1] for k, v in out.items() if isinstance(v, dict) and v["decreasing_in_p"] == len(insts)})
    out["conclusion_rule"] = "the p.3 claim is supported by a reading only if its bias decreases in p"
    return out


@item("L-11(c)", title="g = (1/sqrt m) sum_i (f - u) a N x 1 + (N/xi) dL/dw_r", source="Lemma 11 proof, p.31",
      kind="identity")
def check_L11c_identity(ctx):
    return _run_per_mask(ctx, "L-11(c)", "per mask realization")


@item("L-10", title="E[||f_{k,r} - u_k||^2 | N^perp=1] <= 8(theta - xi^2) n kappa^2/p", source="Lemma 10, p.30",
      kind="bound")
def check_L10_mixing_deviation(ctx):
    return V.classify(_run_bound(ctx, "L-10", form_name="Lemma 10 as printed (p.30), also per-i and summed forms"),
                      V.STATEMENT, _T4_USES.format("Lemma 10"), to=("T-4",))


@item("L-10(d)", title="the chain of p.30, each step", source="Lemma 10 proof, p.30", kind="bound")
def check_L10d_chain(ctx):
    return V.classify(_run_bound(ctx, "L-10(d)", form_name="chain of p.30 per i, each step as printed",
                      note="step 4 is evaluated as printed, with <w_kr, x_i> unsquared; with the square restored "
                           "step 4 always holds ((a+b)^2 <= 2a^2 + 2b^2 and m >= p), so cases whose first failing step "
                           "is step 4 are typo-only (see first_failing_step_counts). The reported witness fails at "
                           "step 1, which drops the r' = r term (1-xi) a_r sigma(<w_kr,x_i>) of f - u (nu_rr = 1 "
                           "given N^perp = 1); that error does not depend on the typo."),
                      V.PROOF_GAP, "step 1 drops the r' = r term; see L-10", to=("L-10",))


@item("L-11", title="E||g||^2 and E||g|| bounds", source="Lemma 11, p.31", kind="bound")
def check_L11_mixing_grad_norm(ctx):
    return V.classify(_run_bound(ctx, "L-11", form_name="Lemma 11 (p.31) under the condition of Lemma 10; y = 0"),
                      V.STATEMENT, _T4_USES.format("Lemma 11 (through Lemma 10)"), to=("T-4",))


@item("L-11(a)", title="E[N^perp ||f - u||^2] = theta E[.|N=1] <= 8 theta(theta-xi^2) n kappa^2/p",
      source="Lemma 11 proof, p.31", kind="bound")
def check_L11a(ctx):
    return V.classify(_run_bound(ctx, "L-11(a)", form_name="p.31"), V.PROOF_GAP,
                      "the step inherits Lemma 10's failure; see L-11", to=("L-11",))


@item("L-11(b)", title="E[N^perp ||f - u||] <= 2 kappa sqrt(2 theta(theta-xi^2) n/p)", source="Lemma 11 proof, p.31",
      kind="bound")
def check_L11b(ctx):
    return V.classify(_run_bound(ctx, "L-11(b)", form_name="p.31"), V.PROOF_GAP,
                      "the step inherits Lemma 10's failure; see L-11", to=("L-11",))

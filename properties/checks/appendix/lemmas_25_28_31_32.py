"""L-25..L-28, L-31, L-32 · Appendix H mask lemmas (p.50-58): expectations over Bin(p, xi) mask counts
(Lemmas 25-28) and the per-neuron bounds in expectation (Lemmas 31, 32).

Identities are exact rationals from the closed forms, checked against enumeration
(:mod:`maskverify.properties.checks.shared.mask_claims`); bounds are exact conditional expectations at
Gaussian-initialisation and adversarial admissible weights (:mod:`maskverify.properties.checks.shared.mask_bounds`).
"""

from __future__ import annotations

import math

from maskverify.properties.checks.shared.mask_bounds import PER_I, _run_bound
from maskverify.properties.checks.shared.mask_claims import _grid, _run_mask_claim
from maskverify.properties.framework import verdicts as V
from maskverify.properties.framework.registry import item
from maskverify.properties.oracles import exact_masks as E


@item("L-25", title="N^perp ~ Bern(theta), theta = 1 - (1-xi)^p", source="Lemma 25, p.50", kind="identity")
def check_L25_nperp_law(ctx):
    return _run_mask_claim(ctx, "L-25")


@item("L-26", title="E[(nu_rr - xi)^2] <= theta - xi^2", source="Lemma 26, p.50", kind="bound")
def check_L26_nu_rr(ctx):
    return _run_mask_claim(ctx, "L-26")


@item("L-27", title="E[nu_rr' | N^perp=1] = xi (r != r'), 1 (r = r')", source="Lemma 27, p.51", kind="identity")
def check_L27_nu_mean(ctx):
    return _run_mask_claim(ctx, "L-27")


_L28_NOTE = ("Given column r with X = x >= 1, nu_rr' = Bin(x, xi)/x, so Var(nu | N=1) = xi(1-xi) E[1/X | X>=1] "
             "(enumeration of both columns agrees exactly with this closed form).")


@item("L-28", title="Var(nu_rr' | N^perp=1) = (theta - xi^2)/p", source="Lemma 28, p.51", kind="identity")
def check_L28_variance(ctx):
    out = _run_mask_claim(ctx, "L-28", note=_L28_NOTE, extra=_L28_bound_reading(ctx))
    # An '=' printed for '<='? Only if the printed value upper-bounds the true variance on the whole grid.
    ub = out.evidence.get("as_upper_bound", {})
    if ub.get("cases_true_exceeds_printed") == 0:
        return V.classify(out, V.TYPO, "none: Lemma 10 uses the value as an upper bound", corrected_form=V.corrected(
            "Var(nu_rr' | N=1) <= (theta - xi^2)/p", V.from_cases([(True, None, None)], method="exact rationals",
                                                                  covered=out.evidence.get("covered"), evidence=ub)))
    return V.classify(out, V.STATEMENT, "Lemma 10 uses the value as an upper bound on the r' != r terms (L-10(c)), "
                      "where it fails too; Theorem 3's proof uses Lemma 10", to=("L-10", "T-4"))


def _L28_bound_reading(ctx):
    """Extra evidence: does the printed value at least upper-bound the true variance (the way L-10 uses it)?"""
    ps, xis = _grid(ctx)
    worst, n_bad = -math.inf, 0
    for p in ps:
        for xi in xis:
            th = E.cf_theta(p, xi)
            v = E.cf_nu_cond_var(p, xi)
            b = (th - xi * xi) / p
            if b > 0:
                worst = max(worst, float(v / b))
            if v > b:
                n_bad += 1
    return {"as_upper_bound": {"max_true_over_printed": worst, "cases_true_exceeds_printed": n_bad}}


for _sub, _title in [("a", "E[nu^2 | N=1] expansion"), ("b", "Var(nu|N=1) via E[1/X|N=1]"),
                     ("c", "E[1/X | N=1] = E[1/(1+Bin(p-1,xi))]"), ("d", "E[m^l/X | N=1] = (xi/theta) E[1/(1+Y)]"),
                     ("e", "E[1/(1+Bin(p-1,xi))] = theta/(p xi)"), ("f", "final variance formula"),
                     ("g", "Var(nu_rr | N=1) = 0")]:
    def _mk(sub=_sub, title=_title):
        iid = f"L-28({sub})"

        @item(iid, title=title, source="Lemma 28 proof, p.52-53", kind="identity")
        def check(ctx):
            return V.classify(_run_mask_claim(ctx, iid, note=_L28_NOTE), V.PROOF_GAP,
                              "a step of Lemma 28's proof; the lemma itself fails (L-28)", to=("L-28",))

        check.__name__ = f"check_L28{sub}_proof_step"
        return check

    globals()[f"check_L28{_sub}_proof_step"] = _mk()


@item("L-31(a)", title="E[eta_{k,r}] = theta^2/(p xi)", source="Lemma 31 proof, p.56", kind="identity")
def check_L31a_eta_mean(ctx):
    return V.classify(_run_mask_claim(ctx, "L-31(a)", note="E[eta] = e_p = sum_{x>=1} P(X=x)/x (SPEC 5.0)"),
                      V.PROOF_GAP, "a step of Lemma 31's proof (E[eta] exceeds theta^2/(p xi)); see L-31", to=("L-31",))


@item("L-31(b)", title="E[eta^2 sum_l m^l_r (xi - m^l_r')^2] = xi(1-xi)E[eta]", source="Lemma 31 proof, p.56",
      kind="identity")
def check_L31b_cross(ctx):
    return _run_mask_claim(ctx, "L-31(b)")


@item("L-31(c)", title="E[eta^2 sum_l m^l_r (xi - m^l_r)^2] = (1-xi)^2 E[eta]", source="Lemma 31 proof, p.56",
      kind="identity")
def check_L31c_diag(ctx):
    return _run_mask_claim(ctx, "L-31(c)")


@item("L-31", title="E[eta^2 sum_l m^l ||u - uhat^l||^2] <= C_1 and the square-root form",
      source="Lemma 31, p.55-57", kind="bound")
def check_L31_statement(ctx):
    return V.classify(_run_bound(ctx, "L-31", form_name="Lemma 31 as printed (p.55)"), V.STATEMENT,
                      "Lemma 31 fails under its own hypotheses (admissible worst cases; at Gaussian initialisation only "
                      "at small m); C_1 enters B_1 and Theorem 3's proof (p.26) uses the lemma as printed (T-4 is not "
                      "refuted)", to=("T-4",))


@item("L-31(d)", title="the chain of p.57, each step", source="Lemma 31 proof, p.57", kind="bound")
def check_L31d_chain(ctx):
    return V.classify(_run_bound(ctx, "L-31(d)", form_name="chain of p.57 per i"), V.PROOF_GAP,
                      "a step of Lemma 31's proof; see L-31", to=("L-31",))


@item("L-31(e)", title="Jensen and (sum_l .)^2 <= p sum_l (.)^2", source="Lemma 31 proof, p.57", kind="bound")
def check_L31e_jensen(ctx):
    return _run_bound(ctx, "L-31(e)", form_name="p.57")


@item("L-32", title="E||u_k - uhat^l_k||^2 <= 4 xi(1-xi) n kappa^2", source="Lemma 32, p.57-58", kind="bound")
def check_L32_deviation(ctx):
    out = _run_bound(ctx, "L-32", form_name="Lemma 32 as printed (p.57); Bernoulli masks (and categorical "
                                            "with xi = 1/p: same marginal law of a row)")
    # Corrected reading: the per-i hypothesis (the n-fold budget of the print lets every x_i carry n times the
    # mass the proof's last step 2 xi(1-xi) (2 kappa^2 - R^2) + 2 xi(1-xi) R^2 <= 4 xi(1-xi) kappa^2 needs).
    corr = _run_bound(ctx, "L-32", form_name="Lemma 32 with the per-i hypothesis sum_r <w_0r,x_i>^2 <= 2 m kappa^2 "
                                             "- m R^2 (Lemma 30's conclusion, p.54)", extra_conditions=(PER_I,))
    return V.classify(out, V.TYPO, "none: Lemma 30 (p.54) provides the per-i form, which is what the proofs "
                      "combine with Lemma 32", corrected_form=V.corrected(
                          "hypothesis per i: sum_r <w_0r, x_i>^2 <= 2 m kappa^2 - m R^2", corr))

"""Tests of the mask lemmas and identities (checks/theorem3/lemmas_08_11.py, checks/appendix/lemmas_25_28_31_32.py,
checks/shared/mask_claims.py, net_identities.py, mask_bounds.py and the mask items of other results): every registered check returns a well-formed Outcome whose
counterexample (if any) replays; the smallest-witness order; and planted-wrong claims that the machinery must
report violated."""

import importlib
import json
from fractions import Fraction as F

import numpy as np
import pytest

from maskverify.properties.checks import setup as setup_checks
from maskverify.properties.checks.appendix import lemmas_25_28_31_32 as lemmas_25_28_31_32
from maskverify.properties.checks.shared import mask_bounds as mask_bounds
from maskverify.properties.checks.shared import mask_claims as mask_claims
from maskverify.properties.checks.theorem3 import lemmas_08_11 as thm3_lemmas_08_11
from maskverify.properties.framework import profiles, registry
from maskverify.properties.framework import verdicts as V
from maskverify.properties.oracles import exact_masks as E

#: A reduced profile so the whole module runs in seconds here (the ci profile is exercised by the runner).
SMALL = profiles.Profile("ci", max_examples=6, mc_samples=100, trials=2, max_m=16, enum_pm=8, p_max=8,
                         xi_step=20)

#: The items checked with the exact mask layer (closed forms, enumeration of every mask, admissible-weight
#: families of checks/shared/mask_claims.py, net_identities.py and mask_bounds.py), listed in the docstring below.
MASK_IDS = sorted([
    "S-4(a)", "S-4(b)", "S-4(c)", "S-4(d)", "N-2", "N-7", "N-8", "T-8(c)", "T-9(h)", "T-9(n)", "L-8", "L-8(a)",
    "L-8(b)", "L-9", "L-10", "L-10(a)", "L-10(b)", "L-10(c)", "L-10(d)", "L-11", "L-11(a)", "L-11(b)", "L-11(c)",
    "L-20", "L-21", "L-25", "L-26", "L-27", "L-28", "L-28(a)", "L-28(b)", "L-28(c)", "L-28(d)", "L-28(e)",
    "L-28(f)", "L-28(g)", "L-31", "L-31(a)", "L-31(b)", "L-31(c)", "L-31(d)", "L-31(e)", "L-32", "P-2(a)",
    "P-2(b)", "P-2(c)", "P-2(e)", "P-2(f)"])


def _ctx(iid, profile=SMALL):
    return registry.Context(profile=profile, seed=0, item_id=iid, alpha=1e-4)


def _replay(cx):
    mod, fn = cx["evaluator"].split(":")
    return getattr(importlib.import_module(mod), fn)(**json.loads(json.dumps(cx["args"])))


def test_registered_ids_are_the_owned_ones():
    """The module registers exactly the IDs listed in the parametrized test's docstring, all in the SPEC index,
    and the runner's citation parser finds each of them there."""
    from maskverify.properties.framework.runner import ids_in_text
    from maskverify.properties.framework.spec_index import SPEC_INDEX

    doc = test_check_outcome_well_formed_and_replays.__doc__.split("mask layer):")[1]
    listed = {s.strip().rstrip(".") for s in doc.replace("\n", " ").split(",")}
    assert set(MASK_IDS) == listed and set(MASK_IDS) <= set(registry.registry())
    assert set(MASK_IDS) <= ids_in_text(doc)
    assert set(MASK_IDS) <= set(SPEC_INDEX)


@pytest.mark.parametrize("iid", MASK_IDS)
def test_check_outcome_well_formed_and_replays(iid):
    """Every registered mask check returns a JSON-able Outcome with a computed verdict, a method and coverage;
    a violated one carries a counterexample whose evaluator recomputes the same verdict and values.

    Items (checked with the exact mask layer): S-4(a), S-4(b), S-4(c), S-4(d), N-2, N-7, N-8,
    T-8(c), T-9(h), T-9(n), L-8, L-8(a), L-8(b), L-9, L-10, L-10(a), L-10(b), L-10(c), L-10(d), L-11, L-11(a),
    L-11(b), L-11(c), L-20, L-21, L-25, L-26, L-27, L-28, L-28(a), L-28(b), L-28(c), L-28(d), L-28(e), L-28(f),
    L-28(g), L-31, L-31(a), L-31(b), L-31(c), L-31(d), L-31(e), L-32, P-2(a), P-2(b), P-2(c), P-2(e), P-2(f).
    """
    out = registry.registry()[iid].fn(_ctx(iid))
    assert out.verdict in V.VERDICTS and out.method
    json.dumps(out.to_json())
    assert out.evidence
    if out.verdict == V.VIOLATED:
        cx = out.counterexample
        assert cx["item"] == iid or iid == "T-9(n)"
        again = _replay(cx)
        assert again.verdict == V.VIOLATED
        assert json.dumps(again.counterexample["values"], sort_keys=True) == json.dumps(cx["values"], sort_keys=True)
        if "instance" in cx["args"]:
            # the witness satisfies the printed hypotheses, recomputed independently here
            inst = mask_bounds._inst_from_json(cx["args"]["instance"])
            forms = E.hypothesis_forms(inst["W0"], inst["X"], inst["m"], inst["kappa"], inst["R"])
            assert forms["printed"] and E.in_ball(inst["W0"], inst["Wk"], inst["R"])


def test_mask_claim_witness_is_smallest():
    """L-28: the reported witness is the first failing (p, xi) in the order p, then xi (scan recomputed)."""
    out = mask_claims._run_mask_claim(_ctx("L-28"), "L-28")
    fails = [(p, xi) for p in range(1, SMALL.p_max + 1) for xi in E.xi_grid(SMALL.xi_step)
             if mask_claims._eval_mask_claim("L-28", p, xi, SMALL.enum_pm)[0] is False]
    if fails:
        a = out.counterexample["args"]
        assert (a["p"], F(a["xi"])) == fails[0]
    else:
        assert out.verdict == V.HOLDS


def test_planted_wrong_mask_claim_is_violated(monkeypatch):
    """L-27 machinery: a planted wrong identity E[nu_rr' | N=1] = xi/2 must come out violated at p=1, xi=1/20."""
    monkeypatch.setitem(mask_claims._MASK_CLAIMS, "L-27",
                        lambda p, xi, T: [("=", "planted", T.get("nu_mean_c"), xi / 2)])
    out = mask_claims._run_mask_claim(_ctx("L-27"), "L-27")
    assert out.verdict == V.VIOLATED
    assert out.counterexample["args"]["p"] == 1 and out.counterexample["args"]["xi"] == "1/20"
    assert _replay(out.counterexample).verdict == V.VIOLATED


def test_planted_wrong_network_identity_is_violated(monkeypatch):
    """S-4(a) machinery: with u replaced by 1.001 u the unbiasedness identity must be reported violated."""
    real = E.net_u
    monkeypatch.setattr(E, "net_u", lambda W, a, X, xi: 1.001 * real(W, a, X, xi))
    out = setup_checks.check_S4a_unbiased_bernoulli(_ctx("S-4(a)"))
    assert out.verdict == V.VIOLATED
    assert _replay(out.counterexample).verdict == V.VIOLATED


def test_planted_wrong_bound_is_violated(monkeypatch):
    """L-32 machinery: doubling the left side must produce a violation at the concentrated instance."""
    real = E.lemma32_lhs
    monkeypatch.setattr(E, "lemma32_lhs", lambda xi, W, X, S=None: 2 * real(xi, W, X, S=S))
    mask_bounds._bound_instances.cache_clear()
    out = lemmas_25_28_31_32.check_L32_deviation(_ctx("L-32"))
    assert out.verdict == V.VIOLATED
    assert out.evidence["max_ratio_lhs_over_bound_by_form"]["per_i"] > 1
    mask_bounds._bound_instances.cache_clear()


def test_tool_disagreement_makes_case_undecided(monkeypatch):
    """SPEC 5.0 rule: when a closed form and the enumeration disagree the case is undecided, not a verdict."""
    monkeypatch.setitem(mask_claims._CLOSED, "nu_mean_c", lambda p, xi, th: xi + F(1, 10 ** 6))
    mask_claims._truth.cache_clear()
    ok, _, values, _ = mask_claims._eval_mask_claim("L-27", 1, F(1, 2), SMALL.enum_pm)
    assert ok is None and "nu_mean_c" in values["tool_disagreement"]
    mask_claims._truth.cache_clear()


def test_bound_evaluator_exact_on_rational_instance():
    """L-10 evaluator: a hand instance (p=m=n=d=1, x=1, w0=1, wk=2, kappa=R=1, xi=1/2) recomputes exactly:
    E[(f-u)^2 | N=1] = (1-xi)^2 sigma^2/m = 1/4 * 4 = 1; bound 8 (theta - xi^2) n kappa^2/p = 8 (1/2 - 1/4) = 2."""
    inst = {"p": 1, "xi": "1/2", "m": 1, "n": 1, "kappa": "1", "R": "1", "W0": [["1", "0"]], "Wk": [["2", "0"]],
            "a": [1], "X": [["1", "0"]], "y": ["0"], "family": "hand", "form": "per_i"}
    out = mask_bounds.replay_bound("L-10", inst, 8)
    assert out.verdict == V.HOLDS
    ok, _, vals, _ = mask_bounds._bound_eval("L-10", mask_bounds._inst_from_json(inst), 8)
    assert vals["lhs"] == F(1) and vals["rhs"] == F(2) and ok


def test_l9_bias_readings_follow_theta():
    """L-9 (p.3 bias claim): the reading (xi/theta) E[g] - dL/dw does not depend on p (it is xi(1-xi) B_r)."""
    study = thm3_lemmas_08_11._L9_bias_study(_ctx("L-9"))
    key = [k for k in study if k.startswith("xi=1/2: ||(xi/theta)")][0]
    vals = study[key]["first_instance_p=1..10"]
    assert np.allclose(vals, vals[0])


@pytest.mark.parametrize("iid", ["L-10", "L-11", "L-31"])
def test_bound_counterexample_satisfies_every_condition(iid):
    """L-10, L-11, L-31: when a violation exists, the reported counterexample satisfies every printed form of the
    initialisation hypothesis, the R-ball, m >= p and m >= 1/xi (the proof of Lemma 31), and it is re-checked
    independently here: the hypothesis sums are recomputed from the witness weights in rationals."""
    o = registry.registry()[iid].fn(_ctx(iid))
    if o.verdict != V.VIOLATED:
        pytest.skip(f"{iid} is {o.verdict} under the reduced profile")
    inst = mask_bounds._inst_from_json(o.counterexample["args"]["instance"])
    assert all(o.counterexample["values"]["conditions"].values())
    m, n, kappa, R = inst["m"], inst["n"], inst["kappa"], inst["R"]
    col = [sum(sum(w[c] * x[c] for c in range(len(x))) ** 2 for w in inst["W0"]) for x in inst["X"]]
    assert all(s <= 2 * m * kappa ** 2 - m * R ** 2 for s in col)                     # per-i form (p.54)
    assert sum(col) <= 2 * m * n * kappa ** 2 - m * n * R ** 2                        # summed form (p.25)
    assert all(sum((a - b) ** 2 for a, b in zip(wk, w0)) <= R * R for wk, w0 in zip(inst["Wk"], inst["W0"]))
    assert m >= inst["p"] and m * inst["xi"] >= 1


def _per_point(form):
    """The L-32 instance that only the printed hypothesis admits: n = d = 2, x_i = e_i, one neuron per x_i with
    the whole budget of its form, W_k at the edge of the R-ball (p = 1, xi = 1/2, m = 2, kappa = 1, R = 1/2)."""
    return mask_bounds._family_per_point(1, F(1, 2), 2, 2, 1, F(1, 2), form)


def test_L32_printed_hypothesis_instance_is_violated_and_replays():
    """L-32 (p.57): under the hypothesis as printed (for each i, sum_r <w_0r,x_i>^2 <= 2 m n kappa^2 - m n R^2)
    both x_i may carry n times the per-i mass at once, and E||u_k - uhat^l_k||^2 exceeds 4 xi(1-xi) n kappa^2
    (exactly, rationals); the same construction under the per-i form (Lemma 30, p.54) holds."""
    inst = _per_point("printed")
    ij = mask_bounds._inst_json(inst)
    out = mask_bounds.replay_bound("L-32", ij, 8)
    assert out.verdict == V.VIOLATED
    vals = out.counterexample["values"]
    assert vals["admissible"] and vals["lhs"] > vals["rhs"]
    assert vals["conditions"]["hypothesis as printed (for each i: 2 m n kappa^2 - m n R^2)"]
    assert not vals["conditions"][mask_bounds.PER_I]
    again = _replay(json.loads(json.dumps(out.counterexample)))
    assert again.verdict == V.VIOLATED
    assert json.dumps(again.counterexample["values"], sort_keys=True) == json.dumps(vals, sort_keys=True,
                                                                                     default=str)
    ok = mask_bounds.replay_bound("L-32", mask_bounds._inst_json(_per_point("per_i")), 8)
    assert ok.verdict == V.HOLDS


def test_L32_check_reaches_the_printed_instance_and_classifies_it_a_typo():
    """L-32: the check's families reach the printed-hypothesis failure; its corrected reading (per-i hypothesis)
    is computed on the same instances and holds, so the severity is typo."""
    mask_bounds._bound_instances.cache_clear()
    out = lemmas_25_28_31_32.check_L32_deviation(_ctx("L-32"))
    assert out.verdict == V.VIOLATED and out.severity == "typo"
    assert out.counterexample["args"]["instance"]["family"] == "per-point"
    assert out.evidence["corrected"]["verdict"] == V.HOLDS


def test_L22c_printed_premise_fails_for_three_subnetworks():
    """L-22(c) (p.47): 'for l != l' we have m^l_{k,r} != m^{l'}_{k,r}' is false for p >= 3 (two subnetworks both
    miss neuron r: p = 3, m = 1 already); for p = 2 it holds; the conclusion m^l m^{l'} = 0 holds either way."""
    from maskverify.properties.checks.theorem7 import lemmas_20_22

    bad = lemmas_20_22.categorical_premise(3, 1)
    assert bad.verdict == V.VIOLATED and bad.counterexample["values"]["pairs_with_equal_entries"] == 3
    assert _replay(json.loads(json.dumps(bad.counterexample))).counterexample["values"] == \
        bad.counterexample["values"]
    assert lemmas_20_22.categorical_premise(2, 3).verdict == V.HOLDS
    assert lemmas_20_22.categorical_overlap(3, 2).verdict == V.HOLDS
    out = lemmas_20_22.check_L22c(_ctx("L-22(c)"))
    assert out.verdict == V.VIOLATED and out.severity == "typo"
    assert out.evidence["conclusion_verdict"] == V.HOLDS

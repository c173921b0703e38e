"""Tests of the trajectory checks (checks/hypothesis1.py, checks/theorem3/proof.py, checks/theorem3/lemmas_12_19.py,
the trajectory items of checks/theorem7/, and checks/shared/trajectory_support.py, trajectory_studies.py,
trajectory_cases.py, trajectory_outcomes.py): every registered check returns a well-formed Outcome whose
counterexample (if any) replays; the engine adapters agree with the public engine API; the inside-only
aggregation; and planted-wrong claims that the machinery must report violated."""

import importlib
import json

import numpy as np
import pytest
import torch

from maskverify.impl import algorithm1
from maskverify.properties.checks.shared import trajectory_cases as TC
from maskverify.properties.checks.shared import trajectory_studies as ST
from maskverify.properties.checks.shared import trajectory_support as TS
from maskverify.properties.framework import profiles, registry
from maskverify.properties.framework import verdicts as V
from maskverify.properties.framework.replay import replay_counterexample

#: A reduced profile so the whole module runs in well under a minute (the ci profile runs in the runner).
SMALL = profiles.Profile("ci", max_examples=6, mc_samples=400, trials=4, max_m=64, enum_pm=8, p_max=8, xi_step=20)

registry.load_all()  # registers every item, the trajectory builders included
#: The items evaluated on trajectories of the engine (they share the studies of checks/shared/).
TRAJ_IDS = sorted(iid for iid, c in registry.registry().items()
                  if iid.split("(")[0] in ("T-3", "L-12", "L-13", "L-14", "L-15", "L-16", "L-17", "L-18", "L-19", "L-22")
                  or iid in ("T-4(d)", "T-4(e)", "T-4(f)", "T-4(g)", "T-4(h)", "T-4(i)", "T-4(j)", "T-4(k)",
                             "T-8(a)", "T-8(b)", "T-8(d)", "T-8(e)"))


def _ctx(iid, profile=SMALL):
    return registry.Context(profile=profile, seed=0, item_id=iid, alpha=1e-4)


def test_registered_ids_are_the_owned_ones():
    """The trajectory modules register exactly the IDs listed in the parametrized test's docstring."""
    doc = test_check_outcome_well_formed_and_replays.__doc__.split("trajectory modules):")[1]
    listed = {s.strip().rstrip(".") for s in doc.replace("\n", " ").split(",")}
    assert listed == set(TRAJ_IDS)


@pytest.mark.parametrize("iid", TRAJ_IDS)
def test_check_outcome_well_formed_and_replays(iid):
    """Outcome contract for every item of the trajectory modules): T-3, T-3(a), T-3(b), T-3(c), T-3(d),
    T-3(e), T-3(f), T-3(g), T-3(h), T-3(i), T-4(d), T-4(e), T-4(f), T-4(g), T-4(h), T-4(i), T-4(j), T-4(k),
    T-8(a), T-8(b), T-8(d), T-8(e), L-12, L-13, L-13(a), L-13(b), L-13(c), L-13(d), L-13(e), L-14, L-15, L-16,
    L-16(a), L-16(b), L-17, L-17(a), L-17(b), L-18, L-19, L-22, L-22(a), L-22(b), L-22(c), L-22(d)."""
    out = registry.registry()[iid].fn(_ctx(iid))
    assert out.verdict in V.VERDICTS
    assert isinstance(out.evidence, dict)
    json.dumps(out.to_json())
    if out.regime is not None:
        assert {"form", "constant_profile", "conditions", "inside"} <= set(out.regime)
    if out.verdict == V.INCONCLUSIVE:
        assert out.evidence.get("reason") or out.evidence.get("parts") or out.evidence.get("instances")
    if out.verdict == V.VIOLATED:
        cx = out.counterexample
        assert cx and cx["item"] == iid
        rep = replay_counterexample(json.loads(json.dumps(V.jsonable(cx))))
        assert rep["reproduced"], rep["message"]


def test_global_steps_adapter_matches_engine_global_step():
    """S-7 (p.5): the batched adapter's W_{k+1}, W^l_{k,t} and uhat^l_{k,t} equal algorithm1.global_step."""
    rng = np.random.default_rng(0)
    X, y = TS.unit_data(rng, 3, 3)
    W, a = TS.init_weights(rng, 10, 3, 1.0)
    M = TS.sample_masks(rng, "bernoulli", 3, 2, 10, 0.5)
    gs = TS.global_steps(W, a, X, y, M, 0.5, 0.05, 3)
    for s in range(3):
        rec = algorithm1.global_step(torch.tensor(W), torch.tensor(a), torch.tensor(X), torch.tensor(y),
                                     torch.tensor(M[s]), 0.5, 0.05, 3)
        np.testing.assert_allclose(gs["W_next"][s], rec.W_next.numpy(), rtol=0, atol=1e-15)
        np.testing.assert_allclose(gs["W_local"][s], rec.W_local.numpy(), rtol=0, atol=1e-15)
        np.testing.assert_allclose(gs["uhat"][s], rec.uhat.numpy(), rtol=0, atol=1e-14)


def _sub(ok, inside):
    return TS.subcase((ok, 0.1 if ok else -0.1), lhs=1.0 if ok else 2.0, rhs=1.5, inside=inside,
                      witness={"item": "X", "evaluator": "m:f", "args": {}, "values": {}}, summary={})


def test_inside_only_aggregation():
    """T-3 / T-4 convention: violations outside the explicit hypotheses are evidence, never a violation;
    one inside violation decides; no inside case gives inconclusive."""
    kw = dict(method="m", covered="c", form="f", constants={})
    assert TS.inside_cases([_sub(True, True), _sub(False, False)], **kw).verdict == V.HOLDS
    assert TS.inside_cases([_sub(True, True), _sub(False, True)], **kw).verdict == V.VIOLATED
    assert TS.inside_cases([_sub(False, False)], **kw).verdict == V.INCONCLUSIVE
    held = V.from_cases([(True, 1.0, None)], method="m", covered="c")
    assert TS.theorem_level(held, "width").verdict == V.INCONCLUSIVE


def test_cmp_le_tolerances():
    """Float comparisons of the trajectory inequalities: rounding-level excess is met, a real excess breaks."""
    assert TS.cmp_le(1.0 + 1e-12, 1.0)[0] is True
    assert TS.cmp_le(1.0 + 1e-3, 1.0)[0] is False
    assert TS.cmp_le(1.0 + 1e-8, 1.0)[0] is None
    assert TS.cmp_le(1.0 + 1e-3, 1.0, atol=1e-2)[0] is True


@TC.builder("local", "PLANTED-T-3")
def _planted_local(item_id, case, res, **_):
    """(4) with a contraction twice as strong as printed: (1 - eta lambda_0/2) replaced by (1 - eta lambda_0/2)/2."""
    specs = [{**s, "rhs": 0.5 * s["rhs"], "inside": True} for s in res["items"]["T-3"]]
    return TC.det_cases(TC.witness_args("local", item_id, case), specs, method="planted", covered="one case")


def test_planted_wrong_local_contraction_is_violated_and_replays():
    """T-3 (4) machinery: a planted, too strong contraction factor is reported violated, with a counterexample
    that replays to the same verdict and values."""
    case = TC.local_cases(_ctx("T-3"))[0]
    out = _planted_local("PLANTED-T-3", case, ST.local_study(case))
    assert out.verdict == V.VIOLATED
    rep = replay_counterexample(json.loads(json.dumps(V.jsonable(out.counterexample))))
    assert rep["verdict"] == V.VIOLATED and rep["reproduced"]


@TC.builder("step", "PLANTED-T-4(h)")
def _planted_step(item_id, case, res, *, alpha, **_):
    """T-4(h) with the bound replaced by half the current loss: E||y - u_{k+1}||^2 <= ||y - u_k||^2 / 2."""
    return TC.expect_le(TC.witness_args("step", item_id, case, alpha=alpha), res["loss_next"], res["w"],
                        0.5 * res["e2"], alpha=alpha)


@pytest.mark.parametrize("mode", ["enum", "mc"])
def test_planted_wrong_one_step_bound_is_violated_and_replays(mode):
    """T-4(h) machinery (enumeration and Monte Carlo over M_k): a planted bound that one global step cannot meet
    is reported violated; the counterexample replays."""
    case = next(c for c in TC.bernoulli_step_cases(_ctx("T-4(h)")) if c["mode"] == mode)
    out = _planted_step("PLANTED-T-4(h)", case, ST.step_study(case), alpha=1e-4)
    assert out.verdict == V.VIOLATED
    cx = json.loads(json.dumps(V.jsonable(out.counterexample)))
    mod, fn = cx["evaluator"].split(":")
    again = getattr(importlib.import_module(mod), fn)(**cx["args"])
    assert again.verdict == V.VIOLATED and again.counterexample["values"] == out.counterexample["values"]


def test_one_step_studies_respect_algorithm1_invariants():
    """T-4(g) and T-8(a) study quantities on a tiny enumeration: the per-mask loss expansion is exact and
    the categorical average equals u_{k+1}."""
    case = next(c for c in TC.bernoulli_step_cases(_ctx("T-4(g)")) if c["mode"] == "enum")
    res = ST.step_study(case)
    assert res["identity_g"].max() < 1e-12 and res["w"].sum() == pytest.approx(1.0)
    case = TC.categorical_step_cases(_ctx("T-8(a)"))[0]
    res = ST.step_study(case)
    np.testing.assert_allclose(res["u_next"], res["avg_out"], rtol=0, atol=1e-14)


def test_T4f_lemma23_event_exact_binomial():
    """T-4(f): the Lemma 23 event at width m is exact (|S_i^perp| ~ Bin(m, erf(R/(kappa sqrt 2)))): at the constant-1
    width m = 1024 (4mR/kappa < 1) it fails with probability 1 - (1-q)^m > delta (violated, replays); at the width
    Lemma 23 supplies, m = kappa log(n/delta)/R, it holds."""
    import math

    from maskverify.properties.checks.theorem3.proof import lemma23_width_exact

    R, n, delta = 1.7787e-4, 3, 0.1
    o = lemma23_width_exact(1024, n, R, 1.0, delta)
    q = math.erf(R / math.sqrt(2))
    assert o.verdict == V.VIOLATED
    assert abs(o.evidence["P(|S_i^perp| > 4mR/kappa) per i"] - (1 - (1 - q) ** 1024)) < 1e-12
    assert lemma23_width_exact(**o.counterexample["args"]).verdict == V.VIOLATED
    assert lemma23_width_exact(math.ceil(math.log(n / delta) / R), n, R, 1.0, delta).verdict == V.HOLDS


def test_L13_adversarial_search_reaches_inside_instances_and_catches_a_planted_bound(monkeypatch):
    """L-13: the Hypothesis search (target() on |E<y - u_k, I'_1>| / bound) reaches instances inside every explicit
    hypothesis, and the evidence counts the inside instances L-13 rests on; with the bound planted 10^4 times
    smaller the same search returns a failing inside instance whose witness replays violated."""
    from maskverify.properties.checks.theorem3 import lemmas_12_19 as L
    from maskverify.properties.oracles import quantities as Q

    ctx = registry.Context(profile=profiles.get("ci"), seed=0, item_id="L-13", alpha=1e-4)
    out = L.check_L13(ctx)
    srch = out.evidence["adversarial_search"]
    assert srch["inside_instances"] > 0 and out.evidence["inside_instances_total"] > srch["inside_instances"]
    real = Q.lemma13_rhs
    monkeypatch.setattr(Q, "lemma13_rhs", lambda *a, **k: real(*a, **k) * 1e-4)
    bad = L.check_L13(ctx)
    assert bad.verdict == V.VIOLATED and bad.evidence["adversarial_search"]["max_ratio_observed_to_bound"] > 1
    cx = json.loads(json.dumps(bad.counterexample))
    mod, fn = cx["evaluator"].split(":")
    assert getattr(importlib.import_module(mod), fn)(**cx["args"]).verdict == V.VIOLATED

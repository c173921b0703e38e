"""Tests of properties/checks/shared/envelopes.py, theory/envelope_forms.py and the envelope strategies
(issue 8): the envelope checks of T-4 (7), T-5..T-7 and T-8 are tested like detectors -- wrong envelopes planted
just beyond the measured tightness must come out ``violated`` with a replayable counterexample, on the same runs
-- and a check that cannot fail is never the basis of ``holds``."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis.errors import InvalidArgument

from maskverify.properties.checks.shared import envelopes as EN
from maskverify.properties.framework import verdicts as V
from maskverify.properties.framework.profiles import PROFILES
from maskverify.properties.framework.registry import Context
from maskverify.properties.framework.strategies import build_envelope_data, envelope_instances
from maskverify.properties.oracles import quantities as Q
from maskverify.theory import envelope_forms as EF

ALPHA = 0.01


def inst(item, **kw):
    """An envelope instance. The detector tests run T-4 and T-5 under the main-text profile (unit constants):
    under the reference profile their explicit widths (1e10 and more) are beyond this machine, and what these
    tests measure -- that the checker reports a planted wrong envelope -- does not depend on the profile."""
    base = {"profile": "main-text" if item in ("T-4", "T-5", "T-6", "T-7") else "reference",
            "item": item, "law": "categorical" if item == "T-8" else "bernoulli", "n": 2, "d": 2, "overlap": 0.0,
            "label_seed": 0, "label_edge": True, "C": 2.0, "p": 1, "xi": 1.0, "tau": 1, "K": 2, "kappa": 1.0,
            "delta": 0.5, "gamma": 0.5, "eta_fraction": 1.0, "m_factor": 1.0, "inits": 8, "seqs": 1, "seed": 3}
    base.update(kw)
    return base


#: T-4 at xi = 1 (gradient descent: B_1 = 0), inside (6) at m ~ 1e3: cheap, 8 initialisations.
T4_GD = inst("T-4")
#: T-5 (dropout) at xi = 0.9, n = d = K = 4, kappa = n^{-1/2}: inside the corollary at m ~ 2.5e5, 7 inits.
T5_DROPOUT = inst("T-5", n=4, d=4, xi=0.9, K=4, kappa=0.5, inits=7)


@pytest.fixture(scope="module")
def t4_record():
    return EN.run_instance(T4_GD, max_m=10**6)


@pytest.fixture(scope="module")
def t5_record():
    return EN.run_instance(T5_DROPOUT, max_m=10**6)


def _per_run(rec):
    """One record per initialisation (same runs), for per-run tightness."""
    out = []
    for row in rec["losses"]:
        r = dict(rec)
        r["losses"] = [row]
        out.append(r)
    return out


# ---------------------------------------------------------------------------------------------- forms


def test_reference_profile_uses_the_explicit_appendix_constants():
    """T-4 under the reference profile: the step is C-9's explicit min (Lemma 17's lambda_0/(48 n tau max{n,p})),
    the width the base case C-5 solved for m; the main-text profile (unit constants) is larger in step and
    smaller in width, and is never the reference."""
    kw = dict(n=2, d=2, p=2, xi=0.9, tau=1, K=5, kappa=0.2, delta=0.5, lambda_0=0.4)
    ref, main = EF.setup("T-4", **kw), EF.setup("T-4", profile="main-text", **kw)
    assert ref["profile"] == "reference" and ref["eta_max"] == pytest.approx(0.4 / (48 * 2 * 1 * 2))
    assert main["eta_max"] == pytest.approx(48 * ref["eta_max"]) and ref["m_required"] > 1e3 * main["m_required"]
    with pytest.raises(Exception, match="profile"):
        EF.setup("T-4", profile="optimistic", **kw)


def test_lambda_0_closed_form_matches_oracle():
    X, _ = build_envelope_data(3, 4, 0.5, 1)
    for xi in (0.3, 1.0):
        assert EF.lambda_0(X, xi) == pytest.approx(Q.lambda_0(X, xi), rel=1e-12)


def test_setup_inside_meets_its_width_and_step():
    s = EF.setup("T-8", n=2, d=2, p=2, xi=0.5, tau=4, K=3, kappa=1.0, delta=0.5, lambda_0=0.25)
    assert s["inside"] and s["m"] >= s["m_required"] and s["eta"] <= 0.25 / 16
    out = EF.setup("T-8", n=2, d=2, p=2, xi=0.5, tau=4, K=3, kappa=1.0, delta=0.5, lambda_0=0.25, m_factor=0.5)
    assert not out["inside"] and not out["conditions"]["m >= max(p.9 width, p.45 width) (unit constant)"]


def test_setup_bad_item_and_empty_region_do_not_crash():
    from maskverify.errors import MaskverifyError

    with pytest.raises(MaskverifyError, match="item"):
        EF.setup("T-2", n=2, d=2, p=1, xi=1, tau=1, K=1, kappa=1, delta=0.5, lambda_0=0.5)
    s = EF.setup("T-4", n=2, d=2, p=1, xi=1.0, tau=1, K=1, kappa=1, delta=0.5, lambda_0=0.0)
    assert s["inside"] is False and math.isinf(s["m"])


# ---------------------------------------------------------------------------------------------- strategies


@settings(max_examples=15, deadline=None)
@given(envelope_instances(item="T-8", max_m=10**7))
def test_envelope_instances_inside_meet_the_width(i):
    X, y = build_envelope_data(i["n"], i["d"], i["overlap"], i["label_seed"], C=i["C"], label_edge=i["label_edge"])
    assert np.allclose(np.linalg.norm(X, axis=1), 1.0) and np.all(np.abs(y) <= i["C"] - 1 + 1e-15)
    _, _, _, s = EN.instance_setup(i)
    assert s["inside"] and s["m"] >= s["m_required"]
    assert i["over_budget"] == (s["m"] > 10**7)


@settings(max_examples=10, deadline=None)
@given(envelope_instances(item="T-4", inside=False))
def test_envelope_instances_outside_are_labelled(i):
    _, _, _, s = EN.instance_setup(i)
    assert i["m_factor"] <= 1 and i["eta_fraction"] >= 1
    assert s["inside"] == (i["m_factor"] == 1 and i["eta_fraction"] == 1 and s["inside"])


@pytest.mark.parametrize("kw, match", [({"item": "T-2"}, "item"), ({"item": "T-4", "inits": 0}, "inits"),
                                       ({"item": "T-4", "max_m": -1}, "max_m"),
                                       ({"item": "T-4", "overlaps": ()}, "empty hypothesis region"),
                                       ({"item": "T-4", "deltas_": (1.5,)}, "deltas_")])
def test_envelope_instances_invalid_arguments(kw, match):
    with pytest.raises(InvalidArgument, match=match):
        envelope_instances(**kw)


def test_over_budget_instance_is_labelled_not_run():
    i = inst("T-8", p=2, xi=0.5, tau=4, K=3)
    rec = EN.run_instance(i, max_m=1000)
    assert "skipped" in rec and "losses" not in rec and rec["peak_bytes_needed"] > 0
    out = EN.envelope_outcome("T-8", [rec], alpha=ALPHA, max_m=1000)
    assert out.verdict == V.INCONCLUSIVE and out.evidence["envelope"]["inside"] == 0


# ---------------------------------------------------------------------------------------------- engine adapter


def test_train_losses_is_deterministic_and_starts_at_L0():
    X, y = build_envelope_data(2, 2, 0.0, 0)
    a, pa = EN.train_losses(X, y, 256, 2, 2, 0.01, 3, 1.0, 0.5, "bernoulli", 7, 1)
    b, _ = EN.train_losses(X, y, 256, 2, 2, 0.01, 3, 1.0, 0.5, "bernoulli", 7, 1)
    c, _ = EN.train_losses(X, y, 256, 2, 2, 0.01, 3, 1.0, 0.5, "bernoulli", 7, 2)
    assert a.shape == (4,) and np.array_equal(a, b) and not np.array_equal(a, c) and pa > 0


# ---------------------------------------------------------------------------------------------- power


def test_power_one_inside_run_is_powerless():
    pw = EN.power(1, 0.1, 0.01)
    assert pw["powerless"] and pw["min_exceedances_to_reject"] is None
    assert pw["runs_needed_to_reject"] == 3 and pw["runs_needed_for_holds"] == 44


def test_power_detectable_probability_is_calibrated():
    from scipy import stats

    pw = EN.power(40, 0.1, 0.01)
    x, q = pw["min_exceedances_to_reject"], pw["detectable_exceedance_probability"]
    assert stats.binom.sf(x - 1, 40, q) == pytest.approx(EN.DETECT_LEVEL, abs=1e-6)
    assert stats.beta.ppf(0.01, x, 40 - x + 1) > 0.1 >= stats.beta.ppf(0.01, x - 1, 40 - x + 2)


# ---------------------------------------------------------------------------------------------- the check


def test_T4_gd_instance_is_inside_informative_and_holds(t4_record):
    r = t4_record
    assert r["inside"] and r["informative"] and r["B"] == 0.0 and not r["masks_enter"]
    out = EN.envelope_outcome("T-4", [r], alpha=ALPHA, max_m=10**6)
    assert out.verdict == V.HOLDS
    ev = out.evidence["envelope"]
    for key in ("instances", "inside", "informative_inside", "min_B1_over_L0", "power", "tightness",
                "max_observed_over_envelope", "worst_instance", "peak_bytes"):
        assert key in ev
    assert ev["tightness"]["rate_factor"] > 1 and ev["max_observed_over_envelope"] < 1


def test_detector_rate_just_beyond_tightness_is_violated_and_replays(t4_record):
    """A contraction faster than the loosest run's measured one breaks every run: violated, replayable."""
    loosest = max(EN.tightness([r])["rate_factor"] for r in _per_run(t4_record))
    planted = {"rate_factor": 1.05 * loosest}
    out = EN.envelope_outcome("T-4", [t4_record], alpha=ALPHA, planted=planted, max_m=10**6)
    assert out.verdict == V.VIOLATED and out.counterexample is not None
    again = EN.replay_envelope(**out.counterexample["args"])
    assert again.verdict == V.VIOLATED
    assert again.counterexample["values"] == out.counterexample["values"]
    # and just inside the measured tightness nothing exceeds
    inside = {"rate_factor": 0.95 * EN.tightness([t4_record])["rate_factor"]}
    ok = EN.envelope_outcome("T-4", [t4_record], alpha=ALPHA, planted=inside, max_m=10**6)
    assert ok.evidence["envelope"]["exceeding_inside_runs"] == 0


def test_detector_error_term_below_the_observed_floor_is_violated(t5_record):
    """With an instant contraction, an error term just below the lowest run's floor breaks every run."""
    r = t5_record
    assert r["inside"] and r["B"] > 0
    t = EN.tightness([r])
    planted = {"rate_factor": 1.0 / r["alpha"], "error_factor": 0.95 * t["floor_factor_lowest_run"]}
    out = EN.envelope_outcome("T-5", [r], alpha=ALPHA, planted=planted, max_m=10**6)
    assert out.verdict == V.VIOLATED and out.counterexample["args"]["planted"] == planted
    keep = {"rate_factor": 1.0 / r["alpha"], "error_factor": 1.05 * t["floor_factor"]}
    assert EN.envelope_outcome("T-5", [r], alpha=ALPHA, planted=keep, max_m=10**6).evidence["envelope"][
        "exceeding_inside_runs"] == 0


def test_detector_extra_one_minus_xi_squared_factor_is_violated(t5_record):
    """A wrong error term carrying an extra (1 - xi)^2 factor (B (1-xi)^2), with the contraction the runs
    show, is caught on the same runs."""
    r = t5_record
    t = EN.tightness([r])
    planted = {"rate_factor": 1.0 / r["alpha"], "error_factor": t["floor_factor"], "error_xi_power": 2}
    out = EN.envelope_outcome("T-5", [r], alpha=ALPHA, planted=planted, max_m=10**6)
    assert out.verdict == V.VIOLATED


def test_printed_envelope_is_not_violated_on_the_same_runs(t5_record):
    out = EN.envelope_outcome("T-5", [t5_record], alpha=ALPHA, max_m=10**6)
    assert out.verdict != V.VIOLATED and out.evidence["envelope"]["informative_inside"] == 1


def test_ci_sized_single_run_is_inconclusive_and_says_how_many():
    r = EN.run_instance(inst("T-4", inits=1), max_m=10**6)
    out = EN.envelope_outcome("T-4", [r], alpha=ALPHA, max_m=10**6)
    assert out.verdict == V.INCONCLUSIVE and "powerless" in out.evidence["reason"]
    assert out.evidence["envelope"]["power"]["runs_needed_to_reject"] == 7


# ---------------------------------------------------------------------------------------------- unfalsifiable


def test_a_check_that_cannot_fail_is_refused_as_basis_of_holds():
    tautology = V.from_cases([(True, 1.0, None)], method="well-formedness", covered="symbolic")
    assert tautology.verdict == V.HOLDS
    refused = EN.cannot_fail(tautology, "well formed by construction")
    assert refused.verdict == V.INCONCLUSIVE and refused.evidence["unfalsifiable_check_verdict"] == V.HOLDS
    env = EN.envelope_outcome("T-4", [], alpha=ALPHA, max_m=10)        # no runs: undecided
    out = EN.with_envelope(env, tautology, other_name="well_formedness")
    assert out.verdict == V.INCONCLUSIVE


def test_main_T4_verdict_is_not_the_well_formedness(monkeypatch):
    """T-4's check returns the envelope's verdict even though its well-formedness part holds."""
    from maskverify.properties.checks.theorem3 import statement

    fake = V.inconclusive("no runs", method="envelope", evidence={"envelope": {}})
    monkeypatch.setattr(statement.T4E, "envelope_T4", lambda ctx: fake)
    ctx = Context(profile=PROFILES["ci"], seed=0, item_id="T-4")
    out = statement.check_T4_statement(ctx)
    assert out.verdict == V.INCONCLUSIVE and out.evidence["well_formedness"]["verdict"] == V.INCONCLUSIVE


# ---------------------------------------------------------------------------------------------- T-3


#: Hypothesis 1 at n = d = 2, xi = 1, tau = 1, K = 2, delta = 0.1: (3) holds at m ~ 5e5 (labels inside |y| < 1).
T3_CASE = inst("T-3", label_edge=False, delta=0.1, inits=6)


@pytest.fixture(scope="module")
def t3_record():
    return EN.run_instance(T3_CASE, max_m=10**7)


def test_T3_instance_meets_conditions_2_and_3(t3_record):
    r = t3_record
    assert r["inside"] and all(r["runs_inside"]) and r["max_lhs3_over_R"] <= 1
    assert 0 < r["alpha_2"] < 1 and r["B1_2"] > 0 and r["informative"]
    out = EN.envelope_outcome("T-3", [r], alpha=ALPHA, max_m=10**7)
    assert out.verdict != V.VIOLATED and out.evidence["envelope"]["power"]["runs_needed_to_reject"] == 6


def test_T3_detector_faster_local_contraction_is_violated_and_replays(t3_record):
    t = EN.tightness([t3_record])
    planted = {"rate_factor": 1.05 * t["rate_factor_loosest_run"]}
    out = EN.envelope_outcome("T-3", [t3_record], alpha=ALPHA, planted=planted, max_m=10**7)
    assert out.verdict == V.VIOLATED
    again = EN.replay_envelope(**out.counterexample["args"])
    assert again.verdict == V.VIOLATED and again.counterexample["values"] == out.counterexample["values"]


def test_T3_detector_drift_bound_below_observed_is_violated(t3_record):
    t = EN.tightness([t3_record])
    low = min(t3_record["drift_max"])
    out = EN.envelope_outcome("T-3", [t3_record], alpha=ALPHA, planted={"drift_factor": 0.95 * low}, max_m=10**7)
    assert out.verdict == V.VIOLATED and t["drift_factor"] < 1


def test_wide_engine_above_the_memory_cap(monkeypatch):
    """Above MEMORY_CAP the runs go to the streamed engine (impl/wide.py): one mask sequence per initialisation,
    its own peak bytes, the same record and test."""
    pytest.importorskip("maskverify.impl.wide")
    monkeypatch.setattr(EN, "MEMORY_CAP", 0)
    r = EN.run_instance(inst("T-4", inits=2, seqs=2), max_m=10**6)
    assert r["engine"] == "impl.wide" and r["seqs_used"] == 1 and np.asarray(r["losses"]).shape == (2, 1, 3)
    assert r["peak_bytes"] > 0 and r["inside"] and r["max_ratio"] < 1

"""Tests of maskverify.properties.checks_probability, checks_theorem2 and tails (exact laws).

Items: L-23, L-24, L-29, L-29(a), L-29(b), L-29(c), L-29(d), L-29(e), L-30, L-30(a), L-30(b), L-30(c), L-30(d),
L-30(e), L-30(f), L-33, L-33(a), L-33(b), L-33(c), L-33(d), P-1, P-1(a), P-1(b), P-1(c), P-1(d), P-1(e), P-1(f),
P-1(g), P-1(h), P-2(d), T-2, T-2(a), T-2(b), T-2(c), T-2(d), T-2(e), T-9(a), T-9(b), T-9(c), T-9(d), T-9(e),
T-9(f), T-9(g), T-9(k), T-9(l), T-9(m).
"""

import importlib
import itertools
import json
import math
from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest
import torch
from scipy import stats

from maskverify.properties.checks import theorem2 as thm2
from maskverify.properties.checks import theorem34 as thm34
from maskverify.properties.checks.appendix import lemmas_23_24_33 as lemmas_23_24_33
from maskverify.properties.checks.appendix import lemmas_29_30 as lemmas_29_30
from maskverify.properties.checks.appendix import tools as tools_checks
from maskverify.properties.checks.shared import probability as probability_checks
from maskverify.properties.framework import profiles, registry
from maskverify.properties.framework import verdicts as V
from maskverify.properties.oracles import tails

IDS = ["L-23", "L-24", "L-29", "L-29(a)", "L-29(b)", "L-29(c)", "L-29(d)", "L-29(e)", "L-30", "L-30(a)",
       "L-30(b)", "L-30(c)", "L-30(d)", "L-30(e)", "L-30(f)", "L-33", "L-33(a)", "L-33(b)", "L-33(c)", "L-33(d)",
       "P-1", "P-1(a)", "P-1(b)", "P-1(c)", "P-1(d)", "P-1(e)", "P-1(f)", "P-1(g)", "P-1(h)", "P-2(d)",
       "T-2", "T-2(a)", "T-2(b)", "T-2(c)", "T-2(d)", "T-2(e)", "T-9(a)", "T-9(b)", "T-9(c)", "T-9(d)", "T-9(e)",
       "T-9(f)", "T-9(g)", "T-9(k)", "T-9(l)", "T-9(m)"]


def _ctx(iid):
    return registry.Context(profile=profiles.get("ci"), seed=0, item_id=iid, alpha=1e-4)


@pytest.mark.parametrize("iid", IDS)
def test_registered_check_is_well_formed_and_replays(iid):
    """Each registered check returns a valid Outcome; a violated one carries a counterexample whose evaluator
    recomputes the same verdict and values after a JSON round trip.

    Items: L-23, L-24, L-29, L-29(a), L-29(b), L-29(c), L-29(d), L-29(e), L-30, L-30(a), L-30(b), L-30(c),
    L-30(d), L-30(e), L-30(f), L-33, L-33(a), L-33(b), L-33(c), L-33(d), P-1, P-1(a), P-1(b), P-1(c), P-1(d),
    P-1(e), P-1(f), P-1(g), P-1(h), P-2(d), T-2, T-2(a), T-2(b), T-2(c), T-2(d), T-2(e), T-9(a), T-9(b),
    T-9(c), T-9(d), T-9(e), T-9(f), T-9(g), T-9(k), T-9(l), T-9(m).
    """
    reg = registry.registry()
    assert iid in reg
    out = reg[iid].fn(_ctx(iid))
    assert out.verdict in V.VERDICTS
    json.dumps(out.to_json())
    if out.verdict == V.NOT_CHECKABLE:
        assert out.evidence["reason"]
    if out.verdict == V.VIOLATED:
        ce = json.loads(json.dumps(out.counterexample))
        mod, fn = ce["evaluator"].split(":")
        again = getattr(importlib.import_module(mod), fn)(**ce["args"])
        assert again.verdict == V.VIOLATED
        assert json.dumps(again.counterexample["values"], sort_keys=True) == json.dumps(ce["values"], sort_keys=True)


# ---- the exact laws (SPEC 5.0), each against an independent computation ------------------------------


def test_p_activation_change_matches_normal_cdf_and_mc():
    """N-5 / P-2(d) / L-23: P(-R <= <w,x> < R) = erf(R/(kappa sqrt 2))."""
    for rho in (1e-3, 0.1, 0.5, 2.0):
        assert tails.p_activation_change(rho) == pytest.approx(stats.norm.cdf(rho) - stats.norm.cdf(-rho), rel=1e-12)
    z = np.random.default_rng(1).normal(size=400000)
    assert ((z >= -0.3) & (z < 0.3)).mean() == pytest.approx(tails.p_activation_change(0.3), abs=4e-3)


def test_binom_tail_matches_rational_sum():
    """L-23: P(Bin(m, q) > thr) against an exact rational sum."""
    for m, q, thr in ((5, Fraction(1, 10), 1.2), (12, Fraction(3, 7), 6.0), (30, Fraction(1, 50), 0.4)):
        exact = sum(math.comb(m, k) * q**k * (1 - q) ** (m - k) for k in range(m + 1) if k > thr)
        assert tails.binom_tail_gt(m, float(q), thr) == pytest.approx(float(exact), rel=1e-10)
        assert math.exp(tails.binom_logtail_gt(m, float(q), thr)) == pytest.approx(float(exact), rel=1e-10)
    assert tails.binom_tail_gt(4, 0.5, 4.0) == 0.0 and tails.binom_tail_gt(4, 0.5, -0.5) == 1.0


def test_chi2_tail_matches_mpmath_incomplete_gamma():
    """L-29 / L-30: chi-square tails against the regularized upper incomplete gamma function."""
    for k, x in ((1, 0.5), (3, 7.0), (100, 150.0), (2048, 3100.0)):
        ref = float(mp.gammainc(mp.mpf(k) / 2, mp.mpf(x) / 2, mp.inf, regularized=True))
        assert tails.chi2_tail_ge(k, x) == pytest.approx(ref, rel=1e-9)
        assert tails.chi2_logtail_ge(k, x) == pytest.approx(math.log(ref), rel=1e-9)


def test_centred_chi2_mgf_matches_quadrature_and_diverges_at_half():
    """P-1(g), L-29(b), L-30(b): E exp(s(Z^2 - 1)) = exp(-s)/sqrt(1 - 2s); infinite for s >= 1/2."""
    with mp.workdps(25):
        for s in (-3.0, -0.2, 0.1, 0.4):
            q = mp.quad(lambda z, s=s: mp.exp(s * (z**2 - 1) - z**2 / 2) / mp.sqrt(2 * mp.pi), [-mp.inf, 0, mp.inf])
            assert tails.chi2_1_centred_mgf(s) == pytest.approx(float(q), rel=1e-12)
    assert tails.chi2_1_centred_mgf(0.5) == math.inf


def test_orthant_probability_monte_carlo():
    """N-3 / T-2(a): P(<w,x_i> >= 0, <w,x_j> >= 0) = (pi - arccos c)/(2 pi)."""
    rng = np.random.default_rng(2)
    w = rng.normal(size=(400000, 2))
    for c in (-0.8, 0.0, 0.6):
        xj = np.array([c, math.sqrt(1 - c * c)])
        freq = ((w[:, 0] >= 0) & (w @ xj >= 0)).mean()
        assert freq == pytest.approx(tails.orthant(c), abs=4e-3)


def test_rademacher_tail_matches_enumeration():
    """P-1(e): exact law of Rademacher means, by brute force over sign vectors."""
    for n in (1, 2, 5, 9):
        for t in (Fraction(1, 10), Fraction(1, 2), Fraction(1)):
            cnt = sum(1 for s in itertools.product((-1, 1), repeat=n) if abs(Fraction(sum(s), n)) >= t)
            assert tails.rademacher_mean_tail(n, t) == Fraction(cnt, 2**n)


def test_orthonormal_union_is_independent_union():
    """L-23 / L-30: for independent events the union probability is 1 - (1 - p)^n."""
    assert tails.orthonormal_union(0.1, 3) == pytest.approx(1 - 0.9**3, rel=1e-14)
    assert tails.orthonormal_union(1e-20, 10) == pytest.approx(1e-19, rel=1e-9)


def test_k_inf_is_accurate_and_agrees_with_impl_off_diagonal():
    """N-3 / N-4: K^inf diagonal is ||x_i||^2/2 to the last bit (angle exactly 0) and off-diagonal entries
    agree with impl.ntk.H_inf."""
    from maskverify.impl import ntk

    X = np.random.default_rng(3).normal(size=(6, 3))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    K = tails.k_inf(X)
    assert np.allclose(np.diag(K), 0.5 * (X**2).sum(axis=1), rtol=4e-16, atol=0)
    off = ~np.eye(6, dtype=bool)
    assert np.allclose(K[off], ntk.H_inf(X, 1.0).numpy()[off], rtol=1e-12, atol=1e-15)


# ---- helpers of the checks --------------------------------------------------------------------------


def test_masked_gram_matches_impl_masked_H():
    """T-2 / N-2: the numpy kernel used in the Theorem 2 Monte Carlo equals impl.ntk.masked_H."""
    from maskverify.impl import ntk

    rng = np.random.default_rng(4)
    X = thm2.dataset("random")
    W = rng.normal(size=(50, 3))
    mask = (rng.uniform(size=50) < 0.5).astype(float)
    assert np.allclose(probability_checks.masked_gram(W, X, mask), ntk.masked_H(W, X, mask).numpy(), rtol=1e-13, atol=1e-15)


def test_adversarial_weights_stay_in_ball_and_flip_exactly_the_A_ir_neurons():
    """T-2(c) / N-5: each adversarial row is at distance R; 'flip' changes the pattern for x_{i*} iff A_{i* r}."""
    rng = np.random.default_rng(5)
    X = thm2.dataset("random")
    W0, R = rng.normal(size=(400, 3)), 0.2
    adv = thm2.adversarial_weights(W0, X, R)
    pre = W0 @ X.T
    istar = np.argmin(np.abs(pre), axis=1)
    z = pre[np.arange(400), istar]
    for Wt in adv.values():
        assert np.allclose(np.linalg.norm(Wt - W0, axis=1), R)
    flipped = (adv["flip"] @ X.T >= 0)[np.arange(400), istar] != (z >= 0)
    assert np.array_equal(flipped, (z >= -R) & (z < R))


def test_h_perp_matches_quantities_rows_form():
    """L-24 / N-6: H^perp equals the rows-restricted NTK of maskverify.properties.oracles.quantities."""
    from maskverify.properties.oracles import quantities

    rng = np.random.default_rng(6)
    X = thm2.dataset("random")
    W = rng.normal(size=(30, 3))
    S = rng.uniform(size=(3, 30)) < 0.3
    assert np.allclose(probability_checks.h_perp(W, X, 0.7, S), quantities.H(W, X, 0.7, rows=S), rtol=1e-13)


def test_L24_adversarial_instance_is_tight():
    """L-24: the adversarial construction reaches the bound 4 n xi R/kappa up to the tiny data angle."""
    _, (ok, margin, w) = lemmas_23_24_33._l24_case("adversarial", 100, 3, 3, 0.5, 1.0, 0.05, 0)
    assert ok is True and 0 <= margin < 1e-5


def test_known_exact_values_of_the_violations():
    """L-30(e), L-29(d), P-1(e), T-2(e), L-33: the computed witnesses against hand computations."""
    assert stats.chi2.sf(1.5 * 23, 23) > math.exp(-23 / 8)  # L-30(e) at m = 23, R = kappa/sqrt 2
    assert stats.chi2.sf(1.5 * 22, 22) <= math.exp(-22 / 8)
    assert stats.chi2.sf(5.0, 1) > math.exp(-4.0)  # L-29(d), branch 2 at md = 1, t = 4
    assert tools_checks.replay_P1e(1, "1/20").verdict == V.VIOLATED  # P(|X| >= t) = 1 for one Rademacher
    out = thm2.replay_T2e("single", 1.0, "m_proof_end_p20")
    assert out.verdict == V.VIOLATED and out.counterexample["values"]["printed_probability"] > 1
    # L-33: exact value sum y^2 + n xi^2 kappa^2/2 exceeds C^2 n at C = 1, kappa = 2
    assert lemmas_23_24_33.replay_L33(1, 8, 2, 1.0, 2.0, 1.0, 7, 4000, 1e-4).verdict == V.VIOLATED


def test_L33_holds_in_the_small_kappa_regime():
    """L-33: with kappa <= 1 and |y_i| = C - 1 the Monte Carlo supports the bound."""
    assert lemmas_23_24_33.replay_L33(2, 16, 3, 1.0, 0.5, 2.0, 11, 4000, 1e-4).verdict == V.HOLDS


# ---- planted wrong claims: the machinery must report them violated ------------------------------------


def test_planted_wrong_chi2_oracle_makes_L29_violated(monkeypatch):
    """L-29 (planted): with an oracle claiming P = 1 the exact-tail machinery reports a replayable violation."""
    monkeypatch.setattr(tails, "chi2_logtail_ge", lambda k, x: 0.0)
    out = lemmas_29_30.check_L29_frobenius(_ctx("L-29"))
    assert out.verdict == V.VIOLATED
    assert out.counterexample["args"] == {"m": 1, "d": 1, "c": 0.0}


def test_planted_wrong_bound_in_from_cases_generic_witness():
    """P-1(h) (planted): a failing case without its own evaluator still yields a violated verdict with the
    generic replay witness."""
    out = probability_checks.fc(_ctx("P-1(h)"), [(True, 1.0, None), (False, -1.0, None)], method="planted", covered="planted")
    assert out.verdict == V.VIOLATED
    assert out.counterexample["evaluator"].endswith(":replay_check")
    assert out.counterexample["values"] == {"case_index": 1, "margin": -1.0}


def test_planted_probability_bound_monte_carlo_is_violated():
    """T-2(b) (planted): a Monte Carlo failure count far above delta is reported violated."""
    out = V.probability_le(50, 200, 0.01, alpha=1e-4, witness={"item": "x", "evaluator": "m:f", "args": {},
                                                                "values": {}})
    assert out.verdict == V.VIOLATED


def test_theorem2_trials_deviation_shrinks_with_width():
    """T-2(b): the spectral deviation of m o H(0,0) from H^inf decreases with m (sanity of the Monte Carlo)."""
    X = thm2.dataset("orthonormal")
    small = thm2.theorem2_trials(X, 1.0, 1.0, 20, 0.0, 40, 0)["dev0_spec"].mean()
    large = thm2.theorem2_trials(X, 1.0, 1.0, 2000, 0.0, 40, 0)["dev0_spec"].mean()
    assert large < small / 3


def test_forms_use_theory_constants():
    """T-2: C-1 and C-12 forms evaluated through maskverify.theory.constants."""
    f = thm2.forms(3, 0.5, 0.25)
    assert f["R_main_p7"] == pytest.approx(0.25 / 24) and f["R_proof_p20"] == pytest.approx(0.25 / 36)
    assert f["m_main_p7"] == math.ceil(9 * math.log(30) / (0.5 * 0.0625))
    assert f["m_proof_end_p20"] == math.ceil(9 * math.log(30) / (0.5 * 0.25))


def test_T9c_Z_form_against_torch_autograd():
    """T-9(c): the Z-tensor form of one local step equals minus eta times the autograd gradient of the
    1/2-loss of the masked network."""
    rng = np.random.default_rng(8)
    m, n, d = 7, 4, 3
    X = rng.normal(size=(n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    W = torch.tensor(rng.normal(size=(m, d)), requires_grad=True)
    a = torch.tensor(rng.choice([-1.0, 1.0], size=m))
    mask = torch.tensor((rng.uniform(size=m) < 0.5).astype(float))
    y = torch.tensor(rng.uniform(-1, 1, size=n))
    Xt = torch.tensor(X)
    f = (a * mask) @ torch.relu(W @ Xt.T) / math.sqrt(m)
    (0.5 * ((f - y) ** 2).sum()).backward()
    Wn = W.detach().numpy()
    act = (Wn @ X.T >= 0).astype(float)
    Z = (a * mask).numpy()[:, None, None] * X.T[None] * act[:, None, :] / math.sqrt(m)
    g = np.einsum("rdi,i->rd", Z, (f - y).detach().numpy())
    assert np.allclose(g, W.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_T9i_offered_evaluators():
    """T-9(i) (helpers offered to the owner of T-9(i)): '||y||_2 = n' fails for y = (1, 1); the H(0)
    concentration Monte Carlo returns a well-formed outcome."""
    out = thm34.t9i_y_norm([1.0, 1.0])
    assert out.verdict == V.VIOLATED and out.counterexample["values"]["||y||_2"] == pytest.approx(math.sqrt(2))
    assert thm34.t9i_y_norm([2.0, 0.0]).verdict == V.HOLDS
    mc = thm34.t9i_h0_concentration(3, 3, 64, 0.5, 0.1, 0, 200, 1e-4)
    assert mc.verdict in V.VERDICTS and mc.confidence["trials"] == 200


def test_P1c_and_P2d_readings_are_recorded():
    """P-1(c), P-2(d): the printed-form verdicts carry the corrected-form evidence (P-1(c): the witnesses satisfy
    the sign-corrected Definition 3 and the standard tail e^{-t/(2 alpha)} holds; P-2(d): the p.19 chain holds and
    the p.49 '=' read as '<=' holds), and P-2(d)'s witness gap is far above float64 noise."""
    ctx = lambda iid: registry.Context(profile=profiles.get("ci"), seed=0, item_id=iid, alpha=1e-4)  # noqa: E731
    c = registry.registry()["P-1(c)"].fn(ctx("P-1(c)"))
    assert c.evidence["standard_branch_2_e^{-t/(2 alpha)}_holds_on_grid"] is True
    assert any(k.startswith("witnesses_satisfy_sign_corrected") and v is True for k, v in c.evidence.items())
    d = registry.registry()["P-2(d)"].fn(ctx("P-2(d)"))
    assert d.evidence["chain_p19_holds"] and d.evidence["equality_as_<=_holds"]
    if d.verdict == "violated":
        v = d.counterexample["values"]
        gap = abs(v["2R/(kappa sqrt(2pi))"] - v["P(A_ir)=E[1{A}^2]=erf(rho/sqrt2)"])
        assert gap > 1e-3 * v["2R/(kappa sqrt(2pi))"]


def test_T9m_radius_assumption_needs_a_width_unbounded_over_9():
    """T-9(m) (p.68, p.70), decided in order: R = n sqrt(K)/(lambda_0 delta sqrt(m)) <= kappa/n needs
    m >= n^4 K/(lambda_0^2 delta^2 kappa^2), whose ratio to each term of (9) tends to infinity as delta -> 0
    (K = log(n/delta)); violated, replayable, a proof gap."""
    o = thm34.replay_T9m(4, "1/8")
    assert o.verdict == V.VIOLATED
    assert set(o.counterexample["values"]["limits_delta->0+"].values()) == {"oo"}
    again = thm34.replay_T9m(**json.loads(json.dumps(o.counterexample["args"])))
    assert again.counterexample["values"] == o.counterexample["values"]
    out = thm34.check_T9m_assumptions(_ctx("T-9(m)"))
    assert out.verdict == V.VIOLATED and out.severity == "proof-gap" and out.consequence["to"] == ["T-9"]


def test_L29_L30_corrected_sub_exponential_forms_hold_where_the_printed_fail():
    """L-29(b)-(d), L-30(b)-(e), C-22, P-1(c),(g): the printed MGF range t <= 1/(2 kappa^2) fails near its end, but
    the corrected reading (alpha = 4 kappa^2: t <= 1/(4 kappa^2); tails with t linear in branch 2) holds on exact
    chi-square values; planted: the corrected tail with branch 1 stretched to t <= 2 N kappa^2 would fail."""
    assert lemmas_29_30.corrected_mgf(_ctx("L-29(b)"))["verdict"] == V.HOLDS
    assert lemmas_29_30.corrected_tail()["verdict"] == V.HOLDS
    N, tau = 1000, 2000.0                                   # t = 2 N kappa^2: the printed branch-1 end
    assert tails.chi2_logtail_ge(N, N + tau) > -tau**2 / (8 * N)
    out = lemmas_29_30.check_L29d_tail(_ctx("L-29(d)"))
    assert out.verdict == V.VIOLATED and out.severity == "typo"

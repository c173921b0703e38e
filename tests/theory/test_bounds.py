"""Tests of maskverify.theory.bounds: lambdified numerics vs sympy substitution, broadcasting, width solver
(T-4, T-8, C-1, C-8, C-9, C-13, C-16, C-17)."""

import numpy as np
import pytest
import sympy as sp

from maskverify.errors import InvalidParameterError
from maskverify.theory import bounds as bd
from maskverify.theory import constants as cst
from maskverify.theory import symbols as S

RNG = np.random.default_rng(1)


def _pt():
    n = int(RNG.integers(2, 50))
    xi = float(RNG.uniform(0.05, 1.0))
    p = int(RNG.integers(1, 9))
    return dict(n=n, d=int(RNG.integers(1, 10)), m=float(10 ** RNG.uniform(3, 12)), p=p, xi=xi,
                tau=int(RNG.integers(1, 6)), eta=float(10 ** RNG.uniform(-7, -2)), kappa=float(RNG.uniform(0.1, 1)),
                lambda_0=float(RNG.uniform(0.01, xi / 2)))


def _sympy(expr, **v):
    return float(expr.xreplace({S.ALL[k]: sp.Float(x, 30) if isinstance(x, float) else sp.Integer(x)
                                for k, x in v.items()}))


@pytest.mark.parametrize("seed", range(5))
def test_B1_lambdify_matches_sympy_subs(seed):
    """T-4: B1_T4 (lambdified) equals sympy substitution to 1e-12 relative."""
    v = _pt()
    assert bd.B1_T4(**v) == pytest.approx(_sympy(cst.B1, **v), rel=1e-12)
    terms = bd.B1_terms_T4(**v)
    assert terms.shape == (6,) and terms.sum() == pytest.approx(bd.B1_T4(**v), rel=1e-12)


def test_theta_C1_rate_T4():
    """T-4: theta, C_1 and the rate 1 - eta theta tau lambda_0/4 agree with sympy."""
    v = _pt()
    th = bd.theta(v["xi"], v["p"])
    assert th == pytest.approx(1 - (1 - v["xi"]) ** v["p"], rel=1e-14)
    assert bd.C1(th, v["xi"], v["n"], v["kappa"], v["p"]) == pytest.approx(_sympy(cst.C_1, **v), rel=1e-12)
    assert bd.rate_T4(v["eta"], th, v["tau"], v["lambda_0"]) == pytest.approx(_sympy(cst.rate_T4, **v), rel=1e-12)


def test_T8_error_and_rate():
    """C-16, C-17: explicit Theorem 7 error and rate vs sympy; gamma = 1/2 default."""
    v = dict(tau=3, p=4, kappa=0.5, n=10, d=3, lambda_0=0.05, m=1e7)
    e = bd.error_T8_explicit(**v)
    assert e == pytest.approx(_sympy(cst.error_T8_p44, gamma=0.5, **v), rel=1e-12)
    assert e == pytest.approx(256 * 0.25 * 3 * 9 * 1000 * 3 / (0.0025 * 1e7), rel=1e-12)
    assert bd.error_T8_explicit(**v, eta=1e-3) <= e
    assert bd.rate_T8(1e-3, 0.05, 3) == pytest.approx(0.5 + 0.5 * (1 - 1e-3 * 0.05 / 2) ** 3, rel=1e-14)


def test_radii_and_step_sizes():
    """C-1, C-8, C-9: R_C1 forms, eta_max_H1 = lambda_0/(4n^2), eta_max_T4 = lambda_0/(48 n tau max{n,p})."""
    assert bd.R_C1(0.5, 0.1, 10) == pytest.approx(0.5 * 0.1 / 80)
    assert bd.R_C1(0.5, 0.1, 10, form="proof") == pytest.approx(0.5 * 0.1 / 120)
    with pytest.raises(InvalidParameterError, match="'form' parameter of R_C1"):
        bd.R_C1(0.5, 0.1, 10, form="bogus")
    assert bd.eta_max_H1(0.1, 10) == pytest.approx(0.1 / 400)
    assert bd.eta_max_T4(0.1, 10, 20, 3) == pytest.approx(0.1 / (48 * 10 * 3 * 20))
    assert np.isinf(bd.eta_max_L13(0.1, 10, 1))


def test_broadcasting_over_grids():
    """T-4: B1_T4 broadcasts like a ufunc over parameter grids."""
    P, TAU = np.meshgrid(np.arange(1, 5), np.arange(1, 4), indexing="ij")
    out = bd.B1_T4(16, 2, 1e9, P, 0.5, TAU, 1e-5, 0.25, 0.1)
    assert out.shape == (4, 3)
    assert out[2, 1] == pytest.approx(bd.B1_T4(16, 2, 1e9, 3, 0.5, 2, 1e-5, 0.25, 0.1), rel=1e-14)


@pytest.mark.parametrize("form", ["main", "derived"])
def test_m_required_solves_the_implicit_condition(form):
    """C-13: m_required_T4 returns the smallest m with m >= rhs(m) (rhs decreasing in m through B_1)."""
    args = dict(n=8, d=2, p=2, xi=0.5, tau=2, eta=bd.eta_max_T4(0.1, 8, 2, 2), kappa=8**-0.5, K=3, delta=0.1,
                lambda_0=0.1)
    m = bd.m_required_T4(**args, C=2.0, form=form)
    a = (args["n"], args["d"], None, args["p"], args["xi"], args["tau"], args["eta"], args["kappa"], args["lambda_0"])

    def rhs(mm):
        if form == "main":
            return float(np.max(bd.width6_T4(8, 2, mm, 2, 0.5, 2, args["eta"], args["kappa"], 3, 0.1, 0.1)))
        v = dict(zip(["n", "d", "m", "p", "xi", "tau", "eta", "kappa", "lambda_0"], a))
        v.update(m=mm, K=3, delta=0.1, C=2.0)
        return _sympy(cst.C13_DERIVED, **{k: float(x) if not isinstance(x, int) else x for k, x in v.items()})

    assert m >= rhs(m) * (1 - 1e-9)
    assert 0.999 * m < rhs(0.999 * m)
    vec = bd.m_required_T4(np.array([8, 16]), 2, 2, 0.5, 2, 1e-6, 0.3, 3, 0.1, 0.1, form=form)
    assert vec.shape == (2,) and vec[1] > vec[0]


def test_evaluate_any_form_and_missing_symbol():
    """C-9: evaluate() reads any printed form; a missing symbol raises InvalidParameterError."""
    assert bd.evaluate("C-9", "Lemma 17", lambda_0=0.1, n=10, p=2, tau=3) == pytest.approx(0.1 / (48 * 10 * 3 * 10))
    with pytest.raises(InvalidParameterError, match="parameter of evaluate"):
        bd.evaluate("C-9", "Lemma 17", lambda_0=0.1, n=10)


def test_exact_evaluation():
    """C-1: exact() substitutes Rationals."""
    assert bd.exact(cst.C1.form("main").expr, kappa="1/2", lambda_0="1/4", n=2) == sp.Rational(1, 128)

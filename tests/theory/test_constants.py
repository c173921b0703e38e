"""Tests of maskverify.theory.constants: C-1..C-22 printed forms and the Theorem 3 / Theorem 7 building blocks."""

import re

import pytest
import sympy as sp

from maskverify.theory import constants as cst
from maskverify.theory import symbols as S

C_IDS = [f"C-{i}" for i in range(1, 23)]


@pytest.mark.parametrize("item_id", C_IDS)
def test_every_constant_has_pages_and_forms(item_id):
    """C-1..C-22: each item is one Constant with at least one printed form, each with a page and a sympy expr."""
    c = cst.get(item_id)
    assert c.item == item_id and c.forms
    assert re.match(rf"{item_id} · .+ · .+ — ", c.header)
    for f in c.forms:
        assert f.page and f.kind in ("value", "upper", "lower", "order", "relation")
        assert isinstance(f.expr, sp.Basic)
    with pytest.raises(KeyError):
        c.form("no such form")


def test_B1_matches_hand_typed_formula():
    """T-4 (p.8): B_1 as six terms, compared with an independent transcription at exact rational values."""
    xi, p, n, d, m, tau, eta, kappa, lam = (sp.Rational(1, 3), 3, 5, 2, 10**6, 4, sp.Rational(1, 700),
                                            sp.Rational(1, 2), sp.Rational(1, 10))
    theta = 1 - (1 - xi) ** p
    C1 = 4 * theta**2 * (1 - xi) * n * kappa**2 / p
    hand = (64 * (1 - xi) ** 2 * n**3 * d / (m * lam**2) + 68 * eta * tau * (theta - xi**2) * n**3 * kappa**2 / (p * lam)
            + (theta - xi**2) * n * kappa**2 / (6 * tau**2 * p) + (tau - 1) ** 2 * p * C1 / (24 * tau**2)
            + 8 * eta**2 * (tau - 1) ** 2 * n**4 * p * C1 / lam**2 + 4 * eta * (tau - 1) * p * n * C1)
    vals = {S.xi: xi, S.p: p, S.n: n, S.d: d, S.m: m, S.tau: tau, S.eta: eta, S.kappa: kappa, S.lambda_0: lam}
    assert cst.B1.xreplace(vals) == hand
    assert len(cst.B1_TERMS) == 6


def test_C16_gamma_half_identity():
    """C-16: at gamma = 1/2 the p.44 error equals 256 kappa^2 tau (p-1)^2 n^3 d/(lambda_0^2 m) (exact)."""
    e = cst.error_T8_p44.xreplace({S.gamma: sp.Rational(1, 2)})
    assert sp.simplify(e - cst.C16.form("derived gamma=1/2").expr) == 0


def test_C17_rate_forms():
    """C-17: gamma + (1-gamma)(1 - eta lambda_0/2)^tau at gamma = 1/2 is the p.9 rate; alpha = 1 - rate."""
    assert sp.simplify(cst.rate_T8_gamma.xreplace({S.gamma: sp.Rational(1, 2)}) - cst.rate_T8_main) == 0
    assert sp.simplify(1 - cst.rate_T8_gamma - cst.alpha_T8) == 0


def test_C1_forms_and_log10():
    """C-1: main R = kappa lambda_0/(8n) (p.7), proof bound kappa lambda_0/(12n) (p.20); log10 magnitudes."""
    main = cst.C1.form("main").expr.xreplace({S.kappa: 1, S.lambda_0: sp.Rational(1, 2), S.n: 4})
    assert main == sp.Rational(1, 64)
    assert cst.log10_magnitude(100) == pytest.approx(2.0)
    assert cst.log10_magnitude(0) == float("-inf")


def test_C22_mgf_is_the_chi_square_mgf():
    """C-22: the exact MGF form equals E exp(t(w^2 - kappa^2)), w ~ N(0, kappa^2), by numerical integration."""
    import math

    from scipy import integrate

    kappa, t = 0.7, 0.4
    q = integrate.quad(lambda w: math.exp(t * (w * w - kappa**2) - w * w / (2 * kappa**2))
                       / (kappa * math.sqrt(2 * math.pi)), -math.inf, math.inf)[0]
    v = float(cst.C22.form("exact MGF (derived)").expr.xreplace({S.t: sp.Float(t), S.kappa: sp.Float(kappa)}))
    assert v == pytest.approx(q, rel=1e-9)

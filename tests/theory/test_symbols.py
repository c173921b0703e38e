"""Tests of maskverify.theory.symbols: assumptions, ranges and the glossary (SPEC 0.5; S-1, S-2, N-4)."""

import sympy as sp

from maskverify import theory
from maskverify.theory import symbols as S


def test_sizes_are_positive_integers():
    """S-1, S-2: n, d, m, p, K, tau are positive integers (p counts subnetworks, not a probability)."""
    for s in S.SIZES:
        assert s.is_positive and s.is_integer, s


def test_reals_are_positive():
    """S-2, N-4: xi, kappa, eta, lambda_0, delta are positive reals."""
    for s in (S.xi, S.kappa, S.eta, S.lambda_0, S.delta):
        assert s.is_positive and s.is_real


def test_ranges_are_relations():
    """S-2 (xi <= 1), N-4 (lambda_0 <= xi/2), L-29/L-30 (kappa <= 1) as sympy relations."""
    for name, rel in S.RANGES.items():
        assert isinstance(rel, sp.core.relational.Relational), name
    assert S.RANGES["xi"].subs(S.xi, sp.Rational(1, 2)) is sp.true
    assert S.RANGES["xi"].subs(S.xi, sp.Rational(3, 2)) is sp.false


def test_glossary_covers_paper_symbols_and_docstring():
    """SPEC 0.5: every paper symbol has a glossary line, mirrored in the maskverify.theory docstring."""
    for name in ("n", "d", "m", "p", "xi", "theta", "K", "tau", "eta", "kappa", "lambda_0", "delta", "C", "gamma", "R"):
        assert name in S.GLOSSARY
        assert f"\n  {name} " in theory.__doc__ or f"\n  {name}\t" in theory.__doc__, name
    assert "NOT a probability" in S.GLOSSARY["p"]


def test_theta_values():
    """T-4 p.8: theta = 1 - (1 - xi)^p; theta = xi at p = 1, theta = 1 at xi = 1."""
    assert sp.simplify(S.theta_expr().subs(S.p, 1) - S.xi) == 0
    assert S.theta_expr().subs(S.xi, 1) == 1
    assert S.theta_expr(sp.Rational(1, 2), 2) == sp.Rational(3, 4)

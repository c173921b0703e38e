"""Tests of maskverify.theory.corollaries: T-5, T-6, T-7 re-derived from Theorem 3 (T-4) by substitution."""

import sympy as sp

from maskverify.theory import corollaries as co
from maskverify.theory import symbols as S


def test_T5_substituted_terms_by_hand():
    """T-5: tau = p = 1, kappa^2 = 1/n, eta = c_eta lambda_0/n^2 give B_1 terms 2, 3 = 68 c_eta xi(1-xi), xi(1-xi)/6;
    terms 4-6 vanish."""
    t = co.substituted_terms("T-5")
    assert sp.simplify(t[1] - 68 * S.c_eta * S.xi * (1 - S.xi)) == 0
    assert sp.simplify(t[2] - S.xi * (1 - S.xi) / 6) == 0
    assert t[3] == t[4] == t[5] == 0


def test_T5_T6_all_terms_matched():
    """T-5, T-6: every substituted B_1 term is O(printed error) along all directions."""
    for item in ("T-5", "T-6"):
        assert all(r["matched"] for r in co.compare_orders(item)), item


def test_T7_theta_minus_xi_term_unmatched_at_p1_tau1():
    """T-7: (theta - xi^2)/p from B_1 is not O((theta - xi)/p + ...) at p = tau = 1, n -> oo (the printed
    (theta - xi)/p vanishes at p = 1)."""
    res = co.compare_orders("T-7")
    bad = [r for r in res if not r["matched"]]
    assert [r["term"] for r in bad] == [2, 3]
    assert bad[0]["witness"]["base"]["p"] == "1" and bad[0]["witness"]["base"]["tau"] == "1"


def test_planted_too_small_printed_error_is_caught(monkeypatch):
    """T-5 (planted): if the printed error were O((1-xi)/n), term 2 = 68 c_eta xi(1-xi) would be unmatched."""
    from maskverify.theory import statements as st

    fake = dict(st.STATEMENTS["T-5"].forms)
    fake["printed O-terms"] = ((1 - S.xi) / S.n,)
    monkeypatch.setattr(co, "printed_terms", lambda item: fake["printed O-terms"])
    co.ratio_limit.cache_clear()
    try:
        res = co.compare_orders("T-5")
        assert not res[1]["matched"] and res[1]["witness"]["direction"].startswith("n -> oo")
    finally:
        co.ratio_limit.cache_clear()


def test_admissibility_ratios():
    """T-5..T-7 / C-14: (6) term 1 equals the corollary width at kappa^2 = 1/n; eta ratio max{n,p}/n."""
    for item in ("T-5", "T-6", "T-7"):
        w = dict(co.width_ratios(item))
        assert w[1] == 1
    assert co.eta_ratio("T-6") == sp.Max(S.n, S.p) / S.n

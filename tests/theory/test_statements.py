"""Tests of maskverify.theory.statements: the registry of S-, N-, T-, C- objects (SPEC sections 1-4 and 8)."""

import re

import pytest
import sympy as sp

from maskverify import theory
from maskverify.properties.framework.spec_index import MAIN_IDS
from maskverify.theory import statements as st
from maskverify.theory import symbols as S

SECTION_1_4 = [i for i in MAIN_IDS if i[0] in "SNTC"]


def test_registry_ids_equal_spec_section_8():
    """S-1..S-8, N-1..N-9, T-1..T-9, C-1..C-22: theory.items() has exactly the SPEC section 8 main IDs of sections 1-4."""
    assert sorted(theory.items()) == sorted(SECTION_1_4)


@pytest.mark.parametrize("item_id", SECTION_1_4)
def test_header_line(item_id):
    """Every object's line 1 reads '<ID> · <label> · <page> — <claim>' (STYLE 2)."""
    obj = theory.items()[item_id]
    assert obj.item == item_id
    assert re.match(rf"^{re.escape(item_id)} · [^·]+ · [^·]+ — .+", obj.header), obj.header


@pytest.mark.parametrize("item_id", [f"T-{i}" for i in range(1, 10)])
def test_statement_fields_and_hypotheses(item_id):
    """T-1..T-9: frozen dataclasses with item, label, page, hypotheses, lhs, rhs, averages_over, forms; each
    hypothesis relation uses only known symbols."""
    s = st.STATEMENTS[item_id]
    with pytest.raises(AttributeError):
        s.item = "X"   # frozen
    assert s.hypotheses and s.averages_over and s.page.startswith("p.")
    known = set(S.ALL.values())
    for c in s.hypotheses:
        assert c.kind in ("hypothesis", "order", "regime", "data")
        if c.relation is not None:
            assert c.relation.free_symbols <= known, (c.name, c.relation.free_symbols - known)


def test_condition_evaluate():
    """T-4: hypotheses evaluate at concrete values; missing values give None; data conditions give None."""
    vals = dict(lambda_0=0.1, xi=0.5, delta=0.1, m=10**6, c_m=1, K=2, n=10, d=3, p=2, tau=1, kappa=0.3,
                eta=1e-5, c_eta=1)
    res = st.T4.check_hypotheses(vals)
    assert res["xi in (0, 1]"] is True
    assert any(k.startswith("m = Omega") and v is False for k, v in res.items())
    c = st.Condition("xi <= 1", sp.Le(S.xi, 1), "p.8")
    assert c.evaluate({"xi": "3/2"}) is False and c.evaluate({}) is None
    assert st.Condition("data", None, "p.8", "data").evaluate({}) is None


def test_T4_rhs_is_rate_power_plus_B1():
    """T-4 (7): rhs = (1 - eta theta tau lambda_0/4)^k' L_0 + B_1; at k' = 0 it is L_0 + B_1."""
    from maskverify.theory import constants as cst

    assert sp.simplify(st.T4.rhs.subs(st.k_, 0) - (st.L_0 + cst.B1)) == 0


def test_corollary_printed_terms():
    """T-5, T-6, T-7: the printed O-terms as on p.8-9 (T-7 prints (theta - xi)/p, T-6 (theta - xi^2)/p)."""
    th = 1 - (1 - S.xi) ** S.p
    assert st.T5.forms["printed O-terms"] == (1 - S.xi,)
    assert sp.simplify(st.T6.forms["printed O-terms"][1] - (th - S.xi**2) / S.p) == 0
    assert sp.simplify(st.T7.forms["printed O-terms"][1] - (th - S.xi) / S.p) == 0

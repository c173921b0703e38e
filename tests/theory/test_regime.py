"""Tests of maskverify.theory.regime: constant profiles and regime helpers (T-2, T-3, T-4, T-8, C-1..C-9)."""

import json

from maskverify.theory import bounds as bd
from maskverify.theory import regime as rg

KEYS = {"form", "constant_profile", "conditions", "inside", "required_m"}


def _t4(m, profile=None, eta=None):
    n = 16
    eta = bd.eta_max_T4(0.1, n, 2, 2) if eta is None else eta
    return rg.regime_T4(n, 2, m, 2, 0.5, 2, eta, 0.25, 2, 0.1, 0.1, C=2.0, profile=profile, L_0=32.0)


def test_regime_T4_inside_iff_width_met():
    """T-4: inside is False below the (6) width (c_m = 1) and True above it; JSON-serializable."""
    lo, hi = _t4(10**6), _t4(10**13)
    assert KEYS <= set(lo) and not lo["inside"] and hi["inside"]
    assert lo["required_m"] == hi["required_m"]
    assert 10**6 < hi["required_m"] < 10**13
    assert "vacuity_ratio" in hi and hi["vacuity_ratio"] == hi["B_1"] / 32.0
    json.dumps(hi)


def test_regime_T4_appendix_profile_is_stricter():
    """T-4 / C-13: the APPENDIX profile (C-13 derived width, C-9 explicit step) needs a larger m."""
    a, u = _t4(10**13, profile="appendix"), _t4(10**13)
    assert a["required_m"] > u["required_m"] and not a["inside"]
    assert a["constant_profile"]["forms"] == "appendix"


def test_regime_T4_step_size_condition():
    """T-4 / C-9: a step size above c_eta lambda_0/(max{n,p} n tau) leaves the hypotheses."""
    r = _t4(10**13, eta=1.0)
    assert not r["inside"]
    assert any("eta" in k and v is False for k, v in r["conditions"].items())


def test_regime_T2_T3_T8_R_eta():
    """T-2, T-3, T-8, C-1..C-7 radii, C-8/C-9 step sizes: helpers return well-formed dicts."""
    t2 = rg.regime_T2(10, 10**9, 2, 0.5, 3, 0.1, 0.1, 0.3, R=1e-5)
    assert KEYS <= set(t2) and t2["inside"]
    t3 = rg.regime_T3(10, 10**9, 2, 0.5, 3, 0.1, 0.1, 1e-5, R=1e-5, kappa=0.3)
    assert KEYS <= set(t3)
    t8 = rg.regime_T8(10, 3, 10**15, 2, 2, 1e-4, 3, 0.1, 0.1, 0.3, L_0=10.0)
    assert KEYS <= set(t8) and t8["error_p44"] > 0 and 0 < t8["rate"] < 1
    r = rg.regime_R(bd.R_C1(0.3, 0.1, 10), 0.3, 0.1, 10, d=3, xi=0.5)
    assert r["conditions"]["R <= kappa lambda_0/(8n) (C-1 main, p.7)"]
    assert not r["conditions"]["R <= kappa lambda_0/(12n) (C-1 proof, p.20)"]
    e = rg.regime_eta(bd.eta_max_T4(0.1, 10, 2, 3), 0.1, 10, 2, 3)
    assert e["inside"]


def test_admissible_points_are_inside():
    """T-4, T-8: admissible_T4 / admissible_T8 return points whose regime is inside (both T-4 profiles)."""
    for prof in ("unit", "appendix"):
        v, r = rg.admissible_T4(8, 2, 2, 0.5, 2, 2, 0.1, 0.1, C=2.0, profile=prof)
        assert r["inside"], (prof, {k: x for k, x in r["conditions"].items() if not x})
        assert v["m"] >= r["required_m"]
    v, r = rg.admissible_T8(8, 2, 2, 2, 2, 0.1, 0.1)
    assert r["inside"] and v["eta"] == bd.eta_max_H1(0.1, 8)

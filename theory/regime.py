"""Regime helpers: evaluate a statement's hypotheses at concrete values under a constant profile.

The hidden constants of O()/Omega()/Theta() are explicit parameters of a :class:`ConstantProfile`
(default 1). :data:`UNIT` reads every main-text order condition with constant 1; :data:`APPENDIX` uses
the explicit values the appendix prints (C-8/C-9 step sizes, C-3/C-5 radii, C-13 derived width).

Each helper returns the dict that goes into an Outcome's ``regime`` field::

    {"form": "<printed form / page>", "constant_profile": {...}, "conditions": {"<printed>": bool},
     "inside": all(conditions), "required_m": <smallest admissible width>, ...}

Conditions are evaluated in float64 (numbers are far from the boundary in practice; the check modules
use exact arithmetic where a verdict depends on a boundary case).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from maskverify.theory import bounds as bd


@dataclass(frozen=True)
class ConstantProfile:
    """Hidden constants: width ``m >= c_m * form``, step ``eta <= c_eta * form``, radius ``R <= c_R * form``.

    ``forms="main"`` tests the main-text order conditions with these constants; ``forms="appendix"``
    tests the explicit appendix conditions (the constants are then the printed ones and c_* are unused).
    """

    name: str = "unit"
    c_m: float = 1.0
    c_eta: float = 1.0
    c_R: float = 1.0
    forms: str = "main"


UNIT = ConstantProfile()
APPENDIX = ConstantProfile(name="appendix", forms="appendix")
PROFILES = {"unit": UNIT, "appendix": APPENDIX}


def _profile(profile):
    if profile is None:
        return UNIT
    if isinstance(profile, str):
        return PROFILES[profile]
    if isinstance(profile, dict):
        return ConstantProfile(**profile)
    return profile


def _le(a, b):
    return bool(float(a) <= float(b))


def regime_R(R, kappa, lambda_0, n, d=None, xi=None):
    """All printed radius conditions (C-1..C-4, C-7) at R: {condition: bool}."""
    c = {
        "R <= kappa lambda_0/(8n) (C-1 main, p.7)": _le(R, kappa * lambda_0 / (8 * n)),
        "R <= kappa lambda_0/(12n) (C-1 proof, p.20)": _le(R, bd.R_C1(kappa, lambda_0, n, "proof")),
        "R <= kappa lambda_0/(64n) (C-3, p.22)": _le(R, bd.evaluate("C-3", "Hypothesis 1 proof", kappa=kappa,
                                                                      lambda_0=lambda_0, n=n)),
        "R <= kappa lambda_0/(128n) (C-4 Lemma 13, p.34)": _le(R, bd.evaluate("C-4", "Lemma 13", kappa=kappa,
                                                                                lambda_0=lambda_0, n=n)),
        "R <= kappa lambda_0/(144n) (C-5, p.28)": _le(R, bd.evaluate("C-5", "base case rhs", kappa=kappa,
                                                                       lambda_0=lambda_0, n=n)),
        "R <= kappa lambda_0/(192n) (C-2/C-4 Lemma 16, p.18, p.38)": _le(R, bd.evaluate(
            "C-2", "appendix A", kappa=kappa, lambda_0=lambda_0, n=n)),
        "R <= kappa/sqrt(2) (C-7 Lemma 30, p.54)": _le(R, kappa / math.sqrt(2)),
        "R <= kappa/n (C-7 Appendix I, p.68)": _le(R, kappa / n),
        "kappa <= 1 (Lemmas 29-30)": _le(kappa, 1),
    }
    if xi is not None:
        c["R <= xi kappa lambda_0/(144n) (C-4 Lemma 19, p.41)"] = _le(R, xi * kappa * lambda_0 / (144 * n))
    if d is not None:
        c["R <= kappa sqrt(d/32) (C-7 Lemma 29, p.53)"] = _le(R, kappa * math.sqrt(d / 32))
    return {"form": "radius conditions C-1..C-7", "conditions": c, "inside": all(c.values())}


def regime_eta(eta, lambda_0, n, p=1, tau=1, profile=None):
    """Printed step-size conditions (C-8, C-9) at eta: {condition: bool}."""
    prof = _profile(profile)
    c = {
        "eta <= lambda_0/(4n^2) (C-8 proof, p.22)": _le(eta, bd.eta_max_H1(lambda_0, n)),
        "eta <= lambda_0/(16(tau-1)n^2) (C-9 Lemma 13, p.32)": _le(eta, bd.eta_max_L13(lambda_0, n, tau)),
        "eta <= lambda_0/(48 n tau max{n,p}) (C-9 Lemma 17, p.38)": _le(eta, bd.eta_max_T4(lambda_0, n, p, tau)),
        f"eta <= c_eta lambda_0/n^2 (C-8 main, c_eta={prof.c_eta:g})": _le(eta, prof.c_eta * lambda_0 / n**2),
        f"eta <= c_eta lambda_0/(max{{n,p}} n tau) (C-9 main, c_eta={prof.c_eta:g})":
            _le(eta, prof.c_eta * lambda_0 / (max(n, p) * n * tau)),
    }
    return {"form": "step-size conditions C-8, C-9", "constant_profile": asdict(prof), "conditions": c,
            "inside": all(c.values())}


def regime_T4(n, d, m, p, xi, tau, eta, kappa, K, delta, lambda_0, C=1.0, profile=None, L_0=None):
    """T-4 · Theorem 3 · p.8 — hypotheses of Theorem 3 at concrete values.

    Returns ``{"form", "constant_profile", "conditions", "inside", "paper_regime", "required_m",
    "B_1", "rate", "theta", "vacuity_ratio"}``; ``vacuity_ratio = B_1 / L_0`` when ``L_0 =
    ||y - u_0||^2`` is given (>= 1 means the bound (7) says nothing the initial loss does not).
    """
    prof = _profile(profile)
    th = bd.theta(xi, p)
    B1 = bd.B1_T4(n, d, m, p, xi, tau, eta, kappa, lambda_0)
    cond = {
        "lambda_0 > 0 (p.8)": lambda_0 > 0,
        "xi in (0, 1] (p.8)": 0 < xi <= 1,
        "delta in (0, 1)": 0 < delta < 1,
        "lambda_0 <= xi/2 (N-4, derived consistency)": lambda_0 <= xi / 2,
        "kappa <= 1 (Lemmas 29-30, p.53-54)": kappa <= 1,
        "m >= p (Lemma 10, p.30)": m >= p,
        "m >= 1/xi (Lemma 31, p.57)": m >= 1 / xi,
    }
    if prof.forms == "main":
        w6 = bd.width6_T4(n, d, m, p, xi, tau, eta, kappa, K, delta, lambda_0, c_m=prof.c_m)
        req = bd.m_required_T4(n, d, p, xi, tau, eta, kappa, K, delta, lambda_0, C=C, form="main", c_m=prof.c_m)
        form = "Theorem 3 main text: (6) and eta = O(lambda_0/(max{n,p} n tau)) (p.8)"
        cond[f"m >= c_m (K/delta) max{{...}} (6), p.8 (c_m={prof.c_m:g})"] = bool(m >= np.max(w6))
        cond[f"eta <= c_eta lambda_0/(max{{n,p}} n tau) (p.8, c_eta={prof.c_eta:g})"] = _le(
            eta, prof.c_eta * lambda_0 / (max(n, p) * n * tau))
        cond[f"m >= c_m n log(n/delta)/(xi lambda_0) (Lemma 23, p.26, c_m={prof.c_m:g})"] = _le(
            prof.c_m * n * math.log(n / delta) / (xi * lambda_0), m)
        width_terms = {"(6) term 1": float(w6[0]), "(6) term 2": float(w6[1]), "(6) term 3": float(w6[2])}
    else:
        req = bd.m_required_T4(n, d, p, xi, tau, eta, kappa, K, delta, lambda_0, C=C, form="derived")
        form = "Theorem 3 appendix: C-13 derived width (p.28), eta <= lambda_0/(48 n tau max{n,p}) (p.38)"
        cond["m >= C-13 derived (base case C-5 solved for m, p.28)"] = bool(m >= req)
        cond["eta <= lambda_0/(4n^2) (C-8, p.22)"] = _le(eta, bd.eta_max_H1(lambda_0, n))
        cond["eta <= lambda_0/(16(tau-1)n^2) (C-9 Lemma 13, p.32)"] = _le(eta, bd.eta_max_L13(lambda_0, n, tau))
        cond["eta <= lambda_0/(48 n tau max{n,p}) (C-9 Lemma 17, p.38)"] = _le(eta, bd.eta_max_T4(lambda_0, n, p, tau))
        width_terms = {}
    cond = {k: bool(v) for k, v in cond.items()}
    out = {
        "form": form,
        "constant_profile": asdict(prof),
        "conditions": cond,
        "inside": all(cond.values()),
        "paper_regime": {"max{K, d, p} <= n (p.8)": bool(max(K, d, p) <= n),
                         "kappa = n^{-1/2} (p.8)": bool(abs(kappa * math.sqrt(n) - 1) <= 1e-12)},
        "required_m": float(req),
        "log10_required_m": math.log10(req) if np.isfinite(req) else math.inf,
        "theta": float(th),
        "B_1": float(B1),
        "log10_B_1": math.log10(B1) if B1 > 0 else -math.inf,
        "rate": float(bd.rate_T4(eta, th, tau, lambda_0)),
        **({"width_terms": width_terms} if width_terms else {}),
    }
    if L_0 is not None:
        out["vacuity_ratio"] = float(B1 / L_0) if L_0 > 0 else math.inf
    return out


def regime_T2(n, m, p, xi, K, delta, lambda_0, kappa, R=None, profile=None):
    """T-2 · Theorem 2 · p.7 — width and radius conditions of Theorem 2 (main and proof forms), plus the
    width the explicit per-(k', l) probabilities of T-2(b), T-2(d) need after a union bound over K p."""
    prof = _profile(profile)
    lg = math.log(K * p * n / delta)
    cond = {
        f"m >= c_m n^2 log(Kpn/delta)/(xi lambda_0^2) (p.7, c_m={prof.c_m:g})":
            _le(prof.c_m * n**2 * lg / (xi * lambda_0**2), m),
        f"m >= c_m n^2 log(Kpn/delta)/(xi lambda_0) (p.20, c_m={prof.c_m:g})":
            _le(prof.c_m * n**2 * lg / (xi * lambda_0), m),
    }
    if R is not None:
        cond["R <= kappa lambda_0/(8n) (C-1 main, p.7)"] = _le(R, bd.R_C1(kappa, lambda_0, n, "main"))
        cond["R <= kappa lambda_0/(12n) (C-1 proof, p.20)"] = _le(R, bd.R_C1(kappa, lambda_0, n, "proof"))
    fail = K * p * (2 * n**2 * math.exp(-m * lambda_0**2 / (8 * n**2)) + n**2 * math.exp(-m * xi * lambda_0 / (12 * n)))
    explicit_m = required_m_T2_explicit(n, p, xi, K, delta, lambda_0)
    cond["union bound K p (2n^2 e^{-m lambda_0^2/(8n^2)} + n^2 e^{-m xi lambda_0/(12n)}) <= delta (p.19-20)"] = fail <= delta
    return {"form": "Theorem 2 (p.7), proof forms (p.19-20)", "constant_profile": asdict(prof),
            "conditions": cond, "inside": all(cond.values()), "required_m": explicit_m,
            "failure_probability_bound": fail}


def required_m_T2_explicit(n, p, xi, K, delta, lambda_0):
    """Smallest m with K p (2 n^2 e^{-m lambda_0^2/(8 n^2)} + n^2 e^{-m xi lambda_0/(12 n)}) <= delta."""
    def g(mm):
        return delta - K * p * (2 * n**2 * np.exp(-mm * lambda_0**2 / (8 * n**2))
                                + n**2 * np.exp(-mm * xi * lambda_0 / (12 * n)))
    return float(bd._bisect_increasing(g, 1.0, 1e300))


def regime_T3(n, m, p, xi, K, delta, lambda_0, eta, R=None, kappa=None, profile=None):
    """T-3 · Hypothesis 1 · p.7 — width, step-size and radius conditions (main and p.22 forms)."""
    prof = _profile(profile)
    lg = math.log(K * p * n / delta)
    cond = {
        f"m >= c_m n^2 log(Kpn/delta)/(xi lambda_0^2) (p.7, c_m={prof.c_m:g})":
            _le(prof.c_m * n**2 * lg / (xi * lambda_0**2), m),
        f"eta <= c_eta lambda_0/n^2 (p.7, c_eta={prof.c_eta:g})": _le(eta, prof.c_eta * lambda_0 / n**2),
        "eta <= lambda_0/(4n^2) (p.22)": _le(eta, bd.eta_max_H1(lambda_0, n)),
    }
    if R is not None and kappa is not None:
        cond["R <= kappa lambda_0/(64n) (C-3, p.22)"] = _le(R, kappa * lambda_0 / (64 * n))
    return {"form": "Hypothesis 1 (p.7), proof constants (p.22)", "constant_profile": asdict(prof),
            "conditions": cond, "inside": all(cond.values()),
            "required_m": prof.c_m * n**2 * lg / (xi * lambda_0**2)}


def regime_T8(n, d, m, p, tau, eta, K, delta, lambda_0, kappa, C=1.0, gamma=0.5, profile=None, L_0=None):
    """T-8 · Theorem 7 · p.9 — width/step conditions (main p.9 and p.45 forms), explicit error and rate."""
    prof = _profile(profile)
    main_w = prof.c_m * tau**2 * n**2 * K * max(n**2, d) / (lambda_0**4 * delta)
    p45_w = prof.c_m * tau**2 * K * max(n**4, n**2 * d, p * K**2) / (
        (1 - gamma) ** 2 * kappa**2 * lambda_0**4 * delta * math.sqrt(gamma))
    cond = {
        "lambda_0 > 0": lambda_0 > 0,
        "lambda_0 <= 1/(2p) (N-4 with xi = 1/p)": lambda_0 <= 1 / (2 * p),
        "gamma in (0, 1)": 0 < gamma < 1,
        f"m >= c_m tau^2 n^2 K max{{n^2,d}}/(lambda_0^4 delta) (p.9, c_m={prof.c_m:g})": m >= main_w,
        "m >= c_m tau^2 K max{n^4, n^2 d, p K^2}/((1-gamma)^2 kappa^2 lambda_0^4 delta sqrt(gamma)) (p.45)": m >= p45_w,
        "eta <= lambda_0/(4n^2) (Hypothesis 1 proof, p.22; C-10)": _le(eta, bd.eta_max_H1(lambda_0, n)),
    }
    cond = {k: bool(v) for k, v in cond.items()}
    err = bd.error_T8_explicit(tau, p, kappa, n, d, lambda_0, m, gamma)
    out = {"form": "Theorem 7 (p.9), explicit forms p.44-45", "constant_profile": asdict(prof),
           "conditions": cond, "inside": all(cond.values()), "required_m": max(main_w, p45_w),
           "error_p44": float(err), "error_p44_eta": float(bd.error_T8_explicit(tau, p, kappa, n, d, lambda_0,
                                                                                     m, gamma, eta=eta)),
           "rate": float(bd.rate_T8(eta, lambda_0, tau, gamma))}
    if L_0 is not None:
        out["vacuity_ratio"] = float(err / L_0) if L_0 > 0 else math.inf
    return out


def admissible_T4(n, d, p, xi, tau, K, delta, lambda_0, kappa=None, C=1.0, profile=None, eta_factor=1.0):
    """T-4 · Theorem 3 · p.8 — a point inside the hypotheses: eta = eta_factor x the largest admissible step
    (main: c_eta lambda_0/(max{n,p} n tau); appendix: min of C-8, C-9 explicit forms), kappa = n^{-1/2} by
    default (p.8), m = the smallest admissible width (rounded up). Returns the values and the regime dict."""
    prof = _profile(profile)
    kappa = n**-0.5 if kappa is None else kappa
    if prof.forms == "main":
        eta = eta_factor * prof.c_eta * lambda_0 / (max(n, p) * n * tau)
        m = bd.m_required_T4(n, d, p, xi, tau, eta, kappa, K, delta, lambda_0, C=C, form="main", c_m=prof.c_m)
        m = max(m, p, 1 / xi, prof.c_m * n * math.log(n / delta) / (xi * lambda_0))
    else:
        eta = eta_factor * min(bd.eta_max_H1(lambda_0, n), bd.eta_max_L13(lambda_0, n, tau),
                               bd.eta_max_T4(lambda_0, n, p, tau))
        m = max(bd.m_required_T4(n, d, p, xi, tau, eta, kappa, K, delta, lambda_0, C=C, form="derived"), p, 1 / xi)
    m = math.ceil(m)
    values = dict(n=n, d=d, m=m, p=p, xi=xi, tau=tau, eta=eta, kappa=kappa, K=K, delta=delta, lambda_0=lambda_0, C=C)
    return values, regime_T4(n, d, m, p, xi, tau, eta, kappa, K, delta, lambda_0, C=C, profile=prof)


def admissible_T8(n, d, p, tau, K, delta, lambda_0, kappa=None, gamma=0.5, profile=None, eta_factor=1.0):
    """T-8 · Theorem 7 · p.9 — a point inside the explicit conditions: eta = eta_factor lambda_0/(4n^2) (C-10),
    m = the larger of the p.9 and p.45 widths (rounded up). Returns the values and the regime dict."""
    prof = _profile(profile)
    kappa = n**-0.5 if kappa is None else kappa
    eta = eta_factor * bd.eta_max_H1(lambda_0, n)
    r = regime_T8(n, d, 1, p, tau, eta, K, delta, lambda_0, kappa, gamma=gamma, profile=prof)
    m = math.ceil(r["required_m"])
    values = dict(n=n, d=d, m=m, p=p, tau=tau, eta=eta, kappa=kappa, K=K, delta=delta, lambda_0=lambda_0,
                  gamma=gamma)
    return values, regime_T8(n, d, m, p, tau, eta, K, delta, lambda_0, kappa, gamma=gamma, profile=prof)

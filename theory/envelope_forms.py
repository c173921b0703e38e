"""The proved error regions (envelopes) of T-4 (7), T-5..T-7 and T-8 at concrete values, under the reference
constant profile (issue 8): the paper's explicit appendix constants wherever it prints them, and 1 for every
unspecified O()/Omega()/Theta() constant.

Each envelope has the shape ``E ||y - u_k||^2 <= (1 - alpha)^k L_0 + B`` with ``L_0 = ||y - u_0||^2``:

====== ================================================= ============================ ===========================
item   contraction alpha per global step                 error term B                 width / step (unit consts)
====== ================================================= ============================ ===========================
T-4    eta theta tau lambda_0/4 ((7), p.8)               B_1 (p.8)                    (6), Lemma 23, m >= p, 1/xi;
                                                                                      eta <= lambda_0/(max{n,p} n tau)
T-5    eta xi lambda_0/4 (tau = p = 1)                   1 - xi                       m = n^5 K/(xi^2 lambda_0^4 delta),
                                                                                      eta = lambda_0/n^2
T-6    eta theta lambda_0/4 (tau = 1)                    (1-xi)^2/(nK) + (theta-xi^2)/p   m = n^5 K/(xi theta lambda_0^4
                                                                                      delta), eta = lambda_0/n^2
T-7    eta theta tau lambda_0/4                          (1-xi)^2/(nK) + (theta-xi)/p     as T-6, eta = lambda_0/(n tau
                                                         + (tau-1)^2 theta^2 (1-xi)/tau^2  max{n,p})
T-8    1 - gamma - (1-gamma)(1 - eta lambda_0/2)^tau     B_1 of p.44 (eta form)       max of p.9 and p.45 widths;
       (C-17, p.43-44)                                                                eta <= lambda_0/(4n^2) (C-10)
====== ================================================= ============================ ===========================

numpy only (no torch, no hypothesis): :func:`setup` is shared by the strategies that draw instances and by the
checks that run them, so the width an instance meets is computed in one place.
"""

from __future__ import annotations

import math

import numpy as np

from maskverify.theory import bounds as bd
from maskverify.theory import regime as rg

#: The items with an envelope, and the mask law each one is about.
ITEMS = {"T-3": "bernoulli", "T-4": "bernoulli", "T-5": "bernoulli", "T-6": "bernoulli", "T-7": "bernoulli", "T-8": "categorical"}

#: Name of the reference constant profile (issue 8): explicit appendix constants where printed, else 1.
REFERENCE = "reference: explicit appendix constants where printed, 1 for every O()/Omega()/Theta() constant"

#: The constant profiles :func:`setup` knows. Only ``reference`` decides a verdict; ``main-text`` (the main
#: text's orders with unit constants, e.g. eta = lambda_0/(max{n,p} n tau) and (6) for Theorem 3, where the
#: appendix prints eta <= lambda_0/(48 n tau max{n,p}) and the base case C-5) is reported beside it: it is
#: informative about the envelope's shape, never the reason for a verdict.
PROFILES = {"reference": REFERENCE,
            "main-text": "main-text orders with unit constants (reported beside the reference profile, never "
                         "instead of it)"}


def eta_max_theorem3(lam, n, p, tau):
    """C-9 · the explicit step-size bounds of Theorem 3's proof, together (SPEC C-9, derived):
    min{lambda_0/(4n^2) (C-8, p.22), lambda_0/(16(tau-1)n^2) (Lemma 13, p.32), lambda_0/(48 n tau max{n,p})
    (Lemma 17, p.38)}."""
    out = min(float(bd.eta_max_H1(lam, n)), float(bd.eta_max_T4(lam, n, p, tau)))
    if tau >= 2:
        out = min(out, float(bd.eta_max_L13(lam, n, tau)))
    return out


def width_theorem3_explicit(n, d, p, xi, tau, eta, kappa, K, delta, lam, y_norm2):
    """C-13 (derived) · the base case C-5 (p.28) solved for m, with E_{W0,a}||y - u_0||_2 <= C sqrt(n) where
    C^2 n = ||y||^2 + n xi^2 kappa^2/2 (the exact E||y - u_0||^2 at initialisation, L-33 corrected), together
    with Lemma 23's m >= n log(n/delta)/(xi lambda_0), m >= p (Lemma 10) and m >= 1/xi (Lemma 31)."""
    C = math.sqrt((y_norm2 + n * xi**2 * kappa**2 / 2) / n)
    req = float(bd.m_required_T4(n, d, p, xi, tau, eta, kappa, K, delta, lam, C=C, form="derived"))
    return max(req, p, 1 / xi, n * math.log(n / delta) / (xi * lam))


def h_inf(X, xi):
    """N-3 closed form (p.6) — xi <x_i,x_j> (pi - arccos<x_i,x_j>)/(2 pi) for unit rows X (n, d) -> (n, n)."""
    G = np.clip(np.asarray(X, float) @ np.asarray(X, float).T, -1.0, 1.0)
    return xi * G * (math.pi - np.arccos(G)) / (2 * math.pi)


def lambda_0(X, xi):
    """N-4 — lambda_min(H^inf(X, xi))."""
    return float(np.linalg.eigvalsh(h_inf(X, xi))[0])


def theta(xi, p):
    return 1.0 - (1.0 - xi) ** p


def setup(item, *, n, d, p, xi, tau, K, kappa, delta, lambda_0, gamma=0.5, eta_fraction=1.0, m_factor=1.0,
          y_norm2=None, profile="reference"):
    """The instance an envelope check trains: step size, width, contraction and error term.

    ``eta = eta_fraction x`` the largest step the statement admits, ``m = ceil(m_factor x`` the smallest
    width it admits) (both under the reference profile); ``eta_fraction <= 1`` and ``m_factor >= 1`` are
    inside, anything else outside (the hunt for where the envelope breaks first). Returns a dict with
    ``m, eta, m_required, eta_max, alpha, error (B), conditions {printed condition: bool}, inside, profile``.

    ``profile`` (:data:`PROFILES`): ``"reference"`` uses the appendix's explicit step and width for Theorem 3
    and its corollaries (:func:`eta_max_theorem3`, :func:`width_theorem3_explicit`); ``"main-text"`` the main
    text's orders with unit constants. T-3 and T-8 print no other explicit form: both profiles agree there.
    """
    if profile not in PROFILES:
        from maskverify.errors import invalid

        raise invalid("profile", "envelope_forms.setup", f"one of {sorted(PROFILES)}", profile)
    ref = profile == "reference"
    y2 = float(n if y_norm2 is None else y_norm2)
    if item not in ITEMS:
        from maskverify.errors import invalid

        raise invalid("item", "envelope_forms.setup", f"one of {sorted(ITEMS)}", item)
    lam = float(lambda_0)
    th = theta(xi, p)
    cond = {"lambda_0 > 0 (Theorem 1)": lam > 0, "kappa <= 1 (Lemmas 29-30, p.53-54)": kappa <= 1,
            "delta in (0, 1)": 0 < delta < 1, "0 < eta_fraction <= 1": 0 < eta_fraction <= 1,
            "m_factor >= 1": m_factor >= 1}
    if lam <= 0:
        return {"m": math.inf, "eta": 0.0, "m_required": math.inf, "eta_max": 0.0, "alpha": 0.0, "error": math.inf,
                "conditions": cond, "inside": False, "theta": th, "profile": profile}
    if item == "T-3":
        # Hypothesis 1 (p.7): m = Omega(n^2 log(Kpn/delta)/(xi lambda_0^2)), eta = O(lambda_0/n^2) with the p.22
        # constants eta <= lambda_0/(4n^2) (C-8), R = kappa lambda_0/(64n) (C-3). Condition (3) depends on the
        # runs; the width is sized from (3) at k = 0 (twice the width) with alpha -> 1, B_1 = L_0 and the expected
        # L_0 = ||y||^2 + n xi^2 kappa^2/2 (``y_norm2`` = ||y||^2, default n).
        eta_max = bd.eta_max_H1(lam, n)
        eta = eta_fraction * eta_max
        R = kappa * lam / (64 * n)
        L0 = (n if y_norm2 is None else y_norm2) + n * xi**2 * kappa**2 / 2
        B = math.sqrt(L0) + kappa * math.sqrt(xi * (1 - xi) * p * n)     # alpha -> 1, B_1 = L_0
        need = 2 * (2 * eta * tau * (math.sqrt(L0) + K * B) / R) ** 2 * 2 * n * K / delta   # x 2: headroom
        req = max(need, n**2 * math.log(K * p * n / delta) / (xi * lam**2), p, 1 / xi)
        m = _width(req, m_factor)
        alpha = eta * lam / 2          # the local contraction of (4) per local step
        err = 0.0
        cond["delta < 1/4 (conclusion w.p. 1 - 4 delta)"] = delta < 0.25
        cond["m >= n^2 log(Kpn/delta)/(xi lambda_0^2) (p.7, unit constant)"] = (
            m >= n**2 * math.log(K * p * n / delta) / (xi * lam**2))
        cond["eta <= lambda_0/(4n^2) (C-8, p.22)"] = eta <= eta_max * (1 + 1e-12)
    elif item == "T-4":
        eta_max = eta_max_theorem3(lam, n, p, tau) if ref else lam / (max(n, p) * n * tau)
        eta = eta_fraction * eta_max
        if ref:
            req = width_theorem3_explicit(n, d, p, xi, tau, eta, kappa, K, delta, lam, y2)
        else:
            req = bd.m_required_T4(n, d, p, xi, tau, eta, kappa, K, delta, lam, form="main")
            req = max(req, p, 1 / xi, n * math.log(n / delta) / (xi * lam))
        alpha = eta * th * tau * lam / 4
        m = _width(req, m_factor)
        err = float(bd.B1_T4(n, d, m, p, xi, tau, eta, kappa, lam)) if math.isfinite(m) else math.inf
        cond["xi in (0, 1] (p.8)"] = 0 < xi <= 1
        if ref:
            cond["m >= base case C-5 solved for m (C-13 derived, p.28), Lemma 23, m >= p, m >= 1/xi"] = m >= req
            cond["eta <= min{lambda_0/(4n^2), lambda_0/(16(tau-1)n^2), lambda_0/(48 n tau max{n,p})} (C-9)"] = (
                eta <= eta_max * (1 + 1e-12))
        else:
            cond["m >= (K/delta) max{...} (6) with unit constant, Lemma 23, m >= p, m >= 1/xi"] = m >= req
            cond["eta <= lambda_0/(max{n,p} n tau) (p.8, unit constant)"] = eta <= eta_max * (1 + 1e-12)
        cond["lambda_0 <= xi/2 (N-4)"] = lam <= xi / 2 + 1e-15
    elif item in ("T-5", "T-6", "T-7"):
        if item == "T-5":
            tau_, p_ = 1, 1
        elif item == "T-6":
            tau_, p_ = 1, p
        else:
            tau_, p_ = tau, p
        th = theta(xi, p_)
        if ref:     # a corollary is Theorem 3 at its special case: the appendix's explicit step and width apply
            eta_max = eta_max_theorem3(lam, n, p_, tau_)
        else:
            eta_max = lam / n**2 if item != "T-7" else lam / (n * tau_ * max(n, p_))
        eta = eta_fraction * eta_max
        req = n**5 * K / ((xi**2 if item == "T-5" else xi * th) * lam**4 * delta)
        if ref:
            req = max(req, width_theorem3_explicit(n, d, p_, xi, tau_, eta, kappa, K, delta, lam, y2))
        m = _width(req, m_factor)
        alpha = eta * th * tau_ * lam / 4
        if item == "T-5":
            err = 1.0 - xi
        elif item == "T-6":
            err = (1 - xi) ** 2 / (n * K) + (th - xi**2) / p_
        else:
            err = (1 - xi) ** 2 / (n * K) + (th - xi) / p_ + (tau_ - 1) ** 2 * th**2 * (1 - xi) / tau_**2
        cond[f"tau = {'p = ' if item == 'T-5' else ''}1 ({item} setting)" if item != "T-7" else "T-7 setting"] = (
            (tau == 1 and (p == 1 or item != "T-5")) if item != "T-7" else True)
        cond["max{K, d} <= n (corollary statement)" if item != "T-7" else "max{K, d, p} <= n (p.9)"] = (
            max(K, d) <= n if item != "T-7" else max(K, d, p) <= n)
        cond["kappa = n^{-1/2} (p.8)"] = abs(kappa * math.sqrt(n) - 1) <= 1e-12
        if ref:
            cond["m >= the corollary's width (unit constant) and Theorem 3's explicit width (C-13 derived)"] = m >= req
            cond["eta <= Theorem 3's explicit step (C-9) at the corollary's p, tau"] = eta <= eta_max * (1 + 1e-12)
        else:
            cond["m = n^5 K/(xi theta lambda_0^4 delta) (Theta, unit constant)"] = m >= req
            cond["eta at the stated order (unit constant)"] = eta <= eta_max * (1 + 1e-12)
    else:   # T-8
        eta_max = bd.eta_max_H1(lam, n)
        eta = eta_fraction * eta_max
        r = rg.regime_T8(n, d, 1, p, tau, eta, K, delta, lam, kappa, gamma=gamma)
        req = r["required_m"]
        m = _width(req, m_factor)
        alpha = 1.0 - float(bd.rate_T8(eta, lam, tau, gamma))
        err = float(bd.error_T8_explicit(tau, p, kappa, n, d, lam, m, gamma, eta=eta)) if math.isfinite(m) else math.inf
        cond["xi = 1/p (categorical masks)"] = abs(xi * p - 1) <= 1e-12
        cond["gamma in (0, 1)"] = 0 < gamma < 1
        cond["lambda_0 <= 1/(2p) (N-4 with xi = 1/p)"] = lam <= 1 / (2 * p) + 1e-15
        cond["m >= max(p.9 width, p.45 width) (unit constant)"] = m >= req
        cond["eta <= lambda_0/(4n^2) (C-10 via C-8, p.22)"] = eta <= eta_max * (1 + 1e-12)
    cond = {k: bool(v) for k, v in cond.items()}
    return {"m": m, "eta": float(eta), "m_required": float(req), "eta_max": float(eta_max), "alpha": float(alpha),
            "error": float(err), "conditions": cond, "inside": all(cond.values()), "theta": float(th),
            "profile": profile}


def _width(req, factor):
    if not math.isfinite(req) or req * factor > 1e15:
        return math.inf
    return int(math.ceil(req * factor))


def envelope(alpha, L0, error, K, *, rate_factor=1.0, error_factor=1.0):
    """(K+1,) right side ``(1 - rate_factor alpha)^k L_0 + error_factor B`` for k = 0..K (the factors plant
    a faster rate or a smaller error term: detector tests and tightness)."""
    k = np.arange(K + 1)
    q = max(1.0 - rate_factor * alpha, 0.0)
    return q**k * L0 + error_factor * error


def steps_to_leave(alpha, L0, error, ratio=0.5):
    """Global steps k after which the contraction alone has brought the envelope below ``ratio`` L_0 + B
    (a run shorter than that cannot be told apart from 'no progress' by a factor-2 test)."""
    if alpha <= 0:
        return math.inf
    return math.ceil(math.log(ratio) / math.log1p(-alpha)) if alpha < 1 else 1


def algorithm1_bytes(m, d, n, p, xi, law):
    """Working-set estimate (bytes) of one trial of the batched engine (impl/algorithm1.py, float64): W_k, W_0,
    a, the gathered selected rows and their local copy, the aggregation buffer, W_{k+1}, the (s, n)
    pre-activations and indicators of every subnetwork, the masks."""
    sel = m if law == "categorical" else p * xi * m
    return int(8 * (5 * m * d + 2 * m + 2 * sel * d + 2 * sel * n) + p * m)

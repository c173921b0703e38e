"""C-1..C-22 · SPEC section 4 · p.7-65 — every printed form of every hidden constant, as sympy.

Each C-item is one :class:`Constant` holding one :class:`Form` per printed form (main text and
appendix), each with its page. The building blocks of Theorem 3 and Theorem 7 (theta, C_1, B_1, alpha,
B, the rate, the explicit Theorem 7 error) are defined here once; ``bounds.py`` lambdifies them and
``statements.py`` cites them. No paper number appears anywhere else in ``maskverify.theory``.

Form kinds:
  ``value``     the quantity is set equal to ``expr`` (e.g. ``R := kappa lambda_0/(8n)``);
  ``upper``     the quantity is required/claimed to be ``<= expr``;
  ``lower``     the quantity is required/claimed to be ``>= expr``;
  ``order``     ``O(expr)`` / ``Omega(expr)`` / ``Theta(expr)``: ``expr`` times a hidden constant;
  ``relation``  ``expr`` is itself a sympy relation (a printed inequality between two expressions).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from maskverify.theory.symbols import (
    C,
    K,
    R,
    d,
    delta,
    eta,
    gamma,
    kappa,
    lambda_0,
    m,
    n,
    p,
    t,
    tau,
    xi,
)

# --------------------------------------------------------------------------------------------------
# Building blocks of Theorem 3 (T-4, p.8; repeated p.25) and Theorem 7 (T-8, p.9, p.43-45)

theta = 1 - (1 - xi) ** p                                          # p.8


def C_1_of(theta_):
    """C_1 = 4 theta^2 (1 - xi) n kappa^2 / p (p.8), with theta passed in (a symbol or an expression)."""
    return 4 * theta_**2 * (1 - xi) * n * kappa**2 / p


def alpha_of(theta_):
    """alpha = (1/4) eta theta tau lambda_0 (p.25), with theta passed in."""
    return sp.Rational(1, 4) * eta * theta_ * tau * lambda_0


C_1 = C_1_of(theta)

#: The six printed terms of B_1 (T-4, p.8), in printed order.
B1_TERMS = (
    64 * (1 - xi) ** 2 * n**3 * d / (m * lambda_0**2),
    68 * eta * tau * (theta - xi**2) * n**3 * kappa**2 / (p * lambda_0),
    (theta - xi**2) * n * kappa**2 / (6 * tau**2 * p),
    (tau - 1) ** 2 * p * C_1 / (24 * tau**2),
    8 * eta**2 * (tau - 1) ** 2 * n**4 * p * C_1 / lambda_0**2,
    4 * eta * (tau - 1) * p * n * C_1,
)
B1 = sp.Add(*B1_TERMS)
alpha_T4 = alpha_of(theta)                                         # p.25 (T-4(c))
rate_T4 = 1 - alpha_T4                                              # (7), p.8
B_T4 = sp.sqrt(B1 / alpha_T4) + kappa * sp.sqrt(xi * (1 - xi) * p * n)   # p.7, p.25

# Theorem 7 (categorical masks, xi = 1/p): rate and explicit error forms (p.43-44)
rate_T8_gamma = gamma + (1 - gamma) * (1 - eta * lambda_0 / 2) ** tau            # C-17 appendix
rate_T8_main = sp.Rational(1, 2) + sp.Rational(1, 2) * (1 - eta * lambda_0 / 2) ** tau   # C-17 main (p.9)
error_T8_p44 = 64 * tau * (p - 1) ** 2 * kappa**2 * n**3 * d / (lambda_0**2 * gamma * (1 - gamma) * m)
error_T8_p44_eta = (32 * eta * tau * (p - 1) ** 2 * kappa**2 * n**3 * d
                    / ((1 - (1 - eta * lambda_0 / 2) ** tau) * gamma * (1 - gamma) * lambda_0 * m))
error_T8_main = tau * (p - 1) ** 2 * n**3 * d / (lambda_0**2 * m)             # inside O(), p.9
alpha_T8 = (1 - gamma) * (1 - (1 - eta * lambda_0 / 2) ** tau)                 # p.44

# C-18 (p.26): the three lemma bounds (without their ||y-u_k||^2 parts) and the assembled line.
L13_extra = (16 * eta * theta * tau * xi**2 * (1 - xi) ** 2 * kappa**2 * n**3 * d / (m * lambda_0)
             + 2 * eta**3 * xi**2 * tau * (tau - 1) ** 2 * n**4 * p * C_1 / (theta * lambda_0))
L16_extra = (eta * lambda_0 * xi**2 * (theta - xi**2) * n * kappa**2 / (24 * p * tau)
             + eta * lambda_0 * xi**2 * (tau - 1) ** 2 * p * C_1 / (96 * tau * theta))
L17_extra = (17 * eta**2 * xi**2 * tau**2 * theta * (theta - xi**2) * n**3 * kappa**2 / p
             + eta**2 * xi**2 * lambda_0 * (tau - 1) ** 2 * p * n * C_1)
#: Assembled "Putting things together" terms as printed on p.26 (note: no kappa^2 in the first term,
#: and tau (tau-1) in the last term; see C-18, C-19).
ASSEMBLED_TERMS_P26 = (
    16 * eta * theta * tau * xi**2 * (1 - xi) ** 2 * n**3 * d / (m * lambda_0),
    2 * eta**3 * xi**2 * tau * (tau - 1) ** 2 * n**4 * p * C_1 / (theta * lambda_0),
    eta * lambda_0 * xi**2 * (theta - xi**2) * n * kappa**2 / (24 * tau * p),
    eta * lambda_0 * xi**2 * (tau - 1) ** 2 * p * C_1 / (96 * tau * theta),
    17 * eta**2 * xi**2 * tau**2 * theta * (theta - xi**2) * n**3 * kappa**2 / p,
    eta**2 * xi**2 * lambda_0 * tau * (tau - 1) * p * n * C_1,
)


# T-3(d), p.22: the local contraction factor and its target (4)
T3d_factor = 1 - eta * lambda_0 + 16 * eta * n * R / kappa + eta**2 * n**2
T3d_target = 1 - eta * lambda_0 / 2


@dataclass(frozen=True)
class Form:
    """One printed form of a constant: ``name`` (e.g. "main", "Lemma 13"), sympy ``expr``, ``page``,
    ``kind`` (value|upper|lower|order|relation, see the module docstring) and the printed ``text``."""

    name: str
    expr: object
    page: str
    kind: str
    text: str


@dataclass(frozen=True)
class Constant:
    """A SPEC C-item: a quantity and all its printed forms. ``item`` is the SPEC ID ("C-9")."""

    item: str
    label: str
    page: str
    quantity: str
    forms: tuple
    note: str = ""

    @property
    def header(self):
        """Docstring-style line 1: 'C-9 · step size, Theorem 3 · p.8, ... — eta: main / Lemma 13 / ...'."""
        return f"{self.item} · {self.label} · {self.page} — {self.quantity}: " + " | ".join(
            f"{f.name} ({f.page}) {f.text}" for f in self.forms)

    def form(self, name):
        for f in self.forms:
            if f.name == name:
                return f
        raise KeyError(f"{self.item} has no form {name!r}; forms: {[f.name for f in self.forms]}")


def _c(item, label, page, quantity, forms, note=""):
    return Constant(item, label, page, quantity, tuple(Form(*f) for f in forms), note)


_MAXNP = sp.Max(n, p)
_alpha = alpha_T4

C1 = _c("C-1", "radius R in Theorem 2", "p.7, p.20", "R", [
    ("main", kappa * lambda_0 / (8 * n), "p.7", "value", "R := kappa lambda_0/(8n)"),
    ("proof", kappa * lambda_0 / (12 * n), "p.20", "upper", "R <= kappa lambda_0/(12n)"),
])
C2 = _c("C-2", "R in the following proofs", "p.18", "R", [
    ("appendix A", kappa * lambda_0 / (192 * n), "p.18", "value", "R = kappa lambda_0/(192n)"),
])
C3 = _c("C-3", "R for the local contraction (4)", "p.7, p.22", "R", [
    ("Hypothesis 1 proof", kappa * lambda_0 / (64 * n), "p.22", "upper", "R <= kappa lambda_0/(64n)"),
])
C4 = _c("C-4", "R in the proof of Theorem 3", "p.25-41", "R", [
    ("p.25", kappa * lambda_0 / n, "p.25", "order", "R = O(kappa lambda_0/n)"),
    ("Lemma 13", kappa * lambda_0 / (128 * n), "p.34", "upper", "R <= kappa lambda_0/(128n)"),
    ("Lemma 16", kappa * lambda_0 / (192 * n), "p.38", "upper", "R <= kappa lambda_0/(192n)"),
    ("Lemma 19", xi * kappa * lambda_0 / (144 * n), "p.41", "upper", "R <= xi kappa lambda_0/(144n)"),
])
_E0 = C * sp.sqrt(n)   # E_{W0,a}||y - u_0||_2 <= C sqrt(n) (Lemma 33 + Jensen, p.28, p.45)
C5 = _c("C-5", "base case of the induction (Theorem 3)", "p.28", "R", [
    ("base case lhs", 2 * eta * tau * sp.sqrt(2 * n * K / (m * delta)) * (_E0 / _alpha + K * B_T4), "p.28",
     "value", "2 eta tau sqrt(2nK/(m delta)) ((1/alpha) E||y-u_0|| + K B)"),
    ("base case rhs", kappa * lambda_0 / (144 * n), "p.28", "upper", "<= R <= kappa lambda_0/(144n)"),
])
C6 = _c("C-6", "R in the proof of Theorem 7", "p.44", "R", [
    ("p.44", kappa * lambda_0 / n, "p.44", "order", "R = O(kappa lambda_0/n)"),
])
C7 = _c("C-7", "side conditions on R and kappa", "p.53, p.54, p.68, p.70", "R", [
    ("Lemma 29", kappa * sp.sqrt(d / 32), "p.53", "upper", "kappa <= 1, R <= kappa sqrt(d/32)"),
    ("Lemma 30", kappa / sp.sqrt(2), "p.54", "upper", "kappa <= 1, R <= kappa/sqrt(2)"),
    ("Appendix I", kappa / n, "p.68, p.70", "upper", "R <= kappa/n"),
])
C8 = _c("C-8", "step size, Hypothesis 1", "p.7, p.22", "eta", [
    ("main", lambda_0 / n**2, "p.7", "order", "eta = O(lambda_0/n^2)"),
    ("proof", lambda_0 / (4 * n**2), "p.22", "upper", "eta <= lambda_0/(4n^2)"),
])
C9 = _c("C-9", "step size, Theorem 3", "p.8, p.26, p.32, p.38", "eta", [
    ("main", lambda_0 / (_MAXNP * n * tau), "p.8", "order", "eta = O(lambda_0/(max{n,p} n tau))"),
    ("p.26", lambda_0 / (n * tau * _MAXNP), "p.26", "order", "eta = O(lambda_0/(n tau max{n,p}))"),
    ("Lemma 13", lambda_0 / (16 * (tau - 1) * n**2), "p.32", "upper", "eta <= lambda_0/(16(tau-1)n^2)"),
    ("Lemma 17", lambda_0 / (48 * n * tau * _MAXNP), "p.38", "upper", "eta <= lambda_0/(48 n tau max{n,p})"),
], note="(derived, SPEC) min{lambda_0/(4n^2), lambda_0/(16(tau-1)n^2), lambda_0/(48 n tau max{n,p})} "
        "= lambda_0/(48 n tau max{n,p})")
C10 = _c("C-10", "step size, Theorem 7", "p.9, p.22", "eta", [
    ("main", lambda_0 / n**2, "p.9", "value", "eta = (lambda_0/n^2) (printed without O)"),
    ("Hypothesis 1 proof", lambda_0 / (4 * n**2), "p.22", "upper", "eta <= lambda_0/(4n^2)"),
])
C11 = _c("C-11", "step size, Theorem 34", "p.60, p.68", "eta", [
    ("main", lambda_0 * sp.sqrt(delta) / (tau * n**sp.Rational(3, 2) * sp.Max(n, K**2)), "p.60", "order",
     "eta = O(lambda_0 sqrt(delta)/(tau sqrt(n^3) max{n, K^2}))"),
    ("p.68", 1 / (tau * n), "p.68", "upper", "eta <= 1/(tau n)"),
])
_LOG = sp.log(K * p * n / delta)
C12 = _c("C-12", "width, Theorem 2", "p.7, p.19-20", "m", [
    ("main", n**2 * _LOG / (xi * lambda_0**2), "p.7", "order", "m = Omega(n^2 log(Kpn/delta)/(xi lambda_0^2))"),
    ("proof end", n**2 * _LOG / (xi * lambda_0), "p.20", "order", "m = Omega(n^2 log(Kpn/delta)/(xi lambda_0))"),
    ("per-(k',l) failure, T-2(e) as printed",
     n**2 * (sp.exp(-m * xi * lambda_0 / (12 * n)) - 2 * sp.exp(-m * lambda_0**2 / (8 * n**2))), "p.20",
     "value", "1 - n^2 (exp(-m xi lambda_0/(12n)) - 2 exp(-m lambda_0^2/(8n^2)))"),
    ("per-(k',l) failure, sum of T-2(b) and T-2(d)",
     2 * n**2 * sp.exp(-m * lambda_0**2 / (8 * n**2)) + n**2 * sp.exp(-m * xi * lambda_0 / (12 * n)), "p.19-20",
     "value", "2 n^2 exp(-m lambda_0^2/(8n^2)) + n^2 exp(-m xi lambda_0/(12n))"),
])
# (6), p.8: the three terms inside max{...}, times K/delta.
W6_TERMS = (
    (K / delta) * n**4 / (kappa**2 * xi * theta * lambda_0**4),
    (K / delta) * n * K**2 * B1 / (kappa**2 * theta * lambda_0**2),
    (K / delta) * K**2 * p,
)
C13_DERIVED = ((2 * n * K / delta) * (288 * eta * tau * n / (kappa * lambda_0)) ** 2
               * (4 * C * sp.sqrt(n) / (eta * theta * tau * lambda_0) + K * B_T4) ** 2)
C13 = _c("C-13", "width, Theorem 3", "p.8, p.26-30, p.57", "m", [
    ("(6) term 1", W6_TERMS[0], "p.8", "order", "(K/delta) n^4/(kappa^2 xi theta lambda_0^4)"),
    ("(6) term 2", W6_TERMS[1], "p.8", "order", "(K/delta) n K^2 B_1/(kappa^2 theta lambda_0^2)"),
    ("(6) term 3", W6_TERMS[2], "p.8", "order", "(K/delta) K^2 p"),
    ("m_1", n**4 * K / (kappa**2 * theta**2 * lambda_0**4 * delta), "p.28", "order",
     "m_1 = Omega(n^4 K/(kappa^2 theta^2 lambda_0^4 delta))"),
    ("m_2 (first)", n**3 * K**3 * B_T4**2 * eta**2 * tau**2 / (kappa**2 * lambda_0**2 * delta), "p.28", "order",
     "m_2 = Omega(n^3 K^3 B^2 eta^2 tau^2/(kappa^2 lambda_0^2 delta))"),
    ("m_2 (eta used)", eta * n * K**3 * B_T4**2 * tau / (kappa**2 * lambda_0 * delta), "p.28", "order",
     "m_2 = Omega(eta n K^3 B^2 tau/(kappa^2 lambda_0 delta))"),
    ("m_2 (B plugged in)", n * K**3 * B1 / (theta * kappa**2 * lambda_0**2 * delta)
     + xi * (1 - xi) * K**3 * p / delta, "p.28", "order",
     "m_2 = Omega(n K^3 B_1/(theta kappa^2 lambda_0^2 delta) + xi(1-xi) K^3 p/delta)"),
    ("derived (C-5 solved for m)", C13_DERIVED, "p.28 (derived)", "lower",
     "m >= (2nK/delta)(288 eta tau n/(kappa lambda_0))^2 (4 C sqrt(n)/(eta theta tau lambda_0) + K B)^2"),
    ("Lemmas 29-30", sp.log(n / delta), "p.26", "order", "m = Omega(log(n/delta))"),
    ("Lemma 23", n * sp.log(n / delta) / (xi * lambda_0), "p.26", "order", "m = (n log(n/delta)/(xi lambda_0))"),
    ("Lemma 10", p, "p.30", "lower", "m >= p"),
    ("Lemma 31", 1 / xi, "p.57", "lower", "m >= 1/xi"),
])
C14 = _c("C-14", "width, Corollaries 4-6", "p.8-9", "m", [
    ("Corollary 4", n**5 * K / (xi**2 * lambda_0**4 * delta), "p.8", "order", "m = Theta(n^5 K/(xi^2 lambda_0^4 delta))"),
    ("Corollaries 5-6", n**5 * K / (xi * theta * lambda_0**4 * delta), "p.9", "order",
     "m = Theta(n^5 K/(xi theta lambda_0^4 delta))"),
    ("(6) term 1", W6_TERMS[0], "p.8", "order", "(K/delta) n^4/(kappa^2 xi theta lambda_0^4)"),
])
C15 = _c("C-15", "width, Theorem 7", "p.9, p.45", "m", [
    ("main", tau**2 * n**2 * K * sp.Max(n**2, d) / (lambda_0**4 * delta), "p.9", "order",
     "m = Omega(tau^2 n^2 K max{n^2, d}/(lambda_0^4 delta))"),
    ("p.45", tau**2 * K * sp.Max(n**4, n**2 * d, p * K**2)
     / ((1 - gamma) ** 2 * kappa**2 * lambda_0**4 * delta * sp.sqrt(gamma)), "p.45", "order",
     "m = Omega(tau^2 K max{n^4, n^2 d, p K^2}/((1-gamma)^2 kappa^2 lambda_0^4 delta sqrt(gamma)))"),
])
C16 = _c("C-16", "error term, Theorem 7", "p.9, p.44", "B_1 (Theorem 7)", [
    ("main", error_T8_main, "p.9", "order", "O(tau (p-1)^2 n^3 d/(lambda_0^2 m))"),
    ("p.44", error_T8_p44, "p.44", "value", "64 tau (p-1)^2 kappa^2 n^3 d/(lambda_0^2 gamma (1-gamma) m)"),
    ("p.44 before the last step", error_T8_p44_eta, "p.44", "value",
     "32 eta tau (p-1)^2 kappa^2 n^3 d/((1 - (1 - eta lambda_0/2)^tau) gamma (1-gamma) lambda_0 m)"),
    ("derived gamma=1/2", 256 * kappa**2 * tau * (p - 1) ** 2 * n**3 * d / (lambda_0**2 * m), "SPEC (derived)",
     "value", "256 kappa^2 tau (p-1)^2 n^3 d/(lambda_0^2 m)"),
])
C17 = _c("C-17", "rate, Theorem 7", "p.9, p.43-44", "rate", [
    ("main", rate_T8_main, "p.9", "value", "1/2 + (1/2)(1 - eta lambda_0/2)^tau"),
    ("p.43-44", rate_T8_gamma, "p.43-44", "value", "gamma + (1-gamma)(1 - eta lambda_0/2)^tau"),
    ("alpha p.44", alpha_T8, "p.44", "value", "alpha = (1-gamma)(1 - (1 - eta lambda_0/2)^tau)"),
    ("alpha lower p.44", (1 - gamma) * eta * lambda_0 / 2, "p.44", "lower", "alpha >= (1-gamma) eta lambda_0/2"),
])
C18 = _c("C-18", "assembly of B_1, Theorem 3", "p.8, p.25-26", "one-step error", [
    ("B_1 p.8", B1, "p.8", "value", "B_1 as in T-4"),
    ("Lemma 13 (p.26)", L13_extra, "p.26", "upper", "|<y-u_k, E I'_1>| <= (1/8) eta theta tau lambda_0 ||.||^2 + ..."),
    ("Lemma 16 (p.26)", L16_extra, "p.26", "upper", "|<y-u_k, E I_2>| <= (1/8) eta theta tau lambda_0 ||.||^2 + ..."),
    ("Lemma 17 (p.26)", L17_extra, "p.26", "upper", "E||u_{k+1}-u_k||^2 <= (1/4) eta theta tau lambda_0 ||.||^2 + ..."),
    ("assembled p.26", sp.Add(*ASSEMBLED_TERMS_P26), "p.26", "upper", "Putting things together (p.26)"),
    ("target p.26", alpha_T4 * B1, "p.26", "upper", "(1/4) eta theta tau lambda_0 B_1"),
])
C19 = _c("C-19", "last term of Lemma 17", "p.38, p.26", "Lemma 17 last term", [
    ("Lemma 17 statement", eta**2 * xi**2 * lambda_0 * (tau - 1) ** 2 * p * n * C_1, "p.38", "value",
     "eta^2 xi^2 lambda_0 (tau-1)^2 p n C_1"),
    ("p.26", eta**2 * xi**2 * lambda_0 * tau * (tau - 1) * p * n * C_1, "p.26", "value",
     "eta^2 xi^2 lambda_0 tau (tau-1) p n C_1"),
])
C20 = _c("C-20", "second term of (5), Hypothesis 1", "p.7, p.23, p.27, p.28, p.44", "weight drift term", [
    ("main (5)", 2 * eta * kappa * n * sp.sqrt(2 * xi * (1 - xi) * p * K / (m * delta)), "p.7", "value",
     "2 eta kappa n sqrt(2 xi (1-xi) p K/(m delta))"),
    ("proof", 2 * eta * tau * kappa * n * sp.sqrt(2 * xi * (1 - xi) * p * K / (m * delta)), "p.23, p.27, p.28, p.44",
     "value", "2 eta tau kappa n sqrt(2 xi(1-xi) p K/(m delta))"),
    ("p.44 chain", 2 * eta * tau * kappa * n * sp.sqrt(xi * (1 - xi) * p * K / (m * delta)), "p.44", "value",
     "2 eta tau kappa n sqrt(xi(1-xi) p K/(m delta))"),
])
C21 = _c("C-21", "success probability, Theorem 3", "p.7-8, p.25-26", "failure probability", [
    ("Theorem 3", delta, "p.8", "value", "with probability at least 1 - delta"),
    ("Hypothesis 1", 4 * delta, "p.7, p.25", "value", "with probability at least 1 - 4 delta"),
    ("Lemmas 29-30 (init)", delta, "p.26", "value", "with probability at least 1 - delta over initialization"),
    ("Lemma 23 (init)", delta, "p.26", "value", "with probability at least 1 - delta over initialization"),
])
_MGF = sp.exp(-t * kappa**2) / sp.sqrt(1 - 2 * t * kappa**2)   # exact MGF of w^2 - kappa^2, w ~ N(0, kappa^2)
C22 = _c("C-22", "sub-exponential parameters (Lemmas 29, 30)", "p.53, p.55", "MGF of w^2 - kappa^2", [
    ("exact MGF (derived)", _MGF, "derived", "value", "E exp(t(w^2 - kappa^2)) = e^{-t kappa^2}/sqrt(1 - 2 t kappa^2)"),
    ("Lemma 29 value", _MGF, "p.53", "value", "e^{-t kappa^2}/sqrt(1 - 2t kappa^2)"),
    ("Lemma 29 bound", sp.exp(2 * t**2 * kappa**4), "p.53", "upper", "<= e^{2 t^2 kappa^4}, t <= 1/(2 kappa^2)"),
    ("Lemma 30 value", sp.exp(-t * kappa**2) / (1 - 2 * t * kappa**2), "p.55", "value",
     "e^{-t kappa^2}/(1 - 2t kappa^2)"),
    ("Lemma 30 bound", sp.exp(2 * t * kappa**4), "p.55", "upper", "<= e^{2 t kappa^4}, t <= 1/(2 kappa^2)"),
    ("t range", 1 / (2 * kappa**2), "p.53, p.55", "upper", "t <= 1/(2 kappa^2)"),
])

CONSTANTS = {c.item: c for c in (C1, C2, C3, C4, C5, C6, C7, C8, C9, C10, C11, C12, C13, C14, C15, C16, C17,
                                  C18, C19, C20, C21, C22)}


def get(item):
    """The :class:`Constant` of a SPEC C-ID, e.g. ``get("C-9")``."""
    return CONSTANTS[item]


def log10_magnitude(value):
    """log10 |value| as a float (``-inf`` for 0), for reporting vacuity of printed forms."""
    import math

    v = abs(float(value))
    return -math.inf if v == 0 else math.log10(v)

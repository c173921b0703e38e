"""S-, N-, T- items of SPEC sections 1-3 as frozen dataclasses; :func:`items` maps every SPEC main ID
of sections 1-4 (S-1..S-8, N-1..N-9, T-1..T-9, C-1..C-22) to its object.

A statement's ``hypotheses`` are :class:`Condition` objects (scikit-learn style constraints as data):
a name (the printed condition), a sympy relation over the paper's symbols, the page, and a kind
(``hypothesis`` as printed; ``order`` when the printed condition hides a constant in O()/Omega() -- the
relation then carries the profile constant ``c_m``/``c_eta``/``c_R``; ``regime`` for the text's standing
assumptions such as max{K, d, p} <= n; ``data`` for conditions on the data set that no scalar decides).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from maskverify.theory import constants as cst
from maskverify.theory.symbols import (
    C,
    K,
    R,
    c_eta,
    c_m,
    c_R,
    d,
    delta,
    eta,
    gamma,
    kappa,
    lambda_0,
    m,
    n,
    p,
    tau,
    xi,
)


@dataclass(frozen=True)
class Condition:
    """One printed hypothesis: ``relation`` is a sympy relation (or ``None`` for a data condition)."""

    name: str
    relation: object
    page: str
    kind: str = "hypothesis"

    def evaluate(self, values):
        """True/False at concrete ``values`` (dict name -> number; exact via sympy.Rational where the
        value is an int/str), or None when a symbol is missing or the relation is not scalar."""
        if self.relation is None:
            return None
        subs = {}
        for s in self.relation.free_symbols:
            if s.name not in values:
                return None
            v = values[s.name]
            subs[s] = sp.Rational(v) if isinstance(v, (int, str)) else sp.Float(v, 30)
        res = self.relation.subs(subs)
        if res in (sp.true, sp.false):
            return bool(res)
        try:
            return bool(res)
        except TypeError:
            return None


@dataclass(frozen=True)
class Statement:
    """A theorem, hypothesis or corollary (T-items)."""

    item: str
    label: str
    page: str
    claim: str
    hypotheses: tuple
    lhs: object
    rhs: object
    averages_over: str
    forms: dict = field(default_factory=dict)
    probability: str = ""

    @property
    def header(self):
        """Docstring-style line 1: 'T-4 · Theorem 3 · p.8 — <claim>'."""
        return self.claim

    def check_hypotheses(self, values, kinds=("hypothesis", "order")):
        """{condition name: True/False/None} at concrete values, for conditions of the given kinds."""
        return {c.name: c.evaluate(values) for c in self.hypotheses if c.kind in kinds}


@dataclass(frozen=True)
class Definition:
    """A definition or setup item (S-, N-items): the printed formula as text and, where it is a scalar
    formula, as sympy."""

    item: str
    label: str
    page: str
    claim: str
    formula: str
    expr: object = None
    averages_over: str = "none"

    @property
    def header(self):
        return self.claim


L_k = sp.Symbol("L_k", nonnegative=True)      # E ||y - u_k||^2 (the quantity the theorems bound)
L_0 = sp.Symbol("L_0", nonnegative=True)      # ||y - u_0||^2
k_ = sp.Symbol("k", nonnegative=True, integer=True)
_theta = cst.theta

_COMMON_T4 = (
    Condition("lambda_0 >= 0 (printed; Theorem 1 gives lambda_0 > 0)", sp.Gt(lambda_0, 0), "p.8"),
    Condition("||x_i||_2 = 1 and |y_i| <= C - 1, C >= 0", None, "p.8", "data"),
    Condition("xi in (0, 1]", sp.And(sp.Gt(xi, 0), sp.Le(xi, 1)), "p.8"),
    Condition("delta in (0, 1)", sp.And(sp.Gt(delta, 0), sp.Lt(delta, 1)), "p.8"),
)

T1 = Statement(
    "T-1", "Theorem 1", "p.6", "T-1 · Theorem 1 · p.6 — x_i not parallel to x_j for i != j implies lambda_0 > 0",
    (Condition("x_i not parallel to x_j for all i != j", None, "p.6", "data"),),
    lambda_0, sp.Integer(0), "none (deterministic in the data)", {"conclusion": sp.Gt(lambda_0, 0)})

T2 = Statement(
    "T-2", "Theorem 2", "p.7",
    "T-2 · Theorem 2 · p.7 — w.p. 1-delta, lambda_min(m^l_{k'} o H(k,t)) >= lambda_0/2 for all k, k', l",
    (Condition("m = Omega(n^2 log(Kpn/delta)/(xi lambda_0^2))", sp.Ge(m, c_m * cst.C12.form("main").expr),
               "p.7", "order"),
     Condition("||w_{k,t,r} - w_{0,r}||_2 <= R := kappa lambda_0/(8n)", sp.Le(R, cst.C1.form("main").expr),
               "p.7"),
     *_COMMON_T4[2:]),
    sp.Symbol("lambda_min(m o H(k,t))"), lambda_0 / 2, "W_0 and the Bernoulli masks",
    {"width main": cst.C12.form("main").expr, "width proof": cst.C12.form("proof end").expr,
     "R main": cst.C1.form("main").expr, "R proof": cst.C1.form("proof").expr}, "1 - delta")

T3 = Statement(
    "T-3", "Hypothesis 1", "p.7",
    "T-3 · Hypothesis 1 · p.7 — if (2) and (3) hold, then w.p. 1-4delta local GD contracts (4) and weights stay close (5)",
    (Condition("||x_i||_2 = 1", None, "p.7", "data"),
     Condition("m = Omega(n^2 log(Kpn/delta)/(xi lambda_0^2))", sp.Ge(m, c_m * cst.C12.form("main").expr),
               "p.7", "order"),
     Condition("eta = O(lambda_0/n^2)", sp.Le(eta, c_eta * cst.C8.form("main").expr), "p.7", "order"),
     Condition("(2) global convergence with rate alpha in (0,1), error alpha B_1 > 0", None, "p.7", "data"),
     Condition("(3) weight perturbation <= R", None, "p.7", "data"),
     Condition("R <= kappa lambda_0/(64n) (proof, p.22)", sp.Le(R, cst.C3.form("Hypothesis 1 proof").expr),
               "p.22"),
     Condition("eta <= lambda_0/(4n^2) (proof, p.22)", sp.Le(eta, cst.C8.form("proof").expr), "p.22")),
    sp.Symbol("||y - uhat_{k,t+1}||^2"), (1 - eta * lambda_0 / 2) * sp.Symbol("||y - uhat_{k,t}||^2"),
    "local GD for fixed masks; (5) with E over [M_{k-1}], W_0, a",
    {"(5) second term": cst.C20.form("main (5)").expr}, "1 - 4 delta")

T4 = Statement(
    "T-4", "Theorem 3", "p.8",
    "T-4 · Theorem 3 · p.8 — under (6) and eta = O(lambda_0/(max{n,p} n tau)), w.p. 1-delta, "
    "E||y-u_k'||^2 <= (1 - eta theta tau lambda_0/4)^k' ||y-u_0||^2 + B_1",
    (*_COMMON_T4,
     Condition("m = Omega((K/delta) max{n^4/(kappa^2 xi theta lambda_0^4), n K^2 B_1/(kappa^2 theta lambda_0^2), K^2 p}) (6)",
               sp.Ge(m, c_m * sp.Max(*cst.W6_TERMS)), "p.8", "order"),
     Condition("eta = O(lambda_0/(max{n,p} n tau))", sp.Le(eta, c_eta * cst.C9.form("main").expr), "p.8", "order"),
     Condition("max{K, d, p} <= n", sp.Le(sp.Max(K, d, p), n), "p.8", "regime"),
     Condition("kappa = n^{-1/2}", sp.Eq(kappa**2 * n, 1), "p.8", "regime")),
    L_k, cst.rate_T4**k_ * L_0 + cst.B1, "the masks M_0..M_{k'-1} (W_0, a fixed)",
    {"theta": _theta, "C_1": cst.C_1, "B_1": cst.B1, "rate": cst.rate_T4, "alpha": cst.alpha_T4,
     "B": cst.B_T4, "width (6)": sp.Max(*cst.W6_TERMS), "width C-13 derived": cst.C13_DERIVED},
    "1 - delta")

_KAPPA_N = {kappa: 1 / sp.sqrt(n)}


def _corollary(item, label, page, claim, tau_, p_, eta_order, m_order, printed_terms, rate):
    return Statement(
        item, label, page, claim,
        (*_COMMON_T4,
         Condition(f"m = Theta({m_order})", None, page, "order"),
         Condition(f"eta = O({eta_order})", None, page, "order"),
         Condition("max{K, d} <= n" + (" (and p <= n, text p.8-9)" if p_ is None else ""),
                   sp.Le(sp.Max(K, d), n), page, "hypothesis"),
         Condition("kappa = n^{-1/2} (text p.8-9)", sp.Eq(kappa**2 * n, 1), "p.8-9", "regime")),
        L_k, rate**k_ * L_0 + sp.Symbol("c_O") * sp.Add(*printed_terms), "the masks M_0..M_{k'-1}",
        {"tau": tau_, "p": p_, "printed O-terms": tuple(printed_terms)}, "1 - delta")


T5 = _corollary("T-5", "Corollary 4 (dropout)", "p.8",
                "T-5 · Corollary 4 · p.8 — dropout (tau = p = 1): rate 1 - eta xi lambda_0/4, error O(1 - xi)",
                1, 1, "lambda_0/n^2", "n^5 K/(xi^2 lambda_0^4 delta)", (1 - xi,),
                1 - sp.Rational(1, 4) * eta * xi * lambda_0)
T6 = _corollary("T-6", "Corollary 5 (multi-sample dropout)", "p.9",
                "T-6 · Corollary 5 · p.9 — p-sample dropout (tau = 1): error O((1-xi)^2/(nK) + (theta-xi^2)/p)",
                1, None, "lambda_0/n^2", "n^5 K/(xi theta lambda_0^4 delta)",
                ((1 - xi) ** 2 / (n * K), (_theta - xi**2) / p), 1 - sp.Rational(1, 4) * eta * _theta * lambda_0)
T7 = _corollary("T-7", "Corollary 6 (multi-worker IST)", "p.9",
                "T-7 · Corollary 6 · p.9 — IST: error O((1-xi)^2/(nK) + (theta-xi)/p + (tau-1)^2 theta^2 (1-xi)/tau^2)",
                None, None, "lambda_0/(n tau max{n,p})", "n^5 K/(xi theta lambda_0^4 delta)",
                ((1 - xi) ** 2 / (n * K), (_theta - xi) / p, (tau - 1) ** 2 * _theta**2 * (1 - xi) / tau**2),
                1 - sp.Rational(1, 4) * eta * _theta * tau * lambda_0)

T8 = Statement(
    "T-8", "Theorem 7", "p.9",
    "T-8 · Theorem 7 · p.9 — categorical masks: E||y-u_k||^2 <= (1/2 + (1/2)(1-eta lambda_0/2)^tau)^k C^2 n "
    "+ O(tau (p-1)^2 n^3 d/(lambda_0^2 m))",
    (Condition("lambda_0 > 0", sp.Gt(lambda_0, 0), "p.9"),
     Condition("||x_i||_2 = 1 and |y_i| <= C - 1, C >= 1", sp.Ge(C, 1), "p.9", "data"),
     Condition("m = Omega(tau^2 n^2 K max{n^2, d}/(lambda_0^4 delta))", sp.Ge(m, c_m * cst.C15.form("main").expr),
               "p.9", "order"),
     Condition("eta = (lambda_0/n^2)", sp.Le(eta, c_eta * cst.C10.form("main").expr), "p.9", "order"),
     Condition("xi = 1/p (p.44)", None, "p.44", "data")),
    L_k, cst.rate_T8_main**k_ * C**2 * n + c_m * cst.error_T8_main, "[M_{k-1}], W_0, a",
    {"rate main": cst.rate_T8_main, "rate gamma": cst.rate_T8_gamma, "error main": cst.error_T8_main,
     "error p.44": cst.error_T8_p44, "error p.44 before last step": cst.error_T8_p44_eta,
     "width p.45": cst.C15.form("p.45").expr, "gamma": gamma}, "1 - delta")

T9 = Statement(
    "T-9", "Theorem 34", "p.60",
    "T-9 · Theorem 34 · p.60 — generalization: L_D(f(W_K,.)) <= O(delta^{-1} sqrt(y^T (H^inf)^{-1} y/n) "
    "+ sqrt(log(n/(lambda_0 delta))/(n delta)))",
    (Condition("p <= n", sp.Le(p, n), "p.60"),
     Condition("K = Omega(log(n/delta))", sp.Ge(K, c_m * sp.log(n / delta)), "p.60", "order"),
     Condition("kappa = O(sqrt(delta)/n)", sp.Le(kappa, c_R * sp.sqrt(delta) / n), "p.60", "order"),
     Condition("eta = O(lambda_0 sqrt(delta)/(tau sqrt(n^3) max{n, K^2}))",
               sp.Le(eta, c_eta * cst.C11.form("main").expr), "p.60", "order"),
     Condition("m = Omega((K/delta) max{n^4/(kappa^2 lambda_0^4), n K^2/(kappa^2 lambda_0^2)} poly(theta, xi)) (9)",
               None, "p.60", "order")),
    sp.Symbol("L_D(f(W_K,.))"), sp.Symbol("O(...)"), "W_0, a, masks, data",
    {"poly(theta, xi)": "unspecified", "R (p.64)": "O(n sqrt(K)/(lambda_0 delta sqrt(m)))"}, "1 - delta")

_S = [
    ("S-1", "Network and initialization", "p.5", "f(W,x) = (1/sqrt m) sum_r a_r sigma(<w_r,x>); w_r ~ N(0, kappa^2 I), a_r ~ U{-1,1}", "W_0, a"),
    ("S-2", "Masks", "p.4-5", "M_k in {0,1}^{p x m}; Bernoulli m^l_{k,r} ~ Bern(xi) or categorical columns; eta_{k,r} = N^perp/N", "masks"),
    ("S-3", "Surrogate function", "p.5", "f_{m^l_k}(W,x) = (1/sqrt m) sum_r a_r m^l_{k,r} sigma(<w_r,x>)", "none"),
    ("S-4", "Whole-network output", "p.6", "u_k = xi f(W_k, X)", "none"),
    ("S-5", "Loss conventions", "p.5-6, p.17-18", "L_k = ||y - u_k||^2; training uses the gradient of the 1/2-loss", "none"),
    ("S-6", "Surrogate gradient", "p.5", "dL/dw_r = (1/sqrt m) sum_i a_r m^l_{k,r} (f_m(W,x_i) - y_i) x_i 1{<w_r,x_i> >= 0}", "none"),
    ("S-7", "Algorithm 1", "p.5", "K global iterations: sample M_k, tau local GD steps per subnetwork, aggregate with eta_{k,r}", "masks"),
    ("S-8", "Exact invariants of Algorithm 1 (derived)", "derived", "xi = 1 / p = 1 categorical / tau = 1 reduce Algorithm 1 to GD / mixing gradient", "none"),
]
_N = [
    ("N-1", "Finite-width NTK", "p.6", "H(k)_ij = (xi/m) <x_i,x_j> sum_r 1{<w_{k,r},x_i> >= 0, <w_{k,r},x_j> >= 0}", "none"),
    ("N-2", "Masked NTK (Definition 1)", "p.7", "(m^l o H(k,t))_ij = (1/m) <x_i,x_j> sum_r m^l_r 1{...}", "masks"),
    ("N-3", "Infinite-width NTK", "p.6", "H^inf_ij = xi <x_i,x_j> (pi - arccos<x_i,x_j>)/(2 pi)", "w ~ N(0, I)"),
    ("N-4", "lambda_0", "p.6", "lambda_0 = lambda_min(H^inf) <= xi/2", "none"),
    ("N-5", "Activation-change sets", "p.18", "A_ir = {exists w in Ball(w_{0,r}, R): sign change}; S_i, S_i^perp", "W_0"),
    ("N-6", "Truncated NTKs", "p.22, p.24", "H(k)^perp over r in S_i^perp", "none"),
    ("N-7", "Mixing function", "p.24-25", "f_{k,r} = eta_{k,r} sum_l m^l_{k,r} uhat^l_k", "none"),
    ("N-8", "Mixing gradient", "p.24", "g_{k,r} = eta_{k,r} sum_l dL_{m^l}(W_k)/dw_r", "none"),
    ("N-9", "Other proof quantities", "p.24-65", "I_1, I_2, E_1, E_2, D_1, D_2, iota_k, Z(k), T", "none"),
]
DEFINITIONS = {iid: Definition(iid, label, page, f"{iid} · {label} · {page} — {formula}", formula,
                               sp.Mul(xi, sp.Rational(1, 2)) if iid == "N-4" else None, avg)
               for iid, label, page, formula, avg in _S + _N}

STATEMENTS = {s.item: s for s in (T1, T2, T3, T4, T5, T6, T7, T8, T9)}


def items():
    """SPEC main ID -> object, for S-1..S-8, N-1..N-9, T-1..T-9 and C-1..C-22."""
    return {**DEFINITIONS, **STATEMENTS, **cst.CONSTANTS}


def get(item):
    return items()[item]


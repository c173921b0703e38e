"""Paper symbols as sympy symbols with their assumptions, and the glossary (SPEC 0.5, Table 1 p.16-17).

Every symbol carries the assumptions the paper states for it (positive, integer); ranges that sympy
assumptions cannot express (``xi <= 1``, ``delta < 1``, ``kappa <= 1``) live in :data:`RANGES` as
sympy relations, so a statement's hypotheses can cite them.

Names are the paper's: ``p`` counts subnetworks and ``xi`` is the mask (selection) probability.
"""

from __future__ import annotations

import sympy as sp

# --- sizes (positive integers) ----------------------------------------------------------------------
n = sp.Symbol("n", positive=True, integer=True)        # number of samples
d = sp.Symbol("d", positive=True, integer=True)        # input dimension
m = sp.Symbol("m", positive=True, integer=True)        # hidden width
p = sp.Symbol("p", positive=True, integer=True)        # number of subnetworks (surrogates, workers)
K = sp.Symbol("K", positive=True, integer=True)        # global iterations
tau = sp.Symbol("tau", positive=True, integer=True)    # local iterations per global iteration
k = sp.Symbol("k", nonnegative=True, integer=True)     # global iteration index

# --- reals ------------------------------------------------------------------------------------------
xi = sp.Symbol("xi", positive=True)                    # mask probability, (0, 1]
kappa = sp.Symbol("kappa", positive=True)              # initialization scale, w_r ~ N(0, kappa^2 I)
eta = sp.Symbol("eta", positive=True)                  # local step size
lambda_0 = sp.Symbol("lambda_0", positive=True)        # lambda_min(H^inf) (N-4; carries the factor xi)
delta = sp.Symbol("delta", positive=True)              # failure probability, (0, 1)
C = sp.Symbol("C", positive=True)                      # label bound |y_i| <= C - 1
gamma = sp.Symbol("gamma", positive=True)              # free constant of Lemma 22 / Theorem 7, (0, 1)
R = sp.Symbol("R", positive=True)                      # weight radius
t = sp.Symbol("t", real=True)                          # MGF argument (C-22)
ell = sp.Symbol("l", positive=True)                    # an eigenvalue of H^inf (T-9(j))

# Hidden constants of O()/Omega()/Theta(): explicit parameters of a constant profile (default 1).
c_m = sp.Symbol("c_m", positive=True)                  # width constant
c_eta = sp.Symbol("c_eta", positive=True)              # step-size constant
c_R = sp.Symbol("c_R", positive=True)                  # radius constant

#: Ranges sympy assumptions cannot express, as relations (SPEC S-1, S-2, T-4, L-29, L-30).
RANGES = {
    "xi": sp.Le(xi, 1),
    "delta": sp.Lt(delta, 1),
    "gamma": sp.Lt(gamma, 1),
    "kappa (Lemmas 29-30)": sp.Le(kappa, 1),
    "lambda_0 <= xi/2 (N-4, derived)": sp.Le(lambda_0, xi / 2),
}

#: Glossary: symbol name -> meaning (paper page). Mirrored in the ``maskverify.theory`` docstring.
GLOSSARY = {
    "n": "number of training samples x_i (unit norm), i in [n]",
    "d": "input dimension, x_i in R^d",
    "m": "number of hidden neurons (width), r in [m]",
    "p": "number of subnetworks (surrogates / workers), l in [p]; NOT a probability",
    "xi": "mask probability: m^l_{k,r} ~ Bern(xi), xi in (0,1] (p.5, p.8); xi = 1/p for categorical masks (p.44)",
    "theta": "1 - (1 - xi)^p, probability that a neuron is selected by at least one subnetwork (p.8)",
    "K": "number of global iterations, k = 0..K-1",
    "tau": "number of local GD steps per global iteration",
    "eta": "local step size (constant)",
    "kappa": "initialization scale, w_{0,r} ~ N(0, kappa^2 I_d) (p.5); kappa = n^{-1/2} in the corollaries",
    "lambda_0": "lambda_min(H^inf), H^inf carries the factor xi (N-3, N-4); lambda_0 <= xi/2",
    "delta": "failure probability, statements hold with probability >= 1 - delta",
    "C": "label bound |y_i| <= C - 1",
    "gamma": "free constant of Lemma 22 / Theorem 7 (p.43-44); the main text uses gamma = 1/2",
    "R": "radius of the weight ball around w_{0,r} (C-1..C-7)",
    "C_1": "4 theta^2 (1 - xi) n kappa^2 / p (Theorem 3, p.8)",
    "B_1": "error term of Theorem 3 (p.8), of Theorem 7 (p.44)",
    "alpha": "convergence rate (1/4) eta theta tau lambda_0 of Theorem 3 (p.25)",
    "B": "sqrt(B_1/alpha) + kappa sqrt(xi (1-xi) p n) (p.7, p.25)",
}

SIZES = (n, d, m, p, K, tau)
ALL = {s.name: s for s in (n, d, m, p, K, tau, k, xi, kappa, eta, lambda_0, delta, C, gamma, R, t, ell,
                           c_m, c_eta, c_R)}


def theta_expr(xi_=xi, p_=p):
    """theta = 1 - (1 - xi)^p (Theorem 3, p.8)."""
    return 1 - (1 - xi_) ** p_

"""maskverify.theory: the symbolic layer (sympy; numpy for lambdify). No torch, no hypothesis.

Importing ``maskverify.theory`` is light (this file imports nothing); import the modules you need:

* ``theory.symbols``     sympy symbols with the paper's assumptions, :data:`GLOSSARY`, :data:`RANGES`.
* ``theory.constants``   C-1..C-22: every printed form as one sympy expression with its page; the
                         building blocks theta, C_1, B_1 (six terms), alpha, B, Theorem 7 forms.
* ``theory.statements``  S-, N-, T- items as frozen dataclasses (item, label, page, hypotheses, lhs,
                         rhs, averages_over, forms); hypotheses are :class:`Condition` objects.
* ``theory.bounds``      fast lambdified numeric evaluation, numpy-broadcasting:
                         ``theta(xi, p)``, ``C1(theta, xi, n, kappa, p)``,
                         ``B1_T4(n, d, m, p, xi, tau, eta, kappa, lambda_0)``, ``B1_terms_T4(...)``,
                         ``rate_T4(eta, theta, tau, lambda_0)``,
                         ``error_T8_explicit(tau, p, kappa, n, d, lambda_0, m, gamma=1/2)``,
                         ``rate_T8(eta, lambda_0, tau, gamma=1/2)``,
                         ``R_C1(kappa, lambda_0, n, form="main"|"proof")``,
                         ``eta_max_T4(lambda_0, n, p, tau)`` (C-9 explicit, Lemma 17),
                         ``eta_max_H1(lambda_0, n)`` (C-8 explicit), ``eta_max_L13(lambda_0, n, tau)``,
                         ``width6_T4(...)``, ``m_required_T4(..., form="derived"|"main")`` (C-13),
                         ``evaluate(item, form, **values)``, ``exact(expr, **values)``.
* ``theory.regime``      :class:`ConstantProfile` (hidden constants of O()/Omega(), default 1; the
                         ``APPENDIX`` profile uses the explicit appendix values) and the regime helpers
                         ``regime_T2``, ``regime_T3``, ``regime_T4``, ``regime_T8``, ``regime_R``,
                         ``regime_eta``: dicts ``{"form", "constant_profile", "conditions", "inside",
                         "required_m", "vacuity_ratio", ...}`` for the verdict's ``regime`` field;
                         ``admissible_T4(...)``, ``admissible_T8(...)``: (values, regime) of a point inside
                         the hypotheses (largest admissible eta times eta_factor, smallest admissible m).
* ``theory.corollaries`` Corollaries 4-6 (T-5..T-7) re-derived from Theorem 3 by substitution, term by
                         term order comparison, admissibility under (6) / C-13.
* ``theory.items()``     registry: SPEC ID -> object, for every S-, N-, T-, C- main ID.

Glossary (paper symbols; see ``theory.symbols.GLOSSARY``):

  n         number of training samples x_i, ||x_i||_2 = 1
  d         input dimension
  m         number of hidden neurons (width)
  p         number of subnetworks (surrogates, workers) -- a count, NOT a probability
  xi        mask probability, m^l_{k,r} ~ Bern(xi), xi in (0, 1]; xi = 1/p for categorical masks
  theta     1 - (1 - xi)^p, probability that a neuron is in at least one subnetwork (p.8)
  K         number of global iterations
  tau       number of local GD steps per global iteration
  eta       local step size
  kappa     initialization scale, w_{0,r} ~ N(0, kappa^2 I_d); kappa = n^{-1/2} in the corollaries
  lambda_0  lambda_min(H^inf); H^inf carries the factor xi, so lambda_0 <= xi/2
  delta     failure probability
  C         label bound |y_i| <= C - 1
  gamma     free constant of Lemma 22 / Theorem 7 (main text: gamma = 1/2)
  R         radius of the weight ball around w_{0,r}
  C_1       4 theta^2 (1 - xi) n kappa^2 / p;   B_1  error term of (7);   alpha  (1/4) eta theta tau lambda_0
"""


def items():
    """SPEC ID -> theory object for every S-, N-, T-, C- main ID (imports sympy on first call)."""
    from maskverify.theory.statements import items as _items

    return _items()

"""Method: exact laws wherever the law is known (binomial, chi-square, erf, Rademacher sums; SPEC 5.0 via
:mod:`maskverify.properties.oracles.tails`), Monte Carlo with confidence intervals elsewhere. Every violated verdict
carries a counterexample whose evaluator (``replay_*`` below, JSON args) recomputes the same values; Monte
Carlo evaluators take the seed, sample count and alpha.

Union bounds over i in [n] (L-23, L-30): the exact probability of "some i fails" depends on the data. For
orthonormal data (d >= n) the events are independent, so ``P = 1 - (1 - p)^n`` exactly; a case is
``holds`` for every data set when the single-i probability is below the per-i bound (union bound), and
``violated`` when the orthonormal-data probability already exceeds the printed bound.
"""

from __future__ import annotations

import math

import numpy as np

from maskverify.properties.framework import verdicts as V
from maskverify.properties.oracles import tails


def _le_log(loglhs, logrhs, rtol=V.FLOAT64_RTOL):
    """Compare ``exp(loglhs) <= exp(logrhs)`` in the log domain: (ok, margin = logrhs - loglhs)."""
    if loglhs == -math.inf:
        return True, None
    if logrhs == math.inf:
        return True, None
    if loglhs == math.inf:
        return False, -math.inf
    diff = logrhs - loglhs
    if diff >= 0:
        return True, diff
    if diff < -rtol * max(1.0, abs(logrhs)):
        return False, diff
    return None, diff


def _case(item_id, evaluator, args, ok, margin, values):
    return ok, margin, V.counterexample(item_id, evaluator, args, values)


def _replay_one(case, method, covered, regime=None):
    return V.from_cases([case], method=method, covered=covered, regime=regime)


@V.evaluator
def replay_check(item_id, profile, seed, alpha):
    """Re-run the registered check ``item_id`` with the same profile, seed and alpha (deterministic)."""
    from maskverify.properties.framework import profiles, registry

    registry.load_all()
    chk = registry.registry()[item_id]
    return chk.fn(registry.Context(profile=profiles.get(profile), seed=seed, item_id=item_id, alpha=alpha))


def fc(ctx, cases, **kw):
    """``verdicts.from_cases`` where every case lacking a witness gets the generic :func:`replay_check` one
    (values: the case index and margin), so a failing case always yields a replayable violated verdict."""
    out = []
    for i, (ok, margin, w) in enumerate(cases):
        if w is None:
            w = V.counterexample(ctx.item_id, replay_check, {"item_id": ctx.item_id, "profile": ctx.profile.name,
                                                               "seed": ctx.seed, "alpha": ctx.alpha},
                                 {"case_index": i, "margin": margin})
        out.append((ok, margin, w))
    return V.from_cases(out, **kw)


def _m_grid(ctx, dense=10, factor=1):
    """1..dense, then roughly geometric up to ``factor * profile.max_m``."""
    top = max(dense, factor * ctx.profile.max_m)
    g = set(range(1, dense + 1))
    x = float(dense)
    while x < top:
        x *= 1.5
        g.add(min(top, int(round(x))))
    return sorted(g)


def _unit_rows(rng, n, d):
    X = rng.normal(size=(n, d))
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def h_perp(W, X, xi, Sperp):
    """N-6 / Lemma 24: ``H^perp_ij = (xi/m) <x_i,x_j> sum_{r in S_i^perp} 1{<w_r,x_i> >= 0, <w_r,x_j> >= 0}``.

    Args: W (m, d), X (n, d), Sperp (n, m) bool (row i is S_i^perp). Returns (n, n), not symmetric in general.
    """
    m = W.shape[0]
    act = (W @ X.T >= 0).astype(float)  # (m, n)
    G = X @ X.T
    both = (Sperp.astype(float) * act.T) @ act  # [i, j] = sum_{r in S_i^perp} act_ri act_rj
    return (xi / m) * G * both


def _s_grid(ctx):
    step = 1.0 / (10 * ctx.profile.xi_step)  # ci: 1e-3
    neg = np.arange(-5.0, 0.0, step * 5)
    pos = np.arange(step, 0.5, step)
    return sorted(set(np.round(np.concatenate([neg, pos, [0.5]]), 12).tolist()), key=abs)


def _l29b_case(t, kappa):
    s = t * kappa**2
    lhs = tails.chi2_1_centred_log_mgf(s)
    rhs = 2 * t**2 * kappa**4
    ok, margin = _le_log(lhs, rhs)
    values = {"s=t*kappa^2": s, "log_lhs_exp(-s)/sqrt(1-2s)": lhs, "log_rhs_2t^2kappa^4": rhs,
              "lhs": tails.chi2_1_centred_mgf(s), "rhs": math.exp(rhs)}
    return _case("L-29(b)", replay_L29b, {"t": t, "kappa": kappa}, ok, margin, values)


@V.evaluator
def replay_L29b(t, kappa):
    return _replay_one(_l29b_case(t, kappa), "closed-form MGF", "one t")


def _mgf_quadrature_cases(item_id, ss):
    """Independent check of the closed form E exp(s(Z^2-1)) = e^{-s}/sqrt(1-2s) by mpmath quadrature."""
    import mpmath as mp

    out = []
    with mp.workdps(30):
        for s in ss:
            f = lambda z, s=s: mp.exp(s * (z**2 - 1) - z**2 / 2) / mp.sqrt(2 * mp.pi)  # noqa: E731
            q = float(mp.quad(f, [-mp.inf, 0, mp.inf]))
            ok, margin = V.float_equal(q, tails.chi2_1_centred_mgf(s), rtol=1e-10)
            out.append((ok, margin, None))
    return out


def _l30b_case(t, kappa, part):
    s = t * kappa**2
    true_log = tails.chi2_1_centred_log_mgf(s)
    printed_log = (-s - math.log1p(-2 * s)) if s < 0.5 else math.inf
    if part == "inequality":
        rhs = 2 * t * kappa**4
        ok, margin = _le_log(printed_log, rhs)
        values = {"printed_lhs_e^{-t k^2}/(1-2t k^2)": math.exp(printed_log) if printed_log < 700 else "inf",
                  "rhs_e^{2 t k^4}": math.exp(rhs), "true_mgf_e^{-s}/sqrt(1-2s)":
                  math.exp(true_log) if true_log < 700 else "inf"}
    else:
        ok, margin = V.float_equal(math.exp(printed_log), math.exp(true_log))
        values = {"printed_mgf": math.exp(printed_log), "true_mgf": math.exp(true_log)}
    return _case("L-30(b)", replay_L30b, {"t": t, "kappa": kappa, "part": part}, ok, margin, values)


@V.evaluator
def replay_L30b(t, kappa, part):
    return _replay_one(_l30b_case(t, kappa, part), "closed form as printed", "one t")


def _u0_samples(X, m, xi, kappa, samples, rng):
    """Samples of u_0 = xi f(W_0, X) over (W_0, a) (S-1, S-4). Returns (samples, n)."""
    n, d = X.shape
    out = np.empty((samples, n))
    chunk = max(1, 200000 // max(1, m * d))
    for s0 in range(0, samples, chunk):
        s1 = min(samples, s0 + chunk)
        W = kappa * rng.normal(size=(s1 - s0, m, d))
        a = rng.choice([-1.0, 1.0], size=(s1 - s0, m))
        out[s0:s1] = xi / math.sqrt(m) * np.einsum("sm,smn->sn", a, np.maximum(W @ X.T, 0.0))
    return out


def masked_gram(W, X, mask):
    """N-2: ``(1/m) <x_i,x_j> sum_r mask_r 1{<w_r,x_i> >= 0, <w_r,x_j> >= 0}``. W (m, d), mask (m,) -> (n, n)."""
    act = (W @ X.T >= 0).astype(float)  # (m, n)
    return (X @ X.T) * ((act * mask[:, None]).T @ act) / W.shape[0]

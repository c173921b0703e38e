"""Public, composable Hypothesis strategies for the objects of the paper (xarray's strategies as model).

Every strategy is a function with keyword-only arguments returning a ``SearchStrategy``; ``None`` means
"draw anything allowed". Defaults are small (n <= 8, d <= 4, m <= 64) so shrinking stays fast; larger sizes
come only through a profile. Arrays are never drawn element by element: a strategy draws sizes and a seed and
builds the arrays with ``numpy.random.default_rng(seed)``, so shrinking stays cheap and examples are
JSON-able (plain lists).

Argument errors raise ``hypothesis.errors.InvalidArgument`` naming the argument, the expectation, the value
received and the fix.

Names are the paper's symbols (STYLE 3): ``m`` width, ``xi`` selection probability, ``p`` subnetworks,
``tau`` local steps, ``K`` global steps, ``eta`` step size, ``kappa`` initialization scale.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

__all__ = [
    "widths", "selection_probs", "subnetwork_counts", "local_steps", "global_steps", "step_sizes",
    "init_scales", "deltas", "label_bounds", "unit_datasets", "labels", "ball_weights",
    "bernoulli_mask_columns", "configs", "build_dataset", "build_ball_weights", "build_labels",
    "envelope_instances", "build_envelope_data",
]


def _check_int(name, value, lo, fn, hi=None):
    if value is None:
        return
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < lo \
            or (hi is not None and value > hi):
        rng = f">= {lo}" if hi is None else f"in [{lo}, {hi}]"
        raise InvalidArgument(f"The '{name}' argument of {fn} must be an int {rng}. Got {value!r} instead. "
                              f"To fix a value use st.just() on the result instead.")


def _check_float(name, value, lo, hi, fn, *, lo_open=False):
    if value is None:
        return
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) \
        and (value > lo if lo_open else value >= lo) and value <= hi
    if not ok:
        br = "(" if lo_open else "["
        raise InvalidArgument(f"The '{name}' argument of {fn} must be a float in {br}{lo}, {hi}]. "
                              f"Got {value!r} instead.")


def _range_strategy(fn, name, min_value, max_value, default_min, default_max, integer=True):
    lo = default_min if min_value is None else min_value
    hi = default_max if max_value is None else max_value
    if lo > hi:
        raise InvalidArgument(f"{fn}: min_{name}={lo!r} exceeds max_{name}={hi!r}; pass min <= max.")
    return (st.integers(lo, hi) if integer else
            st.floats(lo, hi, allow_nan=False, allow_infinity=False))


def widths(*, min_m=None, max_m=None):
    """Hidden widths m (default 1..64)."""
    _check_int("min_m", min_m, 1, "widths")
    _check_int("max_m", max_m, 1, "widths")
    return _range_strategy("widths", "m", min_m, max_m, 1, 64)


def subnetwork_counts(*, min_p=None, max_p=None):
    """Numbers of subnetworks p (default 1..6)."""
    _check_int("min_p", min_p, 1, "subnetwork_counts")
    _check_int("max_p", max_p, 1, "subnetwork_counts")
    return _range_strategy("subnetwork_counts", "p", min_p, max_p, 1, 6)


def local_steps(*, min_tau=None, max_tau=None):
    """Local steps tau (default 1..5)."""
    _check_int("min_tau", min_tau, 1, "local_steps")
    _check_int("max_tau", max_tau, 1, "local_steps")
    return _range_strategy("local_steps", "tau", min_tau, max_tau, 1, 5)


def global_steps(*, min_K=None, max_K=None):
    """Global iterations K (default 0..8; K = 0 means no training)."""
    _check_int("min_K", min_K, 0, "global_steps")
    _check_int("max_K", max_K, 0, "global_steps")
    return _range_strategy("global_steps", "K", min_K, max_K, 0, 8)


def selection_probs(*, grid=None, include_one=True):
    """Selection probabilities xi in (0, 1]. ``grid=q`` draws j/q exactly (as a float), j = 1..q; the default
    draws from a 1/100 grid, which contains the boundary value xi = 1 unless ``include_one=False``."""
    _check_int("grid", grid, 1, "selection_probs")
    q = grid or 100
    hi = q if include_one else q - 1
    if hi < 1:
        raise InvalidArgument("selection_probs: grid=1 with include_one=False leaves nothing to draw.")
    return st.integers(1, hi).map(lambda j: j / q)


def step_sizes(*, eta_max=None, min_fraction=1e-3, max_fraction=4.0):
    """Step sizes eta. With ``eta_max`` (a theorem's step-size condition, e.g. C-9), draws eta = f * eta_max
    with f log-uniform in [min_fraction, max_fraction] -- so draws fall both inside (f <= 1) and outside the
    condition. Without it, eta log-uniform in [1e-4, 1]."""
    _check_float("eta_max", eta_max, 0.0, math.inf, "step_sizes", lo_open=True)
    _check_float("min_fraction", min_fraction, 0.0, math.inf, "step_sizes", lo_open=True)
    _check_float("max_fraction", max_fraction, 0.0, math.inf, "step_sizes", lo_open=True)
    base = 1.0 if eta_max is None else eta_max
    lo, hi = (1e-4, 1.0) if eta_max is None else (min_fraction, max_fraction)
    return st.floats(math.log(lo), math.log(hi)).map(lambda z: base * math.exp(z))


def init_scales(*, min_kappa=1e-3, max_kappa=1.0):
    """Initialization scales kappa, log-uniform (default [1e-3, 1], the range of Lemmas 29-30)."""
    _check_float("min_kappa", min_kappa, 0.0, math.inf, "init_scales", lo_open=True)
    _check_float("max_kappa", max_kappa, 0.0, math.inf, "init_scales", lo_open=True)
    return st.floats(math.log(min_kappa), math.log(max_kappa)).map(math.exp)


def deltas(*, min_delta=1e-3, max_delta=0.5):
    """Failure probabilities delta (log-uniform)."""
    _check_float("min_delta", min_delta, 0.0, 1.0, "deltas", lo_open=True)
    _check_float("max_delta", max_delta, 0.0, 1.0, "deltas", lo_open=True)
    return st.floats(math.log(min_delta), math.log(max_delta)).map(math.exp)


def label_bounds(*, min_C=1.0, max_C=3.0):
    """The label bound C of |y_i| <= C - 1 (Theorem 7 and Lemma 33 need C >= 1)."""
    return st.floats(min_C, max_C, allow_nan=False)


# ---------------------------------------------------------------------------------------------- data


def build_dataset(n, d, seed, *, min_angle=0.0, duplicates=0):
    """Unit-norm inputs X (n, d) from a seed.

    ``min_angle`` (radians) rejects and redraws points closer than that angle to an earlier point (or its
    antipode) where possible; ``duplicates`` copies the first points onto the last ones, which breaks the
    non-parallel assumption of Theorem 1 on purpose.
    """
    rng = np.random.default_rng(seed)
    X = np.empty((n, d))
    for i in range(n):
        for _ in range(200):
            v = rng.standard_normal(d)
            v /= np.linalg.norm(v)
            if i == 0 or min_angle <= 0 or \
                    np.min(np.arccos(np.clip(np.abs(X[:i] @ v), -1.0, 1.0))) >= min_angle:
                break
        X[i] = v
    for j in range(min(duplicates, n - 1)):
        X[n - 1 - j] = X[j]
    return X


def unit_datasets(*, n=None, d=None, max_n=8, max_d=4, min_angle=0.0, duplicates=None):
    """Datasets as JSON-able dicts ``{"n", "d", "seed", "min_angle", "duplicates", "X"}`` with unit rows.

    ``n``/``d``: an int or a strategy (None: 1..max_n / 1..max_d). ``duplicates``: None -> 0.
    """
    _check_int("max_n", max_n, 1, "unit_datasets")
    _check_int("max_d", max_d, 1, "unit_datasets")
    _check_float("min_angle", min_angle, 0.0, math.pi / 2, "unit_datasets")
    n_st = st.integers(1, max_n) if n is None else (st.just(n) if isinstance(n, int) else n)
    d_st = st.integers(1, max_d) if d is None else (st.just(d) if isinstance(d, int) else d)
    dup_st = st.just(0) if duplicates is None else (st.just(duplicates) if isinstance(duplicates, int)
                                                    else duplicates)

    @st.composite
    def draw(draw_):
        n_, d_ = draw_(n_st), draw_(d_st)
        seed = draw_(st.integers(0, 2**32 - 1))
        dup = draw_(dup_st)
        X = build_dataset(n_, d_, seed, min_angle=min_angle, duplicates=dup)
        return {"n": n_, "d": d_, "seed": seed, "min_angle": min_angle, "duplicates": dup, "X": X.tolist()}

    return draw()


def build_labels(n, C, seed):
    """Labels with |y_i| <= C - 1, uniform in [-(C-1), C-1]."""
    return np.random.default_rng(seed).uniform(-(C - 1.0), C - 1.0, size=n)


def labels(*, n, C=None):
    """Bounded labels |y_i| <= C - 1 as a list (C None: drawn from label_bounds())."""
    _check_int("n", n, 1, "labels")
    C_st = label_bounds() if C is None else st.just(C)
    return st.tuples(C_st, st.integers(0, 2**32 - 1)).map(lambda t: build_labels(n, t[0], t[1]).tolist())


def build_ball_weights(W0, R, seed, *, mode="uniform"):
    """Weights W with ||w_r - w_{0,r}|| <= R for every row r (the R-ball hypothesis of Theorem 2 and the
    lemmas). ``mode``: "uniform" (random direction, radius R*U^(1/d)), "boundary" (radius exactly R), or
    "zero" (W = W0)."""
    W0 = np.asarray(W0, dtype=float)
    rng = np.random.default_rng(seed)
    if mode == "zero":
        return W0.copy()
    D = rng.standard_normal(W0.shape)
    D /= np.maximum(np.linalg.norm(D, axis=1, keepdims=True), 1e-300)
    if mode == "uniform":
        D *= rng.uniform(size=(W0.shape[0], 1)) ** (1.0 / max(W0.shape[1], 1))
    return W0 + R * D


def ball_weights(*, W0, R, modes=("uniform", "boundary", "zero")):
    """Weights inside the R-ball around ``W0`` (a list/array (m, d)): admissible but not Gaussian."""
    _check_float("R", R, 0.0, math.inf, "ball_weights")
    return st.tuples(st.sampled_from(list(modes)), st.integers(0, 2**32 - 1)).map(
        lambda t: build_ball_weights(W0, R, t[1], mode=t[0]).tolist())


def bernoulli_mask_columns(*, p, xi=None):
    """One neuron's mask column m_{k,r} in {0,1}^p, entries i.i.d. Bern(xi) (xi None: drawn)."""
    _check_int("p", p, 1, "bernoulli_mask_columns")
    xi_st = selection_probs() if xi is None else st.just(xi)
    return st.tuples(xi_st, st.integers(0, 2**32 - 1)).map(
        lambda t: (np.random.default_rng(t[1]).uniform(size=p) < t[0]).astype(int).tolist())


def configs(*, n=None, d=None, m=None, p=None, xi=None, tau=None, K=None, eta=None, kappa=None,
            mask=None):
    """Algorithm 1 configurations as dicts. Each argument: a value (fixed), a strategy, or None (default
    small strategy). ``mask`` in {"bernoulli", "categorical"}; categorical forces xi = 1/p."""
    def pick(v, default):
        if v is None:
            return default
        return v if isinstance(v, st.SearchStrategy) else st.just(v)

    @st.composite
    def draw(draw_):
        cfg = {
            "n": draw_(pick(n, st.integers(1, 8))), "d": draw_(pick(d, st.integers(1, 4))),
            "m": draw_(pick(m, widths())), "p": draw_(pick(p, subnetwork_counts())),
            "tau": draw_(pick(tau, local_steps())), "K": draw_(pick(K, global_steps())),
            "eta": draw_(pick(eta, step_sizes())), "kappa": draw_(pick(kappa, init_scales())),
            "mask": draw_(pick(mask, st.sampled_from(["bernoulli", "categorical"]))),
            "seed": draw_(st.integers(0, 2**32 - 1)),
        }
        cfg["xi"] = 1.0 / cfg["p"] if cfg["mask"] == "categorical" else draw_(pick(xi, selection_probs()))
        return cfg

    return draw()


# ------------------------------------------------------------------------------------ envelope instances
# Issue 8: whole instances of the hypotheses of T-4 (7), T-5..T-7 and T-8 (Theorem 7), with the width and
# step size derived from the drawn values under the reference constant profile
# (:mod:`maskverify.theory.envelope_forms`).

#: The first value of every list is the cheapest informative choice (Hypothesis shrinks towards it).
_ENVELOPE_GRIDS = {
    "T-3": {"n": [2], "d": [2], "p": [1, 2], "xi": [1.0, 0.9], "tau": [1, 2], "K": [2, 3], "kappa": [1.0],
            "deltas": [0.1, 0.05], "label_edge": [False, True]},
    "T-4": {"n": [2], "d": [2], "p": [2, 1, 3], "xi": [0.9, 1.0, 0.75, 0.5], "tau": [1, 2], "K": [1, 2, 4, 8],
            "kappa": [0.2, 1.0, 0.5, None]},
    "T-5": {"n": [4], "d": [4], "p": [1], "xi": [0.9, 0.95, 0.8], "tau": [1], "K": [4, 3], "kappa": [None]},
    "T-6": {"n": [4], "d": [4], "p": [2, 1, 3, 4], "xi": [0.9, 0.95, 0.8], "tau": [1], "K": [4, 3], "kappa": [None]},
    "T-7": {"n": [4], "d": [4], "p": [2, 1, 3, 4], "xi": [0.9, 0.95, 0.8], "tau": [2, 1, 3], "K": [4, 3],
            "kappa": [None]},
    "T-8": {"n": [2], "d": [2], "p": [2, 3], "xi": [None], "tau": [4, 6, 8], "K": [3, 4], "kappa": [1.0, 0.8],
            "eta_fractions": [1.0]},     # p.9 prints the step eta = lambda_0/n^2 itself (no O): C-10's explicit one
}


def build_envelope_data(n, d, overlap, label_seed, *, C=2.0, label_edge=False):
    """Unit inputs X (n, d), n <= d: x_i = (e_i + overlap u)/||.|| with u = 1_d/sqrt(d) (overlap 0: orthonormal;
    overlap -> oo: near-duplicate points, lambda_0 -> 0), and labels y (n,) with |y_i| <= C - 1 (uniform, or on
    the edge |y_i| = C - 1 with random signs when ``label_edge``)."""
    if n > d:
        raise InvalidArgument(f"The 'n' argument of build_envelope_data must be <= d = {d}. Got {n!r} instead.")
    u = np.ones(d) / math.sqrt(d)
    X = np.eye(n, d) + overlap * u
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    rng = np.random.default_rng(label_seed)
    v = rng.uniform(-1.0, 1.0, size=n)
    y = (C - 1.0) * (np.where(v >= 0, 1.0, -1.0) if label_edge else v)
    return X, y


def envelope_instances(*, item, max_m=None, inside=True, inits=1, seqs=1, overlaps=(0.0, 0.1, 0.5, 2.0),
                       deltas_=(0.5, 0.25, 0.1), profile="reference"):
    """Whole instances (JSON-able dicts) of the hypotheses of ``item`` in {"T-4", "T-5", "T-6", "T-7", "T-8"}.

    Draws n, d, the data geometry (``overlaps``: 0 is orthonormal, large is near-duplicate), labels (uniform or
    at the |y| <= C - 1 edge), xi, p, tau, kappa, K, delta and the position of eta and m relative to the
    statement's conditions: ``inside=True`` gives ``eta_fraction <= 1`` of the largest admissible step and
    ``m_factor >= 1`` times the smallest admissible width (so every drawn instance meets the width condition
    under the reference profile); ``inside=False`` draws below the width and above the step (the labelled hunt
    for where the envelope shape breaks). ``max_m``: instances wider than this are still drawn but carry
    ``"over_budget": True`` with the width they need (the check labels them, never runs them).
    ``profile``: the constant profile the width and step are sized under (``envelope_forms.PROFILES``; only
    ``"reference"`` decides verdicts), recorded in each instance.
    """
    from maskverify.theory import envelope_forms as EF

    if profile not in EF.PROFILES:
        raise InvalidArgument(f"The 'profile' argument of envelope_instances must be one of {sorted(EF.PROFILES)}. "
                              f"Got {profile!r} instead.")
    if item not in _ENVELOPE_GRIDS:
        raise InvalidArgument(f"The 'item' argument of envelope_instances must be one of "
                              f"{sorted(_ENVELOPE_GRIDS)}. Got {item!r} instead.")
    _check_int("inits", inits, 1, "envelope_instances")
    _check_int("seqs", seqs, 1, "envelope_instances")
    if max_m is not None and (not isinstance(max_m, (int, float)) or max_m < 1):
        raise InvalidArgument(f"The 'max_m' argument of envelope_instances must be a number >= 1 or None. "
                              f"Got {max_m!r} instead.")
    for name, vals in (("overlaps", overlaps), ("deltas_", deltas_)):
        if not vals:
            raise InvalidArgument(f"The '{name}' argument of envelope_instances must be a non-empty sequence "
                                  f"(an empty hypothesis region). Got {vals!r} instead.")
    if any(not 0 < x < 1 for x in deltas_):
        raise InvalidArgument(f"The 'deltas_' argument of envelope_instances must hold values in (0, 1). "
                              f"Got {deltas_!r} instead.")
    g = _ENVELOPE_GRIDS[item]
    fr_eta = st.sampled_from(g.get("eta_fractions", [1.0, 0.5, 0.1])) if inside else \
        st.sampled_from([1.0, 2.0, 8.0, 32.0])
    fr_m = st.sampled_from([1.0, 1.5, 2.0]) if inside else st.sampled_from([1e-3, 1e-2, 0.1, 1.0])

    @st.composite
    def draw(draw_):
        n, d = draw_(st.sampled_from(g["n"])), draw_(st.sampled_from(g["d"]))
        p = draw_(st.sampled_from(g["p"]))
        xi = 1.0 / p if item == "T-8" else draw_(st.sampled_from(g["xi"]))
        kappa = draw_(st.sampled_from(g["kappa"]))
        kappa = n**-0.5 if kappa is None else kappa
        inst = {"item": item, "law": "categorical" if item == "T-8" else "bernoulli", "n": n, "d": d,
                "overlap": draw_(st.sampled_from(list(overlaps))), "label_seed": draw_(st.integers(0, 2**16)),
                "label_edge": draw_(st.sampled_from(g.get("label_edge", [True, False]))), "C": 2.0, "p": p, "xi": xi,
                "tau": draw_(st.sampled_from(g["tau"])), "K": draw_(st.sampled_from(g["K"])), "kappa": kappa,
                "delta": draw_(st.sampled_from(g.get("deltas", list(deltas_)))), "gamma": 0.5,
                "eta_fraction": draw_(fr_eta), "m_factor": draw_(fr_m),
                "inits": inits, "seqs": seqs, "seed": draw_(st.integers(0, 2**16)), "profile": profile}
        X, y = build_envelope_data(n, d, inst["overlap"], inst["label_seed"], C=inst["C"],
                                   label_edge=inst["label_edge"])
        lam = EF.lambda_0(X, xi)
        s = EF.setup(item, n=n, d=d, p=p, xi=xi, tau=inst["tau"], K=inst["K"], kappa=kappa, delta=inst["delta"],
                     lambda_0=lam, gamma=inst["gamma"], eta_fraction=inst["eta_fraction"],
                     m_factor=inst["m_factor"], y_norm2=float(y @ y), profile=profile)
        inst["m"] = s["m"] if math.isfinite(s["m"]) else None
        inst["over_budget"] = bool(inst["m"] is None or (max_m is not None and inst["m"] > max_m))
        return inst

    return draw()

"""Shared machinery of the trajectory checks (T-3, T-4(d)-(k), T-8, L-12..L-19, L-22).

* instance generation (numpy ``Generator`` from the check's context; unit-norm data, S-1 initialization);
* thin adapters around the engine (:mod:`maskverify.impl.algorithm1`): local GD for one mask, a batch of
  global steps (one per sampled / enumerated mask, optionally one W_0 per sample), full runs;
* the regime dictionary and the *inside-only* aggregation: a verdict is computed only from the cases that
  satisfy every explicit hypothesis the statement (or its proof) prints; the other cases are evidence
  ("the assumption is needed"), never violations.

Engine calls run on the CPU in float64, so each counterexample replays bit for bit.
"""

from __future__ import annotations

import functools
import json
import math

import numpy as np
import torch

from maskverify.impl import algorithm1
from maskverify.properties.framework import verdicts as V
from maskverify.properties.framework.registry import Context
from maskverify.properties.oracles import quantities as Q

#: Item id under which studies shared by several items draw their randomness (deterministic in the seed).
SHARED_ITEM = "trajectory-shared"

#: Largest batch of trials sent to the engine at once.
CHUNK = 2048


def shared_rng(ctx, salt):
    """Random generator shared by all items of one study: deterministic in (seed, study salt)."""
    return Context(profile=ctx.profile, seed=ctx.seed, item_id=SHARED_ITEM).rng(salt)


def shared_seed(ctx, salt):
    return Context(profile=ctx.profile, seed=ctx.seed, item_id=SHARED_ITEM).int_seed(salt) % (2**31)


# --------------------------------------------------------------------------------------------------
# Instances


def unit_data(rng, n, d, *, min_lambda=0.02):
    """X (n, d) with unit rows (x_i = g_i/||g_i||), y_i ~ Uniform[-1, 1] (so |y_i| <= C - 1 with C = 2);
    redrawn until lambda_min of the xi-free kernel K^inf is at least ``min_lambda`` (T-1 hypothesis, and a
    lambda_0 the explicit conditions can use)."""
    for _ in range(100):
        X = rng.standard_normal((n, d))
        X /= np.linalg.norm(X, axis=1, keepdims=True)
        if Q.lambda_0(X, 1.0) >= min_lambda:
            break
    y = rng.uniform(-1.0, 1.0, n)
    return X, y


def init_weights(rng, m, d, kappa, trials=None):
    """S-1 — W_0 rows ~ N(0, kappa^2 I_d), a_r ~ Uniform{-1, +1}."""
    lead = () if trials is None else (trials,)
    W0 = kappa * rng.standard_normal((*lead, m, d))
    a = rng.choice(np.array([-1.0, 1.0]), size=(*lead, m))
    return W0, a


def perturb_in_ball(rng, W0, radius):
    """W0 with every row moved by exactly ``radius`` in a random direction (inside the closed R-ball)."""
    D = rng.standard_normal(W0.shape)
    D /= np.linalg.norm(D, axis=-1, keepdims=True)
    return W0 + radius * D


def sample_masks(rng, kind, S, p, m, xi):
    """S masks M_k (S, p, m) bool: i.i.d. Bern(xi) entries, or one-hot categorical columns (S-2)."""
    if kind == "bernoulli":
        return rng.random((S, p, m)) < xi
    owner = rng.integers(0, p, size=(S, m))
    return owner[:, None, :] == np.arange(p)[None, :, None]


def conds_all(conditions):
    return bool(all(bool(v) for v in conditions.values()))


def regime(form, constants, conditions):
    """The regime record of the verdict contract."""
    conditions = {k: bool(v) for k, v in conditions.items()}
    return {"form": form, "constant_profile": V.jsonable(constants), "conditions": conditions,
            "inside": conds_all(conditions)}


def le(a, b, rtol=1e-12):
    """a <= b up to a relative float64 tolerance (for the *conditions*, not for the claims)."""
    return float(a) <= float(b) * (1 + rtol) + 1e-300


# --------------------------------------------------------------------------------------------------
# Engine adapters (maskverify.impl.algorithm1), float64 CPU


def _t(x):
    return torch.tensor(np.array(x, dtype=float), dtype=torch.float64)


def local_trajectory(W, a, mask, X, y, eta, tau):
    """S-7 lines 5-6 for one mask: W_t (tau+1, m, d), uhat_t (tau+1, n), as numpy."""
    Wt, ut = algorithm1.local_train(_t(W), _t(a), torch.as_tensor(np.asarray(mask, dtype=bool)), _t(X), _t(y),
                                    float(eta), int(tau))
    return Wt.numpy(), ut.numpy()


def global_steps(W, a, X, y, M, xi, eta, tau, *, local=True):
    """S-7 lines 3-9 once per mask in ``M (S, p, m)`` (one trial per mask; ``W``/``a`` either shared (m, d)/(m,)
    or one per mask (S, m, d)/(S, m)). Returns numpy ``W_next (S, m, d)`` and, with ``local``, the local iterates
    ``W_local (S, p, tau+1, m, d)`` and ``uhat (S, p, tau+1, n)`` = f_{m^l}(W^l_{k,t}, X).

    One engine step (``_run_W``) gives W_{k+1}; the local iterate W^l_{k,t} is the result of a one-subnetwork
    step (M = m^l, whose aggregation weight is 1 on the selected rows and whose
    unselected rows stay at w_{k,r}) with t local steps, i.e. w_{k,r} + (w^l_{k,t,r} - w_{k,r}) (equal to
    W^l_{k,t} up to one rounding)."""
    M = np.asarray(M, dtype=bool)
    S, p, m = M.shape
    W = np.asarray(W, dtype=float)
    a = np.asarray(a, dtype=float)
    Wb = W if W.ndim == 3 else np.broadcast_to(W, (S, *W.shape))
    ab = a if a.ndim == 2 else np.broadcast_to(a, (S, *a.shape))
    out = {"W_next": np.concatenate([
        _run_W(X, y, Wb[s0:s0 + CHUNK], ab[s0:s0 + CHUNK], M[s0:s0 + CHUNK, None], xi, eta, tau)
        for s0 in range(0, S, CHUNK)])}
    if local:
        d = Wb.shape[-1]
        Wl = np.empty((S, p, tau + 1, m, d))
        Wl[:, :, 0] = Wb[:, None]
        Wrep, arep = np.repeat(Wb, p, axis=0), np.repeat(ab, p, axis=0)       # (S p, m, d), (S p, m)
        Ml = M.reshape(S * p, 1, 1, m)                                         # one subnetwork per trial
        step = max(1, CHUNK // 2)
        for t in range(1, tau + 1):
            Wl[:, :, t] = np.concatenate([
                _run_W(X, y, Wrep[s0:s0 + step], arep[s0:s0 + step], Ml[s0:s0 + step], xi, eta, t)
                for s0 in range(0, S * p, step)]).reshape(S, p, m, d)
        out["W_local"] = Wl
        out["uhat"] = Q.f_masked(Wl, ab[:, None, None, :], M[:, :, None, :], np.asarray(X, float))
    return out


def _run_W(X, y, W, a, masks, xi, eta, tau):
    """W_{k+1} for a batch of trials: W (T, m, d), a (T, m), masks (T, 1, p, m). Uses the engine's batched
    step ``algorithm1._global_step`` (no loss bookkeeping) when present, else the public ``run`` with K = 1."""
    step = getattr(algorithm1, "_global_step", None)
    M = torch.as_tensor(np.array(masks, dtype=bool))
    if step is not None:
        return step(_t(W), _t(a), _t(X), _t(y), M[:, 0], float(xi), float(eta), int(tau))["W_next"].numpy()
    res = algorithm1.run(_t(X), _t(y), _t(W), _t(a), M, float(xi), float(eta), int(tau))
    return res.W.numpy()


def run_losses(X, y, W0, a, masks, xi, eta, tau, record=()):
    """S-7 full runs: W0 (T, m, d), a (T, m), masks (T, K, p, m). Returns (loss (T, K+1), records)."""
    res = algorithm1.run(_t(X), _t(y), _t(W0), _t(a), torch.as_tensor(np.asarray(masks, dtype=bool)), float(xi),
                         float(eta), int(tau), record=tuple(record))
    recs = {k: (v.numpy() if isinstance(v, torch.Tensor) else v) for k, v in res.records.items()}
    return res.loss.numpy(), recs


# --------------------------------------------------------------------------------------------------
# Aggregation: verdicts from the cases inside the explicit hypotheses only


def jkey(obj):
    """Canonical JSON string (cache key of a JSON-able case)."""
    return json.dumps(V.jsonable(obj), sort_keys=True)


def cached(fn):
    """Memoise ``fn(case)`` on the canonical JSON of ``case`` (studies are shared by many items)."""
    store = functools.lru_cache(maxsize=1024)(lambda key: fn(json.loads(key)))

    @functools.wraps(fn)
    def wrapper(case):
        return store(jkey(case))

    wrapper.cache_clear = store.cache_clear
    return wrapper


def case_summary(case, keys=("n", "d", "m", "p", "xi", "tau", "eta", "kappa", "R", "lambda_0", "mode",
                             "samples", "gamma", "K", "delta")):
    return {k: case[k] for k in keys if k in case}


def inside_cases(subcases, *, method, covered, form, constants, extra=None, outside_note=None):
    """Verdict of a universal (per-case) claim from its subcases.

    ``subcases``: list of dicts with ``ok`` (bool/None), ``margin``, ``ratio`` (lhs/rhs), ``inside`` (bool),
    ``witness`` (counterexample dict or None), ``summary``. The verdict is :func:`verdicts.from_cases` over the
    inside subcases only; the outside ones are summarised in the evidence."""
    ins = [s for s in subcases if s["inside"]]
    outs = [s for s in subcases if not s["inside"]]

    def stats(group):
        ratios = [s["ratio"] for s in group if s.get("ratio") is not None and math.isfinite(s["ratio"])]
        bad = [s for s in group if s["ok"] is False]
        return {"cases": len(group), "violations": len(bad),
                "max_ratio_lhs_to_rhs": max(ratios) if ratios else None,
                "first_violation": bad[0]["summary"] if bad else None}

    ev = {"inside": stats(ins), "outside": stats(outs), **(extra or {})}
    if outside_note:
        ev["outside_note"] = outside_note
    reg = _agg_regime(form, constants, [s.get("conditions") for s in (ins or outs)], bool(ins))
    if not ins:
        return V.inconclusive("no generated case satisfied every explicit hypothesis of the statement; the "
                              "outside cases are reported as evidence only", method=method, evidence=ev, regime=reg)
    return V.from_cases([(s["ok"], s["margin"], s["witness"]) for s in ins], method=method, covered=covered,
                        regime=reg, evidence=ev)


def inside_outcomes(parts, *, method, form, constants, extra=None):
    """Verdict of a claim checked on several instances, each with its own Outcome and ``inside`` flag:
    :func:`verdicts.combine` over the inside parts (violated if one is, inconclusive if one is, else holds)."""
    ins = [(o, s) for o, inside, s in parts if inside]
    table = [{"verdict": o.verdict, "inside": inside, **{k: v for k, v in s.items() if k != "conditions"}}
             for o, inside, s in parts]
    first = [s.get("conditions") for _, inside, s in parts if inside] or [s.get("conditions") for _, _, s in parts]
    reg = _agg_regime(form, constants, first, bool(ins))
    ev = {"instances": table, "inside_instances": len(ins), "outside_instances": len(parts) - len(ins),
          "outside_violations": sum(1 for o, inside, _ in parts if not inside and o.verdict == V.VIOLATED),
          **(extra or {})}
    if not ins:
        return V.inconclusive("no instance satisfied every explicit hypothesis of the statement; outside "
                              "instances are evidence only", method=method, evidence=ev, regime=reg)
    out = V.combine([o for o, _ in ins], method=method)
    out.evidence = {**out.evidence, **ev}
    out.regime = out.regime or reg
    return out


def _agg_regime(form, constants, conds, inside):
    """Regime of an aggregated verdict: each condition required by a deciding (inside) case -- or by any case when
    none was inside -- with whether it held in all of them; ``inside`` says whether any case met every explicit
    hypothesis it requires (the verdict is computed from those cases only)."""
    merged: dict = {}
    for c in conds:
        for k, v in (c or {}).items():
            merged[k] = merged.get(k, True) and bool(v)
    conditions = merged or {"explicit hypotheses held in some case": inside}
    return {"form": form, "constant_profile": V.jsonable(constants), "conditions": conditions, "inside": inside}


def theorem_level(outcome, reason, width=None):
    """A statement whose width / order hypotheses (Omega, O) cannot be met at feasible sizes: a violation
    inside the explicit conditions stands; otherwise the verdict is inconclusive, with the explicit-form
    result in the evidence. ``width``: the label of the unmet width condition, recorded (False) in the regime."""
    if width is not None:
        reg = dict(outcome.regime or {"form": "", "constant_profile": {}})
        reg["conditions"] = {**reg.get("conditions", {}), width: False}
        reg["inside"] = False
        outcome.regime = reg
    if outcome.verdict == V.VIOLATED:
        return outcome
    inner = {("explicit_form_reason" if k == "reason" else k): v for k, v in outcome.evidence.items()}
    inner.setdefault("would_decide", "violated: a failure at an instance meeting every explicit condition of the "
                                     "statement; holds: explicit constants for its Omega(.)/O(.) hypotheses (none are "
                                     "printed) and runs at the width they give (for Theorem 3 the derived C-13 width, "
                                     "m >~ 1e10 at these n, lambda_0, beyond feasible sizes)")
    return V.inconclusive(reason, method=outcome.method, evidence={"explicit_form_verdict": outcome.verdict, **inner},
                          regime=outcome.regime)


def subcase(ok_margin, *, lhs, rhs, inside, witness, summary):
    ok, margin = ok_margin
    ratio = float(lhs) / float(rhs) if float(rhs) not in (0.0,) and math.isfinite(float(rhs)) else None
    return {"ok": ok, "margin": margin, "ratio": ratio, "inside": bool(inside), "witness": witness,
            "summary": {**summary, "lhs": float(lhs), "rhs": float(rhs)}}


#: Tolerances of the deterministic trajectory inequalities. Both sides are computed from weight differences
#: W_t - W_k whose size is ~1e-6 of |W| at the step sizes used, so float64 cancellation limits their relative
#: accuracy to ~1e-10: a side within 1e-9 (relative) of the other counts as met; beyond 1e-6 as broken.
HOLD_RTOL, FAIL_RTOL = 1e-9, 1e-6


def cmp_le(lhs, rhs, *, atol=0.0, hold_rtol=HOLD_RTOL, fail_rtol=FAIL_RTOL):
    """(ok, slack) for lhs <= rhs in float64: within ``hold_rtol`` relative counts as met (sides equal by
    construction differ by rounding only), beyond ``fail_rtol`` as broken, in between undecided (None).
    ``atol`` is the float64 error bound of a side computed by cancellation (e.g. ||w_t - w_k||)."""
    lhs, rhs = float(lhs), float(rhs) + float(atol)
    if math.isnan(lhs) or math.isnan(rhs):
        return None, None
    scale = max(abs(lhs), abs(rhs), 1e-300)
    slack = (rhs - lhs) / scale
    if slack >= -hold_rtol:
        return True, slack
    if slack < -fail_rtol:
        return False, slack
    return None, slack

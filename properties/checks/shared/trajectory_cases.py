"""The generated cases of the trajectory checks (sizes from ``ctx.profile``; randomness from the shared
study generator, so items that evaluate the same study see the same instances), and the per-instance
outcome helpers shared by the trajectory checks of Hypothesis 1, Theorem 3 and Theorem 7.
"""

from __future__ import annotations

import math

import numpy as np

from maskverify.properties.checks.shared import trajectory_support as TS
from maskverify.properties.framework import verdicts as V
from maskverify.properties.oracles import quantities as Q

_CACHE: dict = {}


def _memo(name, ctx, build):
    key = (name, ctx.seed, ctx.profile)
    if key not in _CACHE:
        _CACHE[key] = build()
    return _CACHE[key]


def _data(rng, n, d, m, kappa):
    X, y = TS.unit_data(rng, n, d)
    W0, a = TS.init_weights(rng, m, d, kappa)
    return X, y, W0, a


def _c9(lam0, n, p, tau):
    return lam0 / (48 * n * tau * max(n, p))


def _r4(lam0, n, kappa, xi):
    return min(kappa * lam0 / (192 * n), xi * kappa * lam0 / (144 * n))


# --------------------------------------------------------------------------------------------------
# Local GD cases (T-3, L-12)


def local_cases(ctx):
    def build():
        prof = ctx.profile
        rng = TS.shared_rng(ctx, "local")
        big = min(256, prof.max_m)
        out = []
        for c in range(3 * prof.max_examples):
            focus = c % 3 == 0          # a third aims at the explicit hypotheses (large m, small eta)
            n = 3 if focus else int(rng.choice([3, 4]))
            d = int(rng.choice([3, 4]))
            m = big if focus else int(rng.choice([16, 64, big]))
            xi = 1.0 if focus else float(rng.choice([0.5, 1.0]))
            kappa = float(rng.choice([1.0, 0.5]))
            tau = int(rng.choice([1, 2, 4]))
            p = int(rng.choice([1, 2]))
            X, y, W0, a = _data(rng, n, d, m, kappa)
            lam0 = Q.lambda_0(X, xi)
            R = kappa * lam0 / (64 * n) * float(rng.choice([1.0, 0.25] if focus else [1.0, 0.25, 8.0]))
            eta = lam0 / (4 * n**2) * float(rng.choice([0.01, 0.2] if focus else [0.01, 0.2, 1.0, 4.0, 64.0]))
            Wk = TS.perturb_in_ball(rng, W0, R * float(rng.choice([0.0, 0.5, 1.0])))
            mask = (rng.random(m) < xi).astype(float)
            out.append({"X": X.tolist(), "y": y.tolist(), "W0": W0.tolist(), "Wk": Wk.tolist(), "a": a.tolist(),
                        "mask": mask.tolist(), "eta": eta, "tau": tau, "kappa": kappa, "R": R, "xi": xi, "p": p,
                        "n": n, "d": d, "m": m})
        return out
    return _memo("local", ctx, build)


# --------------------------------------------------------------------------------------------------
# One-step cases (W_k fixed; expectation over M_k)


def _step_case(rng, *, kind, n, d, m, p, xi, tau, kappa, eta_fac, r_fac, mode, samples, pert=0.5, eta_ref="C-9"):
    X, y, W0, a = _data(rng, n, d, m, kappa)
    lam0 = Q.lambda_0(X, xi)
    eta = eta_fac * (_c9(lam0, n, p, tau) if eta_ref == "C-9" else lam0 / (4 * n**2))
    R = r_fac * (_r4(lam0, n, kappa, xi) if eta_ref == "C-9" else kappa * lam0 / (64 * n))
    Wk = TS.perturb_in_ball(rng, W0, pert * R)
    return {"X": X.tolist(), "y": y.tolist(), "W0": W0.tolist(), "Wk": Wk.tolist(), "a": a.tolist(), "eta": eta,
            "tau": tau, "kappa": kappa, "R": R, "xi": xi, "p": p, "m": m, "n": n, "d": d, "kind": kind,
            "mode": mode, "seed": int(rng.integers(2**31)), "samples": samples}


def bernoulli_step_cases(ctx):
    def build():
        prof = ctx.profile
        rng = TS.shared_rng(ctx, "bernoulli-step")
        S = max(200, prof.mc_samples // 2)
        big = min(128, prof.max_m)
        e1 = max(1, (prof.enum_pm - 2) // 2)
        e2 = max(1, prof.enum_pm // 3)
        kw = dict(kind="bernoulli", n=3, d=3, kappa=1.0)
        return [
            _step_case(rng, **kw, m=e1, p=2, xi=0.5, tau=3, eta_fac=0.01, r_fac=1.0, mode="enum", samples=0),
            _step_case(rng, **kw, m=e2, p=3, xi=0.5, tau=1, eta_fac=0.01, r_fac=1.0, mode="enum", samples=0),
            _step_case(rng, **kw, m=big, p=2, xi=0.5, tau=3, eta_fac=1.0, r_fac=1.0, mode="mc", samples=S),
            _step_case(rng, **kw, m=big, p=3, xi=0.7, tau=2, eta_fac=0.5, r_fac=1.0, mode="mc", samples=S),
            _step_case(rng, **kw, m=32, p=2, xi=0.5, tau=3, eta_fac=50.0, r_fac=4.0, mode="mc", samples=S),
            _step_case(rng, **kw, m=16, p=1, xi=1.0, tau=2, eta_fac=400.0, r_fac=8.0, mode="mc", samples=S // 4),
        ]
    return _memo("bernoulli-step", ctx, build)


def categorical_step_cases(ctx):
    def build():
        prof = ctx.profile
        rng = TS.shared_rng(ctx, "categorical-step")
        S = max(200, prof.mc_samples // 2)
        big = min(128, prof.max_m)
        me = max(1, int(prof.enum_pm * math.log(2) / math.log(3)) - 2)    # 3^m <= 2^(enum_pm - 3)
        kw = dict(kind="categorical", n=3, d=3, kappa=1.0, eta_ref="C-8")
        return [
            _step_case(rng, **kw, m=me, p=3, xi=1 / 3, tau=2, eta_fac=0.01, r_fac=1.0, mode="enum", samples=0),
            _step_case(rng, **kw, m=big, p=2, xi=1 / 2, tau=3, eta_fac=1.0, r_fac=1.0, mode="mc", samples=S),
            _step_case(rng, **kw, m=64, p=3, xi=1 / 3, tau=2, eta_fac=0.2, r_fac=1.0, mode="mc", samples=S),
            _step_case(rng, **kw, m=32, p=4, xi=1 / 4, tau=3, eta_fac=20.0, r_fac=4.0, mode="mc", samples=S),
        ]
    return _memo("categorical-step", ctx, build)


# --------------------------------------------------------------------------------------------------
# Joint (W_0, a, M_0) Monte Carlo cases and full-run cases


def joint_cases(ctx, kind):
    def build():
        prof = ctx.profile
        rng = TS.shared_rng(ctx, f"joint-{kind}")
        out = []
        specs = ([(2, 0.5, 2, 64), (3, 0.5, 3, 32)] if kind == "bernoulli"
                 else [(2, 0.5, 2, min(128, prof.max_m)), (3, 1 / 3, 2, 64)])
        for (p, xi, tau, m), fac in zip(specs, (0.1, 1.0)):
            n, d = 3, 3
            X, y = TS.unit_data(rng, n, d)
            lam0 = Q.lambda_0(X, xi)
            out.append({"X": X.tolist(), "y": y.tolist(), "m": m, "p": p, "xi": xi, "tau": tau, "kappa": 1.0,
                        "eta": fac * lam0 / (4 * n**2), "R": lam0 / (64 * n), "kind": kind,
                        "seed": int(rng.integers(2**31)), "samples": prof.mc_samples})
        return out
    return _memo(f"joint-{kind}", ctx, build)


def runs_cases(ctx, kind):
    def build():
        prof = ctx.profile
        rng = TS.shared_rng(ctx, f"runs-{kind}")
        out = []
        if kind == "bernoulli":
            specs = [(2, 0.5, 2, 64, 1.0), (1, 1.0, 2, 32, 1.0), (1, 1.0, 1, 16, 16.0), (2, 0.5, 2, 16, 30.0)]
        else:
            specs = [(2, 0.5, 2, 64, 1.0), (1, 1.0, 2, 16, 1.0), (3, 1 / 3, 2, 16, 10.0)]
        for p, xi, tau, m, fac in specs:
            n, d = 3, 3
            X, y = TS.unit_data(rng, n, d)
            lam0 = Q.lambda_0(X, xi)
            eta = fac * (_c9(lam0, n, p, tau) if kind == "bernoulli" else lam0 / (4 * n**2))
            R = _r4(lam0, n, 1.0, xi) if kind == "bernoulli" else lam0 / (64 * n)
            out.append({"X": X.tolist(), "y": y.tolist(), "m": m, "p": p, "xi": xi, "tau": tau, "kappa": 1.0,
                        "eta": eta, "R": R, "K": 4, "kind": kind, "inits": prof.trials,
                        "seqs": max(8, prof.mc_samples // (32 * prof.trials)),
                        "seed": int(rng.integers(2**31))})
        return out
    return _memo(f"runs-{kind}", ctx, build)


# --------------------------------------------------------------------------------------------------
# Outcome helpers


#: (study, item) -> builder(item, case, res, alpha=..., **extra) -> Outcome for one case. The check modules
#: register their builders here; :func:`replay` (the counterexample evaluator) dispatches to them.
BUILDERS: dict = {}


def builder(study, *items):
    def deco(fn):
        for it in items:
            BUILDERS[(study, it)] = fn
        return fn
    return deco


def studies():
    from maskverify.properties.checks.shared import trajectory_studies as ST
    return {"local": ST.local_study, "step": ST.step_study, "joint": ST.joint_study, "runs": ST.runs_study,
            "none": lambda case: None}


@V.evaluator
def replay(study, item, case, **kw):
    """Counterexample evaluator of every trajectory item: re-run the study on ``case`` (float64 CPU, same seed)
    and rebuild the item's outcome for that one case. The builders are registered when their check modules are
    imported: ``registry.load_all`` (idempotent) does that in a fresh process, with no list to keep in sync."""
    from maskverify.properties.framework import registry

    registry.load_all()
    return BUILDERS[(study, item)](item, case, studies()[study](case), **kw)


def item_of(key):
    """The SPEC ID of a builder key ('T-3(i)#algebra' -> 'T-3(i)', 'T-8(e)*' -> 'T-8(e)')."""
    return key.split("#")[0].rstrip("*")


def witness_args(study, item, case, **kw):
    return {"study": study, "item": item, "case": case, **kw}


def expect_le(wargs, samples, weights, bound, *, alpha, evidence=None, regime=None):
    """E[samples] <= bound: exact (enumeration, ``case['mode'] == 'enum'``) or Monte Carlo (t interval)."""
    x = np.asarray(samples, float)
    exact = wargs["case"].get("mode") == "enum"
    mean = float(np.dot(weights, x)) if exact else float(x.mean())
    values = {"mean": mean, "bound": float(bound)}
    wit = V.counterexample(item_of(wargs["item"]), replay, wargs, values)
    ev = {**values, **(evidence or {})}
    if exact:
        ok, margin = TS.cmp_le(mean, bound)
        return V.from_cases([(ok, margin, wit)], method="exact enumeration over M_k",
                            covered=f"{len(x)} masks", evidence=ev, regime=regime)
    return V.mean_le_bound(x, float(bound), alpha=alpha, witness=wit, evidence=ev, regime=regime,
                           method="Monte Carlo over M_k")


def abs_expect_le(wargs, samples, weights, bound, **kw):
    """|E[samples]| <= bound as two one-sided claims (combined; the violated side carries the witness)."""
    x = np.asarray(samples, float)
    up = expect_le(wargs, x, weights, bound, **kw)
    lo = expect_le(wargs, -x, weights, bound, **kw)
    out = V.combine([up, lo], method=up.method)
    out.evidence.update({"E": up.evidence["mean"], "bound": float(bound)})
    return out


def det_cases(wargs, specs, *, method, covered, regime=None, evidence=None):
    """from_cases over deterministic (lhs <= rhs) specs of ONE case; ``specs``: dicts with lhs, rhs, inside
    and a name; only inside specs decide. The witness values are the first failing inside spec."""
    ins = [s for s in specs if s["inside"]]
    bad = next((s for s in ins if TS.cmp_le(s["lhs"], s["rhs"], atol=s.get("atol", 0.0))[0] is False), None)
    wit = V.counterexample(item_of(wargs["item"]), replay, wargs, V.jsonable(bad)) if bad else None
    if not ins:
        return V.inconclusive("no evaluated inequality of this case met the explicit hypotheses", method=method,
                              evidence=evidence, regime=regime)
    return V.from_cases([(*TS.cmp_le(s["lhs"], s["rhs"], atol=s.get("atol", 0.0)), wit) for s in ins], method=method, covered=covered,
                        regime=regime, evidence=evidence)


def pick(cond, *needles):
    """The conditions whose label contains any of ``needles`` (all when none given)."""
    if not needles:
        return dict(cond)
    return {k: v for k, v in cond.items() if any(s in k for s in needles)}

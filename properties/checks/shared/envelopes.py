"""Envelope machinery (issue 8): training runs of Algorithm 1 confronted with the proved error region
``E ||y - u_k||^2 <= (1 - alpha)^k L_0 + B`` of T-4 (7), T-5..T-7 and T-8, inside the statement's hypotheses
under the reference constant profile (:mod:`maskverify.theory.envelope_forms`), with measured power and
tightness.

* :func:`train_losses` — the engine adapter: whole-network losses ``||y - u_k||^2`` (k = 0..K) of one
  (initialisation, mask sequence) and the peak bytes: the batched engine :mod:`maskverify.impl.algorithm1`
  below :data:`MEMORY_CAP`, the streamed wide-regime engine :mod:`maskverify.impl.wide` above it.
* :func:`run_instance` — one drawn instance (``strategies.envelope_instances``): regime flags, B/L_0,
  (1 - alpha)^K, the observed/envelope ratio at every k, per initialisation.
* :func:`power` (Clopper-Pearson, the false-alarm rate of the run), :func:`tightness` (the empirical constants),
  :func:`envelope_outcome` (the verdict and the evidence block documented in docs/ARCHITECTURE.md),
  :func:`replay_envelope` (the counterexample evaluator), :func:`search_envelope` (Hypothesis drives the
  instances, ``target()`` on observed/envelope), :func:`cannot_fail` (a check that cannot fail is never the
  basis of ``holds``).

Reading of "with probability at least 1 - delta" (all five statements): over initialisations (W_0, a), the
mask-averaged loss of an initialisation stays inside the envelope at every k. An initialisation *exceeds* when
its mean over the mask sequences is above the envelope at some k >= 1 (relative tolerance :data:`RTOL`). The
test is one-sided Clopper-Pearson on the number of exceeding inside initialisations against the largest delta
of the instances behind it (pooling is conservative: each initialisation exceeds with probability <= its own
delta under the claim).
"""

from __future__ import annotations

import hashlib
import math

import numpy as np

from maskverify.impl import wide
from maskverify.properties.framework import verdicts as V
from maskverify.properties.framework.strategies import build_envelope_data, envelope_instances
from maskverify.theory import envelope_forms as EF

#: Relative tolerance of "observed <= envelope" (float64 losses of sums over m terms).
RTOL = 1e-9

#: Per profile: widest instance run (``max_m``), the work one item may spend on training (``max_work``, in
#: neuron-steps m K tau summed over runs; about 4e6 per second on one core with impl/algorithm1, less with the
#: streamed engine), the Hypothesis examples of the in-regime search, initialisations and mask sequences per
#: instance, and the outside hunt (examples, widest instance). ``T-8`` (the informative instances need
#: m ~ 2.5e6 .. 1.3e7) gets ``max_work_T8``.
BUDGETS = {
    "ci": {"max_m": 3_000_000, "max_work": 1.5e8, "max_work_T8": 1.5e8, "examples": 2, "inits": 2, "seqs": 1,
           "hunt_examples": 3, "hunt_max_m": 20_000},
    "dev": {"max_m": 13_000_000, "max_work": 4e8, "max_work_T8": 2.5e9, "examples": 16, "inits": 8, "seqs": 1,
            "hunt_examples": 10, "hunt_max_m": 200_000},
    "nightly": {"max_m": 30_000_000, "max_work": 4e9, "max_work_T8": 1e10, "examples": 12, "inits": 24,
                "seqs": 2, "hunt_examples": 40, "hunt_max_m": 2_000_000},
}

#: Probability with which a systematic exceedance counts as "detected" in :func:`power`.
DETECT_LEVEL = 0.8


def budget(ctx, item=None):
    b = dict(BUDGETS.get(ctx.profile.name, BUDGETS["ci"]))
    if item == "T-8":      # wide instances: 7 initialisations are the fewest that can reject at delta = 1/2
        b["max_work"] = b["max_work_T8"]
        b["inits"] = min(b["inits"], 7) if ctx.profile.name == "dev" else b["inits"]
    if item == "T-3":      # every local step recorded (8x the work units): the dev/nightly T-3 needs more
        b["max_work"] = b["max_work"] * (1.5 if ctx.profile.name != "ci" else 1)
    if item == "T-4":      # the informative T-4 instances are narrow (m ~ 2e4): more initialisations
        b["inits"] = max(b["inits"], 8)
    return b


def work(inst):
    """Neuron-steps of an instance: inits x seqs x m x K x tau (None when its width is infinite)."""
    if inst.get("m") is None:
        return None
    slow = 8 if inst["item"] == "T-3" else 1       # T-3 records every local step's losses and distances
    return slow * inst["inits"] * inst["seqs"] * inst["m"] * max(inst["K"], 1) * inst["tau"]


# --------------------------------------------------------------------------------------------------
# Engine adapter


def _seed(*parts):
    h = hashlib.sha256("|".join(str(x) for x in parts).encode()).digest()
    return int.from_bytes(h[:8], "little") & ((1 << 63) - 1)


#: Above this working set (bytes) of the batched engine, runs go to the streamed wide-regime engine
#: (``impl/wide.py``: memory ~ m d floats + 8 bytes per neuron, bounded blocks), which draws W_0, a and the
#: masks from one counter stream per (seed, initialisation): one mask sequence per initialisation there.
MEMORY_CAP = 1_500_000_000


def engine_for(m, d, n, p, xi, law):
    """'impl.algorithm1' (batched, a few x m d floats) or 'impl.wide' (streamed) for one instance."""
    if EF.algorithm1_bytes(m, d, n, p, xi, law) > MEMORY_CAP:
        return "impl.wide"
    return "impl.algorithm1"


def engine_name():
    return "impl.wide (above MEMORY_CAP) / impl.algorithm1"


def train_losses(X, y, m, p, tau, eta, K, kappa, xi, law, seed, trial, seq=0):
    """Whole-network losses ||y - u_k||^2, k = 0..K, of Algorithm 1 for initialisation ``trial`` (W_0 rows
    ~ N(0, kappa^2 I), a_r ~ U{-1, 1}) and mask sequence ``seq`` of it; float64 CPU. Returns
    ``(losses (K+1,) numpy, peak_bytes)``: deterministic in (seed, trial, seq). The engine is
    :func:`engine_for` (the wide one takes ``seq = 0`` only)."""
    n, d = np.shape(X)
    if engine_for(m, d, n, p, xi, law) == "impl.wide":
        if seq != 0:
            from maskverify.errors import invalid

            raise invalid("seq", "envelopes.train_losses", "0 on the wide-regime engine (one mask sequence per "
                          "initialisation)", seq)
        r = wide.train(np.asarray(X, float), np.asarray(y, float), m=int(m), p=int(p), tau=int(tau),
                       eta=float(eta), K=int(K), kappa=float(kappa), xi=float(xi), law=law,
                       seed=int(_seed(seed, "wide") % 2**31), trial=int(trial))
        return r.loss.numpy().astype(float), int(r.peak_bytes)
    import torch

    from maskverify.impl import algorithm1

    g = torch.Generator().manual_seed(_seed(seed, trial))
    W0 = kappa * torch.randn(int(m), d, generator=g, dtype=torch.float64)
    a = torch.randint(0, 2, (int(m),), generator=g, dtype=torch.int64).to(torch.float64) * 2 - 1
    gm = torch.Generator().manual_seed(_seed(seed, trial, seq))
    res = algorithm1.run(torch.as_tensor(np.asarray(X, float)), torch.as_tensor(np.asarray(y, float)), W0, a,
                         None, float(xi), float(eta), int(tau), K=int(K), p=int(p), mask_kind=law, generator=gm)
    return res.loss.numpy().astype(float), EF.algorithm1_bytes(m, d, n, p, xi, law)


# --------------------------------------------------------------------------------------------------
# One instance


def instance_setup(inst):
    X, y = build_envelope_data(inst["n"], inst["d"], inst["overlap"], inst["label_seed"], C=inst["C"],
                               label_edge=inst["label_edge"])
    lam = EF.lambda_0(X, inst["xi"])
    s = EF.setup(inst["item"], n=inst["n"], d=inst["d"], p=inst["p"], xi=inst["xi"], tau=inst["tau"], K=inst["K"],
                 kappa=inst["kappa"], delta=inst["delta"], lambda_0=lam, gamma=inst.get("gamma", 0.5),
                 eta_fraction=inst["eta_fraction"], m_factor=inst["m_factor"], y_norm2=float(y @ y),
                 profile=inst.get("profile", "reference"))
    return X, y, lam, s


def _bytes_needed(m, inst):
    """Working set of the cheaper engine in memory at width m (batched or streamed)."""
    a1 = EF.algorithm1_bytes(m, inst["d"], inst["n"], inst["p"], inst["xi"], inst["law"])
    return int(min(a1, wide.memory_estimate(m=int(m), n=inst["n"], d=inst["d"], p=inst["p"], tau=inst["tau"],
                                            xi=inst["xi"])["total"]))


def run_instance(inst, *, max_m):
    """Train ``inst["inits"] x inst["seqs"]`` runs of one instance and measure it against its envelope.

    Returns a JSON-able record (``skipped`` with the reason when the width is infinite or beyond ``max_m``)."""
    if inst["item"] == "T-3":
        from maskverify.properties.checks.shared.envelopes_hyp1 import run_instance_T3

        return run_instance_T3(inst, max_m=max_m)
    X, y, lam, s = instance_setup(inst)
    K = int(inst["K"])
    rec = {"instance": {k: v for k, v in inst.items() if k != "over_budget"}, "lambda_0": lam, "m": s["m"],
           "eta": s["eta"], "m_required": s["m_required"], "alpha": s["alpha"], "B": s["error"],
           "conditions": s["conditions"], "inside": s["inside"], "contraction_K": (1 - s["alpha"]) ** K,
           "masks_enter": not (inst["xi"] == 1.0 or (inst["item"] == "T-8" and inst["p"] == 1)),
           "engine": engine_name()}
    if not math.isfinite(s["m"]) or s["m"] > max_m:
        rec["skipped"] = (f"width m = {s['m']:.3g} needed (m_required = {s['m_required']:.3g}) exceeds this "
                          f"profile's envelope budget max_m = {max_m:.3g}")
        rec["peak_bytes_needed"] = _bytes_needed(s["m"], inst) if math.isfinite(s["m"]) else None
        return rec
    losses, peak = [], 0
    rec["engine"] = engine_for(s["m"], inst["d"], inst["n"], inst["p"], inst["xi"], inst["law"])
    seqs = 1 if rec["engine"] == "impl.wide" else int(inst["seqs"])
    rec["seqs_used"] = seqs
    for j in range(int(inst["inits"])):
        per = []
        for q in range(seqs):
            L, pk = train_losses(X, y, s["m"], inst["p"], inst["tau"], s["eta"], K, inst["kappa"], inst["xi"],
                                 inst["law"], inst["seed"], j, q)
            per.append(L.tolist())
            peak = max(peak, pk or 0)
        losses.append(per)
    arr = np.asarray(losses, float)                               # (inits, seqs, K+1)
    rec.update({"losses": arr.tolist(), "peak_bytes": peak})
    rec.update(measure(rec))
    return rec


def measure(rec, planted=None):
    """Observed/envelope of a record's runs (optionally against a planted envelope: ``rate_factor``,
    ``error_factor``, ``error_xi_power``). Returns ``L0, ratio_k, max_ratio, exceed, B_over_L0, informative``."""
    if rec["instance"]["item"] == "T-3":
        from maskverify.properties.checks.shared.envelopes_hyp1 import measure_T3

        return measure_T3(rec, planted)
    planted = planted or {}
    arr = np.asarray(rec["losses"], float)
    mean = arr.mean(axis=1)                                       # (inits, K+1)  mean over mask sequences
    L0 = mean[:, 0]
    K = mean.shape[1] - 1
    err = rec["B"] * planted.get("error_factor", 1.0) * (1 - rec["instance"]["xi"]) ** planted.get("error_xi_power", 0)
    env = np.stack([EF.envelope(rec["alpha"], l0, err, K, rate_factor=planted.get("rate_factor", 1.0)) for l0 in L0])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(np.isfinite(mean), mean / env, np.inf)   # (inits, K+1)
    exceed = [bool(np.any(r[1:] > 1 + RTOL)) for r in ratio]
    B_over = (rec["B"] / L0).tolist()
    curves = normalised_curves(mean, env)
    return {"L0": L0.tolist(), "ratio_k": ratio.max(axis=0).tolist(), "max_ratio": float(ratio[:, 1:].max()),
            "curves": curves,
            "exceed": exceed, "B_over_L0": B_over,
            "informative": bool(rec["inside"] and np.all(np.asarray(B_over) < 1) and rec["contraction_K"] < 0.99)}


# --------------------------------------------------------------------------------------------------
# Power and tightness


def power(N, delta, alpha, level=DETECT_LEVEL):
    """What the one-sided Clopper-Pearson test at false-alarm rate ``alpha`` can decide with ``N`` inside
    initialisations against the allowed exceedance probability ``delta``.

    Returns ``inside_runs``, ``min_exceedances_to_reject`` (None: even N of N cannot reject: powerless),
    ``detectable_exceedance_probability`` (smallest true exceedance probability rejected with probability
    ``level``), ``runs_needed_to_reject`` (fewest runs for which all-exceeding rejects),
    ``runs_needed_for_holds`` (fewest runs for which none-exceeding gives ``holds``), ``powerless``."""
    from scipy import stats

    def lower(x, n):
        return 0.0 if x == 0 else float(stats.beta.ppf(alpha, x, n - x + 1))

    xcrit = next((x for x in range(N + 1) if lower(x, N) > delta), None) if N > 0 else None
    det = None
    if xcrit is not None:
        lo, hi = delta, 1.0
        for _ in range(60):
            mid = (lo + hi) / 2
            if stats.binom.sf(xcrit - 1, N, mid) >= level:
                hi = mid
            else:
                lo = mid
        det = hi
    need_reject = next(n for n in range(1, 10_000) if lower(n, n) > delta)
    need_holds = math.ceil(math.log(alpha) / math.log(1 - delta))
    return {"inside_runs": N, "delta": delta, "false_alarm_rate": alpha, "detect_level": level,
            "min_exceedances_to_reject": xcrit, "detectable_exceedance_probability": det,
            "runs_needed_to_reject": need_reject, "runs_needed_for_holds": need_holds,
            "powerless": xcrit is None}


def tightness(records):
    """Empirical constants of the inside runs.

    ``rate_factor``: the largest c with observed <= (1 - c alpha)^k L_0 + B at every k >= 1 and initialisation
    (c > 1: the printed rate is c x pessimistic; capped at 1/alpha); ``rate_factor_loosest_run``: the same for
    the initialisation that allows the largest c (a planted rate beyond it breaks every run);
    ``B1_factor``: the smallest f with observed <= (1 - alpha)^k L_0 + f B (0: the runs never use the error
    term); ``floor_factor``: the smallest f with observed <= f B at every k >= 1 (the error term alone, an
    instant contraction); ``floor_factor_lowest_run``: the same for the run that needs the smallest f (a planted
    error term below it breaks every run). None without inside runs."""
    if any(r["instance"]["item"] == "T-3" for r in records):
        from maskverify.properties.checks.shared.envelopes_hyp1 import tightness_T3

        return tightness_T3(records)
    per_run, fs, fl = [], [], []
    for r in records:
        if not r.get("inside") or "losses" not in r:
            continue
        mean = np.asarray(r["losses"], float).mean(axis=1)
        a, B = r["alpha"], r["B"]
        K = mean.shape[1] - 1
        for row in mean:
            L0, cs, fr = row[0], [], []
            for k in range(1, K + 1):
                q = (row[k] - B) / L0
                cs.append(1.0 / a if q <= 0 else 0.0 if q >= 1 else min((1 - q ** (1 / k)) / a, 1.0 / a))
                gap = row[k] - (1 - a) ** k * L0
                fs.append(0.0 if gap <= 0 else (gap / B if B > 0 else math.inf))
                fr.append(row[k] / B if B > 0 else math.inf)
            per_run.append(min(cs))
            fl.append(max(fr))
    if not per_run:
        return None
    return {"rate_factor": float(min(per_run)), "rate_factor_loosest_run": float(max(per_run)),
            "B1_factor": float(max(fs)), "floor_factor": float(max(fl)), "floor_factor_lowest_run": float(min(fl))}


# --------------------------------------------------------------------------------------------------
# Verdict


def allowed(inst):
    """The exceedance probability a statement allows: delta, or 4 delta for Hypothesis 1 (p.7)."""
    return 4 * inst["delta"] if inst["item"] == "T-3" else inst["delta"]


def _test(records, planted, alpha):
    inside = [r for r in records if r.get("inside") and "losses" in r]
    exc, N = 0, 0
    for r in inside:
        mm = measure(r, planted) if planted else r
        exc += sum(mm["exceed"])
        N += len(mm["exceed"])
    delta = max((allowed(r["instance"]) for r in inside), default=None)
    delta_min = min((allowed(r["instance"]) for r in inside), default=None)
    return inside, exc, N, delta, delta_min


@getattr(V, "evaluator", lambda f: f)
def replay_envelope(item, instances, planted, alpha, max_m, campaign=None):
    """Counterexample evaluator: re-train ``instances`` (deterministic seeds) and re-run the pooled
    Clopper-Pearson test, against the printed envelope or a planted one. ``campaign``: accepted campaign runs
    (instance and losses, :func:`campaign.witness_args`), re-checked against the hypotheses and pooled again."""
    records = [run_instance(i, max_m=max_m) for i in instances]
    extra = None
    if campaign:
        from maskverify.properties.checks.shared.campaign import records_from_witness

        extra = records_from_witness(campaign)
    return envelope_outcome(item, records, alpha=alpha, planted=planted or None, max_m=max_m,
                            campaign_records=extra)


def envelope_outcome(item, records, *, alpha, planted=None, max_m, outside=None, search=None, would_decide=None,
                     campaign_records=None, campaign=None):
    """The verdict of an envelope claim from its instance records, with the evidence block
    ``envelope = {instances, inside, informative_inside, min_B1_over_L0, power, tightness,
    max_observed_over_envelope, worst_instance, peak_bytes, engine, ...}`` (docs/ARCHITECTURE.md).
    ``campaign_records``: accepted campaign runs (:mod:`.campaign`, one inside initialisation each), pooled into
    the same test; ``campaign``: their evidence (``files, accepted, rejected, provenance``)."""
    records = list(records) + list(campaign_records or [])
    profile = _profile_of(records)
    inside, exc, N, delta, delta_min = _test(records, planted, alpha)
    ran = [r for r in records if "losses" in r]
    pw = power(N, delta if delta is not None else 0.1, alpha)
    worst = max(inside, key=lambda r: (measure(r, planted) if planted else r)["max_ratio"], default=None)
    ratios = [(measure(r, planted) if planted else r)["max_ratio"] for r in inside]
    block = {
        "form": "E||y - u_k||^2 <= (1 - alpha)^k ||y - u_0||^2 + B, per initialisation (mean over mask sequences)",
        "constant_profile": EF.PROFILES[profile], "engine": engine_name(),
        "instances": len(records), "ran": len(ran), "inside": len(inside),
        "informative_inside": sum(1 for r in inside if r.get("informative")),
        "inside_runs": N, "exceeding_inside_runs": exc,
        "min_B1_over_L0": min((min(r["B_over_L0"]) for r in inside), default=None),
        "contraction_K": [r["contraction_K"] for r in inside],
        "max_observed_over_envelope": max(ratios) if ratios else None,
        "power": pw, "tightness": tightness(inside),
        "worst_instance": worst["instance"] if worst else None,
        "peak_bytes": max((r.get("peak_bytes") or 0 for r in ran), default=0),
        "records": [_summary(r) for r in records],
        **({"planted": planted} if planted else {}),
        **({"outside_hunt": outside} if outside is not None else {}),
        **({"search": search} if search is not None else {}),
        **({"would_decide": would_decide} if would_decide else {}),
        **({"campaign": campaign} if campaign is not None else {}),
    }
    reg = _regime(records, inside, profile)
    if not inside:
        return V.inconclusive(f"no run inside the statement's hypotheses ({profile} constant profile) fitted this "
                              "verification profile's budget; the evidence says what would decide it",
                              method="envelope: training runs vs (7)-type envelope", evidence={"envelope": block},
                              regime=reg)
    wargs = {"item": item, "instances": [r["instance"] for r in inside if not r.get("campaign")],
             "planted": planted or {}, "alpha": alpha, "max_m": max_m}
    if campaign_records:
        from maskverify.properties.checks.shared.campaign import witness_args

        wargs["campaign"] = witness_args([r for r in inside if r.get("campaign")])
    wit = V.counterexample(item, replay_envelope, wargs, {"failures": exc, "trials": N})
    method = "envelope: training runs inside the hypotheses, Clopper-Pearson over initialisations"
    out = V.probability_le(exc, N, delta, alpha=alpha, witness=wit, method=method, evidence={"envelope": block},
                           regime=reg)
    if out.verdict == V.HOLDS and delta_min < delta:
        # pooled instances with different delta: violated is tested against the largest delta (conservative),
        # holds against the smallest (each initialisation may exceed with probability up to its own delta)
        out = V.probability_le(exc, N, delta_min, alpha=alpha, witness=wit, method=method,
                               evidence={"envelope": block}, regime=reg)
    if out.verdict == V.INCONCLUSIVE and pw["powerless"]:
        out.evidence["reason"] = (f"powerless: {N} inside initialisation(s) cannot reject at delta = {delta:g}, "
                                  f"false-alarm rate {alpha:g} even if all exceed; {pw['runs_needed_to_reject']} "
                                  f"would be needed to reject, {pw['runs_needed_for_holds']} to hold")
    elif out.verdict == V.INCONCLUSIVE:
        out.evidence["reason"] = (f"{exc} of {N} inside initialisations exceeded; {pw['runs_needed_for_holds']} "
                                  f"inside runs with none exceeding would give holds at delta = {delta:g}")
    return out


def normalised_curves(L, env):
    """Report curves: observed loss / L_0 (median, min, max over initialisations) and envelope / L_0 (min, max)."""
    o, e = L / L[:, :1], env / L[:, :1]
    return {"observed_median": np.median(o, 0).tolist(), "observed_min": o.min(0).tolist(),
            "observed_max": o.max(0).tolist(), "envelope_min": e.min(0).tolist(), "envelope_max": e.max(0).tolist()}


def _summary(r):
    keep = ("instance", "m", "eta", "lambda_0", "alpha", "B", "inside", "conditions", "contraction_K", "masks_enter",
            "B_over_L0", "ratio_k", "max_ratio", "exceed", "informative", "peak_bytes", "skipped", "peak_bytes_needed",
            "curves", "L0", "engine", "seqs_used", "alpha_2", "B1_2", "B_2", "R", "max_lhs3_over_R",
            "runs_inside", "q_max", "drift_max", "campaign_file")
    return {k: r[k] for k in keep if k in r}


def _profile_of(records):
    """The constant profile the records were sized under (one per outcome: profiles are never pooled)."""
    names = {(r.get("instance") or {}).get("profile", "reference") for r in records} or {"reference"}
    if len(names) > 1:
        raise ValueError(f"envelope records of several constant profiles pooled: {sorted(names)}")
    return names.pop()


def _regime(records, inside, profile="reference"):
    conds = {}
    for r in (inside or records):
        for k, v in r["conditions"].items():
            conds[k] = conds.get(k, True) and bool(v)
    return {"form": "envelope instances (strategies.envelope_instances)",
            "constant_profile": {"name": EF.PROFILES[profile]},
            "conditions": conds or {"an instance was drawn": False}, "inside": bool(inside)}


# --------------------------------------------------------------------------------------------------
# Hypothesis drives the instances


def search_envelope(ctx, item, *, inside=True, strategy=None, profile="reference"):
    """Draw instances of ``item`` with :func:`strategies.envelope_instances` and run them, with ``target()`` on
    observed/envelope (``search_claim``); every run instance is recorded, and an exceeding one is shrunk
    (``shrunk_exceeding_instance``). Deterministic in the profile. The work budget of the profile caps the
    training (instances beyond it are labelled, not run).
    Returns ``(records, search_evidence)``."""
    from maskverify.properties.framework.search import Observation, search_claim

    b = budget(ctx, item)
    max_m = b["max_m"] if inside else b["hunt_max_m"]
    strat = strategy or envelope_instances(item=item, max_m=max_m, inside=inside, inits=b["inits"] if inside else 1,
                                           seqs=b["seqs"], profile=profile)
    records, seen, spent = [], {}, [0.0]

    def evaluate(inst):
        key = repr(sorted(inst.items()))
        if key not in seen:
            cost = work(inst)
            if inst.get("over_budget") or cost is None or spent[0] + cost > b["max_work"]:
                rec = {"instance": inst, "inside": False, "conditions": {}, "work": cost, "skipped":
                       f"width m = {inst.get('m')} beyond this profile's max_m = {max_m}" if inst.get("over_budget")
                       else f"its work ({cost:.3g} neuron-steps) exceeds what is left of this profile's budget "
                            f"({b['max_work'] - spent[0]:.3g} of {b['max_work']:.3g})" if cost is not None
                       else "no finite width meets the condition"}
            else:
                spent[0] += cost
                rec = run_instance(inst, max_m=max_m)
            seen[key] = rec
            records.append(rec)
        rec = seen[key]
        ok = "losses" in rec and (rec["inside"] or not inside)
        return Observation(ratio=rec.get("max_ratio", -math.inf) if ok else -math.inf, admissible=ok,
                           values={"m": rec.get("m"), "max_ratio": rec.get("max_ratio")})

    n_ex = b["examples"] if inside else b["hunt_examples"]
    # an exceeding instance stops the search and is shrunk (within the same work budget: the evaluations are
    # cached, instances beyond the budget are inadmissible); the verdict still comes from the test over runs
    res = search_claim(strat, evaluate, ctx=ctx, label=f"{item} envelope ratio", tolerance=RTOL, max_examples=n_ex)
    ev = {**res.evidence(), "label": ("inside the hypotheses" if inside else "OUTSIDE the hypotheses (hunt: smallest "
          "m, largest eta)") + f" ({profile} constant profile)", "work_neuron_steps": spent[0], "max_work": b["max_work"], "max_m": max_m,
          "shrunk_exceeding_instance": res.failing_args}
    return records, ev


def hunt_outside(ctx, item):
    """The labelled search outside the regime: where does the envelope shape break first?"""
    records, ev = search_envelope(ctx, item, inside=False)
    ran = [r for r in records if "losses" in r]
    broken = [r for r in ran if r["max_ratio"] > 1 + RTOL]
    first = min(broken, key=lambda r: (-r["instance"]["eta_fraction"], r["m"]), default=None)
    return {"label": "outside the hypotheses: evidence only, never a verdict", "search": ev, "ran": len(ran),
            "broken": len(broken), "max_ratio": max((r["max_ratio"] for r in ran), default=None),
            "first_break": _summary(first) if first else None}


def cannot_fail(outcome, why):
    """A check that cannot fail (a tautology, a well-formedness test) is never the basis of ``holds``: such an
    outcome becomes ``inconclusive`` with the reason, its own computation kept as evidence."""
    if outcome.verdict != V.HOLDS:
        return outcome
    return V.inconclusive(f"this check cannot fail ({why}); it is evidence, not a basis for holds",
                          method=outcome.method, evidence={"unfalsifiable_check_verdict": V.HOLDS, **outcome.evidence},
                          regime=outcome.regime)


# --------------------------------------------------------------------------------------------------
# One envelope item, end to end (memoised: the main ID and its sub-claims share the runs)

_CACHE: dict = {}


def envelope_check(ctx, item, *, would_decide=None):
    """Hypothesis-drawn in-regime instances of ``item`` run and tested (:func:`envelope_outcome`), plus the
    labelled outside hunt in the evidence. Memoised per (profile, seed, alpha, item)."""
    docs = ctx.extras.get("campaign")
    key = (ctx.profile.name, ctx.seed, ctx.alpha, item, bool(ctx.extras.get("hunt")),
           tuple((d.get("file"), d["instance_sha256"], tuple(d["losses"])) for d in docs or ()) if docs is not None
           else None)
    if key not in _CACHE:
        b = budget(ctx, item)
        records, search = search_envelope(ctx, item, inside=True)
        outside = hunt_outside(ctx, item)
        extra, cev = None, None
        if docs is not None:                  # verify --campaign DIR (docs already read strictly)
            from maskverify.properties.checks.shared.campaign import fold

            extra, cev = fold(item, docs)
        by_profile = {}
        for r in extra or []:
            by_profile.setdefault(r["instance"].get("profile", "reference"), []).append(r)
        out = envelope_outcome(item, records, alpha=ctx.alpha, max_m=b["max_m"], outside=outside, search=search,
                               would_decide=would_decide, campaign_records=by_profile.get("reference"),
                               campaign=cev)
        if item in BESIDE_ITEMS:
            out.evidence["beside"] = beside_main_text(ctx, item, b, by_profile.get("main-text"))
        _CACHE[key] = out
    out = _CACHE[key]
    return V.Outcome(out.verdict, out.method, dict(out.evidence), regime=out.regime, confidence=out.confidence,
                     counterexample=out.counterexample, p_value=out.p_value)


#: Items whose reference profile (the appendix's explicit step and width) is far beyond feasible widths, so
#: the main text's unit-constant profile is run beside it: informative about the envelope's shape and the
#: empirical constants, never the verdict (issue 8: "other profiles may be reported beside it, never instead").
BESIDE_ITEMS = ("T-4", "T-5", "T-6", "T-7")


def beside_main_text(ctx, item, b, campaign_records=None):
    """The same search and test under the ``main-text`` constant profile, as evidence only."""
    records, search = search_envelope(ctx, item, inside=True, profile="main-text")
    out = envelope_outcome(item, records, alpha=ctx.alpha, max_m=b["max_m"], search=search,
                           campaign_records=campaign_records)
    return {"profile": EF.PROFILES["main-text"], "role": "evidence only: never the reason for this item's verdict",
            "would_be_verdict": out.verdict, "reason": out.evidence.get("reason"),
            "envelope": out.evidence.get("envelope")}


def with_envelope(envelope, other, *, other_name, other_reason=None):
    """The main ID's verdict is the envelope's (its conclusion); ``other`` (a symbolic or well-formedness
    outcome) can only make it worse: violated if ``other`` is, never holds because of ``other``. An inconclusive
    ``other`` (a proof gap, a check that cannot fail) is recorded beside the envelope verdict, not over it."""
    if other.verdict == V.VIOLATED:
        out = other
        out.evidence = {**out.evidence, "envelope": envelope.evidence.get("envelope"),
                        "envelope_verdict": envelope.verdict,
                        **({"beside": envelope.evidence["beside"]} if "beside" in envelope.evidence else {})}
        return out
    out = envelope
    out.evidence = {**out.evidence, other_name: {"verdict": other.verdict, **({"why_not_a_basis": other_reason}
                                                                             if other_reason else {}),
                                                 "evidence": other.evidence}}
    return out

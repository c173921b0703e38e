"""The verdict contract: one ``Outcome`` per SPEC item, built only from computed evidence.

Every check in ``maskverify.properties`` returns an :class:`Outcome` produced by one of the builders
below; nothing else decides a verdict. The four verdicts (SPEC 0.2):

* ``holds``         -- the computed evidence supports the claim (exact equality, a bound met with margin,
                       a confidence bound on the right side of the claim).
* ``violated``      -- a concrete, replayable instance that satisfies the hypotheses breaks the claim
                       (exactly, or at the declared false-alarm rate for Monte Carlo claims).
* ``inconclusive``  -- computed, but undecided (interval straddles the bound; not enough samples; the work
                       needs machinery that is not in this run).
* ``not-checkable`` -- the claim as printed has no checkable content (only unspecified constants); the
                       evidence says why and which explicit form was tested instead.

A violated outcome always carries a ``counterexample``: ``{"item", "evaluator", "args", "values"}``, where
``evaluator`` is ``"module:function"``; ``evaluator(**args)`` recomputes an :class:`Outcome` with the same
verdict and the same ``values``. ``maskverify replay FILE`` does exactly that, and calls only evaluators
registered with ``@V.evaluator`` (:mod:`maskverify.properties.framework.evaluators`).

Monte Carlo outcomes carry ``p_value``: the p-value of the null hypothesis "the claim holds". The runner
applies a Holm step-down correction across all such outcomes of a run; a ``violated`` whose p-value does not
survive Holm at the family-wise false-alarm rate becomes ``inconclusive``.

A violated outcome also says how serious the failure is (:func:`classify`), one of :data:`SEVERITIES`:

* ``typo``      -- the printed form fails, but an evident corrected reading holds; the corrected form is
                   computed in the same check and stored as ``evidence["corrected"]`` =
                   ``{"form", "verdict": "holds", "evidence"}`` (:func:`corrected`);
* ``proof-gap`` -- a step of a proof fails; the statement it serves is not refuted;
* ``statement`` -- the statement as a mathematical claim fails under its own hypotheses;

with ``consequence`` = ``{"propagates": bool, "to": [IDs], "note"}``: whether the failure reaches a theorem's
conclusion. :func:`severity_rule` is the framework's rule on the final record: a violated record without one
of the three severities, or a ``typo`` without a computed corrected form that holds, is ``unclassified``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from fractions import Fraction

from maskverify.properties.framework import evaluators as _evaluators
from maskverify.properties.framework.evaluators import evaluator as evaluator  # re-export: @V.evaluator

HOLDS, VIOLATED, INCONCLUSIVE, NOT_CHECKABLE = "holds", "violated", "inconclusive", "not-checkable"
VERDICTS = (HOLDS, VIOLATED, INCONCLUSIVE, NOT_CHECKABLE)
TYPO, PROOF_GAP, STATEMENT, UNCLASSIFIED = "typo", "proof-gap", "statement", "unclassified"
#: Severities of a violated item (issue: "how many real errors, how many typos"), least serious first.
SEVERITIES = (TYPO, PROOF_GAP, STATEMENT)
KINDS = ("identity", "bound", "probability-bound", "theorem", "corollary", "constant", "claim", "definition")

#: Relative tolerance for "equal in float64" (issue 2: equality to 1e-12 relative in float64).
FLOAT64_RTOL = 1e-12


@dataclass
class Outcome:
    """What a check computed. ``verdict`` must be one of :data:`VERDICTS`."""

    verdict: str
    method: str
    evidence: dict = field(default_factory=dict)
    regime: dict | None = None
    confidence: dict | None = None
    counterexample: dict | None = None
    p_value: float | None = None
    severity: str | None = None  # one of SEVERITIES, for violated outcomes only (classify)
    consequence: dict | None = None  # {"propagates": bool, "to": [IDs], "note": str}

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {self.verdict!r}")
        if self.verdict == VIOLATED and not self.counterexample:
            # The contract: no violated verdict without a replayable instance.
            self.verdict = INCONCLUSIVE
            self.evidence = {**self.evidence, "note": "a violation was computed but no replayable "
                             "counterexample was attached; reported as inconclusive"}

    def to_json(self):
        return jsonable(asdict(self))


# --------------------------------------------------------------------------------------------------
# JSON helpers


def jsonable(obj):
    """Convert numpy / torch scalars and arrays, Fractions and sympy numbers into JSON-safe values.

    Fractions become ``"p/q"`` strings (exact); non-finite floats become the strings "inf", "-inf", "nan".
    """
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, int):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else str(obj)
    if isinstance(obj, Fraction):
        return str(obj)
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    tolist = getattr(obj, "tolist", None)
    if callable(tolist):  # numpy arrays / scalars, torch tensors
        return jsonable(tolist())
    if hasattr(obj, "is_Rational") and getattr(obj, "is_Rational", False):  # sympy Rational
        return str(obj)
    if hasattr(obj, "evalf"):  # other sympy numbers
        try:
            return jsonable(float(obj))
        except TypeError:
            return str(obj)
    return str(obj)


def counterexample(item, evaluator, args, values):
    """Build the counterexample record. ``evaluator`` is a module-level function registered with
    :func:`evaluator` (``@V.evaluator``), so that ``maskverify replay`` may call it; ``args`` JSON-able.

    Raises ``TypeError`` for an unregistered evaluator: a programming error, caught by the tests."""
    if not _evaluators.is_registered(evaluator):
        raise TypeError(f"{_evaluators.name_of(evaluator)} is not a registered evaluator: decorate it with "
                        "@verdicts.evaluator (properties/framework/evaluators.py)")
    name = _evaluators.name_of(evaluator)
    return {"item": item, "evaluator": name, "args": jsonable(args), "values": jsonable(values)}


def corrected(form, outcome):
    """The computed verdict of a corrected reading ``form`` (a string naming it), from its ``Outcome``."""
    return {"form": form, "verdict": outcome.verdict, "method": outcome.method,
            "evidence": jsonable(outcome.evidence)}


def classify(out, severity, consequence=None, *, to=(), corrected_form=None):
    """Attach a severity to ``out`` when it is violated (a no-op otherwise) and return ``out``.

    ``severity``: one of :data:`SEVERITIES`. ``corrected_form``: the dict of :func:`corrected`, stored as
    ``evidence["corrected"]``; a ``typo`` needs one whose verdict is ``holds``, else :func:`severity_rule`
    makes it ``unclassified``. ``consequence``: a note on whether the failure reaches a theorem's
    conclusion; ``to`` names the IDs it reaches (empty: it does not propagate).
    """
    if corrected_form is not None:
        out.evidence = {**out.evidence, "corrected": corrected_form}
    if out.verdict != VIOLATED:
        return out
    out.severity = severity
    out.consequence = {"propagates": bool(to), "to": list(to), "note": consequence or ""}
    out.severity = severity_rule(out.verdict, out.severity, out.evidence)
    return out


def _corrected_holds(c):
    return isinstance(c, dict) and c.get("verdict") == HOLDS and "form" in c


def severity_rule(verdict, severity, evidence):
    """The framework's rule: the severity a record of ``verdict`` may carry.

    Not violated: None. Violated: ``severity`` if it is one of :data:`SEVERITIES` (a ``typo`` only with a
    computed ``evidence["corrected"]`` that holds), else ``"unclassified"``.
    """
    if verdict != VIOLATED:
        return None
    if severity not in SEVERITIES:
        return UNCLASSIFIED
    if severity == TYPO and not _corrected_holds((evidence or {}).get("corrected")):
        return UNCLASSIFIED
    return severity


def worst_severity(severities):
    """Severity of a conjunction of violated parts: ``unclassified`` first (it must be seen), then
    statement, proof-gap, typo."""
    for s in (UNCLASSIFIED, STATEMENT, PROOF_GAP, TYPO):
        if s in severities:
            return s
    return UNCLASSIFIED


def relative_error(lhs, rhs):
    """|lhs - rhs| / max(|lhs|, |rhs|, tiny): the float64 comparison used for identities."""
    scale = max(abs(float(lhs)), abs(float(rhs)), 1e-300)
    return abs(float(lhs) - float(rhs)) / scale


# --------------------------------------------------------------------------------------------------
# Builders


def not_checkable(reason, *, tested_instead=None, method="none"):
    ev = {"reason": reason}
    if tested_instead:
        ev["tested_instead"] = tested_instead
    return Outcome(NOT_CHECKABLE, method, ev)


def inconclusive(reason, *, method="none", evidence=None, regime=None):
    return Outcome(INCONCLUSIVE, method, {"reason": reason, **(evidence or {})}, regime=regime)


def from_cases(cases, *, method, covered, regime=None, evidence=None, confidence=None):
    """Verdict of a universal claim checked case by case.

    ``cases``: iterable of ``(ok, margin, witness)`` where ``ok`` is True/False/None (None: undecided,
    e.g. within tolerance of the boundary), ``margin`` a float (how far inside the claim; negative means
    violated), ``witness`` a counterexample dict (built with :func:`counterexample`) used when ``ok`` is
    False. The first False case (in the given order; order cases smallest-first so the witness is the
    smallest found) makes the verdict ``violated``.
    """
    n = n_ok = n_undecided = n_bad = 0
    worst = math.inf
    first_bad = None
    for ok, margin, witness in cases:
        n += 1
        if margin is not None and math.isfinite(float(margin)):
            worst = min(worst, float(margin))
        if ok is True:
            n_ok += 1
        elif ok is None:
            n_undecided += 1
        else:
            n_bad += 1
            if first_bad is None:
                first_bad = witness
    ev = {"covered": covered, "cases": n, "cases_ok": n_ok, "cases_undecided": n_undecided,
          "min_margin": None if worst == math.inf else worst, **(evidence or {})}
    if n_bad:
        # Without a witness the Outcome contract turns this into "inconclusive" with a note: a failing case
        # is never silently dropped.
        return Outcome(VIOLATED, method, {**ev, "cases_violated": n_bad}, regime=regime,
                       confidence=confidence, counterexample=first_bad)
    if n == 0:
        return Outcome(INCONCLUSIVE, method, {**ev, "reason": "no admissible case was generated"},
                       regime=regime, confidence=confidence)
    if n_undecided:
        return Outcome(INCONCLUSIVE, method, {**ev, "reason": "some cases lie within numerical tolerance "
                                                              "of the boundary"},
                       regime=regime, confidence=confidence)
    return Outcome(HOLDS, method, ev, regime=regime, confidence=confidence)


def exact_equal(lhs, rhs):
    """Exact comparison for Fractions / ints / sympy Rationals; returns (ok, margin)."""
    ok = lhs == rhs
    return ok, (0.0 if ok else -abs(float(lhs) - float(rhs)))


def float_equal(lhs, rhs, rtol=FLOAT64_RTOL):
    """Float comparison to relative tolerance; returns (ok, margin = rtol - relative error)."""
    err = relative_error(lhs, rhs)
    return err <= rtol, rtol - err


def bound_le(lhs, rhs, rtol=FLOAT64_RTOL):
    """Check lhs <= rhs in floating point. Returns (ok, margin); ok is None only for NaN.

    ``margin`` is the relative slack (rhs - lhs) / max(|lhs|, |rhs|, tiny). An excess of at most ``rtol``
    relative counts as holding: where the claim is an equality case (e.g. p = 1 in a convexity bound) the
    two sides agree mathematically and differ only by float64 rounding. The margin is reported either way.
    """
    lhs, rhs = float(lhs), float(rhs)
    if math.isnan(lhs) or math.isnan(rhs):
        return None, None
    scale = max(abs(rhs), abs(lhs), 1e-300)
    slack = (rhs - lhs) / scale
    return bool(lhs <= rhs or slack >= -rtol), slack


def combine(outcomes, *, method="combined"):
    """Verdict of a claim made of parts: violated if any part is, else inconclusive if any part is, else
    holds if any part holds, else not-checkable. The first violated part's counterexample is kept.

    Monte Carlo parts keep their weight in the runner's Holm correction: the combined p-value is the
    Bonferroni-adjusted smallest part p-value (k parts with p-values: min(1, k * p)). An exact violation
    carries no p-value, so no multiple-testing correction can turn it into "inconclusive".
    """
    outcomes = list(outcomes)
    verdicts = [o.verdict for o in outcomes]
    parts = [{"verdict": o.verdict, "method": o.method} for o in outcomes]
    ps = [o.p_value for o in outcomes if o.p_value is not None]

    def bonferroni(p):
        return None if p is None else min(1.0, len(ps) * p)

    bad = [o for o in outcomes if o.verdict == VIOLATED]
    for o in bad[:1]:
        # The item is as serious as its most serious violated part (unclassified parts stay visible); a typo
        # only if every violated part is one, each with its corrected form.
        severity = worst_severity([b.severity or UNCLASSIFIED for b in bad])
        ev = {"parts": parts, **o.evidence}
        if severity == TYPO and len(bad) > 1:
            ev["corrected"] = {"form": "each violated part's corrected form",
                               "verdict": HOLDS if all(_corrected_holds(b.evidence.get("corrected")) for b in bad)
                               else INCONCLUSIVE, "evidence": [b.evidence.get("corrected") for b in bad]}
        return Outcome(VIOLATED, method, ev, regime=o.regime, confidence=o.confidence,
                       counterexample=o.counterexample, p_value=bonferroni(o.p_value), severity=severity,
                       consequence=o.consequence)
    p_value = bonferroni(min(ps)) if ps else None
    if INCONCLUSIVE in verdicts:
        return Outcome(INCONCLUSIVE, method, {"parts": parts}, p_value=p_value)
    if HOLDS in verdicts:
        return Outcome(HOLDS, method, {"parts": parts}, p_value=p_value)
    return Outcome(NOT_CHECKABLE, method, {"parts": parts, "reason": "no part is checkable"})


# --------------------------------------------------------------------------------------------------
# Statistical builders (Monte Carlo claims)


def mean_le_bound(samples, bound, *, alpha, value_range=None, method="monte-carlo", evidence=None,
                  regime=None, witness=None):
    """Claim ``E[X] <= bound`` from i.i.d. samples of X, at false-alarm rate ``alpha``.

    Confidence interval: Hoeffding when ``value_range=(lo, hi)`` is known (X bounded), else a Student-t
    interval (stated as approximate in the evidence). violated: the lower one-sided bound exceeds
    ``bound`` (needs ``witness``: a counterexample whose evaluator re-runs this Monte Carlo with the same
    seed); holds: the upper one-sided bound is at most ``bound``; otherwise inconclusive.
    """
    import numpy as np
    from scipy import stats

    x = np.asarray(samples, dtype=float)
    n = x.size
    mean = float(x.mean()) if n else math.nan
    if value_range is not None:
        lo, hi = value_range
        half = (hi - lo) * math.sqrt(math.log(1.0 / alpha) / (2.0 * n))
        interval = "hoeffding"
        p_value = math.exp(-2.0 * n * max(mean - bound, 0.0) ** 2 / (hi - lo) ** 2) if mean > bound else 1.0
    else:
        sd = float(x.std(ddof=1)) if n > 1 else math.inf
        half = float(stats.t.ppf(1 - alpha, max(n - 1, 1)) * sd / math.sqrt(n)) if n > 1 else math.inf
        interval = "student-t (approximate)"
        if n > 1 and sd > 0:
            p_value = float(stats.t.sf((mean - bound) / (sd / math.sqrt(n)), n - 1))
        else:
            p_value = 0.0 if (n > 1 and mean > bound) else 1.0
    lower, upper = mean - half, mean + half
    conf = {"false_alarm_rate": alpha, "interval": interval, "samples": n, "mean": mean,
            "lower": lower, "upper": upper, "bound": float(bound)}
    ev = {"mean": mean, "bound": float(bound), "ratio_mean_to_bound": _ratio(mean, bound), **(evidence or {})}
    if lower > bound:
        return Outcome(VIOLATED, method, ev, regime=regime, confidence=conf, counterexample=witness,
                       p_value=p_value)
    if upper <= bound:
        return Outcome(HOLDS, method, ev, regime=regime, confidence=conf, p_value=p_value)
    return Outcome(INCONCLUSIVE, method, {**ev, "reason": "the confidence interval contains the bound; "
                                          "more samples would decide"}, regime=regime, confidence=conf,
                   p_value=p_value)


def mean_equals(samples, target, *, alpha, value_range=None, rel_width=0.05, method="monte-carlo",
                evidence=None, regime=None, witness=None):
    """Claim ``E[X] == target`` from samples (two-sided interval at ``alpha``).

    violated: the interval excludes ``target``; holds: the interval contains ``target`` and is narrow
    (half-width <= ``rel_width`` * max(|target|, interval scale)); otherwise inconclusive.
    """
    import numpy as np
    from scipy import stats

    x = np.asarray(samples, dtype=float)
    n = x.size
    mean = float(x.mean())
    if value_range is not None:
        lo, hi = value_range
        half = (hi - lo) * math.sqrt(math.log(2.0 / alpha) / (2.0 * n))
        interval = "hoeffding"
        dev = abs(mean - target)
        p_value = min(1.0, 2.0 * math.exp(-2.0 * n * dev**2 / (hi - lo) ** 2))
    else:
        sd = float(x.std(ddof=1))
        se = sd / math.sqrt(n)
        half = float(stats.t.ppf(1 - alpha / 2, n - 1) * se)
        interval = "student-t (approximate)"
        p_value = float(2 * stats.t.sf(abs(mean - target) / se, n - 1)) if se > 0 else float(mean != target)
    conf = {"false_alarm_rate": alpha, "interval": interval, "samples": n, "mean": mean,
            "lower": mean - half, "upper": mean + half, "target": float(target)}
    ev = {"mean": mean, "target": float(target), **(evidence or {})}
    if abs(mean - target) > half:
        return Outcome(VIOLATED, method, ev, regime=regime, confidence=conf, counterexample=witness,
                       p_value=p_value)
    scale = max(abs(float(target)), 1e-12)
    if half <= rel_width * scale:
        return Outcome(HOLDS, method, ev, regime=regime, confidence=conf, p_value=p_value)
    return Outcome(INCONCLUSIVE, method, {**ev, "reason": f"interval half-width {half:.3g} exceeds "
                                          f"{rel_width:g} x |target|; more samples would decide"},
                   regime=regime, confidence=conf, p_value=p_value)


def probability_le(failures, trials, delta, *, alpha, method="monte-carlo", evidence=None, regime=None,
                   witness=None):
    """Claim ``P(event fails) <= delta`` ("with probability at least 1 - delta") from failure counts.

    One-sided Clopper-Pearson bounds at ``alpha``. violated: the lower bound exceeds delta; holds: the upper
    bound is at most delta; otherwise inconclusive.
    """
    from scipy import stats

    res = stats.binomtest(int(failures), int(trials), float(delta), alternative="greater")
    lower = res.proportion_ci(confidence_level=1 - alpha, method="exact").low
    upper = stats.binomtest(int(failures), int(trials), float(delta), alternative="less") \
        .proportion_ci(confidence_level=1 - alpha, method="exact").high
    conf = {"false_alarm_rate": alpha, "interval": "clopper-pearson (one-sided)", "failures": int(failures),
            "trials": int(trials), "lower": lower, "upper": upper, "delta": float(delta)}
    ev = {"failure_rate": failures / trials if trials else None, "delta": float(delta), **(evidence or {})}
    if lower > delta:
        return Outcome(VIOLATED, method, ev, regime=regime, confidence=conf, counterexample=witness,
                       p_value=float(res.pvalue))
    if upper <= delta:
        return Outcome(HOLDS, method, ev, regime=regime, confidence=conf, p_value=float(res.pvalue))
    return Outcome(INCONCLUSIVE, method, {**ev, "reason": "the Clopper-Pearson interval contains delta; "
                                          "more trials would decide"}, regime=regime, confidence=conf,
                   p_value=float(res.pvalue))


def holm(p_values, alpha):
    """Holm step-down: returns a list of booleans (rejected) aligned with ``p_values`` and the thresholds."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    m = len(p_values)
    rejected = [False] * m
    thresholds = [None] * m
    for rank, i in enumerate(order):
        thr = alpha / (m - rank)
        thresholds[i] = thr
        if p_values[i] <= thr:
            rejected[i] = True
        else:
            for j in order[rank:]:
                thresholds[j] = alpha / (m - order.index(j))
            break
    return rejected, thresholds


def _ratio(a, b):
    try:
        return float(a) / float(b) if float(b) != 0 else None
    except (TypeError, ValueError, ZeroDivisionError):
        return None

"""Guided counterexample search with Hypothesis, as a function a check can call.

:func:`search_claim` runs ``evaluate`` on examples drawn from ``strategy``; ``evaluate`` returns an
:class:`Observation` (the ratio observed/bound, whether the instance satisfies the statement's hypotheses, and
the values to report). Hypothesis maximises the ratio with ``target()`` and, when an admissible example breaks
the claim (ratio > 1 beyond tolerance), shrinks it to a minimal one. Returns a :class:`SearchResult`.

The search is deterministic in the ci/dev/nightly profiles (derandomized, no database); ``maskverify hunt``
sets ``ctx.extras["hunt"] = True``, which turns derandomization off so repeated hunts explore new examples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from hypothesis import given, target
from hypothesis.errors import HypothesisException

from maskverify.properties.framework.profiles import search_settings


@dataclass
class Observation:
    """One evaluated example. ``ratio`` = lhs / rhs for a claim ``lhs <= rhs`` (> 1 means broken)."""

    ratio: float
    admissible: bool = True
    values: dict = field(default_factory=dict)


@dataclass
class SearchResult:
    examples: int = 0
    admissible: int = 0
    max_ratio: float = -math.inf
    max_ratio_values: dict | None = None
    failing_args: object = None
    failing_values: dict | None = None

    def evidence(self):
        return {"examples": self.examples, "admissible_examples": self.admissible,
                "max_ratio_observed_to_bound": None if self.max_ratio == -math.inf else self.max_ratio,
                "max_ratio_values": self.max_ratio_values}


class _Broken(AssertionError):
    pass


def search_claim(strategy, evaluate, *, ctx, label, tolerance=1e-9, max_examples=None):
    """Search for an admissible example with ratio > 1 + tolerance; shrink it if found.

    Args:
      strategy: a Hypothesis strategy producing JSON-able args (dicts of numbers / lists).
      evaluate: ``args -> Observation``.
      ctx: the check's Context (profile sizes; ``extras["hunt"]`` for exploratory hunting).
      label: the ``target()`` label (e.g. "L-10 ratio").
    """
    res = SearchResult()
    hunting = bool(ctx.extras.get("hunt"))
    overrides = {"derandomize": not hunting}
    if max_examples is not None:
        overrides["max_examples"] = max_examples
    if hunting:
        overrides["max_examples"] = max(ctx.profile.max_examples, 1000)

    @search_settings(ctx.profile, **overrides)
    @given(strategy)
    def run(args):
        obs = evaluate(args)
        res.examples += 1
        if not obs.admissible:
            return
        res.admissible += 1
        ratio = float(obs.ratio)
        if math.isfinite(ratio):
            target(ratio, label=label)
        if ratio > res.max_ratio:
            res.max_ratio, res.max_ratio_values = ratio, obs.values
        if ratio > 1.0 + tolerance:
            # Hypothesis replays the shrunk example last, so the final assignment is the minimal one.
            res.failing_args, res.failing_values = args, obs.values
            raise _Broken(label)

    try:
        run()
    except _Broken:
        pass
    except HypothesisException as exc:  # e.g. Unsatisfiable: report, do not crash the run
        res.max_ratio_values = {**(res.max_ratio_values or {}), "search_error": type(exc).__name__}
    return res

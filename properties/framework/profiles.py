"""Run profiles: Hypothesis settings and the sizes each check may afford.

``ci`` extends Hypothesis' built-in ``ci`` profile (loaded automatically when ``CI`` is set) and is the
default of ``make verify`` and of CI; ``dev`` searches deeper; ``nightly`` searches deepest and lets
``hypothesis.target`` guide the search (its effect needs about a thousand examples).

Checks read sizes from :class:`Profile`, never from literals of their own, so one switch scales the suite.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, settings

PROFILE_NAMES = ("ci", "dev", "nightly")


@dataclass(frozen=True)
class Profile:
    """Sizes for one depth of verification.

    Attributes:
      name: profile name.
      max_examples: Hypothesis examples per searched claim.
      mc_samples: Monte Carlo samples for an expectation or probability claim.
      trials: independent initializations (W0, a) for full-run claims.
      max_m: widest network a generic check builds.
      enum_pm: largest p*m for exhaustive Bernoulli mask enumeration (2^(p m) patterns).
      p_max: largest p for closed-form Bin(p, xi) checks.
      xi_step: the xi grid step for closed-form mask checks, as a denominator (100 -> step 0.01).
      family_alpha: family-wise false-alarm rate across all Monte Carlo verdicts of a run (Holm).
    """

    name: str
    max_examples: int
    mc_samples: int
    trials: int
    max_m: int
    enum_pm: int
    p_max: int
    xi_step: int
    family_alpha: float = 0.01


PROFILES = {
    "ci": Profile("ci", max_examples=25, mc_samples=2000, trials=8, max_m=256, enum_pm=12, p_max=30,
                  xi_step=100),
    "dev": Profile("dev", max_examples=100, mc_samples=10000, trials=24, max_m=2048, enum_pm=16, p_max=60,
                   xi_step=100),
    "nightly": Profile("nightly", max_examples=1000, mc_samples=50000, trials=64, max_m=16384, enum_pm=20,
                       p_max=100, xi_step=200),
}


def _register_hypothesis_profiles():
    base_ci = settings.get_profile("ci")  # the built-in one: derandomize, no database, print_blob
    settings.register_profile("ci", base_ci, max_examples=PROFILES["ci"].max_examples,
                              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    settings.register_profile("dev", max_examples=PROFILES["dev"].max_examples, deadline=None,
                              derandomize=True, database=None, print_blob=True,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile("nightly", max_examples=PROFILES["nightly"].max_examples, deadline=None,
                              derandomize=False, print_blob=True,
                              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


_register_hypothesis_profiles()


def get(name):
    from maskverify.errors import invalid

    if name not in PROFILES:
        raise invalid("profile", "maskverify verify", f"one of {', '.join(PROFILE_NAMES)}", name)
    return PROFILES[name]


def search_settings(profile, **overrides):
    """Hypothesis settings for a search inside a verdict: deterministic (derandomized, no database), so
    the same profile and seed give the same verdict. ``maskverify hunt`` overrides ``derandomize``."""
    base = settings.get_profile(profile.name)
    kw = dict(deadline=None, database=None, max_examples=profile.max_examples,
              derandomize=True, print_blob=False,
              suppress_health_check=list(HealthCheck))
    kw.update(overrides)
    return settings(base, **kw)

"""Shared test configuration: Hypothesis profile from HYPOTHESIS_PROFILE (ci when CI is set), float64."""

import os

from hypothesis import settings

import maskverify.properties.framework.profiles  # noqa: F401  (registers the ci/dev/nightly Hypothesis profiles)

settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

"""Named exceptions of maskverify. This module imports nothing, so every layer may use it.

Messages follow scikit-learn's shape: "The 'xi' parameter of train_masked must be a float in the range
(0.0, 1.0]. Got 1.5 instead." The CLI turns any MaskverifyError into one line on stderr and exit code 2.
"""


class MaskverifyError(Exception):
    """Base class: an error the user can fix; the CLI prints it as one line and exits 2."""


class InvalidParameterError(MaskverifyError, ValueError):
    """A parameter is outside its allowed range or has the wrong type or shape."""


class OutsideHypothesesError(MaskverifyError):
    """An instance is outside the hypotheses of a statement that was asked to hold there."""


class InstanceFileError(MaskverifyError):
    """An input file -- instance or data (.npz/.csv), counterexample, verdicts.json or lockfile (.json) -- is
    missing, unreadable, malformed, or refused (a counterexample naming an unregistered evaluator)."""


class OutputPathError(MaskverifyError):
    """An output directory or file cannot be created or written."""


class SchedulerError(MaskverifyError):
    """A Dask scheduler was requested but cannot be used (not installed, unreachable, bad address)."""


class DistributedRunError(MaskverifyError):
    """A sharded run could not start or did not finish (busy port, a rank that failed or died)."""


class DeviceUnavailableError(MaskverifyError):
    """A device (e.g. cuda) was requested but is not available on this machine."""


def invalid(name, owner, expectation, got):
    """Build the standard message: The 'name' parameter of owner must be expectation. Got got instead."""
    return InvalidParameterError(f"The '{name}' parameter of {owner} must be {expectation}. Got {got!r} instead.")

"""The evaluator registry: the only functions ``maskverify replay`` may call.

A counterexample names its evaluator as ``"module:qualname"`` and stores the arguments; a file that could
name *any* function (``os:system``) would run any code on the machine of whoever replays it. So an evaluator
is registered where it is defined, with :func:`evaluator`::

    @V.evaluator                       # V = maskverify.properties.framework.verdicts (it re-exports it)
    def replay_L28b(p, m, xi):
        ...
        return V.from_cases([(ok, margin, V.counterexample("L-28(b)", replay_L28b, args, values))], ...)

:func:`maskverify.properties.framework.verdicts.counterexample` refuses (``TypeError``, a programming error)
an evaluator that is not registered, and replay looks a file's name up here, after importing maskverify's own
check modules (:func:`maskverify.properties.framework.registry.load_all`), never by importing the name.
"""

from __future__ import annotations

import re

#: What a registered name looks like: dotted module path, a colon, a dotted qualified name.
NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")

_EVALUATORS: dict = {}


def name_of(fn):
    """``"module:qualname"`` of ``fn``: the name a counterexample file stores."""
    return f"{fn.__module__}:{fn.__qualname__}"


def evaluator(fn):
    """Decorator: register ``fn`` (a module-level function) as a counterexample evaluator; returns ``fn``.

    Only a registered evaluator can appear in a counterexample, and only a registered one is ever called
    by ``maskverify replay``. Re-registering the same name (a module reload) replaces the entry."""
    name = name_of(fn)
    if not callable(fn) or not NAME_RE.fullmatch(name):
        raise TypeError(f"an evaluator must be a module-level function, not {name!r}")
    _EVALUATORS[name] = fn
    return fn


def is_registered(fn):
    """True when ``fn`` (a function) is the registered evaluator of its name."""
    return _EVALUATORS.get(name_of(fn)) is fn


def lookup(name):
    """The registered evaluator called ``name``, or None. Imports nothing."""
    return _EVALUATORS.get(name) if isinstance(name, str) else None


def registered():
    """A copy of the registry: name -> function."""
    return dict(sorted(_EVALUATORS.items()))

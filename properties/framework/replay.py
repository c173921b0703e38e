"""Replay a counterexample: re-evaluate it and compare verdict and values with the stored ones.

A counterexample is ``{"item", "evaluator": "module:function", "args": {...}, "values": {...}}``
(see :mod:`maskverify.properties.framework.verdicts`). Accepted files: the counterexample itself, one item record of
``verdicts.json`` (with a ``counterexample`` key), or a whole ``verdicts.json`` together with an item ID.

A counterexample file may come from anyone, so replaying one must never run code the file chooses:

* the file is parsed strictly before anything else (:func:`~maskverify.properties.framework.jsonfile.read_json`:
  bounded size and nesting, JSON without ``NaN``/``Infinity``), only the keys of :data:`CX_KEYS`, arguments a
  mapping from identifiers to plain JSON (numbers, strings, lists, mappings) with bounded lists, strings and
  integers; rationals are ``"p/q"`` strings, parsed by the evaluator with ``fractions.Fraction``;
* the evaluator must be one that maskverify registered with ``@V.evaluator``
  (:mod:`maskverify.properties.framework.evaluators`): replay imports maskverify's own check modules and looks
  the name up, it never imports the name; anything else is refused (:class:`InstanceFileError`, exit 2);
* the arguments must bind to the evaluator's signature, and while it runs sympy may not parse strings
  (``sympify("...")`` runs ``eval``; :func:`no_string_parsing`), so no string of a file reaches ``eval``.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import math
import re

from maskverify.errors import InstanceFileError
from maskverify.properties.framework.jsonfile import MAX_FILE_BYTES, read_json

#: Stored and replayed values must agree to this relative tolerance (same seed, same device: the numbers
#: are normally bit-identical; the tolerance only absorbs JSON float formatting).
REPLAY_RTOL = 1e-9

#: Bounds on what a replayed file may hold (the file itself: :mod:`maskverify.properties.framework.jsonfile`;
#: the largest counterexample of a ci run is about 8 kB; a nightly mask list has p * m <= 30 * 16384 entries).
MAX_ARGS_DEPTH = 16       # nesting inside a counterexample's args / values
MAX_LIST = 100_000        # entries of one list inside args / values
MAX_LEAVES = 1_000_000    # numbers and strings inside args / values together
MAX_STR = 1_000           # characters of one string inside args / values
MAX_INT = 2**64           # |integer| inside args / values (seeds are < 2^63)
#: The keys a counterexample may have (``via``: the sub-claim whose witness a main item reuses).
CX_KEYS = frozenset({"item", "evaluator", "args", "values", "replay_confirmed", "via"})
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
#: A decimal exponent longer than 4 digits ("1e99999999") would make Fraction() build a huge integer.
_HUGE_EXPONENT = re.compile(r"[0-9.][eE][-+]?[0-9]{5}")


def _refuse(where, what):
    raise InstanceFileError(f"{where}: {what}; refused (replay accepts only counterexamples written by "
                            "maskverify)")


def _check_plain(x, where, name, max_str=MAX_STR):
    """``x`` is plain, bounded JSON: numbers, short strings, bounded lists and mappings with string keys."""
    leaves, stack = 0, [(x, 0, name)]
    while stack:
        v, d, path = stack.pop()
        if d > MAX_ARGS_DEPTH:
            _refuse(where, f"{path} is nested deeper than {MAX_ARGS_DEPTH} levels")
        if isinstance(v, dict):
            if len(v) > MAX_LIST:
                _refuse(where, f"{path} has more than {MAX_LIST} keys")
            for k, w in v.items():
                if not isinstance(k, str) or len(k) > MAX_STR:
                    _refuse(where, f"{path} has a key that is not a short string")
                stack.append((w, d + 1, f"{path}.{k[:20]}"))
        elif isinstance(v, list):
            if len(v) > MAX_LIST:
                _refuse(where, f"{path} is a list of {len(v)} entries (at most {MAX_LIST})")
            stack.extend((w, d + 1, f"{path}[]") for w in v)
        else:
            leaves += 1
            if leaves > MAX_LEAVES:
                _refuse(where, f"{name} holds more than {MAX_LEAVES} numbers and strings")
            if isinstance(v, str):
                if len(v) > max_str or (max_str == MAX_STR and (not v.isprintable() or _HUGE_EXPONENT.search(v))):
                    _refuse(where, f"{path} holds a string that is too long or not a plain value")
            elif isinstance(v, bool) or v is None:
                pass
            elif isinstance(v, int):
                if abs(v) >= MAX_INT:
                    _refuse(where, f"{path} holds an integer beyond 2^64")
            elif isinstance(v, float):
                if not math.isfinite(v):
                    _refuse(where, f"{path} holds a non-finite number")
            else:
                _refuse(where, f"{path} holds a {type(v).__name__}, not plain JSON")


def check_counterexample(cx, where="counterexample"):
    """Validate a counterexample dict strictly (keys, evaluator name, plain bounded args and values) and
    return it; raises :class:`InstanceFileError`. Imports nothing and calls nothing."""
    from maskverify.properties.framework.evaluators import NAME_RE

    if not isinstance(cx, dict):
        _refuse(where, "not a counterexample (a JSON object with 'evaluator' and 'args')")
    if not {"evaluator", "args"} <= set(cx):
        raise InstanceFileError(f"{where} is not a counterexample (needs 'evaluator' and 'args')")
    extra = sorted(str(k)[:40] for k in set(cx) - CX_KEYS)
    if extra:
        _refuse(where, f"unknown key(s) {', '.join(map(repr, extra))} in the counterexample")
    name = cx["evaluator"]
    if not isinstance(name, str) or len(name) > 200 or not NAME_RE.fullmatch(name):
        _refuse(where, "'evaluator' is not a name of the form 'module:function'")
    args = cx["args"]
    if not isinstance(args, dict):
        _refuse(where, f"'args' is a {type(args).__name__}, not a mapping of argument names to values")
    bad = [k for k in args if not _IDENT.fullmatch(k)]
    if bad:
        _refuse(where, f"'args' has a key that is not an argument name: {bad[0][:40]!r}")
    _check_plain(args, where, "args")
    if cx.get("values") is not None:
        _check_plain(cx["values"], where, "values", max_str=MAX_FILE_BYTES)  # compared, never evaluated
    for key in ("item", "via"):
        if cx.get(key) is not None and (not isinstance(cx[key], str) or len(cx[key]) > 40):
            _refuse(where, f"'{key}' is not an item ID")
    if not isinstance(cx.get("replay_confirmed", False), bool):
        _refuse(where, "'replay_confirmed' is not true/false")
    return cx


def resolve_evaluator(name, where="counterexample"):
    """The evaluator registered as ``name``; raises :class:`InstanceFileError` for any other name.

    Imports only maskverify's own check modules (so their ``@V.evaluator`` decorators run), never ``name``."""
    from maskverify.properties.framework import evaluators, registry

    fn = evaluators.lookup(name)
    if fn is None:
        registry.load_all()
        fn = evaluators.lookup(name)
    if fn is None:
        shown = name[:80] if isinstance(name, str) else type(name).__name__
        _refuse(where, f"evaluator {shown!r} is not one that maskverify registered")
    return fn


def load_counterexample(path, item=None):
    """Read ``path`` strictly and return its counterexample (validated, evaluator registered)."""
    doc = read_json(path, "counterexample file")
    if isinstance(doc, dict) and "items" in doc:
        items = doc["items"]
        if not isinstance(items, list) or not all(isinstance(r, dict) for r in items):
            _refuse(path, "'items' is not a list of item records")
        cands = [r for r in items if r.get("counterexample") and (item is None or r.get("id") == item)]
        if not cands:
            what = f"item {item}" if item else "any item"
            raise InstanceFileError(f"{path} holds no counterexample for {what}")
        if len(cands) > 1 and item is None:
            ids = ", ".join(str(r.get("id"))[:40] for r in cands)
            raise InstanceFileError(f"{path} holds several counterexamples ({ids}); choose one with --item")
        doc = cands[0]
    if isinstance(doc, dict) and "counterexample" in doc and "evaluator" not in doc:
        doc = doc["counterexample"]
    if not isinstance(doc, dict) or not {"evaluator", "args"} <= set(doc):
        raise InstanceFileError(f"{path} is not a counterexample (needs 'evaluator' and 'args')")
    check_counterexample(doc, str(path))
    resolve_evaluator(doc["evaluator"], str(path))
    return doc


#: Strings sympy may still parse while a counterexample is evaluated: plain decimal numbers, "p/q", and a
#: lone name (sympy's own lazy imports sympify names such as 'yotta'; a name alone is never called).
_SAFE_LITERAL = re.compile(r"\s*([-+]?(\d{1,400}(\s*/\s*\d{1,400})?|\d{0,400}\.\d{0,400}([eE][-+]?\d{1,4})?)"
                           r"|[A-Za-z][A-Za-z0-9_]{0,63})\s*")


@contextlib.contextmanager
def no_string_parsing():
    """While active, sympy refuses to parse any string but a number, "p/q" or a name (``sympify(str)`` and
    everything that calls it, such as ``Rational([...])`` or ``expr.subs(x, str)``, end in ``eval``).

    Defense in depth for replays: evaluators take rationals as "p/q" strings through ``fractions.Fraction``,
    never through sympy's parser, so a string smuggled into an argument cannot reach ``eval``."""
    try:
        from sympy.core.sympify import SympifyError
        from sympy.parsing import sympy_parser
    except ImportError:  # sympy is a dependency; without it nothing can parse strings either
        yield
        return
    real = sympy_parser.parse_expr

    def refuse(s, *args, **kwargs):
        if isinstance(s, str) and _SAFE_LITERAL.fullmatch(s):
            return real(s, *args, **kwargs)
        raise SympifyError(f"replay: sympy may not parse the string {str(s)[:40]!r}")

    sympy_parser.parse_expr = refuse
    try:
        yield
    finally:
        sympy_parser.parse_expr = real


def _close(a, b):
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        if math.isnan(a) and math.isnan(b):
            return True
        return a == b or abs(a - b) <= REPLAY_RTOL * max(abs(a), abs(b))
    return a == b


def _refused(cx, message):
    return {"reproduced": False, "refused": True, "verdict": None, "values": None,
            "stored_values": cx.get("values") if isinstance(cx, dict) else None, "message": message,
            "item": cx.get("item") if isinstance(cx, dict) else None}


def replay_counterexample(cx):
    """Re-run ``cx``; returns {"reproduced", "refused", "verdict", "values", "stored_values", "message"}.

    Never raises for a bad counterexample: one that fails validation, names an unregistered evaluator, has
    arguments that do not bind to it, or makes it raise comes back with ``refused`` True and the reason in
    ``message`` (``maskverify replay`` turns that into one line and exit 2)."""
    from maskverify.properties.framework.verdicts import VIOLATED, Outcome, jsonable

    try:
        check_counterexample(cx)
        fn = resolve_evaluator(cx["evaluator"])
    except InstanceFileError as exc:
        return _refused(cx, str(exc))
    args = json.loads(json.dumps(cx["args"]))  # exactly what a file round-trip gives
    try:
        inspect.signature(fn).bind(**args)
    except TypeError as exc:
        return _refused(cx, f"the arguments do not fit evaluator {cx['evaluator']}: {exc}")
    try:
        with no_string_parsing():
            out = fn(**args)
    except Exception as exc:  # noqa: BLE001 -- arguments from a file may break an evaluator in any way
        return _refused(cx, f"evaluator {cx['evaluator']} failed on these arguments: "
                            f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}")
    if not isinstance(out, Outcome):
        return _refused(cx, f"evaluator {cx['evaluator']} returned {type(out).__name__}, not an Outcome")
    values = jsonable((out.counterexample or {}).get("values", out.evidence))
    stored = cx.get("values")
    same_values = stored is None or _close(json.loads(json.dumps(values)), stored)
    reproduced = out.verdict == VIOLATED and same_values
    msg = "reproduced" if reproduced else (
        f"verdict {out.verdict!r}" + ("" if same_values else "; values differ"))
    return {"reproduced": reproduced, "refused": False, "verdict": out.verdict, "values": values,
            "stored_values": stored, "message": msg, "item": cx.get("item")}

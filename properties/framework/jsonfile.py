"""Read a JSON file given by the user (counterexample, verdicts.json, lockfile) strictly and boundedly.

Any problem -- missing, a directory, unreadable, larger than :data:`MAX_FILE_BYTES`, not UTF-8, not JSON,
``NaN``/``Infinity``, an integer of thousands of digits, nesting deeper than :data:`MAX_DEPTH` -- raises
:class:`maskverify.errors.InstanceFileError` with one line, which the CLI prints with exit status 2.
Parsing is ``json.loads`` only: no string of the file is ever evaluated.
"""

from __future__ import annotations

import json
from pathlib import Path

from maskverify.errors import InstanceFileError

#: A whole ``verdicts.json`` of the ``ci`` profile is about 1 MB; a counterexample at most some kB.
MAX_FILE_BYTES = 64 * 2**20
#: Nesting of a whole file (a verdicts.json record nests about 8 deep).
MAX_DEPTH = 64


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


def read_json(path, what="file", *, max_bytes=MAX_FILE_BYTES, max_depth=MAX_DEPTH):
    """Parse the JSON file ``path`` (``what`` names it in messages)."""
    try:
        with open(Path(path), "rb") as fh:
            raw = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise InstanceFileError(f"{what} not found: {path}") from None
    except IsADirectoryError:
        raise InstanceFileError(f"{what} {path} is a directory, not a file") from None
    except (OSError, ValueError) as exc:  # ValueError: an embedded NUL in the path
        raise InstanceFileError(f"cannot read {what} {path}: {getattr(exc, 'strerror', None) or exc}") from None
    if len(raw) > max_bytes:
        raise InstanceFileError(f"{what} {path} is larger than {max_bytes // 2**20} MiB; refused")
    try:
        doc = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except RecursionError:
        raise InstanceFileError(f"{what} {path} is nested deeper than {max_depth} levels; refused") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, huge integers are ValueErrors
        raise InstanceFileError(f"cannot read {what} {path}: {exc}") from None
    if depth_exceeds(doc, max_depth):
        raise InstanceFileError(f"{what} {path} is nested deeper than {max_depth} levels; refused")
    return doc


def depth_exceeds(x, limit):
    """True when ``x`` (parsed JSON) nests deeper than ``limit`` (iterative: no recursion)."""
    stack = [(x, 0)]
    while stack:
        v, d = stack.pop()
        if d > limit:
            return True
        if isinstance(v, dict):
            stack.extend((w, d + 1) for w in v.values())
        elif isinstance(v, list):
            stack.extend((w, d + 1) for w in v)
    return False


def read_verdicts(path, what="verdicts file"):
    """A ``verdicts.json`` document: an object whose ``items`` are records with string ``id`` and ``verdict``."""
    doc = read_json(path, what)
    items = doc.get("items") if isinstance(doc, dict) else None
    if not isinstance(items, list) or not all(
            isinstance(r, dict) and isinstance(r.get("id"), str) and isinstance(r.get("verdict"), str)
            for r in items):
        raise InstanceFileError(f"{what} {path} is not a verdicts.json (an object with a list of item records)")
    return doc

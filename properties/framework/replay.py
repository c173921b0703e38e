"""Replay a counterexample: re-evaluate it and compare verdict and values with the stored ones.

A counterexample is ``{"item", "evaluator": "module:function", "args": {...}, "values": {...}}``
(see :mod:`maskverify.properties.framework.verdicts`). Accepted files: the counterexample itself, one item record of
``verdicts.json`` (with a ``counterexample`` key), or a whole ``verdicts.json`` together with an item ID.
"""

from __future__ import annotations

import importlib
import json
import math
from pathlib import Path

from maskverify.errors import InstanceFileError

#: Stored and replayed values must agree to this relative tolerance (same seed, same device: the numbers
#: are normally bit-identical; the tolerance only absorbs JSON float formatting).
REPLAY_RTOL = 1e-9


def load_counterexample(path, item=None):
    p = Path(path)
    try:
        doc = json.loads(p.read_text())
    except FileNotFoundError:
        raise InstanceFileError(f"counterexample file not found: {path}") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise InstanceFileError(f"cannot read counterexample file {path}: {exc}") from None
    if isinstance(doc, dict) and "items" in doc:
        cands = [r for r in doc["items"] if r.get("counterexample") and (item is None or r["id"] == item)]
        if not cands:
            what = f"item {item}" if item else "any item"
            raise InstanceFileError(f"{path} holds no counterexample for {what}")
        if len(cands) > 1 and item is None:
            ids = ", ".join(r["id"] for r in cands)
            raise InstanceFileError(f"{path} holds several counterexamples ({ids}); choose one with --item")
        doc = cands[0]
    if isinstance(doc, dict) and "counterexample" in doc and "evaluator" not in doc:
        doc = doc["counterexample"]
    if not isinstance(doc, dict) or not {"evaluator", "args"} <= set(doc):
        raise InstanceFileError(f"{path} is not a counterexample (needs 'evaluator' and 'args')")
    return doc


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


def replay_counterexample(cx):
    """Re-run ``cx``; returns {"reproduced", "verdict", "values", "stored_values", "message"}."""
    from maskverify.properties.framework.verdicts import VIOLATED, jsonable

    mod_name, _, fn_name = str(cx.get("evaluator", "")).partition(":")
    try:
        fn = importlib.import_module(mod_name)
        for part in fn_name.split("."):
            fn = getattr(fn, part)
    except (ImportError, AttributeError, ValueError) as exc:
        return {"reproduced": False, "verdict": None, "values": None, "stored_values": cx.get("values"),
                "message": f"evaluator {cx.get('evaluator')!r} not found ({exc})"}
    args = json.loads(json.dumps(cx.get("args", {})))  # exactly what a file round-trip gives
    out = fn(**args)
    values = jsonable((out.counterexample or {}).get("values", out.evidence))
    stored = cx.get("values")
    same_values = stored is None or _close(json.loads(json.dumps(values)), stored)
    reproduced = out.verdict == VIOLATED and same_values
    msg = "reproduced" if reproduced else (
        f"verdict {out.verdict!r}" + ("" if same_values else "; values differ"))
    return {"reproduced": reproduced, "verdict": out.verdict, "values": values, "stored_values": stored,
            "message": msg, "item": cx.get("item")}

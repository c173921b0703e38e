"""The verdict lockfile ``verdicts.lock.json``: a snapshot of computed verdicts, one section per profile.

Only ``maskverify verify --update-lock`` writes it, from the verdicts computed in that run; nobody edits it by
hand. ``maskverify verify`` exits 1 with a readable diff when the run's verdicts differ from the section of
its profile, so any change of a verdict fails CI until someone looks and regenerates the lock.
"""

from __future__ import annotations

import json
from pathlib import Path

from maskverify.properties.framework.atomic import write_text_atomic


def load(path):
    p = Path(path)
    if not p.exists():
        return {}
    return json.loads(p.read_text())


def snapshot(doc):
    return {r["id"]: r["verdict"] for r in doc["items"]}


def diff(locked, current):
    """Lines describing changes from the locked section to the current verdicts."""
    lines = []
    for i in sorted(set(locked) | set(current), key=_key):
        a, b = locked.get(i), current.get(i)
        if a != b:
            lines.append(f"  {i}: {a or '(absent)'} -> {b or '(absent)'}")
    return lines


def _key(i):
    from maskverify.properties.framework.spec_index import sort_key

    return sort_key(i)


def update(path, profile, doc, *, partial=False):
    """Write the section of ``profile`` from ``doc`` (``partial``: merge only the IDs of this run)."""
    data = load(path)
    section = dict(data.get(profile, {})) if partial else {}
    section.update(snapshot(doc))
    data[profile] = dict(sorted(section.items(), key=lambda kv: _key(kv[0])))
    data["_about"] = ("Computed verdicts per profile, written only by `maskverify verify --update-lock`. "
                      "Do not edit by hand.")
    write_text_atomic(path, json.dumps(data, indent=1, sort_keys=False) + "\n")

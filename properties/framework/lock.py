"""The verdict lockfile ``verdicts.lock.json``: a snapshot of computed verdicts, one section per profile.

Only ``maskverify verify --update-lock`` writes it, from the verdicts computed in that run; nobody edits it by
hand. ``maskverify verify`` exits 1 with a readable diff when the run's verdicts differ from the section of
its profile, so any change of a verdict fails CI until someone looks and regenerates the lock.

Which lockfile: ``--lock FILE`` names one explicitly (``make verify`` passes ``--lock verdicts.lock.json``,
so the repository keeps gating, and a missing section there is exit 1). Without ``--lock``, verify compares
with ``verdicts.lock.json`` of the current folder when it holds the profile's section, and otherwise says
that there is nothing to compare and exits 0 (a user running maskverify in their own folder).
"""

from __future__ import annotations

import json
from pathlib import Path

from maskverify.errors import InstanceFileError
from maskverify.properties.framework.atomic import write_text_atomic
from maskverify.properties.framework.jsonfile import read_json


def load(path):
    """The lockfile's sections ({} when there is no file); a malformed one raises InstanceFileError."""
    p = Path(path)
    try:
        if not p.exists():
            return {}
    except (OSError, ValueError):  # a name the system cannot even look up (NUL, too long): not found
        return {}
    data = read_json(p, "lockfile")
    if not isinstance(data, dict) or not all(
            isinstance(sec, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in sec.items())
            for name, sec in data.items() if name != "_about"):
        raise InstanceFileError(f"lockfile {path} is not a verdicts lock (sections of ID -> verdict)")
    return data


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

"""``maskverify show ID``: the item's check, its docstring, and its verdict in the latest report."""

from __future__ import annotations

import inspect
import json
import sys
from pathlib import Path

from maskverify.errors import invalid


def add_arguments(p):
    p.add_argument("id", help="a SPEC ID such as T-4 or L-28(b)")
    p.add_argument("--report", default="reports/verdicts.json", help="verdicts.json to read the verdict from")


def run(args):
    from maskverify.properties.framework import registry
    from maskverify.properties.framework.spec_index import SPEC_INDEX

    if args.id not in SPEC_INDEX:
        raise invalid("id", "maskverify show", "an ID of SPEC section 8 (see `maskverify items`)", args.id)
    c = registry.load_all().get(args.id)
    w = sys.stdout.write
    w(f"{args.id}\n")
    if c:
        w(f"  {c.title} -- {c.source} [{c.kind}]\n  check: {c.fn.__module__}.{c.fn.__name__}\n")
        doc = inspect.getdoc(c.fn)
        if doc:
            w("\n" + "\n".join("  " + line for line in doc.splitlines()) + "\n")
    else:
        w("  no check registered\n")
    rep = Path(args.report)
    if rep.exists():
        from maskverify.properties.framework.jsonfile import read_verdicts

        for r in read_verdicts(rep, "--report file")["items"]:
            if r["id"] == args.id:
                w(f"\n  latest verdict ({rep}): {r['verdict']} via {r.get('method')}\n")
                w("  evidence: " + json.dumps(r.get("evidence"), sort_keys=True)[:2000] + "\n")
    return 0

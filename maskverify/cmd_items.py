"""``maskverify items``: list every SPEC ID with its registered check (or none)."""

from __future__ import annotations

import sys


def add_arguments(p):
    p.add_argument("--missing", action="store_true", help="list only IDs without a registered check")


def run(args):
    from maskverify.properties.framework import registry
    from maskverify.properties.framework.spec_index import SPEC_INDEX

    checks = registry.load_all()
    for i in SPEC_INDEX:
        c = checks.get(i)
        if args.missing and c:
            continue
        sys.stdout.write(f"{i:<10} {(c.source if c else '-'):<28} {(c.fn.__module__.rsplit('.', 1)[-1] + ':' + c.fn.__name__) if c else '(no check)'}\n")
    return 0

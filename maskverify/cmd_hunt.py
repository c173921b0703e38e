"""``maskverify hunt --item ID [--budget SECONDS]``: hunt counterexamples for one item (or all).

Re-runs the item's check with fresh seeds and exploratory (non-derandomized) Hypothesis search, with
``hypothesis.target`` steering towards large observed/bound ratios, until the budget is spent. Every violated
outcome's counterexample that replays is written to ``--out`` (default ``counterexamples/``) as
``<ID>__seed<N>.json``; ``maskverify replay FILE`` re-evaluates it."""

from __future__ import annotations

import json
import math
import sys
import time

from maskverify.errors import invalid


def add_arguments(p):
    p.add_argument("--item", nargs="+", metavar="ID", help="item IDs to hunt (default: every registered item)")
    p.add_argument("--budget", type=float, default=60.0, help="seconds per item (default 60)")
    p.add_argument("--profile", choices=("ci", "dev", "nightly"), default="ci",
                   help="sizes to hunt with (default ci: many quick rounds)")
    p.add_argument("--out", default="counterexamples", help="folder for counterexample files")
    p.add_argument("--seed", type=int, default=1, help="first seed (default 1; verify uses 0)")


def run(args):
    if not (math.isfinite(args.budget) and args.budget > 0):
        raise invalid("budget", "maskverify hunt", "a positive, finite number of seconds", args.budget)
    from maskverify.cmd_verify import check_ids, ensure_writable
    from maskverify.properties.framework import registry
    from maskverify.properties.framework.replay import replay_counterexample
    from maskverify.properties.framework.runner import run_one, select
    from maskverify.properties.report.document import cx_filename

    checks = registry.load_all()
    if args.item:
        check_ids(args.item, "item", "maskverify hunt")
    ids = [i for i in select(list(checks), args.item)]
    out = ensure_writable(args.out)
    found = {}
    for iid in ids:
        t_end, seed, rounds = time.monotonic() + args.budget, args.seed, 0
        while time.monotonic() < t_end:
            rec = run_one(iid, args.profile, seed, 0.01, extras={"hunt": True})
            rounds += 1
            if rec["verdict"] == "violated" and rec.get("counterexample"):
                rep = replay_counterexample(rec["counterexample"])
                if rep["reproduced"]:
                    path = out / cx_filename(iid).replace(".json", f"__seed{seed}.json")
                    path.write_text(json.dumps(rec["counterexample"], indent=1, sort_keys=True) + "\n")
                    found.setdefault(iid, []).append(str(path))
                    break
            seed += 1
        status = f"counterexample -> {found[iid][-1]}" if iid in found else "nothing found"
        sys.stdout.write(f"{iid:<10} {rounds:4d} rounds  {status}\n")
    sys.stdout.write(f"\n{len(found)} of {len(ids)} items have a counterexample in {out}/\n")
    return 0

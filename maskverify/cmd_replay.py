"""``maskverify replay FILE``: re-evaluate a counterexample and print its verdict and numbers.

Exit 0 when the stored verdict and values are reproduced, 1 when not, 2 for an unreadable or refused file.
Replay runs only evaluators that maskverify registered (``@V.evaluator``), with strictly parsed arguments:
a file naming anything else (``os:system``) is refused before anything of it is imported or called; see
:mod:`maskverify.properties.framework.replay`."""

from __future__ import annotations

import json
import sys


def add_arguments(p):
    p.add_argument("file", help="a counterexample JSON (from reports/counterexamples/, counterexamples/, "
                   "an item record, or a whole verdicts.json with --item)")
    p.add_argument("--item", help="which item, when FILE is a whole verdicts.json")


def run(args):
    from maskverify.errors import InstanceFileError
    from maskverify.properties.framework.replay import load_counterexample, replay_counterexample

    cx = load_counterexample(args.file, args.item)
    res = replay_counterexample(cx)
    if res.get("refused"):
        raise InstanceFileError(f"{args.file}: {res['message']}")
    sys.stdout.write(json.dumps({"item": cx.get("item"), "verdict": res["verdict"], "values": res["values"],
                                 "reproduced": res["reproduced"], "message": res["message"]},
                                indent=1, sort_keys=True) + "\n")
    return 0 if res["reproduced"] else 1

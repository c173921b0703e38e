"""``maskverify bench``: engine throughput against the literal reference, a full-mask dense batch and the
same-run dense matmul roofline (useful GFLOP/s; see maskverify.impl.bench for the FLOP count)."""

from __future__ import annotations

import json
import sys


def add_arguments(p):
    p.add_argument("--quick", action="store_true", help="tiny sizes (a smoke test of the benchmark itself)")
    p.add_argument("--device", default="cpu", help="cpu or cuda (default cpu)")
    p.add_argument("--dtype", choices=("float32", "float64"), action="append",
                   help="repeatable; default both")
    p.add_argument("--repeat", type=int, default=3, help="timed repeats per measurement (minimum is kept)")
    p.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                   help="wall time (default) or single-thread CPU time (robust on a shared machine)")
    p.add_argument("--json", metavar="OUT", help="write the measurements as JSON here")
    p.add_argument("--markdown", action="store_true", help="print the BENCHMARKS.md table")


def run(args):
    from maskverify.errors import invalid
    from maskverify.impl import bench
    from maskverify.properties.framework.atomic import write_user_file
    from maskverify.properties.framework.verdicts import jsonable

    if args.repeat < 1:
        raise invalid("repeat", "maskverify bench", "an int in the range [1, inf)", args.repeat)
    result = bench.run_all(quick=args.quick, device=args.device, dtypes=tuple(args.dtype or ("float32", "float64")),
                           repeat=args.repeat, clock=args.clock)
    text = json.dumps(jsonable(result), indent=1, sort_keys=True) + "\n"
    if args.json:
        write_user_file(args.json, text)
    if args.markdown:
        m = result["machine"]
        sys.stdout.write(f"Machine: {m['cpu']}, {m['threads']} threads; torch {m['torch']}; {m['date']}; "
                         f"clock {result['clock']}; load average before {m['load_average']}, after "
                         f"{result['load_average_after']}\n\n")
        sys.stdout.write(bench.markdown(result))
    elif not args.json:
        sys.stdout.write(text)
    return 0

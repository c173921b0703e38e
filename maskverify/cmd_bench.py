"""``maskverify bench``: engine throughput against the literal reference, a full-mask dense batch and the
same-run dense matmul roofline (useful GFLOP/s; see maskverify.impl.bench for the FLOP count); and the wide
engine against the same-run copy-bandwidth bound, with its peak memory (maskverify.impl.bench_wide)."""

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
    p.add_argument("--wide-kernel", choices=("compiled", "eager", "auto"),
                   help="kernels of the wide-engine rows (default compiled, --quick: eager; compiled falls back "
                        "to eager where torch.compile does not work)")
    p.add_argument("--no-wide", action="store_true", help="skip the wide-engine rows")
    p.add_argument("--memory", action="store_true",
                   help="also measure the peak memory of a categorical p=2, n=d=2, m=2.9e7, K=10 float64 run in a "
                        "fresh process (minutes; --quick: m=2e5)")


def run(args):
    from maskverify.errors import invalid
    from maskverify.impl import bench
    from maskverify.properties.framework.atomic import write_user_file
    from maskverify.properties.framework.verdicts import jsonable

    if args.repeat < 1:
        raise invalid("repeat", "maskverify bench", "an int in the range [1, inf)", args.repeat)
    dtypes = tuple(args.dtype or ("float32", "float64"))
    result = bench.run_all(quick=args.quick, device=args.device, dtypes=dtypes, repeat=args.repeat,
                           clock=args.clock)
    if not args.no_wide or args.memory:
        from maskverify.impl import bench_wide
        result["wide"] = bench_wide.run_all(quick=args.quick, device=args.device,
                                            dtypes=() if args.no_wide else dtypes, repeat=args.repeat,
                                            clock=args.clock, memory=args.memory,
                                            kernel=args.wide_kernel or ("eager" if args.quick else "compiled"))
    text = json.dumps(jsonable(result), indent=1, sort_keys=True) + "\n"
    if args.json:
        write_user_file(args.json, text)
    if args.markdown:
        m = result["machine"]
        sys.stdout.write(f"Machine: {m['cpu']}, {m['threads']} threads; torch {m['torch']}; {m['date']}; "
                         f"clock {result['clock']}; load average before {m['load_average']}, after "
                         f"{result['load_average_after']}\n\n")
        sys.stdout.write(bench.markdown(result))
        if "wide" in result:
            sys.stdout.write("\nWide engine (maskverify.impl.wide) against the same-run copy-bandwidth bound:\n\n")
            sys.stdout.write(bench_wide.markdown(result["wide"]["rows"], result["wide"]["memory"]))
    elif not args.json:
        sys.stdout.write(text)
    return 0

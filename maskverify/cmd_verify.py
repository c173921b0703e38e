"""``maskverify verify``: compute every verdict, write DIR/verdicts.json and DIR/report.md, compare with
the lockfile (exit 0 when equal, 1 with a diff when not); ``--update-lock`` rewrites the profile's section."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from maskverify.errors import OutputPathError, invalid

PROFILES = ("ci", "dev", "nightly")


def add_arguments(p):
    p.add_argument("--profile", choices=PROFILES, default=os.environ.get("MASKVERIFY_PROFILE", "ci"),
                   help="depth of verification (default: ci; also MASKVERIFY_PROFILE)")
    p.add_argument("--out", default="reports", help="output folder (default: reports)")
    p.add_argument("--seed", type=int, default=0, help="global seed; every item derives its own (default 0)")
    p.add_argument("--only", nargs="+", metavar="ID", help="run only these IDs (a main ID selects its "
                   "sub-claims too); the lock is then compared on these IDs only")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: CPU count)")
    p.add_argument("--device", default="cpu", help="torch device for the engine-based checks (cpu, cuda)")
    p.add_argument("--lock", default="verdicts.lock.json", help="lockfile path (default verdicts.lock.json)")
    p.add_argument("--update-lock", action="store_true", help="write this run's verdicts into the lockfile")
    p.add_argument("--no-lock", action="store_true", help="do not compare with the lockfile")
    p.add_argument("--quiet", action="store_true", help="print only the summary and the lock result")


def ensure_writable(out):
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".maskverify-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise OutputPathError(f"cannot write to --out {str(out)!r}: {exc.strerror or exc}") from None
    return out


def run(args):
    if args.jobs is not None and args.jobs < 1:
        raise invalid("jobs", "maskverify verify", "an int >= 1", args.jobs)
    if args.device not in ("cpu", "cuda") and not args.device.startswith("cuda:"):
        raise invalid("device", "maskverify verify", "'cpu', 'cuda' or 'cuda:N'", args.device)
    out = ensure_writable(args.out)
    from maskverify.properties.framework import lock, runner
    from maskverify.properties.report import document as report

    def progress(rec):
        if not args.quiet:
            sys.stderr.write(f"  {rec['id']:<10} {rec['verdict']:<14} {rec.get('seconds', 0):7.2f}s\n")

    doc = runner.verify(args.profile, seed=args.seed, only=args.only, jobs=args.jobs, device=args.device,
                        progress=progress)
    report.write_outputs(doc, out)
    if not args.quiet:
        print_table(doc)
    counts = report.summary_counts(doc)
    sys.stdout.write(f"\n{len(doc['items'])} items: " + ", ".join(
        f"{counts.get(v, 0)} {v}" for v in ("holds", "violated", "inconclusive", "not-checkable")) +
        f"\nwrote {out / 'verdicts.json'} and {out / 'report.md'}\n")
    if args.update_lock:
        lock.update(args.lock, args.profile, doc, partial=bool(args.only))
        sys.stdout.write(f"updated section '{args.profile}' of {args.lock}\n")
        return 0
    if args.no_lock:
        return 0
    locked = lock.load(args.lock).get(args.profile)
    if locked is None:
        sys.stdout.write(f"no '{args.profile}' section in {args.lock}: run `maskverify verify --profile "
                         f"{args.profile} --update-lock` to record these verdicts\n")
        return 1
    current = lock.snapshot(doc)
    if args.only:
        locked = {k: v for k, v in locked.items() if k in current}
    changes = lock.diff(locked, current)
    if changes:
        sys.stdout.write(f"verdicts differ from {args.lock} [{args.profile}] ({len(changes)} changes):\n" +
                         "\n".join(changes) + "\nlook at the items above; if the change is right, run "
                         f"`maskverify verify --profile {args.profile} --update-lock`\n")
        return 1
    sys.stdout.write(f"verdicts match {args.lock} [{args.profile}]\n")
    return 0


def print_table(doc):
    w = sys.stdout.write
    w(f"\n{'ID':<10} {'verdict':<14} {'method':<22} {'regime':<9} source\n")
    for r in doc["items"]:
        reg = r.get("regime") or {}
        inside = {True: "inside", False: "outside"}.get(reg.get("inside"), "-")
        w(f"{r['id']:<10} {r['verdict']:<14} {str(r.get('method'))[:22]:<22} {inside:<9} "
          f"{r.get('source', '')}\n")

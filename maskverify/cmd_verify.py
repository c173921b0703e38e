"""``maskverify verify``: compute every verdict, write DIR/verdicts.json and DIR/report.md, compare with
the lockfile (exit 0 when equal, 1 with a diff when not); ``--update-lock`` rewrites the profile's section.
Which lockfile: ``--lock FILE``, else ``verdicts.lock.json`` of the current folder when it has the profile's
section; with neither there is nothing to compare, which is said, and the exit status is 0."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from maskverify.errors import OutputPathError, invalid

PROFILES = ("ci", "dev", "nightly")
#: The lockfile compared with (and written by --update-lock) when --lock is not given.
DEFAULT_LOCK = "verdicts.lock.json"
#: More worker processes than this is a typo, not a machine (each one is a Python process with torch).
MAX_JOBS = 1024


def add_arguments(p):
    p.add_argument("--profile", choices=PROFILES, default=os.environ.get("MASKVERIFY_PROFILE", "ci"),
                   help="depth of verification (default: ci; also MASKVERIFY_PROFILE)")
    p.add_argument("--out", default="reports", help="output folder (default: reports)")
    p.add_argument("--seed", type=int, default=0, help="global seed; every item derives its own (default 0)")
    p.add_argument("--only", nargs="+", metavar="ID", help="run only these IDs (a main ID selects its "
                   "sub-claims too); the lock is then compared on these IDs only")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: CPU count)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run the items on Dask: 'local:N' starts a LocalCluster of N workers, anything else "
                   "is a scheduler address (tcp://host:8786); needs maskverify[cluster]. Same verdicts and "
                   "numbers as a local run")
    p.add_argument("--device", default="cpu", help="torch device for the engine-based checks (cpu, cuda)")
    p.add_argument("--lock", default=None, metavar="FILE",
                   help=f"compare with this lockfile (a missing section: exit 1). Default: {DEFAULT_LOCK} of the "
                   "current folder if it has the profile's section, else nothing to compare (exit 0)")
    p.add_argument("--update-lock", action="store_true", help="write this run's verdicts into the lockfile")
    p.add_argument("--no-lock", action="store_true", help="do not compare with the lockfile")
    p.add_argument("--quiet", action="store_true", help="print only the summary and the lock result")
    p.add_argument("--campaign", metavar="DIR", default=None,
                   help="fold the campaign files (*.json of `maskverify campaign`) of DIR into the envelope items "
                   "(T-4, T-5, T-8); a malformed file: one line, exit 2")


def check_ids(ids, name, owner):
    """Every ID in ``ids`` is a SPEC ID or a registered check; else one line, exit 2."""
    from maskverify.properties.framework import registry
    from maskverify.properties.framework.spec_index import SPEC_INDEX

    checks = registry.load_all()
    unknown = [i for i in ids if i not in SPEC_INDEX and i not in checks]
    if unknown:
        raise invalid(name, owner, "IDs of SPEC section 8 (see `maskverify items`)", unknown[0])


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
    if args.jobs is not None and not 1 <= args.jobs <= MAX_JOBS:
        raise invalid("jobs", "maskverify verify", f"an int in [1, {MAX_JOBS}]", args.jobs)
    if args.only:
        check_ids(args.only, "only", "maskverify verify")
    if args.device not in ("cpu", "cuda") and not args.device.startswith("cuda:"):
        raise invalid("device", "maskverify verify", "'cpu', 'cuda' or 'cuda:N'", args.device)
    out = ensure_writable(args.out)
    extras = None
    if args.campaign is not None:   # read strictly before anything runs
        from maskverify.properties.checks.shared.campaign import load_dir

        extras = {"campaign": load_dir(args.campaign)}
    from maskverify.properties.framework import lock, runner

    if not args.no_lock:
        lock.load(args.lock or DEFAULT_LOCK)  # a malformed lockfile: one line and exit 2 before the run
    from maskverify.properties.report import document as report

    def progress(rec):
        if not args.quiet:
            sys.stderr.write(f"  {rec['id']:<10} {rec['verdict']:<14} {rec.get('seconds', 0):7.2f}s\n")

    doc = runner.verify(args.profile, seed=args.seed, only=args.only, jobs=args.jobs, device=args.device,
                        progress=progress, scheduler=args.scheduler, extras=extras)
    report.write_outputs(doc, out)
    if not args.quiet:
        print_table(doc)
    counts = report.summary_counts(doc)
    sys.stdout.write(f"\n{len(doc['items'])} items: " + ", ".join(
        f"{counts.get(v, 0)} {v}" for v in ("holds", "violated", "inconclusive", "not-checkable")) +
        f"\nwrote {out / 'verdicts.json'} and {out / 'report.md'}\n")
    if args.update_lock:
        path = args.lock or DEFAULT_LOCK
        lock.update(path, args.profile, doc, partial=bool(args.only))
        sys.stdout.write(f"updated section '{args.profile}' of {path}\n")
        return 0
    if args.no_lock:
        return 0
    if args.lock is None:
        locked = lock.load(DEFAULT_LOCK).get(args.profile)
        if locked is None:
            sys.stdout.write(f"no lockfile to compare with ({DEFAULT_LOCK} with a '{args.profile}' section is not "
                             "in this folder; --lock FILE names one)\n")
            return 0
        args.lock = DEFAULT_LOCK
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

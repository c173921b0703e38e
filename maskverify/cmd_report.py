"""``maskverify report``: verify, reproduce Figure 2, draw envelopes, and write reports/report.md (+ .html).

Long runs show progress on stderr and can be interrupted (Ctrl-C) without leaving a half-written report:
every file is written to a temporary name and renamed into place."""

from __future__ import annotations

import sys


def add_arguments(p):
    p.add_argument("--profile", choices=("ci", "dev", "nightly"), default="ci",
                   help="verification depth for the verdict table (default ci)")
    p.add_argument("--out", default="reports", help="output folder (default reports)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--jobs", type=int, default=None, help="worker processes for verify (default: CPU count)")
    p.add_argument("--from", dest="from_file", metavar="VERDICTS_JSON",
                   help="reuse an existing verdicts.json instead of running verify")
    p.add_argument("--hunt-dir", default="counterexamples",
                   help="folder of `maskverify hunt` results to list and replay (default counterexamples)")
    p.add_argument("--figures", choices=("report", "quick", "none"), default="report",
                   help="Figure 2 and envelope plots: 'report' (paper-like sizes, minutes), 'quick', 'none'")


def run(args):
    from maskverify.cmd_verify import ensure_writable
    from maskverify.properties.report import document as rep

    out = ensure_writable(args.out)
    if args.from_file:
        from maskverify.properties.framework.jsonfile import read_verdicts

        doc = read_verdicts(args.from_file, "--from file")
    else:
        from maskverify.properties.framework import runner

        sys.stderr.write(f"verify (profile {args.profile}) ...\n")
        doc = runner.verify(args.profile, seed=args.seed, jobs=args.jobs)
    figures_md = ""
    if args.figures != "none":
        from maskverify.properties.report.figures import build_report_figures

        figures_md = build_report_figures(out, doc, size=args.figures, seed=args.seed)
    rep.write_outputs(doc, out, figures_md=figures_md, extra_md="\n".join(rep.hunt_section(args.hunt_dir)))
    from maskverify.properties.framework.atomic import write_text_atomic
    from maskverify.properties.report.html import markdown_to_html

    write_text_atomic(out / "report.html", markdown_to_html((out / "report.md").read_text(),
                                                            title="maskverify report"))
    sys.stdout.write(f"wrote {out / 'report.md'}, {out / 'report.html'} and {out / 'verdicts.json'}\n")
    return 0

"""The ``maskverify`` command line. Thin: parse, call the library, print.

Subcommands live in ``maskverify/cmd_<name>.py``, each exposing ``add_arguments(parser)`` and
``run(args) -> int``; they are imported only when chosen, so ``--help`` and ``--version`` import neither
torch nor sympy. User errors (bad arguments, unreadable files, impossible values) print one line on stderr
and exit with status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from maskverify import PAPER, __version__
from maskverify.errors import MaskverifyError

COMMANDS = {
    "verify": "compute a verdict for every SPEC item and compare with the lockfile",
    "report": "verify, reproduce Figure 2 and write reports/report.md with plots",
    "train": "run Algorithm 1 on one configuration or instance file and write the trajectory",
    "bench": "measure engine throughput against the reference, a dense batch and the matmul roofline",
    "hunt": "search for counterexamples to one item within a time budget",
    "replay": "re-evaluate a counterexample file and print its verdict and numbers",
    "campaign": "run an envelope item's decisive in-regime instance at scale (GPU) and write campaign files",
    "items": "list the SPEC items and the check registered for each",
    "show": "show one item: its statement, check and latest verdict",
}

CITATION = """@inproceedings{liao2022convergence,
  title     = {On the Convergence of Shallow Neural Network Training with Randomly Masked Neurons},
  author    = {Liao, Fangshuo and Kyrillidis, Anastasios},
  booktitle = {Transactions on Machine Learning Research},
  year      = {2022},
  note      = {arXiv:2112.02668v1}
}"""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (exit 2) instead of usage + error."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {one_line(message)}\n")


def one_line(text):
    """``text`` on one line (a path or value given by the user may hold line breaks)."""
    return " ".join(str(text).splitlines())


def build_parser():
    parser = _Parser(prog="maskverify", description=f"Property-based verification of {PAPER} "
                     "(Liao & Kyrillidis): training shallow ReLU networks with randomly masked neurons.")
    parser.add_argument("--version", action="version", version=f"maskverify {__version__}")
    parser.add_argument("--cite", action="store_true", help="print the paper's BibTeX entry and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, help_ in COMMANDS.items():
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(_module=f"maskverify.cmd_{name}")
    return parser, sub


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    parser, sub = build_parser()
    # Parse the command name first, then let only that command's module add its options: `--help` of the
    # top level stays import-free.
    cmd = next((a for a in argv if not a.startswith("-")), None)
    if cmd in COMMANDS:
        mod = importlib.import_module(f"maskverify.cmd_{cmd}")
        mod.add_arguments(sub.choices[cmd])
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a one-line argparse error: return its status
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    if args.cite:
        sys.stdout.write(CITATION + "\n")
        return 0
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return int(importlib.import_module(args._module).run(args) or 0)
    except MaskverifyError as exc:
        sys.stderr.write(f"maskverify {args.command}: error: {one_line(exc)}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write(f"maskverify {args.command}: interrupted; nothing half-written was left behind\n")
        return 130
    except Exception as exc:  # noqa: BLE001 -- never show users a traceback unless they ask for it
        if os.environ.get("MASKVERIFY_DEBUG"):
            raise
        sys.stderr.write(f"maskverify {args.command}: internal error: {type(exc).__name__}: {one_line(exc)} "
                         "(set MASKVERIFY_DEBUG=1 for the traceback)\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())

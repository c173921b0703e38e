"""Fuzz of maskverify/cli.py in process: argv drawn from the subcommands' own argparse definitions (every
option of every command, so new options are covered without editing this file) with hostile values.

Every run ends with exit status 0, or 2 with exactly one line on stderr: never 1 ("internal error"), never
an uncaught exception (STYLE 10). To stay cheap, each command gets anchors first -- its cheapest settings
(verify --only S-2, small train sizes, report --from a small verdicts.json --figures none, hunt --budget
0.01) -- which drawn options may override with hostile values; options that would start long or external
work are not drawn (NOT_DRAWN), and `bench` (timing loops) is not run."""

import importlib
import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maskverify import cli

SKIPPED_COMMANDS = {"bench"}
#: (command, dest) never drawn: a Dask cluster, lockfile writes (a lock that differs is exit 1 by design),
#: full-size figures.
NOT_DRAWN = {("verify", "scheduler"), ("verify", "lock"), ("verify", "update_lock"), ("report", "figures")}
#: Train sizes stay small or hostile-but-not-huge (huge sizes are refused by train's own validation,
#: tested in tests/test_cmd_train.py).
SMALL_SIZES = ["1", "2", "3", "0", "-1", "nan", "", "3.5", "\u0661"]
TRAIN_SIZES = {"n", "d", "m", "p", "tau", "K", "trials"}

HUGE = "9" * 20
INTS = ["0", "-1", "1", "3", HUGE, "-" + HUGE, "nan", "", "1e3", "\u0661\u0662", "0x10", " 7 "]
FLOATS = ["0", "-1", "0.5", "nan", "inf", "-inf", "1e308", "1e-320", "", "x", HUGE, "\u0663.\u0665"]
IDS = ["S-2", "BOGUS-1", "", "t-4", "L-28(b", "\u00fc", "S-2 ", "-"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Files and folders the drawn values point at."""
    tmp = tmp_path_factory.mktemp("fuzz")
    (tmp / "dir").mkdir()
    (tmp / "file").write_text("x")
    (tmp / "hostile.json").write_text(json.dumps({"evaluator": "os:system", "args": {"command": "true"}}))
    (tmp / "nested.json").write_text("[" * 50_000 + "]" * 50_000)
    (tmp / "binary.json").write_bytes(b"\x80\xff")
    (tmp / "verdicts.json").write_text(json.dumps({
        "paper": "p", "tool_version": "0", "profile": "ci", "seed": 0, "created": "now", "family_alpha": 0.01,
        "items": [{"id": "S-2", "title": "t", "source": "s", "kind": "claim", "verdict": "holds",
                   "method": "m", "regime": None, "confidence": None, "evidence": {}, "counterexample": None}]}))
    paths = ["", "\u00fc\u2202\u00df", "/", str(tmp / "dir"), str(tmp / "missing.json"), str(tmp / "file" / "sub"),
             str(tmp / "hostile.json"), str(tmp / "nested.json"), str(tmp / "binary.json"), "a\nb",
             str(tmp / "new" / "out.json")]
    anchors = {
        "verify": ["--only", "S-2", "--jobs", "1", "--quiet", "--out", str(tmp / "out")],
        "train": ["--n", "2", "--d", "2", "--m", "4", "--K", "1", "--trials", "1", "--json", str(tmp / "t.json")],
        "report": ["--from", str(tmp / "verdicts.json"), "--figures", "none", "--out", str(tmp / "rep"),
                   "--hunt-dir", str(tmp / "dir")],
        "hunt": ["--item", "S-2", "--budget", "0.01", "--out", str(tmp / "hunt")],
        "replay": [str(tmp / "hostile.json")],
        "show": ["S-2", "--report", str(tmp / "verdicts.json")],
    }
    return {"tmp": tmp, "paths": paths, "anchors": anchors}


def commands():
    """name -> argparse actions of that subcommand, as `maskverify` builds them."""
    parser, sub = cli.build_parser()
    out = {}
    for name in cli.COMMANDS:
        if name in SKIPPED_COMMANDS:
            continue
        importlib.import_module(f"maskverify.cmd_{name}").add_arguments(sub.choices[name])
        out[name] = [a for a in sub.choices[name]._actions if a.dest != "help"]
    return out


def pool(command, action, paths):
    if action.dest in ("only", "item", "id"):
        return IDS
    if command == "train" and action.dest in TRAIN_SIZES:
        return SMALL_SIZES
    if action.choices:
        return [*map(str, action.choices), "", "bogus", "CI"]
    if action.type is int:
        return INTS
    if action.type is float:
        return FLOATS
    return paths


@st.composite
def argvs(draw, world):
    cmds = commands()
    top = draw(st.sampled_from([None, "--cite", "--version"]))
    if top and draw(st.booleans()):
        return [top]
    name = draw(st.sampled_from(sorted(cmds)))
    argv = [name, *world["anchors"].get(name, [])]
    for action in cmds[name]:
        if (name, action.dest) in NOT_DRAWN or draw(st.integers(0, 3)) != 0:   # each option: 1 in 4
            continue
        values = pool(name, action, world["paths"])
        if action.nargs == 0:                              # store_true / store_const
            argv.append(action.option_strings[0])
            continue
        count = draw(st.integers(1, 3)) if action.nargs in ("+", "*") else 1
        drawn = [draw(st.sampled_from(values)) for _ in range(count)]
        if action.option_strings:
            argv += [draw(st.sampled_from(action.option_strings)), *drawn]
        else:                                               # a positional: replaces its anchor
            argv = [name, *drawn, *world["anchors"].get(name, [])[1:]]
    return argv


@settings(max_examples=60, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_fuzzed_command_lines_exit_0_or_2_with_one_line(data, world, capsys, monkeypatch):
    monkeypatch.chdir(world["tmp"])
    monkeypatch.setenv("MASKVERIFY_DEBUG", "")
    argv = data.draw(argvs(world), label="argv")
    capsys.readouterr()
    rc = cli.main(argv)
    out, err = capsys.readouterr()
    assert rc in (0, 2), (argv, rc, err[-2000:])
    if rc == 2:
        assert err.count("\n") == 1 and err.strip() and "Traceback" not in err, (argv, err)


def test_pools_cover_every_option():
    """Each drawn option gets a hostile pool: new options are fuzzed without editing this test."""
    for name, actions in commands().items():
        for a in actions:
            if (name, a.dest) not in NOT_DRAWN and a.nargs != 0:
                assert pool(name, a, ["p"]), (name, a.dest)
    assert math.isnan(float("nan"))  # the pools rely on float('nan') parsing (argparse type=float)

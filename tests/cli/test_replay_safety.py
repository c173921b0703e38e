"""Tests of `maskverify replay` (maskverify/cmd_replay.py, properties/framework/replay.py): every file that
`verify` writes replays, and a hostile file never runs code: it is refused with one line and exit 2."""

import json
import os
import subprocess
import sys

import pytest

from maskverify import cli
from maskverify.properties.framework import evaluators, replay

#: Violated in ci and cheap (about 10 s together), spanning the evaluators of many check modules: symbolic
#: relations and limits (C-), mask claims (L-28), admissible-weight bounds (L-11), exact tails (P-1, L-29, L-30),
#: initialization moments (L-33), T-9(i), the T-8 width ratio (C-15), the S-6 identities (L-13).
CHEAP_VIOLATED = ["L-28(b)", "C-1", "C-10", "C-12", "C-15", "C-22", "P-1(b)", "P-2(d)", "L-11(b)", "L-13(b)",
                  "L-29(c)", "L-30(c)", "L-33(b)", "T-9(i)"]
SYMBOLIC = "maskverify.properties.checks.shared.symbolic:replay_relation"


@pytest.fixture(scope="module")
def verified(tmp_path_factory):
    """One fresh `verify --profile ci` over CHEAP_VIOLATED; its output folder."""
    out = tmp_path_factory.mktemp("verify") / "out"
    rc = cli.main(["verify", "--profile", "ci", "--only", *CHEAP_VIOLATED, "--out", str(out), "--no-lock",
                   "--jobs", "1", "--quiet"])
    assert rc == 0
    return out


def replay_in_process(capsys, *argv):
    capsys.readouterr()
    rc = cli.main(["replay", *map(str, argv)])
    out, err = capsys.readouterr()
    return rc, out, err


def test_replay_of_a_registered_counterexample(verified):
    """L-28(b) is violated in ci: its counterexample file replays in a fresh process to the same verdict and
    the same numbers (exit 0)."""
    path = verified / "counterexamples" / "L-28_b.json"
    stored = json.loads(path.read_text())
    assert evaluators.lookup(stored["evaluator"]) is not None
    res = subprocess.run([sys.executable, "-m", "maskverify.cli", "replay", str(path)], capture_output=True,
                         text=True, env={**os.environ, "MASKVERIFY_DEBUG": ""})
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["verdict"] == "violated" and out["reproduced"] and out["values"] == stored["values"]


def test_replay_reproduces_every_counterexample_that_verify_writes(verified, capsys):
    files = sorted((verified / "counterexamples").glob("*.json"))
    assert files, "the cheap ci items wrote no counterexample"
    for f in files:
        rc, out, err = replay_in_process(capsys, f)
        assert rc == 0 and json.loads(out)["reproduced"], (f.name, out, err)


def test_every_evaluator_in_a_fresh_verify_is_registered(verified):
    doc = json.loads((verified / "verdicts.json").read_text())
    named = {r["counterexample"]["evaluator"] for r in doc["items"] if r.get("counterexample")}
    assert named and all(evaluators.lookup(n) is not None for n in named), named
    assert not [r["id"] for r in doc["items"] if "not a registered evaluator" in json.dumps(r["evidence"])]


# ------------------------------------------------------------------------------------------ hostile files


def _hostile(marker):
    """(name, file content) pairs: each would create ``marker`` if anything of it ran."""
    m = str(marker)
    deep = "[" * 100_000 + "]" * 100_000
    return [
        ("os:system", {"item": "X", "evaluator": "os:system", "args": {"command": f"touch {m}"}}),
        ("builtins:eval", {"evaluator": "builtins:eval", "args": {"source": f"open({m!r}, 'w')"}}),
        ("builtins:exec", {"evaluator": "builtins:exec", "args": {"source": f"open({m!r}, 'w')"}}),
        ("maskverify function that is not an evaluator",
         {"evaluator": "maskverify.properties.framework.atomic:write_text_atomic",
          "args": {"path": m, "text": "x"}}),
        ("a check (not an evaluator)", {"evaluator": "maskverify.properties.framework.lock:update",
                                        "args": {"path": m, "profile": "ci", "doc": {"items": []}}}),
        ("args not a mapping", {"evaluator": SYMBOLIC, "args": [f"touch {m}"]}),
        ("args a string", {"evaluator": SYMBOLIC, "args": f"__import__('os').system('touch {m}')"}),
        ("wrong argument names", {"evaluator": SYMBOLIC, "args": {"command": f"touch {m}"}}),
        ("a string smuggled into sympify through a registered evaluator",
         {"evaluator": SYMBOLIC, "args": {"item_id": "C-1", "lhs": "C-1/main", "rhs": "C-1/proof",
                                          "relation": "<=",
                                          "values": {"n": [f"__import__('os').system('touch {m}')"]}}}),
        ("huge array", {"evaluator": SYMBOLIC, "args": {"values": [0.0] * (replay.MAX_LIST + 1)}}),
        ("deeply nested args", {"evaluator": SYMBOLIC, "args": {"values": json.loads("[" * 40 + "]" * 40)}}),
        ("unknown key", {"evaluator": SYMBOLIC, "args": {}, "postinstall": f"touch {m}"}),
        ("evaluator not a string", {"evaluator": ["os", "system"], "args": {}}),
        ("huge exponent", {"evaluator": SYMBOLIC, "args": {"item_id": "C-1", "lhs": "C-1/main",
                                                           "rhs": "C-1/proof", "relation": "<=",
                                                           "values": {"n": "1e999999999"}}}),
        ("deeply nested file", deep),
        ("NaN literal", json.dumps({"evaluator": SYMBOLIC, "args": {"x": "@"}}).replace('"@"', "NaN")),
        ("integer of 5000 digits", json.dumps({"evaluator": SYMBOLIC, "args": {"x": "@"}}).replace('"@"', "9" * 5000)),
        ("not JSON", f"import os; os.system('touch {m}')"),
        ("binary", b"\x80\x81\xfe\xff"),
    ]


@pytest.mark.parametrize("case", range(len(_hostile("m"))), ids=[n for n, _ in _hostile("m")])
def test_hostile_file_is_refused_and_nothing_runs(case, tmp_path, capsys):
    marker = tmp_path / "MARKER"
    name, content = _hostile(marker)[case]
    path = tmp_path / "cx.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content))
    rc, out, err = replay_in_process(capsys, path)
    assert rc == 2 and err.count("\n") == 1 and "internal error" not in err, (name, rc, err)
    assert not marker.exists(), name


def test_too_large_file_is_refused_before_parsing(tmp_path, capsys, monkeypatch):
    from maskverify.properties.framework import jsonfile

    monkeypatch.setattr(jsonfile, "MAX_FILE_BYTES", 1000)
    monkeypatch.setattr(replay, "read_json", lambda p, what: jsonfile.read_json(p, what, max_bytes=1000))
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"evaluator": SYMBOLIC, "args": {"x": "a" * 2000}}))
    rc, _, err = replay_in_process(capsys, path)
    assert rc == 2 and "larger than" in err and err.count("\n") == 1


def test_hostile_module_is_never_imported(tmp_path):
    """A file naming a module that exists on the reader's path: refused in a fresh process, and the
    module's import-time code never runs (replay looks names up, it does not import them)."""
    marker = tmp_path / "MARKER"
    (tmp_path / "evil_cx_module.py").write_text(
        f"open({str(marker)!r}, 'w').write('imported')\ndef evaluate(**kw):\n    open({str(marker)!r}, 'w')\n")
    path = tmp_path / "cx.json"
    path.write_text(json.dumps({"item": "T-4", "evaluator": "evil_cx_module:evaluate", "args": {}}))
    for argv in ([str(path)], [str(path), "--item", "T-4"]):
        res = subprocess.run([sys.executable, "-m", "maskverify.cli", "replay", *argv], capture_output=True,
                             text=True, cwd=tmp_path,
                             env={**os.environ, "PYTHONPATH": str(tmp_path), "MASKVERIFY_DEBUG": ""})
        assert res.returncode == 2 and res.stderr.count("\n") == 1, res.stderr
        assert "not one that maskverify registered" in res.stderr
        assert not marker.exists()


def test_verdicts_json_with_a_hostile_record_is_refused(tmp_path, capsys):
    marker = tmp_path / "MARKER"
    doc = {"items": [{"id": "T-4", "verdict": "violated",
                      "counterexample": {"evaluator": "os:system", "args": {"command": f"touch {marker}"}}}]}
    path = tmp_path / "verdicts.json"
    path.write_text(json.dumps(doc))
    rc, _, err = replay_in_process(capsys, path, "--item", "T-4")
    assert rc == 2 and err.count("\n") == 1 and not marker.exists()
    path.write_text(json.dumps({"items": "not a list"}))
    rc, _, err = replay_in_process(capsys, path)
    assert rc == 2 and err.count("\n") == 1


class _Planted:
    """Unpickling this writes a marker file: a hostile .npz holds it as an object array."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_hostile_instance_npz_is_refused_and_nothing_runs(tmp_path, capsys):
    """`train --instance FILE.npz` with a pickled object array: np.load(allow_pickle=False) refuses it before
    anything is unpickled; one line, exit 2, the marker file is never created."""
    import numpy as np

    from maskverify.cli import main

    marker = tmp_path / "ran"
    path = tmp_path / "hostile.npz"
    obj = np.empty(1, dtype=object)
    obj[0] = _Planted(str(marker))
    np.savez(path, X=obj, y=np.zeros(2), W0=np.zeros((2, 2)), a=np.ones(2))
    code = main(["train", "--instance", str(path), "--json", str(tmp_path / "out.json")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "instance file" in err[0]
    assert not marker.exists() and not (tmp_path / "out.json").exists()

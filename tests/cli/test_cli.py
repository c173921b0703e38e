"""Tests of maskverify/cli.py as a subprocess (pyhf style): fast help, one-line errors, exit codes."""

import os
import subprocess
import sys
import time

import pytest

EXE = [sys.executable, "-m", "maskverify.cli"]


def run(*args, cwd=None, timeout=120):
    return subprocess.run([*EXE, *args], capture_output=True, text=True, cwd=cwd, timeout=timeout,
                          env={**os.environ, "MASKVERIFY_DEBUG": ""})


def test_version_and_help_are_fast_and_import_light():
    """--help/--version import neither torch nor sympy and finish in about a second (STYLE 11)."""
    code = ("import sys, maskverify.cli as c\n"
            "try:\n c.main(['--help'])\nexcept SystemExit:\n pass\n"
            "print('torch' in sys.modules, 'sympy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip().endswith("False False"), out.stdout
    t = time.perf_counter()
    res = run("--version")
    assert res.returncode == 0 and res.stdout.startswith("maskverify ")
    assert time.perf_counter() - t < 5.0  # generous for a loaded CI machine; typically ~0.1 s


@pytest.mark.parametrize("cmd", ["verify", "report", "train", "bench", "hunt", "replay", "items", "show"])
def test_every_command_has_help(cmd):
    res = run(cmd, "--help")
    assert res.returncode == 0 and "usage:" in res.stdout


@pytest.mark.parametrize("args", [
    ["verify", "--profile", "nope"],
    ["verify", "--jobs", "0"],
    ["nosuchcommand"],
    ["replay", "/nonexistent/file.json"],
    ["show", "Q-99"],
    ["hunt", "--budget", "-1"],
    ["hunt", "--budget", "inf", "--item", "S-2"],
    ["verify", "--only", "BOGUS-1"],
    ["verify", "--jobs", "99999999999"],
    ["replay", "/"],
    ["report", "--from", "/", "--figures", "none"],
])
def test_bad_arguments_give_one_line_and_exit_2(args):
    res = run(*args)
    assert res.returncode == 2, (res.returncode, res.stderr)
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr, res.stderr


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_out_nonroot(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    res = run("verify", "--out", str(ro / "x"), "--only", "S-1")
    assert res.returncode == 2 and res.stderr.count("\n") == 1


def test_out_under_a_file_is_an_error(tmp_path):
    """--out pointing below a regular file cannot be created, even as root: one line, exit 2."""
    f = tmp_path / "file"
    f.write_text("x")
    res = run("verify", "--out", str(f / "sub"), "--only", "S-1")
    assert res.returncode == 2 and res.stderr.count("\n") == 1 and "Traceback" not in res.stderr


def test_cite():
    res = run("--cite")
    assert res.returncode == 0 and "Randomly Masked Neurons" in res.stdout


def test_train_json_to_unwritable_path(tmp_path):
    """`train --json` below a regular file: one line, exit 2 (S-7 runs fine; writing fails cleanly)."""
    f = tmp_path / "file"
    f.write_text("x")
    res = run("train", "--n", "2", "--d", "2", "--m", "4", "--K", "1", "--json", str(f / "out.json"))
    assert res.returncode == 2 and res.stderr.count("\n") == 1 and "Traceback" not in res.stderr, res.stderr

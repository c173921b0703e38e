"""End-to-end: `maskverify verify` writes the verdict contract of issue 2 and gates on the lockfile."""

import json
import os
import subprocess
import sys

import pytest

FIELDS = {"id", "title", "source", "kind", "verdict", "method", "regime", "confidence", "evidence",
          "counterexample", "tests"}
FAST = ["L-25", "L-26", "L-27"]


def verify(tmp_path, *extra):
    return subprocess.run([sys.executable, "-m", "maskverify.cli", "verify", "--out", str(tmp_path / "out"),
                           "--lock", str(tmp_path / "lock.json"), "--jobs", "1", "--quiet", "--only", *FAST,
                           *extra], capture_output=True, text=True, env={**os.environ, "MASKVERIFY_DEBUG": ""})


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("verify")
    first = verify(tmp)
    return tmp, first


def test_verdicts_json_contract(run_dir):
    """L-25, L-26, L-27 through the CLI: every record has the contract's fields and a computed verdict."""
    tmp, first = run_dir
    doc = json.loads((tmp / "out" / "verdicts.json").read_text())
    assert doc["paper"] == "arXiv:2112.02668v1" and doc["profile"] == "ci" and doc["seed"] == 0
    assert [r["id"] for r in doc["items"]] == FAST
    for r in doc["items"]:
        assert FIELDS <= set(r), set(FIELDS) - set(r)
        assert r["verdict"] in {"holds", "violated", "inconclusive", "not-checkable"}
        assert r["tests"], f"{r['id']} is cited by no test"
        if r["verdict"] == "violated":
            assert r["counterexample"]["replay_confirmed"]
    assert (tmp / "out" / "report.md").read_text().startswith("# maskverify report")


def test_lock_gate(run_dir):
    """No lock section: exit 1; --update-lock writes it; then exit 0; a changed lock gives exit 1 + diff."""
    tmp, first = run_dir
    assert first.returncode == 1 and "update-lock" in first.stdout
    assert verify(tmp, "--update-lock").returncode == 0
    lock = json.loads((tmp / "lock.json").read_text())
    assert set(lock["ci"]) == set(FAST)
    assert verify(tmp).returncode == 0
    lock["ci"]["L-25"] = "violated" if lock["ci"]["L-25"] != "violated" else "holds"
    (tmp / "lock.json").write_text(json.dumps(lock))
    res = verify(tmp)
    assert res.returncode == 1 and "L-25:" in res.stdout

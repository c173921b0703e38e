"""Verification campaigns on Dask (``maskverify verify --scheduler``): a 2-worker LocalCluster on loopback
gives the same verdicts.json items as the local pool, and a scheduler that cannot be used is one clear error."""

import sys

import pytest

from maskverify.errors import SchedulerError
from maskverify.properties.framework import runner

#: Cheap items that cover exact checks, a Monte Carlo check (Holm) and a violated item with a replayed
#: counterexample.
ITEMS = ["S-2", "L-25", "L-28(b)", "T-2(a)", "T-2(b)"]


def _comparable(doc):
    # 'seconds' is wall time and 'created' a timestamp; everything else must be identical.
    return [{k: v for k, v in r.items() if k != "seconds"} for r in doc["items"]]


@pytest.mark.slow
def test_local_cluster_gives_the_same_items_as_the_local_pool():
    pytest.importorskip("distributed")
    local = runner.verify("ci", seed=0, only=ITEMS, jobs=2)
    dask = runner.verify("ci", seed=0, only=ITEMS, scheduler="local:2")
    assert _comparable(dask) == _comparable(local)
    assert any(r["verdict"] == "violated" for r in dask["items"])


@pytest.mark.parametrize("address", ["local:0", "local:x", "tcp://127.0.0.1:1"])
def test_unusable_scheduler_is_a_scheduler_error(address):
    pytest.importorskip("distributed")
    with pytest.raises(SchedulerError):
        runner.verify("ci", seed=0, only=["S-2", "L-25"], scheduler=address)


def test_without_dask_the_scheduler_option_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(SchedulerError, match=r"maskverify\[cluster\]"):
        runner.verify("ci", seed=0, only=["S-2", "L-25"], scheduler="local:2")


def test_cli_unreachable_scheduler_exits_2_with_one_line(tmp_path, capsys):
    pytest.importorskip("distributed")
    from maskverify.cli import main

    code = main(["verify", "--only", "S-2", "L-25", "--out", str(tmp_path), "--no-lock",
                 "--scheduler", "tcp://127.0.0.1:1"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "scheduler" in err[0]

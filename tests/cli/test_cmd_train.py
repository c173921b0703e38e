"""Tests of maskverify/cmd_train.py and maskverify/cmd_bench.py through ``maskverify.cli.main`` (S-7 runs,
S-5 loss convention in the JSON, instance files, one-line errors)."""

import json

import numpy as np
import pytest

from maskverify import cli
from maskverify.impl import instance, reference


def _main(capsys, *argv):
    rc = cli.main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_S7_train_json_matches_reference(capsys, tmp_path):
    """S-7, S-5: `maskverify train` writes K+1 losses ||y - u_k||^2 per trial equal to the literal Algorithm 1
    on the saved instance."""
    inst_path, out_path = tmp_path / "i.npz", tmp_path / "o.json"
    rc, _, err = _main(capsys, "train", "--n", "5", "--d", "3", "--m", "7", "--K", "3", "--p", "2", "--tau", "2",
                       "--xi", "0.5", "--eta", "0.3", "--seed", "4", "--save-instance", str(inst_path),
                       "--json", str(out_path), "--record", "phases")
    assert rc == 0 and err == ""
    res = json.loads(out_path.read_text())
    inst = instance.load(inst_path)
    ref = reference.algorithm1(inst.X.numpy(), inst.y.numpy(), inst.W0.numpy(), inst.a.numpy(),
                               inst.masks.numpy(), 0.5, 0.3, 2)
    np.testing.assert_allclose(res["loss"][0], ref["loss"], rtol=1e-12)
    assert res["diverged_at"] == [None] and len(res["loss"][0]) == 4
    assert res["config"]["xi"] == 0.5 and "phases" in res["records"]
    # replay from the file gives the same losses
    rc, out, _ = _main(capsys, "train", "--instance", str(inst_path), "--eta", "0.3", "--tau", "2", "--xi", "0.5")
    assert rc == 0 and json.loads(out)["loss"] == res["loss"]


def test_S7_train_trials_and_divergence(capsys):
    """S-7: trials are batched; a diverging run is an outcome (diverged_at), exit 0, list ends at divergence."""
    rc, out, _ = _main(capsys, "train", "--K", "40", "--eta", "1000", "--kappa", "5", "--dtype", "float32",
                       "--trials", "2", "--m", "16")
    res = json.loads(out)
    assert rc == 0 and len(res["loss"]) == 2
    for row, k in zip(res["loss"], res["diverged_at"]):
        assert k is not None and len(row) == k + 1 and row[-1] in ("inf", "nan")


@pytest.mark.parametrize("argv, msg", [
    (["--xi", "1.5"], "'xi' parameter"), (["--p", "0"], "'p' parameter"), (["--K", "-1"], "'K' parameter"),
    (["--eta", "0"], "'eta' parameter"), (["--device", "tpu"], "'device' parameter"),
    (["--mask", "categorical", "--p", "2", "--xi", "0.3"], "'xi' parameter"),
    (["--instance", "/nonexistent/x.npz"], "does not exist"),
])
def test_S7_train_bad_values_one_line_exit_2(capsys, argv, msg):
    """S-7 inputs: bad values print one line on stderr and exit 2 (no traceback)."""
    rc, _, err = _main(capsys, "train", *argv)
    assert rc == 2 and msg in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("argv, msg", [
    (["--m", "99999999999"], "estimated"),
    (["--engine", "wide", "--m", "99999999999"], "estimated"),
    (["--n", "99999999999999999999"], "'n' parameter"),
    (["--seed", "99999999999999999999"], "'seed' parameter"),
    (["--nproc", "0"], "'nproc' parameter"),
    (["--engine", "batched", "--nproc", "2"], "'engine' parameter"),
    (["--engine", "wide", "--record", "phases"], "'record' parameter"),
    (["--master-port", "29500"], "'master_port' parameter"),
    (["--engine", "wide", "--block", "1000"], "'block' parameter"),
    (["--torchrun"], "torchrun"),
])
def test_S7_train_scale_out_bad_values_one_line_exit_2(capsys, monkeypatch, argv, msg):
    """Scale-out inputs: an impossible memory estimate, integers beyond int64, nproc < 1, options that do not go
    together -- one line on stderr, exit 2, before anything is allocated (no traceback)."""
    for var in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(var, raising=False)
    rc, _, err = _main(capsys, "train", *argv)
    assert rc == 2 and msg in err and err.count("\n") == 1 and "Traceback" not in err
    if msg == "estimated":
        assert "bytes" in err and "available" in err


def test_S7_train_dry_run_prints_the_plan(capsys):
    rc, out, _ = _main(capsys, "train", "--nproc", "3", "--m", "30000000", "--n", "4", "--d", "2", "--p", "4",
                       "--tau", "1", "--dry-run")
    plan = json.loads(out)
    assert rc == 0 and plan["dry_run"] and plan["ranks"] == 3 and plan["neurons_per_rank"] == [10**7] * 3
    assert plan["communication_per_step_bytes"] == 5 * 4 * 8 and plan["memory_per_rank_bytes"] > 10**7 * 2 * 8


def test_S7_train_wide_engine_matches_library(capsys, tmp_path):
    """S-7, S-5: `train --engine wide` writes the losses of maskverify.impl.wide.train for the seed's draws."""
    from maskverify.impl import wide

    rc, _, err = _main(capsys, "train", "--engine", "wide", "--n", "4", "--d", "2", "--m", "300", "--K", "3",
                       "--p", "3", "--tau", "2", "--eta", "0.2", "--seed", "5", "--mask", "categorical",
                       "--json", str(tmp_path / "o.json"))
    assert rc == 0 and err == ""
    res = json.loads((tmp_path / "o.json").read_text())
    X, y = wide.data(4, 2, 5)
    ref = wide.train(X, y, m=300, p=3, tau=2, eta=0.2, K=3, law="categorical", seed=5)
    np.testing.assert_allclose(res["loss"][0], ref.loss.numpy(), rtol=1e-12)
    assert res["config"]["engine"] == "wide" and res["config"]["xi"] == 1 / 3
    assert res["memory"]["peak_bytes_per_rank"][0] > 300 * 2 * 8


def test_S7_train_busy_master_port_exit_2(capsys, tmp_path):
    """--master-port given and busy: one line on stderr, exit 2, no rank started, no --json file."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        rc, _, err = _main(capsys, "train", "--nproc", "2", "--master-port", str(port), "--m", "100",
                           "--json", str(tmp_path / "o.json"))
    assert rc == 2 and f"port {port}" in err and err.count("\n") == 1 and not (tmp_path / "o.json").exists()


def test_S7_train_rank_dying_mid_run_exit_2_nothing_written(capsys, monkeypatch, tmp_path):
    """A rank killed mid-run (test hook: rank 1 dies at its 2nd all-reduce): one line on stderr naming the
    rank, exit 2, the other rank stopped, and no --json file."""
    from maskverify.impl import distributed

    monkeypatch.setenv(distributed.FAULT_ENV, "1:2")
    out = tmp_path / "o.json"
    rc, _, err = _main(capsys, "train", "--nproc", "2", "--m", "200", "--K", "3", "--json", str(out))
    assert rc == 2 and "rank 1 of 2 died" in err and err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_bench_quick_runs_and_reports(capsys, tmp_path):
    """bench --quick: engine, dense, reference and matmul are measured; the dense batch agrees with the engine."""
    rc, out, _ = _main(capsys, "bench", "--quick", "--dtype", "float64", "--repeat", "1", "--markdown",
                       "--json", str(tmp_path / "b.json"))
    assert rc == 0 and "| paper | float64 |" in out
    res = json.loads((tmp_path / "b.json").read_text())
    for row in res["rows"]:
        assert row["dense_max_abs_diff"] < 1e-10
        assert all(v > 0 for v in row["gflops"].values())

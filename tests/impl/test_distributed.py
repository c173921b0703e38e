"""Tests of maskverify.impl.distributed (S-7 neuron-sharded over torch.distributed) and impl.plan: gloo ranks on
loopback equal the single-process wide engine; failures are one DistributedRunError, never a hang."""

import socket

import pytest

from maskverify.errors import InvalidParameterError
from maskverify.impl import distributed, plan, wide

JOB = dict(n=5, d=3, m=1000, p=3, tau=2, eta=0.3, K=3, kappa=1.0, xi=None, seed=3, trials=1, dtype="float64",
           device="cpu", kernel="eager", return_weights=True)


def _rel(a, b):
    return float((a - b).abs().max() / b.abs().max())


def _single(job):
    X, y = wide.data(job["n"], job["d"], job["seed"])
    return wide.train(X, y, m=job["m"], p=job["p"], tau=job["tau"], eta=job["eta"], K=job["K"], law=job["law"],
                      seed=job["seed"], kernel="eager", return_weights=True)


def test_split_is_contiguous_and_balanced():
    for m, R in ((1000, 3), (7, 7), (5, 1), (65537, 2)):
        ranges = distributed.split(m, R)
        assert ranges[0][0] == 0 and ranges[-1][1] == m
        assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))
        sizes = [hi - lo for lo, hi in ranges]
        assert max(sizes) - min(sizes) <= 1


def test_plan_states_ranks_memory_and_communication():
    """--dry-run plan: tau all-reduces of (p+1) n float64 per global step, whatever m is; memory per rank
    shrinks with the number of ranks."""
    kw = dict(n=4, d=2, p=4, tau=2, xi=0.5, K=10)
    one = distributed.plan(m=3 * 10**7, ranks=1, **kw)
    three = distributed.plan(m=3 * 10**7, ranks=3, **kw)
    assert three["neurons_per_rank"] == [10**7] * 3 and three["allreduce_payload_bytes"] == 5 * 4 * 8
    assert three["communication_per_step_bytes"] == 2 * 160 and one["communication_per_step_bytes"] == 0
    assert three["memory_per_rank_bytes"] < one["memory_per_rank_bytes"] / 2.5
    assert distributed.plan(m=3 * 10**8, ranks=3, **kw)["communication_per_step_bytes"] == 320
    big = plan.describe(engine="batched", n=16, d=4, m=99_999_999_999, p=2, tau=2, xi=0.5, K=10, trials=1)
    assert not big["fits"] and big["memory_per_rank_bytes"] > 99_999_999_999 * 4 * 8


@pytest.mark.parametrize("nproc, law", [(2, "bernoulli"), (3, "categorical")])
def test_S7_gloo_ranks_equal_single_process(nproc, law):
    """S-7 sharded: 2 gloo ranks on loopback (Bernoulli) and 3 uneven ranks (333/333/334 neurons,
    categorical) give the losses and weights of the single-process engine (float64, <= 1e-12)."""
    job = {**JOB, "law": law}
    out = distributed.launch(job, nproc)
    ref = _single(job)
    assert out["ranks"] == nproc and out["backend"] == "gloo" and len(out["peak_bytes_per_rank"]) == nproc
    assert _rel(out["loss"][0], ref.loss) <= 1e-12 and _rel(out["W"][0], ref.W) <= 1e-12
    assert out["diverged_at"] == [None]


def test_busy_master_port_is_one_error(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(distributed.DistributedRunError, match=f"port {port} .* in use"):
            distributed.launch({**JOB, "law": "bernoulli"}, 2, master_port=port)


@pytest.mark.parametrize("nproc", [0, -1, 1.5, True])
def test_bad_nproc(nproc):
    with pytest.raises(InvalidParameterError, match="'nproc'"):
        distributed.launch({**JOB, "law": "bernoulli"}, nproc)


def test_torchrun_outside_torchrun_is_one_error(monkeypatch):
    for var in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(distributed.DistributedRunError, match="torchrun"):
        distributed.run_torchrun({**JOB, "law": "bernoulli"})

"""Tests of maskverify.impl.instance (S-1, S-2): generation, .npz round trip and one-message validation."""

import numpy as np
import pytest
import torch

from maskverify.errors import InstanceFileError
from maskverify.impl import algorithm1 as A
from maskverify.impl import instance


def test_S1_generated_instance_is_unit_norm_and_bounded(tmp_path):
    """S-1: generated x_i are unit vectors, y_i in [-1, 1], a in {-1, +1}; save/load round-trips exactly."""
    cfg = A.Config(n=7, d=3, m=9, p=2, K=3, seed=2)
    inst = A.init_instance(cfg)
    assert torch.allclose(inst.X.norm(dim=1), torch.ones(7, dtype=torch.float64), rtol=1e-15)
    assert float(inst.y.abs().max()) <= 1 and set(inst.a.tolist()) <= {-1.0, 1.0}
    path = tmp_path / "inst.npz"
    instance.save(path, inst)
    back = instance.load(path)
    for k in ("X", "y", "W0", "a", "masks"):
        assert torch.equal(getattr(back, k), getattr(inst, k))


def _write(path, **arrays):
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)
    return path


GOOD = dict(X=np.eye(2), y=np.zeros(2), W0=np.ones((3, 2)), a=np.array([1.0, -1.0, 1.0]))


@pytest.mark.parametrize("change, msg", [
    (dict(a=np.array([1.0, 0.5, 1.0])), "entries -1 or \\+1"), (dict(y=np.zeros(3)), "y must have shape"),
    (dict(W0=np.ones((3, 4))), "W0 must have shape"), (dict(masks=np.full((1, 2, 3), 2)), "entries 0 or 1"),
    (dict(masks=np.ones((2, 3))), "masks must have shape"), (dict(X=np.full((2, 2), np.nan)), "nan or inf"),
    (dict(extra=np.ones(1)), "unknown array"),
])
def test_S2_instance_file_validation(tmp_path, change, msg):
    """S-1/S-2 file format: a +-1, shapes consistent, masks 0/1 of shape (K, p, m); one clear message."""
    path = _write(tmp_path / "bad.npz", **{**GOOD, **change})
    with pytest.raises(InstanceFileError, match=msg):
        instance.load(path)


def test_instance_file_unreadable(tmp_path):
    """Missing and corrupt files raise InstanceFileError."""
    with pytest.raises(InstanceFileError, match="does not exist"):
        instance.load(tmp_path / "none.npz")
    bad = tmp_path / "x.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(InstanceFileError, match="not a readable"):
        instance.load(bad)
    missing = _write(tmp_path / "m.npz", X=np.eye(2))
    with pytest.raises(InstanceFileError, match="missing array"):
        instance.load(missing)

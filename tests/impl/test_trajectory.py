"""Tests of maskverify.impl.trajectory (S-7 records): activation-change counts and the phases of Fig 2(a)."""

import numpy as np
import torch

from maskverify.impl import algorithm1 as A
from maskverify.impl import trajectory


def test_S7_act_changes_counts_pattern_flips():
    """S-7 record act_changes: #{(i, r): 1{<w_{k,r},x_i> >= 0} != 1{<w_{0,r},x_i> >= 0}} (literal count)."""
    g = torch.Generator().manual_seed(0)
    X = torch.randn(5, 3, generator=g, dtype=torch.float64)
    W0 = torch.randn(2, 7, 3, generator=g, dtype=torch.float64)
    W = W0 + 0.7 * torch.randn(2, 7, 3, generator=g, dtype=torch.float64)
    lit = [sum(int((W[t, r] @ X[i] >= 0) != (W0[t, r] @ X[i] >= 0)) for r in range(7) for i in range(5))
           for t in range(2)]
    assert trajectory.act_changes(W, W0, X).tolist() == lit


def test_S7_phases_and_unbatched_squeeze():
    """S-7 records (Fig 2(a) phases): after_resampling / after_local are means over l of ||y - uhat^l||^2 at
    t = 0 and t = tau; an unbatched run returns the same numbers without the trial axis."""
    cfg = A.Config(n=5, d=3, m=12, p=3, tau=2, K=3, eta=0.2)
    inst = A.init_instance(cfg)
    res = A.run(inst.X, inst.y, inst.W0, inst.a, inst.masks, cfg.xi, cfg.eta, cfg.tau, record=("phases",))
    batched = A.run(inst.X, inst.y, inst.W0[None], inst.a[None], inst.masks[None], cfg.xi, cfg.eta, cfg.tau,
                    record=("phases",))
    assert res.loss.shape == (4,) and torch.equal(res.loss, batched.loss[0])
    sub = res.records["subnet_loss"]                                        # (K, p, tau+1)
    uh = [A.global_step(w, inst.a, inst.X, inst.y, inst.masks[k], cfg.xi, cfg.eta, cfg.tau).uhat
          for k, w in enumerate([inst.W0])]
    np.testing.assert_allclose(sub[0].numpy(), ((inst.y - uh[0]) ** 2).sum(-1).numpy(), rtol=1e-12)
    ph = res.records["phases"]
    assert torch.allclose(ph["after_local"], sub[..., -1].mean(-1)) and torch.equal(ph["after_aggregation"],
                                                                                   res.loss[1:])

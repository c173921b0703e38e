"""Tests of maskverify.impl.algorithm1 (S-7, S-8(a)-(e)): differential tests against the literal loop
transcription in impl/reference.py, exact invariants, determinism, divergence and input validation."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from maskverify.errors import DeviceUnavailableError, InvalidParameterError
from maskverify.impl import algorithm1 as A
from maskverify.impl import masks as masks_mod
from maskverify.impl import network, ntk, reference

RTOL = 1e-12  # float64 equality (verdicts.FLOAT64_RTOL)


def rel(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b), 1e-300))


def make(seed, n, d, m, T=None, kappa=1.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    y = rng.uniform(-1, 1, n)
    lead = () if T is None else (T,)
    W0 = kappa * rng.standard_normal((*lead, m, d))
    a = rng.choice([-1.0, 1.0], (*lead, m))
    return X, y, W0, a


def draw_masks(seed, kind, K, p, m, xi, T=None):
    g = torch.Generator().manual_seed(seed)
    if kind == "bernoulli":
        return masks_mod.bernoulli_masks(K, p, m, xi, g, trials=T)
    return masks_mod.categorical_masks(K, p, m, g, trials=T)


configs = st.fixed_dictionaries({
    "seed": st.integers(0, 2**31), "n": st.integers(1, 5), "d": st.integers(1, 3), "m": st.integers(1, 8),
    "p": st.integers(1, 3), "tau": st.integers(1, 3), "K": st.integers(0, 3),
    "eta": st.floats(0.01, 0.5), "xi": st.floats(0.05, 1.0), "kind": st.sampled_from(["bernoulli", "categorical"]),
})


@settings(max_examples=40, deadline=None)
@given(cfg=configs)
def test_S7_engine_equals_reference(cfg):
    """S-7 (Algorithm 1, p.5): the batched engine equals the literal loop transcription to 1e-12 relative
    in float64 (weights, losses, local iterates), for both mask laws, masks given explicitly."""
    T = 2
    X, y, W0, a = make(cfg["seed"], cfg["n"], cfg["d"], cfg["m"], T)
    xi = cfg["xi"] if cfg["kind"] == "bernoulli" else 1.0 / cfg["p"]
    M = draw_masks(cfg["seed"], cfg["kind"], cfg["K"], cfg["p"], cfg["m"], xi, T)
    res = A.run(X, y, W0, a, M, xi, cfg["eta"], cfg["tau"], record=("subnet_loss",))
    for t in range(T):
        ref = reference.algorithm1(X, y, W0[t], a[t], M[t].numpy(), xi, cfg["eta"], cfg["tau"])
        assert rel(res.W[t], ref["W"][-1]) <= RTOL
        assert rel(res.loss[t], ref["loss"]) <= RTOL
        ref_sub = ((y - ref["uhat"]) ** 2).sum(-1)                         # (K, p, tau+1)
        assert rel(res.records["subnet_loss"][t], ref_sub) <= RTOL
        assert res.diverged_at[t] is None


@pytest.mark.parametrize("kind", ["bernoulli", "categorical"])
def test_S7_global_step_and_local_train_equal_reference(kind):
    """S-7 lines 3-9: global_step returns every local iterate W^l_{k,t} and uhat^l_{k,t} of the reference;
    local_train is lines 5-6 for one subnetwork."""
    X, y, W0, a = make(3, 4, 3, 9)
    p, tau, xi = 3, 3, (0.45 if kind == "bernoulli" else 1 / 3)
    M = draw_masks(4, kind, 1, p, 9, xi)[0]
    rec = A.global_step(W0, a, X, y, M, xi, 0.3, tau)
    ref = reference.algorithm1(X, y, W0, a, M[None].numpy(), xi, 0.3, tau)
    assert rec.W_local.shape == (p, tau + 1, 9, 3) and rec.uhat.shape == (p, tau + 1, 4)
    assert rel(rec.W_local, ref["W_local"][0]) <= RTOL
    assert rel(rec.uhat, ref["uhat"][0]) <= RTOL
    assert rel(rec.W_next, ref["W"][1]) <= RTOL
    assert rel(rec.u_before, reference.whole_output(W0, a, X, xi)) <= RTOL
    assert rel(rec.u_after, reference.whole_output(ref["W"][1], a, X, xi)) <= RTOL
    W_t, uhat_t = A.local_train(W0, a, M[1], X, y, 0.3, tau)
    assert rel(W_t, ref["W_local"][0, 1]) <= RTOL and rel(uhat_t, ref["uhat"][0, 1]) <= RTOL


@pytest.mark.parametrize("p", [1, 2, 4])
def test_S8a_xi_one_is_gradient_descent(p):
    """S-8(a): Bernoulli masks with xi = 1 are all ones; Algorithm 1 equals full-batch GD for K*tau steps for
    every p, and u = f."""
    X, y, W0, a = make(7, 5, 3, 6)
    K, tau = 3, 2
    M = draw_masks(1, "bernoulli", K, p, 6, 1.0)
    assert bool(M.all())
    res = A.run(X, y, W0, a, M, 1.0, 0.2, tau)
    gd = reference.gradient_descent(X, y, W0, a, 0.2, K * tau)
    assert rel(res.W, gd[-1]) <= RTOL
    u = network.whole_output(res.W, torch.tensor(a), torch.tensor(X), 1.0)
    assert torch.equal(u, network.f(res.W, torch.tensor(a), torch.tensor(X)))


def test_S8b_categorical_p1_is_gradient_descent():
    """S-8(b): categorical masks with p = 1 select every neuron and xi = 1: full-batch GD for K*tau steps."""
    X, y, W0, a = make(8, 4, 2, 5)
    M = draw_masks(2, "categorical", 4, 1, 5, 1.0)
    assert bool(M.all())
    res = A.ist_categorical(X, y, W0, a, p=1, tau=3, eta=0.25, K=4, generator=torch.Generator().manual_seed(2))
    gd = reference.gradient_descent(X, y, W0, a, 0.25, 12)
    assert rel(res.W, gd[-1]) <= RTOL
    assert rel(A.full_gd(X, y, W0, a, eta=0.25, K=12).W, gd[-1]) <= RTOL


@pytest.mark.parametrize("kind", ["bernoulli", "categorical"])
def test_S8c_tau_one_is_mixing_gradient_step(kind):
    """S-8(c) (SPEC S-8c), N-8: with tau = 1, w_{k+1,r} = w_{k,r} - eta g_{k,r}, g_{k,r} = eta_{k,r} sum_l dL_{m^l}(W_k)/dw_r."""
    X, y, W0, a = (torch.tensor(v) for v in make(9, 5, 3, 10))
    p, xi = 3, (0.5 if kind == "bernoulli" else 1 / 3)
    M = draw_masks(3, kind, 1, p, 10, xi)[0]
    g = masks_mod.aggregation_weights(M).unsqueeze(-1) * network.surrogate_grad(W0, a, M, X, y).sum(0)  # (m, d)
    rec = A.global_step(W0, a, X, y, M, xi, 0.4, 1)
    assert rel(rec.W_next, W0 - 0.4 * g) <= RTOL


def test_S8d_dropout_formula():
    """S-8(d) (SPEC S-8d): p = 1, tau = 1: w_{k+1,r} = w_{k,r} - eta m_r (1/sqrt m) sum_i a_r (f_m(W_k,x_i) - y_i) x_i
    1{<w_{k,r},x_i> >= 0}; no 1/xi rescaling in training."""
    X, y, W0, a = make(10, 6, 3, 8)
    mask = draw_masks(5, "bernoulli", 1, 1, 8, 0.3)[0, 0].numpy().astype(float)
    m, eta = 8, 0.3
    fm = np.array([sum(a[r] * mask[r] * max(W0[r] @ x, 0.0) for r in range(m)) / math.sqrt(m) for x in X])
    expected = W0.copy()
    for r in range(m):
        s = sum(a[r] * (fm[i] - y[i]) * X[i] * (W0[r] @ X[i] >= 0) for i in range(len(y)))
        expected[r] = W0[r] - eta * mask[r] * s / math.sqrt(m)
    rec = A.global_step(W0, a, X, y, mask[None], 0.3, eta, 1)
    assert rel(rec.W_next, expected) <= RTOL


@pytest.mark.parametrize("p", [2, 3, 5])
def test_S4c_S8e_categorical_average_and_convexity(p):
    """S-4(c), S-8(e) (SPEC S-8e): categorical masks give u_{k+1} = (1/p) sum_l uhat^l_{k,tau}, hence
    ||y - u_{k+1}||^2 <= (1/p) sum_l ||y - uhat^l_{k,tau}||^2."""
    X, y, W0, a = make(11 + p, 6, 3, 12)
    M = draw_masks(p, "categorical", 1, p, 12, 1 / p)[0]
    rec = A.global_step(W0, a, X, y, M, 1 / p, 0.3, 3)
    assert rel(rec.u_after, rec.uhat[:, -1].mean(0)) <= RTOL
    lhs = float(((torch.tensor(y) - rec.u_after) ** 2).sum())
    rhs = float(((torch.tensor(y) - rec.uhat[:, -1]) ** 2).sum(-1).mean())
    assert lhs <= rhs * (1 + RTOL)


def test_S8e_planted_wrong_bernoulli_average_is_detected():
    """S-8(e) premise is specific to categorical masks: with Bernoulli masks u_{k+1} != mean_l uhat^l_{k,tau}
    in general (this comparison must be able to fail)."""
    X, y, W0, a = make(21, 6, 3, 12)
    M = draw_masks(4, "bernoulli", 1, 3, 12, 0.5)[0]
    rec = A.global_step(W0, a, X, y, M, 0.5, 0.3, 3)
    assert rel(rec.u_after, rec.uhat[:, -1].mean(0)) > 1e-6


def test_S7_records_and_phases():
    """S-7 trajectory records: subnet losses, the three phases of Fig 2(a), distances, activation changes, NTKs."""
    cfg = A.Config(n=6, d=3, m=20, p=3, tau=2, K=3, eta=0.3, trials=2)
    inst = A.init_instance(cfg)
    res = A.run(inst.X, inst.y, inst.W0, inst.a, inst.masks, cfg.xi, cfg.eta, cfg.tau, record=A.RECORDS)
    rec = res.records
    assert rec["subnet_loss"].shape == (2, 3, 3, 3)
    assert torch.allclose(rec["phases"]["after_aggregation"], res.loss[:, 1:])
    assert torch.allclose(rec["phases"]["after_resampling"], rec["subnet_loss"][..., 0].mean(-1))
    assert bool((rec["dist_local"][..., 0] == 0).all())
    assert bool((rec["dist_init"][:, 0, :, 0] == 0).all())
    # max_r ||w_{k+1,r} - w_{0,r}||: each w_{k+1,r} is an average of local iterates or frozen, so it is
    # bounded by the largest recorded max_r ||w^l_{k,t,r} - w_{0,r}|| of that step (convexity of the norm)
    assert rec["act_changes"][:, 0].tolist() == [0, 0]
    assert rec["lambda_min_H"].shape == (2, 4) and rec["lambda_min_masked_H"].shape == (2, 3, 3)
    assert torch.equal(rec["weights"][:, 0], inst.W0) and torch.equal(rec["weights"][:, -1], res.W)
    lam = ntk.lambda_min_batched(ntk.H(rec["weights"][1, 2], inst.X, cfg.xi))
    assert float(lam) == pytest.approx(float(rec["lambda_min_H"][1, 2]), rel=1e-12)
    drift = (rec["weights"] - inst.W0.unsqueeze(1)).norm(dim=-1).amax(-1)        # (T, K+1)
    assert bool((drift[:, 1:] <= rec["dist_init"].amax((-1, -2)) + 1e-12).all())


def test_S7_determinism_and_lazy_masks():
    """S-7: same seed/device/dtype -> bit-identical results; masks drawn step by step equal given masks."""
    cfg = A.Config(n=8, d=4, m=30, p=2, tau=2, K=4, eta=0.2, trials=3, seed=4)
    inst = A.init_instance(cfg)
    r1 = A.run(inst.X, inst.y, inst.W0, inst.a, inst.masks, cfg.xi, cfg.eta, cfg.tau)
    r2 = A.run(inst.X, inst.y, inst.W0, inst.a, inst.masks, cfg.xi, cfg.eta, cfg.tau)
    assert torch.equal(r1.W, r2.W) and torch.equal(r1.loss, r2.loss)
    inst2 = A.init_instance(cfg, with_masks=False)
    g = torch.Generator().manual_seed(0)
    M = masks_mod.bernoulli_masks(4, 2, 30, cfg.xi, torch.Generator().manual_seed(0), trials=3)
    r3 = A.ist_bernoulli(inst2.X, inst2.y, inst2.W0, inst2.a, xi=cfg.xi, p=2, tau=2, eta=0.2, K=4, generator=g)
    r4 = A.run(inst2.X, inst2.y, inst2.W0, inst2.a, M, cfg.xi, 0.2, 2)
    assert torch.equal(r3.W, r4.W)


def test_S7_float32_close_to_float64():
    """S-7: float32 runs follow the float64 trajectory closely on a benign instance."""
    cfg = A.Config(n=6, d=3, m=50, p=2, tau=2, K=5, eta=0.1)
    inst = A.init_instance(cfg)
    r64 = A.run(inst.X, inst.y, inst.W0, inst.a, inst.masks, cfg.xi, cfg.eta, cfg.tau)
    r32 = A.run(inst.X, inst.y, inst.W0, inst.a, inst.masks, cfg.xi, cfg.eta, cfg.tau, dtype="float32")
    assert r32.loss.dtype == torch.float32
    assert rel(r32.loss, r64.loss) < 1e-5


def test_S7_divergence_is_an_outcome():
    """S-7: a non-finite loss stops that trial and is recorded in diverged_at; no exception."""
    X, y, W0, a = make(12, 5, 3, 16, T=2, kappa=3.0)
    W0[1] *= 0.01
    M = draw_masks(0, "bernoulli", 60, 2, 16, 1.0, T=2)
    etas = 1e3
    res = A.run(X, y, W0, a, M, 1.0, etas, 3, dtype="float32")
    assert res.diverged_at[0] is not None
    k = res.diverged_at[0]
    assert not math.isfinite(float(res.loss[0, k]))
    assert bool(torch.isnan(res.loss[0, k + 1:]).all())


def test_S7_K_zero_is_no_training():
    """S-7: K = 0 returns W_0 and the initial loss only."""
    X, y, W0, a = make(13, 3, 2, 4)
    res = A.run(X, y, W0, a, np.zeros((0, 2, 4)), 0.5, 0.1, 1)
    assert res.loss.shape == (1,) and torch.equal(res.W, torch.tensor(W0))


@pytest.mark.parametrize("change, name", [
    (dict(xi=0.0), "xi"), (dict(xi=1.5), "xi"), (dict(xi=float("nan")), "xi"), (dict(eta=0.0), "eta"),
    (dict(eta=-1.0), "eta"), (dict(tau=0), "tau"), (dict(X=np.full((3, 2), np.nan)), "X"),
    (dict(y=np.zeros(4)), "y"), (dict(masks=np.zeros((1, 2, 5))), "masks"),
    (dict(masks=np.full((1, 2, 4), 2)), "masks"), (dict(dtype="float16"), "dtype"),
    (dict(device="tpu"), "device"), (dict(W0=np.zeros((4, 3))), "W0"), (dict(a=np.ones(5)), "a"),
    (dict(record=("everything",)), "record"),
])
def test_S7_invalid_inputs(change, name):
    """S-7 inputs: xi in (0,1], eta > 0, tau >= 1, finite X/y, matching shapes, 0/1 masks, dtype/device names."""
    X, y, W0, a = make(14, 3, 2, 4)
    kw = dict(X=X, y=y, W0=W0, a=a, masks=np.ones((1, 2, 4)), xi=0.5, eta=0.1, tau=1)
    kw.update(change)
    with pytest.raises(InvalidParameterError, match=f"The '{name}' parameter of run"):
        A.run(**kw)


@pytest.mark.parametrize("change, name", [(dict(p=0), "p"), (dict(m=0), "m"), (dict(K=-1), "K"),
                                          (dict(mask="other"), "mask"), (dict(mask="categorical", xi=0.3), "xi")])
def test_S7_config_validation(change, name):
    """S-7 config: p, m >= 1, K >= 0, mask law name, categorical xi = 1/p."""
    with pytest.raises(InvalidParameterError, match=f"The '{name}' parameter of Config"):
        A.Config(**change)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error raised when CUDA is absent")
def test_S7_cuda_unavailable_raises():
    """S-7: asking for cuda without CUDA raises DeviceUnavailableError (one clear message)."""
    X, y, W0, a = make(15, 3, 2, 4)
    with pytest.raises(DeviceUnavailableError, match="CUDA is not available"):
        A.run(X, y, W0, a, np.ones((1, 1, 4)), 0.5, 0.1, 1, device="cuda")


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("kind", ["bernoulli", "categorical"])
def test_S7_cuda_equals_cpu_and_is_deterministic(kind):
    """S-7 on CUDA: float64 results equal the CPU engine to 1e-12 relative; repeated runs are bit-identical."""
    cfg = A.Config(n=20, d=8, m=300, p=3, tau=3, K=5, eta=0.2, trials=4, mask=kind)
    inst = A.init_instance(cfg)
    cpu = A.run(inst.X, inst.y, inst.W0, inst.a, inst.masks, cfg.xi, cfg.eta, cfg.tau)
    g1 = A.run(inst.X, inst.y, inst.W0, inst.a, inst.masks, cfg.xi, cfg.eta, cfg.tau, device="cuda")
    g2 = A.run(inst.X, inst.y, inst.W0, inst.a, inst.masks, cfg.xi, cfg.eta, cfg.tau, device="cuda")
    assert torch.equal(g1.W, g2.W) and torch.equal(g1.loss, g2.loss)
    assert rel(g1.W.cpu(), cpu.W) <= RTOL and rel(g1.loss.cpu(), cpu.loss) <= RTOL


@pytest.mark.parametrize("T, p", [(1, 3), (20, 3)])
def test_S7_selection_paths_agree(T, p, monkeypatch):
    """S-7 line 4 (selected neurons): the per-row and the vectorized selection give the same padded rows,
    and the engine gives bit-identical results with either."""
    M = masks_mod.bernoulli_step(p, 40, 0.3, torch.Generator().manual_seed(T), trials=T)
    X, y, W0, a = (torch.tensor(v) for v in make(T, 5, 3, 40, T))
    monkeypatch.setattr(A, "_SELECT_LOOP_ROWS", 0)
    flat_v, valid_v = A._select(M)
    W_v = A._global_step(W0, a, X, y, M, 0.3, 0.2, 2)["W_next"]
    monkeypatch.setattr(A, "_SELECT_LOOP_ROWS", 10**9)
    flat_l, valid_l = A._select(M)
    W_l = A._global_step(W0, a, X, y, M, 0.3, 0.2, 2)["W_next"]
    assert torch.equal(flat_v, flat_l) and torch.equal(valid_v, valid_l) and torch.equal(W_v, W_l)
    rows = flat_l[valid_l]
    assert rows.numel() == int(M.sum()) and rows.unique().numel() * p >= rows.numel()

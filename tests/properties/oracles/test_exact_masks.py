"""Tests of maskverify.properties.oracles.exact_masks: closed forms against enumeration, the SPEC 5.0 mask facts
(derived tools, verified here before the checks use them), and the per-neuron closed forms of the bound
lemmas against brute-force expectations over all masks."""

import itertools
import math
from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp

from maskverify.properties.oracles import exact_masks as E

XIS = [F(j, 20) for j in range(1, 21)] + [F(1, 100), F(1, 3), F(2, 7)]


def _brute_column(p, xi, fn):
    """Independent oracle: E[fn(column)] over one Bern(xi) column, summed pattern by pattern."""
    tot = F(0)
    for c in itertools.product((0, 1), repeat=p):
        w = F(1)
        for b in c:
            w *= xi if b else 1 - xi
        tot += w * fn(c)
    return tot


@pytest.mark.parametrize("p", [1, 2, 3, 4, 5])
def test_closed_forms_equal_enumeration_5_0(p):
    """SPEC 5.0 tools / L-25 / L-28 / L-31(a): every Bin(p, xi) closed form equals enumeration exactly."""
    for xi in XIS:
        th = E.cf_theta(p, xi)
        assert th == E.theta_of(p, xi) == E.enum_expect(p, 1, "N", xi)
        assert E.cf_e_p(p, xi) == E.enum_expect(p, 1, "eta", xi)
        assert E.cf_inv_X_given_pos(p, xi) == E.enum_cond(p, 1, "eta", xi)
        assert E.cf_m_over_X_given_pos(p, xi) == E.enum_cond(p, 1, "c0_over_X", xi)
        assert E.cf_m_over_X2_given_pos(p, xi) == E.enum_cond(p, 1, "c0_over_X2", xi)
        if 2 * p <= 10:
            var = E.enum_cond(p, 2, "Nnu2", xi) - E.enum_cond(p, 2, "Nnu", xi) ** 2
            assert var == E.cf_nu_cond_var(p, xi)
            assert E.enum_cond(p, 2, "Nnu2", xi) == E.cf_nu_cond_second(p, xi)
            assert E.enum_cond(p, 2, "Nnu", xi) == E.cf_nu_cond_mean(p, xi) == xi
            assert E.enum_expect(p, 2, "A0", xi) == E.cf_e_p(p, xi)
            assert E.enum_expect(p, 2, "A1", xi) == xi * E.cf_e_p(p, xi)


@pytest.mark.parametrize("p", [1, 2, 3, 6])
def test_enumeration_tables_against_pattern_by_pattern_oracle(p):
    """Enumeration tables (grouped by number of ones) equal a naive pattern-by-pattern sum."""
    for xi in (F(1, 3), F(7, 10)):
        assert E.enum_expect(p, 1, "eta", xi) == _brute_column(p, xi, lambda c: F(1, sum(c)) if sum(c) else 0)
        assert E.enum_expect(p, 1, "N", xi) == _brute_column(p, xi, lambda c: 1 if sum(c) else 0)


def test_mask_facts_5_0():
    """SPEC 5.0 mask facts: theta >= xi, theta - xi^2 >= xi(1-xi) >= 0, theta increasing in p,
    E[m^l/N] = theta/p, E[1/(1+Y)] = theta/(p xi), e_p formula; exact over p <= 12, xi grid."""
    for xi in XIS:
        prev = F(0)
        for p in range(1, 13):
            th = E.theta_of(p, xi)
            assert th >= xi and th - xi * xi >= xi * (1 - xi) >= 0
            assert th >= prev and (th > prev or xi == 1)
            prev = th
            assert E.cf_inv_1pY(p, xi) == th / (p * xi)
            ep = sum(math.comb(p, x) * xi ** x * (1 - xi) ** (p - x) / x for x in range(1, p + 1))
            assert E.cf_e_p(p, xi) == ep
            if p <= 8:
                assert E.enum_expect(p, 1, "c0_over_X", xi) == th / p          # E[m^l_{k,r}/N_{k,r}]
                # E[1/(1+Y)] by enumeration of the other p-1 entries: E[m^0/X | m^0 = 1]
                assert E.enum_expect(p, 1, "c0_over_X", xi) / E.enum_expect(p, 1, "c0", xi) == th / (p * xi)


def test_symbolic_theta_and_reciprocal_moment():
    """L-25 and L-28(e) symbolically for p <= 6: sum_{x>=1} C(p,x) xi^x (1-xi)^(p-x) = 1-(1-xi)^p and
    E[1/(1+Bin(p-1,xi))] = theta/(p xi)."""
    xi = sp.Symbol("xi", positive=True)
    for p in range(1, 7):
        th = 1 - (1 - xi) ** p
        s = sum(sp.binomial(p, x) * xi ** x * (1 - xi) ** (p - x) for x in range(1, p + 1))
        assert sp.simplify(s - th) == 0
        r = sum(sp.binomial(p - 1, y) * xi ** y * (1 - xi) ** (p - 1 - y) / (1 + y) for y in range(p))
        assert sp.simplify(r - th / (p * xi)) == 0


def test_conditional_variance_hand_value():
    """L-28: Var(nu | N=1) at p=2, xi=1/2 by hand: P(X=1)=1/2, P(X=2)=1/4, theta=3/4,
    E[1/X|X>=1] = (1/2 + 1/8)/(3/4) = 5/6, Var = xi(1-xi) 5/6 = 5/24; Lemma 28 prints (3/4 - 1/4)/2 = 1/4."""
    assert E.cf_inv_X_given_pos(2, F(1, 2)) == F(5, 6)
    assert E.cf_nu_cond_var(2, F(1, 2)) == F(5, 24)
    th = E.theta_of(2, F(1, 2))
    assert (th - F(1, 4)) / 2 == F(1, 4)


def test_mask_lists():
    """S-2: Bernoulli mask weights sum to one; categorical masks are one-hot columns, p^m of them."""
    for p, m in [(1, 3), (2, 2), (3, 2)]:
        M, w = E.all_bernoulli_masks(p, m, F(1, 3))
        assert M.shape == (2 ** (p * m), p, m) and abs(w.sum() - 1) < 1e-14
        Mc, wc = E.all_categorical_masks(p, m)
        assert Mc.shape == (p ** m, p, m) and np.all(Mc.sum(axis=1) == 1) and abs(wc.sum() - 1) < 1e-14


def _rand_net(seed, m, n=2, d=2):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((m, d))
    X = rng.standard_normal((n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    return W, rng.choice([-1.0, 1.0], m), X, rng.standard_normal(n)


def test_mixing_forms_and_network_against_impl():
    """N-7: both forms of the mixing function agree; the numpy network agrees with maskverify.impl.network."""
    W, a, X, y = _rand_net(1, 4)
    M, _ = E.all_bernoulli_masks(2, 4, 0.5)
    assert np.allclose(E.net_mixing_f(M, W, a, X), E.net_mixing_f_first(M, W, a, X), rtol=1e-13, atol=1e-15)
    torch = pytest.importorskip("torch")
    net = pytest.importorskip("maskverify.impl.network")
    t = torch.as_tensor
    assert np.allclose(net.f(t(W), t(a), t(X)).numpy(), E.net_f(W, a, X), rtol=1e-13)
    for mask in M[:20, 0]:
        assert np.allclose(net.surrogate_grad(t(W), t(a), t(mask), t(X), t(y)).numpy(),
                           E.net_surrogate_grad(W, a, mask, X, y), rtol=1e-12, atol=1e-14)
    assert np.allclose(net.full_grad(t(W), t(a), t(X), t(y), 0.3).numpy(), E.net_full_grad(W, a, X, y, 0.3),
                       rtol=1e-12, atol=1e-14)


def _exact_rational_net(seed, m, n=2):
    rng = np.random.default_rng(seed)
    W = [[F(int(v), 7) for v in rng.integers(-9, 10, 2)] for _ in range(m)]
    X = [[F(3, 5), F(4, 5)], [F(1), F(0)], [F(0), F(-1)]][:n]
    a = [int(v) for v in rng.choice([-1, 1], m)]
    return W, a, X


@pytest.mark.parametrize("p,m", [(1, 1), (1, 3), (2, 2), (2, 3), (3, 2)])
def test_lemma10_and_31_closed_forms_exact_enumeration(p, m):
    """L-10, L-31, L-32: the per-neuron closed forms equal exact (Fraction) enumeration over all masks."""
    W, a, X = _exact_rational_net(p * 10 + m, m)
    S = E.sig_matrix(W, X)
    for xi in (F(1, 3), F(3, 4), F(1)):
        num10 = den = num31 = num32 = F(0)
        for bits in itertools.product((0, 1), repeat=p * m):
            M = [bits[l * m:(l + 1) * m] for l in range(p)]
            w = F(1)
            for b in bits:
                w *= xi if b else 1 - xi
            Xr = sum(M[l][0] for l in range(p))
            eta = F(1, Xr) if Xr else F(0)
            # m (f^{(i)}_{k,0} - u^{(i)})^2 summed over i
            nu = [eta * sum(M[l][0] * M[l][s] for l in range(p)) for s in range(m)]
            fu = sum((sum(a[s] * (nu[s] - xi) * S[s][i] for s in range(m))) ** 2 for i in range(len(X)))
            if Xr:
                num10 += w * fu
                den += w
            dev = [sum((sum(a[s] * (xi - M[l][s]) * S[s][i] for s in range(m))) ** 2 for i in range(len(X)))
                   for l in range(p)]
            num31 += w * eta * eta * sum(M[l][0] * dev[l] for l in range(p))
            num32 += w * dev[0]
        assert num10 / den / m == E.lemma10_lhs(p, xi, W, X)
        assert num31 / m == E.lemma31_lhs(p, xi, W, X)
        assert num32 / m == E.lemma32_lhs(xi, W, X)


def test_lemma11_closed_form_against_float_enumeration():
    """L-11: E||g_{k,r}||^2 closed form equals the float64 enumeration over all masks (N-8 last form)."""
    p, m = 2, 3
    W, a, X, y = _rand_net(5, m, n=3)
    for xi in (0.25, 0.6):
        M, w = E.all_bernoulli_masks(p, m, xi)
        _, Np, _ = E.mask_quantities(M)
        Fm = E.net_mixing_f(M, W, a, X)[:, 0]
        act = (W[0] @ X.T >= 0).astype(float)
        g = ((Fm - Np[:, :1] * y) * a[0] * act) @ X / math.sqrt(m)
        lhs = float(w @ (g ** 2).sum(1))
        cf = E.lemma11_sq_lhs(p, F(xi), [[F(v) for v in r] for r in W], [int(v) for v in a],
                              [[F(v) for v in r] for r in X], [F(v) for v in y])
        assert abs(lhs - float(cf)) <= 1e-12 * max(abs(lhs), 1e-300)


def test_hypothesis_forms_and_ball():
    """L-10 hypothesis forms (per-i, printed, summed) and the R-ball, exact."""
    X = [[F(1), F(0)], [F(0), F(1)]]
    W0 = [[F(1), F(0)]]                      # <w0,x_1>^2 = 1, <w0,x_2>^2 = 0
    forms = E.hypothesis_forms(W0, X, 1, F(1), F(1))  # per-i budget 2 - 1 = 1, printed/summed 4 - 2 = 2
    assert forms == {"per_i": True, "printed": True, "summed": True}
    forms = E.hypothesis_forms([[F(3, 2), F(0)]], X, 1, F(1), F(1))   # 9/4 > 1 and > 2
    assert forms == {"per_i": False, "printed": False, "summed": False}
    assert E.in_ball(W0, [[F(2), F(0)]], F(1)) and not E.in_ball(W0, [[F(2), F(1, 10)]], F(1))


def test_local_training_step_decreases_surrogate_loss_for_small_eta():
    """S-7 (numpy transcription used by S-4(c)/(d), L-20, L-21): one small GD step lowers the 1/2-loss, and
    with categorical masks the average of the trained surrogates is the next whole output (S-4(c))."""
    W, a, X, y = _rand_net(3, 4, n=3)
    mask = np.array([1.0, 0.0, 1.0, 1.0])
    Ws, uh = E.local_train(W, a, mask, X, y, 1e-3, 1)
    assert ((y - uh[1]) ** 2).sum() < ((y - uh[0]) ** 2).sum()
    M = np.array([[1.0, 0, 1, 0], [0, 1.0, 0, 1]])
    W1, uhat = E.global_step(W, a, X, y, M, 0.3, 3)
    assert np.allclose(E.net_u(W1, a, X, 0.5), uhat[:, -1].mean(0), rtol=1e-13)


def test_global_step_against_impl_algorithm1():
    """S-7 (used by S-4(c), S-4(d), L-20, L-21): the numpy global step equals
    maskverify.impl.algorithm1.global_step for Bernoulli and categorical masks (rtol 1e-12)."""
    torch = pytest.importorskip("torch")
    alg = pytest.importorskip("maskverify.impl.algorithm1")
    W, a, X, y = _rand_net(11, 5, n=4, d=3)
    for M in (np.array([[1.0, 0, 1, 1, 0], [0, 1.0, 1, 0, 0]]),           # Bernoulli-like, overlaps and gaps
              np.array([[1.0, 0, 0, 1, 0], [0, 1.0, 1, 0, 1]])):          # categorical (one-hot columns)
        W1, uh = E.global_step(W, a, X, y, M, 0.2, 3)
        rec = alg.global_step(torch.as_tensor(W), torch.as_tensor(a), torch.as_tensor(X), torch.as_tensor(y),
                              torch.as_tensor(M), 0.5, 0.2, 3)
        assert np.allclose(rec.W_next.numpy(), W1, rtol=1e-12, atol=1e-14)
        assert np.allclose(rec.uhat.numpy(), uh, rtol=1e-12, atol=1e-14)


def test_lemma32_closed_form_categorical_enumeration():
    """L-32 (categorical masks, xi = 1/p, p.44): E||u - uhat^l||^2 = (xi(1-xi)/m) sum sigma^2 by enumeration."""
    for p, m in [(2, 3), (3, 3)]:
        W, a, X, _ = _rand_net(p + m, m, n=3)
        M, w = E.all_categorical_masks(p, m)
        u = E.net_u(W, a, X, 1.0 / p)
        U = E.net_uhat(M, W, a, X)
        for l in range(p):
            lhs = float(w @ ((U[:, l] - u) ** 2).sum(1))
            cf = float(E.lemma32_lhs(F(1, p), [[F(v) for v in r] for r in W], [[F(v) for v in r] for r in X]))
            assert abs(lhs - cf) <= 1e-12 * max(lhs, 1e-300)

"""S-7 · Algorithm 1 (p.5) as a literal loop transcription: the oracle of the differential tests only.

Plain numpy float64, one loop per index of the paper (k, l, t, r, i), nothing vectorized beyond the
d-dimensional inner products. Slow by design; never used for results.
"""

from __future__ import annotations

import math

import numpy as np


def relu(z):
    return z if z > 0.0 else 0.0


def surrogate(W, a, mask, x):
    """S-3: f_{m^l}(W, x) = (1/sqrt m) sum_r a_r m^l_r sigma(<w_r, x>)."""
    m = W.shape[0]
    total = 0.0
    for r in range(m):
        total += a[r] * mask[r] * relu(float(np.dot(W[r], x)))
    return total / math.sqrt(m)


def surrogate_grad(W, a, mask, X, y):
    """S-6: dL_{m^l}(W)/dw_r = (1/sqrt m) sum_i a_r m^l_r (f_{m^l}(W, x_i) - y_i) x_i 1{<w_r, x_i> >= 0}."""
    m, d = W.shape
    n = X.shape[0]
    fx = [surrogate(W, a, mask, X[i]) for i in range(n)]
    grad = np.zeros((m, d))
    for r in range(m):
        for i in range(n):
            if float(np.dot(W[r], X[i])) >= 0.0:
                grad[r] += a[r] * mask[r] * (fx[i] - y[i]) * X[i] / math.sqrt(m)
    return grad


def whole_output(W, a, X, xi):
    """S-4: u^{(i)} = (xi/sqrt m) sum_r a_r sigma(<w_r, x_i>)."""
    ones = np.ones(W.shape[0])
    return np.array([xi * surrogate(W, a, ones, X[i]) for i in range(X.shape[0])])


def algorithm1(X, y, W0, a, masks, xi, eta, tau):
    """Run Algorithm 1 with given masks (K, p, m). Returns a dict of numpy arrays:
    W (K+1, m, d), loss (K+1,) = ||y - u_k||^2, W_local (K, p, tau+1, m, d), uhat (K, p, tau+1, n)."""
    X, y, W0, a = (np.asarray(v, dtype=np.float64) for v in (X, y, W0, a))
    masks = np.asarray(masks).astype(np.float64)
    K, p, m = masks.shape
    n = X.shape[0]
    d = X.shape[1]
    W = W0.copy()                                                            # line 1
    Ws = [W.copy()]
    losses = [float(np.sum((y - whole_output(W, a, X, xi)) ** 2))]
    W_local = np.zeros((K, p, tau + 1, m, d))
    uhat = np.zeros((K, p, tau + 1, n))
    for k in range(K):                                                       # line 2
        M = masks[k]                                                         # line 3
        Delta = np.zeros((p, m, d))
        for l in range(p):                                                   # line 4
            Wl = W.copy()                                                    # line 5
            for t in range(tau):
                W_local[k, l, t] = Wl
                uhat[k, l, t] = [surrogate(Wl, a, M[l], X[i]) for i in range(n)]
                Wl = Wl - eta * surrogate_grad(Wl, a, M[l], X, y)            # line 6
            W_local[k, l, tau] = Wl
            uhat[k, l, tau] = [surrogate(Wl, a, M[l], X[i]) for i in range(n)]
            Delta[l] = Wl - W                                                # line 7
        W_next = W.copy()
        for r in range(m):                                                   # line 8
            X_r = sum(M[l, r] for l in range(p))
            eta_r = min(X_r, 1.0) / max(X_r, 1.0)                            # N^perp / N
            total = np.zeros(d)
            for l in range(p):
                total = total + Delta[l, r]
            W_next[r] = W[r] + eta_r * total                                 # line 9
        W = W_next
        Ws.append(W.copy())
        losses.append(float(np.sum((y - whole_output(W, a, X, xi)) ** 2)))
    return {"W": np.array(Ws), "loss": np.array(losses), "W_local": W_local, "uhat": uhat}


def gradient_descent(X, y, W0, a, eta, steps):
    """Plain full-batch GD on (1/2)||y - f(W, X)||^2 (the S-8(a)/(b) oracle). Returns W (steps+1, m, d)."""
    W = np.asarray(W0, dtype=np.float64).copy()
    ones = np.ones(W.shape[0])
    Ws = [W.copy()]
    for _ in range(steps):
        W = W - eta * surrogate_grad(W, np.asarray(a, dtype=np.float64), ones, np.asarray(X, dtype=np.float64),
                                     np.asarray(y, dtype=np.float64))
        Ws.append(W.copy())
    return np.array(Ws)

"""Data and high-precision helpers shared by the NTK checks (N-, T-1) and P-2(g).
"""

from __future__ import annotations

import numpy as np


def _ntk():
    from maskverify.impl import ntk

    return ntk


def _np(t):
    return t.detach().cpu().numpy() if hasattr(t, "detach") else np.asarray(t)


def _data(n, d, seed, min_angle=0.0):
    from maskverify.properties.framework.strategies import build_dataset

    return np.asarray(build_dataset(n, d, seed, min_angle=min_angle))


def _lambda_min_mp(X, dps=60):
    import mpmath as mp

    with mp.workdps(dps):
        Xm = mp.matrix([[mp.mpf(float(v)) for v in row] for row in X])
        n = Xm.rows
        K = mp.matrix(n, n)
        for i in range(n):
            for j in range(n):
                c = sum(Xm[i, k] * Xm[j, k] for k in range(Xm.cols))
                ni = mp.sqrt(sum(Xm[i, k] ** 2 for k in range(Xm.cols)))
                nj = mp.sqrt(sum(Xm[j, k] ** 2 for k in range(Xm.cols)))
                cos = max(min(c / (ni * nj), mp.mpf(1)), mp.mpf(-1))
                K[i, j] = c * (mp.pi - mp.acos(cos)) / (2 * mp.pi)
        ev = mp.eigsy(K, eigvals_only=True)
        return min(ev)

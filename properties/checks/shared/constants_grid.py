"""Grids of admissible values on which the constants checks (C-) evaluate printed forms.
"""

from __future__ import annotations

import math

import sympy as sp

from maskverify.properties.checks.shared.symbolic import _eta_L17
from maskverify.theory import constants as cst
from maskverify.theory import symbols as S

#: The standard grid on which every C-check reports the log10 magnitude of each printed form (vacuity).
_GRID_NS = (4, 64, 1024)


def _grid_values(n):
    lam = sp.Rational(1, 8)
    return {"n": n, "d": 2, "p": 2, "K": 2, "tau": 2, "xi": sp.Rational(1, 2), "lambda_0": lam,
            "kappa": 1 / sp.sqrt(n), "delta": sp.Rational(1, 10), "C": 2, "gamma": sp.Rational(1, 2),
            "m": 10**12, "t": sp.Rational(1, 4) * n, "R": lam / (192 * sp.sqrt(n) * n),
            "eta": _eta_L17(lam, n, 2, 2)}


def _forms_grid(item_id):
    """log10 |form| of every printed form of ``item_id`` at n in {4, 64, 1024} (xi = 1/2, lambda_0 = 1/8,
    kappa = n^{-1/2}, p = tau = K = d = 2, delta = 1/10, C = 2, gamma = 1/2, m = 1e12, eta at C-9 Lemma 17,
    t kappa^2 = 1/4, R = kappa lambda_0/(192 n)); O()-forms with constant 1."""
    out = {}
    for f in cst.get(item_id).forms:
        row = {}
        for n in _GRID_NS:
            vals = _grid_values(n)
            v = f.expr.xreplace({S.ALL[k]: sp.sympify(x) for k, x in vals.items()})
            row[f"n={n}"] = _log10_safe(v)
        out[f"{f.name} ({f.page})"] = row
    return out


def _log10_safe(v):
    try:
        x = abs(float(sp.N(v, 30)))
    except (TypeError, ValueError):
        return None
    if x == 0:
        return "-inf"
    return round(math.log10(x), 3) if math.isfinite(x) else "inf"


def _with_forms_grid(fn):
    """Attach the log10 table of the item's printed forms to the Outcome's evidence."""
    import functools

    @functools.wraps(fn)
    def wrapped(ctx):
        out = fn(ctx)
        out.evidence["printed_forms_log10"] = _forms_grid(ctx.item_id or fn.__name__.split("_")[1])
        return out

    return wrapped

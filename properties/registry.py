"""The item registry: one check function per SPEC item or sub-claim, tagged with its ID.

A check is a plain function ``check(ctx) -> Outcome`` decorated with :func:`item`::

    @item("L-28(b)", title="conditional variance of nu", source="Lemma 28, p.52", kind="identity")
    def check_L28b_variance(ctx):
        ...
        return verdicts.from_cases(...)

``ctx`` (:class:`Context`) gives the profile, a deterministic per-item random generator and the
family-wise false-alarm rate. Checks never assert, hard-code or xfail a verdict.

Check modules are listed in :data:`CHECK_MODULES`; :func:`load_all` imports them so their decorators run.
"""

from __future__ import annotations

import hashlib
import importlib
from dataclasses import dataclass, field

import numpy as np

from maskverify.properties.spec_index import sort_key

#: Modules that define checks (one per SPEC area). Imported lazily by :func:`load_all`.
CHECK_MODULES = [
    "maskverify.properties.checks_setup",        # S-  (Algorithm 1, masks, surrogate, loss)
    "maskverify.properties.checks_ntk",          # N-  (NTK objects, proof definitions)
    "maskverify.properties.checks_theory",       # T-4(b), T-5..T-7 symbolic, C- constants
    "maskverify.properties.checks_masks",        # L- mask identities, P-2 exact statements
    "maskverify.properties.checks_probability",  # L-23, L-29, L-30, L-33, P-1, T-2, T-9 explicit parts
    "maskverify.properties.checks_trajectory",   # T-3, T-4, T-8, L-10..L-22 on trajectories / weights
    "maskverify.properties.checks_experiments",  # E-1..E-4
]


@dataclass(frozen=True)
class ItemCheck:
    id: str
    title: str
    source: str
    kind: str
    fn: object
    needs: str | None = None


@dataclass
class Context:
    """What a check receives. ``rng(salt)`` is deterministic in (seed, item id, salt)."""

    profile: object
    seed: int = 0
    item_id: str = ""
    alpha: float = 0.01
    device: str = "cpu"
    extras: dict = field(default_factory=dict)

    def rng(self, salt=""):
        return np.random.default_rng(self.int_seed(salt))

    def int_seed(self, salt=""):
        h = hashlib.sha256(f"{self.seed}|{self.item_id}|{salt}".encode()).digest()
        return int.from_bytes(h[:8], "little") & ((1 << 63) - 1)


_REGISTRY: dict[str, ItemCheck] = {}


def item(item_id, *, title, source, kind, needs=None):
    """Register ``fn`` as the check of ``item_id`` (SPEC form, e.g. ``"T-2(c)"``)."""

    def deco(fn):
        if item_id in _REGISTRY and _REGISTRY[item_id].fn is not fn:
            raise RuntimeError(f"{item_id} registered twice ({_REGISTRY[item_id].fn.__name__}, {fn.__name__})")
        _REGISTRY[item_id] = ItemCheck(item_id, title, source, kind, fn, needs)
        fn.item_id = item_id
        return fn

    return deco


def load_all():
    """Import every check module (missing modules are skipped so partial builds still run)."""
    for name in CHECK_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return registry()


def registry():
    return dict(sorted(_REGISTRY.items(), key=lambda kv: sort_key(kv[0])))

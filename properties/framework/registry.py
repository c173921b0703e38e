"""The item registry: one check function per SPEC item or sub-claim, tagged with its ID.

A check is a plain function ``check(ctx) -> Outcome`` decorated with :func:`item`::

    @item("L-28(b)", title="conditional variance of nu", source="Lemma 28, p.52", kind="identity")
    def check_L28b_variance(ctx):
        ...
        return verdicts.from_cases(...)

``ctx`` (:class:`Context`) gives the profile, a deterministic per-item random generator and the
family-wise false-alarm rate. Checks never assert, hard-code or xfail a verdict.

Check modules are the modules of ``properties/checks/``; :func:`load_all` imports them so their decorators run.
"""

from __future__ import annotations

import hashlib
import importlib
from dataclasses import dataclass, field

import numpy as np

from maskverify.properties.framework.spec_index import sort_key

#: Check modules live in this package (one module per main result of the paper, see its docstring);
#: :func:`check_modules` discovers them, so the framework never imports a check module by name.
CHECKS_PACKAGE = "maskverify.properties.checks"


def check_modules():
    """Names of every module under ``maskverify.properties.checks`` (sorted), discovered by walking it."""
    import pkgutil

    pkg = importlib.import_module(CHECKS_PACKAGE)
    return sorted(m.name for m in pkgutil.walk_packages(pkg.__path__, prefix=f"{CHECKS_PACKAGE}.")
                  if not m.ispkg)


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
    """Import every check module so its ``@item`` decorators run; returns the registry."""
    for name in check_modules():
        importlib.import_module(name)
    return registry()


def registry():
    return dict(sorted(_REGISTRY.items(), key=lambda kv: sort_key(kv[0])))

"""The layering rules: theory imports no torch, impl no hypothesis, and neither imports properties; inside
properties, the framework imports no check module (nor the oracles, the Figure 2 reproduction or the
report), the oracles never import the engine or the checks, and a result's check module imports only
``checks.shared`` (plus, inside ``checks.appendix``, its sibling lemma modules); nothing installs a bare
top-level `theory`/`impl`/`properties` module."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "theory": {"torch", "hypothesis", "maskverify.impl", "maskverify.properties"},
    "impl": {"hypothesis", "maskverify.theory", "maskverify.properties"},
    "maskverify": {"torch", "sympy", "hypothesis"},  # top-level modules import heavy layers lazily only
    # The framework is what checks rely on: it discovers check modules by walking the package, never by name.
    "properties/framework": {"maskverify.properties.checks", "maskverify.properties.oracles",
                             "maskverify.properties.figure2", "maskverify.properties.report"},
    # Oracles are closed forms and exact laws: no engine, no checks, so a replay needs neither.
    "properties/oracles": {"torch", "maskverify.impl", "maskverify.properties.checks",
                           "maskverify.properties.figure2", "maskverify.properties.report"},
    "properties/checks/shared": {"maskverify.properties.report"},
    "properties/figure2": {"maskverify.properties.checks", "maskverify.properties.report"},
}


def imported_modules(path):
    tree = ast.parse(path.read_text())
    top_level = set()
    for node in tree.body:  # module-level imports only: lazy imports inside functions are allowed at top
        if isinstance(node, ast.Import):
            top_level |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            top_level.add(node.module)
    everywhere = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            everywhere |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            everywhere.add(node.module)
    return top_level, everywhere


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports(layer):
    bad = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        top, everywhere = imported_modules(path)
        mods = top if layer == "maskverify" else everywhere
        for mod in mods:
            if any(mod == f or mod.startswith(f + ".") for f in FORBIDDEN[layer]):
                bad.append(f"{path.relative_to(ROOT)}: {mod}")
    assert not bad, bad


def _result_of(module):
    """'maskverify.properties.checks.theorem3.proof' -> 'theorem3'; shared modules -> 'shared'."""
    return module.split(".")[3]


def test_check_modules_import_only_shared_machinery():
    """A result's module (e.g. checks/theorem3/proof.py) imports from checks.shared, never from another
    result's module, so each paper result can be read (and changed) on its own."""
    bad = []
    for path in sorted((ROOT / "properties" / "checks").rglob("*.py")):
        rel = path.relative_to(ROOT / "properties").with_suffix("")
        me = "maskverify.properties." + ".".join(rel.parts)
        _, mods = imported_modules(path)
        for mod in mods:
            if not mod.startswith("maskverify.properties.checks.") or mod == me:
                continue
            if _result_of(mod) == "shared" or _result_of(mod) == _result_of(me):
                continue
            bad.append(f"{rel}: {mod}")
    assert not bad, bad


def test_check_modules_small_enough_to_read():
    """No check module grows past about 600 lines: split a large result by lemma group instead."""
    big = {str(p.relative_to(ROOT)): n for p in (ROOT / "properties" / "checks").rglob("*.py")
           if (n := len(p.read_text().splitlines())) > 600}
    assert not big, big


def test_no_bare_top_level_imports():
    """All code imports the layers as maskverify.<layer>, never as bare `theory`/`impl`/`properties`."""
    bad = []
    for layer in ("maskverify", "theory", "impl", "properties", "tests"):
        for path in sorted((ROOT / layer).rglob("*.py")):
            _, mods = imported_modules(path)
            bad += [f"{path.relative_to(ROOT)}: {m}" for m in mods if m.split(".")[0] in ("theory", "impl", "properties")]
    assert not bad, bad

"""The layering rule of the design card: theory imports no torch, impl no hypothesis, and neither imports
properties; nothing installs a bare top-level `theory`/`impl`/`properties` module."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "theory": {"torch", "hypothesis", "maskverify.impl", "maskverify.properties"},
    "impl": {"hypothesis", "maskverify.theory", "maskverify.properties"},
    "maskverify": {"torch", "sympy", "hypothesis"},  # top-level modules import heavy layers lazily only
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
    for path in sorted((ROOT / layer).glob("*.py")):
        top, everywhere = imported_modules(path)
        mods = top if layer == "maskverify" else everywhere
        for mod in mods:
            if any(mod == f or mod.startswith(f + ".") for f in FORBIDDEN[layer]):
                bad.append(f"{path.name}: {mod}")
    assert not bad, bad


def test_no_bare_top_level_imports():
    """All code imports the layers as maskverify.<layer>, never as bare `theory`/`impl`/`properties`."""
    bad = []
    for layer in ("maskverify", "theory", "impl", "properties", "tests"):
        for path in sorted((ROOT / layer).glob("*.py")):
            _, mods = imported_modules(path)
            bad += [f"{layer}/{path.name}: {m}" for m in mods if m.split(".")[0] in ("theory", "impl", "properties")]
    assert not bad, bad

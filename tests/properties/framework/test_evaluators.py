"""Tests of properties/framework/evaluators.py (the evaluator registry) and the strict parts of
properties/framework/replay.py: only registered evaluators appear in counterexamples and are ever called."""

import ast
import importlib
import json
from pathlib import Path

import pytest

from maskverify.errors import InstanceFileError
from maskverify.properties.framework import evaluators, registry, replay
from maskverify.properties.framework import verdicts as V

ROOT = Path(__file__).resolve().parents[3]
#: Folders whose modules build counterexamples (checks and the Figure 2 reproduction).
SOURCES = ("properties/checks", "properties/figure2")


def _call_name(call):
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)


def evaluator_references():
    """(module, expression) of every evaluator handed to ``counterexample(item, EVALUATOR, ...)`` in the code,
    also through helpers that forward one of their parameters to it (found to a fixed point)."""
    trees = {p: ast.parse(p.read_text()) for d in SOURCES for p in sorted((ROOT / d).rglob("*.py"))}
    forwards = {"counterexample": 1}                          # function name -> position of the evaluator
    changed = True
    while changed:
        changed = False
        for tree in trees.values():
            for fn in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
                params = [a.arg for a in fn.args.args]
                for call in (c for c in ast.walk(fn) if isinstance(c, ast.Call)):
                    pos = forwards.get(_call_name(call))
                    if pos is None or len(call.args) <= pos or fn.name in forwards:
                        continue
                    arg = call.args[pos]
                    if isinstance(arg, ast.Name) and arg.id in params:
                        forwards[fn.name] = params.index(arg.id)
                        changed = True
    refs = []
    for path, tree in trees.items():
        module = "maskverify." + ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for call in (c for c in ast.walk(tree) if isinstance(c, ast.Call)):
            pos = forwards.get(_call_name(call))
            if pos is None or len(call.args) <= pos:
                continue
            expr = ast.unparse(call.args[pos])
            fn_params = set()
            for fn in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
                if call in ast.walk(fn):
                    fn_params |= {a.arg for a in fn.args.args}
            if expr in fn_params:  # forwarded by a helper: its callers are checked instead
                continue
            refs.append((module, expr))
    return refs


def test_every_evaluator_referenced_in_the_code_is_registered():
    """Every function the code passes as a counterexample's evaluator carries @V.evaluator (about 60)."""
    refs = evaluator_references()
    assert len(refs) >= 50, refs
    unregistered = []
    for module, expr in refs:
        obj = importlib.import_module(module)
        for part in expr.split("."):
            obj = getattr(obj, part)
        if not evaluators.is_registered(obj):
            unregistered.append(f"{module}: {expr}")
    assert not unregistered, unregistered


def test_registry_holds_only_maskverify_functions_after_load_all():
    registry.load_all()
    names = [n for n in evaluators.registered() if n.startswith("maskverify.")]
    assert len(names) >= 50
    assert all(evaluators.lookup(n).__module__ == n.split(":")[0] for n in names)
    assert evaluators.lookup("os:system") is None and evaluators.lookup(["os", "system"]) is None


def not_registered(x):
    return V.from_cases([(False, -1.0, V.counterexample("Z-9", not_registered, {"x": x}, {}))],
                        method="m", covered="c")


def test_counterexample_refuses_an_unregistered_evaluator():
    with pytest.raises(TypeError, match="not a registered evaluator"):
        not_registered(1.0)
    with pytest.raises(TypeError):
        evaluators.evaluator(lambda x: x)  # not a module-level function


def test_resolve_evaluator_refuses_any_other_name():
    with pytest.raises(InstanceFileError, match="not one that maskverify registered"):
        replay.resolve_evaluator("os:system")
    with pytest.raises(InstanceFileError):
        replay.resolve_evaluator("maskverify.properties.framework.lock:update")


def test_replay_counterexample_reports_refusals_without_raising():
    res = replay.replay_counterexample({"evaluator": "os:system", "args": {"command": "true"}})
    assert res["refused"] and not res["reproduced"] and "registered" in res["message"]
    sym = "maskverify.properties.checks.shared.symbolic:replay_relation"
    res = replay.replay_counterexample({"evaluator": sym, "args": {"nope": 1}})
    assert res["refused"] and "do not fit" in res["message"]


@pytest.mark.parametrize("cx", [
    {"evaluator": "a:b", "args": {"x": [[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]}},
    {"evaluator": "a:b", "args": {"x": "y" * (replay.MAX_STR + 1)}},
    {"evaluator": "a:b", "args": {"x": 2**64}},
    {"evaluator": "a:b", "args": {"x": float("nan")}},
    {"evaluator": "a:b", "args": {"not an identifier": 1}},
    {"evaluator": "a:b", "args": {}, "extra": 1},
    {"evaluator": "a b:c", "args": {}},
    {"evaluator": "a:b", "args": {"x": "line\nbreak"}},
])
def test_check_counterexample_is_strict(cx):
    with pytest.raises(InstanceFileError):
        replay.check_counterexample(cx)


def test_check_counterexample_accepts_what_verify_writes():
    cx = {"item": "C-1", "evaluator": "m:f", "replay_confirmed": True, "via": "C-1(a)",
          "args": {"values": {"n": 4, "xi": "1/4"}, "case": [[0.5, -1.0], [1, 2]], "seed": 2**63 - 1},
          "values": {"lhs": "1/512", "expression": "x" * 5000}}
    assert replay.check_counterexample(json.loads(json.dumps(cx))) == cx


def test_no_string_parsing_blocks_sympify_eval(tmp_path):
    """While a replay evaluates, sympy parses numbers, "p/q" and names only: code in a string never runs."""
    import sympy as sp

    marker = tmp_path / "MARKER"
    payload = f"__import__('os').system('touch {marker}')"
    with replay.no_string_parsing():
        for attempt in (lambda: sp.sympify(payload), lambda: sp.Rational([payload]),
                        lambda: sp.Symbol("x").subs("x", payload), lambda: sp.sympify("eval(chr(49))")):
            with pytest.raises((sp.SympifyError, TypeError, ValueError)):
                attempt()
        assert sp.sympify("3/4") == sp.Rational(3, 4) and sp.sympify("x") == sp.Symbol("x")
    assert not marker.exists()
    assert sp.sympify("1 + 1") == 2  # restored afterwards

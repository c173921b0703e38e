"""E-2, E-4 · Sec 5, p.10 — deciding a claim about an experiment whose protocol the paper leaves open.

The paper gives neither eta nor kappa (nor, for Figure 2(c), what is held fixed across tau): SPEC E-1 "not
given". A claim about the paper's experiment is therefore tested under every *plausible protocol* (each a
complete choice of the unstated parameters), and

* ``violated`` only if it is violated under **every** protocol (an intersection-union test: its p-value is
  the largest per-protocol p-value, so Holm across the run still sees an honest p-value, and the
  counterexample replays the violation under every protocol);
* ``holds`` only if it holds under every protocol;
* ``inconclusive`` otherwise: the unstated parameters decide the claim, and the evidence carries the
  sensitivity table (one row per protocol).
"""

from __future__ import annotations

from maskverify.errors import InstanceFileError
from maskverify.properties.framework import evaluators, verdicts

__all__ = ["across_protocols", "replay_protocols", "protocol_label"]


def protocol_label(setting, **extra):
    """'eta_factor=1, kappa=n^-1/2' (+ ', key=value' for each extra field, e.g. a width or a convention)."""
    eta_factor, kappa = setting
    tail = "".join(f", {k}={v}" for k, v in extra.items())
    return f"eta_factor={float(eta_factor):g}, kappa={kappa}{tail}"


def _table_row(o, summary):
    row = {"verdict": o.verdict, "p_value": o.p_value}
    if summary is not None:
        row.update(summary(o))
    return row


def across_protocols(item, outcomes, *, method, summary=None, gate=None):
    """Verdict of ``item`` from ``outcomes`` = {protocol label: Outcome} (see the module docstring).

    ``summary(outcome) -> dict``: extra columns of the sensitivity table. ``gate``: None, or
    ``{"ok": bool, "reason": str, "args": {...} | None}`` -- a further condition a violation needs (E-4: the
    figure is consistent with its stated protocol); with ``ok`` False a violation under every protocol is
    reported as inconclusive with ``reason``. ``args`` (JSON) are passed to
    :func:`maskverify.properties.figure2.consistency.replay_gate` on replay."""
    outcomes = dict(outcomes)
    table = {label: _table_row(o, summary) for label, o in outcomes.items()}
    verdict_list = [o.verdict for o in outcomes.values()]
    ps = [o.p_value for o in outcomes.values()]
    p_max = max(ps) if ps and all(p is not None for p in ps) else None
    rule = ("violated only if violated under every protocol (p-value: the largest per-protocol p-value, an "
            "intersection-union test); holds only if it holds under every protocol; else inconclusive")
    ev = {"protocols": table, "rule": rule, "protocol_count": len(outcomes)}
    if outcomes and all(v == verdicts.VIOLATED for v in verdict_list):
        if gate is not None and not gate["ok"]:
            ev["reason"] = gate["reason"]
            return verdicts.Outcome(verdicts.INCONCLUSIVE, method, ev, p_value=p_max)
        witnesses = {label: o.counterexample for label, o in outcomes.items()}
        values = {label: w["values"] for label, w in witnesses.items()}
        args = {"item": item, "witnesses": witnesses, "method": method}
        if gate is not None:
            args["gate"] = gate.get("args")
            values = {"protocols": values, "gate_ok": True}
        w = verdicts.counterexample(item, replay_protocols, args, values)
        return verdicts.Outcome(verdicts.VIOLATED, method, ev, counterexample=w, p_value=p_max)
    if outcomes and all(v == verdicts.HOLDS for v in verdict_list):
        return verdicts.Outcome(verdicts.HOLDS, method, ev, p_value=p_max)
    counts = {v: verdict_list.count(v) for v in verdicts.VERDICTS if v in verdict_list}
    ev["reason"] = ("the unstated parameters decide the claim: its verdict differs across the plausible "
                    f"protocols ({', '.join(f'{n} {v}' for v, n in counts.items())}); see the protocol table")
    return verdicts.Outcome(verdicts.INCONCLUSIVE, method, ev, p_value=p_max)


def _evaluator(name):
    """A witness's evaluator, looked up in the evaluator registry only (never imported by name)."""
    from maskverify.properties.figure2 import consistency, experiments  # noqa: F401  (register their evaluators)

    fn = evaluators.lookup(name)
    if fn is None:
        raise InstanceFileError(f"a protocol witness names {name!r}, which is not a registered evaluator")
    return fn


@verdicts.evaluator
def replay_protocols(item, witnesses, method, gate=None):
    """Evaluator of an all-protocols counterexample: replay every protocol's witness (its own evaluator and
    args) and re-decide with :func:`across_protocols` (and the gate, re-computed, when there is one)."""
    outs = {label: _evaluator(w["evaluator"])(**w["args"]) for label, w in witnesses.items()}
    g = None
    if gate is not None:
        from maskverify.properties.figure2.consistency import replay_gate

        g = replay_gate(**gate)
    return across_protocols(item, outs, method=method, gate=g)

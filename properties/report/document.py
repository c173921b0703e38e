"""Write a run's outputs: ``verdicts.json`` (machine-readable), ``report.md`` (human table),
``counterexamples/<ID>.json`` (one replayable file per violated item). All writes are atomic."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from maskverify.properties.framework.atomic import write_text_atomic
from maskverify.properties.framework.spec_index import SECTIONS

_ICON = {"holds": "holds", "violated": "**VIOLATED**", "inconclusive": "inconclusive",
         "not-checkable": "not-checkable"}


def cx_filename(item_id):
    return item_id.replace("(", "_").replace(")", "") + ".json"


def write_outputs(doc, out_dir, *, figures_md="", extra_md=""):
    """Write verdicts.json, report.md and the counterexample files under ``out_dir``."""
    out = Path(out_dir)
    cx_dir = out / "counterexamples"
    for rec in doc["items"]:
        if rec["verdict"] == "violated" and rec.get("counterexample"):
            path = cx_dir / cx_filename(rec["id"])
            write_text_atomic(path, json.dumps(rec["counterexample"], indent=1, sort_keys=True) + "\n")
            rec["counterexample_file"] = str(Path("counterexamples") / path.name)
    write_text_atomic(out / "verdicts.json", json.dumps(doc, indent=1, sort_keys=True) + "\n")
    write_text_atomic(out / "report.md", render_markdown(doc, figures_md=figures_md, extra_md=extra_md))


def summary_counts(doc):
    return Counter(r["verdict"] for r in doc["items"])


def _short(value, n=140):
    s = str(value)
    return s if len(s) <= n else s[: n - 1] + "…"


def _fmt(x):
    if isinstance(x, float):
        return f"{x:.3g}"
    return str(x)


def key_number(rec):
    """The one number a reader wants in the table: margin, ratio, or interval."""
    ev, conf = rec.get("evidence") or {}, rec.get("confidence") or {}
    for k in ("max_ratio_observed_to_bound", "ratio_mean_to_bound", "max_ratio", "min_margin"):
        if ev.get(k) is not None:
            return f"{k.replace('_', ' ')} = {_fmt(ev[k])}"
    if "lower" in conf and "upper" in conf:
        return f"CI [{_fmt(conf['lower'])}, {_fmt(conf['upper'])}] (alpha {_fmt(conf.get('false_alarm_rate'))})"
    return ""


def regime_text(rec):
    reg = rec.get("regime")
    if not reg:
        return "–"
    inside = reg.get("inside")
    tag = "inside" if inside else ("outside" if inside is False else "n/a")
    form = reg.get("form")
    return f"{tag}" + (f" ({_short(form, 40)})" if form else "")


def reason(rec):
    ev = rec.get("evidence") or {}
    text = ev.get("reason") or ev.get("covered") or ev.get("note") or ""
    if isinstance(text, dict):  # e.g. {"(p, m)": [...], "comparison": "..."}: key = short value
        text = "; ".join(f"{k}: {_short(v, 40)}" for k, v in text.items())
    return _short(text, 160)


def render_markdown(doc, *, figures_md="", extra_md=""):
    counts = summary_counts(doc)
    lines = [
        "# maskverify report",
        "",
        f"Paper: {doc['paper']} (Liao & Kyrillidis, *On the Convergence of Shallow Neural Network Training "
        f"with Randomly Masked Neurons*). Tool version {doc['tool_version']}, profile `{doc['profile']}`, "
        f"seed {doc['seed']}, created {doc['created']}. Monte Carlo verdicts use Holm's correction at "
        f"family-wise false-alarm rate {doc.get('family_alpha')}.",
        "",
        "Verdicts: " + ", ".join(f"{v}: {counts.get(v, 0)}" for v in
                                 ("holds", "violated", "inconclusive", "not-checkable")) +
        f" (of {len(doc['items'])} items and sub-claims).",
        "",
        "Every verdict below was computed in this run. A *violated* item links a counterexample file that "
        "`maskverify replay FILE` re-evaluates. *Regime* says whether the instance(s) behind the verdict "
        "satisfy the statement's hypotheses under the stated constant profile.",
        "",
    ]
    lines += findings_section(doc)
    lines += ["# All items", ""]
    by_section = {}
    for rec in doc["items"]:
        by_section.setdefault(rec["id"][0], []).append(rec)
    sections = {**SECTIONS, **{k: "Other" for k in by_section if k not in SECTIONS}}
    for letter, title in sections.items():
        recs = by_section.get(letter)
        if not recs:
            continue
        lines += [f"## {title}", "", "| ID | source | verdict | method | regime | key number | note |",
                  "|---|---|---|---|---|---|---|"]
        for r in recs:
            verdict = _ICON.get(r["verdict"], r["verdict"])
            if r.get("counterexample_file"):
                verdict += f" ([cx]({r['counterexample_file']}))"
            row = [r["id"], _short(r.get("source", ""), 40), verdict, r.get("method", ""), regime_text(r),
                   key_number(r), reason(r)]
            lines.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in row) + " |")
        lines.append("")
    lines += calibration_section(doc)
    if figures_md:
        lines += [figures_md, ""]
    if extra_md:
        lines += [extra_md, ""]
    return "\n".join(lines) + "\n"


#: Groups of the violations list, most serious first (``severity`` of a violated record; none: unclassified).
SEVERITY_ORDER = ("statement", "proof-gap", "typo", "unclassified")
_SEVERITY_TEXT = {"statement": "the statement fails under its own hypotheses",
                  "proof-gap": "a proof step fails; the statement it serves is not refuted by it",
                  "typo": "the printed form fails; a corrected reading, computed too, holds",
                  "unclassified": "not yet classified"}
_MAIN_RESULTS = re.compile(r"T-\d+")


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def consequence_text(rec):
    """A record's ``consequence`` (text, or ``{"propagates", "to", "note"}``) as one short phrase."""
    c = rec.get("consequence")
    if isinstance(c, dict):
        to = c.get("to") or []
        note = str(c.get("note") or "")
        return (note + (f" (reaches {', '.join(map(str, to))})" if to else "")).strip()
    return "" if c is None else str(c)


def decisive_numbers(rec):
    """The numbers that decide a violation: the counterexample's scalar values (both sides of the failing
    comparison), else the table's key number, else the reason."""
    values = (rec.get("counterexample") or {}).get("values")
    if isinstance(values, dict):
        scalars = [(k, v) for k, v in values.items() if isinstance(v, (int, float, str)) and not isinstance(v, bool)]
        if scalars:
            return _short(", ".join(f"{k} = {_short(_fmt(v), 30)}" for k, v in scalars[:4]), 140)
    return key_number(rec) or _short(reason(rec), 120)


def findings_section(doc):
    """The report's first screen: the main results T-1..T-9 and what each verdict rests on, then every
    violation on one line, grouped by severity (counted), most serious first."""
    items = doc["items"]
    mains = [r for r in items if _MAIN_RESULTS.fullmatch(str(r.get("id", "")))]
    lines = ["## Findings", ""]
    if mains:
        lines += ["### Main results", "", "| result | source | verdict | rests on |", "|---|---|---|---|"]
        for r in mains:
            subs = [s for s in items if str(s.get("id", "")).startswith(r["id"] + "(")]
            counts = Counter(s["verdict"] for s in subs)
            bad = [s["id"] for s in subs if s["verdict"] == "violated"]
            basis = str(r.get("method") or "")
            if subs:
                basis += "; sub-claims: " + ", ".join(f"{counts[v]} {v}" for v in
                                                      ("holds", "violated", "inconclusive", "not-checkable")
                                                      if counts.get(v))
                if bad:
                    basis += " (" + ", ".join(bad) + ")"
            reg = regime_text(r)
            if reg != "–":
                basis += f"; regime {reg}"
            lines.append("| " + " | ".join(_cell(c) for c in (
                r["id"], _short(r.get("source", ""), 40), _ICON.get(r["verdict"], r["verdict"]),
                _short(basis, 300))) + " |")
        lines.append("")
    violated = [r for r in items if r.get("verdict") == "violated"]
    groups = {}
    for r in violated:
        sev = r.get("severity")
        groups.setdefault(sev if sev in SEVERITY_ORDER else "unclassified", []).append(r)
    lines += [f"### Violations ({len(violated)})", ""]
    if violated:
        lines.append("By severity: " + ", ".join(f"{s} {len(groups[s])}" for s in SEVERITY_ORDER if s in groups)
                     + ". Each line: what fails, the decisive numbers, the page; the consequence where known.")
        lines.append("")
    for sev in SEVERITY_ORDER:
        recs = groups.get(sev)
        if not recs:
            continue
        lines += [f"#### {sev} ({len(recs)}): {_SEVERITY_TEXT[sev]}", ""]
        for r in recs:
            what = _short(r.get("title") or r["id"], 90)
            cons = consequence_text(r)
            line = f"- **{r['id']}** {what}: {decisive_numbers(r)} ({_short(r.get('source', ''), 40)})"
            if cons:
                line += f"; {_short(cons, 160)}"
            if r.get("counterexample_file"):
                line += f" [cx]({r['counterexample_file']})"
            lines.append(line.replace("\n", " "))
        lines.append("")
    return lines


def hunt_section(hunt_dir):
    """What `maskverify hunt` / `make hunt` found: one row per counterexample file in ``hunt_dir``, with the
    replayed verdict (each file is re-evaluated now, so the table never shows a stale claim)."""
    from maskverify.properties.framework.replay import load_counterexample, replay_counterexample

    files = sorted(Path(hunt_dir).glob("*.json")) if Path(hunt_dir).is_dir() else []
    if not files:
        return []
    rows = []
    for f in files:
        try:
            cx = load_counterexample(f)
            rep = replay_counterexample(cx)
            rows.append(f"| {cx.get('item')} | `{f}` | {rep['verdict']} | {'yes' if rep['reproduced'] else 'no'} |")
        except Exception as exc:  # noqa: BLE001 -- a broken file is reported, not fatal to the report
            rows.append(f"| ? | `{f}` | unreadable: {type(exc).__name__} | no |")
    return ["## Counterexample hunting", "",
            f"Files written by `maskverify hunt` under `{hunt_dir}/`, replayed while writing this report.", "",
            "| item | file | replayed verdict | reproduced |", "|---|---|---|---|", *rows, ""]


_RATIO_KEYS = ("max_ratio_observed_to_bound", "max_ratio", "ratio_mean_to_bound")


def calibration_section(doc):
    """Hidden-constant calibration: for a bound lhs <= c * rhs, the smallest c consistent with every
    observation of this run is the largest observed ratio lhs/rhs (c = 1 is the printed constant)."""
    rows = []
    for r in doc["items"]:
        ev = r.get("evidence") or {}
        ratio = next((ev[k] for k in _RATIO_KEYS if isinstance(ev.get(k), (int, float))), None)
        if ratio is None:
            continue
        reg = r.get("regime") or {}
        where = {True: "inside", False: "outside"}.get(reg.get("inside"), "n/a")
        rows.append(f"| {r['id']} | {_fmt(float(ratio))} | {'yes' if ratio <= 1 else 'no'} | {where} |")
    if not rows:
        return []
    return ["## Hidden-constant calibration", "",
            "For each bound checked on instances, the smallest constant c with observed <= c x printed bound "
            "over every observation of this run (the largest observed ratio). c <= 1 means the printed "
            "constant suffices on everything observed.", "",
            "| ID | smallest consistent c | printed constant suffices | regime |", "|---|---|---|---|",
            *rows, ""]

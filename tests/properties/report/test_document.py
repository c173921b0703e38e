"""Tests of properties/report/document.py: report.md opens with the findings (main results, then the
violations grouped by severity and counted), before the full table."""

from maskverify.properties.report import document as report


def rec(item_id, verdict, **kw):
    return {"id": item_id, "title": f"claim {item_id}", "source": f"Lemma {item_id}, p.7", "kind": "bound",
            "verdict": verdict, "method": "exact", "regime": None, "confidence": None, "evidence": {},
            "counterexample": None, **kw}


def synthetic_doc():
    cx = {"evaluator": "m:f", "args": {}, "values": {"lhs": "9/8", "rhs": 1.0, "trace": [1, 2]}}
    items = [rec("T-1", "holds"), rec("T-4", "holds"), rec("T-4(a)", "holds"),
             rec("T-4(b)", "violated", severity="statement", counterexample=cx,
                 consequence={"propagates": True, "to": ["T-4"], "note": "B_1 is not monotone"}),
             rec("L-10", "violated", severity="proof-gap", consequence="the proof of L-11 uses it",
                 evidence={"min_margin": -0.5}),
             rec("C-2", "violated", severity="typo"),
             rec("C-3", "violated"),                       # no severity yet
             rec("C-4", "violated", severity="bogus"),     # not a known severity
             rec("L-25", "holds")]
    return {"paper": "p", "tool_version": "0", "profile": "ci", "seed": 0, "created": "now",
            "family_alpha": 0.01, "items": items}


def test_findings_come_first_and_group_violations_by_severity():
    md = report.render_markdown(synthetic_doc())
    findings, rest = md.split("# All items", 1)
    assert findings.index("### Main results") < findings.index("### Violations (5)")
    assert "| T-1 |" in findings and "| T-4 |" in findings and "| L-25 |" not in findings
    assert "sub-claims: 1 holds, 1 violated (T-4(b))" in findings
    assert "By severity: statement 1, proof-gap 1, typo 1, unclassified 2." in findings
    order = [findings.index(f"#### {s} (") for s in ("statement", "proof-gap", "typo", "unclassified")]
    assert order == sorted(order)
    line = next(x for x in findings.splitlines() if x.startswith("- **T-4(b)**"))
    assert "lhs = 9/8, rhs = 1" in line and "p.7" in line and "B_1 is not monotone (reaches T-4)" in line
    assert "trace" not in line
    assert "min margin = -0.5" in next(x for x in findings.splitlines() if x.startswith("- **L-10**"))
    assert "#### unclassified (2)" in findings and "- **C-4**" in findings
    assert "| L-25 |" in rest  # the full table follows


def test_findings_without_violations_or_main_results():
    doc = {**synthetic_doc(), "items": [rec("L-25", "holds")]}
    lines = report.findings_section(doc)
    assert "### Violations (0)" in lines and "### Main results" not in lines

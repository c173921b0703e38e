"""Tests of properties/report/envelope_figures.py: the envelope items' section of the report (issue 8) is drawn
from the curves stored in verdicts.json, one figure per item, with power and tightness in the table."""

from maskverify.properties.checks.shared import envelopes as EN
from maskverify.properties.report.envelope_figures import envelope_markdown


def test_envelope_section_draws_one_figure_per_item(tmp_path):
    inst = {"item": "T-4", "law": "bernoulli", "n": 2, "d": 2, "overlap": 0.0, "label_seed": 0, "label_edge": True,
            "C": 2.0, "p": 1, "xi": 1.0, "tau": 1, "K": 2, "kappa": 1.0, "delta": 0.5, "gamma": 0.5,
            "eta_fraction": 1.0, "m_factor": 1.0, "inits": 3, "seqs": 1, "seed": 1, "profile": "main-text"}
    out = EN.envelope_outcome("T-4", [EN.run_instance(inst, max_m=10**5)], alpha=0.01, max_m=10**5)
    doc = {"items": [{"id": "T-4", "verdict": out.verdict, "evidence": out.to_json()["evidence"]},
                     {"id": "T-2", "verdict": "holds", "evidence": {}}]}
    md = "\n".join(envelope_markdown(tmp_path, doc))
    assert (tmp_path / "envelope_T-4.png").stat().st_size > 0
    assert "| T-4 |" in md and "needs 7 to reject" in md and "T-2" not in md


def test_without_reference_runs_the_beside_runs_are_drawn_and_labelled(tmp_path):
    """T-4 under the reference profile has no run that fits; the main-text runs beside it are drawn, labelled
    as evidence only, and the verdict column keeps the reference verdict."""
    inst = {"item": "T-4", "law": "bernoulli", "n": 2, "d": 2, "overlap": 0.0, "label_seed": 0, "label_edge": True,
            "C": 2.0, "p": 1, "xi": 1.0, "tau": 1, "K": 2, "kappa": 1.0, "delta": 0.5, "gamma": 0.5,
            "eta_fraction": 1.0, "m_factor": 1.0, "inits": 3, "seqs": 1, "seed": 1}
    ref = EN.envelope_outcome("T-4", [EN.run_instance(inst, max_m=10**5)], alpha=0.01, max_m=10**5)
    main = EN.envelope_outcome("T-4", [EN.run_instance({**inst, "profile": "main-text"}, max_m=10**5)],
                               alpha=0.01, max_m=10**5)
    ev = {**ref.to_json()["evidence"], "beside": {"would_be_verdict": main.verdict,
                                                  "envelope": main.to_json()["evidence"]["envelope"]}}
    md = "\n".join(envelope_markdown(tmp_path, {"items": [{"id": "T-4", "verdict": ref.verdict, "evidence": ev}]}))
    assert ref.verdict == "inconclusive" and (tmp_path / "envelope_T-4.png").stat().st_size > 0
    assert "| T-4 | inconclusive (beside: main-text unit constants, evidence only" in md

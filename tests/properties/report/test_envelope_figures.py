"""Tests of properties/report/envelope_figures.py: the envelope items' section of the report (issue 8) is drawn
from the curves stored in verdicts.json, one figure per item, with power and tightness in the table."""

from maskverify.properties.checks.shared import envelopes as EN
from maskverify.properties.report.envelope_figures import envelope_markdown


def test_envelope_section_draws_one_figure_per_item(tmp_path):
    inst = {"item": "T-4", "law": "bernoulli", "n": 2, "d": 2, "overlap": 0.0, "label_seed": 0, "label_edge": True,
            "C": 2.0, "p": 1, "xi": 1.0, "tau": 1, "K": 2, "kappa": 1.0, "delta": 0.5, "gamma": 0.5,
            "eta_fraction": 1.0, "m_factor": 1.0, "inits": 3, "seqs": 1, "seed": 1}
    out = EN.envelope_outcome("T-4", [EN.run_instance(inst, max_m=10**5)], alpha=0.01, max_m=10**5)
    doc = {"items": [{"id": "T-4", "verdict": out.verdict, "evidence": out.to_json()["evidence"]},
                     {"id": "T-2", "verdict": "holds", "evidence": {}}]}
    md = "\n".join(envelope_markdown(tmp_path, doc))
    assert (tmp_path / "envelope_T-4.png").stat().st_size > 0
    assert "| T-4 |" in md and "needs 7 to reject" in md and "T-2" not in md

"""Campaign files (``maskverify campaign``, ``verify --campaign DIR``): a tiny in-regime T-5 campaign made on
CPU, folded into the envelope test; tampered files refused (exit 2) or listed as rejected with the reason; a
planted exceeding run counted by the test; replay on the same device reproduces the losses."""

from __future__ import annotations

import json

import pytest

from maskverify import cli
from maskverify.properties.checks.shared import campaign as C
from maskverify.properties.checks.shared import envelopes as EN
from maskverify.properties.framework import verdicts as V


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    out = tmp_path_factory.mktemp("campaign")
    # main-text profile: the reference widths of T-5 (~1e13) are beyond any machine; these runs are folded in
    # beside the reference verdict, which is what this tiny campaign exercises
    assert cli.main(["campaign", "--item", "T-5", "--out", str(out), "--runs", "2", "--profile", "main-text"]) == 0
    files = sorted(out.glob("*.json"))
    assert len(files) == 2
    return out, files


def _write(path, doc):
    path.write_text(json.dumps(doc))


def _verify_exit(tmp_path, folder):
    return cli.main(["verify", "--campaign", str(folder), "--only", "T-5", "--out", str(tmp_path / "rep"),
                     "--no-lock", "--quiet"])


def test_campaign_file_format_and_hash(made):
    _, files = made
    doc = json.loads(files[0].read_text())
    assert doc["format"] == C.FORMAT and doc["item"] == "T-5"
    assert set(doc["instance"]) == set(C.INSTANCE_KEYS)
    assert doc["instance_sha256"] == C.instance_sha256(doc["instance"])
    assert len(doc["losses"]) == doc["instance"]["K"] + 1 == len(doc["envelope"])
    assert set(doc["provenance"]) == set(C.PROVENANCE_KEYS) and doc["provenance"]["device"].startswith("cpu")
    assert C.check_instance(doc["instance"]) is None       # in-regime, recomputed


def test_campaign_folds_into_the_envelope_test(made):
    folder, _ = made
    recs, ev = C.fold("T-5", C.load_dir(folder))
    assert ev["accepted"] == 2 and ev["rejected"] == [] and len(ev["provenance"]) == 2
    assert C.fold("T-4", C.load_dir(folder))[1]["files"] == []          # another item's files are not counted
    out = EN.envelope_outcome("T-5", [], alpha=0.01, max_m=1, campaign_records=recs, campaign=ev)
    env = out.evidence["envelope"]
    assert env["inside"] == 2 and env["inside_runs"] == 2 and env["campaign"]["accepted"] == 2
    assert env["exceeding_inside_runs"] == sum(any(r["exceed"]) for r in recs)
    # without campaign records the same call is the old one: no inside run, inconclusive, no campaign key
    plain = EN.envelope_outcome("T-5", [], alpha=0.01, max_m=1)
    assert plain.verdict == V.INCONCLUSIVE and "campaign" not in plain.evidence["envelope"]


def test_planted_exceeding_run_is_counted(made, tmp_path):
    _, files = made
    doc = json.loads(files[0].read_text())
    doc["losses"][1] = doc["envelope"][1] * 2          # the hash covers the instance: only a replay sees this
    _write(tmp_path / "planted.json", doc)
    recs, ev = C.fold("T-5", C.load_dir(tmp_path))
    assert ev["accepted"] == 1 and recs[0]["exceed"] == [True]
    out = EN.envelope_outcome("T-5", [], alpha=0.01, max_m=1, campaign_records=recs, campaign=ev)
    assert out.evidence["envelope"]["exceeding_inside_runs"] == 1 and out.verdict == V.INCONCLUSIVE
    _write(tmp_path / "duplicate.json", doc)                            # the same initialisation counts once
    assert C.fold("T-5", C.load_dir(tmp_path))[1]["rejected"][0]["reason"].startswith("the same instance")


def test_planted_exceeding_runs_give_a_replayable_violation(made, tmp_path):
    from maskverify.properties.framework.replay import replay_counterexample

    _, files = made
    base = json.loads(files[0].read_text())
    for t in range(7):                 # 7 of 7 exceeding: Clopper-Pearson rejects delta = 1/2 at alpha = 0.01
        doc = json.loads(json.dumps(base))
        doc["instance"]["trial"] = t
        doc["instance_sha256"] = C.instance_sha256(doc["instance"])
        doc["losses"][1] = doc["envelope"][1] * 2
        _write(tmp_path / f"p{t}.json", doc)
    recs, ev = C.fold("T-5", C.load_dir(tmp_path))
    out = EN.envelope_outcome("T-5", [], alpha=0.01, max_m=1, campaign_records=recs, campaign=ev)
    assert out.verdict == V.VIOLATED and out.evidence["envelope"]["exceeding_inside_runs"] == 7
    assert len(out.counterexample["args"]["campaign"]) == 7 and out.counterexample["args"]["instances"] == []
    assert replay_counterexample(out.counterexample)["reproduced"]


@pytest.mark.parametrize("tamper, message", [
    (lambda d: d["instance"].update(m=d["instance"]["m"] + 1), "instance_sha256 does not match"),
    (lambda d: d.update(extra=1), "unknown key 'extra'"),
    (lambda d: d["instance"].update(note="x"), "instance key 'note' is unknown"),
    (lambda d: d.update(format="maskverify-campaign/2"), "is not 'maskverify-campaign/1'"),
    (lambda d: d.update(losses=d["losses"][:-1]), "losses is not a list"),
])
def test_tampered_file_refused_with_exit_2(made, tmp_path, capsys, tamper, message):
    _, files = made
    doc = json.loads(files[0].read_text())
    tamper(doc)
    bad = tmp_path / "bad"
    bad.mkdir()
    _write(bad / "x.json", doc)
    with pytest.raises(Exception, match=message):
        C.load_dir(bad)
    assert _verify_exit(tmp_path, bad) == 2
    err = capsys.readouterr().err
    assert message.split("'")[0] in err and len(err.strip().splitlines()) == 1


def test_rejected_files_listed_with_reason(made, tmp_path):
    _, files = made
    doc = json.loads(files[0].read_text())
    changed_l0 = dict(doc, losses=[doc["losses"][0] * 3, *doc["losses"][1:]])        # envelope no longer matches
    _write(tmp_path / "l0.json", changed_l0)
    outside = json.loads(files[1].read_text())
    outside["instance"] = C.with_width({**outside["instance"], "m_factor": 1.0}, 50)   # below the width condition
    outside["instance_sha256"] = C.instance_sha256(outside["instance"])
    _write(tmp_path / "outside.json", outside)
    recs, ev = C.fold("T-5", C.load_dir(tmp_path))
    assert recs == [] and ev["accepted"] == 0
    reasons = {r["file"]: r["reason"] for r in ev["rejected"]}
    assert "stored envelope differs" in reasons["l0.json"]
    assert reasons["outside.json"].startswith("outside the hypotheses")


def test_campaign_refuses_outside_and_T3(tmp_path, capsys):
    assert cli.main(["campaign", "--item", "T-5", "--out", str(tmp_path), "--m", "10"]) == 2
    assert "outside the hypotheses" in capsys.readouterr().err
    assert cli.main(["campaign", "--item", "T-3", "--out", str(tmp_path)]) == 2
    assert "local step" in capsys.readouterr().err
    assert cli.main(["campaign", "--item", "T-5", "--out", str(tmp_path), "--m", str(10**12)]) == 2
    assert "needs an estimated" in capsys.readouterr().err
    assert list(tmp_path.glob("*.json")) == []


def test_replay_same_device_reproduces(made, capsys):
    _, files = made
    assert cli.main(["campaign", "--replay", str(files[0])]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["same_device"] and rep["reproduced"] and rep["max_relative_difference"] <= 1e-9


def test_replay_of_changed_losses_fails(made, tmp_path, capsys):
    _, files = made
    doc = json.loads(files[0].read_text())
    doc["losses"][-1] *= 1.01
    _write(tmp_path / "c.json", doc)
    assert cli.main(["campaign", "--replay", str(tmp_path / "c.json")]) == 1
    assert json.loads(capsys.readouterr().out)["reproduced"] is False

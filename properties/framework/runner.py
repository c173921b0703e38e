"""The runner: run every registered check, correct for multiple testing, confirm counterexamples, write.

One call of :func:`verify` does, in order:

1. run each selected check in a worker process (``jobs`` of them), with a per-item deterministic seed and
   one torch thread per worker, so results do not depend on scheduling or on the number of jobs;
2. apply Holm's step-down correction at ``profile.family_alpha`` to the Monte Carlo p-values: a
   ``violated`` whose p-value does not survive becomes ``inconclusive``;
3. replay every remaining ``violated`` counterexample through its evaluator; one that does not reproduce
   the verdict and values becomes ``inconclusive``;
4. give a main ID without a check of its own the conjunction of its sub-claims' verdicts, and any other
   SPEC index entry without a check an ``inconclusive`` outcome that says so;
5. attach the tests that cite each ID (found by scanning ``tests/``), and return the records.
"""

from __future__ import annotations

import ast
import contextlib
import os
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import datetime, timezone
from pathlib import Path

from maskverify import PAPER, __version__
from maskverify.errors import SchedulerError
from maskverify.properties.framework import profiles, registry, verdicts
from maskverify.properties.framework.spec_index import SPEC_INDEX, main_id, sort_key

REPO_ROOT = Path(__file__).resolve().parents[2]


def _init_worker():
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:  # torch is a dependency; a missing one surfaces in the checks that need it
        pass


def run_one(item_id, profile_name, seed, alpha, device="cpu", extras=None):
    """Run the check of ``item_id``; never raises (a crashing check becomes an inconclusive record)."""
    checks = registry.load_all()
    chk = checks[item_id]
    ctx = registry.Context(profile=profiles.get(profile_name), seed=seed, item_id=item_id, alpha=alpha,
                           device=device, extras=dict(extras or {}))
    t0 = time.perf_counter()
    try:
        out = chk.fn(ctx)
        if not isinstance(out, verdicts.Outcome):
            raise TypeError(f"check returned {type(out).__name__}, not Outcome")
    except Exception as exc:  # noqa: BLE001 -- a broken check must not hide the other verdicts
        out = verdicts.inconclusive(f"the check raised {type(exc).__name__}: {exc}", method="error",
                                    evidence={"traceback_tail": traceback.format_exc().splitlines()[-6:]})
    rec = _record(chk.id, chk.title, chk.source, chk.kind, out)
    rec["seconds"] = round(time.perf_counter() - t0, 3)
    return rec


def _record(item_id, title, source, kind, out):
    d = out.to_json()
    return {"id": item_id, "title": title, "source": source, "kind": kind, "verdict": d["verdict"],
            "method": d["method"], "regime": d["regime"], "confidence": d["confidence"],
            "evidence": d["evidence"], "counterexample": d["counterexample"], "p_value": d["p_value"],
            "severity": d["severity"], "consequence": d["consequence"], "tests": []}


def conjunction_record(item_id, records):
    """A main ID without a check of its own whose sub-claims were checked (e.g. P-2, "other exact
    statements"): its verdict is the conjunction of the sub-claims' final verdicts (verdicts.combine)."""
    subs = [r for k, r in sorted(records.items(), key=lambda kv: sort_key(kv[0]))
            if main_id(k) == item_id and k != item_id]
    if not subs:
        return None
    parts = [verdicts.Outcome(r["verdict"], r["method"], counterexample=r.get("counterexample"))
             for r in subs]
    out = verdicts.combine(parts, method="conjunction of sub-claims")
    bad = [r for r in subs if r["verdict"] == verdicts.VIOLATED]
    if out.verdict == verdicts.VIOLATED:
        # As serious as the most serious violated sub-claim; a typo only if every violated sub-claim is one.
        out.severity = verdicts.worst_severity([r.get("severity") or verdicts.UNCLASSIFIED for r in bad])
        out.consequence = {"propagates": any((r.get("consequence") or {}).get("propagates") for r in bad),
                           "to": sorted({t for r in bad for t in (r.get("consequence") or {}).get("to", [])}),
                           "note": "see the violated sub-claims: " + ", ".join(r["id"] for r in bad)}
    out.evidence = {"parts": {r["id"]: r["verdict"] for r in subs},
                    "reason" if out.verdict != verdicts.HOLDS else "covered":
                    "the item is the conjunction of its sub-claims; see each sub-claim's evidence"}
    if out.severity == verdicts.TYPO:
        out.evidence["corrected"] = {
            "form": "each violated sub-claim's corrected form", "evidence": {
                r["id"]: r["evidence"].get("corrected") for r in bad},
            "verdict": verdicts.HOLDS if all(verdicts.severity_rule(r["verdict"], r.get("severity"),
                                                                    r["evidence"]) == verdicts.TYPO
                                             for r in bad) else verdicts.INCONCLUSIVE}
    rec = _record(item_id, "conjunction of " + ", ".join(r["id"] for r in subs), subs[0]["source"],
                  subs[0]["kind"], out)
    return rec


def missing_record(item_id):
    return _record(item_id, "(no check registered)", "", "claim", verdicts.inconclusive(
        "no check is registered for this ID in this build", method="none"))


def select(ids, only):
    """Filter IDs by ``only`` (exact IDs or main IDs: 'L-28' selects L-28 and L-28(a)..)."""
    if not only:
        return list(ids)
    keep = set(only)
    return [i for i in ids if i in keep or main_id(i) in keep]


def _run_one_isolated(*args):
    """:func:`run_one` in a worker that did not run :func:`_init_worker` (a Dask worker): one torch thread,
    as in the local pool, so a verdict never depends on where it ran."""
    _init_worker()
    return run_one(*args)


def verify(profile_name="ci", seed=0, only=None, jobs=None, device="cpu", progress=None, extras=None,
           scheduler=None):
    """Run the suite; returns the verdicts document (a dict ready for JSON).

    ``scheduler``: None runs the items in a local process pool of ``jobs`` workers; ``"local:N"`` starts a
    Dask LocalCluster of N single-threaded worker processes; any other string is the address of a running
    Dask scheduler (``tcp://host:8786``). Each item carries its own seed, so the verdicts and numbers are
    the same wherever the items run."""
    profile = profiles.get(profile_name)
    checks = registry.load_all()
    wanted = select(sorted(set(SPEC_INDEX) | set(checks), key=sort_key), only)
    # The experiment checks (E-) are the longest simulations; submitting them first keeps them off the end of
    # the critical path. Results do not depend on the order (per-item seeds, one thread per worker).
    to_run = sorted((i for i in wanted if i in checks), key=lambda i: (not i.startswith("E-"), sort_key(i)))
    jobs = max(1, jobs or os.cpu_count() or 1)
    records = {}
    args = [(i, profile_name, seed, profile.family_alpha, device, extras) for i in to_run]
    if scheduler is None and (jobs == 1 or len(to_run) <= 1):
        _init_worker()
        for a in args:
            records[a[0]] = run_one(*a)
            if progress:
                progress(records[a[0]])
    else:
        with _executor(scheduler, jobs) as pool:
            futures = {pool.submit(_run_one_isolated, *a): a[0] for a in args}
            for fut in as_completed(futures):
                rec = fut.result()
                records[rec["id"]] = rec
                if progress:
                    progress(rec)
    _apply_holm(records, profile.family_alpha)
    _confirm_counterexamples(records)
    _apply_severity_rule(records)
    for i in wanted:
        if i not in records:
            records[i] = conjunction_record(i, records) or missing_record(i)
    _apply_severity_rule(records)
    cited = tests_citing(REPO_ROOT / "tests")
    for i, rec in records.items():
        rec["tests"] = cited.get(i, [])
    items = [records[i] for i in sorted(records, key=sort_key)]
    return {"paper": PAPER, "tool_version": __version__, "profile": profile_name, "seed": seed,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "family_alpha": profile.family_alpha, "items": items}


@contextlib.contextmanager
def _executor(scheduler, jobs):
    """A ``concurrent.futures`` executor: the local process pool, or a Dask cluster's executor
    (``distributed.Client(...).get_executor()``), which the loop above uses unchanged."""
    if scheduler is None:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker) as pool:
            yield pool
        return
    try:
        import distributed
    except ImportError:
        raise SchedulerError("--scheduler needs Dask: pip install 'maskverify[cluster]' "
                             "(dask[distributed])") from None
    import logging

    # Worker start/stop chatter (nanny restarts at close) is not a result: keep CI logs to our own lines.
    logging.getLogger("distributed").setLevel(logging.ERROR)
    cluster = None
    try:
        if scheduler.startswith("local:"):
            n = scheduler.partition(":")[2]
            if not n.isdigit() or int(n) < 1:
                raise SchedulerError(f"--scheduler local:N needs N >= 1 worker processes, got {scheduler!r}")
            cluster = distributed.LocalCluster(n_workers=int(n), threads_per_worker=1, processes=True,
                                               dashboard_address=None, host="127.0.0.1")
            client = distributed.Client(cluster)
        else:
            client = distributed.Client(scheduler, timeout="10s")
    except SchedulerError:
        raise
    except (OSError, TimeoutError, ValueError) as exc:
        if cluster is not None:
            cluster.close()
        raise SchedulerError(f"cannot use Dask scheduler {scheduler!r}: {exc}") from None
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _apply_holm(records, alpha):
    # In ID order: Holm breaks ties between equal p-values by position, and the completion order of a pool
    # (local or Dask) must not change a threshold.
    mc = sorted((r for r in records.values() if r.get("p_value") is not None), key=lambda r: sort_key(r["id"]))
    if not mc:
        return
    rejected, thresholds = verdicts.holm([float(r["p_value"]) for r in mc], alpha)
    for r, rej, thr in zip(mc, rejected, thresholds):
        conf = dict(r.get("confidence") or {})
        conf.update({"holm_family_size": len(mc), "holm_family_alpha": alpha, "holm_threshold": thr,
                     "p_value": r["p_value"]})
        r["confidence"] = conf
        if r["verdict"] == verdicts.VIOLATED and not rej:
            r["verdict"] = verdicts.INCONCLUSIVE
            r["evidence"] = {**r["evidence"], "reason": "the per-item test rejected the claim, but not after "
                             f"Holm's correction across {len(mc)} Monte Carlo verdicts at family rate {alpha}"}


def _apply_severity_rule(records):
    """verdicts.severity_rule on the final verdicts: a violated record without one of the three severities
    (or a typo without a computed corrected form that holds) is flagged ``unclassified``; a record that is
    not violated (e.g. downgraded by Holm) carries none."""
    for r in records.values():
        r["severity"] = verdicts.severity_rule(r["verdict"], r.get("severity"), r.get("evidence"))
        if r["severity"] is None:
            r["consequence"] = None


def _confirm_counterexamples(records):
    from maskverify.properties.framework.replay import replay_counterexample

    for r in records.values():
        if r["verdict"] != verdicts.VIOLATED:
            continue
        rep = replay_counterexample(r["counterexample"])
        r["counterexample"]["replay_confirmed"] = rep["reproduced"]
        if not rep["reproduced"]:
            r["verdict"] = verdicts.INCONCLUSIVE
            r["evidence"] = {**r["evidence"], "reason": "a violation was computed but its counterexample "
                             f"did not replay: {rep['message']}"}


# -------------------------------------------------------------------------------------- test citations

_ID_RE = None


def _id_regex():
    global _ID_RE
    if _ID_RE is None:
        import re

        _ID_RE = re.compile(r"\b([SNTCLPE])-?(\d+)(?:\(([a-z0-9]+)\)|_?([a-n1-3])\b)?")
    return _ID_RE


def ids_in_text(text):
    """SPEC IDs cited in a test name or docstring: 'L-28(b)', 'L28b' and 'test_L28b_x' forms."""
    out = set()
    for m in _id_regex().finditer(text):
        base = f"{m.group(1)}-{m.group(2)}"
        sub = m.group(3) or m.group(4)
        out.add(base)
        if sub:
            out.add(f"{base}({sub})")
    return {i for i in out if i in SPEC_INDEX}


def tests_citing(tests_dir):
    """Map SPEC ID -> ['tests/file.py::test_name', ...] from test names, docstrings and item markers."""
    cited = {}
    tests_dir = Path(tests_dir)
    if not tests_dir.is_dir():
        return cited
    for path in sorted(tests_dir.rglob("test_*.py")):
        try:
            tree = ast.parse(path.read_text())
        except SyntaxError:
            continue
        module_doc = ast.get_docstring(tree) or ""
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
                text = " ".join([node.name.replace("_", " "), ast.get_docstring(node) or ""] +
                                [ast.unparse(dec) for dec in node.decorator_list])
                for i in ids_in_text(text):
                    cited.setdefault(i, []).append(f"tests/{path.relative_to(tests_dir).as_posix()}::{node.name}")
        del module_doc
    return cited

"""Campaign results (issue: large in-regime runs on a GPU or a cluster): one training run of an envelope item's
decisive instance, written by ``maskverify campaign`` and folded into the verdict by ``maskverify verify
--campaign DIR``.

A campaign file (``FORMAT``) holds the exact instance (``INSTANCE_KEYS``), its ``instance_sha256`` (sha256 of
the canonical JSON: sorted keys, no spaces), the whole-network losses ``||y - u_k||^2`` (k = 0..K; ``null``
after a divergence), the envelope ``(1 - alpha)^k L_0 + B`` the run was compared with, the provenance (device,
date, commit, tool and torch version), ``peak_bytes`` and ``seconds``. :func:`load_dir` reads a folder of them
strictly (unknown keys, a wrong format string, a hash that does not match the instance, bounded sizes: one
line, exit 2). :func:`fold` turns the files of one item into envelope records: a file counts as one more
inside initialisation only when its instance meets the item's hypotheses **recomputed** here with
:func:`maskverify.theory.envelope_forms.setup` (the file's own claims are never trusted), its width and step
are the ones that setup gives, and the stored envelope equals the recomputed one to :data:`ENVELOPE_RTOL`.
The hash covers the instance, not the losses: the losses are checked by replaying the file on a device
(``maskverify campaign --replay FILE``).

T-3 (Hypothesis 1) is not supported: its exceedance is about every local step ((4) and (5)), which the wide
engine does not record.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import numpy as np

from maskverify.theory import envelope_forms as EF

FORMAT = "maskverify-campaign/1"
#: Items whose envelope a campaign run can enter (the (7)-type envelope of the shared machinery).
ITEMS = ("T-4", "T-5", "T-8")
UNSUPPORTED = {"T-3": "Hypothesis 1's exceedance is about every local step ((4), (5)), which the wide engine "
                      "does not record; T-3 has no campaign"}
#: The exact instance: the envelope instance of ``strategies.envelope_instances`` (data: n, d, overlap,
#: label_seed, C, label_edge) plus the width, step, initialisation (trial) and arithmetic of the run.
INSTANCE_KEYS = ("item", "law", "n", "d", "overlap", "label_seed", "label_edge", "C", "p", "xi", "tau", "K", "kappa",
                 "delta", "gamma", "eta_fraction", "m_factor", "m", "eta", "seed", "trial", "dtype", "profile")
TOP_KEYS = ("format", "item", "instance", "instance_sha256", "losses", "envelope", "provenance", "peak_bytes",
            "seconds", "diverged_at")
PROVENANCE_KEYS = ("device", "date", "commit", "tool_version", "torch")
#: Stored envelope vs the recomputed one (relative).
ENVELOPE_RTOL = 1e-9
#: One campaign file at most (a run of 10^6 steps is ~25 MB of losses and envelope).
MAX_FILE_BYTES = 64 * 2**20
MAX_FILES = 10_000
MAX_STEPS = 10_000_000
#: Samples and input dimension of a campaign instance (the data and lambda_0 are built from them).
MAX_N = 4096


def canonical(inst):
    return json.dumps(inst, sort_keys=True, separators=(",", ":"), allow_nan=False)


def instance_sha256(inst):
    return hashlib.sha256(canonical(inst).encode()).hexdigest()


# --------------------------------------------------------------------------------------------------
# The instance and its hypotheses (recomputed, never read from a file)


def setup_of(inst):
    """``(X, y, lambda_0, setup)`` of a campaign instance (the envelope machinery's data and setup)."""
    from maskverify.properties.checks.shared.envelopes import instance_setup

    return instance_setup(inst)


def check_instance(inst):
    """Why ``inst`` is not an in-regime instance of its item (None when it is): the conditions of
    ``envelope_forms.setup`` on its own data, the width and step equal to the ones setup gives."""
    if inst["item"] not in ITEMS:
        return UNSUPPORTED.get(inst["item"], f"item {inst['item']!r} has no campaign (one of {', '.join(ITEMS)})")
    law = "categorical" if inst["item"] == "T-8" else "bernoulli"
    if inst["law"] != law:
        return f"law {inst['law']!r}: {inst['item']} trains {law} masks"
    if inst["n"] > inst["d"]:
        return f"n = {inst['n']} > d = {inst['d']}: the envelope data needs n <= d"
    _, _, lam, s = setup_of(inst)
    failed = [k for k, v in s["conditions"].items() if not v]
    if failed:
        return "outside the hypotheses: " + "; ".join(failed)
    if not math.isfinite(s["m"]) or int(s["m"]) != inst["m"]:
        return f"width m = {inst['m']} is not the width the hypotheses give for m_factor = {inst['m_factor']!r} " \
               f"({s['m']})"
    if abs(s["eta"] - inst["eta"]) > 1e-12 * abs(s["eta"]):
        return f"step eta = {inst['eta']!r} is not eta_fraction x the admissible step ({s['eta']!r})"
    return None


def envelope_of(inst, L0):
    """(K+1,) envelope ``(1 - alpha)^k L_0 + B`` of an instance at the observed L_0."""
    from maskverify.theory import envelope_forms as EF

    _, _, _, s = setup_of(inst)
    return EF.envelope(s["alpha"], float(L0), s["error"], int(inst["K"]))


def with_width(base, m):
    """``base`` (an instance with ``m_factor`` 1) at width ``m``: the m_factor whose setup width is exactly m
    (m below the required width gives m_factor < 1: outside). Returns the instance (``m``, ``eta`` set)."""
    _, _, _, s = setup_of({**base, "m_factor": 1.0})
    req = s["m_required"]
    if not math.isfinite(req):
        return {**base, "m": None, "eta": s["eta"]}
    if m is None:
        m = int(s["m"])
    f = m / req
    for _ in range(64):                     # ceil(req f) == m: step f down by ulps when rounding overshoots
        if math.ceil(req * f) <= m:
            break
        f = math.nextafter(f, 0.0)
    inst = {**base, "m_factor": f}
    _, _, _, s = setup_of(inst)
    return {**inst, "m": int(s["m"]) if math.isfinite(s["m"]) else None, "eta": s["eta"]}


def decisive_instance(item, *, m=None, seed=0, trial=0, dtype="float64", profile="reference"):
    """The item's decisive in-regime instance: T-4 in the regime of its ``would_decide`` table (n = d = 2
    orthonormal, p = 2, tau = 1, kappa = n^{-1/2}, delta = 1/2, xi = 0.9, the largest admissible step, K steps
    for a contraction (1 - alpha)^K < 0.99); T-5 and T-8 the cheapest informative instance of their envelope
    grid (``strategies._ENVELOPE_GRIDS``). Width: the smallest admissible one, or ``m``."""
    from maskverify.properties.checks.shared.envelopes import instance_setup

    if item not in ITEMS:
        from maskverify.errors import invalid

        raise invalid("item", "maskverify campaign", f"one of {', '.join(ITEMS)} ({UNSUPPORTED.get(item, '')})"
                      if item in UNSUPPORTED else f"one of {', '.join(ITEMS)}", item)
    common = {"item": item, "overlap": 0.0, "label_seed": 0, "label_edge": False, "C": 2.0, "delta": 0.5,
              "gamma": 0.5, "eta_fraction": 1.0, "m_factor": 1.0, "seed": int(seed), "trial": int(trial),
              "dtype": dtype, "profile": profile}
    if item == "T-4":
        base = {**common, "law": "bernoulli", "n": 2, "d": 2, "p": 2, "xi": 0.9, "tau": 1, "K": 1,
                "kappa": 2 ** -0.5}
        _, _, _, s = instance_setup(base)
        base["K"] = max(1, math.ceil(math.log(0.99) / math.log1p(-s["alpha"])))
    elif item == "T-5":
        base = {**common, "law": "bernoulli", "n": 4, "d": 4, "p": 1, "xi": 0.9, "tau": 1, "K": 4, "kappa": 0.5}
    else:
        base = {**common, "law": "categorical", "n": 2, "d": 2, "p": 2, "xi": 0.5, "tau": 4, "K": 3, "kappa": 1.0}
    return with_width(base, m)


# --------------------------------------------------------------------------------------------------
# Reading files strictly


def _bad(path, why):
    from maskverify.errors import InstanceFileError

    return InstanceFileError(f"campaign file {path}: {why}")


def _num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def validate(doc, path):
    """A parsed campaign document: known keys only, types and sizes, the format string and the hash."""
    if not isinstance(doc, dict):
        raise _bad(path, "not a JSON object")
    unknown = sorted(set(doc) - set(TOP_KEYS))
    if unknown:
        raise _bad(path, f"unknown key {unknown[0][:40]!r}")
    missing = [k for k in TOP_KEYS if k not in doc and k != "diverged_at"]
    if missing:
        raise _bad(path, f"missing key {missing[0]!r}")
    if doc["format"] != FORMAT:
        raise _bad(path, f"format {str(doc['format'])[:40]!r} is not {FORMAT!r}")
    inst = doc["instance"]
    if not isinstance(inst, dict):
        raise _bad(path, "instance is not an object")
    bad = sorted(set(inst) ^ set(INSTANCE_KEYS))
    if bad:
        raise _bad(path, f"instance key {bad[0][:40]!r} is " + ("unknown" if bad[0] in inst else "missing"))
    for k in INSTANCE_KEYS:
        v = inst[k]
        ok = (v in EF.PROFILES if k == "profile" else
              isinstance(v, str) and len(v) <= 40 if k in ("item", "law", "dtype") else
              isinstance(v, bool) if k == "label_edge" else
              isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**63
              if k in ("n", "d", "p", "tau", "K", "m", "seed", "trial", "label_seed") else
              _num(v) and math.isfinite(v))
        if not ok:
            raise _bad(path, f"instance.{k} = {str(v)[:40]!r} has the wrong type")
    if doc["item"] != inst["item"]:
        raise _bad(path, f"item {str(doc['item'])[:20]!r} differs from instance.item {inst['item']!r}")
    for k, hi in (("K", MAX_STEPS), ("n", MAX_N), ("d", MAX_N), ("p", 30), ("tau", MAX_STEPS)):
        if inst[k] > hi:
            raise _bad(path, f"instance.{k} = {inst[k]} exceeds {hi}")
    if not isinstance(doc["instance_sha256"], str) or doc["instance_sha256"] != instance_sha256(inst):
        raise _bad(path, "instance_sha256 does not match the instance (the instance was changed)")
    for k in ("losses", "envelope"):
        v = doc[k]
        if not isinstance(v, list) or len(v) != inst["K"] + 1 or not all(
                x is None or _num(x) for x in v) or (k == "envelope" and None in v):
            raise _bad(path, f"{k} is not a list of K + 1 = {inst['K'] + 1} numbers")
    if doc["losses"][0] is None:
        raise _bad(path, "losses[0] (L_0) is missing")
    prov = doc["provenance"]
    if not isinstance(prov, dict) or set(prov) != set(PROVENANCE_KEYS) or not all(
            isinstance(v, str) and len(v) <= 200 for v in prov.values()):
        raise _bad(path, f"provenance must hold exactly {', '.join(PROVENANCE_KEYS)} (short strings)")
    if not (isinstance(doc["peak_bytes"], int) and not isinstance(doc["peak_bytes"], bool)
            and doc["peak_bytes"] >= 0) or not (_num(doc["seconds"]) and doc["seconds"] >= 0):
        raise _bad(path, "peak_bytes / seconds are not non-negative numbers")
    da = doc.get("diverged_at")
    if da is not None and not (isinstance(da, int) and not isinstance(da, bool) and 0 <= da <= inst["K"]):
        raise _bad(path, "diverged_at is not a step index")
    return doc


def load_file(path):
    from maskverify.properties.framework.jsonfile import read_json

    return validate(read_json(path, "campaign file", max_bytes=MAX_FILE_BYTES, max_depth=8), path)


def load_dir(folder):
    """Every ``*.json`` of ``folder``, validated (:func:`validate`); each gets ``"file"`` (its name).
    Any problem: InstanceFileError (one line, exit 2)."""
    from maskverify.errors import InstanceFileError

    d = Path(folder)
    if not str(folder) or not d.is_dir():
        raise InstanceFileError(f"--campaign {folder}: not a folder")
    files = sorted(d.glob("*.json"))
    if len(files) > MAX_FILES:
        raise InstanceFileError(f"--campaign {folder}: more than {MAX_FILES} files")
    docs = []
    for f in files:
        doc = dict(load_file(f))
        doc["file"] = f.name
        docs.append(doc)
    return docs


# --------------------------------------------------------------------------------------------------
# Folding into the envelope machinery


def record_of(doc):
    """The envelope record of one campaign file (``inside`` True), or ``(None, reason)`` when it is rejected."""
    from maskverify.properties.checks.shared import envelopes as EN

    inst = doc["instance"]
    why = check_instance(inst)
    if why:
        return None, why
    losses = np.asarray([math.inf if x is None else float(x) for x in doc["losses"]], float)
    env = envelope_of(inst, losses[0])
    stored = np.asarray(doc["envelope"], float)
    rel = float(np.max(np.abs(stored - env) / np.maximum(np.abs(env), 1e-300)))
    if not rel <= ENVELOPE_RTOL:
        return None, f"stored envelope differs from the one recomputed from the instance (max relative {rel:.3g})"
    _, _, lam, s = setup_of(inst)
    rec = {"instance": dict(inst), "lambda_0": lam, "m": inst["m"], "eta": inst["eta"],
           "m_required": s["m_required"], "alpha": s["alpha"], "B": s["error"], "conditions": s["conditions"],
           "inside": True, "contraction_K": (1 - s["alpha"]) ** int(inst["K"]),
           "masks_enter": not (inst["xi"] == 1.0 or (inst["item"] == "T-8" and inst["p"] == 1)),
           "engine": "impl.wide (campaign)", "seqs_used": 1, "losses": [[losses.tolist()]],
           "peak_bytes": doc["peak_bytes"], "campaign": True, "campaign_file": doc.get("file")}
    rec.update(EN.measure(rec))
    return rec, None


def fold(item, docs):
    """``(records, evidence)`` of the campaign files of ``item`` among ``docs``: the accepted ones as inside
    envelope records, the evidence ``{files, accepted, rejected: [{file, reason}], provenance}``."""
    mine = [d for d in docs if d["item"] == item]
    records, rejected, seen = [], [], {}
    for d in mine:
        if d["instance_sha256"] in seen:      # one initialisation counts once
            rejected.append({"file": d.get("file"), "reason": f"the same instance as {seen[d['instance_sha256']]}"})
            continue
        seen[d["instance_sha256"]] = d.get("file")
        try:
            rec, why = record_of(d)
        except Exception as exc:  # noqa: BLE001 -- an instance from a file may break the data builder
            rec, why = None, f"the instance cannot be built: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
        if rec is None:
            rejected.append({"file": d.get("file"), "reason": why})
        else:
            records.append(rec)
    ev = {"files": [d.get("file") for d in mine], "accepted": len(records), "rejected": rejected,
          "provenance": [{"file": d.get("file"), "instance_sha256": d["instance_sha256"], **d["provenance"],
                          "peak_bytes": d["peak_bytes"], "seconds": d["seconds"]} for d in mine]}
    return records, ev


def witness_args(records):
    """What a counterexample carries of the accepted campaign runs (re-folded on replay, not re-trained)."""
    return [{"instance": r["instance"], "losses": [x if math.isfinite(x) else None for x in r["losses"][0][0]],
             "peak_bytes": r.get("peak_bytes") or 0} for r in records]


def records_from_witness(runs):
    """The records of :func:`witness_args` again (each re-checked against the hypotheses)."""
    out = []
    for r in runs or []:
        inst = r["instance"]
        L = list(r["losses"])
        env = envelope_of(inst, L[0]).tolist()
        rec, why = record_of({"instance": inst, "losses": L, "envelope": env, "peak_bytes": r["peak_bytes"]})
        if rec is not None:
            out.append(rec)
    return out

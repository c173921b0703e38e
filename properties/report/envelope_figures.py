"""Report section of the envelope items (issue 8): for each of T-3..T-8 whose verdict carries an envelope
evidence block, one plot of the observed loss (median and min-max band over initialisations and mask sequences)
against the envelope on a log scale, with the regime flags, the power and the tightness beside it.

The runs are not recomputed: the plot is drawn from the curves stored in ``verdicts.json`` (the instance with the
largest observed/envelope ratio among the informative inside ones, else among the inside ones).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

ENVELOPE_IDS = ("T-3", "T-4", "T-5", "T-6", "T-7", "T-8")


def _pick(block):
    recs = [r for r in block.get("records", []) if "curves" in r and r.get("inside")]
    informative = [r for r in recs if r.get("informative")]
    pool = informative or recs
    return max(pool, key=lambda r: r.get("max_ratio", -1), default=None)


def plot_envelope_record(path, rec, *, title, note=""):
    """Observed loss / L_0 (median, min-max band over initialisations) against the envelope / L_0 (per
    initialisation: its lowest curve dashed, the band over initialisations shaded)."""
    from maskverify.properties.report import plots

    plt = plots.plt
    c = rec["curves"]
    k = np.arange(len(c["observed_median"]))
    fig, ax = plt.subplots(figsize=(6.4, 4))
    ax.fill_between(k, c["observed_min"], c["observed_max"], color="C0", alpha=0.25, lw=0,
                    label=f"observed min-max ({len(rec.get('L0', []))} initialisations)")
    ax.plot(k, c["observed_median"], color="C0", lw=1.5, label="observed median ||y - u_k||^2 / L_0")
    ax.fill_between(k, c["envelope_min"], c["envelope_max"], color="C3", alpha=0.15, lw=0)
    ax.plot(k, c["envelope_min"], color="C3", ls="--", lw=1.5,
            label="envelope ((1 - alpha)^k L_0 + B) / L_0 (lowest initialisation; band: all)")
    ax.set_yscale("log")
    ax.set_xlabel("global iteration k")
    ax.set_ylabel("loss / L_0 (per initialisation)")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)
    ax.grid(True, which="both", alpha=0.3)
    plots._note(fig, note)
    return plots._save(fig, path)


def _g(x):
    return "-" if x is None else f"{x:.3g}"


def envelope_markdown(fig_dir, doc):
    """Draw one figure per envelope item of ``doc`` (verdicts.json as a dict) and return Markdown lines."""
    fig_dir = Path(fig_dir)
    md = ["### The proved error region on training runs (envelope items)", "",
          "Inside the hypotheses under the reference constant profile (explicit appendix constants where printed, "
          "1 for every O()/Omega()/Theta() constant). Power: what the Clopper-Pearson test over initialisations can "
          "decide at the run's false-alarm rate; tightness: the empirical constants of the inside runs.", "",
          "| item | verdict | inside / informative | inside runs | power | tightness | "
          "max observed/envelope | peak bytes | figure |", "|---|---|---|---|---|---|---|---|---|"]
    for it in doc.get("items", []):
        block = (it.get("evidence") or {}).get("envelope")
        if it["id"] not in ENVELOPE_IDS or not block:
            continue
        beside = (it.get("evidence") or {}).get("beside")
        if _pick(block) is None and beside and beside.get("envelope"):
            # no reference run fits (T-4..T-7): show the main-text runs, labelled as evidence only
            block = {**beside["envelope"], "label": "beside: main-text unit constants, evidence only (would be "
                     f"{beside.get('would_be_verdict')})"}
        rec = _pick(block)
        pw, tg = block.get("power") or {}, block.get("tightness") or {}
        power = ("powerless: needs " + str(pw.get("runs_needed_to_reject")) + " to reject" if pw.get("powerless")
                 else f"detects exceedance prob. >= {pw.get('detectable_exceedance_probability', 0):.2g}")
        tight = "-" if not tg else f"rate {_g(tg.get('rate_factor'))}x, " + (
            f"B_1 fraction {_g(tg.get('B1_factor'))}" if tg.get("B1_factor") is not None
            else f"(5) drift fraction {_g(tg.get('drift_factor'))}")
        fig = "-"
        if rec is not None:
            flags = "; ".join(f"{k}: {'yes' if v else 'NO'}" for k, v in rec.get("conditions", {}).items())
            note = (f"m = {rec.get('m')}, B/L_0 = {min(rec.get('B_over_L0', [float('nan')])):.3g}, "
                    f"(1 - alpha)^K = {rec.get('contraction_K', float('nan')):.4g}; {power}; tightness {tight}. "
                    + flags)
            path = fig_dir / f"envelope_{it['id'].replace('(', '_').replace(')', '')}.png"
            title = f"{it['id']}: observed loss vs envelope ({it['verdict']})"
            if block.get("label"):
                title += f" [{block['label']}]"
            plot_envelope_record(path, rec, title=title, note=note)
            fig = f"![{it['id']}](figures/{path.name})"
        mx = block.get("max_observed_over_envelope")
        verdict = it["verdict"] + (f" ({block['label']})" if block.get("label") else "")
        md.append(f"| {it['id']} | {verdict} | {block.get('inside')} / {block.get('informative_inside')} | "
                  f"{block.get('inside_runs')} | {power} | {tight} | {'-' if mx is None else f'{mx:.3g}'} | "
                  f"{block.get('peak_bytes')} | {fig} |")
    md.append("")
    return md

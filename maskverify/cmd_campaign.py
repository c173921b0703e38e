"""``maskverify campaign``: run an envelope item's decisive in-regime instance at full scale with the wide
engine (a GPU or a large machine) and write one campaign file per run into ``--out DIR``; ``maskverify verify
--campaign DIR`` folds them into the verdict. ``--replay FILE`` re-runs a campaign file's instance on this
device and compares the losses.

Exit 0 on success (a replay: reproduced, or run on a different device, which is said), 1 when a replay on the
same device in float64 differs by more than 1e-9 relative, 2 for an instance outside the hypotheses, beyond
memory, or an unreadable/refused file (one line). Machinery: :mod:`maskverify.properties.checks.shared.campaign`.
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

ITEM_CHOICES = ("T-3", "T-4", "T-5", "T-8")
#: Same device, float64: the replayed losses equal the stored ones to this relative difference.
REPLAY_RTOL = 1e-9


def add_arguments(p):
    p.add_argument("--item", choices=ITEM_CHOICES, help="the envelope item (T-3 is refused: see the docs)")
    p.add_argument("--out", metavar="DIR", help="folder for the campaign files (one JSON per run)")
    p.add_argument("--device", default="cpu", help="torch device: cpu, cuda, cuda:N (default cpu)")
    p.add_argument("--dtype", choices=("float64", "float32"), default="float64", help="engine arithmetic")
    p.add_argument("--seed", type=int, default=0, help="seed of the counter streams (W_0, a, masks)")
    p.add_argument("--runs", type=int, default=1, help="initialisations (trial 0..R-1), one file each")
    p.add_argument("--m", type=int, default=None, help="width (default: the smallest the hypotheses admit); "
                   "refused below it")
    p.add_argument("--profile", choices=("reference", "main-text"), default="reference",
                   help="constant profile the width and step are sized under (default reference: the appendix's "
                   "explicit constants, which decides verdicts; main-text runs are folded in beside it as evidence)")
    p.add_argument("--replay", metavar="FILE", help="re-run a campaign file's instance here and compare")


def _refuse(msg):
    from maskverify.errors import OutsideHypothesesError

    return OutsideHypothesesError(msg)


def device_name(device):
    import platform

    import torch

    dev = torch.device(device)
    if dev.type == "cuda":
        return f"cuda: {torch.cuda.get_device_name(dev)}"
    return f"cpu: {platform.processor() or platform.machine() or 'unknown'}"


def commit():
    import subprocess

    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).resolve().parents[1],
                             capture_output=True, text=True, timeout=10)
        sha = out.stdout.strip()
        return sha if out.returncode == 0 and len(sha) == 40 else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def train(inst, device):
    """One run of a campaign instance on ``device``: ``(losses (None after divergence), WideResult)``."""
    from maskverify.impl import wide
    from maskverify.properties.checks.shared.campaign import setup_of

    X, y, _, _ = setup_of(inst)
    r = wide.train(X, y, m=inst["m"], p=inst["p"], tau=inst["tau"], eta=inst["eta"], K=inst["K"],
                   kappa=inst["kappa"], xi=inst["xi"], law=inst["law"], seed=inst["seed"], trial=inst["trial"],
                   dtype=inst["dtype"], device=device)
    return [float(x) if math.isfinite(float(x)) else None for x in r.loss.tolist()], r


def check_device(device):
    from maskverify.errors import invalid

    if device not in ("cpu", "cuda") and not device.startswith("cuda:"):
        raise invalid("device", "maskverify campaign", "'cpu', 'cuda' or 'cuda:N'", device)
    if device.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            from maskverify.errors import DeviceUnavailableError

            raise DeviceUnavailableError(f"--device {device}: no CUDA device is available here")


def run(args):
    from maskverify.errors import invalid

    check_device(args.device)
    if args.replay:
        return replay(args)
    if not args.item or not args.out:
        raise invalid("item/out", "maskverify campaign", "given (--item ID --out DIR), or --replay FILE", None)
    if not 1 <= args.runs <= 10_000:
        raise invalid("runs", "maskverify campaign", "an int in [1, 10000]", args.runs)
    if args.seed < 0 or (args.m is not None and args.m < 1):
        raise invalid("seed" if args.seed < 0 else "m", "maskverify campaign", "a non-negative int",
                      args.seed if args.seed < 0 else args.m)
    from maskverify.impl import wide
    from maskverify.impl.plan import available_bytes, human
    from maskverify.properties.checks.shared import campaign as C

    if args.item in C.UNSUPPORTED:
        raise _refuse(f"--item {args.item}: {C.UNSUPPORTED[args.item]}")
    inst = C.decisive_instance(args.item, m=args.m, seed=args.seed, dtype=args.dtype, profile=args.profile)
    if inst["m"] is None:
        raise _refuse(f"{args.item}: no finite width meets the hypotheses of this instance")
    why = C.check_instance(inst)
    if why:
        raise _refuse(f"{args.item} at m = {inst['m']}: {why}")
    need = wide.memory_estimate(m=inst["m"], n=inst["n"], d=inst["d"], p=inst["p"], tau=inst["tau"],
                                xi=inst["xi"], dtype=args.dtype)["total"]
    avail = available_bytes(args.device)
    if avail is not None and need > avail:
        raise _refuse(f"{args.item} at m = {inst['m']} (K = {inst['K']}) needs an estimated {human(need)} on "
                      f"{args.device}, {human(avail)} is available")
    import torch

    from maskverify import __version__
    from maskverify.properties.framework.atomic import write_text_atomic

    prov = {"device": device_name(args.device), "commit": commit(), "tool_version": __version__,
            "torch": torch.__version__}
    out = Path(args.out)
    for t in range(args.runs):
        ins = {**inst, "trial": t}
        start = time.perf_counter()
        losses, r = train(ins, args.device)
        env = C.envelope_of(ins, losses[0]).tolist()
        sha = C.instance_sha256(ins)
        doc = {"format": C.FORMAT, "item": args.item, "instance": ins, "instance_sha256": sha, "losses": losses,
               "envelope": env, "diverged_at": r.diverged_at,
               "provenance": {**prov, "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
               "peak_bytes": int(r.peak_bytes), "seconds": time.perf_counter() - start}
        path = out / f"{args.item}-{sha[:16]}.json"
        try:
            write_text_atomic(path, json.dumps(doc, indent=1, sort_keys=True, allow_nan=False) + "\n")
        except OSError as exc:
            from maskverify.errors import OutputPathError

            raise OutputPathError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None
        exceed = any(o is None or o > e * (1 + C.ENVELOPE_RTOL) for o, e in zip(losses[1:], env[1:]))
        sys.stdout.write(f"{path}  m = {ins['m']}  K = {ins['K']}  trial {t}  "
                         f"{'EXCEEDS the envelope' if exceed else 'inside the envelope'}  {doc['seconds']:.1f}s\n")
    return 0


def replay(args):
    from maskverify.properties.checks.shared import campaign as C

    doc = C.load_file(args.replay)
    inst = doc["instance"]
    losses, _ = train(inst, args.device)
    here = device_name(args.device)
    same = here == doc["provenance"]["device"]
    a = [math.inf if x is None else x for x in doc["losses"]]
    b = [math.inf if x is None else x for x in losses]
    rel = 0.0
    for x, z in zip(a, b):
        if math.isinf(x) or math.isinf(z):
            rel = rel if x == z else math.inf
        else:
            rel = max(rel, abs(x - z) / max(abs(x), 1e-300))
    decisive = same and inst["dtype"] == "float64"
    reproduced = rel <= REPLAY_RTOL
    msg = (("reproduced" if reproduced else "NOT reproduced") + f" on the same device ({here}), float64"
           if decisive else
           f"run on a different device or dtype ({here}, {inst['dtype']}; stored: {doc['provenance']['device']}): "
           f"max relative difference {rel:.3g}, not a reproduction test")
    sys.stdout.write(json.dumps({"file": str(args.replay), "item": inst["item"],
                                 "instance_sha256": doc["instance_sha256"], "device": here,
                                 "stored_device": doc["provenance"]["device"],
                                 "max_relative_difference": rel if math.isfinite(rel) else "inf",
                                 "same_device": same, "reproduced": reproduced if decisive else None,
                                 "message": msg}, indent=1) + "\n")
    return 1 if decisive and not reproduced else 0

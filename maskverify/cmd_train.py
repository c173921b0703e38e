"""``maskverify train``: run Algorithm 1 (S-7) on one configuration or instance file; write JSON.

Generated instances (no ``--instance``): ``x_i = g_i/||g_i||`` with ``g_i ~ N(0, I_d)`` (unit norm, as in
Theorems 3 and 7), labels ``y_i ~ Uniform[-1, 1]``, ``w_r ~ N(0, kappa^2 I)``, ``a_r ~ Uniform{-1, +1}``,
then the masks, all drawn in that order from ``--seed`` on the CPU in float64.

Output (JSON, sorted keys): ``loss`` -- per trial the whole-network losses ``||y - u_k||^2`` for
k = 0..K (a trial that diverged stops: its list ends with the first non-finite value, written as a string
"inf"/"nan"); ``diverged_at`` (per trial: k or null); ``config`` (resolved); ``timing``; optional
``records`` (``--record``).

Scale-out (``--engine wide``, ``--nproc N``, ``--torchrun``): the wide engine (:mod:`maskverify.impl.wide`)
streams the width in blocks and, with N ranks, shards the neurons over torch.distributed
(:mod:`maskverify.impl.distributed`); W_0, a and the masks then come from counter-based streams keyed by
the seed (a different draw from the batched engine's, the same for any number of ranks). Before anything
is allocated the run's memory is estimated (:mod:`maskverify.impl.plan`); a run that would not fit is
refused with one line (exit 2). ``--dry-run`` prints that plan and runs nothing.
"""

from __future__ import annotations

import json
import sys

RECORD_CHOICES = ("subnet_loss", "phases", "distances", "act_changes", "ntk", "weights")


def add_arguments(p):
    g = p.add_argument_group("configuration (defaults: maskverify.impl.algorithm1.Config)")
    g.add_argument("--n", type=int, help="samples (default 16)")
    g.add_argument("--d", type=int, help="input dimension (default 4)")
    g.add_argument("--m", type=int, help="hidden neurons (default 64)")
    g.add_argument("--xi", type=float, help="selection probability in (0, 1] (default 0.5; categorical: 1/p)")
    g.add_argument("--p", type=int, help="subnetworks per global iteration (default 2)")
    g.add_argument("--tau", type=int, help="local GD steps (default 2)")
    g.add_argument("--eta", type=float, help="local step size (default 0.1)")
    g.add_argument("--K", type=int, help="global iterations (default 10; 0 = no training)")
    g.add_argument("--kappa", type=float, help="initialization scale (default 1.0)")
    g.add_argument("--mask", choices=("bernoulli", "categorical"), help="mask law (default bernoulli)")
    g.add_argument("--seed", type=int, help="seed of data, initialization and masks (default 0)")
    g.add_argument("--trials", type=int, help="independent (W0, a, masks) draws, batched (default 1)")
    g.add_argument("--device", help="cpu or cuda (default cpu)")
    g.add_argument("--dtype", choices=("float64", "float32"), help="default float64")
    p.add_argument("--instance", metavar="FILE.npz", help="read X, y, W0, a (and masks, which fix K and p)")
    p.add_argument("--save-instance", metavar="FILE.npz", help="write the instance used (incl. masks)")
    p.add_argument("--record", action="append", choices=RECORD_CHOICES, default=[],
                   help="also record this trajectory quantity (repeatable)")
    p.add_argument("--json", metavar="OUT", help="write the result here instead of stdout")
    s = p.add_argument_group("scale-out: the wide engine, sharded over torch.distributed (README 'Scale-out')")
    s.add_argument("--engine", choices=("batched", "wide"),
                   help="batched (default: impl.algorithm1, trials batched) or wide (impl.wide: the width "
                        "streamed in blocks, counter-based streams; implied by --nproc/--torchrun)")
    s.add_argument("--nproc", type=int, help="spawn N local ranks, each training m/N neurons (gloo on CPU, "
                                              "NCCL on CUDA)")
    s.add_argument("--master-port", type=int,
                   help="rendezvous port on 127.0.0.1 for --nproc (default: a free one)")
    s.add_argument("--torchrun", action="store_true",
                   help="this process is one rank of a torchrun job (multi-node; see README)")
    s.add_argument("--kernel", choices=("auto", "eager", "compiled"),
                   help="wide engine kernels: torch.compile'd or eager (default auto: compiled on CPU for "
                        ">= 1e8 neuron-steps)")
    s.add_argument("--block", type=int, help="wide engine: neurons per block (a multiple of 65536)")
    s.add_argument("--dry-run", action="store_true",
                   help="print the plan (ranks, neurons and memory per rank, communication per step) and exit")


_FIELDS = ("n", "d", "m", "xi", "p", "tau", "eta", "K", "kappa", "mask", "seed", "trials", "device", "dtype")
_INTS = ("n", "d", "m", "p", "tau", "K", "seed", "trials", "nproc", "master_port", "block")
_INT64_MAX = 2 ** 63 - 1


def _config(args, **override):
    from maskverify.impl.algorithm1 import Config

    kw = {f: getattr(args, f, None) for f in _FIELDS}
    kw.update(override)
    return Config(**{k: v for k, v in kw.items() if v is not None})


def _check_scale_out(args):
    """Integer options must fit in int64 (torch sizes and seeds); the scale-out options must go together."""
    from maskverify.errors import invalid

    for name in _INTS:
        value = getattr(args, name, None)
        if value is not None and abs(value) > _INT64_MAX:
            raise invalid(name, "maskverify train", f"an int of at most {_INT64_MAX}", value)
    if args.nproc is not None and args.nproc < 1:
        raise invalid("nproc", "maskverify train", "an int in the range [1, inf)", args.nproc)
    wide = args.engine == "wide" or args.nproc is not None or args.torchrun
    if args.engine == "batched" and (args.nproc is not None or args.torchrun):
        raise invalid("engine", "maskverify train", "'wide' (or omitted) with --nproc/--torchrun", "batched")
    if args.nproc is not None and args.torchrun:
        raise invalid("nproc", "maskverify train", "omitted with --torchrun (torchrun starts the ranks)",
                      args.nproc)
    if args.master_port is not None and args.nproc is None:
        raise invalid("master_port", "maskverify train", "given only with --nproc", args.master_port)
    for flag, name in ((args.kernel, "kernel"), (args.block, "block")):
        if flag is not None and not wide:
            raise invalid(name, "maskverify train", "given only with --engine wide / --nproc / --torchrun", flag)
    if wide:
        for flag, name in ((args.instance, "instance"), (args.save_instance, "save_instance"),
                           (args.record or None, "record")):
            if flag is not None:
                raise invalid(name, "maskverify train", "omitted with the wide engine (it draws W0, a and the "
                              "masks from its counter streams and records the losses only)", flag)
    return "wide" if wide else "batched"


def _refuse_if_too_big(plan):
    from maskverify.errors import MaskverifyError
    from maskverify.impl.plan import human

    if not plan["fits"]:
        local = plan["local_ranks"]
        raise MaskverifyError(
            f"this run needs an estimated {plan['memory_per_rank_bytes'] * local} bytes "
            f"({human(plan['memory_per_rank_bytes'] * local)}; engine {plan['engine']}, {local} rank(s) here) but "
            f"{human(plan['memory_available_bytes'])} is available; lower --m, --n, --K or --trials"
            + (", or use --engine wide (streams the width)" if plan["engine"] == "batched" else
               ", or spread the neurons over more machines (--torchrun)"))


def _print_plan(plan):
    from maskverify.properties.framework.verdicts import jsonable

    sys.stdout.write(json.dumps(jsonable({"dry_run": True, **plan}), indent=1, sort_keys=True) + "\n")
    return 0


def run(args):
    import torch

    from maskverify import __version__
    from maskverify.errors import invalid
    from maskverify.impl import algorithm1, instance, plan
    from maskverify.impl.params import resolve_device
    from maskverify.properties.framework.atomic import write_user_file
    from maskverify.properties.framework.verdicts import jsonable

    if _check_scale_out(args) == "wide":
        return _run_wide(args)
    if args.instance:
        inst = instance.load(args.instance)
        n, d = inst.X.shape
        m = inst.W0.shape[0]
        if (args.trials or 1) != 1:
            raise invalid("trials", "maskverify train", "1 with --instance (the file holds one W0)", args.trials)
        for name, value in (("n", n), ("d", d), ("m", m)):
            given = getattr(args, name)
            if given is not None and given != value:
                raise invalid(name, "maskverify train", f"{value} (from {args.instance}) or omitted", given)
        fixed = dict(n=n, d=d, m=m)
        if inst.masks is not None:
            K, p = inst.masks.shape[0], inst.masks.shape[1]
            for name, value in (("K", K), ("p", p)):
                given = getattr(args, name)
                if given is not None and given != value:
                    raise invalid(name, "maskverify train", f"{value} (the masks of {args.instance} fix it) or "
                                  "omitted", given)
            fixed.update(K=K, p=p)
        cfg = _config(args, **fixed)
        if inst.masks is None:
            gen = torch.Generator().manual_seed(cfg.seed)
            from maskverify.impl import masks as masks_mod
            inst.masks = (masks_mod.bernoulli_masks(cfg.K, cfg.p, m, cfg.xi, gen) if cfg.mask == "bernoulli"
                          else masks_mod.categorical_masks(cfg.K, cfg.p, m, gen))
        if cfg.mask == "categorical" and not bool((inst.masks.sum(1) == 1).all()):
            raise invalid("mask", "maskverify train", "'bernoulli' for masks whose columns are not one-hot",
                          cfg.mask)
    else:
        cfg = _config(args)
    resolve_device(cfg.device, "Config")               # a bad or absent device is one line, before the plan
    the_plan = plan.describe(engine="batched", n=cfg.n, d=cfg.d, m=cfg.m, p=cfg.p, tau=cfg.tau, xi=cfg.xi, K=cfg.K,
                             trials=cfg.trials, dtype=cfg.dtype, device=cfg.device, records=args.record)
    if args.dry_run:
        return _print_plan(the_plan)
    _refuse_if_too_big(the_plan)                       # before anything is allocated
    if not args.instance:
        inst = algorithm1.init_instance(cfg)
    if args.save_instance:
        if cfg.trials != 1:
            raise invalid("trials", "maskverify train", "1 with --save-instance (the file holds one W0)",
                          cfg.trials)
        instance.save(args.save_instance, inst)
    work = cfg.trials * cfg.K * cfg.p * cfg.tau * cfg.xi * cfg.m * cfg.n * cfg.d * 4
    res = algorithm1.run(inst.X, inst.y, inst.W0, inst.a, inst.masks, cfg.xi, cfg.eta, cfg.tau,
                         record=tuple(dict.fromkeys(args.record)), device=cfg.device, dtype=cfg.dtype,
                         progress=work > 2e9)
    loss = res.loss.reshape(cfg.trials, -1).tolist()
    diverged = res.diverged_at if isinstance(res.diverged_at, list) else [res.diverged_at]
    loss = [row if k is None else row[: k + 1] for row, k in zip(loss, diverged)]
    steps = sum(len(row) - 1 for row in loss)
    out = {
        "config": {**{f: getattr(cfg, f) for f in _FIELDS}, "instance": args.instance},
        "data": "x_i = g_i/||g_i||, g_i ~ N(0, I_d); y_i ~ Uniform[-1, 1]" if not args.instance
        else f"from {args.instance}",
        "loss": loss,
        "final_loss": [row[-1] for row in loss],
        "diverged_at": diverged,
        "timing": {"seconds": res.seconds, "global_steps_per_second": steps / res.seconds if res.seconds else None,
                   "torch": torch.__version__},
        "version": __version__,
        "loss_convention": "||y - u_k||^2 with u = xi f(W_k, X) (no 1/2; SPEC S-5)",
    }
    if res.records:
        out["records"] = res.records
    text = json.dumps(jsonable(out), indent=1, sort_keys=True, allow_nan=False) + "\n"
    if args.json:
        write_user_file(args.json, text)
    else:
        sys.stdout.write(text)
    return 0  # divergence is an outcome (diverged_at), not an error


def _run_wide(args):
    """``--engine wide`` / ``--nproc N`` / ``--torchrun``: one process, N local ranks, or one torchrun rank."""
    import os

    import torch

    from maskverify import __version__
    from maskverify.impl import distributed, plan, wide
    from maskverify.impl.params import resolve_device
    from maskverify.properties.framework.atomic import write_user_file
    from maskverify.properties.framework.verdicts import jsonable

    cfg = _config(args)                                # validates every field like the batched engine
    resolve_device(cfg.device, "Config")
    job = {**{f: getattr(cfg, f) for f in _FIELDS}, "law": cfg.mask, "kernel": args.kernel or "auto",
           "block": args.block}
    wide.resolve(m=cfg.m, p=cfg.p, tau=cfg.tau, eta=cfg.eta, K=cfg.K, kappa=cfg.kappa, xi=cfg.xi, law=cfg.mask,
                 seed=cfg.seed, trial=0, block=args.block, kernel=job["kernel"], owner="maskverify train")
    ranks = args.nproc or (int(os.environ.get("WORLD_SIZE", 1)) if args.torchrun else 1)
    local = int(os.environ.get("LOCAL_WORLD_SIZE", ranks)) if args.torchrun else ranks
    kernel = "compiled" if job["kernel"] == "compiled" else "eager"
    the_plan = plan.describe(engine="wide", n=cfg.n, d=cfg.d, m=cfg.m, p=cfg.p, tau=cfg.tau, xi=cfg.xi, K=cfg.K,
                             trials=cfg.trials, ranks=ranks, local_ranks=local, dtype=cfg.dtype, kernel=kernel,
                             device=cfg.device)
    if args.dry_run:
        return _print_plan(the_plan)
    _refuse_if_too_big(the_plan)
    work = cfg.trials * cfg.K * cfg.tau * cfg.m
    job["progress"] = work > 5e8
    if args.torchrun:
        res = distributed.run_torchrun(job)
        if res is None:                                # ranks > 0: rank 0 writes the result
            return 0
    elif args.nproc is not None and args.nproc > 1:
        res = distributed.launch(job, args.nproc, master_port=args.master_port)
    else:
        res = distributed.run_job(job)
        res["peak_bytes_per_rank"], res["ranks"], res["backend"] = [res["peak_bytes"]], 1, None
    loss = res["loss"].tolist()
    diverged = res["diverged_at"]
    loss = [row if k is None else row[: k + 1] for row, k in zip(loss, diverged)]
    steps = sum(len(row) - 1 for row in loss)
    seconds = res["seconds"]
    out = {
        "config": {**{f: getattr(cfg, f) for f in _FIELDS}, "instance": None, "engine": "wide",
                   "nproc": res["ranks"], "backend": res["backend"], "kernel": res["kernel"],
                   "block": res["block"]},
        "data": "x_i = g_i/||g_i||, g_i ~ N(0, I_d); y_i ~ Uniform[-1, 1]",
        "draws": "W0, a and masks from the counter-based streams of maskverify.impl.wide (seed, trial, step, "
                 "block of 65536 neurons): the same for any number of ranks, not the batched engine's draws",
        "loss": loss,
        "final_loss": [row[-1] for row in loss],
        "diverged_at": diverged,
        "timing": {"seconds": seconds, "global_steps_per_second": steps / seconds if seconds else None,
                   "torch": torch.__version__, **{f"{k}_seconds_rank0": v for k, v in res["timing"].items()}},
        "memory": {"peak_bytes_per_rank": res["peak_bytes_per_rank"],
                   "accounting": "engine-held tensors (W, codes, compact rows) plus an upper estimate of one "
                                 "block's temporaries; CUDA: torch.cuda.max_memory_allocated",
                   "plan": the_plan},
        "version": __version__,
        "loss_convention": "||y - u_k||^2 with u = xi f(W_k, X) (no 1/2; SPEC S-5)",
    }
    text = json.dumps(jsonable(out), indent=1, sort_keys=True, allow_nan=False) + "\n"
    if args.json:
        write_user_file(args.json, text)               # atomically, and only now: no half-written output
    else:
        sys.stdout.write(text)
    return 0

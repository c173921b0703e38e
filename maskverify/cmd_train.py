"""``maskverify train``: run Algorithm 1 (S-7) on one configuration or instance file; write JSON.

Generated instances (no ``--instance``): ``x_i = g_i/||g_i||`` with ``g_i ~ N(0, I_d)`` (unit norm, as in
Theorems 3 and 7), labels ``y_i ~ Uniform[-1, 1]``, ``w_r ~ N(0, kappa^2 I)``, ``a_r ~ Uniform{-1, +1}``,
then the masks, all drawn in that order from ``--seed`` on the CPU in float64.

Output (JSON, sorted keys): ``loss`` -- per trial the whole-network losses ``||y - u_k||^2`` for
k = 0..K (a trial that diverged stops: its list ends with the first non-finite value, written as a string
"inf"/"nan"); ``diverged_at`` (per trial: k or null); ``config`` (resolved); ``timing``; optional
``records`` (``--record``).
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


_FIELDS = ("n", "d", "m", "xi", "p", "tau", "eta", "K", "kappa", "mask", "seed", "trials", "device", "dtype")


def _config(args, **override):
    from maskverify.impl.algorithm1 import Config

    kw = {f: getattr(args, f, None) for f in _FIELDS}
    kw.update(override)
    return Config(**{k: v for k, v in kw.items() if v is not None})


def run(args):
    import torch

    from maskverify import __version__
    from maskverify.errors import invalid
    from maskverify.impl import algorithm1, instance
    from maskverify.properties.framework.atomic import write_user_file
    from maskverify.properties.framework.verdicts import jsonable

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

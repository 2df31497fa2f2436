"""Command-line entry point: `ascentlab demo | compare | verify | figure NAME | figures | proofs | experiment nn`.

The CLI (not the library) switches JAX to float64: the exact solutions and
the paper's six-digit reference values need it. Every error a user can cause
(a bad argument, an output folder that cannot be written) ends as one line
on stderr and exit status 2, never a traceback; Ctrl-C ends with status 130
and leaves no partial file behind.

Every subcommand turns on JAX's persistent compilation cache (`ascentlab.enable_compilation_cache`)
before it compiles anything, so a second run loads its compiled programs from disk:
`ASCENTLAB_JAX_CACHE=off` turns it off, `ASCENTLAB_CACHE_DIR=PATH` moves it (default
`$XDG_CACHE_HOME/ascentlab/jax`, else `~/.cache/ascentlab/jax`).
"""

import argparse
import os
import sys
import time
from pathlib import Path

# C-5 reference values of docs/theory.md (scipy lambertw + gradient descent),
# printed beside ours so a reader can compare at a glance.
_C5_REFERENCE = {0: 0.017063, 1: 0.202013, 2: 0.357797, 5: 0.641828, 10: 0.826618, 20: 0.906244, 100: 0.917268}


def demo_figure(result):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from . import plots

    traj = result.trajectory
    w = np.asarray(traj.w)
    pts = np.vstack([w, np.asarray(result.oracle.w)[None]])
    pad = 0.25
    xlim = (pts[:, 0].min() - pad, pts[:, 0].max() + pad)
    ylim = (pts[:, 1].min() - pad, pts[:, 1].max() + pad)
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4.6), constrained_layout=True)
    plots.plot_objective_contours(ax0, result.problem, "da", xlim=xlim, ylim=ylim)
    plots.plot_path(ax0, w, original=result.original.w, oracle=result.oracle.w, limit=result.da.w,
                    label=f"DA iterates ($\\eta={result.eta:g}$)")
    ax0.set_title(r"DA on $L_{DA}$: $|\mathcal{R}_j|=50$, $|\mathcal{F}_j|=(8,12)$, $\lambda=0.5$, exp loss")
    ax0.legend(loc="lower right", fontsize=8)
    ref = float(np.linalg.norm(np.asarray(result.original.w) - np.asarray(result.oracle.w)))
    plots.plot_distances(ax1, traj.dist_oracle, reference=ref, logy=True)
    ax1.set_title("distance to the oracle grows: DA is worse than doing nothing")
    ax1.legend(loc="lower right", fontsize=8)
    return fig


def _cmd_demo(args) -> int:
    import numpy as np

    from ._demo import TABLE_STEPS, run_demo
    from .figures import check_output_folder, save_figure

    check_output_folder(args.out)  # before any computation

    t0 = time.perf_counter()
    print("ascentlab demo: descent-ascent unlearning on the paper's two-coordinate example", flush=True)
    print("  |R_1| = |R_2| = 50, |F_1| = 8, |F_2| = 12, lambda = 0.5, exponential loss, eta = 0.5", flush=True)
    print("  solving (damped Newton, float64) and running 100 DA steps ...", flush=True)
    r = run_demo()
    fmt = lambda w: "(" + ", ".join(f"{x:+.6f}" for x in np.asarray(w)) + ")"
    print()
    print(f"  {'point':<22}{'Newton solution':<28}{'Lemma 2 closed form':<28}{'|grad|':>9}  status")
    for name, sol, label in (("original", r.original, "original w^D"), ("oracle", r.oracle, "oracle   w^R"),
                             ("da", r.da, "DA limit w^DA")):
        print(f"  {label:<22}{fmt(sol.w):<28}{fmt(r.closed_form[name]):<28}{float(sol.grad_norm):9.1e}  {sol.status_name}")
    print()
    print(f"  {'t':>5}  {'||w_t - w^R||':>14}  {'reference C-5':>16}")
    dist = np.asarray(r.trajectory.dist_oracle)
    for t in TABLE_STEPS:
        print(f"  {t:>5}  {dist[t]:>14.6f}  {_C5_REFERENCE[t]:>16.6f}")
    ratio = dist[-1] / dist[0]
    print(f"\n  DA ends {ratio:.1f}x farther from the oracle than the original model it started from.")
    if int(r.trajectory.diverged_at) >= 0:
        print(f"  warning: the trajectory diverged at step {int(r.trajectory.diverged_at)}")

    out = check_output_folder(args.out)
    fig = demo_figure(r)
    paths = [out / "demo.png", out / "demo.pdf"]
    for p in paths:
        save_figure(fig, p)
    print(f"\n  wrote {paths[0]} and {paths[1]}  ({time.perf_counter() - t0:.1f} s)")
    return 0


def _cmd_compare(args) -> int:
    import json

    import jax

    from ._compare import compare, format_table
    from ._problems import gaussian_problem
    from .methods import NAMES

    names = None
    if args.methods is not None:
        names = [x.strip() for x in args.methods.split(",") if x.strip()]
        unknown = [x for x in names if x not in NAMES]
        if unknown or not names:
            raise ValueError(f"--methods: unknown method(s) {', '.join(unknown) or repr(args.methods)}; "
                             f"the methods are {', '.join(NAMES)}")
    if args.steps < 0:
        raise ValueError(f"--steps must be >= 0, got {args.steps}")
    if args.eta is not None and not args.eta > 0:
        raise ValueError(f"--eta must be > 0, got {args.eta}")
    t0 = time.perf_counter()
    problem = gaussian_problem(jax.random.key(args.seed), args.n, args.d, args.rho, args.forget_fraction, args.lam,
                               forget=args.forget, loss=args.loss)
    say = (lambda *a, **k: None) if args.json else print
    say(f"ascentlab compare: gaussian_problem(key {args.seed}, n={args.n}, d={args.d}, rho={args.rho}, "
        f"forget_fraction={args.forget_fraction}, lam={args.lam}, forget={args.forget!r}, loss={args.loss!r}), "
        f"{args.steps} steps from the original model w^D, scored against the exact oracle w^R", flush=True)
    say("  solving w^D and w^R (damped Newton, float64) ...", flush=True)
    progress = None if args.json else (lambda name: print(f"  running {name} ...", flush=True))
    rows = compare(problem, steps=args.steps, eta=args.eta, names=names, progress=progress)
    if args.json:
        # strict JSON: NaN (the oracle row's unknown cost) as null
        print(json.dumps([{k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()} for r in rows],
                         allow_nan=False))
        return 0
    print()
    print(format_table(rows))
    print("\n  |w-w^R|: distance to the exact oracle; / do nothing: relative to the original model's; worse from t:"
          "\n  first step farther from the oracle than doing nothing; MIA AUC: loss-threshold attack, forget set vs"
          "\n  held-out (the oracle's value is the target, not 0.5); passes: gradient evaluations / |D|.")
    print(f"\ndone in {time.perf_counter() - t0:.1f} s")
    return 0


def _cmd_verify(args) -> int:
    from ._verify import parse_seeds
    from .theory import RESULTS
    from ._verify import main as verify_main

    if args.instances < 1:
        raise ValueError(f"--instances must be >= 1, got {args.instances}")
    if args.seeds is not None and args.seed is not None:
        raise ValueError("give --seed or --seeds, not both")
    seeds = parse_seeds(args.seeds) if args.seeds is not None else [0 if args.seed is None else args.seed]
    if seeds[0] < 0:
        raise ValueError(f"--seed must be >= 0, got {seeds[0]}")
    ids = None
    if args.only is not None:
        ids = list(dict.fromkeys(x.strip() for x in args.only.split(",") if x.strip()))  # once each, in order
        unknown = [x for x in ids if x not in RESULTS]
        if unknown or not ids:
            what = f"unknown id(s) {', '.join(unknown)}" if unknown else f"no id in {args.only!r}"
            raise ValueError(f"--only: {what}; the result ids are {', '.join(RESULTS)}")
    return verify_main(seeds, args.instances, args.json, ids)


def _cmd_figures(args) -> int:
    from ._interrupt import check as check_interrupt
    from .figures import FIGURES, check_output_folder, make_figure

    names = FIGURES if args.command == "figures" else [args.name]
    check_output_folder(args.out)  # before any computation
    t0 = time.perf_counter()
    size = "fast" if args.fast else "full-size"
    print(f"ascentlab {args.command}: {len(names)} figure(s), {size}, style '{args.style}', into {Path(args.out)}",
          flush=True)
    for i, name in enumerate(names, 1):
        check_interrupt()
        print(f"  [{i}/{len(names)}] {name} ...", end="", flush=True)
        res = make_figure(name, args.out, fast=args.fast, style=args.style)
        print(f" {res['seconds']:.1f} s  ({Path(res['png']).name}, .pdf, .json)", flush=True)
    print(f"done in {time.perf_counter() - t0:.1f} s")
    return 0


def _cmd_proofs(args) -> int:
    from . import proofs

    if args.latex is not None:
        print(proofs.load(args.latex).latex())
        return 0
    print("ascentlab proofs: the sympy derivation of every result", flush=True)
    return 1 if proofs.run_all() else 0


class _Parser(argparse.ArgumentParser):
    """argparse, with its usage errors as one line (and exit status 2, argparse's own)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _seed_values_joined(argv):
    """`--seeds -1:2` as `--seeds=-1:2`, so that argparse reads the value instead of taking it for an option."""
    out = []
    for token in argv:
        if out and out[-1] in ("--seeds", "--seed") and token.startswith("-"):
            out[-1] = f"{out[-1]}={token}"
        else:
            out.append(token)
    return out


def _cmd_experiment(args) -> int:
    from .figures import check_output_folder
    from .nn import experiment as E

    config = E.preset(args.preset)
    if args.seed is not None:
        config["seed"] = args.seed
    if args.models is not None:
        config["n_models"] = args.models
    if args.no_cache and args.cache is not None:
        raise ValueError("--cache and --no-cache: give one of them")
    config = E.check_config(config)  # a bad --seed or --models: one line, before anything runs
    out = check_output_folder(args.out)  # an unwritable --out is found before the run, not after it
    t0 = time.perf_counter()
    try:
        results = E.run(config, cache_dir=args.cache, use_cache=not args.no_cache, progress=True)
    except ImportError as err:  # scikit-learn (the digits data) missing: say how to install it
        raise ValueError(str(err)) from err
    paths = E.write_outputs(results, out)
    print(E.table1_markdown(E.table1(results)))
    print(f"wrote {len(paths)} files to {out}/ in {time.perf_counter() - t0:.1f} s "
          f"(cache: {results['cache']['hits']} stages loaded, {results['cache']['misses']} computed)")
    return 0


def main(argv=None) -> int:
    try:
        return _main(sys.argv[1:] if argv is None else list(argv))
    except KeyboardInterrupt:  # also while JAX is still being imported
        print("\nascentlab: interrupted", file=sys.stderr)
        return 130


def _main(argv) -> int:
    import jax

    # The CLI owns the process: exact results need float64, set before any array exists.
    jax.config.update("jax_enable_x64", True)
    parser = _Parser(prog="ascentlab", description="When and why does gradient-ascent unlearning fail to forget?")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p_demo = sub.add_parser("demo", help="the paper's two-coordinate DA example: table and figure")
    p_demo.add_argument("--out", default="ascentlab-out", help="output folder (default: ./ascentlab-out/)")
    p_demo.set_defaults(func=_cmd_demo)
    from ._verify import DEFAULT_INSTANCES
    from .figures import FIGURES, STYLES

    p_cmp = sub.add_parser("compare", help="every unlearning method on one Gaussian problem, scored against the exact oracle")
    p_cmp.add_argument("--seed", type=int, default=0, help="PRNG seed of the problem (default 0)")
    p_cmp.add_argument("--n", type=int, default=500, help="training samples (default 500)")
    p_cmp.add_argument("--d", type=int, default=20, help="dimension (default 20)")
    p_cmp.add_argument("--rho", type=float, default=0.5, help="feature correlation in [0, 1) (default 0.5)")
    p_cmp.add_argument("--forget-fraction", type=float, default=0.1, help="forget-set fraction (default 0.1)")
    p_cmp.add_argument("--lam", type=float, default=0.01, help="ridge lambda > 0 (default 0.01)")
    p_cmp.add_argument("--forget", default="correlated", choices=["random", "correlated"],
                       help="forget set: correlated (top principal direction, the paper's hard case; default) or random")
    p_cmp.add_argument("--loss", default="logistic", choices=["logistic", "exp", "squared"], help="loss (default logistic)")
    p_cmp.add_argument("--steps", type=int, default=200, help="steps per method (default 200)")
    p_cmp.add_argument("--eta", type=float, default=None,
                       help="step size of the step-size methods (default 1 / the largest eigenvalue of the retain Hessian at w^D)")
    p_cmp.add_argument("--methods", default=None, metavar="NAME[,NAME...]", help="only these methods (default all)")
    p_cmp.add_argument("--json", action="store_true", help="print the rows as JSON instead of the table")
    p_cmp.set_defaults(func=_cmd_compare)

    for cmd, helptext in (("figure", "write one figure (PNG, PDF, JSON)"), ("figures", "write every figure")):
        p_fig = sub.add_parser(cmd, help=helptext)
        if cmd == "figure":
            p_fig.add_argument("name", choices=list(FIGURES), metavar="NAME",
                               help=f"one of: {', '.join(FIGURES)}")
        p_fig.add_argument("--out", default="ascentlab-out", help="output folder (default: ./ascentlab-out/)")
        p_fig.add_argument("--fast", action="store_true", help="reduced grids and step counts (CI size)")
        p_fig.add_argument("--style", default="lecture", choices=list(STYLES),
                           help="lecture (large type, default), paper, or none (matplotlib's defaults)")
        p_fig.set_defaults(func=_cmd_figures)
    p_verify = sub.add_parser("verify", help="check every result of the paper on randomised instances")
    p_verify.add_argument("--json", action="store_true", help="print a JSON list of rows instead of the table")
    p_verify.add_argument("--seed", type=int, default=None, help="one PRNG seed (default 0)")
    p_verify.add_argument("--seeds", default=None, metavar="A:B",
                          help="the seeds A, A+1, ..., B-1 in one process (compiled once); rows report the worst over all")
    from .theory import RESULTS

    p_verify.add_argument("--only", default=None, metavar="ID[,ID...]",
                          help=f"run only these result ids: {', '.join(RESULTS)}")
    p_verify.add_argument("--instances", type=int, default=DEFAULT_INSTANCES,
                          help=f"random instances per row and seed (default {DEFAULT_INSTANCES}; "
                               "the costly rows use a fixed fraction)")
    p_verify.set_defaults(func=_cmd_verify)
    p_proofs = sub.add_parser("proofs", help="run every sympy derivation (installed with the package)")
    p_proofs.add_argument("--latex", default=None, metavar="ID",
                          help=f"print one derivation's LaTeX instead: {', '.join(RESULTS)}")
    p_proofs.set_defaults(func=_cmd_proofs)
    p_exp = sub.add_parser("experiment", help="the neural-network experiment (MLP ensembles, KLoM; needs ascentlab[data])")
    p_exp.add_argument("which", choices=["nn"], help="nn: GA, GDA, SCRUB and the alternatives on MLP ensembles")
    p_exp.add_argument("--preset", default="tiny", choices=["tiny", "small", "full"],
                       help="tiny (about 30 s), small (about 4 min on 2 cores), full (N = 100, every grid: about 22 min); "
                            "default tiny")
    p_exp.add_argument("--out", default="ascentlab-out", help="output folder (default: ./ascentlab-out/)")
    p_exp.add_argument("--cache", default=None, metavar="DIR",
                       help="stage cache (default $ASCENTLAB_EXPERIMENT_CACHE, else ~/.cache/ascentlab/experiments)")
    p_exp.add_argument("--no-cache", action="store_true", help="compute every stage, keep nothing")
    p_exp.add_argument("--seed", type=int, default=None, help="master PRNG seed (default the preset's, 0)")
    p_exp.add_argument("--models", type=int, default=None, metavar="N", help="models per ensemble (default the preset's)")
    p_exp.set_defaults(func=_cmd_experiment)
    args = parser.parse_args(_seed_values_joined(argv))
    # Compile once per machine, not once per run: JAX's persistent compilation cache in a user cache
    # folder (ASCENTLAB_JAX_CACHE=off turns it off, ASCENTLAB_CACHE_DIR moves it; see ascentlab._cache).
    # Nothing has been compiled yet: importing the modules above compiles nothing.
    from ._cache import enable_compilation_cache

    enable_compilation_cache()
    try:
        return args.func(args)
    except (ValueError, OSError) as err:  # a bad input or an unwritable output: one line, no traceback
        print(f"ascentlab {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\nascentlab {args.command}: interrupted", file=sys.stderr)
        return 130


def console() -> None:
    """The `ascentlab` command: `main`, then exit. After Ctrl-C the process ends at once (status 130):
    tearing the interpreter down while XLA's threads are mid-computation can crash it on the way out."""
    # Ctrl-C interrupts even when the shell or a parent process started us with SIGINT ignored, and a Ctrl-C
    # that Python swallows (raised inside a weakref callback) still ends the command (ascentlab._interrupt)
    from ._interrupt import install

    install()
    # This process runs ascentlab's code as installed, unpatched: traced programs may be kept too
    # (ascentlab._cache.cache_traced; a warm `ascentlab verify` then skips tracing).
    from ._cache import enable_trace_cache

    enable_trace_cache()
    code = main()
    if code == 130:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
    sys.exit(code)


if __name__ == "__main__":
    console()

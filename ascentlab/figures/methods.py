r"""Figure `methods`. Cost (gradient evaluations, in passes over D) against the final distance to the exact
oracle, one point per method and step size, on one correlated-forget Gaussian problem.

`ascentlab figure methods` writes it: `data(fast)` computes every plotted array and parameter (the JSON
beside the picture), `draw(data)` draws them.

**Setting.** One problem: the first of the `triangulation` figure's draws,
`gaussian_problem(jax.random.split(jax.random.key(0), 100)[0], n=200, d=50, rho=0.5, forget_fraction=0.1,
lam=0.01, forget="correlated")` (logistic loss), with its exact $w^{\mathcal D}$ and $w^{\mathcal R}$
(`solve_references`). Every method runs $T$ steps from $w^{\mathcal D}$ (Newton: a few steps) at each step
size of a small grid; its point is

* x: the per-sample gradient evaluations it spent, `Trajectory.grads` at step $T$ (each method's
  documented `cost`; a Hessian counts as d gradients per sample), divided by $|\mathcal D|$: passes
  over the data;
* y: its final distance $\|w_T-w^{\mathcal R}\|$.

References: doing nothing (the original model, cost 0: the dashed line at
$\|w^{\mathcal D}-w^{\mathcal R}\|$; a point above it is **worse than doing nothing**, shaded);
Newton's one step at $\eta=1$ (Guo et al.'s certified removal); retraining from scratch, i.e. rewinding
to `ascentlab.train`'s initial point (the zero vector) and descending $L_{\mathcal R}$ until
$\|w-w^{\mathcal R}\|\le10^{-3}\|w^{\mathcal D}-w^{\mathcal R}\|$: the cost of exact retraining (a
vertical line). A run that diverged has no final distance: it is drawn on the top edge as △.

References: "Ascent Fails to Forget" (arXiv 2509.26427); the method modules in `ascentlab.methods` for
each method's paper and cost.
"""

import jax
import jax.numpy as jnp
import numpy as np

from .. import methods as M
from .._problems import gaussian_problem
from .._solve import solve_references
from .._unlearn import unlearn
from ..plots import figure_grid
from ._common import to_numpy
from .triangulation import COLORS, MARKERS, MASTER_KEY, N_MODELS, NOISE_KEY, PROBLEM

ORDER = 11
CAPTION = ("Cost (per-sample gradient evaluations / |D|) against final distance to the exact oracle, one point per "
           "method and step size, on one correlated-forget Gaussian problem (n=200, d=50, lambda=0.01); dashed: "
           "doing nothing; vertical: retraining from scratch.")
DESCRIPTION = ("Cost in passes over the data against the final distance to the exact oracle, per method and step "
               "size, with doing nothing, Newton's one step and retraining from scratch as references; runs "
               "worse than doing nothing are shaded")

STEP_GRID = (0.03, 0.1, 0.3, 1.0)
# (key, label, factory arguments, step sizes, steps: None for the figure's T)
METHODS = (
    ("da", "DA", {}, STEP_GRID, None),
    ("neggrad_plus", "NegGrad+ (β = 0.9)", {"beta": 0.9}, STEP_GRID, None),
    ("scrub", "SCRUB", {}, STEP_GRID, None),
    ("decouple_retain", "decouple-retain (θ = 0.1)", {"threshold": 0.1}, STEP_GRID, None),
    ("finetune", "finetune", {}, STEP_GRID, None),
    ("rewind", "rewind to init (retrain)", {"checkpoint": 0.0}, STEP_GRID, None),
    ("newton", "Newton (5 steps)", {}, (0.25, 0.5, 1.0), 5),
    ("noisy_gd", "noisy GD (ε = 1, δ = 1e-5)", {"epsilon": 1.0, "delta": 1e-5}, (0.5, 1.0), None),
)
RETRAIN = {"eta": 0.3, "max_steps": 20000, "record_every": 10, "tolerance": 1e-3}
"""Retraining from scratch: rewind to 0 at step `eta`, the cost at the first recorded step with
$\\|w-w^{\\mathcal R}\\|\\le$ `tolerance` $\\cdot\\|w^{\\mathcal D}-w^{\\mathcal R}\\|$."""


def problem():
    """The figure's problem: the first draw of the `triangulation` ensemble."""
    key = jax.random.split(jax.random.key(MASTER_KEY), N_MODELS)[0]
    return gaussian_problem(key, PROBLEM["n"], PROBLEM["d"], PROBLEM["rho"], PROBLEM["forget_fraction"],
                            PROBLEM["lam"], forget=PROBLEM["forget"], loss=PROBLEM["loss"], n_test=PROBLEM["n_test"])


ROWS = 25  # recorded rows per run (the right panel's paths), besides the start


def _grid(prob, refs, name, args, etas, steps):
    """Distance and cost along the run of `name` at every step size (one vmap over the grid): the final
    values, and every `record_every`-th row for the paths."""
    method = M.get(name, **args)
    key = jax.random.key(NOISE_KEY) if method.needs_key else None
    every = max(1, steps // ROWS)
    run = lambda eta: unlearn(prob, method, eta=eta, steps=steps, references=refs, record_every=every, key=key)
    tr = jax.vmap(run)(jnp.asarray(etas, prob.X.dtype))
    n = prob.X.shape[0]
    return {"eta": np.asarray(etas, float), "steps": steps, "record_every": every,
            "dist_final": tr.dist_oracle[:, -1], "cost": tr.grads[:, -1] / n, "diverged_at": tr.diverged_at,
            "path": {"t": tr.t[0], "dist": tr.dist_oracle, "cost": tr.grads / n}}


def _retrain(prob, refs):
    """Retraining from scratch (rewind to `train`'s initial point, 0) until within the tolerance."""
    r = RETRAIN
    tr = unlearn(prob, M.rewind(0.0), eta=r["eta"], steps=r["max_steps"], references=refs,
                 record_every=r["record_every"])
    d0 = float(jnp.linalg.norm(refs.original.w - refs.oracle.w))
    dist = np.asarray(tr.dist_oracle)
    ok = np.flatnonzero(dist <= r["tolerance"] * d0)
    i = int(ok[0]) if ok.size else -1
    return {"steps": int(np.asarray(tr.t)[i]) if i >= 0 else -1,
            "cost": float(np.asarray(tr.grads)[i]) / prob.X.shape[0] if i >= 0 else float("nan"),
            "dist": float(dist[i]) if i >= 0 else float("nan")}


def data(fast: bool) -> dict:
    r"""Final distance and cost per method and step size, and the three references.

    `fast` shrinks $T$ (50 steps instead of 200); the problem and the grids are the same.
    """
    steps = 50 if fast else 200
    prob = problem()
    refs = solve_references(prob, da=False)
    d0 = jnp.linalg.norm(refs.original.w - refs.oracle.w)
    runs = {}
    for name, _, args, etas, own in METHODS:
        g = to_numpy(_grid(prob, refs, name, args, etas, steps if own is None else own))
        g["worse_than_nothing"] = ~(g["dist_final"] <= float(d0))  # diverged (NaN) counts as worse
        runs[name] = g
    one = to_numpy(_grid(prob, refs, "newton", {}, (1.0,), 1))
    arrays = {
        "runs": runs,
        "references": {
            "do_nothing": {"cost": 0.0, "dist": float(d0)},
            "newton_one_step": {"cost": float(one["cost"][0]), "dist": float(one["dist_final"][0])},
            "retrain": _retrain(prob, refs),
        },
    }
    params = {
        "problem": {**PROBLEM, "generator": "gaussian_problem", "key": f"split(key({MASTER_KEY}), {N_MODELS})[0]",
                    "teacher_norm": 3.0, "n_retain": int(np.sum(~np.asarray(prob.forget))),
                    "n_forget": int(np.sum(np.asarray(prob.forget)))},
        "steps": steps, "start": "original", "noise_key": NOISE_KEY,
        "methods": {name: {"label": label, "params": args, "etas": list(etas), "steps": steps if own is None else own}
                    for name, label, args, etas, own in METHODS},
        "cost": "Trajectory.grads at the last step / |D| (per-sample gradient evaluations; a Hessian counts d)",
        "retrain": RETRAIN,
        "newton_one_step": {"eta": 1.0, "steps": 1},
        "noisy_gd_eta": "a multiplier of the theorem step 2/(m+M)",
    }
    return {"params": params, "arrays": arrays}


def best_eta(run):
    """Index of the step size with the smallest final distance among the runs that did not diverge (-1: none)."""
    d = np.where(np.asarray(run["diverged_at"]) >= 0, np.nan, np.asarray(run["dist_final"], float))
    return int(np.nanargmin(d)) if np.isfinite(d).any() else -1


def _references(ax, refs, pp, floor, top, legend):
    """Do nothing (dashed, the shaded region above it), Newton's one step (★) and retraining (dotted)."""
    d0 = float(refs["do_nothing"]["dist"])
    ax.axhspan(d0, top, color="#B2182B", alpha=0.07, lw=0)
    ax.axhline(d0, color="0.4", ls="--", lw=1.4,
               label=r"do nothing: $\|w^{\mathcal{D}}-w^{\mathcal{R}}\|$ (cost 0)" if legend else None)
    ax.text(0.02, d0 * 1.15, "worse than doing nothing", transform=ax.get_yaxis_transform(), ha="left",
            va="bottom", fontsize="small", color="#B2182B")
    one = refs["newton_one_step"]
    ax.scatter([float(one["cost"])], [max(float(one["dist"]), floor)], s=260, marker="*", color="k", zorder=4,
               label=r"Newton one step, $\eta=1$ (Guo et al.)" if legend else None)
    re = refs["retrain"]
    if np.isfinite(float(re["cost"])):
        tol = pp["retrain"]["tolerance"]
        ax.axvline(float(re["cost"]), color="0.3", ls=":", lw=1.5,
                   label=(rf"retrain from scratch: rewind to 0 until $\leq${tol:g}$\times$do-nothing"
                          "\n" rf"({int(re['steps'])} steps, $\eta$={pp['retrain']['eta']:g})") if legend else None)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(floor, top)
    ax.set_xlabel(r"cost: passes over the data (per-sample gradients / $|\mathcal{D}|$)")


def draw(data):
    import matplotlib.patheffects as pe

    arr, pp = data["arrays"], data["params"]
    refs = arr["references"]
    d0 = float(refs["do_nothing"]["dist"])
    fig, axes = figure_grid(1, 3, 20, 7)
    ax, ax2, leg = axes[0]
    paths = [np.asarray(r["path"]["dist"], float).ravel() for r in arr["runs"].values()]
    finite = np.concatenate([f[np.isfinite(f)] for f in paths] + [[d0]])
    top = float(np.max(finite)) * 4.0
    # below the retraining tolerance a run has converged: drawn on the bottom edge (as ▽)
    floor = pp["retrain"]["tolerance"] * d0
    any_div = any_worse = any_low = False
    for name, label, _, _, _ in METHODS:
        r = arr["runs"][name]
        x = np.asarray(r["cost"], float)
        y = np.asarray(r["dist_final"], float)
        div = np.asarray(r["diverged_at"]) >= 0
        worse = np.asarray(r["worse_than_nothing"], bool) & ~div
        any_worse |= bool(worse.any())
        sizes = 30 + 40 * np.arange(x.size)
        ok = ~div
        low = ok & (y < floor)
        any_low |= bool(low.any())
        ax.plot(x[ok], np.maximum(y[ok], floor), "-", color=COLORS[name], lw=0.8, alpha=0.7)
        ax.scatter(x[ok & ~low], y[ok & ~low], s=sizes[ok & ~low], marker=MARKERS[name], color=COLORS[name],
                   edgecolors=np.where(worse[ok & ~low], "#B2182B", "k").tolist(),
                   linewidths=np.where(worse[ok & ~low], 2.0, 0.5).tolist(), zorder=3, label=label)
        if low.any():
            ax.scatter(x[low], np.full(int(low.sum()), floor), s=sizes[low], marker="v", facecolors="none",
                       edgecolors=COLORS[name], linewidths=1.8, zorder=3, clip_on=False)
        if div.any():
            any_div = True
            ax.scatter(x[div], np.full(int(div.sum()), top), s=sizes[div], marker="^", facecolors="none",
                       edgecolors=COLORS[name], linewidths=1.8, zorder=3, clip_on=False)
            for xi, k, e in zip(x[div], np.asarray(r["diverged_at"])[div], np.asarray(r["eta"])[div]):
                ax.annotate(f"η={e:g}: diverged at t={int(k)}", (xi, top), xytext=(4, -10), textcoords="offset points",
                            fontsize="x-small", color=COLORS[name])
        # right panel: the path of the best step size, distance against cost so far
        b = best_eta(r)
        if b >= 0:
            c = np.asarray(r["path"]["cost"], float)[b]
            d = np.asarray(r["path"]["dist"], float)[b]
            effects = [pe.Stroke(linewidth=3.0, foreground="0.3"), pe.Normal()] if name == "noisy_gd" else None
            ax2.plot(c[1:], np.maximum(d[1:], floor), "-", color=COLORS[name], lw=1.6, path_effects=effects)
            ax2.annotate(f"η={float(np.asarray(r['eta'])[b]):g}", (c[-1], max(d[-1], floor)), xytext=(6, 0),
                         textcoords="offset points", fontsize="x-small", color=COLORS[name], va="center")
            ax2.scatter([c[-1]], [max(d[-1], floor)], s=60, clip_on=False, marker=MARKERS[name], color=COLORS[name],
                        edgecolors="#B2182B" if d[-1] > d0 else "k", linewidths=2.0 if d[-1] > d0 else 0.5, zorder=3)
    _references(ax, refs, pp, floor, top, True)
    _references(ax2, refs, pp, floor, top, False)
    if any_worse:
        ax.scatter([], [], s=60, marker="o", facecolors="none", edgecolors="#B2182B", linewidths=2.0,
                   label="red edge: worse than doing nothing")
    if any_div:
        ax.scatter([], [], s=60, marker="^", facecolors="none", edgecolors="k", label="diverged (on the top edge)")
    if any_low:
        ax.scatter([], [], s=60, marker="v", facecolors="none", edgecolors="k",
                   label=rf"converged below {pp['retrain']['tolerance']:g}$\times$do-nothing (on the bottom edge)")
    ax.set_ylabel(r"final distance to the oracle $\|w_T-w^{\mathcal{R}}\|$")
    ax2.set_ylabel(r"distance to the oracle $\|w_t-w^{\mathcal{R}}\|$")
    ax.set_title("final distance, one point per method and step size\n(marker size grows with η)")
    ax2.set_title("distance along the run against cost so far,\nat each method's best step size (η at the end)")
    leg.axis("off")
    leg.legend(*ax.get_legend_handles_labels(), loc="center left", fontsize="small", frameon=False)
    right = max(float(refs["retrain"]["cost"]) if np.isfinite(float(refs["retrain"]["cost"])) else 0.0,
                max(float(np.nanmax(np.asarray(r["cost"], float))) for r in arr["runs"].values())) * 2.0
    for a in (ax, ax2):
        a.set_xlim(0.8, right)
    p = pp["problem"]
    fig.suptitle(rf"One Gaussian problem (n={p['n']}, d={p['d']}, $\rho$={p['rho']:g}, $\lambda$={p['lam']:g}, "
                 rf"{p['forget']} forget set of {p['n_forget']}), T={pp['steps']} steps from $w^{{\mathcal{{D}}}}$ "
                 "(Newton: 5)")
    return fig

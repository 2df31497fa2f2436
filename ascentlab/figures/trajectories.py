"""Figure `trajectories`. DA, alternating DA, GA and finetuning paths over L_DA contours, with
distances to the oracle.

`ascentlab figure trajectories` writes it: `data(fast)` computes every plotted array and parameter
(the JSON beside the picture), `draw(data)` draws them.
"""

import jax.numpy as jnp
import numpy as np

from .. import theory as th
from .._problems import orthogonal_blocks
from .._solve import solve_references
from .._unlearn import unlearn
from ..plots import (METHOD_COLORS, METHOD_LABELS, PALETTE, figure_grid, objective_grid, plot_contours,
                     plot_distances, plot_path)
from ._common import to_numpy

ORDER = 2
CAPTION = "DA, alternating DA, GA and finetuning paths over L_DA contours, with distances to the oracle."
DESCRIPTION = ("DA, alternating DA, GA and finetuning over L_DA contours, on orthogonal blocks and the "
               "correlated pair, with distances to the oracle and the original model's distance (dashed)")


TRAJ_METHODS = ("da", "da_alternating", "ga", "finetune")


def _window(points):
    """A square-ish plotting window around the finite `points` (rows), padded by a quarter of their span."""
    pts = np.asarray(points)
    span = np.ptp(pts, axis=0).max() * 0.25 + 0.05
    return (pts[:, 0].min() - span, pts[:, 0].max() + span), (pts[:, 1].min() - span, pts[:, 1].max() + span)


def _trajectory_panel(problem, eta, steps, num):
    refs = solve_references(problem)  # once, for the reference points and all four runs
    sols = refs._asdict()
    runs = {m: unlearn(problem, m, eta=eta, steps=steps, references=refs) for m in TRAJ_METHODS}
    panel = to_numpy({
        "w_original": sols["original"].w, "w_oracle": sols["oracle"].w, "w_da": sols["da"].w,
        "da_status": sols["da"].status,
        "paths": {m: r.w for m, r in runs.items()},
        "dist_oracle": {m: r.dist_oracle for m, r in runs.items()},
        "diverged_at": {m: r.diverged_at for m, r in runs.items()},
        "reference": jnp.linalg.norm(sols["original"].w - sols["oracle"].w),
    })
    # the L_DA landscape behind the paths (GA's path leaves it: it is not used to size the window)
    paths = [p[np.all(np.isfinite(p), axis=1)] for m, p in panel["paths"].items() if m != "ga"]
    xlim, ylim = _window(np.vstack([panel["w_original"][None], panel["w_oracle"][None], panel["w_da"][None], *paths]))
    W1, W2, values = objective_grid(problem, "da", xlim, ylim, num)
    panel["landscape"] = {"w1": W1[0], "w2": W2[:, 0], "L_DA": values}
    return panel


def data(fast: bool) -> dict:
    """DA, alternating DA, GA and finetuning on orthogonal blocks and on the correlated pair.

    Each panel: the exact original, oracle and DA points (`solve`), each
    method's path and distance to the oracle (`unlearn`, with the step where
    it diverged, or -1), and $L_{DA}$ on the plotting window.
    """
    steps = 60 if fast else 200
    num = 120 if fast else 200
    blocks = orthogonal_blocks([50, 50], [8, 12], 0.5)
    pair = th.pair_problem(100.0, 0.1, 900.0, 240.0, 0.6, 1.0)
    return {"params": {"methods": TRAJ_METHODS, "steps": steps, "eta": 0.5,
                       "orthogonal_blocks": {"retain": [50, 50], "forget": [8, 12], "lam": 0.5, "loss": "exp"},
                       "correlated_pair": {"r_ij": 100, "alpha": 0.1, "r_rest": 900, "f_rest": 240, "eps": 0.6,
                                           "lam": 1.0, "loss": "exp"},
                       "alternating_order": "descent_first", "landscape_grid": num},
            "arrays": {"orthogonal_blocks": _trajectory_panel(blocks, 0.5, steps, num),
                       "correlated_pair": _trajectory_panel(pair, 0.5, steps, num)}}


def draw(data):
    arr, pp = data["arrays"], data["params"]
    eta, steps = pp["eta"], pp["steps"]
    fig, axes = figure_grid(2, 2, 13.5, 10)
    for row, (name, panel) in enumerate(arr.items()):
        ax0, ax1 = axes[row]
        lam = pp[name]["lam"]
        land = panel["landscape"]
        w1, w2 = np.asarray(land["w1"], float), np.asarray(land["w2"], float)
        W1, W2 = np.meshgrid(w1, w2)
        plot_contours(ax0, W1, W2, np.asarray(land["L_DA"], float), colorbar=r"$L_{DA}(w)$")
        for m, path in panel["paths"].items():
            path = np.asarray(path, float)
            plot_path(ax0, path, label=METHOD_LABELS[m], color=METHOD_COLORS[m])
            d = np.asarray(panel["dist_oracle"][m], float)
            plot_distances(ax1, d, label=METHOD_LABELS[m], color=METHOD_COLORS[m], logy=True)
            k = int(panel["diverged_at"][m])
            if k >= 0:  # mark where the method diverged: its last finite iterate and the step
                last = path[k - 1]
                ax0.plot(*last, marker="X", ms=11, color=METHOD_COLORS[m], mec="k", ls="none",
                         label=f"{METHOD_LABELS[m]} diverged at step {k}")
                ax1.axvline(k, color=METHOD_COLORS[m], ls=":", lw=1.2)
                ax1.annotate(f"{METHOD_LABELS[m]} diverged\n(step {k})", (k, d[k - 1]), xytext=(6, 0),
                             textcoords="offset points", fontsize="x-small", color=METHOD_COLORS[m], va="center")
        plot_path(ax0, np.asarray(panel["w_original"])[None], original=panel["w_original"], oracle=panel["w_oracle"],
                  limit=panel["w_da"], label="", color="none")
        ax0.set_xlim(w1[0], w1[-1])
        ax0.set_ylim(w2[0], w2[-1])
        ax0.set_title(name.replace("_", " ") + rf": paths over $L_{{DA}}$, $\lambda={lam:g}$")
        ax1.axhline(float(panel["reference"]), color=PALETTE["reference"], ls="--",
                    label=r"original model $\|w^{\mathcal{D}}-w^{\mathcal{R}}\|$")
        ax1.set_title(name.replace("_", " ") + rf": distance to the oracle, $\lambda={lam:g}$")
        ax1.set_xlim(0, steps)
        ax0.legend(loc="best", fontsize="x-small")
        ax1.legend(loc="best", fontsize="x-small")
    fig.suptitle(rf"Unlearning paths: step size $\eta={eta:g}$, $T={steps}$ steps from the original model "
                 rf"(alternating DA: {pp['alternating_order'].replace('_', ' ')})")
    return fig

r"""Plotting helpers: Axes-first drawing functions shared by the demo, the figures and the notebooks.

Each `plot_...` function takes a matplotlib `Axes` first, draws on it and
returns it; none calls `plt.show()`, so they compose into any layout and
restyle with `plt.style.use`. Only `objective_grid` (and
`plot_objective_contours`, which calls it) evaluates an objective; the
figures compute their data in `ascentlab.figures.<name>.data` and draw with
`draw`. matplotlib is imported lazily, by the functions that draw.
"""

import jax
import jax.numpy as jnp
import numpy as np

from ._objectives import OBJECTIVES, _value
from ._problems import Problem
from ._validate import check_choice, fail

__all__ = ["objective_grid", "plot_objective_contours", "plot_contours", "plot_path", "plot_distances", "figure_grid",
           "plot_alpha_window", "plot_toy_landscape", "plot_toy_feature_space", "plot_outcomes", "plot_long_run",
           "PALETTE", "METHOD_COLORS", "METHOD_LABELS", "OUTCOME_COLORS"]

# Okabe-Ito colour-blind-safe palette.
PALETTE = {
    "path": "#0072B2",
    "original": "#E69F00",
    "oracle": "#009E73",
    "da": "#D55E00",
    "reference": "#999999",
}


def objective_grid(problem: Problem, kind: str, xlim, ylim, num: int = 200):
    """Objective values on a `num` x `num` grid over a 2-D weight plane (vectorised)."""
    check_choice("objective_grid", "kind", kind, OBJECTIVES)
    if problem.X.shape[1] != 2:
        fail("objective_grid", "problem.X", f"array of shape {problem.X.shape}", "must have d = 2 columns")
    xs = jnp.linspace(*xlim, num, dtype=problem.X.dtype)
    ys = jnp.linspace(*ylim, num, dtype=problem.X.dtype)
    W1, W2 = jnp.meshgrid(xs, ys)
    pts = jnp.stack([W1.ravel(), W2.ravel()], axis=1)
    vals = jax.vmap(lambda w: _value(problem, w, kind))(pts)
    return np.asarray(W1), np.asarray(W2), np.asarray(vals).reshape(W1.shape)


def plot_objective_contours(ax, problem: Problem, kind: str, *, xlim, ylim, levels: int = 25, num: int = 200):
    r"""Filled contours of $L_{\text{kind}}$ over the $(w_1,w_2)$ plane (d = 2 problems): `objective_grid`, then
    `plot_contours`."""
    return plot_contours(ax, *objective_grid(problem, kind, xlim, ylim, num), levels=levels)


def plot_contours(ax, W1, W2, values, *, levels: int = 25, colorbar: str | None = None):
    r"""Filled contours of precomputed `values` on the grid `W1`, `W2` (as `objective_grid` returns them).

    Levels are spaced on the quantiles of the finite values, so a steep
    exponential wall does not swallow every level. `colorbar`, if given, is
    the label of a colour bar added beside the Axes. Returns the Axes.
    """
    W1, W2, vals = (np.asarray(v, float) for v in (W1, W2, values))
    finite = vals[np.isfinite(vals)]
    lv = np.unique(np.quantile(finite, np.linspace(0, 1, levels)))
    filled = ax.contourf(W1, W2, vals, levels=lv, cmap="Greys_r", alpha=0.55)
    ax.contour(W1, W2, vals, levels=lv, colors="k", linewidths=0.3, alpha=0.5)
    if colorbar:
        cb = ax.figure.colorbar(filled, ax=ax, shrink=0.85, format="%.3g")
        cb.set_label(colorbar)
    ax.set_xlabel(r"$w_1$")
    ax.set_ylabel(r"$w_2$")
    return ax


def plot_path(ax, w, *, original=None, oracle=None, limit=None, label="DA iterates", color=None):
    r"""An iterate path in the $(w_1,w_2)$ plane with original ○, oracle ★ and limit ×."""
    w = np.asarray(w)
    w = w[np.all(np.isfinite(w), axis=1)]
    ax.plot(w[:, 0], w[:, 1], ".-", color=color or PALETTE["path"], ms=3, lw=1.2, label=label)
    if original is not None:
        ax.plot(*np.asarray(original), "o", mfc="none", mec=PALETTE["original"], mew=2, ms=10,
                label=r"original $w^{\mathcal{D}}$")
    if oracle is not None:
        ax.plot(*np.asarray(oracle), "*", color=PALETTE["oracle"], ms=14, label=r"oracle $w^{\mathcal{R}}$")
    if limit is not None:
        ax.plot(*np.asarray(limit), "x", color=PALETTE["da"], mew=2.5, ms=10, label=r"DA limit $w^{DA}$")
    return ax


def plot_distances(ax, dist, *, reference=None, label=r"$\|w_t-w^{\mathcal{R}}\|$", color=None, logy=False):
    """A distance-to-oracle curve against the step, with an optional horizontal reference.

    `reference` is typically the original model's distance to the oracle,
    $\\|w^{\\mathcal{D}}-w^{\\mathcal{R}}\\|$: a method that ends above it did
    worse than doing nothing. Masked (diverged) entries leave a gap.
    """
    dist = np.asarray(dist)
    ax.plot(np.arange(dist.shape[0]), dist, color=color or PALETTE["path"], lw=1.8, label=label)
    if reference is not None:
        ax.axhline(float(reference), color=PALETTE["reference"], ls="--", lw=1.2,
                   label=r"original model $\|w^{\mathcal{D}}-w^{\mathcal{R}}\|$")
    ax.set_xlabel("step $t$")
    ax.set_ylabel("distance to oracle")
    if logy:
        ax.set_yscale("log")
    return ax


# --------------------------------------------------------------------------
# Helpers of the figures in ascentlab/figures/ (one module per figure).
# --------------------------------------------------------------------------

METHOD_COLORS = {"da": "#D55E00", "da_alternating": "#CC79A7", "ga": "#0072B2", "finetune": "#009E73"}
METHOD_LABELS = {"da": "DA", "da_alternating": "alternating DA", "ga": "GA", "finetune": "finetune"}
OUTCOME_COLORS = ("#56B4E9", "#D55E00", "#E69F00", "#000000")


def figure_grid(nrows, ncols, width, height):
    """A `nrows` x `ncols` grid of Axes (always 2-D) in a constrained-layout figure of `width` x `height` inches."""
    import matplotlib.pyplot as plt

    return plt.subplots(nrows, ncols, figsize=(width, height), constrained_layout=True, squeeze=False)


def plot_alpha_window(ax, eps, panel):
    """Fig. 4 panel: shaded exact detrimental region, Lemma 9 (dashed), Lemma 10 (solid, dotted exact)."""
    alpha = np.asarray(panel["alpha_grid"])
    region = np.asarray(panel["detrimental"], float)
    ax.contourf(eps, alpha, region, levels=[0.5, 1.5], colors=[PALETTE["da"]], alpha=0.22)
    ax.plot(eps, panel["alpha_D_gt_DA"], "--", color=PALETTE["path"], label=r"$\alpha_{D>DA}$ (Lemma 9)")
    ax.plot(eps, panel["alpha_R_gt_D_derived"], "-", color=PALETTE["oracle"], label=r"$\alpha_{R>D}$ derived (Lemma 10)")
    ax.plot(eps, panel["alpha_R_gt_D_exact"], ":", color="k", label=r"$\alpha_{R>D}$ exact crossing")
    ax.set_ylim(0, alpha.max())
    ax.set_xlim(eps[0], eps[-1])
    ax.set_xlabel(r"correlation $\epsilon$")
    ax.set_ylabel(r"$\alpha=|\mathcal{F}_{ij}|/|\mathcal{R}_{ij}|$")
    ax.set_title(rf"$|\mathcal{{F}}|/|\mathcal{{R}}|={panel['forget_fraction']:g}$")
    return ax


def plot_toy_landscape(ax, a, b, loss, minima, title):
    """A toy loss landscape (log-spaced contours) with the global minimum × and local minima ○."""
    A, B = np.meshgrid(a, b)
    ax.contourf(A, B, np.log(loss), levels=30, cmap="cividis")
    for i, m in enumerate(minima):
        th = np.asarray(m["theta"])
        ax.plot(*th, "x" if i == 0 else "o", ms=12, mew=3, color="w" if i == 0 else PALETTE["original"],
                mfc="none", label=("global " if i == 0 else "local ") + f"min {m['pattern']}")
    ax.set_xlabel("$a$")
    ax.set_ylabel("$b$")
    ax.set_title(title)
    ax.legend(loc="lower left", fontsize="x-small")
    return ax


def plot_toy_feature_space(ax, params, minima):
    """The four clusters in feature space $(x, x^2)$, the forgotten points shaded, and decision lines $ax_1+bx_2=0$."""
    xs, ys = np.asarray(params["x"]), np.asarray(params["labels"])
    wts = np.asarray(params["weights"]["original"])
    for x, y, wt in zip(xs, ys, wts):
        ax.scatter([x], [x**2], s=60 * wt, marker="+" if y > 0 else "_", color="k", linewidths=3)
    ax.scatter([4.0], [16.0], s=900, color="0.6", alpha=0.45, label="2 forgotten points")
    x1 = np.linspace(-2, 5, 50)
    for name, ls in (("original", "-"), ("retrain", "--"), ("da", ":")):
        th = np.asarray(minima[name][0]["theta"])
        ax.plot(x1, -th[0] * x1 / th[1], ls, label=f"{name} global min boundary")
    ax.set_xlim(-2, 5)
    ax.set_ylim(-1, 20)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$x^2$")
    ax.legend(loc="upper left", fontsize="x-small")
    ax.set_title("feature space")
    return ax


def plot_outcomes(ax, x, y, outcome, labels):
    """A categorical phase diagram (pcolormesh of outcome classes with a legend)."""
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    cmap = ListedColormap(OUTCOME_COLORS)
    ax.pcolormesh(x, y, np.asarray(outcome).T, cmap=cmap, vmin=-0.5, vmax=3.5, shading="nearest", alpha=0.75)
    handles = [Patch(color=c, alpha=0.75, label=l) for c, l in zip(OUTCOME_COLORS, labels)]
    return handles


def plot_long_run(ax, x, tail, fixed_point, stable, diverged, *, color=None):
    """A bifurcation diagram: long-run iterates (dots) against a parameter, the fixed point
    (solid where stable, dashed where not) and runs that diverged (× along the top)."""
    x, tail = np.asarray(x), np.asarray(tail)
    stable, diverged = np.asarray(stable, bool), np.asarray(diverged, bool)
    fixed_point = np.asarray(fixed_point)
    xs = np.repeat(x[:, None], tail.shape[1], axis=1)
    ok = np.isfinite(tail)
    ax.plot(xs[ok], tail[ok], "o", ms=0.8, mew=0, color=color or PALETTE["path"], alpha=0.7,
            label="long-run iterates")
    ax.plot(x, np.where(stable, fixed_point, np.nan), "-", color="k", lw=1.2, label="fixed point (stable)")
    ax.plot(x, np.where(stable, np.nan, fixed_point), "--", color="k", lw=0.8, label="fixed point (unstable)")
    if diverged.any():
        top = np.nanmax(np.where(ok, tail, np.nan)) if ok.any() else 0.0
        ax.plot(x[diverged], np.full(int(diverged.sum()), top), "x", color=PALETTE["da"], ms=4,
                label="left the representable range")
    return ax



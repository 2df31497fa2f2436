r"""Plotting helpers: the only module that imports matplotlib.

Each function takes a matplotlib `Axes` first, draws on it and returns it; none
creates a figure or calls `plt.show()`, so they compose into any layout and
restyle with `plt.style.use`.
"""

import jax
import jax.numpy as jnp
import numpy as np

from ._objectives import OBJECTIVES, _value
from ._problems import Problem
from ._validate import check_choice, fail

__all__ = ["plot_objective_contours", "plot_path", "plot_distances"]

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
    r"""Filled contours of $L_{\text{kind}}$ over the $(w_1,w_2)$ plane (d = 2 problems).

    Levels are spaced on the quantiles of the grid values, so a steep
    exponential wall does not swallow every level.
    """
    W1, W2, vals = objective_grid(problem, kind, xlim, ylim, num)
    finite = vals[np.isfinite(vals)]
    lv = np.unique(np.quantile(finite, np.linspace(0, 1, levels)))
    ax.contourf(W1, W2, vals, levels=lv, cmap="Greys_r", alpha=0.55)
    ax.contour(W1, W2, vals, levels=lv, colors="k", linewidths=0.3, alpha=0.5)
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

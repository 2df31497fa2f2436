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


# --------------------------------------------------------------------------
# Figure builders: data dict (ascentlab.figdata) -> matplotlib Figure.
# --------------------------------------------------------------------------

METHOD_COLORS = {"da": "#D55E00", "da_alternating": "#CC79A7", "ga": "#0072B2", "finetune": "#009E73"}
METHOD_LABELS = {"da": "DA", "da_alternating": "alternating DA", "ga": "GA", "finetune": "finetune"}
OUTCOME_COLORS = ("#56B4E9", "#D55E00", "#E69F00", "#000000")


def _figure(nrows, ncols, width, height):
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


def build_fig4(data):
    arr = data["arrays"]
    fig, axes = _figure(1, len(arr["panels"]), 15, 4.6)
    for ax, panel in zip(axes[0], arr["panels"]):
        plot_alpha_window(ax, np.asarray(arr["eps"]), panel)
    axes[0, 0].legend(loc="upper left", fontsize="small")
    fig.suptitle("Fig. 4: where DA is detrimental (shaded: exact solves; lines: the lemmas' thresholds)")
    return fig


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


def build_fig5(data):
    arr, par = data["arrays"], data["params"]
    fig, axes = _figure(1, 4, 20, 4.8)
    titles = {"original": "pretrained ($\\mathcal{D}$)", "retrain": "retrain ($\\mathcal{R}$)", "da": "GDA"}
    for ax, name in zip(axes[0], ("original", "retrain", "da")):
        plot_toy_landscape(ax, np.asarray(arr["a"]), np.asarray(arr["b"]), np.asarray(arr["landscapes"][name]),
                           arr["minima"][name], titles[name])
    plot_toy_feature_space(axes[0, 3], par, arr["minima"])
    fig.suptitle(f"Fig. 5: GDA picks the wrong basin (reading '{par['reading']}': {par['reading_detail']})",
                 fontsize="small")
    return fig


def build_trajectories(data):
    arr = data["arrays"]
    fig, axes = _figure(2, 2, 13, 10)
    from ._problems import orthogonal_blocks
    from ._theory_pair import pair_problem

    pp = data["params"]
    problems = {
        "orthogonal_blocks": orthogonal_blocks(pp["orthogonal_blocks"]["retain"], pp["orthogonal_blocks"]["forget"],
                                               pp["orthogonal_blocks"]["lam"]),
        "correlated_pair": pair_problem(*(pp["correlated_pair"][k] for k in ("r_ij", "alpha", "r_rest", "f_rest", "eps", "lam"))),
    }
    for row, (name, panel) in enumerate(arr.items()):
        ax0, ax1 = axes[row]
        pts = np.vstack([np.asarray(panel["w_original"])[None], np.asarray(panel["w_oracle"])[None],
                         np.asarray(panel["w_da"])[None]]
                        + [np.asarray(p)[np.all(np.isfinite(p), axis=1)] for m, p in panel["paths"].items() if m != "ga"])
        span = np.ptp(pts, axis=0).max() * 0.25 + 0.05
        xlim = (pts[:, 0].min() - span, pts[:, 0].max() + span)
        ylim = (pts[:, 1].min() - span, pts[:, 1].max() + span)
        plot_objective_contours(ax0, problems[name], "da", xlim=xlim, ylim=ylim)
        for m, path in panel["paths"].items():
            plot_path(ax0, path, label=METHOD_LABELS[m], color=METHOD_COLORS[m])
            d = np.asarray(panel["dist_oracle"][m])
            plot_distances(ax1, d, label=METHOD_LABELS[m], color=METHOD_COLORS[m], logy=True)
        plot_path(ax0, np.asarray(panel["w_original"])[None], original=panel["w_original"], oracle=panel["w_oracle"],
                  limit=panel["w_da"], label="", color="none")
        ax0.set_xlim(*xlim)
        ax0.set_ylim(*ylim)
        ax0.set_title(name.replace("_", " ") + r": paths over $L_{DA}$")
        ax1.axhline(float(panel["reference"]), color=PALETTE["reference"], ls="--",
                    label=r"original model $\|w^{\mathcal{D}}-w^{\mathcal{R}}\|$")
        ax1.set_title(name.replace("_", " ") + ": distance to the oracle")
        ax0.legend(loc="best", fontsize="x-small")
        ax1.legend(loc="best", fontsize="x-small")
    return fig


def plot_outcomes(ax, x, y, outcome, labels):
    """A categorical phase diagram (pcolormesh of outcome classes with a legend)."""
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    cmap = ListedColormap(OUTCOME_COLORS)
    ax.pcolormesh(x, y, np.asarray(outcome).T, cmap=cmap, vmin=-0.5, vmax=3.5, shading="nearest", alpha=0.75)
    handles = [Patch(color=c, alpha=0.75, label=l) for c, l in zip(OUTCOME_COLORS, labels)]
    return handles


def build_phase(data):
    arr, labels = data["arrays"], data["params"]["outcomes"]
    fig, axes = _figure(1, 2, 14, 5.6)
    al = arr["alpha_lambda"]
    ax = axes[0, 0]
    handles = plot_outcomes(ax, al["alpha"], al["lam"], al["outcome"], labels)
    ax.axvline(float(al["lemma3_lower"]), color="w", ls="--", lw=2)
    ax.axvline(float(al["lemma3_upper"]), color="w", ls="-", lw=2)
    ax.plot(al["case2_max"], al["lam"], color="w", ls=":", lw=2.5)
    ax.set_yscale("log")
    ax.set_xlim(al["alpha"][0], al["alpha"][-1])
    ax.set_xlabel(r"$\alpha=|\mathcal{F}_j|/|\mathcal{R}_j|$")
    ax.set_ylabel(r"$\lambda$")
    ax.set_title("one orthogonal coordinate\nLemma 3 range (white lines), Case 2/3 boundary (dotted)")
    ae = arr["alpha_eps"]
    ax = axes[0, 1]
    plot_outcomes(ax, ae["alpha"], ae["eps"], ae["outcome"], labels)
    ax.plot(ae["alpha_D_gt_DA"], ae["eps"], "w--", lw=2, label=r"$\alpha_{D>DA}$")
    ax.plot(ae["alpha_R_gt_D_derived"], ae["eps"], "w-", lw=2, label=r"$\alpha_{R>D}$ (derived)")
    ax.set_xlim(ae["alpha"][0], ae["alpha"][-1])
    ax.set_xlabel(r"$\alpha$")
    ax.set_ylabel(r"$\epsilon$")
    ax.set_title("correlated pair\n" r"$\alpha_{D>DA}$ (dashed) and $\alpha_{R>D}$ (solid), Lemmas 9-10")
    fig.legend(handles=handles, loc="outside lower center", ncols=4, fontsize="small")
    return fig


def build_hoeffding(data):
    arr, par = data["arrays"], data["params"]
    fig, axes = _figure(1, 1, 7.5, 5)
    ax = axes[0, 0]
    eps = np.asarray(arr["eps"])
    for i, size in enumerate(par["sizes"]):
        color = f"C{i}"
        ax.plot(eps, arr["frequency"][i], "o-", color=color, ms=4, label=rf"Monte Carlo, $|\mathcal{{F}}|={size}$")
        ax.plot(eps, np.minimum(arr["bound"][i], 1.0), "--", color=color, label=rf"$2e^{{-2|\mathcal{{F}}|\epsilon^2}}$, $|\mathcal{{F}}|={size}$")
    ax.set_yscale("log")
    ax.set_ylim(1.0 / par["trials"] / 2, 1.5)
    ax.set_xlabel(r"$\epsilon$")
    ax.set_ylabel(r"$\Pr(|\mathrm{Acc}_T-\mathrm{Acc}_{\mathcal{F}}|\geq\epsilon)$")
    ax.set_title(f"Lemma 1: random forget sets (oracle test accuracy {par['acc_test']:.3f})")
    ax.legend(fontsize="x-small", ncols=2)
    return fig


def build_corollary1(data):
    arr = data["arrays"]
    fig, axes = _figure(1, 1, 7.5, 5)
    ax = axes[0, 0]
    lam = np.asarray(arr["lam"])
    ax.plot(lam, arr["W0_inv_lam"], "-", color="k", lw=1.2, label=r"$W_0(1/\lambda)$")
    ax.plot(lam, arr["pure_delta_RDA"], "o", color=PALETTE["da"], mfc="none", label=r"pure 1-D: $\Delta_{\mathcal{R},DA}$")
    ax.plot(lam, arr["pure_delta_RD"], "s", color=PALETTE["oracle"], mfc="none", ms=4, label=r"pure 1-D: $\Delta_{\mathcal{R},\mathcal{D}}$")
    for i, (ratio, d) in enumerate(arr["coordinate"].items()):
        ax.plot(lam, d["delta_RDA"], "-", color=f"C{i + 3}", label=rf"$\Delta_{{\mathcal{{R}},DA}}$, $\alpha={ratio}\,|\mathcal{{F}}|/|\mathcal{{R}}|$")
        ax.plot(lam, d["delta_RD"], "--", color=f"C{i + 3}")
    ax.set_xscale("log")
    ax.set_xlabel(r"ridge $\lambda$")
    ax.set_ylabel("distance to the oracle")
    ax.set_title(r"Corollary 1: $\Delta_{\mathcal{R},DA}\to\infty$ while $\Delta_{\mathcal{R},\mathcal{D}}\to0$")
    ax.legend(fontsize="x-small")
    return fig


def build_app_d3(data):
    arr, par = data["arrays"], data["params"]
    fig, axes = _figure(1, 2, 14, 5)
    ax = axes[0, 0]
    t = np.asarray(arr["t"])
    styles = {"alternating": ("-", PALETTE["da"], "alternating DA, $\\lambda$"),
              "simultaneous_lam": ("--", PALETTE["path"], "simultaneous DA, $\\lambda$"),
              "simultaneous_2lam": (":", PALETTE["oracle"], "simultaneous DA, $2\\lambda$")}
    for name, (ls, color, label) in styles.items():
        ax.plot(t, arr["runs"][name], ls, color=color, label=label)
    ax.axhline(float(arr["W0_lam"]), color=PALETTE["path"], lw=0.8, alpha=0.6)
    ax.axhline(float(arr["W0_2lam"]), color=PALETTE["oracle"], lw=0.8, alpha=0.6)
    ax.set_xlabel("step $t$")
    ax.set_ylabel("$w_t$")
    c1 = par["case1"]
    ax.set_title(rf"Case 1: alternating DA $\approx$ DA with $2\lambda$" "\n"
                 rf"($a={c1['a']}$, $b={c1['b']}$, $\lambda={c1['lam']}$, $\eta={c1['eta']}$)")
    ax.legend(fontsize="x-small")
    ax = axes[0, 1]
    eta = np.asarray(arr["eta"])
    ax.plot(eta, arr["fixed_point"], "o", color="k", mfc="none", label="alternating DA fixed point (measured)")
    ax.plot(eta, arr["leading_order_refined"], "-", color=PALETTE["da"], label=r"$\ln\frac{\eta a}{\ln(b/a)}$ (refined)")
    ax.plot(eta, arr["leading_order_note"], "--", color=PALETTE["path"], label=r"$\ln\frac{\eta ab}{b-a}$ (earlier, offset)")
    ax.set_xscale("log")
    ax.set_xlabel(r"$\eta$")
    ax.set_ylabel("$w^*$")
    c3 = par["case3"]
    ax.set_title(rf"Case 3 ($a={c3['a']}$, $b={c3['b']}$, $\lambda={c3['lam']}$): DA diverges," "\n"
                 r"alternating DA has a fixed point, stable here ($\ln(b/a)<\sqrt{2}$)")
    ax.legend(fontsize="x-small")
    return fig


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


def build_app_d3_bifurcation(data):
    arr, par = data["arrays"], data["params"]
    fig, axes = _figure(1, 3, 20, 5.5)
    thr = arr["flip_threshold"]
    rp = par["ratio_panel"]
    for ax, order in zip(axes[0, :2], ("descent_first", "ascent_first")):
        o = arr["orders"][order]
        plot_long_run(ax, arr["ln_ratio"], o["tail_minus_ln_eta_a"], o["fixed_point_minus_ln_eta_a"], o["stable"],
                      o["diverged"])
        for value, ls, label in ((thr["exact"], "-", "flip threshold (exact)"),
                                 (thr["first_order"], "--",
                                  r"$\sqrt{2}-\frac{3}{2}\eta\lambda(1+\sqrt{2}\ln\frac{\eta a}{\sqrt{2}})$"),
                                 (thr["leading"], ":", r"$\sqrt{2}$")):
            ax.axvline(float(value), ls=ls, color=PALETTE["da"], lw=1, label=label)
        ax.set_yscale("symlog", linthresh=4.0)
        ax.set_xlabel(r"$\ln(b/a)$")
        ax.set_ylabel(r"$w_t-\ln(\eta a)$ (last %d of %d steps)" % (par["kept"], par["steps"]))
        ax.set_title(f"alternating DA, {order.replace('_', ' ')}\n"
                     rf"($a={rp['a']}$, $\lambda={rp['lam']}$, $\eta={rp['eta']}$)")
        ax.legend(fontsize="xx-small", loc="upper left", markerscale=4)
    ax = axes[0, 2]
    ep = par["eta_panel"]
    plot_long_run(ax, arr["eta"], arr["eta_tail_minus_ln_eta_a"], arr["eta_fixed_point_minus_ln_eta_a"],
                  arr["eta_stable"], arr["eta_diverged"])
    crossing = np.asarray(arr["eta_flip_threshold_exact"]) > ep["ln_ratio"]
    if crossing.any():
        ax.axvline(float(np.asarray(arr["eta"])[np.argmax(crossing)]), color=PALETTE["da"], lw=1,
                   label=r"flip threshold reaches $\ln(b/a)$")
    ax.set_xscale("log")
    ax.set_xlabel(r"$\eta$")
    ax.set_ylabel(r"$w_t-\ln(\eta a)$")
    ax.set_title(f"against the step size at $\\ln(b/a)={ep['ln_ratio']}$\n"
                 rf"($a={ep['a']}$, $\lambda={ep['lam']}$; the threshold rises with $\eta$)")
    ax.legend(fontsize="xx-small", loc="upper left", markerscale=4)
    return fig


def build_finetune_trap(data):
    arr = data["arrays"]
    fig, axes = _figure(1, 1, 8, 6)
    ax = axes[0, 0]
    A, B = np.meshgrid(np.asarray(arr["a"]), np.asarray(arr["b"]))
    ax.contourf(A, B, np.log(np.asarray(arr["retain_landscape"])), levels=30, cmap="cividis")
    for key, color, label in (("from_da_min", PALETTE["da"], f"from the GDA minimum: stays {arr['end_pattern_from_da']}"),
                              ("from_pretrained_min", PALETTE["oracle"], f"from the pretrained minimum: {arr['end_pattern_from_pretrained']}")):
        p = np.asarray(arr[key])
        ax.plot(p[:, 0], p[:, 1], ".-", color=color, ms=3, label=label)
        ax.plot(*p[0], "o", color=color, mfc="none", ms=10, mew=2)
    for i, m in enumerate(arr["retrain_minima"]):
        ax.plot(*np.asarray(m), "x" if i == 0 else "P", color="w", ms=12, mew=3)
    ax.set_xlabel("$a$")
    ax.set_ylabel("$b$")
    ax.set_title("finetuning on the retain set cannot leave the GDA basin\n"
                 "(retain loss; × global minimum, + local minimum)")
    ax.legend(loc="lower left", fontsize="x-small")
    return fig


BUILDERS = {
    "fig4": build_fig4,
    "fig5": build_fig5,
    "trajectories": build_trajectories,
    "phase": build_phase,
    "hoeffding": build_hoeffding,
    "corollary1": build_corollary1,
    "app_d3": build_app_d3,
    "app_d3_bifurcation": build_app_d3_bifurcation,
    "finetune_trap": build_finetune_trap,
}

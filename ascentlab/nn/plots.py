r"""Scatter figures of the neural-network experiment, like the paper's Figs 1, 3, 6 and 7.

Each point is one unlearning configuration (method, learning rate, epochs, ...), at (forget-set KLoM,
validation- or retain-set KLoM), both 95th percentiles over the group's points of the per-point KLoM of
$N$ unlearned models against $N$ oracles; colour = relative cost (the benchmark's definition, log
scale). References: ○ the pretrained ensemble (do nothing), ★ the oracle at the origin (the paper's
"perfect unlearning"), ✚ an independent oracle ensemble (where an exact retraining lands at this $N$: the
noise floor). Runs whose margins were not finite are counted in the panel title, not drawn.

* `nn_fig1_<data>`: GA and GDA on a PC1-aligned forget set (paper Fig. 1);
* `nn_fig3_<data>`: GA and GDA on three sets of different difficulty — highly influential (PC1 top),
  random, PC2 top (paper Fig. 3);
* `nn_fig6_<data>`: every grid set and every method, y = validation KLoM (paper Fig. 6, App. L);
* `nn_fig7_<data>`: the same with y = retain KLoM (paper Fig. 7).
"""

import math
from pathlib import Path

from .experiment import _slug


MARKERS = {"ga": "^", "gda": "s", "scrub": "D", "neggrad_plus": "v", "finetune": "P", "rewind": "X",
           "noisy_descent": "h"}
LABELS = {"ga": "GA", "gda": "GDA", "scrub": "SCRUB", "neggrad_plus": "NegGrad+", "finetune": "finetune",
          "rewind": "rewind", "noisy_descent": "noisy descent"}
FIG3_SETS = ("pc1_top_small", "random_medium", "pc2_top_large")
FIG3_TITLES = {"pc1_top_small": "highly influential (PC1 top)", "random_medium": "random",
               "pc2_top_large": "PC2 top"}


def _cost_norm(records):
    from matplotlib.colors import LogNorm

    costs = [r["cost"] for r in records if r["cost"] > 0]
    lo = min(costs) if costs else 1e-4
    hi = max(costs) if costs else 1.0
    return LogNorm(vmin=lo, vmax=max(hi, lo * 10))


def scatter_panel(ax, records, reference, *, y="val", methods=None, norm=None, title=None, legend=False):
    """One panel: the records of one forget set, references from the matching `results["references"]` entry.

    Returns the last scatter artist (for a colour bar), or None when nothing was drawn."""
    methods = list(MARKERS) if methods is None else list(methods)
    norm = _cost_norm(records) if norm is None else norm
    art = None
    hidden = 0
    for m in methods:
        rs = [r for r in records if r["method"] == m]
        ok = [r for r in rs if r["klom_forget"] is not None and r[f"klom_{y}"] is not None]
        hidden += len(rs) - len(ok)
        if not ok:
            continue
        art = ax.scatter([r["klom_forget"] for r in ok], [r[f"klom_{y}"] for r in ok],
                         c=[max(r["cost"], norm.vmin) for r in ok], norm=norm, cmap="viridis", marker=MARKERS[m],
                         s=28, edgecolors="k", linewidths=0.3, label=LABELS[m], zorder=3)
    pre, o2 = reference["pretrained"], reference["oracle2"]
    ax.scatter([pre["klom_forget"]], [pre[f"klom_{y}"]], marker="o", s=90, facecolors="none", edgecolors="k",
               linewidths=1.5, label="pretrained (do nothing)", zorder=4)
    ax.scatter([0], [0], marker="*", s=160, color="gold", edgecolors="k", linewidths=0.6,
               label="oracle (perfect)", zorder=4)
    ax.scatter([o2["klom_forget"]], [o2[f"klom_{y}"]], marker="+", s=110, color="crimson", linewidths=1.8,
               label="independent oracles", zorder=4)
    ax.set_xlabel("forget KLoM (95th pct.)")
    ax.set_ylabel(("validation" if y == "val" else "retain") + " KLoM (95th pct.)")
    ax.set_xlim(left=-0.3)
    ax.set_ylim(bottom=-0.3)
    ax.grid(alpha=0.3)
    t = title or reference["set"]
    if hidden:
        t += f" ({hidden} diverged, not shown)"
    ax.set_title(t, fontsize=9)
    if legend:
        ax.legend(fontsize=7, loc="best")
    return art


def _figure(results, dataset, sets, methods, y, suptitle, titles=None, ncols=None):
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    refs = {r["set"]: r for r in results["references"] if r["dataset"] == dataset}
    recs = [r for r in results["records"] if r["dataset"] == dataset and r["set"] in sets and r["method"] in methods]
    norm = _cost_norm(recs)
    ncols = ncols or min(3, len(sets))
    nrows = math.ceil(len(sets) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 3.6 * nrows), squeeze=False, constrained_layout=True)
    art = None
    for i, s in enumerate(sets):
        ax = axes[i // ncols][i % ncols]
        a = scatter_panel(ax, [r for r in recs if r["set"] == s], refs[s], y=y, methods=methods, norm=norm,
                          title=(titles or {}).get(s, s) + f", |F| = {refs[s]['n_forget']}", legend=i == 0)
        art = a or art
    for j in range(len(sets), nrows * ncols):
        axes[j // ncols][j % ncols].axis("off")
    if art is not None:
        fig.colorbar(art, ax=axes.ravel().tolist(), label="relative cost (fraction of training an oracle)")
    fig.suptitle(suptitle, fontsize=10)
    return fig


def figures(results):
    """{file stem: matplotlib figure} for every grid data set (see the module docstring)."""
    out = {}
    cfg = results["config"]
    methods_all = [m for m in MARKERS if m in cfg["grids"]]
    paper = [m for m in ("ga", "gda") if m in cfg["grids"]] or methods_all
    N = cfg["n_models"]
    for d in cfg["grid_datasets"]:
        sets = cfg["grid_sets"]
        if not sets:
            continue
        pc1 = [s for s in ("pc1_top_large", "pc1_top_small", "pc1_top_bottom") if s in sets]
        s1 = pc1[0] if pc1 else sets[0]
        slug = _slug(d)  # the experiment's file-name slug (labels are checked to have distinct slugs)
        out[f"nn_fig1_{slug}"] = _figure(results, d, [s1], paper, "val",
                                         f"{d}: GA and GDA on a PC1-aligned forget set (N = {N}; cf. paper Fig. 1)")
        s3 = [s for s in FIG3_SETS if s in sets] or sets[:3]
        out[f"nn_fig3_{slug}"] = _figure(results, d, s3, paper, "val",
                                         f"{d}: different unlearning difficulties (cf. paper Fig. 3)", FIG3_TITLES)
        for stem, y, what in (("nn_fig6", "val", "validation"), ("nn_fig7", "retain", "retain")):
            out[f"{stem}_{slug}"] = _figure(results, d, list(sets), methods_all, y,
                                            f"{d}: every forget set and method, y = {what} KLoM "
                                            f"(cf. paper Fig. {stem[-1]})")
    return out


def write_figures(results, out) -> list:
    """Render `figures(results)` into folder `out` as PNG and PDF (atomic writes); return the paths."""
    import matplotlib.pyplot as plt

    from ..figures._common import save_figure

    out = Path(out)
    paths = []
    for stem, fig in figures(results).items():
        for ext in ("png", "pdf"):
            save_figure(fig, out / f"{stem}.{ext}")
            paths.append(out / f"{stem}.{ext}")
        plt.close(fig)
    return paths

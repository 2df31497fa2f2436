"""Figure `corollary1`. Corollary 1: Delta_R,DA grows like W0(1/lambda) as lambda -> 0 while Delta_R,D
-> 0.

`ascentlab figure corollary1` writes it: `data(fast)` computes every plotted array and parameter
(the JSON beside the picture), `draw(data)` draws them.
"""

import jax
import jax.numpy as jnp
import numpy as np

from .. import theory as th
from .._cache import cache_traced
from .._solve import solve_references
from ..plots import PALETTE, figure_grid
from ._common import to_numpy

ORDER = 5
CAPTION = "Corollary 1: Delta_R,DA grows like W0(1/lambda) as lambda -> 0 while Delta_R,D -> 0."
DESCRIPTION = 'Corollary 1: Δ_R,DA follows W₀(1/λ) → ∞ as λ → 0 while Δ_R,D stays 0'


def data(fast: bool) -> dict:
    r"""$\Delta_{\mathcal R,DA}$ and $\Delta_{\mathcal R,\mathcal D}$ against $\lambda$ (Corollary 1).

    Pure 1-D data ($\alpha=|\mathcal F|/|\mathcal R|$ exactly) against
    $W_0(1/\lambda)$, and one coordinate of the C-2 sizes at
    $\alpha/(|\mathcal F|/|\mathcal R|)\in\{0.5,0.9,1\}$.
    """
    lams = np.logspace(-4, 1, 16 if fast else 61)
    lj = jnp.asarray(lams)

    def deltas(r_j, f_j, n_r, n_f, lam):
        p = th.coordinate_problem(r_j, f_j, n_r, n_f, lam)
        wd, wr, wda = (s.w[0] for s in solve_references(p))
        return jnp.abs(wd - wr), jnp.abs(wr - wda)

    def traced_once(fn):  # a second run loads the traced program from the compilation cache folder
        return cache_traced(jax.jit(jax.vmap(fn)), fn)

    pure = traced_once(lambda l: deltas(40.0, 10.0, 40.0, 10.0, l))(lj)
    ratios = (0.5, 0.9, 1.0)
    coord = {str(r): traced_once(lambda l, r=r: deltas(50.0, 50.0 * 0.2 * r, 100.0, 20.0, l))(lj) for r in ratios}
    return {"params": {"pure_1d": {"n_retain": 40, "n_forget": 10},
                       "coordinate": {"n_retain": 100, "n_forget": 20, "r_j": 50, "alpha_over_F_over_R": ratios},
                       "loss": "exp"},
            "arrays": to_numpy({"lam": lams, "pure_delta_RD": pure[0], "pure_delta_RDA": pure[1],
                           "W0_inv_lam": jax.vmap(lambda l: th.corollary1(1.0, 1.0, l)[1])(lj),
                           "coordinate": {k: {"delta_RD": v[0], "delta_RDA": v[1]} for k, v in coord.items()}})}


def draw(data):
    arr = data["arrays"]
    fig, axes = figure_grid(1, 1, 7.5, 5)
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

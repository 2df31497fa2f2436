"""Figure `fig4`. Fig. 4: the alpha window in which DA is detrimental against the correlation eps
(Lemmas 9-10, exact solves shaded).

`ascentlab figure fig4` writes it: `data(fast)` computes every plotted array and parameter
(the JSON beside the picture), `draw(data)` draws them.
"""

import jax
import jax.numpy as jnp
import numpy as np

from .. import theory as th
from ..plots import figure_grid, plot_alpha_window
from ..sweep import sweep
from ._common import to_numpy

ORDER = 0
CAPTION = ("Fig. 4: the alpha window in which DA is detrimental against the correlation eps (Lemmas 9-10, exact"
           " solves shaded).")
DESCRIPTION = ("**Fig. 4**: the α window in which DA is detrimental against ε — Lemma 9's α_D>DA (dashed), "
               "Lemma 10's α_R>D (solid: derived sufficient; dotted: exact crossing), the exact detrimental "
               "region shaded (|R| = 1000, \\|R_ij\\| = 100, λ = 1; the paper's values are unknown)")


N_RETAIN, R_IJ, LAM = 1000.0, 100.0, 1.0


@jax.jit
def _exact_crossings(n_f, eps):
    """Lemma 10's exact crossings at every eps (compiled once for all panels: |F| is an argument)."""
    return jax.vmap(lambda ep: th.lemma10_crossing(R_IJ, N_RETAIN, n_f, ep, LAM))(eps)


def _detrimental(n_f, alpha, eps):
    """Whether DA is detrimental (exact solves) at one (|F|, alpha, eps) cell: `sweep` maps it over each panel's
    grid (one compilation for all panels and calls: |F| is an axis, and the panels' grids have one shape)."""
    prob = th.pair_problem(R_IJ, alpha, N_RETAIN - R_IJ, n_f - alpha * R_IJ, eps, LAM)
    return th.pair_detrimental(prob, eps)[0]


def data(fast: bool) -> dict:
    r"""Fig. 4: the $\alpha$ window in which DA is detrimental, against $\epsilon$.

    The paper's parameters are unknown (docs/theory.md, open gap 6); ascentlab uses
    the C-9 instance: $|\mathcal R|=1000$, $|\mathcal R_{ij}|=100$, $\lambda=1$,
    and $|\mathcal F|/|\mathcal R|\in\{0.1,0.25,0.5\}$ (one panel each);
    $|\mathcal F_{ij}|=\alpha|\mathcal R_{ij}|$ with $|\mathcal F|$ fixed.
    """
    n_r, r_ij, lam = N_RETAIN, R_IJ, LAM
    fractions = (0.1, 0.25, 0.5)
    eps = np.linspace(0.02, 0.98, 21 if fast else 97)
    n_alpha = 21 if fast else 81
    panels = []
    for frac in fractions:
        n_f = frac * n_r
        top = min(1.0, n_f / r_ij)
        alphas = np.linspace(top / n_alpha, top, n_alpha)
        b, p, *_ = th.pair_coefficients(r_ij, 0.0, n_r - r_ij, n_f, lam)  # |F| = n_f: no forget sample in the pair
        e = jnp.asarray(eps)
        d_da = th.lemma9_threshold(n_r, n_f, e)
        ax_, ay_ = th.lemma10_thresholds(b, p, e)
        crossing = _exact_crossings(n_f, e)
        region = sweep(_detrimental, {"n_f": np.array([n_f]), "alpha": alphas, "eps": eps})[0]
        panels.append(to_numpy({
            "forget_fraction": frac, "alpha_grid": alphas, "alpha_D_gt_DA": d_da,
            "alpha_R_gt_D_derived": jnp.minimum(ax_, ay_), "alpha_R_gt_D_exact": crossing.min(axis=1),
            "detrimental": region,
        }))
    return {"params": {"n_retain": n_r, "r_ij": r_ij, "lam": lam, "forget_fractions": fractions, "loss": "exp",
                       "detrimental_definition": "(x^R-x^D)(x^D-x^DA) >= 0 and (y^R-y^D)(y^D-y^DA) >= 0, exact solves"},
            "arrays": {"eps": eps, "panels": panels}}


def draw(data):
    arr = data["arrays"]
    fig, axes = figure_grid(1, len(arr["panels"]), 15, 4.6)
    for ax, panel in zip(axes[0], arr["panels"]):
        plot_alpha_window(ax, np.asarray(arr["eps"]), panel)
    axes[0, 0].legend(loc="upper left", fontsize="small")
    fig.suptitle("Fig. 4: where DA is detrimental (shaded: exact solves; lines: the lemmas' thresholds)")
    return fig

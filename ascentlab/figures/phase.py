"""Figure `phase`. DA outcome over (alpha, lambda) and (alpha, eps): toward / detrimental / overshoot /
unbounded.

`ascentlab figure phase` writes it: `data(fast)` computes every plotted array and parameter
(the JSON beside the picture), `draw(data)` draws them.
"""

import jax.numpy as jnp
import numpy as np

from .. import theory as th
from .._solve import UNBOUNDED, solve_references
from ..plots import figure_grid, plot_outcomes
from ..sweep import sweep
from ._common import to_numpy

ORDER = 3
CAPTION = "DA outcome over (alpha, lambda) and (alpha, eps): toward / detrimental / overshoot / unbounded."
DESCRIPTION = ("DA outcome over (α, λ) and (α, ε): toward the oracle / detrimental / overshoot / unbounded, "
               "with the theory's boundaries")


TOWARD, DETRIMENTAL, OVERSHOOT, UNBOUNDED_CLASS = range(4)


OUTCOMES = ("toward the oracle", "detrimental (DA and oracle on opposite sides)", "overshoot", "unbounded (Case 3)")


def _classify(wd, wr, wda, unbounded, detrimental):
    dist = lambda u, v: jnp.sqrt(jnp.sum((u - v) ** 2))  # scalars (a coordinate) or vectors (the pair)
    toward = dist(wda, wr) < dist(wd, wr)
    return jnp.where(unbounded, UNBOUNDED_CLASS, jnp.where(detrimental, DETRIMENTAL, jnp.where(toward, TOWARD, OVERSHOOT)))


# (alpha, lambda): C-2 sizes, |R| = 100, |F| = 20, |R_j| = 50, |F_j| = 50 alpha
COORD_N_RETAIN, COORD_N_FORGET, COORD_R_J = 100.0, 20.0, 50.0
# (alpha, eps): the pair with |R| = 1000, |R_ij| = 100, |F| = 250, lam = 1
PAIR_N_RETAIN, PAIR_R_IJ, PAIR_N_FORGET, PAIR_LAM = 1000.0, 100.0, 250.0, 1.0


def _coordinate_outcome(alpha, lam):
    """The DA outcome class at one (alpha, lambda) cell of one orthogonal coordinate (exact solves)."""
    r_j, n_r, n_f = COORD_R_J, COORD_N_RETAIN, COORD_N_FORGET
    p = th.coordinate_problem(r_j, alpha * r_j, n_r, n_f, lam)
    refs = solve_references(p)
    wd, wr, s = refs.original.w[0], refs.oracle.w[0], refs.da
    unb = s.status == UNBOUNDED
    return _classify(wd, wr, s.w[0], unb, ~unb & ((s.w[0] - wd) * (wd - wr) >= 0))


def _pair_outcome(alpha, eps):
    """The DA outcome class at one (alpha, eps) cell of the correlated pair (exact solves)."""
    pr, pr_ij, pf, plam = PAIR_N_RETAIN, PAIR_R_IJ, PAIR_N_FORGET, PAIR_LAM
    prob = th.pair_problem(pr_ij, alpha, pr - pr_ij, pf - alpha * pr_ij, eps, plam)
    det, unb, (wd, wr, wda) = th.pair_detrimental(prob, eps)
    return _classify(wd, wr, wda, unb, det)


def data(fast: bool) -> dict:
    r"""DA outcome over $(\alpha,\lambda)$ (one orthogonal coordinate) and over $(\alpha,\epsilon)$ (the pair).

    Each grid is one `sweep` of a cell function (exact solves per cell).
    """
    n = 41 if fast else 161
    n_r, n_f, r_j = COORD_N_RETAIN, COORD_N_FORGET, COORD_R_J
    alphas = np.linspace(0.004, 0.4, n)
    lams = np.logspace(-2, 1, n)

    cls_lam = sweep(_coordinate_outcome, {"alpha": alphas, "lam": lams})
    lo, hi = th.lemma3_range(n_r, n_f)
    case2 = th.case_thresholds(r_j, n_r, n_f, jnp.asarray(lams))[1]

    pr, pr_ij, pf, plam = PAIR_N_RETAIN, PAIR_R_IJ, PAIR_N_FORGET, PAIR_LAM
    alphas2 = np.linspace(0.01, 1.0, n)
    eps = np.linspace(0.02, 0.98, n)
    cls_eps = sweep(_pair_outcome, {"alpha": alphas2, "eps": eps})
    b, p, *_ = th.pair_coefficients(pr_ij, 0.0, pr - pr_ij, pf, plam)  # |F| = pf: no forget sample in the pair
    ax_, ay_ = th.lemma10_thresholds(b, p, jnp.asarray(eps))
    return {"params": {"outcomes": OUTCOMES,
                       "alpha_lambda": {"n_retain": n_r, "n_forget": n_f, "r_j": r_j, "loss": "exp"},
                       "alpha_eps": {"n_retain": pr, "r_ij": pr_ij, "n_forget": pf, "lam": plam, "loss": "exp"}},
            "arrays": to_numpy({"alpha_lambda": {"alpha": alphas, "lam": lams, "outcome": cls_lam, "lemma3_lower": lo,
                                            "lemma3_upper": hi, "case2_max": case2},
                           "alpha_eps": {"alpha": alphas2, "eps": eps, "outcome": cls_eps,
                                         "alpha_D_gt_DA": th.lemma9_threshold(pr, pf, jnp.asarray(eps)),
                                         "alpha_R_gt_D_derived": jnp.minimum(ax_, ay_)}})}


def draw(data):
    arr, labels = data["arrays"], data["params"]["outcomes"]
    fig, axes = figure_grid(1, 2, 14, 5.6)
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

"""Figure `app_d3_bifurcation`. App. D.3 corrected: the Case-3 fixed point of alternating DA flips at
ln(b/a) ~ sqrt 2 (both orders): 2-cycle, period doubling, chaos; larger eta restabilises it.

`ascentlab figure app_d3_bifurcation` writes it: `data(fast)` computes every plotted array and parameter
(the JSON beside the picture), `draw(data)` draws them.
"""

import jax
import jax.numpy as jnp
import numpy as np

from .. import theory as th
from .._cache import cache_traced
from .._unlearn import unlearn
from ..plots import PALETTE, figure_grid, plot_long_run
from ._common import to_numpy

ORDER = 7
CAPTION = ("App. D.3 corrected: the Case-3 fixed point of alternating DA flips at ln(b/a) ~ sqrt 2 (both "
           "orders): 2-cycle, period doubling, chaos; larger eta restabilises it.")
DESCRIPTION = ("App. D.3 corrected: long-run iterates of alternating DA against ln(b/a) (both orders) and "
               "against η; the Case-3 fixed point flips at the derived threshold ≈ √2 (exact, first-order and "
               "leading lines), then 2-cycle, period doubling, chaos, and orbits thrown out; larger η "
               "restabilises it")


def _long_run(a, b, lam, eta, order, steps, keep):
    """The last `keep` iterates of `unlearn`'s alternating map from next to the far fixed point, and divergence."""
    fp = th.alternating_far_fixed_point(a, b, lam, eta)
    w_star = fp.w if order == "descent_first" else fp.w_ascent_first
    start = jnp.reshape(w_star + 1e-3, (1,))
    tr = unlearn(th.alternating_problem(a, b, lam), "da_alternating", eta=eta, steps=steps, start=start, order=order)
    return tr.w[-keep:, 0], tr.diverged_at >= 0, w_star, jnp.abs(fp.slope) < 1


def data(fast: bool) -> dict:
    r"""App. D.3 beyond the flip threshold: long-run iterates of alternating DA against $\ln(b/a)$ (both
    orders) and against $\eta$ at a fixed ratio, with the exact fixed point and the derived thresholds.

    One coordinate, $a=0.05$, $\lambda=0.1$, $\eta=0.01$, $\ln(b/a)\in[1,\ln20]$ ($b\le1$; Case 3 of the
    doubled-ridge problem throughout); the $\eta$ panel: $a=0.2$, $\lambda=0.5$, $\ln(b/a)=1.5$,
    $\eta\in[10^{-3},0.3]$ (the threshold rises with $\eta$, so larger steps restabilise the
    fixed point). Each run starts $10^{-3}$ from the fixed point; the last 64 of `steps` iterates
    are kept; runs that leave the representable range are flagged.
    """
    steps, n = (1500, 120) if fast else (4000, 500)
    keep = 64
    a, lam, eta = 0.05, 0.1, 0.01
    ln_ratio = np.linspace(1.0, np.log(1.0 / a), n)  # up to b = 1: b_j is a fraction of the forget set
    b = jnp.asarray(a * np.exp(ln_ratio))
    panels = {}
    shift = np.log(eta * a)  # w - ln(eta a) = -ln(the descent push): the fixed point sits near -ln ln(b/a)
    for order in th.ALTERNATING_ORDERS:
        run = lambda bb, o=order: _long_run(a, bb, lam, eta, o, steps, keep)  # noqa: E731
        tail, div, w_star, stable = cache_traced(jax.jit(jax.vmap(run)), run)(b)  # traced once per machine
        panels[order] = {"tail_minus_ln_eta_a": tail - shift, "diverged": div,
                         "fixed_point_minus_ln_eta_a": w_star - shift, "stable": stable}
    thresholds = th.alternating_flip_threshold(a, lam, eta)

    a2, lam2, ell2 = 0.2, 0.5, 1.5
    etas = np.logspace(-3, np.log10(0.3), n)
    run = lambda e: _long_run(a2, a2 * np.exp(ell2), lam2, e, "descent_first", steps, keep)  # noqa: E731
    tail, div, w_star, stable = cache_traced(jax.jit(jax.vmap(run)), run)(jnp.asarray(etas))
    shift = np.log(etas * a2)  # plot w - ln(eta a): the fixed point is ~ -ln ln(b/a) at every eta
    exact_eta, first_eta, _ = th.alternating_flip_threshold(a2, lam2, jnp.asarray(etas))
    return {"params": {"ratio_panel": {"a": a, "lam": lam, "eta": eta, "ln_ratio": [1.0, float(np.log(1.0 / a))]},
                       "eta_panel": {"a": a2, "lam": lam2, "ln_ratio": ell2, "eta": [1e-3, 0.3], "order": "descent_first"},
                       "steps": steps, "kept": keep, "start_offset": 1e-3},
            "arrays": to_numpy({"ln_ratio": ln_ratio, "orders": panels,
                           "flip_threshold": {"exact": thresholds[0], "first_order": thresholds[1],
                                              "leading": thresholds[2]},
                           "eta": etas, "eta_tail_minus_ln_eta_a": tail - shift[:, None], "eta_diverged": div,
                           "eta_fixed_point_minus_ln_eta_a": w_star - shift, "eta_stable": stable,
                           "eta_flip_threshold_exact": exact_eta, "eta_flip_threshold_first_order": first_eta})}


def draw(data):
    arr, par = data["arrays"], data["params"]
    fig, axes = figure_grid(1, 3, 20, 5.5)
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

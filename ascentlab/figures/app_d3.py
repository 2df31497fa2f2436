"""Figure `app_d3`. App. D.3: alternating DA tracks DA with 2 lambda; its Case-3 fixed point against
eta.

`ascentlab figure app_d3` writes it: `data(fast)` computes every plotted array and parameter
(the JSON beside the picture), `draw(data)` draws them.
"""

import jax
import jax.numpy as jnp
import numpy as np

from .. import theory as th
from .._unlearn import unlearn
from ..plots import PALETTE, figure_grid
from ._common import to_numpy

ORDER = 6
CAPTION = "App. D.3: alternating DA tracks DA with 2 lambda; its Case-3 fixed point against eta."
DESCRIPTION = ("App. D.3: alternating DA tracks simultaneous DA with 2λ; its Case-3 fixed point against η with "
               "the refined and the earlier (offset) leading orders")


def data(fast: bool) -> dict:
    """Alternating vs simultaneous DA (lam vs 2 lam), and the Case-3 alternating fixed point against eta."""
    a, b1, lam, eta = 0.5, 0.25, 0.1, 0.1
    steps = 150 if fast else 600
    runs = {}
    start = jnp.array([0.0])
    for name, method, lam_used in (("alternating", "da_alternating", lam), ("simultaneous_lam", "da", lam),
                                   ("simultaneous_2lam", "da", 2 * lam)):
        p = th.coordinate_problem(a, b1, 1.0, 1.0, lam_used)
        runs[name] = unlearn(p, method, eta=eta, steps=steps, start=start).w[:, 0]
    b3 = 0.75
    etas = np.logspace(-3, np.log10(0.5), 8 if fast else 25)
    refined, note = th.alternating_fixed_point_case3(a, b3, jnp.asarray(etas))
    p3 = th.alternating_problem(a, b3, lam)
    fps = jax.jit(jax.vmap(lambda e, g: th.map_fixed_point(p3, e, g[None], order="descent_first")[0]))(
        jnp.asarray(etas), refined)
    return {"params": {"case1": {"a": a, "b": b1, "lam": lam, "eta": eta, "steps": steps, "start": 0.0},
                       "case3": {"a": a, "b": b3, "lam": lam}, "order": "descent_first"},
            "arrays": to_numpy({"t": np.arange(steps + 1), "runs": runs,
                           "W0_lam": th.lemma2(a, b1, 1.0, 1.0, lam)[2],
                           "W0_2lam": th.lemma2(a, b1, 1.0, 1.0, 2 * lam)[2],
                           "eta": etas, "fixed_point": fps, "leading_order_refined": refined,
                           "leading_order_note": note})}


def draw(data):
    arr, par = data["arrays"], data["params"]
    fig, axes = figure_grid(1, 2, 14, 5)
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

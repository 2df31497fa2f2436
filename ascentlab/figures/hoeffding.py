"""Figure `hoeffding`. Lemma 1: Monte-Carlo |Acc_F - Acc_T| exceedance frequency against the Hoeffding
bound.

`ascentlab figure hoeffding` writes it: `data(fast)` computes every plotted array and parameter
(the JSON beside the picture), `draw(data)` draws them.
"""

import jax
import jax.numpy as jnp
import numpy as np

from .. import theory as th
from .._problems import gaussian_problem
from .._solve import solve
from ..plots import figure_grid
from ._common import to_numpy

ORDER = 4
CAPTION = "Lemma 1: Monte-Carlo |Acc_F - Acc_T| exceedance frequency against the Hoeffding bound."
DESCRIPTION = ("Lemma 1 with a real oracle: exceedance frequency of \\|Acc_F − Acc_T\\| ≥ ε over random forget "
               "sets against 2exp(−2\\|F\\|ε²)")


def data(fast: bool) -> dict:
    r"""Lemma 1 with a real classifier: the oracle of a Gaussian problem, random forget sets.

    The forget sets are drawn from held-out samples the oracle never saw
    (what a uniformly random forget set is to the oracle); $\mathrm{Acc}_T$ is
    the accuracy on a 100,000-sample test set.
    """
    key = jax.random.key(0)
    k_prob, k_pool, k_draw = jax.random.split(key, 3)
    prob = gaussian_problem(k_prob, 2000, 10, 0.3, 0.1, 0.01, n_test=100_000)
    w = solve(prob, "oracle").w
    correct = (prob.y_test * (prob.X_test @ w) > 0).astype(prob.X_test.dtype)
    acc_t = correct.mean()
    trials = 2000 if fast else 20_000
    sizes = (10, 50, 200)
    eps = np.linspace(0.0, 0.5, 26)
    freqs = []
    for size, k in zip(sizes, jax.random.split(k_draw, len(sizes))):
        idx = jax.random.randint(k, (trials, size), 0, correct.shape[0])
        dev = jnp.abs(correct[idx].mean(axis=1) - acc_t)
        freqs.append((dev[:, None] >= jnp.asarray(eps)[None, :] - 1e-12).mean(axis=0))
    bound = np.stack([np.asarray(th.hoeffding_bound(float(s), jnp.asarray(eps))) for s in sizes])
    return {"params": {"sizes": sizes, "trials": trials, "n": 2000, "d": 10, "rho": 0.3, "lam": 0.01,
                       "acc_test": float(acc_t), "test_samples": 100_000},
            "arrays": to_numpy({"eps": eps, "frequency": jnp.stack(freqs), "bound": bound})}


def draw(data):
    arr, par = data["arrays"], data["params"]
    fig, axes = figure_grid(1, 1, 7.5, 5)
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

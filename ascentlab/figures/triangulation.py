r"""Figure `triangulation`. Seven unlearning methods along their steps, measured five ways against the exact
oracle: forget accuracy, held-out accuracy, distance, KLoM and membership-inference AUC.

`ascentlab figure triangulation` writes it: `data(fast)` computes every plotted array and parameter (the
JSON beside the picture), `draw(data)` draws them.

**Setting.** $N$ = 100 independent draws of `gaussian_problem(key_i, n=200, d=50, rho=0.5,
forget_fraction=0.1, lam=0.01, forget="correlated", n_test=200)` (logistic loss): the forget set is the
20 samples with the largest projection on the top principal direction, the paper's hard case. Each
draw has its exact original model $w^{\mathcal{D}}_i$ and exact oracle $w^{\mathcal{R}}_i$
(`ascentlab.ensemble.klom_exact`), and every method starts from $w^{\mathcal{D}}_i$. Per recorded step
$t$, over the draws:

* forget / held-out accuracy: the mean fraction of positive margins on $\mathcal F$ / on the held-out
  set (a zero margin counts ½, as `metrics.accuracy`);
* distance: the mean of $\|w_t-w^{\mathcal{R}}\|$;
* KLoM: the 95th percentile over the forget points of the per-point KLoM of the $N$ unlearned margins
  against the $N$ exact-oracle margins (`metrics.klom`, mode "ascentlab", 20 bins);
* MIA AUC: the mean over draws of the loss-threshold attack's AUC, forget set against the held-out set
  (`metrics.auc` of the scores $-\ell(m)$, as `metrics.mia_auc`).

References in every panel: the oracle's value (★; distance and KLoM 0 by definition) and the
original model's, "doing nothing" (○). A draw that diverged makes its row NaN (a gap) and the legend
says where.

**What it shows** (checked at master keys 0-4): descent-ascent's forget accuracy falls from the
original's 0.94 through the oracle's 0.84 within a few steps, and at that step its mean distance
to the oracle is still above 0.9 of the original model's: dropping forget accuracy is not the model
approaching the oracle. Continuing, forget accuracy falls far below the oracle's while the distance
grows past doing nothing (by an order of magnitude) and KLoM ends above the original model's.

References: "Ascent Fails to Forget" (arXiv 2509.26427), Sec. 6 (KLoM), Sec. 4.3 (correlated
forget sets); the method modules in `ascentlab.methods` for each method's paper.
"""

import jax
import jax.numpy as jnp
import numpy as np

from .. import methods as M
from .._objectives import _loss_and_derivatives
from ..ensemble import klom_exact
from ..metrics import _auc, _correct
from ..plots import figure_grid
from ._common import to_numpy

ORDER = 10
CAPTION = ("Seven unlearning methods along their steps on 100 correlated-forget Gaussian problems (n=200, d=50, "
           "lambda=0.01): forget and held-out accuracy, distance to the exact oracle, forget KLoM (95th pct) "
           "and membership-inference AUC; oracle (star) and original model (circle) as references.")
DESCRIPTION = ("Forget accuracy, held-out accuracy, distance to the exact oracle, KLoM and membership-inference "
               "AUC along the steps of DA, NegGrad+, SCRUB, decouple-retain, finetuning, rewinding and Newton "
               "(100 exact oracles): DA's forget accuracy drops while it moves away from the oracle")

# (key, label, method factory arguments, step size); every method starts from the original model.
# Noisy descent (noisy_gd) is in the `methods` figure only: at this lambda its calibrated noise puts the
# published model thousands of units from the oracle, which would flatten every other curve here.
METHODS = (
    ("da", "DA", {}, 0.1),
    ("neggrad_plus", "NegGrad+ (β = 0.9)", {"beta": 0.9}, 0.1),
    ("scrub", "SCRUB", {}, 0.1),
    ("decouple_retain", "decouple-retain (θ = 0.1)", {"threshold": 0.1}, 0.1),
    ("finetune", "finetune", {}, 0.1),
    ("rewind", "rewind to init (retrain)", {"checkpoint": 0.0}, 0.1),
    ("newton", "Newton", {}, 1.0),
)
# Okabe-Ito colours (black for Newton), one marker each; references are grey.
COLORS = {"da": "#D55E00", "neggrad_plus": "#CC79A7", "scrub": "#56B4E9", "decouple_retain": "#E69F00",
          "finetune": "#009E73", "rewind": "#0072B2", "newton": "#000000", "noisy_gd": "#F0E442"}
MARKERS = {"da": "v", "neggrad_plus": "^", "scrub": "s", "decouple_retain": "D", "finetune": "P", "rewind": "<",
           "newton": "X", "noisy_gd": "h"}
"""Shared with the `methods` figure (noisy_gd's yellow is drawn with a dark outline there)."""
PROBLEM = {"n": 200, "d": 50, "n_test": 200, "rho": 0.5, "forget_fraction": 0.1, "lam": 0.01,
           "forget": "correlated", "loss": "logistic"}
N_MODELS = 100
MASTER_KEY = 0
NOISE_KEY = 1
CHECK_DRAWS = 3  # draws whose final held-out margins go into the JSON (for an independent AUC check)
PANELS = (("forget_accuracy", "forget accuracy"), ("heldout_accuracy", "held-out accuracy"),
          ("dist_oracle", r"distance to the oracle $\|w_t-w^{\mathcal{R}}\|$"),
          ("klom_forget", "forget KLoM (95th percentile)"), ("mia_auc", "membership-inference AUC (F vs held-out)"))


def _mia(margins, k, n, loss):
    """Mean over draws of the loss-threshold AUC, forget points [:k] against held-out points [n:]; margins
    (N, ..., P). Returns (per-draw AUC with shape margins.shape[:-1])."""
    score = -_loss_and_derivatives(margins, loss)[0]
    flat = score.reshape((-1, score.shape[-1]))
    one = lambda s: _auc(s[:k], s[n:], jnp.ones((k,), s.dtype))
    return jax.vmap(one)(flat).reshape(score.shape[:-1])


def _accuracy(margins):
    """Mean over draws and points of `_correct` (a zero margin counts ½)."""
    return jnp.mean(_correct(margins))


def run_method(name, factory_args, eta, steps, *, key=MASTER_KEY, n_models=N_MODELS, noise_key=NOISE_KEY):
    """`klom_exact` of one method in the figure's setting, every step recorded; returns the result and
    the group sizes (k, n)."""
    method = M.get(name, **factory_args)
    method_key = jax.random.key(noise_key) if method.needs_key else None
    res = klom_exact(jax.random.key(key), method, eta=eta, steps=steps, n_models=n_models, record_every=1,
                     method_key=method_key, **PROBLEM)
    k = res.klom.forget.shape[-1]
    return res, k, k + res.klom.retain.shape[-1]


def _rows(res, k, n, loss):
    """The plotted per-row statistics of one method (NaN where a draw had diverged)."""
    broken = res.n_diverged > 0
    mia_draws = _mia(res.margins, k, n, loss)  # (N, rows)
    mia = jnp.where(broken, jnp.nan, jnp.mean(mia_draws, axis=0))
    bad = np.flatnonzero(np.asarray(broken))
    return {
        "t": res.t,
        "forget_accuracy": res.accuracy.forget,
        "heldout_accuracy": res.accuracy.validation,
        "dist_oracle": jnp.where(broken, jnp.nan, res.dist_oracle),
        "klom_forget": res.percentile.forget,
        "mia_auc": mia,
        "n_diverged": res.n_diverged,
        "diverged_at": int(np.asarray(res.t)[bad[0]]) if bad.size else -1,
        # the final row's data, for independent checks: forget margins of every draw, held-out margins of a few
        "final": {"margins_forget": res.margins[:, -1, :k], "margins_heldout": res.margins[:CHECK_DRAWS, -1, n:],
                  "mia_auc_per_draw": mia_draws[:, -1]},
    }


def _references(res, k, n, loss):
    """Oracle (★) and original (○) values of every panel, from the exact models' margins."""
    mo, mg = res.margins_oracle, res.margins_original
    return {
        "oracle": {"forget_accuracy": _accuracy(mo[:, :k]), "heldout_accuracy": _accuracy(mo[:, n:]),
                   "dist_oracle": 0.0, "klom_forget": 0.0, "mia_auc": jnp.mean(_mia(mo, k, n, loss))},
        "original": {"forget_accuracy": _accuracy(mg[:, :k]), "heldout_accuracy": _accuracy(mg[:, n:]),
                     "dist_oracle": res.dist_oracle[0], "klom_forget": res.pretrained_percentile.forget,
                     "mia_auc": jnp.mean(_mia(mg, k, n, loss))},
        "margins_oracle_forget": mo[:, :k],
    }


def message(arrays, method="da"):
    r"""The figure's claim, read off its arrays: the first step $t_\times$ at which `method`'s forget accuracy is
    at or below the oracle's, its distance there relative to the original model's, and at the end.

    Returns {"t_cross", "dist_ratio_at_cross", "dist_ratio_final", "klom_final_over_original",
    "forget_accuracy_final"} (t_cross -1 and NaN ratios when it never crosses)."""
    run, ref = arrays["runs"][method], arrays["references"]
    acc = np.asarray(run["forget_accuracy"], float)
    dist = np.asarray(run["dist_oracle"], float)
    d0 = float(ref["original"]["dist_oracle"])
    below = np.flatnonzero(acc <= float(ref["oracle"]["forget_accuracy"]))
    i = int(below[0]) if below.size else -1
    return {"t_cross": int(np.asarray(run["t"])[i]) if i >= 0 else -1,
            "dist_ratio_at_cross": float(dist[i] / d0) if i >= 0 else float("nan"),
            "dist_ratio_final": float(dist[-1] / d0),
            "klom_final_over_original": float(np.asarray(run["klom_forget"], float)[-1]
                                              / float(ref["original"]["klom_forget"])),
            "forget_accuracy_final": float(acc[-1])}


def data(fast: bool) -> dict:
    r"""Every method's per-step statistics over the $N$ draws, the two references and the claim.

    `fast` shrinks the number of steps (50 instead of 200); the problems and $N$ = 100 are the same.
    """
    steps = 50 if fast else 200
    loss = PROBLEM["loss"]
    runs, refs = {}, None
    for name, args, eta in ((m[0], m[2], m[3]) for m in METHODS):
        res, k, n = run_method(name, args, eta, steps)
        runs[name] = to_numpy(_rows(res, k, n, loss))
        if refs is None:
            refs = to_numpy(_references(res, k, n, loss))
    arrays = {"runs": runs, "references": refs}
    arrays["message"] = message(arrays)
    params = {
        "problem": {**PROBLEM, "generator": "gaussian_problem", "teacher_norm": 3.0},
        "n_models": N_MODELS, "master_key": MASTER_KEY, "noise_key": NOISE_KEY, "steps": steps,
        "record_every": 1, "start": "original",
        "methods": {name: {"label": label, "params": args, "eta": eta} for name, label, args, eta in METHODS},
        "klom": {"mode": "ascentlab", "direction": "oracle||unlearned", "bins": 20, "clip": 100.0, "floor": 1e-5,
                 "percentile": 95.0, "group": "forget"},
        "mia": "loss threshold: AUC of -loss(margin), forget set (members) vs held-out set (non-members), "
               "mean over draws",
        "accuracy": "mean over draws and points of margin > 0 (a zero margin counts 1/2)",
        "dist_oracle": "mean over draws of ||w_t - w^R||",
        "check_draws": CHECK_DRAWS,
        "message_checked_at_keys": [0, 1, 2, 3, 4],
    }
    return {"params": params, "arrays": arrays}


def _legend_label(label, run):
    k = int(run["diverged_at"])
    return f"{label} (diverged at t = {k})" if k >= 0 else label


def draw(data):
    arr, pp = data["arrays"], data["params"]
    refs, runs = arr["references"], arr["runs"]
    steps = pp["steps"]
    fig, axes = figure_grid(2, 3, 17, 9.5)
    flat = axes.ravel()
    msg = arr["message"]
    for ax, (key, title) in zip(flat, PANELS):
        for name, label, _, _ in METHODS:
            run = runs[name]
            t = np.asarray(run["t"], float)
            y = np.asarray(run[key], float)
            marks = np.unique(np.round(np.geomspace(1, max(t[-1], 1), 8)).astype(int))
            ax.plot(t, y, color=COLORS[name], lw=1.8, marker=MARKERS[name], ms=5, markevery=list(marks[marks < t.size]),
                    mec="k", mew=0.5, label=_legend_label(label, run))
        ax.axhline(float(refs["oracle"][key]), color="0.25", ls=":", lw=1.4)
        ax.plot([steps], [float(refs["oracle"][key])], "*", color="0.25", ms=13, clip_on=False, zorder=5,
                label=r"oracle $w^{\mathcal{R}}$ (exact unlearning)")
        ax.axhline(float(refs["original"][key]), color="0.6", ls="--", lw=1.4)
        ax.plot([0], [float(refs["original"][key])], "o", mfc="none", mec="0.45", mew=2, ms=10, clip_on=False,
                zorder=5, label=r"original $w^{\mathcal{D}}$ (do nothing)")
        if msg["t_cross"] >= 0:
            ax.axvline(msg["t_cross"], color=COLORS["da"], ls=(0, (1, 2)), lw=1.1)
        ax.set_xscale("symlog", linthresh=1, linscale=0.4)
        ax.set_xlim(0, steps)
        ax.set_xlabel("step $t$")
        ax.set_title(title)
        if key == "dist_oracle":
            ax.set_yscale("symlog", linthresh=1e-2, linscale=0.5)
            ax.set_ylim(bottom=0)
        elif key == "klom_forget":
            ax.set_yscale("symlog", linthresh=0.1, linscale=0.5)
            ax.set_ylim(bottom=0)
    leg_ax = flat[-1]
    leg_ax.axis("off")
    handles, labels = flat[0].get_legend_handles_labels()
    leg_ax.legend(handles, labels, loc="upper left", fontsize="small", frameon=False)
    if msg["t_cross"] >= 0:
        leg_ax.text(0.0, 0.02, (f"DA reaches the oracle's forget accuracy at t = {msg['t_cross']} (dotted line),\n"
                                f"still at {msg['dist_ratio_at_cross']:.2f} of the original model's distance;\n"
                                f"at t = {steps}: distance {msg['dist_ratio_final']:.3g}x, forget KLoM "
                                f"{msg['klom_final_over_original']:.2g}x the original model's."),
                    transform=leg_ax.transAxes, fontsize="small", va="bottom")
    p = pp["problem"]
    fig.suptitle(rf"{pp['n_models']} Gaussian problems (n={p['n']}, d={p['d']}, $\rho$={p['rho']:g}, "
                 rf"$\lambda$={p['lam']:g}, {p['forget']} forget set of {p['forget_fraction']:g} n, {p['loss']} loss), "
                 rf"each against its exact oracle; {steps} steps from $w^{{\mathcal{{D}}}}$")
    return fig

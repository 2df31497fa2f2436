r"""The data behind every figure, computed with the core solvers (no matplotlib here).

Each `<name>_data(fast)` returns `{"params": {...}, "arrays": {...}}`: every
parameter and every plotted array, which `ascentlab figure` writes to
`<name>.json` beside the picture. `fast=True` shrinks grids and step counts
(for CI and `--fast`), never the parameters of the problems.

References: "Ascent Fails to Forget" (arXiv 2509.26427): Fig. 4 (Sec. 5.1.2),
Fig. 5 (Sec. 5.2), Lemmas 1-5, Corollary 1, App. D.3.
"""

import jax
import jax.numpy as jnp
import numpy as np

from . import theory as th
from . import toy
from ._problems import gaussian_problem, orthogonal_blocks
from ._solve import UNBOUNDED, solve
from ._unlearn import unlearn

__all__ = ["FIGURE_DATA"]

# DA outcome classes of the `phase` figure
TOWARD, DETRIMENTAL, OVERSHOOT, UNBOUNDED_CLASS = range(4)
OUTCOMES = ("toward the oracle", "detrimental (DA and oracle on opposite sides)", "overshoot", "unbounded (Case 3)")


def _np(tree):
    return jax.tree.map(np.asarray, tree)


# ------------------------------------------------------------------ fig4 --
def fig4_data(fast: bool):
    r"""Fig. 4: the $\alpha$ window in which DA is detrimental, against $\epsilon$.

    The paper's parameters are unknown (docs/theory.md, open gap 6); ascentlab uses
    the C-9 instance: $|\mathcal R|=1000$, $|\mathcal R_{ij}|=100$, $\lambda=1$,
    and $|\mathcal F|/|\mathcal R|\in\{0.1,0.25,0.5\}$ (one panel each);
    $|\mathcal F_{ij}|=\alpha|\mathcal R_{ij}|$ with $|\mathcal F|$ fixed.
    """
    n_r, r_ij, lam = 1000.0, 100.0, 1.0
    fractions = (0.1, 0.25, 0.5)
    eps = np.linspace(0.02, 0.98, 21 if fast else 97)
    n_alpha = 21 if fast else 81
    panels = []
    for frac in fractions:
        n_f = frac * n_r
        top = min(1.0, n_f / r_ij)
        alphas = np.linspace(top / n_alpha, top, n_alpha)
        b, p = r_ij / (lam * (n_r + n_f)), r_ij / (lam * n_r)
        e = jnp.asarray(eps)
        d_da = th.lemma9_threshold(n_r, n_f, e)
        ax_, ay_ = th.lemma10_thresholds(b, p, e)
        crossing = jax.jit(jax.vmap(lambda ep: th.lemma10_crossing(r_ij, n_r, n_f, ep, lam)))(e)

        def detrimental(alpha, ep):
            prob = th.pair_problem(r_ij, alpha, n_r - r_ij, n_f - alpha * r_ij, ep, lam)
            return th.pair_detrimental(prob, ep)[0]

        A, E = np.meshgrid(alphas, eps, indexing="ij")
        region = jax.jit(jax.vmap(detrimental))(jnp.asarray(A.ravel()), jnp.asarray(E.ravel())).reshape(A.shape)
        panels.append(_np({
            "forget_fraction": frac, "alpha_grid": alphas, "alpha_D_gt_DA": d_da,
            "alpha_R_gt_D_derived": jnp.minimum(ax_, ay_), "alpha_R_gt_D_exact": crossing.min(axis=1),
            "detrimental": region,
        }))
    return {"params": {"n_retain": n_r, "r_ij": r_ij, "lam": lam, "forget_fractions": fractions, "loss": "exp",
                       "detrimental_definition": "(x^R-x^D)(x^D-x^DA) >= 0 and (y^R-y^D)(y^D-y^DA) >= 0, exact solves"},
            "arrays": {"eps": eps, "panels": panels}}


# ------------------------------------------------------------------ fig5 --
def fig5_data(fast: bool):
    """Fig. 5: toy loss landscapes over (a, b), their minima and decision boundaries (reading "tanh")."""
    reading = "tanh"
    n = 60 if fast else 240
    a = np.linspace(0.0, 5.0, n)
    b = np.linspace(-2.5, 0.5, n)
    A, B = np.meshgrid(a, b)
    land, mins = {}, {}
    for name in toy.WEIGHTS:
        land[name] = np.asarray(toy.loss_ab(A, B, name, reading))
        mins[name] = [{"theta": m.theta, "loss": m.loss, "pattern": m.pattern}
                      for m in toy.toy_minima(toy.WEIGHTS[name], reading, grid=15 if fast else 25)]
    return {"params": {"reading": reading, "reading_detail": "h = tanh(z/2), z = a x + b x^2, target y, "
                       "loss sum_i w_i (h - y_i)^2 + lam ||theta||^2, lam = 0.05",
                       "x": toy.X_POINTS, "labels": toy.LABELS, "weights": toy.WEIGHTS},
            "arrays": {"a": a, "b": b, "landscapes": land, "minima": mins}}


# ------------------------------------------------------------ trajectories --
TRAJ_METHODS = ("da", "da_alternating", "ga", "finetune")


def _trajectory_panel(problem, eta, steps):
    sols = {k: solve(problem, k) for k in ("original", "oracle", "da")}
    runs = {m: unlearn(problem, m, eta=eta, steps=steps) for m in TRAJ_METHODS}
    return _np({
        "w_original": sols["original"].w, "w_oracle": sols["oracle"].w, "w_da": sols["da"].w,
        "da_status": sols["da"].status,
        "paths": {m: r.w for m, r in runs.items()},
        "dist_oracle": {m: r.dist_oracle for m, r in runs.items()},
        "diverged_at": {m: r.diverged_at for m, r in runs.items()},
        "reference": jnp.linalg.norm(sols["original"].w - sols["oracle"].w),
    })


def trajectories_data(fast: bool):
    """DA, alternating DA, GA and finetuning on orthogonal blocks and on the correlated pair."""
    steps = 60 if fast else 200
    blocks = orthogonal_blocks([50, 50], [8, 12], 0.5)
    pair = th.pair_problem(100.0, 0.1, 900.0, 240.0, 0.6, 1.0)
    return {"params": {"methods": TRAJ_METHODS, "steps": steps, "eta": 0.5,
                       "orthogonal_blocks": {"retain": [50, 50], "forget": [8, 12], "lam": 0.5, "loss": "exp"},
                       "correlated_pair": {"r_ij": 100, "alpha": 0.1, "r_rest": 900, "f_rest": 240, "eps": 0.6,
                                           "lam": 1.0, "loss": "exp"},
                       "alternating_order": "descent_first"},
            "arrays": {"orthogonal_blocks": _trajectory_panel(blocks, 0.5, steps),
                       "correlated_pair": _trajectory_panel(pair, 0.5, steps)}}


# ------------------------------------------------------------------ phase --
def _classify(wd, wr, wda, unbounded, detrimental):
    dist = lambda u, v: jnp.sqrt(jnp.sum((u - v) ** 2))  # scalars (a coordinate) or vectors (the pair)
    toward = dist(wda, wr) < dist(wd, wr)
    return jnp.where(unbounded, UNBOUNDED_CLASS, jnp.where(detrimental, DETRIMENTAL, jnp.where(toward, TOWARD, OVERSHOOT)))


def phase_data(fast: bool):
    r"""DA outcome over $(\alpha,\lambda)$ (one orthogonal coordinate) and over $(\alpha,\epsilon)$ (the pair)."""
    n = 41 if fast else 161
    # (alpha, lambda): C-2 sizes, |R| = 100, |F| = 20, |R_j| = 50, |F_j| = 50 alpha
    n_r, n_f, r_j = 100.0, 20.0, 50.0
    alphas = np.linspace(0.004, 0.4, n)
    lams = np.logspace(-2, 1, n)
    A, L = np.meshgrid(alphas, lams, indexing="ij")

    def coord(alpha, lam):
        p = th.coordinate_problem(r_j, alpha * r_j, n_r, n_f, lam)
        wd, wr, s = solve(p, "original").w[0], solve(p, "oracle").w[0], solve(p, "da")
        unb = s.status == UNBOUNDED
        return _classify(wd, wr, s.w[0], unb, ~unb & ((s.w[0] - wd) * (wd - wr) >= 0))

    cls_lam = jax.jit(jax.vmap(coord))(jnp.asarray(A.ravel()), jnp.asarray(L.ravel())).reshape(A.shape)
    lo, hi = th.lemma3_range(n_r, n_f)
    case2 = th.case_thresholds(r_j, n_r, n_f, jnp.asarray(lams))[1]

    # (alpha, eps): the pair with |R| = 1000, |R_ij| = 100, |F| = 250, lam = 1
    pr, pr_ij, pf, plam = 1000.0, 100.0, 250.0, 1.0
    alphas2 = np.linspace(0.01, 1.0, n)
    eps = np.linspace(0.02, 0.98, n)
    A2, E2 = np.meshgrid(alphas2, eps, indexing="ij")

    def pair(alpha, ep):
        prob = th.pair_problem(pr_ij, alpha, pr - pr_ij, pf - alpha * pr_ij, ep, plam)
        det, unb, (wd, wr, wda) = th.pair_detrimental(prob, ep)
        return _classify(wd, wr, wda, unb, det)

    cls_eps = jax.jit(jax.vmap(pair))(jnp.asarray(A2.ravel()), jnp.asarray(E2.ravel())).reshape(A2.shape)
    b, p = pr_ij / (plam * (pr + pf)), pr_ij / (plam * pr)
    ax_, ay_ = th.lemma10_thresholds(b, p, jnp.asarray(eps))
    return {"params": {"outcomes": OUTCOMES,
                       "alpha_lambda": {"n_retain": n_r, "n_forget": n_f, "r_j": r_j, "loss": "exp"},
                       "alpha_eps": {"n_retain": pr, "r_ij": pr_ij, "n_forget": pf, "lam": plam, "loss": "exp"}},
            "arrays": _np({"alpha_lambda": {"alpha": alphas, "lam": lams, "outcome": cls_lam, "lemma3_lower": lo,
                                            "lemma3_upper": hi, "case2_max": case2},
                           "alpha_eps": {"alpha": alphas2, "eps": eps, "outcome": cls_eps,
                                         "alpha_D_gt_DA": th.lemma9_threshold(pr, pf, jnp.asarray(eps)),
                                         "alpha_R_gt_D_derived": jnp.minimum(ax_, ay_)}})}


# --------------------------------------------------------------- hoeffding --
def hoeffding_data(fast: bool):
    r"""Lemma 1 with a real classifier: the oracle of a Gaussian problem, random forget sets.

    The forget sets are drawn from held-out samples the oracle never saw
    (what a uniformly random forget set is to the oracle); $\mathrm{Acc}_T$ is
    the accuracy on a 100,000-sample test set.
    """
    key = jax.random.key(0)
    k_prob, k_pool, k_draw = jax.random.split(key, 3)
    prob = gaussian_problem(k_prob, 2000, 10, 0.3, 0.1, 0.01, n_test=100_000)
    w = solve(prob, "oracle").w
    correct = (prob.y_test * (prob.X_test @ w) > 0).astype(jnp.float64)
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
            "arrays": _np({"eps": eps, "frequency": jnp.stack(freqs), "bound": bound})}


# -------------------------------------------------------------- corollary1 --
def corollary1_data(fast: bool):
    r"""$\Delta_{\mathcal R,DA}$ and $\Delta_{\mathcal R,\mathcal D}$ against $\lambda$ (Corollary 1).

    Pure 1-D data ($\alpha=|\mathcal F|/|\mathcal R|$ exactly) against
    $W_0(1/\lambda)$, and one coordinate of the C-2 sizes at
    $\alpha/(|\mathcal F|/|\mathcal R|)\in\{0.5,0.9,1\}$.
    """
    lams = np.logspace(-4, 1, 16 if fast else 61)
    lj = jnp.asarray(lams)

    def deltas(r_j, f_j, n_r, n_f, lam):
        p = th.coordinate_problem(r_j, f_j, n_r, n_f, lam)
        wd, wr, wda = (solve(p, k).w[0] for k in ("original", "oracle", "da"))
        return jnp.abs(wd - wr), jnp.abs(wr - wda)

    pure = jax.jit(jax.vmap(lambda l: deltas(40.0, 10.0, 40.0, 10.0, l)))(lj)
    ratios = (0.5, 0.9, 1.0)
    coord = {str(r): jax.jit(jax.vmap(lambda l, r=r: deltas(50.0, 50.0 * 0.2 * r, 100.0, 20.0, l)))(lj)
             for r in ratios}
    return {"params": {"pure_1d": {"n_retain": 40, "n_forget": 10},
                       "coordinate": {"n_retain": 100, "n_forget": 20, "r_j": 50, "alpha_over_F_over_R": ratios},
                       "loss": "exp"},
            "arrays": _np({"lam": lams, "pure_delta_RD": pure[0], "pure_delta_RDA": pure[1],
                           "W0_inv_lam": jax.vmap(lambda l: th.corollary1(1.0, 1.0, l)[1])(lj),
                           "coordinate": {k: {"delta_RD": v[0], "delta_RDA": v[1]} for k, v in coord.items()}})}


# ------------------------------------------------------------------ app_d3 --
def app_d3_data(fast: bool):
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
            "arrays": _np({"t": np.arange(steps + 1), "runs": runs,
                           "W0_lam": th.lemma2(a, b1, 1.0, 1.0, lam)[2],
                           "W0_2lam": th.lemma2(a, b1, 1.0, 1.0, 2 * lam)[2],
                           "eta": etas, "fixed_point": fps, "leading_order_refined": refined,
                           "leading_order_note": note})}


# ------------------------------------------------------- app_d3_bifurcation --
def _long_run(a, b, lam, eta, order, steps, keep):
    """The last `keep` iterates of `unlearn`'s alternating map from next to the far fixed point, and divergence."""
    fp = th.alternating_far_fixed_point(a, b, lam, eta)
    w_star = fp.w if order == "descent_first" else fp.w_ascent_first
    start = jnp.reshape(w_star + 1e-3, (1,))
    tr = unlearn(th.alternating_problem(a, b, lam), "da_alternating", eta=eta, steps=steps, start=start, order=order)
    return tr.w[-keep:, 0], tr.diverged_at >= 0, w_star, jnp.abs(fp.slope) < 1


def app_d3_bifurcation_data(fast: bool):
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
        tail, div, w_star, stable = jax.jit(jax.vmap(
            lambda bb, o=order: _long_run(a, bb, lam, eta, o, steps, keep)))(b)
        panels[order] = {"tail_minus_ln_eta_a": tail - shift, "diverged": div,
                         "fixed_point_minus_ln_eta_a": w_star - shift, "stable": stable}
    thresholds = th.alternating_flip_threshold(a, lam, eta)

    a2, lam2, ell2 = 0.2, 0.5, 1.5
    etas = np.logspace(-3, np.log10(0.3), n)
    tail, div, w_star, stable = jax.jit(jax.vmap(
        lambda e: _long_run(a2, a2 * np.exp(ell2), lam2, e, "descent_first", steps, keep)))(jnp.asarray(etas))
    shift = np.log(etas * a2)  # plot w - ln(eta a): the fixed point is ~ -ln ln(b/a) at every eta
    exact_eta, first_eta, _ = th.alternating_flip_threshold(a2, lam2, jnp.asarray(etas))
    return {"params": {"ratio_panel": {"a": a, "lam": lam, "eta": eta, "ln_ratio": [1.0, float(np.log(1.0 / a))]},
                       "eta_panel": {"a": a2, "lam": lam2, "ln_ratio": ell2, "eta": [1e-3, 0.3], "order": "descent_first"},
                       "steps": steps, "kept": keep, "start_offset": 1e-3},
            "arrays": _np({"ln_ratio": ln_ratio, "orders": panels,
                           "flip_threshold": {"exact": thresholds[0], "first_order": thresholds[1],
                                              "leading": thresholds[2]},
                           "eta": etas, "eta_tail_minus_ln_eta_a": tail - shift[:, None], "eta_diverged": div,
                           "eta_fixed_point_minus_ln_eta_a": w_star - shift, "eta_stable": stable,
                           "eta_flip_threshold_exact": exact_eta, "eta_flip_threshold_first_order": first_eta})}


# ----------------------------------------------------------- finetune_trap --
def finetune_trap_data(fast: bool):
    """Toy finetuning on the retain loss from the DA minimum (stays trapped) and from the pretrained minimum."""
    reading, eta = "tanh", 0.01
    steps = 20_000 if fast else 200_000
    every = steps // 200
    grad = jax.grad(lambda th_: toy.toy_loss(th_, toy.WEIGHTS["retrain"], reading))

    def path(theta0):
        def body(th_, _):
            th_ = jax.lax.fori_loop(0, every, lambda _, v: v - eta * grad(v), th_)
            return th_, th_
        _, pts = jax.lax.scan(body, jnp.asarray(theta0), length=steps // every)
        return jnp.concatenate([jnp.asarray(theta0)[None], pts])

    da_min = toy.toy_minima(toy.WEIGHTS["da"], reading)[0].theta
    d_min = toy.toy_minima(toy.WEIGHTS["original"], reading)[0].theta
    n = 60 if fast else 240
    a = np.linspace(1.5, 4.0, n)
    b = np.linspace(-2.0, 0.0, n)
    A, B = np.meshgrid(a, b)
    p_da, p_d = path(da_min), path(d_min)
    return {"params": {"reading": reading, "eta": eta, "steps": steps, "record_every": every},
            "arrays": {**_np({"a": a, "b": b, "retain_landscape": toy.loss_ab(A, B, "retrain", reading),
                              "from_da_min": p_da, "from_pretrained_min": p_d,
                              "retrain_minima": [m.theta for m in toy.toy_minima(toy.WEIGHTS["retrain"], reading)]}),
                       "end_pattern_from_da": toy.patterns(p_da[-1]),
                       "end_pattern_from_pretrained": toy.patterns(p_d[-1])}}


FIGURE_DATA = {
    "fig4": fig4_data,
    "fig5": fig5_data,
    "trajectories": trajectories_data,
    "phase": phase_data,
    "hoeffding": hoeffding_data,
    "corollary1": corollary1_data,
    "app_d3": app_d3_data,
    "app_d3_bifurcation": app_d3_bifurcation_data,
    "finetune_trap": finetune_trap_data,
}


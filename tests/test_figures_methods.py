"""The `triangulation` and `methods` figures' JSON against independent transcriptions.

Every check recomputes a plotted number another way: accuracies, KLoM (a numpy histogram) and the
membership-inference AUC (sklearn's `roc_auc_score`) from the margins stored in the JSON; the final
distances of finetuning, DA, Newton's step and retraining from numpy loops on the figure's problem,
with the exact original and oracle models from scipy's trust-region solver; the cost axis from each
method's documented cost. The data come from the session cache `figure_data_cache` (fast mode).
"""

import json

import jax
import matplotlib.pyplot as plt
import numpy as np
import pytest
import scipy.optimize
import scipy.special
from sklearn.metrics import roc_auc_score

from ascentlab.figures import draw, figure_data, to_json
from ascentlab.figures import methods as fig_methods
from ascentlab.figures import triangulation as fig_tri


def _json(data):
    """The figure data as the JSON file holds them (strict: NaN is null)."""
    return json.loads(json.dumps(to_json(data), allow_nan=False))


def arr(x):
    return np.array([np.nan if v is None else v for v in np.ravel(x)], float).reshape(np.shape(x))


@pytest.fixture(scope="module")
def tri(figure_data_cache):
    return _json(figure_data_cache["triangulation"])


@pytest.fixture(scope="module")
def meth(figure_data_cache):
    return _json(figure_data_cache["methods"])


# ------------------------------------------------------------------ numpy transcriptions --
def logistic(m):
    return np.logaddexp(0.0, -m)


def numpy_klom(oracle, unlearned, bins=20, clip=100.0, floor=1e-5):
    """KLoM of one point, every sample counted: D_KL(p_oracle || q_unlearned) over `bins` equal bins on the
    pooled range (np.histogram puts the maximum in the last bin), q floored at `floor` where p > 0."""
    a, b = np.clip(oracle, -clip, clip), np.clip(unlearned, -clip, clip)
    lo, hi = min(a.min(), b.min()), max(a.max(), b.max())
    if lo == hi:
        return 0.0
    p = np.histogram(a, bins=bins, range=(lo, hi))[0] / a.size
    q = np.histogram(b, bins=bins, range=(lo, hi))[0] / b.size
    low = (p > 0) & (q < floor)
    if low.any():
        q = np.where(low, floor, q)
        q = q / q.sum()
    s = p > 0
    return float(np.sum(p[s] * np.log(p[s] / q[s])))


def numpy_problem():
    """The `methods` figure's problem as numpy arrays: X, y, forget mask, lambda."""
    p = fig_methods.problem()
    return np.asarray(p.X), np.asarray(p.y), np.asarray(p.forget), float(p.lam)


def objective(X, y, c, lam):
    """f(w) = sum_i c_i log(1 + exp(-y_i x_i.w)) + lam/2 |w|^2, with its gradient and Hessian."""
    def f(w):
        return c @ logistic(y * (X @ w)) + 0.5 * lam * w @ w

    def g(w):
        m = y * (X @ w)
        return X.T @ (c * -scipy.special.expit(-m) * y) + lam * w

    def h(w):
        m = y * (X @ w)
        s = scipy.special.expit(m) * scipy.special.expit(-m)
        return (X * (c * s)[:, None]).T @ X + lam * np.eye(X.shape[1])

    return f, g, h


def scipy_minimiser(X, y, c, lam):
    f, g, h = objective(X, y, c, lam)
    res = scipy.optimize.minimize(f, np.zeros(X.shape[1]), jac=g, hess=h, method="trust-exact",
                                  options={"gtol": 1e-13})
    assert np.linalg.norm(g(res.x)) < 1e-10  # optimality, checked separately from any comparison
    return res.x


@pytest.fixture(scope="module")
def exact():
    X, y, forget, lam = numpy_problem()
    n, n_f = forget.size, int(forget.sum())
    c_d = np.full(n, 1.0 / n)
    c_r = np.where(forget, 0.0, 1.0 / (n - n_f))
    c_f = np.where(forget, 1.0 / n_f, 0.0)
    return {"X": X, "y": y, "forget": forget, "lam": lam, "c_r": c_r, "c_f": c_f,
            "w_d": scipy_minimiser(X, y, c_d, lam), "w_r": scipy_minimiser(X, y, c_r, lam)}


# --------------------------------------------------------------------------- triangulation --
def test_triangulation_references_and_shapes(tri):
    a, p = tri["arrays"], tri["params"]
    assert set(a["runs"]) == {m[0] for m in fig_tri.METHODS}
    ref = a["references"]
    assert ref["oracle"]["dist_oracle"] == 0.0 and ref["oracle"]["klom_forget"] == 0.0  # exact oracle: 0
    k = round(p["problem"]["forget_fraction"] * p["problem"]["n"])
    mo = arr(ref["margins_oracle_forget"])
    assert mo.shape == (p["n_models"], k)
    np.testing.assert_allclose(ref["oracle"]["forget_accuracy"], np.mean(mo > 0), rtol=1e-14)  # no zero margins
    for name, run in a["runs"].items():
        t = np.asarray(run["t"])
        np.testing.assert_array_equal(t, np.arange(p["steps"] + 1))  # every step recorded
        # row 0 is the original model, for every method (start="original")
        np.testing.assert_allclose(run["dist_oracle"][0], ref["original"]["dist_oracle"], rtol=1e-12)
        np.testing.assert_allclose(run["forget_accuracy"][0], ref["original"]["forget_accuracy"], rtol=1e-12)
        np.testing.assert_allclose(run["klom_forget"][0], ref["original"]["klom_forget"], rtol=1e-9)
        np.testing.assert_allclose(run["mia_auc"][0], ref["original"]["mia_auc"], rtol=1e-12)
        assert run["diverged_at"] == -1 and max(run["n_diverged"]) == 0  # nothing diverges in this setting
    # Newton's iterates reach the oracle: distance and KLoM 0 (to rounding), the oracle's accuracies
    newton = a["runs"]["newton"]
    assert newton["dist_oracle"][-1] < 1e-10 and newton["klom_forget"][-1] == 0.0
    np.testing.assert_allclose(newton["forget_accuracy"][-1], ref["oracle"]["forget_accuracy"], rtol=1e-14)


@pytest.mark.parametrize("name", ["da", "finetune", "scrub"])
def test_triangulation_final_row_from_its_margins(tri, name):
    """Forget accuracy, KLoM (numpy histograms) and MIA AUC (sklearn) of the last row, from the stored margins."""
    a = tri["arrays"]
    run, ref = a["runs"][name], a["references"]
    fin = run["final"]
    mf = arr(fin["margins_forget"])  # (N, k)
    mo = arr(ref["margins_oracle_forget"])
    acc = np.mean(np.where(mf > 0, 1.0, np.where(mf == 0, 0.5, 0.0)))
    np.testing.assert_allclose(run["forget_accuracy"][-1], acc, rtol=1e-13)  # a mean of 2,000 terms
    per_point = np.array([numpy_klom(mo[:, j], mf[:, j]) for j in range(mf.shape[1])])
    # the same histograms; only the summation order differs
    np.testing.assert_allclose(run["klom_forget"][-1], np.percentile(per_point, 95.0), rtol=1e-10, atol=1e-14)
    mh = arr(fin["margins_heldout"])  # (CHECK_DRAWS, n_test)
    for i in range(mh.shape[0]):
        scores = -logistic(np.concatenate([mf[i], mh[i]]))
        labels = np.r_[np.ones(mf.shape[1]), np.zeros(mh.shape[1])]
        # the Mann-Whitney count is exact in both: a few ulps of a value near 1/2
        np.testing.assert_allclose(fin["mia_auc_per_draw"][i], roc_auc_score(labels, scores), rtol=1e-13)
    np.testing.assert_allclose(run["mia_auc"][-1], np.mean(fin["mia_auc_per_draw"]), rtol=1e-13)


def _claims(arrays):
    """The figure's message, recomputed from the plotted arrays alone."""
    ref, da = arrays["references"], arrays["runs"]["da"]
    acc, dist, klom = (np.asarray(da[k], float) for k in ("forget_accuracy", "dist_oracle", "klom_forget"))
    d0 = ref["original"]["dist_oracle"]
    cross = int(np.argmax(acc <= ref["oracle"]["forget_accuracy"]))
    assert acc[cross] <= ref["oracle"]["forget_accuracy"] < acc[0]  # forget accuracy does fall to the oracle's
    return cross, dist[cross] / d0, dist[-1] / d0, klom[-1] / ref["original"]["klom_forget"], acc[-1]


def test_triangulation_message(tri):
    """DA's forget accuracy falls through the oracle's while its distance stays near the original model's; it
    ends far below the oracle's forget accuracy, worse than doing nothing in distance and in KLoM."""
    a = tri["arrays"]
    cross, at_cross, final, klom_ratio, acc_final = _claims(a)
    assert 1 <= cross <= 10 and at_cross > 0.9
    assert final > 2.0 and klom_ratio > 1.0 and acc_final < a["references"]["oracle"]["forget_accuracy"] - 0.2
    m = a["message"]
    assert m["t_cross"] == cross
    np.testing.assert_allclose([m["dist_ratio_at_cross"], m["dist_ratio_final"], m["klom_final_over_original"]],
                               [at_cross, final, klom_ratio], rtol=1e-14)


@pytest.mark.slow
@pytest.mark.parametrize("key", [1, 2, 3])
def test_triangulation_message_at_other_keys(key):
    """The same claims for other master keys (DA only, the fast step count)."""
    res, k, n = fig_tri.run_method("da", {}, 0.1, 50, key=key)
    rows = jax.tree.map(np.asarray, fig_tri._rows(res, k, n, "logistic"))
    refs = jax.tree.map(np.asarray, fig_tri._references(res, k, n, "logistic"))
    cross, at_cross, final, klom_ratio, acc_final = _claims({"runs": {"da": rows}, "references": refs})
    assert 1 <= cross <= 10 and at_cross > 0.9 and final > 2.0 and klom_ratio > 1.0
    assert acc_final < refs["oracle"]["forget_accuracy"] - 0.2


def test_triangulation_draws_divergence_as_a_gap(figure_data_cache):
    """A run with a diverged draw: its rows from there on are NaN (a gap in the line) and the legend says when."""
    data = figure_data_cache["triangulation"]
    runs = dict(data["arrays"]["runs"])
    da = dict(runs["da"])
    k = 7
    for key in ("forget_accuracy", "heldout_accuracy", "dist_oracle", "klom_forget", "mia_auc"):
        da[key] = np.where(np.arange(len(da[key])) >= k, np.nan, da[key])
    da["diverged_at"] = np.asarray(k)
    runs["da"] = da
    fig = draw("triangulation", {**data, "arrays": {**data["arrays"], "runs": runs}}, style="paper")
    try:
        labels = [h.get_label() for ax in fig.axes for h in ax.get_legend_handles_labels()[0]]
        assert f"DA (diverged at t = {k})" in labels
        lines = [ln for ln in fig.axes[2].get_lines() if ln.get_label().startswith("DA (diverged")]
        y = np.asarray(lines[0].get_ydata(), float)
        assert np.all(np.isnan(y[k:])) and np.all(np.isfinite(y[:k]))  # a gap, not a line to nowhere
    finally:
        plt.close(fig)


# -------------------------------------------------------------------------------- methods --
def test_methods_cost_axis_is_the_documented_cost(meth):
    """Passes over D = per-sample gradient evaluations / |D| as each method's module documents them."""
    p, a = meth["params"], meth["arrays"]
    n_r, n_f = p["problem"]["n_retain"], p["problem"]["n_forget"]
    n, d = n_r + n_f, p["problem"]["d"]
    T = p["steps"]
    documented = {
        "da": T * (n_r + n_f), "neggrad_plus": T * (n_r + n_f), "finetune": T * n_r, "rewind": T * n_r,
        "noisy_gd": T * n_r, "scrub": min(T, 3) * n_f + T * n_r,  # max-steps on F for t < 3, min-steps on R
        "newton": 5 * n_r * (1 + d),  # gradient + Hessian (d gradients) per retain sample, 5 steps
    }
    for name, cost in documented.items():
        np.testing.assert_allclose(a["runs"][name]["cost"], cost / n, rtol=1e-15)
    # decouple-retain: s ascent steps on F, T - s descent steps on R, 1 <= s < T
    dec = np.asarray(a["runs"]["decouple_retain"]["cost"]) * n
    s = (T * n_r - dec) / (n_r - n_f)
    assert np.all(s >= 1) and np.all(s < T) and np.all(np.abs(s - np.round(s)) < 1e-9)
    np.testing.assert_allclose(a["references"]["newton_one_step"]["cost"], n_r * (1 + d) / n, rtol=1e-15)
    np.testing.assert_allclose(a["references"]["retrain"]["cost"], a["references"]["retrain"]["steps"] * n_r / n,
                               rtol=1e-15)


def _numpy_descent(w, X, y, c, lam, eta, steps):
    for _ in range(steps):
        m = y * (X @ w)
        w = w - eta * (X.T @ (c * -scipy.special.expit(-m) * y) + lam * w)
    return w


@pytest.mark.parametrize("name", ["finetune", "da"])
def test_methods_final_distances_from_numpy_loops(meth, exact, name):
    """Finetuning (descent on L_R) and DA (on L_R - mean forget loss) from w^D, in numpy, at every step size."""
    e = exact
    c = e["c_r"] if name == "finetune" else e["c_r"] - e["c_f"]
    run = meth["arrays"]["runs"][name]
    want = [np.linalg.norm(_numpy_descent(e["w_d"], e["X"], e["y"], c, e["lam"], eta, meth["params"]["steps"])
                           - e["w_r"]) for eta in run["eta"]]
    # the oracle from two solvers agrees to ~1e-12; the runs differ by rounding in summation order
    np.testing.assert_allclose(run["dist_final"], want, rtol=1e-8)
    np.testing.assert_array_equal(run["worse_than_nothing"], np.array(want) > np.linalg.norm(e["w_d"] - e["w_r"]))


def test_methods_references_from_numpy(meth, exact):
    """Doing nothing, Newton's one step and retraining from scratch, each recomputed in numpy."""
    e, ref, p = exact, meth["arrays"]["references"], meth["params"]
    d0 = np.linalg.norm(e["w_d"] - e["w_r"])
    np.testing.assert_allclose(ref["do_nothing"]["dist"], d0, rtol=1e-9)  # two exact solvers, ~1e-12 apart
    _, g, h = objective(e["X"], e["y"], e["c_r"], e["lam"])
    w1 = e["w_d"] - np.linalg.solve(h(e["w_d"]), g(e["w_d"]))  # Guo et al.'s one-step removal
    np.testing.assert_allclose(ref["newton_one_step"]["dist"], np.linalg.norm(w1 - e["w_r"]), rtol=1e-8)
    # retraining: descent on L_R from 0, the first recorded step (every 10) within the tolerance of d0
    r = p["retrain"]
    w, t = np.zeros_like(e["w_d"]), 0
    while np.linalg.norm(w - e["w_r"]) > r["tolerance"] * d0:
        w = _numpy_descent(w, e["X"], e["y"], e["c_r"], e["lam"], r["eta"], r["record_every"])
        t += r["record_every"]
    assert ref["retrain"]["steps"] == t
    np.testing.assert_allclose(ref["retrain"]["dist"], np.linalg.norm(w - e["w_r"]), rtol=1e-6)


def test_methods_newton_converges_and_noise_is_worse_than_nothing(meth):
    runs = meth["arrays"]["runs"]
    assert runs["newton"]["dist_final"][-1] < 1e-10  # 5 full Newton steps: quadratic convergence to w^R
    # certified noisy descent at (1, 1e-5) publishes a model farther than doing nothing, at every multiplier
    assert all(runs["noisy_gd"]["worse_than_nothing"])
    assert fig_methods.best_eta(runs["finetune"]) == int(np.nanargmin(runs["finetune"]["dist_final"]))


def test_methods_draws_diverged_and_converged_runs(figure_data_cache):
    """A diverged run is drawn on the top edge with its step; a converged one on the bottom edge."""
    data = figure_data_cache["methods"]
    runs = dict(data["arrays"]["runs"])
    da = dict(runs["da"])
    da["dist_final"] = np.where(np.arange(4) == 3, np.nan, da["dist_final"])
    da["diverged_at"] = np.where(np.arange(4) == 3, 12, -1)
    runs["da"] = da
    fig = draw("methods", {**data, "arrays": {**data["arrays"], "runs": runs}}, style="paper")
    try:
        texts = [t.get_text() for ax in fig.axes for t in ax.texts]
        assert "η=1: diverged at t=12" in texts
        labels = [h.get_label() for ax in fig.axes for h in ax.get_legend_handles_labels()[0]]
        assert "diverged (on the top edge)" in labels
        assert any(lb.startswith("converged below") for lb in labels)  # Newton at eta = 1 reaches 1e-15
    finally:
        plt.close(fig)


def test_bad_inputs():
    with pytest.raises(ValueError, match="`name`.*nope"):
        fig_tri.run_method("nope", {}, 0.1, 5)
    with pytest.raises(ValueError, match="`fast`"):
        figure_data("methods", fast="yes")
    with pytest.raises(ValueError, match="eta"):
        fig_tri.run_method("da", {}, -0.1, 5)

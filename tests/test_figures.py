"""Every figure in fast mode: files written, images not blank, and the JSON
data checked against independent theory (numpy/scipy transcriptions).

The data come from the session cache `figure_data_cache` (tests/conftest.py:
`figure_data(name, fast=True)`, computed once and shared with the lectures'
test); `make_figure(..., data=...)` draws and writes them, and every check
reads the JSON it wrote."""

import json

import matplotlib.image as mpimg
import numpy as np
import pytest
import scipy.optimize

from ascentlab.cli import main
from ascentlab.figures import FIGURES, make_figure
from tests._reference import W0, numpy_far_fixed_point, numpy_long_run


def _strict(text):
    def bad(name):
        raise ValueError(f"non-standard JSON constant {name}")
    return json.loads(text, parse_constant=bad)


@pytest.fixture(scope="module")
def figs(tmp_path_factory, figure_data_cache):
    out = tmp_path_factory.mktemp("figs")
    data = {}
    for name in FIGURES:
        res = make_figure(name, out, fast=True, style="paper", data=figure_data_cache[name])
        with open(res["json"]) as fh:
            data[name] = _strict(fh.read())
        data[name]["_paths"] = res
    return data


@pytest.mark.parametrize("name", FIGURES)
def test_files_and_images(figs, name):
    res = figs[name]["_paths"]
    img = mpimg.imread(res["png"])
    assert img.shape[0] > 200 and img[..., :3].std() > 0.05  # a real picture, not blank
    with open(res["pdf"], "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    d = figs[name]
    assert d["figure"] == name and d["fast"] is True and d["params"] and d["caption"]


def np_(x):
    return np.array(x, dtype=float)


def test_fig4_curves_are_the_lemma_thresholds(figs):
    d = figs["fig4"]
    p = d["params"]
    eps = np_(d["arrays"]["eps"])
    n_r, r_ij, lam = p["n_retain"], p["r_ij"], p["lam"]
    for panel in d["arrays"]["panels"]:
        n_f = panel["forget_fraction"] * n_r
        n_d = n_r + n_f
        c = 1 + eps**2
        lemma9 = np.maximum(c / (2 * eps) * n_f**2 / (n_r * (n_d + n_f)), 2 * eps / c * n_f * n_d / (n_r * (n_d + n_f)))
        np.testing.assert_allclose(np_(panel["alpha_D_gt_DA"]), lemma9, rtol=1e-13)
        b, pp = r_ij / (lam * n_d), r_ij / (lam * n_r)
        z = c / (2 * eps) * (W0(pp * c) - W0(b * c))
        v = 2 * eps / c * W0(pp * c)
        derived = np.minimum(z * np.exp(z) / (b * c), (v * np.exp(v) / b - 2 * eps) / c)
        np.testing.assert_allclose(np_(panel["alpha_R_gt_D_derived"]), derived, rtol=1e-12)
        top = min(1.0, n_f / r_ij)
        assert np.all(np_(panel["alpha_R_gt_D_exact"]) >= np.minimum(derived, top) - 1e-9)  # sufficient
        # inside the guaranteed window the exact solves must find DA detrimental
        alpha = np_(panel["alpha_grid"])[:, None]
        region = np.array(panel["detrimental"], bool)
        window = (alpha >= lemma9[None] + 1e-9) & (alpha <= derived[None] - 1e-9)
        assert not np.any(window & ~region)


def test_fig5_minima_match_c12(figs):
    mins = figs["fig5"]["arrays"]["minima"]
    refs = {"original": [(2.421, -0.438, 4.388, "-+++"), (3.059, -1.242, 16.903, "-+--")],
            "retrain": [(2.332, -0.455, 4.330, "-+++"), (3.097, -1.267, 8.909, "-+--")],
            "da": [(3.122, -1.285, 0.915, "-+--")]}
    for name, ref in refs.items():
        assert len(mins[name]) == len(ref)
        for m, (a, b, loss, pat) in zip(mins[name], ref):
            np.testing.assert_allclose([*m["theta"], m["loss"]], [a, b, loss], atol=5e-4)
            assert m["pattern"] == pat
    # a landscape value against a numpy transcription of the tanh reading
    d = figs["fig5"]["arrays"]
    a, b = np_(d["a"]), np_(d["b"])
    i, j = 7, 11
    xs, ys = np.array([-1.0, 1, 3, 4]), np.array([-1.0, 1, -1, 1])
    loss = np.sum(np.array([5, 4, 1, 4]) * (np.tanh((a[j] * xs + b[i] * xs**2) / 2) - ys) ** 2) + 0.05 * (a[j] ** 2 + b[i] ** 2)
    assert abs(d["landscapes"]["original"][i][j] - loss) <= 1e-12 * loss


def test_trajectories_end_where_theory_says(figs):
    d = figs["trajectories"]["arrays"]
    blocks = d["orthogonal_blocks"]
    np.testing.assert_allclose(blocks["w_da"], W0((np.array([0.5, 0.5]) - np.array([0.4, 0.6])) / 0.5), atol=1e-12)
    for name, panel in d.items():
        da = np_(panel["paths"]["da"])
        gap = np.linalg.norm(da - np_(panel["w_da"]), axis=1)
        assert gap[-1] <= 1e-4 * gap[0] and np.all(np.diff(gap) <= 1e-15)
        np.testing.assert_allclose(panel["paths"]["finetune"][-1], panel["w_oracle"], atol=1e-10)
        # DA ends farther from the oracle than the original model: the paper's point
        assert panel["dist_oracle"]["da"][-1] > panel["reference"]
    assert blocks["diverged_at"]["ga"] > 0  # exp-loss GA is unbounded; reported, and masked (null) after
    t = blocks["diverged_at"]["ga"]
    assert blocks["dist_oracle"]["ga"][t] is None and blocks["dist_oracle"]["ga"][t - 1] is not None


def test_trajectories_figure_states_its_parameters_and_marks_divergence(figure_data_cache):
    """The drawn figure says eta, T and each panel's lambda, has an L_DA colour bar per landscape, marks
    where GA diverged (legend entry and a vertical line at that step), and draws the landscape from the
    data (the L_DA values on the grid are the objective evaluated independently in numpy)."""
    import matplotlib.pyplot as plt

    from ascentlab.figures import draw

    data = figure_data_cache["trajectories"]
    fig = draw("trajectories", data, style="paper")
    try:
        texts = [fig._suptitle.get_text()] + [ax.get_title() for ax in fig.axes]
        eta, steps = data["params"]["eta"], data["params"]["steps"]
        assert rf"$\eta={eta:g}$" in texts[0] and f"$T={steps}$" in texts[0]
        for name in ("orthogonal_blocks", "correlated_pair"):
            lam = data["params"][name]["lam"]
            assert sum(rf"$\lambda={lam:g}$" in t and name.replace("_", " ") in t for t in texts) == 2
        colorbars = [ax for ax in fig.axes if ax.get_ylabel() == r"$L_{DA}(w)$"]
        assert len(colorbars) == 2 and len(fig.axes) == 6
        k = int(data["arrays"]["orthogonal_blocks"]["diverged_at"]["ga"])
        assert k > 0
        labels = [h.get_label() for ax in fig.axes for h in ax.get_legend_handles_labels()[0]]
        assert f"GA diverged at step {k}" in labels
        vlines = [ln for ax in fig.axes for ln in ax.get_lines() if list(ln.get_xdata()) == [k, k]]
        assert vlines
    finally:
        plt.close(fig)
    # the landscape is L_DA on the grid: exp loss, mean over retain minus mean over forget, plus the ridge
    land = data["arrays"]["orthogonal_blocks"]["landscape"]
    w1, w2 = float(land["w1"][3]), float(land["w2"][5])
    a, b, lam = np.array([0.5, 0.5]), np.array([0.4, 0.6]), 0.5  # |R_j|/|R|, |F_j|/|F| of ([50, 50], [8, 12])
    w = np.array([w1, w2])
    expected = np.sum((a - b) * np.exp(-w)) + lam / 2 * w @ w
    assert abs(land["L_DA"][5][3] - expected) <= 1e-12 * max(1.0, abs(expected))


def test_phase_alpha_lambda_matches_lemma3_and_cases(figs):
    d = figs["phase"]["arrays"]["alpha_lambda"]
    alpha, lam = np_(d["alpha"]), np_(d["lam"])
    n_r, n_f, r_j = 100.0, 20.0, 50.0
    lo, hi = n_f**2 / (n_r * (n_f + n_r + n_f)), n_f / n_r
    outcome = np.array(d["outcome"])
    for i, a in enumerate(alpha):
        for j, l in enumerate(lam):
            case3 = a > n_f / n_r + l * n_f / (np.e * r_j)
            expected = 3 if case3 else (1 if lo <= a <= hi else (0 if a < lo else 2))
            assert outcome[i, j] == expected, (a, l)


def test_hoeffding_bound_and_frequencies(figs):
    d, p = figs["hoeffding"]["arrays"], figs["hoeffding"]["params"]
    eps = np_(d["eps"])
    for i, n in enumerate(p["sizes"]):
        bound = 2 * np.exp(-2 * n * eps**2)
        np.testing.assert_allclose(d["bound"][i], bound, rtol=1e-14)
        freq = np_(d["frequency"][i])
        sd = np.sqrt(np.minimum(bound, 1) * (1 - np.minimum(bound, 1)) / p["trials"])
        assert np.all(freq <= bound + 4 * sd + 1.0 / p["trials"])


def test_corollary1_matches_w0(figs):
    d = figs["corollary1"]["arrays"]
    lam = np_(d["lam"])
    np.testing.assert_allclose(d["pure_delta_RDA"], W0(1 / lam), rtol=1e-9)
    assert np.max(np.abs(np_(d["pure_delta_RD"]))) <= 1e-9
    for ratio, c in d["coordinate"].items():
        alpha = 0.2 * float(ratio)
        bound = abs(np.log((1 + alpha) * 100 / 120))  # Lemma 4
        assert np.all(np_(c["delta_RD"]) <= bound + 1e-12)


def test_app_d3_fixed_points_match_brentq(figs):
    d = figs["app_d3"]["arrays"]
    a, b, lam = 0.5, 0.75, 0.1

    def m(w, eta):
        w1 = w - eta * (-a * np.exp(-w) + lam * w)
        return w1 - eta * (b * np.exp(-w1) + lam * w1)

    for eta, fp in zip(d["eta"], d["fixed_point"]):
        ref = scipy.optimize.brentq(lambda w: m(w, eta) - w, -15.0, 0.5, xtol=1e-14)
        assert abs(fp - ref) <= 1e-8
    assert abs(d["W0_2lam"] - W0(0.25 / 0.2)) <= 1e-14 and abs(d["W0_lam"] - W0(0.25 / 0.1)) <= 1e-14
    alt_end = d["runs"]["alternating"][-1]
    assert abs(alt_end - d["W0_2lam"]) < 0.01 < abs(alt_end - d["W0_lam"])


def test_app_d3_bifurcation_against_numpy(figs):
    d, p = figs["app_d3_bifurcation"]["arrays"], figs["app_d3_bifurcation"]["params"]
    rp = p["ratio_panel"]
    a, lam, eta = rp["a"], rp["lam"], rp["eta"]
    ln_ratio = np_(d["ln_ratio"])
    exact = d["flip_threshold"]["exact"]
    assert abs(d["flip_threshold"]["leading"] - np.sqrt(2)) <= 1e-15
    for order in ("descent_first", "ascent_first"):
        o = d["orders"][order]
        stable = np.array(o["stable"], bool)
        np.testing.assert_array_equal(stable, ln_ratio < exact)  # the exact threshold splits the grid
        below = int(np.searchsorted(ln_ratio, exact)) - 1  # last stable ratio, and the first beyond
        for i in (0, below, below + 1):
            b = a * np.exp(ln_ratio[i])
            w_star, slope = numpy_far_fixed_point(a, b, lam, eta, order)
            shift = np.log(eta * a)
            assert abs(o["fixed_point_minus_ln_eta_a"][i] + shift - w_star) <= 1e-9 and (abs(slope) < 1) == stable[i]
            tail = np_(o["tail_minus_ln_eta_a"][i]) + shift
            ref = numpy_long_run(w_star + 1e-3, a, b, lam, eta, order, steps=p["steps"])[-p["kept"]:]
            if stable[i] and abs(slope) < 0.99:  # converged in both: the fixed point itself
                assert np.max(np.abs(tail - w_star)) < 1e-9 and np.max(np.abs(ref - w_star)) < 1e-9
            elif not stable[i]:  # the 2-cycle just beyond the flip: the same two points
                np.testing.assert_allclose(np.sort(np.unique(np.round(tail, 7))), np.sort(np.unique(np.round(ref, 7))),
                                           atol=1e-6)
    ep = p["eta_panel"]
    etas = np_(d["eta"])
    for i in (0, len(etas) // 2, len(etas) - 1):
        w_star, slope = numpy_far_fixed_point(ep["a"], ep["a"] * np.exp(ep["ln_ratio"]), ep["lam"], etas[i], "descent_first")
        assert bool(d["eta_stable"][i]) == (abs(slope) < 1)
        assert abs(d["eta_fixed_point_minus_ln_eta_a"][i] - (w_star - np.log(etas[i] * ep["a"]))) <= 1e-9
    assert not d["eta_stable"][0] and d["eta_stable"][-1]  # larger steps restabilise the fixed point


def test_finetune_trap_stays(figs):
    d = figs["finetune_trap"]["arrays"]
    assert d["end_pattern_from_da"] == "-+--" and d["end_pattern_from_pretrained"] == "-+++"
    np.testing.assert_allclose(d["from_da_min"][-1], [3.0969, -1.2674], atol=5e-4)


def test_cli_rejects_unknown_figure(capsys):
    with pytest.raises(SystemExit) as info:
        main(["figure", "nope"])
    assert info.value.code == 2 and "invalid choice" in capsys.readouterr().err

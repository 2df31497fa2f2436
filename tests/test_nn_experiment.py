"""The neural-network experiment (ascentlab.nn.experiment) at the tiny preset: the paper's claims at laptop
scale, determinism, the stage cache and resume, the CLI, and every score against an independent recomputation.

The tiny run (`nn_tiny`, tests/conftest.py) is computed once per session: 64 MLPs per ensemble on digits and
two synthetic sets (with and without near-duplicates), three forget sets, GA/GDA/SCRUB grids on digits.
"""

import json
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ascentlab import metrics
from ascentlab.nn import data as nn_data
from ascentlab.nn import experiment as E
from ascentlab.nn import mlp, unlearn
from ascentlab.nn.forget_sets import FORGET_SETS


@pytest.fixture(scope="module")
def tiny(nn_tiny):
    return nn_tiny["tiny"]


def _ref(res, dataset, s):
    (r,) = [r for r in res["references"] if r["dataset"] == dataset and r["set"] == s]
    return r


def _stage(folder, pattern):
    (path,) = sorted(folder.glob(pattern))
    with np.load(path) as z:
        return {k: z[k] for k in z.files}


# ----------------------------------------------------------------------------------------------- the claims


def test_independent_oracles_are_far_closer_than_pretrained_on_pc_sets(tiny):
    # Done-when: the KLoM between two independent oracle ensembles (the noise floor at N = 64) is far below the
    # pretrained-vs-oracle KLoM on the PC1-aligned forget set, on every data set. Measured ratios 0.14-0.15;
    # 0.3 leaves room for other seeds while still failing if the forget set were not influential (then the
    # pretrained forget KLoM sits at the floor, ratio ~1).
    for d in tiny["datasets"]:
        r = _ref(tiny, d, "pc1_top_large")
        assert r["oracle2"]["klom_forget"] < 0.3 * r["pretrained"]["klom_forget"], (d, r)
        # ... and it is the forget group that differs: the pretrained model's retain/validation KLoM stay
        # within a small factor of the floor (the influential points move few other margins)
        assert r["pretrained"]["klom_val"] < 0.5 * r["pretrained"]["klom_forget"]
        # the oracle misclassifies many of the influential points the pretrained model fits (Lemma 1's contrast)
        assert r["oracle"]["acc_forget"] < r["pretrained"]["acc_forget"] - 0.2


def test_ga_at_a_large_learning_rate_breaks_the_model(tiny):
    # Done-when: GA at the largest learning rate (longest run) raises validation KLoM well above the pretrained
    # model's, and validation accuracy drops; at the smallest it stays near the pretrained point (the paper's
    # "either breaks the model or does not move much").
    lrs = tiny["config"]["grids"]["ga"]["lr"]
    E_max = max(tiny["config"]["grids"]["ga"]["epochs"])
    for s in tiny["config"]["grid_sets"]:
        pre = _ref(tiny, "digits", s)["pretrained"]
        recs = {(r["lr"], r["epochs"]): r for r in tiny["records"]
                if r["dataset"] == "digits" and r["set"] == s and r["method"] == "ga"}
        big = recs[(max(lrs), E_max)]
        if s.startswith("pc1"):
            assert big["klom_val"] > 2 * pre["klom_val"], (s, big, pre)
            assert big["acc_val"] < pre["acc_val"] - 0.05
        small = recs[(min(lrs), 1)]
        assert abs(small["klom_forget"] - pre["klom_forget"]) < 0.15 * pre["klom_forget"]
        assert abs(small["acc_val"] - pre["acc_val"]) < 0.01


def test_no_ga_gda_or_scrub_run_reaches_the_oracle_on_the_pc1_set(tiny):
    # The paper's Fig. 1 finding: no run on the PC1 set gets its forget KLoM near the noise floor without
    # breaking the model.
    floor = _ref(tiny, "digits", "pc1_top_large")["oracle2"]
    for r in tiny["records"]:
        if r["set"] == "pc1_top_large" and r["klom_forget"] is not None:
            assert r["klom_forget"] > 3 * floor["klom_forget"] or r["klom_val"] > 3 * floor["klom_val"], r


def test_near_duplicates_lower_the_pretrained_forget_klom(tiny):
    # Done-when: the near-duplicate switch moves the Table 1 analogue the way the paper's message says: with a
    # near-duplicate twin of every training point, the pretrained model is closer to the oracle on the forget
    # points whose twin stays in R. Measured at tiny, seeds 0-3: 0.57-0.70 x the forget KLoM without
    # duplicates (0.8 leaves room). Over a whole random 10 % set the 95th percentile is set by the pairs
    # forgotten together (about 10 % of its points, seen twice by the pretrained model, never by the oracle),
    # so it moves either way (0.65-1.10 at seeds 0-3); the 10-point set has no such pair and moves too.
    # Not to the floor: a pair is one duplicate, and the pretrained model saw the point twice (itself and
    # its twin) where the oracle saw it once (README: "what it shows").
    rows = {(r["dataset"], r["set"]): r for r in E.table1(tiny)}
    for s in ("random_small", "random_large"):
        plain, dup = rows[("synthetic", s)], rows[("synthetic+dup", s)]
        assert plain["n_twin_kept"] is None and dup["n_twin_kept"] >= 0.8 * dup["n_forget"]
        assert dup["pretrained_forget_twin_kept"] < 0.8 * plain["pretrained_forget"], (plain, dup)
        assert dup["oracle2_forget"] < 2 * dup["oracle2_val"]  # the floor itself does not move
    small = rows[("synthetic+dup", "random_small")]
    if small["n_twin_kept"] == small["n_forget"]:
        assert small["pretrained_forget"] < 0.85 * rows[("synthetic", "random_small")]["pretrained_forget"]


def test_table1_rows_are_the_references(tiny):
    rows = E.table1(tiny)
    randoms = [s for s in tiny["config"]["forget_sets"] if s.startswith("random")]
    assert [(r["dataset"], r["set"]) for r in rows] == [(d, s) for d in tiny["datasets"] for s in randoms]
    md = E.table1_markdown(rows)
    assert md.count("\n") == 2 + len(rows)
    for r in rows:
        ref = _ref(tiny, r["dataset"], r["set"])
        assert r["pretrained_forget"] == ref["pretrained"]["klom_forget"]
        assert f"{ref['pretrained']['klom_forget']:.2f}" in md
        n = tiny["datasets"][r["dataset"]]["n_train"]
        assert math.isclose(r["forget_percent"], 100 * r["n_forget"] / n)


# ----------------------------------------------------------------------------------------------- scores, independently


def test_a_grid_record_equals_a_per_model_loop(tiny, nn_cache_dir):
    # GA at the largest learning rate, 5 epochs, on digits' PC1 set, recomputed one model at a time with the
    # public functions (unlearn.ga, mlp.margins, metrics.klom, numpy's percentile) from the cached pretrained
    # ensemble and oracle margins; keys as the module documents (fold_in(fold_in(fold_in(key(seed + 1),
    # dataset index), set index), model index)).
    cfg = tiny["config"]
    s = "pc1_top_large"
    j = FORGET_SETS.index(s)  # the dataset stage holds all nine sets, in FORGET_SETS order
    pre = _stage(nn_cache_dir, "dataset-digits-*.npz")
    orc = _stage(nn_cache_dir, f"oracle-digits-{s}-*.npz")
    ds = nn_data.digits(jax.random.split(jax.random.fold_in(jax.random.key(cfg["seed"]), 0), 3)[0])
    F = jnp.asarray(pre["set_masks"][j])
    lr, e = sorted(cfg["grids"]["ga"]["lr"])[1], 1  # a middle cell: a transposed grid would move it
    k_set = jax.random.fold_in(jax.random.fold_in(jax.random.fold_in(jax.random.key(cfg["seed"]), 0), 2),
                               FORGET_SETS.index(s))
    X_all = jnp.concatenate([ds.X_train, ds.X_val])
    y_all = jnp.concatenate([ds.y_train, ds.y_val])
    margins = []
    n_layers = len(cfg["model"]["hidden"]) + 1
    for i in range(cfg["n_models"]):
        p = [(jnp.asarray(pre[f"params_{2 * l}"][i]), jnp.asarray(pre[f"params_{2 * l + 1}"][i])) for l in range(n_layers)]
        p = unlearn.ga(jax.random.fold_in(k_set, i), p, ds.X_train, ds.y_train, F, lr=lr, epochs=e,
                       batch_size=cfg["unlearn_batch_size"], max_forget=int(pre["set_masks"].sum(1).max()))
        margins.append(np.asarray(mlp.margins(p, X_all, y_all)))
    kl = np.asarray(metrics.klom(jnp.asarray(np.stack(margins)), jnp.asarray(orc["margins"])))
    f = np.concatenate([np.asarray(F), np.zeros(ds.X_val.shape[0], bool)])
    val = np.concatenate([np.zeros(ds.X_train.shape[0], bool), np.ones(ds.X_val.shape[0], bool)])
    ga = [r for r in tiny["records"] if r["dataset"] == "digits" and r["set"] == s and r["method"] == "ga"]
    (row,) = [i for i, r in enumerate(ga) if r["lr"] == lr and r["epochs"] == e]
    rec = ga[row]
    per_point = tiny["per_point"][f"digits/{s}/ga"]  # one row per record, in record order
    assert per_point.shape == (len(ga), f.shape[0])
    # float32, vmapped over models and learning rates vs one model at a time: XLA may sum in another order, so
    # margins agree to float32 rounding, and KLoM's 20 bins are a step function of them: a point whose margin
    # sits within rounding of a bin edge may change bin. Every other point agrees to float32 rounding.
    close = np.isclose(per_point[row], kl, rtol=1e-5, atol=1e-5)
    assert close.mean() > 0.995, close.mean()
    np.testing.assert_allclose(rec["klom_forget"], np.percentile(kl[f], 95), rtol=1e-3)
    np.testing.assert_allclose(rec["klom_val"], np.percentile(kl[val], 95), rtol=1e-3)
    assert math.isclose(rec["klom_forget"], float(np.percentile(per_point[row][f], 95)), rel_tol=1e-6)


def test_relative_costs_follow_the_benchmark_formula(tiny):
    cfg = tiny["config"]
    for r in tiny["records"]:
        info = tiny["datasets"][r["dataset"]]
        k = info["forget_sizes"][r["set"]]
        total = (info["n_train"] + info["n_val"]) * cfg["train"]["epochs"]
        if r["method"] == "ga":
            expect = k * r["epochs"] / total
        else:  # gda, scrub: |F| min(A, e) + |R| e
            expect = (k * min(r["ascent_epochs"], r["epochs"]) + (info["n_train"] - k) * r["epochs"]) / total
        assert math.isclose(r["cost"], expect, rel_tol=1e-12), r


def test_reference_scores_match_metrics_klom(tiny, nn_cache_dir):
    # The pretrained-vs-oracle row is metrics.klom of the cached margins and numpy's percentile (exact: the same
    # float32 margins in both).
    pre = _stage(nn_cache_dir, "dataset-digits-*.npz")
    s = "random_large"
    orc = _stage(nn_cache_dir, f"oracle-digits-{s}-*.npz")
    kl = np.asarray(metrics.klom(jnp.asarray(pre["margins"]), jnp.asarray(orc["margins"])))
    np.testing.assert_allclose(tiny["per_point"][f"digits/{s}/pretrained"], kl, rtol=1e-6, atol=1e-6)
    F = pre["set_masks"][FORGET_SETS.index(s)]
    n = F.shape[0]
    np.testing.assert_allclose(_ref(tiny, "digits", s)["pretrained"]["klom_forget"], np.percentile(kl[:n][F], 95),
                               rtol=1e-6)
    acc = (pre["correct"][:, n:]).mean()
    assert math.isclose(tiny["datasets"]["digits"]["pretrained_acc_val"], float(acc), rel_tol=1e-12)


# ----------------------------------------------------------------------------------------------- determinism, cache


def _reduced():
    c = E.preset("tiny")
    c["datasets"] = c["datasets"][:1]
    c["grids"] = {"ga": c["grids"]["ga"]}
    return c


def test_same_seed_same_bits_without_the_cache(tiny):
    # Done-when: bitwise deterministic. A fresh computation (no cache) of the digits part reproduces every
    # per-point KLoM of the session's run bit for bit (the stages do not depend on the other data sets).
    res = E.run(_reduced(), use_cache=False, progress=False)
    assert res["cache"]["hits"] == 0
    for name, arr in res["per_point"].items():
        np.testing.assert_array_equal(arr, tiny["per_point"][name], err_msg=name)
    ga = [r for r in tiny["records"] if r["dataset"] == "digits" and r["method"] == "ga"]
    assert res["records"] == ga


def test_cache_resume_after_an_interruption(tiny, nn_cache_dir, tmp_path, monkeypatch):
    # Done-when: an interrupted run resumes where it stopped. Without the grid stages, a run stopped by Ctrl-C
    # in its third grid stage keeps the two it finished; the rerun computes only the rest and gives the same
    # bits; a third run loads everything.
    import shutil

    folder = tmp_path / "cache"
    shutil.copytree(nn_cache_dir, folder)
    for p in folder.glob("grid-*.npz"):
        p.unlink()
    real = E._grid_stage
    calls = []

    def interrupted(*args, **kw):
        calls.append(args[3])
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kw)

    monkeypatch.setattr(E, "_grid_stage", interrupted)
    with pytest.raises(KeyboardInterrupt):
        E.run("tiny", cache_dir=folder, progress=False)
    monkeypatch.setattr(E, "_grid_stage", real)
    assert len(list(folder.glob("grid-*.npz"))) == 2
    n_stages = len(tiny["config"]["grids"]) * len(tiny["config"]["grid_sets"])
    res = E.run("tiny", cache_dir=folder, progress=False)
    assert res["cache"]["misses"] == n_stages - 2
    assert res["records"] == tiny["records"]
    for name, arr in res["per_point"].items():
        np.testing.assert_array_equal(arr, tiny["per_point"][name])
    again = E.run("tiny", cache_dir=folder, progress=False)
    assert again["cache"]["misses"] == 0 and again["records"] == tiny["records"]


@pytest.mark.parametrize("damage", ["garbage", "empty", "truncated", "wrong arrays"])
def test_a_damaged_stage_file_is_recomputed(tiny, nn_cache_dir, tmp_path, damage):
    import shutil

    folder = tmp_path / "cache"
    shutil.copytree(nn_cache_dir, folder)
    (victim,) = sorted(folder.glob("grid-digits-random_large-ga-*.npz"))
    good = victim.read_bytes()
    if damage == "wrong arrays":
        import io

        buf = io.BytesIO()
        np.savez(buf, klom=np.zeros(3))
        bad = buf.getvalue()
    else:
        bad = {"garbage": b"not an npz", "empty": b"", "truncated": good[: len(good) // 2]}[damage]
    victim.write_bytes(bad)
    res = E.run("tiny", cache_dir=folder, progress=False)
    assert res["cache"]["misses"] == 1 and res["records"] == tiny["records"]


def test_changing_only_a_grid_reuses_the_ensembles(tiny, nn_cache_dir, tmp_path):
    import shutil

    folder = tmp_path / "cache"
    shutil.copytree(nn_cache_dir, folder)
    c = E.preset("tiny")
    c["grids"]["ga"]["lr"] = c["grids"]["ga"]["lr"][:1]
    res = E.run(c, cache_dir=folder, progress=False)
    assert res["cache"]["misses"] == len(c["grid_sets"])  # the GA stages only
    kept = [r for r in tiny["records"] if r["method"] == "ga" and r["lr"] == c["grids"]["ga"]["lr"][0]]
    assert [r for r in res["records"] if r["method"] == "ga"] == kept


# ----------------------------------------------------------------------------------------------- outputs, CLI


def test_write_outputs_and_figures(tiny, tmp_path):
    paths = E.write_outputs(tiny, tmp_path)
    names = {p.name for p in paths}
    for stem in ("nn_fig1_digits", "nn_fig3_digits", "nn_fig6_digits", "nn_fig7_digits"):
        assert {stem + ".png", stem + ".pdf"} <= names
        assert (tmp_path / f"{stem}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rows = json.loads((tmp_path / "nn_table1.json").read_text())
    assert rows == json.loads(json.dumps(E.table1(tiny)))
    scores = json.loads((tmp_path / "nn_scores.json").read_text())
    assert len(scores["records"]) == len(tiny["records"])
    with np.load(tmp_path / "nn_klom_per_point.npz") as z:
        np.testing.assert_array_equal(z["digits__pc1_top_large__ga"], tiny["per_point"]["digits/pc1_top_large/ga"])


def test_scatter_panel_draws_the_references_where_they_are(tiny):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ascentlab.nn import plots

    ref = _ref(tiny, "digits", "pc1_top_large")
    recs = [r for r in tiny["records"] if r["dataset"] == "digits" and r["set"] == "pc1_top_large"]
    fig, ax = plt.subplots()
    plots.scatter_panel(ax, recs, ref, y="retain", norm=plots._cost_norm(recs))
    offsets = {c.get_label(): c.get_offsets() for c in ax.collections}
    np.testing.assert_allclose(offsets["pretrained (do nothing)"][0],
                               [ref["pretrained"]["klom_forget"], ref["pretrained"]["klom_retain"]])
    np.testing.assert_allclose(offsets["oracle (perfect)"][0], [0, 0])
    assert len(offsets["GA"]) == sum(r["method"] == "ga" for r in recs)
    plt.close(fig)


def test_cli_experiment_nn_tiny_from_the_cache(tiny, nn_cache_dir, tmp_path, capsys):
    from ascentlab.cli import main

    assert main(["experiment", "nn", "--preset", "tiny", "--out", str(tmp_path), "--cache", str(nn_cache_dir)]) == 0
    out = capsys.readouterr()
    assert E.table1_markdown(E.table1(tiny)) in out.out
    assert "0 computed" in out.out and "[nn tiny" in out.err  # every stage from the cache; progress on stderr
    assert (tmp_path / "nn_fig1_digits.png").exists() and (tmp_path / "nn_table1.md").exists()


@pytest.mark.parametrize("argv, match", [
    (["--models", "1"], "n_models"),
    (["--seed", "-3"], "seed"),
    (["--preset", "medium"], None),
    (["--cache", "/tmp/x"], "--no-cache"),
])
def test_cli_bad_arguments_end_in_one_line(argv, match, tmp_path, capsys):
    from ascentlab.cli import main

    try:
        code = main(["experiment", "nn", "--out", str(tmp_path), "--no-cache", *argv])
    except SystemExit as exc:  # argparse's own errors (an unknown preset)
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and (match is None or match in err)


def test_cli_unwritable_out_fails_before_running(tmp_path, capsys, monkeypatch):
    from ascentlab.cli import main

    ran = []
    monkeypatch.setattr(E, "run", lambda *a, **k: ran.append(1))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["experiment", "nn", "--out", str(blocker), "--no-cache"]) == 2
    assert "not a folder" in capsys.readouterr().err and not ran


def test_divergence_is_reported_never_a_silent_nan(tiny, nn_cache_dir, tmp_path):
    # GA at a step size that overflows float32 within a step: the models' margins are not finite, the record
    # says "diverged" and its KLoM and accuracy fields are None (JSON null), never NaN; the per-point array is NaN.
    import shutil

    folder = tmp_path / "cache"
    shutil.copytree(nn_cache_dir, folder)
    c = E.preset("tiny")
    c["datasets"] = c["datasets"][:1]
    c["grid_sets"] = ["random_large"]
    c["grids"] = {"ga": {"lr": [1e-3, 1e30], "epochs": [1, 2]}}
    res = E.run(c, cache_dir=folder, progress=False)
    assert res["cache"]["misses"] == 1  # the grid only: the ensembles and oracles come from the session's run
    for r in res["records"]:
        big = r["lr"] == 1e30
        assert r["diverged"] is big
        for k, val in r.items():
            if k.startswith(("klom", "acc")):
                assert (val is None) if big else (val is not None and math.isfinite(val)), (k, r)
    kl = res["per_point"]["digits/random_large/ga"]
    assert np.isnan(kl[2:]).all() and np.isfinite(kl[:2]).all()
    json.dumps(res["records"], allow_nan=False)


def test_cli_without_scikit_learn_says_how_to_install(tmp_path, capsys, monkeypatch):
    from ascentlab.cli import main

    def missing():
        raise ImportError("ascentlab.nn.data.digits needs scikit-learn: pip install \"ascentlab[data]\"")

    monkeypatch.setattr(nn_data, "_load_digits", missing)
    assert main(["experiment", "nn", "--out", str(tmp_path), "--no-cache"]) == 2
    assert 'ascentlab[data]' in capsys.readouterr().err


# ----------------------------------------------------------------------------------------------- bad inputs


@pytest.mark.parametrize("edit, match", [
    (lambda c: c.update(bogus=1), r"unknown \['bogus'\]"),
    (lambda c: c.pop("grids"), r"missing \['grids'\]"),
    (lambda c: c.update(n_models=1), r"n_models"),
    (lambda c: c["grids"]["ga"].update(lr=[0.1, -1.0]), r"\['lr'\]"),
    (lambda c: c["grids"]["ga"].update(lr=[0.1, 0.1]), r"must not repeat"),
    (lambda c: c["grids"]["ga"].update(lrs=[0.1]), r"config\['grids'\]\['ga'\]"),
    (lambda c: c["grids"].update(sgd={}), r"method"),
    (lambda c: c["grids"]["ga"].update(epochs=[0]), r"epochs"),
    (lambda c: c.update(grid_sets=["pc2_top_small"]), r"grid_sets"),
    (lambda c: c.update(forget_sets=["random_tiny"]), r"random_tiny"),
    (lambda c: c.update(rewind_epoch=99), r"rewind_epoch"),
    (lambda c: c["datasets"].append(dict(c["datasets"][0])), r"distinct labels"),
    (lambda c: c["datasets"][0].update(kind="mnist"), r"datasets'\]\[0\]"),
    (lambda c: c["datasets"][1].update(seperation=2.0), r"only the keys"),
    (lambda c: c["klom"].update(q=101), r"q"),
    (lambda c: c["train"].update(lr=0.0), r"train"),
    (lambda c: c.update(dtype="float16"), r"dtype"),
    (lambda c: c.update(seed=2**32), r"seed"),
    (lambda c: c["datasets"][1].update(label="synthetic dup"), r"distinct labels"),  # same file name as +dup
    (lambda c: c["datasets"][0].update(val_fraction=0.0), r"validation set"),
    (lambda c: c["datasets"][2].update(separation=-1.0), r"datasets'\]\[2\].*separation"),
])
def test_bad_configs_are_named(edit, match):
    c = E.preset("tiny")
    edit(c)
    with pytest.raises(ValueError, match=match):
        E.run(c, use_cache=False, progress=False)


def test_data_set_errors_come_before_any_training(monkeypatch):
    # the third data set's bad value is found before the first data set's ensemble is trained
    trained = []
    monkeypatch.setattr(E, "_dataset_stage", lambda *a, **k: trained.append(1))
    c = E.preset("tiny")
    c["datasets"][2]["duplicate_fraction"] = 5.0
    with pytest.raises(ValueError, match="duplicate_fraction"):
        E.run(c, use_cache=False, progress=False)
    assert not trained


def test_repeated_hidden_widths_are_a_valid_model():
    c = E.preset("tiny")
    c["model"]["hidden"] = [16, 16]
    assert E.check_config(c)["model"]["hidden"] == [16, 16]


def test_unusable_cache_folder_is_named_before_training(tmp_path, monkeypatch):
    trained = []
    monkeypatch.setattr(E, "_dataset_stage", lambda *a, **k: trained.append(1))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ValueError, match="cache_dir"):
        E.run("tiny", cache_dir=blocker, progress=False)
    assert not trained


def test_bad_preset_and_config_type():
    with pytest.raises(ValueError, match="name"):
        E.preset("huge")
    with pytest.raises(ValueError, match="dict"):
        E.check_config([1, 2])
    # the presets themselves are valid, and check_config leaves them unchanged
    for name in E.PRESETS:
        assert E.check_config(E.preset(name)) == E.preset(name)

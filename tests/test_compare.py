"""`ascentlab compare`: every method on one problem against the exact oracle (rows checked independently)."""

import json

import jax
import numpy as np
import pytest
from scipy.special import expit

import ascentlab as al
from ascentlab._compare import compare, default_step, format_table
from ascentlab.cli import main


@pytest.fixture(scope="module")
def small():
    p = al.gaussian_problem(jax.random.key(4), 120, 5, 0.3, 0.1, 0.05, forget="correlated")
    return p, al.solve_references(p, da=False)


def test_rows_against_numpy(small):
    p, refs = small
    rows = {r["method"]: r for r in compare(p, steps=30, names=("da", "finetune", "newton"), references=refs)}
    base = np.linalg.norm(np.asarray(refs.original.w) - np.asarray(refs.oracle.w))
    assert rows["original (do nothing)"]["rel_dist"] == pytest.approx(1.0, rel=1e-14)
    assert rows["oracle (retrain)"]["dist_oracle"] == 0.0
    # the default step: 1 / the larger top eigenvalue of the retain Hessian at w^D and at 0 (numpy eigvalsh of
    # numpy Hessians)
    X, y, f, lam = np.asarray(p.X), np.asarray(p.y), np.asarray(p.forget), float(p.lam)

    def top(w):
        m = y[~f] * (X[~f] @ w)
        s = expit(m) * expit(-m)
        return np.linalg.eigvalsh((X[~f].T * s) @ X[~f] / (~f).sum() + lam * np.eye(X.shape[1]))[-1]

    eta = 1.0 / max(top(np.asarray(refs.original.w)), top(np.zeros(X.shape[1])))
    assert default_step(p, refs) == pytest.approx(eta, rel=1e-12)
    # finetune: a numpy loop of descent on L_R with that step
    w = np.asarray(refs.original.w)
    for _ in range(30):
        mm = y[~f] * (X[~f] @ w)
        w = w - eta * ((X[~f].T @ (-expit(-mm) * y[~f])) / (~f).sum() + lam * w)
    assert rows["finetune"]["dist_oracle"] == pytest.approx(np.linalg.norm(w - np.asarray(refs.oracle.w)), rel=1e-10)
    assert rows["finetune"]["passes"] == pytest.approx(30 * (~f).sum() / len(y))
    assert rows["newton"]["eta"] == 1.0 and rows["newton"]["dist_oracle"] < 1e-12
    # DA on a correlated forget set: worse than doing nothing from its first step
    assert rows["da"]["worse_than_nothing"] and rows["da"]["rel_dist"] > 1
    for r in rows.values():
        assert r["rel_dist"] == pytest.approx(r["dist_oracle"] / base, rel=1e-12)
    text = format_table(list(rows.values()))
    assert "original (do nothing)" in text and "newton" in text


def test_bad_names(small):
    p, refs = small
    with pytest.raises(ValueError, match=r"compare: `names` must contain only registered methods"):
        compare(p, names=("nope",), references=refs)


def test_cli_json_and_errors(capsys):
    assert main(["compare", "--n", "80", "--d", "3", "--steps", "5", "--methods", "da,finetune", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["method"] for r in rows] == ["original (do nothing)", "oracle (retrain)", "da", "finetune"]
    for argv, msg in ((["--lam", "-1"], "`lam` must be finite and > 0"), (["--methods", "foo"], "unknown method"),
                      (["--steps", "-2"], "--steps must be >= 0"), (["--eta", "0"], "--eta must be > 0")):
        assert main(["compare", "--n", "80", "--d", "3", *argv]) == 2
        assert msg in capsys.readouterr().err

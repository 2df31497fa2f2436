"""Problem constructors: structure, statistics, traceability, determinism, dtypes."""

import json
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import ascentlab as al


def test_orthogonal_blocks_layout():
    p = al.orthogonal_blocks([3, 2], [1, 4], 0.5)
    X, f = np.asarray(p.X), np.asarray(p.forget)
    assert X.shape == (10, 2) and f.sum() == 5
    np.testing.assert_array_equal(X[~f].sum(axis=0), [3, 2])
    np.testing.assert_array_equal(X[f].sum(axis=0), [1, 4])
    assert set(np.abs(X).sum(axis=1)) == {1.0}  # every row is a unit vector e_j
    np.testing.assert_array_equal(p.y, 1.0)
    assert p.loss == "exp" and p.X.dtype == jnp.float64


def test_correlated_pair_rows():
    p = al.correlated_pair(4, 2, 0.3, 1.0)
    X, f = np.asarray(p.X), np.asarray(p.forget)
    np.testing.assert_array_equal(X[~f], np.tile([1.0, 0.3], (4, 1)))
    np.testing.assert_array_equal(X[f], np.tile([0.3, 1.0], (2, 1)))


# the logistic loss in the slow run: the same construction, only the loss differs (tested on its own elsewhere)
@pytest.mark.parametrize("loss", ["exp", pytest.param("logistic", marks=pytest.mark.slow)])
def test_compact_and_explicit_solutions_agree(loss):
    a = al.orthogonal_blocks([30, 20, 5], [3, 8, 1], 0.4, loss=loss)
    b = al.orthogonal_blocks([30, 20, 5], [3, 8, 1], 0.4, loss=loss, compact=True)
    for kind in ("original", "oracle", "da"):
        np.testing.assert_allclose(al.solve(a, kind).w, al.solve(b, kind).w, rtol=1e-13, atol=1e-14)
    c = al.correlated_pair(30, 10, 0.4, 0.5, loss=loss)
    e = al.correlated_pair(30, 10, 0.4, 0.5, loss=loss, compact=True)
    np.testing.assert_allclose(al.solve(c, "original").w, al.solve(e, "original").w, rtol=1e-13)


def test_constructors_vmap_over_float_arguments(getkey):
    eps = jnp.array([0.1, 0.5, 0.9])
    batched = jax.vmap(lambda e: al.correlated_pair(5, 3, e, 0.2))(eps)
    assert batched.X.shape == (3, 8, 2)
    np.testing.assert_array_equal(batched.X[:, 0, 1], eps)
    lams = jnp.array([0.1, 1.0])
    assert jax.vmap(lambda l: al.orthogonal_blocks([2, 3], [1, 1], l))(lams).lam.shape == (2,)
    counts = jnp.array([[50.0, 50.0], [40.0, 60.0]])
    sols = jax.vmap(lambda r: al.solve(al.orthogonal_blocks(r, jnp.array([8.0, 12.0]), 0.5, compact=True), "oracle"))(counts)
    for i, r in enumerate([[50, 50], [40, 60]]):
        np.testing.assert_allclose(sols.w[i], al.solve(al.orthogonal_blocks(r, [8, 12], 0.5), "oracle").w, rtol=1e-13)
    key = getkey()
    g = jax.vmap(lambda rho, ff, lam: al.gaussian_problem(key, 50, 3, rho, ff, lam))(
        jnp.array([0.0, 0.5]), jnp.array([0.1, 0.2]), jnp.array([0.1, 1.0]))
    assert g.X.shape == (2, 50, 3)
    np.testing.assert_array_equal(g.forget.sum(axis=1), [5, 10])


def test_gaussian_problem_statistics(getkey):
    n, d, rho = 20_000, 4, 0.6
    p = al.gaussian_problem(getkey(), n, d, rho, 0.1, 0.1)
    C = np.corrcoef(np.asarray(p.X).T)
    off = C[~np.eye(d, dtype=bool)]
    # sample correlation sd ~ (1 - rho^2) / sqrt(n) = 4.5e-3: 5 sd
    assert np.abs(off - rho).max() <= 5 * (1 - rho**2) / np.sqrt(n)
    assert int(p.forget.sum()) == round(0.1 * n)
    assert p.X_test.shape == (n, d) and p.y_test.shape == (n,)
    assert set(np.unique(np.asarray(p.y))) == {-1.0, 1.0}


def test_correlated_forget_set_is_the_top_principal_tail(getkey):
    key = getkey()
    p = al.gaussian_problem(key, 400, 5, 0.5, 0.1, 0.1, forget="correlated")
    X = np.asarray(p.X)
    Xc = X - X.mean(axis=0)
    v = np.linalg.svd(Xc, full_matrices=False)[2][0]
    v = v if v.sum() >= 0 else -v
    s = Xc @ v
    f = np.asarray(p.forget)
    assert s[f].min() >= s[~f].max()  # exactly the 40 largest projections
    q = al.gaussian_problem(key, 400, 5, 0.5, 0.1, 0.1, forget="random")
    np.testing.assert_array_equal(q.X, p.X)  # same data, only the forget set differs
    assert 0 < np.asarray(q.forget).sum() == f.sum()


def test_same_key_same_bits_different_key_different_data(getkey):
    k = getkey()
    a, b = al.gaussian_problem(k, 60, 3, 0.2, 0.1, 0.1), al.gaussian_problem(k, 60, 3, 0.2, 0.1, 0.1)
    for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b)):
        np.testing.assert_array_equal(x, y)
    c = al.gaussian_problem(getkey(), 60, 3, 0.2, 0.1, 0.1)
    assert not np.array_equal(np.asarray(a.X), np.asarray(c.X))


def test_problem_is_a_pytree_with_static_loss():
    p = al.orthogonal_blocks([2, 2], [1, 1], 0.5, loss="logistic")
    leaves, tree = jax.tree.flatten(p)
    assert "logistic" not in [str(x) for x in leaves]
    q = jax.tree.unflatten(tree, leaves)
    assert q.loss == "logistic"


# ------------------------------------------------------------- dtypes follow the inputs
X64_OFF_SCRIPT = r"""
import json, warnings
warnings.simplefilter("error")  # a float64 request truncated to float32 warns: make it fail
import jax
jax.config.update("jax_enable_x64", False)
import numpy as np
import pytest
import ascentlab as al

def dt(p):
    return [str(a.dtype) for a in (p.X, p.y, p.lam)]

def error(fn):
    try:
        fn()
    except ValueError as e:
        return str(e)
    return "no error"

rng = np.random.default_rng(0)
X = rng.normal(size=(20, 3))
y = np.where(rng.uniform(size=20) < 0.5, 1, -1)
mask = np.arange(20) < 5
out = {}
p = al.make_problem(X, y, mask, lam=0.1)
out["make_problem_int_y"] = dt(p)
out["X_equal"] = bool(np.array_equal(np.asarray(p.X), X.astype(np.float32)))
out["y_equal"] = bool(np.array_equal(np.asarray(p.y), y.astype(np.float32)))
q = al.make_problem(X, y.astype(float), mask, lam=np.float64(0.1), weights=np.ones(20), X_test=X, y_test=y)
out["make_problem_all"] = dt(q) + [str(a.dtype) for a in (q.weights, q.X_test, q.y_test)]
raw = al.Problem(X, y.astype(float), mask, 0.1)  # a Problem of float64 numpy arrays, not validated yet
out["raw_solve"] = str(al.solve(raw, "oracle").w.dtype)
out["raw_unlearn"] = str(al.unlearn(raw, "da", eta=0.5, steps=3).w.dtype)
out["orthogonal_blocks"] = dt(al.orthogonal_blocks([5, 5], [2, 3], 0.5))
out["orthogonal_blocks_compact"] = dt(al.orthogonal_blocks(np.array([5.0, 5.0]), np.array([2, 3]), np.float64(0.5), compact=True))
out["correlated_pair"] = dt(al.correlated_pair(5, 2, np.float64(0.3), 0.5))
g = al.gaussian_problem(jax.random.key(0), 50, 3, np.float64(0.2), 0.1, 0.1, forget="correlated")
out["gaussian_problem"] = dt(g) + [str(g.X_test.dtype)]
sol = al.solve(g, "da")
out["gaussian_da"] = [str(sol.w.dtype), sol.status_name]
out["bad_weights"] = error(lambda: al.make_problem(X, y, mask, 0.1, weights=np.ones(7)))
out["bad_X"] = error(lambda: al.make_problem(np.full((20, 3), "a"), y, mask, 0.1))
out["bad_y"] = error(lambda: al.make_problem(X, np.full(20, "a"), mask, 0.1))
out["bad_y_test"] = error(lambda: al.make_problem(X, y, mask, 0.1, X_test=X, y_test=np.zeros(20)))
print(json.dumps(out))
"""


def test_float64_numpy_inputs_follow_jax_default_dtype_with_x64_off():
    # conftest switches x64 on for the suite, so x64 off runs in a fresh interpreter
    run = subprocess.run([sys.executable, "-c", X64_OFF_SCRIPT], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    f32 = ["float32"] * 3
    assert out["make_problem_int_y"] == f32 and out["X_equal"] and out["y_equal"]
    assert out["make_problem_all"] == ["float32"] * 6
    assert out["raw_solve"] == out["raw_unlearn"] == "float32"
    for name in ("orthogonal_blocks", "orthogonal_blocks_compact", "correlated_pair"):
        assert out[name] == f32, name
    assert out["gaussian_problem"] == ["float32"] * 4
    assert out["gaussian_da"] == ["float32", "minimum"]
    # a genuinely bad argument is named (no longer hidden behind a dtype complaint about y)
    assert out["bad_weights"].startswith("make_problem: `weights`"), out["bad_weights"]
    assert out["bad_X"].startswith("make_problem: `X`"), out["bad_X"]
    assert out["bad_y"].startswith("make_problem: `y`"), out["bad_y"]
    assert out["bad_y_test"].startswith("make_problem: `y_test`"), out["bad_y_test"]


def test_dtype_follows_inputs_with_x64_on(getkey):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3))
    y = np.where(rng.uniform(size=20) < 0.5, 1, -1)
    mask = np.arange(20) < 5
    p = al.make_problem(X, y, mask, 0.1)
    assert (p.X.dtype, p.y.dtype, p.lam.dtype) == (np.float64,) * 3
    q = al.make_problem(X.astype(np.float32), y, mask, 0.1, weights=np.ones(20))
    assert (q.X.dtype, q.y.dtype, q.lam.dtype, q.weights.dtype) == (np.float32,) * 4
    np.testing.assert_array_equal(q.y, y.astype(np.float32))
    f32 = jnp.float32
    assert al.orthogonal_blocks([5, 5], [2, 3], 0.5).X.dtype == np.float64
    assert al.orthogonal_blocks([5, 5], [2, 3], f32(0.5)).X.dtype == np.float32
    assert al.correlated_pair(5, 2, f32(0.3), f32(0.5)).X.dtype == np.float32
    g = al.gaussian_problem(getkey(), 30, 2, f32(0.2), f32(0.1), f32(0.1))
    assert {g.X.dtype, g.y.dtype, g.lam.dtype, g.X_test.dtype, g.y_test.dtype} == {np.dtype(np.float32)}

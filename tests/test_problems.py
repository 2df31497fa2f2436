"""Problem constructors: structure, statistics, traceability, determinism."""

import jax
import jax.numpy as jnp
import numpy as np

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


def test_compact_and_explicit_solutions_agree():
    for loss in ("exp", "logistic"):
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

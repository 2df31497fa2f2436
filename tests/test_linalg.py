"""The pure-JAX symmetric eigendecomposition (Jacobi, d <= 8) against numpy's LAPACK, and a vmapped
solve that used to deadlock on two cores (two batched LAPACK calls waiting for each other's threads)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import ascentlab as al
from ascentlab import theory as th
from ascentlab._linalg import JACOBI_MAX_DIM, sym_eigh, sym_solve

_eigh = jax.jit(sym_eigh)


@pytest.mark.parametrize("d", range(1, JACOBI_MAX_DIM + 1))
def test_jacobi_matches_lapack(d):
    # relative accuracy 1e-13: Jacobi is backward stable (a few ulps per rotation, 10 sweeps)
    rng = np.random.default_rng(d)
    for trial in range(30):
        A = rng.normal(size=(d, d))
        A = A + A.T
        if trial % 3 == 1:  # widely spread scales
            A = np.diag(10.0 ** rng.uniform(-8, 8, d)) + 1e-3 * A
        if trial % 3 == 2:  # repeated eigenvalues
            Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
            A = Q @ np.diag(np.round(rng.normal(size=d))) @ Q.T
        vals, vecs = (np.asarray(x) for x in _eigh(jnp.asarray(A)))
        scale = max(1.0, np.abs(A).max())
        np.testing.assert_allclose(np.sort(vals), np.linalg.eigvalsh(A), atol=1e-13 * scale)
        np.testing.assert_allclose(vecs @ np.diag(vals) @ vecs.T, A, atol=1e-13 * scale)
        np.testing.assert_allclose(vecs.T @ vecs, np.eye(d), atol=1e-13)


def test_sym_solve_matches_numpy():
    rng = np.random.default_rng(7)
    A = rng.normal(size=(5, 5))
    A = A @ A.T + np.eye(5)
    b = rng.normal(size=5)
    np.testing.assert_allclose(np.asarray(sym_solve(jnp.asarray(A), jnp.asarray(b))), np.linalg.solve(A, b), rtol=1e-12)


def test_repeated_vmapped_solves_finish():
    # three kinds solved side by side, batched, executed three times: with LAPACK eigh this hung at
    # random on two cores (jaxlib 0.10.2); the Jacobi path has no custom call to wait on
    lam = jnp.logspace(-6, 1, 256)
    f = jax.jit(jax.vmap(lambda l: [al.solve(th.pair_problem(100.0, 0.6, 900.0, 250.0, 0.5, l), k).w
                                    for k in ("original", "oracle", "da")]))
    first = f(lam)
    for _ in range(3):
        again = f(lam)
        for x, y in zip(first, again):
            np.testing.assert_array_equal(np.asarray(x), np.asarray(y))  # deterministic too

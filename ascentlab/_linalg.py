r"""Symmetric eigendecomposition for the solvers: pure JAX for small matrices.

`sym_eigh(H)` returns the eigenvalues and eigenvectors of a symmetric matrix.
For $d\le8$ it runs cyclic Jacobi rotations written in `jax.numpy` (10
sweeps, 3 for $d=2$: Jacobi converges quadratically, and for $d\le8$ the off-diagonal mass
is below rounding after far fewer); larger matrices use LAPACK
(`jnp.linalg.eigh`).

Why not LAPACK everywhere: on the CPU, a *batched* LAPACK call (`vmap` of
`eigh`, `cholesky`, `solve`, `lstsq`) spreads its batch over XLA's intra-op
thread pool and waits for it. When two such calls run at once -- two
independent solves in one jitted function -- each can wait for threads the
other occupies, and on a small pool (two cores) the program deadlocks
(observed with jaxlib 0.10.2: both pool threads blocked in
`jax::ParallelBatchMap` under `lapack_dsyevd_ffi`). Every vmapped solve in
ascentlab (`ascentlab verify`, the figures' grids, the theory checks) works
on $d\le5$, so a few Jacobi rotations remove the hazard and the custom call.
Vmapped solves of larger problems still use LAPACK.
"""

import jax
import jax.numpy as jnp

JACOBI_MAX_DIM = 8
_SWEEPS = 10


def _sweeps(d):
    """Jacobi sweeps for a d x d matrix: 3 for d = 2 (one rotation diagonalises it exactly; the next
    clears its rounding, the third is a no-op kept as a margin), `_SWEEPS` otherwise. The 2-D solves
    (the correlated pair, App. J) dominate the grids: measured 28% faster phase grid, bit-identical."""
    return 3 if d == 2 else _SWEEPS


def _rotate(A, V, p, q):
    r"""One Jacobi rotation zeroing $A_{pq}$ ($p<q$, traced indices): $A\leftarrow J^\top AJ$, $V\leftarrow VJ$."""
    apq = A[p, q]
    theta = (A[q, q] - A[p, p]) / (2 * jnp.where(apq == 0, 1.0, apq))
    t = jnp.where(theta >= 0, 1.0, -1.0) / (jnp.abs(theta) + jnp.hypot(1.0, theta))
    t = jnp.where(apq == 0, 0.0, t)
    c = 1 / jnp.sqrt(1 + t * t)
    s = t * c
    col_p, col_q = A[:, p], A[:, q]
    A = A.at[:, p].set(c * col_p - s * col_q).at[:, q].set(s * col_p + c * col_q)
    row_p, row_q = A[p, :], A[q, :]
    A = A.at[p, :].set(c * row_p - s * row_q).at[q, :].set(s * row_p + c * row_q)
    vp, vq = V[:, p], V[:, q]
    V = V.at[:, p].set(c * vp - s * vq).at[:, q].set(s * vp + c * vq)
    return A, V


def _jacobi_eigh(H):
    d = H.shape[-1]
    if d == 1:  # already diagonal
        return jnp.diagonal(H), jnp.ones_like(H)
    pairs = jnp.array([(p, q) for p in range(d - 1) for q in range(p + 1, d)], dtype=jnp.int32).reshape(-1, 2)

    def rotation(k, carry):  # the k-th pair of the cyclic order; a loop, not unrolled: compiles in O(1)
        return _rotate(*carry, pairs[k, 0], pairs[k, 1])

    def sweep(_, carry):
        return jax.lax.fori_loop(0, pairs.shape[0], rotation, carry)

    A, V = jax.lax.fori_loop(0, _sweeps(d), sweep, (H, jnp.eye(d, dtype=H.dtype)))
    return jnp.diagonal(A), V


def sym_eigh(H):
    """(eigenvalues, eigenvectors as columns) of a symmetric matrix; unsorted for d <= 8."""
    if H.shape[-1] <= JACOBI_MAX_DIM:
        return _jacobi_eigh(0.5 * (H + H.T))
    return jnp.linalg.eigh(H)


def sym_min_eigenvalue(H):
    """The smallest eigenvalue of a symmetric matrix."""
    return jnp.min(sym_eigh(H)[0])


def sym_solve(H, b):
    r"""$H^{-1}b$ for a symmetric nonsingular $H$, through `sym_eigh`."""
    vals, vecs = sym_eigh(H)
    return vecs @ ((vecs.T @ b) / vals)

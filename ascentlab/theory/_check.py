r"""What every theory check shares: the `Check` record, tight solves with
a-posteriori error bounds, and the rounding allowance of a closed form.

Tolerances come from the numerics (the few fixed constants -- the App. D.3 checks' fit
tolerances, the bisection width of Lemma 10's crossings, the $10^{-10}$ basin-depth band of the
Case 2/3 boundary -- say in their docstrings why they are safe):

* a solve runs to $\|\nabla L\|\le10^{-12}\min(1,\lambda)$ (gradients scale
  with $\lambda$ near a solution, so this is the same relative accuracy at
  every $\lambda$, down to $10^{-8}$ and below);
* its error is bounded a posteriori: $\|w-w^\star\|\le(\|\nabla L(w)\|+\rho)/\mu$
  with $\mu=\lambda$ for the $\lambda$-strongly convex $L_{\mathcal D}$,
  $L_{\mathcal R}$, and $\mu=\lambda_{\min}(\nabla^2L(w))/2$ at a local
  minimum of $L_{DA}$ (the quadratic model, with a factor 2 to spare); $\rho$
  bounds the rounding of the computed gradient ($16\epsilon_{\text{mach}}$
  times the sum of the magnitudes it adds up);
* a Lambert-W closed form is allowed $16\epsilon_{\text{mach}}\max(1,|W|)$
  plus its conditioning near the branch point, $\propto1/|1+W|$.

References: docs/theory.md (section "How verify judges a row").
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp

from .._linalg import sym_min_eigenvalue
from .._objectives import _hessian, _loss_and_derivatives, coefficients, margins
from .._solve import solve


def machine_eps(x):
    """Machine epsilon of `x`'s floating dtype: every rounding allowance follows the dtype of the inputs."""
    dtype = jnp.result_type(x)
    return float(jnp.finfo(dtype if jnp.issubdtype(dtype, jnp.floating) else float).eps)
INV_E = 0.36787944117144233  # 1/e, the Lambert-W branch point's magnitude


class Check(NamedTuple):
    """One instance of a theory check (a pytree: batched under vmap).

    Attributes:
        prediction: what the paper (or the corrected statement) predicts.
        measured: the same quantity from the solvers, trajectories or
            simulations -- never from the formula under test.
        holds: whether the instance agrees with the statement.
        margin: the relative slack, `(slack + tol) / scale`: >= 0 exactly
            when the instance holds, 0 where the statement is tight (a bound
            met with equality, an equality using its whole tolerance); +inf
            when the instance does not apply.
        applies: whether the instance meets the result's hypotheses (if not,
            `holds` is True vacuously and the instance is not counted).
    """

    prediction: jax.Array
    measured: jax.Array
    holds: jax.Array
    margin: jax.Array
    applies: jax.Array


def relative_slack(slack, tol=0.0, scale=1.0):
    """`(slack + tol) / scale` with `scale` floored at the smallest normal float."""
    slack = jnp.asarray(slack)
    scale = jnp.maximum(jnp.abs(jnp.asarray(scale, slack.dtype)), jnp.finfo(slack.dtype).tiny)
    return (slack + tol) / scale


def make_check(prediction, measured, slack, *, applies=True, tol=0.0, scale=1.0) -> Check:
    """A `Check` from a signed `slack` in the check's units (holds when `slack >= -tol`).

    `scale` is the size of the quantity bounded (the bound itself, or the
    tolerance of an equality), so that the stored margin is relative.
    """
    margin = relative_slack(slack, tol, scale)
    # NaN never passes; nor does an infinite tolerance (a solve that ended at no minimum has error
    # bound inf, which would otherwise make every slack look fine)
    margin = jnp.where(jnp.isnan(margin) | ~jnp.isfinite(jnp.asarray(tol)), -jnp.inf, margin)
    applies = jnp.asarray(applies) & jnp.ones(margin.shape, bool)
    holds = ~applies | (margin >= 0)
    return Check(prediction, measured, holds, jnp.where(applies, margin, jnp.inf), applies)


def tight_tol(lam):
    r"""$10^{-12}\min(1,\lambda)$: the gradient tolerance of `solve_checked` (traceable)."""
    return 1e-12 * jnp.minimum(1.0, lam)


def gradient_rounding(problem, kind: str, w):
    r"""$16\epsilon_{\text{mach}}\|\,|X|^\top|c\,\ell'(m)|+\lambda|w|\,\|$: a bound on the rounding of $\nabla L(w)$."""
    c = coefficients(problem, kind)
    _, d1, _ = _loss_and_derivatives(margins(problem, w), problem.loss)
    sizes = jnp.abs(problem.X).T @ jnp.abs(c * d1) + problem.lam * jnp.abs(w)
    return 16 * machine_eps(w) * jnp.linalg.norm(sizes)


def error_bound(problem, kind: str, sol):
    r"""A posteriori bound on $\|w-w^\star\|_2$ for a `solve` result (inf unless a minimum).

    $(\|\nabla L(w)\|+\rho)/\mu$: $\mu=\lambda$ for "original" and "oracle"
    (strong convexity makes this rigorous); for "da", half the smallest
    Hessian eigenvalue at $w$ (local). $\rho=16\epsilon_{\text{mach}}\|\,|X|^\top|c\,\ell'(m)|+\lambda|w|\,\|$
    bounds the rounding of the computed gradient.
    """
    w = sol.w
    rho = gradient_rounding(problem, kind, w)
    if kind == "da":
        mu = 0.5 * sym_min_eigenvalue(_hessian(problem, w, kind))
    else:
        mu = problem.lam
    ok = sol.is_minimum & (mu > 0)
    return jnp.where(ok, (sol.grad_norm + rho) / jnp.where(mu > 0, mu, 1.0), jnp.inf)


KINDS = ("original", "oracle", "da")


def solve_kinds(problem, kinds):
    """`solve_checked` for each kind in `kinds` (only those: a check pays for the solves it reads), in the
    order original, oracle, da; `None` in place of a kind not asked for."""
    return tuple(solve_checked(problem, k) if k in kinds else None for k in KINDS)


def solve_checked(problem, kind: str):
    r"""`solve`, polished to `tight_tol(lam)` or the gradient's rounding level; returns `(solution, error bound)`.

    Two phases: `solve` at its default tolerance finds the basin (for "da",
    from $w^{\mathcal D}$), then a second `solve` from there stops at
    $\max(10^{-12}\min(1,\lambda),\,\rho)$ -- tighter than the default where
    $\lambda$ is small, never below what rounding lets the gradient reach
    (where $L_{DA}$ subtracts two nearly equal terms, e.g. $a_j\approx b_j$).
    """
    first = solve(problem, kind)
    tol = jnp.maximum(tight_tol(problem.lam), gradient_rounding(problem, kind, first.w))
    sol = solve(problem, kind, tol=tol, init=first.w)
    return sol, error_bound(problem, kind, sol)


def w_rounding(W, z_rel=None):
    r"""Rounding allowance of a computed Lambert-W value $W=W(z)$.

    $16\epsilon_{\text{mach}}\max(1,|W|)+\delta_z|W|/|1+W|$, where $\delta_z$
    (`z_rel`) is the relative error of the argument: $dW/dz=W/(z(1+W))$. For
    $z=(a-b)/\lambda$ pass $16\epsilon_{\text{mach}}(|a|+|b|)/|a-b|$ (the
    cancellation in $a-b$).
    """
    W = jnp.asarray(W)
    e = machine_eps(W)
    z_rel = 16 * e if z_rel is None else z_rel
    return 16 * e * jnp.maximum(1.0, jnp.abs(W)) + z_rel * jnp.abs(W) / jnp.maximum(jnp.abs(1.0 + W), e)

r"""The paper's Eq. (1) objectives with closed-form gradients and Hessians.

With margins $m_i=y_i\langle w,x_i\rangle$ and per-sample loss $\ell$,

$$
\begin{aligned}
L_{\mathcal D}(w)&=\tfrac1{|\mathcal D|}\textstyle\sum_{\mathcal D}\ell(m_i)+\tfrac\lambda2\|w\|^2,\qquad
L_{\mathcal R}(w)=\tfrac1{|\mathcal R|}\sum_{\mathcal R}\ell(m_i)+\tfrac\lambda2\|w\|^2,\\
L_{DA}(w)&=\tfrac1{|\mathcal R|}\textstyle\sum_{\mathcal R}\ell(m_i)-\tfrac1{|\mathcal F|}\sum_{\mathcal F}\ell(m_i)+\tfrac\lambda2\|w\|^2,\qquad
L_{GA}(w)=-\tfrac1{|\mathcal F|}\textstyle\sum_{\mathcal F}\ell(m_i)+\tfrac\lambda2\|w\|^2 .
\end{aligned}
$$

Each is $L(w)=\sum_i c_i\,\ell(m_i)+\frac\lambda2\|w\|^2$ for per-sample
coefficients $c_i$ (weighted means when the problem has weights), so one
formula serves all four:
$\nabla L=X^\top(c\odot\ell'(m)\odot y)+\lambda w$ and
$\nabla^2L=X^\top\mathrm{diag}(c\odot\ell''(m))X+\lambda I$ (as $y_i^2=1$).

Losses: logistic $\ell(m)=\log(1+e^{-m})$ (computed as softplus, stable for
any $m$), $\ell'=-\sigma(-m)$, $\ell''=\sigma(m)\sigma(-m)$; exponential
$\ell=e^{-m}$, $\ell'=-e^{-m}$, $\ell''=e^{-m}$ (the paper's proxy, after
Soudry et al.); squared $\ell=\frac12(1-m)^2$, $\ell'=m-1$, $\ell''=1$ (with
labels $\pm1$ this is least squares on $\pm1$ targets, $\frac12(y-\langle w,x\rangle)^2$, so
$L_{\mathcal D}$, $L_{\mathcal R}$ are ridge regressions and every objective is a quadratic:
one Newton step solves it, and Newton removal is exact).

The objective names are the solution names of `solve`: "original" is
$L_{\mathcal D}$, "oracle" is $L_{\mathcal R}$, "da" is $L_{DA}$; "ga" is the
gradient-ascent objective (ascent on the forget loss, ridge descended).

References: "Ascent Fails to Forget" (arXiv 2509.26427), Eq. (1), Sec. 5.1.
"""

import jax
import jax.numpy as jnp

from . import _validate as v
from ._problems import Problem, check_problem

__all__ = ["objective", "gradient", "hessian", "mean_loss", "margins", "OBJECTIVES"]

OBJECTIVES = ("original", "oracle", "da", "ga")
SUBSETS = ("all", "retain", "forget", "test")


def _loss_and_derivatives(m, loss):
    """(l(m), l'(m), l''(m)) elementwise."""
    if loss == "logistic":
        return jax.nn.softplus(-m), -jax.nn.sigmoid(-m), jax.nn.sigmoid(m) * jax.nn.sigmoid(-m)
    if loss == "squared":
        r = 1.0 - m
        return 0.5 * r * r, -r, jnp.ones_like(m)
    e = jnp.exp(-m)
    return e, -e, e


def _sample_weights(problem: Problem):
    if problem.weights is None:
        return jnp.ones(problem.y.shape, problem.X.dtype)
    return problem.weights


def coefficients(problem: Problem, kind: str):
    r"""Per-sample coefficients $c_i$ with $L=\sum_ic_i\ell(m_i)+\frac\lambda2\|w\|^2$."""
    omega = _sample_weights(problem)
    in_f = problem.forget
    w_forget = jnp.where(in_f, omega, 0.0)
    w_retain = jnp.where(in_f, 0.0, omega)
    mean_f = w_forget / w_forget.sum()
    mean_r = w_retain / w_retain.sum()
    if kind == "original":
        return omega / omega.sum()
    if kind == "oracle":
        return mean_r
    if kind == "da":
        return mean_r - mean_f
    if kind == "ga":
        return -mean_f
    raise AssertionError(kind)  # validated by callers


def margins(problem: Problem, w) -> jax.Array:
    r"""Margins $m_i=y_i\langle w,x_i\rangle$, shape (n,) (or (..., n) for w of shape (..., d))."""
    out = w @ problem.X.T
    return out * problem.y.reshape((1,) * (out.ndim - 1) + problem.y.shape)  # explicit rank: strict promotion


def _check(where, problem, w, kind):
    problem = check_problem(where, problem)
    v.check_choice(where, "kind", kind, OBJECTIVES)
    w = jnp.asarray(w)
    d = problem.X.shape[1]
    if w.shape != (d,):
        v.fail(where, "w", f"array of shape {w.shape}", f"must have shape ({d},) to match problem.X")
    return problem, w


def _value(problem, w, kind):
    c = coefficients(problem, kind)
    ell, _, _ = _loss_and_derivatives(margins(problem, w), problem.loss)
    return c @ ell + 0.5 * problem.lam * (w @ w)


def _value_size(problem, w, kind):
    r"""$\sum_i|c_i|\ell(m_i)+\frac\lambda2\|w\|^2$: the magnitude of the terms `_value` adds up
    (its rounding is about $\epsilon_{\text{mach}}$ times this, not times $|L|$, when terms cancel)."""
    c = coefficients(problem, kind)
    ell, _, _ = _loss_and_derivatives(margins(problem, w), problem.loss)
    return jnp.abs(c) @ ell + 0.5 * problem.lam * (w @ w)


def _gradient(problem, w, kind):
    c = coefficients(problem, kind)
    _, d1, _ = _loss_and_derivatives(margins(problem, w), problem.loss)
    # r @ X, not X.T @ r: XLA's CPU kernel for the transposed product is ~5-9x slower at n = 1e5 (issue 9)
    return (c * d1 * problem.y) @ problem.X + problem.lam * w


def _hessian(problem, w, kind):
    c = coefficients(problem, kind)
    _, _, d2 = _loss_and_derivatives(margins(problem, w), problem.loss)
    X = problem.X
    return X.T @ (X * (c * d2)[:, None]) + problem.lam * jnp.eye(X.shape[1], dtype=X.dtype)


def objective(problem: Problem, w, kind: str) -> jax.Array:
    r"""Value of $L_{\mathcal D}$, $L_{\mathcal R}$, $L_{DA}$ or $L_{GA}$ at `w` (Eq. (1)).

    Args:
        problem: the unlearning problem.
        w: weights, shape (d,).
        kind: "original" ($L_{\mathcal D}$), "oracle" ($L_{\mathcal R}$),
            "da" ($L_{DA}$) or "ga" ($L_{GA}$).
    """
    return _value(*_check("objective", problem, w, kind), kind)


def gradient(problem: Problem, w, kind: str) -> jax.Array:
    r"""Closed-form gradient $X^\top(c\odot\ell'(m)\odot y)+\lambda w$, shape (d,)."""
    return _gradient(*_check("gradient", problem, w, kind), kind)


def hessian(problem: Problem, w, kind: str) -> jax.Array:
    r"""Closed-form Hessian $X^\top\mathrm{diag}(c\odot\ell''(m))X+\lambda I$, shape (d, d)."""
    return _hessian(*_check("hessian", problem, w, kind), kind)


def _mean_loss(problem, w, subset):
    if subset == "test":
        m = problem.y_test * (problem.X_test @ w)
        return jnp.mean(_loss_and_derivatives(m, problem.loss)[0])
    omega = _sample_weights(problem)
    if subset == "retain":
        omega = jnp.where(problem.forget, 0.0, omega)
    elif subset == "forget":
        omega = jnp.where(problem.forget, omega, 0.0)
    ell = _loss_and_derivatives(margins(problem, w), problem.loss)[0]
    # where() keeps an overflowing loss outside the subset from giving 0 * inf.
    return jnp.where(omega > 0, omega * ell, 0.0).sum() / omega.sum()


def mean_loss(problem: Problem, w, subset: str = "all") -> jax.Array:
    r"""Mean per-sample loss (no ridge) over "all", "retain", "forget" or "test".

    Weighted means when the problem has weights; "test" needs a problem with
    a held-out set (`gaussian_problem`).
    """
    where = "mean_loss"
    problem = check_problem(where, problem)
    v.check_choice(where, "subset", subset, SUBSETS)
    if subset == "test" and problem.X_test is None:
        v.fail(where, "subset", subset, "needs a problem with X_test/y_test")
    w = jnp.asarray(w)
    if w.shape != (problem.X.shape[1],):
        v.fail(where, "w", f"array of shape {w.shape}", f"must have shape ({problem.X.shape[1]},)")
    return _mean_loss(problem, w, subset)

r"""Certified Newton removal (Guo et al. 2020) and its iterated version: Newton's method on $L_{\mathcal R}$.

From the start ($w^{\mathcal D}$ by default) each step is a damped Newton step on the
retain objective,

$$w\leftarrow w-\eta\,H_{\mathcal R}(w)^{-1}\nabla L_{\mathcal R}(w),\qquad
L_{\mathcal R}(w)=\frac1{|\mathcal R|}\sum_{\mathcal R}\ell(m_i)+\frac\lambda2\|w\|^2,$$

$H_{\mathcal R}=\nabla^2L_{\mathcal R}\succeq\lambda I$ (solved by a Cholesky factorisation). With
$\eta=1$ the first step from $w^{\mathcal D}$ is Guo et al.'s one-step removal
$w^-=w^{\mathcal D}+H_{\mathcal R}(w^{\mathcal D})^{-1}\Delta$, $\Delta=-\nabla L_{\mathcal R}(w^{\mathcal D})$:
since $\nabla L_{\mathcal D}(w^{\mathcal D})=0$,
$\Delta=\frac{|\mathcal F|}{|\mathcal R|}\big(\frac1{|\mathcal F|}\sum_{\mathcal F}\nabla\ell_j(w^{\mathcal D})+\lambda w^{\mathcal D}\big)$,
the forget set's gradient contribution (Guo et al.'s $\Delta$ divided by $|\mathcal R|$, as their
objective is ours times $|\mathcal R|$; the step $H^{-1}\Delta$ is the same). Later steps iterate:
Newton's method on the $\lambda$-strongly convex $L_{\mathcal R}$ converges quadratically to the
oracle $w^{\mathcal R}$. For the squared loss $L_{\mathcal R}$ is a quadratic and the first step
is exact.

`certificate(problem)` returns $w^-$, its gradient residual $\|\nabla L_{\mathcal R}(w^-)\|$,
Guo et al.'s bound on it (Theorem 1, in ascentlab's normalisation), a tighter data-dependent bound
derived here, and the Gaussian objective-perturbation scale of their Theorem 3.

**The bounds.** Let $v=w^--w^{\mathcal D}=H_{\mathcal R}(w^{\mathcal D})^{-1}\Delta$. Because
$H_{\mathcal R}(w^{\mathcal D})v=\Delta=-\nabla L_{\mathcal R}(w^{\mathcal D})$,
$$\nabla L_{\mathcal R}(w^-)=\int_0^1\big[H_{\mathcal R}(w^{\mathcal D}+sv)-H_{\mathcal R}(w^{\mathcal D})\big]v\,ds
=\sum_{\mathcal R}c_i\int_0^1\big[\ell''(m_i+su_i)-\ell''(m_i)\big]ds\;(x_i\!\cdot\!v)\,x_i,$$
$c_i=1/|\mathcal R|$, $m_i$ the margins at $w^{\mathcal D}$, $u_i=y_i\,x_i\!\cdot\!v$ (an identity:
it holds at any start, stationary or not). With $|\ell''(a)-\ell''(b)|\le\gamma_i|a-b|$ on the
segment, $\gamma_i=\sup|\ell'''|$ there,

$$\|\nabla L_{\mathcal R}(w^-)\|\le\tfrac12\sum_{\mathcal R}c_i\,\gamma_i\,(x_i\!\cdot\!v)^2\,\|x_i\|
\qquad\text{(`local_residual_bound`)}.$$

Logistic: $\gamma_i=\sup|\ell'''|=\frac1{6\sqrt3}$ (at $\sigma(m)=\frac12\pm\frac1{2\sqrt3}$;
proofs/newton_residual.py). Exponential: $\ell'''=-e^{-m}$ is unbounded, so $\gamma_i$ is the sup
of $e^{-m}$ over the segment from $m_i$ to $m_i+u_i$, at an endpoint (convexity):
$\gamma_i=\max(e^{-m_i},e^{-m_i-u_i})$. Squared: $\gamma_i=0$, the bound is 0 (Newton removal is
exact).

Guo et al.'s Theorem 1 assumes $\|x_i\|\le1$, $\|\nabla\ell\|\le C$ and $\ell''$
$\gamma$-Lipschitz, for their summed objective $\sum\ell+\frac{\lambda n}2\|w\|^2$; it reads
$\|\nabla L(w^-;\mathcal D')\|\le\gamma(n-1)\|H^{-1}\Delta\|^2\le\frac{4\gamma C^2}{\lambda^2(n-1)}$
for one removal, and $\le\gamma(n-m)\|H^{-1}\Delta\|^2\le\frac{4\gamma m^2C^2}{\lambda^2(n-m)}$ for a
batch of $m$ (their batch corollary). In our normalisation (divide by $|\mathcal R|=n-m$) and for
data of norm up to $\rho=\max_{\mathcal D}\|x_i\|$ (rescale $x\to x/\rho$, $w\to\rho w$,
$\lambda\to\lambda/\rho^2$: $C=\rho\sup|\ell'|$, the residual scales by $\rho$):

$$\|\nabla L_{\mathcal R}(w^-)\|\le\gamma\rho^3\|v\|^2\le
\frac{4\gamma\rho^5(\sup|\ell'|)^2}{\lambda^2}\Big(\frac{|\mathcal F|}{|\mathcal R|}\Big)^2
\qquad\text{(`guo_residual_bound`)},$$

using $\|v\|\le\|\Delta\|/\lambda$ and $\|\Delta\|\le\frac{|\mathcal F|}{|\mathcal R|}(C+\|\lambda w^{\mathcal D}\|)
\le2C\frac{|\mathcal F|}{|\mathcal R|}$ ($\lambda w^{\mathcal D}=-\frac1n\sum_{\mathcal D}\nabla\ell_i$).
Logistic: $\gamma=\frac1{6\sqrt3}$ (Guo et al. use the valid, looser $\frac14$), $\sup|\ell'|=1$.
Exponential: no global $\gamma$ or $C$ exist, the bound is $+\infty$ (the theorem does not apply).
Squared: $\gamma=0$, so the first inequality gives 0 (its $C$ is unbounded, but the theorem's
first inequality uses only $\gamma$). The local bound is never above half of Guo's data-dependent
Corollary 1, $\gamma\rho\|X_{\mathcal R}\|_2\|v\|\|X_{\mathcal R}v\|/|\mathcal R|$, and hence than
Theorem 1 (the $\frac12$ is the integral $\int_0^1s\,ds$ that a mean-value step drops).

**The noise.** Guo et al.'s Theorem 3: train on $\sum_{\mathcal D}\ell+\frac{\lambda n}2\|w\|^2+b^\top w$,
$b\sim\mathcal N(0,\sigma^2I)$; if the removal's summed residual is at most $\epsilon'$, it is
$(\epsilon,\delta)$-certified with $\sigma=c\,\epsilon'/\epsilon$, $\delta=1.5e^{-c^2/2}$. Unit
convention here: $b$ is added to the *summed* objective, i.e. $L_{\mathcal D}(w)+b^\top w/|\mathcal D|$
in our mean normalisation (and $L_{\mathcal R}(w)+b^\top w/|\mathcal R|$ for the retrained model);
our residual is the summed one divided by $|\mathcal R|$, so
$\sigma=c\,|\mathcal R|\,\epsilon'/\epsilon$ with $\epsilon'$ a bound on $\|\nabla L_{\mathcal R}(w^-)\|$
and $c=\sqrt{2\ln(1.5/\delta)}$ (`removal_noise_scale`).

Cost per step: $|\mathcal R|(1+d)$ per-sample gradient evaluations (the gradient, and the Hessian
counted as $d$ gradients per sample); the $O(d^3)$ factorisation is not counted.

Reference: Guo, Goldstein, Hannun, van der Maaten, "Certified Data Removal from Machine Learning
Models" (ICML 2020), Sec. 3, Theorems 1 and 3; proofs/newton_residual.py; docs/theory.md#newton_residual.
"""

import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .. import _validate as v
from .._linalg import JACOBI_MAX_DIM
from .._objectives import _gradient, _hessian, coefficients, margins
from .._problems import Problem, check_problem
from ._base import Info, Method, counts

__all__ = ["newton", "newton_step", "certificate", "Certificate", "LOGISTIC_GAMMA", "loss_constants",
           "guo_residual_bound", "local_residual_bound", "removal_noise_scale"]

LOGISTIC_GAMMA = 1.0 / (6.0 * math.sqrt(3.0))
r"""$\sup_m|\ell'''(m)|$ of the logistic loss, $\frac1{6\sqrt3}$ (proofs/newton_residual.py)."""


def loss_constants(loss: str):
    r"""$(\gamma,\ \sup|\ell'|)$: the Lipschitz constant of $\ell''$ and the bound on $|\ell'|$ over all
    margins; logistic $(\frac1{6\sqrt3},1)$, exponential $(\infty,\infty)$, squared $(0,\infty)$."""
    v.check_choice("newton.loss_constants", "loss", loss, v.LOSSES)
    return {"logistic": (LOGISTIC_GAMMA, 1.0), "exp": (math.inf, math.inf), "squared": (0.0, math.inf)}[loss]


def _chol_solve(H, b):
    r"""$H^{-1}b$ for a symmetric positive definite $H$ by Cholesky, $H=LL^\top$.

    For $d\le8$ the factorisation and the two triangular solves are unrolled `jax.numpy` (a vmapped
    LAPACK call can deadlock the 2-core CPU thread pool next to another one: see `_linalg`);
    beyond, `jax.scipy.linalg.cho_factor`/`cho_solve`."""
    d = H.shape[0]
    if d > JACOBI_MAX_DIM:
        return jax.scipy.linalg.cho_solve(jax.scipy.linalg.cho_factor(H, lower=True), b)
    L = jnp.zeros_like(H)
    for j in range(d):
        ljj = jnp.sqrt(H[j, j] - L[j, :j] @ L[j, :j])
        L = L.at[j, j].set(ljj)
        if j + 1 < d:
            L = L.at[j + 1:, j].set((H[j + 1:, j] - L[j + 1:, :j] @ L[j, :j]) / ljj)
    z = jnp.zeros_like(b)
    for i in range(d):  # L z = b
        z = z.at[i].set((b[i] - L[i, :i] @ z[:i]) / L[i, i])
    x = jnp.zeros_like(b)
    for i in reversed(range(d)):  # L^T x = z
        x = x.at[i].set((z[i] - L[i + 1:, i] @ x[i + 1:]) / L[i, i])
    return x


def _check_reals(where, name, value, *, minimum=0.0, strict=False, allow_inf=False, maximum=None):
    """A real scalar or array (not bool), every entry >= `minimum` (> with `strict`, below `maximum` if
    given), finite unless `allow_inf` (never NaN), as an array. Value checks run on concrete values
    only: traced values (under jit/vmap) pass, as everywhere in `ascentlab._validate`."""
    if isinstance(value, (bool, np.bool_)):
        v.fail(where, name, value, "must be a real number, not a bool")
    arr = v.as_array(where, name, value)
    if not (jnp.issubdtype(arr.dtype, jnp.floating) or jnp.issubdtype(arr.dtype, jnp.integer)):
        v.fail(where, name, value, f"must be real, has dtype {arr.dtype}")
    if v.is_concrete(arr):
        x = np.asarray(arr, np.float64)
        ok = ~np.isnan(x) & (np.isfinite(x) | allow_inf) & ((x > minimum) if strict else (x >= minimum))
        if maximum is not None:
            ok &= x < maximum
        if not np.all(ok):
            shown = value if arr.ndim == 0 else f"array with entries {x[~ok][:3].tolist()}"
            rule = f"{'>' if strict else '>='} {minimum:g}" + ("" if maximum is None else f" and < {maximum:g}")
            v.fail(where, name, shown, f"must be {'' if allow_inf else 'finite and '}{rule}"
                   + (" (inf allowed)" if allow_inf else ""))
    return arr


def _check_w(where, problem, w, name="w"):
    """`w` of shape (d,), floating and finite (when concrete), as the problem's dtype."""
    d = problem.X.shape[1]
    w = v.check_array(where, name, w, ndim=v.as_array(where, name, w).ndim)
    if w.shape != (d,):
        v.fail(where, name, f"array of shape {w.shape}", f"must have shape ({d},) to match problem.X")
    if w.dtype != problem.X.dtype:
        v.fail(where, name, f"array of dtype {w.dtype}", f"must have problem.X's dtype {problem.X.dtype}")
    return w


def newton_step(problem, w):
    r"""The full Newton step on $L_{\mathcal R}$ at `w`: $-H_{\mathcal R}(w)^{-1}\nabla L_{\mathcal R}(w)$, shape (d,).

    From $w^{\mathcal D}$ it is Guo et al.'s removal step $v=H_{\mathcal R}^{-1}\Delta$. `w` has shape (d,)
    and the problem's dtype (validated; traced values pass)."""
    where = "methods.newton_step"
    problem = check_problem(where, problem)
    return _newton_step(problem, _check_w(where, problem, w))


def _newton_step(problem, w):
    """`newton_step` without validation (inside the compiled update and certificate)."""
    return -_chol_solve(_hessian(problem, w, "oracle"), _gradient(problem, w, "oracle"))


def _init(problem, w0, params, context):
    return ()


def _update(problem, w, state, eta, params):
    return w + eta * _newton_step(problem, w), state


def _cost(problem, params, state, t):
    n_r, _ = counts(problem)
    return t * n_r * (1 + problem.X.shape[1])


def newton() -> Method:
    r"""Damped Newton steps on $L_{\mathcal R}$, $w\leftarrow w-\eta H_{\mathcal R}(w)^{-1}\nabla L_{\mathcal R}(w)$.

    With `unlearn(problem, newton(), eta=1.0, steps=1)` from the original model this is Guo et al.'s
    one-step certified removal (`certificate` gives its residual, bounds and noise scale); more
    steps iterate Newton's method to the oracle (quadratic convergence; $\eta<1$ damps it, and
    with no line search the logistic loss may need $\eta<1$ from a start far from $w^{\mathcal R}$).
    No parameters beyond $\eta$.
    """
    return Method(_init, _update, (), "newton", False, _cost)


# --------------------------------------------------------------- bounds --
def guo_residual_bound(lam, n_r, n_f, radius, gamma, lipschitz):
    r"""Guo et al.'s Theorem 1 (batch form) in ascentlab's normalisation:
    $\frac{4\gamma\rho^5C_\ell^2}{\lambda^2}\big(\frac{|\mathcal F|}{|\mathcal R|}\big)^2$.

    Let $\lambda$ be `lam`, $|\mathcal R|$, $|\mathcal F|$ be `n_r`, `n_f`, $\rho$ be `radius`
    ($\max_{\mathcal D}\|x_i\|$), $\gamma$ be `gamma` (Lipschitz constant of $\ell''$) and $C_\ell$
    be `lipschitz` ($\sup|\ell'|$). 0 where $\gamma=0$ (the first inequality of the theorem);
    $+\infty$ where a constant is infinite. Scalars or arrays (elementwise); concrete values are
    validated ($\lambda,|\mathcal R|>0$; $|\mathcal F|,\rho\ge0$; $\gamma,C_\ell\ge0$, possibly $+\infty$).
    Proof: proofs/newton_residual.py.
    """
    where = "methods.guo_residual_bound"
    _check_reals(where, "lam", lam, strict=True)
    _check_reals(where, "n_r", n_r, strict=True)
    _check_reals(where, "n_f", n_f)
    _check_reals(where, "radius", radius)
    _check_reals(where, "gamma", gamma, allow_inf=True)
    _check_reals(where, "lipschitz", lipschitz, allow_inf=True)
    return _guo_residual_bound(lam, n_r, n_f, radius, gamma, lipschitz)


def _guo_residual_bound(lam, n_r, n_f, radius, gamma, lipschitz):
    ratio = n_f / n_r
    gamma = jnp.asarray(gamma, jnp.result_type(lam))
    lipschitz = jnp.asarray(lipschitz, jnp.result_type(lam))
    value = 4.0 * gamma * radius**5 * jnp.where(gamma == 0, 0.0, lipschitz) ** 2 * ratio**2 / lam**2
    return jnp.where(gamma == 0, 0.0, value)


def local_residual_bound(c, gamma_i, xv, xnorm):
    r"""The data-dependent bound $\frac12\sum_ic_i\gamma_i(x_i\cdot v)^2\|x_i\|$ on $\|\nabla L_{\mathcal R}(w^-)\|$.

    `c` the retain coefficients $c_i$ (0 off $\mathcal R$), `gamma_i` the sup of $|\ell'''|$ on each
    sample's segment, `xv` $=x_i\cdot v$, `xnorm` $=\|x_i\|$ (all shape (n,); concrete values are
    validated: `c`, `gamma_i`, `xnorm` $\ge0$, `gamma_i` possibly $+\infty$). Proof:
    proofs/newton_residual.py.
    """
    where = "methods.local_residual_bound"
    arrays = (_check_reals(where, "c", c), _check_reals(where, "gamma_i", gamma_i, allow_inf=True),
              v.check_array(where, "xv", xv, ndim=1), _check_reals(where, "xnorm", xnorm))
    for name, arr in zip(("c", "gamma_i", "xv", "xnorm"), arrays):
        if arr.shape != arrays[2].shape:
            v.fail(where, name, f"array of shape {arr.shape}", f"must have xv's shape {arrays[2].shape} (n,)")
    return _local_residual_bound(c, gamma_i, xv, xnorm)


def _local_residual_bound(c, gamma_i, xv, xnorm):
    return 0.5 * jnp.sum(c * gamma_i * xv**2 * xnorm)


def segment_gamma(loss: str, m0, m1):
    r"""$\gamma_i=\sup|\ell'''|$ on the segment of margins $[m_0,m_1]$: logistic $\frac1{6\sqrt3}$, squared 0,
    exponential $\max(e^{-m_0},e^{-m_1})$ (the sup of the convex $e^{-m}$ is at an endpoint)."""
    if loss == "exp":
        return jnp.exp(-jnp.minimum(m0, m1))
    return jnp.full(m0.shape, LOGISTIC_GAMMA if loss == "logistic" else 0.0, m0.dtype)


def removal_noise_scale(residual_bound, n_r, epsilon, delta):
    r"""Guo et al.'s Theorem 3 noise: $\sigma=c\,|\mathcal R|\,\epsilon'/\epsilon$, $c=\sqrt{2\ln(1.5/\delta)}$.

    $\epsilon'$ (`residual_bound`) bounds $\|\nabla L_{\mathcal R}(w^-)\|$ in ascentlab's mean
    normalisation; $b\sim\mathcal N(0,\sigma^2I)$ is added to the summed objective,
    $|\mathcal D|L_{\mathcal D}(w)+b^\top w$ (see the module docstring). Then $\delta=1.5e^{-c^2/2}$.
    Scalars or arrays (elementwise); concrete values are validated: $\epsilon'\ge0$ (possibly
    $+\infty$), $|\mathcal R|>0$, $\epsilon>0$, $0<\delta<1$.
    """
    where = "methods.removal_noise_scale"
    _check_reals(where, "residual_bound", residual_bound, allow_inf=True)
    _check_reals(where, "n_r", n_r, strict=True)
    _check_reals(where, "epsilon", epsilon, strict=True)
    _check_reals(where, "delta", delta, strict=True, maximum=1.0)
    return _removal_noise_scale(residual_bound, n_r, epsilon, delta)


def _removal_noise_scale(residual_bound, n_r, epsilon, delta):
    c = jnp.sqrt(2.0 * jnp.log(1.5 / delta))
    return c * n_r * residual_bound / epsilon


class Certificate(NamedTuple):
    r"""Guo et al.'s one-step removal and its certificate (a pytree).

    Attributes:
        w: $w^-=w^{\mathcal D}+H_{\mathcal R}(w^{\mathcal D})^{-1}\Delta$, shape (d,).
        residual: $\|\nabla L_{\mathcal R}(w^-)\|$, the gradient residual.
        bound: Guo et al.'s Theorem 1 bound (in our normalisation; $+\infty$ for the exponential loss).
        local_bound: the data-dependent bound $\frac12\sum_{\mathcal R}c_i\gamma_i(x_i\cdot v)^2\|x_i\|$.
        sigma: the standard deviation of the objective perturbation $b$ (Theorem 3, from `bound`;
            summed-objective units, see `removal_noise_scale`); $+\infty$ where `bound` is.
        sigma_local: the same from `local_bound` (data-dependent, as Guo et al. use in practice).
    """

    w: jax.Array
    residual: jax.Array
    bound: jax.Array
    local_bound: jax.Array
    sigma: jax.Array
    sigma_local: jax.Array


@jax.jit
def _certificate(problem, w0, epsilon, delta):
    step = _newton_step(problem, w0)
    w = w0 + step
    residual = jnp.linalg.norm(_gradient(problem, w, "oracle"))
    c = coefficients(problem, "oracle")
    m0 = margins(problem, w0)
    xv = problem.X @ step
    xnorm = jnp.linalg.norm(problem.X, axis=1)
    local = _local_residual_bound(c, segment_gamma(problem.loss, m0, m0 + problem.y * xv), xv, xnorm)
    n_r, n_f = counts(problem)
    gamma, lipschitz = loss_constants(problem.loss)
    bound = _guo_residual_bound(problem.lam, n_r, n_f, jnp.max(xnorm), gamma, lipschitz)
    sigma = _removal_noise_scale(bound, n_r, epsilon, delta)
    return Certificate(w, residual, bound, local, sigma, _removal_noise_scale(local, n_r, epsilon, delta))


def certificate(problem: Problem, *, references=None, w=None, epsilon=1.0, delta=1e-4) -> Certificate:
    r"""Guo et al.'s one-step Newton removal from $w^{\mathcal D}$, its gradient residual, bounds and noise scale.

    Args:
        problem: the unlearning problem.
        references: `solve_references(problem)` (its `original.w` is the start), optional.
        w: the start instead of $w^{\mathcal D}$, shape (d,) (the local bound holds at any start;
            Guo et al.'s bound assumes $\nabla L_{\mathcal D}(w)=0$). Default: `references`, else
            `solve(problem, "original")`.
        epsilon: the certificate's $\epsilon>0$.
        delta: its $\delta\in(0,1)$; $c=\sqrt{2\ln(1.5/\delta)}$.

    Returns:
        `Certificate(w, residual, bound, local_bound, sigma, sigma_local)`; see the module docstring.

    References: Guo et al. (ICML 2020), Theorems 1 and 3; proofs/newton_residual.py.
    """
    where = "certificate"
    problem = check_problem(where, problem)
    d = problem.X.shape[1]
    dtype = problem.X.dtype
    v.check_positive_scalar(where, "epsilon", epsilon)
    v.check_positive_scalar(where, "delta", delta)
    if v.is_concrete(delta) and not float(delta) < 1:
        v.fail(where, "delta", delta, "must satisfy 0 < delta < 1")
    if w is not None:
        w = v.check_array(where, "w", w, ndim=1)
        if w.shape != (d,):
            v.fail(where, "w", f"array of shape {w.shape}", f"must have shape ({d},) to match problem.X")
        w0 = jnp.asarray(w, dtype)
    elif references is not None:
        from .._solve import check_references

        w0, _ = check_references(where, references, d, dtype)
    else:
        from .._solve import solve

        w0 = solve(problem, "original").w
    return _certificate(problem, w0, jnp.asarray(epsilon, dtype), jnp.asarray(delta, dtype))


INFO = Info(
    "newton", newton,
    "damped Newton steps on $L_R$ from $w^D$: step 1 at η = 1 is one-step (influence) removal, "
    "then Newton's method to the oracle",
    "Guo et al., [Certified Data Removal from Machine Learning Models](https://arxiv.org/abs/1911.03030) (ICML 2020)",
    "(ε, δ)-certified with Gaussian objective perturbation (`methods.certificate`); exact for a quadratic loss",
    "methods", 30, "damping",
)

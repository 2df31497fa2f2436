r"""Noisy (perturbed) projected gradient descent on $L_{\mathcal R}$: Descent-to-Delete.

Neel, Roth and Sharifi-Malvajerdi's perturbed gradient descent for an
$m$-strongly convex, $M$-smooth objective whose per-sample losses are
$L$-Lipschitz on a bounded convex set $\Theta$. The method keeps a *secret*
iterate $\theta_t$ and *publishes* a noisy copy of it:

$$\theta_{t+1}=\Pi_\Theta\big(\theta_t-\eta_*\,\nabla L_{\mathcal R}(\theta_t)\big),\qquad
\hat w_{t+1}=\theta_{t+1}+\mathcal N(0,\sigma_{t+1}^2I),\qquad \eta_*=\frac2{m+M},$$

started from $\theta_0=w^{\mathcal D}$. With $\eta_*$ the step map is a
contraction with factor $\gamma=\frac{M-m}{M+m}$ (its Jacobian $I-\eta_*H$ has
eigenvalues in $[-\gamma,\gamma]$ when $mI\preceq H\preceq MI$, and the projection
onto a convex set containing the minimiser is non-expansive), so
$\|\theta_t-w^{\mathcal R}\|\le\gamma^t\|w^{\mathcal D}-w^{\mathcal R}\|$.

**The noise scale (a derivation for ascentlab's setting, not the paper's printed
formula).** Descent-to-Delete's Theorem 3.1 is stated for an arbitrarily long
sequence of *single-point* updates, each run for $I$ iterations from the
previous secret iterate, after an initial training run of
$T\ge I+\log(Dmn/2L)/\log(1/\gamma)$ iterations; its noise is
$\sigma=\frac{4\sqrt2\,L\gamma^I}{mn(1-\gamma^I)\,(\sqrt{\log(1/\delta)+\epsilon}-\sqrt{\log(1/\delta)})}$
(`theorem31_sigma`). ascentlab's setting differs: *one* deletion of the whole
batch $\mathcal F$, starting from the *exact* minimiser $w^{\mathcal D}$ of
$L_{\mathcal D}$ (the $T\to\infty$ limit of the initial training the theorem
assumes: no initial error), compared with the exact retrained model
$w^{\mathcal R}$. The same two ingredients give the noise here:

1. *sensitivity*: $\sum_{\mathcal D}\nabla f_i(w^{\mathcal D})=0$ gives
   $\nabla L_{\mathcal R}(w^{\mathcal D})=-\frac{|\mathcal F|}{|\mathcal R|}\,\mathrm{mean}_{\mathcal F}\nabla f_i(w^{\mathcal D})$,
   so $\lambda$-strong convexity bounds
   $\|w^{\mathcal D}-w^{\mathcal R}\|\le\Delta_0=\frac{|\mathcal F|\,L}{\lambda|\mathcal R|}$
   (`minimiser_shift`; weighted counts with `problem.weights`), and after $t$
   steps $\|\theta_t-w^{\mathcal R}\|\le\Delta_t=\gamma^t\Delta_0$;
2. *the Gaussian mechanism*: two Gaussians $\mathcal N(\mu_i,\sigma^2I)$ with
   $\|\mu_1-\mu_2\|\le\Delta$ are $(\epsilon,\delta)$-indistinguishable when
   $\sigma\ge\frac{\Delta}{\sqrt2\,(\sqrt{\log(1/\delta)+\epsilon}-\sqrt{\log(1/\delta)})}$
   (the privacy loss is $\mathcal N(\frac{a^2}2,a^2)$, $a=\Delta/\sigma$, and
   $\Pr[g>x]\le e^{-x^2/2}$); this is the lemma behind the theorem's $\sigma$.

So publishing $\theta_t+\mathcal N(0,\sigma_t^2I)$ with
$\sigma_t=\frac{\gamma^t\Delta_0}{\sqrt2\,(\sqrt{\log(1/\delta)+\epsilon}-\sqrt{\log(1/\delta)})}$
(`noise_scale`) is $(\epsilon,\delta)$-indistinguishable from publishing
$w^{\mathcal R}+\mathcal N(0,\sigma_t^2I)$. The trajectory row $t\ge1$ is the
model one would publish if one stopped after $t$ steps (fresh noise each row,
drawn with `jax.random.fold_in(key, t)`); row 0 is the start $w^{\mathcal D}$
itself (unperturbed: `unlearn` records its start as given). The noise shrinks
like $\gamma^t$, so the published model approaches $w^{\mathcal R}$ in
distribution. The guarantee needs the start to be $w^{\mathcal D}$
(`start="original"`, the default) and $\Theta$ to contain $w^{\mathcal R}$ (the
default radius does).

**Constants** (`constants`), for $f_i(w)=\ell(y_ix_i^\top w)+\frac\lambda2\|w\|^2$
on the ball $\Theta=\{\|w\|\le B\}$ (proofs/noisy_constants.py):
$m=\lambda$; $M=\lambda+\lambda_{\max}\big(\sum_{\mathcal R}c_i\,s_ix_ix_i^\top\big)$
with $c_i$ the retain means and $s_i=\sup_\Theta\ell''$ ($\frac14$ for the
logistic loss, $e^{B\|x_i\|}$ for the exponential one, 1 for the squared one); $L=\max_i|\ell'(-B\|x_i\|)|\,\|x_i\|+\lambda B$
(attained at $w=-By_ix_i/\|x_i\|$; $|\ell'(-r)|=\sigma(r)\le1$ logistic, $e^{r}$
exponential, $1+r$ squared); default $B=\sqrt{2\ell(0)/\lambda}$, which contains every
minimiser of $L_{\mathcal R}$ and $L_{\mathcal D}$
($\frac\lambda2\|w^\star\|^2\le L(w^\star)\le L(0)=\ell(0)$); the method's default radius is the smaller
of $B$ and $\|w^{\mathcal D}\|+\|\nabla L_{\mathcal R}(w^{\mathcal D})\|/\lambda$ (`method_radius`: it also
holds both minimisers, and keeps the exponential loss's $e^{B\|x\|}$ from overflowing). The constants are
computed from the problem's data (the theorem asks them for every possible
sample; here, for the samples at hand).

**Step size.** `eta` given to `unlearn` is a *multiplier* of the theorem's
step: the step taken is $\eta\cdot\eta_*$, $\eta_*=\frac2{m+M}$; `eta=1` is the
theorem's step. Another multiplier contracts by
$\gamma(\eta)=\max(|1-\eta\eta_*m|,|1-\eta\eta_*M|)$ (`contraction_factor`),
which the noise then uses ($\gamma(\eta)\ge1$, i.e. $\eta\ge(m+M)/M$, gives
no decay). For an absolute step $h$ pass `eta = h / theorem_step(problem)`.

Cost: $|\mathcal R|$ per-sample gradients per step.

References: Neel, Roth, Sharifi-Malvajerdi, "Descent-to-Delete: Gradient-Based
Methods for Machine Unlearning" (ALT 2021, arXiv 2007.02923), Sec. 3,
Algorithms 1-2, Theorem 3.1; Balle, Wang, "Improving the Gaussian Mechanism for
Differential Privacy" (ICML 2018) for the Gaussian mechanism's exact privacy
profile (`ascentlab.theory.gaussian_privacy_delta`); docs/theory.md#noisy_constants.
"""

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .. import _validate as v
from .._linalg import sym_eigh
from .._objectives import coefficients
from .._problems import check_problem
from ._base import Info, Method, combined_gradient, counts

__all__ = [
    "noisy_gd",
    "Constants",
    "constants",
    "loss_at_zero",
    "default_radius",
    "data_radius",
    "method_radius",
    "smoothness_bound",
    "lipschitz_bound",
    "contraction_factor",
    "minimiser_shift",
    "gaussian_factor",
    "noise_scale",
    "theorem_step",
    "theorem31_sigma",
    "project",
]


# --------------------------------------------------------------- constants --
def loss_at_zero(loss):
    r"""$\ell(0)$: $\log2$ (logistic), $1$ (exponential), $\frac12$ (squared, $\frac12(1-m)^2$)."""
    v.check_choice("noisy_gd.loss_at_zero", "loss", loss, v.LOSSES)
    return {"logistic": float(np.log(2.0)), "exp": 1.0, "squared": 0.5}[loss]


def default_radius(lam, loss="logistic"):
    r"""$B_0=\sqrt{2\ell(0)/\lambda}$: every minimiser of $L_{\mathcal D}$, $L_{\mathcal R}$ has $\|w^\star\|\le B_0$.

    $\ell\ge0$ gives $\frac\lambda2\|w^\star\|^2\le L(w^\star)\le L(0)=\ell(0)$. Traceable in `lam`.
    """
    if v.is_concrete(lam):  # scalars or arrays of lambdas (the proofs' contract evaluates it on arrays)
        arr = np.asarray(lam, dtype=float)
        if not np.all(np.isfinite(arr) & (arr > 0)):
            v.fail("noisy_gd.default_radius", "lam", lam, "must be finite and > 0")
    return jnp.sqrt(2.0 * loss_at_zero(loss) / lam)


def data_radius(problem, w_original):
    r"""$B_{\text{data}}=\|w^{\mathcal D}\|+\|\nabla L_{\mathcal R}(w^{\mathcal D})\|/\lambda$: a ball around 0 that holds
    $w^{\mathcal D}$ and $w^{\mathcal R}$ ($\lambda$-strong convexity: $\|w^{\mathcal D}-w^{\mathcal R}\|\le
    \|\nabla L_{\mathcal R}(w^{\mathcal D})\|/\lambda$). Usually far smaller than $B_0$ for the exponential loss,
    whose constants grow like $e^{B\|x\|}$. Traceable."""
    g = combined_gradient(problem, w_original, coefficients(problem, "oracle"), problem.lam)
    return jnp.linalg.norm(w_original) + jnp.linalg.norm(g) / problem.lam


def method_radius(problem, w_original):
    r"""The radius `noisy_gd` uses by default: $\min(B_0, B_{\text{data}})$ (both hold $w^{\mathcal D}$ and
    $w^{\mathcal R}$, so the smaller gives the smaller constants and noise). Traceable."""
    return jnp.minimum(default_radius(problem.lam, problem.loss), data_radius(problem, w_original))


def _row_norms(problem):
    return jnp.linalg.norm(problem.X, axis=1)


def smoothness_bound(problem, radius):
    r"""$M=\lambda+\lambda_{\max}\big(\sum_{\mathcal R}c_is_ix_ix_i^\top\big)\ge\sup_{\|w\|\le B}\lambda_{\max}\nabla^2L_{\mathcal R}(w)$.

    $c_i$ the retain means ("oracle" coefficients), $s_i=\sup_{\|w\|\le B}\ell''(y_ix_i^\top w)$:
    $\frac14$ (logistic, at margin 0), $e^{B\|x_i\|}$ (exponential, at margin $-B\|x_i\|$), 1 (squared).
    Let $B$ be `radius`. Traceable.
    """
    c = coefficients(problem, "oracle")
    if problem.loss in ("logistic", "squared"):
        s = jnp.full(c.shape, 0.25 if problem.loss == "logistic" else 1.0, c.dtype)
    else:
        s = jnp.exp(radius * _row_norms(problem))
    X = problem.X
    A = X.T @ (X * (c * s)[:, None])
    return problem.lam + jnp.max(sym_eigh(A)[0])


def lipschitz_bound(problem, radius):
    r"""$L=\max_i\sup_{\|w\|\le B}\|\nabla f_i(w)\|=\max_i|\ell'(-B\|x_i\|)|\,\|x_i\|+\lambda B$, over all samples.

    $f_i(w)=\ell(y_ix_i^\top w)+\frac\lambda2\|w\|^2$; $\|\nabla f_i\|\le|\ell'(m_i)|\|x_i\|+\lambda\|w\|$,
    $|\ell'|$ decreasing in the margin $m_i\ge-B\|x_i\|$; equality at $w=-By_ix_i/\|x_i\|$ (both terms
    aligned), so the bound is attained. $|\ell'(-r)|=\sigma(r)$ (logistic), $e^r$ (exponential), $1+r$ (squared).
    Let $B$ be `radius`. Traceable.
    """
    r = radius * _row_norms(problem)
    slope = {"logistic": jax.nn.sigmoid, "exp": jnp.exp, "squared": lambda u: 1.0 + u}[problem.loss](r)
    return jnp.max(slope * _row_norms(problem)) + problem.lam * radius


def contraction_factor(m, M, multiplier=1.0):
    r"""$\gamma=\max(|1-hm|,|1-hM|)$, $h=$ `multiplier` $\cdot\frac2{m+M}$: the Lipschitz constant of one step
    $w\mapsto w-h\nabla L(w)$ for $mI\preceq\nabla^2L\preceq MI$. At `multiplier` 1, $\gamma=\frac{M-m}{M+m}$."""
    h = multiplier * 2.0 / (m + M)
    return jnp.maximum(jnp.abs(1.0 - h * m), jnp.abs(1.0 - h * M))


def minimiser_shift(lipschitz, lam, n_r, n_f):
    r"""$\Delta_0=\frac{|\mathcal F|\,L}{\lambda|\mathcal R|}\ge\|w^{\mathcal D}-w^{\mathcal R}\|$ (for $w^{\mathcal D}\in\Theta$).

    $\sum_{\mathcal D}\nabla f_i(w^{\mathcal D})=0$ gives $\|\nabla L_{\mathcal R}(w^{\mathcal D})\|=
    \frac{|\mathcal F|}{|\mathcal R|}\|\mathrm{mean}_{\mathcal F}\nabla f_i\|\le\frac{|\mathcal F|L}{|\mathcal R|}$,
    and $\lambda$-strong convexity of $L_{\mathcal R}$ turns a gradient into a distance."""
    return n_f * lipschitz / (lam * n_r)


def gaussian_factor(epsilon, delta):
    r"""$\frac1{\sqrt2(\sqrt{\log(1/\delta)+\epsilon}-\sqrt{\log(1/\delta)})}=\frac{\sqrt{\log(1/\delta)+\epsilon}+\sqrt{\log(1/\delta)}}{\sqrt2\,\epsilon}$:
    $\sigma/\Delta$ of the Gaussian mechanism (computed in the second form: no cancellation)."""
    s = jnp.sqrt(jnp.log(1.0 / delta))
    return (jnp.sqrt(s * s + epsilon) + s) / (jnp.sqrt(2.0) * epsilon)


def noise_scale(shift, gamma, t, epsilon, delta):
    r"""$\sigma_t=\frac{\gamma^t\Delta_0}{\sqrt2(\sqrt{\log(1/\delta)+\epsilon}-\sqrt{\log(1/\delta)})}$: the noise
    published after $t$ steps (derived here; see the module docstring). $\Delta_0$ is `shift`."""
    return gamma**t * shift * gaussian_factor(epsilon, delta)


def theorem31_sigma(lipschitz, m, M, n, iters, epsilon, delta):
    r"""Descent-to-Delete's Theorem 3.1 noise, as printed, for reference (not what `noisy_gd` uses):
    $\sigma=\frac{4\sqrt2L\gamma^I}{mn(1-\gamma^I)(\sqrt{\log(1/\delta)+\epsilon}-\sqrt{\log(1/\delta)})}$,
    $\gamma=\frac{M-m}{M+m}$, for a sequence of single-point updates of $I$ = `iters` iterations each."""
    g = (M - m) / (M + m)
    # 1 / (sqrt(log(1/delta) + eps) - sqrt(log(1/delta))) = sqrt(2) * gaussian_factor
    return 4.0 * jnp.sqrt(2.0) * lipschitz * g**iters / (m * n * (1.0 - g**iters)) * jnp.sqrt(2.0) \
        * gaussian_factor(epsilon, delta)


class Constants(NamedTuple):
    """The constants of `constants(problem, radius)` (all traced scalars)."""

    m: Any  # strong convexity, lambda
    M: Any  # smoothness of L_R on the ball
    L: Any  # per-sample Lipschitz constant on the ball
    radius: Any  # B
    gamma: Any  # (M - m) / (M + m)
    step: Any  # 2 / (m + M)
    shift: Any  # |F| L / (lambda |R|)


def constants(problem, radius=None, w_original=None) -> Constants:
    r"""$m,M,L,B,\gamma,\eta_*,\Delta_0$ of `problem`'s retain objective on the ball of radius `radius`.

    Default radius: $B_0=\sqrt{2\ell(0)/\lambda}$, or, with `w_original` ($w^{\mathcal D}$, e.g.
    `solve_references(problem).original.w`), `method_radius` -- the radius `noisy_gd` uses by default, so
    `constants(problem, w_original=w_D)` are the method's constants. Traceable (vmap over problems works).
    """
    where = "noisy_gd.constants"
    problem = check_problem(where, problem)
    lam = problem.lam
    if radius is not None:
        v.check_positive_scalar(where, "radius", radius)
        B = jnp.asarray(radius, problem.X.dtype)
    elif w_original is not None:
        w_original = v.check_array(where, "w_original", w_original, ndim=1)
        if w_original.shape != problem.X.shape[1:]:
            v.fail(where, "w_original", f"array of shape {w_original.shape}", f"must have shape ({problem.X.shape[1]},)")
        B = method_radius(problem, w_original)
    else:
        B = default_radius(lam, problem.loss)
    M = smoothness_bound(problem, B)
    L = lipschitz_bound(problem, B)
    n_r, n_f = counts(problem)
    return Constants(lam, M, L, B, contraction_factor(lam, M), 2.0 / (lam + M), minimiser_shift(L, lam, n_r, n_f))


def theorem_step(problem, radius=None, w_original=None):
    r"""$\eta_*=\frac2{m+M}$, the step `noisy_gd` takes at `eta=1` (on the ball of `constants`)."""
    return constants(problem, radius, w_original).step


def project(w, radius):
    r"""$\Pi_\Theta(w)=w\min(1,B/\|w\|)$, the projection onto the ball $\|w\|\le B$ ($B$ = `radius` > 0)."""
    v.check_positive_scalar("noisy_gd.project", "radius", radius)
    norm = jnp.linalg.norm(w)
    return w * jnp.where(norm > radius, radius / jnp.where(norm > 0, norm, 1.0), 1.0)


# ------------------------------------------------------------------ method --
class _State(NamedTuple):
    secret: jax.Array  # the unperturbed iterate theta_t
    key: Any
    t: jax.Array  # steps taken (int32)
    step: jax.Array  # eta_* (the theorem's step)
    radius: jax.Array
    sigma0: jax.Array  # gamma(eta)^0 * Delta_0 * gaussian factor


def _init(problem, w0, params, context):
    epsilon, delta, radius = params
    dtype = w0.dtype
    lam = problem.lam
    B = jnp.where(radius > 0, jnp.asarray(radius, dtype), method_radius(problem, context.original))
    c = constants(problem, B)
    sigma0 = noise_scale(c.shift, 1.0, 0, jnp.asarray(epsilon, dtype), jnp.asarray(delta, dtype))
    return _State(project(w0, B), context.key, jnp.asarray(0, jnp.int32), jnp.asarray(c.step, dtype),
                  jnp.asarray(B, dtype), jnp.asarray(sigma0, dtype))


def _update(problem, w, state, eta, params):
    del w  # the published iterate: the next step starts from the secret one
    lam = problem.lam
    h = eta * state.step
    secret = project(state.secret - h * combined_gradient(problem, state.secret, coefficients(problem, "oracle"), lam),
                     state.radius)
    t = state.t + 1
    # gamma(eta) from m = lam and M = 2 / step - lam (the smoothness bound the step was made from)
    gamma = contraction_factor(lam, 2.0 / state.step - lam, eta)
    sigma = gamma ** t.astype(secret.dtype) * state.sigma0
    noise = jax.random.normal(jax.random.fold_in(state.key, t), secret.shape, secret.dtype)
    return secret + sigma * noise, state._replace(secret=secret, t=t)


def _cost(problem, params, state, t):
    n_r, _ = counts(problem)
    return t * n_r


def noisy_gd(epsilon=1.0, delta=1e-5, radius=None) -> Method:
    r"""Descent-to-Delete's noisy projected descent on $L_{\mathcal R}$ from $w^{\mathcal D}$, $(\epsilon,\delta)$-calibrated.

    `unlearn(problem, noisy_gd(...), eta=1.0, steps=T, key=key)`: `eta` multiplies the theorem's step
    $\eta_*=2/(m+M)$ (1 is the theorem's step); `key` is required. Row $t\ge1$ of the trajectory is the
    model published after $t$ steps, $\theta_t+\mathcal N(0,\sigma_t^2I)$ (see the module docstring).

    Args:
        epsilon: $\epsilon>0$ (traceable).
        delta: $\delta\in(0,1)$ (traceable).
        radius: $B>0$ of $\Theta=\{\|w\|\le B\}$ (traceable), or None for `method_radius`:
            $\min\big(\sqrt{2\ell(0)/\lambda},\ \|w^{\mathcal D}\|+\|\nabla L_{\mathcal R}(w^{\mathcal D})\|/\lambda\big)$,
            which contains $w^{\mathcal D}$ and $w^{\mathcal R}$ (a radius that does not voids the
            guarantee). The data term keeps the exponential loss's constants ($e^{B\|x\|}$) finite
            in practice; with $B_0$ alone they overflow below $\lambda\approx10$.
    """
    where = "methods.noisy_gd"
    v.check_positive_scalar(where, "epsilon", epsilon)
    v.check_positive_scalar(where, "delta", delta)
    if v.is_concrete(delta) and not float(delta) < 1:
        v.fail(where, "delta", delta, "must satisfy 0 < delta < 1")
    if radius is None:
        radius = 0.0  # init reads 0 as "the default radius"
    else:
        v.check_positive_scalar(where, "radius", radius)
    return Method(_init, _update, (epsilon, delta, radius), "noisy_gd", True, _cost)


INFO = Info(
    "noisy_gd", noisy_gd,
    "projected descent on $L_R$ from $w^D$ (step $2/(m+M)$), publishing the iterate plus Gaussian noise "
    "$\\sigma_t\\propto\\gamma^t$",
    "Neel, Roth, Sharifi-Malvajerdi, [Descent-to-Delete](https://arxiv.org/abs/2007.02923) (ALT 2021)",
    "(ε, δ)-indistinguishable from $w^R$ + the same noise (strongly convex, smooth, Lipschitz on a ball)",
    "methods", 40, "multiplier",
)

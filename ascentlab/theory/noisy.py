r"""Noisy descent's constants and noise scale [D]: Descent-to-Delete on ascentlab's retain objective.

For $L_{\mathcal R}(w)=\frac1{|\mathcal R|}\sum_{\mathcal R}\ell(y_ix_i^\top w)+\frac\lambda2\|w\|^2$ on the ball
$\Theta=\{\|w\|\le B\}$ (`ascentlab.methods.noisy_gd`): the default radius
$B_0=\sqrt{2\ell(0)/\lambda}$ contains $w^{\mathcal D}$ and $w^{\mathcal R}$; the
Hessian's eigenvalues lie in $[m,M]$, $m=\lambda$,
$M=\lambda+\lambda_{\max}(\sum_{\mathcal R}c_is_ix_ix_i^\top)$; per-sample gradients
have norm at most $L=\max_i|\ell'(-B\|x_i\|)|\|x_i\|+\lambda B$; projected descent
with step $\frac2{m+M}$ contracts towards $w^{\mathcal R}$ by $\gamma=\frac{M-m}{M+m}$;
$\|w^{\mathcal D}-w^{\mathcal R}\|\le\Delta_0=\frac{|\mathcal F|L}{\lambda|\mathcal R|}$;
and the noise $\sigma_t=\gamma^t\Delta_0/(\sqrt2(\sqrt{\log(1/\delta)+\epsilon}-\sqrt{\log(1/\delta)}))$
makes two Gaussians whose means are $\gamma^t\Delta_0$ apart
$(\epsilon,\delta)$-indistinguishable (measured with the Gaussian mechanism's
exact privacy profile, Balle & Wang 2018, Thm. 8).

References: Neel, Roth, Sharifi-Malvajerdi, "Descent-to-Delete" (ALT 2021),
Theorem 3.1; proofs/noisy_constants.py; docs/theory.md#noisy_constants.
"""

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import log_ndtr, ndtr

from .._objectives import _gradient, _hessian, _loss_and_derivatives
from .._problems import gaussian_problem
from .._linalg import sym_eigh
from .._validate import as_array, fail, is_concrete
from ..methods._base import counts
from ..methods.noisy_gd import (
    contraction_factor,
    default_radius,
    lipschitz_bound,
    minimiser_shift,
    noise_scale,
    project,
    smoothness_bound,
)
from ._check import gradient_rounding, machine_eps, make_check, solve_checked
from ._registry import Result, part
from ._sampling import int_uniform, log_uniform, strata, uniform

__all__ = [
    "NOISY_STEPS",
    "gaussian_privacy_delta",
    "check_noisy_constants",
    "noisy_instances",
    "noisy_instances_exp",
]

NOISY_STEPS = 30  # noise-free projected descent steps whose contraction is measured


def gaussian_privacy_delta(a, epsilon):
    r"""The exact $\delta(\epsilon)$ of two Gaussians $\mathcal N(0,\sigma^2)$, $\mathcal N(\Delta,\sigma^2)$, $a=\Delta/\sigma$:
    $\Phi(\frac a2-\frac\epsilon a)-e^\epsilon\Phi(-\frac a2-\frac\epsilon a)$ (Balle & Wang 2018, Thm. 8;
    the $\sup$ over events of $P-e^\epsilon Q$, the same in any dimension). Returns (delta, rounding bound).

    Scalars or arrays (elementwise); concrete values are validated: $a>0$ and $\epsilon\ge0$, finite."""
    where = "theory.gaussian_privacy_delta"
    for name, value, strict in (("a", a, True), ("epsilon", epsilon, False)):
        if isinstance(value, (bool, np.bool_)):
            fail(where, name, value, "must be a real number, not a bool")
        arr = as_array(where, name, value)
        if not (jnp.issubdtype(arr.dtype, jnp.floating) or jnp.issubdtype(arr.dtype, jnp.integer)):
            fail(where, name, value, f"must be real, has dtype {arr.dtype}")
        if is_concrete(arr):
            x = np.asarray(arr, np.float64)
            ok = np.isfinite(x) & ((x > 0) if strict else (x >= 0))
            if not np.all(ok):
                fail(where, name, value if arr.ndim == 0 else f"array with entries {x[~ok][:3].tolist()}",
                     "must be finite and " + ("> 0 (a = sensitivity / sigma)" if strict else ">= 0"))
    return _gaussian_privacy_delta(a, epsilon)


def _gaussian_privacy_delta(a, epsilon):
    """`gaussian_privacy_delta` without validation (in `check_noisy_constants`, where a can be 0 or
    infinite on instances the row excludes)."""
    first = ndtr(a / 2 - epsilon / a)
    second = jnp.exp(epsilon + log_ndtr(-a / 2 - epsilon / a))
    return first - second, 16 * machine_eps(a) * (first + second)


def _rel(slack, tol, scale):
    return (slack + tol) / jnp.maximum(jnp.abs(scale), jnp.finfo(jnp.result_type(slack)).tiny)


def check_noisy_constants(seed, rho, lam, forget_fraction, radius_scale, epsilon, delta, t, *, n, d, loss):
    r"""The noisy-descent constants [D] against what a `gaussian_problem` measures.

    On `gaussian_problem(key(seed), n, d, rho, forget_fraction, lam, loss=loss)`, with
    $B=$ `radius_scale` $\cdot B_0$ ($B_0$ = `default_radius`, `radius_scale` $\ge1$):

    * radius: $\|w^{\mathcal D}\|,\|w^{\mathcal R}\|\le B_0$ (tight solves, plus their error bounds);
    * Hessian of $L_{\mathcal R}$ at $w=0$, at $-By_kx_k/\|x_k\|$ for the longest retain sample, and at four
      random points of $\Theta$: eigenvalues in $[\lambda, M]$ (`smoothness_bound`; tolerance
      $16d\,\epsilon_{\text{mach}}M(1+B\max\|x_i\|)$: the eigensolver's backward error, and $\ell''$'s relative
      rounding $\approx|m_i|\epsilon_{\text{mach}}$ at margins $|m_i|\le B\|x_i\|$);
    * per-sample gradients $\nabla f_i$ at those points and at each sample's extremal point
      $-By_ix_i/\|x_i\|$: norms $\le L$ (`lipschitz_bound`, attained: tight; tolerance
      $16\epsilon_{\text{mach}}L(1+B\max\|x_i\|)$, as above for $\ell'$);
    * noise-free projected descent with step $\frac2{\lambda+M}$ from $w^{\mathcal D}$, `NOISY_STEPS` steps:
      $\|w_{t+1}-w^{\mathcal R}\|\le\gamma\|w_t-w^{\mathcal R}\|$ (`contraction_factor`) up to the solve's error
      $e$ ($(1+\gamma)e$) and the step's rounding;
      and $\|w_t-w^{\mathcal R}\|\le\gamma^t\Delta_0+e$ for every step (`minimiser_shift`, $t=0$ included);
    * the shift's first step: $\|w^{\mathcal D}-w^{\mathcal R}\|\le\frac{|\mathcal F|\,\|\mathrm{mean}_{\mathcal F}\nabla f_i(w^{\mathcal D})\|}{\lambda|\mathcal R|}$
      (`minimiser_shift` of the measured gradient; close to equality for large $\lambda$);
    * noise: with $\sigma_t$ = `noise_scale`$(\Delta_0,\gamma,t,\epsilon,\delta)$, the exact $\delta$ of the
      Gaussian mechanism at $a=\gamma^t\Delta_0/\sigma_t$ is at most $\delta$ (`gaussian_privacy_delta`).

    Applies where the constants are below $10^{100}$ (the exponential loss's $e^{B\|x\|}$ can overflow, and
    the eigensolver squares the Hessian's entries) and both solves are certified minima. Margin: the smallest relative slack of all the above.
    """
    key = jax.random.key(seed)
    prob = gaussian_problem(key, n, d, rho, forget_fraction, lam, loss=loss)
    dtype = prob.X.dtype
    eps_m = machine_eps(lam)
    B0 = default_radius(lam, loss)
    B = radius_scale * B0
    M = smoothness_bound(prob, B)
    L = lipschitz_bound(prob, B)
    gamma = contraction_factor(lam, M)
    n_r, n_f = counts(prob)
    shift = minimiser_shift(lipschitz_bound(prob, B0), lam, n_r, n_f)
    sigma = noise_scale(shift, gamma, t, epsilon, delta)

    (sol_d, err_d), (sol_r, err_r) = solve_checked(prob, "original"), solve_checked(prob, "oracle")
    w_d, w_r = sol_d.w, sol_r.w
    err = err_d + err_r
    margins = [_rel(B0 - jnp.maximum(jnp.linalg.norm(w_d) + err_d, jnp.linalg.norm(w_r) + err_r), 0.0, B0)]

    # points of the ball: 0, the extremal point of the longest retain sample, four random points
    norms = jnp.linalg.norm(prob.X, axis=1)
    k = jnp.argmax(jnp.where(prob.forget, -1.0, norms))
    kp = jax.random.split(jax.random.fold_in(key, 7), 2)
    dirs = jax.random.normal(kp[0], (4, d), dtype)
    dirs = dirs / jnp.linalg.norm(dirs, axis=1, keepdims=True)
    radii = B * jax.random.uniform(kp[1], (4,), dtype) ** (1.0 / d)
    points = jnp.concatenate([jnp.zeros((1, d), dtype), (-B * prob.y[k] / norms[k]) * prob.X[k][None],
                              dirs * radii[:, None]])
    eigs = jax.vmap(lambda w: sym_eigh(_hessian(prob, w, "oracle"))[0])(points)
    # ell', ell'' at a margin m_i carry a relative rounding error ~ |m_i| eps (exp: e^{-m}), |m_i| <= B ||x_i||
    amplify = 1.0 + B * jnp.max(jnp.linalg.norm(prob.X, axis=1))
    tol_eig = 16 * d * eps_m * M * amplify
    margins += [_rel(jnp.min(eigs) - lam, tol_eig, lam), _rel(M - jnp.max(eigs), tol_eig, M)]

    def grad_norms(w):  # ||grad f_i(w)|| for every sample
        _, d1, _ = _loss_and_derivatives(prob.y * (prob.X @ w), loss)
        return jnp.linalg.norm((d1 * prob.y)[:, None] * prob.X + lam * w[None], axis=1)

    extremal = (-B * prob.y / norms)[:, None] * prob.X
    _, d1e, _ = _loss_and_derivatives(prob.y * jnp.sum(prob.X * extremal, axis=1), loss)
    g_ext = jnp.linalg.norm((d1e * prob.y)[:, None] * prob.X + lam * extremal, axis=1)
    g_max = jnp.maximum(jnp.max(g_ext), jnp.max(jax.vmap(grad_norms)(points)))
    margins.append(_rel(L - g_max, 16 * eps_m * L * amplify, L))

    # noise-free projected descent from w^D, step 2 / (m + M)
    h = 2.0 / (lam + M)

    def step(w, _):
        w_next = project(w - h * _gradient(prob, w, "oracle"), B)
        rounding = 16 * eps_m * jnp.linalg.norm(w) + h * gradient_rounding(prob, "oracle", w)
        return w_next, (jnp.linalg.norm(w - w_r), jnp.linalg.norm(w_next - w_r), rounding)

    _, (dist, dist_next, rounding) = jax.lax.scan(step, project(w_d, B), None, length=NOISY_STEPS)
    ratio = jnp.max(jnp.where(dist > 1e3 * (err + rounding), dist_next / dist, 0.0))
    margins.append(jnp.min(_rel(gamma * dist - dist_next, (1 + gamma) * err + rounding, dist)))
    # the shift's derivation, step by step: |F| ||mean_F grad f_i(w^D)|| / (lam |R|) (near-tight where the
    # Hessian is close to lam I, i.e. large lam), then that mean's norm <= L
    c_f = jnp.where(prob.forget, 1.0, 0.0) / n_f
    g_f = jnp.linalg.norm(c_f @ ((_loss_and_derivatives(prob.y * (prob.X @ w_d), loss)[1] * prob.y)[:, None] * prob.X)
                          + lam * w_d)
    shift_measured = minimiser_shift(g_f, lam, n_r, n_f)
    margins.append(_rel(shift_measured - jnp.linalg.norm(w_d - w_r), err + 16 * eps_m * shift_measured, shift_measured))
    steps = jnp.arange(NOISY_STEPS, dtype=dtype)
    bound_t = gamma**steps * shift
    margins.append(jnp.min(_rel(bound_t - dist, err, bound_t)))

    # the Gaussian mechanism at the derived sensitivity gamma^t * shift
    a = gamma**t * shift / sigma
    delta_exact, delta_round = _gaussian_privacy_delta(a, epsilon)
    margins.append(_rel(delta - delta_exact, delta_round, delta))

    # the constants must be finite, and the Hessian's entries small enough for the eigensolver (it squares
    # them: entries of 1e188 from e^{B||x||} at the exponential loss's extremal point overflow)
    applies = ((M < 1e100) & (L < 1e100) & jnp.isfinite(err) & jnp.isfinite(sigma) & (sigma > 0)
               & (jnp.asarray(radius_scale) >= 1.0))
    margin = jnp.min(jnp.stack([jnp.asarray(x, dtype) for x in margins]))
    prediction = jnp.stack([B0, M, L, gamma, shift, sigma])
    measured = jnp.stack([jnp.maximum(jnp.linalg.norm(w_d), jnp.linalg.norm(w_r)), jnp.max(eigs), g_max, ratio,
                          dist[0], delta_exact])
    return make_check(prediction, measured, jnp.where(applies, margin, 1.0), applies=applies)


# --------------------------------------------------------------- instances --

def _instances(key, count, dtype, lam_lo):
    """seed; rho uniform on [0, 0.9]; lam log-uniform on [lam_lo, 10]; forget fraction on [0.1, 0.5];
    radius scale 1 (a third) or log-uniform on [1, 4]; epsilon log-uniform on [0.01, 10]; delta on
    [1e-12, 0.1]; t in 0..30."""
    k = jax.random.split(key, 8)
    s = strata(count, 3)
    return {
        "seed": jax.random.randint(k[0], (count,), 0, 2**31 - 1),
        "rho": uniform(k[1], count, 0.0, 0.9, dtype),
        "lam": log_uniform(k[2], count, lam_lo, 10.0, dtype),
        "forget_fraction": uniform(k[3], count, 0.1, 0.5, dtype),
        "radius_scale": jnp.where(s == 0, 1.0, log_uniform(k[4], count, 1.0, 4.0, dtype)),
        "epsilon": log_uniform(k[5], count, 0.01, 10.0, dtype),
        "delta": log_uniform(k[6], count, 1e-12, 0.1, dtype),
        "t": int_uniform(k[7], count, 0, NOISY_STEPS, dtype),
    }


def noisy_instances(key, count, dtype):
    """Instances for the logistic and squared losses: lambda from 1e-4 to 10 (see `_instances`)."""
    return _instances(key, count, dtype, 1e-4)


def noisy_instances_exp(key, count, dtype):
    """Instances for the exponential loss: lambda from 1e-2 to 10 (below, $e^{B_0\\|x\\|}$ with
    $B_0=\\sqrt{2/\\lambda}$ overflows and the constants are vacuous)."""
    return _instances(key, count, dtype, 1e-2)


# ------------------------------------------------------------------ results --

RESULTS = (
    Result(
        id="noisy_constants",
        order=19,
        stream=19,
        statement=("noisy descent (Descent-to-Delete) on L_R: radius, Hessian in [m, M], per-sample Lipschitz L, "
                   "contraction gamma, shift |F|L/(lam|R|), and (eps, delta) noise scale"),
        tag="[D]",
        verdict="holds",
        parts=(  # n = 16, d = 12: |R| from 8 to 14, so d > |R| (gamma attained) in about half the instances
            part(check_noisy_constants, noisy_instances, 1 / 10, n=16, d=12, loss="logistic"),
            part(check_noisy_constants, noisy_instances_exp, 1 / 10, n=16, d=12, loss="exp"),
        ),
        summary=("noisy descent's constants on $L_R$ (radius, $[m,M]$, $L$, $\\gamma$, minimiser shift) and its "
                 "$(\\epsilon,\\delta)$ noise scale"),
        measures="`check_noisy_constants` (Hessian spectra, per-sample gradients, descent, exact Gaussian δ)",
    ),
)

r"""NegGrad+ at $\beta=\frac12$ is descent-ascent with the objective halved [D].

NegGrad+ descends $L_\beta=\beta L_{\mathcal R}-(1-\beta)\frac1{|\mathcal F|}\sum_{\mathcal F}\ell$
(`ascentlab.methods.neggrad_plus`). With the ridge inside $L_{\mathcal R}$,
$L_{1/2}=\frac12\big(\frac1{|\mathcal R|}\sum_{\mathcal R}\ell-\frac1{|\mathcal F|}\sum_{\mathcal F}\ell
+\frac\lambda2\|w\|^2\big)=\frac12L_{DA}$, so a NegGrad+ step of size $\eta$ is a DA step of size
$\eta/2$: the same iterates. More generally $L_\beta=\beta\,L^{(\kappa)}_{DA}$ with the forget loss
weighted by $\kappa=(1-\beta)/\beta$, so NegGrad+ is DA with a down-weighted forget term and a
smaller step -- it inherits DA's failure wherever that weighted DA does (proofs/neggrad_half.py).

Checked on random Gaussian problems (both losses, random and correlated forget sets): the
gradient identity at random points, and every increment of a NegGrad+ run from $w^{\mathcal D}$
against DA's half-step at the same iterate, each within the rounding of the two computations.

References: Kurmanji et al., "Towards Unbounded Machine Unlearning" (NeurIPS 2023), NegGrad+;
"Ascent Fails to Forget" (arXiv 2509.26427), Eq. (1); docs/theory.md#neggrad_half.
"""

import jax
import jax.numpy as jnp

from .._objectives import _gradient
from .._problems import gaussian_problem
from .._solve import solve
from .._unlearn import unlearn
from ..methods.neggrad_plus import neggrad_plus, neggrad_plus_gradient
from ._check import gradient_rounding, machine_eps, make_check
from ._registry import Result, part
from ._sampling import log_uniform, strata, uniform

__all__ = ["neggrad_half_gradient", "check_neggrad_half_gradient", "check_neggrad_half_steps",
           "neggrad_half_instances"]


def neggrad_half_gradient(problem, w):
    r"""The prediction: $\nabla L_{1/2}(w)=\frac12\nabla L_{DA}(w)$ (from ascentlab's DA gradient)."""
    return 0.5 * _gradient(problem, w, "da")


def _problem(seed, rho, frac, lam, n, d, loss, forget):
    return gaussian_problem(jax.random.key(seed), n, d, rho, frac, lam, forget=forget, loss=loss)


def check_neggrad_half_gradient(seed, rho, frac, lam, w_scale, *, n, d, loss, forget):
    r"""$\nabla L_{1/2}(w)$ (NegGrad+'s own gradient code) against $\frac12\nabla L_{DA}(w)$ at a random
    $w$ of norm about `w_scale`$\sqrt d$; tolerance twice the rounding bound of a computed DA gradient
    ($16\epsilon_{\text{mach}}\|\,|X|^\top|c\,\ell'|+\lambda|w|\,\|$, `gradient_rounding`)."""
    p = _problem(seed, rho, frac, lam, n, d, loss, forget)
    w = w_scale * jax.random.normal(jax.random.fold_in(jax.random.key(seed), 1), (d,), p.X.dtype)
    predicted = neggrad_half_gradient(p, w)
    measured = neggrad_plus_gradient(p, w, jnp.asarray(0.5, w.dtype))
    tol = 2 * gradient_rounding(p, "da", w)
    err = jnp.linalg.norm(measured - predicted)
    return make_check(jnp.linalg.norm(predicted), jnp.linalg.norm(measured), tol - err, scale=tol)


STEPS = 8


def check_neggrad_half_steps(seed, rho, frac, lam, eta, *, n, d, loss, forget):
    r"""A NegGrad+ ($\beta=\frac12$, step $\eta$) run of `STEPS` steps from $w^{\mathcal D}$ through
    `unlearn`: each increment $w_{t+1}-w_t$ against DA's half-step $-\frac\eta2\nabla L_{DA}(w_t)$ at the
    same iterate (valid rows only; a diverged run is checked up to its last finite iterate). Tolerance
    per step: $\eta$ times the gradient rounding bound, plus $4\epsilon_{\text{mach}}(\|w_t\|+\|w_{t+1}\|)$
    for the subtraction; the worst step is reported."""
    p = _problem(seed, rho, frac, lam, n, d, loss, forget)
    w_d = solve(p, "original").w
    refs = _Refs(w_d)
    tr = unlearn(p, neggrad_plus(jnp.asarray(0.5, w_d.dtype)), eta=eta, steps=STEPS, references=refs)
    ws = tr.w
    ok = tr.valid[1:]  # the increment into row t+1 exists when row t+1 is valid
    w_prev = jnp.where(ok[:, None], ws[:-1], w_d)
    w_next = jnp.where(ok[:, None], ws[1:], w_d)
    predicted = jax.vmap(lambda v: -eta * neggrad_half_gradient(p, v))(w_prev)
    measured = w_next - w_prev
    eps = machine_eps(w_d)
    tol = eta * jax.vmap(lambda v: 2 * gradient_rounding(p, "da", v))(w_prev) \
        + 4 * eps * (jnp.linalg.norm(w_prev, axis=1) + jnp.linalg.norm(w_next, axis=1))
    err = jnp.linalg.norm(measured - predicted, axis=1)
    margin = jnp.where(ok, (tol - err) / tol, jnp.inf)
    worst = jnp.argmin(margin)
    return make_check(jnp.linalg.norm(predicted[worst]), jnp.linalg.norm(measured[worst]),
                      tol[worst] - err[worst], scale=tol[worst])


class _Obj:
    def __init__(self, w):
        self.w = w


class _Refs:
    """`references` for unlearn from $w^{\\mathcal D}$ alone (the oracle only enters distances, unused here)."""

    def __init__(self, w):
        self.original = _Obj(w)
        self.oracle = _Obj(w)


def neggrad_half_instances(key, n, dtype):
    """(seed, rho, frac, lam, w_scale, eta): rho in [0, 0.95) with a third at 0 or 0.95, forget fraction
    log-uniform in (0.01, 0.5), lambda log-uniform in (1e-4, 10), points of norm 1e-3 .. 2 per coordinate,
    eta log-uniform in (1e-3, 2) (large steps run DA into divergence on the exp loss: checked up to it)."""
    k = jax.random.split(key, 7)
    s = strata(n, 3)
    rho = jnp.where(s == 0, 0.0, jnp.where(s == 1, 0.95, uniform(k[0], n, 0.0, 0.95, dtype)))
    return {"seed": jax.random.randint(k[1], (n,), 0, 2**31 - 1),
            "rho": rho.astype(dtype),
            "frac": log_uniform(k[2], n, 0.01, 0.5, dtype),
            "lam": log_uniform(k[3], n, 1e-4, 10.0, dtype),
            "w_scale": log_uniform(k[4], n, 1e-3, 2.0, dtype),
            "eta": log_uniform(k[5], n, 1e-3, 2.0, dtype)}


def _gradient_instances(key, n, dtype):
    out = neggrad_half_instances(key, n, dtype)
    out.pop("eta")
    return out


def _steps_instances(key, n, dtype):
    out = neggrad_half_instances(key, n, dtype)
    out.pop("w_scale")
    return out


_CASES = (dict(n=100, d=5, loss="logistic", forget="random"), dict(n=60, d=20, loss="exp", forget="correlated"))

# ------------------------------------------------------------------ results --

RESULTS = (
    Result(
        id="neggrad_half",
        order=20,
        stream=20,
        statement="NegGrad+ at beta = 1/2 is DA with the objective halved: step eta equals DA's step eta/2",
        tag="[D]",
        verdict="holds",
        parts=(*(part(check_neggrad_half_gradient, _gradient_instances, 1 / 4, **c) for c in _CASES),
               *(part(check_neggrad_half_steps, _steps_instances, 1 / 8, **c) for c in _CASES)),
        summary="NegGrad+ at β = ½ is DA with the objective halved (a step η is DA's step η/2)",
        measures="`check_neggrad_half_gradient`, `check_neggrad_half_steps`",
    ),
)

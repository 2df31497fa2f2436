r"""App. J: the nearly orthogonal 2-D example [T, D].

Samples $\mathbf x_1=(1,\epsilon,0,\dots)$, $\mathbf x_2=(\epsilon,1,0,\dots)$
(forgotten) and $\mathbf x_a=\mathbf e_a$ ($a=3..d$), all labelled $+1$,
exponential loss. The original and retrained models have exact Lambert-W
forms; the DA objective is unbounded below along $t(\epsilon,-1,0,\dots)$ for
every $\epsilon<1$ and $\lambda$ (the retain margin stays 0 while the forget
margin goes to $-\infty$). The paper's "no DA stationary point for any
$\epsilon$" fails for large $\lambda$: a local minimum exists where both of
Lemma 8's Lambert-W arguments are $\ge-1/e$ (e.g. $\lambda=3$, $d=3$,
$\epsilon=0.1$).

References: "Ascent Fails to Forget" (arXiv 2509.26427), App. J;
proofs/app_j.py; docs/theory.md#app_j.
"""

import jax
import jax.numpy as jnp
import numpy as np

from .._lambertw import lambertw
from .._objectives import objective
from .._problems import Problem, make_problem
from .._solve import LOCAL_MINIMUM, UNBOUNDED, solve
from .._validate import float_dtype
from ._check import INV_E, make_check, solve_checked, w_rounding
from ._registry import Result, gather, part
from ._sampling import int_uniform, log_uniform, strata, uniform

__all__ = [
    "app_j_closed_forms",
    "app_j_problem",
    "app_j_reduced_problem",
    "app_j_ray",
    "check_app_j",
    "app_j_instances",
]

def app_j_closed_forms(d, eps, lam):
    r"""App. J [D]: $\mathbf x_1=(1,\epsilon,0..)$, $\mathbf x_2=(\epsilon,1,0..)$, $\mathbf x_a=\mathbf e_a$ ($a\ge3$), $y=1$, forget $\mathbf x_2$.

    $\mathcal D$ (symmetric): $w_1=w_2=W_0(b(1+\epsilon)^2)/(1+\epsilon)$, $b=1/(\lambda d)$;
    retrain: $w^{\mathcal R}=\frac{W_0(p(1+\epsilon^2))}{1+\epsilon^2}(1,\epsilon)$, $p=1/(\lambda(d-1))$;
    orthogonal coordinates $W_0(1/(\lambda d))$ and $W_0(1/(\lambda(d-1)))$.
    Returns $(w^{\mathcal D}_{1..3}, w^{\mathcal R}_{1..3})$, each of shape (3,)
    (coordinates $4..d$ equal coordinate 3; for $d=2$ the third entry is
    that of an unused coordinate). `d` may be traced. Proof: proofs/app_j.py.
    """
    b, p = 1.0 / (lam * d), 1.0 / (lam * (d - 1))
    wd12 = lambertw(b * (1 + eps) ** 2) / (1 + eps)
    xr = lambertw(p * (1 + eps**2))
    w_d = jnp.stack([wd12, wd12, lambertw(b)])
    w_r = jnp.stack([xr / (1 + eps**2), eps * xr / (1 + eps**2), lambertw(p)])
    return w_d, w_r


def app_j_problem(d: int, eps, lam) -> Problem:
    """App. J's data set, one row per sample (eager: builds and validates concrete arrays)."""
    X = np.eye(d)
    X[0, 1] = X[1, 0] = float(eps)
    forget = np.zeros(d, bool)
    forget[1] = True
    return make_problem(X, np.ones(d), forget, lam, loss="exp")


def app_j_reduced_problem(d, eps, lam) -> Problem:
    r"""App. J's data set in three coordinates, exactly (traceable in `d`, `eps`, `lam`).

    Rows $\mathbf x_1$, $\mathbf x_2$ (forget), $\mathbf e_3$ (weight
    $\min(1,d-2)$) and a zero retain row of weight $\max(0,d-3)$: the
    coordinates $4..d$ of `app_j_problem` are identical decoupled copies of
    coordinate 3, and the zero row keeps $|\mathcal R|=d-1$, $|\mathcal D|=d$.
    """
    dtype = float_dtype(eps, lam)
    eps = jnp.asarray(eps, dtype)
    one, zero = jnp.ones((), dtype), jnp.zeros((), dtype)
    X = jnp.stack([jnp.stack([one, eps, zero]), jnp.stack([eps, one, zero]), jnp.stack([zero, zero, one]),
                   jnp.zeros(3, dtype)])
    d = jnp.asarray(d, dtype)
    weights = jnp.stack([one, one, jnp.minimum(1.0, d - 2), jnp.maximum(0.0, d - 3)])
    forget = jnp.array([False, True, False, False])
    return Problem(X, jnp.ones(4, dtype), forget, jnp.asarray(lam, dtype), "exp", weights)


def app_j_ray(eps):
    r"""The direction $(\epsilon,-1,0)$: retain margin 0, forget margin $-(1-\epsilon^2)$."""
    eps = jnp.asarray(eps, float_dtype(eps))
    return jnp.stack([eps, -jnp.ones_like(eps), jnp.zeros_like(eps)])


def check_app_j(d, eps, lam):
    r"""`solve` on App. J's data (reduced exactly to 3 coordinates) against the closed forms; DA unbounded below.

    Holds when (i) $w^{\mathcal D}$, $w^{\mathcal R}$ match `app_j_closed_forms`
    up to the solves' error bounds; (ii) $L_{DA}$ evaluated (by `objective`)
    along $t(\epsilon,-1,0)$ at the $t$ where the forget margin is $-300$
    is below $-10^{100}$ (it is $\approx-e^{300}$: unbounded below, for every
    $\epsilon<1$ and $\lambda$); (iii) `solve` never calls a DA point a
    global "minimum": it is "unbounded", or a "local_minimum" -- possible
    only where both of Lemma 8's Lambert-W arguments are $\ge-1/e$ (for large
    $\lambda$; e.g. $\lambda=3$, $d=3$, $\epsilon=0.1$).
    `measured` = ($(w_1+w_2)^{\mathcal D}-(w_1+w_2)^{\mathcal R}$, $L_{DA}$ on
    the ray, DA status).
    """
    p = app_j_reduced_problem(d, eps, lam)
    w_d, w_r = app_j_closed_forms(d, eps, lam)
    (sd, ed), (sr, er) = (solve_checked(p, k) for k in ("original", "oracle"))
    sda = solve(p, "da")
    use = jnp.array([True, True, True]) & (jnp.arange(3) < jnp.where(d >= 3, 3, 2))
    tol_d, tol_r = ed + w_rounding(w_d), er + w_rounding(w_r)
    rel = jnp.minimum(jnp.min(jnp.where(use, (tol_d - jnp.abs(sd.w - w_d)) / tol_d, jnp.inf)),
                      jnp.min(jnp.where(use, (tol_r - jnp.abs(sr.w - w_r)) / tol_r, jnp.inf)))
    t = 300.0 / (1.0 - eps**2)
    on_ray = objective(p, t * app_j_ray(eps), "da")
    rel_ray = jnp.where(on_ray < -1e100, 1.0, -1.0)
    p_, q_ = 1.0 / (lam * (d - 1)), 1.0 / lam
    x_arg, y_arg = p_ * (1 + eps**2) - 2 * q_ * eps, 2 * p_ * eps - q_ * (1 + eps**2)
    possible = (x_arg >= -INV_E) & (y_arg >= -INV_E)
    status_ok = (sda.status == UNBOUNDED) | ((sda.status == LOCAL_MINIMUM) & possible)
    margin = jnp.minimum(jnp.minimum(rel, rel_ray), jnp.where(status_ok, 1.0, -1.0))
    pred = (w_d[0] + w_d[1]) - (w_r[0] + w_r[1])
    meas = jnp.stack([(sd.w[0] + sd.w[1]) - (sr.w[0] + sr.w[1]), on_ray, sda.status.astype(on_ray.dtype)])
    return make_check(pred, meas, margin)


# --------------------------------------------------------------- instances --

def app_j_instances(key, n, dtype):
    """(d, eps, lam): d ~ U{2..12}; eps uniform, exactly 0, or 1 - [1e-10, 1e-2] (rows parallel to within
    1e-10); lambda log-uniform on [1e-3, 30]."""
    k = jax.random.split(key, 4)
    s = strata(n, 4)
    eps = jnp.where(s == 1, 0.0, jnp.where(s == 2, 1 - log_uniform(k[1], n, 1e-10, 1e-2, dtype), uniform(k[0], n, 0.0, 0.999, dtype)))
    return {"d": int_uniform(k[2], n, 2, 12, dtype), "eps": eps, "lam": log_uniform(k[3], n, 1e-3, 30.0, dtype)}


def _app_j_details(collected):
    status = gather(collected, 0, lambda p, c: np.asarray(c.measured)[..., 2])
    return {"da_unbounded": int((status == 2).sum()), "da_local_minimum": int((status == 4).sum())}


# ------------------------------------------------------------------ results --

RESULTS = (
    Result(
        id="app_j",
        order=15,
        stream=15,
        statement=("nearly orthogonal 2-D example: D and R closed forms; exp-loss L_DA unbounded below along "
                   "t(eps,-1) for every eps < 1 and lam; a DA stationary point (local min) only for large lam"),
        tag="[T, D]",
        verdict=("corrected: 'no DA stationary point for any eps' fails for large lam (e.g. lam = 3); App. J's "
                 "eps->1 forms unavailable, exact forms checked"),
        parts=(part(check_app_j, app_j_instances, 1 / 4),),
        summary=("nearly orthogonal example: exact D and R forms; exp-loss L_DA unbounded below along t(ε, −1) for "
                 "every ε, λ; **corrected**: a local DA minimum exists for large λ"),
        measures="`check_app_j` (random d, ε, λ)",
        details=_app_j_details,
    ),
)

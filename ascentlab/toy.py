r"""The non-convex toy example of Sec. 5.2: "DA favours the wrong solutions".

Four clusters at $x\in\{-1,1,3,4\}$ with labels $\{-1,1,-1,1\}$ and weights
$\{5,4,1,4\}$ (cluster sizes), features $(x,x^2)$, parameters
$\theta=(a,b)$, score $z=ax+bx^2$. Two of the four positives at $x_4=4$ are
forgotten: retraining means weights $\{5,4,1,2\}$; gradient descent-ascent
means $\{5,4,1,0\}$ (the two forgotten points' ascent cancels two retained
ones, so the sums are unnormalised).

The paper's exact loss normalisation is unknown (docs/theory.md#toy,
open gap 4). A *reading* fixes the link, the target and $\lambda$; the loss is
$\sum_i\omega_i(h(z_i)-t_i)^2+\lambda\|\theta\|^2$:

* `"tanh"` (**the reading ascentlab uses**): $h=\tanh(z/2)=2\sigma(z)-1$,
  target $t=y$, $\lambda=0.05$. Reproduces all five qualitative claims, for
  every $\lambda\in[10^{-5},0.0769817]$ (`TANH_CLAIMS_LAMBDA`; C2 fails above,
  C5 above 0.1496493).
* `"literal"`: $h=\sigma_p(z)=1/(1+e^{-(1+z)/2})$ as printed, target $y$,
  $\lambda=0.1$. Fails C3: the retrain global minimum changes basin (so
  C5 fails as stated too: the trap is the retrain *global* minimum).
* `"target01"`: $\sigma_p$, target $(1+y)/2$, $\lambda=0.1$. Fails C2 and C5:
  a single minimum, so finetuning can escape.

The five claims: C1 the $\mathcal D$ global minimum has pattern $(-,+,+,+)$;
C2 $\mathcal D$ has a $(-,+,-,-)$ local minimum; C3 the $\mathcal R$ global
minimum is $(-,+,+,+)$; C4 the DA global minimum is $(-,+,-,-)$; C5
$\mathcal R$ has a $(-,+,-,-)$ local minimum (the finetuning trap).

Tag [T] (the set-up and the claims), [D] (the reading and its check).
References: "Ascent Fails to Forget" (arXiv 2509.26427), Sec. 5.2, Fig. 5,
App. B; proofs/toy.py (the counting table).
"""

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from ._solve import MINIMUM, damped_newton
from ._validate import check_choice, float_dtype

__all__ = ["READINGS", "WEIGHTS", "toy_loss", "loss_ab", "toy_minima", "patterns", "finetune", "check_claims",
           "TANH_CLAIMS_LAMBDA", "TANH_C2_LAMBDA", "TANH_C5_LAMBDA"]

X_POINTS = (-1.0, 1.0, 3.0, 4.0)
LABELS = (-1.0, 1.0, -1.0, 1.0)
WEIGHTS = {"original": (5.0, 4.0, 1.0, 4.0), "retrain": (5.0, 4.0, 1.0, 2.0), "da": (5.0, 4.0, 1.0, 0.0)}
CORRECT_PATTERN = "-+-+"
PATTERN_ORIGINAL = "-+++"  # x3 wrong: the optimum of the counting argument
PATTERN_TRAP = "-+--"  # x4 wrong: where DA lands


class Reading(NamedTuple):
    link: str  # "tanh" or "printed"
    target: str  # "pm1" or "01"
    lam: float
    threshold_bias: float  # the score's decision threshold: h > midpoint <=> z + bias > 0


# [N] measured here by bisection on `check_claims("tanh", lam=...)` (toy_minima's search):
# above TANH_C2_LAMBDA the original objective's (-,+,-,-) local minimum is gone (C2 fails);
# above TANH_C5_LAMBDA the retrain objective's trap is gone too (C5 fails); C1, C3, C4 hold
# on [1e-5, 0.3]. All five hold on TANH_CLAIMS_LAMBDA (its lower end is the smallest tested).
TANH_C2_LAMBDA = 0.0769817
TANH_C5_LAMBDA = 0.1496493
TANH_CLAIMS_LAMBDA = (1e-5, TANH_C2_LAMBDA)

READINGS = {
    "tanh": Reading("tanh", "pm1", 0.05, 0.0),
    "literal": Reading("printed", "pm1", 0.1, 1.0),
    "target01": Reading("printed", "01", 0.1, 1.0),
}


def _reading(name):
    check_choice("toy", "reading", name, tuple(READINGS))
    return READINGS[name]


def _link(z, r: Reading):
    if r.link == "tanh":
        return jnp.tanh(z / 2)
    return jax.nn.sigmoid((1 + z) / 2)


def toy_loss(theta, weights, reading: str = "tanh", lam=None):
    r"""$\sum_i\omega_i(h(ax_i+bx_i^2)-t_i)^2+\lambda(a^2+b^2)$ for `theta` $=(a,b)$ (vmap-able).

    `lam` overrides the reading's $\lambda$ (traceable)."""
    r = _reading(reading)
    lam = r.lam if lam is None else lam
    x = jnp.asarray(X_POINTS, theta.dtype)
    y = jnp.asarray(LABELS, theta.dtype)
    t = y if r.target == "pm1" else (1 + y) / 2
    z = theta[0] * x + theta[1] * x**2
    return jnp.asarray(weights, theta.dtype) @ (_link(z, r) - t) ** 2 + lam * theta @ theta


def loss_ab(a, b, objective: str = "original", reading: str = "tanh"):
    """`toy_loss` at scalar or broadcast arrays `a`, `b` (e.g. a landscape grid), for
    objective "original", "retrain" or "da"."""
    check_choice("loss_ab", "objective", objective, tuple(WEIGHTS))
    dtype = float_dtype(a, b)
    a, b = jnp.broadcast_arrays(jnp.asarray(a, dtype), jnp.asarray(b, dtype))
    f = lambda a_, b_: toy_loss(jnp.stack([a_, b_]), WEIGHTS[objective], reading)
    return jnp.vectorize(f)(a, b)


def patterns(theta, reading: str = "tanh") -> str:
    """Predicted signs on the four clusters, e.g. '-+++' (a string; eager)."""
    r = _reading(reading)
    x = np.asarray(X_POINTS)
    z = float(theta[0]) * x + float(theta[1]) * x**2 + r.threshold_bias
    return "".join("+" if v > 0 else "-" for v in z)


class Minimum(NamedTuple):
    theta: np.ndarray
    loss: float
    pattern: str


@functools.partial(jax.jit, static_argnums=(0,))
def _newton_from_starts(reading, weights, lam, starts):
    f = lambda th: toy_loss(th, weights, reading, lam)
    g, h = jax.grad(f), jax.hessian(f)
    run = jax.vmap(lambda th0: damped_newton(f, g, h, th0, tol=1e-10, max_steps=200))
    thetas, _, _, status = run(starts)
    return thetas, status, jax.vmap(f)(thetas)


def toy_minima(weights, reading: str = "tanh", *, lam=None, grid: int = 25, box=(8.0, 4.0)) -> list:
    r"""All local minima of the toy loss, global first (eager; vectorised search).

    Damped Newton (the engine of `solve`) from a `grid` x `grid` lattice of
    starts over $[-8,8]\times[-4,4]$, run in one vmap (compiled once per
    reading and lattice; `lam`, which overrides the reading's $\lambda$, is
    traced); converged minima (positive-definite Hessian,
    $\|\nabla\|\le10^{-10}$) are merged when within $10^{-6}$.
    """
    r = _reading(reading)
    a = jnp.linspace(-box[0], box[0], grid)
    b = jnp.linspace(-box[1], box[1], grid)
    starts = jnp.stack(jnp.meshgrid(a, b), -1).reshape(-1, 2)
    lam = jnp.asarray(r.lam if lam is None else lam, starts.dtype)
    thetas, status, values = _newton_from_starts(reading, jnp.asarray(weights, starts.dtype), lam, starts)
    out = []
    for th, st, val in zip(np.asarray(thetas), np.asarray(status), np.asarray(values)):
        if st != MINIMUM or any(np.linalg.norm(th - m.theta) < 1e-6 for m in out):
            continue
        out.append(Minimum(th, float(val), patterns(th, reading)))
    return sorted(out, key=lambda m: m.loss)


def finetune(theta0, reading: str = "tanh", *, eta: float = 0.01, steps: int = 200_000):
    r"""Gradient descent on the retrain loss from `theta0` (one `lax.scan`); returns the end point.

    From the DA minimum it stays in the $(-,+,-,-)$ basin: C-12's finetuning
    trap, (3.0969, -1.2674) with loss 8.9093 under the `"tanh"` reading.
    """
    theta0 = jnp.asarray(theta0)
    grad = jax.grad(lambda th: toy_loss(th, WEIGHTS["retrain"], reading))
    end, _ = jax.lax.scan(lambda th, _: (th - eta * grad(th), None), theta0, length=steps)
    return end


def check_claims(reading: str = "tanh", *, lam=None) -> dict:
    """C1-C5 (module docstring) for one reading (and optionally another $\\lambda$): {claim: bool}, plus the minima found."""
    mins = {k: toy_minima(w, reading, lam=lam) for k, w in WEIGHTS.items()}
    pats = {k: [m.pattern for m in v] for k, v in mins.items()}
    claims = {
        "C1": pats["original"][0] == PATTERN_ORIGINAL,
        "C2": PATTERN_TRAP in pats["original"][1:],
        "C3": pats["retrain"][0] == PATTERN_ORIGINAL,
        "C4": pats["da"][0] == PATTERN_TRAP,
        "C5": PATTERN_TRAP in pats["retrain"][1:],
    }
    return {"claims": claims, "minima": mins}

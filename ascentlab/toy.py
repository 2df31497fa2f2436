r"""The non-convex toy example of Sec. 5.2: "DA favours the wrong solutions".

Four clusters at $x\in\{-1,1,3,4\}$ with labels $\{-1,1,-1,1\}$ and weights
$\{5,4,1,4\}$ (cluster sizes), features $(x,x^2)$, parameters
$\theta=(a,b)$, score $z=ax+bx^2$. Two of the four positives at $x_4=4$ are
forgotten: retraining means weights $\{5,4,1,2\}$; gradient descent-ascent
means $\{5,4,1,0\}$ (the two forgotten points' ascent cancels two retained
ones, so the sums are unnormalised).

The paper's exact loss normalisation is unknown (theory note section 2.11,
open gap 5). A *reading* fixes the link, the target and $\lambda$; the loss is
$\sum_i\omega_i(h(z_i)-t_i)^2+\lambda\|\theta\|^2$:

* `"tanh"` (**the reading ascentlab uses**): $h=\tanh(z/2)=2\sigma(z)-1$,
  target $t=y$, $\lambda=0.05$. Reproduces all five qualitative claims.
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

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from ._solve import MINIMUM, damped_newton
from ._validate import check_choice

__all__ = ["READINGS", "WEIGHTS", "toy_loss", "loss_ab", "toy_minima", "patterns", "finetune", "check_claims"]

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


def toy_loss(theta, weights, reading: str = "tanh"):
    r"""$\sum_i\omega_i(h(ax_i+bx_i^2)-t_i)^2+\lambda(a^2+b^2)$ for `theta` $=(a,b)$ (vmap-able)."""
    r = _reading(reading)
    x = jnp.asarray(X_POINTS, theta.dtype)
    y = jnp.asarray(LABELS, theta.dtype)
    t = y if r.target == "pm1" else (1 + y) / 2
    z = theta[0] * x + theta[1] * x**2
    return jnp.asarray(weights, theta.dtype) @ (_link(z, r) - t) ** 2 + r.lam * theta @ theta


def loss_ab(a, b, objective: str = "original", reading: str = "tanh"):
    """`toy_loss` at scalar or broadcast arrays `a`, `b` (e.g. a landscape grid), for
    objective "original", "retrain" or "da"."""
    check_choice("loss_ab", "objective", objective, tuple(WEIGHTS))
    a, b = jnp.broadcast_arrays(jnp.asarray(a, float), jnp.asarray(b, float))
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


def toy_minima(weights, reading: str = "tanh", *, grid: int = 25, box=(8.0, 4.0)) -> list:
    r"""All local minima of the toy loss, global first (eager; vectorised search).

    Damped Newton (the engine of `solve`) from a `grid` x `grid` lattice of
    starts over $[-8,8]\times[-4,4]$, run in one vmap; converged minima
    (positive-definite Hessian, $\|\nabla\|\le10^{-10}$) are merged when
    within $10^{-6}$.
    """
    f = lambda th: toy_loss(th, weights, reading)
    g, h = jax.grad(f), jax.hessian(f)
    a = jnp.linspace(-box[0], box[0], grid)
    b = jnp.linspace(-box[1], box[1], grid)
    starts = jnp.stack(jnp.meshgrid(a, b), -1).reshape(-1, 2)
    run = jax.jit(jax.vmap(lambda th0: damped_newton(f, g, h, th0, tol=1e-10, max_steps=200)))
    thetas, _, _, status = run(starts)
    out = []
    for th, st in zip(np.asarray(thetas), np.asarray(status)):
        if st != MINIMUM or any(np.linalg.norm(th - m.theta) < 1e-6 for m in out):
            continue
        out.append(Minimum(th, float(f(jnp.asarray(th))), patterns(th, reading)))
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


def check_claims(reading: str = "tanh") -> dict:
    """C1-C5 (module docstring) for one reading: {claim: bool}, plus the minima found."""
    mins = {k: toy_minima(w, reading) for k, w in WEIGHTS.items()}
    pats = {k: [m.pattern for m in v] for k, v in mins.items()}
    claims = {
        "C1": pats["original"][0] == PATTERN_ORIGINAL,
        "C2": PATTERN_TRAP in pats["original"][1:],
        "C3": pats["retrain"][0] == PATTERN_ORIGINAL,
        "C4": pats["da"][0] == PATTERN_TRAP,
        "C5": PATTERN_TRAP in pats["retrain"][1:],
    }
    return {"claims": claims, "minima": mins}

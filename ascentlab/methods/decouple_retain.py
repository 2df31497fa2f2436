r"""Decoupling + knowledge retention: gradient ascent on F until its outputs move a set distance, then finetuning.

Phase 1 (**decoupling**) ascends the mean forget loss (ridge descended, as
in "ga"), $w\leftarrow w-\eta\nabla L_{GA}(w)$, until the forget outputs are
a distance `threshold` $\theta$ from the original model's; phase 2
(**knowledge retention**) is finetuning, $w\leftarrow w-\eta\nabla L_{\mathcal R}(w)$,
for the remaining steps. The distance is measured on the forget set from the
original model $w^{\mathcal D}$ (`Context.original`), with margins
$m_i(w)=y_i\langle w,x_i\rangle$ and the mean over $\mathcal F$
(weighted with the problem's weights):

* `distance="probability"` (default): $\delta(w)=\frac1{|\mathcal F|}\sum_{\mathcal F}
  |\sigma(m_i(w))-\sigma(m_i(w^{\mathcal D}))|$, in $[0,1)$: how far the
  predicted probability of each forget sample's label has moved;
* `distance="margin"`: $\delta(w)=\frac1{|\mathcal F|}\sum_{\mathcal F}|m_i(w)-m_i(w^{\mathcal D})|$.

The rule, at step $t=0,1,\dots$ from $w_0$: while not yet switched, if
$\delta(w_t)\ge\theta$ or $t\ge$ `max_ascent_steps`, switch (the switch step
$s=t$); step $t$ is an ascent step if $t<s$ and a descent step otherwise.
So $w_1,\dots,w_s$ come from ascent and $w_{s+1},\dots$ from descent, and
$\delta(w_s)\ge\theta$ unless the cap stopped it. The state is
(step counter, switch step $s$ or $-1$ before it, $w^{\mathcal D}$).

**What it shows.** The threshold is measured from the original model, so
it certifies distance from $w^{\mathcal D}$, not closeness to the oracle
$w^{\mathcal R}$. The oracle's own forget outputs may be close to the
original's ($\delta(w^{\mathcal R})$ is small when $\mathcal F$ resembles
$\mathcal R$), and ascent on a forget set correlated with the retain set
moves $w$ *away* from $w^{\mathcal R}$ (as DA does: the paper's Lemmas 3-5),
so at the switch the forget outputs are the set distance from the original
while $\|w_s-w^{\mathcal R}\|>\|w^{\mathcal D}-w^{\mathcal R}\|$: worse than
doing nothing, the more so the larger $\theta$, and the retention phase
starts by undoing the ascent. tests/test_decouple_retain.py shows it on a
correlated `gaussian_problem` (n = 120, d = 5, $\rho$ = 0.5, 10% forgotten):
$\delta(w^{\mathcal R})\approx0.022$; with $\theta=0.05$ and $0.1$ the
distance to the oracle at the switch is about 0.24 and 0.44, against 0.14
for $w^{\mathcal D}$.

Cost: $|\mathcal F|$ per-sample gradients per ascent step, $|\mathcal R|$ per
descent step (the distance reuses the forget margins of the ascent gradient;
it is not charged).

Reference: Varshney, Torra, "Realistic Image-to-Image Machine Unlearning via
Decoupling and Knowledge Retention" (arXiv 2502.04260; Big Data Research,
2026): their criterion is a norm of the change of the I2I model's outputs
on the forget set, $\ge$ a threshold; here it is the linear model's
probabilities or margins. Its decoupling criterion as recorded in the
project's replicator-dynamics notes, Part II §11; "Ascent Fails to Forget"
(arXiv 2509.26427), Lemmas 3-5, for why ascent leaves the oracle behind.
"""

import jax
import jax.numpy as jnp
import numpy as np

from .. import _validate as v
from .._objectives import coefficients, margins
from .._problems import check_problem
from ._base import Info, Method, combined_gradient, counts

__all__ = ["decouple_retain", "forget_distance", "DISTANCES"]

_WHERE = "methods.decouple_retain"
DISTANCES = ("probability", "margin")


def forget_distance(problem, w, w_original, distance="probability"):
    r"""$\delta(w)$: the mean over $\mathcal F$ of $|\sigma(m_i(w))-\sigma(m_i(w^{\mathcal D}))|$
    ("probability") or of $|m_i(w)-m_i(w^{\mathcal D})|$ ("margin"), with the problem's weights.

    `w` and `w_original` have shape (d,) and the problem's dtype (validated; traced values pass)."""
    where = "methods.forget_distance"
    v.check_choice(where, "distance", distance, DISTANCES)
    problem = check_problem(where, problem)
    d = problem.X.shape[1]
    for name, value in (("w", w), ("w_original", w_original)):
        arr = v.check_array(where, name, value, ndim=v.as_array(where, name, value).ndim)
        if arr.shape != (d,) or arr.dtype != problem.X.dtype:
            v.fail(where, name, f"array of shape {arr.shape} and dtype {arr.dtype}",
                   f"must have shape ({d},) and problem.X's dtype {problem.X.dtype}")
    return _forget_distance(problem, jnp.asarray(w), jnp.asarray(w_original), distance)


def _forget_distance(problem, w, w_original, distance):
    """`forget_distance` without validation (inside the compiled update)."""
    m, m0 = margins(problem, w), margins(problem, w_original)
    gap = jnp.abs(jax.nn.sigmoid(m) - jax.nn.sigmoid(m0)) if distance == "probability" else jnp.abs(m - m0)
    return -coefficients(problem, "ga") @ gap


def _init(problem, w0, params, context):
    return (jnp.asarray(0, jnp.int32), jnp.asarray(-1, jnp.int32), jnp.asarray(context.original, w0.dtype))


def _update(problem, w, state, eta, params, distance):
    threshold, cap = params
    t, switch, teacher = state
    reached = _forget_distance(problem, w, teacher, distance) >= jnp.asarray(threshold, w.dtype)
    # the cap as int32, saturated (no invalid cast above 2^31): the largest float of w's dtype below 2^31
    top = np.nextafter(np.asarray(2.0**31, w.dtype), np.asarray(0.0, w.dtype))
    capped = t >= jnp.clip(jnp.asarray(cap, w.dtype), 0, top).astype(jnp.int32)
    switch = jnp.where((switch < 0) & (reached | capped), t, switch)
    ascending = switch < 0
    c = jnp.where(ascending, coefficients(problem, "ga"), coefficients(problem, "oracle"))
    return w - eta * combined_gradient(problem, w, c, problem.lam), (t + 1, switch, teacher)


def _update_probability(problem, w, state, eta, params):
    return _update(problem, w, state, eta, params, "probability")


def _update_margin(problem, w, state, eta, params):
    return _update(problem, w, state, eta, params, "margin")


def _cost(problem, params, state, t):
    n_r, n_f = counts(problem)
    _, switch, _ = state
    s = jnp.where(switch >= 0, switch.astype(t.dtype), t)
    return n_f * jnp.minimum(t, s) + n_r * jnp.maximum(t - s, 0)


def decouple_retain(threshold=0.1, max_ascent_steps=100, distance="probability") -> Method:
    r"""Ascent on F until $\delta(w)\ge$ `threshold` (or `max_ascent_steps`), then descent on $L_{\mathcal R}$.

    Args:
        threshold: $\theta\ge0$ (traceable); for "probability" below 1.
        max_ascent_steps: the most ascent steps, a whole number $\ge0$ (traceable).
        distance: "probability" or "margin" (static): see `forget_distance`.
    """
    v.check_choice(_WHERE, "distance", distance, DISTANCES)
    v.check_positive_scalar(_WHERE, "threshold", threshold, allow_zero=True)
    if distance == "probability" and v.is_concrete(threshold) and not float(threshold) < 1:
        v.fail(_WHERE, "threshold", threshold, "must be < 1 with distance='probability' (a mean change in probability)")
    v.check_positive_scalar(_WHERE, "max_ascent_steps", max_ascent_steps, allow_zero=True)
    if v.is_concrete(max_ascent_steps) and float(max_ascent_steps) != int(float(max_ascent_steps)):
        v.fail(_WHERE, "max_ascent_steps", max_ascent_steps, "must be a whole number of steps")
    update = _update_probability if distance == "probability" else _update_margin
    return Method(_init, update, (threshold, max_ascent_steps), "decouple_retain", False, _cost)


INFO = Info(
    "decouple_retain", decouple_retain,
    "gradient ascent on F until the forget outputs move a set distance from $w^D$'s, then finetuning on R",
    "Varshney & Torra, [Realistic Image-to-Image Machine Unlearning via Decoupling and Knowledge Retention]"
    "(https://arxiv.org/abs/2502.04260)",
    "none: its threshold is measured from $w^D$, not from the oracle", "triangulation", 60,
)

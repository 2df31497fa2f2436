r"""Rewinding: descent on the retain objective from an earlier checkpoint of the original training run.

The original model $w^{\mathcal D}$ is the end of a training run on
$\mathcal D$ (`ascentlab.train`: $v_{s+1}=v_s-\eta'\nabla L_{\mathcal D}(v_s)$
from $v_0$). Rewinding goes back to a checkpoint $c=v_s$ of that run and
descends the retain objective from there:

$$w_1=c-\eta\nabla L_{\mathcal R}(c),\qquad w_{t+1}=w_t-\eta\nabla L_{\mathcal R}(w_t)\quad(t\ge1),$$

so the first update ignores the current iterate (the start $w_0$, by
default $w^{\mathcal D}$, is only row 0 of the trajectory). Let $c$ be
`checkpoint`. Rewinding to $v_0$ is retraining on $\mathcal R$ from the
run's initial point (exact unlearning, at full cost); rewinding to the last
checkpoint ($\approx w^{\mathcal D}$) is finetuning. In between, the
earlier the checkpoint, the less of $\mathcal F$'s influence it carries and
the farther it is from $w^{\mathcal R}$ in optimisation steps. Every
checkpoint converges to $w^{\mathcal R}$ ($L_{\mathcal R}$ is
$\lambda$-strongly convex; $\eta<2/\text{smoothness}$).

Checkpoints come from `train`'s trajectory: `tr = ascentlab.train(problem,
eta=..., steps=..., record_every=k)`; `rewind(tr.w[i])` rewinds to step
`tr.t[i]`. The default checkpoint 0.0 is the zero vector, `train`'s default
initial point: retraining on $\mathcal R$ from scratch.

Cost: $|\mathcal R|$ per-sample gradients per step (the training run that
made the checkpoint is the original model's, not charged here).

Reference: Mu, Klabjan, "Rewind-to-Delete: Certified Machine Unlearning for
Nonconvex Functions" (NeurIPS 2025, arXiv 2409.09778): rewind to an earlier
step of the training run, then descend the retain loss; their certified
version adds Gaussian noise to the output, this module is its noise-free
core. "Ascent Fails to Forget" (arXiv 2509.26427) for the exact oracle it
is measured against.
"""

import jax.numpy as jnp

from .. import _validate as v
from .._objectives import _gradient
from ._base import Info, Method, counts

__all__ = ["rewind"]

_WHERE = "methods.rewind"


def _init(problem, w0, params, context):
    (checkpoint,) = params
    d = problem.X.shape[1]
    if jnp.shape(checkpoint) not in ((), (d,)):
        v.fail(_WHERE, "checkpoint", f"array of shape {jnp.shape(checkpoint)}",
               f"must have shape ({d},) to match problem.X (or be a scalar: every coordinate)")
    return jnp.asarray(0, jnp.int32)


def _update(problem, w, state, eta, params):
    (checkpoint,) = params
    c = jnp.broadcast_to(jnp.asarray(checkpoint, w.dtype), w.shape)
    w = jnp.where(state == 0, c, w)
    return w - eta * _gradient(problem, w, "oracle"), jnp.minimum(state + 1, 1)


def _cost(problem, params, state, t):
    n_r, _ = counts(problem)
    return n_r * t


def rewind(checkpoint=0.0) -> Method:
    r"""Descent on $L_{\mathcal R}$ restarted from `checkpoint` (traceable: vmap over it works).

    Args:
        checkpoint: $c$, shape (d,) (a row of `ascentlab.train(...).w`), or a
            scalar for the constant vector; finite. Default 0.0: `train`'s
            default initial point, i.e. retraining on $\mathcal R$.
    """
    c = v.as_array(_WHERE, "checkpoint", checkpoint)
    if c.ndim > 1:
        v.fail(_WHERE, "checkpoint", f"array of shape {c.shape}", "must have shape (d,) (or be a scalar)")
    if not jnp.issubdtype(c.dtype, jnp.floating) and not jnp.issubdtype(c.dtype, jnp.integer):
        v.fail(_WHERE, "checkpoint", f"array of dtype {c.dtype}", "must hold real numbers")
    if v.is_concrete(c) and not bool(jnp.all(jnp.isfinite(c))):
        v.fail(_WHERE, "checkpoint", f"array with {int(jnp.sum(~jnp.isfinite(c)))} non-finite entries",
               "must be finite (no NaN or inf)")
    return Method(_init, _update, (checkpoint,), "rewind", False, _cost)


INFO = Info(
    "rewind", rewind,
    "gradient descent on $L_R$ restarted from an earlier checkpoint of the training run on D",
    "Mu & Klabjan, [Rewind-to-Delete](https://arxiv.org/abs/2409.09778) (NeurIPS 2025), without its noise",
    "reaches the oracle from any checkpoint; from the initial point it is retraining on R", "methods", 50,
)

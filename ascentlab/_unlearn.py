r"""Unlearning trajectories: gradient ascent, descent-ascent and finetuning.

Every method is a pure step $w\mapsto\mathrm{step}(problem, w, \eta)$ run by
one `jax.lax.scan`; the trajectory keeps the starting point. Methods:

* `"ga"`: $w\leftarrow w-\eta\,\nabla L_{GA}(w)$, ascent on the mean forget
  loss with the ridge descended, $L_{GA}=-\frac1{|\mathcal F|}\sum_{\mathcal F}\ell+\frac\lambda2\|w\|^2$;
* `"da"`: simultaneous descent-ascent, $w\leftarrow w-\eta\,\nabla L_{DA}(w)$
  (paper Sec. 5.1, Eq. (1));
* `"da_alternating"`: App. D.3's iterative DA. With `order="descent_first"`
  (App. D.3's wording) a descent half-step on $L_{\mathcal R}$, then an ascent
  half-step on the forget loss, the ridge descended in both:
  $w'=w-\eta\nabla L_{\mathcal R}(w)$, $w^+=w'-\eta\nabla L_{GA}(w')$;
  `order="ascent_first"` (Sec. 5.1.1's wording) swaps them. One trajectory
  step is both half-steps. To $O(\eta)$ this is DA with ridge $2\lambda$;
* `"finetune"`: $w\leftarrow w-\eta\,\nabla L_{\mathcal R}(w)$.

A callable `step(problem, w, eta) -> w` is accepted in place of a name, so
new methods plug into the same contract.

Divergence: the first step whose iterate is non-finite or has a margin beyond
`ascentlab.margin_bound(loss, dtype)` ($\tfrac12\ln$ of the largest float for
the exponential loss: 354.9 in float64) is reported in `diverged_at`; from
that step on, every entry of the trajectory is masked (set to NaN on purpose,
so plots show a gap) and `Trajectory.valid` is False.

References: "Ascent Fails to Forget" (arXiv 2509.26427), Sec. 5.1 and App. D.3.
"""

import functools
import inspect
from typing import Callable, NamedTuple, Union

import jax
import jax.numpy as jnp

from . import _validate as v
from ._objectives import _gradient, _mean_loss, margins
from ._problems import Problem, check_problem
from ._solve import check_references, margin_bound, solve_references

__all__ = ["Trajectory", "unlearn", "METHODS", "alternating_step_fn"]


def _ga_step(problem, w, eta):
    return w - eta * _gradient(problem, w, "ga")


def _da_step(problem, w, eta):
    return w - eta * _gradient(problem, w, "da")


def _finetune_step(problem, w, eta):
    return w - eta * _gradient(problem, w, "oracle")


def _alternating_descent_first(problem, w, eta):
    return _ga_step(problem, _finetune_step(problem, w, eta), eta)


def _alternating_ascent_first(problem, w, eta):
    return _finetune_step(problem, _ga_step(problem, w, eta), eta)


METHODS: dict[str, Callable] = {
    "ga": _ga_step,
    "da": _da_step,
    "da_alternating": _alternating_descent_first,
    "finetune": _finetune_step,
}
ORDERS = ("descent_first", "ascent_first")
STARTS = ("original", "oracle")
_ALTERNATING = dict(zip(ORDERS, (_alternating_descent_first, _alternating_ascent_first)))


def alternating_step_fn(order: str) -> Callable:
    r"""The step `(problem, w, eta) -> w` of `unlearn(..., "da_alternating", order=order)`.

    "descent_first" (App. D.3): $w'=w-\eta\nabla L_{\mathcal R}(w)$, then
    $w^+=w'-\eta\nabla L_{GA}(w')$; "ascent_first" (Sec. 5.1.1) swaps the
    two half-steps.
    """
    return _ALTERNATING[v.check_choice("alternating_step_fn", "order", order, ORDERS)]


class Trajectory(NamedTuple):
    """An unlearning run (a pytree; batched under vmap).

    Attributes:
        w: iterates $w_0,\\dots,w_T$, shape (T+1, d).
        dist_oracle: $\\|w_t-w^{\\mathcal R}\\|_2$, shape (T+1,).
        dist_original: $\\|w_t-w^{\\mathcal D}\\|_2$, shape (T+1,).
        loss_retain: mean retain loss (no ridge), shape (T+1,).
        loss_forget: mean forget loss (no ridge), shape (T+1,).
        diverged_at: first diverged step (int32), or -1.
    """

    w: jax.Array
    dist_oracle: jax.Array
    dist_original: jax.Array
    loss_retain: jax.Array
    loss_forget: jax.Array
    diverged_at: jax.Array

    @property
    def valid(self) -> jax.Array:
        """Boolean mask, shape (..., T+1): True before `diverged_at`."""
        t = jnp.broadcast_to(jnp.arange(self.dist_oracle.shape[-1], dtype=jnp.int32), self.dist_oracle.shape)
        d = jnp.asarray(self.diverged_at)[..., None]
        return (d < 0) | (t < d)


@functools.partial(jax.jit, static_argnums=(1, 4))
def _run(problem, step, w0, eta, steps, w_oracle, w_original):
    bound = margin_bound(problem.loss, w0.dtype)

    def record(w):
        return (
            w,
            jnp.linalg.norm(w - w_oracle),
            jnp.linalg.norm(w - w_original),
            _mean_loss(problem, w, "retain"),
            _mean_loss(problem, w, "forget"),
        )

    def body(carry, _):
        w, diverged = carry
        w_new = step(problem, w, eta)
        bad = ~jnp.all(jnp.isfinite(w_new)) | (jnp.max(jnp.abs(margins(problem, w_new))) > bound)
        diverged = diverged | bad
        # Freeze the carry at the last good iterate so nothing downstream
        # computes on overflowed values; the outputs are masked instead.
        w_keep = jnp.where(diverged, w, w_new)
        out = jax.tree.map(lambda x: jnp.where(diverged, jnp.nan, x), record(w_keep))
        return (w_keep, diverged), (out, diverged)

    (_, _), (outs, flags) = jax.lax.scan(body, (w0, jnp.zeros((), bool)), length=steps)
    first = jax.tree.map(lambda x: x[None], record(w0))
    w, d_or, d_og, l_r, l_f = jax.tree.map(lambda a, b: jnp.concatenate([a, b]), first, outs)
    # flags of w_0 (never diverged), ..., w_T: never empty, so steps = 0 needs no special case
    flags = jnp.concatenate([jnp.zeros(1, bool), flags])
    diverged_at = jnp.where(flags.any(), jnp.argmax(flags), -1).astype(jnp.int32)
    return Trajectory(w, d_or, d_og, l_r, l_f, diverged_at)


def unlearn(
    problem: Problem,
    method: Union[str, Callable],
    *,
    eta,
    steps: int,
    start="original",
    order: str = "descent_first",
    references=None,
) -> Trajectory:
    r"""Run an unlearning method for `steps` steps and record its trajectory.

    Let $\eta$ be `eta` and $T$ be `steps`. Distances are measured to the
    exact oracle $w^{\mathcal R}$ and original $w^{\mathcal D}$ from `solve`
    (or from `references`, solved once by `solve_references`).
    Gradients are the closed forms of Eq. (1); no Python loop over samples
    or steps.

    Args:
        problem: the unlearning problem.
        method: "ga", "da", "da_alternating", "finetune", or a callable
            `step(problem, w, eta) -> w` returning an array of w's shape (d,)
            and dtype (checked with `jax.eval_shape` before the run).
        eta: step size $\eta>0$ (traceable: vmap over it works).
        steps: number of steps $T\ge0$ (static).
        start: "original" ($w^{\mathcal D}$, default), "oracle"
            ($w^{\mathcal R}$), or an explicit vector of shape (d,)
            (traceable: vmap over it works).
        order: for "da_alternating", "descent_first" (App. D.3) or
            "ascent_first" (Sec. 5.1.1).
        references: optional `References` from `solve_references(problem)`
            (or anything with `.original.w` and `.oracle.w`, shape (d,)):
            the $w^{\mathcal D}$ and $w^{\mathcal R}$ used for `start` and the
            distances, instead of solving them again on every call
            (traceable: vmap over it works).

    Returns:
        A `Trajectory`; divergence is reported in `diverged_at`, never as a
        silent NaN.

    References: Sec. 5.1 (DA), App. D.3 (alternating DA).
    """
    where = "unlearn"
    problem = check_problem(where, problem)
    v.check_choice(where, "order", order, ORDERS)
    if callable(method):
        step = method
    else:
        v.check_choice(where, "method", method, tuple(METHODS))
        step = alternating_step_fn(order) if method == "da_alternating" else METHODS[method]
    v.check_positive_scalar(where, "eta", eta)
    steps = v.check_int(where, "steps", steps, minimum=0)
    dtype = problem.X.dtype
    d = problem.X.shape[1]
    eta = jnp.asarray(eta, dtype)
    if callable(method):
        _check_step_output(where, step, problem, jax.ShapeDtypeStruct((d,), dtype), eta)
    if references is None:
        references = solve_references(problem, da=False)
    w_original, w_oracle = check_references(where, references, d, dtype)
    if isinstance(start, str):
        v.check_choice(where, "start", start, STARTS)
        w0 = w_original if start == "original" else w_oracle
    else:
        w0 = v.check_array(where, "start", start, ndim=1)
        if w0.shape != (d,):
            v.fail(where, "start", f"array of shape {w0.shape}", f"must have shape ({d},) or be one of {list(STARTS)}")
        w0 = jnp.asarray(w0, dtype)
    return _run(problem, step, w0, eta, steps, w_oracle, w_original)


def _check_step_output(where, step, problem, w, eta):
    """A callable method must map w (shape (d,), the problem's dtype) to the same shape and dtype."""
    try:
        inspect.signature(step).bind(problem, w, eta)
    except TypeError as err:  # the wrong number of arguments: say what the contract is, not Python's message
        v.fail(where, "method", f"callable {getattr(step, '__name__', step)!r}",
               f"must take (problem, w, eta) and return the new iterate ({err})")
    except ValueError:  # a builtin without a signature: let the call below decide
        pass
    out = jax.eval_shape(step, problem, w, eta)
    if not (isinstance(out, jax.ShapeDtypeStruct) and out.shape == w.shape and out.dtype == w.dtype):
        got = jax.tree.map(lambda x: f"{x.dtype}{list(x.shape)}", out)
        v.fail(where, "method", f"callable returning {got}",
               f"must return the new iterate, an array of shape {w.shape} and dtype {w.dtype} (those of w)")

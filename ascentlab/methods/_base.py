r"""The method contract: a stateful step `init`/`update`, its parameters, its cost.

A `Method` is an optax-like pair of pure functions,

    state = init(problem, w0, params, context)
    w, state = update(problem, w, state, eta, params)

run by `ascentlab.unlearn` inside one `jax.lax.scan`. `params` is a pytree
of numbers (traceable: vmap over it works); `init` and `update` are
module-level functions (static: they key the compiled program, so a new
`Method` with the same functions and new `params` reuses it). `context`
gives `init` what a method may use besides the data: the original model
$w^{\mathcal D}$ (a teacher, a reference point) and the PRNG key passed to
`unlearn(..., key=...)`. The exact oracle is never given to a method.

`cost(problem, params, state, t)` returns the per-sample gradient
evaluations spent in the first `t` steps (`t` a traced float of the
problem's dtype; `state` the state before step t; a full Hessian counts as
d gradients per sample), or is None when unknown; `unlearn` records it in
`Trajectory.grads`.

References: optax's `GradientTransformation` (the init/update shape of the
contract); "Ascent Fails to Forget" (arXiv 2509.26427) Sec. 5.1 for the
objectives the methods descend.
"""

from typing import Any, Callable, NamedTuple, Optional

import jax
import jax.numpy as jnp

from .._objectives import _loss_and_derivatives, _sample_weights, margins

__all__ = ["Method", "Context", "Info", "counts", "combined_gradient"]


class Context(NamedTuple):
    """What `Method.init` sees besides the problem and the start: the original model and the key.

    Attributes:
        original: $w^{\\mathcal D}$, the model trained on all of $\\mathcal D$, shape (d,).
        key: the PRNG key given to `unlearn(..., key=...)`, or None.
    """

    original: jax.Array
    key: Any = None


class Method(NamedTuple):
    r"""An unlearning method for `ascentlab.unlearn` (a pytree: `params` are its leaves).

    Attributes:
        init: `init(problem, w0, params, context) -> state`, a pytree.
        update: `update(problem, w, state, eta, params) -> (w, state)`; `w`
            is the iterate the trajectory records (for a method with a
            hidden state, e.g. noisy descent's unperturbed iterate, the
            published one) and must keep shape (d,) and dtype.
        params: the method's numbers (traceable).
        name: a short name (figures, tables).
        needs_key: True when `init` needs `context.key` (`unlearn` then
            requires `key=`).
        cost: `cost(problem, params, state, t) -> float`, per-sample gradient
            evaluations in the first t steps, or None (unknown).
        kinds: internal: for the four built-in methods, the objective kinds of
            their gradient half-steps, which `unlearn` runs on margins
            directly (the fast path); () for every other method.
    """

    init: Callable
    update: Callable
    params: Any = ()
    name: str = "custom"
    needs_key: bool = False
    cost: Optional[Callable] = None
    kinds: tuple = ()

    def static(self):
        """The hashable part that keys the compiled program (everything but `params`)."""
        return (self.init, self.update, self.name, self.needs_key, self.cost, self.kinds)


def _flatten(m: Method):
    return (m.params,), m.static()


def _unflatten(static, children):
    init, update, name, needs_key, cost, kinds = static
    return Method(init, update, children[0], name, needs_key, cost, kinds)


jax.tree_util.register_pytree_node(Method, _flatten, _unflatten)


class Info(NamedTuple):
    """A registered method: its factory and the README method table's row.

    Attributes:
        name: the name `unlearn` accepts (the factory with its defaults).
        factory: `factory(**params) -> Method`.
        what: what it does (one line, Markdown).
        reference: the paper it follows (Markdown).
        guarantee: what it guarantees, if anything (one line, Markdown).
        figure: the `ascentlab figure` that shows it.
        order: its row in the table.
        eta: what `unlearn`'s `eta` means for it: "step" (a step size, the
            default), "multiplier" (of a step the method derives itself) or
            "damping" (of a Newton step; 1 is the full step).
    """

    name: str
    factory: Callable
    what: str
    reference: str
    guarantee: str
    figure: str
    order: float
    eta: str = "step"


# ----------------------------------------------------------------- helpers --
def counts(problem):
    r"""$(|\mathcal R|, |\mathcal F|)$ as traced floats (weighted sizes with `problem.weights`)."""
    omega = _sample_weights(problem)
    n_f = jnp.sum(jnp.where(problem.forget, omega, 0.0))
    return jnp.sum(omega) - n_f, n_f


def combined_gradient(problem, w, c, ridge):
    r"""$\nabla\big[\sum_ic_i\ell(m_i)+\frac{\text{ridge}}2\|w\|^2\big]=(c\odot\ell'(m)\odot y)^\top X+\text{ridge}\,w$,
    $m=y\odot Xw$: one pass for the margins, one for the product."""
    _, d1, _ = _loss_and_derivatives(margins(problem, w), problem.loss)
    return (c * d1 * problem.y) @ problem.X + ridge * w

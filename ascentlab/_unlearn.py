r"""Unlearning trajectories: gradient ascent, descent-ascent and finetuning.

Every method is a pure step $w\mapsto\mathrm{step}(problem, w, \eta)$ run by
one `jax.lax.scan`; the trajectory keeps the starting point (and, with
`record_every=k`, every k-th iterate and the last). Methods:

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

Every other method lives in `ascentlab.methods`, one module each, under one
stateful contract (`Method`: an optax-like `init`/`update` pair with its
parameters and cost): "neggrad_plus", "scrub", "newton", "noisy_gd",
"rewind", "decouple_retain", ... (`ascentlab.methods.NAMES`). `unlearn`
accepts a registered name, a `Method` (`methods.neggrad_plus(beta=0.7)`), or
a plain callable `step(problem, w, eta) -> w`. `train` records the descent
on $L_{\mathcal D}$ that produced the original model (checkpoints for
"rewind").

Cost: the built-in methods are run on margins, not through their step
functions. A gradient is $X^\top(c\odot\ell'(m)\odot y)+\lambda w$ with
$m=y\odot Xw_t$, and the record of $w_t$ (divergence test, mean retain and
forget losses; distances live in $\mathbb R^d$) is read off the same $m$, so a
step reads X twice per gradient with the default "dense" kernel ($Xw$, then
$r^\top X$ as a two-row matrix product, which takes XLA's fast GEMM path on
CPU) and once with "fused" (row blocks that stay in cache between $X_bw$ and
$X_b^\top r_b$; measured no faster on 2 quiet cores, faster only while other
jobs contend for them).

Divergence: the first step whose iterate is non-finite or has a margin beyond
`ascentlab.margin_bound(loss, dtype)` ($\tfrac12\ln$ of the largest float for
the exponential loss: 354.9 in float64) is reported in `diverged_at`; from
that step on, every entry of the trajectory is masked (set to NaN on purpose,
so plots show a gap) and `Trajectory.valid` is False.

References: "Ascent Fails to Forget" (arXiv 2509.26427), Sec. 5.1 and App. D.3.
"""

import functools
import inspect
from typing import Callable, NamedTuple, Optional, Union

import jax
import jax.numpy as jnp
import numpy as np

from . import _validate as v
from ._objectives import _gradient, _sample_weights, coefficients
from ._problems import Problem, check_problem
from ._solve import check_references, margin_bound, solve_references
from .methods import NAMES, REGISTRY
from .methods._base import Context, Method

__all__ = ["Trajectory", "unlearn", "train", "METHODS", "alternating_step_fn", "KERNELS"]


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
KERNELS = ("auto", "fused", "dense")
_ALTERNATING = dict(zip(ORDERS, (_alternating_descent_first, _alternating_ascent_first)))
# The built-in methods as the objective kinds of their gradient half-steps (run in order):
# unlearn runs them on margins it computes itself (see `_pass`), not through the step functions above.
_HALF_STEPS = {
    "ga": ("ga",),
    "da": ("da",),
    "finetune": ("oracle",),
    ("da_alternating", "descent_first"): ("oracle", "ga"),
    ("da_alternating", "ascent_first"): ("ga", "oracle"),
}
# Row block of the fused CPU kernel: about 2 MiB of X (the L2 cache of two cores), so the second
# read of a block (for X_b^T r_b) comes from cache. Measured on 2 AMD EPYC cores (L2 1 MiB each):
# 1024-4096 rows at d = 100 within noise of each other, smaller blocks pay the loop overhead.
_BLOCK_BYTES = 2 * 2**20
# kernel="auto" is "dense" on every backend. Measured DA at d = 100 on 2 quiet cores, as ratios to T
# passes of X @ w: n = 100,000 (80 MB) dense 3.0x (with `_rT_X`; 3.8x with a plain r @ X), fused 3.8x
# (2 MiB blocks) and 2.8x (20 MiB blocks); n = 20,000 (16 MB) fused 10.7x, dense 4.2x. Fused won only
# while other jobs shared the cores (2.4x against 3.7x).


def alternating_step_fn(order: str) -> Callable:
    r"""The step `(problem, w, eta) -> w` of `unlearn(..., "da_alternating", order=order)`.

    "descent_first" (App. D.3): $w'=w-\eta\nabla L_{\mathcal R}(w)$, then
    $w^+=w'-\eta\nabla L_{GA}(w')$; "ascent_first" (Sec. 5.1.1) swaps the
    two half-steps.
    """
    return _ALTERNATING[v.check_choice("alternating_step_fn", "order", order, ORDERS)]


class Trajectory(NamedTuple):
    """An unlearning run (a pytree; batched under vmap).

    Rows are the recorded iterates: with `record_every=k` (default 1) the
    steps $t=0,k,2k,\\dots$ below $T$ and always the last step $T$, i.e.
    `t = min(arange(ceil(T/k) + 1) * k, T)`; with k = 1 every iterate
    $w_0,\\dots,w_T$ (T+1 rows).

    Attributes:
        w: recorded iterates $w_t$, shape (rows, d).
        dist_oracle: $\\|w_t-w^{\\mathcal R}\\|_2$, shape (rows,).
        dist_original: $\\|w_t-w^{\\mathcal D}\\|_2$, shape (rows,).
        loss_retain: mean retain loss (no ridge), shape (rows,).
        loss_forget: mean forget loss (no ridge), shape (rows,).
        diverged_at: first diverged *step* (int32; checked at every step,
            recorded or not), or -1.
        t: the step index of each row (int32), shape (rows,). `None` in a
            Trajectory built by hand means every step (`arange(rows)`).
        grads: per-sample gradient evaluations spent up to each row
            (float, shape (rows,); a full Hessian counts as d gradients per
            sample): the method's `cost`, NaN where the method declares none
            (a plain callable). `None` in a Trajectory built by hand.
    """

    w: jax.Array
    dist_oracle: jax.Array
    dist_original: jax.Array
    loss_retain: jax.Array
    loss_forget: jax.Array
    diverged_at: jax.Array
    t: Optional[jax.Array] = None
    grads: Optional[jax.Array] = None

    @property
    def valid(self) -> jax.Array:
        """Boolean mask, shape (..., rows): True for rows recorded before step `diverged_at`."""
        if self.t is None:
            t = jnp.arange(self.dist_oracle.shape[-1], dtype=jnp.int32)
        else:
            t = jnp.asarray(self.t)
        t = jnp.broadcast_to(t, self.dist_oracle.shape)
        d = jnp.asarray(self.diverged_at)[..., None]
        return (d < 0) | (t < d)


# ------------------------------------------------------------- one read of X
def _dloss(m, loss, value):
    r"""$(\ell(m), \ell'(m))$ (or $(None, \ell'(m))$ when `value` is False) from one exponential.

    Logistic: with $e=e^{-|m|}$, $\ell=\max(-m,0)+\log(1+e)$ and
    $\ell'=-\sigma(-m)=-[m\ge0\,?\,e:1]/(1+e)$ (no overflow at any $m$); exp: $\ell=-\ell'=e^{-m}$;
    squared (no exponential): $\ell=\frac12(1-m)^2$, $\ell'=m-1$.
    """
    if loss == "squared":
        return ((0.5 * (1.0 - m) ** 2) if value else None), m - 1.0
    if loss == "exp":
        e = jnp.exp(-m)
        return (e if value else None), -e
    e = jnp.exp(-jnp.abs(m))
    d1 = -jnp.where(m >= 0, e, 1.0) / (1.0 + e)
    return ((jnp.maximum(-m, 0.0) + jnp.log1p(e)) if value else None), d1


def _rT_X(r, X):
    r"""$r^\top X$ as the first row of $[r;0]^\top X$: XLA's CPU vector-matrix product runs at about
    half the speed of its matrix-vector one, while a two-row matrix product takes its GEMM path
    (measured on 2 cores, n = 100,000, d = 100, relative to one pass $Xw$: `r @ X` 2.4, `X.T @ r` 5.5,
    this 1.5). The zero row costs no read of X."""
    return (jnp.stack([r, jnp.zeros_like(r)], axis=-2) @ X)[..., 0, :]


def _block_stats(Xb, yb, w, cyb, crfb, loss, losses):
    r"""On rows $b$: $(r_b^\top X_b,\ \max_b|m|,\ [\sum_bc^{\mathcal R}\ell,\ \sum_bc^{\mathcal F}\ell])$ with
    $m_b=y_b\odot X_bw$ and $r_b=(c\odot y)_b\odot\ell'(m_b)$; `cyb` None gives no gradient (zeros),
    `losses` False no losses (zeros). `crfb` stacks $(c^{\mathcal R}, c^{\mathcal F})$, shape (rows, 2).

    A loss is infinite only past the divergence bound (exp loss, $m<-\ln$ of the largest float), so
    a $0\cdot\infty$ in the sums happens only in a row that is masked anyway."""
    m = yb * (Xb @ w)
    ell, d1 = _dloss(m, loss, losses)
    g = _rT_X(cyb * d1, Xb) if cyb is not None else jnp.zeros(Xb.shape[1:], Xb.dtype)
    mx = jnp.max(jnp.abs(m))
    lrf = (ell @ crfb) if losses else jnp.zeros(2, Xb.dtype)
    return g, mx, lrf


def _block_rows(d, dtype):
    """Rows of a fused block: the power of two nearest below `_BLOCK_BYTES` / (d * itemsize), >= 8."""
    per_row = d * np.dtype(dtype).itemsize
    return max(8, 2 ** int(np.floor(np.log2(max(1, _BLOCK_BYTES // per_row)))))


def _pass(problem, w, cy, crf, *, losses, kernel):
    r"""One evaluation at $w$: $X^\top(c\odot\ell'(m)\odot y)$ (`cy` $=c\odot y$; zeros when None),
    $\max_i|m_i|$ (NaN when a margin is), and the mean retain/forget losses when `losses`;
    $m=y\odot Xw$.

    `kernel="dense"`: two dense passes, $Xw$ then $r^\top X$. `kernel=("fused", rows)`: one read of
    X, in blocks of `rows` rows (a `fori_loop` over the full blocks, then the remainder rows): each
    block's margins and its $X_b^\top r_b$ are computed while the block is in cache.
    """
    X, y, loss = problem.X, problem.y, problem.loss
    n = X.shape[0]
    if kernel == "dense":
        return _block_stats(X, y, w, cy, crf, loss, losses)
    rows = kernel[1]
    nb, rem = divmod(n, rows)

    def add(acc, out):
        return acc[0] + out[0], jnp.maximum(acc[1], out[1]), acc[2] + out[2]

    def block(i, acc):
        sl = lambda a: None if a is None else jax.lax.dynamic_slice_in_dim(a, i * rows, rows)
        return add(acc, _block_stats(sl(X), sl(y), w, sl(cy), sl(crf), loss, losses))

    acc = (jnp.zeros_like(w), jnp.asarray(-jnp.inf, X.dtype), jnp.zeros(2, X.dtype))
    if nb:
        acc = jax.lax.fori_loop(0, nb, block, acc)
    if rem:
        tail = lambda a: None if a is None else a[nb * rows:]
        acc = add(acc, _block_stats(tail(X), tail(y), w, tail(cy), tail(crf), loss, losses))
    return acc


class _StepUpdate:
    """`update` of a plain callable `step(problem, w, eta) -> w`: stateless. Equal (and hashed) by the
    step, so the compiled program is reused across calls with the same callable, as before."""

    def __init__(self, step):
        self.step = step

    def __call__(self, problem, w, state, eta, params):
        return self.step(problem, w, eta), state

    def __eq__(self, other):
        return isinstance(other, _StepUpdate) and other.step is self.step

    def __hash__(self):
        return hash(("step", id(self.step)))


def _no_state(problem, w0, params, context):
    return ()


def _as_method(method, order):
    """A `Method` for every accepted form of `method` (validated by the caller)."""
    if isinstance(method, Method):
        return method
    if callable(method):
        return Method(_no_state, _StepUpdate(method), (), getattr(method, "__name__", "custom"))
    if method == "da_alternating":
        return REGISTRY[method].factory(order=order)
    return REGISTRY[method].factory()


@functools.partial(jax.jit, static_argnums=(1, 5, 6, 7))
def _run(problem, static, params, w0, eta, steps, every, kernel, w_oracle, w_original, key):
    r"""The scan behind `unlearn`. Carry $(w_t, w_{t-1}, \text{diverged\_at}, \text{state})$; each step is
    one evaluation at $w_t$ per half-step (`_pass`) for a built-in method (the first gives $w_t$'s record
    and divergence test from the same margins as its gradient), or the method's `update` plus one margins
    pass for the record. Outer scan over the recorded rows, inner loop over the `every` steps between them."""
    method = Method(static[0], static[1], params, *static[2:])
    dtype = w0.dtype
    bound = margin_bound(problem.loss, dtype)
    # the weighted means over R and F: $c^{\mathcal R}$ of $L_{\mathcal R}$, and $c^{\mathcal F}=-c$ of $L_{GA}$
    c_r, c_f = coefficients(problem, "oracle"), -coefficients(problem, "ga")
    crf = jnp.stack([c_r, c_f], axis=1)
    lam = problem.lam
    kinds = method.kinds
    cys = [coefficients(problem, kind) * problem.y for kind in kinds]

    def evaluate(w, state, losses):
        """Record of w and the next candidate iterate and state (before the divergence freeze)."""
        if kinds:
            g, mx, lrf = _pass(problem, w, cys[0], crf, losses=losses, kernel=kernel)
            w_next = w - eta * (g + lam * w)
            for cy in cys[1:]:
                g = _pass(problem, w_next, cy, crf, losses=False, kernel=kernel)[0]
                w_next = w_next - eta * (g + lam * w_next)
            state_next = state
        else:
            _, mx, lrf = _pass(problem, w, None, crf, losses=losses, kernel=kernel)
            w_next, state_next = method.update(problem, w, state, eta, params)
        return w_next, state_next, mx, lrf[0], lrf[1]

    def check(t, w, mx, div):
        # w_0 is never diverged; from step 1 on, a non-finite iterate or a margin beyond the bound
        bad = (t > 0) & (~jnp.all(jnp.isfinite(w)) | ~(mx <= bound))
        return jnp.where((div < 0) & bad, t, div).astype(jnp.int32)

    def step(t, carry, losses):
        w, w_prev, div, state = carry
        w_next, state_next, mx, lr, lf = evaluate(w, state, losses)
        div = check(t, w, mx, div)
        stop = div >= 0
        # Freeze at the last good iterate so nothing downstream computes on overflowed
        # values; the outputs from step diverged_at on are masked instead.
        # (the state freezes at state_t while w freezes at w_{t-1}: one step apart, harmless, since every
        # row from diverged_at on is masked and the state is never returned)
        state_next = jax.tree.map(lambda a, b: jnp.where(stop, a, b), state, state_next)
        carry = (jnp.where(stop, w_prev, w_next), jnp.where(stop, w_prev, w), div, state_next)
        return carry, (lr, lf)

    def spent(state, t):
        if method.cost is None:
            return jnp.asarray(jnp.nan, dtype)
        return jnp.asarray(method.cost(problem, params, state, jnp.asarray(t, dtype)), dtype)

    def row(w, lr, lf, div, grads):
        out = (w, jnp.linalg.norm(w - w_oracle), jnp.linalg.norm(w - w_original), lr, lf, grads)
        return jax.tree.map(lambda x: jnp.where(div >= 0, jnp.nan, x), out)

    def chunk(carry, xs):
        t0, length = xs
        w, state = carry[0], carry[3]
        grads = spent(state, t0)
        carry, (lr, lf) = step(t0, carry, True)
        # div after step t0 says whether w_{t0} (this row) is diverged
        out = row(w, lr, lf, carry[2], grads)
        if every > 1:  # the steps between rows: no losses, nothing kept
            carry = jax.lax.fori_loop(1, length, lambda i, c: step(t0 + i, c, False)[0], carry)
        return carry, out

    n_rows = -(-steps // every)  # ceil(T / k) rows before the last
    t_rows = np.minimum(np.arange(n_rows + 1) * every, steps).astype(np.int32)
    lengths = np.diff(t_rows).astype(np.int32)
    state0 = method.init(problem, w0, params, Context(w_original, key))
    carry = (w0, w0, jnp.asarray(-1, jnp.int32), state0)
    if n_rows:
        carry, outs = jax.lax.scan(chunk, carry, (jnp.asarray(t_rows[:-1]), jnp.asarray(lengths)))
    w_last = carry[0]
    _, mx, (lr, lf) = _pass(problem, w_last, None, crf, losses=True, kernel=kernel)
    div = check(steps, w_last, mx, carry[2])
    last = jax.tree.map(lambda x: x[None], row(w_last, lr, lf, div, spent(carry[3], jnp.asarray(steps, jnp.int32))))
    if n_rows:
        last = jax.tree.map(lambda a, b: jnp.concatenate([a, b]), outs, last)
    w, d_or, d_og, l_r, l_f, grads = last
    return Trajectory(w, d_or, d_og, l_r, l_f, div, jnp.asarray(t_rows), grads)


def unlearn(
    problem: Problem,
    method: Union[str, Method, Callable],
    *,
    eta,
    steps: int,
    start="original",
    order: str = "descent_first",
    references=None,
    record_every: int = 1,
    kernel: str = "auto",
    key=None,
) -> Trajectory:
    r"""Run an unlearning method for `steps` steps and record its trajectory.

    Let $\eta$ be `eta` and $T$ be `steps`. Distances are measured to the
    exact oracle $w^{\mathcal R}$ and original $w^{\mathcal D}$ from `solve`
    (or from `references`, solved once by `solve_references`).
    Gradients are the closed forms of Eq. (1); no Python loop over samples
    or steps.

    Args:
        problem: the unlearning problem.
        method: a registered name (`ascentlab.methods.NAMES`: "ga", "da",
            "da_alternating", "finetune", "neggrad_plus", ...; the method
            with its default parameters), a `ascentlab.methods.Method`
            (from a factory, e.g. `methods.neggrad_plus(beta=0.7)`; its
            `params` are traceable), or a callable
            `step(problem, w, eta) -> w` returning an array of w's shape (d,)
            and dtype (checked with `jax.eval_shape` before the run).
        eta: step size $\eta>0$ (traceable: vmap over it works).
        steps: number of steps $T\ge0$ (static).
        start: "original" ($w^{\mathcal D}$, default), "oracle"
            ($w^{\mathcal R}$), or an explicit vector of shape (d,)
            (traceable: vmap over it works). A method may replace it (e.g.
            "rewind" restarts from its checkpoint).
        order: for "da_alternating" by name, "descent_first" (App. D.3) or
            "ascent_first" (Sec. 5.1.1).
        references: optional `References` from `solve_references(problem)`
            (or anything with `.original.w` and `.oracle.w`, shape (d,)):
            the $w^{\mathcal D}$ and $w^{\mathcal R}$ used for `start` and the
            distances, instead of solving them again on every call
            (traceable: vmap over it works).
        record_every: record every k-th iterate, k >= 1 (static): the rows
            are steps $0,k,2k,\dots$ below $T$ and always $T$
            (`Trajectory.t` holds each row's step); only those rows are kept
            in memory. Divergence is still checked at every step.
        kernel: how X is read by the built-in DA family (static). "fused": one read per gradient, in
            row blocks of about 2 MiB that stay in cache between the margins
            $X_bw$ and $X_b^\top r_b$ (measured slower than "dense" on 2 quiet
            CPU cores, also for an 80 MB X); "dense": two dense passes $Xw$ and
            $r^\top X$; "auto" (default): "dense" (measured the faster on
            2 quiet CPU cores and the simple GPU path; "fused" only won
            while other jobs shared the cores). Both give the same
            iterates up to rounding (summation order).
        key: a JAX PRNG key for methods that draw noise ("noisy_gd";
            required there, ignored by deterministic methods). Same key,
            same bits.

    Cost per step: one evaluation of the margins $m=y\odot Xw_t$ per
    gradient, whose margins also give the record of $w_t$ (divergence test,
    mean losses) — one read of X per step for "ga", "da" and "finetune"
    with "fused" (two with "dense", the default), twice that for "da_alternating"; any other
    method costs its own passes plus one margins pass for the record.

    Returns:
        A `Trajectory` of ceil(T/k) + 1 rows (T + 1 with the default k = 1;
        1 when T = 0), the step of each in `Trajectory.t`, the gradient
        evaluations spent in `Trajectory.grads`; divergence is
        reported in `diverged_at` (the exact step), never as a silent NaN.

    References: Sec. 5.1 (DA), App. D.3 (alternating DA); each method's
    module in `ascentlab.methods` for the others.
    """
    where = "unlearn"
    problem = check_problem(where, problem)
    v.check_choice(where, "order", order, ORDERS)
    if not (isinstance(method, Method) or callable(method)):
        v.check_choice(where, "method", method, NAMES)
    method = _as_method(method, order)
    return _unlearn(where, problem, method, eta, steps, start, references, record_every, kernel, key)


def _unlearn(where, problem, method, eta, steps, start, references, record_every, kernel, key):
    """`unlearn` and `train` after the method is resolved."""
    v.check_positive_scalar(where, "eta", eta)
    steps = v.check_int(where, "steps", steps, minimum=0)
    every = v.check_int(where, "record_every", record_every, minimum=1)
    v.check_choice(where, "kernel", kernel, KERNELS)
    if kernel == "auto":
        kernel = "dense"
    if kernel == "fused":
        kernel = ("fused", _block_rows(problem.X.shape[1], problem.X.dtype))
    if key is not None:
        v.check_key(where, "key", key)
    elif method.needs_key:
        v.fail(where, "key", None, f"is required by method {method.name!r} (it draws noise): "
               "pass key=jax.random.key(0) (same key, same bits)")
    dtype = problem.X.dtype
    d = problem.X.shape[1]
    eta = jnp.asarray(eta, dtype)
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
    if not method.kinds:
        _check_method(where, method, problem, jax.ShapeDtypeStruct((d,), dtype), eta, w_original, key)
    return _run(problem, method.static(), method.params, w0, eta, steps, every, kernel, w_oracle, w_original, key)


def train(
    problem: Problem,
    *,
    eta,
    steps: int,
    start=None,
    references=None,
    record_every: int = 1,
    kernel: str = "auto",
) -> Trajectory:
    r"""Gradient descent on $L_{\mathcal D}$ (the original model's own training run), recorded.

    $w_{t+1}=w_t-\eta\nabla L_{\mathcal D}(w_t)$ from `start` (default the
    zero vector), with the same record as `unlearn` (distances to the exact
    oracle and original, mean losses, `Trajectory.t`, divergence). Its rows
    are the checkpoints "rewind" restarts from: for example
    `methods.rewind(train(problem, eta=1.0, steps=200, record_every=10).w[5])`
    rewinds to step 50. As $T\to\infty$ the run reaches $w^{\mathcal D}$
    ($L_{\mathcal D}$ is $\lambda$-strongly convex; converges for
    $\eta<2/\text{smoothness}$).

    Args:
        problem, references, record_every, kernel: as for `unlearn`.
        eta: step size $\eta>0$.
        steps: number of steps $T\ge0$ (static).
        start: the initial point, shape (d,) (default zeros).
    """
    where = "train"
    problem = check_problem(where, problem)
    if start is None:
        start = jnp.zeros(problem.X.shape[1], problem.X.dtype)
    elif isinstance(start, str):
        v.fail(where, "start", start, "must be an array of shape (d,) (the initial point) or None (zeros)")
    else:  # checked here, so that the message is train's (unlearn's also offers 'original'/'oracle')
        start = v.check_array(where, "start", start, ndim=v.as_array(where, "start", start).ndim)
        d = problem.X.shape[1]
        if start.shape != (d,):
            v.fail(where, "start", f"array of shape {start.shape}",
                   f"must have shape ({d},) (the initial point) or be None (zeros)")
    method = Method(_no_state, _train_update, (), "train", False, _train_cost, ("original",))
    return _unlearn(where, problem, method, eta, steps, start, references, record_every, kernel, None)


def _train_update(problem, w, state, eta, params):
    return w - eta * _gradient(problem, w, "original"), state


def _train_cost(problem, params, state, t):
    return t * jnp.sum(_sample_weights(problem))


_INIT = "init(problem, w0, params, context) -> state"
_UPDATE = "update(problem, w, state, eta, params) -> (w, state)"
_COST = "cost(problem, params, state, t) -> scalar"


def _check_signature(where, name, fn, args, contract):
    """`fn` is callable and takes `args` (positionally): else a ValueError stating the contract."""
    if not callable(fn):
        v.fail(where, name, fn, f"must be a function {contract} (the Method contract)")
    try:
        inspect.signature(fn).bind(*args)
    except TypeError as err:  # the wrong number of arguments: say what the contract is, not Python's message
        v.fail(where, name, getattr(fn, "__name__", fn), f"must be a function {contract} ({err})")
    except ValueError:  # a builtin without a signature: let the call below decide
        pass


def _shapes(tree):
    """A pytree's leaves as 'dtype[shape]' strings (for messages)."""
    return jax.tree.map(lambda x: f"{x.dtype}{list(x.shape)}", tree)


def _check_method(where, method, problem, w, eta, w_original, key):
    """A method must map w (shape (d,), the problem's dtype) to the same shape and dtype, and keep its
    state's structure; a plain callable must take (problem, w, eta). A user's own `Method`: `init`,
    `update` (and `cost`, when given) must be functions of the contract's arguments, `update` must
    return a pair (w, state), `cost` a scalar, and `params` must be numbers JAX can read."""
    if isinstance(method.update, _StepUpdate):
        step = method.update.step
        try:
            inspect.signature(step).bind(problem, w, eta)
        except TypeError as err:  # the wrong number of arguments: say what the contract is, not Python's message
            v.fail(where, "method", f"callable {getattr(step, '__name__', step)!r}",
                   f"must take (problem, w, eta) and return the new iterate ({err})")
        except ValueError:  # a builtin without a signature: let the call below decide
            pass
    else:
        context = Context(w_original, key)
        _check_signature(where, "method.init", method.init, (problem, w, method.params, context), _INIT)
        _check_signature(where, "method.update", method.update, (problem, w, (), eta, method.params), _UPDATE)
        if method.cost is not None:
            _check_signature(where, "method.cost", method.cost, (problem, method.params, (), eta), _COST)
        for leaf in jax.tree.leaves(method.params):
            try:
                ok = isinstance(leaf, jax.Array) or jnp.asarray(leaf).dtype != object
            except (TypeError, ValueError):
                ok = False
            if not ok or isinstance(leaf, str):
                v.fail(where, "method.params", method.params,
                       f"must be a pytree of numbers or arrays (JAX traces them), but holds {type(leaf).__name__} "
                       f"{leaf!r}; put non-numeric settings in the functions (e.g. functools.partial) instead")
    name = getattr(method.update, "__name__", method.name)

    def both(w):
        state = method.init(problem, w, method.params, Context(w_original, key))
        return method.update(problem, w, state, eta, method.params), state

    result, state_in = jax.eval_shape(both, w)
    if not isinstance(method.update, _StepUpdate):
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            v.fail(where, "method.update", f"{name!r} returning {_shapes(result)}",
                   f"must return a pair (w, state): {_UPDATE}")
    out, state_out = result
    if not (isinstance(out, jax.ShapeDtypeStruct) and out.shape == w.shape and out.dtype == w.dtype):
        got = _shapes(out)
        what = f"callable returning {got}" if isinstance(method.update, _StepUpdate) else f"update {name!r} returning w={got}"
        v.fail(where, "method", what,
               f"must return the new iterate, an array of shape {w.shape} and dtype {w.dtype} (those of w)")
    if jax.tree.structure(state_out) != jax.tree.structure(state_in) or jax.tree.leaves(state_out) != jax.tree.leaves(state_in):
        v.fail(where, "method", f"{method.name!r} (state {_shapes(state_in)} -> {_shapes(state_out)})",
               "must return a state of the same structure, shapes and dtypes as its init's "
               "(it is a lax.scan carry)")
    if method.cost is not None:
        t = jax.ShapeDtypeStruct((), w.dtype)
        try:
            spent = jax.eval_shape(lambda state, t: method.cost(problem, method.params, state, t), state_in, t)
        except TypeError as err:  # e.g. a string returned
            v.fail(where, "method.cost", getattr(method.cost, "__name__", method.cost),
                   f"must return a scalar number: {_COST} ({err})")
        if not (isinstance(spent, jax.ShapeDtypeStruct) and spent.shape == ()
                and (jnp.issubdtype(spent.dtype, jnp.floating) or jnp.issubdtype(spent.dtype, jnp.integer))):
            v.fail(where, "method.cost", f"{getattr(method.cost, '__name__', method.cost)!r} returning {_shapes(spent)}",
                   f"must return a scalar number (shape ()): {_COST}, the gradient evaluations in the first t steps")

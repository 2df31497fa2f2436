r"""Unlearning methods for MLPs trained with minibatch SGD: GA, GDA, SCRUB, NegGrad+, noisy descent, rewinding,
finetuning, and the benchmark's relative cost.

Every method takes **one** model's parameters (`ascentlab.nn.mlp`'s list of `(W, b)` pairs), the full
training data `X`, `y` and a 0/1 `forget` mask on its rows (the retain set $\mathcal R$ is the rest), and
runs as one jit-compiled `lax.scan` over epochs of `lax.scan`s over steps, with shapes that never depend
on the mask. So `jax.vmap` over models (a leading axis on every parameter leaf), over forget masks and
over traced hyper-parameters (`lr`, `momentum`, `weight_decay`, `ascent_epochs`, `beta`, `tau`,
`ce_weight`, `kl_weight`, `decay`, `sigma`) works; epochs, batch sizes and `snapshots` are static.

**Batches** are `mlp.minibatches`'s (see `ascentlab.nn.mlp`): in epoch $e$ a pass over a set with mask
$M$ and batch size $B$ visits every row of the set once, in the random order drawn from
`fold_in(k, e)`, in $\lceil|M|/B\rceil$ steps of $B$ rows (the last one partial), and the padded steps
change nothing. A forget pass runs only $\lceil k/B_F\rceil$ steps, $k$ = `max_forget` (by default
$|\mathcal F|$ when the mask is concrete, $n$ when it is traced: pass `max_forget` $\ge|\mathcal F|$ when
vmapping over forget masks, or the forget pass costs a full epoch of padding). The keys: `ga` orders
$\mathcal F$ with `key`; `finetune` and `rewind` order $\mathcal R$ with `key` (so `rewind` from a model's
initial parameters is `mlp.train` on $\mathcal R$ with the same key); `gda`, `scrub`, `neggrad_plus`
use `key_forget, key_retain = jax.random.split(key)`; `noisy_descent` uses
`key_retain, key_noise = jax.random.split(key)`.

**One step** on a batch $\mathcal B_t$ with weights $w_i$ (1 for the rows of the set, 0 for padding) is
PyTorch's `SGD` on an objective $J$ (coupled weight decay $\lambda$ = `weight_decay`, momentum $\mu$ =
`momentum`, both 0 by default, as in the benchmark code's unlearning runs):
$g_t=\nabla J_{\mathcal B_t}(\theta_t)+\lambda\theta_t$, $v_{t+1}=\mu v_t+g_t$,
$\theta_{t+1}=\theta_t-\eta_tv_{t+1}$, with one velocity $v$ for the whole run ("the same SGD optimizer
throughout"). With $\overline{\mathrm{CE}}_{\mathcal B}=\sum_{\mathcal B}w_i\ell_i/\sum_{\mathcal B}w_i$
the batch's mean cross-entropy, the methods are (epochs $e=0,\dots,E-1$, $E$ = `epochs`, $A$ =
`ascent_epochs`):

* `ga` (benchmark code `ascent_forget`): each epoch one pass over $\mathcal F$ with
  $J=-\overline{\mathrm{CE}}$ (ascent);
* `gda` (`ascent_descent`): each epoch, if $e<A$, one ascent pass over $\mathcal F$
  ($J=-\overline{\mathrm{CE}}$), then one descent pass over $\mathcal R$ ($J=\overline{\mathrm{CE}}$);
* `scrub` (`scrub`): as `gda`, with the ascent pass maximising the distillation loss
  $\overline{\mathrm{KL}}$ (`distill_kl`) to the frozen teacher (the starting parameters) and the
  descent pass minimising $\gamma\,\overline{\mathrm{CE}}+\alpha\,\overline{\mathrm{KL}}$; the step size
  decays by `decay` at each of the `milestones`;
* `neggrad_plus`: each epoch one pass over $\mathcal R$, step $t$ paired with the next forget batch
  ($\mathcal F$ cycled, as `zip(retain_loader, cycle(forget_loader))`), on
  $J=\beta\,\overline{\mathrm{CE}}_{\mathcal B^R_t}-(1-\beta)\,\overline{\mathrm{CE}}_{\mathcal B^F_t}$;
* `finetune` and `rewind`: each epoch one descent pass over $\mathcal R$ (from the given parameters,
  or from an earlier checkpoint of the training run);
* `noisy_descent`: `finetune`, then publish the parameters plus $\mathcal N(0,\sigma^2I)$.

With `snapshots` (epoch numbers $1\le k\le E$, like the benchmark's $\{1,3,5,7,10\}$, `SNAPSHOT_EPOCHS`)
a method returns `UnlearnResult(params, snapshots)`, the parameters after each listed epoch stacked on
a new leading axis, so one run gives the whole epoch axis of the grid.

References: "Ascent Fails to Forget" (arXiv 2509.26427), Sec. 6 and App. K; docs/theory.md §1.3 (c)-(e)
(the benchmark code's GA, GDA and SCRUB loops, RoyRin/data-unlearning-bench,
`data-unlearning/unlearning.py`), §1.4 (relative cost) and §4.6 (caveats); Kurmanji, Triantafillou,
Hayes, Triantafillou, "Towards Unbounded Machine Unlearning" (NeurIPS 2023) for SCRUB and NegGrad+.
The logistic-regression versions are `ascentlab.methods` (`scrub`, `neggrad_plus`, `noisy_gd`, `rewind`).
"""

import functools
import math
import numbers
from typing import NamedTuple, Optional, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from .. import _validate as v
from .mlp import (Params, _check_params, _check_sgd, _check_weights, _check_X, _check_y, _forward,
                  _minibatches, _per_sample_ce, _weighted_mean)

__all__ = ["ga", "gda", "scrub", "neggrad_plus", "finetune", "rewind", "noisy_descent", "distill_kl",
           "relative_cost", "UnlearnResult", "METHODS", "COST_METHODS", "SNAPSHOT_EPOCHS",
           "SCRUB_MILESTONES"]

METHODS = ("ga", "gda", "scrub", "neggrad_plus", "finetune", "rewind", "noisy_descent")
COST_METHODS = ("pretrained",) + METHODS + ("retrain",)
SNAPSHOT_EPOCHS = (1, 3, 5, 7, 10)
SCRUB_MILESTONES = (3, 5, 9)


class UnlearnResult(NamedTuple):
    """`params` after the last epoch; `snapshots` the parameters after each requested epoch, stacked on a
    new leading axis (entry i is after `snapshot_epochs[i]` epochs)."""

    params: Params
    snapshots: Params


# ----------------------------------------------------------------------------------------------- losses


def _distill_kl_rows(z_student, z_teacher, tau):
    """Per-row tau^2 KL(softmax(z_t/tau) || softmax(z_s/tau)); finite for finite logits."""
    log_t = jax.nn.log_softmax(z_teacher / tau, axis=-1)
    log_s = jax.nn.log_softmax(z_student / tau, axis=-1)
    return tau**2 * jnp.sum(jnp.exp(log_t) * (log_t - log_s), axis=-1)


def distill_kl(student_logits, teacher_logits, tau=4.0) -> jax.Array:
    r"""SCRUB's per-sample distillation loss $k_i=\tau^2\,\mathrm{KL}\big(p^t_i\,\|\,p^s_i\big)$, shape (n,).

    $p^t_i=\mathrm{softmax}(z^t_i/\tau)$ and $p^s_i=\mathrm{softmax}(z^s_i/\tau)$ from the teacher's and the
    student's logits (rows of `teacher_logits`, `student_logits`, shape (n, K), one floating dtype),
    $\tau$ = `tau`. The benchmark's `distill_kl_loss` is the batch mean of $k_i$
    (`F.kl_div(log_softmax(z_s/T), softmax(z_t/T), reduction="batchmean") * T**2`: the teacher's
    distribution first). The $\tau^2$ keeps the gradient's scale independent of $\tau$ (Hinton et al.
    2015): $\nabla_{z^s_i}k_i=\tau\,(p^s_i-p^t_i)$, which vanishes when the student's logits equal the
    teacher's, so SCRUB's first max-step from the teacher does nothing.

    References: docs/theory.md §1.3(e); Hinton, Vinyals, Dean, "Distilling the Knowledge in a Neural
    Network" (2015).
    """
    where = "unlearn.distill_kl"
    zs = v.check_array(where, "student_logits", student_logits, ndim=2)
    zt = v.check_array(where, "teacher_logits", teacher_logits, ndim=2)
    if zt.shape != zs.shape or zt.dtype != zs.dtype:
        v.fail(where, "teacher_logits", f"array of shape {zt.shape} and dtype {zt.dtype}",
               f"must have student_logits' shape {zs.shape} and dtype {zs.dtype}")
    v.check_positive_scalar(where, "tau", tau)
    return _distill_kl_rows(zs, zt, jnp.asarray(tau).astype(zs.dtype))


# ----------------------------------------------------------------------------------------------- the engine


def _tree_where(cond, new, old):
    return jax.tree.map(lambda a, b: jnp.where(cond, a, b), new, old)


def _steps(count, size):
    return (count + size - 1) // size


@functools.partial(jax.jit, static_argnames=("method", "epochs", "batch_size", "forget_batch", "forget_steps",
                                             "snapshots", "milestones", "activation"))
def _run(method, key, params, X, y, forget, hyper, *, epochs, batch_size, forget_batch, forget_steps, snapshots,
         milestones, activation):
    dtype = X.dtype
    h = {name: jnp.asarray(value).astype(dtype) for name, value in hyper.items()}
    lr, momentum, weight_decay = h["lr"], h["momentum"], h["weight_decay"]
    in_forget = forget > 0
    in_retain = jnp.logical_not(in_forget)
    active_f = _steps(jnp.sum(in_forget, dtype=jnp.int32), forget_batch)
    active_r = _steps(jnp.sum(in_retain, dtype=jnp.int32), batch_size)
    teacher = jax.tree.map(jax.lax.stop_gradient, params)
    if method == "ga":
        key_f, key_r = key, None
    elif method == "finetune":  # also rewind and noisy_descent's secret iterate
        key_f, key_r = None, key
    else:
        key_f, key_r = jax.random.split(key)

    def ce(p, idx, w):
        return _weighted_mean(_per_sample_ce(_forward(p, X[idx], activation), y[idx]), w)

    def kl(p, idx, w):
        z_t = _forward(teacher, X[idx], activation)
        return _weighted_mean(_distill_kl_rows(_forward(p, X[idx], activation), z_t, h["tau"]), w)

    def run_pass(state, batches, n_active, objective, eta):
        """One pass of SGD steps on `objective(p, batch)`; steps j >= n_active change nothing."""

        def step(carry, xs):
            p, vel = carry
            batch, j = xs
            g = jax.grad(objective)(p, batch)
            g = jax.tree.map(lambda gi, pi: gi + weight_decay * pi, g, p)
            vel_new = jax.tree.map(lambda vi, gi: momentum * vi + gi, vel, g)
            p_new = jax.tree.map(lambda pi, vi: pi - eta * vi, p, vel_new)
            active = j < n_active
            return (_tree_where(active, p_new, p), _tree_where(active, vel_new, vel)), None

        n_steps = jax.tree.leaves(batches)[0].shape[0]
        state, _ = jax.lax.scan(step, state, (batches, jnp.arange(n_steps, dtype=jnp.int32)))
        return state

    def forget_batches(e):
        idx, valid = _minibatches(jax.random.fold_in(key_f, e), forget, forget_batch)
        return idx[:forget_steps], valid[:forget_steps]

    def retain_batches(e):
        return _minibatches(jax.random.fold_in(key_r, e), in_retain.astype(dtype), batch_size)

    def epoch(state, e):
        eta = lr
        if milestones:
            passed = jnp.sum(e >= jnp.asarray(milestones, jnp.int32), dtype=jnp.int32)
            eta = lr * h["decay"] ** passed.astype(dtype)
        if method == "ga":
            state = run_pass(state, forget_batches(e), active_f, lambda p, b: -ce(p, *b), eta)
        elif method in ("gda", "scrub"):
            ascent = (lambda p, b: -ce(p, *b)) if method == "gda" else (lambda p, b: -kl(p, *b))
            state = jax.lax.cond(e.astype(dtype) < h["ascent_epochs"],
                                 lambda s: run_pass(s, forget_batches(e), active_f, ascent, eta), lambda s: s, state)
            if method == "gda":
                descent = lambda p, b: ce(p, *b)  # noqa: E731
            else:
                descent = lambda p, b: h["ce_weight"] * ce(p, *b) + h["kl_weight"] * kl(p, *b)  # noqa: E731
            state = run_pass(state, retain_batches(e), active_r, descent, eta)
        elif method == "neggrad_plus":
            idx_f, valid_f = forget_batches(e)
            idx_r, valid_r = retain_batches(e)
            pick = jnp.arange(idx_r.shape[0], dtype=jnp.int32) % jnp.maximum(active_f, 1)
            batches = (idx_r, valid_r, idx_f[pick], valid_f[pick])
            beta = h["beta"]

            def objective(p, b):
                return beta * ce(p, b[0], b[1]) - (jnp.ones_like(beta) - beta) * ce(p, b[2], b[3])

            state = run_pass(state, batches, active_r, objective, eta)
        else:  # finetune
            state = run_pass(state, retain_batches(e), active_r, lambda p, b: ce(p, *b), eta)
        return state, (state[0] if snapshots else None)

    vel0 = jax.tree.map(jnp.zeros_like, params)
    (p_final, _), per_epoch = jax.lax.scan(epoch, (params, vel0), jnp.arange(epochs, dtype=jnp.int32))
    snaps = None
    if snapshots:
        rows = jnp.asarray([k - 1 for k in snapshots], jnp.int32)
        snaps = jax.tree.map(lambda a: a[rows], per_epoch)
    return p_final, snaps


@functools.partial(jax.jit, static_argnames=("epochs",))
def _publish(key_noise, params, snaps, sigma, *, epochs):
    """`params` + sigma N(0, I) from fold_in(key_noise, epochs); snapshot k + noise from fold_in(key_noise, k)."""

    def noisy(p, k):
        leaves, treedef = jax.tree.flatten(p)
        keys = jax.random.split(jax.random.fold_in(key_noise, k), len(leaves))
        noise = [jax.random.normal(kk, a.shape, a.dtype) for a, kk in zip(leaves, keys)]
        return jax.tree.unflatten(treedef, [a + jnp.asarray(sigma).astype(a.dtype) * xi
                                            for a, xi in zip(leaves, noise)])

    params = noisy(params, epochs)
    if snaps is not None:
        snaps = jax.vmap(noisy)(snaps[0], snaps[1])
    return params, snaps


# ----------------------------------------------------------------------------------------------- validation


def _check_snapshots(where, snapshots, epochs):
    if isinstance(snapshots, (str, bytes)) or not isinstance(snapshots, Sequence):
        v.fail(where, "snapshots", snapshots, "must be a sequence of epoch numbers")
    for k in snapshots:
        if isinstance(k, (bool, np.bool_)) or not isinstance(k, numbers.Integral) or not 1 <= k <= epochs:
            v.fail(where, "snapshots", snapshots, f"must hold Python ints in [1, epochs={epochs}]")
    snapshots = tuple(int(k) for k in snapshots)
    if any(b <= a for a, b in zip(snapshots, snapshots[1:])):
        v.fail(where, "snapshots", snapshots, "must be strictly increasing")
    return snapshots


def _check_count(where, name, value):
    """A whole number >= 0 (a traced value passes)."""
    v.check_positive_scalar(where, name, value, allow_zero=True)
    if v.is_concrete(value) and float(value) != int(float(value)):
        v.fail(where, name, value, "must be a whole number")
    return value


def _check_fraction(where, name, value):
    v.check_positive_scalar(where, name, value, allow_zero=True)
    if v.is_concrete(value) and not float(value) <= 1:
        v.fail(where, name, value, "must satisfy 0 <= value <= 1")
    return value


def _prepare(where, key, params, X, y, forget, *, epochs, lr, momentum, weight_decay, snapshots, activation,
             batch_size, forget_batch=None, max_forget=None, needs_forget, needs_retain):
    """Validate the common arguments; return (params, X, y, forget as X's dtype, epochs, snapshots, forget_steps)."""
    v.check_key(where, "key", key)
    sizes, dtype = _check_params(where, params)
    X = _check_X(where, X, sizes, dtype)
    y = _check_y(where, y, X.shape[0], sizes[-1])
    n = X.shape[0]
    forget = v.as_array(where, "forget", forget)
    if forget.shape != (n,):
        v.fail(where, "forget", f"array of shape {forget.shape}", f"must have shape ({n},) (a mask on the rows of X)")
    forget = _check_weights(where, "forget", forget, n, binary=True) if needs_forget else forget
    if v.is_concrete(forget) and forget.size:
        a = np.asarray(forget, np.float64)
        if not np.all((a == 0) | (a == 1)):
            v.fail(where, "forget", f"array with values {np.unique(a)[:5]}", "must hold only 0 and 1 (a mask)")
        if needs_retain and a.sum() >= n:
            v.fail(where, "forget", "a mask of ones", "must leave at least one row in the retain set")
    epochs, batch_size = _check_sgd(where, epochs, batch_size, lr, momentum, weight_decay, activation)
    snapshots = _check_snapshots(where, snapshots, epochs)
    forget_steps = 0
    if needs_forget:
        forget_batch = v.check_int(where, "forget_batch", forget_batch, minimum=1)
        count = int(np.sum(np.asarray(forget) > 0)) if v.is_concrete(forget) else n
        if max_forget is None:
            max_forget = count
        else:
            max_forget = v.check_int(where, "max_forget", max_forget, minimum=1)
            if max_forget > n or (v.is_concrete(forget) and max_forget < count):
                v.fail(where, "max_forget", max_forget,
                       f"must be in [|F|, n] = [{count if v.is_concrete(forget) else 1}, {n}]")
        forget_steps = _steps(max_forget, forget_batch)
    forget = (forget != jnp.zeros((), forget.dtype)).astype(dtype)  # any dtype, bool included (strict promotion)
    return list(params), X, y, forget, epochs, batch_size, snapshots, forget_steps


def _finish(out, snapshots):
    params, snaps = out
    return UnlearnResult(params, snaps) if snapshots else params


def _call(method, key, params, X, y, forget, hyper, *, epochs, batch_size, forget_batch, forget_steps, snapshots,
          milestones=(), activation):
    return _finish(_run(method, key, params, X, y, forget, hyper, epochs=epochs, batch_size=batch_size,
                        forget_batch=forget_batch, forget_steps=forget_steps, snapshots=snapshots,
                        milestones=milestones, activation=activation), snapshots)


# ----------------------------------------------------------------------------------------------- the methods


def ga(key, params: Params, X, y, forget, *, lr, epochs: int, batch_size: int = 64, momentum=0.0, weight_decay=0.0,
       snapshots: Sequence[int] = (), max_forget: Optional[int] = None, activation: str = "relu"):
    r"""Gradient ascent (GA): `epochs` passes of SGD on $-\overline{\mathrm{CE}}$ over the forget set $\mathcal F$.

    Step on the forget batch $\mathcal B_t$ ($B$ = `batch_size`, order from `fold_in(key, e)` in epoch $e$):
    $\theta_{t+1}=\theta_t+\eta\,\nabla\overline{\mathrm{CE}}_{\mathcal B_t}(\theta_t)$ with $\eta$ = `lr` (plus
    momentum and coupled weight decay when given; the benchmark code has neither). The benchmark's
    `ascent_forget`: `torch.optim.SGD(lr)`, forget loader of batch 64, snapshots after epochs
    $\{1,3,5,7,10\}$.

    Args:
        key: orders the forget set in each epoch.
        params: one model's parameters (`mlp.init`/`mlp.train`); its dtype is `X`'s.
        X, y: the full training data (n, p) and labels (n,).
        forget: the 0/1 mask of $\mathcal F$ on the rows of `X` (at least one row).
        lr: $\eta>0$ (traceable). epochs: passes over $\mathcal F$.
        snapshots: epoch numbers after which to keep the parameters (see the module docstring).
        max_forget: static bound on $|\mathcal F|$ (see the module docstring).

    Returns:
        The parameters after `epochs` passes, or `UnlearnResult` with `snapshots`.

    References: docs/theory.md §1.3(c); "Ascent Fails to Forget" (arXiv 2509.26427), Sec. 6.
    """
    where = "unlearn.ga"
    params, X, y, forget, epochs, batch_size, snapshots, forget_steps = _prepare(
        where, key, params, X, y, forget, epochs=epochs, lr=lr, momentum=momentum, weight_decay=weight_decay,
        snapshots=snapshots, activation=activation, batch_size=batch_size, forget_batch=batch_size,
        max_forget=max_forget, needs_forget=True, needs_retain=False)
    hyper = dict(lr=lr, momentum=momentum, weight_decay=weight_decay)
    return _call("ga", key, params, X, y, forget, hyper, epochs=epochs, batch_size=batch_size,
                 forget_batch=batch_size, forget_steps=forget_steps, snapshots=snapshots, activation=activation)


def gda(key, params: Params, X, y, forget, *, lr, epochs: int, ascent_epochs, forget_batch: int = 64,
        batch_size: int = 64, momentum=0.0, weight_decay=0.0, snapshots: Sequence[int] = (),
        max_forget: Optional[int] = None, activation: str = "relu"):
    r"""Gradient descent-ascent (GDA, the benchmark's `ascent_descent`): ascent on F, then descent on R, per epoch.

    For epoch $e=0,\dots,E-1$ ($E$ = `epochs`): if $e<A$ ($A$ = `ascent_epochs`, the benchmark's "epoch
    $\le$ ascent_epochs" counted from 1), one pass of steps
    $\theta\leftarrow\theta+\eta\nabla\overline{\mathrm{CE}}_{\mathcal B^F}(\theta)$ over forget batches of
    `forget_batch` rows; then one pass of $\theta\leftarrow\theta-\eta\nabla\overline{\mathrm{CE}}_{\mathcal
    B^R}(\theta)$ over retain batches of `batch_size` rows; one optimiser (velocity) for both. Keys:
    `key_forget, key_retain = jax.random.split(key)`, epoch $e$ orders with `fold_in(key_*, e)`. So
    $A=0$ is `finetune(key_retain, ...)`.

    Args:
        ascent_epochs: $A\ge0$, a whole number (traceable: vmap over it works).
        Others: as in `ga`; `batch_size` is the retain batch (64 in the benchmark), `forget_batch` the
        forget batch (32 or 64).

    References: docs/theory.md §1.3(d) (benchmark code `ascent_descent`, its example config: lr 0.001,
    3 ascent epochs, forget batch 32, snapshots at epochs {5, 7, 10}).
    """
    where = "unlearn.gda"
    _check_count(where, "ascent_epochs", ascent_epochs)
    params, X, y, forget, epochs, batch_size, snapshots, forget_steps = _prepare(
        where, key, params, X, y, forget, epochs=epochs, lr=lr, momentum=momentum, weight_decay=weight_decay,
        snapshots=snapshots, activation=activation, batch_size=batch_size, forget_batch=forget_batch,
        max_forget=max_forget, needs_forget=True, needs_retain=True)
    hyper = dict(lr=lr, momentum=momentum, weight_decay=weight_decay, ascent_epochs=ascent_epochs)
    return _call("gda", key, params, X, y, forget, hyper, epochs=epochs, batch_size=batch_size,
                 forget_batch=forget_batch, forget_steps=forget_steps, snapshots=snapshots, activation=activation)


def scrub(key, params: Params, X, y, forget, *, lr, epochs: int, ascent_epochs, forget_batch: int = 64,
          batch_size: int = 64, tau=4.0, ce_weight=0.99, kl_weight=0.1, milestones: Sequence[int] = SCRUB_MILESTONES,
          decay=0.1, momentum=0.0, weight_decay=0.0, snapshots: Sequence[int] = (),
          max_forget: Optional[int] = None, activation: str = "relu"):
    r"""SCRUB: a student distilled from the frozen teacher (the start) on $\mathcal R$, pushed from it on $\mathcal F$.

    With $k_i$ = `distill_kl` (the per-sample $\tau^2\,\mathrm{KL}(p^{\text{teacher}}_i\|p^{\text{student}}_i)$ at
    temperature $\tau$ = `tau`) and $\overline{k}_{\mathcal B}$ its batch mean, epoch $e$ is (keys as in
    `gda`):

    1. if $e<A$ ($A$ = `ascent_epochs`): a pass of **max-steps** over forget batches,
       $\theta\leftarrow\theta+\eta_e\nabla\overline{k}_{\mathcal B^F}(\theta)$ (the first is a no-op: at the
       teacher the KL and its gradient vanish);
    2. a pass of **min-steps** over retain batches,
       $\theta\leftarrow\theta-\eta_e\nabla\big(\gamma\,\overline{\mathrm{CE}}_{\mathcal B^R}
       +\alpha\,\overline{k}_{\mathcal B^R}\big)(\theta)$,

    with $\gamma$ = `ce_weight`, $\alpha$ = `kl_weight` and $\eta_e=\eta\cdot\text{decay}^{\#\{m\in\text{milestones}:\,
    e\ge m\}}$ (0-based $e$: the benchmark's `adjust_learning_rate`, which counts 1-based epochs strictly
    above each milestone). Defaults are the benchmark code's `scrub`: $\tau=4$, $\gamma=0.99$, $\alpha=0.1$,
    the step size $\times0.1$ after epochs 3, 5 and 9 (pass `milestones=()` for a constant step).

    Caveat (docs/theory.md §4.6, Caveat 2): in that benchmark code the optimiser is built over the
    *teacher's* parameters while the losses go through the student, so as written its student never
    moves. Whether the paper's SCRUB runs used that code is unknown. This function implements SCRUB as
    described (the student moves); it does not reproduce that possible bug.

    Args:
        tau, ce_weight, kl_weight, decay: traceable scalars ($\tau>0$, $\gamma,\alpha\ge0$, decay $>0$).
        milestones: 0-based epochs (static ints) from which the step size is multiplied by `decay` again.
        Others: as in `gda`.

    References: Kurmanji, Triantafillou, Hayes, Triantafillou, "Towards Unbounded Machine Unlearning"
    (NeurIPS 2023, arXiv 2302.09880); docs/theory.md §1.3(e); `ascentlab.methods.scrub` (the linear model).
    """
    where = "unlearn.scrub"
    _check_count(where, "ascent_epochs", ascent_epochs)
    v.check_positive_scalar(where, "tau", tau)
    v.check_positive_scalar(where, "ce_weight", ce_weight, allow_zero=True)
    v.check_positive_scalar(where, "kl_weight", kl_weight, allow_zero=True)
    v.check_positive_scalar(where, "decay", decay)
    if isinstance(milestones, (str, bytes)) or not isinstance(milestones, Sequence) or any(
            isinstance(m, (bool, np.bool_)) or not isinstance(m, numbers.Integral) or m < 0 for m in milestones):
        v.fail(where, "milestones", milestones, "must be a sequence of Python ints >= 0 (0-based epochs)")
    params, X, y, forget, epochs, batch_size, snapshots, forget_steps = _prepare(
        where, key, params, X, y, forget, epochs=epochs, lr=lr, momentum=momentum, weight_decay=weight_decay,
        snapshots=snapshots, activation=activation, batch_size=batch_size, forget_batch=forget_batch,
        max_forget=max_forget, needs_forget=True, needs_retain=True)
    hyper = dict(lr=lr, momentum=momentum, weight_decay=weight_decay, ascent_epochs=ascent_epochs, tau=tau,
                 ce_weight=ce_weight, kl_weight=kl_weight, decay=decay)
    return _call("scrub", key, params, X, y, forget, hyper, epochs=epochs, batch_size=batch_size,
                 forget_batch=forget_batch, forget_steps=forget_steps, snapshots=snapshots,
                 milestones=tuple(int(m) for m in milestones), activation=activation)


def neggrad_plus(key, params: Params, X, y, forget, *, lr, epochs: int, beta=0.9, forget_batch: int = 64,
                 batch_size: int = 64, momentum=0.0, weight_decay=0.0, snapshots: Sequence[int] = (),
                 max_forget: Optional[int] = None, activation: str = "relu"):
    r"""NegGrad+: descent on $\beta\,\overline{\mathrm{CE}}_R-(1-\beta)\,\overline{\mathrm{CE}}_F$ on paired batches.

    Each epoch is one pass over $\mathcal R$ in batches $\mathcal B^R_t$ of `batch_size` rows; step $t$
    pairs it with forget batch $\mathcal B^F_{t\bmod S_F}$ of that epoch's forget order ($S_F=\lceil|\mathcal
    F|/B_F\rceil$ batches of `forget_batch` rows, $\mathcal F$ cycled in the same order, as
    `zip(retain_loader, itertools.cycle(forget_loader))`):
    $\theta\leftarrow\theta-\eta\big(\beta\nabla\overline{\mathrm{CE}}_{\mathcal B^R_t}-(1-\beta)\nabla
    \overline{\mathrm{CE}}_{\mathcal B^F_t}\big)$. $\beta$ = `beta` $\in[0,1]$: $\beta=1$ is `finetune` with
    `key_retain`; $\beta=\frac12$ with step $\eta$ is simultaneous descent-ascent
    ($\nabla\overline{\mathrm{CE}}_R-\nabla\overline{\mathrm{CE}}_F$) with step $\eta/2$. Keys as in `gda`.

    References: Kurmanji et al. (NeurIPS 2023), the NegGrad+ baseline; `ascentlab.methods.neggrad_plus`
    (the linear model, with the same two identities).
    """
    where = "unlearn.neggrad_plus"
    _check_fraction(where, "beta", beta)
    params, X, y, forget, epochs, batch_size, snapshots, forget_steps = _prepare(
        where, key, params, X, y, forget, epochs=epochs, lr=lr, momentum=momentum, weight_decay=weight_decay,
        snapshots=snapshots, activation=activation, batch_size=batch_size, forget_batch=forget_batch,
        max_forget=max_forget, needs_forget=True, needs_retain=True)
    hyper = dict(lr=lr, momentum=momentum, weight_decay=weight_decay, beta=beta)
    return _call("neggrad_plus", key, params, X, y, forget, hyper, epochs=epochs, batch_size=batch_size,
                 forget_batch=forget_batch, forget_steps=forget_steps, snapshots=snapshots, activation=activation)


def _descent(where, key, params, X, y, forget, *, lr, epochs, batch_size, momentum, weight_decay, snapshots,
             activation):
    """finetune, rewind and noisy_descent's descent: one compiled program for all three."""
    params, X, y, forget, epochs, batch_size, snapshots, _ = _prepare(
        where, key, params, X, y, forget, epochs=epochs, lr=lr, momentum=momentum, weight_decay=weight_decay,
        snapshots=snapshots, activation=activation, batch_size=batch_size, needs_forget=False, needs_retain=True)
    hyper = dict(lr=lr, momentum=momentum, weight_decay=weight_decay)
    out = _run("finetune", key, params, X, y, forget, hyper, epochs=epochs, batch_size=batch_size, forget_batch=1,
               forget_steps=0, snapshots=snapshots, milestones=(), activation=activation)
    return out, epochs, snapshots


def finetune(key, params: Params, X, y, forget, *, lr, epochs: int, batch_size: int = 64, momentum=0.0,
             weight_decay=0.0, snapshots: Sequence[int] = (), activation: str = "relu"):
    r"""Finetuning: `epochs` passes of SGD descent on the retain set's cross-entropy, from `params`.

    $\theta\leftarrow\theta-\eta\nabla\overline{\mathrm{CE}}_{\mathcal B^R}(\theta)$ (plus momentum and coupled
    weight decay when given), retain order from `fold_in(key, e)`: exactly `mlp.train(key, params, X, y,
    mask=1-forget, ...)` with the constant schedule. The paper's "finetuning" is this after DA (Sec. 5.2);
    as a method on its own it is the do-little baseline ($\beta=1$ of `neggrad_plus`, $A=0$ of `gda`).

    References: docs/theory.md §1.3(f).
    """
    out, _, snapshots = _descent("unlearn.finetune", key, params, X, y, forget, lr=lr, epochs=epochs,
                                 batch_size=batch_size, momentum=momentum, weight_decay=weight_decay,
                                 snapshots=snapshots, activation=activation)
    return _finish(out, snapshots)


def rewind(key, checkpoint_params: Params, X, y, forget, *, lr, epochs: int, batch_size: int = 64, momentum=0.0,
           weight_decay=0.0, snapshots: Sequence[int] = (), activation: str = "relu"):
    r"""Rewinding: descent on $\mathcal R$ from an earlier checkpoint of the original training run.

    `checkpoint_params` is the model after $s$ epochs of its training on $\mathcal D$ (`mlp.train(...,
    checkpoints=True).checkpoints`, entry $s$; with an ensemble, the member's row). From there, `epochs`
    passes of $\theta\leftarrow\theta-\eta\nabla\overline{\mathrm{CE}}_{\mathcal B^R}(\theta)$ as in
    `finetune`. Rewinding to $s=0$ (the initial parameters) with the training run's recipe is retraining on
    $\mathcal R$ (exact unlearning, at full cost: with the same `key` it is bit for bit `mlp.train` on the
    retain mask); rewinding to the last checkpoint is finetuning. In between, the earlier the checkpoint,
    the less of $\mathcal F$'s influence it carries and the more descent it needs.

    References: Mu, Klabjan, "Rewind-to-Delete: Certified Machine Unlearning for Nonconvex Functions"
    (NeurIPS 2025, arXiv 2409.09778), its noise-free core; `ascentlab.methods.rewind` (the linear model).
    """
    out, _, snapshots = _descent("unlearn.rewind", key, checkpoint_params, X, y, forget, lr=lr, epochs=epochs,
                                 batch_size=batch_size, momentum=momentum, weight_decay=weight_decay,
                                 snapshots=snapshots, activation=activation)
    return _finish(out, snapshots)


def noisy_descent(key, params: Params, X, y, forget, *, lr, epochs: int, sigma, batch_size: int = 64, momentum=0.0,
                  weight_decay=0.0, snapshots: Sequence[int] = (), activation: str = "relu"):
    r"""Noisy descent: `finetune` on $\mathcal R$, then publish $\hat\theta_k=\theta_k+\sigma\xi_k$, Gaussian $\xi_k$.

    With `key_retain, key_noise = jax.random.split(key)`: the secret iterate $\theta_k$ after $k$ epochs is
    `finetune(key_retain, ...)`'s (the noise never feeds back), and the published model after $k$ epochs
    (the result, $k=E$, and each snapshot) adds noise drawn from `fold_in(key_noise, k)` to every parameter
    leaf. $\sigma$ = `sigma` $\ge0$ is a fixed scale (traceable).

    **No certificate.** For a strongly convex, smooth objective Descent-to-Delete's noise scale makes the
    published model $(\epsilon,\delta)$-indistinguishable from retraining (`ascentlab.methods.noisy_gd`);
    that argument needs the descent map to contract towards a unique minimiser, which a non-convex network
    does not give. Here $\sigma$ is a knob of the trade-off between distance to the oracle ensemble and
    accuracy, not a privacy guarantee.

    References: Neel, Roth, Sharifi-Malvajerdi, "Descent-to-Delete" (ALT 2021, arXiv 2007.02923), the
    perturbed-descent template; `ascentlab.methods.noisy_gd` (the certified linear version).
    """
    where = "unlearn.noisy_descent"
    v.check_positive_scalar(where, "sigma", sigma, allow_zero=True)
    v.check_key(where, "key", key)
    key_retain, key_noise = jax.random.split(key)
    (params, snaps), epochs, snapshots = _descent(
        where, key_retain, params, X, y, forget, lr=lr, epochs=epochs, batch_size=batch_size, momentum=momentum,
        weight_decay=weight_decay, snapshots=snapshots, activation=activation)
    stacked = (snaps, jnp.asarray(snapshots, jnp.int32)) if snapshots else None
    return _finish(_publish(key_noise, params, stacked, sigma, epochs=epochs), snapshots)


# ----------------------------------------------------------------------------------------------- relative cost


def relative_cost(method: str, n_forget: int, n_retain: int, n_val: int, epochs: int, ascent_epochs: int = 0,
                  train_epochs: int = 24, *, batch_size: int = 64, forget_batch: int = 64) -> float:
    r"""Gradient work of an unlearning run relative to training, as the benchmark code defines it.

    Denominator: $\text{total}=(|\mathcal F|+|\mathcal R|+|\text{val}|)\cdot E_{\text{train}}$ ($E_{\text{train}}$
    = `train_epochs`, 24 for CIFAR-10). Numerators, with $e$ = `epochs`, $A$ = `ascent_epochs`:

    * "ga": $|\mathcal F|\,e$;
    * "gda", "scrub": $|\mathcal F|\min(A,e)+|\mathcal R|\,e$ (the benchmark's GDA formula, "scrub" in its
      older version; $\min(A,e)=A$ on its grids. SCRUB's teacher forward passes are not counted);
    * "finetune", "rewind", "noisy_descent": $|\mathcal R|\,e$ (the checkpoint's training is the original
      model's, not charged);
    * "neggrad_plus": $(|\mathcal R|+f)\,e$ with $f=q|\mathcal F|+r\,B_F$ the forget rows paired per epoch,
      $(q,r)=\mathrm{divmod}(\lceil|\mathcal R|/B\rceil,\lceil|\mathcal F|/B_F\rceil)$ ($B$ = `batch_size`,
      $B_F$ = `forget_batch`);
    * "retrain": the benchmark's $e/E_{\text{train}}$ (it charges a retraining epoch as a whole epoch);
    * "pretrained": 0 (do nothing).

    Worked example (docs/theory.md §1.4): GDA on CIFAR-10 sizes, $|\mathcal F|=100$, $|\mathcal R|=49{,}900$,
    $|\text{val}|=10{,}000$, $e=7$, $A=3$: $(300+49{,}900\cdot7)/(60{,}000\cdot24)=0.243$.

    References: benchmark code `src/plots_data_processing.py` (RoyRin/data-unlearning-bench); docs/theory.md §1.4.
    """
    where = "unlearn.relative_cost"
    v.check_choice(where, "method", method, COST_METHODS)
    n_forget = v.check_int(where, "n_forget", n_forget, minimum=0)
    n_retain = v.check_int(where, "n_retain", n_retain, minimum=0)
    n_val = v.check_int(where, "n_val", n_val, minimum=0)
    epochs = v.check_int(where, "epochs", epochs, minimum=0)
    ascent_epochs = v.check_int(where, "ascent_epochs", ascent_epochs, minimum=0)
    train_epochs = v.check_int(where, "train_epochs", train_epochs, minimum=1)
    batch_size = v.check_int(where, "batch_size", batch_size, minimum=1)
    forget_batch = v.check_int(where, "forget_batch", forget_batch, minimum=1)
    if n_forget + n_retain + n_val == 0:
        v.fail(where, "n_forget", n_forget, "and n_retain, n_val must not all be 0")
    total = (n_forget + n_retain + n_val) * train_epochs
    if method == "pretrained":
        work = 0
    elif method == "retrain":
        return epochs / train_epochs
    elif method == "ga":
        work = n_forget * epochs
    elif method in ("gda", "scrub"):
        work = n_forget * min(ascent_epochs, epochs) + n_retain * epochs
    elif method == "neggrad_plus":
        if n_forget == 0:
            v.fail(where, "n_forget", n_forget, "must be >= 1 for neggrad_plus (forget batches are paired)")
        q, r = divmod(math.ceil(n_retain / batch_size), math.ceil(n_forget / forget_batch))
        work = (n_retain + q * n_forget + r * forget_batch) * epochs
    else:
        work = n_retain * epochs
    return work / total

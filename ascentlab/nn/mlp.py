r"""Small multilayer perceptrons in pure JAX, trained with minibatch SGD, and ensembles of them trained at once.

**Parameters** are a pytree: a list of `(W, b)` pairs, one per layer, $W_l$ of shape
$(d_{l-1}, d_l)$ and $b_l$ of shape $(d_l,)$, for `sizes` $=(d_0,\dots,d_L)$ (input width, hidden
widths, number of classes $K=d_L$). The network is
$z=h_{L-1}W_L+b_L$ with $h_0=x$, $h_l=\sigma(h_{l-1}W_l+b_l)$ and $\sigma$ = ReLU or tanh
(`activation`). `init` draws $W_l\sim\mathcal N(0, 2/d_{l-1})$ (He et al. 2015, `scheme="he"`,
the default, for ReLU) or $\mathcal N(0, 2/(d_{l-1}+d_l))$ (Glorot and Bengio 2010, normal form,
`scheme="glorot"`, for tanh), and $b_l=0$.

**Margins** (the KLoM benchmark's): $m(x,y)=z_y-\log\sum_{k\ne y}e^{z_k}$, computed with a
log-sum-exp over the other classes, so it is finite for any finite logits. The cross-entropy is
$\ell=\log\sum_ke^{z_k}-z_y=\operatorname{softplus}(-m)$; `cross_entropy` is its weighted mean
$\sum_iw_i\ell_i/\sum_iw_i$ (the plain mean without weights; 0 when every weight is 0), so a
retain set is a 0/1 mask on the full data set.

**Minibatch SGD with a fixed batch size $B$** (as the paper trains; a partial last batch is kept,
as PyTorch's `DataLoader` does without `drop_last`). Shapes never depend on the mask, so training on
$\mathcal D$ (mask of ones) and on $\mathcal R$ (mask 0 on the forget set) is one compiled program:

* every epoch $e$ draws $u_i\sim U[0,1)$ from `fold_in(fold_in(key, e), i)` for each row $i$ (so
  $u_i$ depends on the key, the epoch and the row only), sets $u_i=2$ where the mask is 0, and
  sorts: the $m=\sum_i\mathrm{mask}_i$ masked rows come first, in random order;
* the epoch has $S=\lceil n/B\rceil$ steps of $B$ slots ($n$ = rows of `X`); slot $p$ of the sorted
  order takes weight 1 when $p<m$ and 0 otherwise (padding), and a step whose slots are all
  padding ($jB\ge m$) leaves the parameters and the momentum unchanged. So each epoch visits every
  masked row exactly once, in $\lceil m/B\rceil$ steps of $B$ rows (the last one of $m-B\lfloor
  (m-1)/B\rfloor$ rows), and never an unmasked row; the padded steps cost compute (about
  $|\mathcal F|/n$ of an epoch on $\mathcal R$) but change nothing.
* Because $u_i$ depends on the row index only, training on a mask whose ones are the first $m$ rows
  is exactly training on those $m$ rows (same batches, same order).

One step on the batch $\mathcal B_t$ with weights $w_i$ (PyTorch's `SGD`: coupled weight decay
$\lambda$ on every parameter, momentum $\mu$, no dampening, no Nesterov):
$g_t=\nabla_\theta\frac{\sum_{i\in\mathcal B_t}w_i\ell_i(\theta_t)}{\sum_{i\in\mathcal B_t}w_i}
+\lambda\theta_t$, $v_{t+1}=\mu v_t+g_t$ ($v_0=0$), $\theta_{t+1}=\theta_t-\eta_t v_{t+1}$.

**Learning-rate schedule** $\eta_t=\eta\,s(\tau_t)$ with $\tau_t=e+j/\lceil m/B\rceil$ the epoch
progress at step $j$ of epoch $e$: `"constant"`, $s=1$; `"triangular"` (the paper's ResNet-9 recipe
and the benchmark code's: linear from 0 up to 1 at the peak epoch $e_p$, then linearly down to 0 at
the last epoch $E$), $s(\tau)=\tau/e_p$ for $\tau<e_p$, $(E-\tau)/(E-e_p)$ after, with
$e_p=5E/24$ by default (peak 5 of 24 epochs); or any function of $\tau$.

`train` is one `lax.scan` (epochs) of a `lax.scan` (steps), jit-compiled; `train_ensemble` vmaps
initialisation and data order over `n_models` keys (and over per-model masks, so N models on
$\mathcal D$ and N oracles on $\mathcal R$ are one program). Same key, same bits.

References: "Ascent Fails to Forget" (arXiv 2509.26427), Sec. 6 and App. K; docs/theory.md §1.4 (the
margin, KLoM) and §4.2 (the training recipe: fixed batch size, SGD with momentum and weight decay, the
triangular schedule).
"""

import functools
import math
import numbers
from typing import Callable, NamedTuple, Optional, Sequence, Union

import jax
import jax.numpy as jnp
import numpy as np

from .. import _validate as v

__all__ = ["init", "forward", "margins", "margins_from_logits", "cross_entropy", "accuracy", "minibatches",
           "train", "train_ensemble", "ensemble_keys", "TrainResult", "ACTIVATIONS", "SCHEDULES", "INIT_SCHEMES"]

ACTIVATIONS = ("relu", "tanh")
SCHEDULES = ("constant", "triangular")
INIT_SCHEMES = ("he", "glorot")

Params = list  # [(W_1, b_1), ..., (W_L, b_L)]


class TrainResult(NamedTuple):
    """`params` after training; `checkpoints` the parameters after each epoch, the start first
    (leading axis `epochs + 1`: entry e is after e epochs), or None when not asked for."""

    params: Params
    checkpoints: Optional[Params]


# ----------------------------------------------------------------------------------------------- validation


def _check_sizes(where, sizes):
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence) or len(sizes) < 2:
        v.fail(where, "sizes", sizes, "must be a sequence of at least two layer widths (input, ..., classes)")
    for s in sizes:
        if isinstance(s, (bool, np.bool_)) or not isinstance(s, numbers.Integral) or s < 1:
            v.fail(where, "sizes", sizes, "must hold Python ints >= 1")
    if sizes[-1] < 2:
        v.fail(where, "sizes", sizes, "must end with >= 2 classes")
    return tuple(int(s) for s in sizes)


def _check_params(where, params):
    """The layer widths and the common float dtype of a parameter list."""
    if not isinstance(params, (list, tuple)) or len(params) < 1:
        v.fail(where, "params", type(params).__name__, "must be a non-empty list of (W, b) pairs")
    sizes, dtype = [], None
    for l, layer in enumerate(params):
        if not isinstance(layer, (list, tuple)) or len(layer) != 2:
            v.fail(where, f"params[{l}]", type(layer).__name__, "must be a (W, b) pair")
        W, b = layer
        if getattr(W, "ndim", None) != 2 or getattr(b, "ndim", None) != 1 or b.shape[0] != W.shape[1]:
            v.fail(where, f"params[{l}]", f"W shape {getattr(W, 'shape', None)}, b shape {getattr(b, 'shape', None)}",
                   "must be W of shape (d_in, d_out) and b of shape (d_out,)")
        if sizes and W.shape[0] != sizes[-1]:
            v.fail(where, f"params[{l}]", f"W shape {W.shape}", f"must take the previous layer's width {sizes[-1]}")
        if not sizes:
            sizes.append(W.shape[0])
        sizes.append(W.shape[1])
        for name, a in (("W", W), ("b", b)):
            if not jnp.issubdtype(a.dtype, jnp.floating) or (dtype is not None and a.dtype != dtype):
                v.fail(where, f"params[{l}].{name}", f"dtype {a.dtype}",
                       f"must have one floating dtype for every layer ({dtype or 'floating'})")
            dtype = a.dtype
    if sizes[-1] < 2:
        v.fail(where, "params", f"output width {sizes[-1]}", "must have >= 2 classes")
    return tuple(sizes), dtype


def _check_X(where, X, sizes, dtype):
    X = v.check_array(where, "X", X, ndim=2)
    if X.shape[1] != sizes[0]:
        v.fail(where, "X", f"array of shape {X.shape}", f"must have {sizes[0]} columns (the input width)")
    if X.dtype != dtype:
        v.fail(where, "X", f"array of dtype {X.dtype}", f"must have the parameters' dtype {dtype} (no silent casts)")
    return X


def _check_y(where, y, n, K):
    y = v.as_array(where, "y", y)
    if y.ndim != 1 or y.shape[0] != n:
        v.fail(where, "y", f"array of shape {y.shape}", f"must be 1-dimensional of length {n} (the rows of X)")
    if not jnp.issubdtype(y.dtype, jnp.integer):
        v.fail(where, "y", f"array of dtype {y.dtype}", "must hold integer class labels")
    if v.is_concrete(y) and n:  # numpy, not jnp: inside a caller's jit a jnp.min of a constant is staged
        lo, hi = int(np.asarray(y).min()), int(np.asarray(y).max())
        if not (0 <= lo and hi < K):
            v.fail(where, "y", f"labels in [{lo}, {hi}]", f"must be labels 0..{K - 1}")
    return y


def _check_weights(where, name, w, n, *, binary=False, shapes=None):
    """Weights (finite, >= 0) or a 0/1 mask (`binary`, selecting >= 1 row per mask) of shape (n,) or one of `shapes`."""
    w = v.as_array(where, name, w)
    shapes = shapes or ((n,),)
    if w.shape not in shapes:
        v.fail(where, name, f"array of shape {w.shape}", "must have shape " + " or ".join(map(str, shapes)))
    if not (jnp.issubdtype(w.dtype, jnp.floating) or jnp.issubdtype(w.dtype, jnp.integer)
            or w.dtype == jnp.bool_):
        v.fail(where, name, f"array of dtype {w.dtype}", "must be numeric or boolean")
    if v.is_concrete(w) and w.size:
        a = np.asarray(w, dtype=np.float64)
        if binary and not np.all((a == 0) | (a == 1)):
            v.fail(where, name, f"array with values {np.unique(a)[:5]}", "must hold only 0 and 1 (a mask)")
        if not binary and not (np.all(np.isfinite(a)) and np.all(a >= 0)):
            v.fail(where, name, "array with negative or non-finite entries", "must be finite and >= 0")
        if binary and np.any(a.reshape(-1, n).sum(axis=1) < 1):
            v.fail(where, name, "a mask of zeros", "must select at least one row")
    return w


# ----------------------------------------------------------------------------------------------- the model


def init(key, sizes: Sequence[int], dtype=jnp.float32, *, scheme: str = "he") -> Params:
    r"""Random MLP parameters for `sizes` $=(d_0,\dots,d_L)$: $W_l\sim\mathcal N(0,\sigma_l^2)$, $b_l=0$.

    $\sigma_l^2=2/d_{l-1}$ for `scheme="he"` (He et al. 2015; keeps ReLU activations' scale),
    $2/(d_{l-1}+d_l)$ for `scheme="glorot"` (Glorot and Bengio 2010, normal form; for tanh).
    Layer $l$ draws from the $l$-th of `jax.random.split(key, L)`.

    Returns:
        A list of $L$ pairs `(W, b)` of `dtype`.
    """
    where = "mlp.init"
    v.check_key(where, "key", key)
    sizes = _check_sizes(where, sizes)
    dtype = v.require_dtype(where, dtype)
    v.check_choice(where, "scheme", scheme, INIT_SCHEMES)
    keys = jax.random.split(key, len(sizes) - 1)
    params = []
    for k, d_in, d_out in zip(keys, sizes[:-1], sizes[1:]):
        var = 2.0 / d_in if scheme == "he" else 2.0 / (d_in + d_out)
        W = math.sqrt(var) * jax.random.normal(k, (d_in, d_out), dtype)
        params.append((W, jnp.zeros((d_out,), dtype)))
    return params


def _act(activation):
    return jax.nn.relu if activation == "relu" else jnp.tanh


def _forward(params, X, activation):
    h = X
    for W, b in params[:-1]:
        h = _act(activation)(h @ W + b[None, :])
    W, b = params[-1]
    return h @ W + b[None, :]


def forward(params: Params, X, *, activation: str = "relu") -> jax.Array:
    r"""Logits $z=h_{L-1}W_L+b_L$, $h_0=x$, $h_l=\sigma(h_{l-1}W_l+b_l)$, for the rows of `X` (shape (n, K)).

    $\sigma$ is `activation` ("relu" or "tanh"); `X` must have the parameters' dtype.
    """
    where = "mlp.forward"
    sizes, dtype = _check_params(where, params)
    v.check_choice(where, "activation", activation, ACTIVATIONS)
    X = _check_X(where, X, sizes, dtype)
    return _forward(params, X, activation)


def _margins(z, y):
    onehot = y[:, None] == jnp.arange(z.shape[-1], dtype=y.dtype)[None, :]
    z_y = jnp.sum(jnp.where(onehot, z, jnp.zeros_like(z)), axis=-1)
    return z_y - jax.nn.logsumexp(jnp.where(onehot, -jnp.inf, z), axis=-1)


def _per_sample_ce(z, y):
    onehot = y[:, None] == jnp.arange(z.shape[-1], dtype=y.dtype)[None, :]
    z_y = jnp.sum(jnp.where(onehot, z, jnp.zeros_like(z)), axis=-1)
    return jax.nn.logsumexp(z, axis=-1) - z_y


def _weighted_mean(values, weights):
    if weights is None:
        return jnp.mean(values)
    w = weights.astype(values.dtype)
    total = jnp.sum(w)
    return jnp.sum(w * values) / jnp.where(total > 0, total, jnp.ones_like(total))


def margins_from_logits(logits, y) -> jax.Array:
    r"""Margins $m_i=z_{iy_i}-\log\sum_{k\ne y_i}e^{z_{ik}}$ from logits (n, K) and labels (n,).

    The log-sum-exp runs over the other classes with the true class set to $-\infty$, so the result is
    finite for any finite logits (no $\log(\sum_ke^{z_k}-e^{z_y})$ cancellation). $m_i>0$ iff class
    $y_i$ has more than half the softmax probability.
    """
    where = "mlp.margins_from_logits"
    z = v.check_array(where, "logits", logits, ndim=2)
    if z.shape[1] < 2:
        v.fail(where, "logits", f"array of shape {z.shape}", "must have >= 2 classes (columns)")
    y = _check_y(where, y, z.shape[0], z.shape[1])
    return _margins(z, y)


def margins(params: Params, X, y, *, activation: str = "relu") -> jax.Array:
    r"""The KLoM benchmark's margins $m_i=z_{y_i}(x_i)-\log\sum_{k\ne y_i}e^{z_k(x_i)}$ of the rows of `X` (shape (n,)).

    References: docs/theory.md §1.4 (benchmark code, `src/eval.py`).
    """
    where = "mlp.margins"
    sizes, dtype = _check_params(where, params)
    v.check_choice(where, "activation", activation, ACTIVATIONS)
    X = _check_X(where, X, sizes, dtype)
    y = _check_y(where, y, X.shape[0], sizes[-1])
    return _margins(_forward(params, X, activation), y)


def _check_scored(where, params, X, y, weights, activation):
    """The inputs of a weighted score of the rows of X: (X, y, weights or None, the parameters' dtype)."""
    sizes, dtype = _check_params(where, params)
    v.check_choice(where, "activation", activation, ACTIVATIONS)
    X = _check_X(where, X, sizes, dtype)
    y = _check_y(where, y, X.shape[0], sizes[-1])
    if weights is not None:
        weights = _check_weights(where, "weights", weights, X.shape[0])
    return X, y, weights, dtype


def cross_entropy(params: Params, X, y, weights=None, *, activation: str = "relu") -> jax.Array:
    r"""Weighted mean cross-entropy $\sum_iw_i\ell_i/\sum_iw_i$, $\ell_i=\log\sum_ke^{z_{ik}}-z_{iy_i}$.

    Without `weights` the plain mean; a 0/1 `weights` vector is a subset mask (the retain set), and
    all-zero weights give 0. `weights` are finite and $\ge0$, of shape (n,).
    """
    X, y, weights, _ = _check_scored("mlp.cross_entropy", params, X, y, weights, activation)
    return _weighted_mean(_per_sample_ce(_forward(params, X, activation), y), weights)


def accuracy(params: Params, X, y, weights=None, *, activation: str = "relu") -> jax.Array:
    r"""The (weighted) fraction of rows whose largest logit is the label's (`argmax`, first index on ties)."""
    X, y, weights, dtype = _check_scored("mlp.accuracy", params, X, y, weights, activation)
    correct = (jnp.argmax(_forward(params, X, activation), axis=-1).astype(y.dtype) == y).astype(dtype)
    return _weighted_mean(correct, weights)


# ----------------------------------------------------------------------------------------------- batches


def _minibatches(key, mask, batch_size):
    n = mask.shape[0]
    steps = -(-n // batch_size)
    u = jax.vmap(lambda i: jax.random.uniform(jax.random.fold_in(key, i), dtype=jnp.float32))(
        jnp.arange(n, dtype=jnp.int32))
    selected = mask > 0
    order = jnp.argsort(jnp.where(selected, u, jnp.full_like(u, 2.0)), stable=True)
    order = jnp.concatenate([order, jnp.zeros((steps * batch_size - n,), order.dtype)])
    m = jnp.sum(selected, dtype=jnp.int32)
    valid = jnp.arange(steps * batch_size, dtype=jnp.int32) < m
    return order.reshape(steps, batch_size), valid.reshape(steps, batch_size)


def minibatches(key, mask, batch_size: int):
    r"""One epoch's batches: row indices (S, B) and validity (S, B), $S=\lceil n/B\rceil$, $B$ = `batch_size`.

    Row $i$ gets $u_i\sim U[0,1)$ from `jax.random.fold_in(key, i)`; rows with `mask` 0 get 2; the
    rows sorted by $u$ fill the slots in order, so the first $m=\sum_i\mathrm{mask}_i$ slots hold
    every masked row once (valid) and the rest padding (invalid, row index arbitrary). `train`
    calls this with `fold_in(key, epoch)` for each epoch.
    """
    where = "mlp.minibatches"
    v.check_key(where, "key", key)
    batch_size = v.check_int(where, "batch_size", batch_size, minimum=1)
    mask = v.as_array(where, "mask", mask)
    if mask.ndim != 1:
        v.fail(where, "mask", f"array of shape {mask.shape}", "must be 1-dimensional")
    mask = _check_weights(where, "mask", mask, mask.shape[0], binary=True)
    return _minibatches(key, mask.astype(jnp.float32), batch_size)


# ----------------------------------------------------------------------------------------------- training


def _schedule_fn(schedule, epochs, peak_epoch):
    if callable(schedule):
        return schedule
    if schedule == "constant":
        return lambda tau: jnp.ones_like(tau)
    up = 1.0 / peak_epoch if peak_epoch > 0 else 0.0
    down = 1.0 / (epochs - peak_epoch) if epochs > peak_epoch else 0.0
    return lambda tau: jnp.where(tau < peak_epoch, tau * up, (epochs - tau) * down)


@functools.partial(jax.jit, static_argnames=("epochs", "batch_size", "schedule", "peak_epoch", "activation",
                                             "checkpoints"))
def _train(key, params, X, y, mask, lr, momentum, weight_decay, *, epochs, batch_size, schedule, peak_epoch,
           activation, checkpoints):
    dtype = X.dtype
    lr, momentum, weight_decay = (jnp.asarray(a).astype(dtype) for a in (lr, momentum, weight_decay))
    s_of = _schedule_fn(schedule, epochs, peak_epoch)
    m = jnp.sum(mask > 0, dtype=jnp.int32)
    active_steps = (m + batch_size - 1) // batch_size

    def loss(p, Xb, yb, wb):
        return _weighted_mean(_per_sample_ce(_forward(p, Xb, activation), yb), wb)

    def step(carry, xs):
        p, vel, epoch = carry
        idx, valid, j = xs
        g = jax.grad(loss)(p, X[idx], y[idx], valid)
        g = jax.tree.map(lambda gi, pi: gi + weight_decay * pi, g, p)
        vel_new = jax.tree.map(lambda vi, gi: momentum * vi + gi, vel, g)
        tau = (epoch * active_steps + j).astype(dtype) / active_steps.astype(dtype)
        eta = lr * jnp.asarray(s_of(tau)).astype(dtype)
        p_new = jax.tree.map(lambda pi, vi: pi - eta * vi, p, vel_new)
        active = j < active_steps
        keep = lambda new, old: jax.tree.map(lambda a, b: jnp.where(active, a, b), new, old)
        return (keep(p_new, p), keep(vel_new, vel), epoch), None

    def run_epoch(carry, epoch):
        p, vel = carry
        idx, valid = _minibatches(jax.random.fold_in(key, epoch), mask, batch_size)
        (p, vel, _), _ = jax.lax.scan(step, (p, vel, epoch), (idx, valid, jnp.arange(idx.shape[0], dtype=jnp.int32)))
        return (p, vel), (p if checkpoints else None)

    vel0 = jax.tree.map(jnp.zeros_like, params)
    (params_out, _), ckpts = jax.lax.scan(run_epoch, (params, vel0), jnp.arange(epochs, dtype=jnp.int32))
    if checkpoints:
        ckpts = jax.tree.map(lambda a0, a: jnp.concatenate([a0[None], a]), params, ckpts)
    return params_out, ckpts


def _check_sgd(where, epochs, batch_size, lr, momentum, weight_decay, activation):
    """The SGD settings every training and unlearning loop shares; returns (epochs, batch_size) as ints."""
    epochs = v.check_int(where, "epochs", epochs, minimum=1)
    batch_size = v.check_int(where, "batch_size", batch_size, minimum=1)
    v.check_positive_scalar(where, "lr", lr)
    v.check_positive_scalar(where, "momentum", momentum, allow_zero=True)
    if v.is_concrete(momentum) and not float(momentum) < 1:
        v.fail(where, "momentum", momentum, "must be in [0, 1)")
    v.check_positive_scalar(where, "weight_decay", weight_decay, allow_zero=True)
    v.check_choice(where, "activation", activation, ACTIVATIONS)
    return epochs, batch_size


def _check_hyper(where, epochs, batch_size, lr, momentum, weight_decay, schedule, peak_epoch, activation):
    epochs, batch_size = _check_sgd(where, epochs, batch_size, lr, momentum, weight_decay, activation)
    if not callable(schedule):
        v.check_choice(where, "schedule", schedule, SCHEDULES)
    if peak_epoch is None:
        peak_epoch = 5.0 * epochs / 24.0
    if isinstance(peak_epoch, (bool, np.bool_)) or not isinstance(peak_epoch, numbers.Real) \
            or not (0 <= peak_epoch <= epochs):
        v.fail(where, "peak_epoch", peak_epoch, f"must be a number in [0, epochs={epochs}]")
    return epochs, batch_size, float(peak_epoch)


def train(key, params0: Params, X, y, mask=None, *, epochs: int, batch_size: int, lr, momentum=0.0,
          weight_decay=0.0, schedule: Union[str, Callable] = "constant", peak_epoch: Optional[float] = None,
          activation: str = "relu", checkpoints: bool = False):
    r"""Minibatch SGD from `params0` on the rows of `X` where `mask` is 1 (all rows without a mask).

    $E$ = `epochs` epochs of $\lceil n/B\rceil$ steps with $B$ = `batch_size` (see the module
    docstring: every masked row once per epoch, a fixed batch size, padded steps that change
    nothing); step $\theta_{t+1}=\theta_t-\eta_tv_{t+1}$, $v_{t+1}=\mu v_t+\nabla\bar\ell_{\mathcal
    B_t}(\theta_t)+\lambda\theta_t$ with $\eta$ = `lr`, $\mu$ = `momentum`, $\lambda$ =
    `weight_decay`, $\eta_t=\eta\,s(\tau_t)$, $s$ = `schedule` ("constant", "triangular" with peak
    at `peak_epoch`, default $5E/24$, or a function of the epoch progress $\tau$). `key` fixes the
    data order only (epoch $e$ uses `fold_in(key, e)`). `lr`, `momentum`, `weight_decay` may be
    traced (vmap over them); the rest is static. One jit-compiled `lax.scan`.

    Returns:
        The trained parameters; with `checkpoints=True` a `TrainResult(params, checkpoints)`,
        `checkpoints` stacking the parameters after 0, 1, ..., E epochs (for rewinding).
    """
    where = "mlp.train"
    v.check_key(where, "key", key)
    sizes, dtype = _check_params(where, params0)
    X = _check_X(where, X, sizes, dtype)
    y = _check_y(where, y, X.shape[0], sizes[-1])
    mask = jnp.ones((X.shape[0],), dtype) if mask is None else \
        _check_weights(where, "mask", mask, X.shape[0], binary=True).astype(dtype)
    epochs, batch_size, peak_epoch = _check_hyper(where, epochs, batch_size, lr, momentum, weight_decay, schedule,
                                                  peak_epoch, activation)
    params, ckpts = _train(key, list(params0), X, y, mask, lr, momentum, weight_decay, epochs=epochs,
                           batch_size=batch_size, schedule=schedule, peak_epoch=peak_epoch, activation=activation,
                           checkpoints=bool(checkpoints))
    return TrainResult(params, ckpts) if checkpoints else params


def ensemble_keys(key, n_models: int):
    """Each member's (init key, data-order key): `jax.random.split(k)` for each `k` in `jax.random.split(key, n_models)`.

    Returns:
        Two arrays of `n_models` keys, the initialisation keys and the data-order keys.
    """
    v.check_key("mlp.ensemble_keys", "key", key)
    n_models = v.check_int("mlp.ensemble_keys", "n_models", n_models, minimum=1)
    keys = jax.random.split(key, n_models)
    pairs = jax.vmap(jax.random.split)(keys)
    return pairs[:, 0], pairs[:, 1]


@functools.partial(jax.jit, static_argnames=("sizes", "scheme", "mask_axis", "epochs", "batch_size", "schedule",
                                             "peak_epoch", "activation", "checkpoints"))
def _train_ensemble(init_keys, data_keys, X, y, mask, lr, momentum, weight_decay, *, sizes, scheme, mask_axis,
                    epochs, batch_size, schedule, peak_epoch, activation, checkpoints):
    def one(k_init, k_data, mask_i):
        p0 = init(k_init, sizes, X.dtype, scheme=scheme)
        return _train(k_data, p0, X, y, mask_i, lr, momentum, weight_decay, epochs=epochs, batch_size=batch_size,
                      schedule=schedule, peak_epoch=peak_epoch, activation=activation, checkpoints=checkpoints)

    return jax.vmap(one, in_axes=(0, 0, mask_axis))(init_keys, data_keys, mask)


def train_ensemble(key, sizes: Sequence[int], X, y, mask=None, n_models: int = 1, *, epochs: int, batch_size: int,
                   lr, momentum=0.0, weight_decay=0.0, schedule: Union[str, Callable] = "constant",
                   peak_epoch: Optional[float] = None, activation: str = "relu", scheme: str = "he",
                   checkpoints: bool = False):
    r"""`n_models` MLPs of widths `sizes` trained at once: `vmap` over seeds (initialisation and data order).

    Member $i$ is, to rounding, `train(k_data, init(k_init, sizes, X.dtype, scheme=scheme), X, y,
    mask_i, ...)` with `(k_init, k_data) = jax.random.split(jax.random.split(key, n_models)[i])`
    (`ensemble_keys`); `mask` is one mask for all, shape (n,), or one per member, shape
    (n_models, n) (e.g. N rows of ones for the pretrained models and N retain masks for the
    oracles: one compiled program). The parameters' dtype is `X`'s. Other arguments as in `train`.

    Returns:
        The parameters with a leading axis of length `n_models` on every leaf (a `TrainResult` with
        checkpoints of shape (n_models, epochs + 1, ...) when `checkpoints=True`).
    """
    where = "mlp.train_ensemble"
    v.check_key(where, "key", key)
    sizes = _check_sizes(where, sizes)
    v.check_choice(where, "scheme", scheme, INIT_SCHEMES)
    n_models = v.check_int(where, "n_models", n_models, minimum=1)
    X = v.check_array(where, "X", X, ndim=2)
    v.require_dtype(where, X.dtype)
    _check_X(where, X, sizes, X.dtype)
    y = _check_y(where, y, X.shape[0], sizes[-1])
    if mask is None:
        mask = jnp.ones((X.shape[0],), X.dtype)
    mask = _check_weights(where, "mask", mask, X.shape[0], binary=True,
                          shapes=((X.shape[0],), (n_models, X.shape[0]))).astype(X.dtype)
    epochs, batch_size, peak_epoch = _check_hyper(where, epochs, batch_size, lr, momentum, weight_decay, schedule,
                                                  peak_epoch, activation)
    init_keys, data_keys = ensemble_keys(key, n_models)
    params, ckpts = _train_ensemble(init_keys, data_keys, X, y, mask, lr, momentum, weight_decay, sizes=sizes,
                                    scheme=scheme, mask_axis=0 if mask.ndim == 2 else None, epochs=epochs,
                                    batch_size=batch_size, schedule=schedule, peak_epoch=peak_epoch,
                                    activation=activation, checkpoints=bool(checkpoints))
    return TrainResult(params, ckpts) if checkpoints else params

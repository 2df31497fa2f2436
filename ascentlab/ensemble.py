r"""KLoM with exact oracles: ensembles of Gaussian problems, each with its exact retrained model.

KLoM (`ascentlab.metrics.klom`) compares, per data point, the margins of $N$ unlearned models with
those of $N$ oracles. On a deep network the oracle distribution is *estimated* by retraining $N$
models on $\mathcal R$; here it is known exactly. Each of the $N$ draws $i$ is an independent
`gaussian_problem` (key $i$), whose original model $w^{\mathcal D}_i$ and oracle $w^{\mathcal R}_i$
are solved exactly by Newton (`solve_references`); the unlearned model is `unlearn` run from
$w^{\mathcal D}_i$. The randomness over which the margins are distributed is the draw of the data
(features, labels and forget set), as the benchmark's randomness is the training seed.

Per-index alignment: a random forget set sits at different indices in each draw, so each draw's
training samples are first permuted (stably) so that its $k=\mathrm{round}(f\,n)$ forget samples
come first. Point $j$ is then "the $j$-th forget sample" ($j<k$), "the $(j-k)$-th retain sample"
($k\le j<n$) or "the $(j-n)$-th held-out sample" ($j\ge n$, the validation group) in every draw,
and KLoM is taken per point over the $N$ draws.

The margin of a binary linear model, $y\langle w,x\rangle$, is the benchmark's margin
$z_y-\log\sum_{k\ne y}e^{z_k}$ of the two-logit model with logits $\pm\tfrac12\langle w,x\rangle$.

References: "Ascent Fails to Forget" (arXiv 2509.26427), Sec. 6 and Table 1 (KLoM of the pretrained
models against the oracles, per group); Georgiev et al. (KLoM).
"""

import functools
import inspect
from typing import NamedTuple, Optional

import jax
import jax.numpy as jnp
import numpy as np

from . import _validate as v
from ._problems import gaussian_problem
from ._solve import solve_references
from ._unlearn import unlearn
from .metrics import _check_klom_options, _correct, _klom

__all__ = ["KlomGroups", "KlomExact", "klom_exact"]

_RESERVED = ("problem", "method", "eta", "steps", "start", "references", "record_every", "key")
_UNLEARN_KEYWORDS = tuple(inspect.signature(unlearn).parameters)  # read once: the names unlearn_kwargs may set


class KlomGroups(NamedTuple):
    """One value (or array) per group of points: the forget set, the retain set, the held-out set."""

    forget: jax.Array
    retain: jax.Array
    validation: jax.Array


class KlomExact(NamedTuple):
    r"""The result of `klom_exact` (a pytree).

    Shapes: with `record_every=None` the final model only (`rows` axes absent); with
    `record_every=k` one entry per recorded row ($t=0,k,2k,\dots$ and $T$), first axis `rows`.
    Points are ordered forget ($k$), retain ($n-k$), validation ($n_{\text{test}}$) (module docstring).

    Attributes:
        klom: per-point KLoM of the unlearned models against the oracles, per group:
            shapes ([rows,] k), ([rows,] n-k), ([rows,] n_test).
        percentile: the q-th percentile of each group's `klom`, shape ([rows]).
        pretrained: per-point KLoM of the original models $w^{\mathcal D}$ against the oracles
            ("doing nothing"), per group, shapes (k,), (n-k,), (n_test,).
        pretrained_percentile: its q-th percentiles, shape ().
        accuracy: mean accuracy of the unlearned models over draws and points, per group (a zero
            margin counts ½, as `metrics.accuracy`), shape ([rows]).
        dist_oracle: mean over draws of $\|w_t-w^{\mathcal R}\|$, shape ([rows]).
        dist_original: mean over draws of $\|w_t-w^{\mathcal D}\|$, shape ([rows]).
        n_diverged: number of draws diverged at or before the row, shape ([rows]); where it is > 0
            every entry above is NaN for that row (an ensemble with a broken model has no KLoM).
        t: the step of each row, shape ([rows]).
        margins: unlearned margins, shape (N, [rows,] n + n_test) (NaN for diverged rows).
        margins_oracle: oracle margins $y\langle w^{\mathcal R},x\rangle$, shape (N, n + n_test).
        margins_original: original margins $y\langle w^{\mathcal D},x\rangle$, shape (N, n + n_test).
    """

    klom: KlomGroups
    percentile: KlomGroups
    pretrained: KlomGroups
    pretrained_percentile: KlomGroups
    accuracy: KlomGroups
    dist_oracle: jax.Array
    dist_original: jax.Array
    n_diverged: jax.Array
    t: jax.Array
    margins: jax.Array
    margins_oracle: jax.Array
    margins_original: jax.Array


def _aligned(problem):
    """(X, y) of the training samples, forget samples first (stable), then the held-out samples."""
    order = jnp.argsort(jnp.where(problem.forget, 0, 1), stable=True)
    X = jnp.concatenate([problem.X[order], problem.X_test])
    y = jnp.concatenate([problem.y[order], problem.y_test])
    return X, y


def _margins(X, y, w):
    """$y\\odot Xw$ for w of shape (..., d): shape (..., P)."""
    out = w @ X.T
    return out * y.reshape((1,) * (out.ndim - 1) + y.shape)


def _groups(x, k, n):
    return KlomGroups(x[..., :k], x[..., k:n], x[..., n:])


def klom_exact(
    key,
    method,
    *,
    eta,
    steps: int,
    n_models: int = 100,
    n: int = 200,
    d: int = 50,
    n_test: int = 200,
    rho=0.5,
    forget_fraction=0.1,
    lam=0.01,
    forget: str = "random",
    loss: str = "logistic",
    start: str = "original",
    record_every: Optional[int] = None,
    method_key=None,
    unlearn_kwargs: Optional[dict] = None,
    mode: str = "ascentlab",
    direction: str = "oracle||unlearned",
    bins: int = 20,
    clip: float = 100.0,
    floor: float = 1e-5,
    q: float = 95.0,
) -> KlomExact:
    r"""KLoM of an unlearning method over $N$ Gaussian problems, each against its exact oracle.

    Draw $i$ ($i<N$ = `n_models`) is `gaussian_problem(keys[i], n, d, rho, forget_fraction, lam,
    forget=forget, loss=loss, n_test=n_test)` with `keys = jax.random.split(key, n_models)`; its
    $w^{\mathcal D}_i$ and $w^{\mathcal R}_i$ come from `solve_references(problem, da=False)` and
    its unlearned model from `unlearn(problem, method, eta=eta, steps=steps, start=start,
    references=..., record_every=..., **unlearn_kwargs)`, plus `key=split(method_key, N)[i]` when
    `method_key` is given (for methods that sample). All draws run under one `jax.vmap`.

    Example (measured on 2 shared CPU cores: 7.6 s the first time, nearly all compiling; 0.4 s for
    the next key)::

        res = klom_exact(jax.random.key(0), "da", eta=0.1, steps=50, forget="correlated")
        res.percentile.forget, res.pretrained_percentile.forget  # 95th percentiles

    Args:
        key: a JAX PRNG key (first positional argument): the draws of the problems.
        method: anything `unlearn` accepts ("ga", "da", "da_alternating", "finetune", a method
            object or a callable step), passed through unchanged.
        eta, steps: step size and number of steps of `unlearn`.
        n_models: $N\ge1$ draws (static).
        n, d, n_test: training size, dimension, held-out size of each draw (static).
        rho, forget_fraction, lam, forget, loss: the `gaussian_problem` parameters;
            $k=\mathrm{round}(\text{forget\_fraction}\cdot n)$ forget samples, $1\le k\le n-1$.
        start: "original" (default) or "oracle".
        record_every: None (the final model only) or k >= 1 (every k-th step and the last).
        method_key: optional PRNG key, split into one `key=` per draw for `unlearn`.
        unlearn_kwargs: further keyword arguments of `unlearn` (`order`, `kernel`), passed
            unchanged; not the ones set here (a method's own parameters go in its `Method`).
        mode, direction, bins, clip, floor: as `metrics.klom`.
        q: the percentile reported per group, 0 <= q <= 100 (95 in the paper).

    Returns:
        A `KlomExact`.

    References: Sec. 6 and Table 1 of the paper.
    """
    where = "klom_exact"
    v.check_key(where, "key", key)
    n_models = v.check_int(where, "n_models", n_models, minimum=1)
    n = v.check_int(where, "n", n, minimum=2)
    d = v.check_int(where, "d", d, minimum=1)
    n_test = v.check_int(where, "n_test", n_test, minimum=1)
    v.check_positive_scalar(where, "rho", rho, allow_zero=True)
    if not float(rho) < 1:
        v.fail(where, "rho", rho, "must satisfy 0 <= rho < 1")
    v.check_positive_scalar(where, "forget_fraction", forget_fraction)
    k = round(float(forget_fraction) * n)
    if not 1 <= k <= n - 1:
        v.fail(where, "forget_fraction", forget_fraction,
               f"must give between 1 and n-1 = {n - 1} forget samples (round(fraction * n) = {k})")
    v.check_positive_scalar(where, "lam", lam)
    v.check_choice(where, "forget", forget, ("random", "correlated"))
    v.check_choice(where, "loss", loss, v.LOSSES)
    v.check_choice(where, "start", start, ("original", "oracle"))
    v.check_positive_scalar(where, "eta", eta)
    steps = v.check_int(where, "steps", steps, minimum=0)
    every = max(steps, 1) if record_every is None else v.check_int(where, "record_every", record_every, minimum=1)
    bins = _check_klom_options(where, bins, clip, floor, direction, mode)
    v.check_positive_scalar(where, "q", q, allow_zero=True)
    if not float(q) <= 100:
        v.fail(where, "q", q, "must satisfy 0 <= q <= 100")
    kwargs = {} if unlearn_kwargs is None else unlearn_kwargs
    if not isinstance(kwargs, dict) or not all(isinstance(name, str) for name in kwargs):
        v.fail(where, "unlearn_kwargs", type(kwargs).__name__, "must be a dict of keyword arguments of unlearn")
    clash = sorted(set(kwargs) & set(_RESERVED))
    if clash:
        v.fail(where, "unlearn_kwargs", kwargs,
               f"must not set {clash}: klom_exact sets {list(_RESERVED)} itself (use its own arguments)")
    accepted = [name for name in _UNLEARN_KEYWORDS if name not in _RESERVED]
    unknown = sorted(set(kwargs) - set(accepted))
    if unknown:
        v.fail(where, "unlearn_kwargs", kwargs,
               f"has {unknown}, not keyword arguments of unlearn: the accepted ones are {accepted}")
    problem_keys = jax.random.split(key, n_models)
    if method_key is not None:
        v.check_key(where, "method_key", method_key)
        method_keys = jax.random.split(method_key, n_models)
    else:
        method_keys = None
    # Three compiled programs, each cached on its own configuration: the problems and their exact
    # solutions (the Newton solves: most of the compile time, shared by every method), the unlearning
    # runs and their margins, the summaries. Numbers are traced; methods and keyword arguments are
    # split into array leaves (traced) and the rest (static).
    problems, refs = _problems(problem_keys, rho, forget_fraction, lam, n=n, d=d, n_test=n_test, forget=forget,
                               loss=loss)
    dynamic, static = _partition((method, kwargs))
    draws = _draws(problems, refs, method_keys, eta, dynamic, config=(start, steps, every, static))
    return _summarise(*draws, clip, floor, q, config=(k, n, bins, direction, mode, record_every is None))


class _Static:
    """A static leaf of a jit argument: equal by value when hashable, else by identity."""

    def __init__(self, value):
        self.value = value
        try:
            hash(value)
            self._key = ("value", value)
        except TypeError:
            self._key = ("id", id(value))

    def __hash__(self):
        return hash(self._key)

    def __eq__(self, other):
        return isinstance(other, _Static) and self._key == other._key


def _partition(tree):
    """(array leaves or None, (treedef, static leaves or None)): arrays are traced, the rest static."""
    leaves, treedef = jax.tree_util.tree_flatten(tree)
    is_array = [isinstance(x, (jax.Array, np.ndarray, np.generic)) for x in leaves]
    dynamic = [x if a else None for x, a in zip(leaves, is_array)]
    static = tuple(None if a else _Static(x) for x, a in zip(leaves, is_array))
    return dynamic, (treedef, static)


def _combine(dynamic, static):
    treedef, fixed = static
    leaves = [x if s is None else s.value for x, s in zip(dynamic, fixed)]
    return jax.tree_util.tree_unflatten(treedef, leaves)


@functools.partial(jax.jit, static_argnames=("n", "d", "n_test", "forget", "loss"))
def _problems(problem_keys, rho, forget_fraction, lam, *, n, d, n_test, forget, loss):
    """The N draws of `gaussian_problem` and their `solve_references(da=False)`, vmapped."""
    def one(problem_key):
        problem = gaussian_problem(problem_key, n, d, rho, forget_fraction, lam, forget=forget, loss=loss,
                                   n_test=n_test)
        return problem, solve_references(problem, da=False)

    return jax.vmap(one)(problem_keys)


@functools.partial(jax.jit, static_argnames=("config",))
def _draws(problems, refs, method_keys, eta, dynamic, *, config):
    """`unlearn` on every draw (vmapped) and the aligned margins of the unlearned, oracle and original models."""
    start, steps, every, static = config
    method, kwargs = _combine(dynamic, static)

    def one(problem, ref, method_key_i):
        extra = dict(kwargs) if method_key_i is None else dict(kwargs, key=method_key_i)
        traj = unlearn(problem, method, eta=eta, steps=steps, start=start, references=ref,
                       record_every=every, **extra)
        X, y = _aligned(problem)
        return (_margins(X, y, traj.w), _margins(X, y, ref.oracle.w), _margins(X, y, ref.original.w),
                traj.dist_oracle, traj.dist_original, traj.valid, traj.t)

    if method_keys is None:
        return jax.vmap(lambda p, r: one(p, r, None))(problems, refs)
    return jax.vmap(one)(problems, refs, method_keys)


@functools.partial(jax.jit, static_argnames=("config",))
def _summarise(m_unl, m_or, m_og, d_or, d_og, valid, t, clip, floor, q, *, config):
    """Per-row KLoM per group, percentiles, accuracy, distances and divergence counts (`KlomExact`)."""
    k, n, bins, direction, mode, final_only = config
    p_kl = lambda u: _klom(u, m_or, bins, clip, floor, direction, mode)
    pct = lambda x: jnp.percentile(x, q, axis=-1)
    n_div = jnp.sum(~valid, axis=0, dtype=jnp.int32)  # (rows,): draws diverged at or before the row
    broken = n_div > 0
    kl_rows = jnp.where(broken[:, None], jnp.nan, jax.vmap(p_kl, in_axes=1)(m_unl))  # (rows, P)
    correct = jnp.where(broken[:, None, None], jnp.nan, jnp.moveaxis(_correct(m_unl), 1, 0))  # (rows, N, P)
    per_row = dict(
        klom=_groups(kl_rows, k, n),
        accuracy=KlomGroups(*(g.mean(axis=(-2, -1)) for g in _groups(correct, k, n))),
        dist_oracle=d_or.mean(axis=0),  # NaN from a diverged draw's masked rows
        dist_original=d_og.mean(axis=0),
        n_diverged=n_div,
        t=t[0],
    )
    per_row["percentile"] = jax.tree.map(pct, per_row["klom"])
    if final_only:  # the final model only: drop the rows axis
        per_row = jax.tree.map(lambda x: x[-1], per_row)
        m_unl = m_unl[:, -1]
    pre = _groups(p_kl(m_og), k, n)
    return KlomExact(pretrained=pre, pretrained_percentile=jax.tree.map(pct, pre), margins=m_unl,
                     margins_oracle=m_or, margins_original=m_og, **per_row)

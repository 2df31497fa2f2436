r"""Unlearning problems: data, forget mask, ridge and loss, as one pytree.

A `Problem` holds a training set $\mathcal D=\mathcal R\cup\mathcal F$ with
features `X` (n, d), labels `y` (n,) in $\{-1,+1\}$, a boolean `forget`
mask (n,) marking $\mathcal F$, the ridge $\lambda$ (`lam`) and the loss name
(static pytree metadata, so `jit`/`vmap` see it as a constant).

Optional per-sample `weights` $\omega_i\ge0$ turn every mean of Eq. (1) into a
weighted mean, $\frac1{|\mathcal S|}\sum_{i\in\mathcal S}\to
\frac{\sum_{i\in\mathcal S}\omega_i\,\cdot}{\sum_{i\in\mathcal S}\omega_i}$:
integer weights are multiplicities, so a weighted problem equals the problem
with each row repeated $\omega_i$ times. `X_test`/`y_test` hold a held-out
test set where a constructor makes one (`gaussian_problem`).

References: "Ascent Fails to Forget" (arXiv 2509.26427), Eq. (1),
Assumptions 1-2 (Sec. 5.1.1), Sec. 5.1.2.
"""

import functools
from typing import NamedTuple, Optional

import jax
import jax.numpy as jnp
import numpy as np

from . import _validate as v

__all__ = [
    "Problem",
    "make_problem",
    "orthogonal_blocks",
    "correlated_pair",
    "gaussian_problem",
]


class Problem(NamedTuple):
    r"""A binary linear-classification unlearning problem (a pytree).

    Attributes:
        X: features, shape (n, d), floating.
        y: labels in {-1, +1}, shape (n,), same dtype as `X`.
        forget: boolean mask of the forget set $\mathcal F$, shape (n,).
        lam: ridge parameter $\lambda>0$, scalar.
        loss: "logistic" ($\log(1+e^{-m})$), "exp" ($e^{-m}$) or "squared"
            ($\frac12(1-m)^2$: least squares on the $\pm1$ labels); static.
        weights: optional per-sample multiplicities $\omega_i\ge0$, shape (n,).
        X_test: optional held-out features, shape (n_test, d).
        y_test: optional held-out labels, shape (n_test,).

    Build it with `make_problem` (validates) or a constructor below. Every
    entry point of ascentlab validates the problem again when its values are
    concrete.
    """

    X: jax.Array
    y: jax.Array
    forget: jax.Array
    lam: jax.Array
    loss: str = "logistic"
    weights: Optional[jax.Array] = None
    X_test: Optional[jax.Array] = None
    y_test: Optional[jax.Array] = None


def _flatten(p: Problem):
    children = (p.X, p.y, p.forget, p.lam, p.weights, p.X_test, p.y_test)
    return children, p.loss


def _unflatten(loss, children):
    X, y, forget, lam, weights, X_test, y_test = children
    return Problem(X, y, forget, lam, loss, weights, X_test, y_test)


# The loss name is static metadata: a NamedTuple registered as a custom node
# keeps it out of the leaves, so jit/vmap treat it as a compile-time constant.
jax.tree_util.register_pytree_node(Problem, _flatten, _unflatten)


def check_problem(where: str, problem, *, prefix: str = "problem.") -> Problem:
    """Validate a Problem; returns it with its arrays as `jnp.asarray` makes them
    (JAX's canonical dtypes: float64 numpy arrays become float32 while
    `jax_enable_x64` is off), so that `problem.X.dtype` is the dtype computed in.
    Errors name each field as `prefix` + field ("problem.X"; "X" for `make_problem`,
    whose arguments are the fields). See module `_validate`."""
    if not isinstance(problem, Problem):
        v.fail(where, "problem", type(problem).__name__, "must be an ascentlab.Problem")
    v.check_choice(where, prefix + "loss", problem.loss, v.LOSSES)
    X = v.check_array(where, prefix + "X", problem.X, ndim=2)
    n, d = X.shape
    if n < 2 or d < 1:
        v.fail(where, prefix + "X", f"array of shape {X.shape}", "needs n >= 2 samples and d >= 1 features")
    y = v.check_array(where, prefix + "y", problem.y, ndim=1)
    if y.shape != (n,):
        v.fail(where, prefix + "y", f"array of shape {y.shape}", f"must have shape ({n},) to match X")
    if y.dtype != X.dtype:
        v.fail(where, prefix + "y", f"array of dtype {y.dtype}", f"must have X's dtype {X.dtype}")
    forget = v.as_array(where, prefix + "forget", problem.forget)
    if forget.shape != (n,) or forget.dtype != jnp.bool_:
        v.fail(where, prefix + "forget", f"array of shape {forget.shape} and dtype {forget.dtype}",
               f"must be a boolean mask of shape ({n},)")
    v.check_positive_scalar(where, prefix + "lam", problem.lam)
    weights = problem.weights
    if weights is not None:
        weights = v.check_array(where, prefix + "weights", weights, ndim=1)
        if weights.shape != (n,) or weights.dtype != X.dtype:
            v.fail(where, prefix + "weights", f"array of shape {weights.shape}, dtype {weights.dtype}",
                   f"must have shape ({n},) and X's dtype {X.dtype}")
    if (problem.X_test is None) != (problem.y_test is None):
        v.fail(where, prefix + "X_test", type(problem.X_test).__name__, "and y_test must be given together")
    Xt = yt = None
    if problem.X_test is not None:
        Xt = v.check_array(where, prefix + "X_test", problem.X_test, ndim=2)
        yt = v.check_array(where, prefix + "y_test", problem.y_test, ndim=1)
        if Xt.shape[1] != d or yt.shape != (Xt.shape[0],):
            v.fail(where, prefix + "X_test", f"arrays of shapes {Xt.shape}, {yt.shape}",
                   f"and y_test must have shapes (m, {d}) and (m,)")
    if v.is_concrete(y, forget, weights):
        y_np = np.asarray(y)
        bad = ~np.isin(y_np, (-1.0, 1.0))
        if bad.any():
            v.fail(where, prefix + "y", f"array containing {y_np[bad][:3].tolist()}", "must contain only -1 and +1")
        if yt is not None and v.is_concrete(yt):
            if (~np.isin(np.asarray(yt), (-1.0, 1.0))).any():
                v.fail(where, prefix + "y_test", "array with entries outside {-1, +1}", "must contain only -1 and +1")
        f_np = np.asarray(forget)
        w_np = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
        if weights is not None and (w_np < 0).any():
            v.fail(where, prefix + "weights", f"array with minimum {w_np.min()}", "must be >= 0")
        w_forget, w_retain = w_np[f_np].sum(), w_np[~f_np].sum()
        if w_forget <= 0:
            v.fail(where, prefix + "forget", f"mask with {int(f_np.sum())} of {n} samples (weight {w_forget})",
                   "must select a forget set of positive size (empty forget set)")
        if w_retain <= 0:
            v.fail(where, prefix + "forget", f"mask with {int(f_np.sum())} of {n} samples",
                   "must leave a retain set of positive size (the forget set is the whole data set)")
    return problem._replace(X=X, y=y, forget=forget, weights=weights, X_test=Xt, y_test=yt)


def make_problem(X, y, forget, lam, loss: str = "logistic", weights=None, X_test=None, y_test=None) -> Problem:
    r"""Build and validate a `Problem` from arrays.

    `X` becomes a JAX array as `jnp.asarray` makes it, so its dtype is JAX's
    canonical one (a float64 numpy `X` gives float32 while `jax_enable_x64`
    is off, float64 with it on). `y` (integer or floating, values in
    $\{-1,+1\}$), `lam`, `weights`, `X_test` and `y_test` are cast to that
    dtype; `forget` must be boolean; `lam` becomes a scalar array.

    Raises:
        ValueError: naming the argument and its bad value (shapes, labels,
            $\lambda\le0$, empty forget or retain set, NaN/inf, unknown loss).
    """
    where = "make_problem"
    X = v.check_array(where, "X", X, ndim=2)

    def cast(name, value, ndim, labels=False):
        if value is None:
            return None
        arr = v.check_array(where, name, value, ndim=ndim, floating=False)
        if not (jnp.issubdtype(arr.dtype, jnp.floating) or jnp.issubdtype(arr.dtype, jnp.integer)):
            v.fail(where, name, f"array of dtype {arr.dtype}", "must have a real (floating or integer) dtype")
        if labels and v.is_concrete(arr) and not np.isin(np.asarray(arr), (-1, 1)).all():
            v.fail(where, name, f"array containing {np.unique(np.asarray(arr))[:5].tolist()}",
                   "must contain only -1 and +1")
        return arr.astype(X.dtype)

    forget = v.as_array(where, "forget", forget)
    if forget.dtype != jnp.bool_:
        v.fail(where, "forget", f"array of dtype {forget.dtype}", "must be a boolean mask")
    v.check_positive_scalar(where, "lam", lam)
    problem = Problem(
        X=X,
        y=cast("y", y, 1, labels=True),
        forget=forget,
        lam=jnp.asarray(lam, dtype=X.dtype),
        loss=loss,
        weights=cast("weights", weights, 1),
        X_test=cast("X_test", X_test, 2),
        y_test=cast("y_test", y_test, 1, labels=True),
    )
    return check_problem(where, problem, prefix="")


def _check_counts(where, name, counts, *, compact):
    if compact:
        arr = jnp.asarray(counts)
        if arr.ndim != 1:
            v.fail(where, name, f"array of shape {arr.shape}", "must be 1-dimensional (one count per coordinate)")
        if v.is_concrete(arr):
            a = np.asarray(arr, dtype=float)
            if not np.isfinite(a).all() or (a < 0).any():
                v.fail(where, name, a.tolist(), "must be finite and >= 0")
        return arr
    if isinstance(counts, (str, bytes)) or not hasattr(counts, "__len__"):
        v.fail(where, name, counts, "must be a sequence of non-negative ints")
    out = []
    for c in counts:
        if isinstance(c, (bool, np.bool_)) or not isinstance(c, (int, np.integer)) or c < 0:
            v.fail(where, name, list(counts), "must contain only non-negative Python ints (use compact=True for traced counts)")
        out.append(int(c))
    if not out:
        v.fail(where, name, list(counts), "must have at least one coordinate")
    return out


def orthogonal_blocks(retain_counts, forget_counts, lam, loss: str = "exp", *, compact: bool = False) -> Problem:
    r"""The paper's orthogonal data (Assumptions 1-2): coordinate $j$ carries
    $|\mathcal R_j|$ retain and $|\mathcal F_j|$ forget samples $x=e_j$, $y=+1$.

    Let $|\mathcal R_j|$ be `retain_counts[j]`, $|\mathcal F_j|$ be
    `forget_counts[j]` and $\lambda$ be `lam`. The local forget ratio is
    $\alpha_j=|\mathcal F_j|/|\mathcal R_j|$; with the exponential loss the
    three solutions are Lemma 2's Lambert-W closed forms.

    Args:
        retain_counts, forget_counts: per-coordinate counts (length d).
        lam: ridge $\lambda>0$ (traceable: vmap over it works).
        loss: "exp" (the paper's analysis), "logistic" or "squared".
        compact: if False (default), one row per sample (counts are static
            Python ints). If True, two weighted rows per coordinate, weights
            equal to the counts; identical objectives, and the counts may be
            traced arrays (vmap over them).

    References: Sec. 5.1.1, Assumptions 1-2, Lemma 2.
    """
    where = "orthogonal_blocks"
    rc = _check_counts(where, "retain_counts", retain_counts, compact=compact)
    fc = _check_counts(where, "forget_counts", forget_counts, compact=compact)
    if len(rc) != len(fc):
        v.fail(where, "forget_counts", list(np.asarray(fc)), f"must have the same length as retain_counts ({len(rc)})")
    v.check_positive_scalar(where, "lam", lam)
    v.check_choice(where, "loss", loss, v.LOSSES)
    dtype = v.float_dtype(lam, *( [rc, fc] if compact else []))
    d = len(rc)
    if compact:
        eye = jnp.eye(d, dtype=dtype)
        X = jnp.concatenate([eye, eye])
        weights = jnp.concatenate([jnp.asarray(rc, dtype), jnp.asarray(fc, dtype)])
        forget = jnp.concatenate([jnp.zeros(d, bool), jnp.ones(d, bool)])
    else:
        rows = np.concatenate([np.repeat(np.arange(d), rc), np.repeat(np.arange(d), fc)])
        X = jnp.eye(d, dtype=dtype)[rows]
        forget = jnp.asarray(np.concatenate([np.zeros(sum(rc), bool), np.ones(sum(fc), bool)]))
        weights = None
    problem = Problem(X, jnp.ones(X.shape[0], dtype), forget, jnp.asarray(lam, dtype), loss, weights)
    return check_problem(where, problem)


def correlated_pair(n_retain: int, n_forget: int, eps, lam, loss: str = "exp", *, compact: bool = False) -> Problem:
    r"""Cross-dimensional correlation (Sec. 5.1.2): `n_retain` retain samples
    $x=(1,\epsilon)$ and `n_forget` forget samples $x=(\epsilon,1)$, all $y=+1$.

    Let $\epsilon$ be `eps` ($0\le\epsilon<1$) and $\lambda$ be `lam`; the
    forget ratio is $\alpha=|\mathcal F|/|\mathcal R|$. A retain sample's
    margin is $x=w_1+\epsilon w_2$, a forget sample's $y=\epsilon w_1+w_2$.
    `eps` and `lam` are traceable (vmap over them works); with
    `compact=True` the two groups are two weighted rows and the counts may be
    traced too.

    References: Sec. 5.1.2 and App. I (Lemmas 6-10, 12).
    """
    where = "correlated_pair"
    if compact:
        for name, c in (("n_retain", n_retain), ("n_forget", n_forget)):
            v.check_positive_scalar(where, name, c)
    else:
        v.check_int(where, "n_retain", n_retain, minimum=1)
        v.check_int(where, "n_forget", n_forget, minimum=1)
    v.check_positive_scalar(where, "eps", eps, allow_zero=True)
    if v.is_concrete(eps) and not float(eps) < 1:
        v.fail(where, "eps", eps, "must satisfy 0 <= eps < 1 (the paper's correlation range)")
    v.check_positive_scalar(where, "lam", lam)
    v.check_choice(where, "loss", loss, v.LOSSES)
    dtype = v.float_dtype(eps, lam)
    eps = jnp.asarray(eps, dtype)
    one = jnp.ones((), dtype)
    retain_row = jnp.stack([one, eps])
    forget_row = jnp.stack([eps, one])
    if compact:
        X = jnp.stack([retain_row, forget_row])
        weights = jnp.stack([jnp.asarray(n_retain, dtype), jnp.asarray(n_forget, dtype)])
        forget = jnp.array([False, True])
    else:
        X = jnp.concatenate([jnp.tile(retain_row, (n_retain, 1)), jnp.tile(forget_row, (n_forget, 1))])
        weights = None
        forget = jnp.concatenate([jnp.zeros(n_retain, bool), jnp.ones(n_forget, bool)])
    problem = Problem(X, jnp.ones(X.shape[0], dtype), forget, jnp.asarray(lam, dtype), loss, weights)
    return check_problem(where, problem)


def _equicorrelated(key, n, d, rho, dtype):
    key_z, key_s = jax.random.split(key)
    z = jax.random.normal(key_z, (n, d), dtype)
    s = jax.random.normal(key_s, (n, 1), dtype)
    return jnp.sqrt(1 - rho) * z + jnp.sqrt(rho) * s


def _teacher_labels(key, X, teacher):
    u = jax.random.uniform(key, (X.shape[0],), X.dtype)
    return jnp.where(u < jax.nn.sigmoid(X @ teacher), 1.0, -1.0).astype(X.dtype)


def _ranks(scores):
    """0 for the largest score, n-1 for the smallest (ties broken by index)."""
    order = jnp.argsort(-scores, stable=True)
    return jnp.zeros(scores.shape[0], jnp.int32).at[order].set(jnp.arange(scores.shape[0], dtype=jnp.int32))


@functools.partial(jax.jit, static_argnames=("n", "d", "n_test", "forget", "dtype"))
def _gaussian_arrays(key, rho, forget_fraction, teacher_norm, *, n, d, n_test, forget, dtype):
    """The arrays of `gaussian_problem` in one compiled program (eagerly, each op would compile on its own)."""
    key_teacher, key_train, key_test, key_labels, key_test_labels, key_forget = jax.random.split(key, 6)
    g = jax.random.normal(key_teacher, (d,), dtype)
    teacher = teacher_norm * g / jnp.linalg.norm(g)
    X = _equicorrelated(key_train, n, d, rho, dtype)
    y = _teacher_labels(key_labels, X, teacher)
    X_test = _equicorrelated(key_test, n_test, d, rho, dtype)
    y_test = _teacher_labels(key_test_labels, X_test, teacher)

    k = jnp.round(forget_fraction * n)
    if forget == "random":
        scores = jax.random.uniform(key_forget, (n,), dtype)
    else:
        centred = X - X.mean(axis=0, keepdims=True)
        _, vecs = jnp.linalg.eigh(centred.T @ centred)
        top = vecs[:, -1]
        top = jnp.where(top.sum() < 0, -top, top)
        scores = centred @ top
    mask = _ranks(scores).astype(dtype) < k
    return X, y, mask, X_test, y_test


def gaussian_problem(
    key,
    n: int,
    d: int,
    rho,
    forget_fraction,
    lam,
    *,
    forget: str = "random",
    loss: str = "logistic",
    n_test: Optional[int] = None,
    teacher_norm: float = 3.0,
) -> Problem:
    r"""Equicorrelated Gaussian features with labels from a logistic teacher.

    Features $x=\sqrt{1-\rho}\,z+\sqrt{\rho}\,s\,\mathbf 1$ with
    $z\sim\mathcal N(0,I_d)$, $s\sim\mathcal N(0,1)$, so
    $\mathrm{Cov}(x)=(1-\rho)I+\rho\mathbf 1\mathbf 1^\top$ (correlation
    $\rho$ = `rho`, $0\le\rho<1$). The teacher $w^\star$ is uniform on the
    sphere of radius `teacher_norm`; $P(y=+1\mid x)=\sigma(\langle w^\star,x\rangle)$.

    The forget set has $k=\mathrm{round}(\text{forget\_fraction}\cdot n)$
    samples: `forget="random"` picks them uniformly; `forget="correlated"`
    picks the $k$ samples with the largest projection on the top principal
    direction of the centred training features (sign fixed so that the
    direction has a non-negative sum) -- a forget set aligned with the data's
    dominant correlation, the paper's PC-aligned sets (Sec. 4.3, App. B).

    The held-out test set (`n_test` samples, default `n`, same distribution
    and teacher) lives in the returned problem's `X_test` and `y_test`.

    Args:
        key: a JAX PRNG key (first positional argument).
        n, d: training-set size and dimension (static ints).
        rho, forget_fraction, lam: traceable floats (vmap over them works).
        forget: "random" or "correlated".
        loss: "logistic" (default), "exp" or "squared".

    References: Sec. 4 (Lemma 1: random forget sets), Sec. 4.3 and App. B
    (PC-aligned forget sets).
    """
    where = "gaussian_problem"
    v.check_key(where, "key", key)
    n = v.check_int(where, "n", n, minimum=2)
    d = v.check_int(where, "d", d, minimum=1)
    n_test = n if n_test is None else v.check_int(where, "n_test", n_test, minimum=1)
    v.check_positive_scalar(where, "rho", rho, allow_zero=True)
    if v.is_concrete(rho) and not float(rho) < 1:
        v.fail(where, "rho", rho, "must satisfy 0 <= rho < 1")
    v.check_positive_scalar(where, "forget_fraction", forget_fraction)
    if v.is_concrete(forget_fraction):
        k = round(float(forget_fraction) * n)
        if not 1 <= k <= n - 1:
            v.fail(where, "forget_fraction", forget_fraction,
                   f"must give between 1 and n-1 = {n - 1} forget samples (round(fraction * n) = {k})")
    v.check_positive_scalar(where, "lam", lam)
    v.check_positive_scalar(where, "teacher_norm", teacher_norm)
    v.check_choice(where, "forget", forget, ("random", "correlated"))
    v.check_choice(where, "loss", loss, v.LOSSES)

    dtype = v.float_dtype(rho, forget_fraction, lam, teacher_norm)
    X, y, mask, X_test, y_test = _gaussian_arrays(key, rho, forget_fraction, teacher_norm, n=n, d=d, n_test=n_test,
                                                  forget=forget, dtype=dtype)
    problem = Problem(X, y, mask, jnp.asarray(lam, dtype), loss, None, X_test, y_test)
    return check_problem(where, problem)

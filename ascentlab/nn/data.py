r"""Data for the neural-network experiments: scikit-learn's bundled digits, and a synthetic generator.

Both give a `Dataset`: training and validation features standardised with the *training* set's
statistics, integer labels in $\{0,\dots,K-1\}$, and a fixed train/validation split by seed. Nothing is
downloaded: `digits` reads the 1,797 $8\times8$ images that ship inside scikit-learn (the optional
`ascentlab[data]` extra); `synthetic` draws Gaussian classes whose separation and fraction of
near-duplicates are knobs.

The near-duplicate knob is the switch for the "degenerate data set" effect of the paper's Table 1: on
MNIST and FashionMNIST the pretrained models are already close to the oracles on the forgotten points,
because a forgotten image usually has a near-copy in the retain set, so retraining without it changes
little. With `duplicate_fraction > 0` a chosen fraction of the training points come in such pairs.

Standardisation: with training features $X\in\mathbb R^{n\times p}$, per feature $j$ the mean
$m_j=\frac1n\sum_i X_{ij}$ and the population standard deviation
$s_j=\big(\frac1n\sum_i(X_{ij}-m_j)^2\big)^{1/2}$ ($s_j:=1$ where $s_j=0$, a constant feature, as
scikit-learn's `StandardScaler` does); every feature vector, training or validation, becomes
$(x_j-m_j)/s_j$. The validation set never enters $m$ or $s$.

References: "Ascent Fails to Forget" (arXiv 2509.26427), Table 1 (pretrained-vs-oracle KLoM on MNIST
and FashionMNIST, "degenerate" through near-duplicates) and Sec. 6 (the neural-network experiments).
"""

import functools
import numbers
from typing import NamedTuple, Optional

import jax
import jax.numpy as jnp
import numpy as np

from .. import _validate as v

__all__ = ["Dataset", "digits", "synthetic"]

_INSTALL_HINT = 'pip install "ascentlab[data]"'


class Dataset(NamedTuple):
    r"""A classification data set split into training and validation parts (a pytree).

    Attributes:
        X_train: standardised training features, shape (n, p), floating.
        y_train: training labels in $\{0,\dots,K-1\}$, shape (n,), int32.
        X_val: validation features, shape (n_val, p), `X_train`'s dtype, standardised with the
            training statistics (module docstring).
        y_val: validation labels, shape (n_val,), int32.
        n_classes: the number of classes $K$ (static metadata).
        name: a short name, "digits" or "synthetic" (static metadata).
        twin: optional, shape (n,), int32: for a training point generated as one of a near-duplicate
            pair, the index of the other point of the pair in the training set, else -1 (`synthetic`
            sets it; `digits` leaves it None, because no duplicate is known there).

    `n_classes` and `name` are static pytree metadata, so `jit` and `vmap` treat them as constants
    and `jax.tree.leaves(dataset)` holds the arrays only.
    """

    X_train: jax.Array
    y_train: jax.Array
    X_val: jax.Array
    y_val: jax.Array
    n_classes: int
    name: str = "custom"
    twin: Optional[jax.Array] = None


def _flatten(d: Dataset):
    return (d.X_train, d.y_train, d.X_val, d.y_val, d.twin), (d.n_classes, d.name)


def _unflatten(aux, children):
    X_train, y_train, X_val, y_val, twin = children
    n_classes, name = aux
    return Dataset(X_train, y_train, X_val, y_val, n_classes, name, twin)


# n_classes and name are static metadata: registered as a custom node (as `Problem` keeps its loss
# name), the NamedTuple keeps them out of the leaves.
jax.tree_util.register_pytree_node(Dataset, _flatten, _unflatten)


def check_dataset(where: str, data, *, prefix: str = "data.") -> Dataset:
    """Validate a `Dataset` (shapes, dtypes; label range whenever the labels are concrete); returns it.

    Errors name each field as `prefix` + field ("data.X_train"), in `ascentlab._validate`'s format.
    """
    if not isinstance(data, Dataset):
        v.fail(where, prefix.rstrip("."), type(data).__name__, "must be an ascentlab.nn.data.Dataset")
    if isinstance(data.n_classes, (bool, np.bool_)) or not isinstance(data.n_classes, numbers.Integral) \
            or data.n_classes < 2:
        v.fail(where, prefix + "n_classes", data.n_classes, "must be a Python int >= 2")
    if not isinstance(data.name, str):
        v.fail(where, prefix + "name", data.name, "must be a string")
    X = v.check_array(where, prefix + "X_train", data.X_train, ndim=2)
    n, p = X.shape
    if n < 1 or p < 1:
        v.fail(where, prefix + "X_train", f"array of shape {X.shape}", "needs n >= 1 samples and p >= 1 features")
    Xv = v.check_array(where, prefix + "X_val", data.X_val, ndim=2)
    if Xv.shape[1] != p or Xv.dtype != X.dtype:
        v.fail(where, prefix + "X_val", f"array of shape {Xv.shape} and dtype {Xv.dtype}",
               f"must have shape (n_val, {p}) and X_train's dtype {X.dtype}")
    for name, y, rows in (("y_train", data.y_train, n), ("y_val", data.y_val, Xv.shape[0])):
        y = v.as_array(where, prefix + name, y)
        if y.shape != (rows,) or y.dtype != jnp.int32:
            v.fail(where, prefix + name, f"array of shape {y.shape} and dtype {y.dtype}",
                   f"must be int32 labels of shape ({rows},)")
        if v.is_concrete(y) and rows and not (0 <= int(jnp.min(y)) and int(jnp.max(y)) < data.n_classes):
            v.fail(where, prefix + name, f"labels in [{int(jnp.min(y))}, {int(jnp.max(y))}]",
                   f"must lie in 0..n_classes-1 = 0..{data.n_classes - 1}")
    if data.twin is not None:
        twin = v.as_array(where, prefix + "twin", data.twin)
        if twin.shape != (n,) or twin.dtype != jnp.int32:
            v.fail(where, prefix + "twin", f"array of shape {twin.shape} and dtype {twin.dtype}",
                   f"must be None or int32 indices of shape ({n},)")
    return data


# ----------------------------------------------------------------------------------------------------
# Shared argument checks and helpers


def _key(where: str, key_or_seed):
    """A JAX PRNG key from a key or a non-negative Python int seed (`jax.random.key(seed)`)."""
    if isinstance(key_or_seed, numbers.Integral) and not isinstance(key_or_seed, (bool, np.bool_)):
        if key_or_seed < 0:
            v.fail(where, "key", key_or_seed, "must be a JAX PRNG key or a non-negative int seed")
        return jax.random.key(int(key_or_seed))
    if isinstance(key_or_seed, (bool, np.bool_)):
        v.fail(where, "key", key_or_seed, "must be a JAX PRNG key or a non-negative int seed, not a bool")
    return v.check_key(where, "key", key_or_seed)


def _fraction(where: str, name: str, value, *, closed: bool) -> float:
    """A Python float in [0, 1) (or [0, 1] with `closed`); concrete (it fixes array lengths)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        v.fail(where, name, value, "must be a real number (a Python float: it fixes array lengths)")
    value = float(value)
    ok = 0.0 <= value <= 1.0 if closed else 0.0 <= value < 1.0
    if not (np.isfinite(value) and ok):
        v.fail(where, name, value, "must lie in [0, 1]" if closed else "must lie in [0, 1)")
    return value


def _n_val(where: str, n: int, val_fraction: float, n_classes: int) -> int:
    n_val = round(val_fraction * n)
    if n - n_val < max(2, n_classes):
        v.fail(where, "val_fraction", val_fraction,
               f"must leave at least max(2, n_classes) = {max(2, n_classes)} training samples "
               f"(n - round(val_fraction * n) = {n - n_val} of n = {n})")
    return n_val


def _standardize_np(X_train: np.ndarray, X_val: np.ndarray):
    mean = X_train.mean(axis=0, keepdims=True)
    scale = X_train.std(axis=0, keepdims=True)
    scale = np.where(scale > 0, scale, 1.0)
    return (X_train - mean) / scale, (X_val - mean) / scale


def _standardize(X_train: jax.Array, X_val: jax.Array):
    mean = jnp.mean(X_train, axis=0, keepdims=True)
    scale = jnp.std(X_train, axis=0, keepdims=True)
    scale = jnp.where(scale > 0, scale, jnp.ones_like(scale))
    return (X_train - mean) / scale, (X_val - mean) / scale


# ----------------------------------------------------------------------------------------------------
# scikit-learn's handwritten digits


def _load_digits():
    try:
        from sklearn.datasets import load_digits
    except ImportError as err:
        raise ImportError("ascentlab.nn.data.digits needs scikit-learn, which bundles the digits data set "
                          f"(nothing is downloaded): {_INSTALL_HINT}") from err
    bunch = load_digits()
    return np.asarray(bunch.data, dtype=np.float64), np.asarray(bunch.target)


def digits(key_or_seed, *, val_fraction: float = 0.2, dtype=jnp.float32, standardize: bool = True) -> Dataset:
    r"""scikit-learn's handwritten digits: 1,797 images of $8\times8$ pixels (values 0..16), 10 classes.

    The data ship inside scikit-learn (`sklearn.datasets.load_digits`, imported on first call; install
    it with `pip install "ascentlab[data]"`); nothing is downloaded. Split: a plain random permutation
    (not stratified), $\pi=$ `jax.random.permutation(key, 1797)`; with
    $n_{\text{val}}=\mathrm{round}(\text{val\_fraction}\cdot1797)$ the validation set is the images
    $\pi_0,\dots,\pi_{n_{\text{val}}-1}$ and the training set the rest, $\pi_{n_{\text{val}}},\dots$,
    in that order. The same key gives the same split on every platform (JAX's counter-based PRNG).
    The 64 pixel features are then standardised with the training statistics (module docstring; the
    always-blank pixels keep scale 1), computed in float64 and cast to `dtype`.

    Args:
        key_or_seed: a JAX PRNG key, or a non-negative Python int seed (`jax.random.key(seed)`).
        val_fraction: the validation share in [0, 1).
        dtype: the floating dtype of the features (float32 by default, for speed; float64 needs JAX's
            x64 mode).
        standardize: False keeps the raw pixel values 0..16 (cast to `dtype`).

    Returns:
        A `Dataset` named "digits" with `n_classes=10` and `twin=None`.

    Raises:
        ImportError: scikit-learn is not installed (the message says `pip install "ascentlab[data]"`).
        ValueError: a bad argument, named with its value.
    """
    where = "digits"
    key = _key(where, key_or_seed)
    val_fraction = _fraction(where, "val_fraction", val_fraction, closed=False)
    dtype = v.require_dtype(where, dtype)
    if not isinstance(standardize, (bool, np.bool_)):
        v.fail(where, "standardize", standardize, "must be a bool")
    X, y = _load_digits()
    n = X.shape[0]
    n_val = _n_val(where, n, val_fraction, 10)
    perm = np.asarray(jax.random.permutation(key, n))
    val, train = perm[:n_val], perm[n_val:]
    X_train, X_val = X[train], X[val]
    if standardize:
        X_train, X_val = _standardize_np(X_train, X_val)
    return Dataset(jnp.asarray(X_train, dtype), jnp.asarray(y[train], jnp.int32),
                   jnp.asarray(X_val, dtype), jnp.asarray(y[val], jnp.int32), 10, "digits", None)


# ----------------------------------------------------------------------------------------------------
# Synthetic Gaussian classes with near-duplicates


@functools.partial(jax.jit, static_argnames=("n", "n_val", "n_pairs", "p", "n_classes", "latent_dim",
                                             "standardize", "dtype"))
def _synthetic_arrays(key, separation, duplicate_noise, *, n, n_val, n_pairs, p, n_classes, latent_dim,
                      standardize, dtype):
    k_frame, k_means, k_labels, k_noise, k_src, k_dup, k_shuffle = jax.random.split(key, 7)
    # The class means: K points of norm `separation` in an r-dimensional subspace with basis `frame`.
    frame, _ = jnp.linalg.qr(jax.random.normal(k_frame, (p, latent_dim), dtype))  # (p, r), orthonormal columns
    g = jax.random.normal(k_means, (latent_dim, n_classes), dtype)
    if latent_dim >= n_classes:
        u, _ = jnp.linalg.qr(g)  # (r, K), orthonormal columns: mutually orthogonal means
    else:
        u = g / jnp.linalg.norm(g, axis=0, keepdims=True)  # iid uniform on the unit sphere of R^r
    means = jnp.asarray(separation).astype(dtype) * (frame @ u).T  # (K, p)
    # n - m originals: balanced labels, randomly ordered; the first n_val are the validation set.
    n_orig = n - n_pairs
    y = jax.random.permutation(k_labels, jnp.arange(n_orig, dtype=jnp.int32) % n_classes)
    X = means[y] + jax.random.normal(k_noise, (n_orig, p), dtype)
    X_val, y_val = X[:n_val], y[:n_val]
    X_o, y_o = X[n_val:], y[n_val:]
    n_o = n_orig - n_val  # training originals
    # m near-duplicates: copies of m distinct training originals plus small isotropic noise, same label.
    src = jax.random.permutation(k_src, n_o)[:n_pairs].astype(jnp.int32)
    noise = jax.random.normal(k_dup, (n_pairs, p), dtype)
    X_copy = X_o[src] + jnp.asarray(duplicate_noise).astype(dtype) * noise
    X_train = jnp.concatenate([X_o, X_copy])
    y_train = jnp.concatenate([y_o, y_o[src]])
    copies = n_o + jnp.arange(n_pairs, dtype=jnp.int32)
    twin = jnp.full(n_o + n_pairs, -1, jnp.int32).at[src].set(copies).at[copies].set(src)
    # Shuffle the training set, so that the copies are not all at the end; re-index the pairs.
    order = jax.random.permutation(k_shuffle, n_o + n_pairs)
    position = jnp.zeros(n_o + n_pairs, jnp.int32).at[order].set(jnp.arange(n_o + n_pairs, dtype=jnp.int32))
    X_train, y_train, twin = X_train[order], y_train[order], twin[order]
    twin = jnp.where(twin >= 0, position[jnp.maximum(twin, 0)], -1)
    if standardize:
        X_train, X_val = _standardize(X_train, X_val)
    return X_train, y_train, X_val, y_val, twin


def synthetic(
    key,
    *,
    n: int = 2000,
    p: int = 32,
    n_classes: int = 10,
    latent_dim: Optional[int] = None,
    separation=3.0,
    duplicate_fraction: float = 0.0,
    duplicate_noise=0.01,
    val_fraction: float = 0.2,
    dtype=jnp.float32,
    standardize: bool = True,
) -> Dataset:
    r"""Gaussian classes in a low-dimensional subspace, with a controllable fraction of near-duplicates.

    Let $K$ be `n_classes`, $r$ `latent_dim`, $s$ `separation`, $\delta$ `duplicate_noise`, $f$
    `duplicate_fraction`. A random orthonormal frame $Q\in\mathbb R^{p\times r}$ spans the class
    subspace; the class means are $\mu_k=s\,Q u_k$ with unit $u_k\in\mathbb R^r$: mutually orthogonal
    when $r\ge K$ (so $\|\mu_k-\mu_l\|=s\sqrt2$ for every pair, and the nearest-mean rule with the true
    means is right with probability $\int\varphi(z)\,\Phi(z+s)^{K-1}\,dz$), else drawn iid uniformly on
    the unit sphere of $\mathbb R^r$. A sample of class $y$ is $x=\mu_y+\varepsilon$,
    $\varepsilon\sim\mathcal N(0,I_p)$; $s=0$ makes the classes indistinguishable.

    Sizes: `n` is the total (training and validation) count; $n_{\text{val}}=\mathrm{round}
    (\text{val\_fraction}\cdot n)$ and $n_{\text{train}}=n-n_{\text{val}}$. Near-duplicates live in the
    training set only: $m=\min(\mathrm{round}(f\,n_{\text{train}}/2),\lfloor n_{\text{train}}/2\rfloor)$
    distinct training originals $x_i$ each get a copy $x_i+\delta\,\xi_i$, $\xi_i\sim\mathcal N(0,I_p)$,
    with the same label, so $2m$ training points ($2m/n_{\text{train}}=f$ up to rounding,
    $|2m-f\,n_{\text{train}}|\le1$) have a near-duplicate at distance about $\delta\sqrt p$ (before
    standardisation), far below the typical distance $\approx\sqrt{2p}$ between independent samples of
    a class. The
    $n-m$ independent samples have labels $0,1,\dots,K-1,0,1,\dots$ in random order (class counts
    over training and validation differ by at most one); the first $n_{\text{val}}$ of them are the
    validation set (a plain random split, not stratified), the rest plus the copies, shuffled, the
    training set, and `Dataset.twin` pairs each duplicate with its original. Finally the features are
    standardised with the training statistics (module docstring) unless `standardize=False`.

    Generation is one jitted program (static sizes and dtype; `separation` and `duplicate_noise`
    traced), so a new value of either does not recompile. With $f>0$ this is the switch for the
    "degenerate data set" effect of the paper's Table 1: a forgotten point whose twin stays in the
    retain set is barely forgotten by the oracle either.

    Args:
        key: a JAX PRNG key, or a non-negative Python int seed (`jax.random.key(seed)`).
        n: total number of samples, training and validation (static int).
        p: feature dimension (static int >= 1).
        n_classes: the number of classes $K\ge2$.
        latent_dim: $r$, the dimension of the class subspace, 1 <= r <= p; default min(n_classes, p).
        separation: $s\ge0$, the norm of every class mean (in units of the noise standard deviation).
        duplicate_fraction: $f\in[0,1]$, the fraction of training points that have a near-duplicate.
        duplicate_noise: $\delta\ge0$, the standard deviation of a copy's noise per coordinate.
        val_fraction: the validation share in [0, 1).
        dtype: the floating dtype of the features (float32 by default; float64 needs x64 mode).
        standardize: False keeps the raw features $x$.

    Returns:
        A `Dataset` named "synthetic" with `twin` set.

    Raises:
        ValueError: a bad argument, named with its value.

    References: "Ascent Fails to Forget" (arXiv 2509.26427), Table 1 (near-duplicates make MNIST and
    FashionMNIST degenerate for unlearning evaluation).
    """
    where = "synthetic"
    key = _key(where, key)
    n_classes = v.check_int(where, "n_classes", n_classes, minimum=2)
    n = v.check_int(where, "n", n, minimum=2)
    p = v.check_int(where, "p", p, minimum=1)
    if latent_dim is None:
        latent_dim = min(n_classes, p)
    latent_dim = v.check_int(where, "latent_dim", latent_dim, minimum=1)
    if latent_dim > p:
        v.fail(where, "latent_dim", latent_dim, f"must be <= p = {p}")
    v.check_positive_scalar(where, "separation", separation, allow_zero=True)
    v.check_positive_scalar(where, "duplicate_noise", duplicate_noise, allow_zero=True)
    duplicate_fraction = _fraction(where, "duplicate_fraction", duplicate_fraction, closed=True)
    val_fraction = _fraction(where, "val_fraction", val_fraction, closed=False)
    dtype = v.require_dtype(where, dtype)
    if not isinstance(standardize, (bool, np.bool_)):
        v.fail(where, "standardize", standardize, "must be a bool")
    if n < n_classes:
        v.fail(where, "n", n, f"must be >= n_classes = {n_classes}")
    n_val = _n_val(where, n, val_fraction, n_classes)
    n_train = n - n_val
    n_pairs = min(round(duplicate_fraction * n_train / 2), n_train // 2)
    arrays = _synthetic_arrays(key, separation, duplicate_noise, n=n, n_val=n_val, n_pairs=n_pairs, p=p,
                               n_classes=n_classes, latent_dim=latent_dim, standardize=bool(standardize),
                               dtype=dtype)
    X_train, y_train, X_val, y_val, twin = arrays
    return Dataset(X_train, y_train, X_val, y_val, n_classes, "synthetic", twin)

"""ascentlab.nn.data: shapes, dtypes, split, standardisation, near-duplicates, class structure, digits, errors.

Independent references: numpy standardisation and brute-force nearest neighbours, scikit-learn's own digits
arrays, and the Bayes accuracy of orthogonal Gaussian classes (a one-dimensional integral, scipy's quad).
"""

import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ascentlab.nn.data import Dataset, check_dataset, digits, synthetic

# One small configuration shared by most tests (one compile).
SMALL = dict(n=500, p=16, n_classes=5, separation=2.0, val_fraction=0.2, dtype=jnp.float64)


def _np(data):
    return tuple(np.asarray(a) for a in (data.X_train, data.y_train, data.X_val, data.y_val))


def _nearest(X):
    """Brute-force nearest neighbour of every row among the other rows: (index, distance)."""
    D = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(D, np.inf)
    return D.argmin(axis=1), np.sqrt(D.min(axis=1))


def _nearest_mean_accuracy(X, y, Xv, yv, K):
    means = np.stack([X[y == k].mean(axis=0) for k in range(K)])
    predicted = ((Xv[:, None, :] - means[None, :, :]) ** 2).sum(-1).argmin(axis=1)
    return float((predicted == yv).mean())


@pytest.mark.parametrize("dtype", [jnp.float32, jnp.float64])
def test_synthetic_shapes_dtypes_labels(dtype):
    d = synthetic(jax.random.key(0), **{**SMALL, "dtype": dtype})
    X, y, Xv, yv = _np(d)
    assert X.shape == (400, 16) and Xv.shape == (100, 16)  # round(0.2 * 500) = 100 validation samples
    assert d.X_train.dtype == dtype and d.X_val.dtype == dtype
    assert d.y_train.dtype == jnp.int32 and d.y_val.dtype == jnp.int32 and d.twin.dtype == jnp.int32
    assert d.n_classes == 5 and d.name == "synthetic"
    assert set(np.unique(y)) == set(range(5)) and set(np.unique(yv)) <= set(range(5))
    counts = np.bincount(np.concatenate([y, yv]), minlength=5)
    assert counts.max() - counts.min() <= 1  # balanced labels over training + validation (no duplicates here)
    np.testing.assert_array_equal(np.asarray(d.twin), -1)
    assert check_dataset("test", d) is d


def test_dataset_is_a_pytree_with_static_metadata():
    d = synthetic(jax.random.key(0), **SMALL)
    leaves = jax.tree.leaves(d)
    assert len(leaves) == 5 and all(isinstance(a, jax.Array) for a in leaves)
    doubled = jax.jit(lambda data: jax.tree.map(lambda a: 2 * a, data))(d)
    assert isinstance(doubled, Dataset) and doubled.n_classes == 5 and doubled.name == "synthetic"
    np.testing.assert_array_equal(doubled.y_train, 2 * d.y_train)
    no_twin = Dataset(d.X_train, d.y_train, d.X_val, d.y_val, 5)
    assert len(jax.tree.leaves(no_twin)) == 4 and no_twin.name == "custom"


def test_split_is_deterministic_by_seed():
    a = synthetic(jax.random.key(3), **SMALL)
    b = synthetic(3, **SMALL)  # an int seed is jax.random.key(seed)
    c = synthetic(jax.random.key(4), **SMALL)
    for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b)):
        np.testing.assert_array_equal(x, y)  # same key, same bits
    assert not np.array_equal(a.X_train, c.X_train)
    d1, d2 = digits(7, dtype=jnp.float64), digits(jax.random.key(7), dtype=jnp.float64)
    for x, y in zip(jax.tree.leaves(d1), jax.tree.leaves(d2)):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(d1.y_train, digits(8, dtype=jnp.float64).y_train)


def test_synthetic_vmaps_over_keys():
    keys = jax.random.split(jax.random.key(0), 3)
    batched = jax.vmap(lambda k: synthetic(k, **SMALL).X_train)(keys)
    for i in range(3):
        np.testing.assert_allclose(batched[i], synthetic(keys[i], **SMALL).X_train, rtol=1e-12, atol=1e-12)
        # rtol: the same float64 program batched; XLA may order the reductions differently


def test_synthetic_standardisation_uses_training_statistics_only():
    key = jax.random.key(1)
    raw = synthetic(key, **SMALL, standardize=False)
    std = synthetic(key, **SMALL)
    X, _, Xv, _ = _np(raw)
    mean, scale = X.mean(axis=0), X.std(axis=0)  # population std, training rows only
    # 1e-12: the same float64 arithmetic, done by numpy here and by XLA in the generator
    np.testing.assert_allclose(std.X_train, (X - mean) / scale, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(std.X_val, (Xv - mean) / scale, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.asarray(std.X_train).mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(np.asarray(std.X_train).std(axis=0), 1.0, rtol=1e-12)
    # the validation set's own statistics differ (so they were not used): not all within float error of 0
    assert np.abs(np.asarray(std.X_val).mean(axis=0)).max() > 1e-3
    np.testing.assert_array_equal(std.y_train, raw.y_train)


def test_synthetic_near_duplicate_fraction():
    n_train = 400
    for f in (0.0, 0.3, 1.0):
        d = synthetic(jax.random.key(2), **SMALL, duplicate_fraction=f, duplicate_noise=0.01)
        X, y, Xv, _ = _np(d)
        twin = np.asarray(d.twin)
        nearest, dist = _nearest(X)
        # A twin sits at about 0.01 * sqrt(16) = 0.04 (less after scaling by std >= 1); independent samples of
        # a class at about sqrt(2 * 16) ~ 5.7 (the nearest of ~80 at least ~2): eps = 0.5 separates them.
        close = dist < 0.5
        assert abs(close.mean() - f) <= 1 / n_train, f  # 2m points with m = round(f * n_train / 2)
        np.testing.assert_array_equal(close, twin >= 0)
        paired = twin >= 0
        np.testing.assert_array_equal(nearest[paired], twin[paired])  # the nearest neighbour is the twin
        np.testing.assert_array_equal(twin[twin[paired]], np.flatnonzero(paired))  # pairs are symmetric
        np.testing.assert_array_equal(y[paired], y[twin[paired]])  # same label
        # the validation set holds no copy of a training point
        gap = np.sqrt(((Xv[:, None, :] - X[None, :, :]) ** 2).sum(-1)).min()
        assert gap > 0.5


def test_separation_knob_is_monotone():
    accuracies = []
    for s in (0.0, 1.0, 2.0, 4.0):
        d = synthetic(jax.random.key(5), **{**SMALL, "n": 2000, "separation": s})
        accuracies.append(_nearest_mean_accuracy(*_np(d), 5))
    assert all(a < b for a, b in zip(accuracies, accuracies[1:])), accuracies
    # s = 0: chance, 1/5, within 4 binomial standard deviations of 400 validation points (0.08)
    assert abs(accuracies[0] - 0.2) < 4 * np.sqrt(0.2 * 0.8 / 400)
    assert accuracies[-1] > 0.95  # Bayes accuracy at s = 4 with 5 orthogonal classes is 0.995


def test_synthetic_matches_its_distribution():
    """Raw features: class means of norm s, orthogonal when r >= K (Bayes accuracy of the docstring's
    integral), confined to r dimensions when r < K, unit isotropic noise."""
    from scipy import integrate, stats

    K, s, p = 4, 1.5, 8
    d = synthetic(jax.random.key(6), n=8000, p=p, n_classes=K, separation=s, val_fraction=0.5,
                  dtype=jnp.float64, standardize=False)
    X, y, Xv, yv = _np(d)
    means = np.stack([X[y == k].mean(axis=0) for k in range(K)])
    # ~1000 samples per class: each mean's error has norm about sqrt(p / 1000) ~ 0.09
    np.testing.assert_allclose(np.linalg.norm(means, axis=1), s, atol=4 * np.sqrt(p / 1000))
    gram = means @ means.T / s**2
    np.testing.assert_allclose(gram, np.eye(K), atol=0.25)  # orthogonal unit directions, same estimation error
    bayes = integrate.quad(lambda z: stats.norm.pdf(z) * stats.norm.cdf(z + s) ** (K - 1), -np.inf, np.inf)[0]
    accuracy = _nearest_mean_accuracy(X, y, Xv, yv, K)
    # 4 binomial standard deviations of 4000 validation points, plus 0.01 for the estimated means
    assert abs(accuracy - bayes) < 4 * np.sqrt(bayes * (1 - bayes) / 4000) + 0.01, (accuracy, bayes)
    within = np.concatenate([X[y == k] - means[k] for k in range(K)])
    np.testing.assert_allclose(np.cov(within.T), np.eye(p), atol=0.12)  # unit noise; sampling error ~ 0.03

    low = synthetic(jax.random.key(6), n=2000, p=p, n_classes=5, latent_dim=2, separation=5.0,
                    val_fraction=0.0, dtype=jnp.float64, standardize=False)
    X, y, _, _ = _np(low)
    means = np.stack([X[y == k].mean(axis=0) for k in range(5)])
    singular = np.linalg.svd(means, compute_uv=False)
    assert singular[1] > 3.0 and singular[2] < 0.5  # rank 2 (5 means of norm 5), plus estimation error ~0.2


@pytest.mark.parametrize("dtype, rtol", [(jnp.float64, 1e-15), (jnp.float32, 1e-6)])
def test_digits_matches_sklearn_after_the_same_permutation(dtype, rtol):
    datasets = pytest.importorskip("sklearn.datasets", reason="scikit-learn (the test extra) bundles the digits")
    raw = datasets.load_digits()
    key = jax.random.key(11)
    d = digits(key, dtype=dtype)
    perm = np.asarray(jax.random.permutation(key, 1797))
    val, train = perm[:359], perm[359:]  # round(0.2 * 1797) = round(359.4) = 359
    X, Xv = raw.data[train].astype(np.float64), raw.data[val].astype(np.float64)
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale == 0] = 1.0  # the always-blank pixels
    assert (raw.data.std(axis=0) == 0).any()  # there are such pixels, so the rule is exercised
    assert d.X_train.dtype == dtype and d.y_train.dtype == jnp.int32
    assert d.n_classes == 10 and d.name == "digits" and d.twin is None
    # rtol: float64 is the same computation (a few ulp); float32 the float64 values rounded once
    np.testing.assert_allclose(d.X_train, ((X - mean) / scale).astype(dtype), rtol=rtol, atol=rtol)
    np.testing.assert_allclose(d.X_val, ((Xv - mean) / scale).astype(dtype), rtol=rtol, atol=rtol)
    np.testing.assert_array_equal(d.y_train, raw.target[train])
    np.testing.assert_array_equal(d.y_val, raw.target[val])


def test_digits_split_is_a_partition():
    datasets = pytest.importorskip("sklearn.datasets", reason="scikit-learn (the test extra) bundles the digits")
    raw = datasets.load_digits()
    d = digits(0, val_fraction=0.3, dtype=jnp.float64, standardize=False)
    X, y, Xv, yv = _np(d)
    assert len(y) + len(yv) == 1797 and len(yv) == round(0.3 * 1797)
    rows = np.concatenate([np.column_stack([X, y]), np.column_stack([Xv, yv])])
    expected = np.column_stack([raw.data, raw.target])
    # the multiset of (image, label) rows is exactly scikit-learn's: every image once, in one part only
    np.testing.assert_array_equal(rows[np.lexsort(rows.T)], expected[np.lexsort(expected.T)])
    everything = digits(0, val_fraction=0.0, dtype=jnp.float64)
    assert everything.X_val.shape == (0, 64) and everything.X_train.shape == (1797, 64)


def test_digits_without_sklearn_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)  # makes `from sklearn.datasets import ...` fail
    with pytest.raises(ImportError, match=r'pip install "ascentlab\[data\]"'):
        digits(0)


@pytest.mark.parametrize("kwargs, match", [
    (dict(key=-1), r"`key` must be a JAX PRNG key or a non-negative int seed, got key=-1"),
    (dict(key=True), r"`key`.*not a bool"),
    (dict(key=np.zeros(3)), r"`key` must be a single JAX PRNG key"),
    (dict(val_fraction=1.0), r"`val_fraction` must lie in \[0, 1\), got val_fraction=1.0"),
    (dict(val_fraction=-0.1), r"`val_fraction` must lie in \[0, 1\)"),
    (dict(val_fraction=0.995), r"`val_fraction` must leave at least max\(2, n_classes\) = 5 training samples"),
    (dict(duplicate_fraction=1.5), r"`duplicate_fraction` must lie in \[0, 1\], got duplicate_fraction=1.5"),
    (dict(duplicate_fraction="half"), r"`duplicate_fraction` must be a real number"),
    (dict(duplicate_noise=-0.1), r"`duplicate_noise` must be finite and >= 0"),
    (dict(separation=float("nan")), r"`separation` must be finite and >= 0"),
    (dict(n=4), r"`n` must be >= n_classes = 5, got n=4"),
    (dict(n=100.0), r"`n` must be a Python int"),
    (dict(n_classes=1), r"`n_classes` must be >= 2, got n_classes=1"),
    (dict(p=0), r"`p` must be >= 1, got p=0"),
    (dict(latent_dim=17), r"`latent_dim` must be <= p = 16, got latent_dim=17"),
    (dict(dtype=jnp.int32), r"`dtype` must be a floating dtype"),
    (dict(standardize="yes"), r"`standardize` must be a bool"),
])
def test_synthetic_bad_inputs(kwargs, match):
    args = {**SMALL, **kwargs}
    key = args.pop("key", 0)
    with pytest.raises(ValueError, match=match):
        synthetic(key, **args)


@pytest.mark.parametrize("kwargs, match", [
    (dict(val_fraction=1.0), r"digits: `val_fraction` must lie in \[0, 1\), got val_fraction=1.0"),
    (dict(val_fraction=0.9999), r"`val_fraction` must leave at least max\(2, n_classes\) = 10 training samples"),
    (dict(dtype=np.int64), r"digits: `dtype` must be a floating dtype"),
    (dict(key_or_seed=-3), r"digits: `key` must be a JAX PRNG key or a non-negative int seed, got key=-3"),
])
def test_digits_bad_inputs(kwargs, match):
    args = {"key_or_seed": 0, **kwargs}
    with pytest.raises(ValueError, match=match):
        digits(args.pop("key_or_seed"), **args)


def test_check_dataset_names_the_bad_field():
    d = synthetic(jax.random.key(0), **SMALL)
    with pytest.raises(ValueError, match=r"`data.y_train` must be int32 labels"):
        check_dataset("f", d._replace(y_train=d.y_train.astype(jnp.float64)))
    with pytest.raises(ValueError, match=r"`data.y_train` must lie in 0..n_classes-1 = 0..1"):
        check_dataset("f", d._replace(n_classes=2))
    with pytest.raises(ValueError, match=r"`data.X_val` must have shape \(n_val, 16\)"):
        check_dataset("f", d._replace(X_val=d.X_val[:, :3]))
    with pytest.raises(ValueError, match=r"`data` must be an ascentlab.nn.data.Dataset"):
        check_dataset("f", (d.X_train, d.y_train))

"""ascentlab.nn.forget_sets: the influence proxy, its principal components and the paper's nine forget sets.

Independent answers: numpy SVD / eigh of hand-built centred matrices, per-sample last-layer gradients from
`jax.grad` of a loss written here (not the code's factorised Gram), a planted direction in hand-made features
and in App. B's logistic influence y y' x.x', numpy sorts for the top/bottom sets, and the hypergeometric mean
for the overlap of independent random sets. Float64 unless a test says float32.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ascentlab.nn import forget_sets as fs
from ascentlab.nn import mlp


def _cos(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def _np_pcs(Phi, k):
    """Reference: left singular vectors of the column-centred features, scaled: the PC scores, and S**2."""
    Phi = np.asarray(Phi, np.float64)
    Phi = Phi - Phi.mean(axis=0)
    U, S, _ = np.linalg.svd(Phi, full_matrices=False)
    return (U[:, :k] * S[:k]).T, S[:k] ** 2, float(np.sum(Phi * Phi))


def _planted(rng, n, q, amplitudes=(8.0, 3.0)):
    """Features with planted orthonormal directions v_k (feature space) and sample scores t_k, plus unit noise."""
    V, _ = np.linalg.qr(rng.normal(size=(q, len(amplitudes))))
    T = rng.normal(size=(len(amplitudes), n))
    Phi = sum(a * np.outer(t, V[:, k]) for k, (a, t) in enumerate(zip(amplitudes, T))) + rng.normal(size=(n, q))
    return Phi, T


# n > q: the covariance route; n < q: the n x n Gram route.
@pytest.mark.parametrize("n, q", [(200, 30), (40, 60)])
def test_pcs_from_features_find_planted_directions(n, q):
    rng = np.random.default_rng(n + q)
    Phi, T = _planted(rng, n, q, amplitudes=(20.0, 10.0))
    pcs = fs.pcs_from_features(jnp.asarray(Phi), n_components=2)
    ref, lam, total = _np_pcs(Phi, 2)
    for k in range(2):
        # Eigenvector error ~ eps * ||G|| / gap; the gaps are >= 30 % of lambda_1 here, so 1e-9 is ample.
        assert abs(_cos(pcs.scores[k], ref[k])) > 1 - 1e-9
        # The planted sample scores (centred) up to the noise's component along v_k, of std 1: cos ~ a/sqrt(a^2+1)
        # = 0.9988 or 0.995 for a = 20 or 10.
        assert abs(_cos(pcs.scores[k], T[k] - T[k].mean())) > 0.99
        # Sign convention: the largest |score| is positive.
        assert float(pcs.scores[k][np.argmax(np.abs(np.asarray(pcs.scores[k])))]) > 0
    # Scores are sqrt(lambda) u: their squared norms are the eigenvalues (float64 rounding of an eigh).
    np.testing.assert_allclose(np.sum(np.asarray(pcs.scores) ** 2, axis=1), lam, rtol=1e-10)
    np.testing.assert_allclose(np.asarray(pcs.eigenvalues), lam, rtol=1e-10)
    np.testing.assert_allclose(float(pcs.total_variance), total, rtol=1e-12)
    # PC2 is orthogonal to PC1 (eigenvectors of a symmetric matrix; rounding of order eps * n).
    assert abs(_cos(pcs.scores[0], pcs.scores[1])) < 1e-10


def test_ensemble_features_average_the_grams_and_two_routes_agree():
    rng = np.random.default_rng(3)
    N, n, q = 3, 30, 7  # N q = 21 < n: the covariance route
    Phi = rng.normal(size=(N, n, q)) * np.array([5.0, 2.0, 1.0, 1.0, 1.0, 0.5, 0.5])
    G = np.mean([P @ P.T for P in Phi], axis=0)
    H = np.eye(n) - np.ones((n, n)) / n
    lam, U = np.linalg.eigh(H @ G @ H)
    via_features = fs.pcs_from_features(jnp.asarray(Phi), n_components=3)
    via_gram = fs.pcs_from_gram(jnp.asarray(G), n_components=3)
    for k in range(3):
        # Distinct eigenvalues (the column scales differ): eigenvectors agree to rounding over the gap.
        assert abs(_cos(via_features.scores[k], U[:, -1 - k])) > 1 - 1e-9
        np.testing.assert_allclose(np.asarray(via_features.scores[k]), np.asarray(via_gram.scores[k]),
                                   rtol=0, atol=1e-9 * math.sqrt(lam[-1]))
    np.testing.assert_allclose(np.asarray(via_gram.eigenvalues), lam[::-1][:3], rtol=1e-10)
    np.testing.assert_allclose(float(via_gram.total_variance), np.trace(H @ G @ H), rtol=1e-12)


def _ensemble(seed, sizes, N):
    keys = jax.random.split(jax.random.key(seed), N)
    params = jax.vmap(lambda k: mlp.init(k, sizes, jnp.float64))(keys)
    # Non-zero biases, so the constant column of the gradient features matters.
    return [(W, b + 0.3 * jax.random.normal(jax.random.fold_in(keys[0], l), b.shape, jnp.float64))
            for l, (W, b) in enumerate(params)]


def _reference_gradients(params, X, y, activation):
    """Per-sample last-layer gradients from jax.grad of a cross-entropy written here, rows k(d+1)+j."""
    act = np.tanh if activation == "tanh" else (lambda a: np.maximum(a, 0.0))
    rows = []
    for m in range(params[0][0].shape[0]):
        h = np.asarray(X)
        for W, b in params[:-1]:
            h = act(h @ np.asarray(W[m]) + np.asarray(b[m]))
        WL, bL = params[-1][0][m], params[-1][1][m]

        def loss(Wb, hi, yi):
            z = jnp.asarray(hi) @ Wb[0] + Wb[1]
            return jax.nn.logsumexp(z) - z[yi]

        per = []
        for i in range(X.shape[0]):
            gW, gb = jax.grad(loss)((WL, bL), h[i], int(y[i]))
            per.append(np.concatenate([np.asarray(gW), np.asarray(gb)[None, :]], axis=0).T.reshape(-1))
        rows.append((np.array(per), h))
    return rows


# D = N K (d + 1) = 2 * 3 * 5 = 30: n = 12 takes the n x n Gram route, n = 45 the covariance route.
@pytest.mark.parametrize("n, activation", [(12, "relu"), (45, "tanh")])
def test_gradient_proxy_is_the_last_layer_gradient_gram(n, activation):
    rng = np.random.default_rng(n)
    sizes, N = (5, 4, 3), 2
    params = _ensemble(n, sizes, N)
    X = jnp.asarray(rng.normal(size=(n, sizes[0])))
    y = jnp.asarray(rng.integers(0, sizes[-1], n).astype(np.int32))
    ref = _reference_gradients(params, X, y, activation)
    feats = fs.proxy_features(params, X, y, activation=activation)
    for m in range(N):
        # jax.grad against the closed form r (x) (h, 1): a few float64 roundings.
        np.testing.assert_allclose(np.asarray(feats[m]), ref[m][0], rtol=1e-12, atol=1e-14)
    H = np.eye(n) - np.ones((n, n)) / n
    G = H @ np.mean([g @ g.T for g, _ in ref], axis=0) @ H
    np.testing.assert_allclose(np.asarray(fs.influence_gram(params, X, y, activation=activation)), G,
                               rtol=1e-11, atol=1e-13)
    pcs = fs.influence_pcs(params, X, y, activation=activation, n_components=2)
    lam, U = np.linalg.eigh(G)
    for k in range(2):
        # Random data: the top eigenvalues are separated by O(1) relative gaps, so rounding is ~1e-13.
        assert abs(_cos(pcs.scores[k], U[:, -1 - k])) > 1 - 1e-9
    np.testing.assert_allclose(np.asarray(pcs.eigenvalues), lam[::-1][:2], rtol=1e-9)
    # The features proxy: the Gram of the penultimate features.
    Gh = H @ np.mean([h @ h.T for _, h in ref], axis=0) @ H
    np.testing.assert_allclose(np.asarray(fs.influence_gram(params, X, y, proxy="features", activation=activation)),
                               Gh, rtol=1e-11, atol=1e-13)
    pcs_h = fs.influence_pcs(params, X, y, proxy="features", activation=activation, n_components=1)
    assert abs(_cos(pcs_h.scores[0], np.linalg.eigh(Gh)[1][:, -1])) > 1 - 1e-9


def test_app_b_logistic_influence_follows_the_planted_direction():
    # A linear softmax model at theta = 0 on two classes:
    # g_i = (1/2 - e_{y_i}) (x) (x_i, 1) = -s_i/2 (1, -1) (x) (x_i, 1)
    # with s_i = +-1 by label, so G_ij = s_i s_j (x_i.x_j + 1)/2: App. B's influence y y' sigma sigma x.x' with
    # sigma = 1/2. With x_i = 10 t_i v + noise, the top direction is the sample vector s_i t_i.
    rng = np.random.default_rng(11)
    n, p = 300, 6
    v = np.linalg.qr(rng.normal(size=(p, 1)))[0][:, 0]
    t = rng.normal(size=n)
    X = 10.0 * np.outer(t, v) + rng.normal(size=(n, p))
    y = rng.integers(0, 2, n).astype(np.int32)
    s = np.where(y == 0, 1.0, -1.0)
    params = [(jnp.zeros((p, 2)), jnp.zeros((2,)))]
    pcs = fs.influence_pcs(params, jnp.asarray(X), jnp.asarray(y), n_components=2)
    planted = s * t - np.mean(s * t)
    # Signal variance 100 per unit t against noise variance 1 per coordinate: cos > 0.99.
    assert abs(_cos(pcs.scores[0], planted)) > 0.99
    # And against a numpy SVD of the hand-built features s_i (x_i, 1) (their Gram is 2 G: same eigenvectors).
    ref, _, _ = _np_pcs(s[:, None] * np.hstack([X, np.ones((n, 1))]), 2)
    assert abs(_cos(pcs.scores[0], ref[0])) > 1 - 1e-9
    # The pc1 forget sets are the top-k along it (numpy argsort of the reference direction, sign aligned).
    direction = ref[0] * np.sign(_cos(pcs.scores[0], ref[0]))
    sets = fs.forget_sets(None, pcs, sizes=(10, 30, 60), names=("pc1_top_small", "pc1_top_large", "pc1_top_bottom"))
    order = np.argsort(-direction, kind="stable")
    assert set(np.flatnonzero(np.asarray(sets["pc1_top_small"]))) == set(order[:10])
    assert set(np.flatnonzero(np.asarray(sets["pc1_top_large"]))) == set(order[:30])
    assert set(np.flatnonzero(np.asarray(sets["pc1_top_bottom"]))) == set(order[:30]) | set(order[-30:])


def _reference_order(score):
    return sorted(range(len(score)), key=lambda i: (-score[i], i))


@pytest.mark.parametrize("large", [40, 41])
def test_pc_sets_are_top_k_and_top_bottom_halves_with_ties_by_index(large):
    rng = np.random.default_rng(large)
    n = 100
    scores = np.round(rng.normal(size=(2, n)), 1)  # many exact ties
    sets = fs.forget_sets(jax.random.key(0), jnp.asarray(scores), sizes=(7, 20, large))
    assert list(sets) == list(fs.FORGET_SETS)
    for pc in (0, 1):
        order = _reference_order(list(scores[pc]))
        tag = f"pc{pc + 1}"
        assert np.flatnonzero(np.asarray(sets[f"{tag}_top_small"])).tolist() == sorted(order[:7])
        assert np.flatnonzero(np.asarray(sets[f"{tag}_top_large"])).tolist() == sorted(order[:20])
        top, bottom = order[:math.ceil(large / 2)], order[n - large // 2:]
        assert not set(top) & set(bottom)
        assert np.flatnonzero(np.asarray(sets[f"{tag}_top_bottom"])).tolist() == sorted(top + bottom)
    for name, k in zip(fs.FORGET_SETS, (7, 20, large) * 3):
        assert sets[name].shape == (n,) and sets[name].dtype == jnp.bool_ and int(sets[name].sum()) == k


def test_random_sets_sizes_determinism_and_independence():
    n, sizes = 200, (10, 30, 80)
    scores = jnp.asarray(np.random.default_rng(0).normal(size=(2, n)))
    a = fs.forget_sets(jax.random.key(5), scores, sizes=sizes)
    b = fs.forget_sets(jax.random.key(5), scores, sizes=sizes, names=("random_large", "random_small"))
    c = fs.forget_sets(jax.random.key(6), scores, sizes=sizes)
    for name, k in zip(("random_small", "random_medium", "random_large"), sizes):
        assert int(a[name].sum()) == k
    # Same key, same sets, whatever else is asked for; another key, other sets.
    assert np.array_equal(a["random_large"], b["random_large"]) and np.array_equal(a["random_small"], b["random_small"])
    assert not np.array_equal(a["random_large"], c["random_large"])
    # Independent uniform sets: the overlap of sizes 30 and 80 is hypergeometric, mean 30 * 80 / n = 12, variance
    # 30 (80/n)(120/n)(170/199) ~ 6.15; the mean over M keys lies within 5 standard errors of 12.
    M = 60
    overlaps = []
    hits = np.zeros(n)
    for i in range(M):
        sets = fs.forget_sets(jax.random.key(100 + i), scores, sizes=sizes, names=("random_medium", "random_large"))
        overlaps.append(int(np.sum(np.asarray(sets["random_medium"]) & np.asarray(sets["random_large"]))))
        hits += np.asarray(sets["random_large"])
    var = 30 * (80 / n) * (120 / n) * (n - 30) / (n - 1)
    assert abs(np.mean(overlaps) - 30 * 80 / n) < 5 * math.sqrt(var / M)
    # Every index equally likely: inclusion counts Binomial(M, 0.4) per index; all within 6 standard deviations.
    assert np.all(np.abs(hits - M * 0.4) < 6 * math.sqrt(M * 0.4 * 0.6))


def test_default_sizes():
    # The module's stated examples, and the bounds: 1 <= k <= n - 1, non-decreasing, the large size even unless
    # a floor or the cap sets it, and about 10 % of n.
    assert fs.default_sizes(1438) == (10, 50, 144)
    assert fs.default_sizes(1600) == (10, 56, 160)
    assert fs.default_sizes(50000)[0] == 10
    for n in (2, 3, 20, 57, 400, 1000, 9999):
        ks, km, kl = fs.default_sizes(n)
        assert 1 <= ks <= km <= kl <= n - 1
        assert kl % 2 == 0 or kl in (km, n - 1)
        assert kl >= 0.1 * n - 2 or kl == n - 1


def test_end_to_end_on_an_ensemble_float32():
    # The networks' default dtype: float32 in, float32 scores, nine sets of the default sizes.
    rng = np.random.default_rng(1)
    n, sizes = 120, (6, 8, 4)
    X = jnp.asarray(rng.normal(size=(n, 6)).astype(np.float32))
    y = jnp.asarray(rng.integers(0, 4, n).astype(np.int32))
    keys = jax.random.split(jax.random.key(2), 3)
    params = jax.vmap(lambda k: mlp.init(k, sizes, jnp.float32))(keys)
    for proxy in fs.PROXIES:
        pcs = fs.influence_pcs(params, X, y, proxy=proxy)
        assert pcs.scores.dtype == jnp.float32 and pcs.scores.shape == (2, n)
        assert float(pcs.eigenvalues[0]) >= float(pcs.eigenvalues[1]) > 0
        sets = fs.forget_sets(jax.random.key(3), pcs)
        assert {k: int(m.sum()) for k, m in sets.items()} == dict(zip(fs.FORGET_SETS, fs.default_sizes(n) * 3))
    # A single model's parameters (no model axis) are an ensemble of one.
    one = jax.tree.map(lambda a: a[0], params)
    # Batched and unbatched float32 matmuls may sum in another order: a few ulps of float32.
    np.testing.assert_allclose(np.asarray(fs.proxy_features(one, X, y)),
                               np.asarray(fs.proxy_features(params, X, y))[:1], rtol=1e-5, atol=1e-6)


def test_bad_inputs_are_named():
    n = 20
    scores = jnp.asarray(np.random.default_rng(0).normal(size=(2, n)))
    key = jax.random.key(0)
    with pytest.raises(ValueError, match=r"`sizes` must hold ints 1 <= k <= n - 1 = 19.*sizes=\(5, 10, 20\)"):
        fs.forget_sets(key, scores, sizes=(5, 10, 20))
    with pytest.raises(ValueError, match=r"`sizes` must be three ints"):
        fs.forget_sets(key, scores, sizes=(5, 10))
    with pytest.raises(ValueError, match=r"`names` must be among .*names='pc3_top_small'"):
        fs.forget_sets(key, scores, names=("pc1_top_small", "pc3_top_small"))
    with pytest.raises(ValueError, match=r"`pcs` must hold PC2"):
        fs.forget_sets(key, scores[:1], names=("pc2_top_small",))
    with pytest.raises(ValueError, match=r"`key` must be a single JAX PRNG key"):
        fs.forget_sets(None, scores, names=("random_small",))
    with pytest.raises(ValueError, match=r"`n` must be >= 2"):
        fs.default_sizes(1)
    X = jnp.asarray(np.random.default_rng(1).normal(size=(n, 3)))
    y = jnp.zeros((n,), jnp.int32)
    params = mlp.init(jax.random.key(1), (3, 4, 2), jnp.float64)
    with pytest.raises(ValueError, match=r"`proxy` must be one of \['gradient', 'features'\], got proxy='hessian'"):
        fs.influence_pcs(params, X, y, proxy="hessian")
    with pytest.raises(ValueError, match=r"`n_components` must be <= the number of samples n = 20"):
        fs.influence_pcs(params, X, y, n_components=21)
    with pytest.raises(ValueError, match=r"`X` must have 3 columns"):
        fs.influence_pcs(params, X[:, :2], y)
    bad = [(params[0][0][None], params[0][1][None]), (jnp.stack([params[1][0]] * 2), jnp.stack([params[1][1]] * 2))]
    with pytest.raises(ValueError, match=r"`params\[1\]\.W` .*leading model axis \(1\)"):
        fs.influence_gram(bad, X, y)
    with pytest.raises(ValueError, match=r"`gram` must be symmetric"):
        fs.pcs_from_gram(jnp.asarray(np.triu(np.ones((4, 4)))))
    with pytest.raises(ValueError, match=r"`features` must have shape \(n, q\) or \(N, n, q\)"):
        fs.pcs_from_features(jnp.ones((4,)))

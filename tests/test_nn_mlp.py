"""ascentlab.nn.mlp: the MLP, its margins and losses against numpy, SGD against a numpy SGD, vmapped ensembles.

Independent answers: numpy forward passes and hand-written numpy backpropagation (one hidden layer), central
finite differences, the two-class identity m = z_y - z_other, and the batch construction's own contract
(every masked row once per epoch). Float64 unless a test says float32 (the networks' default dtype).
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ascentlab.nn import mlp


def _problem(seed, n=40, p=5, K=3, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)).astype(dtype)
    y = rng.integers(0, K, n).astype(np.int32)
    return X, y


def _np_params(params):
    return [(np.asarray(W), np.asarray(b)) for W, b in params]


def _np_forward(params, X, activation):
    act = np.tanh if activation == "tanh" else (lambda a: np.maximum(a, 0.0))
    h = X
    for W, b in params[:-1]:
        h = act(h @ W + b)
    W, b = params[-1]
    return h @ W + b


def _np_margins(z, y):
    out = np.empty(len(y))
    for i, (zi, yi) in enumerate(zip(z, y)):
        others = np.delete(zi, yi)
        top = others.max()
        out[i] = zi[yi] - (top + np.log(np.sum(np.exp(others - top))))
    return out


def _np_ce(z, y):
    top = z.max(axis=1)
    return top + np.log(np.exp(z - top[:, None]).sum(axis=1)) - z[np.arange(len(y)), y]


def _np_grad(params, X, y, w, activation):
    """Backpropagation of sum_i w_i CE_i / sum_i w_i for a one-hidden-layer MLP, written out in numpy."""
    (W1, b1), (W2, b2) = params
    a = X @ W1 + b1
    h = np.tanh(a) if activation == "tanh" else np.maximum(a, 0.0)
    z = h @ W2 + b2
    s = np.exp(z - z.max(axis=1, keepdims=True))
    s /= s.sum(axis=1, keepdims=True)
    s[np.arange(len(y)), y] -= 1.0
    dz = s * (w / w.sum())[:, None]
    dh = dz @ W2.T
    da = dh * (1.0 - h ** 2) if activation == "tanh" else dh * (a > 0)
    return [(X.T @ da, da.sum(axis=0)), (h.T @ dz, dz.sum(axis=0))]


def _np_sgd(params, X, y, batches, lrs, momentum, weight_decay, activation):
    """PyTorch's SGD (coupled weight decay, heavy-ball momentum, no dampening) over given (indices, weights)."""
    params = [(W.copy(), b.copy()) for W, b in params]
    vel = [(np.zeros_like(W), np.zeros_like(b)) for W, b in params]
    for (idx, w), lr in zip(batches, lrs):
        g = _np_grad(params, X[idx], y[idx], w, activation)
        vel = [(momentum * vW + gW + weight_decay * W, momentum * vb + gb + weight_decay * b)
               for (vW, vb), (gW, gb), (W, b) in zip(vel, g, params)]
        params = [(W - lr * vW, b - lr * vb) for (W, b), (vW, vb) in zip(params, vel)]
    return params


def _assert_tree_close(a, b, **tol):
    for x, z in zip(jax.tree.leaves(a), jax.tree.leaves(b)):
        np.testing.assert_allclose(np.asarray(x), np.asarray(z), **tol)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_forward_margins_ce_accuracy_match_numpy(activation):
    X, y = _problem(0)
    params = mlp.init(jax.random.key(1), (5, 7, 6, 3), jnp.float64)
    P = _np_params(params)
    z = _np_forward(P, X, activation)
    w = np.random.default_rng(2).random(len(y))
    # same operations in another order (numpy BLAS against XLA): float64 rounding, ~1e-15 relative
    np.testing.assert_allclose(mlp.forward(params, X, activation=activation), z, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(mlp.margins(params, X, y, activation=activation), _np_margins(z, y),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(mlp.cross_entropy(params, X, y, activation=activation), _np_ce(z, y).mean(), rtol=1e-12)
    np.testing.assert_allclose(mlp.cross_entropy(params, X, y, w, activation=activation),
                               np.sum(w * _np_ce(z, y)) / w.sum(), rtol=1e-12)
    correct = (z.argmax(axis=1) == y).astype(float)
    assert float(mlp.accuracy(params, X, y, activation=activation)) == correct.mean()
    np.testing.assert_allclose(mlp.accuracy(params, X, y, w, activation=activation), np.sum(w * correct) / w.sum(),
                               rtol=1e-12)
    # the cross-entropy is softplus(-margin): log(e^{z_y} + S) - z_y = log(1 + S e^{-z_y})
    np.testing.assert_allclose(_np_ce(z, y), np.logaddexp(0.0, -_np_margins(z, y)), rtol=1e-12)


def test_he_and_glorot_init_variances():
    sizes = (400, 300, 10)
    for scheme, var in (("he", lambda a, b: 2.0 / a), ("glorot", lambda a, b: 2.0 / (a + b))):
        params = mlp.init(jax.random.key(3), sizes, jnp.float64, scheme=scheme)
        for (W, b), d_in, d_out in zip(params, sizes[:-1], sizes[1:]):
            assert W.shape == (d_in, d_out) and b.shape == (d_out,) and not np.any(np.asarray(b))
            # sample variance of d_in*d_out >= 4,000 normals: relative standard error sqrt(2/N) <= 2.2%, 5 sigma
            np.testing.assert_allclose(np.var(np.asarray(W)), var(d_in, d_out), rtol=0.12)
    assert mlp.init(jax.random.key(0), (3, 2))[0][0].dtype == jnp.float32  # the networks' default


def test_margins_are_stable_for_huge_logits():
    z = jnp.asarray([[1e4, -1e4, 3e3], [-2e4, 5e3, 5e3], [7.0, 7.0, 7.0]])
    y = jnp.asarray([0, 1, 2], jnp.int32)
    m = np.asarray(mlp.margins_from_logits(z, y))
    # closed forms: the largest other logit dominates, log(e^a + e^b) = max + log(1 + e^{-|a-b|})
    expected = [1e4 - (3e3 + np.log1p(np.exp(-1.3e4))), 5e3 - (5e3 + np.log1p(np.exp(-2.5e4))), -np.log(2.0)]
    np.testing.assert_allclose(m, expected, rtol=1e-15, atol=1e-12)
    z2 = jnp.asarray([[3.0, -1.5], [0.25, 8.0]])
    y2 = jnp.asarray([0, 0], jnp.int32)
    np.testing.assert_array_equal(mlp.margins_from_logits(z2, y2), [4.5, -7.75])  # two classes: z_y - z_other


def test_cross_entropy_gradient_matches_finite_differences():
    X, y = _problem(4, n=12, p=4, K=3)
    params = mlp.init(jax.random.key(5), (4, 6, 3), jnp.float64, scheme="glorot")
    w = jnp.asarray(np.random.default_rng(6).random(12))
    f = lambda p: mlp.cross_entropy(p, X, y, w, activation="tanh")
    g = jax.grad(f)(params)
    rng = np.random.default_rng(7)
    for _ in range(3):
        d = jax.tree.map(lambda a: jnp.asarray(rng.normal(size=a.shape)), params)
        h = 1e-5
        shift = lambda s: jax.tree.map(lambda a, b: a + s * b, params, d)
        fd = (f(shift(h)) - f(shift(-h))) / (2 * h)
        directional = sum(jnp.sum(a * b) for a, b in zip(jax.tree.leaves(g), jax.tree.leaves(d)))
        # central difference: O(h^2) ~ 1e-10 truncation, ~1e-16/h ~ 1e-11 rounding
        np.testing.assert_allclose(directional, fd, rtol=1e-7, atol=1e-9)
    # and the numpy backpropagation agrees with jax.grad (independent derivation)
    _assert_tree_close(g, _np_grad(_np_params(params), X, y, np.asarray(w), "tanh"), rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("momentum, weight_decay, schedule", [(0.0, 0.0, "constant"), (0.9, 1e-2, "triangular")])
def test_full_batch_sgd_equals_numpy_gradient_descent(momentum, weight_decay, schedule):
    X, y = _problem(8, n=30, p=4, K=3)
    params = mlp.init(jax.random.key(9), (4, 8, 3), jnp.float64)
    E, lr, peak = 6, 0.5, 2.0
    out = mlp.train(jax.random.key(10), params, X, y, epochs=E, batch_size=30, lr=lr, momentum=momentum,
                    weight_decay=weight_decay, schedule=schedule, peak_epoch=peak)
    # batch = n: one step per epoch on every row (the order does not change a full-batch gradient)
    factors = [1.0] * E if schedule == "constant" else [e / peak if e < peak else (E - e) / (E - peak)
                                                        for e in range(E)]
    batches = [(np.arange(30), np.ones(30))] * E
    ref = _np_sgd(_np_params(params), X, y, batches, [lr * f for f in factors], momentum, weight_decay, "relu")
    # six steps of the same maths in another summation order: float64 rounding
    _assert_tree_close(out, ref, rtol=1e-10, atol=1e-12)


def test_minibatches_visit_each_masked_row_once():
    n, B = 23, 5
    mask = np.zeros(n)
    mask[[0, 3, 4, 7, 8, 9, 12, 15, 16, 20, 21, 22]] = 1  # m = 12: steps of 5, 5, 2, then two padded steps
    idx, valid = map(np.asarray, mlp.minibatches(jax.random.key(11), mask, B))
    assert idx.shape == valid.shape == (5, 5)  # ceil(23 / 5) steps: the shapes do not depend on the mask
    assert valid.sum(axis=1).tolist() == [5, 5, 2, 0, 0]
    assert sorted(idx[valid].tolist()) == np.flatnonzero(mask).tolist()  # each masked row exactly once
    idx2, _ = mlp.minibatches(jax.random.fold_in(jax.random.key(11), 1), mask, B)
    assert not np.array_equal(idx, np.asarray(idx2))  # another epoch, another order


def test_masked_sgd_equals_numpy_sgd_over_the_same_batches():
    X, y = _problem(12, n=37, p=4, K=3)
    mask = (np.random.default_rng(13).random(37) < 0.7).astype(np.float64)
    params = mlp.init(jax.random.key(14), (4, 6, 3), jnp.float64)
    key, E, B, lr = jax.random.key(15), 3, 8, 0.3
    out = mlp.train(key, params, X, y, mask, epochs=E, batch_size=B, lr=lr, momentum=0.5, weight_decay=1e-3)
    batches = []
    for e in range(E):  # the documented order of epoch e; only the valid slots, so the last batch is partial
        idx, valid = map(np.asarray, mlp.minibatches(jax.random.fold_in(key, e), mask, B))
        batches += [(i[v], np.ones(v.sum())) for i, v in zip(idx, valid) if v.any()]
    assert len(batches) == E * int(np.ceil(mask.sum() / B))
    ref = _np_sgd(_np_params(params), X, y, batches, [lr] * len(batches), 0.5, 1e-3, "relu")
    _assert_tree_close(out, ref, rtol=1e-10, atol=1e-12)  # float64 rounding over ~15 steps


def test_masked_training_is_training_on_the_subset():
    # u_i depends on (key, epoch, i) only: a mask whose ones are the first m rows gives the same batches,
    # in the same order, as training on those m rows alone (the extra padded steps change nothing).
    X, y = _problem(16, n=50, p=4, K=3)
    m = 33
    mask = np.r_[np.ones(m), np.zeros(50 - m)]
    params = mlp.init(jax.random.key(17), (4, 6, 3), jnp.float64)
    kw = dict(epochs=3, batch_size=8, lr=0.2, momentum=0.9, schedule="triangular")
    full = mlp.train(jax.random.key(18), params, X, y, mask, **kw)
    sub = mlp.train(jax.random.key(18), params, X[:m], y[:m], **kw)
    _assert_tree_close(full, sub, rtol=1e-12, atol=1e-14)  # same steps, possibly other fusions: rounding


def test_ensemble_member_equals_single_training_and_is_deterministic():
    X, y = _problem(19, n=60, p=6, K=4, dtype=np.float32)
    X = jnp.asarray(X)
    n_models, sizes = 4, (6, 16, 4)
    masks = np.ones((n_models, 60), np.float32)
    masks[2:, :10] = 0  # two models on D, two oracles on R = rows 10..59: one program
    kw = dict(epochs=3, batch_size=16, lr=0.1, momentum=0.9, weight_decay=5e-4, schedule="triangular")
    ens = mlp.train_ensemble(jax.random.key(20), sizes, X, y, masks, n_models, **kw)
    again = mlp.train_ensemble(jax.random.key(20), sizes, X, y, masks, n_models, **kw)
    for a, b in zip(jax.tree.leaves(ens), jax.tree.leaves(again)):
        assert np.array_equal(np.asarray(a), np.asarray(b))  # same key, same bits
    k_init, k_data = mlp.ensemble_keys(jax.random.key(20), n_models)
    for i in (0, 3):
        single = mlp.train(k_data[i], mlp.init(k_init[i], sizes, jnp.float32), X, y, masks[i], **kw)
        # vmap batches the matmuls (other XLA kernels, other summation order): float32 rounding (~1e-7)
        # carried through 12 steps, not bitwise
        _assert_tree_close(single, [(W[i], b[i]) for W, b in ens], rtol=1e-4, atol=1e-5)
    assert ens[0][0].shape == (n_models, 6, 16) and ens[0][0].dtype == jnp.float32


def test_checkpoints_rewind():
    X, y = _problem(21, n=30, p=4, K=3)
    params = mlp.init(jax.random.key(22), (4, 5, 3), jnp.float64)
    kw = dict(batch_size=7, lr=0.2, momentum=0.9)
    res = mlp.train(jax.random.key(23), params, X, y, epochs=4, checkpoints=True, **kw)
    _assert_tree_close([(W[0], b[0]) for W, b in res.checkpoints], params, rtol=0, atol=0)
    _assert_tree_close([(W[-1], b[-1]) for W, b in res.checkpoints], res.params, rtol=0, atol=0)
    two = mlp.train(jax.random.key(23), params, X, y, epochs=2, **kw)  # constant schedule: a prefix of the run
    _assert_tree_close([(W[2], b[2]) for W, b in res.checkpoints], two, rtol=1e-12, atol=1e-14)


def test_fits_a_separable_problem():
    rng = np.random.default_rng(24)
    centres = 4.0 * np.eye(3)[:, :2] + np.array([[0.0, 0.0], [0.0, 0.0], [4.0, 4.0]])
    y = np.repeat(np.arange(3), 20).astype(np.int32)
    X = (centres[y] + 0.3 * rng.normal(size=(60, 2))).astype(np.float32)
    res = mlp.train_ensemble(jax.random.key(25), (2, 16, 3), jnp.asarray(X), y, None, 2, epochs=30, batch_size=10,
                             lr=0.1, momentum=0.9)
    for i in range(2):
        assert float(mlp.accuracy([(W[i], b[i]) for W, b in res], jnp.asarray(X), y)) == 1.0


@pytest.mark.parametrize("call, match", [
    (lambda P, X, y: mlp.init(0, (2, 3)), "key"),
    (lambda P, X, y: mlp.init(jax.random.key(0), (2,)), "sizes"),
    (lambda P, X, y: mlp.init(jax.random.key(0), (2, 3, 1)), "sizes"),
    (lambda P, X, y: mlp.init(jax.random.key(0), (2, 3), scheme="lecun"), "scheme"),
    (lambda P, X, y: mlp.forward(P, X.astype(np.float32)), "X.*dtype"),
    (lambda P, X, y: mlp.forward(P, X[:, :2]), "X.*columns"),
    (lambda P, X, y: mlp.forward(P, X, activation="gelu"), "activation"),
    (lambda P, X, y: mlp.margins(P, X, y + 3), "y.*labels"),
    (lambda P, X, y: mlp.margins(P, X, y.astype(np.float64)), "y.*integer"),
    (lambda P, X, y: mlp.cross_entropy(P, X, y, -np.ones(len(y))), "weights"),
    (lambda P, X, y: mlp.train(jax.random.key(0), P, X, y, np.full(len(y), 0.5), epochs=1, batch_size=4, lr=0.1),
     "mask.*0 and 1"),
    (lambda P, X, y: mlp.train(jax.random.key(0), P, X, y, np.zeros(len(y)), epochs=1, batch_size=4, lr=0.1),
     "mask.*at least one"),
    (lambda P, X, y: mlp.train(jax.random.key(0), P, X, y, epochs=0, batch_size=4, lr=0.1), "epochs"),
    (lambda P, X, y: mlp.train(jax.random.key(0), P, X, y, epochs=1, batch_size=4.0, lr=0.1), "batch_size"),
    (lambda P, X, y: mlp.train(jax.random.key(0), P, X, y, epochs=1, batch_size=4, lr=-1.0), "lr"),
    (lambda P, X, y: mlp.train(jax.random.key(0), P, X, y, epochs=1, batch_size=4, lr=0.1, momentum=1.0), "momentum"),
    (lambda P, X, y: mlp.train(jax.random.key(0), P, X, y, epochs=2, batch_size=4, lr=0.1, schedule="triangular",
                               peak_epoch=3), "peak_epoch"),
    (lambda P, X, y: mlp.train(jax.random.key(0), P, X, y, epochs=2, batch_size=4, lr=0.1, schedule="cosine"),
     "schedule"),
    (lambda P, X, y: mlp.train_ensemble(jax.random.key(0), (4, 3), X, y, np.ones((3, len(y))), 2, epochs=1,
                                        batch_size=4, lr=0.1), "mask.*shape"),
    (lambda P, X, y: mlp.train_ensemble(jax.random.key(0), (4, 3), X, y, None, 0, epochs=1, batch_size=4, lr=0.1),
     "n_models"),
])
def test_bad_inputs(call, match):
    X, y = _problem(26, n=10, p=4, K=3)
    P = mlp.init(jax.random.key(27), (4, 5, 3), jnp.float64)
    with pytest.raises(ValueError, match=match):
        call(P, X, y)


def test_train_under_jit_and_vmap_over_the_learning_rate():
    X, y = _problem(28, n=24, p=3, K=2)
    params = mlp.init(jax.random.key(29), (3, 4, 2), jnp.float64)
    kw = dict(epochs=2, batch_size=8, momentum=0.9)
    lrs = jnp.asarray([0.05, 0.2])
    batched = jax.jit(jax.vmap(lambda lr: mlp.train(jax.random.key(30), params, X, y, lr=lr, **kw)))(lrs)
    for j in range(2):
        single = mlp.train(jax.random.key(30), params, X, y, lr=float(lrs[j]), **kw)
        # float64; batched matmuls sum in another order: rounding only
        _assert_tree_close(single, [(W[j], b[j]) for W, b in batched], rtol=1e-10, atol=1e-12)

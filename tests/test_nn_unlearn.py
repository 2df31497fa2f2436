"""ascentlab.nn.unlearn: each method against a plain-JAX loop written here over the same batches.

Independent answers: the update rules of docs/theory.md §1.3 written as Python loops over `mlp.minibatches`'
batches (rows taken from the index arrays, padding dropped by hand), with a forward pass and losses written
here; scipy's KL divergence; `mlp.train` for rewinding to the initial parameters; the worked example of §1.4
for the relative cost and a brute-force count of NegGrad+'s paired batches. Float64 throughout, except the
float32 smoke test. Tolerances: full-batch references differ from the scanned code only in summation order,
so they agree to ~1e-15 per step; 1e-10 relative leaves room for the few dozen steps compounding.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.stats

from ascentlab.nn import mlp
from ascentlab.nn import unlearn as U

N, P, K, H = 30, 4, 3, 16
RTOL = 1e-10  # summation order only (see the module docstring)


def _data(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, P)).astype(dtype)
    y = rng.integers(0, K, N).astype(np.int32)
    forget = np.zeros(N, np.int32)
    forget[rng.choice(N, 7, replace=False)] = 1
    return jnp.asarray(X), jnp.asarray(y), jnp.asarray(forget)


def _params(seed=1, dtype=jnp.float64):
    return mlp.init(jax.random.key(seed), (P, H, K), dtype)


def _fwd(params, X):
    (W1, b1), (W2, b2) = params
    return jnp.maximum(X @ W1 + b1[None, :], 0.0) @ W2 + b2[None, :]


def _ce(params, X, y):
    z = _fwd(params, X)
    return jnp.mean(jax.nn.logsumexp(z, axis=1) - jnp.take_along_axis(z, y[:, None], axis=1)[:, 0])


def _kl(params, teacher, X, tau):
    pt = jax.nn.softmax(_fwd(teacher, X) / tau, axis=1)
    log_ps = jax.nn.log_softmax(_fwd(params, X) / tau, axis=1)
    return tau**2 * jnp.mean(jnp.sum(pt * (jnp.log(pt) - log_ps), axis=1))


# The reference gradients, compiled once per batch shape (eager op-by-op dispatch is slower here).
_grad_ce = jax.jit(jax.grad(_ce))
_grad_kl = jax.jit(jax.grad(_kl))


def _sgd(params, vel, grad, lr, momentum=0.0, weight_decay=0.0):
    """PyTorch SGD: v <- mu v + g + wd p; p <- p - lr v."""
    vel = jax.tree.map(lambda v, g, p: momentum * v + g + weight_decay * p, vel, grad, params)
    return jax.tree.map(lambda p, v: p - lr * v, params, vel), vel


def _batches(key, mask, batch_size):
    """The rows of each non-empty batch of one epoch, padding dropped."""
    idx, valid = mlp.minibatches(key, mask, batch_size)
    idx, valid = np.asarray(idx), np.asarray(valid)
    return [idx[s][valid[s]] for s in range(idx.shape[0]) if valid[s].any()]


def _close(a, b, rtol=RTOL, atol=1e-13):
    for x, z in zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True):
        np.testing.assert_allclose(np.asarray(x), np.asarray(z), rtol=rtol, atol=atol)


def _zeros(p):
    return jax.tree.map(jnp.zeros_like, p)


# ----------------------------------------------------------------------------------------------- losses


def test_distill_kl_against_scipy_and_its_gradient():
    rng = np.random.default_rng(3)
    zs, zt = rng.normal(size=(5, K)) * 3, rng.normal(size=(5, K)) * 3
    tau = 2.0
    soft = lambda z: np.exp(z / tau) / np.exp(z / tau).sum(axis=1, keepdims=True)  # noqa: E731
    expected = tau**2 * scipy.stats.entropy(soft(zt), soft(zs), axis=1)  # KL(teacher || student)
    got = U.distill_kl(jnp.asarray(zs), jnp.asarray(zt), tau)
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-12)  # float64 rounding of a few terms
    # gradient in the student's logits: tau (p_s - p_t), zero at the teacher
    g = jax.grad(lambda z: jnp.sum(U.distill_kl(z, jnp.asarray(zt), tau)))(jnp.asarray(zs))
    np.testing.assert_allclose(np.asarray(g), tau * (soft(zs) - soft(zt)), rtol=1e-10, atol=1e-15)
    g0 = jax.grad(lambda z: jnp.sum(U.distill_kl(z, jnp.asarray(zt), tau)))(jnp.asarray(zt))
    assert np.max(np.abs(np.asarray(g0))) < 1e-15  # sum(p_t) = 1 up to rounding


# ----------------------------------------------------------------------------------------------- the methods


def test_ga_matches_loop_snapshots_and_raises_forget_ce():
    X, y, forget = _data()
    p0, key, lr = _params(), jax.random.key(6), 0.1
    got = U.ga(key, p0, X, y, forget, lr=lr, epochs=2, batch_size=3, snapshots=(1, 2))
    ref, refs = p0, []
    for e in range(2):
        for rows in _batches(jax.random.fold_in(key, e), forget, 3):  # 3 ascent steps (3, 3, 1 rows)
            ref = jax.tree.map(lambda p, g: p + lr * g, ref, _grad_ce(ref, X[rows], y[rows]))
        refs.append(ref)
    _close(got.params, refs[1])
    for k in range(2):
        _close(jax.tree.map(lambda a: a[k], got.snapshots), refs[k])
    ce = [float(mlp.cross_entropy(p, X, y, forget)) for p in (p0, *refs)]
    assert ce[0] < ce[1] < ce[2]  # ascent raises the forget loss
    # a forget pass padded to a full epoch (max_forget = n, as when vmapping over masks) changes nothing
    padded = U.ga(key, p0, X, y, forget, lr=lr, epochs=2, batch_size=3, snapshots=(1, 2), max_forget=N)
    _close(padded, got, rtol=0, atol=0)


GDA = dict(epochs=2, forget_batch=3, batch_size=8)  # one compiled program for the GDA tests


def test_gda_minibatches_with_momentum_match_loop():
    X, y, forget = _data()
    p0, key = _params(), jax.random.key(7)
    lr, mu, wd = 0.05, 0.5, 0.01
    got = U.gda(key, p0, X, y, forget, lr=lr, ascent_epochs=1, momentum=mu, weight_decay=wd, **GDA)
    kf, kr = jax.random.split(key)
    ref, vel = p0, _zeros(p0)
    for e in range(2):
        if e < 1:
            for rows in _batches(jax.random.fold_in(kf, e), forget, 3):
                g = jax.tree.map(jnp.negative, _grad_ce(ref, X[rows], y[rows]))
                ref, vel = _sgd(ref, vel, g, lr, mu, wd)
        for rows in _batches(jax.random.fold_in(kr, e), 1 - forget, 8):
            ref, vel = _sgd(ref, vel, _grad_ce(ref, X[rows], y[rows]), lr, mu, wd)
    _close(got, ref)


def test_jit_vmap_over_models_hyperparameters_and_masks_equals_loop():
    X, y, forget = _data()
    key = jax.random.key(15)
    models = [_params(s) for s in (1, 2, 3)]
    stacked = jax.tree.map(lambda *a: jnp.stack(a), *models)
    lrs, ascent = jnp.asarray([0.05, 0.1, 0.2]), jnp.asarray([0, 1, 2])
    masks = jnp.stack([forget, jnp.roll(forget, 1), jnp.roll(forget, 2)])

    def one(p, lr, a, f):
        return U.gda(key, p, X, y, f, lr=lr, ascent_epochs=a, max_forget=7, **GDA)

    got = jax.jit(jax.vmap(one))(stacked, lrs, ascent, masks)  # the checks also run under a caller's jit
    for i in range(3):
        ref = U.gda(key, models[i], X, y, masks[i], lr=float(lrs[i]), ascent_epochs=int(ascent[i]), **GDA)
        _close(jax.tree.map(lambda a: a[i], got), ref, rtol=1e-12)  # batched matmuls may round differently


SCRUB = dict(epochs=4, forget_batch=7, batch_size=N, milestones=(1, 3))  # full batches; one compiled program


def test_scrub_full_batch_matches_loop_with_decay():
    X, y, forget = _data()
    p0, key = _params(), jax.random.key(8)
    lr, tau, gamma, alpha, decay = 0.2, 2.0, 0.99, 0.1, 0.5
    got = U.scrub(key, p0, X, y, forget, lr=lr, ascent_epochs=2, tau=tau, ce_weight=gamma, kl_weight=alpha,
                  decay=decay, **SCRUB)
    F, R = np.flatnonzero(np.asarray(forget)), np.flatnonzero(1 - np.asarray(forget))
    ref = p0
    for e in range(4):
        eta = lr * decay ** sum(e >= m for m in (1, 3))
        if e < 2:  # one max-step (batch = |F|); the first is at the teacher
            ref = jax.tree.map(lambda p, g: p + eta * g, ref, _grad_kl(ref, p0, X[F], tau))
        g_ce, g_kl = _grad_ce(ref, X[R], y[R]), _grad_kl(ref, p0, X[R], tau)
        ref = jax.tree.map(lambda p, a, b: p - eta * (gamma * a + alpha * b), ref, g_ce, g_kl)
    _close(got, ref)


def test_scrub_max_steps_at_the_teacher_do_nothing():
    X, y, forget = _data()
    p0 = _params()
    # min-steps switched off (weights 0): only max-steps from the teacher, whose KL gradient vanishes
    got = U.scrub(jax.random.key(9), p0, X, y, forget, lr=1.0, ascent_epochs=4, ce_weight=0.0, kl_weight=0.0,
                  decay=1.0, **SCRUB)
    _close(got, p0, rtol=0, atol=1e-12)  # the gradient is rounding, ~eps * |x| * |W| per step, not exactly 0


NEGGRAD = dict(epochs=2, forget_batch=3, batch_size=4)  # 6 retain batches, 3 forget batches: F is cycled


@pytest.mark.parametrize("beta", [0.5, 0.7])
def test_neggrad_plus_cycles_forget_batches(beta):
    """beta = 1/2 with step lr is simultaneous descent-ascent (grad CE_R - grad CE_F) with step lr / 2."""
    X, y, forget = _data()
    p0, key, lr = _params(), jax.random.key(12), 0.1
    got = U.neggrad_plus(key, p0, X, y, forget, lr=lr, beta=beta, **NEGGRAD)
    kf, kr = jax.random.split(key)
    ref = p0
    for e in range(2):
        fb = _batches(jax.random.fold_in(kf, e), forget, 3)  # 3 forget batches (3, 3, 1) ...
        for j, rows in enumerate(_batches(jax.random.fold_in(kr, e), 1 - forget, 4)):  # ... for 6 retain batches
            f = fb[j % len(fb)]
            g_r, g_f = _grad_ce(ref, X[rows], y[rows]), _grad_ce(ref, X[f], y[f])
            if beta == 0.5:
                ref = jax.tree.map(lambda p, a, b: p - (lr / 2) * (a - b), ref, g_r, g_f)
            else:
                ref = jax.tree.map(lambda p, a, b: p - lr * (beta * a - (1 - beta) * b), ref, g_r, g_f)
    _close(got, ref)


def test_neggrad_plus_beta_one_is_finetune():
    X, y, forget = _data()
    p0, key = _params(), jax.random.key(10)
    got = U.neggrad_plus(key, p0, X, y, forget, lr=0.1, beta=1.0, **NEGGRAD)
    ft = U.finetune(jax.random.split(key)[1], p0, X, y, forget, lr=0.1, epochs=2, batch_size=4)
    _close(got, ft, rtol=1e-14)  # 1*g_R - 0*g_F is g_R exactly


def test_rewind_from_initial_params_is_training_on_retain():
    X, y, forget = _data()
    key, start = jax.random.key(13), _params(2)  # rewinding all the way: a model's initial parameters
    kw = dict(epochs=2, batch_size=4, lr=0.1, momentum=0.9, weight_decay=1e-3)
    got = U.rewind(key, start, X, y, forget, **kw)
    _close(got, mlp.train(key, start, X, y, 1 - forget, **kw), rtol=0, atol=0)  # the same program: same bits


def test_noisy_descent_is_finetune_plus_gaussian_noise():
    X, y, forget = _data()
    p0, key = _params(), jax.random.key(14)
    kw = dict(lr=0.1, epochs=2, batch_size=4, snapshots=(1, 2))
    quiet = U.noisy_descent(key, p0, X, y, forget, sigma=0.0, **kw)
    ft = U.finetune(jax.random.split(key)[0], p0, X, y, forget, lr=0.1, epochs=2, batch_size=4)
    _close(quiet.params, ft, rtol=0, atol=0)
    sigma = 0.3
    loud = U.noisy_descent(key, p0, X, y, forget, sigma=sigma, **kw)
    _close(loud.params, jax.tree.map(lambda a: a[1], loud.snapshots), rtol=0, atol=0)  # published = last snapshot
    xi = [np.concatenate([np.ravel(a[k] - b[k]) for a, b in
                          zip(jax.tree.leaves(loud.snapshots), jax.tree.leaves(quiet.snapshots))]) / sigma
          for k in range(2)]
    for x in xi:
        m = x.size  # 131 parameters: the sample std of N(0,1) is within 4 / sqrt(2m) = 0.25 of 1 (4 s.d.)
        assert abs(np.std(x) - 1) < 4 / math.sqrt(2 * m) and abs(np.mean(x)) < 4 / math.sqrt(m)
    assert abs(np.corrcoef(xi[0], xi[1])[0, 1]) < 4 / math.sqrt(xi[0].size)  # fresh noise per published epoch


def test_float32_smoke():
    X, y, forget = _data(dtype=np.float32)
    p0 = _params(dtype=jnp.float32)
    out = U.ga(jax.random.key(16), p0, X, y, forget, lr=0.1, epochs=1)
    assert all(a.dtype == jnp.float32 and bool(jnp.all(jnp.isfinite(a))) for a in jax.tree.leaves(out))


# ----------------------------------------------------------------------------------------------- relative cost


def test_relative_cost_worked_example_and_formulas():
    # docs/theory.md §1.4: (300 + 49,900 * 7) / (60,000 * 24) = 0.243 (to three places)
    c = U.relative_cost("gda", 100, 49_900, 10_000, 7, 3, 24)
    assert c == pytest.approx((300 + 49_900 * 7) / (60_000 * 24), rel=1e-15) and round(c, 3) == 0.243
    assert U.relative_cost("scrub", 100, 49_900, 10_000, 7, 3, 24) == c
    assert U.relative_cost("ga", 100, 49_900, 10_000, 10, 0, 24) == pytest.approx(1000 / 1_440_000, rel=1e-15)
    assert U.relative_cost("retrain", 100, 49_900, 10_000, 12, 0, 24) == 0.5
    assert U.relative_cost("pretrained", 100, 49_900, 10_000, 7) == 0.0
    assert U.relative_cost("rewind", 100, 900, 0, 5, 0, 10) == pytest.approx(0.45, rel=1e-15)
    # NegGrad+: count the forget rows that zip(retain batches, cycle(forget batches)) pairs, by brute force
    n_f, n_r, B, BF = 100, 1000, 64, 32
    forget_sizes = [min(BF, n_f - s) for s in range(0, n_f, BF)]  # 32, 32, 32, 4
    paired = sum(forget_sizes[j % len(forget_sizes)] for j in range(math.ceil(n_r / B)))
    assert U.relative_cost("neggrad_plus", n_f, n_r, 0, 3, 0, 10, batch_size=B, forget_batch=BF) == \
        pytest.approx((n_r + paired) * 3 / ((n_f + n_r) * 10), rel=1e-15)


# ----------------------------------------------------------------------------------------------- bad inputs


@pytest.mark.parametrize("change, match", [
    (dict(lr=-1.0), r"unlearn\.gda: `lr` must be finite and > 0"),
    (dict(epochs=0), r"`epochs` must be >= 1, got epochs=0"),
    (dict(ascent_epochs=1.5), r"`ascent_epochs` must be a whole number"),
    (dict(forget=np.ones(N, np.int32)), r"`forget` must leave at least one row"),
    (dict(forget=np.zeros(N, np.int32)), r"`forget` must select at least one row"),
    (dict(forget=np.full(N, 2, np.int32)), r"`forget` must hold only 0 and 1"),
    (dict(forget=np.zeros(N - 1, np.int32)), r"`forget` must have shape \(30,\)"),
    (dict(snapshots=(1, 5)), r"`snapshots` must hold Python ints in \[1, epochs=2\]"),
    (dict(snapshots=(2, 1)), r"`snapshots` must be strictly increasing"),
    (dict(max_forget=3), r"`max_forget` must be in \[\|F\|, n\]"),
    (dict(momentum=1.0), r"`momentum` must be in \[0, 1\)"),
    (dict(key=0), r"`key` must be a single JAX PRNG key"),
    (dict(y=np.full(N, K, np.int32)), r"`y` must be labels 0\.\.2"),
    (dict(X="float32"), r"`X` must have the parameters' dtype"),
])
def test_bad_inputs_gda(change, match):
    X, y, forget = _data()
    kw = dict(key=jax.random.key(0), params=_params(), X=X, y=y, forget=forget, lr=0.1, ascent_epochs=1, **GDA)
    if change.get("X") == "float32":
        change = dict(X=X.astype(jnp.float32))
    kw.update(change)
    with pytest.raises(ValueError, match=match):
        U.gda(**kw)


def test_bad_inputs_other_methods():
    X, y, forget = _data()
    p0, key = _params(), jax.random.key(0)
    with pytest.raises(ValueError, match=r"unlearn\.neggrad_plus: `beta` must satisfy 0 <= value <= 1"):
        U.neggrad_plus(key, p0, X, y, forget, lr=0.1, epochs=1, beta=1.5)
    with pytest.raises(ValueError, match=r"unlearn\.noisy_descent: `sigma` must be finite and >= 0"):
        U.noisy_descent(key, p0, X, y, forget, lr=0.1, epochs=1, sigma=-1.0)
    with pytest.raises(ValueError, match=r"unlearn\.scrub: `tau` must be finite and > 0"):
        U.scrub(key, p0, X, y, forget, lr=0.1, epochs=1, ascent_epochs=1, tau=0.0)
    with pytest.raises(ValueError, match=r"unlearn\.scrub: `milestones` must be a sequence of Python ints"):
        U.scrub(key, p0, X, y, forget, lr=0.1, epochs=1, ascent_epochs=1, milestones=(-1,))
    with pytest.raises(ValueError, match=r"unlearn\.rewind: `forget` must leave at least one row"):
        U.rewind(key, p0, X, y, np.ones(N, np.int32), lr=0.1, epochs=1)
    with pytest.raises(ValueError, match=r"unlearn\.relative_cost: `method` must be one of"):
        U.relative_cost("descent", 1, 1, 1, 1)
    with pytest.raises(ValueError, match=r"unlearn\.relative_cost: `epochs` must be >= 0"):
        U.relative_cost("ga", 1, 1, 1, -1)
    with pytest.raises(ValueError, match=r"unlearn\.distill_kl: `teacher_logits` must have student_logits' shape"):
        U.distill_kl(jnp.zeros((2, 3)), jnp.zeros((2, 4)))

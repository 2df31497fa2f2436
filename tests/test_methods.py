"""The method contract, for every registered method, and NegGrad+ / `train` against numpy.

Contract (every name in `ascentlab.methods.NAMES`, with its defaults): shapes and dtypes of the
trajectory, `grads` nondecreasing, same key same bits, vmap over eta equal to a loop, never a silent
NaN (a row is NaN exactly when it is masked as diverged), and the same run from its name and from its
factory. The numerical references are numpy loops written here (independent of ascentlab's
gradients); rtol 1e-12 is float64 arithmetic in a different order over <= 60 contracting steps.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.special import expit

import ascentlab as al
from ascentlab import methods

NAMES = methods.NAMES


@pytest.fixture(scope="module")
def gauss():
    p = al.gaussian_problem(jax.random.key(3), 120, 5, 0.3, 0.1, 0.05, forget="correlated")
    return p, al.solve_references(p, da=False)


def _run(p, refs, method, **kw):
    key = jax.random.key(0)
    return al.unlearn(p, method, references=refs, key=key, **kw)


def test_registry_lists_the_issue_methods_and_each_has_its_row():
    for name in ("ga", "da", "da_alternating", "finetune", "neggrad_plus"):
        assert name in NAMES
    for info in methods.REGISTRY.values():
        assert info.what and info.reference and info.guarantee
        assert info.figure in al.figures.FIGURES, (info.name, info.figure)
        assert isinstance(info.factory(), methods.Method)
        assert getattr(methods, info.factory.__name__) is info.factory


@pytest.mark.parametrize("name", NAMES)
def test_contract_shapes_cost_determinism(gauss, name):
    p, refs = gauss
    d = p.X.shape[1]
    tr = _run(p, refs, name, eta=0.2, steps=12, record_every=5)
    assert tr.w.shape == (4, d) and tr.w.dtype == p.X.dtype
    assert tr.t.tolist() == [0, 5, 10, 12]
    for field in (tr.dist_oracle, tr.dist_original, tr.loss_retain, tr.loss_forget, tr.grads):
        assert field.shape == (4,)
    assert int(tr.diverged_at) == -1 and bool(tr.valid.all())
    g = np.asarray(tr.grads)
    assert g[0] == 0 and np.all(np.diff(g) >= 0) and g[-1] > 0
    # the recorded distances are those of the recorded iterates (independent numpy norms)
    np.testing.assert_allclose(tr.dist_oracle, np.linalg.norm(np.asarray(tr.w) - np.asarray(refs.oracle.w), axis=1),
                               rtol=1e-12, atol=1e-15)
    again = _run(p, refs, name, eta=0.2, steps=12, record_every=5)
    assert np.array_equal(np.asarray(tr.w), np.asarray(again.w))
    from_factory = _run(p, refs, methods.get(name), eta=0.2, steps=12, record_every=5)
    np.testing.assert_allclose(from_factory.w, tr.w, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_vmap_over_eta_equals_a_loop(gauss, name):
    p, refs = gauss
    etas = jnp.array([0.05, 0.2])
    batch = jax.vmap(lambda e: _run(p, refs, name, eta=e, steps=8).w)(etas)
    for i, e in enumerate(etas):
        np.testing.assert_allclose(batch[i], _run(p, refs, name, eta=float(e), steps=8).w, rtol=1e-11, atol=1e-14)


@pytest.mark.parametrize("name", NAMES)
def test_never_a_silent_nan(name):
    """Exp-loss orthogonal blocks in Case 3 with a large step: every run either stays finite or reports the
    step it diverged at, with exactly the rows from there on masked."""
    p = al.orthogonal_blocks([50, 50], [5, 15], 0.1, loss="exp")
    refs = al.solve_references(p, da=False)
    tr = _run(p, refs, name, eta=5.0, steps=60)
    valid = np.asarray(tr.valid)
    w = np.asarray(tr.w)
    assert np.all(np.isfinite(w[valid])) and np.all(np.isnan(w[~valid]))
    assert np.all(np.isfinite(np.asarray(tr.dist_oracle)[valid]))
    if int(tr.diverged_at) >= 0:
        assert not valid[int(tr.diverged_at):].any() and valid[: int(tr.diverged_at)].all()


def test_unknown_name_and_bad_method_objects(gauss):
    p, refs = gauss
    with pytest.raises(ValueError, match=r"unlearn: `method` must be one of .*got method='nope'"):
        al.unlearn(p, "nope", eta=0.1, steps=2, references=refs)
    with pytest.raises(ValueError, match=r"methods.info: `name` must be one of"):
        methods.get("nope")

    wrong_shape = methods.Method(lambda p, w0, params, ctx: (), _wrong_shape_update)
    with pytest.raises(ValueError, match=r"unlearn: `method` .*must return the new iterate, an array of shape \(5,\)"):
        al.unlearn(p, wrong_shape, eta=0.1, steps=2, references=refs)
    growing = methods.Method(lambda p, w0, params, ctx: jnp.zeros(1), _growing_state_update)
    with pytest.raises(ValueError, match=r"must return a state of the same structure"):
        al.unlearn(p, growing, eta=0.1, steps=2, references=refs)


def _wrong_shape_update(problem, w, state, eta, params):
    return w[:2], state


def _growing_state_update(problem, w, state, eta, params):
    return w, jnp.concatenate([state, state])


# ---------------------------------------------------------- a method of your own, with state
def _momentum_init(problem, w0, params, context):
    return jnp.zeros_like(w0)


def _momentum_update(problem, w, velocity, eta, params):
    (beta,) = params
    velocity = beta * velocity + al.gradient(problem, w, "oracle")
    return w - eta * velocity, velocity


def test_a_stateful_method_of_your_own_matches_numpy_heavy_ball(gauss):
    p, refs = gauss
    heavy = methods.Method(_momentum_init, _momentum_update, (0.7,), "heavy_ball")
    tr = al.unlearn(p, heavy, eta=0.3, steps=40, references=refs)
    g = _numpy_gradients(p)["retain"]
    w, vel = np.asarray(refs.original.w), 0.0
    for _ in range(40):
        vel = 0.7 * vel + g(w)
        w = w - 0.3 * vel
    np.testing.assert_allclose(tr.w[-1], w, rtol=1e-12, atol=1e-14)
    assert np.isnan(np.asarray(tr.grads)).all()  # no cost declared: unknown, not zero
    # params are leaves: vmap over the momentum equals two runs
    betas = jnp.array([0.0, 0.7])
    batch = jax.vmap(lambda b: al.unlearn(p, methods.Method(_momentum_init, _momentum_update, (b,)), eta=0.3,
                                          steps=40, references=refs).w[-1])(betas)
    np.testing.assert_allclose(batch[1], tr.w[-1], rtol=1e-12, atol=1e-14)
    ft = al.unlearn(p, "finetune", eta=0.3, steps=40, references=refs)
    np.testing.assert_allclose(batch[0], ft.w[-1], rtol=1e-12, atol=1e-14)


def test_plain_callable_still_works(gauss):
    p, refs = gauss
    half_da = lambda prob, w, eta: w - eta * al.gradient(prob, w, "da") * 0.5
    a = al.unlearn(p, half_da, eta=0.4, steps=10, references=refs)
    b = al.unlearn(p, "da", eta=0.2, steps=10, references=refs)
    np.testing.assert_allclose(a.w, b.w, rtol=1e-12, atol=1e-15)


# ------------------------------------------------------------------------------- NegGrad+
def _numpy_gradients(p):
    X, y, f = np.asarray(p.X), np.asarray(p.y), np.asarray(p.forget)
    lam = float(p.lam)
    c_r = np.where(f, 0.0, 1.0) / (~f).sum()
    c_f = np.where(f, 1.0, 0.0) / f.sum()
    dl = (lambda m: -expit(-m)) if p.loss == "logistic" else (lambda m: -np.exp(-m))
    mean_grad = lambda c, w: X.T @ (c * dl(y * (X @ w)) * y)
    return {"retain": lambda w: mean_grad(c_r, w) + lam * w, "forget": lambda w: mean_grad(c_f, w)}


@pytest.mark.parametrize("loss", ["logistic", "exp"])
def test_neggrad_plus_matches_numpy_and_half_is_da_halved(loss):
    p = al.gaussian_problem(jax.random.key(5), 150, 4, 0.4, 0.15, 0.1, loss=loss)
    refs = al.solve_references(p, da=False)
    g = _numpy_gradients(p)
    for beta in (0.0, 0.5, 0.8, 1.0):
        tr = al.unlearn(p, methods.neggrad_plus(beta), eta=0.3, steps=30, references=refs)
        w = np.asarray(refs.original.w)
        ws = [w]
        with np.errstate(over="ignore", invalid="ignore"):  # exp loss at small beta: the numpy loop overflows
            for _ in range(30):                               # where unlearn reports divergence (compared: valid rows)
                w = w - 0.3 * (beta * g["retain"](w) - (1 - beta) * g["forget"](w))
                ws.append(w)
        valid = np.asarray(tr.valid)
        np.testing.assert_allclose(np.asarray(tr.w)[valid], np.array(ws)[valid], rtol=1e-12, atol=1e-14)
    # beta = 1/2 with step 2 eta is DA with step eta: the same iterates (the objective is exactly halved)
    half = al.unlearn(p, methods.neggrad_plus(0.5), eta=0.6, steps=30, references=refs)
    da = al.unlearn(p, "da", eta=0.3, steps=30, references=refs)
    assert int(half.diverged_at) == int(da.diverged_at)
    np.testing.assert_allclose(half.w, da.w, rtol=1e-12, atol=1e-14)


def test_neggrad_plus_gradient_is_autodiff_of_its_objective(gauss):
    p, _ = gauss
    from ascentlab.methods.neggrad_plus import neggrad_plus_gradient

    w = jnp.linspace(-0.5, 0.7, p.X.shape[1])
    for beta in (0.0, 0.3, 0.5, 1.0):
        obj = lambda v: beta * al.objective(p, v, "oracle") - (1 - beta) * al.mean_loss(p, v, "forget")
        np.testing.assert_allclose(neggrad_plus_gradient(p, w, beta), jax.grad(obj)(w), rtol=1e-12, atol=1e-15)


def test_neggrad_plus_bad_beta():
    for beta in (-0.1, 1.5, float("nan")):
        with pytest.raises(ValueError, match=r"methods.neggrad_plus: `beta`"):
            methods.neggrad_plus(beta)


def test_neggrad_plus_float32_smoke():
    p = al.gaussian_problem(jax.random.key(1), 80, 3, jnp.float32(0.2), jnp.float32(0.1), jnp.float32(0.1))
    tr = al.unlearn(p, methods.neggrad_plus(0.7), eta=0.5, steps=20)
    assert tr.w.dtype == jnp.float32 and bool(jnp.all(jnp.isfinite(tr.w)))
    # the same data in float64: float32 rounding (~6e-8) amplified by at most ~20 contracting steps and the solves
    p64 = jax.tree.map(lambda a: a.astype(jnp.float64) if jnp.issubdtype(a.dtype, jnp.floating) else a, p)
    tr64 = al.unlearn(p64, methods.neggrad_plus(0.7), eta=0.5, steps=20)
    np.testing.assert_allclose(tr.w, tr64.w, rtol=1e-4, atol=1e-5)


# ------------------------------------------------------------------------------- train
@pytest.mark.parametrize("loss", ["logistic", "exp"])
def test_train_is_descent_on_L_D_and_reaches_the_original(loss):
    p = al.gaussian_problem(jax.random.key(7), 100, 3, 0.2, 0.1, 0.5, loss=loss)
    tr = al.train(p, eta=0.5, steps=40, record_every=10)
    X, y, lam = np.asarray(p.X), np.asarray(p.y), float(p.lam)
    dl = (lambda m: -expit(-m)) if loss == "logistic" else (lambda m: -np.exp(-m))
    w = np.zeros(3)
    ws = [w]
    for _ in range(40):
        w = w - 0.5 * (X.T @ (dl(y * (X @ w)) * y) / len(y) + lam * w)
        ws.append(w)
    np.testing.assert_allclose(tr.w, np.array(ws)[::10], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(tr.grads, np.array([0, 10, 20, 30, 40]) * 100.0)
    # lambda-strongly convex: long runs reach the exact minimiser of L_D
    long = al.train(p, eta=0.5, steps=2000, record_every=2000)
    np.testing.assert_allclose(long.w[-1], al.solve(p, "original").w, atol=1e-10)
    assert float(long.dist_original[-1]) < 1e-10


def test_train_bad_inputs(gauss):
    p, _ = gauss
    with pytest.raises(ValueError, match=r"train: `start` must be an array"):
        al.train(p, eta=0.1, steps=3, start="original")
    with pytest.raises(ValueError, match=r"train: `eta`"):
        al.train(p, eta=-1.0, steps=3)
    with pytest.raises(ValueError, match=r"train: `start` must have shape"):
        al.train(p, eta=0.1, steps=3, start=jnp.zeros(2))

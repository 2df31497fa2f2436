"""Closed-form objectives, gradients and Hessians of Eq. (1).

Independent answers: jax.grad / jax.hessian of the objective value, and a
plain-numpy transcription of Eq. (1). rtol 1e-12: both sides sum the same
O(1) terms in different orders, so they agree to a few hundred ulps at most
(n <= 200 samples, condition of the sums O(1)).
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import ascentlab as al


def numpy_objective(X, y, forget, lam, loss, w, kind, weights=None):
    """Eq. (1) written out with numpy, for the tests only."""
    X, y, w = np.asarray(X), np.asarray(y), np.asarray(w)
    forget = np.asarray(forget)
    om = np.ones(len(y)) if weights is None else np.asarray(weights)
    m = y * (X @ w)
    ell = np.logaddexp(0.0, -m) if loss == "logistic" else np.exp(-m)
    mean = lambda mask: np.sum(om[mask] * ell[mask]) / np.sum(om[mask])
    data = {"original": mean(np.ones_like(forget)), "oracle": mean(~forget),
            "da": mean(~forget) - mean(forget), "ga": -mean(forget)}[kind]
    return data + 0.5 * lam * w @ w


def problems(key):
    k1, k2 = jax.random.split(key)
    out = [
        al.orthogonal_blocks([50, 50], [8, 12], 0.5),
        al.orthogonal_blocks([50, 50, 3], [8, 12, 0], 0.1, loss="logistic"),
        al.correlated_pair(30, 10, 0.4, 0.2),
        al.gaussian_problem(k1, 200, 6, 0.5, 0.1, 0.05),
        al.gaussian_problem(k2, 150, 4, 0.2, 0.2, 0.3, loss="exp", forget="correlated"),
    ]
    weighted = out[3]._replace(weights=jax.random.uniform(k2, (200,), jnp.float64, 0.5, 3.0))
    return out + [weighted]


@pytest.fixture(scope="module")
def cases():
    """The six problems, each with a random w: the draws `getkey` gives a test (its keys 0, 1, 2, ...)."""
    base = jax.random.key(0)
    ps = problems(jax.random.fold_in(base, 0))
    return [(p, jax.random.normal(jax.random.fold_in(base, i + 1), (p.X.shape[1],), jnp.float64))
            for i, p in enumerate(ps)]


@pytest.fixture(scope="module")
def autodiff(cases):
    """jax.grad and jax.hessian of the objective value, every kind, one compiled function per problem
    (eager autodiff compiles every primitive of the Hessian's forward-over-reverse pass one by one)."""
    def derivatives(p, w):
        out = {}
        for kind in al._objectives.OBJECTIVES:
            f = lambda w, kind=kind: al.objective(p, w, kind)
            out[kind] = (jax.grad(f)(w), jax.hessian(f)(w))
        return out
    return [jax.jit(derivatives)(p, w) for p, w in cases]


@pytest.mark.parametrize("kind", al._objectives.OBJECTIVES)
def test_value_matches_numpy_transcription(cases, kind):
    for p, w in cases:
        ref = numpy_objective(p.X, p.y, p.forget, float(p.lam), p.loss, w, kind, p.weights)
        np.testing.assert_allclose(al.objective(p, w, kind), ref, rtol=1e-13)


@pytest.mark.parametrize("kind", al._objectives.OBJECTIVES)
def test_gradient_and_hessian_match_autodiff(cases, autodiff, kind):
    for (p, w), auto in zip(cases, autodiff):
        grad, hess = auto[kind]
        np.testing.assert_allclose(al.gradient(p, w, kind), grad, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(al.hessian(p, w, kind), hess, rtol=1e-12, atol=1e-15)


def test_gradient_matches_finite_differences(getkey):
    # A check that does not go through JAX's autodiff at all.
    p = al.gaussian_problem(getkey(), 100, 3, 0.3, 0.1, 0.1)
    w = np.array([0.3, -0.2, 0.5])
    h = 1e-6
    fd = [(numpy_objective(p.X, p.y, p.forget, 0.1, "logistic", w + h * e, "da")
           - numpy_objective(p.X, p.y, p.forget, 0.1, "logistic", w - h * e, "da")) / (2 * h) for e in np.eye(3)]
    # central differences: error ~ h^2 f''' + eps / h ~ 1e-10
    np.testing.assert_allclose(al.gradient(p, jnp.asarray(w), "da"), fd, atol=1e-8)


def test_logistic_loss_is_stable_at_extreme_margins():
    p = al.make_problem(jnp.array([[1.0], [-1.0]]), jnp.array([1, 1]), jnp.array([False, True]), 1e-3)
    w = jnp.array([800.0])  # margins +800 and -800: naive log(1 + exp(800)) overflows
    # mean over D: (log1p(e^-800) + (800 + log1p(e^-800))) / 2 = 400 to double precision
    np.testing.assert_allclose(al.objective(p, w, "original"), 400.0 + 0.5e-3 * 800.0**2, rtol=1e-15)
    g = al.gradient(p, w, "original")
    # sample 1 (m = +800): l' = -sigmoid(-800) ~ 0; sample 2 (m = -800, y x = -1):
    # 0.5 * (-sigmoid(800)) * (-1) = 0.5; ridge 1e-3 * 800.
    np.testing.assert_allclose(g, [0.5 + 1e-3 * 800.0], rtol=1e-15)
    assert np.isfinite(np.asarray(al.hessian(p, w, "original"))).all()


def test_integer_weights_equal_repeated_rows():
    explicit = al.orthogonal_blocks([5, 7], [2, 3], 0.3)
    compact = al.orthogonal_blocks([5, 7], [2, 3], 0.3, compact=True)
    w = jnp.array([0.4, -0.1])
    # Sums of O(1) terms in different groupings; "da" cancels to O(1e-2), so
    # an absolute 1e-15 (a few ulps of the O(1) terms) is added to rtol.
    for kind in al._objectives.OBJECTIVES:
        np.testing.assert_allclose(al.objective(compact, w, kind), al.objective(explicit, w, kind), rtol=1e-14, atol=1e-15)
        np.testing.assert_allclose(al.gradient(compact, w, kind), al.gradient(explicit, w, kind), rtol=1e-14, atol=1e-15)


def test_mean_loss_subsets(getkey):
    p = al.gaussian_problem(getkey(), 120, 3, 0.1, 0.25, 0.1)
    w = jnp.array([0.5, -0.5, 1.0])
    m = np.asarray(p.y) * (np.asarray(p.X) @ np.asarray(w))
    ell = np.logaddexp(0, -m)
    f = np.asarray(p.forget)
    np.testing.assert_allclose(al.mean_loss(p, w, "retain"), ell[~f].mean(), rtol=1e-14)
    np.testing.assert_allclose(al.mean_loss(p, w, "forget"), ell[f].mean(), rtol=1e-14)
    np.testing.assert_allclose(al.mean_loss(p, w, "all"), ell.mean(), rtol=1e-14)
    mt = np.asarray(p.y_test) * (np.asarray(p.X_test) @ np.asarray(w))
    np.testing.assert_allclose(al.mean_loss(p, w, "test"), np.logaddexp(0, -mt).mean(), rtol=1e-14)

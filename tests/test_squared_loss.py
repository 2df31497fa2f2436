"""The squared loss l(m) = (1 - m)^2 / 2: least squares on +-1 targets, against numpy closed forms.

With y_i^2 = 1, l(y x.w) = (y - x.w)^2 / 2, so L_D and L_R are ridge regressions (normal equations),
and L_DA is the quadratic with Hessian X^T diag(c) X + lam I: a minimum when that is positive
definite, unbounded below otherwise.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import ascentlab as al

EPS = np.finfo(float).eps


def _problem(lam=0.5, frac=0.1, seed=0, n=120, d=4):
    return al.gaussian_problem(jax.random.key(seed), n, d, 0.3, frac, lam, loss="squared")


def _coeffs(p, kind):
    f = np.asarray(p.forget)
    r_mean = np.where(f, 0.0, 1.0 / (~f).sum())
    f_mean = np.where(f, 1.0 / f.sum(), 0.0)
    return {"original": np.full(f.shape, 1.0 / f.size), "oracle": r_mean, "da": r_mean - f_mean, "ga": -f_mean}[kind]


def _np_quadratic(p, kind):
    """(value, gradient, Hessian) callables of sum_i c_i (y_i - x_i.w)^2 / 2 + lam/2 |w|^2 in numpy."""
    X, y, lam, c = np.asarray(p.X), np.asarray(p.y), float(p.lam), _coeffs(p, kind)
    H = X.T @ (X * c[:, None]) + lam * np.eye(X.shape[1])
    value = lambda w: 0.5 * c @ (y - X @ w) ** 2 + 0.5 * lam * w @ w  # noqa: E731
    grad = lambda w: H @ w - X.T @ (c * y)  # noqa: E731
    return value, grad, H


@pytest.mark.parametrize("kind", ["original", "oracle", "da", "ga"])
def test_objective_gradient_hessian_match_numpy(kind):
    p = _problem()
    w = np.linspace(-1.0, 1.5, 4)
    value, grad, H = _np_quadratic(p, kind)
    # sums of ~n products of O(1) numbers: a few hundred ulps
    np.testing.assert_allclose(float(al.objective(p, jnp.asarray(w), kind)), value(w), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(al.gradient(p, jnp.asarray(w), kind)), grad(w), rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(np.asarray(al.hessian(p, jnp.asarray(w), kind)), H, rtol=1e-12, atol=1e-14)
    # and the closed-form gradient is the derivative of the objective
    auto = jax.grad(lambda v: al.objective(p, v, kind))(jnp.asarray(w))
    np.testing.assert_allclose(np.asarray(auto), grad(w), rtol=1e-11, atol=1e-13)


def test_mean_loss_matches_numpy():
    p = _problem()
    X, y, f = np.asarray(p.X), np.asarray(p.y), np.asarray(p.forget)
    w = np.array([0.3, -0.2, 0.5, 0.1])
    sq = 0.5 * (y - X @ w) ** 2
    for subset, ref in (("all", sq.mean()), ("retain", sq[~f].mean()), ("forget", sq[f].mean())):
        np.testing.assert_allclose(float(al.mean_loss(p, jnp.asarray(w), subset)), ref, rtol=1e-13)
    Xt, yt = np.asarray(p.X_test), np.asarray(p.y_test)
    np.testing.assert_allclose(float(al.mean_loss(p, jnp.asarray(w), "test")), (0.5 * (yt - Xt @ w) ** 2).mean(), rtol=1e-13)


def test_original_and_oracle_are_ridge_regressions():
    p = _problem()
    X, y, f, lam = np.asarray(p.X), np.asarray(p.y), np.asarray(p.forget), float(p.lam)
    for kind, rows in (("original", np.ones_like(f)), ("oracle", ~f)):
        Xs, ys = X[rows], y[rows]
        ref = np.linalg.solve(Xs.T @ Xs / len(ys) + lam * np.eye(4), Xs.T @ ys / len(ys))
        sol = al.solve(p, kind)
        assert sol.status_name == "minimum" and int(sol.steps) <= 2  # a quadratic: one Newton step (+ a check)
        # the normal equations' conditioning (cond ~ 10) times eps, with room for the solver's 1e-12 tolerance
        np.testing.assert_allclose(np.asarray(sol.w), ref, rtol=1e-11, atol=1e-12 / lam)


def test_da_with_a_positive_definite_hessian_is_its_quadratic_minimum():
    p = _problem(lam=5.0)  # lam dominates the indefinite part of X^T diag(c) X (min eigenvalue -0.3 + lam)
    _, grad, H = _np_quadratic(p, "da")
    assert np.linalg.eigvalsh(H).min() > 0
    ref = np.linalg.solve(H, grad(np.zeros(4)) * -1.0)
    sol = al.solve(p, "da")
    assert sol.status_name == "minimum"
    np.testing.assert_allclose(np.asarray(sol.w), ref, rtol=1e-10, atol=1e-12)
    certified, _ = al.unbounded_ray(p, "da")
    assert not bool(certified)


def test_da_with_an_indefinite_hessian_is_unbounded_at_once():
    p = _problem(lam=0.01, frac=0.3)
    value, _, H = _np_quadratic(p, "da")
    assert np.linalg.eigvalsh(H).min() < 0  # the premise, in numpy
    sol = al.solve(p, "da")
    assert sol.status_name == "unbounded" and int(sol.steps) == 0  # no walk out to margin_bound
    certified, v = al.unbounded_ray(p, "da")
    v = np.asarray(v)
    assert bool(certified) and v @ H @ v < 0
    # along the certified ray the objective falls without bound (numpy, independently)
    assert value(1e3 * v) < value(10 * v) < value(np.zeros(4)) and value(1e6 * v) < -1e6
    # GA's quadratic: -mean_F x x^T + lam I is indefinite for small lam too
    certified_ga, v_ga = al.unbounded_ray(p, "ga")
    _, _, H_ga = _np_quadratic(p, "ga")
    assert bool(certified_ga) and np.asarray(v_ga) @ H_ga @ np.asarray(v_ga) < 0
    # original / oracle are strongly convex: never certified
    assert not bool(al.unbounded_ray(p, "oracle")[0])


def test_unlearn_runs_da_with_numpy_gradient_steps():
    p = _problem(lam=5.0)
    refs = al.solve_references(p)
    traj = al.unlearn(p, "da", eta=0.1, steps=3, references=refs)
    _, grad, _ = _np_quadratic(p, "da")
    w = np.asarray(refs.original.w)
    for t in range(1, 4):
        w = w - 0.1 * grad(w)
        np.testing.assert_allclose(np.asarray(traj.w[t]), w, rtol=1e-12, atol=1e-14)  # a few ulps per step
    X, y, f = np.asarray(p.X), np.asarray(p.y), np.asarray(p.forget)
    np.testing.assert_allclose(np.asarray(traj.loss_retain[3]), (0.5 * (y - X @ w) ** 2)[~f].mean(), rtol=1e-12)
    assert int(traj.diverged_at) == -1


def test_margin_bound_and_bad_loss():
    assert al.margin_bound("squared", np.float64) == np.sqrt(np.finfo(np.float64).max)
    with pytest.raises(ValueError, match=r"`loss` must be one of \['logistic', 'exp', 'squared'\], got loss='hinge'"):
        al.gaussian_problem(jax.random.key(0), 10, 2, 0.1, 0.2, 0.1, loss="hinge")

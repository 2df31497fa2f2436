"""The "newton" method (certified Newton removal, Guo et al. 2020): exact for a quadratic loss, its
error shrinks at the order the bound predicts, iterated Newton converges quadratically, the first
step is one Newton step written in numpy, and bad inputs are named.

Every reference is independent of the code under test: numpy normal equations, numpy Hessians, the
exact oracle from `solve` (a different algorithm: damped Newton with line search to 1e-12), and
Newton's classical quadratic-convergence inequality.
"""

import importlib
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import ascentlab as al
from ascentlab import theory as th

nt = importlib.import_module("ascentlab.methods.newton")  # the module (its factory shares the name)


def _np(p):
    return np.asarray(p.X), np.asarray(p.y), np.asarray(p.forget)


def _ridge(X, t, lam):
    """argmin (1/n) sum (t_i - x_i.w)^2 / 2 + lam/2 |w|^2 by the normal equations."""
    n, d = X.shape
    return np.linalg.solve(X.T @ X / n + lam * np.eye(d), X.T @ t / n)


# ------------------------------------------------------------- (a) exact --
def test_newton_removal_is_exact_for_the_squared_loss():
    # the problem of tests/test_squared_loss.py (its compiled solves are shared)
    p = al.gaussian_problem(jax.random.key(0), 120, 4, 0.3, 0.1, 0.5, loss="squared")
    X, y, f = _np(p)
    lam = 0.5
    w_d = _ridge(X, y, lam)  # least squares on +-1 targets: l = (1 - y x.w)^2 / 2 = (y - x.w)^2 / 2
    w_r = _ridge(X[~f], y[~f], lam)
    cert = nt.certificate(p, w=jnp.asarray(w_d))
    H = X[~f].T @ X[~f] / (~f).sum() + lam * np.eye(4)
    # one linear solve of a matrix with condition number cond(H): error <= a few cond * eps |w|
    tol = 50 * np.linalg.cond(H) * np.finfo(float).eps * np.linalg.norm(w_r)
    assert np.linalg.norm(np.asarray(cert.w) - w_r) <= tol
    assert float(cert.bound) == 0.0 and float(cert.local_bound) == 0.0 and float(cert.sigma) == 0.0
    assert float(cert.residual) <= 1e-14  # the gradient of a quadratic at its minimum: rounding only
    traj = al.unlearn(p, "newton", eta=1.0, steps=1)
    assert np.linalg.norm(np.asarray(traj.w[1]) - w_r) <= tol + 1e-12 * np.linalg.norm(w_r)  # + solve's w^D


# ------------------------------------------------------------- (b) order --
def _weighted_problems(sizes, loss="logistic", n=2000, d=5, lam=0.1):
    """One data set of n samples; the forget set is one of them counted |F| times (weight |F|: |F|
    identical samples), so its mean gradient stays the same as |F| shrinks (a coherent forget set)."""
    base = al.gaussian_problem(jax.random.key(3), n, d, 0.3, 0.01, lam, loss=loss)
    X, y = jnp.asarray(base.X), jnp.asarray(base.y)
    mask = jnp.arange(n) == 0
    return [al.make_problem(X, y, mask, lam, loss=loss, weights=jnp.where(mask, float(k), 1.0)) for k in sizes]


def test_error_shrinks_at_the_order_the_bound_predicts():
    r"""$\|w^--w^{\mathcal R}\|=O((|\mathcal F|/|\mathcal R|)^2)$, and the residual stays below both bounds.

    Derivation: $L_{\mathcal R}$ is $\lambda$-strongly convex, so
    $\|w^--w^{\mathcal R}\|\le\|\nabla L_{\mathcal R}(w^-)\|/\lambda\le\gamma\rho^3\|v\|^2/\lambda$, and
    $\|v\|\le\|\Delta\|/\lambda$ with $\Delta=\frac{|\mathcal F|}{|\mathcal R|}(\bar g_{\mathcal F}+\lambda w^{\mathcal D})$;
    for a coherent forget set ($|\mathcal F|$ copies of one sample) $\|\bar g_{\mathcal F}+\lambda w^{\mathcal D}\|$
    stays of order one, so the
    error is $O((|\mathcal F|/|\mathcal R|)^2)$: a log-log slope of 2 in $|\mathcal F|$ (the residual's
    leading term $\frac12\sum c_i\ell'''(m_i)u_i^2y_ix_i$ is exactly quadratic in $v$, so 2 is also the
    asymptotic order, not only a bound). For a *random* forget set $\bar g_{\mathcal F}\to-\lambda w^{\mathcal D}$
    and the order drops to $|\mathcal F|/|\mathcal R|^2$, which the bound (worst case) does not see.
    """
    sizes = [1, 2, 4, 8, 16, 32, 64]
    errors = []
    for p in _weighted_problems(sizes):
        oracle = al.solve(p, "oracle", tol=1e-14)
        cert = nt.certificate(p)
        errors.append(float(jnp.linalg.norm(cert.w - oracle.w)))
        assert float(cert.residual) <= float(cert.local_bound) <= float(cert.bound)
    slope = np.polyfit(np.log(sizes), np.log(errors), 1)[0]
    # 2 up to the O(|F|/n) drift of w^D with the forget weight (measured 1.95; successive error ratios
    # 3.98, 3.97, ..., 3.56 -> 4 as |F| -> 0)
    assert abs(slope - 2.0) < 0.1, (slope, errors)
    assert errors[0] > 1e3 * 1e-14 / 0.1  # far above the oracle's own error, tol / lam


# --------------------------------------------------------- (c) quadratic --
@pytest.mark.parametrize("loss", ["logistic", "exp"])
def test_iterated_newton_converges_quadratically(loss):
    p = al.gaussian_problem(jax.random.key(4), 400, 4, 0.3, 0.3, 0.05, loss=loss)
    traj = al.unlearn(p, "newton", eta=1.0, steps=6)
    e = np.asarray(traj.dist_oracle)
    X = np.asarray(p.X)
    # Newton's inequality e_{t+1} <= M/(2 mu) e_t^2, mu = lam (strong convexity), M the Lipschitz constant
    # of H_R, bounded on the ball of radius e_0 around w^R by gamma * max|x|^3 (gamma = sup |l'''| there)
    radius = np.max(np.linalg.norm(X, axis=1))
    if loss == "logistic":
        gamma = 1 / (6 * math.sqrt(3))
    else:
        m_r = np.asarray(al.margins(p, al.solve(p, "oracle").w))
        gamma = np.exp(-np.min(m_r) + radius * e[0])
    K = gamma * radius**3 / (2 * 0.05)
    # e_t is measured against the solved oracle, itself within tol / lam = 1e-12 / 0.05 of w^R
    err = 1e-12 / 0.05
    for t in range(len(e) - 1):
        if e[t] < 1e-9:  # at the oracle's own accuracy
            break
        assert e[t + 1] <= K * (e[t] + err) ** 2 + err, (t, e)
    assert e[0] > 1e-3 and e[-1] < 2 * err  # it moves, and reaches the oracle to its accuracy
    assert int(traj.diverged_at) == -1


# ---------------------------------------------------- (d) first step, numpy --
@pytest.mark.parametrize("loss", ["logistic"])
def test_first_step_is_one_numpy_newton_step(loss):
    # the shapes and step count of test_iterated_newton_converges_quadratically: its compiled programs
    p = al.gaussian_problem(jax.random.key(5), 400, 4, 0.2, 0.08, 0.1, loss=loss)
    refs = al.solve_references(p, da=False)
    w0 = np.asarray(refs.original.w)
    X, y, f = _np(p)
    Xr, yr = X[~f], y[~f]
    m = yr * (Xr @ w0)
    if loss == "logistic":
        d1, d2 = -1 / (1 + np.exp(m)), np.exp(-np.logaddexp(0, m) - np.logaddexp(0, -m))
    else:
        d1, d2 = -np.exp(-m), np.exp(-m)
    g = (d1 * yr) @ Xr / len(yr) + 0.1 * w0
    H = (Xr * d2[:, None]).T @ Xr / len(yr) + 0.1 * np.eye(4)
    w1 = w0 - np.linalg.solve(H, g)
    traj = al.unlearn(p, "newton", eta=1.0, steps=6, references=refs)
    cert = nt.certificate(p, references=refs)
    # the same formula evaluated in a different order: a few ulps times cond(H) ~ 10
    np.testing.assert_allclose(np.asarray(traj.w[1]), w1, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(np.asarray(cert.w), w1, rtol=1e-12, atol=1e-14)
    # damping: eta = 1/2 goes half way
    half = al.unlearn(p, "newton", eta=0.5, steps=6, references=refs)
    np.testing.assert_allclose(np.asarray(half.w[1]), w0 + 0.5 * (w1 - w0), rtol=1e-12, atol=1e-14)
    # cost: |R| (1 + d) per step
    np.testing.assert_allclose(np.asarray(traj.grads), np.arange(7) * (~f).sum() * 5.0)


def test_certificate_fields_against_their_formulas():
    p = al.gaussian_problem(jax.random.key(6), 400, 4, 0.3, 0.05, 0.2)
    cert = nt.certificate(p, epsilon=0.5, delta=1e-3)
    X, _, f = _np(p)
    n_r, n_f = (~f).sum(), f.sum()
    rho = np.max(np.linalg.norm(X, axis=1))
    guo = 4 * (1 / (6 * math.sqrt(3))) * rho**5 * (n_f / n_r) ** 2 / 0.2**2
    np.testing.assert_allclose(float(cert.bound), guo, rtol=1e-12)  # a product of five numbers
    c = math.sqrt(2 * math.log(1.5 / 1e-3))
    assert abs(1.5 * math.exp(-c * c / 2) - 1e-3) < 1e-15  # Theorem 3's delta
    np.testing.assert_allclose(float(cert.sigma), c * n_r * guo / 0.5, rtol=1e-12)
    np.testing.assert_allclose(float(cert.sigma_local), c * n_r * float(cert.local_bound) / 0.5, rtol=1e-12)
    grad = al.gradient(p, cert.w, "oracle")
    np.testing.assert_allclose(float(cert.residual), np.linalg.norm(np.asarray(grad)), rtol=1e-12)
    # the exp loss has no global constants: Theorem 1 does not apply
    pe = al.gaussian_problem(jax.random.key(6), 400, 4, 0.3, 0.05, 0.2, loss="exp")
    ce = nt.certificate(pe)
    assert math.isinf(float(ce.bound)) and float(ce.residual) <= float(ce.local_bound)


def test_logistic_constant_is_the_sup_of_the_third_derivative():
    from scipy.optimize import minimize_scalar

    def third(m):  # d/dm of l'' = s(1-s), by ds/dm = s(1-s)
        s = 1 / (1 + np.exp(-m))
        return s * (1 - s) * (1 - 2 * s)

    grid = np.linspace(-40, 40, 80_001)
    assert np.max(np.abs(third(grid))) <= nt.LOGISTIC_GAMMA  # nowhere above it
    for sign in (1, -1):  # peaks at -+ln(2 + sqrt 3); the peak is flat, so its value is found to ~eps
        res = minimize_scalar(lambda m: -sign * third(m), bounds=(-5, 5), method="bounded", options={"xatol": 1e-10})
        assert abs(sign * third(res.x) - nt.LOGISTIC_GAMMA) < 1e-14
        assert abs(res.x + sign * th.removal.TIGHT_MARGIN) < 1e-6


@pytest.mark.slow  # a vmapped compile of the check (~10 s); `ascentlab verify` runs it at scale
def test_verify_row_check_holds_on_a_few_instances():
    args = th.removal_tight_instances(jax.random.key(0), 8, jnp.float64)
    check = jax.vmap(lambda **kw: th.check_newton_residual(**kw, n=60, d=1, loss="logistic", forget="random"))
    res = check(**args)
    assert bool(jnp.all(res.holds))


# ------------------------------------------------------------- (e) inputs --
def test_bad_inputs_are_named():
    p = al.gaussian_problem(jax.random.key(0), 400, 4, 0.2, 0.1, 0.1)
    with pytest.raises(ValueError, match=r"certificate: `epsilon` must be finite and > 0, got epsilon=0"):
        nt.certificate(p, epsilon=0.0)
    with pytest.raises(ValueError, match=r"`delta` must satisfy 0 < delta < 1, got delta=1.5"):
        nt.certificate(p, delta=1.5)
    with pytest.raises(ValueError, match=r"`delta` must be finite and > 0"):
        nt.certificate(p, delta=-1e-3)
    with pytest.raises(ValueError, match=r"`w` must have shape \(4,\)"):
        nt.certificate(p, w=jnp.zeros(3))
    with pytest.raises(ValueError, match=r"`references` must be an ascentlab.References"):
        nt.certificate(p, references=object())
    with pytest.raises(ValueError, match=r"`loss` must be one of"):
        nt.loss_constants("hinge")

"""noisy_gd (Descent-to-Delete's noisy projected descent): its constants, its mean and spread, its key.

Independent answers: numpy re-computations of the constants and of the noise-free projected descent
(written here), `solve`'s exact oracle, and chi-squared quantiles (scipy) for the sample variance.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

import ascentlab as al
from ascentlab import methods
from ascentlab.methods.noisy_gd import constants

EPS, DELTA = 1.0, 1e-5
N_KEYS = 2000  # Monte-Carlo draws


@pytest.fixture(scope="module")
def problem():
    # lam = 0.5 gives gamma ~ 0.4: the secret iterate reaches the oracle to 1e-14 within 40 steps
    return al.gaussian_problem(jax.random.key(3), 30, 3, 0.3, 0.2, 0.5)


def _numpy_constants(p, radius=None):
    """m, M, L, B, gamma, step, shift of the logistic retain objective, recomputed in numpy."""
    X, f = np.asarray(p.X), np.asarray(p.forget)
    lam = float(p.lam)
    B = np.sqrt(2 * np.log(2) / lam) if radius is None else radius
    XR = X[~f]
    M = lam + 0.25 * np.linalg.eigvalsh(XR.T @ XR / len(XR)).max()
    r = np.linalg.norm(X, axis=1)
    L = np.max(r / (1 + np.exp(-B * r))) + lam * B  # sigma(B r) r + lam B
    gamma = (M - lam) / (M + lam)
    shift = f.sum() * L / (lam * (~f).sum())
    return lam, M, L, B, gamma, 2 / (lam + M), shift


def _numpy_method_radius(p):
    """noisy_gd's default radius, min(B0, |w^D| + |grad L_R(w^D)| / lam), in numpy (w^D from solve)."""
    X, y, f = np.asarray(p.X), np.asarray(p.y), np.asarray(p.forget)
    lam = float(p.lam)
    w = np.asarray(al.solve(p, "original").w)
    XR, yR = X[~f], y[~f]
    g = -(yR / (1 + np.exp(yR * (XR @ w)))) @ XR / len(XR) + lam * w
    return min(np.sqrt(2 * np.log(2) / lam), np.linalg.norm(w) + np.linalg.norm(g) / lam)


def _numpy_sigma(shift, gamma, t, eps, delta):
    s = np.log(1 / delta)
    return gamma**t * shift / (np.sqrt(2) * (np.sqrt(s + eps) - np.sqrt(s)))


def _numpy_secret(p, steps, mult=1.0):
    """Noise-free projected descent on L_R from w^D, step mult * 2/(m+M), every iterate (numpy loop)."""
    X, y, f = np.asarray(p.X), np.asarray(p.y), np.asarray(p.forget)
    lam, _, _, B, _, step, _ = _numpy_constants(p, _numpy_method_radius(p))
    XR, yR = X[~f], y[~f]
    w = np.asarray(al.solve(p, "original").w)
    out = [w]
    for _ in range(steps):
        g = -(yR / (1 + np.exp(yR * (XR @ w)))) @ XR / len(XR) + lam * w
        w = w - mult * step * g
        nw = np.linalg.norm(w)
        w = w * min(1.0, B / nw)
        out.append(w)
    return np.array(out)


def _published(p, steps, eta=1.0, **kw):
    keys = jax.random.split(jax.random.key(11), N_KEYS)
    refs = al.solve_references(p)  # solved once, not once per key
    run = jax.jit(jax.vmap(lambda k: al.unlearn(p, methods.noisy_gd(EPS, DELTA, **kw), eta=eta, steps=steps,
                                                   references=refs, key=k).w))
    return np.asarray(run(keys))


def test_constants_match_numpy(problem):
    got = constants(problem)
    want = _numpy_constants(problem)
    # same formulas in another order, eigenvalues by another solver: a few ulps
    np.testing.assert_allclose([float(x) for x in (got.m, got.M, got.L, got.radius, got.gamma, got.step, got.shift)],
                               want, rtol=1e-12)


@pytest.mark.parametrize("loss,ell0", [("exp", 1.0), ("squared", 0.5)])
def test_constants_of_the_other_losses(loss, ell0):
    p = al.gaussian_problem(jax.random.key(4), 20, 3, 0.2, 0.25, 0.3, loss=loss)
    X, f, lam = np.asarray(p.X), np.asarray(p.forget), 0.3
    B = np.sqrt(2 * ell0 / lam)
    r = np.linalg.norm(X, axis=1)
    # sup l'' on the ball: e^{B|x_i|} (exp, at margin -B|x_i|), 1 (squared); |l'(-B|x_i|)|: e^{B|x_i|}, 1 + B|x_i|
    s = np.exp(B * r) if loss == "exp" else np.ones_like(r)
    slope = np.exp(B * r) if loss == "exp" else 1 + B * r
    XR = X[~f]
    M = lam + np.linalg.eigvalsh(XR.T @ (XR * s[~f, None]) / len(XR)).max()
    L = np.max(slope * r) + lam * B
    got = constants(p)
    # same formulas, another eigensolver: a few ulps of the largest term (e^{B|x|} up to ~1e4 here)
    np.testing.assert_allclose([float(got.radius), float(got.M), float(got.L)], [B, M, L], rtol=1e-12)


def test_mean_approaches_noise_free_descent_and_the_oracle_and_spread_is_sigma(problem):
    steps = 40
    w = _published(problem, steps)  # (N_KEYS, steps + 1, d)
    secret = _numpy_secret(problem, steps)
    _, _, _, _, gamma, _, shift = _numpy_constants(problem, _numpy_method_radius(problem))
    sigma = np.array([_numpy_sigma(shift, gamma, t, EPS, DELTA) for t in range(steps + 1)])
    np.testing.assert_allclose(w[0, 0], secret[0], rtol=1e-10)  # row 0: w^D itself, unperturbed
    # mean: each coordinate's sample mean is N(secret, sigma_t^2 / N); 5 standard errors (a two-sided
    # 5.7e-7 chance each, 120 comparisons: < 1e-4 in all), plus 1e-10 for solve's w^D start
    mean, se = w[:, 1:].mean(axis=0), sigma[1:, None] / np.sqrt(N_KEYS)
    assert np.all(np.abs(mean - secret[1:]) <= 5 * se + 1e-10)
    # and the oracle: at T = 40, gamma^T shift < 1e-12, so the secret iterate is w^R to solve's accuracy
    w_r = np.asarray(al.solve(problem, "oracle").w)
    assert gamma**steps * shift < 1e-12
    assert np.all(np.abs(mean[-1] - w_r) <= 5 * se[-1] + 1e-10)
    # spread: (N-1) s^2 / sigma_t^2 ~ chi^2_{N-1}; two-sided 1e-6 quantiles (120 comparisons: < 1.2e-4);
    # only rows whose noise is far above the rounding of w (sigma_t > 1e-8: float64 resolves it to 1e-8)
    rows = np.flatnonzero(sigma[1:] > 1e-8)
    assert len(rows) >= 10
    ratio = (N_KEYS - 1) * w[:, 1:][:, rows].var(axis=0, ddof=1) / sigma[1:][rows, None] ** 2
    lo, hi = stats.chi2.ppf([5e-7, 1 - 5e-7], N_KEYS - 1)
    assert np.all((ratio > lo) & (ratio < hi)), (ratio.min(), ratio.max(), lo, hi)


def test_eta_multiplies_the_theorem_step_and_the_noise_uses_its_contraction(problem):
    steps, mult = 6, 0.5
    w = _published(problem, steps, eta=mult)
    secret = _numpy_secret(problem, steps, mult)
    lam, M, _, _, _, step, shift = _numpy_constants(problem, _numpy_method_radius(problem))
    gamma = max(abs(1 - mult * step * lam), abs(1 - mult * step * M))
    sigma = np.array([_numpy_sigma(shift, gamma, t, EPS, DELTA) for t in range(1, steps + 1)])
    se = sigma[:, None] / np.sqrt(N_KEYS)
    assert np.all(np.abs(w[:, 1:].mean(axis=0) - secret[1:]) <= 5 * se + 1e-10)  # as above: 5 standard errors
    ratio = (N_KEYS - 1) * w[:, 1:].var(axis=0, ddof=1) / sigma[:, None] ** 2
    lo, hi = stats.chi2.ppf([5e-7, 1 - 5e-7], N_KEYS - 1)
    assert np.all((ratio > lo) & (ratio < hi))


def test_radius_projects_the_secret_iterate(problem):
    # a ball smaller than ||w^D||: the secret iterate is projected onto it, so the mean has norm <= radius
    radius = 0.5 * float(np.linalg.norm(al.solve(problem, "original").w))
    w = _published(problem, 5, radius=radius)
    mean = w[:, 1:].mean(axis=0)
    # the mean's error is at most 5 standard errors per coordinate (sigma_t from the constants at this radius)
    _, _, _, _, gamma, _, _ = _numpy_constants(problem, radius)
    _, _, L0, _, _, _, _ = _numpy_constants(problem)  # the shift uses L on the same ball: recompute it there
    lam = float(problem.lam)
    r = np.linalg.norm(np.asarray(problem.X), axis=1)
    L = np.max(r / (1 + np.exp(-radius * r))) + lam * radius
    f = np.asarray(problem.forget)
    sigma = np.array([_numpy_sigma(f.sum() * L / (lam * (~f).sum()), gamma, t, EPS, DELTA) for t in range(1, 6)])
    slack = 5 * np.sqrt(3) * sigma / np.sqrt(N_KEYS)
    assert np.all(np.linalg.norm(mean, axis=1) <= radius + slack)
    assert L < L0


@pytest.fixture(scope="module")
def refs(problem):
    return al.solve_references(problem)


def test_determinism_and_fresh_noise(problem, refs):
    run = lambda k: al.unlearn(problem, "noisy_gd", eta=1.0, steps=5, key=k, references=refs).w
    a, b, c = run(jax.random.key(0)), run(jax.random.key(0)), run(jax.random.key(1))
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert np.all(np.asarray(a)[1:] != np.asarray(c)[1:])
    assert np.all(np.diff(np.asarray(a)[1:], axis=0) != 0)  # fresh noise at every step
    legacy = al.unlearn(problem, "noisy_gd", eta=1.0, steps=5, key=jax.random.PRNGKey(0), references=refs).w
    assert np.all(np.isfinite(np.asarray(legacy)))


def test_cost_is_retain_size_per_step_and_vmap_over_params(problem, refs):
    tr = al.unlearn(problem, methods.noisy_gd(), eta=1.0, steps=4, key=jax.random.key(0), references=refs)
    n_r = int((~np.asarray(problem.forget)).sum())
    np.testing.assert_array_equal(np.asarray(tr.grads), n_r * np.arange(5.0))
    eps = jnp.array([0.5, 1.0, 2.0])
    w = jax.vmap(lambda e: al.unlearn(problem, methods.noisy_gd(epsilon=e), eta=1.0, steps=3,
                                      key=jax.random.key(0), references=refs).w)(eps)
    # same key, so the noise draws are the same: the spread scales with 1 / epsilon's Gaussian factor
    secret = _numpy_secret(problem, 3)
    s = np.log(1 / DELTA)
    factor = [(np.sqrt(s + e) + np.sqrt(s)) / e for e in (0.5, 1.0, 2.0)]
    dev = np.asarray(w)[:, 1:] - secret[None, 1:]
    np.testing.assert_allclose(dev[0] / factor[0], dev[2] / factor[2], rtol=1e-8, atol=1e-12)


def test_missing_key_is_a_clear_error(problem, refs):
    with pytest.raises(ValueError, match=r"unlearn: `key` is required by method 'noisy_gd'"):
        al.unlearn(problem, "noisy_gd", eta=1.0, steps=3, references=refs)


@pytest.mark.parametrize("kw,match", [
    ({"epsilon": 0.0}, r"methods.noisy_gd: `epsilon` must be finite and > 0, got epsilon=0.0"),
    ({"epsilon": float("nan")}, r"`epsilon` must be finite and > 0, got epsilon=nan"),
    ({"delta": 1.0}, r"`delta` must satisfy 0 < delta < 1, got delta=1.0"),
    ({"delta": -1e-3}, r"`delta` must be finite and > 0"),
    ({"radius": -2.0}, r"`radius` must be finite and > 0, got radius=-2.0"),
    ({"radius": np.ones(2)}, r"`radius` must be a scalar"),
])
def test_bad_parameters_are_clear_errors(kw, match):
    with pytest.raises(ValueError, match=match):
        methods.noisy_gd(**kw)


def test_registered():
    assert "noisy_gd" in methods.NAMES and methods.info("noisy_gd").order == 40
    assert methods.get("noisy_gd").needs_key


def test_method_radius_holds_both_minimisers_and_is_used_by_default(problem):
    refs = al.solve_references(problem, da=False)
    B = float(methods.method_radius(problem, refs.original.w))
    assert B == pytest.approx(_numpy_method_radius(problem), rel=1e-12)
    assert max(np.linalg.norm(refs.original.w), np.linalg.norm(refs.oracle.w)) <= B
    c = constants(problem, w_original=refs.original.w)
    _, M, L, _, _, _, _ = _numpy_constants(problem, B)
    np.testing.assert_allclose([float(c.radius), float(c.M), float(c.L)], [B, M, L], rtol=1e-12)


def test_exp_loss_runs_at_moderate_lambda_and_helpers_validate():
    """B0 = sqrt(2/lam) made e^{B|x|} overflow the exp loss's constants for lam <= 1 (reported as divergence at
    step 1); the data radius keeps lam = 1 finite. Below lam ~ 0.1 the calibrated noise is still vacuous."""
    p = al.gaussian_problem(jax.random.key(0), 200, 5, 0.5, 0.1, 1.0, loss="exp")
    refs = al.solve_references(p, da=False)
    tr = al.unlearn(p, "noisy_gd", eta=1.0, steps=50, key=jax.random.key(0), references=refs)
    assert int(tr.diverged_at) == -1 and bool(np.isfinite(np.asarray(tr.w)).all())
    for call, name in ((lambda: methods.project(jnp.ones(3), -1.0), "radius"),
                       (lambda: constants(p, radius=0.0), "radius"),
                       (lambda: constants(None), "problem"),
                       (lambda: constants(p, w_original=jnp.ones(2)), "w_original"),
                       (lambda: methods.default_radius(-1.0), "lam")):
        with pytest.raises(ValueError, match=f"`{name}`"):
            call()


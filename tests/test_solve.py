"""Exact solutions: Newton against independent answers.

* Lemma 2 closed forms evaluated with scipy.special.lambertw (not ascentlab's);
* scipy.optimize on a numpy transcription of Eq. (1) (Gaussian problems);
* Lemma 6 for the correlated pair;
* finite differences for the implicit derivatives.

Optimality is checked separately from closeness (jaxopt's habit): the
gradient norm must reach 1e-12, and by lambda-strong convexity
||w - w*|| <= ||grad L(w)|| / lambda, which fixes the closeness tolerance.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.optimize
from scipy.special import lambertw as sp_lambertw

import ascentlab as al
from ascentlab import theory

W0 = lambda z: sp_lambertw(z, 0).real
Wm1 = lambda z: sp_lambertw(z, -1).real


def lemma2(retain, forget, lam):
    r, f = np.asarray(retain, float), np.asarray(forget, float)
    nr, nf = r.sum(), f.sum()
    return (W0((r + f) / (lam * (nr + nf))), W0(r / (lam * nr)), (r / nr - f / nf) / lam)


CASES = [  # (retain, forget, lam): Cases 1 and 2 on every coordinate
    ([50, 50], [8, 12], 0.5),
    ([50, 50], [5, 15], 1.0),
    ([100, 40, 7], [3, 20, 1], 2.0),
    # more coordinates and sizes of the same closed forms: the slow run (each shape compiles anew)
    pytest.param([1000], [250], 2.0, marks=pytest.mark.slow),
    pytest.param([10, 10, 10, 10], [1, 2, 3, 0], 1.0, marks=pytest.mark.slow),
]


@pytest.mark.parametrize("retain,forget,lam", CASES)
def test_orthogonal_blocks_match_lemma2(retain, forget, lam):
    p = al.orthogonal_blocks(retain, forget, lam)
    wd, wr, z_da = lemma2(retain, forget, lam)
    assert (z_da >= -np.exp(-1)).all()  # no coordinate in Case 3
    for kind, ref in (("original", wd), ("oracle", wr), ("da", W0(z_da))):
        sol = al.solve(p, kind)
        # exp-loss DA with some coordinate in Case 2 (b_j > a_j) is unbounded below: its minimum is local
        local = kind == "da" and bool((z_da < -1e-12).any())
        assert sol.status_name == ("local_minimum" if local else "minimum")
        assert float(sol.grad_norm) <= 1e-12
        # strong convexity (lam) bounds the error by grad_norm / lam; for "da"
        # the local curvature at W0 is lam (1 + W0) > 0 instead.
        mu = lam if kind != "da" else lam * (1 + ref.min())
        np.testing.assert_allclose(sol.w, ref, atol=1e-12 / mu + 1e-14, rtol=0)


def test_theory_note_c2_values():
    # C-2 reference values (docs/theory.md section 5, computed with scipy + BFGS).
    p = al.orthogonal_blocks([50, 50], [5, 15], 0.1)
    np.testing.assert_allclose(al.solve(p, "original").w, [1.277512, 1.372701], atol=5e-7)
    np.testing.assert_allclose(al.solve(p, "oracle").w, [1.326725, 1.326725], atol=5e-7)


def test_case3_is_reported_unbounded():
    # C-4: coordinate 2 has alpha = 0.3 > 0.2 + 0.1 * 20 / (e * 50): no DA stationary point.
    p = al.orthogonal_blocks([50, 50], [5, 15], 0.1)
    sol = al.solve(p, "da")
    assert sol.status_name == "unbounded"
    w = np.asarray(sol.w)
    assert np.isfinite(w).all()
    # it stopped where coordinate 2's margin left the representable range, the objective far below any value
    # near w^D (computed here in numpy: 0.5 e^{-w_2} - 0.75 e^{-w_2} + 0.05 w_2^2 on coordinate 2 alone).
    # Coordinate 1 (Case 1) is not converged: the escape now takes a few steps, not ~350 (issue 9).
    assert w[1] < -al.margin_bound("exp", np.float64)
    assert -0.25 * np.exp(-w[1]) + 0.05 * w[1] ** 2 < -1e150
    assert int(sol.steps) <= 10


def test_case2_branches_minimum_and_maximum():
    # 1-D Case 2: f(w) = c e^{-w} + lam/2 w^2 with c < 0, -1/e < c/lam < 0.
    # The W0 point is the local minimum, the W_{-1} point the local maximum
    # (the paper says the opposite; docs/theory.md#cases).
    retain, forget, lam = [50, 50], [8, 12], 0.5
    p = al.orthogonal_blocks(retain, forget, lam)
    z = lemma2(retain, forget, lam)[2]
    assert -np.exp(-1) < z[1] < 0
    w_max = np.array([W0(z[0]), Wm1(z[1])])
    # Newton here only descends, so it stays at the maximum only when started on it.
    sol = al.solve(p, "da", init=jnp.asarray(w_max))
    assert sol.status_name == "saddle_or_maximum"
    np.testing.assert_allclose(sol.w, w_max, atol=1e-10)
    # curvature at a stationary point is lam (1 + w): negative at W_{-1} < -1
    H = al.hessian(p, sol.w, "da")
    np.testing.assert_allclose(H[1, 1], lam * (1 + w_max[1]), rtol=1e-10)


def numpy_objective_grad(X, y, forget, lam, kind):
    X, y, forget = map(np.asarray, (X, y, forget))
    c = np.where(forget, 0.0, 1.0 / (~forget).sum())
    if kind == "original":
        c = np.full(len(y), 1.0 / len(y))
    elif kind == "da":
        c = c - np.where(forget, 1.0 / forget.sum(), 0.0)

    def fg(w):
        m = y * (X @ w)
        val = c @ np.logaddexp(0.0, -m) + 0.5 * lam * w @ w
        grad = X.T @ (c * -scipy.special.expit(-m) * y) + lam * w
        return val, grad

    return fg


@pytest.mark.parametrize("forget,kind", [  # every kind and both forget sets; the other pairings in the slow run
    ("random", "original"), ("random", "oracle"), ("correlated", "da"),
    pytest.param("correlated", "original", marks=pytest.mark.slow),
    pytest.param("correlated", "oracle", marks=pytest.mark.slow),
    pytest.param("random", "da", marks=pytest.mark.slow)])
def test_gaussian_problem_matches_scipy(getkey, forget, kind):
    p = al.gaussian_problem(getkey(), 300, 5, 0.5, 0.1, 0.05, forget=forget)
    sol = al.solve(p, kind)
    assert sol.status_name == "minimum" and float(sol.grad_norm) <= 1e-12
    fg = numpy_objective_grad(p.X, p.y, p.forget, 0.05, kind)
    opts = {"gtol": 1e-11, "maxiter": 10_000}
    start = np.zeros(5)
    if kind == "da":  # non-convex: both searches start from the original model
        fg_d = numpy_objective_grad(p.X, p.y, p.forget, 0.05, "original")
        start = scipy.optimize.minimize(fg_d, start, jac=True, method="BFGS", options=opts).x
    res = scipy.optimize.minimize(fg, start, jac=True, method="BFGS", options=opts)
    # scipy stops at ||g|| ~ 1e-11; the local curvature is >= mu (lam for the
    # convex objectives, the smallest Hessian eigenvalue for "da").
    mu = float(np.linalg.eigvalsh(np.asarray(al.hessian(p, sol.w, kind)))[0])
    assert mu > 0
    np.testing.assert_allclose(sol.w, res.x, atol=3 * np.linalg.norm(res.jac) / mu + 1e-12, rtol=0)


def test_correlated_pair_oracle_matches_lemma6():
    # Lemma 6: w^R = W0(p (1 + eps^2)) / (1 + eps^2) * (1, eps), p = |R_ij| / (lam |R|) = 1 / lam.
    for eps, lam in [(0.3, 0.1), (0.6, 1.0), (0.9, 0.01)]:
        p = al.correlated_pair(40, 10, eps, lam)
        x = W0((1 + eps**2) / lam)
        np.testing.assert_allclose(al.solve(p, "oracle").w, x / (1 + eps**2) * np.array([1.0, eps]), atol=1e-11)


def test_implicit_derivative_lam_matches_closed_form_and_fd():
    # d/dlam W0(c / lam) = -W0'(c / lam) c / lam^2 with W0'(z) = W / (z (1 + W)).
    retain, forget = [50, 50], [8, 12]
    f = lambda lam: al.solve(al.orthogonal_blocks(retain, forget, lam), "original").w
    lam = 0.5
    jac = jax.jacfwd(f)(lam)
    c = (np.array(retain) + np.array(forget)) / 120
    w = W0(c / lam)
    exact = -(w / ((c / lam) * (1 + w))) * c / lam**2
    np.testing.assert_allclose(jac, exact, rtol=1e-10)
    np.testing.assert_allclose(jax.jacrev(f)(lam), exact, rtol=1e-10)


@pytest.mark.parametrize("kind,loss", [("original", "exp"), ("da", "logistic"),  # both losses; the rest slow
                                       pytest.param("oracle", "exp", marks=pytest.mark.slow),
                                       pytest.param("original", "logistic", marks=pytest.mark.slow)])
def test_implicit_derivative_eps_matches_finite_differences(kind, loss):
    # (exp-loss DA on the pair alone is unbounded: see test_derivative_of_unbounded_is_nan)
    f = lambda eps: al.solve(al.correlated_pair(40, 10, eps, 0.3, loss=loss), kind).w
    assert al.solve(al.correlated_pair(40, 10, 0.4, 0.3, loss=loss), kind).status_name == "minimum"
    eps, h = 0.4, 1e-5
    fd = (np.asarray(f(eps + h)) - np.asarray(f(eps - h))) / (2 * h)
    # central differences: truncation h^2 |w'''| ~ 1e-10, rounding 1e-16 / h ~ 1e-11
    np.testing.assert_allclose(jax.jacfwd(f)(eps), fd, rtol=1e-7, atol=1e-9)


def test_derivative_of_unbounded_is_nan():
    # exp-loss DA on the pair alone: along w = t (eps, -1), x = 0 and
    # y = -t (1 - eps^2) -> -inf, so L_DA = e^{-x} - e^{-y} + ... is unbounded.
    f = lambda eps: al.solve(al.correlated_pair(40, 10, eps, 0.3), "da")
    assert f(0.4).status_name == "unbounded"
    assert np.isnan(np.asarray(jax.jacfwd(lambda e: f(e).w)(0.4))).all()


def test_implicit_derivative_rho_gaussian_matches_finite_differences():
    key = jax.random.key(3)
    f = lambda rho: al.solve(al.gaussian_problem(key, 200, 4, rho, 0.1, 0.1), "oracle").w
    rho, h = 0.3, 1e-5
    fd = (np.asarray(f(rho + h)) - np.asarray(f(rho - h))) / (2 * h)
    np.testing.assert_allclose(jax.jacrev(f)(rho), fd, rtol=1e-6, atol=1e-8)


def test_vmap_and_jit_match_single_solves():
    lams = jnp.array([0.05, 0.1, 0.5, 2.0])
    batched = jax.vmap(lambda lam: al.solve(al.orthogonal_blocks([50, 50], [8, 12], lam), "da"))(lams)
    jitted = jax.jit(lambda lam: al.solve(al.orthogonal_blocks([50, 50], [8, 12], lam), "da"))
    for i, lam in enumerate(lams):
        single = al.solve(al.orthogonal_blocks([50, 50], [8, 12], float(lam)), "da")
        assert int(batched.status[i]) == int(single.status) == int(jitted(lam).status)
        if single.status_name != "unbounded":
            np.testing.assert_allclose(batched.w[i], single.w, rtol=1e-14, atol=1e-15)
    # lam = 0.05, 0.1: coordinate 2 in Case 3; 0.5, 2.0: Case 2 (a minimum of an objective unbounded below)
    assert list(batched.status_name) == ["unbounded", "unbounded", "local_minimum", "local_minimum"]


def test_logistic_da_is_bounded_where_exp_is_unbounded():
    # docs/theory.md#logistic_ext: with the logistic loss, "Case 3" alpha gives a finite negative w.
    p = al.orthogonal_blocks([50, 50], [5, 15], 0.1, loss="logistic")
    sol = al.solve(p, "da")
    assert sol.status_name == "minimum"
    assert float(sol.w[1]) < 0
    # first-order condition lam w = (a - b) sigmoid(-w) on coordinate 2: a - b = 0.5 - 0.75
    w2 = float(sol.w[1])
    assert abs(0.1 * w2 - (-0.25) * scipy.special.expit(-w2)) <= 1e-12


def test_iteration_cap_reports_not_converged():
    p = al.gaussian_problem(jax.random.key(1), 100, 3, 0.3, 0.1, 0.1)
    sol = al.solve(p, "oracle", max_steps=1)
    assert sol.status_name == "not_converged" and int(sol.steps) == 1
    assert float(sol.grad_norm) > 1e-12
    np.testing.assert_allclose(sol.grad_norm, np.linalg.norm(np.asarray(al.gradient(p, sol.w, "oracle"))), rtol=1e-12)
    assert np.isnan(np.asarray(jax.jacfwd(lambda lam: al.solve(p._replace(lam=lam), "oracle", max_steps=1).w)(0.1))).all()


def test_float32_smoke():
    p = al.orthogonal_blocks([50, 50], [8, 12], jnp.float32(0.5))
    assert p.X.dtype == jnp.float32
    sol = al.solve(p, "da")
    assert sol.w.dtype == jnp.float32 and sol.status_name == "local_minimum"  # coordinate 2 in Case 2
    np.testing.assert_allclose(sol.w, W0(lemma2([50, 50], [8, 12], 0.5)[2]), rtol=2e-6, atol=2e-6)


# ------------------------------------------------------------- local minima: the ray certificate
def numpy_objective_on_ray(p, v, t):
    """L(t v) of a problem in numpy (independent of ascentlab's objectives)."""
    X, y, f = np.asarray(p.X), np.asarray(p.y), np.asarray(p.forget)
    om = np.ones(len(y)) if p.weights is None else np.asarray(p.weights)
    c = np.where(f, -om / om[f].sum(), om / om[~f].sum())
    return c @ np.exp(-t * y * (X @ v)) + 0.5 * float(p.lam) * t**2 * (v @ v)


@pytest.mark.parametrize("problem,certified", [
    (lambda: al.orthogonal_blocks([50, 50], [8, 12], 0.5), True),  # coordinate 2 in Case 2
    (lambda: al.correlated_pair(100, 10, 0.6, 1.0), True),  # forget row not dominated by the retain row
    (lambda: al.orthogonal_blocks([1000], [250], 2.0), False),  # a_j = b_j: DA is the ridge alone
    (lambda: al.orthogonal_blocks([50, 50], [8, 12], 0.5, loss="logistic"), False),  # logistic: bounded
])
def test_unbounded_ray_is_a_real_certificate(problem, certified):
    p = problem()
    ok, v = al.unbounded_ray(p, "da", al.solve(p, "da").w)
    assert bool(ok) == certified
    if certified:
        v = np.asarray(v)
        values = [numpy_objective_on_ray(p, v, t) for t in (10.0, 50.0, 200.0)]
        assert values[0] > values[1] > values[2] and values[2] < -1e50  # -> -inf along the ray
    for kind in ("original", "oracle"):
        assert not bool(al.unbounded_ray(p, kind)[0])


def test_logistic_da_at_tiny_lambda_converges_to_rounding():
    # L_DA's terms (~4200 each) cancel to |L| ~ 7: the Armijo slack must follow the terms, not |L|
    p = al.make_problem(np.array([[1.0], [0.0], [1.0], [0.0]]), np.ones(4), np.array([False, False, True, True]),
                        1.7882058658212373e-07, loss="logistic", weights=np.array([630.0, 704.0, 1178.0, 1308.0]))
    sol = al.solve(p, "da", tol=1e-17)
    a, b = 630 / 1334, 1178 / 2486
    # lam w = (a - b) sigma(-w) with sigma(-w) = 1 to double precision at w ~ -8890
    assert sol.status_name == "minimum" and abs(float(sol.w[0]) - (a - b) / 1.7882058658212373e-07) <= 1e-9 * 8890


def test_unbounded_ray_validates_and_handles_ga():
    p = al.orthogonal_blocks([50, 50], [8, 12], 0.5)
    with pytest.raises(ValueError, match="kind"):
        al.unbounded_ray(p, "DA")
    with pytest.raises(ValueError, match="w"):
        al.unbounded_ray(p, "da", np.zeros(3))
    ok, v = al.unbounded_ray(p, "ga")  # ascent on the forget loss alone: unbounded along a forget row
    X, f, v = np.asarray(p.X), np.asarray(p.forget), np.asarray(v)
    l_ga = lambda t: -np.mean(np.exp(-t * (X[f] @ v))) + 0.25 * t**2 * (v @ v)  # lam / 2 = 0.25
    assert bool(ok) and l_ga(10.0) > l_ga(100.0) > l_ga(500.0) and l_ga(500.0) < -1e100


# ------------------------------------------------------------- references solved once
def test_solve_references_match_lemma2_and_single_solves():
    retain, forget, lam = [50, 50], [8, 12], 0.5
    p = al.orthogonal_blocks(retain, forget, lam)
    wd, wr, z_da = lemma2(retain, forget, lam)
    refs = al.solve_references(p)
    assert isinstance(refs, al.References)
    for sol, ref, kind in ((refs.original, wd, "original"), (refs.oracle, wr, "oracle"), (refs.da, W0(z_da), "da")):
        np.testing.assert_allclose(sol.w, ref, atol=1e-11, rtol=0)
        single = al.solve(p, kind)  # the same point, bit for bit, status included
        for x, y in zip(sol, single):
            np.testing.assert_array_equal(x, y)
    assert refs.da.status_name == "local_minimum"  # coordinate 2 in Case 2
    assert al.solve_references(p, da=False).da is None
    loose = al.solve_references(p, tol=1e-6)
    assert all(float(s.grad_norm) <= 1e-6 for s in loose)
    with pytest.raises(ValueError, match="`da`"):
        al.solve_references(p, da="yes")
    with pytest.raises(ValueError, match="`tol`"):
        al.solve_references(p, tol=-1.0)


def test_solve_references_vmap_over_lam():
    lams = jnp.array([0.5, 1.0, 2.0])
    refs = jax.jit(jax.vmap(lambda lam: al.solve_references(al.orthogonal_blocks([50, 50], [8, 12], lam))))(lams)
    assert refs.da.w.shape == (3, 2)
    for i, lam in enumerate([0.5, 1.0, 2.0]):
        wd, wr, z_da = lemma2([50, 50], [8, 12], lam)
        np.testing.assert_allclose(refs.original.w[i], wd, atol=1e-11, rtol=0)
        np.testing.assert_allclose(refs.oracle.w[i], wr, atol=1e-11, rtol=0)
        np.testing.assert_allclose(refs.da.w[i], W0(z_da), atol=1e-11, rtol=0)


# ------------------------------------------------------------- the expanding line search (issue 9)
def _da_old_and_new(problem):
    """DA from w^D with the expanding line search (default) and with the old walk to margin_bound."""
    from ascentlab._solve import _solve

    tol = jnp.asarray(1e-12, problem.X.dtype)
    zero = jnp.zeros(problem.X.shape[1], problem.X.dtype)
    wd = _solve(problem, "original", zero, tol, 1000).w
    return _solve(problem, "da", wd, tol, 1000, expand=False), _solve(problem, "da", wd, tol, 1000)


def _pair(alpha, eps, lam):  # the phase figure's alpha_eps instance: |R| = 1000, |R_ij| = 100, |F| = 250
    return theory.pair_problem(100.0, alpha, 900.0, 250.0 - 100.0 * alpha, eps, lam)


@jax.jit
def _pair_boundary_lams(alpha, eps):
    """lam brackets (lo, hi) of the old walk's unbounded -> local_minimum switch, by bisection in log lam."""
    unbounded = jax.vmap(lambda a, e, lam: _da_old_and_new(_pair(a, e, lam))[0].status == al.STATUS_NAMES.index(
        "unbounded"))

    def halve(_, bracket):
        lo, hi = bracket
        mid = jnp.sqrt(lo * hi)
        u = unbounded(alpha, eps, mid)
        return jnp.where(u, mid, lo), jnp.where(u, hi, mid)

    return jax.lax.fori_loop(0, 48, halve, (jnp.full_like(eps, 1e-6), jnp.full_like(eps, 1e2)))


def test_expanding_search_agrees_with_the_old_walk_in_few_steps():
    # A 60 x 60 (eps, lam) grid of the correlated pair, alpha drawn per cell, eps from 0 (and 1e-6) to 0.99,
    # lam from 1e-6 to 1e2; plus both sides of the Case 2/3 (local_minimum/unbounded) switch, found by
    # bisecting the old walk in lam to 8 decades / 2^48 (~7e-14 relative); plus orthogonal coordinates on
    # both sides of Lemma 3's closed-form boundary alpha = |F|/|R| + lam |F| / (e |R_j|) (case_thresholds).
    rng = np.random.default_rng(0)
    E, L = np.meshgrid(np.r_[0.0, 1e-6, np.linspace(0.01, 0.99, 58)], np.logspace(-6, 2, 60), indexing="ij")
    A = rng.uniform(0.01, 1.0, E.size)
    eps_b = jnp.array([0.0, 1e-6, 0.3, 0.7, 0.98, 0.99])
    alpha_b = jnp.array([0.5, 0.2, 1.0, 0.5, 0.5, 0.9])  # each switches inside [1e-6, 1e2]
    lo, hi = _pair_boundary_lams(alpha_b, eps_b)
    alpha = jnp.concatenate([jnp.asarray(A), alpha_b, alpha_b])
    eps = jnp.concatenate([jnp.asarray(E.ravel()), eps_b, eps_b])
    lam = jnp.concatenate([jnp.asarray(L.ravel()), lo, hi])
    old, new = jax.jit(jax.vmap(lambda a, e, lam: _da_old_and_new(_pair(a, e, lam))))(alpha, eps, lam)
    # the coordinate problem: |R_j| = 50, |R| = 100, |F| = 20; boundary alpha * (1 -+ 1e-6) and some Case 3 depth
    r_j, n_r, n_f = 50.0, 100.0, 20.0
    lam_c = jnp.asarray(np.repeat(np.logspace(-3, 1, 8), 4))
    a2 = theory.case_thresholds(r_j, n_r, n_f, lam_c)[1] * jnp.tile(jnp.array([1 - 1e-6, 1 + 1e-6, 1.5, 3.0]), 8)
    c_old, c_new = jax.jit(jax.vmap(lambda a, lam: _da_old_and_new(
        theory.coordinate_problem(r_j, a * r_j, n_r, n_f, lam))))(a2, lam_c)

    unb, loc = al.STATUS_NAMES.index("unbounded"), al.STATUS_NAMES.index("local_minimum")
    for o, n in ((old, new), (c_old, c_new)):
        np.testing.assert_array_equal(np.asarray(n.status), np.asarray(o.status))
        bounded = np.asarray(o.is_minimum)
        # a minimum reached by both is the same point: the iterates differ only after a step was expanded,
        # and both runs then converge quadratically to |grad| <= 1e-12 at a point where the Hessian is
        # positive definite, so they agree to ~1e-12 / (smallest eigenvalue); 1e-9 relative is loose for that
        w_o, w_n = np.asarray(o.w)[bounded], np.asarray(n.w)[bounded]
        np.testing.assert_allclose(w_n, w_o, rtol=0, atol=1e-9 * max(1.0, np.abs(w_o).max()))
    s = np.asarray(old.status)
    # the bisection really bracketed the switch: unbounded at lo, not at hi (a local minimum, or, this close
    # to the fold where the minimum meets the saddle, the degenerate stationary point: "saddle_or_maximum")
    k = len(eps_b)
    assert (s[-2 * k:-k] == unb).all() and (s[-k:] != unb).all() and (s[-k:] != al.STATUS_NAMES.index("not_converged")).all()
    c = np.asarray(c_old.status)
    assert (c[0::4] == loc).all() and (c[1::4] == unb).all() and (c[2::4] == unb).all()  # Lemma 3's cases
    # Newton steps. The old walk moves the escaping margin by about 1 per step (proofs/cases.py), so it takes
    # ~355 steps; with doubling one expanded step crosses margin_bound (2^9 > 355), so an unbounded cell
    # costs the steps to reach the non-convex region plus one or two. Tested: on the grid and the coordinate
    # problems, never more than the bounded cells of the same batch take to converge (<= 8 on the grid, <= 13
    # for the coordinates, measured), and not more on average. At the fold brackets both sides first approach
    # the nearly degenerate stationary point (Newton converges only linearly there: ~20 steps at 7e-14 from the
    # fold); the unbounded side then escapes in at most 4 more steps than the bounded side takes to finish.
    n_grid = E.size
    grid = lambda x: np.asarray(x)[:n_grid]
    for s, steps_o, steps_n in ((grid(old.status), grid(old.steps), grid(new.steps)),
                                (np.asarray(c_old.status), np.asarray(c_old.steps), np.asarray(c_new.steps))):
        assert np.median(steps_o[s == unb]) > 300  # the walk the expansion replaces (a few escape sooner)
        bounded = (s == loc) | (s == al.STATUS_NAMES.index("minimum"))
        assert steps_n[s == unb].max() <= steps_n[bounded].max()
        assert steps_n[s == unb].mean() <= steps_n[bounded].mean()
    fold = np.asarray(new.steps)[n_grid:]
    assert (fold[:k] <= fold[k:] + 4).all()
    # where it stops: the expanded step is bisected back to the first escaped point (to 1/256 of its last
    # doubling, whose margin change is below 2 margin_bound), so margins end within M (1 + 1/64) -- or where
    # the old walk's own first step already threw them (a full step that escapes is not expanded)
    M = al.margin_bound("exp", np.float64)
    for o, n, probs in ((old, new, jax.vmap(_pair)(alpha, eps, lam)),):
        u = np.asarray(o.status) == unb
        m_o = np.abs(np.asarray(jax.vmap(al.margins)(probs, o.w))).max(axis=1)[u]
        m_n = np.abs(np.asarray(jax.vmap(al.margins)(probs, n.w))).max(axis=1)[u]
        assert (m_n > M).all() and (m_n <= np.maximum(m_o, M * (1 + 1 / 64))).all()


def test_large_strongly_convex_solve_reuses_the_hessian_and_still_converges(getkey):
    # n d^2 = 1.25e7 >= _REUSE_HESSIAN_MIN_WORK: solve(..., "oracle") takes chord steps in Newton's quadratic
    # phase (issue 9). Compared with exact Newton (damped_newton without reuse) and with a numpy gradient.
    from ascentlab._objectives import _gradient, _hessian, _value
    from ascentlab._solve import _REUSE_HESSIAN_MIN_WORK, damped_newton

    n, d, lam = 20_000, 25, 1e-3
    assert n * d * d >= _REUSE_HESSIAN_MIN_WORK
    p = al.gaussian_problem(getkey(), n, d, 0.3, 0.1, lam, n_test=10)
    sol = al.solve(p, "oracle")
    assert sol.status_name == "minimum" and float(sol.grad_norm) <= 1e-12
    _, grad = numpy_objective_grad(p.X, p.y, p.forget, lam, "oracle")(np.asarray(sol.w))
    # the numpy gradient differs from ascentlab's by rounding: ~eps * sum_i |c_i x_i| ~ 1e-16 * max|x| ~ 1e-15
    assert np.linalg.norm(grad) <= 1e-12 + 1e-14
    exact = jax.jit(lambda p: damped_newton(
        lambda w: _value(p, w, "oracle"), lambda w: _gradient(p, w, "oracle"), lambda w: _hessian(p, w, "oracle"),
        jnp.zeros(d), tol=1e-12, max_steps=100))(p)
    assert int(exact[3]) == al.STATUS_NAMES.index("minimum")
    # lam-strong convexity: |w - w*| <= |grad| / lam for each, so they agree to 2e-12 / lam
    np.testing.assert_allclose(sol.w, exact[0], rtol=0, atol=2e-12 / lam)
    # the chord steps were taken (they converge linearly, fast: one more step than exact Newton here, which
    # saves the last Hessians), and not many of them
    assert int(exact[2]) < int(sol.steps) <= int(exact[2]) + 3

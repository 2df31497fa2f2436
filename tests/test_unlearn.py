"""Unlearning trajectories against a plain numpy loop and closed forms.

The numpy loop re-implements every update rule from the paper's formulas
(Sec. 5.1, App. D.3), independently of ascentlab's gradients. rtol 1e-12:
the same float64 arithmetic in a different order, accumulated over <= 60
contracting steps.
"""

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.special import expit
from scipy.special import lambertw as sp_lambertw

import ascentlab as al

W0 = lambda z: sp_lambertw(z, 0).real


def numpy_gradients(p):
    X, y, f = np.asarray(p.X), np.asarray(p.y), np.asarray(p.forget)
    lam = float(p.lam)
    om = np.ones(len(y)) if p.weights is None else np.asarray(p.weights)
    c_r = np.where(f, 0.0, om) / om[~f].sum()
    c_f = np.where(f, om, 0.0) / om[f].sum()
    dl = (lambda m: -expit(-m)) if p.loss == "logistic" else (lambda m: -np.exp(-m))
    mean_grad = lambda c, w: X.T @ (c * dl(y * (X @ w)) * y)
    return {
        "retain": lambda w: mean_grad(c_r, w) + lam * w,            # grad L_R
        "ga": lambda w: -mean_grad(c_f, w) + lam * w,               # ascent on F, ridge descended
        "da": lambda w: mean_grad(c_r, w) - mean_grad(c_f, w) + lam * w,
    }


def numpy_loop(p, method, eta, steps, w0, order="descent_first"):
    g = numpy_gradients(p)
    ws = [np.asarray(w0, float)]
    for _ in range(steps):
        w = ws[-1]
        if method == "ga":
            w = w - eta * g["ga"](w)
        elif method == "da":
            w = w - eta * g["da"](w)
        elif method == "finetune":
            w = w - eta * g["retain"](w)
        elif order == "descent_first":
            w = w - eta * g["retain"](w)
            w = w - eta * g["ga"](w)
        else:
            w = w - eta * g["ga"](w)
            w = w - eta * g["retain"](w)
        ws.append(w)
    return np.array(ws)


@pytest.mark.parametrize("method,order", [("ga", None), ("da", None), ("finetune", None),
                                          ("da_alternating", "descent_first"), ("da_alternating", "ascent_first")])
def test_matches_numpy_loop(getkey, method, order):
    problems = [
        al.orthogonal_blocks([50, 50], [8, 12], 0.5),
        al.correlated_pair(30, 10, 0.5, 0.3, loss="logistic"),
        al.gaussian_problem(getkey(), 150, 4, 0.4, 0.15, 0.1),
    ]
    for p in problems:
        kw = {} if order is None else {"order": order}
        tr = al.unlearn(p, method, eta=0.3, steps=60, **kw)
        with np.errstate(over="ignore", invalid="ignore"):
            ref = numpy_loop(p, method, 0.3, 60, al.solve(p, "original").w, order or "descent_first")
        t = int(tr.diverged_at)
        if t >= 0:
            # exp-loss GA is unbounded below: the numpy loop must leave the
            # representable range at that very step (margin bound or overflow).
            assert p.loss == "exp" and method == "ga"
            bound = al.margin_bound("exp", jnp.float64)
            assert np.abs(ref[t - 1]).max() <= bound
            assert not (np.abs(ref[t]).max() <= bound)
        else:
            t = 61
        np.testing.assert_allclose(tr.w[:t], ref[:t], rtol=1e-12, atol=1e-13)
        wr, wd = np.asarray(al.solve(p, "oracle").w), np.asarray(al.solve(p, "original").w)
        np.testing.assert_allclose(tr.dist_oracle[:t], np.linalg.norm(ref[:t] - wr, axis=1), rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(tr.dist_original[:t], np.linalg.norm(ref[:t] - wd, axis=1), rtol=1e-12, atol=1e-13)


def test_theory_note_c5_distance_table():
    # C-5 (docs/theory.md section 5, computed with scipy lambertw + gradient descent).
    p = al.orthogonal_blocks([50, 50], [8, 12], 0.5)
    tr = al.unlearn(p, "da", eta=0.5, steps=100)
    table = {0: 0.017063, 1: 0.202013, 2: 0.357797, 5: 0.641828, 10: 0.826618, 20: 0.906244, 100: 0.917268}
    for t, ref in table.items():
        assert abs(float(tr.dist_oracle[t]) - ref) <= 5e-7  # the table's 6-decimal rounding
    assert (np.diff(np.asarray(tr.dist_oracle)) > 0).all()  # strictly moves away
    # ... and converges to the Lemma 2 DA point W0((a_j - b_j) / lam)
    z = (np.array([0.5, 0.5]) - np.array([0.4, 0.6])) / 0.5
    np.testing.assert_allclose(tr.w[-1], W0(z), atol=1e-12)


def test_case3_divergence_is_reported_and_masked():
    # C-4: DA in Case 3 overflows in under 50 steps.
    p = al.orthogonal_blocks([50, 50], [5, 15], 0.1)
    tr = al.unlearn(p, "da", eta=0.5, steps=100)
    t = int(tr.diverged_at)
    assert 0 < t < 50
    valid = np.asarray(tr.valid)
    assert valid[:t].all() and not valid[t:].any()
    assert np.isfinite(np.asarray(tr.w[:t])).all() and np.isfinite(np.asarray(tr.dist_oracle[:t])).all()
    assert np.isnan(np.asarray(tr.w[t:])).all() and np.isnan(np.asarray(tr.loss_forget[t:])).all()
    # the last valid iterate is within the documented bound, the next step is past it
    bound = al.margin_bound("exp", jnp.float64)
    assert float(jnp.max(jnp.abs(tr.w[t - 1]))) <= bound
    g = numpy_gradients(p)
    w_next = np.asarray(tr.w[t - 1]) - 0.5 * g["da"](np.asarray(tr.w[t - 1]))
    with np.errstate(over="ignore", invalid="ignore"):
        assert not (np.isfinite(w_next).all() and np.abs(w_next).max() <= bound)


def test_pure_one_dimensional_da_is_weight_decay():
    # C-8 / Corollary 1: with all samples on one coordinate, L_DA = lam/2 w^2,
    # so DA is w_t = (1 - eta lam)^t w^R with w^R = W0(1 / lam).
    lam, eta = 0.1, 0.7
    p = al.orthogonal_blocks([40], [10], lam)
    tr = al.unlearn(p, "da", eta=eta, steps=50)
    w_r = W0(1 / lam)
    np.testing.assert_allclose(tr.w[:, 0], (1 - eta * lam) ** np.arange(51) * w_r, rtol=1e-13)


def test_alternating_matches_double_ridge_and_case3_fixed_point():
    # C-10: iterative DA ~ simultaneous DA with 2 lam; in Case 3 a finite fixed point.
    # one coordinate with a = 0.5, b = 0.25 (Case 1), one with a = 0.5, b = 0.75 (Case 3)
    p = al.orthogonal_blocks([50, 50], [5, 15], 0.1)
    for eta, ref in ((0.1, 0.653249), (0.01, 0.651726)):
        tr = al.unlearn(p, "da_alternating", eta=eta, steps=int(60 / eta))
        assert abs(float(tr.w[-1, 0]) - ref) <= 5e-7
    assert abs(W0(0.25 / 0.2) - 0.651548) <= 5e-7  # simultaneous DA with 2 lam
    for eta, ref in ((0.5, -0.3293), (0.1, -1.7296)):
        tr = al.unlearn(p, "da_alternating", eta=eta, steps=int(100 / eta))
        assert int(tr.diverged_at) == -1
        assert abs(float(tr.w[-1, 1]) - ref) <= 5e-5
        # it is a fixed point of the two half-steps (independent numpy map)
        w = float(tr.w[-1, 1])
        w1 = w - eta * (-0.5 * np.exp(-w) + 0.1 * w)
        w2 = w1 - eta * (0.75 * np.exp(-w1) + 0.1 * w1)
        assert abs(w2 - w) <= 1e-10


def test_finetune_converges_at_the_predicted_linear_rate():
    # diffrax-style rate test: GD on L_R contracts the error by the spectral
    # radius rho = max |1 - eta h| over the Hessian eigenvalues h at w^R.
    p = al.correlated_pair(30, 10, 0.5, 0.3, loss="logistic")
    eta = 0.5
    tr = al.unlearn(p, "finetune", eta=eta, steps=80)
    h = np.linalg.eigvalsh(np.asarray(al.hessian(p, al.solve(p, "oracle").w, "oracle")))
    rho = np.max(np.abs(1 - eta * h))
    d = np.asarray(tr.dist_oracle)[20:60]
    slope = np.polyfit(np.arange(20, 60), np.log(d), 1)[0]
    assert abs(slope - np.log(rho)) <= 1e-3 * abs(np.log(rho))


def test_vmap_over_eta_and_start_matches_single_runs():
    p = al.orthogonal_blocks([50, 50], [8, 12], 0.5)
    etas = jnp.array([0.1, 0.5, 1.0])
    batched = jax.vmap(lambda e: al.unlearn(p, "da", eta=e, steps=30))(etas)
    for i, e in enumerate(etas):
        single = al.unlearn(p, "da", eta=float(e), steps=30)
        np.testing.assert_allclose(batched.w[i], single.w, rtol=1e-14, atol=1e-15)
    starts = jnp.array([[0.0, 0.0], [1.0, -0.5]])
    batched = jax.vmap(lambda s: al.unlearn(p, "finetune", eta=0.5, steps=20, start=s))(starts)
    for i in range(2):
        np.testing.assert_allclose(batched.w[i], al.unlearn(p, "finetune", eta=0.5, steps=20, start=starts[i]).w,
                                   rtol=1e-14, atol=1e-15)
    np.testing.assert_array_equal(batched.w[:, 0], starts)


def test_batched_divergence_mask_and_jit():
    # lam = 0.1: Case 3 (diverges); lam = 0.5: Case 2 (converges)
    f = jax.jit(lambda lam: al.unlearn(al.orthogonal_blocks([50, 50], [5, 15], lam), "da", eta=0.5, steps=60))
    tr = jax.vmap(f)(jnp.array([0.1, 1.0]))
    assert tr.valid.shape == (2, 61)
    t = int(tr.diverged_at[0])
    assert 0 < t < 50 and int(tr.diverged_at[1]) == -1
    np.testing.assert_array_equal(tr.valid[0], np.arange(61) < t)
    assert bool(tr.valid[1].all())


def test_callable_method_plugs_in():
    p = al.orthogonal_blocks([50, 50], [8, 12], 0.5)
    half_da = lambda problem, w, eta: w - 0.5 * eta * al.gradient(problem, w, "da")
    np.testing.assert_allclose(al.unlearn(p, half_da, eta=0.5, steps=10).w,
                               al.unlearn(p, "da", eta=0.25, steps=10).w, rtol=1e-14)


def test_deterministic_bits(getkey):
    key = getkey()
    a = al.unlearn(al.gaussian_problem(key, 100, 3, 0.3, 0.1, 0.1), "da", eta=0.2, steps=30)
    b = al.unlearn(al.gaussian_problem(key, 100, 3, 0.3, 0.1, 0.1), "da", eta=0.2, steps=30)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_float32_smoke():
    p = al.orthogonal_blocks([50, 50], [8, 12], jnp.float32(0.5))
    tr = al.unlearn(p, "da", eta=0.5, steps=100)
    assert tr.w.dtype == jnp.float32
    assert abs(float(tr.dist_oracle[-1]) - 0.917268) <= 1e-5


# ------------------------------------------------------------- T = 0
def test_zero_steps_is_the_start_with_its_record():
    # Lemma 2: w^D_j = W0((r_j + f_j) / (lam |D|)), w^R_j = W0(r_j / (lam |R|)) on orthogonal blocks
    r, f, lam = np.array([50.0, 50.0]), np.array([8.0, 12.0]), 0.5
    p = al.orthogonal_blocks([50, 50], [8, 12], lam)
    w_d, w_r = W0((r + f) / (lam * 120)), W0(r / (lam * 100))
    tr = al.unlearn(p, "da", eta=0.5, steps=0)
    assert tr.w.shape == (1, 2) and int(tr.diverged_at) == -1 and bool(tr.valid.all())
    np.testing.assert_allclose(tr.w[0], w_d, rtol=1e-12)
    np.testing.assert_allclose(tr.dist_oracle, [np.linalg.norm(w_d - w_r)], rtol=1e-10)
    np.testing.assert_allclose(tr.dist_original, [0.0], atol=1e-12)
    # mean exp loss e^{-w_j} over the rows of each set
    np.testing.assert_allclose(tr.loss_retain, [(r @ np.exp(-w_d)) / r.sum()], rtol=1e-12)
    np.testing.assert_allclose(tr.loss_forget, [(f @ np.exp(-w_d)) / f.sum()], rtol=1e-12)
    jitted = jax.jit(lambda e: al.unlearn(p, "da", eta=e, steps=0))(0.5)
    batched = jax.vmap(lambda e: al.unlearn(p, "ga", eta=e, steps=0))(jnp.array([0.1, 0.5, 1.0]))
    assert int(jitted.diverged_at) == -1 and batched.w.shape == (3, 1, 2)
    np.testing.assert_array_equal(batched.diverged_at, [-1, -1, -1])
    np.testing.assert_allclose(batched.w[:, 0], np.tile(w_d, (3, 1)), rtol=1e-12)


# ------------------------------------------------------------- callable methods
@pytest.mark.parametrize("step,returned", [
    (lambda problem, w, eta: w[:1], "float64[1]"),
    (lambda problem, w, eta: jnp.sum(w), "float64[]"),
    (lambda problem, w, eta: w.astype(jnp.float32), "float32[2]"),
    (lambda problem, w, eta: (w, w), "float64[2]"),  # a tuple, not an array
])
def test_callable_method_of_wrong_shape_is_named(step, returned):
    p = al.orthogonal_blocks([50, 50], [8, 12], 0.5)
    with pytest.raises(ValueError, match=r"unlearn: `method`") as info:
        al.unlearn(p, step, eta=0.5, steps=3)
    msg = str(info.value)
    assert "shape (2,)" in msg and "float64" in msg and returned in msg, msg


@pytest.mark.parametrize("step", [lambda w: w, lambda problem, w: w, lambda problem, w, eta, extra: w])
def test_callable_method_of_wrong_signature_is_named(step):
    p = al.orthogonal_blocks([50, 50], [8, 12], 0.5)
    with pytest.raises(ValueError, match=r"unlearn: `method` must take \(problem, w, eta\)"):
        al.unlearn(p, step, eta=0.5, steps=3)


# ------------------------------------------------------------- references: solve once
def test_references_give_the_same_bits_as_solving_inside(getkey):
    for p in (al.orthogonal_blocks([50, 50], [8, 12], 0.5), al.gaussian_problem(getkey(), 120, 3, 0.4, 0.15, 0.1)):
        refs = al.solve_references(p)
        for method, start in (("da", "original"), ("ga", "oracle"), ("da_alternating", "original")):
            a = al.unlearn(p, method, eta=0.3, steps=20, start=start)
            b = al.unlearn(p, method, eta=0.3, steps=20, start=start, references=refs)
            for x, y in zip(a, b):
                np.testing.assert_array_equal(x, y)


def test_references_are_used_instead_of_solving(monkeypatch):
    import ascentlab._solve as solve_module

    p = al.orthogonal_blocks([50, 50], [8, 12], 0.5)
    refs = al.solve_references(p, da=False)
    shift_d, shift_r = np.array([0.3, -0.2]), np.array([-1.0, 0.5])
    shifted = al.References(refs.original._replace(w=refs.original.w + shift_d),
                            refs.oracle._replace(w=refs.oracle.w + shift_r), None)
    calls = []
    core = solve_module._solve
    monkeypatch.setattr(solve_module, "_solve", lambda *a: calls.append(a[1]) or core(*a))
    tr = al.unlearn(p, "da", eta=0.5, steps=15, references=shifted)
    assert calls == []  # no Newton solve ran
    w_d, w_r = np.asarray(refs.original.w) + shift_d, np.asarray(refs.oracle.w) + shift_r
    ref = numpy_loop(p, "da", 0.5, 15, w_d)  # starts at the given "original" point
    np.testing.assert_allclose(tr.w, ref, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(tr.dist_oracle, np.linalg.norm(ref - w_r, axis=1), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(tr.dist_original, np.linalg.norm(ref - w_d, axis=1), rtol=1e-12, atol=1e-13)
    al.unlearn(p, "da", eta=0.5, steps=15)
    assert sorted(calls) == ["oracle", "original"]  # without references: both solved


def test_references_of_wrong_shape_are_named():
    p = al.orthogonal_blocks([50, 50], [8, 12], 0.5)
    refs = al.solve_references(p, da=False)
    bad = [
        (refs._replace(original=refs.original._replace(w=jnp.zeros(3))), "references.original.w"),
        (refs._replace(oracle=refs.oracle._replace(w=jnp.zeros((2, 2)))), "references.oracle.w"),
        ((refs.original.w, refs.oracle.w), "references"),
    ]
    for references, name in bad:
        with pytest.raises(ValueError, match=rf"unlearn: `{re.escape(name)}`"):
            al.unlearn(p, "da", eta=0.5, steps=3, references=references)


def test_references_under_jit_and_vmap():
    problem = lambda lam: al.orthogonal_blocks([50, 50], [8, 12], lam)
    lams = jnp.array([0.3, 0.5, 1.0])
    refs = jax.vmap(lambda lam: al.solve_references(problem(lam), da=False))(lams)
    run = jax.jit(jax.vmap(lambda lam, r: al.unlearn(problem(lam), "da", eta=0.5, steps=20, references=r)))
    batched = run(lams, refs)
    for i, lam in enumerate([0.3, 0.5, 1.0]):
        single = al.unlearn(problem(lam), "da", eta=0.5, steps=20)
        np.testing.assert_allclose(batched.w[i], single.w, rtol=1e-14, atol=1e-15)
        np.testing.assert_allclose(batched.dist_oracle[i], single.dist_oracle, rtol=1e-13, atol=1e-15)


# ------------------------------------------------------------- the alternating step, for other modules
def test_alternating_step_fn_matches_numpy_half_steps():
    from ascentlab._unlearn import alternating_step_fn

    p = al.correlated_pair(30, 10, 0.5, 0.3, loss="logistic")
    w0 = np.array([0.4, -0.7])
    for order in ("descent_first", "ascent_first"):
        got = alternating_step_fn(order)(p, jnp.asarray(w0), 0.3)
        np.testing.assert_allclose(got, numpy_loop(p, "da_alternating", 0.3, 1, w0, order)[1], rtol=1e-13)
    with pytest.raises(ValueError, match="`order`"):
        alternating_step_fn("both")


# ------------------------------------------------------------- the fused record and record_every
def reference_run(p, method, eta, steps, refs, order="descent_first", every=1):
    """A plain numpy run with the documented contract: rows at t = min(j * every, steps), divergence
    at the first step t >= 1 whose iterate is non-finite or has a margin beyond `margin_bound`, and
    every row from that step on NaN. Losses are the weighted means of numpy's own loss formulas.
    Starts at refs.original.w; distances to refs.original.w and refs.oracle.w."""
    X, y, f = np.asarray(p.X), np.asarray(p.y), np.asarray(p.forget)
    om = np.ones(len(y)) if p.weights is None else np.asarray(p.weights)
    ell = (lambda m: np.logaddexp(0.0, -m)) if p.loss == "logistic" else (lambda m: np.exp(-m))
    bound = al.margin_bound(p.loss, np.float64)
    wd, wr = np.asarray(refs.original.w), np.asarray(refs.oracle.w)
    with np.errstate(over="ignore", invalid="ignore"):
        ws = numpy_loop(p, method, eta, steps, wd, order)
        margins = y * (ws @ X.T)  # (steps + 1, n)
        bad = ~np.isfinite(ws).all(axis=1) | ~(np.abs(margins).max(axis=1) <= bound)
        bad[0] = False
        div = int(np.argmax(bad)) if bad.any() else -1
        t = np.minimum(np.arange(-(-steps // every) + 1) * every, steps)
        losses = ell(margins[t])
        rows = dict(
            w=ws[t],
            dist_oracle=np.linalg.norm(ws[t] - wr, axis=1),
            dist_original=np.linalg.norm(ws[t] - wd, axis=1),
            loss_retain=(losses * np.where(f, 0.0, om)).sum(axis=1) / om[~f].sum(),
            loss_forget=(losses * np.where(f, om, 0.0)).sum(axis=1) / om[f].sum(),
        )
    if div >= 0:
        for v in rows.values():
            v[t >= div] = np.nan
    return rows, t, div


def assert_matches_reference(tr, ref, rtol):
    rows, t, div = ref
    assert int(tr.diverged_at) == div
    np.testing.assert_array_equal(tr.t, t)
    np.testing.assert_array_equal(tr.valid, (div < 0) | (t < div))
    for name, want in rows.items():
        got = np.asarray(getattr(tr, name))
        assert got.shape == want.shape, name
        # NaN exactly where the reference masks. Rounding is relative to the scale of the vector, not
        # to each entry (an entry near 0 is a difference of O(|w|) terms): atol = rtol * max|w|,
        # and at least 1e-13 for distances at w_0 = w^D (exactly 0 there).
        scale = np.nanmax(np.abs(want), initial=0.0) if name == "w" else 0.0
        np.testing.assert_allclose(got, want, rtol=rtol, atol=max(1e-13, rtol * scale), err_msg=name)


def weighted(p, key):
    """p with random multiplicities in {0, 1, 2, 3} (at least 1 in each set)."""
    om = jax.random.randint(key, p.y.shape, 0, 4).astype(p.X.dtype)
    om = om.at[jnp.argmax(p.forget)].set(1.0).at[jnp.argmin(p.forget)].set(2.0)
    return al.make_problem(p.X, p.y, p.forget, p.lam, p.loss, weights=om)


@pytest.fixture(scope="module")
def four_problems():
    """Logistic and exp loss, unweighted and weighted; n = 203 (not a multiple of 8)."""
    key = jax.random.key(7)
    k = jax.random.split(key, 4)
    log = al.gaussian_problem(k[0], 203, 5, 0.3, 0.2, 0.1)
    exp = al.gaussian_problem(k[1], 203, 5, 0.3, 0.2, 0.3, loss="exp")
    return {"logistic": log, "exp": exp, "logistic, weighted": weighted(log, k[2]), "exp, weighted": weighted(exp, k[3])}


@pytest.fixture
def small_blocks(monkeypatch):
    """Fused blocks of 32 rows (d = 5), so n = 203 runs six full blocks and an 11-row remainder."""
    import ascentlab._unlearn as U

    monkeypatch.setattr(U, "_BLOCK_BYTES", 32 * 5 * 8)
    assert U._block_rows(5, jnp.float64) == 32


@pytest.mark.parametrize("method,order", [("ga", None), ("da", None), ("finetune", None),
                                          ("da_alternating", "descent_first"), ("da_alternating", "ascent_first")])
@pytest.mark.parametrize("kernel", ["fused", "dense"])
def test_record_matches_reference_run(four_problems, small_blocks, method, order, kernel):
    # Every recorded field (iterates, distances, mean losses, divergence) from the margins the step
    # computes must equal the plain numpy run. rtol 1e-11: the same float64 arithmetic summed in a
    # different order (blocks vs one dot; weights normalised before vs after the sum), ~1e-15 per
    # step, amplified at most by the contraction/expansion factor of 40 steps of size 0.5.
    kw = {} if order is None else {"order": order}
    for name, p in four_problems.items():
        refs = al.solve_references(p, da=False)
        tr = al.unlearn(p, method, eta=0.5, steps=40, references=refs, kernel=kernel, **kw)
        ref = reference_run(p, method, 0.5, 40, refs, order or "descent_first")
        assert_matches_reference(tr, ref, 1e-11)


@pytest.mark.parametrize("every", [1, 3, 25, 26, 40])
def test_record_every_rows_and_steps(four_problems, every):
    # rows t = 0, k, 2k, ... below T, and T; T = 25. k = T gives (w_0, w_T); k > T the same.
    T = 25
    for name in ("logistic, weighted", "exp"):
        p = four_problems[name]
        refs = al.solve_references(p, da=False)
        for method, order in (("da", "descent_first"), ("da_alternating", "ascent_first")):
            tr = al.unlearn(p, method, eta=0.5, steps=T, references=refs, record_every=every, order=order)
            ref = reference_run(p, method, 0.5, T, refs, order, every)
            assert len(ref[1]) == -(-T // every) + 1 and ref[1][-1] == T
            assert_matches_reference(tr, ref, 1e-11)


def test_record_every_with_zero_steps_and_callables():
    p = al.orthogonal_blocks([50, 50], [8, 12], 0.5)
    tr = al.unlearn(p, "da", eta=0.5, steps=0, record_every=4)
    assert tr.w.shape == (1, 2) and np.asarray(tr.t).tolist() == [0]
    half_da = lambda problem, w, eta: w - 0.5 * eta * al.gradient(problem, w, "da")
    a = al.unlearn(p, half_da, eta=0.5, steps=10, record_every=4)
    b = al.unlearn(p, "da", eta=0.25, steps=10)
    np.testing.assert_array_equal(a.t, [0, 4, 8, 10])
    for name in ("w", "dist_oracle", "dist_original", "loss_retain", "loss_forget"):
        np.testing.assert_allclose(getattr(a, name), getattr(b, name)[np.array([0, 4, 8, 10])], rtol=1e-13,
                                   atol=1e-15, err_msg=name)


@pytest.mark.parametrize("kernel", ["fused", "dense"])
def test_diverging_exp_da_reports_the_exact_step_at_any_record_every(small_blocks, kernel):
    # C-4 (Case 3): exp-loss DA diverges. diverged_at is the reference run's first step with a margin
    # beyond margin_bound, whatever rows are kept; rows from that step on are NaN.
    p = al.orthogonal_blocks([100, 103], [10, 31], 0.1)  # n = 244: seven 32-row blocks + a remainder
    refs = al.solve_references(p, da=False)
    div = None
    for every in (1, 3, 7, 100):
        tr = al.unlearn(p, "da", eta=0.5, steps=60, references=refs, record_every=every, kernel=kernel)
        ref = reference_run(p, "da", 0.5, 60, refs, every=every)
        assert 0 < ref[2] < 60
        div = ref[2] if div is None else div
        assert ref[2] == div
        # rtol 1e-10: the iterates grow towards the bound, so rounding is amplified by up to
        # (1 + eta * max e^{-m}) per step; still far below the gap to the bound.
        assert_matches_reference(tr, ref, 1e-10)
        assert not bool(tr.valid[-1]) and np.isnan(np.asarray(tr.w[-1])).all()


def test_vmap_over_eta_with_record_every_matches_single_runs(four_problems, small_blocks):
    p = four_problems["exp, weighted"]
    etas = jnp.array([0.05, 0.5, 3.0])  # 3.0 diverges
    refs = al.solve_references(p, da=False)
    run = lambda e: al.unlearn(p, "da", eta=e, steps=30, references=refs, record_every=4)
    batched = jax.jit(jax.vmap(run))(etas)
    assert batched.w.shape == (3, 9, 5) and batched.t.shape == (3, 9)
    assert int(batched.diverged_at[2]) > 0
    for i, e in enumerate(etas):
        single = run(float(e))
        for x, y in zip(batched, single):
            np.testing.assert_allclose(x[i], y, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("every", [0, -2, 2.0, True, "3"])
def test_bad_record_every_is_named(every):
    p = al.orthogonal_blocks([50, 50], [8, 12], 0.5)
    with pytest.raises(ValueError, match=r"unlearn: `record_every`"):
        al.unlearn(p, "da", eta=0.5, steps=3, record_every=every)


def test_bad_kernel_is_named():
    p = al.orthogonal_blocks([50, 50], [8, 12], 0.5)
    with pytest.raises(ValueError, match=r"unlearn: `kernel`"):
        al.unlearn(p, "da", eta=0.5, steps=3, kernel="transposed")


def test_kernels_agree_on_a_problem_of_several_default_blocks(getkey):
    # d = 600: default fused blocks of 256 rows (2 MiB / 4800 B rounded down to a power of two);
    # n = 700 runs two full blocks and a 188-row remainder. References are arbitrary points (only
    # distances use them), so no Newton solve in d = 600 is needed.
    from types import SimpleNamespace as NS

    import ascentlab._unlearn as U

    k = jax.random.split(getkey(), 3)
    p = al.gaussian_problem(k[0], 700, 600, 0.3, 0.1, 0.1)
    assert U._block_rows(600, jnp.float64) == 256
    refs = NS(original=NS(w=0.1 * jax.random.normal(k[1], (600,))), oracle=NS(w=jax.random.normal(k[2], (600,))))
    a, b = (al.unlearn(p, "da", eta=0.5, steps=20, references=refs, kernel=kn) for kn in ("fused", "dense"))
    assert_matches_reference(a, reference_run(p, "da", 0.5, 20, refs), 1e-11)
    assert_matches_reference(b, reference_run(p, "da", 0.5, 20, refs), 1e-11)


def test_auto_kernel_is_dense():
    # "auto" is "dense" (measured the faster on quiet CPU cores; see _unlearn): the same bits, one program
    p = al.orthogonal_blocks([50, 50], [8, 12], 0.5)
    run = lambda kernel: al.unlearn(p, "da", eta=0.5, steps=12, kernel=kernel, record_every=5)
    for x, y in zip(run("auto"), run("dense")):
        np.testing.assert_array_equal(x, y)

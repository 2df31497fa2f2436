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

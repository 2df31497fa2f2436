"""Rewinding ("rewind"): rewinding to the initial point of `train` is retraining on R.

References written here: a numpy loop of gradient descent on L_R (independent gradients), the exact
oracle from `ascentlab.solve`, and two facts of gradient descent on a lambda-strongly convex, L-smooth
objective with eta <= 1/L: each step contracts distances by (1 - eta lambda), so the distance to the
oracle never grows and two runs never move apart.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.special import expit

import ascentlab as al
from ascentlab import methods


@pytest.fixture(scope="module")
def setup():
    p = al.gaussian_problem(jax.random.key(11), 120, 5, 0.5, 0.1, 0.05, forget="correlated")
    refs = al.solve_references(p, da=False)
    X = np.asarray(p.X)[~np.asarray(p.forget)]
    smooth = np.linalg.norm(X, 2) ** 2 / (4 * len(X)) + float(p.lam)  # L of L_R: ||X_R||^2 / (4 |R|) + lam
    eta = 1.0 / smooth
    return p, refs, eta, al.train(p, eta=eta, steps=3000, record_every=100, references=refs)


def _np_retrain(p, w0, eta, steps):
    X, y, f = np.asarray(p.X), np.asarray(p.y), np.asarray(p.forget)
    XR, yR, lam = X[~f], y[~f], float(p.lam)
    w, out = np.array(w0, float), []
    for _ in range(steps):
        w = w - eta * ((-expit(-yR * (XR @ w)) * yR) @ XR / len(yR) + lam * w)
        out.append(w.copy())
    return np.array(out)


def test_rewinding_to_the_initial_point_is_retraining_on_R(setup):
    p, refs, eta, run = setup
    c = run.w[0]  # train's initial point (zeros)
    tr = al.unlearn(p, methods.rewind(c), eta=eta, steps=30, references=refs)
    # row 0 is the start (w^D); rows 1.. are retraining from c: float64 in a different order, 30 steps
    np.testing.assert_allclose(tr.w[1:], _np_retrain(p, c, eta, 30), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(tr.w[0], refs.original.w, rtol=0, atol=0)
    # the default checkpoint is that initial point
    np.testing.assert_allclose(al.unlearn(p, "rewind", eta=eta, steps=30, references=refs).w, tr.w, rtol=0, atol=0)
    n_r = len(p.y) - int(np.sum(np.asarray(p.forget)))
    np.testing.assert_array_equal(tr.grads, n_r * np.arange(31))


def test_run_long_it_reaches_the_exact_oracle(setup):
    p, refs, eta, run = setup
    tr = al.unlearn(p, "rewind", eta=eta, steps=3000, references=refs, record_every=3000)
    w_r = np.asarray(al.solve(p, "oracle").w)
    g = np.asarray(al.gradient(p, tr.w[-1], "oracle"))
    # strong convexity: ||w - w^R|| <= ||grad L_R(w)|| / lam, plus the oracle's own solve tolerance
    assert np.linalg.norm(np.asarray(tr.w[-1]) - w_r) <= np.linalg.norm(g) / float(p.lam) + 1e-10
    assert np.linalg.norm(np.asarray(tr.w[-1]) - w_r) < 1e-8


def test_late_checkpoint_is_finetuning_and_mid_checkpoint_between(setup):
    p, refs, eta, run = setup
    late, mid = run.w[-1], run.w[3]  # step 3000 (~ w^D) and step 300
    ft = np.asarray(al.unlearn(p, "finetune", eta=eta, steps=30, references=refs).w)
    w_r = np.asarray(refs.oracle.w)
    gap0 = np.linalg.norm(np.asarray(late) - np.asarray(refs.original.w))
    for c in (late, mid):
        tr = al.unlearn(p, methods.rewind(c), eta=eta, steps=30, references=refs)
        w = np.asarray(tr.w)
        # nonexpansive steps: rewinding stays within ||c - w^D|| of finetuning at every step
        gap = np.linalg.norm(np.asarray(c) - np.asarray(refs.original.w))
        assert np.all(np.linalg.norm(w[1:] - ft[1:], axis=1) <= gap * (1 + 1e-9) + 1e-13)
        # contraction to the oracle: from step 1 on, the distance never grows, and it is below ||c - w^R||
        d = np.linalg.norm(w[1:] - w_r, axis=1)
        assert np.all(np.diff(d) <= 1e-13) and d[0] <= np.linalg.norm(np.asarray(c) - w_r)
    assert gap0 < 1e-6  # the last checkpoint is w^D to the training run's accuracy
    # both converge to w^R
    for c in (late, mid):
        end = al.unlearn(p, methods.rewind(c), eta=eta, steps=3000, references=refs, record_every=3000).w[-1]
        assert np.linalg.norm(np.asarray(end) - w_r) < 1e-7


def test_vmap_over_checkpoints_equals_a_loop(setup):
    p, refs, eta, run = setup
    batch = jax.vmap(lambda c: al.unlearn(p, methods.rewind(c), eta=eta, steps=8, references=refs).w)(run.w[:3])
    for i in range(3):
        one = al.unlearn(p, methods.rewind(run.w[i]), eta=eta, steps=8, references=refs).w
        np.testing.assert_allclose(batch[i], one, rtol=1e-11, atol=1e-14)


def test_bad_inputs(setup):
    p, refs, eta, run = setup
    with pytest.raises(ValueError, match=r"methods.rewind: `checkpoint` must be finite \(no NaN or inf\), "
                                         r"got checkpoint='array with 1 non-finite entries'"):
        methods.rewind(jnp.array([0.0, jnp.nan, 0.0]))
    with pytest.raises(ValueError, match=r"`checkpoint` must have shape \(d,\).*"
                                         r"got checkpoint='array of shape \(2, 3\)'"):
        methods.rewind(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"`checkpoint` must hold real numbers"):
        methods.rewind(np.array([True, False]))
    with pytest.raises(ValueError, match=r"`checkpoint` must have shape \(5,\) to match problem.X.*shape \(4,\)"):
        al.unlearn(p, methods.rewind(np.zeros(4)), eta=eta, steps=3, references=refs)

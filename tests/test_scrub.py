"""SCRUB ("scrub"): its distillation loss, and `unlearn` with it, against numpy written here.

References are independent numpy: the Bernoulli KL from its definition (p log p/q + (1-p) log (1-p)/(1-q)),
its gradient by central differences, and the max-step/min-step loop with numpy gradients. rtol 1e-12 on
iterates is float64 arithmetic in a different order over 12 steps.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.special import expit

import ascentlab as al
from ascentlab import methods
from ascentlab.methods.scrub import scrub_kl, scrub_kl_gradient


@pytest.fixture(scope="module")
def gauss():
    p = al.gaussian_problem(jax.random.key(7), 120, 5, 0.4, 0.15, 0.05, forget="correlated")
    return p, al.solve_references(p, da=False)


def _np_kl(m, m0, tau):
    """tau^2 KL(Bern(sigma(m0/tau)) || Bern(sigma(m/tau))) from the definition (moderate margins only)."""
    p, q = expit(m0 / tau), expit(m / tau)
    return tau**2 * (p * np.log(p / q) + (1 - p) * np.log((1 - p) / (1 - q)))


def _np_scrub(p, w0, teacher, eta, steps, tau, ce, kl, max_steps, milestones=(), decay=0.1):
    X, y, f = np.asarray(p.X), np.asarray(p.y), np.asarray(p.forget)
    lam = float(p.lam)
    XR, yR, XF, yF = X[~f], y[~f], X[f], y[f]

    def kl_grad(Xs, ys, w):  # d/dw mean_S tau^2 KL, by the chain rule on the definition
        m, m0 = ys * (Xs @ w), ys * (Xs @ teacher)
        return (tau * (expit(m / tau) - expit(m0 / tau)) * ys) @ Xs / len(ys)

    def loss_grad(w):
        m = yR * (XR @ w)
        d1 = -expit(-m) if p.loss == "logistic" else -np.exp(-m)
        return (d1 * yR) @ XR / len(yR)

    w, out = np.array(w0, float), [np.array(w0, float)]
    for t in range(steps):
        e = eta * decay ** sum(t >= m for m in milestones)
        if t < max_steps:
            w = w + e * kl_grad(XF, yF, w)
        w = w - e * (ce * loss_grad(w) + kl * kl_grad(XR, yR, w) + lam * w)
        out.append(w.copy())
    return np.array(out)


def test_kl_matches_its_definition_and_is_stable():
    rng = np.random.default_rng(0)
    m, m0 = rng.normal(0, 5, 50), rng.normal(0, 5, 50)
    for tau in (1.0, 4.0):
        # different formulas for the same number: rounding of the logs, relative to the terms' size
        np.testing.assert_allclose(scrub_kl(jnp.asarray(m), jnp.asarray(m0), tau), _np_kl(m, m0, tau),
                                   rtol=1e-9, atol=1e-12)
    assert np.all(np.asarray(scrub_kl(jnp.asarray(m0), jnp.asarray(m0), 4.0)) == 0)  # KL(p || p) = 0 exactly
    # far margins, where the textbook formula overflows: finite, >= 0, and the asymptote when the teacher is
    # sure of one class and the student of the other: tau^2 KL ~ tau^2 log(1/sigma(-|m|/tau)) ~ tau |m|
    big = jnp.asarray([1e3, -1e3, 1e3, 5e2])
    big0 = jnp.asarray([1e3, -1e3, -1e3, 5e2 + 1e-3])
    k = np.asarray(scrub_kl(big, big0, 4.0))
    assert np.all(np.isfinite(k)) and np.all(k >= 0)
    np.testing.assert_allclose(k[2], 4.0 * 1e3, rtol=1e-12)  # exact up to e^-250


def test_kl_gradient_by_central_differences(gauss):
    p, refs = gauss
    X, y = np.asarray(p.X), np.asarray(p.y)
    teacher = np.asarray(refs.original.w)
    w = teacher + 0.7 * np.random.default_rng(1).normal(size=teacher.shape)
    c = np.random.default_rng(2).uniform(0, 1, len(y))
    g = np.asarray(scrub_kl_gradient(p, jnp.asarray(w), jnp.asarray(teacher), jnp.asarray(c), 4.0))

    def f(w):
        return c @ _np_kl(y * (X @ w), y * (X @ teacher), 4.0)

    h = 1e-5
    fd = np.array([(f(w + h * e) - f(w - h * e)) / (2 * h) for e in np.eye(len(w))])
    np.testing.assert_allclose(g, fd, rtol=1e-7, atol=1e-9)  # central differences: O(h^2) + rounding/h


@pytest.mark.parametrize("loss", ["logistic", "exp"])
def test_unlearn_matches_numpy_scrub(loss):
    p = al.gaussian_problem(jax.random.key(8), 120, 5, 0.3, 0.2, 0.1, forget="correlated", loss=loss)
    refs = al.solve_references(p, da=False)
    meth = methods.scrub(tau=3.0, ce_weight=0.9, kl_weight=0.3, max_steps=7, milestones=(4, 9), decay=0.5)
    tr = al.unlearn(p, meth, eta=0.3, steps=12, references=refs)
    ref = _np_scrub(p, refs.original.w, np.asarray(refs.original.w), 0.3, 12, 3.0, 0.9, 0.3, 7, (4, 9), 0.5)
    np.testing.assert_allclose(tr.w, ref, rtol=1e-12, atol=1e-14)
    # cost: a max-step |F|, a min-step |R|
    n_f = int(np.sum(np.asarray(p.forget)))
    n_r = len(p.y) - n_f
    np.testing.assert_array_equal(tr.grads, [n_f * min(t, 7) + n_r * t for t in range(13)])


def test_defaults_from_another_start_and_first_max_step_is_a_no_op(gauss):
    p, refs = gauss
    start = refs.original.w + 0.3
    tr = al.unlearn(p, "scrub", eta=0.5, steps=12, references=refs, start=start)
    ref = _np_scrub(p, start, np.asarray(refs.original.w), 0.5, 12, 4.0, 0.99, 0.1, 3)
    np.testing.assert_allclose(tr.w, ref, rtol=1e-12, atol=1e-14)
    # from w^D the KL gradient is exactly 0 (equal margins): one max-step changes nothing
    one = al.unlearn(p, methods.scrub(max_steps=1), eta=0.5, steps=12, references=refs)
    none = al.unlearn(p, methods.scrub(max_steps=0), eta=0.5, steps=12, references=refs)
    np.testing.assert_array_equal(one.w, none.w)


def test_pure_retain_loss_is_finetuning(gauss):
    p, refs = gauss
    tr = al.unlearn(p, methods.scrub(ce_weight=1.0, kl_weight=0.0, max_steps=0), eta=0.4, steps=12, references=refs)
    ft = al.unlearn(p, "finetune", eta=0.4, steps=12, references=refs)
    np.testing.assert_allclose(tr.w, ft.w, rtol=1e-12, atol=1e-14)  # same rule, different code path


def test_vmap_over_params_equals_a_loop(gauss):
    p, refs = gauss
    taus = jnp.array([2.0, 4.0])
    caps = jnp.array([0, 5], jnp.int32)

    def run(tau, cap):
        return al.unlearn(p, methods.scrub(tau=tau, max_steps=cap), eta=0.5, steps=12, references=refs).w

    batch = jax.vmap(run)(taus, caps)
    for i in range(2):
        np.testing.assert_allclose(batch[i], run(float(taus[i]), int(caps[i])), rtol=1e-11, atol=1e-14)


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"methods.scrub: `tau` must be finite and > 0, got tau=0"):
        methods.scrub(tau=0)
    with pytest.raises(ValueError, match=r"`kl_weight` must be finite and >= 0, got kl_weight=-0.1"):
        methods.scrub(kl_weight=-0.1)
    with pytest.raises(ValueError, match=r"`max_steps` must be a whole number of steps, got max_steps=2.5"):
        methods.scrub(max_steps=2.5)
    with pytest.raises(ValueError, match=r"`milestones` must hold whole numbers of steps >= 0"):
        methods.scrub(milestones=(3, -1))
    with pytest.raises(ValueError, match=r"`milestones` must be a 1-dimensional"):
        methods.scrub(milestones=[[1, 2]])
    with pytest.raises(ValueError, match=r"`ce_weight` must be finite"):
        methods.scrub(ce_weight=float("nan"))

"""Review fixes (issue 10 follow-up): validation of the public helpers, klom_percentile, a user's own
`Method`, worse_than_nothing's baseline and rounding allowance, keyword errors, int32 saturation.

Every bad input must give a ValueError naming the argument; every good one (traced too) must give the
value of an independent formula written here (numpy/scipy), or what a theorem says.
"""

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.special import expit
from scipy.stats import norm

import ascentlab as al
from ascentlab import ensemble, methods, metrics, theory
from ascentlab.methods import Method


@pytest.fixture(scope="module")
def g():
    p = al.gaussian_problem(jax.random.key(0), 40, 3, rho=0.5, forget_fraction=0.1, lam=0.1)
    return p, al.solve_references(p, da=False)


# ------------------------------------------------------------------------ (4) public helpers
def test_newton_helpers_reject_bad_inputs(g):
    p, refs = g
    bad = [
        (lambda: methods.removal_noise_scale(1.0, 10.0, 1.0, 2.0), r"removal_noise_scale: `delta` must be .*< 1"),
        (lambda: methods.removal_noise_scale(1.0, 10.0, 0.0, 0.5), r"`epsilon` must be finite and > 0"),
        (lambda: methods.removal_noise_scale(-1.0, 10.0, 1.0, 0.5), r"`residual_bound` must be >= 0"),
        (lambda: methods.removal_noise_scale(1.0, jnp.array([10.0, 0.0]), 1.0, 0.5), r"`n_r` must be .*> 0"),
        (lambda: methods.guo_residual_bound(-1.0, 10, 1, 1.0, 0.1, 1.0), r"guo_residual_bound: `lam`"),
        (lambda: methods.guo_residual_bound(1.0, 10, 1, 1.0, float("nan"), 1.0), r"`gamma` must be >= 0"),
        (lambda: methods.local_residual_bound(jnp.ones(3), jnp.ones(3), jnp.ones(3), jnp.ones(4)),
         r"`xnorm` must have xv's shape"),
        (lambda: methods.newton_step(p, jnp.ones(4)), r"newton_step: `w` must have shape \(3,\)"),
        (lambda: methods.newton_step(None, jnp.ones(3)), r"newton_step: `problem` must be an ascentlab.Problem"),
        (lambda: methods.scrub_kl(jnp.ones(3), jnp.ones(3), 0.0), r"scrub_kl: `tau` must be finite and > 0"),
        (lambda: methods.scrub_kl(jnp.ones(3), jnp.ones(4), 1.0), r"scrub_kl: `m_teacher` must have m's shape"),
        (lambda: methods.scrub_kl_gradient(p, jnp.ones(4), refs.original.w, jnp.ones(40), 4.0),
         r"scrub_kl_gradient: `w` must have shape \(3,\)"),
        (lambda: methods.scrub_kl_gradient(p, refs.original.w, refs.original.w, jnp.ones(39), 4.0),
         r"scrub_kl_gradient: `c` must have shape \(40,\)"),
        (lambda: methods.scrub_kl_gradient(p, refs.original.w, refs.original.w, jnp.ones(40), -1.0), r"`tau`"),
        (lambda: methods.forget_distance(p, jnp.ones(4), refs.original.w), r"forget_distance: `w` must have shape"),
        (lambda: methods.forget_distance(p, refs.original.w, jnp.ones((3, 1))), r"`w_original` must have shape"),
        (lambda: methods.forget_distance(p, refs.original.w, refs.original.w, "x"), r"`distance` must be one of"),
        (lambda: theory.gaussian_privacy_delta(-1.0, 1.0), r"gaussian_privacy_delta: `a` must be finite and > 0"),
        (lambda: theory.gaussian_privacy_delta(1.0, -1.0), r"gaussian_privacy_delta: `epsilon` must be .*>= 0"),
    ]
    for call, match in bad:
        with pytest.raises(ValueError, match=match):
            call()


def test_newton_helpers_traced_values_pass_and_match_formulas(g):
    p, refs = g
    # Theorem 3's sigma = sqrt(2 ln(1.5/delta)) n_r eps' / eps, written here; vmapped over delta (traced)
    deltas = jnp.array([1e-5, 1e-3, 0.5])
    got = jax.vmap(lambda dl: methods.removal_noise_scale(0.2, 30.0, 0.5, dl))(deltas)
    want = np.sqrt(2 * np.log(1.5 / np.asarray(deltas))) * 30.0 * 0.2 / 0.5
    np.testing.assert_allclose(got, want, rtol=1e-13)  # float64 arithmetic in another order
    # a squared-loss L_R is quadratic: one full Newton step from anywhere lands on its minimiser
    sq = al.gaussian_problem(jax.random.key(1), 40, 3, rho=0.5, forget_fraction=0.1, lam=0.1, loss="squared")
    w_r = al.solve(sq, "oracle").w
    for w in (jnp.zeros(3), jnp.array([1.0, -2.0, 0.5])):
        step = jax.jit(lambda w: methods.newton_step(sq, w))(w)  # traced w passes the shape check
        np.testing.assert_allclose(w + step, w_r, atol=1e-12)  # a 3x3 solve, condition number ~ 1/lam
    # forget_distance under vmap (traced w) against numpy's weighted mean over F
    ws = jnp.stack([refs.original.w, refs.oracle.w, jnp.zeros(3)])
    got = jax.vmap(lambda w: methods.forget_distance(p, w, refs.original.w))(ws)
    X, y, f = np.asarray(p.X), np.asarray(p.y), np.asarray(p.forget)
    m0 = y * (X @ np.asarray(refs.original.w))
    want = [np.mean(np.abs(expit(y * (X @ np.asarray(w)))[f] - expit(m0)[f])) for w in ws]
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-16)  # a mean of a few sigmoids
    # scrub_kl with a traced tau against the Bernoulli KL's definition
    m, mt = jnp.array([-1.0, 0.3, 2.0]), jnp.array([0.5, 0.3, -1.0])
    taus = jnp.array([0.5, 4.0])
    got = jax.vmap(lambda t: methods.scrub_kl(m, mt, t))(taus)
    for tau, row in zip(np.asarray(taus), np.asarray(got)):
        a, b = expit(np.asarray(mt) / tau), expit(np.asarray(m) / tau)
        want = tau**2 * (a * np.log(a / b) + (1 - a) * np.log((1 - a) / (1 - b)))
        np.testing.assert_allclose(row, want, rtol=1e-12, atol=1e-15)  # log of ratios near 1


def test_gaussian_privacy_delta_matches_scipy_and_traces():
    # Balle & Wang's Theorem 8 with scipy's normal cdf: Phi(a/2 - eps/a) - e^eps Phi(-a/2 - eps/a)
    a, eps = np.array([0.3, 1.0, 4.0]), np.array([0.0, 1.0, 2.0])
    want = norm.cdf(a / 2 - eps / a) - np.exp(eps) * norm.cdf(-a / 2 - eps / a)
    got, _ = jax.vmap(theory.gaussian_privacy_delta)(jnp.asarray(a), jnp.asarray(eps))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-16)  # erfc implementations differ in the last bits
    got_eager, _ = theory.gaussian_privacy_delta(jnp.asarray(a), jnp.asarray(eps))  # arrays, concrete
    np.testing.assert_allclose(got_eager, want, rtol=1e-12, atol=1e-16)


# ------------------------------------------------------------------------ (5) klom_percentile
def test_klom_percentile_validates_and_matches_numpy():
    vals = jnp.asarray(np.random.default_rng(0).random(50))
    masks = {"low": vals < 0.5, "high": vals >= 0.5}
    out = metrics.klom_percentile(vals, masks, q=90.0)
    for name, mask in masks.items():
        assert float(out[name]) == pytest.approx(np.percentile(np.asarray(vals)[np.asarray(mask)], 90), rel=1e-14)
    assert float(metrics.klom_percentile(vals, q=0)["all"]) == pytest.approx(float(np.min(vals)), rel=1e-15)
    bad = [
        (dict(values=vals, q=150), r"klom_percentile: `q` must satisfy 0 <= q <= 100, got q=150"),
        (dict(values=vals, q=-1.0), r"`q` must be finite and >= 0"),
        (dict(values=vals.at[3].set(jnp.nan)), r"`values` must be finite"),
        (dict(values=jnp.zeros(0)), r"`values` must hold at least one point"),
        (dict(values=jnp.ones((2, 3))), r"`values` must be 1-dimensional"),
        (dict(values=vals, groups=jnp.ones(50, bool)), r"`groups` must be None or a dict"),
        (dict(values=vals, groups={"f": jnp.ones(49, bool)}), r"`groups\['f'\]` must be a boolean mask of values' shape"),
        (dict(values=vals, groups={"f": jnp.ones(50)}), r"`groups\['f'\]` must be a boolean mask"),
        (dict(values=vals, groups={"f": jnp.zeros(50, bool)}), r"`groups\['f'\]` must select at least one point"),
    ]
    for kwargs, match in bad:
        with pytest.raises(ValueError, match=match):
            metrics.klom_percentile(**kwargs)


# ------------------------------------------------------------------------ (6) a user's own Method
def _init(problem, w0, params, context):
    return jnp.asarray(0, jnp.int32)


def _update(problem, w, state, eta, params):
    return w - eta * params["scale"] * al.gradient(problem, w, "oracle"), state + 1


def _cost(problem, params, state, t):
    return 2.0 * t


def test_user_method_contract_errors(g):
    p, refs = g
    run = lambda m: al.unlearn(p, m, eta=0.5, steps=3, references=refs)  # noqa: E731
    good = Method(_init, _update, {"scale": 1.0}, cost=_cost)
    tr = run(good)
    np.testing.assert_array_equal(tr.grads, 2.0 * np.arange(4))  # the declared cost, 2 per step
    finetune = al.unlearn(p, "finetune", eta=0.5, steps=3, references=refs)
    np.testing.assert_allclose(tr.w, finetune.w, rtol=1e-13)  # the same descent, another code path
    contract_init = r"`method.init` must be a function init\(problem, w0, params, context\) -> state"
    contract_update = r"`method.update` must be a function update\(problem, w, state, eta, params\) -> \(w, state\)"
    bad = [
        (good._replace(init=lambda problem: ()), contract_init),
        (good._replace(init=3), contract_init + r" \(the Method contract\), got method.init=3"),
        (good._replace(update=lambda problem, w, eta: (w, ())), contract_update),
        (good._replace(update="step"), contract_update),
        (good._replace(update=lambda problem, w, state, eta, params: w),
         r"`method.update` must return a pair \(w, state\)"),
        (good._replace(cost=lambda problem, params, state, t: jnp.ones(3) * t),
         r"`method.cost` must return a scalar number \(shape \(\)\).*float64\[3\]"),
        (good._replace(cost=lambda problem, params, state, t: "x"), r"`method.cost` must return a scalar number"),
        (good._replace(cost=lambda t: t), r"`method.cost` must be a function cost\(problem, params, state, t\)"),
        (good._replace(update=lambda problem, w, state, eta, params: (w, state.astype(w.dtype) + 1.0)),
         r"must return a state of the same structure, shapes and dtypes .*int32\[\] -> float64\[\]"),
        (good._replace(params="abc"), r"`method.params` must be a pytree of numbers or arrays .* str 'abc'"),
        (good._replace(params={"scale": object()}), r"`method.params` must be a pytree of numbers"),
    ]
    for method, match in bad:
        with pytest.raises(ValueError, match=match):
            run(method)
    # the checks read shapes only: vmap over the user's params still works
    scales = jnp.array([0.5, 1.0])
    trs = jax.vmap(lambda s: al.unlearn(p, good._replace(params={"scale": s}), eta=0.5, steps=3, references=refs))(scales)
    np.testing.assert_allclose(trs.w[1], finetune.w, rtol=1e-13)


# ------------------------------------------------------------------------ (8) worse_than_nothing
def test_worse_than_nothing_baseline_is_the_start_up_to_rounding(g):
    p, refs = g
    # the reviewer's reproducer: finetuning from the oracle stays there up to rounding (1e-14 here)
    tr = al.unlearn(p, "finetune", eta=0.5, steps=5, start="oracle", references=refs)
    assert float(np.max(tr.dist_oracle)) < 1e-13
    flag, t_star = metrics.worse_than_nothing(tr)
    assert (bool(flag), int(t_star)) == (False, -1)
    # with rtol=0 the comparison is exact, and the rounding drift counts (it pins what the allowance does)
    flag, t_star = metrics.worse_than_nothing(tr, rtol=0.0)
    assert (bool(flag), int(t_star)) == (True, 1)
    # a real move away from the start still counts: DA on orthogonal blocks moves away at step 1
    blocks = al.orthogonal_blocks([50, 50], [8, 12], lam=0.5)
    da = al.unlearn(blocks, "da", eta=0.5, steps=10)
    assert tuple(map(int, metrics.worse_than_nothing(da))) == (1, 1)
    # from the oracle, NegGrad+ (beta = 0.9) leaves it by far more than rounding: worse than where it began
    ng = al.unlearn(p, "neggrad_plus", eta=0.5, steps=5, start="oracle", references=refs)
    assert float(ng.dist_oracle[1]) > 1e-4
    assert tuple(map(int, metrics.worse_than_nothing(ng))) == (1, 1)
    with pytest.raises(ValueError, match=r"worse_than_nothing: `rtol` must be finite and >= 0"):
        metrics.worse_than_nothing(tr, rtol=-1.0)
    with pytest.raises(ValueError, match=r"`trajectory.w` must have shape \(6,\) \+ \(d,\)"):
        metrics.worse_than_nothing(tr._replace(w=tr.w[:3]))


# ------------------------------------------------------------------------ lesser remarks
def test_unknown_keywords_and_train_start_message(g):
    p, _ = g
    with pytest.raises(ValueError, match=r"methods.get: `foo` is not a parameter of method 'newton': .*no parameters"):
        methods.get("newton", foo=1)
    with pytest.raises(ValueError, match=r"`foo` is not a parameter of method 'scrub': scrub\(\) accepts \['tau'"):
        methods.get("scrub", foo=1)
    assert methods.get("scrub", tau=2.0).params[0] == 2.0
    with pytest.raises(ValueError, match=r"klom_exact: `unlearn_kwargs` has \['foo'\], not keyword arguments of "
                                         r"unlearn: the accepted ones are \['order', 'kernel'\]"):
        ensemble.klom_exact(jax.random.key(0), "da", eta=0.5, steps=3, n_models=2, n=30, d=3, n_test=20,
                            unlearn_kwargs={"foo": 1})
    with pytest.raises(ValueError, match=r"train: `start` must have shape \(3,\) \(the initial point\) or be None") as err:
        al.train(p, eta=1.0, steps=3, start=jnp.ones(4))
    assert "original" not in str(err.value) and "oracle" not in str(err.value)


@pytest.mark.parametrize("dtype", [jnp.float64, jnp.float32])
def test_step_counts_beyond_int32_saturate_without_warnings(g, dtype):
    p64, _ = g
    p = al.make_problem(p64.X.astype(dtype), p64.y.astype(dtype), p64.forget, 0.1)
    steps = 4
    pairs = [(methods.scrub(max_steps=1e12), methods.scrub(max_steps=steps)),
             (methods.scrub(milestones=(1e12,)), methods.scrub()),
             (methods.scrub(max_steps=2.0**31), methods.scrub(max_steps=steps)),
             (methods.decouple_retain(threshold=0.9, max_ascent_steps=1e12),
              methods.decouple_retain(threshold=0.9, max_ascent_steps=steps))]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "invalid value encountered in cast"
        for huge, same in pairs:
            a = al.unlearn(p, huge, eta=0.5, steps=steps)
            b = al.unlearn(p, same, eta=0.5, steps=steps)
            # a cap beyond every step is the same as a cap at the last step: identical programs' bits
            np.testing.assert_array_equal(a.w, b.w)

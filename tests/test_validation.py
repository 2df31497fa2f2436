"""Input validation: hypothesis generates bad inputs; each must raise a
ValueError whose message names the offending argument (never a silent NaN)."""

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ascentlab as al

GOOD = al.orthogonal_blocks([5, 5], [2, 3], 0.5)
X_GOOD = np.asarray(GOOD.X)
Y_GOOD = np.asarray(GOOD.y)
F_GOOD = np.asarray(GOOD.forget)

bad_positive = st.one_of(
    st.floats(max_value=0.0, allow_nan=False, allow_infinity=True),
    st.just(float("nan")),
    st.just(float("inf")),
)
not_pm1 = st.floats(allow_nan=True, allow_infinity=True).filter(lambda v: v not in (-1.0, 1.0))
bad_name = st.text(min_size=0, max_size=12).filter(lambda s: s not in ("original", "oracle", "da", "ga", "logistic", "exp",
                                                                        "squared", "finetune", "da_alternating", "all", "retain",
                                                                        "forget", "test", "random", "correlated",
                                                                        "descent_first", "ascent_first"))


def case(arg, fn):
    return (arg, fn)


@st.composite
def bad_calls(draw):
    kind = draw(st.integers(0, 17))
    if kind == 0:
        lam = draw(bad_positive)
        return case("lam", lambda: al.make_problem(X_GOOD, Y_GOOD, F_GOOD, lam, loss="exp"))
    if kind == 1:
        y = Y_GOOD.copy()
        y[draw(st.integers(0, len(y) - 1))] = draw(not_pm1)
        return case("y", lambda: al.make_problem(X_GOOD, y, F_GOOD, 0.5))
    if kind == 2:
        n = draw(st.integers(1, 30).filter(lambda m: m != len(Y_GOOD)))
        return case("y", lambda: al.make_problem(X_GOOD, np.ones(n), F_GOOD, 0.5))
    if kind == 3:
        X = X_GOOD.copy()
        X[draw(st.integers(0, X.shape[0] - 1)), draw(st.integers(0, 1))] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
        return case("X", lambda: al.make_problem(X, Y_GOOD, F_GOOD, 0.5))
    if kind == 4:
        f = np.full(len(Y_GOOD), draw(st.booleans()))
        return case("forget", lambda: al.make_problem(X_GOOD, Y_GOOD, f, 0.5))
    if kind == 5:
        f = draw(st.sampled_from([F_GOOD.astype(int), F_GOOD.astype(float)]))
        return case("forget", lambda: al.make_problem(X_GOOD, Y_GOOD, f, 0.5))
    if kind == 6:
        shape = draw(st.sampled_from([(12,), (12, 2, 1), (0, 2), (1, 2)]))
        return case("X", lambda: al.make_problem(np.ones(shape), Y_GOOD, F_GOOD, 0.5))
    if kind == 7:
        loss = draw(bad_name)
        return case("loss", lambda: al.make_problem(X_GOOD, Y_GOOD, F_GOOD, 0.5, loss=loss))
    if kind == 8:
        k = draw(bad_name)
        return case("kind", lambda: al.solve(GOOD, k))
    if kind == 9:
        eta = draw(bad_positive)
        return case("eta", lambda: al.unlearn(GOOD, "da", eta=eta, steps=3))
    if kind == 10:
        steps = draw(st.one_of(st.integers(max_value=-1), st.floats(allow_nan=True), st.just("10")))
        return case("steps", lambda: al.unlearn(GOOD, "da", eta=0.1, steps=steps))
    if kind == 11:
        m = draw(bad_name)
        return case("method", lambda: al.unlearn(GOOD, m, eta=0.1, steps=3))
    if kind == 12:
        counts = draw(st.lists(st.integers(-5, 5), min_size=2, max_size=2).filter(lambda c: min(c) < 0))
        return case("retain_counts", lambda: al.orthogonal_blocks(counts, [1, 1], 0.5))
    if kind == 13:
        eps = draw(st.one_of(st.floats(min_value=1.0), st.floats(max_value=-1e-300), st.just(float("nan"))))
        return case("eps", lambda: al.correlated_pair(5, 2, eps, 0.5))
    if kind == 14:
        n = draw(st.integers(5, 50))
        frac = draw(st.one_of(st.floats(min_value=1e-9, max_value=0.49 / n), st.floats(min_value=(n - 0.49) / n, max_value=1e6)))
        return case("forget_fraction", lambda: al.gaussian_problem(jax.random.key(0), n, 2, 0.1, frac, 0.1))
    if kind == 15:
        rho = draw(st.one_of(st.floats(min_value=1.0, allow_infinity=True), st.floats(max_value=-1e-300), st.just(float("nan"))))
        return case("rho", lambda: al.gaussian_problem(jax.random.key(0), 20, 2, rho, 0.1, 0.1))
    if kind == 16:
        d = draw(st.integers(1, 5).filter(lambda m: m != 2))
        fn = draw(st.sampled_from([al.objective, al.gradient, al.hessian]))
        return case("w", lambda: fn(GOOD, jnp.ones(d), "da"))
    d = draw(st.integers(1, 5).filter(lambda m: m != 2))
    return case("start", lambda: al.unlearn(GOOD, "finetune", eta=0.1, steps=2, start=jnp.ones(d)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bad_calls())
def test_bad_inputs_raise_clear_errors(call):
    arg, fn = call
    with pytest.raises(ValueError) as info:
        fn()
    msg = str(info.value)
    assert re.search(rf"`{re.escape(arg)}`|`problem\.{re.escape(arg)}`", msg), msg
    assert "got" in msg  # the bad value is quoted


def test_validated_problem_inside_jit_still_runs():
    # value checks are skipped on tracers; shape checks still apply
    f = jax.jit(lambda lam: al.solve(al.orthogonal_blocks([5, 5], [2, 3], lam), "oracle").w)
    assert np.isfinite(np.asarray(f(0.5))).all()
    with pytest.raises(ValueError, match="`w`"):
        jax.jit(lambda w: al.objective(GOOD, w, "da"))(jnp.ones(3))


def test_weights_and_test_set_validation():
    with pytest.raises(ValueError, match="problem.weights"):
        al.solve(GOOD._replace(weights=-jnp.ones(10)), "oracle")
    with pytest.raises(ValueError, match="empty forget set"):
        al.solve(GOOD._replace(weights=jnp.where(GOOD.forget, 0.0, 1.0)), "oracle")
    with pytest.raises(ValueError, match="X_test"):
        al.solve(GOOD._replace(X_test=jnp.ones((3, 2))), "oracle")
    with pytest.raises(ValueError, match="subset"):
        al.mean_loss(GOOD, jnp.zeros(2), "test")


@pytest.mark.parametrize("bad", [0, 7, 0.5, np.uint32(3), jnp.zeros(2, jnp.int32), jnp.zeros(3, jnp.uint32),
                                 jax.random.split(jax.random.key(0), 2)])
def test_seed_or_malformed_key_is_named(bad):
    with pytest.raises(ValueError, match=r"gaussian_problem: `key` .*jax\.random\.key\(") as info:
        al.gaussian_problem(bad, 50, 3, 0.1, 0.1, 0.1)
    assert "got key=" in str(info.value)
    if isinstance(bad, int):
        assert f"jax.random.key({bad})" in str(info.value)


def test_typed_and_legacy_keys_are_both_accepted():
    typed = al.gaussian_problem(jax.random.key(5), 40, 3, 0.2, 0.1, 0.1)
    legacy = al.gaussian_problem(jax.random.PRNGKey(5), 40, 3, 0.2, 0.1, 0.1)  # uint32[2], same key data
    for a, b in zip(jax.tree.leaves(typed), jax.tree.leaves(legacy)):
        np.testing.assert_array_equal(a, b)
    # vmap over a batch of keys (each traced key is a single key)
    batched = jax.vmap(lambda k: al.gaussian_problem(k, 40, 3, 0.2, 0.1, 0.1))(jax.random.split(jax.random.key(1), 3))
    assert batched.X.shape == (3, 40, 3)

"""ascentlab.ensemble.klom_exact against independent answers: the exact oracle (KLoM 0), a Python loop
over the draws with the permutation done in numpy, the paper's pretrained-KLoM pattern on correlated
forget sets, determinism, and bad inputs."""

import jax
import numpy as np
import pytest

import ascentlab
from ascentlab import ensemble
from ascentlab.ensemble import klom_exact
from ascentlab.metrics import klom

# One configuration shared by every test (each new shape or forget-set type compiles the Newton solves
# anew): N = 100 draws of a correlated (PC-aligned) forget set, n = 100, d = 25, 100 held-out samples.
SMALL = dict(n_models=100, n=100, d=25, n_test=100, rho=0.5, forget_fraction=0.1, lam=0.01, forget="correlated")
K, N_TRAIN = 10, 100


@pytest.fixture(scope="module")
def small_da():
    return klom_exact(jax.random.key(1), "da", eta=0.2, steps=6, record_every=2, **SMALL)


@pytest.mark.parametrize("mode", ["ascentlab", "benchmark"])
def test_unlearned_equal_to_oracle_gives_zero(mode):
    # steps = 0 from the oracle: the unlearned models are the oracles, bit for bit
    res = klom_exact(jax.random.key(2), "finetune", eta=0.5, steps=0, start="oracle", mode=mode, **SMALL)
    np.testing.assert_array_equal(res.margins, res.margins_oracle)
    for group in res.klom + res.percentile:
        np.testing.assert_array_equal(group, 0.0)
    assert float(res.dist_oracle) == 0.0 and int(res.n_diverged) == 0 and int(res.t) == 0


@pytest.mark.slow  # 3000 steps on 100 draws (~4 s); the default run has the exact case above
def test_converged_finetuning_reaches_the_oracle():
    # descent on the strongly convex L_R converges linearly to w^R; after 3000 steps of 0.5 (below 2/L,
    # L ~ (1 + rho (d - 1)) / 4) the margins agree to < 1e-9, far inside every bin of width ~0.1-1, so
    # every histogram pair is identical: KLoM exactly 0
    res = klom_exact(jax.random.key(2), "finetune", eta=0.5, steps=3000, **SMALL)
    assert float(res.dist_oracle) < 1e-10
    np.testing.assert_allclose(res.margins, res.margins_oracle, atol=1e-9)
    for group in res.klom + res.percentile:
        np.testing.assert_array_equal(group, 0.0)
    # doing nothing is not the oracle: the pretrained models have KLoM > 0 on the forget set
    assert float(res.pretrained_percentile.forget) > 0
    # the benchmark's binning is not continuous: where the pooled maximum is the unlearned side's copy
    # of a margin a rounding error above the oracle's, it is dropped and the oracle's copy is left
    # alone in the top bin against the floor 1e-5. Pinned: nonzero although the samples agree to 1e-9.
    assert float(klom(res.margins, res.margins_oracle, mode="benchmark").max()) > 0.01


def test_matches_a_python_loop_over_the_draws(small_da):
    # the first 3 draws one by one (keys = split(key, N), as documented), permuted in numpy
    res = small_da
    keys = jax.random.split(jax.random.key(1), 100)[:3]
    k, n = K, N_TRAIN
    m_unl, m_or, m_og = [], [], []
    for key in keys:
        problem = ascentlab.gaussian_problem(key, 100, 25, 0.5, 0.1, 0.01, n_test=100, forget="correlated")
        refs = ascentlab.solve_references(problem, da=False)
        tr = ascentlab.unlearn(problem, "da", eta=0.2, steps=6, record_every=2, references=refs)
        f = np.asarray(problem.forget)
        assert f.sum() == k
        perm = np.r_[np.nonzero(f)[0], np.nonzero(~f)[0]]  # forget first, each in index order
        X = np.concatenate([np.asarray(problem.X)[perm], np.asarray(problem.X_test)])
        y = np.concatenate([np.asarray(problem.y)[perm], np.asarray(problem.y_test)])
        m_unl.append(y * (np.asarray(tr.w) @ X.T))
        m_or.append(y * (X @ np.asarray(refs.oracle.w)))
        m_og.append(y * (X @ np.asarray(refs.original.w)))
    m_unl, m_or, m_og = np.stack(m_unl), np.stack(m_or), np.stack(m_og)
    # vmapped and single solves/steps may sum in another order: margins agree to rounding
    np.testing.assert_allclose(res.margins[:3], m_unl, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(res.margins_oracle[:3], m_or, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(res.margins_original[:3], m_og, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(res.t, [0, 2, 4, 6])
    assert res.klom.forget.shape == (4, k) and res.klom.retain.shape == (4, n - k)
    assert res.klom.validation.shape == (4, 100) and res.percentile.forget.shape == (4,)
    # the compiled summaries against the public functions on the returned margins (all 100 draws)
    margins, oracle = np.asarray(res.margins), np.asarray(res.margins_oracle)
    for r in range(4):
        want = np.asarray(klom(margins[:, r], oracle))
        got = np.concatenate([res.klom.forget[r], res.klom.retain[r], res.klom.validation[r]])
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
        assert float(res.percentile.forget[r]) == pytest.approx(np.percentile(want[:k], 95), rel=1e-12)
        correct = np.where(margins[:, r] > 0, 1.0, np.where(margins[:, r] == 0, 0.5, 0.0))
        assert float(res.accuracy.validation[r]) == pytest.approx(correct[:, n:].mean(), rel=1e-12)
    pre = np.asarray(klom(np.asarray(res.margins_original), oracle))
    np.testing.assert_allclose(res.pretrained.forget, pre[:k], rtol=1e-12, atol=1e-14)
    # row 0 is the original model itself
    np.testing.assert_allclose(res.klom.forget[0], res.pretrained.forget, rtol=1e-12, atol=1e-14)


def test_deterministic(small_da):
    again = klom_exact(jax.random.key(1), "da", eta=0.2, steps=6, record_every=2, **SMALL)
    for a, b in zip(jax.tree.leaves(small_da), jax.tree.leaves(again)):
        np.testing.assert_array_equal(a, b)  # same key, same bits


def test_method_key_and_kwargs_are_passed_through(monkeypatch):
    seen = []
    real = ensemble.unlearn

    def spy(problem, method, **kwargs):
        seen.append(sorted(kwargs))
        key = kwargs.pop("key")
        assert jax.dtypes.issubdtype(key.dtype, jax.dtypes.prng_key) and key.shape == ()  # one key per draw
        return real(problem, method, **kwargs)

    monkeypatch.setattr(ensemble, "unlearn", spy)
    res = klom_exact(jax.random.key(1), "da_alternating", eta=0.2, steps=6, record_every=2,
                     method_key=jax.random.key(9), unlearn_kwargs={"order": "ascent_first"}, **SMALL)
    assert seen == [["eta", "key", "order", "record_every", "references", "start", "steps"]]
    assert res.klom.forget.shape == (4, K)


def test_correlated_forget_set_pretrained_pattern(small_da):
    # Table 1's pattern: doing nothing leaves the forget set far from the oracle's margins while the
    # retain and held-out points are close; a correlated (PC-aligned) forget set, two seeds. The
    # finite-N floor of KLoM is ~0.3 here (N = 100, 20 bins); the forget values are ~0.65-0.8.
    for res in (small_da, klom_exact(jax.random.key(0), "finetune", eta=0.5, steps=0, **SMALL)):
        pre = res.pretrained_percentile
        assert float(pre.forget) > 1.5 * max(float(pre.retain), float(pre.validation))
        assert res.pretrained.forget.shape == (K,) and res.pretrained.validation.shape == (100,)


@pytest.mark.parametrize("kwargs, match", [
    (dict(n_models=0), "`n_models` must be >= 1"),
    (dict(forget_fraction=0.001), "`forget_fraction` must give between 1 and n-1"),
    (dict(rho=1.0), "`rho` must satisfy 0 <= rho < 1"),
    (dict(lam=-1.0), "`lam` must be finite and > 0"),
    (dict(forget="pca"), "`forget` must be one of"),
    (dict(start=np.zeros(5)), "`start` must be one of"),
    (dict(eta=0.0), "`eta` must be finite and > 0"),
    (dict(steps=-1), "`steps` must be >= 0"),
    (dict(record_every=0), "`record_every` must be >= 1"),
    (dict(mode="scipy"), "`mode` must be one of"),
    (dict(floor=2.0), "`floor` must satisfy 0 < floor < 1"),
    (dict(q=101.0), "`q` must satisfy 0 <= q <= 100"),
    (dict(unlearn_kwargs={"steps": 3}), r"`unlearn_kwargs` must not set \['steps'\]"),
    (dict(unlearn_kwargs=[("order", "x")]), "`unlearn_kwargs` must be a dict"),
    (dict(method_key=0), "`method_key` must be a single JAX PRNG key"),
])
def test_bad_inputs(kwargs, match):
    args = dict(SMALL, eta=0.1, steps=1)
    args.update(kwargs)
    with pytest.raises(ValueError, match="klom_exact: " + match):
        klom_exact(jax.random.key(0), "da", **args)
    with pytest.raises(ValueError, match="klom_exact: `key` must be a single JAX PRNG key"):
        klom_exact(0, "da", eta=0.1, steps=1)


def test_divergence_is_reported_not_hidden():
    # GA with a huge step multiplies w by about 1 - eta * lam = -1e4 per step: past the logistic margin
    # bound (1.3e154) within 40 steps. The rows from then on are NaN and counted, never silently finite.
    res = klom_exact(jax.random.key(3), "ga", eta=1e6, steps=60, record_every=20, **SMALL)
    assert int(res.n_diverged[0]) == 0 and int(res.n_diverged[-1]) == 100
    assert np.isfinite(res.percentile.forget[0]) and np.isnan(np.asarray(res.percentile.forget[-1]))
    assert np.isnan(float(res.dist_oracle[-1])) and np.isnan(float(res.accuracy.retain[-1]))

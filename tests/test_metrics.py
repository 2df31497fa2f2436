"""ascentlab.metrics against independent answers: numpy/scipy transcriptions written here (KLoM in both
modes, accuracy, losses, distances), scikit-learn and a brute-force pairwise count (AUC), and numpy loops
over real `unlearn` trajectories (worse than nothing)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.stats
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.metrics import roc_auc_score

import ascentlab
from ascentlab import metrics
from ascentlab.metrics import accuracy, auc, distances, klom, losses, mia_auc, worse_than_nothing


# ------------------------------------------------------------------------------ references
def np_klom_ascentlab(p, q, bins=20, eps=1e-5, c=100.0):
    """The ascentlab mode written out: every sample in one of `bins` equal bins, the maximum in the last."""
    p, q = np.clip(p, -c, c), np.clip(q, -c, c)
    lo, hi = min(p.min(), q.min()), max(p.max(), q.max())
    if not hi > lo:
        return 0.0
    idx = lambda s: np.clip(np.floor((s - lo) / ((hi - lo) / bins)).astype(int), 0, bins - 1)
    pp = np.bincount(idx(p), minlength=bins) / p.size
    qq = np.bincount(idx(q), minlength=bins) / q.size
    qq = np.where(pp > 0, np.maximum(qq, eps), qq)
    return scipy.stats.entropy(pp, qq)


def np_klom_benchmark(p, q, bins=20, eps=1e-5, c=100.0):
    """A numpy/scipy transcription of the benchmark's binned KL: np.linspace edges, np.digitize, bins
    1..B counted (the pooled maximum lands in B+1 and is dropped), counts normalised by what remains,
    q floored where p > 0, scipy.stats.entropy."""
    p, q = np.clip(p, -c, c), np.clip(q, -c, c)
    lo, hi = min(p.min(), q.min()), max(p.max(), q.max())
    if lo >= hi:
        hi = lo + 1
    edges = np.linspace(lo, hi, bins + 1)
    counts = [np.array([np.sum(np.digitize(s, edges) == i) for i in range(1, bins + 1)]) for s in (p, q)]
    pp, qq = (cnt / cnt.sum() if cnt.sum() > 0 else np.zeros(bins) for cnt in counts)
    qq = np.where(pp > 0, np.maximum(qq, eps), qq)
    with np.errstate(invalid="ignore", divide="ignore"):
        return scipy.stats.entropy(pp, qq)


def reference(u, o, mode, direction="oracle||unlearned", **kw):
    p, q = (o, u) if direction == "oracle||unlearned" else (u, o)
    fn = np_klom_ascentlab if mode == "ascentlab" else np_klom_benchmark
    return np.array([fn(p[:, j], q[:, j], **kw) for j in range(u.shape[1])])


def columns(rng, n):
    """Margin samples (n, 8) for unlearned and oracle, one kind per column: continuous, shifted,
    on numpy's own edges (samples exactly at bin edges), integer ties, beyond the clip, all equal,
    the p side all at the pooled maximum, the q side all at the pooled maximum."""
    u, o = np.empty((n, 8)), np.empty((n, 8))
    u[:, 0], o[:, 0] = rng.normal(size=n), rng.normal(size=n)
    u[:, 1], o[:, 1] = rng.normal(size=n) + 0.7, rng.normal(size=n) * 2
    edges = np.linspace(-1.3, 2.9, 21)
    u[:, 2], o[:, 2] = rng.choice(edges, n), rng.choice(edges, n)
    u[:, 3], o[:, 3] = rng.integers(-3, 3, n), rng.integers(-3, 3, n)
    u[:, 4], o[:, 4] = rng.normal(size=n) * 150, rng.normal(size=n) * 150
    u[:, 5], o[:, 5] = 1.5, 1.5
    u[:, 6], o[:, 6] = rng.normal(size=n), 4.0  # o (the p side by default) all at the pooled maximum
    u[:, 7], o[:, 7] = 4.0, rng.normal(size=n)  # u (the q side) all at the pooled maximum
    return u, o


# ------------------------------------------------------------------------------------ KLoM
@pytest.mark.parametrize("mode", metrics.MODES)
def test_klom_zero_for_identical_samples(mode, getkey):
    m = jax.random.normal(getkey(), (40, 6), jnp.float64)
    np.testing.assert_array_equal(klom(m, m, mode=mode), 0.0)  # p == q exactly: every log(p/q) is 0


@pytest.mark.parametrize("n", [1, 7, 100])
@pytest.mark.parametrize("mode", metrics.MODES)
def test_klom_matches_numpy_reference(mode, n):
    rng = np.random.default_rng(n)
    u, o = columns(rng, n)
    for direction in metrics.DIRECTIONS:
        got = np.asarray(klom(u, o, mode=mode, direction=direction))
        # same bins (bit-exact edges), then sums of <= 20 terms in another order: a few ulps
        np.testing.assert_allclose(got, reference(u, o, mode, direction), rtol=1e-12, atol=1e-14, equal_nan=True)


@pytest.mark.parametrize("mode", metrics.MODES)
def test_klom_float32_smoke(mode):
    rng = np.random.default_rng(4)
    u, o = (x.astype(np.float32) for x in columns(rng, 30))
    got = np.asarray(klom(u, o, mode=mode))
    assert got.dtype == np.float32
    want = reference(u, o, mode).astype(np.float32)
    if mode == "ascentlab":  # column 2 has samples exactly on edges: floor((s - lo) / h) may round either way
        got, want = np.delete(got, 2), np.delete(want, 2)
    # the same bins (the benchmark mode: numpy's float32 edges, bit for bit); sums in float32: a few ulps
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6, equal_nan=True)


_JITTED_KLOM = jax.jit(klom, static_argnames=("mode", "direction"))
# margins from a small pool (many ties, repeated maxima, values beyond the clip) in a fixed shape (one compile)
_POOL = [-150.0, -2.5, -1.0, 0.0, 0.1, 0.25, 1.0, 3.0, 120.0]
_MARGINS = hnp.arrays(np.float64, (12, 3), elements=st.sampled_from(_POOL)
                      | st.floats(-5, 5, allow_nan=False, allow_subnormal=False))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(u=_MARGINS, o=_MARGINS, mode=st.sampled_from(metrics.MODES), direction=st.sampled_from(metrics.DIRECTIONS))
def test_klom_hypothesis_matches_numpy(u, o, mode, direction):
    got = np.asarray(_JITTED_KLOM(u, o, mode=mode, direction=direction))
    want = reference(u, o, mode, direction)
    if mode == "ascentlab":  # floor((s - lo) / h) of a sample within rounding of an edge may go either way
        both = np.clip(np.concatenate([u, o]), -100, 100)
        lo, hi = both.min(0), both.max(0)
        pos = (both - lo) / np.where(hi > lo, (hi - lo) / 20, 1.0)
        interior = (np.round(pos) > 0) & (np.round(pos) < 20)  # lo and hi themselves bin the same either way
        clear = ~np.any(interior & (np.abs(pos - np.round(pos)) < 1e-9), axis=0)
        got, want = got[clear], want[clear]
    np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-13, equal_nan=True)


def test_klom_benchmark_quirks_pinned():
    rng = np.random.default_rng(3)
    u, o = columns(rng, 50)
    got = np.asarray(klom(u, o, mode="benchmark"))
    assert np.isnan(got[6])  # every oracle (p side) sample at the pooled maximum: empty p histogram
    # every unlearned (q side) sample dropped: q is the floor on p's support, uniform after scipy's
    # renormalisation, so KL = log |support| - H(p) (independent closed form)
    assert o[:, 7].max() < 4.0  # so no oracle sample is dropped
    p = np.bincount(np.digitize(o[:, 7], np.linspace(o[:, 7].min(), 4.0, 21)), minlength=22)[1:21] / 50.0
    support = np.count_nonzero(p)
    np.testing.assert_allclose(got[7], np.log(support) - scipy.stats.entropy(p), rtol=1e-12)
    # compiled by jit, the same bins (no fused multiply-add or reciprocal moves an edge: the lattice
    # column 2 has samples exactly on numpy's edges); the sums may round differently, by an ulp
    jitted = jax.jit(klom, static_argnames=("mode",))(u, o, mode="benchmark")
    np.testing.assert_allclose(np.asarray(jitted), reference(u, o, "benchmark"), rtol=1e-13, equal_nan=True)


def test_klom_modes_differ_when_the_maximum_is_attained_by_many():
    # half the oracle margins and 3/4 of the unlearned ones sit at the pooled maximum 10
    o = np.array([[0.0] * 4 + [10.0] * 4]).T
    u = np.array([[0.0] * 2 + [10.0] * 6]).T
    a = float(klom(u, o, mode="ascentlab")[0])
    b = float(klom(u, o, mode="benchmark")[0])
    # ascentlab counts the maxima in the last bin: p = (1/2, 1/2), q = (1/4, 3/4)
    assert a == pytest.approx(0.5 * np.log(2.0) + 0.5 * np.log(2.0 / 3.0), rel=1e-14)
    # the benchmark drops every sample at 10: both histograms are all in bin 1, KL = 0
    assert b == 0.0
    assert a == pytest.approx(np_klom_ascentlab(o[:, 0], u[:, 0]), rel=1e-14)
    assert b == np_klom_benchmark(o[:, 0], u[:, 0])
    assert a - b > 0.1


@pytest.mark.parametrize("mode", metrics.MODES)
def test_klom_shift_beyond_a_bin_width_is_large(mode, getkey):
    m = jax.random.normal(getkey(), (100, 5), jnp.float64)
    # disjoint supports: all of p's mass sits where q is floored, KL >= log(1 / (20 * 1e-5)) - log(20) > 5
    assert float(klom(m + 10.0, m, mode=mode).min()) > 5.0


def test_klom_keeps_its_defaults(getkey):
    u = jax.random.normal(getkey(), (30, 4), jnp.float64)
    o = jax.random.normal(getkey(), (30, 4), jnp.float64)
    np.testing.assert_array_equal(klom(u, o), klom(u, o, bins=20, clip=100.0, floor=1e-5,
                                                   direction="oracle||unlearned", mode="ascentlab"))


@pytest.mark.parametrize("kwargs, match", [
    (dict(bins=0), "`bins` must be >= 1"),
    (dict(bins=2.5), "`bins` must be a Python int"),
    (dict(floor=1.0), "`floor` must satisfy 0 < floor < 1"),
    (dict(floor=0.0), "`floor` must be finite and > 0"),
    (dict(clip=-1.0), "`clip` must be finite and > 0"),
    (dict(mode="numpy"), "`mode` must be one of"),
    (dict(direction="p||q"), "`direction` must be one of"),
])
def test_klom_bad_options(kwargs, match):
    m = np.zeros((3, 2))
    with pytest.raises(ValueError, match=match):
        klom(m, m, **kwargs)


def test_klom_bad_arrays():
    good = np.zeros((3, 2))
    with pytest.raises(ValueError, match=r"klom: `unlearned` and oracle must be \(models, points\)"):
        klom(good, np.zeros((3, 4)))
    with pytest.raises(ValueError, match="`unlearned` must be 2-dimensional"):
        klom(np.zeros(3), good)
    with pytest.raises(ValueError, match=r"`oracle` must be finite \(no NaN or inf\), got oracle='array with 1"):
        klom(good, np.array([[0.0, np.nan], [0.0, 0.0], [1.0, 1.0]]))
    with pytest.raises(ValueError, match="`unlearned` must be finite"):
        klom(np.array([[np.inf, 0.0]] * 3), good)
    with pytest.raises(ValueError, match="equal shapes in mode='benchmark'"):
        klom(np.zeros((4, 2)), good, mode="benchmark")


# ------------------------------------------------------------------ accuracy, losses, distances
@pytest.fixture(scope="module")
def gauss():
    problem = ascentlab.gaussian_problem(jax.random.key(7), 60, 4, 0.3, 0.2, 0.1, n_test=40)
    return problem, ascentlab.solve_references(problem, da=False)


def np_correct(m):
    return np.where(m > 0, 1.0, np.where(m == 0, 0.5, 0.0))


def test_accuracy_matches_a_numpy_count(gauss):
    problem, refs = gauss
    X, y, f = (np.asarray(a) for a in (problem.X, problem.y, problem.forget))
    Xt, yt = np.asarray(problem.X_test), np.asarray(problem.y_test)
    ws = np.stack([np.asarray(refs.original.w), np.asarray(refs.oracle.w), np.zeros(4)])
    want = {
        "all": [np.mean(y * (X @ w) > 0) if w.any() else 0.5 for w in ws],
        "retain": [np.mean(np_correct(y[~f] * (X[~f] @ w))) for w in ws],
        "forget": [np.mean(np_correct(y[f] * (X[f] @ w))) for w in ws],
        "test": [np.mean(np_correct(yt * (Xt @ w))) for w in ws],
    }
    for subset, values in want.items():
        # counts of <= 60 samples divided once: exact up to one rounding
        np.testing.assert_allclose(accuracy(problem, ws, subset), values, rtol=1e-15)
        assert float(accuracy(problem, ws[0], subset)) == pytest.approx(values[0], rel=1e-15)
    # w = 0: every margin is a tie, counted half (documented rule)
    assert float(accuracy(problem, np.zeros(4), "all")) == 0.5


def test_accuracy_weights_are_multiplicities():
    X = np.array([[1.0], [-1.0], [2.0], [0.0]])
    y = np.array([1.0, 1.0, -1.0, 1.0])
    weights = np.array([3.0, 1.0, 2.0, 4.0])
    problem = ascentlab.make_problem(X, y, np.array([False, False, True, True]), 0.1, weights=weights)
    repeated = ascentlab.make_problem(np.repeat(X, [3, 1, 2, 4], axis=0), np.repeat(y, [3, 1, 2, 4]),
                                      np.repeat([False, False, True, True], [3, 1, 2, 4]), 0.1)
    w = np.array([1.0])
    for subset in ("all", "retain", "forget"):
        assert float(accuracy(problem, w, subset)) == pytest.approx(float(accuracy(repeated, w, subset)), rel=1e-15)
    # by hand: margins 1, -1, -2, 0 with weights 3, 1, 2, 4 -> (3 + 0.5 * 4) / 10
    assert float(accuracy(problem, w, "all")) == pytest.approx(0.5, rel=1e-15)


def test_losses_and_distances(gauss):
    problem, refs = gauss
    X, y, f = (np.asarray(a) for a in (problem.X, problem.y, problem.forget))
    Xt, yt = np.asarray(problem.X_test), np.asarray(problem.y_test)
    ws = np.stack([np.asarray(refs.original.w), np.asarray(refs.oracle.w)])
    got = losses(problem, ws)
    assert set(got) == {"retain", "forget", "test"}
    for w, i in zip(ws, range(2)):
        ell = lambda m: np.logaddexp(0.0, -m)
        # means of <= 60 smooth terms: a few ulps apart from the jax summation
        assert float(got["retain"][i]) == pytest.approx(ell(y[~f] * (X[~f] @ w)).mean(), rel=1e-13)
        assert float(got["forget"][i]) == pytest.approx(ell(y[f] * (X[f] @ w)).mean(), rel=1e-13)
        assert float(got["test"][i]) == pytest.approx(ell(yt * (Xt @ w)).mean(), rel=1e-13)
    single = losses(problem, ws[0])
    assert single["forget"].shape == () and float(single["forget"]) == float(got["forget"][0])
    dist = distances(ws, refs)
    np.testing.assert_allclose(dist["oracle"], np.linalg.norm(ws - np.asarray(refs.oracle.w), axis=1), rtol=1e-14)
    np.testing.assert_allclose(dist["original"], np.linalg.norm(ws - np.asarray(refs.original.w), axis=1),
                               rtol=1e-14, atol=1e-300)
    assert float(dist["original"][0]) == 0.0 and float(dist["oracle"][1]) == 0.0
    batch = np.zeros((2, 3, 4))
    assert distances(batch, refs)["oracle"].shape == (2, 3)


def test_metric_bad_inputs(gauss):
    problem, refs = gauss
    w = np.zeros(4)
    with pytest.raises(ValueError, match=r"accuracy: `w` must have shape \(4,\) or \(\.\.\., 4\)"):
        accuracy(problem, np.zeros(3))
    with pytest.raises(ValueError, match="accuracy: `subset` must be one of"):
        accuracy(problem, w, "train")
    no_test = ascentlab.orthogonal_blocks([3, 3], [1, 1], lam=0.5)
    with pytest.raises(ValueError, match="accuracy: `subset` needs a problem with X_test"):
        accuracy(no_test, np.zeros(2), "test")
    with pytest.raises(ValueError, match="accuracy: `problem` must be an ascentlab.Problem"):
        accuracy("problem", w)
    with pytest.raises(ValueError, match="losses: `w` must be finite"):
        losses(problem, np.array([np.nan, 0.0, 0.0, 0.0]))
    with pytest.raises(ValueError, match="losses: `w` must have problem.X's dtype float64"):
        losses(problem, np.zeros(4, np.float32))
    with pytest.raises(ValueError, match=r"distances: `references.oracle.w` must have shape \(4,\) or broadcast"):
        distances(np.zeros(4), ascentlab.solve_references(no_test, da=False))
    with pytest.raises(ValueError, match="distances: `references` must be an ascentlab.References"):
        distances(w, object())
    with pytest.raises(ValueError, match="mia_auc: `problem` needs a held-out set"):
        mia_auc(no_test, np.zeros(2))


# ------------------------------------------------------------------------ membership inference
def brute_auc(s1, s0):
    diff = s1[:, None] - s0[None, :]
    return (np.sum(diff > 0) + 0.5 * np.sum(diff == 0)) / diff.size


def test_auc_against_sklearn_and_pairwise():
    rng = np.random.default_rng(11)
    for n1, n0, ties in [(1, 1, False), (40, 70, False), (40, 70, True)]:
        s1, s0 = rng.normal(size=n1) + 0.4, rng.normal(size=n0)
        if ties:  # scores on a coarse grid, so many ties inside and across the groups
            s1, s0 = np.round(s1), np.round(s0)
        got = float(auc(s1, s0))
        # exact counts over one division: equal to the brute force up to one rounding
        assert got == pytest.approx(brute_auc(s1, s0), rel=1e-15, abs=0)
        assert got == pytest.approx(roc_auc_score(np.r_[np.ones(n1), np.zeros(n0)], np.r_[s1, s0]), rel=1e-12)
    s = rng.normal(size=30)
    assert float(auc(s, s)) == 0.5  # identical sets: the wins and losses cancel, ties count half
    assert float(auc(np.ones(3), np.ones(4))) == 0.5  # all ties
    # weights are multiplicities: weight 2 equals the member listed twice
    s1, s0 = rng.normal(size=6), rng.normal(size=9)
    weights = np.array([2.0, 0.0, 1.0, 3.0, 1.0, 1.0])
    assert float(auc(s1, s0, weights)) == pytest.approx(brute_auc(np.repeat(s1, [2, 0, 1, 3, 1, 1]), s0), rel=1e-15)
    with pytest.raises(ValueError, match="auc: `member_weights` must be >= 0 with a positive sum"):
        auc(s1, s0, np.zeros(6))
    with pytest.raises(ValueError, match="auc: `member_scores` and nonmember_scores must be non-empty"):
        auc(np.zeros(0), s0)
    with pytest.raises(ValueError, match="auc: `nonmember_scores` must be finite"):
        auc(s1, np.array([np.nan]))
    jitted = jax.jit(jax.vmap(auc))(np.stack([s1, s1 + 1.0]), np.stack([s0, s0]))
    assert float(jitted[0]) == pytest.approx(brute_auc(s1, s0), rel=1e-15)


def test_mia_auc_against_sklearn(gauss):
    problem, refs = gauss
    X, y, f = (np.asarray(a) for a in (problem.X, problem.y, problem.forget))
    Xt, yt = np.asarray(problem.X_test), np.asarray(problem.y_test)
    ws = np.stack([np.asarray(refs.original.w), np.asarray(refs.oracle.w)])
    got = mia_auc(problem, ws)
    for i, w in enumerate(ws):
        s_f, s_t = -np.logaddexp(0.0, -y[f] * (X[f] @ w)), -np.logaddexp(0.0, -yt * (Xt @ w))
        want = roc_auc_score(np.r_[np.ones(f.sum()), np.zeros(len(yt))], np.r_[s_f, s_t])
        assert float(got[i]) == pytest.approx(want, rel=1e-12)
        assert float(got[i]) == pytest.approx(brute_auc(s_f, s_t), rel=1e-12)
    assert float(mia_auc(problem, np.zeros(4))) == 0.5  # w = 0: every score is log(1/2), all ties


def test_mia_auc_is_half_in_expectation_for_the_oracle(gauss):
    # The oracle never saw F, so F (12 samples) and the held-out set (40) are exchangeable: E[AUC] = 1/2.
    # One AUC has standard deviation sqrt((12 + 40 + 1) / (12 * 12 * 40)) ~ 0.096; the mean of 48 draws
    # ~ 0.014: allow 3.5 of them. The original model trained on F: its AUC is above the oracle's.
    draws = [ascentlab.gaussian_problem(jax.random.key(100 + i), 60, 4, 0.3, 0.2, 0.1, n_test=40) for i in range(48)]
    refs = [ascentlab.solve_references(p, da=False) for p in draws]  # the fixture's shapes: compiled once
    stack = lambda xs: jax.tree.map(lambda *a: jnp.stack(a), *xs)
    problems, ws = stack(draws), stack([jnp.stack([r.oracle.w, r.original.w]) for r in refs])
    aucs = jax.jit(jax.vmap(mia_auc))(problems, ws)  # (48, 2): oracle, original
    assert abs(float(aucs[:, 0].mean()) - 0.5) < 0.05
    assert float(aucs[:, 1].mean()) > float(aucs[:, 0].mean())
    assert float(aucs[0, 0]) == pytest.approx(float(mia_auc(draws[0], refs[0].oracle.w)), rel=1e-14)


# -------------------------------------------------------------------------- worse than nothing
def np_worse(dist, t, diverged_at):
    """A numpy loop: first valid row farther from the oracle than row 0; a divergence counts too."""
    for r in range(len(dist)):
        if diverged_at >= 0 and t[r] >= diverged_at:
            break
        if dist[r] > dist[0]:
            return True, (int(t[r]) if diverged_at < 0 else min(int(t[r]), int(diverged_at)))
    return (True, int(diverged_at)) if diverged_at >= 0 else (False, -1)


@pytest.fixture(scope="module")
def blocks():
    return ascentlab.orthogonal_blocks([50, 50], [8, 12], lam=0.5)


def test_worse_than_nothing_on_real_runs(blocks):
    refs = ascentlab.solve_references(blocks, da=False)
    for method, every, want in [("da", 1, (True, 1)), ("da", 3, (True, 3)), ("finetune", 4, (False, -1))]:
        tr = ascentlab.unlearn(blocks, method, eta=0.5, steps=10, record_every=every, references=refs)
        t = np.arange(len(tr.dist_oracle)) if tr.t is None else np.asarray(tr.t)
        ref = np_worse(np.asarray(tr.dist_oracle), t, int(tr.diverged_at))
        flag, t_star = worse_than_nothing(tr)
        assert (bool(flag), int(t_star)) == ref == want
    # under vmap over step sizes: a batch of trajectories, each as the loop says
    etas = jnp.array([0.05, 0.5, 2.0])
    trs = jax.vmap(lambda e: ascentlab.unlearn(blocks, "da", eta=e, steps=10, references=refs, record_every=3))(etas)
    flags, stars = jax.vmap(worse_than_nothing)(trs)
    direct = worse_than_nothing(trs)  # batched input without vmap: the same
    for i in range(3):
        tr_i = jax.tree.map(lambda x: x[i], trs)
        ref = np_worse(np.asarray(tr_i.dist_oracle), np.asarray(tr_i.t), int(tr_i.diverged_at))
        assert (bool(flags[i]), int(stars[i])) == ref == (bool(direct[0][i]), int(direct[1][i]))


def test_worse_than_nothing_divergence_and_hand_made_rows():
    T = ascentlab.Trajectory
    nan = np.nan
    rows = lambda dist, div, t=None: T(np.zeros((len(dist), 1)), np.asarray(dist), np.asarray(dist),
                                         np.asarray(dist), np.asarray(dist), np.int32(div),
                                         None if t is None else np.asarray(t, np.int32))
    cases = [
        (rows([1.0, 0.5, 0.9, 1.0], -1), (False, -1)),  # equal to row 0 is not worse
        (rows([1.0, 0.5, 1.5, 2.0], -1, [0, 5, 10, 12]), (True, 10)),  # t* is a step, not a row
        (rows([1.0, 0.5, nan, nan], 7, [0, 5, 10, 12]), (True, 7)),  # diverged, never crossed: diverged_at
        (rows([1.0, 2.0, nan, nan], 7, [0, 5, 10, 12]), (True, 5)),  # crossed before diverging
        (rows([1.0], -1), (False, -1)),  # steps = 0
    ]
    for tr, want in cases:
        flag, t_star = worse_than_nothing(tr)
        t = np.arange(len(tr.dist_oracle)) if tr.t is None else tr.t
        assert (bool(flag), int(t_star)) == want == np_worse(tr.dist_oracle, t, int(tr.diverged_at))
    with pytest.raises(ValueError, match="worse_than_nothing: `trajectory` must be an ascentlab.Trajectory"):
        worse_than_nothing((1, 2))
    bad = rows([1.0, 2.0], -1)._replace(diverged_at=np.zeros(3, np.int32))
    with pytest.raises(ValueError, match=r"`trajectory.diverged_at` must be an integer array of shape \(\)"):
        worse_than_nothing(bad)
    with pytest.raises(ValueError, match="`trajectory.t` must be an integer array ending in the 2 rows"):
        worse_than_nothing(rows([1.0, 2.0], -1, [0, 1, 2]))

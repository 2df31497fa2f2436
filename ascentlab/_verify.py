"""`ascentlab verify`: every theory check over randomised instances, many seeds, vectorised with vmap.

Each row is a list of *parts*: a check function of `ascentlab.theory` and a
sampler `(key, n) -> {argument: array of n values}`. Samplers mix a random
bulk with strata that hit the corners of the statement on purpose, at every
seed: the ends of Lemma 3's alpha range exactly, alpha = 1 exactly, the
Case 2/3 boundary from inside, lambda down to 1e-8, one-sample and
whole-retain-set blocks, forget sets far larger than the retain set, eps near
0 and near 1, b/a on both sides of App. D.3's flip threshold and far beyond.
`run_verify` compiles each part once and reuses it for every seed.

A violating instance is reported with its row, seed, arguments and a
one-line Python call that recomputes that single check.

Instance counts per seed (n = --instances, default 2000): most rows n; the
rows whose hypotheses select few instances 3n (Lemmas 9, 10); the costly
ones fewer (Lemma 1 n/40 with 10,000 forget sets each, Lemma 10's exact
crossings n/20, App. D.3 n/20 or n/40 per part and order, App. J n/4, the
toy's minima searches n/250).
"""

import json
import math
import sys
import time
from typing import Callable, NamedTuple, Optional

import jax
import jax.numpy as jnp
import numpy as np

from . import theory as th
from . import toy

DEFAULT_INSTANCES = 2000
F64 = jnp.float64


# ------------------------------------------------------------------ sampling --


def _uniform(key, n, lo, hi):
    return jax.random.uniform(key, (n,), F64, lo, hi)


def _log_uniform(key, n, lo, hi):
    return jnp.exp(_uniform(key, n, np.log(lo), np.log(hi)))


def _int_uniform(key, n, lo, hi):
    """Integers in [lo, hi] (hi may be an array), as float64."""
    return jnp.floor(lo + jax.random.uniform(key, (n,), F64) * (hi - lo + 1))


def _strata(n, k):
    """Stratum index of each of n instances: 0..k-1 round robin."""
    return jnp.arange(n) % k


def block_instances(key, n):
    """(r_j, f_j, n_r, n_f, lam) of one orthogonal coordinate: a random bulk and twelve corner strata.

    Bulk (4 of 16 strata): |R| ~ U{50..2000}, |R_j| ~ U{1..|R|}, alpha
    log-uniform on [0.005, 3] (|F_j| = max(1, round(alpha |R_j|))),
    |F| - |F_j| ~ U{0..|R|}, lambda log-uniform on [1e-8, 10]. Corners:
    alpha exactly at each end of Lemma 3's range, and within a relative
    1e-6..1e-1 of an end on either side; z = (a-b)/lambda inside Case 2 with
    e z + 1 log-uniform on [1e-9, 1e-2], and just inside Case 3; lambda in
    [1e-8, 1e-6]; |R_j| = 1; |R_j| = |R| (the whole retain set); |F| up to
    50 |R|; alpha in [1e-4, 1e-2]; alpha in [3, 50].
    """
    k = jax.random.split(key, 13)
    n_r = _int_uniform(k[0], n, 50, 2000)
    r_j = _int_uniform(k[1], n, 1, n_r)
    alpha = _log_uniform(k[2], n, 0.005, 3.0)
    rest = _int_uniform(k[3], n, 0, n_r)
    lam = _log_uniform(k[4], n, 1e-8, 10.0)
    s = _strata(n, 16)
    alpha = jnp.where(s == 10, _log_uniform(k[5], n, 1e-4, 1e-2), alpha)
    alpha = jnp.where(s == 11, _log_uniform(k[5], n, 3.0, 50.0), alpha)
    r_j = jnp.where(s == 7, 1.0, jnp.where(s == 8, n_r, r_j))
    rest = jnp.where(s == 9, _int_uniform(k[6], n, 0, 50 * n_r), rest)
    lam = jnp.where(s == 6, _log_uniform(k[7], n, 1e-8, 1e-6), lam)
    f_j = jnp.maximum(1.0, jnp.round(alpha * r_j))
    n_f = f_j + rest
    # exact ends of Lemma 3's range: |F| fixed, |F_j| = alpha |R_j| (real-valued weights)
    n_f_end = jnp.maximum(1.0, rest)
    lo, hi = th.lemma3_range(n_r, n_f_end)
    f_j = jnp.where(s == 4, lo * r_j, jnp.where(s == 5, hi * r_j, f_j))
    # within 1e-6..1e-1 (relative) of an end, either side: the range is exact, not only sufficient
    near = 1 + _log_uniform(k[10], n, 1e-6, 1e-1) * jnp.where(jax.random.uniform(k[11], (n,)) < 0.5, 1.0, -1.0)
    end = jnp.where(jax.random.uniform(k[9], (n,)) < 0.5, lo, hi)
    f_j = jnp.where((s == 14) | (s == 15), jnp.minimum(end * near * r_j, n_f_end), f_j)  # b_j <= 1
    n_f = jnp.where((s == 4) | (s == 5) | (s == 14) | (s == 15), n_f_end, n_f)
    # the Case 2/3 boundary: b = a + lam/e (1 - delta), delta > 0 inside Case 2, < 0 in Case 3
    r_b = jnp.minimum(r_j, n_r - 1)
    a = r_b / n_r
    lam_b = jnp.minimum(lam, 0.9 * math.e * (1 - a))
    delta = _log_uniform(k[8], n, 1e-9, 1e-2) * jnp.where(jax.random.uniform(k[12], (n,)) < 0.75, 1.0, -1.0)
    b = a + lam_b / math.e * (1 - delta)
    boundary = (s == 12) | (s == 13)
    n_f_b = jnp.maximum(1.0, rest) + 1.0
    r_j = jnp.where(boundary, r_b, r_j)
    lam = jnp.where(boundary, lam_b, lam)
    f_j = jnp.where(boundary, b * n_f_b, f_j)
    n_f = jnp.where(boundary, n_f_b, n_f)
    return {"r_j": r_j, "f_j": f_j, "n_r": n_r, "n_f": n_f, "lam": lam}


def first_step_instances(key, n):
    k1, k2 = jax.random.split(key)
    inst = block_instances(k1, n)
    inst["eta"] = _log_uniform(k2, n, 1e-3, 2.0)
    return inst


def corollary1_instances(key, n):
    """(r_j, n_r, n_f, lam, eta): |R_j| anywhere in 1..|R| (strata: 1 and |R|), lambda down to 1e-8."""
    k = jax.random.split(key, 5)
    n_r = _int_uniform(k[0], n, 50, 2000)
    s = _strata(n, 4)
    r_j = jnp.where(s == 0, 1.0, jnp.where(s == 1, n_r, _int_uniform(k[1], n, 1, n_r)))
    n_f = _int_uniform(k[2], n, 1, 2 * n_r)
    lam = _log_uniform(k[3], n, 1e-8, 10.0)
    eta = jnp.minimum(0.5, 1.0 / lam) * _uniform(k[4], n, 0.1, 1.0)
    return {"r_j": r_j, "n_r": n_r, "n_f": n_f, "lam": lam, "eta": eta}


def pair_instances(key, n):
    """(r_ij, alpha, r_rest, f_rest, eps, lam) of the correlated pair: a random bulk and corner strata.

    Bulk (4 of 13): |R| ~ U{50..2000}, |R_ij| ~ U{1..|R|}, alpha ~ U(0.01, 1.2),
    |F| - |F_ij| ~ U{0..|R|}, eps ~ U(0.02, 0.98), lambda log-uniform on
    [1e-8, 10]. Corners: alpha = 1 exactly; eps in [1e-4, 1e-2]; 1 - eps in
    [1e-4, 1e-2]; lambda in [1e-8, 1e-6]; |R_ij| = 1; |R_ij| = |R|; no other
    forget samples; alpha at Lemma 9's threshold exactly; alpha at Lemma 10's
    derived threshold exactly.
    """
    k = jax.random.split(key, 10)
    n_r = _int_uniform(k[0], n, 50, 2000)
    r_ij = _int_uniform(k[1], n, 1, n_r)
    alpha = _uniform(k[2], n, 0.01, 1.2)
    f_rest = _int_uniform(k[3], n, 0, n_r)
    eps = _uniform(k[4], n, 0.02, 0.98)
    lam = _log_uniform(k[5], n, 1e-8, 10.0)
    s = _strata(n, 13)
    alpha = jnp.where(s == 4, 1.0, alpha)
    eps = jnp.where(s == 5, _log_uniform(k[6], n, 1e-4, 1e-2), eps)
    eps = jnp.where(s == 6, 1 - _log_uniform(k[7], n, 1e-4, 1e-2), eps)
    lam = jnp.where(s == 7, _log_uniform(k[8], n, 1e-8, 1e-6), lam)
    r_ij = jnp.where(s == 8, 1.0, jnp.where(s == 9, n_r, r_ij))
    f_rest = jnp.where(s == 10, 0.0, f_rest)

    def fixed_alpha(thr_fn):  # alpha = threshold(alpha): the threshold moves with |F| = alpha |R_ij| + rest
        def body(_, a):
            return jnp.clip(thr_fn(a), 1e-6, 1.0)
        return jax.lax.fori_loop(0, 60, body, alpha)

    def lemma10(a):
        b, p, *_ = th.pair_coefficients(r_ij, a, n_r - r_ij, f_rest, lam)
        return jnp.minimum(*th.lemma10_thresholds(b, p, eps))

    alpha = jnp.where(s == 11, fixed_alpha(lambda a: th.lemma9_threshold(n_r, a * r_ij + f_rest, eps)), alpha)
    alpha = jnp.where(s == 12, fixed_alpha(lemma10), alpha)
    return {"r_ij": r_ij, "alpha": alpha, "r_rest": n_r - r_ij, "f_rest": f_rest, "eps": eps, "lam": lam}


def crossing_instances(key, n):
    inst = pair_instances(key, n)
    n_r = inst["r_ij"] + inst["r_rest"]
    n_f = jnp.maximum(inst["alpha"] * inst["r_ij"] + inst["f_rest"], 1.0)
    return {"r_ij": inst["r_ij"], "n_r": n_r, "n_f": n_f, "eps": inst["eps"], "lam": inst["lam"]}


def lemma1_instances(key, n):
    """(seed, teacher_norm, n, eps): a trained model per instance, the bound log-uniform in (1e-4, 1); |F|
    log-uniform on 1..100 or on 2..10; and, where Hoeffding is closest to the truth, |F| = 2 with eps in
    (0.42, 0.45) and a teacher of norm 0.01..0.05 (accuracy near 1/2: the frequency is then about half
    the bound)."""
    k = jax.random.split(key, 6)
    s = _strata(n, 3)
    size = jnp.floor(jnp.where(s == 0, _log_uniform(k[0], n, 2.0, 10.999), _log_uniform(k[0], n, 1.0, 100.999)))
    bound = _log_uniform(k[1], n, 1e-4, 0.999)
    eps = jnp.sqrt(jnp.log(2.0 / bound) / (2.0 * size))
    teacher = _log_uniform(k[3], n, 0.3, 10.0)
    tight = s == 2
    return {"seed": jax.random.randint(k[2], (n,), 0, 2**31 - 1),
            "teacher_norm": jnp.where(tight, _log_uniform(k[4], n, 0.01, 0.05), teacher),
            "n": jnp.where(tight, 2.0, size), "eps": jnp.where(tight, _uniform(k[5], n, 0.42, 0.45), eps)}


def d3_expansion_instances(key, n):
    k = jax.random.split(key, 4)
    return {"a": _uniform(k[0], n, 0.02, 1.0), "b": _uniform(k[1], n, 0.02, 1.0),
            "lam": _log_uniform(k[2], n, 1e-3, 1.0), "eta0": jnp.full(n, 0.005, F64), "w": _uniform(k[3], n, -1.0, 2.0)}


def d3_case1_instances(key, n):
    k = jax.random.split(key, 3)
    a = _uniform(k[0], n, 0.1, 1.0)
    return {"a": a, "b": a * _uniform(k[1], n, 0.05, 0.95), "lam": _log_uniform(k[2], n, 0.01, 1.0),
            "eta0": jnp.full(n, 0.01, F64)}


def d3_stability_instances(key, n):
    """(a, b, lam, eta) in App. D.3's Case 3: half within 3% of the flip threshold (both sides), half with
    ln(b/a) log-uniform on [0.2, 4.5] (stable, 2-cycle, chaos, thrown out); lambda < e (b - a)/2,
    eta a < e^-2 ln(b/a), eta <= 0.5 and eta lambda <= 0.5 (`far_fixed_point_applies`); b <= 1."""
    k = jax.random.split(key, 6)
    near = _strata(n, 2) == 0
    big_l = _log_uniform(k[0], n, 0.2, 4.5)
    a_far = _uniform(k[1], n, 0.2, 1.0) * jnp.exp(-big_l)
    a_near = _uniform(k[1], n, 0.02, 0.2)
    a = jnp.where(near, a_near, a_far)
    l_lo = jnp.where(near, 1.35, big_l)
    lam = _log_uniform(k[2], n, 1e-3, 1.0) * 0.9 * math.e * (a * jnp.exp(l_lo) - a) / 2
    eta = _log_uniform(k[3], n, 1e-3, 1.0) * jnp.minimum(0.9 * math.exp(-2.0) * l_lo / a, jnp.minimum(0.5, 0.5 / lam))
    threshold, _, _ = th.alternating_flip_threshold(a, lam, eta)
    ell = jnp.where(near, threshold * (1 + _uniform(k[4], n, -0.03, 0.03)), big_l)
    a = jnp.minimum(a, 0.999 * jnp.exp(-ell))  # keep b = a e^ell <= 1 (a large eta lam raises the threshold)
    return {"a": a, "b": a * jnp.exp(ell), "lam": lam, "eta": eta}


def app_j_instances(key, n):
    """(d, eps, lam): d ~ U{2..12}; eps uniform, exactly 0, or 1 - [1e-10, 1e-2] (rows parallel to within
    1e-10); lambda log-uniform on [1e-3, 30]."""
    k = jax.random.split(key, 4)
    s = _strata(n, 4)
    eps = jnp.where(s == 1, 0.0, jnp.where(s == 2, 1 - _log_uniform(k[1], n, 1e-10, 1e-2), _uniform(k[0], n, 0.0, 0.999)))
    return {"d": _int_uniform(k[2], n, 2, 12), "eps": eps, "lam": _log_uniform(k[3], n, 1e-3, 30.0)}


def toy_instances(key, n):
    """lambda for the toy claims, 8 strata: five log-uniform on [1e-5, 0.07698] (all five claims hold);
    one on (0.07698, 0.1] and one on (0.1, 0.14965] (C2 fails, C5 holds); one on (0.14965, 0.3] (C2 and
    C5 fail)."""
    k = jax.random.split(key, 4)
    c2, c5 = toy.TANH_C2_LAMBDA, toy.TANH_C5_LAMBDA
    s = _strata(n, 8)
    lam = _log_uniform(k[0], n, 1e-5, c2 * 0.999)
    lam = jnp.where(s == 5, _uniform(k[1], n, c2 * 1.001, 0.1), lam)
    lam = jnp.where(s == 6, _uniform(k[2], n, 0.1, c5 * 0.999), lam)
    lam = jnp.where(s == 7, _uniform(k[3], n, c5 * 1.001, 0.3), lam)
    return {"lam": lam}


# ------------------------------------------------------------------- rows --


class Part(NamedTuple):
    """One check of a row: `check(**sample(key, scale * n), **static)`, vmapped."""

    check: Callable
    sample: Callable
    scale: float = 1.0
    static: Optional[dict] = None
    vmap: bool = True


def _part(check, sample, scale=1.0, **static):
    return Part(check, sample, scale, static or None)


ROWS = {
    "lemma1": [_part(th.check_lemma1, lemma1_instances, 1 / 40)],
    "lemma2": [_part(th.check_lemma2, block_instances)],
    "lemma3": [_part(th.check_lemma3, block_instances)],
    "first_step": [_part(th.check_first_step, first_step_instances)],
    "cases": [_part(th.check_cases, block_instances)],
    "lemma4": [_part(th.check_lemma4, block_instances)],
    "lemma5": [_part(th.check_lemma5, block_instances)],
    "corollary1": [_part(th.check_corollary1, corollary1_instances)],
    "app_d3": [_part(th.check_app_d3_expansion, d3_expansion_instances, 1 / 20, order=o) for o in th.ALTERNATING_ORDERS]
    + [_part(th.check_app_d3_case1, d3_case1_instances, 1 / 40, order=o) for o in th.ALTERNATING_ORDERS]
    + [_part(th.check_app_d3_stability, d3_stability_instances, 1 / 20, order=o) for o in th.ALTERNATING_ORDERS],
    "lemma6": [_part(th.check_lemma6, pair_instances)],
    "lemma7": [_part(th.check_lemma7, pair_instances)],
    "lemma8": [_part(th.check_lemma8, pair_instances)],
    "lemma9": [_part(th.check_lemma9, pair_instances, 3)],
    "lemma10": [_part(th.check_lemma10, pair_instances, 3), _part(th.check_lemma10_crossing, crossing_instances, 1 / 20)],
    "lemma12": [_part(th.check_lemma12, pair_instances)],
    "app_j": [_part(th.check_app_j, app_j_instances, 1 / 4)],
    "toy": [Part(th.check_toy, toy_instances, 1 / 250, None, vmap=False)],  # 8 minima searches at n = 2000
    "logistic_ext": [_part(th.check_logistic_ext, block_instances)],
}
assert set(ROWS) == set(th.RESULTS)


class Violation(NamedTuple):
    row: str
    seed: int
    call: str  # a Python expression that recomputes the single check
    margin: float

    def command(self) -> str:
        code = ("import jax; jax.config.update('jax_enable_x64', True); "
                f"from ascentlab import theory as th; print(th.{self.call})")
        return f'python -c "{code}"'


class Row(NamedTuple):
    id: str
    statement: str
    tag: str
    proof: str
    verdict: str
    seeds: list
    instances: int
    violations: int
    worst_margin: float
    holds: bool
    details: dict
    failures: list  # the first few Violation records (as dicts in JSON)

    def as_dict(self):
        d = self._asdict()
        d["failures"] = [dict(v._asdict(), command=v.command()) for v in self.failures]
        return d


def _call(check, params, static) -> str:
    args = [f"{k}={_fmt(v)}" for k, v in params.items()] + [f"{k}={v!r}" for k, v in (static or {}).items()]
    return f"{check.__name__}({', '.join(args)})"


def _fmt(v):
    v = np.asarray(v).item()
    return repr(v) if isinstance(v, int) else repr(float(v))


class _CompiledPart(NamedTuple):
    part: Part
    fn: Callable


def _compile(part: Part) -> _CompiledPart:
    static = part.static or {}
    if not part.vmap:  # an eager check: one call per instance, results stacked like vmap's
        def each(params):
            n = len(next(iter(params.values())))
            rows = [part.check(**{k: float(v[i]) for k, v in params.items()}, **static) for i in range(n)]
            return jax.tree.map(lambda *xs: np.stack([np.asarray(x) for x in xs]), *rows)
        return _CompiledPart(part, each)
    batched = jax.jit(jax.vmap(lambda params: part.check(**params, **static)))
    return _CompiledPart(part, batched)


def _count(part: Part, n: int) -> int:
    return max(4, int(round(part.scale * n))) if part.vmap else max(1, int(round(part.scale * n)))


def _run_part(cp: _CompiledPart, key, n):
    params = cp.part.sample(key, _count(cp.part, n))
    return params, cp.fn(params)


def run_verify(seeds=(0,), instances: int = DEFAULT_INSTANCES, ids=None, progress=None, max_failures: int = 5) -> list:
    """Run the selected rows (all by default) at every seed in `seeds`; returns a list of `Row`.

    Each part is compiled once (the first seed) and reused for the others.
    """
    seeds = list(seeds)
    rows = []
    for i, rid in enumerate(ids or ROWS):
        t0 = time.perf_counter()
        order = list(ROWS).index(rid)
        compiled = [_compile(p) for p in ROWS[rid]]
        applies_n = viol = 0
        worst = math.inf
        failures, collected = [], []
        for seed in seeds:
            key = jax.random.fold_in(jax.random.key(seed), order)
            for j, cp in enumerate(compiled):
                params, c = _run_part(cp, jax.random.fold_in(key, j), instances)
                applies = np.asarray(c.applies).reshape(-1)
                holds = np.asarray(c.holds).reshape(-1)
                margin = np.asarray(c.margin, dtype=float).reshape(-1)
                applies_n += int(applies.sum())
                viol += int((~holds).sum())
                if applies.any():
                    worst = min(worst, float(margin[applies].min()))
                for idx in np.flatnonzero(~holds)[: max(0, max_failures - len(failures))]:
                    one = {k: np.asarray(v).reshape(-1)[idx] for k, v in params.items()}
                    failures.append(Violation(rid, seed, _call(cp.part.check, one, cp.part.static), float(margin[idx])))
                collected.append((j, params, c))
        res = th.RESULTS[rid]
        details = _details(rid, collected)
        ok = viol == 0 and applies_n > 0
        rows.append(Row(res.id, res.statement, res.tag, res.proof, res.verdict, [seeds[0], seeds[-1] + 1],
                        applies_n, viol, worst, ok, details, failures))
        if progress:
            progress(f"  {rid:<13} {applies_n:>7} instances {viol:>4} violations  worst margin {worst:9.3g}  "
                     f"{time.perf_counter() - t0:6.1f} s")
    return rows


def _details(rid, collected) -> dict:
    """Row-specific counts: what the sampling reached, and how tight each bound got."""
    cat = lambda j, f: np.concatenate([np.asarray(f(p, c)).reshape(-1) for jj, p, c in collected if jj == j])
    if rid == "lemma1":
        ratio = cat(0, lambda p, c: np.where(c.applies, np.asarray(c.measured)[..., 0] / np.asarray(c.prediction), np.nan))
        return {"largest_frequency_over_bound": float(np.nanmax(ratio))}
    if rid == "cases":
        pred = cat(0, lambda p, c: c.prediction)
        return {f"case{i}": int((pred == i).sum()) for i in (1, 2, 3)}
    if rid == "lemma5":
        app = cat(0, lambda p, c: c.applies)
        div = cat(0, lambda p, c: np.asarray(c.measured)[..., 1] > 0)
        m = cat(0, lambda p, c: c.margin)
        fin = app & ~div
        return {"case3_diverged": int((app & div).sum()), "case2_finite": int(fin.sum()),
                "case2_smallest_relative_slack": float(m[fin].min()) if fin.any() else None}
    if rid == "lemma4":
        bound = cat(0, lambda p, c: c.prediction)
        ratio = cat(0, lambda p, c: np.asarray(c.measured)) / np.where(bound > 1e-6, bound, np.nan)
        return {"largest_distance_over_bound": float(np.nanmax(ratio)), "smallest_lam": float(cat(0, lambda p, c: p["lam"]).min())}
    if rid == "app_d3":
        out = {}
        for j, name in ((4, "descent_first"), (5, "ascent_first")):
            app = cat(j, lambda p, c: c.applies)
            stable = cat(j, lambda p, c: np.asarray(c.prediction)[..., 2] > 0)
            meas = [cat(j, lambda p, c, k=k: np.asarray(c.measured)[..., k] > 0) for k in (2, 3, 4)]
            out[name] = {"stable": int((app & stable).sum()), "unstable": int((app & ~stable).sum()),
                         "unstable_period2": int((app & ~stable & meas[1]).sum()),
                         "unstable_diverged": int((app & ~stable & meas[2]).sum())}
        return out
    if rid == "lemma10":
        top = cat(1, lambda p, c: np.repeat(np.minimum(1.0, p["n_f"] / p["r_ij"])[..., None], 2, -1))
        derived = cat(1, lambda p, c: c.prediction)
        exact = cat(1, lambda p, c: c.measured)
        real = exact < top * (1 - 1e-6)
        ratio = np.minimum(derived, top)[real] / exact[real]
        return {"crossing_instances": int(cat(1, lambda p, c: c.applies).sum()),
                "derived_over_exact_max": float(ratio.max()) if ratio.size else None,
                "derived_over_exact_median": float(np.median(ratio)) if ratio.size else None}
    if rid == "app_j":
        status = cat(0, lambda p, c: np.asarray(c.measured)[..., 2])
        return {"da_unbounded": int((status == 2).sum()), "da_local_minimum": int((status == 4).sum())}
    if rid == "toy":
        lam = cat(0, lambda p, c: p["lam"])
        return {"lam_sampled": [round(float(x), 6) for x in lam[:8]]}
    return {}


def format_table(rows) -> str:
    head = f"{'id':<13}{'tag':<20}{'instances':>10}{'violations':>11}{'worst margin':>14}  verdict"
    lines = [head, "-" * len(head)]
    for r in rows:
        verdict = ("HOLDS" if r.holds else "FAILS") + ("" if r.verdict == "holds" else f" ({r.verdict})")
        if r.instances == 0:
            verdict = "FAILS (no instance met the hypotheses: raise --instances)"
        lines.append(f"{r.id:<13}{r.tag:<20}{r.instances:>10}{r.violations:>11}{r.worst_margin:>14.3g}  {verdict}")
        lines.append(f"{'':<13}{r.statement}")
        for v in r.failures:
            lines.append(f"{'':<13}violation (seed {v.seed}, margin {v.margin:.3g}): {v.command()}")
    return "\n".join(lines)


def parse_seeds(text: str) -> range:
    """'A:B' -> range(A, B); 'A' -> range(A, A + 1)."""
    try:
        if ":" in text:
            a, b = (int(x) for x in text.split(":"))
        else:
            a = int(text)
            b = a + 1
    except ValueError:
        raise ValueError(f"--seeds must be 'A:B' or 'A' with integers, got {text!r}") from None
    if b <= a or a < 0:
        raise ValueError(f"--seeds A:B needs 0 <= A < B, got {text!r}")
    return range(a, b)


def main(seeds, instances: int, as_json: bool, ids=None) -> int:
    progress = (lambda msg: print(msg, file=sys.stderr, flush=True))
    t0 = time.perf_counter()
    ids = ids or list(ROWS)
    seeds = list(seeds)
    span = f"seed {seeds[0]}" if len(seeds) == 1 else f"seeds {seeds[0]}:{seeds[-1] + 1} ({len(seeds)})"
    progress(f"ascentlab verify: {len(ids)} results, {span}, {instances} instances per random row and seed")
    rows = run_verify(seeds, instances, ids, progress=progress)
    if as_json:
        from .figures import to_json  # strict JSON: non-finite margins become null

        print(json.dumps(to_json([r.as_dict() for r in rows]), indent=1, allow_nan=False, default=str))
    else:
        print(format_table(rows))
        print(f"\n{sum(r.holds for r in rows)}/{len(rows)} results hold  ({time.perf_counter() - t0:.1f} s)")
    return 0 if all(r.holds for r in rows) else 1

"""`ascentlab verify`: every theory check over randomised instances, vectorised with vmap.

Instance distributions (theory note, claim C-9 for the pair):
orthogonal blocks: |R| ~ U{50..2000}, |R_j| ~ U{1..|R|}, alpha log-uniform on
[0.005, 2] (|F_j| = max(1, round(alpha |R_j|))), |F| - |F_j| ~ U{0..|R|},
lambda log-uniform on [1e-2, 10]; correlated pair: the same sizes with
alpha ~ U(0.01, 1.2), eps ~ U(0.02, 0.98). Rows whose hypotheses select few
instances (Lemmas 9, 10) draw three times as many; the costly rows draw
fewer (Lemma 1: a tenth, 20,000 forget sets each; App. D.3: a fortieth;
Lemma 10's exact crossings: a twentieth).
"""

import json
import sys
import time
from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from . import theory as th
from . import toy

DEFAULT_INSTANCES = 2000


class Row(NamedTuple):
    id: str
    statement: str
    tag: str
    proof: str
    verdict: str
    instances: int
    violations: int
    worst_margin: float
    holds: bool
    details: dict

    def as_dict(self):
        return self._asdict()


def _uniform(key, n, lo, hi):
    return jax.random.uniform(key, (n,), jnp.float64, lo, hi)


def _log_uniform(key, n, lo, hi):
    return jnp.exp(_uniform(key, n, np.log(lo), np.log(hi)))


def _int_uniform(key, n, lo, hi):
    """Integers in [lo, hi] (hi may be an array), as float64."""
    return jnp.floor(lo + jax.random.uniform(key, (n,), jnp.float64) * (hi - lo + 1))


def block_instances(key, n):
    k = jax.random.split(key, 5)
    n_r = _int_uniform(k[0], n, 50, 2000)
    r_j = _int_uniform(k[1], n, 1, n_r)
    alpha = _log_uniform(k[2], n, 0.005, 2.0)
    f_j = jnp.maximum(1.0, jnp.round(alpha * r_j))
    n_f = f_j + _int_uniform(k[3], n, 0, n_r)
    lam = _log_uniform(k[4], n, 1e-2, 10.0)
    return r_j, f_j, n_r, n_f, lam


def pair_instances(key, n):
    k = jax.random.split(key, 6)
    n_r = _int_uniform(k[0], n, 50, 2000)
    r_ij = _int_uniform(k[1], n, 1, n_r)
    alpha = _uniform(k[2], n, 0.01, 1.2)
    f_rest = _int_uniform(k[3], n, 0, n_r)
    eps = _uniform(k[4], n, 0.02, 0.98)
    lam = _log_uniform(k[5], n, 1e-2, 10.0)
    return r_ij, alpha, n_r - r_ij, f_rest, eps, lam


def _summarise(rid, check: th.Check, **details) -> Row:
    res = th.RESULTS[rid]
    applies = np.asarray(check.applies).reshape(-1)
    holds = np.asarray(check.holds).reshape(-1)
    margin = np.asarray(check.margin, dtype=float).reshape(-1)
    n = int(applies.sum())
    viol = int((~holds).sum())
    worst = float(margin[applies].min()) if n else float("nan")
    return Row(res.id, res.statement, res.tag, res.proof, res.verdict, n, viol, worst, viol == 0 and n > 0, details)


def _vmapped(fn: Callable, *args):
    return jax.jit(jax.vmap(fn))(*args)


def _row_lemma1(key, n):
    n = max(4, n // 10)  # each instance draws 20,000 forget sets
    k = jax.random.split(key, 4)
    size = _int_uniform(k[0], n, 10, 1000)
    eps = _uniform(k[1], n, 0.01, 0.3)
    p = _uniform(k[2], n, 0.5, 0.99)
    keys = jax.random.split(k[3], n)
    return _summarise("lemma1", _vmapped(th.check_lemma1, keys, size, eps, p), trials_per_instance=20_000)


def _block_row(rid, fn):
    def run(key, n):
        inst = block_instances(key, n)
        return _summarise(rid, _vmapped(fn, *inst))
    return run


def _row_first_step(key, n):
    k1, k2 = jax.random.split(key)
    inst = block_instances(k1, n)
    eta = _log_uniform(k2, n, 1e-3, 2.0)
    return _summarise("first_step", _vmapped(th.check_first_step, *inst, eta))


def _row_cases(key, n):
    inst = block_instances(key, n)
    c = _vmapped(th.check_cases, *inst)
    counts = {f"case{i}": int((np.asarray(c.prediction) == i).sum()) for i in (1, 2, 3)}
    return _summarise("cases", c, **counts)


def _row_lemma5(key, n):
    inst = block_instances(key, n)
    c = _vmapped(th.check_lemma5, *inst)
    applies = np.asarray(c.applies)
    diverged = np.asarray(c.measured)[:, 1] > 0
    return _summarise("lemma5", c, case3_diverged=int((applies & diverged).sum()),
                      case2_finite=int((applies & ~diverged).sum()))


def _row_corollary1(key, n):
    k = jax.random.split(key, 3)
    lam = jnp.concatenate([jnp.array([1.0, 0.1, 0.01, 1e-3, 1e-4]), _log_uniform(k[0], n, 1e-4, 10.0)])
    m = lam.shape[0]
    n_r = _int_uniform(k[1], m, 50, 2000)
    n_f = _int_uniform(k[2], m, 1, 500)
    eta = jnp.minimum(0.5, 1.0 / lam)  # a stable step for the weight-decay recursion
    c = _vmapped(th.check_corollary1, n_r, n_f, lam, eta)
    grid = np.asarray(c.measured)[:5, 1]
    increasing = bool(np.all(np.diff(grid) > 0))  # Delta_RDA grows as lam -> 0
    c = c._replace(holds=c.holds & increasing)
    return _summarise("corollary1", c, delta_rda_lam_1_to_1e4=[round(float(x), 6) for x in grid])


def _row_app_d3(key, n):
    k = jax.random.split(key, 3)
    m = max(4, n // 40)
    a = _uniform(k[0], m, 0.1, 0.9)
    b = _uniform(k[1], m, 0.1, 0.9)
    lam = _log_uniform(k[2], m, 0.05, 0.5)
    rows = [_vmapped(lambda a, b, l, o=o: th.check_app_d3(a, b, l, order=o), a, b, lam)
            for o in ("descent_first", "ascent_first")]
    c = jax.tree.map(lambda x, y: jnp.concatenate([x, y]), *rows)
    # the C-10 instance: Case 3 fixed point at eta = 0.5 (-0.3293 in the theory note)
    fp = float(th.check_app_d3(0.5, 0.75, 0.1, eta0=0.5).measured[2])
    return _summarise("app_d3", c, c10_case3_fixed_point_eta_0_5=round(fp, 4))


def _pair_row(rid, fn, scale=1):
    def run(key, n):
        inst = pair_instances(key, scale * n)
        return _summarise(rid, _vmapped(fn, *inst))
    return run


def _row_lemma10_crossing(key, n):
    k1, k2 = jax.random.split(key)
    r_ij, alpha, r_rest, f_rest, eps, lam = pair_instances(k1, max(4, n // 20))  # 100 bisections each
    n_r = r_ij + r_rest
    n_f = jnp.maximum(alpha * r_ij + f_rest, 1.0)
    cross = _vmapped(th.check_lemma10_crossing, r_ij, n_r, n_f, eps, lam)
    suff = _vmapped(th.check_lemma10, *pair_instances(k2, 3 * n))
    cat = lambda field: jnp.concatenate([getattr(cross, field), getattr(suff, field)])
    both = th.Check(None, None, cat("holds"), cat("margin"), cat("applies"))
    gap = np.asarray(cross.measured - cross.prediction)
    return _summarise("lemma10", both, crossing_instances=int(cross.applies.shape[0]),
                      median_exact_minus_derived=[float(np.median(gap[:, 0])), float(np.median(gap[:, 1]))])


def _row_app_j(key, n):
    del key, n
    checks = [th.check_app_j(d, eps, lam) for d in (3, 5, 10) for eps in (0.1, 0.5, 0.9) for lam in (0.1, 1.0)]
    c = jax.tree.map(lambda *xs: jnp.stack(xs), *checks)
    return _summarise("app_j", c)


def _row_toy(key, n):
    del key, n
    results = {r: toy.check_claims(r)["claims"] for r in toy.READINGS}
    chosen = results["tanh"]
    holds = np.array(list(chosen.values()))
    c = th.Check(holds, holds, holds, np.where(holds, 1.0, -1.0), np.ones_like(holds))
    failing = {r: [k for k, ok in cl.items() if not ok] for r, cl in results.items() if r != "tanh"}
    trap = np.asarray(toy.finetune(toy.toy_minima(toy.WEIGHTS["da"])[0].theta))
    return _summarise("toy", c, other_readings_fail=failing, finetune_from_da_min=[round(float(x), 4) for x in trap],
                      pattern_after_finetune=toy.patterns(trap))


RUNNERS = {
    "lemma1": _row_lemma1,
    "lemma2": _block_row("lemma2", th.check_lemma2),
    "lemma3": _block_row("lemma3", th.check_lemma3),
    "first_step": _row_first_step,
    "cases": _row_cases,
    "lemma4": _block_row("lemma4", th.check_lemma4),
    "lemma5": _row_lemma5,
    "corollary1": _row_corollary1,
    "app_d3": _row_app_d3,
    "lemma6": _pair_row("lemma6", th.check_lemma6),
    "lemma7": _pair_row("lemma7", th.check_lemma7),
    "lemma8": _pair_row("lemma8", th.check_lemma8),
    "lemma9": _pair_row("lemma9", th.check_lemma9, scale=3),  # its hypotheses select ~1 in 5
    "lemma10": _row_lemma10_crossing,
    "lemma12": _pair_row("lemma12", th.check_lemma12),
    "app_j": _row_app_j,
    "toy": _row_toy,
    "logistic_ext": _block_row("logistic_ext", th.check_logistic_ext),
}
assert set(RUNNERS) == set(th.RESULTS)


def run_verify(seed: int = 0, instances: int = DEFAULT_INSTANCES, ids=None, progress=None) -> list:
    """Run the selected rows (all by default); returns a list of `Row`."""
    key = jax.random.key(seed)
    rows = []
    for i, rid in enumerate(ids or RUNNERS):
        t0 = time.perf_counter()
        row = RUNNERS[rid](jax.random.fold_in(key, i), instances)
        rows.append(row)
        if progress:
            progress(f"  {rid:<13} {row.instances:>6} instances  {time.perf_counter() - t0:5.1f} s")
    return rows


def format_table(rows) -> str:
    head = f"{'id':<13}{'tag':<20}{'instances':>10}{'violations':>11}{'worst margin':>14}  verdict"
    lines = [head, "-" * len(head)]
    for r in rows:
        verdict = ("HOLDS" if r.holds else "FAILS") + ("" if r.verdict == "holds" else f" ({r.verdict})")
        lines.append(f"{r.id:<13}{r.tag:<20}{r.instances:>10}{r.violations:>11}{r.worst_margin:>14.3g}  {verdict}")
        lines.append(f"{'':<13}{r.statement}")
    return "\n".join(lines)


def main(seed: int, instances: int, as_json: bool) -> int:
    progress = (lambda msg: print(msg, file=sys.stderr, flush=True))
    t0 = time.perf_counter()
    progress(f"ascentlab verify: {len(RUNNERS)} results, seed {seed}, {instances} instances per random row")
    rows = run_verify(seed, instances, progress=progress)
    if as_json:
        print(json.dumps([r.as_dict() for r in rows], indent=1, default=str))
    else:
        print(format_table(rows))
        print(f"\n{sum(r.holds for r in rows)}/{len(rows)} results hold  ({time.perf_counter() - t0:.1f} s)")
    return 0 if all(r.holds for r in rows) else 1

"""`ascentlab verify`: every theory check over randomised instances, many seeds, vectorised with vmap.

The rows are `ascentlab.theory.RESULTS`; each result declares its *parts*
(`Result.parts`): a check function and a sampler
`(key, n, dtype) -> {argument: array of n values}`, both in the result's
concept module. Samplers mix a random bulk with strata that hit the corners
of the statement on purpose, at every seed: the ends of Lemma 3's alpha range
exactly, alpha = 1 exactly, the Case 2/3 boundary from inside, lambda down to
1e-8, one-sample and whole-retain-set blocks, forget sets far larger than the
retain set, eps near 0 and near 1, b/a on both sides of App. D.3's flip
threshold and far beyond. `run_verify` compiles each part once and reuses it
for every seed: a vmapped part runs as `ascentlab.sweep(..., product=False)`
over its instances in chunks of a fixed size (`CHUNK` times the part's
scale), so it compiles once whatever `--instances` is. It computes in float64 (`dtype`) and says so if JAX's x64
mode is off instead of silently computing in float32.

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
from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from . import theory as th
from ._validate import require_dtype
from .sweep import sweep
from .theory import Part

DEFAULT_INSTANCES = 2000
# instances per compiled chunk of a part of scale 1 (a part of scale s: s * CHUNK, at least 4): fixed, so each
# part compiles once whatever --instances is; the default 2000 instances run as 4 chunks
CHUNK = 512


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
    check = lambda **params: part.check(**params, **static)  # noqa: E731  (one function: sweep caches on it)
    chunk = _count(part, CHUNK)

    def batched(params):
        return sweep(check, params, product=False, chunk_size=chunk, progress=False)

    return _CompiledPart(part, batched)


def _count(part: Part, n: int) -> int:
    return max(4, int(round(part.scale * n))) if part.vmap else max(1, int(round(part.scale * n)))


def _run_part(cp: _CompiledPart, key, n, dtype):
    params = cp.part.sample(key, _count(cp.part, n), dtype)
    return params, cp.fn(params)


def run_verify(seeds=(0,), instances: int = DEFAULT_INSTANCES, ids=None, progress=None, max_failures: int = 5,
               dtype=jnp.float64) -> list:
    """Run the selected rows (all by default) at every seed in `seeds`; returns a list of `Row`.

    Each part is compiled once (the first seed, one fixed chunk shape) and reused for the others.
    The instances are sampled in `dtype` (float64: the tolerances are
    float64 error bounds; JAX's x64 mode must be on).
    """
    dtype = require_dtype("run_verify", dtype)
    seeds = list(seeds)
    rows = []
    from ._interrupt import check as check_interrupt

    for rid in ids or th.RESULTS:
        check_interrupt()
        res = th.RESULTS[rid]
        t0 = time.perf_counter()
        compiled = [_compile(p) for p in res.parts]
        applies_n = viol = 0
        worst = math.inf
        failures, collected = [], []
        for seed in seeds:
            key = jax.random.fold_in(jax.random.key(seed), res.stream)
            for j, cp in enumerate(compiled):
                params, c = _run_part(cp, jax.random.fold_in(key, j), instances, dtype)
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
        details = res.details(collected) if res.details else {}
        ok = viol == 0 and applies_n > 0
        rows.append(Row(res.id, res.statement, res.tag, res.proof, res.verdict, [seeds[0], seeds[-1] + 1],
                        applies_n, viol, worst, ok, details, failures))
        if progress:
            progress(f"  {rid:<13} {applies_n:>7} instances {viol:>4} violations  worst margin {worst:9.3g}  "
                     f"{time.perf_counter() - t0:6.1f} s")
    return rows


def format_table(rows) -> str:
    head = f"{'id':<13}{'tag':<24}{'instances':>10}{'violations':>11}{'worst margin':>14}  verdict"
    lines = [head, "-" * len(head)]
    for r in rows:
        verdict = ("HOLDS" if r.holds else "FAILS") + ("" if r.verdict == "holds" else f" ({r.verdict})")
        if r.instances == 0:
            verdict = "FAILS (no instance met the hypotheses: raise --instances)"
        lines.append(f"{r.id:<13}{r.tag:<24}{r.instances:>10}{r.violations:>11}{r.worst_margin:>14.3g}  {verdict}")
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
    ids = ids or list(th.RESULTS)
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

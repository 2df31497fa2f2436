"""Case `latency`: what a lecturer waits for, cold and warm, `ascentlab verify` and `ascentlab figures --fast`.

Each command runs in a fresh subprocess (`python -m ascentlab ...`, the
console script's code) with `ASCENTLAB_CACHE_DIR` set to a new empty folder
for the cold run and to the same folder again for the warm runs, so the warm
runs find the cold run's persistent compilation cache (when ascentlab has
one; without it, warm equals cold). Wall-clock time of the whole process,
imports included, and its CPU time (user + system) beside it.

Goals (issue 9, on 2 cores): warm `verify` at most 10 s, warm `figures --fast`
at most 15 s.
"""

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

from ._core import CaseResult, Goal, Row, Timing, progress

NAME = "latency"
COMMANDS = {"verify": (["verify"], 10.0), "figures --fast": (["figures", "--fast", "--out", None], 15.0)}


def _children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _run(args, env, cwd, cpu):
    """Wall-clock seconds of one `python -m ascentlab ARGS`; its CPU seconds are appended to `cpu`."""
    t0, c0 = time.perf_counter(), _children_cpu()
    p = subprocess.run([sys.executable, "-m", "ascentlab", *args], env=env, cwd=cwd, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    cpu.append(_children_cpu() - c0)
    if p.returncode != 0:
        raise RuntimeError(f"`ascentlab {' '.join(args)}` exited {p.returncode}: {p.stderr.strip()[-300:]}")
    return dt


def run(cfg) -> CaseResult:
    warm_runs = 1 if cfg.quick else cfg.long_repeats
    res = CaseResult(NAME, sizes=f"cold run, then {warm_runs} warm run(s) per command, each a fresh process")
    goals_apply = not cfg.gpu
    for label, (args, limit) in COMMANDS.items():
        with tempfile.TemporaryDirectory(prefix="ascentlab-bench-") as tmp:
            cache = os.path.join(tmp, "cache")
            out = os.path.join(tmp, "out")
            env = {k: v for k, v in os.environ.items() if k != "ASCENTLAB_JAX_CACHE"}
            env["ASCENTLAB_CACHE_DIR"] = cache
            env["MPLBACKEND"] = "Agg"
            argv = [out if a is None else a for a in args]
            progress(f"{NAME}: ascentlab {label}, cold (empty cache folder)")
            cpu = []
            cold = _run(argv, env, tmp, cpu)
            warm = []
            for i in range(warm_runs):
                progress(f"{NAME}: ascentlab {label}, warm {i + 1}/{warm_runs}")
                warm.append(_run(argv, env, tmp, cpu))
            cached = os.path.isdir(cache) and any(os.scandir(cache))
        t = Timing(cold, tuple(warm))
        res.timings[f"ascentlab {label}"] = t
        # CPU seconds (user + system, all threads) beside the wall clock: on a shared machine the wall clock
        # grows with the load, the CPU time much less; on a quiet machine wall <= CPU with 2 busy threads.
        res.rows += [
            Row(NAME, f"ascentlab {label}, cold", cold, note=f"CPU {cpu[0]:.0f} s"),
            Row(NAME, f"ascentlab {label}, warm", statistics.median(warm),
                goal=Goal("seconds", "<=", limit, f"<= {limit:g} s (2 cores)") if goals_apply else None,
                note=f"CPU {statistics.median(cpu[1:]):.0f} s" + ("" if cached else "; no compilation cache written")),
        ]
    return res

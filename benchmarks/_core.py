"""Timing, statistics, goals and report formatting shared by every benchmark case.

A case times ascentlab and its baseline in the same process (so that load from
other processes affects both alike), calls each once first (that call includes
JAX's compilation), then repeats it warm. It reports the warm median, the
compile time (first call minus warm median, floored at 0) and the ratio
measured / baseline. A `Goal` states what the issue asks of a row; `Row.met`
says whether the measurement meets it.

Nothing here imports JAX at module level, so that the statistics and the
formatting are testable without it.
"""

import dataclasses
import datetime
import json
import math
import os
import platform
import statistics
import sys
import time
from typing import Callable, Optional

__all__ = [
    "Timing", "Goal", "Row", "CaseResult", "Config", "time_call", "timing_from", "machine_info",
    "format_text", "format_markdown", "to_json", "from_json", "progress", "fmt_seconds", "fmt_ratio",
]

METRICS = ("ratio", "speedup", "seconds", "value")
OPS = ("<=", ">=")


def progress(message: str) -> None:
    """One progress line on stderr (stdout carries only the report)."""
    print(f"[benchmarks {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclasses.dataclass(frozen=True)
class Timing:
    """One timed callable: the first call (compilation included) and the warm repeats, in seconds.

    `median` is the median of the warm repeats (the first call itself when there
    are none), times `scale` when a sampled loop is extrapolated; `compile` is
    the first call minus the unscaled warm median, floored at 0 (the one-time
    compile JAX spends before the first run; about 0 for numpy or scipy code).
    """

    first: float
    repeats: tuple = ()
    scale: float = 1.0  # extrapolation factor: a sampled loop times `scale` x the sampled cost

    def __post_init__(self):
        if not (math.isfinite(self.first) and self.first >= 0):
            raise ValueError(f"Timing: first={self.first!r} must be a finite time >= 0")
        if any(not (math.isfinite(t) and t >= 0) for t in self.repeats):
            raise ValueError(f"Timing: repeats={self.repeats!r} must be finite times >= 0")
        if not (math.isfinite(self.scale) and self.scale > 0):
            raise ValueError(f"Timing: scale={self.scale!r} must be finite and > 0")

    @property
    def n(self) -> int:
        return len(self.repeats)

    @property
    def median(self) -> float:
        return self.scale * (statistics.median(self.repeats) if self.repeats else self.first)

    @property
    def compile(self) -> float:
        return max(self.first - self.median / self.scale, 0.0)

    @property
    def spread(self) -> float:
        """(max - min) / median of the warm repeats: how noisy the machine was (0 with fewer than 2)."""
        if len(self.repeats) < 2 or statistics.median(self.repeats) == 0:
            return 0.0
        return (max(self.repeats) - min(self.repeats)) / statistics.median(self.repeats)

    def as_dict(self) -> dict:
        return {"median_s": self.median, "compile_s": self.compile, "first_s": self.first,
                "repeats_s": list(self.repeats), "n": self.n, "spread": self.spread, "extrapolation": self.scale}


def timing_from(times, *, scale: float = 1.0) -> Timing:
    """A `Timing` from a list of call times: the first, then the warm repeats."""
    times = list(times)
    if not times:
        raise ValueError("timing_from: times=[] must hold at least one call time")
    return Timing(times[0], tuple(times[1:]), scale)


def _block(out):
    """Wait for JAX's asynchronous dispatch to finish (a no-op on numpy and Python values)."""
    try:
        import jax
    except ImportError:  # pragma: no cover - jax is a runtime dependency
        return out
    return jax.block_until_ready(out)


def time_call(fn: Callable[[], object], *, repeats: int, budget_s: float = math.inf,
              min_repeats: int = 3, clock=time.perf_counter) -> tuple[Timing, object]:
    """Call `fn()` once (the first call, with compilation), then up to `repeats` times warm.

    Every call's result is waited for (`jax.block_until_ready`). Warm repeats
    stop early once their total exceeds `budget_s`, but never before
    `min(min_repeats, repeats)` of them (default 3: every median is of at
    least three runs; the number of repeats is in the result). Returns the
    `Timing` and the last call's result.
    """
    if repeats < 1 or min_repeats < 1:
        raise ValueError(f"time_call: repeats={repeats}, min_repeats={min_repeats} must be >= 1")
    min_repeats = min(min_repeats, repeats)
    t0 = clock()
    out = _block(fn())
    first = clock() - t0
    warm = []
    for i in range(repeats):
        t0 = clock()
        out = _block(fn())
        warm.append(clock() - t0)
        if i + 1 >= min_repeats and sum(warm) > budget_s:
            break
    return Timing(first, tuple(warm)), out


@dataclasses.dataclass(frozen=True)
class Goal:
    """A target from issue 9's "Goals": `metric op threshold` ("ratio <= 2": at most 2x the baseline's time).

    `metric` is one of "ratio" (measured time / baseline time), "speedup"
    (baseline time / measured time), "seconds" (the measured time) or
    "value" (a row's non-time quantity, e.g. a gradient norm).
    """

    metric: str
    op: str
    threshold: float
    text: str = ""

    def __post_init__(self):
        if self.metric not in METRICS:
            raise ValueError(f"Goal: metric={self.metric!r} must be one of {METRICS}")
        if self.op not in OPS:
            raise ValueError(f"Goal: op={self.op!r} must be one of {OPS}")
        if not (isinstance(self.threshold, (int, float)) and math.isfinite(self.threshold) and self.threshold > 0):
            raise ValueError(f"Goal: threshold={self.threshold!r} must be a finite number > 0")

    def met(self, x: Optional[float]) -> Optional[bool]:
        """True/False when `x` is a number; None when it is missing or not finite (nothing measured)."""
        if x is None or not math.isfinite(x):
            return None
        return x <= self.threshold if self.op == "<=" else x >= self.threshold

    def describe(self) -> str:
        if self.text:
            return self.text
        unit = {"ratio": "x baseline", "speedup": "x faster", "seconds": " s", "value": ""}[self.metric]
        return f"{self.op} {self.threshold:g}{unit}"


@dataclasses.dataclass
class Row:
    """One line of the report: ascentlab's median time (or a value) against a baseline's.

    `ratio` is seconds / baseline_s (below 1: ascentlab is faster); `speedup`
    its inverse. A row without a baseline has neither.
    """

    case: str
    what: str
    seconds: Optional[float] = None
    baseline: str = ""
    baseline_s: Optional[float] = None
    goal: Optional[Goal] = None
    value: Optional[float] = None
    unit: str = ""
    compile_s: Optional[float] = None
    note: str = ""

    @property
    def ratio(self) -> Optional[float]:
        if self.seconds is None or not self.baseline_s:
            return None
        return self.seconds / self.baseline_s

    @property
    def speedup(self) -> Optional[float]:
        if not self.seconds or self.baseline_s is None:
            return None
        return self.baseline_s / self.seconds

    @property
    def met(self) -> Optional[bool]:
        if self.goal is None:
            return None
        return self.goal.met(getattr(self, self.goal.metric))

    def as_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "goal"}
        d.update(ratio=self.ratio, speedup=self.speedup, met=self.met,
                 goal=None if self.goal is None else {**dataclasses.asdict(self.goal), "text": self.goal.describe()})
        return d


@dataclasses.dataclass
class CaseResult:
    """A case's rows, its timings by name, its correctness checks (name -> (ok, detail)) and free notes."""

    name: str
    rows: list = dataclasses.field(default_factory=list)
    timings: dict = dataclasses.field(default_factory=dict)
    checks: dict = dataclasses.field(default_factory=dict)
    notes: list = dataclasses.field(default_factory=list)
    sizes: str = ""
    error: str = ""

    def check(self, name: str, ok: bool, detail: str) -> None:
        self.checks[name] = (bool(ok), detail)
        progress(f"{self.name}: check {name}: {'ok' if ok else 'FAILED'} ({detail})")

    def as_dict(self) -> dict:
        return {"name": self.name, "sizes": self.sizes, "error": self.error,
                "rows": [r.as_dict() for r in self.rows],
                "timings": {k: t.as_dict() for k, t in self.timings.items()},
                "checks": {k: {"ok": ok, "detail": det} for k, (ok, det) in self.checks.items()},
                "notes": list(self.notes)}


@dataclasses.dataclass(frozen=True)
class Config:
    """What a run asks for: `quick` (reduced sizes), `gpu` (the GPU rows), repeats for short and long calls."""

    quick: bool = False
    gpu: bool = False
    repeats: int = 5
    long_repeats: int = 3
    budget_s: float = 60.0  # warm repeats of one call stop after this much time (but never before three)


def machine_info() -> dict:
    """CPU model, cores, backend and device kind, library versions, date (UTC)."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    info = {"cpu": cpu, "cores": os.cpu_count(),
            "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
            "python": platform.python_version(),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    try:
        import jax
        import numpy

        devices = jax.devices()
        info.update(backend=jax.default_backend(), device_kind=devices[0].device_kind, devices=len(devices),
                    jax=jax.__version__, numpy=numpy.__version__, x64=bool(jax.config.jax_enable_x64))
    except Exception as err:  # pragma: no cover - reported, never fatal
        info["jax_error"] = repr(err)
    return info


def fmt_seconds(s: Optional[float]) -> str:
    if s is None or not math.isfinite(s):
        return "-"
    if s >= 100:
        return f"{s:,.0f} s"
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.1f} ms"
    return f"{s * 1e6:.0f} us"


def fmt_ratio(x: Optional[float]) -> str:
    if x is None or not math.isfinite(x):
        return "-"
    if x >= 100:
        return f"{x:,.0f}x"
    if x >= 10:
        return f"{x:.1f}x"
    return f"{x:.2f}x"


def _measured(row: Row) -> str:
    if row.value is not None:
        return f"{row.value:.3g}{(' ' + row.unit) if row.unit else ''}"
    return fmt_seconds(row.seconds)


def _relative(row: Row) -> str:
    if row.ratio is None:
        return "-"
    if row.ratio < 1 or (row.goal is not None and row.goal.metric == "speedup"):
        return f"{fmt_ratio(row.speedup)} faster"
    return f"{fmt_ratio(row.ratio)} baseline"


def _met(row: Row) -> str:
    return {True: "met", False: "not met", None: "-"}[row.met]


def _machine_line(machine: dict) -> str:
    return (f"{machine.get('cpu', '?')}, {machine.get('cores_usable', '?')} cores; JAX {machine.get('jax', '?')} on "
            f"{machine.get('backend', '?')} ({machine.get('device_kind', '?')} x{machine.get('devices', '?')}); "
            f"numpy {machine.get('numpy', '?')}; float64={machine.get('x64', '?')}; {machine.get('date', '?')}")


def format_markdown(results, machine: dict, *, quick: bool) -> str:
    """The README's performance table: case, what, time, baseline, ratio, goal, met."""
    lines = [f"Machine: {_machine_line(machine)}. Mode: {'--quick (reduced sizes)' if quick else 'full'}.", "",
             "| case | measured | time | baseline | ratio | goal | met |",
             "|---|---|---|---|---|---|---|"]
    def line(*cells):
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"  # a "|" in a cell is escaped

    for res in results:
        if res.error:
            lines.append(line(res.name, f"error: {res.error}", *"-----"))
        for r in res.rows:
            base = f"{r.baseline} {fmt_seconds(r.baseline_s)}" if r.baseline else "-"
            what = r.what + (f" ({r.note})" if r.note else "")
            goal = r.goal.describe() if r.goal else "-"
            lines.append(line(r.case, what, _measured(r), base, _relative(r), goal, _met(r)))
    return "\n".join(lines)


def format_text(results, machine: dict, *, quick: bool) -> str:
    """The human report: machine, then per case its sizes, rows, compile times, checks and notes."""
    out = [f"ascentlab benchmarks ({'quick' if quick else 'full'})", f"machine: {_machine_line(machine)}", ""]
    for res in results:
        out.append(f"== {res.name}: {res.sizes}")
        if res.error:
            out.append(f"   ERROR: {res.error}")
        for r in res.rows:
            base = f"  vs {r.baseline} {fmt_seconds(r.baseline_s)}" if r.baseline else ""
            comp = f"  (compile {fmt_seconds(r.compile_s)})" if r.compile_s else ""
            goal = f"  goal {r.goal.describe()}: {_met(r)}" if r.goal else ""
            rel = f"  -> {_relative(r)}" if r.ratio is not None else ""
            note = f"  [{r.note}]" if r.note else ""
            out.append(f"   {r.what}: {_measured(r)}{comp}{base}{rel}{goal}{note}")
        for name, t in res.timings.items():
            ext = f", extrapolated x{t.scale:g}" if t.scale != 1 else ""
            out.append(f"   timing {name}: median {fmt_seconds(t.median)} of {t.n} warm, first "
                       f"{fmt_seconds(t.first)}, compile {fmt_seconds(t.compile)}, spread {t.spread:.0%}{ext}")
        for name, (ok, detail) in res.checks.items():
            out.append(f"   check {name}: {'ok' if ok else 'FAILED'} ({detail})")
        for note in res.notes:
            out.append(f"   note: {note}")
        out.append("")
    return "\n".join(out)


def to_json(results, machine: dict, *, quick: bool) -> str:
    """Machine-readable results (NaN and infinities become null: strict JSON)."""
    def clean(x):
        if isinstance(x, float) and not math.isfinite(x):
            return None
        if isinstance(x, dict):
            return {k: clean(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [clean(v) for v in x]
        return x

    doc = {"machine": machine, "quick": quick, "cases": [r.as_dict() for r in results]}
    return json.dumps(clean(doc), indent=1, allow_nan=False)


def from_json(text: str):
    """`(results, machine, quick)` read back from `to_json`'s output, to print its table or report again."""
    doc = json.loads(text)
    results = []
    for c in doc["cases"]:
        res = CaseResult(c["name"], sizes=c.get("sizes", ""), error=c.get("error", ""), notes=list(c.get("notes", [])))
        for r in c["rows"]:
            g = r.get("goal")
            goal = None if g is None else Goal(g["metric"], g["op"], g["threshold"], g.get("text", ""))
            res.rows.append(Row(r["case"], r["what"], r.get("seconds"), r.get("baseline", ""), r.get("baseline_s"),
                                goal, r.get("value"), r.get("unit", ""), r.get("compile_s"), r.get("note", "")))
        for name, t in c.get("timings", {}).items():
            res.timings[name] = Timing(t["first_s"], tuple(t["repeats_s"]), t.get("extrapolation", 1.0))
        res.checks = {name: (ch["ok"], ch["detail"]) for name, ch in c.get("checks", {}).items()}
        results.append(res)
    return results, doc["machine"], doc["quick"]

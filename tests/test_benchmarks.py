"""The benchmark suite's own logic: statistics, ratios, goals, and its --markdown / --json output.

No real benchmarking here (the suite runs with `python -m benchmarks`): the timings are synthetic, from a
fake clock or written out, and every expected number is worked out in the test by hand.
"""

import json
import math
import re
import sys
import types

import pytest

from benchmarks import __main__ as bench_main
from benchmarks._core import CaseResult, Config, Goal, Row, Timing, format_markdown, format_text, from_json, \
    time_call, timing_from, to_json

MACHINE = {"cpu": "Test CPU", "cores_usable": 2, "backend": "cpu", "device_kind": "cpu", "devices": 1,
           "jax": "0", "numpy": "0", "x64": True, "date": "2026-01-01 00:00 UTC"}


def test_timing_statistics():
    t = Timing(5.0, (1.0, 3.0, 2.0))
    assert t.median == 2.0  # median of 1, 2, 3
    assert t.compile == 3.0  # first call 5 minus the warm median 2
    assert t.spread == pytest.approx((3.0 - 1.0) / 2.0)
    assert Timing(1.0, (2.0,)).compile == 0.0  # a first call faster than the warm one: no negative compile
    assert Timing(4.0).median == 4.0  # no repeats: the first call is all there is
    even = Timing(9.0, (1.0, 2.0, 4.0, 10.0))
    assert even.median == 3.0  # (2 + 4) / 2


def test_timing_extrapolation_scales_the_median_not_the_compile():
    # A loop sampled on 10 of 1000 cells: 0.5 s warm per sample -> 50 s for the grid; the first sample took
    # 0.8 s, so 0.3 s was a one-time cost, which does not repeat per sample.
    t = Timing(0.8, (0.5, 0.5, 0.5), scale=100.0)
    assert t.median == pytest.approx(50.0)
    assert t.compile == pytest.approx(0.3)


@pytest.mark.parametrize("kwargs", [dict(first=-1.0), dict(first=math.nan), dict(first=1.0, repeats=(1.0, math.inf)),
                                    dict(first=1.0, scale=0.0)])
def test_timing_rejects_bad_values(kwargs):
    with pytest.raises(ValueError, match="Timing"):
        Timing(**kwargs)


def test_timing_from_list():
    t = timing_from([3.0, 1.0, 2.0])
    assert (t.first, t.repeats) == (3.0, (1.0, 2.0))
    with pytest.raises(ValueError, match="times"):
        timing_from([])


class FakeClock:
    """A clock in which call i of the timed function takes durations[i] seconds."""

    def __init__(self, durations):
        self.durations = list(durations)
        self.now = 0.0
        self.calls = 0
        self.reading_start = True

    def __call__(self):
        if not self.reading_start:
            self.now += self.durations[self.calls]
            self.calls += 1
        self.reading_start = not self.reading_start
        return self.now


def test_time_call_first_then_warm_repeats():
    clock = FakeClock([7.0, 2.0, 1.0, 3.0])
    calls = []
    t, out = time_call(lambda: calls.append(1) or len(calls), repeats=3, clock=clock)
    assert len(calls) == 4 and out == 4  # one first call and three repeats; the last result is returned
    assert t.first == 7.0 and t.repeats == (2.0, 1.0, 3.0)
    assert t.median == 2.0 and t.compile == 5.0


def test_time_call_budget_stops_after_min_repeats():
    clock = FakeClock([1.0, 6.0, 6.0, 6.0, 6.0])
    t, _ = time_call(lambda: None, repeats=4, budget_s=10.0, min_repeats=1, clock=clock)
    assert t.repeats == (6.0, 6.0)  # 6 <= 10 goes on; 12 > 10 stops
    clock = FakeClock([1.0, 6.0, 6.0, 6.0, 6.0])
    t, _ = time_call(lambda: None, repeats=4, budget_s=1.0, min_repeats=3, clock=clock)
    assert t.repeats == (6.0, 6.0, 6.0)  # over budget at once, but never fewer than min_repeats
    clock = FakeClock([1.0] + [6.0] * 5)
    t, _ = time_call(lambda: None, repeats=5, budget_s=1.0, clock=clock)
    assert t.n == 3  # the default: a median of at least three
    clock = FakeClock([1.0, 6.0, 6.0])
    t, _ = time_call(lambda: None, repeats=2, budget_s=1.0, clock=clock)
    assert t.n == 2  # never more than asked
    with pytest.raises(ValueError, match="repeats"):
        time_call(lambda: None, repeats=0)


@pytest.mark.parametrize("metric, op, threshold, x, expected", [
    ("ratio", "<=", 2.0, 1.9, True), ("ratio", "<=", 2.0, 2.0, True), ("ratio", "<=", 2.0, 2.1, False),
    ("speedup", ">=", 1000, 999.0, False), ("speedup", ">=", 1000, 1000.0, True),
    ("seconds", "<=", 10, 12.0, False), ("value", "<=", 1e-12, 3e-13, True),
    ("ratio", "<=", 1.0, None, None), ("ratio", "<=", 1.0, math.nan, None),
])
def test_goal_met(metric, op, threshold, x, expected):
    assert Goal(metric, op, threshold).met(x) is expected


@pytest.mark.parametrize("args, name", [(("time", "<=", 1.0), "metric"), (("ratio", "<", 1.0), "op"),
                                        (("ratio", "<=", 0.0), "threshold"), (("ratio", "<=", math.inf), "threshold")])
def test_goal_rejects_bad_values(args, name):
    with pytest.raises(ValueError, match=name):
        Goal(*args)


def test_row_ratio_speedup_and_met():
    r = Row("c", "x", seconds=3.0, baseline="b", baseline_s=12.0, goal=Goal("speedup", ">=", 5))
    assert r.ratio == 0.25 and r.speedup == 4.0
    assert r.met is False  # 4x faster, 5x asked
    r.goal = Goal("ratio", "<=", 0.3)
    assert r.met is True
    value = Row("c", "grad", value=2e-13, goal=Goal("value", "<=", 1e-12))
    assert value.ratio is None and value.met is True
    assert Row("c", "no goal", seconds=1.0, baseline_s=2.0).met is None
    assert Row("c", "no baseline", seconds=1.0, goal=Goal("ratio", "<=", 1.0)).met is None


def synthetic_results(ok=True):
    res = CaseResult("toy", sizes="n=3")
    res.rows = [
        Row("toy", "fast thing", seconds=0.5, baseline="slow loop", baseline_s=2.0, goal=Goal("ratio", "<=", 1.0, "<= 1x")),
        Row("toy", "slow thing", seconds=30.0, baseline="bound", baseline_s=10.0, goal=Goal("ratio", "<=", 2.0)),
        Row("toy", "||grad||", value=1e-15, unit="", goal=Goal("value", "<=", 1e-12)),
        Row("toy", "info only", seconds=1.0),
    ]
    res.timings["fast thing"] = Timing(1.5, (0.5, 0.4, 0.6))
    res.check("same answer", ok, "difference 0")
    return [res]


def table_rows(markdown):
    lines = [line for line in markdown.splitlines() if line.startswith("|")]
    header, sep, *body = lines
    # split on the column bars only: a "|" inside a cell is written "\\|" (the norm ||grad||, say)
    cells = lambda line: [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip()[1:-1])]
    assert cells(header) == ["case", "measured", "time", "baseline", "ratio", "goal", "met"]
    assert set(sep.replace("|", "")) == {"-"}
    return [cells(line) for line in body]


def test_markdown_table():
    md = format_markdown(synthetic_results(), MACHINE, quick=True)
    assert "Test CPU" in md and "2026-01-01" in md and "--quick" in md
    rows = table_rows(md)
    assert len(rows) == 4 and all(len(r) == 7 for r in rows)
    fast, slow, grad, info = rows
    assert fast[2] == "500.0 ms" and fast[3] == "slow loop 2.00 s" and fast[4] == "4.00x faster" and fast[6] == "met"
    assert slow[4] == "3.00x baseline" and slow[5] == "<= 2x baseline" and slow[6] == "not met"
    assert grad[1] == "||grad||" and grad[2] == "1e-15" and grad[6] == "met"
    assert "| \\|\\|grad\\|\\| |" in md  # escaped, so that markdown keeps seven columns
    assert info[3] == "-" and info[4] == "-" and info[5] == "-" and info[6] == "-"


def test_json_is_strict_and_complete():
    results = synthetic_results()
    results[0].rows.append(Row("toy", "nan value", value=math.nan))
    doc = json.loads(to_json(results, MACHINE, quick=False))
    assert doc["machine"]["cpu"] == "Test CPU" and doc["quick"] is False
    (case,) = doc["cases"]
    fast, slow, grad, info, nan_row = case["rows"]
    assert fast["ratio"] == 0.25 and fast["speedup"] == 4.0 and fast["met"] is True
    assert slow["ratio"] == 3.0 and slow["met"] is False and slow["goal"]["threshold"] == 2.0
    assert grad["met"] is True and info["met"] is None and nan_row["value"] is None  # NaN -> null
    t = case["timings"]["fast thing"]
    assert t["median_s"] == 0.5 and t["compile_s"] == 1.0 and t["n"] == 3
    assert case["checks"]["same answer"] == {"ok": True, "detail": "difference 0"}


def test_text_report_names_checks_and_goals():
    text = format_text(synthetic_results(ok=False), MACHINE, quick=False)
    assert "== toy: n=3" in text and "check same answer: FAILED" in text and "goal <= 2x baseline: not met" in text


@pytest.fixture
def fake_case(monkeypatch):
    """A tiny case module `benchmarks.fake` that the command line can run."""
    state = {"ok": True, "raise": False}

    def run(cfg):
        assert isinstance(cfg, Config)
        if state["raise"]:
            raise RuntimeError("boom")
        t, out = time_call(lambda: sum(range(100)), repeats=3)
        res = CaseResult("fake", sizes="tiny")
        res.rows.append(Row("fake", "sum", seconds=t.median, baseline="itself", baseline_s=t.median,
                            goal=Goal("ratio", "<=", 1.0)))
        res.check("sum", state["ok"] and out == 4950, f"sum {out}")
        return res

    module = types.ModuleType("benchmarks.fake")
    module.run = run
    monkeypatch.setitem(sys.modules, "benchmarks.fake", module)
    monkeypatch.setattr(bench_main, "CASES", ("fake",))
    return state


def test_command_line_markdown_and_json(fake_case, capsys):
    assert bench_main.main(["--quick", "--only", "fake", "--markdown", "--json"]) == 0
    out = capsys.readouterr().out
    md, js = out.split("\n{", 1)
    (row,) = table_rows(md)
    assert row[0] == "fake" and row[4] == "1.00x baseline" and row[6] == "met"  # a time against itself: ratio 1
    doc = json.loads("{" + js)
    assert doc["quick"] is True and doc["cases"][0]["rows"][0]["ratio"] == 1.0


def test_command_line_fails_on_a_failed_check_or_error(fake_case, capsys):
    fake_case["ok"] = False
    assert bench_main.main(["--only", "fake"]) == 1
    assert "check sum: FAILED" in capsys.readouterr().out
    fake_case["raise"] = True
    assert bench_main.main(["--only", "fake", "--markdown"]) == 1
    assert "error: RuntimeError: boom" in capsys.readouterr().out


def test_command_line_rejects_unknown_case(fake_case, capsys):
    with pytest.raises(SystemExit) as exc:
        bench_main.main(["--only", "nope"])
    assert exc.value.code == 2 and "nope" in capsys.readouterr().err


def test_json_round_trip_and_from_json_command(tmp_path, capsys):
    results = synthetic_results(ok=False)
    text = to_json(results, MACHINE, quick=True)
    back, machine, quick = from_json(text)
    assert machine == MACHINE and quick is True
    assert to_json(back, machine, quick=quick) == text  # nothing lost
    assert format_markdown(back, machine, quick=True) == format_markdown(results, MACHINE, quick=True)
    path = tmp_path / "run.json"
    path.write_text(text)
    assert bench_main.main(["--from-json", str(path), "--markdown"]) == 1  # the stored run had a failed check
    assert table_rows(capsys.readouterr().out)[1][6] == "not met"
    assert bench_main.main(["--from-json", str(tmp_path / "missing.json")]) == 2
    assert "missing.json" in capsys.readouterr().err

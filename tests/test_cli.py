"""`ascentlab demo`: the printed table and the written figure."""

import re
import subprocess
import sys

import matplotlib.image as mpimg
import numpy as np
import pytest
from scipy.special import lambertw as sp_lambertw

from ascentlab.cli import main


def numpy_da_distances(eta=0.5, steps=100):
    """DA on the demo problem in plain numpy: per coordinate
    w <- w - eta ((b_j - a_j) e^{-w} + lam w), from Lemma 2's w^D."""
    a, b, lam = np.array([0.5, 0.5]), np.array([0.4, 0.6]), 0.5
    c_d = np.array([58.0, 62.0]) / 120
    w = sp_lambertw(c_d / lam).real
    w_r = sp_lambertw(a / lam).real
    out = [np.linalg.norm(w - w_r)]
    for _ in range(steps):
        w = w - eta * ((b - a) * np.exp(-w) + lam * w)
        out.append(np.linalg.norm(w - w_r))
    return np.array(out)


def test_demo_prints_table_and_writes_figures(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    rows = dict(re.findall(r"^\s+(\d+)\s+([0-9.]+)\s+[0-9.]+$", out, flags=re.M))
    ref = numpy_da_distances()
    assert sorted(int(t) for t in rows) == [0, 1, 2, 5, 10, 20, 100]
    for t, dist in rows.items():
        assert abs(float(dist) - ref[int(t)]) <= 5e-7  # printed to 6 decimals
    assert "minimum" in out
    for name in ("demo.png", "demo.pdf"):
        assert (tmp_path / name).stat().st_size > 10_000
    img = mpimg.imread(tmp_path / "demo.png")
    assert img.shape[0] > 300 and img.shape[1] > 600
    assert img[..., :3].std() > 0.05  # not blank
    assert not list(tmp_path.glob(".demo-*"))  # no temporary files left behind


def test_console_entry_point_help():
    proc = subprocess.run([sys.executable, "-m", "ascentlab", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "demo" in proc.stdout


# ----------------------------------------------------------- first-hour errors: one line, no traceback --


def _fail_if_computed(monkeypatch):
    from ascentlab import figures

    def boom(*a, **k):
        raise AssertionError("computed before checking the output folder")

    monkeypatch.setattr(figures, "figure_data", boom)


def test_figure_out_onto_an_existing_file_is_one_line_before_computing(tmp_path, capsys, monkeypatch):
    _fail_if_computed(monkeypatch)
    target = tmp_path / "taken.txt"
    target.write_text("mine")
    assert main(["figure", "fig4", "--out", str(target)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "exists and is not a folder" in err and "Traceback" not in err
    assert target.read_text() == "mine"


def test_figure_out_below_a_file_is_one_line(tmp_path, capsys, monkeypatch):
    _fail_if_computed(monkeypatch)
    (tmp_path / "f").write_text("")
    assert main(["figures", "--out", str(tmp_path / "f" / "sub")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("ascentlab figures: error: output folder") and err.count("\n") == 0


def test_figure_out_read_only_folder_is_one_line(tmp_path, capsys, monkeypatch):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        probe = ro / "probe"
        try:  # root ignores permission bits: then there is nothing read-only to test here
            probe.write_text("")
            probe.unlink()
            pytest.skip("running as a user who can write into a 0555 folder (root)")
        except PermissionError:
            pass
        _fail_if_computed(monkeypatch)
        assert main(["figure", "fig4", "--out", str(ro)]) == 2
        err = capsys.readouterr().err.strip()
        assert "cannot write there" in err and err.count("\n") == 0
    finally:
        ro.chmod(0o755)


def test_demo_out_onto_a_file_is_one_line(tmp_path, capsys):
    target = tmp_path / "x"
    target.write_text("")
    assert main(["demo", "--out", str(target)]) == 2
    assert "exists and is not a folder" in capsys.readouterr().err


def test_an_interrupted_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    from ascentlab.figures import _common

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(_common.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _common.write_atomic(tmp_path / "fig.png", b"x" * 1000)
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_during_a_figure_exits_130_and_leaves_nothing(tmp_path):
    import os
    import signal
    import time

    env = {**os.environ, "MPLBACKEND": "Agg"}
    # all nine full-size figures: long enough to interrupt. The command restores Ctrl-C itself, so this
    # works even though a pytest-xdist worker (our parent) may run with SIGINT ignored
    proc = subprocess.Popen([sys.executable, "-m", "ascentlab", "figures", "--out", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    seen, deadline = "", time.time() + 120
    while not seen.endswith("fig4 ...") and time.time() < deadline:  # printed without a newline
        char = proc.stdout.read(1)
        if not char:
            break
        seen += char
    assert seen.endswith("fig4 ..."), seen
    time.sleep(1.0)  # inside the computation of the first figure (several seconds at full size)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err[-2000:]
    assert "interrupted" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # no figure, no hidden temporary file


def test_proofs_command_runs_every_derivation(capsys):
    import proofs

    assert main(["proofs"]) == 0
    out = capsys.readouterr().out
    assert f"{len(proofs.MODULES)}/{len(proofs.MODULES)} derivations check" in out
    assert main(["proofs", "--latex", "lemma2"]) == 0
    assert capsys.readouterr().out.startswith("\\begin{aligned}")
    assert main(["proofs", "--latex", "lemma99"]) == 2
    err = capsys.readouterr().err.strip()
    assert "no derivation named 'lemma99'" in err and err.count("\n") == 0


def test_proofs_are_part_of_the_package():
    import ascentlab.proofs as installed

    assert set(installed.MODULES) == set(__import__("ascentlab").theory.RESULTS)
    assert installed.load("lemma3").closed_forms()


# ------------------------------------------------------------- the persistent compilation cache is on --


@pytest.mark.parametrize("argv, command", [
    (["demo"], "_cmd_demo"), (["verify", "--only", "lemma2"], "_cmd_verify"), (["figure", "fig5"], "_cmd_figures"),
    (["figures", "--fast"], "_cmd_figures"), (["proofs"], "_cmd_proofs")])
def test_every_subcommand_turns_the_compilation_cache_on_first(monkeypatch, argv, command):
    import ascentlab._cache
    from ascentlab import cli

    calls = []
    monkeypatch.setattr(ascentlab._cache, "enable_compilation_cache", lambda path=None: calls.append("cache"))
    monkeypatch.setattr(cli, command, lambda args: calls.append("run") or 0)
    assert main(argv) == 0
    assert calls == ["cache", "run"]


def test_the_command_compiles_nothing_before_the_cache_is_on(tmp_path):
    """In a fresh process: no trace (hence no compile) happens before `enable_compilation_cache` runs, and
    the command's compilations land in ASCENTLAB_CACHE_DIR (created by the command)."""
    child = (
        "import jax, sys\n"
        "traces = []\n"
        "jax.monitoring.register_event_duration_secs_listener(lambda e, d, **k: traces.append(e)\n"
        "    if e == '/jax/core/compile/jaxpr_trace_duration' else None)\n"
        "import ascentlab._cache as c\n"
        "real = c.enable_compilation_cache\n"
        "seen = []\n"
        "c.enable_compilation_cache = lambda path=None: seen.append(len(traces)) or real(path)\n"
        "from ascentlab.cli import main\n"
        "code = main(['verify', '--only', 'cases', '--instances', '4'])\n"
        "print('RESULT', code, seen, len(traces))\n")
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASCENTLAB_", "JAX_"))}
    env["ASCENTLAB_CACHE_DIR"] = str(tmp_path / "cache")
    proc = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    code, seen, total = re.search(r"RESULT (\d+) \[(\d+)\] (\d+)", proc.stdout).groups()
    assert code == "0" and seen == "0" and int(total) > 0
    assert os.listdir(tmp_path / "cache")  # what it compiled was written to the cache


def test_a_swallowed_ctrl_c_still_ends_the_command(monkeypatch, tmp_path, capsys):
    """Python swallows a KeyboardInterrupt raised inside a weakref callback ("Exception ignored in ...").
    The command's handler records it; the figure loop and every atomic write check the record, so the
    command still ends with status 130, writes nothing, and the unraisable hook prints no traceback."""
    import sys
    import weakref

    from ascentlab import _interrupt
    from ascentlab.figures import write_atomic

    monkeypatch.setattr(sys, "unraisablehook", sys.unraisablehook)
    monkeypatch.setattr(_interrupt, "_requested", _interrupt.threading.Event())
    _interrupt.sys.unraisablehook = _interrupt._unraisable

    class Thing:
        pass

    thing = Thing()
    ref = weakref.ref(thing, lambda r: _interrupt._handler(None, None))  # the handler runs inside a callback
    del thing  # the KeyboardInterrupt is swallowed here ...
    assert ref() is None and _interrupt._requested.is_set()
    assert "Traceback" not in capsys.readouterr().err  # ... silently (the hook ignores it)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "x.png", b"payload")  # ... and no file is written after it
    assert list(tmp_path.iterdir()) == []
    assert main(["figure", "fig5", "--fast", "--out", str(tmp_path)]) == 130
    assert list(tmp_path.iterdir()) == []
    _interrupt._requested.clear()

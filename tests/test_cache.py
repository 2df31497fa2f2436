"""`ascentlab.enable_compilation_cache`: JAX's persistent compilation cache in a user cache folder.

jax.config is process-global (and tests/conftest.py has already pointed the suite's cache somewhere), so
the in-process tests save and restore every option they touch; the reuse across processes runs in two
fresh subprocesses.
"""

import os
import subprocess
import sys
import textwrap
import warnings

import jax
import pytest

import ascentlab
from ascentlab import _cache

_OPTIONS = ("jax_compilation_cache_dir", "jax_persistent_cache_min_compile_time_secs",
            "jax_persistent_cache_min_entry_size_bytes", "jax_enable_compilation_cache", "jax_enable_x64")


@pytest.fixture
def fresh_config(monkeypatch):
    """No cache folder configured and no ascentlab variable set, for the length of one test; then
    every option as it was. (Only config values change: no compilation happens in these tests.)"""
    saved = {name: getattr(jax.config, name) for name in _OPTIONS}
    for var in (_cache.CACHE_DIR_ENV, _cache.CACHE_SWITCH_ENV, "XDG_CACHE_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(_cache, "_warned", set())
    jax.config.update("jax_compilation_cache_dir", None)
    try:
        yield
    finally:
        for name, value in saved.items():
            jax.config.update(name, value)


def test_exported():
    assert ascentlab.enable_compilation_cache is _cache.enable_compilation_cache


def test_turns_the_cache_on_in_the_env_folder(fresh_config, monkeypatch, tmp_path):
    folder = tmp_path / "made" / "here"
    monkeypatch.setenv("ASCENTLAB_CACHE_DIR", str(folder))
    x64 = jax.config.jax_enable_x64
    assert ascentlab.enable_compilation_cache() == str(folder)
    assert folder.is_dir()
    assert jax.config.jax_compilation_cache_dir == str(folder)
    assert jax.config.jax_persistent_cache_min_compile_time_secs == _cache.MIN_COMPILE_TIME_SECS
    assert jax.config.jax_persistent_cache_min_entry_size_bytes == _cache.MIN_ENTRY_SIZE_BYTES
    assert jax.config.jax_enable_x64 == x64  # never touched
    assert ascentlab.enable_compilation_cache() == str(folder)  # a second call changes nothing


def test_explicit_path(fresh_config, tmp_path):
    assert ascentlab.enable_compilation_cache(tmp_path / "c") == str(tmp_path / "c")
    assert jax.config.jax_compilation_cache_dir == str(tmp_path / "c")


@pytest.mark.parametrize("value", ["off", "OFF", "0", "false", "No", " off "])
def test_environment_variable_turns_it_off(fresh_config, monkeypatch, tmp_path, value):
    monkeypatch.setenv("ASCENTLAB_JAX_CACHE", value)
    monkeypatch.setenv("ASCENTLAB_CACHE_DIR", str(tmp_path / "c"))
    assert ascentlab.enable_compilation_cache() is None
    assert ascentlab.enable_compilation_cache(tmp_path / "d") is None
    assert jax.config.jax_compilation_cache_dir is None
    assert not (tmp_path / "c").exists() and not (tmp_path / "d").exists()


@pytest.mark.parametrize("value", ["on", "1", "", "yes"])
def test_other_values_leave_it_on(fresh_config, monkeypatch, tmp_path, value):
    monkeypatch.setenv("ASCENTLAB_JAX_CACHE", value)
    assert ascentlab.enable_compilation_cache(tmp_path) == str(tmp_path)


def test_jax_switch_off_is_respected(fresh_config, tmp_path):
    jax.config.update("jax_enable_compilation_cache", False)
    assert ascentlab.enable_compilation_cache(tmp_path / "c") is None
    assert not (tmp_path / "c").exists()


def test_default_folder(fresh_config, monkeypatch, tmp_path):
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    assert _cache.default_cache_dir() == str(home / ".cache" / "ascentlab" / "jax")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert _cache.default_cache_dir() == str(tmp_path / "xdg" / "ascentlab" / "jax")
    monkeypatch.setenv("ASCENTLAB_CACHE_DIR", str(tmp_path / "mine"))  # wins over XDG_CACHE_HOME
    assert _cache.default_cache_dir() == str(tmp_path / "mine")
    monkeypatch.setenv("ASCENTLAB_CACHE_DIR", "~/rel")  # the user's ~ is expanded
    assert _cache.default_cache_dir() == str(home / "rel")
    monkeypatch.delenv("ASCENTLAB_CACHE_DIR")
    assert ascentlab.enable_compilation_cache() == str(tmp_path / "xdg" / "ascentlab" / "jax")
    assert (tmp_path / "xdg" / "ascentlab" / "jax").is_dir()


def test_a_folder_the_user_configured_is_kept(fresh_config, monkeypatch, tmp_path):
    theirs = str(tmp_path / "theirs")
    jax.config.update("jax_compilation_cache_dir", theirs)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 7.5)
    monkeypatch.setenv("ASCENTLAB_CACHE_DIR", str(tmp_path / "ours"))
    assert ascentlab.enable_compilation_cache() == theirs
    assert ascentlab.enable_compilation_cache(tmp_path / "explicit") == theirs
    assert jax.config.jax_compilation_cache_dir == theirs
    assert jax.config.jax_persistent_cache_min_compile_time_secs == 7.5  # their settings, untouched
    assert not (tmp_path / "ours").exists() and not (tmp_path / "explicit").exists()


def test_an_uncreatable_folder_warns_once_and_runs_uncached(fresh_config, tmp_path):
    (tmp_path / "file").write_text("")
    bad = tmp_path / "file" / "cache"  # below a regular file: cannot be created
    with pytest.warns(RuntimeWarning, match="without a persistent compilation cache") as record:
        assert ascentlab.enable_compilation_cache(bad) is None
    assert str(bad) in str(record[0].message)
    assert jax.config.jax_compilation_cache_dir is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # once: a second call is silent
        assert ascentlab.enable_compilation_cache(bad) is None
    assert jax.config.jax_compilation_cache_dir is None
    # the computation still runs, uncached
    assert float(jax.jit(lambda x: x + 1.0)(1.0)) == 2.0


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_folder_warns(fresh_config, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.warns(RuntimeWarning, match="not writable"):
            assert ascentlab.enable_compilation_cache(ro) is None
    finally:
        ro.chmod(0o700)


def test_bad_path_type_is_a_clear_error(fresh_config):
    with pytest.raises(ValueError, match=r"enable_compilation_cache: `path` must be a folder path.*path=3"):
        ascentlab.enable_compilation_cache(3)


@pytest.mark.parametrize("path", ["", "  "])
def test_an_empty_path_is_an_error_not_the_working_directory(fresh_config, path):
    with pytest.raises(ValueError, match="`path` must be a non-empty folder path"):
        ascentlab.enable_compilation_cache(path)
    assert jax.config.jax_compilation_cache_dir is None


def test_a_file_in_place_of_the_folder_says_so(fresh_config, tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.warns(RuntimeWarning, match=r"\(a file, not a folder\)"):
        assert ascentlab.enable_compilation_cache(tmp_path / "file") is None


# One small jitted function in a fresh process: the cache folder it used and how many cache hits JAX
# reported (the '/jax/compilation_cache/cache_hits' monitoring event, recorded on every disk hit).
_CHILD = textwrap.dedent("""
    import jax
    hits = []
    jax.monitoring.register_event_listener(lambda event, **kw: hits.append(event)
                                           if event == "/jax/compilation_cache/cache_hits" else None)
    import ascentlab
    folder = ascentlab.enable_compilation_cache()
    y = jax.jit(lambda x: jax.numpy.sin(x) * 3.0 + x ** 2)(jax.numpy.arange(5.0))
    print(folder, len(hits), float(y.sum()))
""")


def _child(env):
    proc = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    folder, hits, total = proc.stdout.split()
    return folder, int(hits), float(total)


def test_a_second_process_reuses_the_first_ones_compilations(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASCENTLAB_", "JAX_"))}
    env["ASCENTLAB_CACHE_DIR"] = str(tmp_path / "cache")
    folder, hits, first = _child(env)
    assert folder == str(tmp_path / "cache") and hits == 0  # a new folder: nothing to hit
    entries = os.listdir(folder)
    assert entries  # the compiled program was written
    folder, hits, second = _child(env)
    assert hits >= 1  # ... and read back by the next process
    assert second == first
    assert sorted(os.listdir(folder)) == sorted(entries)  # nothing compiled anew
    env["ASCENTLAB_JAX_CACHE"] = "off"
    env["ASCENTLAB_CACHE_DIR"] = str(tmp_path / "unused")
    folder, hits, third = _child(env)
    assert folder == "None" and hits == 0 and third == first
    assert not (tmp_path / "unused").exists()


# --------------------------------------------------------------- cache_traced: tracing once per machine --


def test_describe_names_ascentlab_code_and_plain_values_only():
    import numpy as np

    from ascentlab import lambertw, theory

    d = _cache.describe
    assert d((1, 2.5, "a", None, {"k": 3})) == d((1, 2.5, "a", None, {"k": 3}))
    assert d((1, 2.5)) != d((1, 2.0)) and d(1) != d(1.0) and d(True) != d(1)
    assert d(np.float64) is not None and d(np.float64) != d(np.float32)
    assert "lambertw" in d(lambertw)
    parts = theory.RESULTS["lemma2"].parts
    assert d(parts[0]) is not None and d(parts[0]) != d(parts[0]._replace(scale=0.5))
    assert d(np.zeros(3)) is None  # an array: its values are not in the description
    assert d(lambda x: x) is None  # not ascentlab's code: its globals could change unseen
    assert d((1, np.zeros(3))) is None and d({"w": np.zeros(2)}) is None


def _jitted_lambertw():
    from ascentlab import lambertw

    return jax.jit(lambertw)


def test_cache_traced_stores_the_program_and_a_new_wrapper_loads_it(fresh_config, tmp_path, monkeypatch):
    monkeypatch.setattr(_cache, "_trace_cache_on", True)  # as in the `ascentlab` command
    from ascentlab import lambertw

    ascentlab.enable_compilation_cache(tmp_path)
    z = jax.numpy.linspace(0.1, 5.0, 7)
    plain = jax.jit(lambertw)(z)
    first = _cache.cache_traced(jax.jit(lambertw), lambertw, tag="t")
    assert (first(z) == plain).all()  # the same program: bit for bit
    stored = os.listdir(tmp_path / "traced")
    assert len(stored) == 1
    assert (first(z[:5]) == plain[:5]).all() and len(os.listdir(tmp_path / "traced")) == 2  # a new shape

    exports = []
    real_export = jax.export.export
    monkeypatch.setattr(jax.export, "export", lambda *a, **k: exports.append(1) or real_export(*a, **k))
    second = _cache.cache_traced(jax.jit(lambertw), lambertw, tag="t")  # as a new process would
    assert (second(z) == plain).all()
    assert (second(z[:5]) == plain[:5]).all() and len(os.listdir(tmp_path / "traced")) == 2  # nothing new
    assert exports == []  # both programs came from the folder: nothing traced again
    # a different tag is a different program: exported anew
    third = _cache.cache_traced(jax.jit(lambertw), lambertw, tag="other")
    assert (third(z) == plain).all() and len(os.listdir(tmp_path / "traced")) == 3 and exports == [1]


def _draw(k):
    return jax.random.normal(jax.random.wrap_key_data(k), (4,))


_draw.__module__ = "ascentlab._test_draw"  # described as ascentlab code, so cache_traced stores it


def test_cache_traced_keys_on_jax_options_that_change_the_program(fresh_config, tmp_path, monkeypatch):
    monkeypatch.setattr(_cache, "_trace_cache_on", True)
    ascentlab.enable_compilation_cache(tmp_path)
    k = jax.random.key_data(jax.random.key(0))
    flag = jax.config.jax_threefry_partitionable
    try:
        assert (_cache.cache_traced(jax.jit(_draw), _draw)(k) == jax.jit(_draw)(k)).all()
        jax.config.update("jax_threefry_partitionable", not flag)  # other random bits, same signature
        want = jax.jit(_draw)(k)
        assert (_cache.cache_traced(jax.jit(_draw), _draw)(k) == want).all()  # not the stored program
        assert len(os.listdir(tmp_path / "traced")) == 2
    finally:
        jax.config.update("jax_threefry_partitionable", flag)


def test_cache_traced_falls_back_to_the_jitted_function(fresh_config, tmp_path, monkeypatch):
    monkeypatch.setattr(_cache, "_trace_cache_on", True)  # as in the `ascentlab` command
    z = jax.numpy.linspace(0.1, 5.0, 7)
    f = jax.jit(lambda x: x * 2.0)
    ascentlab.enable_compilation_cache(tmp_path)
    assert (_cache.cache_traced(f)(z) == z * 2.0).all()  # not ascentlab's code: not stored
    assert not (tmp_path / "traced").exists()
    monkeypatch.setenv("ASCENTLAB_JAX_CACHE", "off")
    g = _cache.cache_traced(_jitted_lambertw(), ascentlab.lambertw)
    assert (g(z) == jax.jit(ascentlab.lambertw)(z)).all()
    assert not (tmp_path / "traced").exists()  # the cache is off: nothing stored


def test_cache_traced_is_off_outside_the_command(fresh_config, tmp_path, monkeypatch):
    """Library calls, notebooks and tests always trace: a run-time patch must be seen (planted errors)."""
    monkeypatch.setattr(_cache, "_trace_cache_on", False)
    ascentlab.enable_compilation_cache(tmp_path)
    z = jax.numpy.linspace(0.1, 5.0, 7)
    g = _cache.cache_traced(_jitted_lambertw(), ascentlab.lambertw, tag="t")
    assert (g(z) == jax.jit(ascentlab.lambertw)(z)).all()
    assert not (tmp_path / "traced").exists()  # nothing kept: every process traces

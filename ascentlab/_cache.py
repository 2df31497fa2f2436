"""JAX's persistent compilation cache, in a user cache folder: compile once per machine, not once per run.

Almost all of the time of a first `ascentlab verify` or `ascentlab figures --fast` is XLA compiling the
same programs as last time. `enable_compilation_cache` points JAX's persistent compilation cache
(`jax_compilation_cache_dir`) at a folder that outlives the process, so a second run loads the compiled
programs from disk instead of compiling them again. The compiled code is the same either way: results do
not change, only the time to the first result. The `ascentlab` command, the lecture notebooks and the
test suite switch it on; library code never does (importing `ascentlab` writes no `jax.config`).

Environment variables (read at each call):

- `ASCENTLAB_JAX_CACHE=off` (or `0`, `false`, `no`; any case) turns the cache off: nothing is read or
  written and `enable_compilation_cache` returns None.
- `ASCENTLAB_CACHE_DIR=PATH` puts the cache in PATH. Otherwise it lives in
  `$XDG_CACHE_HOME/ascentlab/jax`, or `~/.cache/ascentlab/jax` when `XDG_CACHE_HOME` is unset.

A cache folder already configured in `jax.config` (for example by `JAX_COMPILATION_CACHE_DIR`, or
`jax.config.update("jax_compilation_cache_dir", ...)` before the call) is kept as it is. The folder is
safe to delete at any time; it is trusted code, so do not point it at a folder others can write to.
"""

import os
import warnings

import jax

from ._validate import fail

__all__ = ["enable_compilation_cache", "default_cache_dir", "cache_traced", "describe", "CACHE_DIR_ENV",
           "CACHE_SWITCH_ENV"]

CACHE_DIR_ENV = "ASCENTLAB_CACHE_DIR"
CACHE_SWITCH_ENV = "ASCENTLAB_JAX_CACHE"
_OFF = ("off", "0", "false", "no")

# What goes on disk: everything. Measured on 2 shared CPU cores (issue 9, item 4): `ascentlab verify`
# compiles 142 small programs (under 0.2 s each; eager ops, samplers) in 9.8 s, while a warm run loads
# 176 such programs from the cache in 3.0 s (17 ms against 69 ms each), so even the smallest pay for
# their entry; JAX's default (cache only compiles over 1 s) would recompile them at every run. The
# whole cache of `verify` plus `figures --fast` is 18 MB.
MIN_COMPILE_TIME_SECS = 0.0
MIN_ENTRY_SIZE_BYTES = -1  # -1: no size limit, and JAX does not override it with its own default

_warned: set = set()


def cache_disabled_by_env() -> bool:
    """True when `ASCENTLAB_JAX_CACHE` says off (`off`, `0`, `false` or `no`, any case)."""
    return os.environ.get(CACHE_SWITCH_ENV, "").strip().lower() in _OFF


def default_cache_dir() -> str:
    """The cache folder used when none is given: `$ASCENTLAB_CACHE_DIR`, else
    `$XDG_CACHE_HOME/ascentlab/jax`, else `~/.cache/ascentlab/jax` (user `~` expanded)."""
    return user_cache_dir(CACHE_DIR_ENV, "jax")


def user_cache_dir(env: str, name: str) -> str:
    """`$env` if set, else `$XDG_CACHE_HOME/ascentlab/<name>`, else `~/.cache/ascentlab/<name>` (`~` expanded)."""
    explicit = os.environ.get(env, "").strip()
    if explicit:
        return os.path.abspath(os.path.expanduser(explicit))
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or os.path.join("~", ".cache")
    return os.path.abspath(os.path.join(os.path.expanduser(base), "ascentlab", name))


def _warn_once(path: str, reason: str) -> None:
    if path not in _warned:
        _warned.add(path)
        warnings.warn(f"ascentlab: cannot use the compilation cache folder {path!r} ({reason}); running "
                      f"without a persistent compilation cache (set {CACHE_DIR_ENV} to a writable folder, "
                      f"or {CACHE_SWITCH_ENV}=off to silence this)", RuntimeWarning, stacklevel=3)


def enable_compilation_cache(path=None):
    """Turn on JAX's persistent compilation cache in a user cache folder; return the folder (or None).

    After this call every program JAX compiles in this process is also written to the folder, and a
    later process that compiles the same program (same computation, shapes, dtypes, options, JAX
    version and machine) loads it from there instead of compiling it. Results are bit-identical.

    Args:
      path: the folder; by default `default_cache_dir()` (`$ASCENTLAB_CACHE_DIR`, else
        `$XDG_CACHE_HOME/ascentlab/jax`, else `~/.cache/ascentlab/jax`). Created if missing.

    Returns:
      The cache folder in use, or None when the cache is off: `ASCENTLAB_JAX_CACHE` is `off`/`0`/
      `false`/`no`, JAX's own `jax_enable_compilation_cache` is False, or the folder cannot be created
      or written (then a `RuntimeWarning` is given, once per folder, and the run goes on uncached).
      A folder already set in `jax.config` (`jax_compilation_cache_dir`, e.g. from the environment
      variable `JAX_COMPILATION_CACHE_DIR`) wins over `path` and is returned unchanged, with JAX's
      settings untouched. `jax_enable_x64` is never touched.

    Call it before the first compilation whose result should be cached; calling it again is harmless.
    """
    if path is not None and not isinstance(path, (str, os.PathLike)):
        fail("enable_compilation_cache", "path", path, "must be a folder path (str or os.PathLike) or None")
    if path is not None and not str(os.fspath(path)).strip():  # abspath("") would be the working directory
        fail("enable_compilation_cache", "path", path, "must be a non-empty folder path, or None for the default")
    if cache_disabled_by_env() or not jax.config.jax_enable_compilation_cache:
        return None
    configured = jax.config.jax_compilation_cache_dir
    if configured:
        return str(configured)
    folder = default_cache_dir() if path is None else os.path.abspath(os.path.expanduser(os.fspath(path)))
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as err:
        _warn_once(folder, "a file, not a folder" if os.path.isfile(folder) else err.strerror or type(err).__name__)
        return None
    if not os.access(folder, os.W_OK | os.X_OK):
        _warn_once(folder, "not writable")
        return None
    jax.config.update("jax_compilation_cache_dir", folder)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", MIN_COMPILE_TIME_SECS)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", MIN_ENTRY_SIZE_BYTES)
    return folder


# ------------------------------------------------------------------------------------------------------
# Tracing once per machine. The persistent compilation cache skips XLA's compiler, but each run still
# traces and lowers every program again before it can look the compiled one up: on a warm cache that is
# most of what is left of `ascentlab verify` (measured: about half of its CPU time traces, a fifth
# lowers). `cache_traced` keeps the traced and lowered program too (`jax.export`), keyed by everything
# that determines it, so a later process goes straight to the compilation cache.

_TRACED_DIR = "traced"
_source_digest = None
# Off unless `enable_trace_cache()` was called: the `ascentlab` command does, at start. A program loaded
# from the folder skips Python entirely, so a function patched at run time (a test planting an error in a
# prediction, a user's monkeypatch in a notebook) would go unseen; only the command line, whose code
# nobody patches after start, opts in. Library calls, notebooks and the tests always trace.
_trace_cache_on = False


def enable_trace_cache(on: bool = True) -> None:
    """Let `cache_traced` keep traced programs (the `ascentlab` command's process only; see above)."""
    global _trace_cache_on
    _trace_cache_on = bool(on)


def _sources() -> str:
    """A digest of every source file of the installed `ascentlab` (a code change invalidates every entry)."""
    global _source_digest
    if _source_digest is None:
        import hashlib
        from pathlib import Path

        root = Path(__file__).parent
        h = hashlib.sha256()
        for p in sorted(root.rglob("*.py")):
            h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() + b"\0")
        _source_digest = h.hexdigest()
    return _source_digest


def describe(value, _depth=0):
    """A text that determines `value` as a traced program sees it, or None when there is none.

    Numbers, strings, None, dtypes and tuples/lists/dicts of them are described by their repr;
    functions only when defined in `ascentlab` (whose sources are part of every key), by module,
    qualified name, closure and defaults, recursively. Anything else (arrays, objects, functions of
    other packages, whose globals could change unseen) has no description: not cached.
    """
    import numpy as np

    if _depth > 8:
        return None
    if value is None or isinstance(value, (bool, int, float, complex, str, bytes, np.generic, np.dtype)):
        return f"{type(value).__name__}:{value!r}"
    if isinstance(value, type) and value.__module__.split(".")[0] in ("numpy", "jax", "builtins", "ml_dtypes"):
        return f"type:{value.__module__}.{value.__qualname__}"
    if isinstance(value, (tuple, list)):
        items = [describe(v, _depth + 1) for v in value]
        return None if None in items else f"{type(value).__qualname__}({','.join(items)})"
    if isinstance(value, dict):
        items = [(describe(k, _depth + 1), describe(v, _depth + 1)) for k, v in value.items()]
        return None if any(None in kv for kv in items) else "dict(" + ",".join(sorted(f"{k}={v}" for k, v in items)) + ")"
    if hasattr(value, "__code__") and (getattr(value, "__module__", None) or "").split(".")[0] == "ascentlab":
        inner = [describe(c.cell_contents, _depth + 1) for c in (value.__closure__ or ())]
        inner.append(describe(value.__defaults__, _depth + 1))
        inner.append(describe(value.__kwdefaults__, _depth + 1))
        if None in inner:
            return None
        return f"fn:{value.__module__}:{value.__qualname__}:{value.__code__.co_firstlineno}[{';'.join(inner)}]"
    if hasattr(value, "func") and hasattr(value, "args") and hasattr(value, "keywords"):  # functools.partial
        return describe((value.func, value.args, value.keywords), _depth + 1)
    return None


def cache_traced(jitted, fn=None, *, tag: str = ""):
    """`jitted`, with its traced and lowered programs kept in the compilation cache folder.

    `jitted` is `jax.jit` of a function of positional array arguments (pytrees allowed). Called with
    arguments of a shape and dtype signature it has not seen in this process, the wrapper looks for
    the program `jax.export` made of it on this machine before (`<cache folder>/traced/`) and calls that
    (no tracing, no lowering; XLA's compilation then comes from the compilation cache); failing that it
    exports `jitted` once and stores it. The key is a digest of the `ascentlab` sources, the JAX version,
    the backend and device count, `jax_enable_x64` and every other JAX option (`jax.config.values`), the
    argument signature, `tag`, and `describe(fn)`:
    `fn` is the Python function `jitted` computes (default: `jitted` itself), and it must be fully
    described (see `describe`: code of `ascentlab`, closures of plain values). When it is not, when no
    compilation cache folder is configured (see `enable_compilation_cache`), or when the program cannot
    be exported, `jitted` itself is used: never a different program. Results are those of `jitted`
    (same program, compiled by the same XLA).

    Only in a process that called `enable_trace_cache()` (the `ascentlab` command does); elsewhere it
    is `jitted`, so run-time patches of ascentlab's functions are always traced.

    The folder holds pickled programs: like JAX's own cache it is trusted code, writable by you alone.
    """
    what = describe(jitted if fn is None else fn)
    programs = {}

    def call(*args):
        folder = jax.config.jax_compilation_cache_dir
        if not _trace_cache_on or what is None or not folder or cache_disabled_by_env():
            return jitted(*args)
        leaves, tree = jax.tree.flatten(args)
        signature = (str(tree), tuple((jax.numpy.shape(x), str(jax.numpy.result_type(x)),
                                       bool(getattr(x, "weak_type", False))) for x in leaves))
        program = programs.get(signature)
        if program is None:
            program = programs[signature] = _load_or_export(jitted, args, signature, folder, what, tag)
        return program(*args)

    call.__wrapped__ = jitted
    return call


def _load_or_export(jitted, args, signature, folder, what, tag):
    import dataclasses
    import hashlib
    import pickle
    import tempfile

    import jaxlib

    backend = jax.default_backend()
    # every JAX option too: some change the traced program with the same signature (e.g.
    # jax_threefry_partitionable changes the random bits); a harmless one costs only a miss
    options = sorted((k, repr(v)) for k, v in jax.config.values.items())
    key = hashlib.sha256(repr((_sources(), jax.__version__, jaxlib.__version__, backend, jax.device_count(),
                               bool(jax.config.jax_enable_x64), options, signature, tag, what)).encode()).hexdigest()
    path = os.path.join(folder, _TRACED_DIR, key)
    try:
        with open(path, "rb") as fh:
            exported = pickle.load(fh)
    except FileNotFoundError:
        exported = None
    except Exception:  # a damaged entry: export it again
        exported = None
    if exported is None:
        try:
            exported = jax.export.export(jitted)(*args)
        except Exception:  # not exportable (a callback, an effect, ...): the plain jitted function
            return jitted
        try:
            payload = pickle.dumps(dataclasses.replace(exported, _get_vjp=None))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(payload)
                os.replace(tmp, path)  # whole or absent: another process may read it now
            except BaseException:
                os.unlink(tmp)
                raise
        except Exception:  # an unwritable folder or an unpicklable program: use it, do not store it
            pass
    return jax.jit(exported.call)

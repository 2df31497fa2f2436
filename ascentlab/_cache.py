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

__all__ = ["enable_compilation_cache", "default_cache_dir", "CACHE_DIR_ENV", "CACHE_SWITCH_ENV"]

CACHE_DIR_ENV = "ASCENTLAB_CACHE_DIR"
CACHE_SWITCH_ENV = "ASCENTLAB_JAX_CACHE"
_OFF = ("off", "0", "false", "no")

# What goes on disk. Measured on 2 CPU cores (report of issue 9, item 4): a cache hit costs a few
# milliseconds (read, decompress, deserialise), while the smallest programs (an eager `jnp` op, a
# scalar helper) compile in about 10-30 ms, so caching every program still pays; and even at threshold 0
# the whole cache of `verify` plus `figures --fast` stays a few tens of MB. Hence no lower bound on
# either compile time or size.
MIN_COMPILE_TIME_SECS = 0.0
MIN_ENTRY_SIZE_BYTES = -1  # -1: no size limit, and JAX does not override it with its own default

_warned: set = set()


def cache_disabled_by_env() -> bool:
    """True when `ASCENTLAB_JAX_CACHE` says off (`off`, `0`, `false` or `no`, any case)."""
    return os.environ.get(CACHE_SWITCH_ENV, "").strip().lower() in _OFF


def default_cache_dir() -> str:
    """The cache folder used when none is given: `$ASCENTLAB_CACHE_DIR`, else
    `$XDG_CACHE_HOME/ascentlab/jax`, else `~/.cache/ascentlab/jax` (user `~` expanded)."""
    explicit = os.environ.get(CACHE_DIR_ENV, "").strip()
    if explicit:
        return os.path.abspath(os.path.expanduser(explicit))
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or os.path.join("~", ".cache")
    return os.path.abspath(os.path.join(os.path.expanduser(base), "ascentlab", "jax"))


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
        from ._validate import fail

        fail("enable_compilation_cache", "path", path, "must be a folder path (str or os.PathLike) or None")
    if cache_disabled_by_env() or not jax.config.jax_enable_compilation_cache:
        return None
    configured = jax.config.jax_compilation_cache_dir
    if configured:
        return str(configured)
    folder = default_cache_dir() if path is None else os.path.abspath(os.path.expanduser(os.fspath(path)))
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as err:
        _warn_once(folder, err.strerror or type(err).__name__)
        return None
    if not os.access(folder, os.W_OK | os.X_OK):
        _warn_once(folder, "not writable")
        return None
    jax.config.update("jax_compilation_cache_dir", folder)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", MIN_COMPILE_TIME_SECS)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", MIN_ENTRY_SIZE_BYTES)
    return folder

"""Test harness: float64 everywhere, strict promotion (the library never writes jax.config), and the
session-wide results that several test files check (computed once per test session, on first use)."""

import itertools
import os
import tempfile

import jax
import pytest

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_rank_promotion", "raise")
jax.config.update("jax_numpy_dtype_promotion", "strict")
# Compiling dominates the suite's time. JAX's persistent compilation cache, shared by the pytest-xdist
# workers (and by later runs on the same machine), compiles each identical computation once; the compiled
# code is the same either way. The suite keeps its own cache in a per-user temporary folder (not the
# user's ~/.cache/ascentlab/jax), unless ASCENTLAB_CACHE_DIR names one. ASCENTLAB_JAX_CACHE=off disables it
# (to time cold compiles), here and in the commands the tests start; the former ASCENTLAB_TEST_JAX_CACHE=off
# still works, as ASCENTLAB_JAX_CACHE=off.
if os.environ.get("ASCENTLAB_TEST_JAX_CACHE", "").strip().lower() == "off":
    os.environ["ASCENTLAB_JAX_CACHE"] = "off"
# The commands the tests start (`ascentlab ...` in a subprocess) share the suite's folder.
os.environ.setdefault("ASCENTLAB_CACHE_DIR", os.path.join(tempfile.gettempdir(), f"ascentlab-jax-cache-{os.getuid()}"))
from ascentlab import enable_compilation_cache  # noqa: E402  (imports no figure module: compiles nothing)

enable_compilation_cache()

from ascentlab import figures as _figures  # noqa: E402  (after the config: the figure modules import JAX code)
from ascentlab import toy as _toy  # noqa: E402

# The real functions, bound before any test monkeypatches the modules (tests/test_notebooks.py serves the
# notebooks' calls from the caches below; a cache must never call its own patched stand-in).
_FIGURE_DATA = _figures.figure_data
from ascentlab.nn import experiment as _nn_experiment  # noqa: E402  (imports no data set: compiles nothing)

_NN_RUN = _nn_experiment.run
_CHECK_CLAIMS = _toy.check_claims


class _Lazy:
    """A dict computed on demand, one key at a time: `cache[key]` is `compute(key)`, computed once.

    With `shared` (a folder all pytest-xdist workers of this run see) the value is computed by the first
    worker that asks, under a file lock, pickled there, and loaded by the others: once per run.
    """

    def __init__(self, compute, shared=None, tag=""):
        self._compute = compute
        self._values = {}
        self._shared = shared
        self._tag = tag

    def __getitem__(self, key):
        if key not in self._values:
            self._values[key] = self._compute(key) if self._shared is None else self._load_or_compute(key)
        return self._values[key]

    def _load_or_compute(self, key):
        import fcntl
        import pickle

        path = self._shared / f"{self._tag}-{key}.pickle"
        with open(self._shared / f"{self._tag}-{key}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # the other worker waits here while this one computes
            if path.exists():
                return pickle.loads(path.read_bytes())
            value = self._compute(key)
            path.write_bytes(pickle.dumps(value))
            return value

    def __contains__(self, key):
        return key in self._values


def _shared_folder(tmp_path_factory, worker_id):
    """A folder every pytest-xdist worker of this run shares (None without xdist: nothing to share)."""
    if worker_id in (None, "master"):
        return None
    return tmp_path_factory.getbasetemp().parent


@pytest.fixture(scope="session")
def worker_id(request):
    """The pytest-xdist worker name ("gw0", ...), or "master" when the run is not distributed."""
    return getattr(request.config, "workerinput", {}).get("workerid", "master")


@pytest.fixture
def getkey():
    """A fresh PRNG key per call: fold_in of a counter into key(0)."""
    counter = itertools.count()
    base = jax.random.key(0)
    return lambda: jax.random.fold_in(base, next(counter))


@pytest.fixture(scope="session")
def figure_data_cache(tmp_path_factory, worker_id):
    """`figure_data_cache[name]` is `ascentlab.figures.figure_data(name, fast=True)`, computed once per session.

    Shared by tests/test_figures.py (which writes and checks every figure from it) and
    tests/test_notebooks.py (the lectures' `figures.figure_data(name, FAST)` calls are served from it).
    Treat the values as read-only.
    """
    return _Lazy(lambda name: _FIGURE_DATA(name, True), _shared_folder(tmp_path_factory, worker_id), "figure")


@pytest.fixture(scope="session")
def toy_claims(tmp_path_factory, worker_id):
    """`toy_claims[reading]` is `ascentlab.toy.check_claims(reading)` (the claims and every minimum found at the
    reading's own lambda), computed once per session: tests/test_theory.py and lecture 04 read it."""
    return _Lazy(_CHECK_CLAIMS, _shared_folder(tmp_path_factory, worker_id), "toy")



def _nn_cache_folder(tmp_path_factory, worker_id):
    shared = _shared_folder(tmp_path_factory, worker_id)
    return (shared if shared is not None else tmp_path_factory.getbasetemp()) / "nn-stage-cache"


@pytest.fixture(scope="session")
def nn_cache_dir(tmp_path_factory, worker_id):
    """The stage cache folder of the session's neural-network experiment runs (shared by the xdist workers)."""
    return _nn_cache_folder(tmp_path_factory, worker_id)


@pytest.fixture(scope="session")
def nn_tiny(tmp_path_factory, worker_id, nn_cache_dir):
    """`nn_tiny["tiny"]` is `ascentlab.nn.experiment.run("tiny")` with its stages in `nn_cache_dir`, computed
    once per session: tests/test_nn_experiment.py checks it and lecture 08 is served from it. Read-only."""
    return _Lazy(lambda name: _NN_RUN(name, cache_dir=nn_cache_dir, progress=False),
                 _shared_folder(tmp_path_factory, worker_id), "nn")

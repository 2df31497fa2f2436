r"""`ascentlab.sweep`: one traceable function over a grid of parameters, chunked, sharded, compiled once.

A grid of exact solves, trajectories or theory checks is one call::

    import numpy as np
    import ascentlab as al
    from ascentlab import theory as th

    def cell(eps, lam):
        return al.solve_references(th.pair_problem(100.0, 0.5, 900.0, 200.0, eps, lam)).da.status

    status = al.sweep(cell, {"eps": np.linspace(0.02, 0.98, 200), "lam": np.logspace(-2, 1, 200)})
    status.shape  # (200, 200)

The cells are cut into chunks of a fixed size; each chunk is one call of one
compiled program (`jax.jit` of `jax.vmap(fn)`), sharded over the devices along
the cell axis, and its result is copied to host memory (numpy) while the next
chunk computes. So the device holds at most two chunks at a time, the cost is
linear in the number of cells, and `fn` is traced and compiled once per chunk
shape, for every later call too.
"""

import functools
import math
import sys
import time
from typing import Callable, Optional

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from ._cache import cache_traced
from ._validate import check_int, fail, is_concrete

#: Cells per chunk when neither `chunk_size` nor `max_memory` is given (grids with fewer cells run as one chunk).
#: Measured on 2 CPU cores (correlated-pair `solve_references` grid): 512 to 4096 cells per chunk run at about
#: 11 us per cell, 16384 and one whole-grid `vmap` at about 22 us (under `vmap` a chunk's `while_loop` runs until
#: its slowest cell is done). Not measured on GPUs, where larger chunks probably pay: pass `chunk_size`.
DEFAULT_CHUNK = 1024
#: ... on a GPU/TPU: wide chunks keep the device busy (a guess, not yet measured: no GPU was lent yet).
DEFAULT_CHUNK_ACCELERATOR = 65536
# CPU, measured on 2 quiet cores (3 exact solves per cell of a 200 x 200 correlated-pair grid): chunks of
# 256 / 1024 / 4096 / 10000 cells took 142 / 135 / 169 / 164 ms. Under vmap a chunk's Newton loop runs
# until its slowest cell is done, so smaller chunks wait less; below ~1000 the per-chunk cost shows.

_MAX_PADDING = 65536  # a given chunk_size larger than the grid pads it to at most this many cells
_AXIS = "cells"  # the mesh axis the cells are sharded over
_PROGRESS_AFTER = 2.0  # seconds: a grid that takes longer shows a progress line (progress=None)


class _ById:
    """`fn` as a cache key: hashed and compared by identity (a callable need not be hashable)."""

    __slots__ = ("fn",)

    def __init__(self, fn):
        self.fn = fn

    def __hash__(self):
        return id(self.fn)

    def __eq__(self, other):
        return isinstance(other, _ById) and other.fn is self.fn


@functools.lru_cache(maxsize=256)
def _program(key: _ById, names: tuple, sharding: NamedSharding):
    """The jitted, vmapped `fn` over one chunk (a tuple of arrays, one per axis, cell axis first).

    Cached on (fn, axis names, sharding), so a second `sweep` of the same `fn` reuses
    JAX's compiled program for every chunk shape it has seen.
    """
    fn = key.fn

    def chunk(arrays):
        return jax.vmap(lambda *cell: fn(**dict(zip(names, cell))))(*arrays)

    jitted = jax.jit(chunk, in_shardings=(sharding,), out_shardings=sharding)
    # In the `ascentlab` command, an ascentlab cell function's traced program is kept on disk too, so a
    # warm `ascentlab verify` skips tracing (a no-op for user functions and outside the command).
    devices = tuple(d.id for d in sharding.mesh.devices.flat)
    return cache_traced(jitted, fn, tag=f"sweep{names!r}{devices!r}")


def _host_axis(name, value):
    if not is_concrete(value):
        fail("sweep", f"axes[{name!r}]", "a JAX tracer",
             "must be a concrete array: sweep is the outer loop, it cannot be called inside jit or vmap")
    dtype = getattr(value, "dtype", None)
    if dtype is not None and jax.dtypes.issubdtype(dtype, jax.dtypes.prng_key):
        fail("sweep", f"axes[{name!r}]", f"array of PRNG keys of shape {value.shape}",
             "cannot be a typed key array: pass jax.random.key_data(keys) and call jax.random.wrap_key_data "
             "inside fn")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        fail("sweep", f"axes[{name!r}]", value, "must be an array of numbers")
    if not (arr.dtype.kind in "biuf" or jax.dtypes.issubdtype(arr.dtype, np.floating)):  # bfloat16: kind 'V'
        fail("sweep", f"axes[{name!r}]", value, "must be an array of numbers (bool, int or float)")
    if arr.ndim == 0:
        fail("sweep", f"axes[{name!r}]", value, "must be an array with one entry per value (at least 1-D), not a scalar")
    if arr.shape[0] == 0:
        fail("sweep", f"axes[{name!r}]", f"array of shape {arr.shape}", "must have at least one value")
    dtype = jax.dtypes.canonicalize_dtype(arr.dtype)
    if arr.dtype.kind in "iu" and dtype != arr.dtype and arr.size:
        info = np.iinfo(dtype)  # int64 -> int32 with x64 off: a value out of range would wrap silently
        if arr.min() < info.min or arr.max() > info.max:
            fail("sweep", f"axes[{name!r}]", f"{arr.dtype} array with values in [{arr.min()}, {arr.max()}]",
                 f"must fit JAX's {dtype} (x64 mode is off): turn it on with "
                 "jax.config.update('jax_enable_x64', True), or pass floats")
    return arr.astype(dtype, copy=False)


def _cell_range(cells, total: int) -> range:
    if cells is None:
        return range(total)
    if isinstance(cells, str) and cells == "process":
        per = -(-total // jax.process_count())
        start = min(total, jax.process_index() * per)
        return range(start, min(total, start + per))
    if isinstance(cells, slice):
        try:
            rng = range(total)[cells]
        except TypeError:
            fail("sweep", "cells", cells, "must be a slice of ints (flat, row-major cell indices)")
        if rng.step != 1:
            fail("sweep", "cells", cells, "must be a slice with step 1")
        return rng
    fail("sweep", "cells", cells, "must be None, 'process' or a slice of the flat (row-major) cell indices")


def _chunk_for_memory(fn, names, axes, max_memory: int, per_device: int) -> int:
    """The largest chunk (a multiple of the device count) whose inputs and outputs, for the two chunks in flight,
    fit `max_memory` bytes; the outputs' sizes from `jax.eval_shape` of one cell."""
    cell = {n: jax.ShapeDtypeStruct(a.shape[1:], a.dtype) for n, a in zip(names, axes)}
    out = jax.eval_shape(lambda c: fn(**c), cell)
    per_cell = sum(a[0].nbytes for a in axes) + sum(math.prod(x.shape) * x.dtype.itemsize for x in jax.tree.leaves(out))
    chunk = (max_memory // (2 * max(1, per_cell))) // per_device * per_device
    if chunk < 1:
        fail("sweep", "max_memory", max_memory,
             f"must hold at least two chunks of {per_device} cells (one per device), {2 * per_device * per_cell} bytes")
    return chunk


class _Progress:
    """One updating line on stderr: `sweep: 120,000/1,000,000 cells (12%), 4.1 s, ~30 s left`."""

    def __init__(self, mode, total):
        self.mode, self.total = mode, total
        self.t0 = time.perf_counter()
        self.last = -math.inf
        self.shown = False
        self.first = None  # (time, cells) when the first chunk was in: the rate after it excludes compilation

    def update(self, done, final=False):
        if self.mode is False:
            return
        now = time.perf_counter()
        elapsed = now - self.t0
        if self.first is None:
            self.first = (now, done)
        if self.mode is None and (elapsed < _PROGRESS_AFTER or (final and not self.shown)):
            return  # automatic: a line only on a grid still running after 2 s (not a closing line alone)
        stream = sys.stderr
        tty = getattr(stream, "isatty", lambda: False)()
        if not final and now - self.last < (0.5 if tty else 5.0):
            return
        self.last = now
        t1, d1 = self.first
        left = "" if final or done == d1 else f", ~{(now - t1) * (self.total - done) / (done - d1):.0f} s left"
        line = f"sweep: {done:,}/{self.total:,} cells ({100 * done / self.total:.0f}%), {elapsed:.1f} s{left}"
        stream.write(("\r" + line + " " * 8 if tty else line) + ("\n" if final or not tty else ""))
        stream.flush()
        self.shown = True


def sweep(fn: Callable, axes: dict, *, product: bool = True, chunk_size: Optional[int] = None,
          max_memory: Optional[int] = None, devices=None, cells=None, progress: Optional[bool] = None):
    r"""`fn(**cell)` at every cell of a grid, in chunks of one compiled program, sharded over devices.

    Let $f$ be `fn` and $a_1,\dots,a_k$ the arrays of `axes`. With
    `product=True` the result is $R[i_1,\dots,i_k]=f(a_1[i_1],\dots,a_k[i_k])$
    for every index tuple (the Cartesian grid, `np.meshgrid(..., indexing="ij")`
    order); with `product=False` the axes are aligned instances of one length
    $n$ and $R[i]=f(a_1[i],\dots,a_k[i])$ (what `ascentlab verify`'s samplers
    produce).

    How it runs. The cells, in row-major order, are cut into chunks of
    `chunk_size` cells; the last chunk is padded with copies of the last real
    cell (its results are dropped), so every chunk has one shape and `fn` is
    traced and compiled once per (fn, chunk shape, devices) -- in later calls
    too (the jitted program is cached on the identity of `fn`: define `fn` once,
    not as a fresh lambda per call, to reuse it). Each chunk is sharded over
    `devices` along the cell axis (`NamedSharding(Mesh(devices, ("cells",)),
    PartitionSpec("cells"))`; the chunk size is rounded up to a multiple of the
    number of devices), and its result is copied to host memory while the next
    chunk computes. Memory on the device is bounded by two chunks (plus the
    intermediates of `fn`), host memory by the result; the time is linear in
    the number of cells after the first chunk's compilation. `sweep` itself is
    that host-side loop: it cannot run under `jax.jit` or `jax.vmap` (it is
    `fn` that is transformed), and it returns numpy arrays.

    Several GPUs: all local devices are used by default. Several hosts: start
    one process per host, call `jax.distributed.initialize()`, and let each
    process compute its own contiguous slice of the cells over its local
    devices with `cells="process"` (process `jax.process_index()` of
    `jax.process_count()`); the result is then that slice, flat. Gather the
    slices in process order (write each to a file, or, when the cell count is
    a multiple of the process count, `jax.experimental.multihost_utils.
    process_allgather(part, tiled=True)`) and reshape to the grid. Only the
    single-process paths are tested (on CPU, with 1 and 4 simulated devices,
    `XLA_FLAGS=--xla_force_host_platform_device_count=4`).

    Args:
        fn: a traceable function of the axes' names as keyword arguments, one
            cell's values each (scalars, or arrays of an axis' trailing shape),
            returning a pytree of arrays. It runs under `jax.vmap` and `jax.jit`.
        axes: a dict `name -> array`; an array's first dimension indexes its
            values (a 1-D array of scalars, or an `(m, ...)` array of `m`
            array-valued cells). NaN values are allowed.
        product: the Cartesian grid (default) or aligned instances.
        chunk_size: cells per chunk (a positive int). Given, every chunk has
            this size, even when the grid is smaller (one compilation whatever
            the grid), except that a grid is never padded beyond 65,536 cells
            (a huge `chunk_size` on a small grid runs the grid as one chunk). Default: `DEFAULT_CHUNK` (1,024) on CPU devices,
            `DEFAULT_CHUNK_ACCELERATOR` (65,536) on others, or the whole grid if smaller.
        max_memory: instead of `chunk_size`, a device-memory budget in bytes:
            the largest chunk whose inputs and outputs (from `jax.eval_shape`
            of one cell) fit it twice (two chunks in flight). Intermediates of
            `fn` are not counted.
        devices: the devices to shard over (default `jax.local_devices()`).
        cells: None (every cell), a `slice` of the flat row-major cell
            indices, or `"process"` (this process's contiguous share, for
            multi-host runs); with a slice or `"process"` the result is flat.
        progress: None shows one updating progress line on stderr once the
            sweep has run for 2 s (never on a fast grid); True always; False never.

    Returns:
        The pytree `fn` returns, each leaf a numpy array of shape
        `grid + leaf_shape`: `grid` is `(len(a_1), ..., len(a_k))` with
        `product=True`, `(n,)` with `product=False`, and `(number of cells,)`
        with `cells` given.

    Examples:
        >>> import jax.numpy as jnp, numpy as np, ascentlab as al
        >>> out = al.sweep(lambda a, b: {"sum": a + b, "pair": jnp.stack([a, b])},
        ...                {"a": np.arange(3.0), "b": np.arange(2.0)})
        >>> out["sum"].shape, out["pair"].shape
        ((3, 2), (3, 2, 2))

    References: issue 9 item 3 (performance); used by `ascentlab verify` and the figures `fig4` and `phase`.
    """
    where = "sweep"
    if not callable(fn):
        fail(where, "fn", fn, "must be callable (a function of the axes' names as keyword arguments)")
    if not isinstance(axes, dict) or not axes:
        fail(where, "axes", axes, "must be a non-empty dict name -> array of values")
    for name in axes:
        if not isinstance(name, str) or not name.isidentifier():
            fail(where, "axes", list(axes), "must have names that are Python identifiers (fn gets them as keywords)")
    if not isinstance(product, (bool, np.bool_)):
        fail(where, "product", product, "must be True (Cartesian grid) or False (aligned instances)")
    if progress is not None and not isinstance(progress, (bool, np.bool_)):
        fail(where, "progress", progress, "must be None (automatic), True or False")
    if chunk_size is not None and max_memory is not None:
        fail(where, "max_memory", max_memory, f"cannot be given together with chunk_size={chunk_size!r}: choose one")
    if chunk_size is not None:
        check_int(where, "chunk_size", chunk_size, minimum=1)
    if max_memory is not None:
        check_int(where, "max_memory", max_memory, minimum=1)
    names = tuple(axes)
    arrays = tuple(_host_axis(n, axes[n]) for n in names)
    lengths = tuple(a.shape[0] for a in arrays)
    if not product and len(set(lengths)) > 1:
        fail(where, "axes", {n: ln for n, ln in zip(names, lengths)},
             "must all have the same length with product=False (aligned instances)")
    grid = lengths if product else lengths[:1]
    total = math.prod(grid)
    rng = _cell_range(cells, total)
    if len(rng) == 0:
        fail(where, "cells", cells, f"must select at least one of the {total} cells")
    given = devices
    try:
        devices = jax.local_devices() if devices is None else list(devices)
    except TypeError:  # not iterable: a single Device, a number
        devices = None
    if isinstance(given, str) or not devices or not all(isinstance(d, jax.Device) for d in devices):
        fail(where, "devices", given, "must be a non-empty list of jax.Device (e.g. jax.local_devices())")
    if len(set(devices)) != len(devices):
        fail(where, "devices", devices, "must not name a device twice")
    ndev = len(devices)
    if max_memory is not None:
        chunk = _chunk_for_memory(fn, names, arrays, max_memory, ndev)
        chunk = min(chunk, -(-len(rng) // ndev) * ndev)
    else:
        default = DEFAULT_CHUNK if devices[0].platform == "cpu" else DEFAULT_CHUNK_ACCELERATOR
        # a given chunk_size pads a smaller grid up to it (one compilation whatever the grid), but never
        # by more than _MAX_PADDING cells: chunk_size=10**9 on 3 cells runs 3 cells, not a billion
        chunk = min(chunk_size, max(len(rng), _MAX_PADDING)) if chunk_size is not None else min(default, len(rng))
        chunk = -(-chunk // ndev) * ndev
    sharding = NamedSharding(Mesh(np.asarray(devices), (_AXIS,)), PartitionSpec(_AXIS))
    program = _program(_ById(fn), names, sharding)

    meter = _Progress(None if progress is None else bool(progress), len(rng))
    out_leaves, treedef = None, None
    done = 0

    def collect(pending):
        nonlocal out_leaves, treedef, done
        result, start, valid = pending
        leaves, tdef = jax.tree.flatten(result)
        if out_leaves is None:
            for x in leaves:
                if jax.dtypes.issubdtype(x.dtype, jax.dtypes.prng_key):
                    fail(where, "fn", fn, "must return arrays of numbers, not PRNG keys: return "
                         "jax.random.key_data(key) (and jax.random.wrap_key_data it back)")
            treedef = tdef
            out_leaves = [np.empty((len(rng),) + x.shape[1:], x.dtype) for x in leaves]
        for dst, x in zip(out_leaves, leaves):
            dst[start:start + valid] = np.asarray(x)[:valid]
        done += valid
        meter.update(done, final=done == len(rng))

    pending = None
    for start in range(0, len(rng), chunk):
        valid = min(chunk, len(rng) - start)
        flat = rng.start + np.minimum(np.arange(start, start + chunk), start + valid - 1)
        index = np.unravel_index(flat, grid) if product else (flat,) * len(names)
        inputs = jax.device_put(tuple(a[i] for a, i in zip(arrays, index)), sharding)
        result = program(inputs)  # dispatched asynchronously: the previous chunk is collected meanwhile
        for x in jax.tree.leaves(result):
            x.copy_to_host_async()
        if pending is not None:
            collect(pending)
        pending = (result, start, valid)
    collect(pending)
    if cells is None:
        out_leaves = [x.reshape(grid + x.shape[1:]) for x in out_leaves]
    return jax.tree.unflatten(treedef, out_leaves)

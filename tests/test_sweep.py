"""`ascentlab.sweep`: equals a plain loop of `fn` over the cells, compiles once, shards bit for bit.

The reference is `jax.jit(fn)` called once per cell in a Python loop: the same XLA
operations on one cell at a time, with no `vmap`, no chunks, no padding and no
sharding. The cell functions below are elementwise maps, per-cell reductions of a
few numbers and per-cell `while_loop`s, which XLA evaluates lane by lane in the
same order batched or not, so the comparison is exact (`assert_array_equal`); a
mismatch of even one ulp would mean cells leak into each other (a wrong gather,
a misplaced pad, a reordered chunk).
"""

import os
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import ascentlab as al
from ascentlab import theory as th

sweep_module = sys.modules["ascentlab.sweep"]  # `ascentlab.sweep` is the function


def newton_sqrt(a, b):
    """A pytree of several leaf shapes and dtypes, with a per-cell while_loop (a different
    number of iterations per cell, as the exact solves have)."""
    target = jnp.abs(a) * 10.0 ** b + 1.0

    def body(state):
        x, k = state
        return 0.5 * (x + target / x), k + 1

    x, k = jax.lax.while_loop(lambda s: jnp.abs(s[0] * s[0] - target) > 1e-12 * target, body,
                              (target, jnp.int32(0)))
    v = jnp.stack([a, b, jnp.exp(-a * a) * jnp.log1p(b * b)])
    return {"root": x, "steps": k, "vec": v, "outer": jnp.outer(v, v[:2]), "flag": x > 2.0}


def loop(fn, cells):
    one = jax.jit(fn)
    rows = [one(**c) for c in cells]
    return jax.tree.map(lambda *xs: np.stack([np.asarray(x) for x in xs]), *rows)


def assert_trees_equal(got, want):
    assert jax.tree.structure(got) == jax.tree.structure(want)
    for g, w in zip(jax.tree.leaves(got), jax.tree.leaves(want)):
        assert g.shape == w.shape and g.dtype == w.dtype, (g.shape, w.shape, g.dtype, w.dtype)
        np.testing.assert_array_equal(g, w)


A = np.linspace(-2.0, 3.0, 7)
B = np.array([0.0, 0.5, np.nan, 2.0, 7.5])  # NaN allowed: its cell computes NaN, the others are unaffected


def test_product_grid_equals_loop_with_ragged_last_chunk():
    got = al.sweep(newton_sqrt, {"a": A, "b": B}, chunk_size=8)  # 35 cells: 4 chunks of 8 and 3 real cells
    want = loop(newton_sqrt, [{"a": a, "b": b} for a in A for b in B])
    want = jax.tree.map(lambda x: x.reshape((len(A), len(B)) + x.shape[1:]), want)
    assert got["vec"].shape == (7, 5, 3) and got["outer"].shape == (7, 5, 3, 2) and got["steps"].dtype == np.int32
    assert np.isnan(got["root"][:, 2]).all() and np.isfinite(got["root"][:, [0, 1, 3, 4]]).all()
    assert_trees_equal(got, want)
    assert got["steps"].max() > got["steps"].min()  # the cells did differ in their loop counts


def test_aligned_instances_with_array_cells_equal_loop():
    rng = np.random.default_rng(0)
    n = 13
    W = rng.normal(size=(n, 3))
    s = rng.uniform(0.5, 2.0, n)

    def fn(w, s):
        return {"norm": jnp.sqrt(jnp.sum(w * w)) * s, "w": w / s}

    got = al.sweep(fn, {"w": W, "s": s}, product=False, chunk_size=5)
    want = loop(fn, [{"w": W[i], "s": s[i]} for i in range(n)])
    np.testing.assert_array_equal(got["norm"], want["norm"])
    # XLA rewrites `w / s` (an array over a broadcast scalar) as `w * (1 / s)`, and the batched and
    # unbatched programs round that differently: each of the two is within 1 ulp of the exact quotient
    # (two roundings), so they agree to 2 ulp, not bitwise
    np.testing.assert_allclose(got["w"], want["w"], rtol=2 * np.finfo(float).eps, atol=0)
    np.testing.assert_allclose(got["w"], W / s[:, None], rtol=np.finfo(float).eps, atol=0)


def test_exact_solves_equal_a_loop_of_solves():
    eps, lam = np.array([0.1, 0.5, 0.9]), np.array([0.05, 1.0])

    def cell(eps, lam):
        sol = al.solve(th.pair_problem(100.0, 0.5, 900.0, 200.0, eps, lam), "oracle")
        return sol.w, sol.status

    got = al.sweep(cell, {"eps": eps, "lam": lam}, chunk_size=4)
    want = loop(cell, [{"eps": e, "lam": lm} for e in eps for lm in lam])
    want = jax.tree.map(lambda x: x.reshape((3, 2) + x.shape[1:]), want)
    # Newton's linear solves are 2 x 2 here: the same operations per lane, so the same bits
    assert_trees_equal(got, want)


def test_compiles_once_per_chunk_shape_across_calls():
    traces = []

    def fn(x, y):
        traces.append(1)  # runs only while JAX traces fn
        return jnp.sin(x) * y

    x = np.linspace(0.0, 1.0, 11)
    first = al.sweep(fn, {"x": x, "y": np.arange(3.0)}, chunk_size=4)  # 33 cells, 9 chunks
    second = al.sweep(fn, {"x": x[:5], "y": np.arange(7.0)}, chunk_size=4)  # 35 cells, another grid
    assert len(traces) == 1
    np.testing.assert_array_equal(second, np.sin(x[:5])[:, None] * np.arange(7.0))
    np.testing.assert_array_equal(first, np.sin(x)[:, None] * np.arange(3.0))
    al.sweep(fn, {"x": x, "y": np.arange(3.0)}, chunk_size=6)  # a new chunk shape: one more trace
    assert len(traces) == 2


def test_cell_slices_concatenate_to_the_grid():
    full = al.sweep(newton_sqrt, {"a": A, "b": B}, chunk_size=8)
    parts = [al.sweep(newton_sqrt, {"a": A, "b": B}, chunk_size=8, cells=slice(i, i + 10)) for i in range(0, 35, 10)]
    flat = jax.tree.map(lambda *xs: np.concatenate(xs), *parts)
    assert_trees_equal(flat, jax.tree.map(lambda x: x.reshape((35,) + x.shape[2:]), full))
    mine = al.sweep(newton_sqrt, {"a": A, "b": B}, chunk_size=8, cells="process")  # one process: every cell
    assert_trees_equal(mine, flat)


def test_max_memory_picks_the_largest_chunk_that_fits(monkeypatch):
    shapes = []
    program = sweep_module._program

    def spy(*args):
        jitted = program(*args)
        return lambda inputs: (shapes.append(inputs[0].shape), jitted(inputs))[1]

    monkeypatch.setattr(sweep_module, "_program", spy)
    fn = lambda x, y: {"p": x * y, "v": jnp.stack([x, y, x + y])}  # noqa: E731
    # per cell: inputs 2 x 8 bytes, outputs 8 + 24 bytes = 48 bytes; two chunks in flight: 96 bytes per cell
    got = al.sweep(fn, {"x": np.arange(10.0), "y": np.arange(4.0)}, max_memory=96 * 7 + 50)
    n_dev = len(jax.local_devices())
    assert shapes[0][0] == 7 // n_dev * n_dev and len(shapes) == -(-40 // shapes[0][0])
    np.testing.assert_array_equal(got["p"], np.arange(10.0)[:, None] * np.arange(4.0))
    with pytest.raises(ValueError, match="max_memory"):
        al.sweep(fn, {"x": np.arange(10.0), "y": np.arange(4.0)}, max_memory=95)


def test_progress_line_when_forced_and_never_when_off_or_fast(capsys):
    axes = {"x": np.arange(50.0)}
    sin = lambda x: jnp.sin(x)  # noqa: E731
    al.sweep(sin, axes, chunk_size=16, progress=True)
    err = capsys.readouterr().err
    # not a terminal: a line at the first chunk, then at most one per 5 s, and the closing line
    assert err.startswith("sweep: 16/50 cells (32%)") and "sweep: 50/50 cells (100%)" in err and err.endswith("\n")
    al.sweep(sin, axes, chunk_size=16, progress=False)
    al.sweep(sin, axes, chunk_size=16)  # automatic: a grid this fast shows nothing
    assert capsys.readouterr().err == ""


def test_sharded_over_four_devices_equals_one_device_bit_for_bit(tmp_path):
    # XLA reads the device count when the backend starts: a fresh process
    script = textwrap.dedent("""
        import sys
        import jax
        jax.config.update("jax_enable_x64", True)
        import numpy as np
        import ascentlab as al
        sys.path.insert(0, sys.argv[1])
        from test_sweep import A, B, newton_sqrt
        devs = jax.devices()
        assert len(devs) == 4, devs
        sw = sys.modules["ascentlab.sweep"]
        one = al.sweep(newton_sqrt, {"a": A, "b": B}, chunk_size=10, devices=devs[:1])
        four = al.sweep(newton_sqrt, {"a": A, "b": B}, chunk_size=10)  # rounded up to 12: 3 cells per device
        for k in one:
            assert one[k].dtype == four[k].dtype
            np.testing.assert_array_equal(one[k], four[k])
        prog = sw._program(sw._ById(newton_sqrt), ("a", "b"), sw.NamedSharding(
            sw.Mesh(np.asarray(devs), ("cells",)), sw.PartitionSpec("cells")))
        out = prog((A[:4], B[:4]))  # the cached program, in_shardings placing one cell per device
        assert len(out["root"].sharding.device_set) == 4 and out["root"].addressable_shards[0].data.shape == (1,)
        print("OK")
    """)
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4", JAX_PLATFORMS="cpu",
               JAX_ENABLE_X64="1")
    proc = subprocess.run([sys.executable, "-c", script, os.path.dirname(__file__)], env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0 and "OK" in proc.stdout, proc.stderr[-3000:]


def _fn(x):
    return x


@pytest.mark.parametrize("kwargs,match", [
    (dict(fn=3, axes={"x": [1.0]}), "`fn` must be callable"),
    (dict(fn=_fn, axes={}), "`axes` must be a non-empty dict"),
    (dict(fn=_fn, axes=[1.0]), "`axes` must be a non-empty dict"),
    (dict(fn=_fn, axes={"x": 1.0}), r"`axes\['x'\]` must be an array with one entry per value"),
    (dict(fn=_fn, axes={"x": np.zeros(0)}), r"`axes\['x'\]` must have at least one value"),
    (dict(fn=_fn, axes={"x": ["a", "b"]}), r"`axes\['x'\]` must be an array of numbers"),
    (dict(fn=_fn, axes={"not a name": [1.0]}), "Python identifiers"),
    (dict(fn=lambda x, y: x, axes={"x": [1.0, 2.0], "y": [1.0]}, product=False), "same length"),
    (dict(fn=_fn, axes={"x": [1.0]}, chunk_size=0), "`chunk_size` must be >= 1"),
    (dict(fn=_fn, axes={"x": [1.0]}, chunk_size=2.0), "`chunk_size` must be a Python int"),
    (dict(fn=_fn, axes={"x": [1.0]}, chunk_size=4, max_memory=1000), "cannot be given together with chunk_size"),
    (dict(fn=_fn, axes={"x": [1.0]}, product="yes"), "`product` must be True"),
    (dict(fn=_fn, axes={"x": [1.0]}, progress="loud"), "`progress` must be None"),
    (dict(fn=_fn, axes={"x": [1.0]}, devices=[]), "`devices` must be a non-empty list"),
    (dict(fn=_fn, axes={"x": [1.0]}, cells=3), "`cells` must be None, 'process' or a slice"),
    (dict(fn=_fn, axes={"x": [1.0, 2.0]}, cells=slice(0, 2, 2)), "step 1"),
    (dict(fn=_fn, axes={"x": [1.0, 2.0]}, cells=slice(5, 9)), "at least one of the 2 cells"),
    (dict(fn=_fn, axes={"x": jax.random.split(jax.random.key(0), 3)}), "key_data"),
    (dict(fn=_fn, axes={"x": [1.0]}, devices=jax.local_devices()[0]), "`devices` must be a non-empty list"),
    (dict(fn=_fn, axes={"x": [1.0]}, devices=5), "`devices` must be a non-empty list"),
    (dict(fn=_fn, axes={"x": [1.0]}, devices="cpu"), "got devices='cpu'"),
    (dict(fn=_fn, axes={"x": [1.0]}, devices=jax.local_devices()[:1] * 2), "must not name a device twice"),
    (dict(fn=_fn, axes={"x": [1.0, 2.0]}, cells=slice("a", "b")), "`cells` must be a slice of ints"),
    (dict(fn=lambda x: jax.random.key(x), axes={"x": np.arange(3)}), "`fn` must return arrays of numbers"),
])
def test_bad_inputs_name_the_argument(kwargs, match):
    fn, axes = kwargs.pop("fn"), kwargs.pop("axes")
    with pytest.raises(ValueError, match=match):
        al.sweep(fn, axes, **kwargs)


def test_inside_jit_is_refused():
    with pytest.raises(ValueError, match="cannot be called inside jit"):
        jax.jit(lambda x: al.sweep(_fn, {"x": x}))(jnp.arange(3.0))


def test_integers_that_x64_off_would_wrap_are_refused():
    big = np.array([3, 2**40])
    with jax.enable_x64(False):
        with pytest.raises(ValueError, match=r"`axes\['x'\]` must fit JAX's int32 \(x64 mode is off\)"):
            al.sweep(_fn, {"x": big})
        np.testing.assert_array_equal(al.sweep(_fn, {"x": np.array([-5, 2**31 - 1])}), [-5, 2**31 - 1])
    np.testing.assert_array_equal(al.sweep(_fn, {"x": big}), big)  # x64 on: int64 as given


def test_bfloat16_axis_is_a_float_axis():
    x = jnp.arange(3.0, dtype=jnp.bfloat16)
    got = al.sweep(lambda x: x * 2, {"x": x})
    assert got.dtype == jnp.bfloat16
    np.testing.assert_array_equal(got, np.asarray(x * 2))


def test_a_huge_chunk_size_does_not_pad_a_small_grid_to_its_size(monkeypatch):
    """chunk_size=10**9 on 3 cells runs at most _MAX_PADDING cells (it padded to a billion: out of memory)."""
    sw = sys.modules["ascentlab.sweep"]
    real, shapes = sw._program, []

    def spy(*args):
        program = real(*args)
        return lambda arrays: shapes.append(arrays[0].shape[0]) or program(arrays)

    monkeypatch.setattr(sw, "_program", spy)
    monkeypatch.setattr(sw, "_MAX_PADDING", 8)
    out = al.sweep(lambda a: a * 2.0, {"a": np.arange(3.0)}, chunk_size=10**9, progress=False)
    np.testing.assert_array_equal(out, np.arange(3.0) * 2.0)
    assert shapes == [8]  # padded to the cap, not to chunk_size
    shapes.clear()
    out = al.sweep(lambda a: a * 2.0, {"a": np.arange(20.0)}, chunk_size=10**9, progress=False)
    np.testing.assert_array_equal(out, np.arange(20.0) * 2.0)
    assert shapes == [20]  # a grid above the cap: one chunk of the grid
    shapes.clear()
    al.sweep(lambda a: a * 2.0, {"a": np.arange(3.0)}, chunk_size=5, progress=False)
    assert shapes == [5]  # below the cap the given chunk_size still pads (one compile whatever the grid)

"""Input validation shared by every public entry point.

Shape and dtype checks always run. Value checks (labels in {-1, +1}, lam > 0,
finiteness, non-empty retain and forget sets) run whenever the values are
concrete; under `jax.jit`/`jax.vmap` tracing they cannot be inspected and are
skipped, so validate eagerly (call the function once outside a transform, or
build the problem with `make_problem`) before batching.
"""

import numbers

import jax
import jax.numpy as jnp
import numpy as np

LOSSES = ("logistic", "exp", "squared")


def is_concrete(*xs) -> bool:
    """True when no argument is (or contains) a JAX tracer."""
    leaves = jax.tree_util.tree_leaves(xs)
    return not any(isinstance(x, jax.core.Tracer) for x in leaves)


def _fmt(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def fail(where: str, name: str, value, requirement: str):
    raise ValueError(f"{where}: `{name}` {requirement}, got {name}={_fmt(value)}")


def check_choice(where: str, name: str, value, choices) -> str:
    if not isinstance(value, str) or value not in choices:
        fail(where, name, value, f"must be one of {list(choices)}")
    return value


def check_positive_scalar(where: str, name: str, value, *, allow_zero=False):
    """A real scalar > 0 (>= 0 with allow_zero); finite; traced values pass."""
    if isinstance(value, (bool, np.bool_)):
        fail(where, name, value, "must be a real number, not a bool")
    arr = value if isinstance(value, jax.Array) else np.asarray(value)
    if arr.ndim != 0:
        fail(where, name, value, f"must be a scalar (shape ()), has shape {arr.shape}")
    if not (jnp.issubdtype(arr.dtype, jnp.floating) or jnp.issubdtype(arr.dtype, jnp.integer)):
        fail(where, name, value, f"must be a real number, has dtype {arr.dtype}")
    if is_concrete(value):
        v = float(value)
        ok = np.isfinite(v) and (v >= 0 if allow_zero else v > 0)
        if not ok:
            fail(where, name, value, "must be finite and " + (">= 0" if allow_zero else "> 0"))
    return value


def check_int(where: str, name: str, value, *, minimum: int):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        fail(where, name, value, "must be a Python int (it fixes an array length, so it is static)")
    if value < minimum:
        fail(where, name, value, f"must be >= {minimum}")
    return int(value)


def as_array(where: str, name: str, value) -> jax.Array:
    """`jnp.asarray(value)`: JAX's canonical dtype (a float64 numpy array becomes
    float32 while `jax_enable_x64` is off); a value JAX cannot read is named."""
    if isinstance(value, jax.Array):
        return value
    try:
        return jnp.asarray(value)
    except (TypeError, ValueError):
        fail(where, name, value, "must be an array of numbers")


def check_array(where: str, name: str, value, *, ndim: int, floating=True):
    """An array of `ndim` dimensions (floating and finite by default), as `as_array` returns it."""
    arr = as_array(where, name, value)
    if arr.ndim != ndim:
        fail(where, name, f"array of shape {arr.shape}", f"must be {ndim}-dimensional")
    if floating and not jnp.issubdtype(arr.dtype, jnp.floating):
        fail(where, name, f"array of dtype {arr.dtype}", "must have a floating dtype")
    if floating and is_concrete(arr) and not bool(np.all(np.isfinite(np.asarray(arr)))):
        bad = int(np.sum(~np.isfinite(np.asarray(arr))))
        fail(where, name, f"array with {bad} non-finite entries", "must be finite (no NaN or inf)")
    return arr


def check_key(where: str, name: str, key):
    """A JAX PRNG key: a typed key (`jax.random.key`, shape ()) or a legacy
    uint32 key (`jax.random.PRNGKey`, shape (2,) with the default generator).
    Traced keys (e.g. vmapped over a batch of keys) are checked the same way."""
    dtype = getattr(key, "dtype", None)
    shape = getattr(key, "shape", None)
    if dtype is not None and jax.dtypes.issubdtype(dtype, jax.dtypes.prng_key):
        ok = shape == ()
    else:
        legacy = jax.eval_shape(lambda: jax.random.key_data(jax.random.key(0)))
        ok = dtype == legacy.dtype and shape == legacy.shape
    if not ok:
        seed = key if isinstance(key, numbers.Integral) and not isinstance(key, bool) else 0
        described = key if dtype is None else f"array of shape {shape} and dtype {dtype}"
        fail(where, name, described,
             f"must be a single JAX PRNG key: pass jax.random.key({seed}), not a seed (a legacy "
             f"jax.random.PRNGKey({seed}) works too)")
    return key


def require_dtype(where: str, dtype):
    """`dtype` as a numpy dtype; a clear error if it is float64 and JAX's x64 mode is off."""
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"{where}: `dtype` must be a floating dtype, got {dtype}")
    if dtype.itemsize == 8 and not jax.config.jax_enable_x64:
        raise ValueError(f"{where}: computes in float64, but JAX's x64 mode is off; call "
                         "jax.config.update('jax_enable_x64', True) before creating arrays (the `ascentlab` "
                         "command does this for you)")
    return dtype


def float_dtype(*xs):
    """The floating dtype of the array inputs among `xs` (promoted together), else JAX's default float.

    Python numbers and integer arrays do not count (they are weak: float32 inputs stay float32 with
    x64 on), so library code follows the dtype of the data it is given.
    """
    dtypes = [jnp.asarray(x).dtype for x in xs if hasattr(x, "dtype")]
    floats = [dt for dt in dtypes if jnp.issubdtype(dt, jnp.floating)]
    return jnp.result_type(*floats) if floats else jnp.result_type(float)

"""Random instances for `ascentlab verify`: the building blocks every sampler uses.

A sampler is `(key, n, dtype) -> {argument: array of n values}`; it mixes a
random bulk with strata that hit the statement's corners at every seed.
`dtype` is explicit (verify passes float64): nothing here depends on JAX's
global x64 switch.
"""

import jax
import jax.numpy as jnp
import numpy as np


def uniform(key, n, lo, hi, dtype):
    return jax.random.uniform(key, (n,), dtype, lo, hi)


def log_uniform(key, n, lo, hi, dtype):
    return jnp.exp(uniform(key, n, np.log(lo), np.log(hi), dtype))


def int_uniform(key, n, lo, hi, dtype):
    """Integers in [lo, hi] (hi may be an array), as floats of `dtype`."""
    return jnp.floor(lo + jax.random.uniform(key, (n,), dtype) * (hi - lo + 1))


def strata(n, k):
    """Stratum index of each of n instances: 0..k-1 round robin."""
    return jnp.arange(n) % k

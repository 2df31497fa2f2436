"""The proof<->code contract: every sympy derivation checks, and every closed
form it exposes, lambdified to JAX (sympy's LambertW -> ascentlab.lambertw),
equals the matching ascentlab function at random float64 points.

Tolerance 1e-12 relative: both sides evaluate the same formula in float64,
possibly rearranged by sympy (a few ulps per operation, tens of operations).
"""

import importlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import sympy as sp


from ascentlab import lambertw, theory
from proofs import MODULES
from proofs._common import DOMAINS


@pytest.mark.parametrize("name", MODULES)
def test_derivation_checks(name):
    module = importlib.import_module(f"proofs.{name}")
    module.check()
    assert module.latex().startswith("\\begin{aligned}")


def _lambertw_for_sympy(z, k=0):
    return lambertw(jnp.asarray(z, jnp.float64), int(k))


def _target(spec):
    if ":" in spec:
        module, fn = spec.split(":")
        return getattr(importlib.import_module(f"ascentlab.{module}"), fn)
    return getattr(theory, spec)


CONTRACTS = [(name, c) for name in MODULES for c in importlib.import_module(f"proofs.{name}").closed_forms()]


def test_every_proof_with_a_closed_form_is_in_the_contract():
    with_forms = {name for name, _ in CONTRACTS}
    # a derivation without closed forms says, next to it, where its result is compared with the code instead
    excused = {name for name in MODULES if getattr(importlib.import_module(f"proofs.{name}"), "NO_CLOSED_FORMS", "")}
    assert with_forms == set(MODULES) - excused
    assert not with_forms & excused


@pytest.mark.parametrize("name,contract", CONTRACTS, ids=[f"{n}:{c.name}" for n, c in CONTRACTS])
def test_closed_form_matches_code(name, contract, getkey):
    f = sp.lambdify(contract.args, contract.expr,
                    modules=[{"LambertW": _lambertw_for_sympy, "Max": jnp.maximum, "sign": jnp.sign}, "jax"])
    keys = jax.random.split(getkey(), len(contract.args))
    points = [jax.random.uniform(k, (64,), jnp.float64, *DOMAINS[s.name]) for k, s in zip(keys, contract.args)]
    expected = jnp.broadcast_to(jnp.asarray(f(*points), jnp.float64), (64,))
    got = _target(contract.theory)(*points)
    if contract.index is not None:
        got = got[contract.index]
    got = jnp.broadcast_to(jnp.asarray(got, jnp.float64), (64,))
    finite = np.isfinite(np.asarray(expected))
    assert finite.mean() > 0.25, "the sampling domain misses the formula's real domain"
    np.testing.assert_array_equal(np.isnan(np.asarray(got)), np.isnan(np.asarray(expected)))
    np.testing.assert_allclose(np.asarray(got)[finite], np.asarray(expected)[finite], rtol=1e-12, atol=1e-14)

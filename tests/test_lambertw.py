"""Lambert W against mpmath at 50 digits, sympy series reversion and autodiff.

Tolerance: the target is relative error <= 1e-14 (about 45 float64 ulps);
the implementation measures under 1e-15, so a regression of 10x still fails.
Near the branch point the error is measured relative to |W| (= absolute,
since W ~ -1 there): relative to |1 + W| no float64 result can do better than
ulp(1)/|1 + W| because W itself is stored near -1, so we instead require
|W - W_ref| <= 2 ulp(1).
"""

import jax
import jax.numpy as jnp
import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from ascentlab import lambertw
from ascentlab._lambertw import _INV_E_HI, _INV_E_LO, _MU

mp.mp.dps = 50
INV_E = float(1 / mp.e)


def reference(zs, k):
    """mpmath W_k at the exact float inputs; NaN where the value is complex."""
    out = []
    for z in np.asarray(zs, dtype=float):
        r = mp.lambertw(mp.mpf(float(z)), k)
        out.append(float(r.real) if r.imag == 0 else np.nan)
    return np.array(out)


def rel_err(w, ref):
    return np.abs(np.asarray(w, float) - ref) / np.abs(ref)


def test_split_inverse_e_constants():
    assert _INV_E_HI == float(1 / mp.e)
    assert _INV_E_LO == float(1 / mp.e - mp.mpf(_INV_E_HI))


def test_branch_point_coefficients_match_sympy_series_reversion():
    # Independent derivation: with W = -1 + u, W e^W = z becomes
    # (u - 1) e^u + 1 = p^2 / 2 where p = sqrt(2 (e z + 1)); solve for the
    # power series u(p) by undetermined coefficients.
    p = sp.symbols("p")
    n = 7
    a = sp.symbols(f"a1:{n}")
    u = sum(a[i] * p ** (i + 1) for i in range(n - 1))
    expr = sp.series((u - 1) * sp.exp(u) + 1 - p**2 / 2, p, 0, n + 1).removeO()
    sol = {}
    for order in range(2, n + 1):
        eq = sp.expand(expr.coeff(p, order)).subs(sol)
        unknown = a[order - 2]
        roots = sp.solve(eq, unknown)
        sol[unknown] = max(roots) if order == 2 else roots[0]  # a1 = +1: principal branch
    expected = [-1.0] + [float(sol[a[i]]) for i in range(n - 1)]
    np.testing.assert_allclose(_MU[:n], expected, rtol=1e-15)


Z0 = np.concatenate([
    -INV_E + np.logspace(-15, -0.43, 300),
    np.linspace(-0.36, 5.0, 300),
    np.logspace(-300, 300, 600),
    -np.logspace(-300, np.log10(0.36), 300),
    [0.0, 1.0, np.e, 1e-320 * 0 + 2.0**-1000],
])
ZM1 = np.concatenate([
    -INV_E + np.logspace(-15, -0.43, 300),
    -np.logspace(-299.99, np.log10(0.3678), 600),
    [-1e-300 * 1.0000001, -0.25, -0.1],
])


@pytest.mark.parametrize("k,zs", [(0, Z0), (-1, ZM1)])
def test_float64_relative_error_vs_mpmath(k, zs):
    zs = zs[zs >= -INV_E]
    ref = reference(zs, k)
    w = np.asarray(lambertw(jnp.asarray(zs), k))
    ok = np.isfinite(ref) & (ref != 0)
    assert np.isfinite(w[ok]).all()
    assert rel_err(w[ok], ref[ok]).max() <= 1e-14
    zero = ref == 0
    np.testing.assert_array_equal(w[zero], 0.0)


@pytest.mark.parametrize("k", [0, -1])
def test_within_1e_15_of_branch_point(k):
    # every float in (-1/e, -1/e + 1e-15]: W within 2 ulp(1) of mpmath.
    start = np.nextafter(-_INV_E_HI, 0.0)
    zs = [start]
    while zs[-1] < -INV_E + 1e-15:
        zs.append(np.nextafter(zs[-1], 0.0))
    zs = np.array(zs)
    ref = reference(zs, k)
    w = np.asarray(lambertw(jnp.asarray(zs), k))
    assert np.isfinite(ref).all()
    assert np.abs(w - ref).max() <= 2 * np.finfo(float).eps


def test_nearest_float_to_minus_inverse_e_is_the_branch_point():
    # -_INV_E_HI lies 1.2e-17 below -1/e: read as the branch point, W = -1.
    assert float(mp.mpf(-_INV_E_HI) + 1 / mp.e) < 0
    for k in (0, -1):
        assert float(lambertw(-_INV_E_HI, k)) == -1.0


def test_outside_domain_is_nan_and_limits():
    bad0 = jnp.array([-0.5, -INV_E - 1e-10, jnp.nan, -jnp.inf])
    assert np.isnan(np.asarray(lambertw(bad0, 0))).all()
    badm1 = jnp.array([0.5, 1e-300, -0.5, jnp.nan, jnp.inf])
    assert np.isnan(np.asarray(lambertw(badm1, -1))).all()
    assert float(lambertw(jnp.inf, 0)) == np.inf
    assert float(lambertw(0.0, -1)) == -np.inf


def test_large_arguments_do_not_overflow():
    zs = np.array([1e300, np.finfo(float).max])
    w = np.asarray(lambertw(jnp.asarray(zs)))
    assert rel_err(w, reference(zs, 0)).max() <= 1e-14


@pytest.mark.parametrize("k", [0, -1])
def test_float32_smoke(k):
    if k == 0:
        zs = np.concatenate([-INV_E + np.logspace(-6, -0.5, 50), np.logspace(-30, 30, 100)])
    else:
        zs = np.concatenate([-INV_E + np.logspace(-6, -0.5, 50), -np.logspace(-30, np.log10(0.36), 100)])
    z32 = jnp.asarray(zs, jnp.float32)
    w = lambertw(z32, k)
    assert w.dtype == jnp.float32
    ref = reference(np.asarray(z32), k)
    # 8 float32 ulps: the iteration is the float64 one, rounded at each step.
    assert rel_err(w, ref).max() <= 8 * np.finfo(np.float32).eps


@pytest.mark.parametrize("k", [0, -1])
def test_jit_and_vmap_agree_with_eager(k):
    zs = jnp.asarray(-np.logspace(-5, np.log10(0.36), 7) if k else np.logspace(-5, 5, 7))
    eager = lambertw(zs, k)
    # XLA may fuse (FMA) under jit, so allow a few ulps rather than equal bits.
    np.testing.assert_allclose(jax.jit(lambda z: lambertw(z, k))(zs), eager, rtol=4e-16)
    np.testing.assert_allclose(jax.vmap(lambda z: lambertw(z, k))(zs), eager, rtol=4e-16)


@pytest.mark.parametrize("k", [0, -1])
def test_compiled_keeps_its_accuracy_at_the_branch_point(k):
    """Under jit and vmap (as inside every solve and check) W keeps the eager accuracy within 1e-16..1e-2 of
    -1/e: XLA must not fold the two halves of 1/e into one (it did, costing 1.4e-9 relative error)."""
    zs = -_INV_E_HI + np.logspace(-16, -2, 60)
    ref = reference(zs, k)
    z = jnp.asarray(zs)
    for w in (jax.jit(lambda v: lambertw(v, k))(z), jax.jit(jax.vmap(lambda v: lambertw(v, k)))(z)):
        assert rel_err(w, ref).max() <= 2 * np.finfo(np.float64).eps  # as the eager bound at the branch point


@pytest.mark.parametrize("k,zs", [(0, [-0.3, -0.01, 0.0, 0.5, 3.0, 1e5]), (-1, [-0.36, -0.2, -1e-3, -1e-50])])
def test_derivative_vs_mpmath(k, zs):
    grad = jax.vmap(jax.grad(lambda z: lambertw(z, k)))(jnp.asarray(zs))
    # Reference: W'(z) = W / (z (1 + W)) at 50 digits (W' = 1 at z = 0), and a
    # numerical mpmath derivative where it is well conditioned.
    ref = []
    for z in zs:
        w = mp.lambertw(mp.mpf(z), k).real
        exact = mp.mpf(1) if z == 0 else w / (mp.mpf(z) * (1 + w))
        if abs(z) > 1e-3:
            num = mp.diff(lambda t: mp.lambertw(t, k).real, mp.mpf(z))
            assert abs(num - exact) <= 1e-30 * abs(num)
        ref.append(float(exact))
    # |W| e^{|W|} amplifies exp's rounding: 1e-13 covers |W| up to ~120 (z = -1e-50).
    np.testing.assert_allclose(np.asarray(grad), ref, rtol=1e-13)


def test_check_grads_second_order():
    from jax.test_util import check_grads

    check_grads(lambda z: lambertw(z, 0), (jnp.asarray(0.7),), order=2, modes=("fwd", "rev"))
    check_grads(lambda z: lambertw(z, -1), (jnp.asarray(-0.2),), order=2, modes=("fwd", "rev"))


def test_bad_branch_raises():
    for k in (1, -2, True, "0"):
        with pytest.raises(ValueError, match="branch k"):
            lambertw(1.0, k)

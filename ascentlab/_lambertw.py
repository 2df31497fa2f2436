r"""Real Lambert W for JAX: branches $W_0$ and $W_{-1}$.

$W$ solves $W(z)\,e^{W(z)} = z$. The paper's Lemma 2 writes every
orthogonal-block solution of Eq. (1) as $W(\cdot/\lambda)$, so this function
is the numerical core of every closed form in ascentlab. JAX has no Lambert W,
so it is written here and tested against mpmath at 50 digits.

Algorithm (float32 and float64 alike, no data-dependent loops):

* near the branch point $z=-1/e$ a series in
  $p=\sqrt{2(ez+1)}$ (Corless et al. 1996, Eq. 4.22), with $p\mapsto -p$ for
  $W_{-1}$; $ez+1$ is formed with $1/e$ split into two floats, so $p$ keeps
  full relative precision even a few ulps away from $-1/e$;
* elsewhere a starting guess (Winitzki's formula for $W_0$, the asymptotic
  series $L_1-L_2+L_2/L_1$ for $W_{-1}$ near 0) refined by three steps of
  Fritsch's iteration (Fritsch, Shafer and Crowley 1973), which works on
  $\ln(z/w)$ and therefore never overflows, even at $z=10^{300}$.

References: Corless, Gonnet, Hare, Jeffrey, Knuth, "On the Lambert W function"
(1996); Fritsch, Shafer, Crowley, CACM 16 (1973); Veberic, "Lambert W function
for applications in physics" (2012).
"""

from fractions import Fraction

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["lambertw"]

# 1/e as an unevaluated sum hi + lo of two float64 numbers (lo is the float64
# nearest to 1/e - hi; tests/test_lambertw.py checks both against mpmath).
_INV_E_HI = 0.36787944117144233
_INV_E_LO = -1.2428753672788363e-17

# Terms of the branch-point series and where it takes over from the iteration.
# At p = 0.3 the neglected term is below 1e-19 relative, and the iteration's
# own rounding error (about eps / p) is still below 1e-15 there.
_N_SERIES = 28
_P_SWITCH = 0.3


def _branch_point_coefficients(n: int) -> tuple[float, ...]:
    r"""Coefficients $\mu_k$ of $W_0(z)=\sum_k \mu_k p^k$, $p=\sqrt{2(ez+1)}$.

    Exact rational recurrence of Corless et al. (1996), Eq. (4.23)-(4.24):
    $\mu_k = \frac{k-1}{k+1}\big(\frac{\mu_{k-2}}{2}+\frac{\alpha_{k-2}}{4}\big)
    - \frac{\alpha_k}{2} - \frac{\mu_{k-1}}{k+1}$ with
    $\alpha_k=\sum_{j=2}^{k-1}\mu_j\mu_{k+1-j}$, $\mu_0=-1$, $\mu_1=1$,
    $\alpha_0=2$, $\alpha_1=-1$. tests/test_lambertw.py checks the first terms
    against an independent sympy series reversion.
    """
    mu = [Fraction(-1), Fraction(1)]
    alpha = [Fraction(2), Fraction(-1)]
    for k in range(2, n):
        alpha.append(sum((mu[j] * mu[k + 1 - j] for j in range(2, k)), Fraction(0)))
        mu.append(
            Fraction(k - 1, k + 1) * (mu[k - 2] / 2 + alpha[k - 2] / 4)
            - alpha[k] / 2
            - mu[k - 1] / (k + 1)
        )
    return tuple(float(m) for m in mu)


_MU = _branch_point_coefficients(_N_SERIES)


def _horner(coefficients, x):
    acc = jnp.zeros_like(x)
    for c in reversed(coefficients):
        acc = acc * x + c
    return acc


def _fritsch_step(z, w, k):
    r"""One Fritsch step: $w\leftarrow w(1+\varepsilon)$, fourth-order convergent.

    On $W_{-1}$, $\ln(z/w)$ is taken as $\ln(-z)-\ln(-w)$: for $|z|$ near the
    smallest normal float, $z/w$ would underflow.
    """
    log_ratio = jnp.log(z / w) if k == 0 else jnp.log(-z) - jnp.log(-w)
    zn = log_ratio - w
    wp1 = 1.0 + w
    qn = 2.0 * wp1 * (wp1 + (2.0 / 3.0) * zn)
    return w * (1.0 + zn / wp1 * (qn - zn) / (qn - 2.0 * zn))


def _lambertw_value(z, k):
    dtype = z.dtype
    hi = np.asarray(_INV_E_HI, dtype)
    lo = np.asarray((_INV_E_HI - float(hi)) + _INV_E_LO, dtype)
    # z + 1/e: the first sum is exact near the branch point (Sterbenz). The barrier keeps XLA's algebraic
    # simplifier from reassociating (z + hi) + lo into z + (hi + lo) = z + hi under jit, which would drop
    # lo and cost up to 1e-9 relative accuracy within 1e-15 of the branch point.
    shifted = jax.lax.optimization_barrier(z + hi) + lo
    # Float inputs that round to -1/e (the float nearest -1/e lies just below
    # it) are treated as the branch point itself rather than as outside.
    at_branch = (shifted < 0) & (shifted >= -4 * jnp.finfo(dtype).eps * hi)
    shifted = jnp.where(at_branch, 0.0, shifted)
    p = jnp.sqrt(2.0 * np.e * jnp.maximum(shifted, 0.0))
    safe = lambda mask, value, fallback: jnp.where(mask, value, fallback)

    if k == 0:
        series = _horner(_MU, p)
        zz = safe(z > 0, z, 0.0)
        l1p = jnp.log1p(jnp.maximum(z, -0.5))
        winitzki = l1p * (1.0 - jnp.log1p(l1p) / (2.0 + l1p))
        big = z > 3.0
        l1 = jnp.log(safe(big, zz, 3.0))
        asym = l1 - jnp.log(l1) + jnp.log(l1) / l1
        w0 = jnp.where(big, asym, winitzki)
        w0 = jnp.where((w0 == 0) | ~jnp.isfinite(w0), 1.0, w0)
        zfr = jnp.where(z == 0, 1.0, z)
        w = w0
        for _ in range(3):
            w = _fritsch_step(zfr, w, k)
        out = jnp.where(p < _P_SWITCH, series, w)
        out = jnp.where(z == 0, 0.0, out)
        out = jnp.where(z == jnp.inf, jnp.inf, out)
        in_domain = shifted >= 0
    else:
        series = _horner(_MU, -p)
        neg = (z < 0) & (z > -0.25)
        zneg = safe(neg, z, -0.1)
        l1 = jnp.log(-zneg)
        l2 = jnp.log(-l1)
        asym = l1 - l2 + l2 / l1
        w0 = jnp.where(neg, asym, series)
        zfr = jnp.where(z < 0, z, -0.1)
        w = w0
        for _ in range(3):
            w = _fritsch_step(zfr, w, k)
        out = jnp.where(p < _P_SWITCH, series, w)
        out = jnp.where(z == 0, -jnp.inf, out)
        in_domain = (shifted >= 0) & (z <= 0)
    return jnp.where(in_domain & ~jnp.isnan(z), out, jnp.nan).astype(dtype)


def _lambertw(z, k):
    @jax.custom_jvp
    def w_fn(z):
        return _lambertw_value(z, k)

    @w_fn.defjvp
    def w_jvp(primals, tangents):
        (z,), (dz,) = primals, tangents
        w = w_fn(z)
        # W'(z) = W / (z (1 + W)) = 1 / (e^W (1 + W)); the second form is
        # finite at z = 0 (where it equals 1 on the principal branch).
        dw = jnp.exp(-w) / (1.0 + w)
        return w, dw * dz

    return w_fn(z)


def lambertw(z: jax.typing.ArrayLike, k: int = 0) -> jax.Array:
    r"""Real Lambert W function, $W_k(z)\,e^{W_k(z)}=z$, for $k\in\{0,-1\}$.

    Let $z$ be `z` and $k$ be `k`. The principal branch $W_0$ is real for
    $z\ge-1/e$ and increasing, with $W_0\ge-1$; the lower branch $W_{-1}$ is
    real for $-1/e\le z<0$ and decreasing from $-1$ to $-\infty$. Outside the
    real domain (and for NaN input) the result is NaN; $W_{-1}(0)=-\infty$ and
    $W_0(+\infty)=+\infty$ as limits. The float nearest to $-1/e$ (which lies
    just below it) is read as the branch point and gives $-1$.

    The result is jit-, vmap- and grad-compatible. Its derivative is the
    exact $W'(z) = W/(z(1+W)) = 1/(e^{W}(1+W))$ (a custom JVP), infinite at
    the branch point.

    Accuracy (tests/test_lambertw.py, against mpmath at 50 digits): relative
    error below 1e-14 in float64 on $[-1/e, 10^{300}]$ for $W_0$ and
    $[-1/e, -10^{-300})$ for $W_{-1}$, including points within $10^{-15}$ of
    $-1/e$; about 1e-6 in float32.

    Args:
        z: real argument, float32 or float64 (integers are promoted to the
            default float type).
        k: branch, 0 or -1 (static).

    Returns:
        $W_k(z)$ with the shape and floating dtype of `z`.

    References: Lemma 2 of "Ascent Fails to Forget" (arXiv 2509.26427);
    Corless et al. (1996); Fritsch, Shafer and Crowley (1973).
    """
    if isinstance(k, bool) or k not in (0, -1):
        raise ValueError(f"lambertw: branch k must be 0 or -1, got k={k!r}")
    z = jnp.asarray(z)
    if not jnp.issubdtype(z.dtype, jnp.floating):
        if jnp.issubdtype(z.dtype, jnp.complexfloating):
            raise ValueError(f"lambertw: z must be real, got dtype {z.dtype}")
        z = z.astype(jnp.result_type(float))
    return _lambertw(z, k)

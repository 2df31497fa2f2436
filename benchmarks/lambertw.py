r"""Case `lambertw`: `al.lambertw` throughput and accuracy against `scipy.special.lambertw` and mpmath.

Throughput: points per second (float64) of a jitted `al.lambertw(z, k)` on
10^6 (quick) or 10^7 points, branches k = 0 (z on [-1/e, 1e3]) and k = -1
(z on [-1/e, 0)), against `scipy.special.lambertw` (complex output; its real
part) on the same points. Accuracy: the maximal relative error of both
against mpmath's `lambertw` at 50 digits, evaluated at the exact float64
inputs, on a sample that includes points within 1e-16..1e-2 of -1/e, tiny and
huge z (up to 1e300) and z -> 0- on branch -1.
"""

import numpy as np

from ._core import CaseResult, Row, progress, time_call

NAME = "lambertw"
INV_E = float(np.exp(-1.0))


def throughput_points(k, n, rng):
    if k == 0:
        return -INV_E + (1e3 + INV_E) * rng.random(n) ** 3
    return -INV_E * rng.random(n) * (1 - 1e-12) - 1e-300


def accuracy_points(k, n, rng):
    """About n points of branch k: uniform, log-spaced, and near the branch point; exactly inside the domain."""
    import mpmath

    mpmath.mp.dps = 50
    near = -INV_E + np.logspace(-16, -2, n // 4)
    if k == 0:
        pts = np.concatenate([throughput_points(0, n // 4, rng), np.logspace(-300, 300, n // 4),
                              -np.logspace(-300, np.log10(INV_E) - 1e-12, n // 4), near])
    else:
        pts = np.concatenate([throughput_points(-1, n // 2, rng), -np.logspace(-300, np.log10(INV_E) - 1e-12, n // 4),
                              near])
    branch = -1 / mpmath.e
    return np.array([z for z in pts if mpmath.mpf(float(z)) >= branch and (k == 0 or z < 0)])


def max_rel_error(values, zs, k):
    import mpmath

    mpmath.mp.dps = 50
    worst = 0.0
    for w, z in zip(values, zs):
        ref = mpmath.lambertw(mpmath.mpf(float(z)), k).real
        if ref == 0:
            err = abs(float(w))
        else:
            err = float(abs((mpmath.mpf(float(w)) - ref) / ref))
        worst = max(worst, err if np.isfinite(w) else np.inf)
    return worst


def run(cfg) -> CaseResult:
    import jax
    import jax.numpy as jnp
    import scipy.special as sps

    import ascentlab as al

    n = 1_000_000 if cfg.quick else 10_000_000
    n_acc = 1000 if cfg.quick else 2000
    res = CaseResult(NAME, sizes=f"{n:,} points per branch (float64); accuracy on about {n_acc} points per branch")
    rng = np.random.default_rng(0)
    for k in (0, -1):
        z = throughput_points(k, n, rng)
        zj = jnp.asarray(z)
        f = jax.jit(lambda z, k=k: al.lambertw(z, k))
        progress(f"{NAME}: al.lambertw k={k}, {n:,} points")
        t_al, w_al = time_call(lambda: f(zj), repeats=cfg.repeats, budget_s=cfg.budget_s)
        progress(f"{NAME}: scipy.special.lambertw k={k}")
        t_sp, w_sp = time_call(lambda: sps.lambertw(z, k).real, repeats=cfg.long_repeats, budget_s=cfg.budget_s)
        res.timings[f"al.lambertw k={k}"] = t_al
        res.timings[f"scipy lambertw k={k}"] = t_sp
        # Both solve w e^w = z to float64 accuracy: they agree to ~1e-13 except within ~1e-8 of -1/e, where
        # W is ill-conditioned; a large disagreement means the timed calls computed different things.
        far = z > -INV_E + 1e-6
        agree = float(np.max(np.abs(np.asarray(w_al)[far] - w_sp[far]) / np.maximum(np.abs(w_sp[far]), 1e-300)))
        res.check(f"al.lambertw = scipy (k={k}, away from -1/e)", agree <= 1e-12, f"max relative difference {agree:.1e}")
        res.rows.append(Row(NAME, f"k={k}: {n / t_al.median:.3g} points/s", t_al.median,
                            f"scipy {n / t_sp.median:.3g} points/s", t_sp.median, compile_s=t_al.compile))

        progress(f"{NAME}: errors against mpmath (50 digits), k={k}")
        za = accuracy_points(k, n_acc, rng)
        e_al = max_rel_error(np.asarray(f(jnp.asarray(za))), za, k)
        e_sp = max_rel_error(sps.lambertw(za, k).real, za, k)
        res.rows.append(Row(NAME, f"k={k}: max relative error vs mpmath (al.lambertw)", value=e_al,
                            note=f"{za.size} points; scipy {e_sp:.2g}"))
    return res

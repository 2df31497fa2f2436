r"""Unlearning metrics: KLoM, the KL divergence of margins (Georgiev et al.).

For each data point, margins from $N$ unlearned models and $N$ oracle models
are clipped to $[-100,100]$, binned into 20 equal-width bins over their joint
range, and compared with a KL divergence; $q$ is floored at $10^{-5}$ where
$p>0$ and both histograms are normalised (as `scipy.stats.entropy` does).
Groups (forget, retain, validation) are summarised by the 95th percentile.

The direction of the KL is ambiguous in the public benchmark code (its
`run.py` calls `kl_from_margins(oracle, unlearned)` while the parameters are
named the other way round), so it is a parameter here: the default
"oracle||unlearned" is $D_{KL}(\text{oracle}\,\|\,\text{unlearned})$, what
the code computes as called.

References: "Ascent Fails to Forget" (arXiv 2509.26427), Sec. 6 and App. K;
docs/theory.md section 2.5 and claim C-13.
"""

import jax
import jax.numpy as jnp

from ._validate import check_choice, fail

__all__ = ["klom", "klom_percentile"]

DIRECTIONS = ("oracle||unlearned", "unlearned||oracle")


def _klom_point(a, b, bins, clip, floor):
    a = jnp.clip(a, -clip, clip)
    b = jnp.clip(b, -clip, clip)
    lo = jnp.minimum(a.min(), b.min())
    hi = jnp.maximum(a.max(), b.max())
    width = jnp.where(hi > lo, (hi - lo) / bins, 1.0)
    idx = lambda s: jnp.clip(jnp.floor((s - lo) / width).astype(jnp.int32), 0, bins - 1)
    p = jnp.zeros(bins, a.dtype).at[idx(a)].add(1.0)
    q = jnp.zeros(bins, a.dtype).at[idx(b)].add(1.0)
    p = p / p.sum()
    q = q / q.sum()
    floored = (p > 0) & (q < floor)
    q = jnp.where(floored, floor, q)
    q = jnp.where(floored.any(), q / q.sum(), q)  # renormalise only if flooring changed q
    kl = jnp.sum(jnp.where(p > 0, p * jnp.log(p / q), 0.0))
    return jnp.where(hi > lo, kl, 0.0)


def klom(unlearned, oracle, *, bins: int = 20, clip: float = 100.0, floor: float = 1e-5,
         direction: str = "oracle||unlearned") -> jax.Array:
    r"""Per-point KLoM between margin samples of unlearned and oracle models.

    Args:
        unlearned: margins, shape (N, n_points), one row per unlearned model.
        oracle: margins, shape (M, n_points), one row per oracle model.
        bins, clip, floor: 20 bins over the joint range, clipping to
            $[-100,100]$, floor $10^{-5}$ (the benchmark code's values).
        direction: "oracle||unlearned" (default) or "unlearned||oracle".

    Returns:
        KLoM per point, shape (n_points,); 0 where both samples coincide.
    """
    check_choice("klom", "direction", direction, DIRECTIONS)
    u, o = jnp.asarray(unlearned), jnp.asarray(oracle)
    if u.ndim != 2 or o.ndim != 2 or u.shape[1] != o.shape[1]:
        fail("klom", "unlearned", f"arrays of shapes {u.shape}, {o.shape}", "and oracle must be (models, points) with equal points")
    p_s, q_s = (o, u) if direction == "oracle||unlearned" else (u, o)
    return jax.vmap(lambda a, b: _klom_point(a, b, bins, clip, floor), in_axes=(1, 1))(p_s, q_s)


def klom_percentile(values, groups=None, q: float = 95.0) -> dict:
    """The q-th percentile of per-point KLoM, per group ({name: boolean mask}) or overall."""
    values = jnp.asarray(values)
    if groups is None:
        return {"all": jnp.percentile(values, q)}
    return {name: jnp.percentile(values[jnp.asarray(mask)], q) for name, mask in groups.items()}

r"""Unlearning metrics: accuracy, losses, distances, "worse than nothing", membership inference, KLoM.

Every metric is a pure function of a problem and weights (or of margin samples), jit- and
vmap-compatible where the maths allows; inputs are validated when they are concrete (see
`ascentlab._validate`).

**Accuracy** counts sample $i$ as correct when its margin $m_i=y_i\langle w,x_i\rangle>0$; a margin of
exactly 0 (a tie of the two logits, e.g. every sample at $w=0$) counts as **half** correct (the
expected accuracy of a fair tie-break), so accuracy$(w)$ on labels $y$ plus accuracy on labels $-y$ is
1 and $w=0$ scores exactly ½. Weighted problems give the weighted fraction, as `ascentlab.mean_loss`
gives the weighted mean; the held-out set is unweighted.

**Worse than doing nothing**: the run's start $w_0$ (the original model $w^{\mathcal D}$ with
`unlearn`'s default `start="original"`) is the "do nothing" answer, so a run is worse than nothing
once $\|w_t-w^{\mathcal R}\|>\|w_0-w^{\mathcal R}\|$ by more than rounding; a diverged run counts as
worse than nothing from its divergence step on.

**Membership inference** (loss threshold, Yeom et al. 2018): the score of a sample is $-\ell(m_i)$;
the AUC of the forget set $\mathcal F$ (members) against the held-out set (non-members) is
$P(s_F>s_{\text{test}})+\tfrac12P(s_F=s_{\text{test}})$, the Mann-Whitney $U/(n_Fn_{\text{test}})$.
½ means the attacker cannot tell $\mathcal F$ from unseen data (what the oracle gives in
expectation); above ½, $\mathcal F$ still looks like training data.

**KLoM** (KL divergence of margins, Georgiev et al.): for each data point, the margins of $N$
unlearned models and of $M$ oracle models are clipped to $[-c,c]$ ($c$ = `clip` = 100), binned
into $B$ = `bins` = 20 equal-width bins over the pooled range $[\min,\max]$ of both samples, and
compared by $D_{KL}(p\,\|\,q)=\sum_bp_b\log(p_b/q_b)$ after $q$ is floored at $\varepsilon$ =
`floor` = $10^{-5}$ where $p>0$ and renormalised. Groups (forget, retain, validation) are
summarised by the 95th percentile (`klom_percentile`). Two modes:

* `mode="ascentlab"` (default): bin $b=\lfloor(s-\min)/h\rfloor$ with $h=(\max-\min)/B$, clipped
  to $[0,B-1]$, so **every** sample is counted and the pooled maximum falls in the last bin;
  $p,q$ are normalised by the sample counts; $q$ is renormalised only when the floor changed it;
  the value is 0 when all pooled samples are equal. Any $N$, $M\ge1$.
* `mode="benchmark"`: exactly what the public benchmark computes (RoyRin/data-unlearning-bench,
  `unlearning_bench/eval.py`, `compute_binned_KL_div` called by `kl_from_margins`): edges
  $e_j=\min+j\,h$ for $j=0..B$ as `np.linspace(min, max, B + 1)` computes them (last edge exactly
  $\max$; when $\min=\max$ the range is $[\min,\min+1]$), the bin of $s$ is `np.digitize(s, edges)`
  $=\#\{j: e_j\le s\}\in\{1..B+1\}$ and only bins $1..B$ are counted. So samples **equal to the
  pooled maximum get index $B+1$ and are silently dropped**: $p$ and $q$ are normalised by the
  counts that remain, not by $N$ and $M$. Then $q\leftarrow\max(q,\varepsilon)$ where $p>0$ and
  `scipy.stats.entropy(p, q)` (which renormalises both). Consequences reproduced here: if every
  $p$-side sample equals the pooled maximum (and $\min<\max$) the $p$ histogram is empty and the
  value is NaN (scipy's 0/0); if every $q$-side sample is dropped, $q$ becomes the floor on $p$'s
  support, i.e. uniform there after renormalisation. The benchmark asserts equal shapes, so this
  mode needs $N=M$. With float64 margins the edges and bins are those numpy computes, bit for bit.

Where the modes differ: the pooled maximum is always attained, so the benchmark always drops at
least one sample (of $p$, of $q$ or of both), and its edges are numpy's rounded $e_j$ rather than
the ascentlab mode's $\lfloor(s-\min)/h\rfloor$ (which can differ for a sample within an ulp of an
edge). The difference is small when one sample among many is dropped, and large when the maximum is
attained by many samples (e.g. margins clipped at $+100$ by confident models: the benchmark drops
all of them). The benchmark mode is also discontinuous: two samples that agree to rounding error are
not at KLoM 0 when the pooled maximum is a $q$-side copy a rounding error above its $p$-side twin
(dropped, it leaves the twin alone in the top bin against the floor: about
$\frac1N\log\frac{1/N}{\varepsilon}$, 0.07 at $N=100$), while the ascentlab mode gives exactly 0.

The direction of the KL is ambiguous in the benchmark code (its `run.py` calls
`kl_from_margins(oracle, unlearned)` while the parameters are named the other way round), so it is
a parameter in both modes: the default "oracle||unlearned" is $D_{KL}(\text{oracle}\,\|\,
\text{unlearned})$, what the code computes as called.

References: "Ascent Fails to Forget" (arXiv 2509.26427), Sec. 6 and App. K; docs/theory.md
section 2.5 and claim C-13; Yeom, Giacomelli, Fredrikson, Jha, "Privacy Risk in Machine Learning:
Analyzing the Connection to Overfitting" (CSF 2018).
"""

import jax
import jax.numpy as jnp
import numpy as np

from . import _validate as v
from ._objectives import SUBSETS, _loss_and_derivatives, _sample_weights, mean_loss
from ._problems import Problem, check_problem

__all__ = ["klom", "klom_percentile", "accuracy", "losses", "distances", "worse_than_nothing", "auc", "mia_auc",
           "DIRECTIONS", "MODES"]

DIRECTIONS = ("oracle||unlearned", "unlearned||oracle")
MODES = ("ascentlab", "benchmark")


# ----------------------------------------------------------------------------------------- KLoM
def _normalise(p, q):
    """(p / sum p, q / sum q), zeros for an all-zero histogram. Both rows go through one reduction and
    one division, so that equal histograms give equal bits (two separately compiled sums may round
    differently, and KLoM of identical samples must be exactly 0)."""
    pq = jnp.stack([p, q])
    total = pq.sum(axis=1, keepdims=True)
    pq = jnp.where(total > 0, pq / jnp.where(total > 0, total, 1.0), 0.0)
    return pq[0], pq[1]


def _klom_point(a, b, bins, clip, floor):
    """KLoM of one point, `mode="ascentlab"`: $D_{KL}(p_a\\|q_b)$, every sample counted."""
    a = jnp.clip(a, -clip, clip)
    b = jnp.clip(b, -clip, clip)
    lo = jnp.minimum(a.min(), b.min())
    hi = jnp.maximum(a.max(), b.max())
    width = jnp.where(hi > lo, (hi - lo) / bins, 1.0)
    idx = lambda s: jnp.clip(jnp.floor((s - lo) / width).astype(jnp.int32), 0, bins - 1)
    p = jnp.zeros(bins, a.dtype).at[idx(a)].add(1.0)
    q = jnp.zeros(bins, a.dtype).at[idx(b)].add(1.0)
    p, q = _normalise(p, q)
    floored = (p > 0) & (q < floor)
    q = jnp.where(floored, floor, q)
    q = jnp.where(floored.any(), q / q.sum(), q)  # renormalise only if flooring changed q
    kl = jnp.sum(jnp.where(p > 0, p * jnp.log(p / q), 0.0))
    return jnp.where(hi > lo, kl, 0.0)


def _benchmark_edges(lo, hi, bins):
    r"""`np.linspace(lo, hi, bins + 1)` bit for bit: $e_j=\mathrm{fl}(\mathrm{fl}(j\cdot s)+lo)$ with
    $s=\mathrm{fl}((hi-lo)/B)$, and the last edge exactly `hi`.

    XLA rewrites both roundings unless kept from it (measured under `jax.jit`: most edges of random
    ranges moved by an ulp): it turns $/B$ into $\times\mathrm{fl}(1/B)$, and may fuse $j\cdot s+lo$
    into one fused multiply-add (it allows FMA contraction on CPU), which rounds once where numpy
    rounds twice. So the division is by $B\,\mathrm{sign}(hi-lo)$ ($=B$ here), and
    $\mathrm{fl}(j\cdot s)$ is the rounded sum of two *exact* products: $s=s_1+s_2$ with $s_1$ the
    leading half of $s$'s significand (low bits cleared by an integer mask) and $s_2=s-s_1$ (exact),
    each short enough that $j\,s_1$ and $j\,s_2$ are exact for $j<2^{12}$ (float32) or $2^{26}$
    (float64); a fused multiply-add of an exact product rounds the same way, and the final $+lo$
    adds a sum, not a product."""
    dtype = lo.dtype
    uint = {8: jnp.uint64, 4: jnp.uint32, 2: jnp.uint16}[dtype.itemsize]
    low_bits = (jnp.finfo(dtype).nmant + 2) // 2  # 27 of float64's 52 stored bits, 12 of float32's 23
    delta = hi - lo
    # XLA rewrites a division by a constant B into a multiplication by the rounded 1/B; dividing by
    # B * sign(delta) (= B, as hi > lo here) keeps numpy's true division.
    step = delta / (jnp.asarray(bins, dtype) * jnp.sign(delta))
    mask = jnp.asarray(~np.array((1 << low_bits) - 1, dtype=uint), uint)
    s1 = jax.lax.bitcast_convert_type(jax.lax.bitcast_convert_type(step, uint) & mask, dtype)
    s2 = step - s1
    j = jnp.arange(bins + 1, dtype=dtype)
    edges = (j * s1 + j * s2) + lo
    return edges.at[bins].set(hi)


def _klom_point_benchmark(a, b, bins, clip, floor):
    r"""KLoM of one point as the benchmark's `compute_binned_KL_div(a, b)` computes it (module docstring)."""
    a = jnp.clip(a, -clip, clip)
    b = jnp.clip(b, -clip, clip)
    lo = jnp.minimum(a.min(), b.min())
    hi = jnp.maximum(a.max(), b.max())
    hi = jnp.where(lo >= hi, lo + 1, hi)
    edges = _benchmark_edges(lo, hi, bins)
    labels = jnp.arange(1, bins + 1, dtype=jnp.int32)

    def counts(s):
        digitized = jnp.sum(edges[None, :] <= s[:, None], axis=1, dtype=jnp.int32)  # np.digitize, right=False
        return jnp.sum(digitized[:, None] == labels[None, :], axis=0, dtype=jnp.int32).astype(s.dtype)

    p, q = _normalise(counts(a), counts(b))  # an empty histogram stays zeros (the benchmark's guard)
    p_empty = ~(p.sum() > 0)
    q = jnp.where(p > 0, jnp.maximum(q, floor), q)
    # scipy.stats.entropy(pk=p, qk=q): both renormalised, then sum of rel_entr(p, q)
    p, q = _normalise(p, q)
    kl = jnp.sum(jnp.where(p > 0, p * jnp.log(p / jnp.where(p > 0, q, 1.0)), 0.0))
    return jnp.where(p_empty, jnp.nan, kl)  # an empty p histogram: scipy's 0/0


def _check_klom_options(where, bins, clip, floor, direction, mode):
    """The scalar options of KLoM: `bins` (returned as an int), `clip`, `floor`, `direction`, `mode`."""
    v.check_choice(where, "direction", direction, DIRECTIONS)
    v.check_choice(where, "mode", mode, MODES)
    bins = v.check_int(where, "bins", bins, minimum=1)
    v.check_positive_scalar(where, "clip", clip)
    v.check_positive_scalar(where, "floor", floor)
    if v.is_concrete(floor) and not float(floor) < 1:
        v.fail(where, "floor", floor, "must satisfy 0 < floor < 1")
    return bins


def _check_klom_args(where, unlearned, oracle, bins, clip, floor, direction, mode):
    bins = _check_klom_options(where, bins, clip, floor, direction, mode)
    u = v.check_array(where, "unlearned", unlearned, ndim=2)
    o = v.check_array(where, "oracle", oracle, ndim=2)
    if u.shape[1] != o.shape[1]:
        v.fail(where, "unlearned", f"arrays of shapes {u.shape}, {o.shape}",
               "and oracle must be (models, points) with equal points")
    if u.shape[0] < 1 or o.shape[0] < 1:
        v.fail(where, "unlearned", f"arrays of shapes {u.shape}, {o.shape}", "and oracle need at least one model each")
    if mode == "benchmark" and u.shape != o.shape:
        v.fail(where, "unlearned", f"arrays of shapes {u.shape}, {o.shape}",
               "and oracle must have equal shapes in mode='benchmark' (the benchmark asserts it)")
    if u.dtype != o.dtype:
        v.fail(where, "oracle", f"array of dtype {o.dtype}", f"must have unlearned's dtype {u.dtype}")
    return u, o, bins


def _klom(u, o, bins, clip, floor, direction, mode):
    """`klom` without validation: u (N, points), o (M, points) -> (points,)."""
    p_s, q_s = (o, u) if direction == "oracle||unlearned" else (u, o)
    point = _klom_point if mode == "ascentlab" else _klom_point_benchmark
    return jax.vmap(lambda a, b: point(a, b, bins, clip, floor), in_axes=(1, 1))(p_s, q_s)


def klom(unlearned, oracle, *, bins: int = 20, clip: float = 100.0, floor: float = 1e-5,
         direction: str = "oracle||unlearned", mode: str = "ascentlab") -> jax.Array:
    r"""Per-point KLoM between margin samples of unlearned and oracle models.

    Let $B$ be `bins`, $c$ be `clip` and $\varepsilon$ be `floor`. For each point (column), the
    margins are clipped to $[-c,c]$, binned into $B$ equal bins over the pooled range, and
    $D_{KL}(p\|q)$ is taken with $q$ floored at $\varepsilon$ where $p>0$ (module docstring: how the
    two modes bin, and where they differ).

    Args:
        unlearned: margins, shape (N, n_points), one row per unlearned model (finite).
        oracle: margins, shape (M, n_points), one row per oracle model (finite, same dtype).
        bins, clip, floor: $B\ge1$ bins (static), clipping $c>0$, floor $0<\varepsilon<1$; the
            defaults 20, 100, $10^{-5}$ are the benchmark code's values.
        direction: "oracle||unlearned" (default, $p$ = oracle) or "unlearned||oracle".
        mode: "ascentlab" (default, every sample counted) or "benchmark" (the public benchmark's
            `np.digitize` binning, which drops samples equal to the pooled maximum; needs N = M).

    Returns:
        KLoM per point, shape (n_points,); 0 where both samples coincide. In "benchmark" mode NaN
        where the $p$ side has every sample at the pooled maximum (as the benchmark gives).

    References: Sec. 6 and App. K of the paper; RoyRin/data-unlearning-bench `kl_from_margins`.
    """
    where = "klom"
    u, o, bins = _check_klom_args(where, unlearned, oracle, bins, clip, floor, direction, mode)
    return _klom(u, o, bins, clip, floor, direction, mode)


def klom_percentile(values, groups=None, q: float = 95.0) -> dict:
    """The q-th percentile of per-point KLoM, per group ({name: boolean mask}) or overall.

    Args:
        values: per-point KLoM, shape (n_points,), finite, at least one point (e.g. `klom`'s output).
        groups: None (one group, "all") or a dict {name: boolean mask of values' shape}, each mask
            selecting at least one point.
        q: the percentile, 0 <= q <= 100 (95 in the paper).

    Returns:
        {name: the q-th percentile of values[mask]} (numpy's linear interpolation).
    """
    where = "klom_percentile"
    values = v.check_array(where, "values", values, ndim=1)
    if values.shape[0] < 1:
        v.fail(where, "values", "array of shape (0,)", "must hold at least one point")
    v.check_positive_scalar(where, "q", q, allow_zero=True)
    if v.is_concrete(q) and not float(q) <= 100:
        v.fail(where, "q", q, "must satisfy 0 <= q <= 100")
    if groups is None:
        return {"all": jnp.percentile(values, q)}
    if not isinstance(groups, dict):
        v.fail(where, "groups", type(groups).__name__, "must be None or a dict {name: boolean mask of values' shape}")
    out = {}
    for name, mask in groups.items():
        label = f"groups[{name!r}]"
        mask = v.as_array(where, label, mask)
        if mask.shape != values.shape or mask.dtype != jnp.bool_:
            v.fail(where, label, f"array of shape {mask.shape} and dtype {mask.dtype}",
                   f"must be a boolean mask of values' shape {values.shape}")
        if v.is_concrete(mask) and not bool(np.any(np.asarray(mask))):
            v.fail(where, label, "a mask selecting no point", "must select at least one point")
        out[name] = jnp.percentile(values[mask], q)
    return out


# ------------------------------------------------------------------------ problem and weights
def _check_w(where, problem, w):
    """`w` of shape (d,) or (..., d), floating with the problem's dtype, finite when concrete."""
    w = v.check_array(where, "w", w, ndim=v.as_array(where, "w", w).ndim)
    d = problem.X.shape[1]
    if w.ndim < 1 or w.shape[-1] != d:
        v.fail(where, "w", f"array of shape {w.shape}", f"must have shape ({d},) or (..., {d}) to match problem.X")
    if w.dtype != problem.X.dtype:
        v.fail(where, "w", f"array of dtype {w.dtype}", f"must have problem.X's dtype {problem.X.dtype}")
    return w


def _check_subset(where, problem, subset):
    v.check_choice(where, "subset", subset, SUBSETS)
    if subset == "test" and problem.X_test is None:
        v.fail(where, "subset", subset, "needs a problem with X_test/y_test (e.g. gaussian_problem)")
    return subset


def _batched(fn, w):
    """`fn(w_i)` over the leading dims of w (..., d); `fn` maps (d,) to a scalar or a pytree of scalars."""
    lead = w.shape[:-1]
    out = jax.vmap(fn)(w.reshape((-1, w.shape[-1])))
    return jax.tree.map(lambda x: x.reshape(lead + x.shape[1:]), out)


def _correct(m):
    """1 for a positive margin, ½ for a zero margin (a tie), 0 otherwise."""
    return jnp.where(m > 0, 1.0, jnp.where(m == 0, 0.5, 0.0)).astype(m.dtype)


def _accuracy(problem, w, subset):
    if subset == "test":
        return jnp.mean(_correct(problem.y_test * (problem.X_test @ w)))
    omega = _sample_weights(problem)
    if subset == "retain":
        omega = jnp.where(problem.forget, 0.0, omega)
    elif subset == "forget":
        omega = jnp.where(problem.forget, omega, 0.0)
    return (omega @ _correct(problem.y * (problem.X @ w))) / omega.sum()


def accuracy(problem: Problem, w, subset: str = "all") -> jax.Array:
    r"""Fraction of samples with margin $y_i\langle w,x_i\rangle>0$ (a zero margin counts ½).

    Args:
        problem: the unlearning problem (weights give the weighted fraction).
        w: weights, shape (d,) or (..., d) for a batch (e.g. `Trajectory.w`).
        subset: "all", "retain", "forget" or "test" (the held-out set; needs `problem.X_test`).

    Returns:
        Accuracy in [0, 1], shape `w.shape[:-1]`.
    """
    where = "accuracy"
    problem = check_problem(where, problem)
    _check_subset(where, problem, subset)
    w = _check_w(where, problem, w)
    return _batched(lambda wi: _accuracy(problem, wi, subset), w)


def losses(problem: Problem, w) -> dict:
    r"""Mean per-sample losses (no ridge) {"retain", "forget", "test" (if the problem has one)}.

    Each is `ascentlab.mean_loss(problem, w, subset)` (weighted means when the problem has weights),
    shape `w.shape[:-1]` for w of shape (d,) or (..., d).
    """
    where = "losses"
    problem = check_problem(where, problem)
    w = _check_w(where, problem, w)
    subsets = ("retain", "forget") + (("test",) if problem.X_test is not None else ())
    return _batched(lambda wi: {s: mean_loss(problem, wi, s) for s in subsets}, w)


def distances(w, references) -> dict:
    r"""Distances $\|w-w^{\mathcal R}\|_2$ ("oracle") and $\|w-w^{\mathcal D}\|_2$ ("original").

    Args:
        w: weights, shape (d,) or (..., d).
        references: `ascentlab.solve_references(problem, da=False)` or anything with `.original.w`
            and `.oracle.w`, each of shape (d,) or broadcastable against w by numpy's rules.

    Returns:
        {"oracle": array, "original": array}, each of shape `w.shape[:-1]` (broadcast).
    """
    where = "distances"
    w = v.check_array(where, "w", w, ndim=v.as_array(where, "w", w).ndim)
    if w.ndim < 1:
        v.fail(where, "w", f"array of shape {w.shape}", "must have shape (d,) or (..., d)")
    out = {}
    for field, name in (("oracle", "oracle"), ("original", "original")):
        ref = getattr(getattr(references, field, None), "w", None)
        if ref is None:
            v.fail(where, "references", type(references).__name__,
                   f"must be an ascentlab.References (from solve_references) or have `.{field}.w`")
        label = f"references.{field}.w"
        ref = v.check_array(where, label, ref, ndim=v.as_array(where, label, ref).ndim)
        try:
            shape = np.broadcast_shapes(w.shape, ref.shape)
        except ValueError:
            shape = None
        if ref.ndim < 1 or shape is None or ref.shape[-1] != w.shape[-1] or ref.ndim > w.ndim:
            v.fail(where, label, f"array of shape {ref.shape}",
                   f"must have shape ({w.shape[-1]},) or broadcast against w of shape {w.shape}")
        if ref.dtype != w.dtype:
            v.fail(where, label, f"array of dtype {ref.dtype}", f"must have w's dtype {w.dtype}")
        ref = ref.reshape((1,) * (w.ndim - ref.ndim) + ref.shape)
        out[name] = jnp.linalg.norm(w - ref, axis=-1)
    return out


# ----------------------------------------------------------------------------- worse than nothing
def worse_than_nothing(trajectory, *, rtol=None) -> tuple:
    r"""Is the run ever farther from the oracle than the original model was ("doing nothing")?

    With rows $r$ at steps $t_r$ (`trajectory.t`, or the row index when it is None) and
    $\delta_r=\|w_{t_r}-w^{\mathcal R}\|$ (`trajectory.dist_oracle`), the run is worse than nothing
    at the first *valid* recorded row with $\delta_r>\delta_0+\tau_r$. The baseline is row 0, the
    run's **start** $w_0$: "doing nothing" is the original model $w^{\mathcal D}$ only for
    `unlearn(..., start="original")` (the default); from another start (e.g. "oracle", a
    checkpoint) the question is whether the run ever ends up farther from the oracle than where it
    began. $\tau_r=$ `rtol` $\cdot(\|w_{t_r}\|+\|w_0\|)$ is a rounding allowance: the computed
    $\|w_t-w^{\mathcal R}\|$ carries a rounding error of about
    $\epsilon_{\text{mach}}(\|w_t\|+\|w^{\mathcal R}\|)$, and a method that stays at a start that is
    stationary only to rounding (e.g. $w^{\mathcal R}$ from a solve) settles a few hundred
    $\epsilon_{\text{mach}}\|w\|$ away (measured on Gaussian problems with $\lambda\ge10^{-3}$: Newton
    and finetuning from the oracle up to $400\,\epsilon_{\text{mach}}\|w\|$; the floor grows as
    $\|\nabla L_{\mathcal R}(w^{\mathcal R})\|/\lambda$, about $3500\,\epsilon_{\text{mach}}\|w\|$ at
    $\lambda=10^{-5}$: pass a larger `rtol` there). The default `rtol` is
    $2^{10}\epsilon_{\text{mach}}$ of the trajectory's dtype ($2.3\cdot10^{-13}$ in float64,
    $1.2\cdot10^{-4}$ in float32); `rtol=0` compares exactly.
    `t_star` is that row's step (so with `record_every=k` the first recorded step: the crossing
    happened at or before it). A diverged run (`diverged_at` $\ge0$) is worse than nothing too
    (its iterates left every bounded region): `t_star` is then the earlier of the first recorded
    crossing and `diverged_at`.

    Args:
        trajectory: an `ascentlab.Trajectory`, or a batch of them (leading axes, as `jax.vmap` of
            `unlearn` returns); vmap over a batch works too.
        rtol: the rounding allowance relative to $\|w_{t_r}\|+\|w_0\|$, $\ge0$; None (default)
            is $2^{10}\epsilon_{\text{mach}}$ of `trajectory.dist_oracle`'s dtype.

    Returns:
        `(flag, t_star)`: bool and int32 arrays of the batch shape; `t_star` is -1 where `flag` is False.
    """
    where = "worse_than_nothing"
    for name in ("w", "dist_oracle", "diverged_at", "t"):
        if not hasattr(trajectory, name):
            v.fail(where, "trajectory", type(trajectory).__name__,
                   "must be an ascentlab.Trajectory (from unlearn) with w, dist_oracle, diverged_at and t")
    dist = v.as_array(where, "trajectory.dist_oracle", trajectory.dist_oracle)
    if dist.ndim < 1 or dist.shape[-1] < 1 or not jnp.issubdtype(dist.dtype, jnp.floating):
        v.fail(where, "trajectory.dist_oracle", f"array of shape {dist.shape} and dtype {dist.dtype}",
               "must be floating with shape (..., rows), rows >= 1")
    div = v.as_array(where, "trajectory.diverged_at", trajectory.diverged_at)
    if div.shape != dist.shape[:-1] or not jnp.issubdtype(div.dtype, jnp.integer):
        v.fail(where, "trajectory.diverged_at", f"array of shape {div.shape} and dtype {div.dtype}",
               f"must be an integer array of shape {dist.shape[:-1]} (dist_oracle's batch shape)")
    if trajectory.t is None:
        t = jnp.arange(dist.shape[-1], dtype=jnp.int32)
    else:
        t = v.as_array(where, "trajectory.t", trajectory.t)
        if t.ndim < 1 or t.shape[-1] != dist.shape[-1] or not jnp.issubdtype(t.dtype, jnp.integer):
            v.fail(where, "trajectory.t", f"array of shape {t.shape} and dtype {t.dtype}",
                   f"must be an integer array ending in the {dist.shape[-1]} rows of dist_oracle")
    w = v.as_array(where, "trajectory.w", trajectory.w)
    if w.shape[:-1] != dist.shape or w.dtype != dist.dtype:
        v.fail(where, "trajectory.w", f"array of shape {w.shape} and dtype {w.dtype}",
               f"must have shape {dist.shape} + (d,) and dist_oracle's dtype {dist.dtype}")
    if rtol is None:
        rtol = 2.0**10 * float(jnp.finfo(dist.dtype).eps)
    v.check_positive_scalar(where, "rtol", rtol, allow_zero=True)
    t = jnp.broadcast_to(t.astype(jnp.int32), dist.shape)
    div = div.astype(jnp.int32)
    valid = (div[..., None] < 0) | (t < div[..., None])
    size = jnp.linalg.norm(w, axis=-1)
    tol = jnp.asarray(rtol, dist.dtype) * (size + size[..., :1])  # rounding allowance (docstring)
    worse = valid & (dist > dist[..., :1] + tol)  # NaN rows (masked after divergence) compare False
    crossed = worse.any(axis=-1)
    first = jnp.argmax(worse, axis=-1)
    t_cross = jnp.where(crossed, jnp.take_along_axis(t, first[..., None], axis=-1)[..., 0], -1)
    diverged = div >= 0
    t_star = jnp.where(crossed & diverged, jnp.minimum(t_cross, div), jnp.where(crossed, t_cross, div))
    flag = crossed | diverged
    return flag, jnp.where(flag, t_star, -1).astype(jnp.int32)


# --------------------------------------------------------------------------- membership inference
def _auc(members, nonmembers, member_weights):
    """Mann-Whitney AUC by sorting: for each member, #(non-members below) + ½ #(ties)."""
    t = jnp.sort(nonmembers)
    below = jnp.searchsorted(t, members, side="left")
    upto = jnp.searchsorted(t, members, side="right")
    wins = below.astype(members.dtype) + 0.5 * (upto - below).astype(members.dtype)
    return (member_weights @ wins) / (member_weights.sum() * t.shape[0])


def auc(member_scores, nonmember_scores, member_weights=None) -> jax.Array:
    r"""AUC $=P(s_1>s_0)+\tfrac12P(s_1=s_0)$ of member scores $s_1$ against non-member scores $s_0$.

    The Mann-Whitney statistic $U/(n_1n_0)$, the area under the ROC curve of the score as a
    membership test.

    Exact (tie-aware, by sorting, $O((n_1+n_0)\log n_0)$), jit/vmap-compatible.

    Args:
        member_scores: scores of the members, shape (n_1,), finite.
        nonmember_scores: scores of the non-members, shape (n_0,), same dtype.
        member_weights: optional multiplicities $\omega\ge0$ of the members, shape (n_1,), with a
            positive sum (a member of weight $\omega$ counts $\omega$ times; 0 leaves it out).
    """
    where = "auc"
    s1 = v.check_array(where, "member_scores", member_scores, ndim=1)
    s0 = v.check_array(where, "nonmember_scores", nonmember_scores, ndim=1)
    if s1.shape[0] < 1 or s0.shape[0] < 1:
        v.fail(where, "member_scores", f"arrays of shapes {s1.shape}, {s0.shape}",
               "and nonmember_scores must be non-empty")
    if s0.dtype != s1.dtype:
        v.fail(where, "nonmember_scores", f"array of dtype {s0.dtype}", f"must have member_scores' dtype {s1.dtype}")
    if member_weights is None:
        omega = jnp.ones(s1.shape, s1.dtype)
    else:
        omega = v.check_array(where, "member_weights", member_weights, ndim=1)
        if omega.shape != s1.shape or omega.dtype != s1.dtype:
            v.fail(where, "member_weights", f"array of shape {omega.shape} and dtype {omega.dtype}",
                   f"must have shape {s1.shape} and dtype {s1.dtype} (those of member_scores)")
        if v.is_concrete(omega):
            w_np = np.asarray(omega)
            if (w_np < 0).any() or not w_np.sum() > 0:
                v.fail(where, "member_weights", f"array with minimum {w_np.min()} and sum {w_np.sum()}",
                       "must be >= 0 with a positive sum")
    return _auc(s1, s0, omega)


def mia_auc(problem: Problem, w) -> jax.Array:
    r"""Loss-threshold membership-inference AUC of the forget set against the held-out set.

    Scores $s_i=-\ell(y_i\langle w,x_i\rangle)$ (Yeom et al. 2018); members are $\mathcal F$
    (weighted by the problem's weights, if any), non-members the held-out set (`problem.X_test`,
    `problem.y_test`). Returns `auc(s_F, s_test)`: ½ when $\mathcal F$ looks like unseen data, above
    ½ when it still looks like training data. Shape `w.shape[:-1]` for w of shape (d,) or (..., d).
    """
    where = "mia_auc"
    problem = check_problem(where, problem)
    if problem.X_test is None:
        v.fail(where, "problem", "Problem without X_test", "needs a held-out set (X_test/y_test) as non-members")
    w = _check_w(where, problem, w)
    omega = jnp.where(problem.forget, _sample_weights(problem), 0.0)

    def one(wi):
        s_train = -_loss_and_derivatives(problem.y * (problem.X @ wi), problem.loss)[0]
        s_test = -_loss_and_derivatives(problem.y_test * (problem.X_test @ wi), problem.loss)[0]
        return _auc(s_train, s_test, omega)

    return _batched(one, w)



r"""Lemma 1 (Hoeffding): the forget set's accuracy concentrates around the population's.

For a forget set $\mathcal F$ of $|\mathcal F|$ samples drawn independently
from the population $P_T$ a trained model is scored on,
$\Pr(|\mathrm{Acc}_T-\mathrm{Acc}_{\mathcal F}|\ge\epsilon)\le2e^{-2|\mathcal F|\epsilon^2}$:
random forget sets look like the rest of the data, which is why ascending on
them also ascends on what should be retained. `check_lemma1` measures the
exceedance frequency over 10,000 random forget sets of a model trained by
`solve`.

References: "Ascent Fails to Forget" (arXiv 2509.26427), Sec. 4, Lemma 1;
proofs/lemma1.py; docs/theory.md#lemma1.
"""

import jax
import jax.numpy as jnp
import numpy as np

from .._problems import gaussian_problem
from .._solve import solve
from .._validate import float_dtype, is_concrete
from ._check import make_check
from ._registry import Result, gather, part
from ._sampling import log_uniform, strata, uniform

__all__ = [
    "LEMMA1_TRAIN",
    "LEMMA1_DIM",
    "LEMMA1_POOL",
    "LEMMA1_MAX_FORGET",
    "hoeffding_bound",
    "lemma1_population",
    "check_lemma1",
    "lemma1_instances",
]

LEMMA1_TRAIN, LEMMA1_DIM, LEMMA1_POOL, LEMMA1_MAX_FORGET = 200, 5, 500, 100


_LEMMA1_CHUNK = 2000


def hoeffding_bound(n, eps):
    r"""Lemma 1: $\Pr(|\mathrm{Acc}_T-\mathrm{Acc}_{\mathcal F}|\ge\epsilon)\le2e^{-2|\mathcal F|\epsilon^2}$.

    Let $n$ be `n` $=|\mathcal F|$ and $\epsilon$ be `eps`. Tag [PN].
    Proof: proofs/lemma1.py.
    """
    return 2.0 * jnp.exp(-2.0 * n * eps**2)


def lemma1_population(seed, teacher_norm):
    r"""A trained model and the finite data set it is scored on (Lemma 1's $P_T$).

    A `gaussian_problem` (seed `seed`, 200 samples, $d=5$, $\rho=0.3$,
    logistic teacher of norm `teacher_norm`: small norms mean noisy labels and
    accuracies near 1/2) is solved for its oracle with `solve`; the model
    never sees the 500 held-out samples, whose correctness indicators
    (shape (500,)) are returned. $P_T$ is the uniform distribution on them,
    so $\mathrm{Acc}_T$ is their mean. Traceable in both arguments.
    """
    key = jax.random.key(seed)
    prob = gaussian_problem(key, LEMMA1_TRAIN, LEMMA1_DIM, 0.3, 0.25, 1e-2, n_test=LEMMA1_POOL,
                            teacher_norm=teacher_norm)
    w = solve(prob, "oracle").w
    return prob.y_test * (prob.X_test @ w) > 0


def check_lemma1(seed, teacher_norm, n, eps, *, trials: int = 10_000):
    r"""Lemma 1 on a trained model: the frequency of $|\mathrm{Acc}_{\mathcal F}-\mathrm{Acc}_T|\ge\epsilon$
    over random forget sets against $2e^{-2n\epsilon^2}$.

    `trials` (a multiple of 2,000) forget sets of `n` samples (an integer,
    $1\le n\le100$; traced values are floored and clipped) are drawn uniformly
    from the finite data set of `lemma1_population(seed, teacher_norm)`,
    independently (with replacement: the lemma's independence premise;
    without replacement only concentrates further), and scored with the
    model's predictions. Applies where the bound lies in $(10^{-4},1)$ (above
    1 it says nothing; far below $1/$`trials` no frequency can test it). Holds
    when the frequency stays below the bound plus four binomial standard
    deviations of a frequency at the bound plus $1/$`trials`; the margin is
    relative to the bound, so `1 - margin` is how close the frequency
    comes.
    """
    if trials < _LEMMA1_CHUNK or trials % _LEMMA1_CHUNK:
        raise ValueError(f"check_lemma1: `trials` must be a positive multiple of {_LEMMA1_CHUNK}, got trials={trials!r}")
    if is_concrete(n) and not (float(n) == int(float(n)) and 1 <= float(n) <= LEMMA1_MAX_FORGET):
        raise ValueError(f"check_lemma1: `n` must be an integer in 1..{LEMMA1_MAX_FORGET}, got n={n!r}")
    dtype = float_dtype(teacher_norm, eps)  # follows the inputs
    correct = lemma1_population(seed, teacher_norm).astype(dtype)
    acc_t = jnp.mean(correct)
    n = jnp.clip(jnp.floor(jnp.asarray(n, dtype)), 1.0, LEMMA1_MAX_FORGET)
    use = jnp.arange(LEMMA1_MAX_FORGET, dtype=dtype) < n
    keys = jax.random.split(jax.random.fold_in(jax.random.key(seed), 1), trials // _LEMMA1_CHUNK)

    def chunk(count, key):
        idx = jax.random.randint(key, (_LEMMA1_CHUNK, LEMMA1_MAX_FORGET), 0, LEMMA1_POOL)
        k = jnp.sum(jnp.where(use, correct[idx], 0.0), axis=1)
        # |k/n - acc| >= eps, decided in counts with a rounding guard
        hit = jnp.abs(k - n * acc_t) >= n * eps - 1e-9 * n
        return count + jnp.sum(hit, dtype=dtype), None

    hits, _ = jax.lax.scan(chunk, jnp.zeros((), dtype), keys)
    freq = hits / (len(keys) * _LEMMA1_CHUNK)
    bound = hoeffding_bound(n, eps)
    slack = 4.0 * jnp.sqrt(bound * (1.0 - bound) / trials) + 1.0 / trials
    applies = (bound > 1e-4) & (bound < 1.0)
    return make_check(bound, jnp.stack([freq, acc_t]), bound + slack - freq, applies=applies, scale=bound)


# --------------------------------------------------------------- instances --

def lemma1_instances(key, n, dtype):
    """(seed, teacher_norm, n, eps): a trained model per instance, the bound log-uniform in (1e-4, 1); |F|
    log-uniform on 1..100 or on 2..10; and, where Hoeffding is closest to the truth, |F| = 2 with eps in
    (0.42, 0.45) and a teacher of norm 0.01..0.05 (accuracy near 1/2: the frequency is then about half
    the bound)."""
    k = jax.random.split(key, 6)
    s = strata(n, 3)
    size = jnp.floor(jnp.where(s == 0, log_uniform(k[0], n, 2.0, 10.999, dtype), log_uniform(k[0], n, 1.0, 100.999, dtype)))
    bound = log_uniform(k[1], n, 1e-4, 0.999, dtype)
    eps = jnp.sqrt(jnp.log(2.0 / bound) / (2.0 * size))
    teacher = log_uniform(k[3], n, 0.3, 10.0, dtype)
    tight = s == 2
    return {"seed": jax.random.randint(k[2], (n,), 0, 2**31 - 1),
            "teacher_norm": jnp.where(tight, log_uniform(k[4], n, 0.01, 0.05, dtype), teacher),
            "n": jnp.where(tight, 2.0, size), "eps": jnp.where(tight, uniform(k[5], n, 0.42, 0.45, dtype), eps)}


def _lemma1_details(collected):
    ratio = gather(collected, 0, lambda p, c: np.where(c.applies, np.asarray(c.measured)[..., 0] / np.asarray(c.prediction), np.nan))
    return {"largest_frequency_over_bound": float(np.nanmax(ratio))}


# ------------------------------------------------------------------ results --

RESULTS = (
    Result(
        id="lemma1",
        order=0,
        stream=0,
        statement="P(|Acc_T - Acc_F| >= eps) <= 2 exp(-2|F| eps^2) for random forget sets of a trained model",
        tag="[PN]",
        verdict="holds",
        parts=(part(check_lemma1, lemma1_instances, 1 / 40),),
        summary="P(\\|Acc_T − Acc_F\\| ≥ ε) ≤ 2 exp(−2\\|F\\|ε²) for random forget sets of a trained model",
        measures=("`check_lemma1` (a trained model, 10,000 forget sets per instance; freq/bound up to 0.57 where "
                  "Hoeffding is tightest)"),
        details=_lemma1_details,
    ),
)

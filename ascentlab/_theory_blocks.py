r"""Theory on orthogonal blocks: Lemmas 1-5, the first-step criterion, the
Case 1/2/3 classification, Corollary 1 and the logistic extension.

Every result has a *prediction* (closed form, threshold or bound) and a
`check_...` function that *measures* the same quantity with the core solvers
and trajectories (`solve`, `unlearn`) and returns a `Check` record. Checks are
vmap-able over their float arguments, so `ascentlab verify` runs thousands of
instances at once. Tolerances are a-posteriori error bounds
(`_theory_check`), so every instance is tested down to $\lambda=10^{-8}$,
endpoints of ranges included.

One coordinate of Assumptions 1-2 is realised exactly as a 1-D weighted
problem (`coordinate_problem`): rows $x=1$ carry the coordinate's
$|\mathcal R_j|$ and $|\mathcal F_j|$ samples, rows $x=0$ carry the rest of
$\mathcal R$ and $\mathcal F$. Zero rows add a constant to every objective
and nothing to any gradient, so the global normalisations
$|\mathcal R|,|\mathcal F|,|\mathcal D|$ are kept while the other coordinates
(which the problem decouples from) cannot interfere, e.g. by being in Case 3.

Notation: $a_j=|\mathcal R_j|/|\mathcal R|$, $b_j=|\mathcal F_j|/|\mathcal F|$,
$c_j=(|\mathcal R_j|+|\mathcal F_j|)/|\mathcal D|$, $\alpha=|\mathcal F_j|/|\mathcal R_j|$.

References: "Ascent Fails to Forget" (arXiv 2509.26427), Sec. 4-5.1, App. C-H;
docs/theory.md.
"""

import jax
import jax.numpy as jnp

from ._lambertw import lambertw
from ._objectives import _hessian
from ._problems import Problem, gaussian_problem
from ._solve import LOCAL_MINIMUM, MINIMUM, UNBOUNDED, solve
from ._theory_check import EPS, INV_E, KINDS, gradient_rounding, make_check, solve_checked, solve_kinds, w_rounding
from ._unlearn import unlearn
from ._validate import is_concrete

# ---------------------------------------------------------------- Lemma 1 --

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
    correct = lemma1_population(seed, teacher_norm).astype(jnp.float64)
    acc_t = jnp.mean(correct)
    n = jnp.clip(jnp.floor(jnp.asarray(n, jnp.float64)), 1.0, LEMMA1_MAX_FORGET)
    use = jnp.arange(LEMMA1_MAX_FORGET, dtype=jnp.float64) < n
    keys = jax.random.split(jax.random.fold_in(jax.random.key(seed), 1), trials // _LEMMA1_CHUNK)

    def chunk(count, key):
        idx = jax.random.randint(key, (_LEMMA1_CHUNK, LEMMA1_MAX_FORGET), 0, LEMMA1_POOL)
        k = jnp.sum(jnp.where(use, correct[idx], 0.0), axis=1)
        # |k/n - acc| >= eps, decided in counts with a rounding guard
        hit = jnp.abs(k - n * acc_t) >= n * eps - 1e-9 * n
        return count + jnp.sum(hit, dtype=jnp.float64), None

    hits, _ = jax.lax.scan(chunk, jnp.zeros((), jnp.float64), keys)
    freq = hits / (len(keys) * _LEMMA1_CHUNK)
    bound = hoeffding_bound(n, eps)
    slack = 4.0 * jnp.sqrt(bound * (1.0 - bound) / trials) + 1.0 / trials
    applies = (bound > 1e-4) & (bound < 1.0)
    return make_check(bound, jnp.stack([freq, acc_t]), bound + slack - freq, applies=applies, scale=bound)


# ------------------------------------------------------- the coordinate problem --


def coordinate_problem(r_j, f_j, n_r, n_f, lam, loss: str = "exp") -> Problem:
    r"""Coordinate $j$ of Assumptions 1-2 as an exact 1-D weighted problem.

    Rows $x=1$ with weights $|\mathcal R_j|$ (`r_j`, retain) and
    $|\mathcal F_j|$ (`f_j`, forget); rows $x=0$ with the rest of
    $|\mathcal R|$ (`n_r`) and $|\mathcal F|$ (`n_f`). All arguments are
    traceable (vmap over them works); all labels are $+1$.
    """
    dtype = jnp.result_type(jnp.asarray(r_j, float).dtype, jnp.asarray(lam, float).dtype)
    X = jnp.array([[1.0], [0.0], [1.0], [0.0]], dtype)
    weights = jnp.stack([jnp.asarray(v, dtype) for v in (r_j, n_r - r_j, f_j, n_f - f_j)])
    forget = jnp.array([False, False, True, True])
    return Problem(X, jnp.ones(4, dtype), forget, jnp.asarray(lam, dtype), loss, weights)


def lemma2_arguments(r_j, f_j, n_r, n_f, lam):
    r"""The Lambert-W arguments $(c_j/\lambda,\ a_j/\lambda,\ (a_j-b_j)/\lambda)$ of Lemma 2.

    $(a_j-b_j)/\lambda=(1-\alpha|\mathcal R|/|\mathcal F|)|\mathcal R_j|/(\lambda|\mathcal R|)$
    and $c_j/\lambda=(1+\alpha)|\mathcal R_j|/(\lambda|\mathcal D|)$.
    """
    a, b = r_j / n_r, f_j / n_f
    c = (r_j + f_j) / (n_r + n_f)
    return c / lam, a / lam, (a - b) / lam


def lemma2(r_j, f_j, n_r, n_f, lam):
    r"""Lemma 2 (Closed Form): $(w^{\mathcal D}_j, w^{\mathcal R}_j, w^{DA}_j)$, exponential loss.

    $$w^{\mathcal D}_j=W_0\Big(\frac{(1+\alpha)|\mathcal R_j|}{\lambda|\mathcal D|}\Big),\quad
    w^{\mathcal R}_j=W_0\Big(\frac{|\mathcal R_j|}{\lambda|\mathcal R|}\Big),\quad
    w^{DA}_j=W_0\Big(\frac{(1-\alpha|\mathcal R|/|\mathcal F|)|\mathcal R_j|}{\lambda|\mathcal R|}\Big).$$

    The DA value is the local minimum ($W_0$ branch) in Case 2 and NaN in
    Case 3 (no stationary point). Let `r_j`, `f_j` be the coordinate's
    counts, `n_r`, `n_f` the global $|\mathcal R|$, $|\mathcal F|$, `lam`
    $\lambda$. Tag [T + PN]. Proof: proofs/lemma2.py.
    """
    zd, zr, zda = lemma2_arguments(r_j, f_j, n_r, n_f, lam)
    return lambertw(zd), lambertw(zr), lambertw(zda)


def _solutions(problem, kinds=KINDS):
    """Tight (w^D, w^R, w^DA) of a 1-D problem with error bounds, solving only `kinds` (NaN and an inf
    error for the others; the DA solution is None unless asked for); w^DA = -inf (error 0) when unbounded."""
    sols = solve_kinds(problem, kinds)
    ws = [jnp.nan if s is None else s[0].w[0] for s in sols]
    errs = [jnp.inf if s is None else s[1] for s in sols]
    sda = None if sols[2] is None else sols[2][0]
    if sda is not None:
        unbounded = sda.status == UNBOUNDED
        ws[2] = jnp.where(unbounded, -jnp.inf, ws[2])
        errs[2] = jnp.where(unbounded, 0.0, errs[2])
    return tuple(ws), tuple(errs), sda


def _da_rel_error(r_j, f_j, n_r, n_f):
    r"""Relative rounding of $z=(a-b)/\lambda$: $16\epsilon(a+b)/|a-b|$ (cancellation)."""
    a, b = r_j / n_r, f_j / n_f
    return 16 * EPS * (a + b) / jnp.maximum(jnp.abs(a - b), jnp.finfo(jnp.float64).tiny)


def _near_boundaries(r_j, f_j, n_r, n_f, lam):
    r"""Whether $z=(a-b)/\lambda$ is within rounding of 0 (Case 1/2) or of $-1/e$ (Case 2/3).

    Near $-1/e$ the local minimum's basin, of depth $\propto\lambda(1+W_0)^3$,
    is below the objective's rounding once $ez+1<10^{-10}$; and $z$ itself
    is known only to $64\epsilon(a+b)/\lambda$. Inside these bands the case
    (and the DA value) is not decidable in float64.
    """
    a, b = r_j / n_r, f_j / n_f
    dz = 64 * EPS * (a + b) / lam
    z = (a - b) / lam
    return jnp.abs(z) <= dz, jnp.abs(z + INV_E) <= jnp.maximum(1e-10 * INV_E, dz)


def check_lemma2(r_j, f_j, n_r, n_f, lam):
    r"""Newton solutions against Lemma 2's closed forms on one coordinate.

    Tolerance: the a-posteriori error bound of each solve plus the Lambert-W
    rounding (with the cancellation in $a_j-b_j$ for the DA argument). In
    Case 3 the prediction is NaN and `solve` must say "unbounded"; within
    rounding of the Case 2/3 boundary the DA value is not decidable and only
    $w^{\mathcal D}$, $w^{\mathcal R}$ are tested. Margin: the smallest
    $1-|\text{error}|/\text{tolerance}$.
    """
    pred = jnp.stack(lemma2(r_j, f_j, n_r, n_f, lam))
    (wd, wr, wda), (ed, er, eda), sda = _solutions(coordinate_problem(r_j, f_j, n_r, n_f, lam))
    meas = jnp.stack([wd, wr, wda])
    _, near23 = _near_boundaries(r_j, f_j, n_r, n_f, lam)
    tol = jnp.stack([ed + w_rounding(pred[0]), er + w_rounding(pred[1]),
                     eda + w_rounding(pred[2], _da_rel_error(r_j, f_j, n_r, n_f))])
    rel = (tol - jnp.abs(meas - pred)) / tol
    case3 = jnp.isnan(pred[2])
    rel_da = jnp.where(near23, 1.0, jnp.where(case3, jnp.where(sda.status == UNBOUNDED, 1.0, -1.0), rel[2]))
    return make_check(pred, meas, jnp.minimum(jnp.minimum(rel[0], rel[1]), rel_da))


# ------------------------------------------------- Lemma 3, first step, cases --


def lemma3_range(n_r, n_f):
    r"""Lemma 3's exact $\alpha$ range (Case 1 of its proof):
    $\frac{|\mathcal F|^2}{|\mathcal R|(|\mathcal F|+|\mathcal D|)}\le\alpha\le\frac{|\mathcal F|}{|\mathcal R|}$.

    Inside it $w^{DA}_j\le w^{\mathcal D}_j\le w^{\mathcal R}_j$, so
    $(w^{DA}_j-w^{\mathcal D}_j)(w^{\mathcal D}_j-w^{\mathcal R}_j)\ge0$: the
    DA point and the oracle lie on opposite sides of the original model.
    Outside it the product is negative (below: DA moves toward the oracle;
    above: it overshoots past it); at both ends it is 0 ($w^{DA}=w^{\mathcal D}$
    at the lower, $w^{\mathcal D}=w^{\mathcal R}$ at the upper end).
    Tag [T, range checked D]. Proof: proofs/lemma3.py.
    """
    n_d = n_r + n_f
    return n_f**2 / (n_r * (n_f + n_d)), n_f / n_r


def _range_position(r_j, f_j, n_r, n_f):
    """(inside the closed range, strictly inside)."""
    lo, hi = lemma3_range(n_r, n_f)
    alpha = f_j / r_j
    return (alpha >= lo) & (alpha <= hi), (alpha > lo) & (alpha < hi)


def _ordering_check(r_j, f_j, n_r, n_f, lam, loss):
    r"""Sign of $(w^{DA}-w^{\mathcal D})(w^{\mathcal D}-w^{\mathcal R})$ against Lemma 3's range, with its error bound."""
    (wd, wr, wda), (ed, er, eda), sda = _solutions(coordinate_problem(r_j, f_j, n_r, n_f, lam, loss))
    prod = (wda - wd) * (wd - wr)
    unbounded = sda.status == UNBOUNDED
    err = jnp.abs(wd - wr) * (eda + ed) + jnp.abs(wda - wd) * (ed + er) + (eda + ed) * (ed + er)
    err = jnp.where(unbounded, 0.0, err) + 16 * EPS * jnp.where(unbounded, 0.0, jnp.abs(prod))
    inside, _ = _range_position(r_j, f_j, n_r, n_f)
    slack = jnp.where(inside, prod, -prod)
    rel = (slack + err) / (jnp.where(jnp.isfinite(prod), jnp.abs(prod), 1.0) + err)
    # DA ended neither at a minimum nor unbounded: undecidable only within rounding of the Case 2/3 boundary
    undecided = ~unbounded & ~sda.is_minimum
    _, near23 = _near_boundaries(r_j, f_j, n_r, n_f, lam)
    return inside, prod, jnp.where(undecided, -1.0, rel), ~(undecided & near23), sda


def check_lemma3(r_j, f_j, n_r, n_f, lam, loss: str = "exp"):
    r"""Sign of $(w^{DA}-w^{\mathcal D})(w^{\mathcal D}-w^{\mathcal R})$ from `solve` against the range.

    Holds when the product is $\ge0$ inside `lemma3_range` (ends included)
    and $\le0$ outside (the range is exact, not only sufficient), each up to
    the product's propagated a-posteriori error; instances at the ends,
    where the product is 0, are tested like any other. The relative margin
    is near 0 only there. Within rounding of the Case 2/3 boundary
    (`_near_boundaries`), where the float problem cannot tell a shallow
    minimum from none, an instance whose DA solve ends at neither does not
    count.
    """
    inside, prod, margin, applies, _ = _ordering_check(r_j, f_j, n_r, n_f, lam, loss)
    return make_check(inside, prod, margin, applies=applies)


def first_step(r_j, f_j, n_r, n_f, lam, eta):
    r"""The first DA step from $w^{\mathcal D}$ [D]: $w_1-w^{\mathcal D}=\eta\,e^{-w^{\mathcal D}_j}(a_j-b_j-c_j)$.

    From $-\partial_jL_{DA}(w)=(a_j-b_j)e^{-w}-\lambda w$ and
    $\lambda w^{\mathcal D}=c_je^{-w^{\mathcal D}}$. Proof: proofs/first_step.py.
    """
    a, b = r_j / n_r, f_j / n_f
    c = (r_j + f_j) / (n_r + n_f)
    wd, _, _ = lemma2(r_j, f_j, n_r, n_f, lam)
    return eta * jnp.exp(-wd) * (a - b - c)


def first_step_direction(r_j, f_j, n_r, n_f, lam):
    r"""First-step criterion [D]: the sign of $(w_1-w^{\mathcal D})(w^{\mathcal R}-w^{\mathcal D})$.

    $\mathrm{sign}\big((a_j-b_j-c_j)(w^{\mathcal R}_j-w^{\mathcal D}_j)\big)$:
    $-1$ (the first DA step moves away from $w^{\mathcal R}_j$) exactly when
    $\alpha$ is strictly inside Lemma 3's range, for every $\eta>0$; $0$ at
    its ends (no step at the lower, $w^{\mathcal D}=w^{\mathcal R}$ at the
    upper). Proof: proofs/first_step.py.
    """
    a, b = r_j / n_r, f_j / n_f
    c = (r_j + f_j) / (n_r + n_f)
    wd, wr, _ = lemma2(r_j, f_j, n_r, n_f, lam)
    return jnp.sign((a - b - c) * (wr - wd))


def check_first_step(r_j, f_j, n_r, n_f, lam, eta):
    r"""One `unlearn(..., "da")` step from `solve`'s $w^{\mathcal D}$ against `first_step` and `first_step_direction`.

    Measured: the step $s=w_1-w_0$ and $s(w^{\mathcal R}-w^{\mathcal D})$.
    Holds when (i) $s$ equals `first_step` to its propagated rounding (the
    gradient's rounding at $w^{\mathcal D}$, the solves' errors times the DA
    curvature, and the rounding of $w_1-w_0$, $4\epsilon|w^{\mathcal D}|$), (ii) $s(w^{\mathcal R}-w^{\mathcal D})<0$ strictly inside
    Lemma 3's range and $\ge0$ outside, up to its error, and (iii) where
    that product is resolved, its sign is `first_step_direction`.
    """
    p = coordinate_problem(r_j, f_j, n_r, n_f, lam)
    (sd, ed), (sr, er) = (solve_checked(p, k) for k in ("original", "oracle"))
    wd, wr = sd.w[0], sr.w[0]
    tr = unlearn(p, "da", eta=eta, steps=1, start=sd.w)
    s = tr.w[1, 0] - tr.w[0, 0]
    s_pred = first_step(r_j, f_j, n_r, n_f, lam, eta)
    a, b = r_j / n_r, f_j / n_f
    c = (r_j + f_j) / (n_r + n_f)
    curv = jnp.abs(a - b) * jnp.exp(-wd) + lam
    tol_s = eta * (gradient_rounding(p, "da", sd.w) + curv * (ed + w_rounding(wd))
                   + 16 * EPS * (a + b + c) * jnp.exp(-wd)) + 4 * EPS * jnp.abs(wd)  # w1 - w0 of floats near wd
    rel_value = (tol_s - jnp.abs(s - s_pred)) / tol_s
    moved = s * (wr - wd)
    tol_m = jnp.abs(s) * (ed + er) + jnp.abs(wr - wd) * tol_s
    _, strictly = _range_position(r_j, f_j, n_r, n_f)
    rel_dir = (jnp.where(strictly, -moved, moved) + tol_m) / (jnp.abs(moved) + tol_m)
    direction = first_step_direction(r_j, f_j, n_r, n_f, lam)
    agrees = (jnp.abs(moved) <= tol_m) | (jnp.sign(moved) == direction)
    margin = jnp.minimum(jnp.minimum(rel_value, rel_dir), jnp.where(agrees, 1.0, -1.0))
    return make_check(jnp.stack([s_pred, direction]), jnp.stack([s, moved]), margin)


def da_case(z):
    r"""Lemma 3's case of the DA argument $z=(a_j-b_j)/\lambda$: 1 if $z\ge0$,
    2 if $-1/e\le z<0$, 3 if $z<-1/e$.

    Corrected [D]: in Case 2 the stationary point on $W_0$ (in $(-1,0)$) is
    the local **minimum** and the one on $W_{-1}$ ($\le-1$) the local
    **maximum**, since $f''=\lambda(1+w)$ at a stationary point of
    $f(w)=ce^{-w}+\frac\lambda2w^2$; the paper states the opposite. The
    minimum is only local: $f\to-\infty$ as $w\to-\infty$ when $c<0$
    (`solve` reports "local_minimum"). Tag [T] (cases), assignment
    corrected [D]. Proof: proofs/cases.py.
    """
    return jnp.where(z >= 0, 1, jnp.where(z >= -INV_E, 2, 3))


def case_thresholds(r_j, n_r, n_f, lam):
    r"""The $\alpha$ boundaries of the cases: Case 1 up to $|\mathcal F|/|\mathcal R|$, Case 2 up to
    $\frac{|\mathcal F|}{|\mathcal R|}+\frac{\lambda|\mathcal F|}{e|\mathcal R_j|}$, Case 3 beyond.

    Tag [T]. Proof: proofs/cases.py.
    """
    return n_f / n_r, n_f / n_r + lam * n_f * INV_E / r_j


def _measured_case(sol):
    """3 unbounded, 2 local minimum (objective unbounded below), 1 minimum, 0 anything else."""
    st = sol.status
    return jnp.where(st == UNBOUNDED, 3, jnp.where(st == LOCAL_MINIMUM, 2, jnp.where(st == MINIMUM, 1, 0)))


def check_cases(r_j, f_j, n_r, n_f, lam):
    r"""The case from `solve` against $z$, and the curvature at both Case-2 branches.

    Measured case: 3 if `solve` says "unbounded", 2 if "local_minimum" (a
    minimum of an objective certified unbounded below), 1 if "minimum"
    (global: Case 1 is convex). The solution must lie in $[0,\infty)$ in
    Case 1 and $(-1,0]$ in Case 2, up to its error bound. In Case 2 the
    closed-form Hessian of the problem must be positive at $W_0(z)$ and
    negative at $W_{-1}(z)$ (the corrected assignment). Within rounding of
    the Case 1/2 boundary either neighbouring case is accepted; within
    rounding of the Case 2/3 boundary any outcome is (the float problem can
    have a shallow minimum, an inflection or none).
    """
    p = coordinate_problem(r_j, f_j, n_r, n_f, lam)
    z = lemma2_arguments(r_j, f_j, n_r, n_f, lam)[2]
    pred = da_case(z)
    sda, eda = solve_checked(p, "da")
    meas = _measured_case(sda)
    near01, near23 = _near_boundaries(r_j, f_j, n_r, n_f, lam)
    # within rounding of -1/e the float problem may have a shallow minimum, an inflection or none
    match = (pred == meas) | (near01 & ((meas == 1) | (meas == 2))) | near23
    w = sda.w[0]
    where_ok = jnp.where(meas == 1, w >= -eda, jnp.where(meas == 2, (w > -1 - eda) & (w <= eda), True))
    w_min, w_max = lambertw(z, 0), lambertw(z, -1)
    case2 = (pred == 2) & ~near23 & ~near01
    h_min = _hessian(p, jnp.stack([jnp.where(case2, w_min, 0.0)]), "da")[0, 0]
    h_max = _hessian(p, jnp.stack([jnp.where(case2, w_max, 0.0)]), "da")[0, 0]
    curv = jnp.where(case2, jnp.minimum(h_min, -h_max) / (lam * jnp.abs(1 + w_min)), 1.0)
    margin = jnp.where(match & where_ok, jnp.minimum(curv, 1.0), -1.0)
    return make_check(pred, meas, margin)


# ---------------------------------------------------- Lemmas 4-5, Corollary 1 --


def lemma4_bound(r_j, f_j, n_r, n_f):
    r"""Lemma 4: $\Delta_{\mathcal R,\mathcal D}=|w^{\mathcal D}_j-w^{\mathcal R}_j|\le\big|\ln\frac{(1+\alpha)|\mathcal R|}{|\mathcal D|}\big|$.

    For every $\lambda>0$, $\alpha>0$; zero at $\alpha=|\mathcal F|/|\mathcal R|$;
    tight as $\lambda\to0$ (then $W_0(x)=\ln x-\ln\ln x+o(1)$).
    Corrected [D]: the proof's intermediate "$\le\ln\alpha$" / "$\le-\ln\alpha$"
    are typos; the completed proof uses $W_0(x)=\ln x-\ln W_0(x)$.
    Tag [T], proof completed [D]. Proof: proofs/lemma4.py.
    """
    alpha = f_j / r_j
    return jnp.abs(jnp.log((1 + alpha) * n_r / (n_r + n_f)))


def check_lemma4(r_j, f_j, n_r, n_f, lam):
    r"""$|w^{\mathcal D}-w^{\mathcal R}|$ from `solve` against the bound; margin relative to the bound."""
    (wd, wr, _), (ed, er, _), _ = _solutions(coordinate_problem(r_j, f_j, n_r, n_f, lam), ("original", "oracle"))
    bound = lemma4_bound(r_j, f_j, n_r, n_f)
    dist = jnp.abs(wd - wr)
    return make_check(bound, dist, bound - dist, tol=ed + er + 16 * EPS * jnp.maximum(1.0, bound), scale=bound)


def lemma5_bound(r_j, n_r, lam):
    r"""Lemma 5: for $\alpha\ge|\mathcal F|/|\mathcal R|$,
    $\Delta_{\mathcal R,DA}\ge W_0\big(\frac{|\mathcal R_j|}{\lambda|\mathcal R|}\big)=w^{\mathcal R}_j$.

    Corrected [D]: the proof says $w^{DA}_j\to-\infty$ for all such $\alpha$;
    that is Case 3 only. In Case 2 $w^{DA}_j=W_0(z)\in(-1,0]$ is finite, and
    $\Delta_{\mathcal R,DA}-w^{\mathcal R}_j=-w^{DA}_j\ge0$: the bound holds,
    with equality at $\alpha=|\mathcal F|/|\mathcal R|$. Tag [T], corrected
    [D]. Proof: proofs/lemma5.py.
    """
    return lambertw(r_j / (lam * n_r))


def check_lemma5(r_j, f_j, n_r, n_f, lam):
    r"""For $\alpha\ge|\mathcal F|/|\mathcal R|$: the Case-2 slack $\Delta_{\mathcal R,DA}-W_0(\cdot)$ and the Case-3 divergence.

    Case 2 (finite $w^{DA}$): the distance from `solve` must exceed the bound
    up to the solves' errors; the margin, relative to the bound, is
    $-w^{DA}/w^{\mathcal R}$, 0 at $\alpha=|\mathcal F|/|\mathcal R|$. Case 3:
    `solve` must say "unbounded" (margin 1 if so, -1 if not). `measured` is
    (distance, diverged), so that verify counts the two cases apart.
    """
    (_, wr, wda), (_, er, eda), sda = _solutions(coordinate_problem(r_j, f_j, n_r, n_f, lam), ("oracle", "da"))
    bound = lemma5_bound(r_j, n_r, lam)
    dist = jnp.abs(wr - wda)
    diverged = sda.status == UNBOUNDED
    z = lemma2_arguments(r_j, f_j, n_r, n_f, lam)[2]
    near01, near23 = _near_boundaries(r_j, f_j, n_r, n_f, lam)
    case3 = (da_case(z) == 3) & ~near23
    tol2 = er + eda + w_rounding(bound)
    rel2 = jnp.where(jnp.isfinite(tol2), (dist - bound + tol2) / bound, -jnp.inf)  # inf: a solve did not converge
    margin = jnp.where(case3, jnp.where(diverged, 1.0, -1.0), jnp.where(diverged, jnp.where(near23, 1.0, -1.0), rel2))
    # within rounding of the Case 2/3 boundary a DA solve that ends at neither a minimum nor "unbounded"
    # is undecidable in float64 (as in check_lemma3); anywhere else it fails through rel2 = -inf
    undecided = ~diverged & ~sda.is_minimum
    applies = ((f_j * n_r >= r_j * n_f) | near01) & ~(near23 & undecided)
    return make_check(bound, jnp.stack([dist, diverged.astype(dist.dtype)]), margin, applies=applies)


def corollary1(r_j, n_r, lam):
    r"""Corollary 1 at $\alpha=|\mathcal F|/|\mathcal R|$ [T; closed forms D]:
    $\Delta_{\mathcal R,\mathcal D}=0$ and $\Delta_{\mathcal R,DA}=W_0\big(\frac{|\mathcal R_j|}{\lambda|\mathcal R|}\big)\to\infty$
    as $\lambda\to0$.

    There $a_j=b_j$ and $c_j=a_j$, so $w^{\mathcal D}=w^{\mathcal R}$,
    $w^{DA}=0$, and DA is weight decay, $w_t=(1-\eta\lambda)^tw^{\mathcal R}$.
    The pure 1-D data set ($|\mathcal R_j|=|\mathcal R|$) gives $W_0(1/\lambda)$.
    Returns $(\Delta_{\mathcal R,\mathcal D},\Delta_{\mathcal R,DA})$.
    Proof: proofs/corollary1.py.
    """
    return jnp.zeros_like(jnp.asarray(lam, float)), lambertw(r_j / (lam * n_r))


def check_corollary1(r_j, n_r, n_f, lam, eta, *, steps: int = 50):
    r"""A coordinate at $\alpha=|\mathcal F|/|\mathcal R|$ ($|\mathcal F_j|=|\mathcal R_j||\mathcal F|/|\mathcal R|$), any $|\mathcal R_j|\le|\mathcal R|$.

    Measured: $\Delta_{\mathcal R,\mathcal D}$ and $\Delta_{\mathcal R,DA}$
    from `solve` (three different problems: original, oracle, DA), and the
    `unlearn` DA trajectory from $w^{\mathcal D}$ against
    $(1-\eta\lambda)^tW_0(\cdot)$ (`eta` must keep $\eta\lambda<2$).
    Tolerance: the solves' error bounds plus, for the trajectory, the
    rounding of each step (the float $a_j-b_j$ is not exactly 0).
    """
    f_j = r_j * n_f / n_r
    p = coordinate_problem(r_j, f_j, n_r, n_f, lam)
    (wd, wr, wda), (ed, er, eda), _ = _solutions(p)
    pred = jnp.stack(corollary1(r_j, n_r, lam))
    meas = jnp.stack([jnp.abs(wd - wr), jnp.abs(wr - wda)])
    tol = jnp.stack([ed + er, er + eda + w_rounding(pred[1])])
    rel = jnp.min((tol - jnp.abs(meas - pred)) / tol)
    tr = unlearn(p, "da", eta=eta, steps=steps, start=jnp.stack([wd]))
    decay = (1.0 - eta * lam) ** jnp.arange(steps + 1, dtype=pred.dtype) * pred[1]
    a, b = r_j / n_r, f_j / n_f
    tol_traj = ed + w_rounding(pred[1]) + steps * (eta * 16 * EPS * (a + b + lam * pred[1]) + 4 * EPS * pred[1])
    rel_traj = (tol_traj - jnp.max(jnp.abs(tr.w[:, 0] - decay))) / tol_traj
    return make_check(pred, meas, jnp.minimum(rel, rel_traj))


# ------------------------------------------------------ logistic extension --


def check_logistic_ext(r_j, f_j, n_r, n_f, lam):
    r"""Logistic loss [D]: the Lemma 3 ordering holds in the same $\alpha$ range,
    and DA is bounded below (no Case 3 divergence).

    First-order conditions $\lambda w=c\,\sigma(-w)$, $c\in\{c_j,a_j,a_j-b_j\}$:
    the solution is increasing in $c$, so the ordering of $c$ (which defines
    the range) orders the solutions; $(a-b)\log(1+e^{-w})+\frac\lambda2w^2$
    grows like $\frac\lambda2w^2$, so it is bounded below even when $a<b$.
    Measured: the sign product from `solve` (as `check_lemma3`, ends
    included) and its status (must be "minimum"). Proof: proofs/logistic_ext.py.
    """
    inside, prod, rel, _, sda = _ordering_check(r_j, f_j, n_r, n_f, lam, "logistic")
    return make_check(inside, prod, jnp.where(sda.status == MINIMUM, rel, -1.0))

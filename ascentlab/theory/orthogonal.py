r"""Theory on orthogonal blocks: Lemmas 2-5, the first-step criterion, the
Case 1/2/3 classification and Corollary 1.

Every result has a *prediction* (closed form, threshold or bound) and a
`check_...` function that *measures* the same quantity with the core solvers
and trajectories (`solve`, `unlearn`) and returns a `Check` record. Checks are
vmap-able over their float arguments, so `ascentlab verify` runs thousands of
instances at once. Tolerances are a-posteriori error bounds
(`ascentlab.theory._check`), so every instance is tested down to $\lambda=10^{-8}$,
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

import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .._lambertw import lambertw
from .._objectives import _hessian
from .._problems import Problem
from .._solve import LOCAL_MINIMUM, MINIMUM, UNBOUNDED, References
from .._unlearn import unlearn
from .._validate import float_dtype
from ._check import INV_E, KINDS, gradient_rounding, machine_eps, make_check, solve_checked, solve_kinds, w_rounding
from ._registry import Result, gather, part
from ._sampling import int_uniform, log_uniform, strata, uniform

__all__ = [
    "Fractions",
    "fractions",
    "coordinate_problem",
    "lemma2_arguments",
    "lemma2",
    "check_lemma2",
    "lemma3_range",
    "ordering_check",
    "check_lemma3",
    "first_step",
    "first_step_direction",
    "check_first_step",
    "da_case",
    "case_thresholds",
    "check_cases",
    "lemma4_bound",
    "check_lemma4",
    "lemma5_bound",
    "check_lemma5",
    "corollary1",
    "check_corollary1",
    "block_instances",
    "first_step_instances",
    "corollary1_instances",
]


# ------------------------------------------------------- the coordinate problem --


class Fractions(NamedTuple):
    r"""The fractions of one coordinate $(|\mathcal R_j|, |\mathcal F_j|, |\mathcal R|, |\mathcal F|)$ that every
    result of this module is written in: $a_j=|\mathcal R_j|/|\mathcal R|$, $b_j=|\mathcal F_j|/|\mathcal F|$,
    $c_j=(|\mathcal R_j|+|\mathcal F_j|)/|\mathcal D|$ (the original model's weight)."""

    a: jax.Array
    b: jax.Array
    c: jax.Array


def fractions(r_j, f_j, n_r, n_f) -> Fractions:
    """`Fractions(a, b, c)` of a coordinate given by its counts (traceable)."""
    return Fractions(r_j / n_r, f_j / n_f, (r_j + f_j) / (n_r + n_f))


def coordinate_problem(r_j, f_j, n_r, n_f, lam, loss: str = "exp") -> Problem:
    r"""Coordinate $j$ of Assumptions 1-2 as an exact 1-D weighted problem.

    Rows $x=1$ with weights $|\mathcal R_j|$ (`r_j`, retain) and
    $|\mathcal F_j|$ (`f_j`, forget); rows $x=0$ with the rest of
    $|\mathcal R|$ (`n_r`) and $|\mathcal F|$ (`n_f`). All arguments are
    traceable (vmap over them works); all labels are $+1$.
    """
    dtype = float_dtype(r_j, f_j, n_r, n_f, lam)
    X = jnp.array([[1.0], [0.0], [1.0], [0.0]], dtype)
    weights = jnp.stack([jnp.asarray(v, dtype) for v in (r_j, n_r - r_j, f_j, n_f - f_j)])
    forget = jnp.array([False, False, True, True])
    return Problem(X, jnp.ones(4, dtype), forget, jnp.asarray(lam, dtype), loss, weights)


def lemma2_arguments(r_j, f_j, n_r, n_f, lam):
    r"""The Lambert-W arguments $(c_j/\lambda,\ a_j/\lambda,\ (a_j-b_j)/\lambda)$ of Lemma 2.

    $(a_j-b_j)/\lambda=(1-\alpha|\mathcal R|/|\mathcal F|)|\mathcal R_j|/(\lambda|\mathcal R|)$
    and $c_j/\lambda=(1+\alpha)|\mathcal R_j|/(\lambda|\mathcal D|)$.
    """
    a, b, c = fractions(r_j, f_j, n_r, n_f)
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
    a, b, _ = fractions(r_j, f_j, n_r, n_f)
    return 16 * machine_eps(a) * (a + b) / jnp.maximum(jnp.abs(a - b), jnp.finfo(jnp.result_type(a)).tiny)


def _near_boundaries(r_j, f_j, n_r, n_f, lam):
    r"""Whether $z=(a-b)/\lambda$ is within rounding of 0 (Case 1/2) or of $-1/e$ (Case 2/3).

    Near $-1/e$ the local minimum's basin, of depth $\propto\lambda(1+W_0)^3$,
    is below the objective's rounding once $ez+1<10^{-10}$; and $z$ itself
    is known only to $64\epsilon(a+b)/\lambda$. Inside these bands the case
    (and the DA value) is not decidable in float64.
    """
    a, b, _ = fractions(r_j, f_j, n_r, n_f)
    dz = 64 * machine_eps(lam) * (a + b) / lam
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


def ordering_check(r_j, f_j, n_r, n_f, lam, loss):
    r"""Sign of $(w^{DA}-w^{\mathcal D})(w^{\mathcal D}-w^{\mathcal R})$ against Lemma 3's range, with its error bound."""
    (wd, wr, wda), (ed, er, eda), sda = _solutions(coordinate_problem(r_j, f_j, n_r, n_f, lam, loss))
    prod = (wda - wd) * (wd - wr)
    unbounded = sda.status == UNBOUNDED
    err = jnp.abs(wd - wr) * (eda + ed) + jnp.abs(wda - wd) * (ed + er) + (eda + ed) * (ed + er)
    err = jnp.where(unbounded, 0.0, err) + 16 * machine_eps(prod) * jnp.where(unbounded, 0.0, jnp.abs(prod))
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
    inside, prod, margin, applies, _ = ordering_check(r_j, f_j, n_r, n_f, lam, loss)
    return make_check(inside, prod, margin, applies=applies)


def first_step(r_j, f_j, n_r, n_f, lam, eta):
    r"""The first DA step from $w^{\mathcal D}$ [D]: $w_1-w^{\mathcal D}=\eta\,e^{-w^{\mathcal D}_j}(a_j-b_j-c_j)$.

    From $-\partial_jL_{DA}(w)=(a_j-b_j)e^{-w}-\lambda w$ and
    $\lambda w^{\mathcal D}=c_je^{-w^{\mathcal D}}$. Proof: proofs/first_step.py.
    """
    a, b, c = fractions(r_j, f_j, n_r, n_f)
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
    a, b, c = fractions(r_j, f_j, n_r, n_f)
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
    tr = unlearn(p, "da", eta=eta, steps=1, start=sd.w, references=References(sd, sr, None))  # no re-solve
    s = tr.w[1, 0] - tr.w[0, 0]
    s_pred = first_step(r_j, f_j, n_r, n_f, lam, eta)
    a, b, c = fractions(r_j, f_j, n_r, n_f)
    curv = jnp.abs(a - b) * jnp.exp(-wd) + lam
    tol_s = eta * (gradient_rounding(p, "da", sd.w) + curv * (ed + w_rounding(wd))
                   + 16 * machine_eps(wd) * (a + b + c) * jnp.exp(-wd)) + 4 * machine_eps(wd) * jnp.abs(wd)  # w1 - w0 of floats near wd
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
    return make_check(bound, dist, bound - dist, tol=ed + er + 16 * machine_eps(bound) * jnp.maximum(1.0, bound), scale=bound)


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
    return jnp.zeros_like(jnp.asarray(lam, float_dtype(lam))), lambertw(r_j / (lam * n_r))


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
    a, b, _ = fractions(r_j, f_j, n_r, n_f)
    tol_traj = ed + w_rounding(pred[1]) + steps * (eta * 16 * machine_eps(pred) * (a + b + lam * pred[1]) + 4 * machine_eps(pred) * pred[1])
    rel_traj = (tol_traj - jnp.max(jnp.abs(tr.w[:, 0] - decay))) / tol_traj
    return make_check(pred, meas, jnp.minimum(rel, rel_traj))


# --------------------------------------------------------------- instances --

def block_instances(key, n, dtype):
    """(r_j, f_j, n_r, n_f, lam) of one orthogonal coordinate: a random bulk and twelve corner strata.

    Bulk (4 of 16 strata): |R| ~ U{50..2000}, |R_j| ~ U{1..|R|}, alpha
    log-uniform on [0.005, 3] (|F_j| = max(1, round(alpha |R_j|))),
    |F| - |F_j| ~ U{0..|R|}, lambda log-uniform on [1e-8, 10]. Corners:
    alpha exactly at each end of Lemma 3's range, and within a relative
    1e-6..1e-1 of an end on either side; z = (a-b)/lambda inside Case 2 with
    e z + 1 log-uniform on [1e-9, 1e-2], and just inside Case 3; lambda in
    [1e-8, 1e-6]; |R_j| = 1; |R_j| = |R| (the whole retain set); |F| up to
    50 |R|; alpha in [1e-4, 1e-2]; alpha in [3, 50].
    """
    k = jax.random.split(key, 13)
    n_r = int_uniform(k[0], n, 50, 2000, dtype)
    r_j = int_uniform(k[1], n, 1, n_r, dtype)
    alpha = log_uniform(k[2], n, 0.005, 3.0, dtype)
    rest = int_uniform(k[3], n, 0, n_r, dtype)
    lam = log_uniform(k[4], n, 1e-8, 10.0, dtype)
    s = strata(n, 16)
    alpha = jnp.where(s == 10, log_uniform(k[5], n, 1e-4, 1e-2, dtype), alpha)
    alpha = jnp.where(s == 11, log_uniform(k[5], n, 3.0, 50.0, dtype), alpha)
    r_j = jnp.where(s == 7, 1.0, jnp.where(s == 8, n_r, r_j))
    rest = jnp.where(s == 9, int_uniform(k[6], n, 0, 50 * n_r, dtype), rest)
    lam = jnp.where(s == 6, log_uniform(k[7], n, 1e-8, 1e-6, dtype), lam)
    f_j = jnp.maximum(1.0, jnp.round(alpha * r_j))
    n_f = f_j + rest
    # exact ends of Lemma 3's range: |F| fixed, |F_j| = alpha |R_j| (real-valued weights)
    n_f_end = jnp.maximum(1.0, rest)
    lo, hi = lemma3_range(n_r, n_f_end)
    f_j = jnp.where(s == 4, lo * r_j, jnp.where(s == 5, hi * r_j, f_j))
    # within 1e-6..1e-1 (relative) of an end, either side: the range is exact, not only sufficient
    near = 1 + log_uniform(k[10], n, 1e-6, 1e-1, dtype) * jnp.where(jax.random.uniform(k[11], (n,), dtype) < 0.5, 1.0, -1.0)
    end = jnp.where(jax.random.uniform(k[9], (n,), dtype) < 0.5, lo, hi)
    f_j = jnp.where((s == 14) | (s == 15), jnp.minimum(end * near * r_j, n_f_end), f_j)  # b_j <= 1
    n_f = jnp.where((s == 4) | (s == 5) | (s == 14) | (s == 15), n_f_end, n_f)
    # the Case 2/3 boundary: b = a + lam/e (1 - delta), delta > 0 inside Case 2, < 0 in Case 3
    r_b = jnp.minimum(r_j, n_r - 1)
    a = r_b / n_r
    lam_b = jnp.minimum(lam, 0.9 * math.e * (1 - a))
    delta = log_uniform(k[8], n, 1e-9, 1e-2, dtype) * jnp.where(jax.random.uniform(k[12], (n,), dtype) < 0.75, 1.0, -1.0)
    b = a + lam_b / math.e * (1 - delta)
    boundary = (s == 12) | (s == 13)
    n_f_b = jnp.maximum(1.0, rest) + 1.0
    r_j = jnp.where(boundary, r_b, r_j)
    lam = jnp.where(boundary, lam_b, lam)
    f_j = jnp.where(boundary, b * n_f_b, f_j)
    n_f = jnp.where(boundary, n_f_b, n_f)
    return {"r_j": r_j, "f_j": f_j, "n_r": n_r, "n_f": n_f, "lam": lam}


def first_step_instances(key, n, dtype):
    k1, k2 = jax.random.split(key)
    inst = block_instances(k1, n, dtype)
    inst["eta"] = log_uniform(k2, n, 1e-3, 2.0, dtype)
    return inst


def corollary1_instances(key, n, dtype):
    """(r_j, n_r, n_f, lam, eta): |R_j| anywhere in 1..|R| (strata: 1 and |R|), lambda down to 1e-8."""
    k = jax.random.split(key, 5)
    n_r = int_uniform(k[0], n, 50, 2000, dtype)
    s = strata(n, 4)
    r_j = jnp.where(s == 0, 1.0, jnp.where(s == 1, n_r, int_uniform(k[1], n, 1, n_r, dtype)))
    n_f = int_uniform(k[2], n, 1, 2 * n_r, dtype)
    lam = log_uniform(k[3], n, 1e-8, 10.0, dtype)
    eta = jnp.minimum(0.5, 1.0 / lam) * uniform(k[4], n, 0.1, 1.0, dtype)
    return {"r_j": r_j, "n_r": n_r, "n_f": n_f, "lam": lam, "eta": eta}


def _cases_details(collected):
    pred = gather(collected, 0, lambda p, c: c.prediction)
    return {f"case{i}": int((pred == i).sum()) for i in (1, 2, 3)}


def _lemma4_details(collected):
    bound = gather(collected, 0, lambda p, c: c.prediction)
    ratio = gather(collected, 0, lambda p, c: np.asarray(c.measured)) / np.where(bound > 1e-6, bound, np.nan)
    return {"largest_distance_over_bound": float(np.nanmax(ratio)),
            "smallest_lam": float(gather(collected, 0, lambda p, c: p["lam"]).min())}


def _lemma5_details(collected):
    app = gather(collected, 0, lambda p, c: c.applies)
    div = gather(collected, 0, lambda p, c: np.asarray(c.measured)[..., 1] > 0)
    m = gather(collected, 0, lambda p, c: c.margin)
    fin = app & ~div
    return {"case3_diverged": int((app & div).sum()), "case2_finite": int(fin.sum()),
            "case2_smallest_relative_slack": float(m[fin].min()) if fin.any() else None}


# ------------------------------------------------------------------ results --

RESULTS = (
    Result(
        id="lemma2",
        order=1,
        stream=1,
        statement="w^D, w^R, w^DA are Lambert-W closed forms per coordinate",
        tag="[T+PN]",
        verdict="holds",
        parts=(part(check_lemma2, block_instances),),
        summary="w^D, w^R, w^DA are W(·/λ) closed forms per coordinate",
        measures="`check_lemma2` vs `solve`",
    ),
    Result(
        id="lemma3",
        order=2,
        stream=2,
        statement="(w^DA - w^D)(w^D - w^R) >= 0 exactly for |F|^2/(|R|(|F|+|D|)) <= alpha <= |F|/|R|",
        tag="[T, range D]",
        verdict="holds",
        parts=(part(check_lemma3, block_instances),),
        summary="(w^DA − w^D)(w^D − w^R) ≥ 0 *exactly* for \\|F\\|²/(\\|R\\|(\\|F\\|+\\|D\\|)) ≤ α ≤ \\|F\\|/\\|R\\|",
        measures="`check_lemma3` (ends exactly and just outside)",
    ),
    Result(
        id="first_step",
        order=3,
        stream=3,
        statement="the first DA step moves away from the oracle iff alpha is in Lemma 3's range",
        tag="[D]",
        verdict="holds",
        parts=(part(check_first_step, first_step_instances),),
        summary=("the first DA step moves away from the oracle iff α is in Lemma 3's range, any η; the step is η "
                 "e^{−w^D}(a−b−c)"),
        measures="`check_first_step` (one `unlearn` step)",
    ),
    Result(
        id="cases",
        order=4,
        stream=4,
        statement="Case 1/2/3 of z = (a-b)/lam; Case 2: W0 is a local (not global) min, W_-1 the local max",
        tag="[T, corrected D]",
        verdict="corrected: W0 is the minimum and W_-1 the maximum (the paper says the opposite)",
        parts=(part(check_cases, block_instances),),
        summary=("Case 1/2/3 of z = (a−b)/λ; **corrected**: in Case 2 W₀ is a local (not global) minimum, W₋₁ the "
                 "maximum"),
        measures="`check_cases` (`solve`'s status)",
        details=_cases_details,
    ),
    Result(
        id="lemma4",
        order=5,
        stream=5,
        statement="|w^D - w^R| <= |ln((1+alpha)|R|/|D|)|",
        tag="[T, proof completed D]",
        verdict="corrected: the proof's '<= ln(alpha)' steps are typos; the stated bound holds",
        parts=(part(check_lemma4, block_instances),),
        summary='\\|w^D − w^R\\| ≤ \\|ln((1+α)\\|R\\|/\\|D\\|)\\| (the proof\'s "≤ ln α" steps are typos)',
        measures="`check_lemma4` (distance/bound up to 0.94 at λ = 1e-8)",
        details=_lemma4_details,
    ),
    Result(
        id="lemma5",
        order=6,
        stream=6,
        statement="alpha >= |F|/|R| implies |w^R - w^DA| >= W0(|R_j|/(lam|R|)); Case 2 slack -w^DA, Case 3 diverges",
        tag="[T, corrected D]",
        verdict="corrected: w^DA -> -inf only in Case 3; finite in Case 2, bound holds (tight at alpha = |F|/|R|)",
        parts=(part(check_lemma5, block_instances),),
        summary=("α ≥ \\|F\\|/\\|R\\| ⇒ \\|w^R − w^DA\\| ≥ W₀(\\|R_j\\|/(λ\\|R\\|)); **corrected**: divergence only in Case 3,"
                 " Case-2 slack −w^DA"),
        measures="`check_lemma5` (tight at α = \\|F\\|/\\|R\\|)",
        details=_lemma5_details,
    ),
    Result(
        id="corollary1",
        order=7,
        stream=7,
        statement=("alpha = |F|/|R|: Delta_RD = 0, Delta_RDA = W0(|R_j|/(lam|R|)) -> inf as lam -> 0; DA = weight "
                   "decay"),
        tag="[T, closed forms D]",
        verdict="holds",
        parts=(part(check_corollary1, corollary1_instances),),
        summary="at α = \\|F\\|/\\|R\\|: Δ_RD = 0, Δ_RDA = W₀(\\|R_j\\|/(λ\\|R\\|)) → ∞ as λ → 0; DA is weight decay",
        measures="`check_corollary1` (any \\|R_j\\| ≤ \\|R\\|)",
    ),
)

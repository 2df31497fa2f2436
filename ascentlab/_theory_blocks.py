r"""Theory on orthogonal blocks: Lemmas 1-5, the first-step criterion, the
Case 1/2/3 classification, Corollary 1, App. D.3 and the logistic extensions.

Every result has a *prediction* (closed form, threshold or bound) and a
`check_...` function that *measures* the same quantity with the core solvers
and trajectories (`solve`, `unlearn`) and returns a `Check` record. Checks are
vmap-able over their float arguments, so `ascentlab verify` runs thousands of
instances at once.

One coordinate of Assumptions 1-2 is realised exactly as a 1-D weighted
problem (`coordinate_problem`): rows $x=1$ carry the coordinate's
$|\mathcal R_j|$ and $|\mathcal F_j|$ samples, rows $x=0$ carry the rest of
$\mathcal R$ and $\mathcal F$. Zero rows add a constant to every objective
and nothing to any gradient, so the global normalisations
$|\mathcal R|,|\mathcal F|,|\mathcal D|$ are kept while the other coordinates
(which the problem decouples from) cannot interfere, e.g. by being in Case 3.

Notation: $a_j=|\mathcal R_j|/|\mathcal R|$, $b_j=|\mathcal F_j|/|\mathcal F|$,
$c_j=(|\mathcal R_j|+|\mathcal F_j|)/|\mathcal D|$, $\alpha=|\mathcal F_j|/|\mathcal R_j|$.

References: "Ascent Fails to Forget" (arXiv 2509.26427), Sec. 4-5.1, App. C-H,
D.3; the theory note's sections 2.1-2.8 and 2.13.
"""

import math
from typing import NamedTuple

import jax
import jax.numpy as jnp

from ._lambertw import lambertw
from ._objectives import _hessian
from ._problems import Problem
from ._solve import UNBOUNDED, solve
from ._unlearn import METHODS, _alternating_ascent_first, unlearn

_INV_E = math.exp(-1.0)


class Check(NamedTuple):
    """One instance of a theory check (a pytree: batched under vmap).

    Attributes:
        prediction: what the paper (or the corrected statement) predicts.
        measured: the same quantity from the solvers/trajectories.
        holds: whether the instance agrees with the statement.
        margin: signed slack; >= 0 when it holds (its units are the check's).
        applies: whether the instance meets the result's hypotheses (if not,
            `holds` is True vacuously and the instance is not counted).
    """

    prediction: jax.Array
    measured: jax.Array
    holds: jax.Array
    margin: jax.Array
    applies: jax.Array


def _check(prediction, measured, margin, applies=True, tol=0.0):
    applies = jnp.asarray(applies)
    holds = ~applies | (margin >= -tol)
    return Check(prediction, measured, holds, jnp.where(applies, margin, jnp.inf), applies)


# ---------------------------------------------------------------- Lemma 1 --


def hoeffding_bound(n, eps):
    r"""Lemma 1: $\Pr(|\mathrm{Acc}_T-\mathrm{Acc}_{\mathcal F}|\ge\epsilon)\le2e^{-2|\mathcal F|\epsilon^2}$.

    Let $n$ be `n` $=|\mathcal F|$ and $\epsilon$ be `eps`. Tag [PN].
    Proof: proofs/lemma1.py.
    """
    return 2.0 * jnp.exp(-2.0 * n * eps**2)


def check_lemma1(key, n, eps, p, *, trials: int = 20_000):
    r"""Monte-Carlo frequency of $|\hat{\mathrm{Acc}}_{\mathcal F}-p|\ge\epsilon$ against Lemma 1.

    A forget set drawn uniformly at random is, for an oracle that never saw
    it, $n$ independent correctness indicators with mean $p$ (the test
    accuracy) -- the premise of the lemma's proof. `trials` forget sets are
    drawn; the instance holds when the frequency stays below the bound plus
    four binomial standard deviations of the frequency at the bound.
    """
    k = jax.random.binomial(key, n, p, shape=(trials,))
    n = jnp.asarray(n, k.dtype)
    # |k/n - p| >= eps, decided in counts with a rounding guard (k/n - p can
    # round below eps at exact equality, e.g. n = 100, p = 0.5, k = 60).
    hit = jnp.abs(k - n * p) >= n * eps - 1e-9 * n
    freq = jnp.mean(hit.astype(k.dtype))
    bound = hoeffding_bound(n, eps)
    capped = jnp.minimum(bound, 1.0)
    slack = 4.0 * jnp.sqrt(capped * (1.0 - capped) / trials) + 1.0 / trials
    return _check(bound, freq, bound + slack - freq)


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


def _measured_solutions(problem):
    """(w^D, w^R, w^DA) of a 1-D problem from `solve`; w^DA = -inf when unbounded."""
    sd, sr, sda = (solve(problem, k) for k in ("original", "oracle", "da"))
    w_da = jnp.where(sda.status == UNBOUNDED, -jnp.inf, sda.w[0])
    return sd.w[0], sr.w[0], w_da, sda


def check_lemma2(r_j, f_j, n_r, n_f, lam):
    r"""Newton solutions against Lemma 2's closed forms on one coordinate.

    Tolerance: Newton stops at $|f'|\le10^{-12}$ and the curvature at a
    stationary point is $\lambda(1+w)$, so the error is at most
    $10^{-12}/(\lambda(1+w))$; the check allows ten times that. Case 3 holds
    when the prediction is NaN and `solve` says "unbounded".
    """
    pred = jnp.stack(lemma2(r_j, f_j, n_r, n_f, lam))
    wd, wr, wda, sda = _measured_solutions(coordinate_problem(r_j, f_j, n_r, n_f, lam))
    meas = jnp.stack([wd, wr, wda])
    case3 = jnp.isnan(pred[2])
    tol = 1e-11 / (lam * (1.0 + jnp.where(jnp.isnan(pred), 0.0, pred))) + 1e-12
    err = jnp.abs(meas - pred)
    margin_fin = jnp.min(jnp.where(case3 & (jnp.arange(3) == 2), jnp.inf, tol - err))
    margin = jnp.where(case3 & (sda.status != UNBOUNDED), -1.0, margin_fin)
    return _check(pred, meas, margin)


# ------------------------------------------------- Lemma 3, first step, cases --


def lemma3_range(n_r, n_f):
    r"""Lemma 3's exact $\alpha$ range (Case 1 of its proof):
    $\frac{|\mathcal F|^2}{|\mathcal R|(|\mathcal F|+|\mathcal D|)}\le\alpha\le\frac{|\mathcal F|}{|\mathcal R|}$.

    Inside it $w^{DA}_j\le w^{\mathcal D}_j\le w^{\mathcal R}_j$, so
    $(w^{DA}_j-w^{\mathcal D}_j)(w^{\mathcal D}_j-w^{\mathcal R}_j)\ge0$: the
    DA point and the oracle lie on opposite sides of the original model.
    Outside it the product is negative (below: DA moves toward the oracle;
    above: it overshoots past it). Tag [T, range checked D].
    Proof: proofs/lemma3.py.
    """
    n_d = n_r + n_f
    return n_f**2 / (n_r * (n_f + n_d)), n_f / n_r


def _in_range(r_j, f_j, n_r, n_f):
    lo, hi = lemma3_range(n_r, n_f)
    alpha = f_j / r_j
    # signed distance to the range's boundary (positive inside)
    return (alpha >= lo) & (alpha <= hi), jnp.minimum(alpha - lo, hi - alpha)


def check_lemma3(r_j, f_j, n_r, n_f, lam, loss: str = "exp"):
    r"""Sign of $(w^{DA}-w^{\mathcal D})(w^{\mathcal D}-w^{\mathcal R})$ from `solve` against the range.

    Holds when the product is $\ge0$ exactly for $\alpha$ inside
    `lemma3_range` (the range is exact, not only sufficient). The margin is
    the product, signed so that agreement is positive; instances within
    $10^{-9}$ of a range endpoint (where the product vanishes) are not
    counted.
    """
    wd, wr, wda, _ = _measured_solutions(coordinate_problem(r_j, f_j, n_r, n_f, lam, loss))
    # -inf * positive is -inf; -inf * 0 cannot happen off the range boundary
    prod = (wda - wd) * (wd - wr)
    inside, dist = _in_range(r_j, f_j, n_r, n_f)
    margin = jnp.where(inside, prod, -prod)
    return _check(inside, prod, margin, applies=jnp.abs(dist) > 1e-9)


def first_step_direction(r_j, f_j, n_r, n_f, lam):
    r"""First-step criterion [D]: $-\partial_jL_{DA}(w^{\mathcal D})=e^{-w^{\mathcal D}_j}(a_j-b_j-c_j)$.

    Returns the sign of the first DA step's movement relative to the oracle,
    $\mathrm{sign}\big((a_j-b_j-c_j)(w^{\mathcal R}_j-w^{\mathcal D}_j)\big)$:
    $-1$ (moves away from $w^{\mathcal R}_j$) exactly when $\alpha$ is in
    Lemma 3's range, for every $\eta>0$. Proof: proofs/first_step.py.
    """
    a, b = r_j / n_r, f_j / n_f
    c = (r_j + f_j) / (n_r + n_f)
    wd, wr, _ = lemma2(r_j, f_j, n_r, n_f, lam)
    return jnp.sign((a - b - c) * (wr - wd))


def check_first_step(r_j, f_j, n_r, n_f, lam, eta):
    r"""One `unlearn(..., "da")` step from $w^{\mathcal D}$: does it move away from the oracle?

    Measured: $(w_1-w_0)(w^{\mathcal R}-w^{\mathcal D})$, negative when the
    step moves away. Holds when that happens exactly inside Lemma 3's range.
    """
    p = coordinate_problem(r_j, f_j, n_r, n_f, lam)
    tr = unlearn(p, "da", eta=eta, steps=1)
    wd, wr = solve(p, "original").w[0], solve(p, "oracle").w[0]
    moved = (tr.w[1, 0] - tr.w[0, 0]) * (wr - wd)
    inside, dist = _in_range(r_j, f_j, n_r, n_f)
    margin = jnp.where(inside, -moved, moved)
    return _check(first_step_direction(r_j, f_j, n_r, n_f, lam), moved, margin, applies=jnp.abs(dist) > 1e-9)


def da_case(z):
    r"""Lemma 3's case of the DA argument $z=(a_j-b_j)/\lambda$: 1 if $z\ge0$,
    2 if $-1/e\le z<0$, 3 if $z<-1/e$.

    Corrected [D]: in Case 2 the stationary point on $W_0$ (in $(-1,0)$) is
    the local **minimum** and the one on $W_{-1}$ ($\le-1$) the local
    **maximum**, since $f''=\lambda(1+w)$ at a stationary point of
    $f(w)=ce^{-w}+\frac\lambda2w^2$; the paper states the opposite.
    Tag [T] (cases), assignment corrected [D]. Proof: proofs/cases.py.
    """
    return jnp.where(z >= 0, 1, jnp.where(z >= -_INV_E, 2, 3))


def case_thresholds(r_j, n_r, n_f, lam):
    r"""The $\alpha$ boundaries of the cases: Case 1 up to $|\mathcal F|/|\mathcal R|$, Case 2 up to
    $\frac{|\mathcal F|}{|\mathcal R|}+\frac{\lambda|\mathcal F|}{e|\mathcal R_j|}$, Case 3 beyond.

    Tag [T]. Proof: proofs/cases.py.
    """
    return n_f / n_r, n_f / n_r + lam * n_f * _INV_E / r_j


def check_cases(r_j, f_j, n_r, n_f, lam):
    r"""Case from `solve`'s status and sign of $w^{DA}$, and the curvature at both branches.

    Measured case: 3 if "unbounded", else 1 if $w^{DA}\ge0$, else 2. In Case
    2 the closed-form Hessian must be positive at $W_0(z)$ and negative at
    $W_{-1}(z)$ (the corrected assignment). Margin: the smaller of the two
    curvatures, signed (1 outside Case 2), or -1 on a wrong case.
    """
    p = coordinate_problem(r_j, f_j, n_r, n_f, lam)
    z = lemma2_arguments(r_j, f_j, n_r, n_f, lam)[2]
    pred = da_case(z)
    sda = solve(p, "da")
    meas = jnp.where(sda.status == UNBOUNDED, 3, jnp.where(sda.w[0] >= 0, 1, 2))
    w_min, w_max = lambertw(z, 0), lambertw(z, -1)
    h_min = _hessian(p, jnp.stack([jnp.where(pred == 2, w_min, 0.0)]), "da")[0, 0]
    h_max = _hessian(p, jnp.stack([jnp.where(pred == 2, w_max, 0.0)]), "da")[0, 0]
    curv = jnp.where(pred == 2, jnp.minimum(h_min, -h_max), 1.0)
    # z within 1e-9 of a case boundary is numerically ambiguous: not counted
    near = (jnp.abs(z) < 1e-9) | (jnp.abs(z + _INV_E) < 1e-9)
    return _check(pred, meas, jnp.where(pred == meas, curv, -1.0), applies=~near)


# ---------------------------------------------------- Lemmas 4-5, Corollary 1 --


def lemma4_bound(r_j, f_j, n_r, n_f):
    r"""Lemma 4: $\Delta_{\mathcal R,\mathcal D}=|w^{\mathcal D}_j-w^{\mathcal R}_j|\le\big|\ln\frac{(1+\alpha)|\mathcal R|}{|\mathcal D|}\big|$.

    For every $\lambda>0$, $\alpha>0$; zero at $\alpha=|\mathcal F|/|\mathcal R|$.
    Corrected [D]: the proof's intermediate "$\le\ln\alpha$" / "$\le-\ln\alpha$"
    are typos; the completed proof uses $W_0(x)=\ln x-\ln W_0(x)$.
    Tag [T], proof completed [D]. Proof: proofs/lemma4.py.
    """
    alpha = f_j / r_j
    return jnp.abs(jnp.log((1 + alpha) * n_r / (n_r + n_f)))


def check_lemma4(r_j, f_j, n_r, n_f, lam):
    """Measured $|w^{\\mathcal D}-w^{\\mathcal R}|$ from `solve` against the bound (margin = bound - distance)."""
    wd, wr, _, _ = _measured_solutions(coordinate_problem(r_j, f_j, n_r, n_f, lam))
    bound = lemma4_bound(r_j, f_j, n_r, n_f)
    dist = jnp.abs(wd - wr)
    return _check(bound, dist, bound - dist, tol=1e-11)


def lemma5_bound(r_j, n_r, lam):
    r"""Lemma 5: for $\alpha\ge|\mathcal F|/|\mathcal R|$,
    $\Delta_{\mathcal R,DA}\ge W_0\big(\frac{|\mathcal R_j|}{\lambda|\mathcal R|}\big)=w^{\mathcal R}_j$.

    Corrected [D]: the proof says $w^{DA}_j\to-\infty$ for all such $\alpha$;
    that is Case 3 only. In Case 2 $w^{DA}_j=W_0(z)\in(-1,0]$ is finite and
    the bound still holds. Tag [T], corrected [D]. Proof: proofs/lemma5.py.
    """
    return lambertw(r_j / (lam * n_r))


def check_lemma5(r_j, f_j, n_r, n_f, lam):
    r"""Measured $\Delta_{\mathcal R,DA}$ (infinite when "unbounded") against the bound.

    `measured` is a pair (distance, diverged) so that the Case 2/3 split is
    visible: divergence must happen exactly in Case 3.
    """
    _, wr, wda, sda = _measured_solutions(coordinate_problem(r_j, f_j, n_r, n_f, lam))
    bound = lemma5_bound(r_j, n_r, lam)
    dist = jnp.abs(wr - wda)
    diverged = sda.status == UNBOUNDED
    case3 = da_case(lemma2_arguments(r_j, f_j, n_r, n_f, lam)[2]) == 3
    margin = jnp.where(diverged == case3, jnp.minimum(dist - bound, 1e300), -1.0)
    applies = f_j / r_j >= n_f / n_r
    return _check(bound, jnp.stack([dist, diverged.astype(dist.dtype)]), margin, applies=applies, tol=1e-11)


def corollary1(lam):
    r"""Corollary 1 at $\alpha=|\mathcal F|/|\mathcal R|$ on a pure 1-D data set [D]:
    $\Delta_{\mathcal R,\mathcal D}=0$ and $\Delta_{\mathcal R,DA}=W_0(1/\lambda)\sim\ln(1/\lambda)\to\infty$
    as $\lambda\to0$; DA is weight decay, $w_t=(1-\eta\lambda)^tw^{\mathcal R}$.

    Returns $(\Delta_{\mathcal R,\mathcal D},\Delta_{\mathcal R,DA})$. Tag [T]
    (limits), [D] (pure 1-D closed forms). Proof: proofs/corollary1.py.
    """
    return jnp.zeros_like(jnp.asarray(lam, float)), lambertw(1.0 / lam)


def check_corollary1(n_r, n_f, lam, eta, *, steps: int = 50):
    r"""Pure 1-D data ($|\mathcal R_j|=|\mathcal R|$, so $\alpha=|\mathcal F|/|\mathcal R|$).

    Measured: $\Delta_{\mathcal R,\mathcal D}$ and $\Delta_{\mathcal R,DA}$
    from `solve`, and the DA trajectory against $(1-\eta\lambda)^tw^{\mathcal R}$.
    Tolerance: Newton's $|f'|\le10^{-12}$ over the curvature $\lambda(1+w^{\mathcal R})$,
    times ten (the trajectory inherits the error of its start $w^{\mathcal D}$).
    """
    p = coordinate_problem(n_r, n_f, n_r, n_f, lam)
    wd, wr, wda, _ = _measured_solutions(p)
    pred = jnp.stack(corollary1(lam))
    meas = jnp.stack([jnp.abs(wd - wr), jnp.abs(wr - wda)])
    tr = unlearn(p, "da", eta=eta, steps=steps)
    decay = (1.0 - eta * lam) ** jnp.arange(steps + 1, dtype=wr.dtype) * wr
    traj_err = jnp.max(jnp.abs(tr.w[:, 0] - decay))
    tol = 1e-11 / (lam * (1.0 + wr)) + 1e-12
    margin = tol - jnp.maximum(jnp.max(jnp.abs(meas - pred)), traj_err)
    return _check(pred, meas, margin)


# ----------------------------------------------------------------- App. D.3 --


def alternating_expansion(w, a, b, lam, *, order: str = "descent_first"):
    r"""App. D.3 [D]: one alternating step is $w+\eta g_1(w)+\eta^2g_2(w)+O(\eta^3)$.

    $g_1=(a-b)e^{-w}-2\lambda w$ (DA with ridge $2\lambda$: the paper's
    $\lambda_{DA}=2\lambda_{\text{Iter-DA}}$). Descent first:
    $g_2=ab\,e^{-2w}-\lambda(a+bw)e^{-w}+\lambda^2w$; ascent first:
    $g_2=ab\,e^{-2w}+\lambda(aw+b)e^{-w}+\lambda^2w$.
    Tag [T] (the factor 2), [D] (the expansion). Proof: proofs/app_d3.py.
    """
    g1 = (a - b) * jnp.exp(-w) - 2 * lam * w
    if order == "descent_first":
        g2 = a * b * jnp.exp(-2 * w) - lam * (a + b * w) * jnp.exp(-w) + lam**2 * w
    else:
        g2 = a * b * jnp.exp(-2 * w) + lam * (a * w + b) * jnp.exp(-w) + lam**2 * w
    return g1, g2


def alternating_fixed_point_case3(a, b, eta):
    r"""Leading order of the Case-3 fixed point of alternating DA as $\eta\to0$ [D].

    Returns (refined, theory_note): $\ln\frac{\eta a}{\ln(b/a)}$, whose error
    vanishes as $\eta\to0$, and the theory note's $\ln\frac{\eta ab}{b-a}$,
    its expansion for $b/a\to1$, which keeps an $O(1)$ offset
    $\ln\frac{b\ln(b/a)}{b-a}$ (corrected here). Derivation: at the fixed
    point the half-steps cancel, $\delta=w'-w=\eta ae^{-w}+O(\eta w)$ and
    $ae^{-w}=be^{-w-\delta}+O(\lambda w)$, so $\delta=\ln(b/a)$.
    Proof: proofs/app_d3.py.
    """
    return jnp.log(eta * a / jnp.log(b / a)), jnp.log(eta * a * b / (b - a))


def _alternating_problem(a, b, lam):
    # weights a, 1-a and b, 1-b: a_j = a, b_j = b exactly
    return coordinate_problem(a, b, 1.0, 1.0, lam)


def _alternating_step(order):
    return METHODS["da_alternating"] if order == "descent_first" else _alternating_ascent_first


def _fixed_point(p, eta, w0, *, order):
    """Fixed point of the alternating map from w0: 30 Newton steps on m(w) - w (1-D)."""
    step = _alternating_step(order)
    m = lambda w: step(p, w, eta) - w

    def body(_, w):
        val, slope = jax.jvp(m, (w,), (jnp.ones_like(w),))
        return w - val / slope

    w = jax.lax.fori_loop(0, 30, body, w0)
    slope = jax.jvp(lambda w: step(p, w, eta), (w,), (jnp.ones_like(w),))[1]
    return w[0], slope[0]


def check_app_d3(a, b, lam, *, order: str = "descent_first", eta0: float = 0.04):
    r"""Alternating DA against simultaneous DA with $2\lambda$ (App. D.3).

    Measured (one instance, $\eta_k=\eta_0/2^k$, $k=0..3$):
    (i) the fitted order of $|m(w)-w-\eta g_1-\eta^2g_2|$ at $w=0.3$ (predicted 3);
    (ii) in Case 1 ($a>b$), the fitted order of $|w^*(\eta)-W_0(\frac{a-b}{2\lambda})|$
    for the fixed point $w^*$ of the map, started from the `unlearn`
    trajectory's end (predicted 1);
    (iii) in Case 3 ($b-a>\lambda/e$), the map's fixed point exists, is
    finite and stable ($|m'(w^*)|<1$) although simultaneous DA diverges.
    Margin: $0.25-$ the largest order error, or $1-|m'(w^*)|$ in Case 3.
    """
    p = _alternating_problem(a, b, lam)
    step = _alternating_step(order)
    etas = eta0 / 2.0 ** jnp.arange(4.0)
    w_test = jnp.full((1,), 0.3, p.X.dtype)
    g1, g2 = alternating_expansion(w_test[0], a, b, lam, order=order)
    resid = jax.vmap(lambda e: jnp.abs(step(p, w_test, e)[0] - w_test[0] - e * g1 - e**2 * g2))(etas)
    slope = lambda err: jnp.polyfit(jnp.log(etas), jnp.log(err), 1)[0]
    order_exp = slope(resid)

    z2 = (a - b) / (2 * lam)
    w_limit = lambertw(z2)

    def fp(e):
        start = jnp.stack([jnp.where(jnp.isnan(w_limit), 0.0, w_limit)])  # NaN beyond Case 2
        tr = unlearn(p, "da_alternating", eta=e, steps=400, start=start, order=order)
        return _fixed_point(p, e, tr.w[-1], order=order)

    case1 = a > b
    fps, slopes = jax.vmap(fp)(etas)
    order_fp = slope(jnp.abs(fps - w_limit))
    margin_1 = 0.25 - jnp.maximum(jnp.abs(order_exp - 3.0), jnp.abs(order_fp - 1.0))

    case3 = b - a > lam * _INV_E
    refined, _ = alternating_fixed_point_case3(a, b, eta0)
    start3 = jnp.stack([jnp.where(case3, refined, 0.0)])  # refined is NaN unless b > a
    tr3 = unlearn(p, "da_alternating", eta=eta0, steps=2000, start=start3, order=order)
    w3, s3 = _fixed_point(p, eta0, tr3.w[-1], order=order)
    stable = 1.0 - jnp.abs(s3)
    margin_3 = jnp.where(jnp.isfinite(w3) & (tr3.diverged_at < 0), jnp.minimum(stable, 0.25 - jnp.abs(order_exp - 3.0)), -1.0)
    pred = jnp.stack([3.0, jnp.where(case1, 1.0, jnp.nan), jnp.where(case3, refined, jnp.nan)])
    meas = jnp.stack([order_exp, jnp.where(case1, order_fp, jnp.nan), jnp.where(case3, w3, jnp.nan)])
    margin = jnp.where(case1, margin_1, jnp.where(case3, margin_3, 0.25 - jnp.abs(order_exp - 3.0)))
    return _check(pred, meas, margin)


# ------------------------------------------------------ logistic extension --


def check_logistic_ext(r_j, f_j, n_r, n_f, lam):
    r"""Logistic loss [D]: the Lemma 3 ordering holds in the same $\alpha$ range,
    and DA is bounded below (no Case 3 divergence).

    First-order conditions $\lambda w=c\,\sigma(-w)$, $c\in\{c_j,a_j,a_j-b_j\}$:
    the solution is increasing in $c$, so the ordering of $c$ (which defines
    the range) orders the solutions; $(a-b)\log(1+e^{-w})+\frac\lambda2w^2$
    grows like $\frac\lambda2w^2$, so it is bounded below even when $a<b$.
    Measured: the sign product from `solve` and its status (must be
    "minimum"). Proof: proofs/logistic_ext.py.
    """
    wd, wr, wda, sda = _measured_solutions(coordinate_problem(r_j, f_j, n_r, n_f, lam, "logistic"))
    prod = (wda - wd) * (wd - wr)
    inside, dist = _in_range(r_j, f_j, n_r, n_f)
    margin = jnp.where(sda.status == 0, jnp.where(inside, prod, -prod), -1.0)
    return _check(inside, prod, margin, applies=jnp.abs(dist) > 1e-9)

r"""Theory of cross-dimensional correlation (Sec. 5.1.2, App. I-J):
Lemmas 6-10 and 12 on the correlated pair, and App. J's 2-D example.

The pair is realised as a 2-D weighted problem (`pair_problem`): a retain
row $(1,\epsilon)$ with weight $|\mathcal R_{ij}|$, a forget row
$(\epsilon,1)$ with weight $|\mathcal F_{ij}|=\alpha|\mathcal R_{ij}|$, and
zero rows carrying the rest of $\mathcal R$ and $\mathcal F$ (they keep the
global normalisations and add nothing to any gradient). In the margins
$x=w_1+\epsilon w_2$ (retain) and $y=\epsilon w_1+w_2$ (forget), with
$b=\frac{|\mathcal R_{ij}|}{\lambda|\mathcal D|}$,
$p=\frac{|\mathcal R_{ij}|}{\lambda|\mathcal R|}$,
$q=\frac{\alpha|\mathcal R_{ij}|}{\lambda|\mathcal F|}$, the stationarity
systems are [R]

$$
\begin{aligned}
\mathcal D:&\ x=b[(1+\epsilon^2)e^{-x}+2\alpha\epsilon e^{-y}],\ y=b[2\epsilon e^{-x}+\alpha(1+\epsilon^2)e^{-y}],\\
\mathcal R:&\ x=p(1+\epsilon^2)e^{-x},\ y=2p\epsilon e^{-x},\\
DA:&\ x=p(1+\epsilon^2)e^{-x}-2q\epsilon e^{-y},\ y=2p\epsilon e^{-x}-q(1+\epsilon^2)e^{-y}.
\end{aligned}
$$

References: "Ascent Fails to Forget" (arXiv 2509.26427), Sec. 5.1.2, App. I,
App. J; theory note sections 2.9-2.10; proofs/lemma6.py ... proofs/app_j.py.
"""

import jax
import jax.numpy as jnp
import numpy as np

from ._lambertw import lambertw
from ._problems import Problem, make_problem
from ._solve import MINIMUM, UNBOUNDED, solve
from ._theory_blocks import _check


def pair_problem(r_ij, alpha, r_rest, f_rest, eps, lam, loss: str = "exp") -> Problem:
    r"""The correlated pair inside a larger data set, as a 2-D weighted problem (traceable)."""
    dtype = jnp.result_type(jnp.asarray(eps, float).dtype, jnp.asarray(lam, float).dtype)
    eps = jnp.asarray(eps, dtype)
    one, zero = jnp.ones((), dtype), jnp.zeros((), dtype)
    X = jnp.stack([jnp.stack([one, eps]), jnp.stack([zero, zero]), jnp.stack([eps, one]), jnp.stack([zero, zero])])
    weights = jnp.stack([jnp.asarray(v, dtype) for v in (r_ij, r_rest, alpha * r_ij, f_rest)])
    forget = jnp.array([False, False, True, True])
    return Problem(X, jnp.ones(4, dtype), forget, jnp.asarray(lam, dtype), loss, weights)


def pair_coefficients(r_ij, alpha, r_rest, f_rest, lam):
    r"""$(b,p,q)$ and the global sizes $(|\mathcal R|,|\mathcal F|)$ of a pair instance."""
    n_r = r_ij + r_rest
    n_f = alpha * r_ij + f_rest
    return r_ij / (lam * (n_r + n_f)), r_ij / (lam * n_r), alpha * r_ij / (lam * n_f), n_r, n_f


def pair_margins(w, eps):
    r"""$(x,y)=(w_1+\epsilon w_2,\ \epsilon w_1+w_2)$; inverse $w=\frac{(x-\epsilon y,\ y-\epsilon x)}{1-\epsilon^2}$."""
    return w[..., 0] + eps * w[..., 1], eps * w[..., 0] + w[..., 1]


def lemma6(p, eps):
    r"""Lemma 6: $x^{\mathcal R}=W_0(p(1+\epsilon^2))$, $y^{\mathcal R}=\frac{2\epsilon}{1+\epsilon^2}x^{\mathcal R}$.

    Tag [T statement; formula R]. Proof: proofs/lemma6.py.
    """
    c = 1 + eps**2
    x = lambertw(p * c)
    return x, 2 * eps / c * x


def lemma7_bounds(b, alpha, eps):
    r"""Lemma 7 (ranges for $\mathcal D$, valid when $y^{\mathcal D}\le x^{\mathcal D}$, i.e. $\alpha\le1$):

    $$W_0(b(1+\epsilon^2+2\alpha\epsilon))\le x^{\mathcal D}\le\tfrac{2\epsilon}{1+\epsilon^2}W_0(b\alpha(1+\epsilon^2))+W_0(b(1+\epsilon^2)),$$
    $$W_0(b\alpha(1+\epsilon^2))\le y^{\mathcal D}\le W_0(b(2\epsilon+\alpha(1+\epsilon^2))).$$

    Returns (x_lo, x_hi, y_lo, y_hi). Tag [T statement; R formulas].
    Proof: proofs/lemma7.py.
    """
    c = 1 + eps**2
    x_lo = lambertw(b * (c + 2 * alpha * eps))
    x_hi = 2 * eps / c * lambertw(b * alpha * c) + lambertw(b * c)
    y_lo = lambertw(b * alpha * c)
    y_hi = lambertw(b * (2 * eps + alpha * c))
    return x_lo, x_hi, y_lo, y_hi


def lemma8_bounds(p, q, eps):
    r"""Lemma 8 (upper bounds for DA): $x^{DA}\le W_0(p(1+\epsilon^2)-2q\epsilon)$,
    $y^{DA}\le W_0(2p\epsilon-q(1+\epsilon^2))$.

    [D] When a DA stationary point exists both arguments are $\ge-1/e$
    (from $xe^x\le p(1+\epsilon^2)-2q\epsilon$ since $y\le x$); NaN arguments
    therefore certify that none exists. Tag [T; upper bounds R].
    Proof: proofs/lemma8.py.
    """
    c = 1 + eps**2
    return lambertw(p * c - 2 * q * eps), lambertw(2 * p * eps - q * c)


def lemma9_threshold(n_r, n_f, eps):
    r"""Lemma 9: for $\alpha\ge\alpha_{D>DA}$, $x^{\mathcal D}\ge x^{DA}$ and $y^{\mathcal D}\ge y^{DA}$, where

    $$\alpha_{D>DA}=\max\Big\{\frac{1+\epsilon^2}{2\epsilon}\frac{|\mathcal F|^2}{|\mathcal R|(|\mathcal D|+|\mathcal F|)},\ 
    \frac{2\epsilon}{1+\epsilon^2}\frac{|\mathcal F||\mathcal D|}{|\mathcal R|(|\mathcal D|+|\mathcal F|)}\Big\}.$$

    Tag [T, exact]; it follows from Lemma 7's lower and Lemma 8's upper
    bounds (proofs/lemma9.py reproduces both terms).
    """
    c = 1 + eps**2
    n_d = n_r + n_f
    return jnp.maximum(c / (2 * eps) * n_f**2 / (n_r * (n_d + n_f)), 2 * eps / c * n_f * n_d / (n_r * (n_d + n_f)))


def lemma10_thresholds(b, p, eps):
    r"""Lemma 10, derived sufficient thresholds [D] (the paper's printed ones are not available):

    with $c=1+\epsilon^2$, $Z=\frac{c}{2\epsilon}(W_0(pc)-W_0(bc))$,
    $\alpha^x_{R>D}=\frac{Ze^Z}{bc}$, $V=\frac{2\epsilon}{c}W_0(pc)$,
    $\alpha^y_{R>D}=\frac{Ve^V/b-2\epsilon}{c}$. For
    $\alpha\le\min(\alpha^x,\alpha^y)$: $x^{\mathcal R}\ge x^{\mathcal D}$ and
    $y^{\mathcal R}\ge y^{\mathcal D}$ (Lemma 6 against Lemma 7's upper bounds).
    Proof: proofs/lemma10.py.
    """
    c = 1 + eps**2
    z = c / (2 * eps) * (lambertw(p * c) - lambertw(b * c))
    v = 2 * eps / c * lambertw(p * c)
    return z * jnp.exp(z) / (b * c), (v * jnp.exp(v) / b - 2 * eps) / c


def lemma12_iteration(b, alpha, eps, steps: int = 60):
    r"""Lemma 12's nonlinear Gauss-Seidel iteration for the $\mathcal D$ system [R].

    From the symmetric $\alpha=1$ solution $x_0=y_0=W_0(b(1+\epsilon)^2)$:
    $y_{k+1}=2b\epsilon e^{-x_k}+W_0(b\alpha(1+\epsilon^2)e^{-2b\epsilon e^{-x_k}})$,
    $x_{k+1}=f(2b\alpha\epsilon e^{-y_{k+1}})$ with $f(c)=c+W_0(b(1+\epsilon^2)e^{-c})$.
    The limit solves the system with $y\le x$ (Lemma 12: for $\alpha\le1$ a
    solution with $y^{\mathcal D}\le x^{\mathcal D}$ exists).

    Corrected [D]: the theory note reconstructs the induction as "$y_k$
    decreases and $x_k$ increases". Both half-maps are decreasing
    ($\frac{d}{dc}(c+W(Ke^{-c}))=\frac1{1+W}>0$ with $c$ decreasing in the
    other margin), so $x_{k+1}=X(Y(x_k))$ is an increasing map and both
    sequences are monotone in opposite directions; from the symmetric start,
    $y_1<y_0$ and $x_1<x_0$, so for $k\ge1$ **$x_k$ decreases and $y_k$
    increases** (checked on random instances by `check_lemma12`).
    Tag [T] (existence), [R] (the updates), direction corrected [D].
    Returns the iterates (xs, ys), shape (steps+1,). Proof: proofs/lemma12.py.
    """
    c = 1 + eps**2
    x0 = lambertw(b * (1 + eps) ** 2)

    def body(carry, _):
        x, _y = carry
        cy = 2 * b * eps * jnp.exp(-x)
        y = cy + lambertw(b * alpha * c * jnp.exp(-cy))
        cx = 2 * b * alpha * eps * jnp.exp(-y)
        x = cx + lambertw(b * c * jnp.exp(-cx))
        return (x, y), (x, y)

    _, (xs, ys) = jax.lax.scan(body, (x0, x0), length=steps)
    return jnp.concatenate([x0[None], xs]), jnp.concatenate([x0[None], ys])


def _solutions_xy(problem, eps):
    sols = [solve(problem, k) for k in ("original", "oracle", "da")]
    xy = [pair_margins(s.w, eps) for s in sols]
    return xy, sols[2].status


def pair_detrimental(problem, eps):
    r"""Exact solves of a pair problem and whether DA is detrimental there.

    Detrimental (Sec. 5.1.2's goal): a DA stationary point exists and
    $(x^{\mathcal R}-x^{\mathcal D})(x^{\mathcal D}-x^{DA})\ge0$,
    $(y^{\mathcal R}-y^{\mathcal D})(y^{\mathcal D}-y^{DA})\ge0$.
    Returns (detrimental, unbounded, (w^D, w^R, w^DA)).
    """
    sols = [solve(problem, k) for k in ("original", "oracle", "da")]
    (xd, yd), (xr, yr), (xa, ya) = (pair_margins(s.w, eps) for s in sols)
    unbounded = sols[2].status == UNBOUNDED
    det = ~unbounded & ((xr - xd) * (xd - xa) >= 0) & ((yr - yd) * (yd - ya) >= 0)
    return det, unbounded, tuple(s.w for s in sols)


def _rel(a, b):
    return jnp.abs(a - b) / jnp.maximum(1.0, jnp.abs(b))


def check_lemma6(r_ij, alpha, r_rest, f_rest, eps, lam):
    """Oracle margins from `solve` against Lemma 6 (margin: 1e-10 minus the relative error)."""
    b, p, q, n_r, n_f = pair_coefficients(r_ij, alpha, r_rest, f_rest, lam)
    ((_, _), (xr, yr), _), _ = _solutions_xy(pair_problem(r_ij, alpha, r_rest, f_rest, eps, lam), eps)
    x, y = lemma6(p, eps)
    err = jnp.maximum(_rel(xr, x), _rel(yr, y))
    return _check(jnp.stack([x, y]), jnp.stack([xr, yr]), 1e-10 - err)


def check_lemma7(r_ij, alpha, r_rest, f_rest, eps, lam):
    """Original-model margins from `solve` inside Lemma 7's ranges (applies for alpha <= 1)."""
    b, *_ = pair_coefficients(r_ij, alpha, r_rest, f_rest, lam)
    ((xd, yd), _, _), _ = _solutions_xy(pair_problem(r_ij, alpha, r_rest, f_rest, eps, lam), eps)
    x_lo, x_hi, y_lo, y_hi = lemma7_bounds(b, alpha, eps)
    margin = jnp.min(jnp.stack([xd - x_lo, x_hi - xd, yd - y_lo, y_hi - yd]))
    return _check(jnp.stack([x_lo, x_hi, y_lo, y_hi]), jnp.stack([xd, yd]), margin, applies=alpha <= 1, tol=1e-11)


def check_lemma8(r_ij, alpha, r_rest, f_rest, eps, lam):
    """DA margins from `solve` below Lemma 8's bounds, wherever a DA minimum exists."""
    _, p, q, _, _ = pair_coefficients(r_ij, alpha, r_rest, f_rest, lam)
    (_, _, (xa, ya)), status = _solutions_xy(pair_problem(r_ij, alpha, r_rest, f_rest, eps, lam), eps)
    x_hi, y_hi = lemma8_bounds(p, q, eps)
    margin = jnp.where(jnp.isnan(x_hi) | jnp.isnan(y_hi), -1.0, jnp.minimum(x_hi - xa, y_hi - ya))
    return _check(jnp.stack([x_hi, y_hi]), jnp.stack([xa, ya]), margin, applies=status == MINIMUM, tol=1e-11)


def check_lemma9(r_ij, alpha, r_rest, f_rest, eps, lam):
    r"""$\alpha\ge\alpha_{D>DA}$ (and $\alpha\le1$, a DA minimum exists) $\Rightarrow$ $x^{\mathcal D}\ge x^{DA}$, $y^{\mathcal D}\ge y^{DA}$."""
    _, _, _, n_r, n_f = pair_coefficients(r_ij, alpha, r_rest, f_rest, lam)
    ((xd, yd), _, (xa, ya)), status = _solutions_xy(pair_problem(r_ij, alpha, r_rest, f_rest, eps, lam), eps)
    thr = lemma9_threshold(n_r, n_f, eps)
    applies = (status == MINIMUM) & (alpha >= thr) & (alpha <= 1)
    return _check(thr, jnp.stack([xd - xa, yd - ya]), jnp.minimum(xd - xa, yd - ya), applies=applies, tol=1e-11)


def check_lemma10(r_ij, alpha, r_rest, f_rest, eps, lam):
    r"""$\alpha\le\min(\alpha^x_{R>D},\alpha^y_{R>D})$ (derived) $\Rightarrow$ $x^{\mathcal R}\ge x^{\mathcal D}$, $y^{\mathcal R}\ge y^{\mathcal D}$."""
    b, p, *_ = pair_coefficients(r_ij, alpha, r_rest, f_rest, lam)
    ((xd, yd), (xr, yr), _), _ = _solutions_xy(pair_problem(r_ij, alpha, r_rest, f_rest, eps, lam), eps)
    ax, ay = lemma10_thresholds(b, p, eps)
    thr = jnp.minimum(ax, ay)
    applies = (alpha <= thr) & (alpha <= 1)
    return _check(thr, jnp.stack([xr - xd, yr - yd]), jnp.minimum(xr - xd, yr - yd), applies=applies, tol=1e-11)


def lemma10_crossing(r_ij, n_r, n_f, eps, lam, *, iters: int = 50):
    r"""The exact $\alpha$ where $x^{\mathcal R}=x^{\mathcal D}$ and where $y^{\mathcal R}=y^{\mathcal D}$ (bisection on exact solves).

    The family keeps $|\mathcal R|$, $|\mathcal F|$ (hence $b$, $p$) fixed and
    moves $|\mathcal F_{ij}|=\alpha|\mathcal R_{ij}|$, as in the theory note's
    C-9 example; $\alpha\in(0,\min(1,|\mathcal F|/|\mathcal R_{ij}|))$.
    Returns $(\alpha^{x*},\alpha^{y*})$ (the upper end when no sign change).
    """
    hi0 = jnp.minimum(1.0, n_f / r_ij)

    def gaps(alpha):
        p_ = pair_problem(r_ij, alpha, n_r - r_ij, n_f - alpha * r_ij, eps, lam)
        xd, yd = pair_margins(solve(p_, "original").w, eps)
        xr, yr = pair_margins(solve(p_, "oracle").w, eps)
        return jnp.stack([xr - xd, yr - yd])

    lo = jnp.full(2, 1e-9 * hi0)
    hi = jnp.full(2, hi0)

    def body(_, bounds):
        lo, hi = bounds
        mid = 0.5 * (lo + hi)
        g = jnp.stack([gaps(mid[0])[0], gaps(mid[1])[1]])
        return jnp.where(g >= 0, mid, lo), jnp.where(g >= 0, hi, mid)

    lo, hi = jax.lax.fori_loop(0, iters, body, (lo, hi))
    return 0.5 * (lo + hi)


def check_lemma10_crossing(r_ij, n_r, n_f, eps, lam):
    r"""The derived $\alpha^{x}_{R>D},\alpha^{y}_{R>D}$ never exceed the exact crossings (they are sufficient).

    Tolerance $10^{-9}$: the bisection's 50 halvings locate the crossing to
    $2^{-50}$ of the interval.
    """
    alpha_dummy = 0.5 * jnp.minimum(1.0, n_f / r_ij)
    b, p, *_ = pair_coefficients(r_ij, alpha_dummy, n_r - r_ij, n_f - alpha_dummy * r_ij, lam)
    derived = jnp.stack(lemma10_thresholds(b, p, eps))
    exact = lemma10_crossing(r_ij, n_r, n_f, eps, lam)
    # a derived threshold beyond the searched interval claims no crossing inside it
    top = jnp.minimum(1.0, n_f / r_ij)
    return _check(derived, exact, jnp.min(exact - jnp.minimum(derived, top)), tol=1e-9)


def check_lemma12(r_ij, alpha, r_rest, f_rest, eps, lam, *, steps: int = 60):
    """Gauss-Seidel iterates (alpha <= 1): x_k nonincreasing and y_k nondecreasing for k >= 1
    (the corrected directions), limit = `solve`'s (x^D, y^D), and y <= x."""
    b, *_ = pair_coefficients(r_ij, alpha, r_rest, f_rest, lam)
    ((xd, yd), _, _), _ = _solutions_xy(pair_problem(r_ij, alpha, r_rest, f_rest, eps, lam), eps)
    xs, ys = lemma12_iteration(b, alpha, eps, steps)
    ulp = 4 * jnp.finfo(xs.dtype).eps * jnp.maximum(1.0, jnp.abs(xs[0]))  # rounding once converged
    mono = jnp.minimum(jnp.min(-jnp.diff(xs[1:])), jnp.min(jnp.diff(ys[1:]))) + ulp
    err = jnp.maximum(_rel(xs[-1], xd), _rel(ys[-1], yd))
    margin = jnp.min(jnp.stack([mono, 1e-9 - err, xs[-1] - ys[-1]]))
    return _check(jnp.stack([xs[-1], ys[-1]]), jnp.stack([xd, yd]), margin, applies=alpha <= 1)


def app_j_closed_forms(d: int, eps, lam):
    r"""App. J [D]: $\mathbf x_1=(1,\epsilon,0..)$, $\mathbf x_2=(\epsilon,1,0..)$, $\mathbf x_a=\mathbf e_a$ ($a\ge3$), $y=1$, forget $\mathbf x_2$.

    $\mathcal D$ (symmetric): $w_1=w_2=W_0(b(1+\epsilon)^2)/(1+\epsilon)$, $b=1/(\lambda d)$;
    retrain: $w^{\mathcal R}=\frac{W_0(p(1+\epsilon^2))}{1+\epsilon^2}(1,\epsilon)$, $p=1/(\lambda(d-1))$;
    orthogonal coordinates $W_0(1/(\lambda d))$ and $W_0(1/(\lambda(d-1)))$.
    [D] With the exponential loss, DA has **no** stationary point for any
    $\epsilon\in[0,1)$: along $w=t(\epsilon,-1)$ the retain margin is 0 and the
    forget margin $-t(1-\epsilon^2)\to-\infty$, so $L_{DA}\to-\infty$.
    Returns (w_D, w_R), each of shape (d,). Proof: proofs/app_j.py.
    """
    b, p = 1.0 / (lam * d), 1.0 / (lam * (d - 1))
    wd12 = lambertw(b * (1 + eps) ** 2) / (1 + eps)
    xr = lambertw(p * (1 + eps**2))
    w_d = jnp.concatenate([jnp.stack([wd12, wd12]), jnp.full(d - 2, lambertw(b))])
    w_r = jnp.concatenate([jnp.stack([xr, eps * xr]) / (1 + eps**2), jnp.full(d - 2, lambertw(1.0 / (lam * (d - 1))))])
    return w_d, w_r


def app_j_problem(d: int, eps, lam) -> Problem:
    """App. J's data set (eager: builds and validates concrete arrays)."""
    X = np.eye(d)
    X[0, 1] = X[1, 0] = float(eps)
    forget = np.zeros(d, bool)
    forget[1] = True
    return make_problem(X, np.ones(d), forget, lam, loss="exp")


def check_app_j(d: int, eps: float, lam: float):
    r"""`solve` on App. J's data against the closed forms; DA must be "unbounded".

    `measured` holds $(w_1+w_2)^{\mathcal D}-(w_1+w_2)^{\mathcal R}$, the
    quantity App. J studies (its printed definition is not available).
    """
    p = app_j_problem(d, eps, lam)
    w_d, w_r = app_j_closed_forms(d, eps, lam)
    sd, sr, sda = (solve(p, k) for k in ("original", "oracle", "da"))
    err = jnp.maximum(jnp.max(jnp.abs(sd.w - w_d)), jnp.max(jnp.abs(sr.w - w_r)))
    margin = jnp.where(sda.status == UNBOUNDED, 1e-10 - err, -1.0)
    pred = (w_d[0] + w_d[1]) - (w_r[0] + w_r[1])
    meas = (sd.w[0] + sd.w[1]) - (sr.w[0] + sr.w[1])
    return _check(pred, meas, margin)

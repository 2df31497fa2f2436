r"""Alternating (iterative) descent-ascent, App. D.3: expansion, Case-1 limit,
and the Case-3 fixed point with its stability condition.

One coordinate with $a=|\mathcal R_j|/|\mathcal R|$, $b=|\mathcal F_j|/|\mathcal F|$
and the ridge descended in both half-steps: descent
$D(w)=w-\eta(-ae^{-w}+\lambda w)=sw+\eta ae^{-w}$ and ascent
$A(w)=w-\eta(be^{-w}+\lambda w)=sw-\eta be^{-w}$, $s=1-\eta\lambda$. The
descent-first map (App. D.3's wording) is $m=A\circ D$, the ascent-first map
(Sec. 5.1.1's wording) $D\circ A$.

**Fixed point in Case 3 [D].** Write $u=\eta ae^{-w^*}$ (the descent
half-step's push) and $v=\eta be^{-D(w^*)}$ (the ascent half-step's). The
fixed-point equations $w'=sw^*+u$, $w^*=sw'-v$ give, exactly,

$$w^*=\ln\frac{\eta a}u,\qquad v=su-(1-s^2)\ln\frac{\eta a}u,\qquad
\ln\frac ba=u+\ln\frac vu-\eta\lambda\ln\frac{\eta a}u,$$

and the composite map's derivative there is $m'(w^*)=(s-u)(s+v)$. As
$\eta\to0$, $u\to L:=\ln(b/a)$, $w^*\approx\ln(\eta a/L)$ and
$m'(w^*)\to1-L^2$: the fixed point is **stable only for $L<\sqrt2$** (up to
$O(\eta\lambda\ln\eta)$), and loses stability through a flip (period
doubling) at

$$L^*=\sqrt2-\tfrac32\eta\lambda\big(1+\sqrt2\ln\tfrac{\eta a}{\sqrt2}\big)+O\big((\eta\lambda\ln\eta a)^2\big).$$

The two orders are conjugate ($A\circ D$ and $D\circ A$): the ascent-first
fixed point is $D(w^*)=sw^*+u$ and has the same derivative, so the threshold
is the same for both. Beyond it (measured on the $\eta\to0$ map
$u\mapsto u\exp(rue^{-u}-u)$, $r=b/a$): a stable 2-cycle, then a period-doubling
cascade to chaos, and orbits thrown far out (docs/theory.md#app_d3).

References: "Ascent Fails to Forget" (arXiv 2509.26427), App. D.3;
proofs/app_d3.py; docs/theory.md#app_d3.
"""

from typing import NamedTuple

import math

import jax
import jax.numpy as jnp
import numpy as np

from .._lambertw import lambertw
from .._linalg import sym_solve
from .._unlearn import ORDERS, alternating_step_fn, unlearn
from .._validate import float_dtype
from ._check import INV_E, machine_eps, make_check
from ._registry import Result, gather, part
from ._sampling import log_uniform, strata, uniform
from .orthogonal import coordinate_problem

__all__ = [
    "ALTERNATING_ORDERS",
    "alternating_expansion",
    "alternating_fixed_point_case3",
    "FarFixedPoint",
    "alternating_far_fixed_point",
    "alternating_flip_threshold",
    "alternating_problem",
    "alternating_step",
    "map_fixed_point",
    "check_app_d3_expansion",
    "check_app_d3_case1",
    "StabilityOutcome",
    "check_app_d3_stability",
    "far_fixed_point_applies",
    "d3_expansion_instances",
    "d3_case1_instances",
    "d3_stability_instances",
]

_NEWTON = 40
ALTERNATING_ORDERS = ORDERS


def _newton(f, x0, *, positive=False):
    """40 fixed Newton steps on a scalar (or shape-(1,)) equation f(x) = 0, derivative by forward mode
    (vmap-able: no data-dependent loop); `positive` keeps the iterate above half its last value."""

    def body(_, x):
        val, slope = jax.jvp(f, (x,), (jnp.ones_like(x),))
        x_new = x - val / slope
        return jnp.maximum(x_new, 0.5 * x) if positive else x_new

    return jax.lax.fori_loop(0, _NEWTON, body, x0)


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
    r"""Leading orders of the Case-3 fixed point as $\eta\to0$ [D].

    Returns (refined, theory_note): $\ln\frac{\eta a}{\ln(b/a)}$, whose error
    vanishes as $\eta\to0$, and $\ln\frac{\eta ab}{b-a}$, its expansion for
    $b/a\to1$, which keeps an $O(1)$ offset $\ln\frac{b\ln(b/a)}{b-a}$
    (corrected here). The exact value is `alternating_far_fixed_point`.
    Proof: proofs/app_d3.py.
    """
    return jnp.log(eta * a / jnp.log(b / a)), jnp.log(eta * a * b / (b - a))


class FarFixedPoint(NamedTuple):
    """The Case-3 fixed point of alternating DA from its exact parametrisation (a pytree)."""

    w: jax.Array  # fixed point of the descent-first map
    w_ascent_first: jax.Array  # fixed point of the ascent-first map, D(w)
    slope: jax.Array  # m'(w*) = (s - u)(s + v), the same for both orders
    u: jax.Array  # descent half-step push eta a e^{-w*}
    v: jax.Array  # ascent half-step push


def _v_of_u(u, a, lam, eta):
    s = 1 - eta * lam
    return s * u - (1 - s * s) * jnp.log(eta * a / u)


def _ln_ratio_of_u(u, a, lam, eta):
    r"""$\ln(b/a)$ as a function of $u$ on the fixed-point curve."""
    return u + jnp.log(_v_of_u(u, a, lam, eta) / u) - eta * lam * jnp.log(eta * a / u)


def alternating_far_fixed_point(a, b, lam, eta) -> FarFixedPoint:
    r"""The Case-3 fixed point of alternating DA and its derivative, from the exact parametrisation [D].

    Solves $\ln(b/a)=u+\ln(v/u)-\eta\lambda\ln(\eta a/u)$ for $u$ by Newton
    from $u=\ln(b/a)$ (40 fixed steps; the function is increasing in $u$ for
    $u\ge1$ and the root is near $\ln(b/a)$ when $\eta a\ll\ln(b/a)$), then
    $w^*=\ln(\eta a/u)$, $m'(w^*)=(s-u)(s+v)$, $s=1-\eta\lambda$. Let `a`,
    `b` be $a_j$, $b_j$ ($b>a$), `lam` $\lambda$, `eta` $\eta$. vmap-able.
    Tag [D]. Proof: proofs/app_d3.py.
    """
    target = jnp.log(b / a)
    u = _newton(lambda u: _ln_ratio_of_u(u, a, lam, eta) - target, target, positive=True)
    s = 1 - eta * lam
    v = _v_of_u(u, a, lam, eta)
    w = jnp.log(eta * a / u)
    return FarFixedPoint(w, s * w + u, (s - u) * (s + v), u, v)


def alternating_flip_threshold(a, lam, eta):
    r"""The $\ln(b/a)$ at which the Case-3 fixed point loses stability ($m'(w^*)=-1$) [D].

    Returns (exact, first_order, leading): the exact threshold from
    $(s-u)(s+v(u))=-1$ (Newton from $u=\sqrt2$) mapped through the
    parametrisation; $\sqrt2-\frac32\eta\lambda(1+\sqrt2\ln\frac{\eta a}{\sqrt2})$;
    and $\sqrt2$. The fixed point is stable for $\ln(b/a)$ below the
    threshold, for both orders. Tag [D]. Proof: proofs/app_d3.py.
    """
    s = 1 - eta * lam
    x = a * lam * eta
    root2 = jnp.sqrt(2.0) * jnp.ones_like(jnp.asarray(x, float_dtype(x)))
    u = _newton(lambda u: (s - u) * (s + _v_of_u(u, a, lam, eta)) + 1, root2)
    exact = _ln_ratio_of_u(u, a, lam, eta)
    first = root2 - 1.5 * eta * lam * (1 + root2 * jnp.log(eta * a / root2))
    return exact, first, root2


def alternating_problem(a, b, lam):
    r"""One coordinate with $a_j=a$, $b_j=b$ exactly: weights $a,1-a$ (retain) and $b,1-b$ (forget)."""
    return coordinate_problem(a, b, 1.0, 1.0, lam)


def alternating_step(order: str):
    """The composite step of `unlearn(..., "da_alternating", order=order)` (`ascentlab._unlearn.alternating_step_fn`)."""
    return alternating_step_fn(order)


def map_fixed_point(problem, eta, w0, *, order: str):
    """A fixed point of the alternating map near `w0` (shape (1,)): 40 Newton steps on m(w) - w; returns (w*, m'(w*))."""
    step = alternating_step(order)
    w = _newton(lambda w: step(problem, w, eta) - w, w0)
    slope = jax.jvp(lambda w: step(problem, w, eta), (w,), (jnp.ones_like(w),))[1]
    return w[0], slope[0]


def _fitted_order(etas, errs):
    """Least-squares slope of log(errs) against log(etas) (closed form: no LAPACK call under vmap)."""
    x, y = jnp.log(etas), jnp.log(errs)
    x = x - x.mean()
    return (x @ (y - y.mean())) / (x @ x)


def _leading_coefficient(etas, values, powers):
    r"""Least-squares fit of `values` by $\sum_k\beta_k\eta^{p_k}$ (`powers` $p_0<p_1<\dots$); returns $\beta_0$.

    Columns are scaled by $\eta/\eta_{\max}$ for conditioning; the normal equations are solved with
    `_linalg.sym_solve` (no LAPACK call under vmap). A term of lower order than $p_0$ that the
    prediction missed shows up as a large $\beta_0$; higher-order terms only move it by
    $O(\eta_{\max}^{p_{\text{last}}+1-p_0})$, whatever their signs -- unlike a fitted log-log slope,
    which cancelling terms can bend.
    """
    scale = jnp.max(etas)
    t = etas / scale
    A = jnp.stack([t**k for k in powers], axis=1)
    beta = sym_solve(A.T @ A, A.T @ values)
    return beta[0] / scale ** powers[0]


def check_app_d3_expansion(a, b, lam, eta0, w, *, order: str = "descent_first"):
    r"""The remainder of `alternating_expansion`, measured on `unlearn`'s composite step.

    $r(\eta)=m(w)-w-\eta g_1-\eta^2g_2$ at $\eta_k=\eta_0/2^k$, $k=0..5$, is fitted
    by $\beta_2\eta^2+\beta_3\eta^3+\beta_4\eta^4$: the expansion is right to
    second order exactly when $\beta_2=0$. Holds when
    $|\beta_2|\le10^{-4}(1+|g_2|)$ (the fit's truncation is
    $O(\eta_0^3)$ times the fifth-order coefficient, and a 1% error in $g_2$
    gives $\beta_2=0.01g_2$). `measured` = $\beta_2$.
    """
    p = alternating_problem(a, b, lam)
    step = alternating_step(order)
    etas = eta0 / 2.0 ** jnp.arange(6, dtype=float_dtype(eta0))
    wv = jnp.reshape(w, (1,))
    g1, g2 = alternating_expansion(w, a, b, lam, order=order)
    resid = jax.vmap(lambda e: step(p, wv, e)[0] - w - e * g1 - e**2 * g2)(etas)
    beta2 = _leading_coefficient(etas, resid, (2, 3, 4))
    tol = 1e-4 * (1 + jnp.abs(g2))
    return make_check(jnp.stack([g1, g2]), beta2, tol - jnp.abs(beta2), scale=tol)


def check_app_d3_case1(a, b, lam, eta0, *, order: str = "descent_first"):
    r"""Case 1 ($a>b$): the map's fixed point is $W_0(\frac{a-b}{2\lambda})+\eta c_1+O(\eta^2)$.

    From the expansion, $c_1=-g_2(w_0)/g_1'(w_0)$ at $w_0=W_0(\frac{a-b}{2\lambda})$,
    $g_1'=-(a-b)e^{-w}-2\lambda$. Fixed points of `unlearn`'s map (Newton from
    the end of a 400-step trajectory) at $\eta_k=\eta_0/2^k$, $k=0..5$; the
    residual $w^*-w_0-\eta c_1$ is fitted by $\beta_1\eta+\beta_2\eta^2+\beta_3\eta^3$,
    and $c_1$ is right exactly when $\beta_1=0$. Holds when
    $|\beta_1|\le10^{-4}(1+|c_1|)$ (truncation $O(\eta_0^3)$; a 1% error in
    $g_2$ gives $\beta_1=0.01c_1$). This implies $|w^*-w_0|=O(\eta)$. A
    fitted log-log order is not used: where the coefficients cancel (e.g.
    $a=0.933$, $b=0.521$, $\lambda=0.456$, ascent first, whose $\eta^2$ and
    $\eta^3$ terms have opposite signs) it is not asymptotic at practical
    $\eta$. `measured` = ($\beta_1$, the fitted order of $|w^*-w_0|$, for
    information).
    """
    p = alternating_problem(a, b, lam)
    etas = eta0 / 2.0 ** jnp.arange(6, dtype=float_dtype(eta0))
    w_limit = lambertw((a - b) / (2 * lam))
    _, g2 = alternating_expansion(w_limit, a, b, lam, order=order)
    c1 = -g2 / (-(a - b) * jnp.exp(-w_limit) - 2 * lam)

    def fixed_point(e):
        start = jnp.reshape(jnp.where(jnp.isnan(w_limit), 0.0, w_limit), (1,))
        tr = unlearn(p, "da_alternating", eta=e, steps=400, start=start, order=order)
        return map_fixed_point(p, e, tr.w[-1], order=order)[0]

    fps = jax.vmap(fixed_point)(etas)
    beta1 = _leading_coefficient(etas, fps - w_limit - c1 * etas, (1, 2, 3))
    first = _fitted_order(etas, jnp.abs(fps - w_limit))
    tol = 1e-4 * (1 + jnp.abs(c1))
    return make_check(jnp.stack([w_limit, c1]), jnp.stack([beta1, first]), tol - jnp.abs(beta1), applies=a > b,
                      scale=tol)


class StabilityOutcome(NamedTuple):
    """What `unlearn` does from next to the Case-3 fixed point (batched under vmap)."""

    converged: jax.Array  # the orbit returned to w*
    period2: jax.Array  # the orbit settled on a 2-cycle
    diverged: jax.Array  # some iterate left the representable range (unlearn's diverged_at)
    spread: jax.Array  # max distance of the last 64 iterates from w*


def _outcome(tr, w_star):
    tail = tr.w[-64:, 0]
    spread = jnp.max(jnp.abs(tail - w_star))
    diverged = tr.diverged_at >= 0
    size = jnp.maximum(1.0, jnp.abs(w_star))
    converged = ~diverged & (spread <= 1e-9 * size)
    period2 = ~diverged & ~converged & (jnp.max(jnp.abs(tail[2:] - tail[:-2])) <= 1e-9 * size)
    return StabilityOutcome(converged, period2, diverged, jnp.where(diverged, jnp.inf, spread))


def check_app_d3_stability(a, b, lam, eta, *, order: str = "descent_first", steps: int = 3000):
    r"""The Case-3 fixed point of `unlearn`'s alternating map against the exact parametrisation and the flip threshold.

    Measured (independently of the parametrisation): the fixed point $w^*$
    by Newton on the map itself from the leading-order guess
    $\ln(\eta a/L)$ (shifted by $L$ for the ascent-first order), its
    derivative by forward-mode differentiation of the map, and the
    behaviour of a `unlearn` run of `steps` steps started $10^{-6}\max(1,|w^*|)$
    away from it. Applies under `far_fixed_point_applies`. Holds when (i)
    $w^*$ agrees with `alternating_far_fixed_point` to
    $64\epsilon\max(1,|w^*|)/|1-m'|$, (ii) $m'(w^*)$ agrees with $(s-u)(s+v)$
    to $10^{-8}$, and (iii) where the measured $||m'|-1|>0.02$ (inside that
    band convergence or departure takes more than `steps` steps) the run
    converges back to $w^*$ exactly when $\ln(b/a)$ is below
    `alternating_flip_threshold` (exact). `measured` = (w*, m'(w*),
    converged, period-2, diverged).
    """
    pred = alternating_far_fixed_point(a, b, lam, eta)
    p = alternating_problem(a, b, lam)
    ell = jnp.log(b / a)
    guess = jnp.log(eta * a / ell) + (ell if order == "ascent_first" else 0.0)
    w_meas, slope_meas = map_fixed_point(p, eta, jnp.reshape(guess, (1,)), order=order)
    w_pred = pred.w if order == "descent_first" else pred.w_ascent_first
    size = jnp.maximum(1.0, jnp.abs(w_pred))
    tol_w = 64 * machine_eps(size) * size / jnp.maximum(jnp.abs(1.0 - pred.slope), 1e-3)
    rel_w = (tol_w - jnp.abs(w_meas - w_pred)) / tol_w
    rel_s = (1e-8 - jnp.abs(slope_meas - pred.slope)) / 1e-8
    start = jnp.reshape(w_meas + 1e-6 * size, (1,))
    out = _outcome(unlearn(p, "da_alternating", eta=eta, steps=steps, start=start, order=order), w_meas)
    stable = ell < alternating_flip_threshold(a, lam, eta)[0]
    decisive = jnp.abs(jnp.abs(slope_meas) - 1) > 0.02
    dyn = jnp.where(~decisive | (out.converged == stable), 1.0, -1.0)
    margin = jnp.minimum(jnp.minimum(rel_w, rel_s), dyn)
    measured = jnp.stack([w_meas, slope_meas] + [x.astype(w_meas.dtype) for x in out[:3]])
    return make_check(jnp.stack([w_pred, pred.slope, stable.astype(w_pred.dtype)]), measured, margin,
                      applies=far_fixed_point_applies(a, b, lam, eta))


def far_fixed_point_applies(a, b, lam, eta):
    r"""The hypotheses of the Case-3 statement: $(a-b)/(2\lambda)<-1/e$, $\eta a<e^{-2}\ln(b/a)$,
    and a small step, $\eta\le1/2$, $\eta\lambda\le1/2$.

    The first is Case 3 of the doubled-ridge problem (simultaneous DA with
    $2\lambda$ diverges), so $g_1<0$ everywhere and the map has no fixed
    point near the origin for small $\eta$; with the second the far fixed
    point $\approx\ln(\eta a/\ln(b/a))\le-2$ is well apart from it. (In
    Case 2 of the doubled-ridge problem the far point can merge with the
    $W_{-1}$-like one at moderate $\eta$ and reappear at smaller $\eta$.)
    """
    small_step = (eta <= 0.5) & (eta * lam <= 0.5)
    return ((a - b) / (2 * lam) < -INV_E) & (eta * a < jnp.exp(-2.0) * jnp.log(b / a)) & small_step


# --------------------------------------------------------------- instances --

def d3_expansion_instances(key, n, dtype):
    k = jax.random.split(key, 4)
    return {"a": uniform(k[0], n, 0.02, 1.0, dtype), "b": uniform(k[1], n, 0.02, 1.0, dtype),
            "lam": log_uniform(k[2], n, 1e-3, 1.0, dtype), "eta0": jnp.full(n, 0.005, dtype), "w": uniform(k[3], n, -1.0, 2.0, dtype)}


def d3_case1_instances(key, n, dtype):
    k = jax.random.split(key, 3)
    a = uniform(k[0], n, 0.1, 1.0, dtype)
    return {"a": a, "b": a * uniform(k[1], n, 0.05, 0.95, dtype), "lam": log_uniform(k[2], n, 0.01, 1.0, dtype),
            "eta0": jnp.full(n, 0.01, dtype)}


def d3_stability_instances(key, n, dtype):
    """(a, b, lam, eta) in App. D.3's Case 3: half within 3% of the flip threshold (both sides), half with
    ln(b/a) log-uniform on [0.2, 4.5] (stable, 2-cycle, chaos, thrown out); lambda < e (b - a)/2,
    eta a < e^-2 ln(b/a), eta <= 0.5 and eta lambda <= 0.5 (`far_fixed_point_applies`); b <= 1."""
    k = jax.random.split(key, 6)
    near = strata(n, 2) == 0
    big_l = log_uniform(k[0], n, 0.2, 4.5, dtype)
    a_far = uniform(k[1], n, 0.2, 1.0, dtype) * jnp.exp(-big_l)
    a_near = uniform(k[1], n, 0.02, 0.2, dtype)
    a = jnp.where(near, a_near, a_far)
    l_lo = jnp.where(near, 1.35, big_l)
    lam = log_uniform(k[2], n, 1e-3, 1.0, dtype) * 0.9 * math.e * (a * jnp.exp(l_lo) - a) / 2
    eta = log_uniform(k[3], n, 1e-3, 1.0, dtype) * jnp.minimum(0.9 * math.exp(-2.0) * l_lo / a, jnp.minimum(0.5, 0.5 / lam))
    threshold, _, _ = alternating_flip_threshold(a, lam, eta)
    ell = jnp.where(near, threshold * (1 + uniform(k[4], n, -0.03, 0.03, dtype)), big_l)
    a = jnp.minimum(a, 0.999 * jnp.exp(-ell))  # keep b = a e^ell <= 1 (a large eta lam raises the threshold)
    return {"a": a, "b": a * jnp.exp(ell), "lam": lam, "eta": eta}


def _app_d3_details(collected):
    out = {}
    for j, name in ((4, "descent_first"), (5, "ascent_first")):
        app = gather(collected, j, lambda p, c: c.applies)
        stable = gather(collected, j, lambda p, c: np.asarray(c.prediction)[..., 2] > 0)
        meas = [gather(collected, j, lambda p, c, k=k: np.asarray(c.measured)[..., k] > 0) for k in (2, 3, 4)]
        out[name] = {"stable": int((app & stable).sum()), "unstable": int((app & ~stable).sum()),
                     "unstable_period2": int((app & ~stable & meas[1]).sum()),
                     "unstable_diverged": int((app & ~stable & meas[2]).sum())}
    return out


# ------------------------------------------------------------------ results --

RESULTS = (
    Result(
        id="app_d3",
        order=8,
        stream=8,
        statement=("alternating DA = DA with 2 lam + O(eta); O(eta^2) term; the Case-3 fixed point is stable iff "
                   "ln(b/a) < L* = sqrt2 - (3 eta lam/2)(1 + sqrt2 ln(eta a/sqrt2)) + O((eta lam ln(eta a))^2) "
                   "(exact L* from the parametrisation; flip beyond), both orders"),
        tag="[T + D]",
        verdict=("corrected: the Case-3 fixed point (~ ln(eta a/ln(b/a)), not ln(eta ab/(b-a))) is unstable for b/a "
                 "beyond ~e^sqrt2: 2-cycle, period doubling, chaos"),
        parts=(
            *(part(check_app_d3_expansion, d3_expansion_instances, 1 / 20, order=o) for o in ORDERS),
            *(part(check_app_d3_case1, d3_case1_instances, 1 / 40, order=o) for o in ORDERS),
            *(part(check_app_d3_stability, d3_stability_instances, 1 / 20, order=o) for o in ORDERS),
        ),
        summary=("alternating DA = DA with 2λ + O(η), the O(η²) term; **corrected**: the Case-3 fixed point ≈ "
                 "ln(ηa/ln(b/a)) is stable only for ln(b/a) < L* = √2 − (3ηλ/2)(1 + √2 ln(ηa/√2)) + O((ηλ ln ηa)²) "
                 "(exact L* from the parametrisation), then flip, 2-cycle, chaos"),
        measures="`check_app_d3_expansion`, `_case1`, `_stability` (both orders)",
        details=_app_d3_details,
    ),
)

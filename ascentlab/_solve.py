r"""Exact solutions of Eq. (1): damped Newton with implicit differentiation.

`solve(problem, kind)` returns the stationary point of
$L_{\mathcal D}$ ("original", the pretrained model), $L_{\mathcal R}$
("oracle", retrained on $\mathcal R$) or $L_{DA}$ ("da", the point
descent-ascent converges to). $L_{\mathcal D}$ and $L_{\mathcal R}$ are
$\lambda$-strongly convex, so Newton converges globally. $L_{DA}$ may be
non-convex or unbounded below (the paper's Case 3, exponential loss); the
search starts at $w^{\mathcal D}$ and only ever descends, so it reaches the
stationary point that DA's gradient flow from the original model reaches.

Each iteration: Hessian $H=V\Lambda V^\top$ (`_linalg.sym_eigh`: Jacobi
rotations in pure JAX for $d\le8$, LAPACK beyond), the direction
$-V|\Lambda|^{-1}V^\top g$ -- the Newton direction $-H^{-1}g$ when $H$ is
positive definite, a descent direction otherwise (eigenvalues floored); then
backtracking (Armijo, $c=10^{-4}$, with a rounding slack of
$16\,\epsilon_{\text{mach}}\max(1,\sum_i|c_i|\ell(m_i)+\frac\lambda2\|w\|^2)$ -- the size
of the terms $L$ adds up, which can cancel to a much smaller $|L|$ in $L_{DA}$ --
so that full steps are accepted once $L$ stops changing in floating point).
For the exponential-loss $L_{DA}$ (the only objective here that can be
unbounded below), where $H$ is not positive definite and the full step passes,
the step is extrapolated: $t=2,4,8,\dots$ while $L$ stays finite, strictly
decreases and passes the Armijo test. Along an escaping direction
$L\approx-ae^{s}$ and the floored Newton step moves $s$ by about 1, so the
plain walk needs ~355 steps to reach `margin_bound`; doubling crosses it in
one or two (proofs/cases.py), and the last doubling is bisected back to the
first escaped point (margins just past `margin_bound`, as the plain walk's). Where $H$ is positive definite (every step of
$L_{\mathcal D}$ and $L_{\mathcal R}$) the iterates are
unchanged, bit for bit (the logistic loss never expands). The statuses were checked equal to the plain walk's on
$2\times10^6$ correlated-pair cells (tests/_solve_grid_check.py).
For $L_{\mathcal D}$, $L_{\mathcal R}$ (strongly convex: no final Hessian is
needed for the status) on large data ($nd^2\ge10^7$, where forming $H$
dominates an iteration), a step in Newton's quadratic phase (the previous
full step cut $\|\nabla L\|$ 100-fold) reuses the last eigendecomposition:
the same minimum to the tolerance, two or three fewer Hessians.

Termination (always; never a silent NaN):

* `"minimum"`: $\|\nabla L\|\le$ `tol` and the smallest Hessian eigenvalue
  is positive;
* `"saddle_or_maximum"`: $\|\nabla L\|\le$ `tol`, Hessian not positive
  definite (e.g. `solve(..., "da", init=...)` started at the $W_{-1}$ point);
* `"unbounded"`: the iterate left the region where the loss is representable
  (some margin beyond `margin_bound`: $\tfrac12\ln(\text{float max})$, i.e.
  354.9 in float64, for the exponential loss), or $L$ became non-finite,
  while descending. With the exponential loss this is the paper's Case 3
  ($L_{DA}\to-\infty$); a genuine stationary point that far out would need
  $\lambda<e^{-354}$. With the logistic loss $L_{DA}$ is bounded below
  (linear loss growth, quadratic ridge), so this does not happen. With the
  squared loss $L_{DA}$ is a quadratic with the constant Hessian
  $H=X^\top\mathrm{diag}(c)X+\lambda I$: a unique minimum (one Newton step) when
  $H$ is positive definite, otherwise unbounded below -- reported as "unbounded"
  at once, without a step ($w$ is the start), and certified by `unbounded_ray`.
* `"not_converged"`: `max_steps` iterations or a failed line search first;
  `grad_norm` says how close it got;
* `"local_minimum"`: a minimum (as `"minimum"`) of an objective that is
  certified unbounded below (`unbounded_ray`), so it is only local: with the
  exponential loss, $L_{DA}$ in the paper's Case 2, or App. J's DA at large
  $\lambda$. `"minimum"` itself promises nothing global for $L_{DA}$: the
  certificate is sufficient, not necessary (see `unbounded_ray`).

The returned `w` is differentiable with respect to the problem's float
leaves (`X`, `lam`, `weights`, and whatever built them: `eps`, `rho`, ...)
by the implicit function theorem, $\partial w^\star=-H^{-1}\partial_\theta\nabla L$
(`jax.lax.custom_root`), so derivatives do not unroll the Newton loop. The
derivative of an "unbounded" or "not_converged" result is NaN.

References: "Ascent Fails to Forget" (arXiv 2509.26427), Eq. (1), Lemmas 2-3
(Case 1/2/3 of the DA stationary points), App. D.2.
"""

import functools
from typing import NamedTuple, Optional

import jax
import jax.numpy as jnp
import numpy as np

from . import _validate as v
from ._linalg import sym_eigh, sym_min_eigenvalue, sym_solve
from ._objectives import OBJECTIVES, _gradient, _hessian, _value, _value_size, coefficients, margins
from ._problems import Problem, check_problem

__all__ = ["Solution", "solve", "References", "solve_references", "STATUS_NAMES", "margin_bound", "unbounded_ray"]

KINDS = ("original", "oracle", "da")
STATUS_NAMES = ("minimum", "saddle_or_maximum", "unbounded", "not_converged", "local_minimum")
MINIMUM, SADDLE_OR_MAXIMUM, UNBOUNDED, NOT_CONVERGED, LOCAL_MINIMUM = range(5)
_RAY_CANDIDATES = 8

_ARMIJO = 1e-4
_MAX_HALVINGS = 60
_MAX_DOUBLINGS = 60
_ESCAPE_BISECTIONS = 8
_REUSE_HESSIAN_MIN_WORK = 10**7  # n d^2: forming H costs more than a few gradients from here on
_REUSE_RATIO = 0.01  # reuse the eigendecomposition after a full step that cut |g| at least this much


class Solution(NamedTuple):
    """Result of `solve` (a pytree; batched under vmap).

    Attributes:
        w: the solution, shape (d,).
        grad_norm: $\\|\\nabla L(w)\\|_2$ at `w` -- the tolerance reached.
        steps: Newton iterations taken (int32).
        status: int32 code, an index into `STATUS_NAMES`
            ("minimum", "saddle_or_maximum", "unbounded", "not_converged",
            "local_minimum").
    """

    w: jax.Array
    grad_norm: jax.Array
    steps: jax.Array
    status: jax.Array

    @property
    def is_minimum(self):
        """True where the status is "minimum" or "local_minimum" (boolean array when batched)."""
        return (jnp.asarray(self.status) == MINIMUM) | (jnp.asarray(self.status) == LOCAL_MINIMUM)

    @property
    def status_name(self):
        """`status` as a string (an array of strings when batched)."""
        codes = np.asarray(self.status)
        if codes.ndim == 0:
            return STATUS_NAMES[int(codes)]
        return np.vectorize(lambda c: STATUS_NAMES[c])(codes)


def margin_bound(loss: str, dtype) -> float:
    r"""Largest margin magnitude $|m_i|$ treated as finite; beyond it a run has diverged.

    Exponential loss: $\tfrac12\ln(\text{largest float})$ (354.9 in float64,
    44.4 in float32), so that $e^{|m|}$ and its square stay representable.
    Logistic loss (stable at every margin) and squared loss ($\frac12(1-m)^2$ stays
    finite up to $|m|\approx\sqrt{2\cdot\text{largest float}}$): $\sqrt{\text{largest float}}$
    ($1.3\times10^{154}$ in float64), reached only by a run that blows up.
    """
    v.check_choice("margin_bound", "loss", loss, v.LOSSES)
    big = float(np.finfo(dtype).max)
    return 0.5 * float(np.log(big)) if loss == "exp" else float(np.sqrt(big))


def default_tol(dtype) -> float:
    """1e-12 in float64; 1e-5 in float32 (its gradients carry ~1e-7 rounding)."""
    return 1e-12 if np.finfo(dtype).bits >= 64 else 1e-5


def _tol(where, tol, dtype):
    return default_tol(dtype) if tol is None else jnp.asarray(v.check_positive_scalar(where, "tol", tol), dtype)


def unbounded_ray(problem: Problem, kind: str, w=None):
    r"""A ray along which the objective tends to $-\infty$, if one is found (exponential loss).

    Along $w=tv$, $t\to\infty$, an objective $\sum_ic_ie^{-tm_i(v)}+\frac\lambda2t^2\|v\|^2$
    (margins $m_i(v)=y_i\langle v,x_i\rangle$, coefficients $c_i$ of
    `coefficients`; $c_i<0$ on the forget set for "da") is dominated by the
    terms with the smallest margin $\mu=\min_{c_i\ne0}m_i(v)$: if $\mu<0$
    and their coefficients sum to a negative number, the exponential beats
    the quadratic and $L(tv)\to-\infty$. That is a proof for the given `v`.
    Candidates: $v=-y_jx_j$ for the forget samples $j$ with the smallest
    margins at `w` (at most 8), the same with the component along the most
    aligned retain row removed (that row's margin is then about 0: a forget
    row nearly parallel to a retain row, as in App. J when $\epsilon\to1$), and
    the coefficient-weighted forget mean.
    Any float $v$ will do: the margins are compared with the rounding of
    their dot products, $\tau=\max(64,4(d+2))\epsilon_{\text{mach}}\max|X|\sum_k|v_k|$,
    added, so the inequalities hold for the exact margins of that $v$.
    Near-ties are resolved conservatively: the smallest forget margin must
    lie below every retain margin by more than $\tau$, or tie with
    them bit for bit (identical rows), in which case the tied coefficients
    must sum below zero by more than their rounding (so $a_j=b_j$ is not
    certified, whatever its last bit). The certificate is sufficient, not
    necessary.

    The logistic loss grows linearly, so with it every objective here is
    bounded below; "original" and "oracle" are strongly convex. For those
    the answer is always (False, 0). With the squared loss "da" and "ga" are
    quadratics: the candidate is the Hessian's lowest eigenvector $v$,
    certified when $\sum_ic_im_i(v)^2+\lambda\|v\|^2$ is negative beyond its
    rounding (then $L(tv)\to-\infty$ quadratically). Inputs are validated (a
    `ValueError` names the bad argument).

    Args:
        problem: the unlearning problem.
        kind: "original", "oracle", "da" or "ga".
        w: the point whose smallest forget margins pick the candidates
            (default: the origin), shape (d,).

    Returns:
        `(certified, v)`: a boolean and the ray's direction, shape (d,)
        (zeros when not certified). jit/vmap-able.

    References: Lemma 3 (Case 2: a local minimum of an objective unbounded
    below), App. J; docs/theory.md#cases and #app_j.
    """
    where = "unbounded_ray"
    problem = check_problem(where, problem)
    v.check_choice(where, "kind", kind, OBJECTIVES)
    d = problem.X.shape[1]
    dtype = problem.X.dtype
    if w is not None:
        w = v.check_array(where, "w", w, ndim=1)
        if w.shape != (d,):
            v.fail(where, "w", f"array of shape {w.shape}", f"must have shape ({d},)")
    if kind not in ("da", "ga") or problem.loss == "logistic":
        return jnp.zeros((), bool), jnp.zeros(d, dtype)
    if problem.loss == "squared":
        return _quadratic_ray(problem, kind)
    w = jnp.zeros(d, dtype) if w is None else jnp.asarray(w, dtype)
    c = coefficients(problem, kind)
    in_f = problem.forget & (c != 0)
    in_r = ~problem.forget & (c != 0)
    big = jnp.finfo(dtype).max
    k = min(_RAY_CANDIDATES, problem.X.shape[0])
    _, idx = jax.lax.top_k(jnp.where(in_f, -margins(problem, w), -big), k)
    yx = problem.y[:, None] * problem.X
    # -y_j x_j with its component along the most aligned retain row removed: that row's margin is
    # then 0, which certifies forget rows nearly parallel to a retain row (App. J as eps -> 1)
    sq = jnp.sum(problem.X**2, axis=1)
    cos2 = (yx[idx] @ yx.T) ** 2 / jnp.maximum(sq[idx][:, None] * sq[None, :], jnp.finfo(dtype).tiny)
    near = jnp.argmax(jnp.where(in_r[None, :], cos2, -1.0), axis=1)
    along = jnp.sum(yx[idx] * yx[near], axis=1) / jnp.maximum(sq[near], jnp.finfo(dtype).tiny)
    projected = jnp.where(jnp.any(in_r), -(yx[idx] - along[:, None] * yx[near]), 0.0)
    # and the forget mean -sum_F |c_j| y_j x_j = sum_F c_j y_j x_j (c_j < 0 there)
    cands = jnp.concatenate([-yx[idx], projected, (jnp.where(in_f, c, 0.0) @ yx)[None]])
    valid = jnp.concatenate([in_f[idx], in_f[idx], jnp.any(in_f)[None]])

    def certify(v, ok):
        m = margins(problem, v)
        active = c != 0
        # |fl(<v, x_i>) - <v, x_i>| <= gamma_d sum_k |v_k x_ik|, gamma_d ~ d eps: the computed margins of
        # this (float) v are within tau of its exact ones, so the inequalities below are a proof
        tau = max(64, 4 * (d + 2)) * jnp.finfo(dtype).eps * jnp.max(jnp.abs(problem.X)) * jnp.sum(jnp.abs(v))
        mu_f = jnp.min(jnp.where(active & problem.forget, m, big))
        mu_r = jnp.min(jnp.where(active & ~problem.forget, m, big))
        strict = mu_f < mu_r - tau
        tied = active & (m == mu_f)
        near_not_tied = active & ~tied & (m < mu_f + tau)
        c_tied = jnp.where(tied, c, 0.0)
        # the tied coefficients must sum below zero by more than their rounding (equal means cancel)
        tie_ok = ~jnp.any(near_not_tied) & (jnp.sum(c_tied) < -64 * jnp.finfo(dtype).eps * jnp.sum(jnp.abs(c_tied)))
        return ok & (mu_f < -tau) & (strict | tie_ok)

    good = jax.vmap(certify)(cands, valid)
    first = jnp.argmax(good)
    certified = jnp.any(good)
    return certified, jnp.where(certified, cands[first], 0.0)


def _quadratic_ray(problem, kind):
    r"""`unbounded_ray` for the squared loss: the Hessian's lowest eigenvector $v$, certified when
    $q=\sum_ic_im_i(v)^2+\lambda\|v\|^2<-\tau$. Along $tv$ the objective is
    $\text{const}-t\sum_ic_im_i(v)+\frac{t^2}2q\to-\infty$ when $q<0$; $\tau$ bounds the rounding
    of the computed $q$ (margins within $\gamma_d\sum_k|x_{ik}v_k|$ of exact, sums within $\gamma_n$),
    so the inequality holds for the exact $q$ of that float $v$."""
    d = problem.X.shape[1]
    dtype = problem.X.dtype
    c = coefficients(problem, kind)
    vals, vecs = sym_eigh(_hessian(problem, jnp.zeros(d, dtype), kind))  # unsorted for d <= 8
    vec = vecs[:, jnp.argmin(vals)]
    m = margins(problem, vec)
    a = jnp.abs(problem.X) @ jnp.abs(vec)  # >= |m_i|, the size of each margin's terms
    q = c @ (m * m) + problem.lam * (vec @ vec)
    n = problem.X.shape[0]
    tau = max(64, 4 * (n + d + 2)) * jnp.finfo(dtype).eps * (jnp.abs(c) @ (a * a) + problem.lam * (vec @ vec))
    certified = q < -tau
    return certified, jnp.where(certified, vec, 0.0)


def _escaped(problem, w, fw):
    return (jnp.max(jnp.abs(margins(problem, w))) > margin_bound(problem.loss, w.dtype)) | ~jnp.isfinite(fw)


def _direction(eig, g):
    # -V |Lambda|^{-1} V^T g: the Newton direction when H = V Lambda V^T (eig = `sym_eigh(H)`) is
    # positive definite, a descent direction otherwise (eigenvalues floored).
    # Also returns whether H is positive definite (its smallest computed eigenvalue > 0).
    vals, vecs = eig
    floor = jnp.finfo(vals.dtype).eps * jnp.max(jnp.abs(vals)) + jnp.finfo(vals.dtype).tiny
    p = -vecs @ ((vecs.T @ g) / jnp.maximum(jnp.abs(vals), floor))
    return jnp.where(g @ p < 0, p, -g), jnp.min(vals) > 0


def damped_newton(f, grad, hess, w0, *, tol, max_steps, escaped=None, size=None, expand=False,
                  strongly_convex=False, reuse_hessian=False):
    r"""Generic damped Newton minimiser (the engine behind `solve`; jit/vmap-able).

    `f`, `grad`, `hess` are callables of w; `escaped(w, f_w)` flags a run that
    left the representable region (default: non-finite f); `size(w)` is the
    magnitude of the terms `f` adds up (default `|f|`), which sets the
    Armijo test's rounding slack. A step that no longer changes `w` ends the
    run (as a failed line search does). Returns `(w, grad_norm, steps,
    status)` with the status codes of `STATUS_NAMES`.

    `expand` (static, default False): where the Hessian at the iterate is not
    positive definite and the full step $t=1$ passes the Armijo test, try
    $t=2,4,8,\dots$ while $f$ stays finite, strictly decreases
    ($f(w+2tp)<f(w+tp)$) and passes the Armijo test, and stop at the first
    doubling that escapes, bisected back (8 halvings of $[t/2,t]$) to the
    first escaped point if that point still descends. Along a direction where $f\approx-ae^{s}$ the floored
    Newton step is $\Delta s\approx1$ (proofs/cases.py), so without it an
    escape to `margin_bound` takes ~355 iterations; with it, a few. Where $H$
    is positive definite nothing changes (the same iterates, bit for bit).

    `strongly_convex` (static): the caller knows $f$ is strongly convex, so a
    converged run is a "minimum" without forming the final Hessian.
    `reuse_hessian` (static; for a strongly convex $f$ whose Hessian dominates
    the cost): after a full step ($t=1$) that cut $\|g\|$ at least 100-fold --
    Newton's quadratic phase -- the next step reuses the last
    eigendecomposition (a chord step). Any positive definite matrix gives a
    descent direction, and a step that cuts $\|g\|$ less triggers a fresh
    Hessian, so the search still converges to the same (unique) minimum; it
    saves the Hessians of the last iterations.
    """
    escaped = escaped or (lambda w, fw: ~jnp.isfinite(fw))
    eps = jnp.finfo(w0.dtype).eps

    def line_search(w, fw, g, p, convex):
        slope = g @ p
        scale = jnp.abs(fw) if size is None else jnp.maximum(jnp.abs(fw), size(w))
        slack = 16 * eps * jnp.maximum(1.0, scale)

        def armijo(t, f_t):
            return jnp.isfinite(f_t) & (f_t <= fw + _ARMIJO * t * slope + slack)

        def cond(state):
            t, k, f_t = state
            return ~armijo(t, f_t) & (k < _MAX_HALVINGS)

        def halve(state):
            t, k, _ = state
            return 0.5 * t, k + 1, f(w + 0.5 * t * p)

        one = jnp.ones((), w.dtype)
        t, k, f_t = jax.lax.while_loop(cond, halve, (one, 0, f(w + p)))
        ok = k < _MAX_HALVINGS
        if not expand:
            return t, ok, f_t

        def grow(state):
            t, f_t, _, j, f_half, _ = state
            w2 = w + 2 * t * p
            f2 = f(w2)
            take = (f2 < f_t) & armijo(2 * t, f2)
            out2 = escaped(w2, f2)
            return (jnp.where(take, 2 * t, t), jnp.where(take, f2, f_t),
                    take & ~out2 & (j + 1 < _MAX_DOUBLINGS), j + 1, jnp.where(take, f_t, f_half), take & out2)

        go = ok & (k == 0) & ~convex & ~escaped(w + p, f_t)
        t, f_t, _, _, f_half, hit = jax.lax.while_loop(lambda s: s[2], grow, (t, f_t, go, 0, f_t, False))

        # The last doubling escaped: it may overshoot the boundary by up to its own length (margins up to
        # ~2 margin_bound, where gradients overflow). Bisect [t/2, t] on `escaped` for the first escaped
        # point to t/2^_ESCAPE_BISECTIONS and stop there if it still descends and passes Armijo.
        def bisect(state):
            lo, hi, k = state
            mid = 0.5 * (lo + hi)
            out = escaped(w + mid * p, f(w + mid * p))
            return jnp.where(out, lo, mid), jnp.where(out, mid, hi), k + 1

        # a while loop, not a fori_loop: it runs only where a doubling escaped (under vmap, only while
        # some cell of the batch needs it), not in every Newton iteration of every solve
        _, t_hit, _ = jax.lax.while_loop(lambda s: hit & (s[2] < _ESCAPE_BISECTIONS), bisect, (0.5 * t, t, 0))
        f_hit = f(w + t_hit * p)
        closer = hit & (f_hit < f_half) & armijo(t_hit, f_hit)
        return jnp.where(closer, t_hit, t), ok, jnp.where(closer, f_hit, f_t)

    def cond(state):
        w, fw, g, it, stalled, out, _, _ = state
        return (jnp.linalg.norm(g) > tol) & (it < max_steps) & ~stalled & ~out

    def body(state):
        w, fw, g, it, _, _, eig, reuse = state
        if reuse_hessian:
            eig = jax.lax.cond(reuse, lambda: eig, lambda: tuple(sym_eigh(hess(w))))
        else:
            eig = tuple(sym_eigh(hess(w)))
        p, convex = _direction(eig, g)
        t, ok, f_t = line_search(w, fw, g, p, convex)
        w_new = jnp.where(ok, w + t * p, w)
        f_new = jnp.where(ok, f_t, fw)  # f(w_new), already evaluated by the line search
        g_new = grad(w_new)
        moved = jnp.any(w_new != w)
        reuse = ok & (t == 1) & (jnp.linalg.norm(g_new) <= _REUSE_RATIO * jnp.linalg.norm(g))
        return w_new, f_new, g_new, it + 1, ~(ok & moved), escaped(w_new, f_new), eig, reuse

    f0 = f(w0)
    d = w0.shape[0]
    no_eig = (jnp.ones(d, w0.dtype), jnp.eye(d, dtype=w0.dtype))  # never used: the first step forms H
    init = (w0, f0, grad(w0), jnp.zeros((), jnp.int32), jnp.zeros((), bool), escaped(w0, f0), no_eig,
            jnp.zeros((), bool))
    w, fw, g, it, stalled, out, _, _ = jax.lax.while_loop(cond, body, init)
    gnorm = jnp.linalg.norm(g)
    min_eig = jnp.ones((), w.dtype) if strongly_convex else sym_min_eigenvalue(hess(w))
    status = jnp.where(
        out,
        UNBOUNDED,
        jnp.where(gnorm <= tol, jnp.where(min_eig > 0, MINIMUM, SADDLE_OR_MAXIMUM), NOT_CONVERGED),
    ).astype(jnp.int32)
    return w, gnorm, it, status


def _newton(problem, kind, w0, tol, max_steps, expand=True):
    escaped = lambda w, fw: _escaped(problem, w, fw)  # noqa: E731
    if kind == "da" and problem.loss == "squared":
        # a quadratic with a constant Hessian: unbounded below unless it is positive definite. Say so at
        # once (the start counts as escaped: no step is taken) instead of walking out to margin_bound.
        definite = sym_min_eigenvalue(_hessian(problem, w0, kind)) > 0
        escaped = lambda w, fw: _escaped(problem, w, fw) | ~definite  # noqa: E731
    w, gnorm, it, status = damped_newton(
        lambda w: _value(problem, w, kind),
        lambda w: _gradient(problem, w, kind),
        lambda w: _hessian(problem, w, kind),
        w0,
        tol=tol,
        max_steps=max_steps,
        escaped=escaped,
        # with c >= 0 (L_D, L_R) the terms' size is L itself: the carried value, no pass over X
        size=(lambda w: _value_size(problem, w, kind)) if kind == "da" else None,
        # only an objective that can be unbounded below (exp-loss DA) has anywhere to escape to
        expand=expand and kind == "da" and problem.loss == "exp",
        # L_D, L_R: lam-strongly convex (weights >= 0, lam > 0, both losses convex)
        strongly_convex=kind != "da",
        # chord steps only where forming H (n d^2 multiply-adds) dominates an iteration
        reuse_hessian=kind != "da" and problem.X.shape[0] * problem.X.shape[1] ** 2 >= _REUSE_HESSIAN_MIN_WORK,
    )
    # Integer aux outputs break custom_root's JVP (it gives them int tangents
    # instead of float0), so steps and status travel as floats until _solve.
    return w, (gnorm, it.astype(w.dtype), status.astype(w.dtype))


@jax.custom_jvp
def _nan_tangent_unless(x, ok):
    """Identity on `x`; its tangent is NaN unless `ok` (no derivative at a non-solution)."""
    return x


@_nan_tangent_unless.defjvp
def _nan_tangent_unless_jvp(primals, tangents):
    x, ok = primals
    dx, _ = tangents
    return x, jnp.where(ok, dx, jnp.nan)


@functools.partial(jax.jit, static_argnames=("kind", "max_steps", "expand"))
def _solve(problem, kind, w0, tol, max_steps, expand=True):
    # `expand=False` runs the search without the expanding line search (the old walk to
    # `margin_bound`): kept for the equivalence tests and the benchmark.
    def solve_fn(_, w_init):
        return _newton(problem, kind, w_init, tol, max_steps, expand)

    def tangent_solve(linear_map, rhs):
        # linear_map is the Hessian action at the root; materialise it (d is small).
        return sym_solve(jax.jacfwd(linear_map)(rhs), rhs)

    root, (gnorm, steps, status) = jax.lax.custom_root(
        lambda w: _gradient(problem, w, kind), w0, solve_fn, tangent_solve, has_aux=True
    )
    status = status.astype(jnp.int32)
    unbounded_below, _ = unbounded_ray(problem, kind, root)
    status = jnp.where((status == MINIMUM) & unbounded_below, LOCAL_MINIMUM, status)
    # The implicit function theorem needs a stationary point: a derivative of
    # an "unbounded" or "not_converged" result is NaN, never a silent number.
    root = _nan_tangent_unless(root, (status == MINIMUM) | (status == SADDLE_OR_MAXIMUM) | (status == LOCAL_MINIMUM))
    return Solution(root, gnorm, steps.astype(jnp.int32), status)


def solve(
    problem: Problem,
    kind: str,
    *,
    tol: Optional[float] = None,
    max_steps: int = 1000,
    init=None,
) -> Solution:
    r"""Exact solution of $L_{\mathcal D}$, $L_{\mathcal R}$ or $L_{DA}$ by damped Newton.

    Let `kind` name the objective: "original" ($w^{\mathcal D}$, the model
    trained on $\mathcal D$), "oracle" ($w^{\mathcal R}$, retrained on
    $\mathcal R$ alone) or "da" ($w^{DA}$, where descent-ascent converges;
    searched from $w^{\mathcal D}$ unless `init` is given). For the
    exponential loss on orthogonal blocks these are Lemma 2's
    $W\big(\frac{(1+\alpha)|\mathcal R_j|}{\lambda|\mathcal D|}\big)$,
    $W\big(\frac{|\mathcal R_j|}{\lambda|\mathcal R|}\big)$ and
    $W_0\big(\frac{(1-\alpha|\mathcal R|/|\mathcal F|)|\mathcal R_j|}{\lambda|\mathcal R|}\big)$
    (the $W_0$ point is the local minimum in Case 2; no solution in Case 3).

    jit- and vmap-compatible (the kind and `max_steps` are static; `tol` may
    be traced, e.g. scaled with a batched $\lambda$);
    `w` is implicitly differentiable with respect to the problem's floats.

    Args:
        problem: the unlearning problem.
        kind: "original", "oracle" or "da".
        tol: stop when $\|\nabla L\|_2\le$ `tol` (default 1e-12 in float64,
            1e-5 in float32). Gradients scale with $\lambda$ near the
            solution, so at small $\lambda$ pass e.g. `1e-12 * lam` for the
            same relative accuracy; a `tol` below the gradient's rounding
            level ends in "not_converged" after `max_steps`.
        max_steps: Newton iteration cap (>= 1).
        init: optional starting point, shape (d,).

    Returns:
        `Solution(w, grad_norm, steps, status)`; see the module docstring for
        the status codes.

    References: Eq. (1), Lemma 2 and Lemma 3's case analysis.
    """
    where = "solve"
    problem = check_problem(where, problem)
    v.check_choice(where, "kind", kind, KINDS)
    max_steps = v.check_int(where, "max_steps", max_steps, minimum=1)
    dtype = problem.X.dtype
    tol = _tol(where, tol, dtype)
    d = problem.X.shape[1]
    if init is not None:
        init = v.check_array(where, "init", init, ndim=1)
        if init.shape != (d,):
            v.fail(where, "init", f"array of shape {init.shape}", f"must have shape ({d},)")
        w0 = jnp.asarray(init, dtype)
    elif kind == "da":
        w0 = _solve(problem, "original", jnp.zeros(d, dtype), tol, max_steps).w
    else:
        w0 = jnp.zeros(d, dtype)
    return _solve(problem, kind, jax.lax.stop_gradient(w0), tol, max_steps)


class References(NamedTuple):
    r"""The reference points of an unlearning problem, solved once (a pytree; batched under vmap).

    Attributes:
        original: $w^{\mathcal D}$, the stationary point of $L_{\mathcal D}$ (the pretrained model).
        oracle: $w^{\mathcal R}$, the stationary point of $L_{\mathcal R}$ (retrained on $\mathcal R$).
        da: $w^{DA}$, where descent-ascent from $w^{\mathcal D}$ converges
            (`solve(problem, "da")`), or None when not asked for.
    """

    original: Solution
    oracle: Solution
    da: Optional[Solution]


def solve_references(problem: Problem, *, da: bool = True, tol: Optional[float] = None) -> References:
    r"""Solve $w^{\mathcal D}$, $w^{\mathcal R}$ and (if `da`) $w^{DA}$ once, for reuse.

    The same points as `solve(problem, "original")`, `solve(problem, "oracle")`
    and `solve(problem, "da")`, bit for bit: the DA search starts at the
    $w^{\mathcal D}$ solved here instead of solving it a second time. Pass the
    result to `unlearn(..., references=...)` so that repeated runs on one
    problem (step sizes, methods, starts) skip the two Newton solves.
    jit- and vmap-compatible (`da` is static).

    Args:
        problem: the unlearning problem.
        da: also solve $L_{DA}$ (default True).
        tol: gradient-norm tolerance of all the solves (see `solve`).

    Returns:
        `References(original, oracle, da)` of `Solution`s (`da` None if not asked for).

    References: Eq. (1) (the three objectives), Lemma 2 (their closed forms on orthogonal data).
    """
    where = "solve_references"
    problem = check_problem(where, problem)
    if not isinstance(da, (bool, np.bool_)):
        v.fail(where, "da", da, "must be a bool (it decides which solves run, so it is static)")
    tol = None if tol is None else _tol(where, tol, problem.X.dtype)
    original = solve(problem, "original", tol=tol)
    oracle = solve(problem, "oracle", tol=tol)
    w_da = solve(problem, "da", tol=tol, init=original.w) if da else None
    return References(original, oracle, w_da)


def check_references(where: str, references, d: int, dtype):
    """`(w_original, w_oracle)` of `references` (a `References`, or anything with
    `.original.w` and `.oracle.w`), each checked to have shape (d,), cast to `dtype`."""
    out = []
    for field in ("original", "oracle"):
        name = f"references.{field}.w"
        w = getattr(getattr(references, field, None), "w", None)
        if w is None:
            v.fail(where, "references", type(references).__name__,
                   f"must be an ascentlab.References (from solve_references) or have `{name}`")
        w = v.check_array(where, name, w, ndim=1)
        if w.shape != (d,):
            v.fail(where, name, f"array of shape {w.shape}", f"must have shape ({d},) to match problem.X")
        out.append(jnp.asarray(w, dtype))
    return tuple(out)

r"""Cases 1/2/3 of the DA stationary point [T], with the corrected min/max assignment [D].

$f(w)=ce^{-w}+\frac\lambda2w^2$ with $c=c_{DA}$; at a stationary point
$ce^{-w}=\lambda w$, so $f''=ce^{-w}+\lambda=\lambda(1+w)$: positive on $W_0$
($w>-1$, local minimum), negative on $W_{-1}$ ($w<-1$, local maximum) -- the
paper says the opposite. With $c<0$, $f\to-\infty$ as $w\to-\infty$, so the
Case-2 minimum is local only (`solve` says "local_minimum"). Case 2/3 boundary: $z=c/\lambda=-1/e$, i.e.
$\alpha=\frac{|\mathcal F|}{|\mathcal R|}+\frac{\lambda|\mathcal F|}{e|\mathcal R_j|}$.
Code: ascentlab.theory.da_case, case_thresholds, check_cases.

Deciding Case 3 fast (`solve`'s expanding line search, issue 9). Write the coordinate with $c=-a<0$ in
the escaping variable $s=-w$ (minus the margin): $f(s)=-ae^{s}+\frac b2s^2$, $a>0$, $b=\lambda$.
(i) Case 3 ($a/b>1/e$) has $f'<0$ everywhere: $\min_s(ae^s-bs)=b(1-\ln(b/a))>0$.
(ii) Where $f''<0$ ($s>\ln(b/a)$) the floored Newton step $-f'/|f''|$ is
$\Delta(s)=1-\frac{b(s-1)}{ae^s-b}$: below 1 for $s>1$, tending to 1. So the plain walk moves $s$ by
less than 1 per step and needs more than $M-s_0$ steps to reach `margin_bound` $M=\frac12\ln(\text{float
max})=354.9$ (float64) -- the ~355 steps measured.
(iii) On a concave stretch with $f'(s)<0$, $g(T)=f(s+T)-f(s)-Tf'(s)$ has $g(0)=g'(0)=0$, $g''=f''(s+T)<0$,
so $f(s+T)\le f(s)+Tf'(s)<f(s)+cTf'(s)$ for every $T>0$, $c<1$ (Armijo), and $f'(s+T)<f'(s)<0$: $f$ is
strictly decreasing along the ray. Every doubling $t\to2t$ therefore passes the expansion's tests
(finite, $f(s+2t\Delta)<f(s+t\Delta)$, Armijo), there is no stationary point on the ray for it to jump
over, and $M$ is crossed after $k=\lceil\log_2((M-s)/\Delta)\rceil$ doublings, all inside one Newton
iteration ($k\le10$ for $\Delta\ge\frac12$, $s\ge0$). The first point past $M$ has
$s+2^k\Delta<2M-s\le2M=\ln(\text{float max})$, so $f$ is still finite there: why $M$ is half the
overflow exponent. (`solve` then bisects that last doubling back to the first escaped point, so that
gradients there stay finite, as at the plain walk's stopping point: on this concave descending stretch
every point of the ray passes the same tests.)
Multi-dimensional problems (the correlated pair): that the statuses equal the plain walk's is checked
numerically, not proved -- 0 disagreements on 2e6 cells (tests/_solve_grid_check.py) and the
fold-bracketing cells of tests/test_solve.py.
"""

import numpy as np
import sympy as sp

from ._common import Contract, W, alpha, is_zero, lam, latex_block, n_f, n_r, r_j, w, z

C_DA = (1 - alpha * n_r / n_f) * r_j / n_r
CASE2_MAX = n_f / n_r + lam * n_f / (sp.E * r_j)  # largest alpha with a stationary point


def closed_forms():
    return [Contract("case1_max", (r_j, n_r, n_f, lam), n_f / n_r, "case_thresholds", 0),
            Contract("case2_max", (r_j, n_r, n_f, lam), CASE2_MAX, "case_thresholds", 1)]


def check():
    c = sp.Symbol("c", real=True)
    f = c * sp.exp(-w) + lam / 2 * w**2
    # f'' at any stationary point (where c e^{-w} = lam w) equals lam (1 + w)
    fpp = sp.diff(f, w, 2).subs(c, lam * w * sp.exp(w))
    assert sp.simplify(fpp - lam * (1 + w)) == 0
    # both branches are stationary points of f with c = lam z
    for k in (0, -1):
        assert is_zero(sp.diff(f, w).subs(c, lam * z).subs(w, W(z, k)))
    # W0(-1/e + d) > -1 and W_{-1}(-1/e + d) < -1 for small d > 0: curvature signs
    zz = -sp.exp(-1) + sp.Rational(1, 100)
    assert sp.N(W(zz, 0)) > -1 > sp.N(W(zz, -1))
    # with c < 0 (Cases 2 and 3) f is unbounded below as w -> -oo: the Case-2 minimum is only local
    cn = sp.Symbol("c_n", positive=True)
    assert sp.limit((-cn * sp.exp(-w) + lam / 2 * w**2), w, -sp.oo) == -sp.oo
    # the Case 2/3 boundary z = -1/e in terms of alpha
    assert sp.simplify((C_DA / lam).subs(alpha, CASE2_MAX) + sp.exp(-1)) == 0
    assert sp.simplify((C_DA / lam).subs(alpha, n_f / n_r)) == 0
    _check_fast_escape()


def _check_fast_escape():
    """(i)-(iii) of the module docstring: why the plain walk takes ~355 steps and doubling a few."""
    a, b, s, T, c_arm = sp.symbols("a b s T c", positive=True)
    f = lambda u: -a * sp.exp(u) + b / 2 * u**2
    f1, f2 = sp.diff(f(s), s), sp.diff(f(s), s, 2)
    # (i) a e^s - b s is minimal at s = ln(b/a), with value b (1 - ln(b/a)): positive iff b/a < e (Case 3)
    h = -f1
    s_star = sp.log(b / a)
    assert sp.simplify(sp.diff(h, s).subs(s, s_star)) == 0 and sp.simplify(sp.diff(h, s, 2) - a * sp.exp(s)) == 0
    assert sp.simplify(h.subs(s, s_star) - b * (1 - sp.log(b / a))) == 0
    # Case 3 in these variables: z = c / lam = -a / b < -1/e
    assert sp.simplify((-a / b).subs(a, b / sp.E) + sp.exp(-1)) == 0
    # (ii) the |H|-floored Newton step where f'' < 0 (|f''| = -f''): -f' / |f''| = f' / f''
    step = 1 - b * (s - 1) / (a * sp.exp(s) - b)
    assert sp.simplify(f1 / f2 - step) == 0
    assert sp.limit(step, s, sp.oo) == 1
    # f'' < 0 means a e^s > b, so the denominator is positive and the step is below 1 for s > 1
    assert sp.simplify(-f2 - (a * sp.exp(s) - b)) == 0
    # (iii) g(T) = f(s+T) - f(s) - T f'(s): g(0) = g'(0) = 0 and g'' = f''(s+T)
    g = f(s + T) - f(s) - T * f1
    assert sp.simplify(g.subs(T, 0)) == 0 and sp.simplify(sp.diff(g, T).subs(T, 0)) == 0
    assert sp.simplify(sp.diff(g, T, 2) - f2.subs(s, s + T)) == 0
    # Armijo from concavity: f(s+T) - f(s) - c T f'(s) = g(T) + (1 - c) T f'(s), both terms < 0 when g <= 0, f' < 0
    assert sp.simplify(f(s + T) - f(s) - c_arm * T * f1 - (g + (1 - c_arm) * T * f1)) == 0
    # doubling count and overflow headroom in float64 (margin_bound = ln(float max) / 2)
    big = float(np.finfo(np.float64).max)
    M = sp.log(sp.Float(big, 30)) / 2
    assert abs(float(M) - 354.8913) < 1e-3
    # plain walk: more than M - s0 unit-or-shorter steps from s0 = 1
    assert sp.floor(M - 1) == 353
    # doubling from Delta >= 1/2 at s >= 0: k = ceil(log2((M - s) / Delta)) <= ceil(log2(2 M)) = 10 doublings
    assert sp.ceiling(sp.log(2 * M, 2)) == 10
    # the first point past M: 2^(k-1) Delta < M - s, so s + 2^k Delta < 2 M - s <= ln(float max) for s >= 0
    assert sp.simplify(2 * M - sp.log(sp.Float(big, 30))) == 0


def latex():
    a_, b_, s_ = sp.symbols("a b s", positive=True)
    return latex_block([(r"f''(w^\star)", lam * (1 + w)), (r"\alpha_{\text{Case 1}}", n_f / n_r),
                        (r"\alpha_{\text{Case 2}}", CASE2_MAX),
                        (r"\Delta(s)\ \text{(|H|-Newton step of } -ae^s+\tfrac b2s^2)",
                         1 - b_ * (s_ - 1) / (a_ * sp.exp(s_) - b_))])


if __name__ == "__main__":
    print(latex())

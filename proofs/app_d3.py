r"""App. D.3: iterative (alternating) DA -- its expansion [T + D] and the stability of its
Case-3 fixed point [D].

Half-steps on one coordinate (ridge descended in both): descent
$D(w)=w-\eta(-ae^{-w}+\lambda w)=sw+\eta ae^{-w}$, ascent
$A(w)=w-\eta(be^{-w}+\lambda w)=sw-\eta be^{-w}$, $s=1-\eta\lambda$.

**Expansion.** $A(D(w))=w+\eta g_1+\eta^2g_2+O(\eta^3)$ with
$g_1=(a-b)e^{-w}-2\lambda w$ (gradient descent on $L_{DA}$ with ridge
$2\lambda$) and $g_2$ below; the ascent-first order has the same $g_1$.

**Case-3 fixed point, exactly.** Parametrise by the descent push
$u=\eta ae^{-w^*}$: then $w^*=\ln(\eta a/u)$, $w'=D(w^*)=sw^*+u$, the ascent
push is $v=\eta be^{-w'}=sw'-w^*=su-(1-s^2)w^*$, and $b$ is determined:
$\ln\frac ba=u+\ln\frac vu-\eta\lambda\ln\frac{\eta a}u$. The derivative of
the composite map there is $m'(w^*)=D'(w^*)A'(w')=(s-u)(s+v)$; the
ascent-first map $D\circ A$ has the fixed point $w'$ and the same derivative
(the two maps are conjugate).

**Stability.** As $\eta\to0$ ($s\to1$, $v\to u$): $u\to L=\ln(b/a)$ and
$m'\to1-L^2$, so the fixed point is stable iff $L<\sqrt2$, and $m'=-1$ (a flip)
at $L=\sqrt2$. First correction in $\epsilon=\eta\lambda$, with
$\ell=\ln(\eta a/u)$ treated as a separate $O(\ln\eta)$ parameter (its own
change with $u$ enters at $O(\epsilon^2)$):
$L^*=\sqrt2-\frac32\epsilon(1+\sqrt2\ell)+O(\epsilon^2\ell^2)$, $\ell=\ln(\eta a/\sqrt2)$.

The leading order of the fixed point, $\ln\frac{\eta a}{\ln(b/a)}$; the
earlier reconstruction's $\ln\frac{\eta ab}{b-a}$ is its first-order expansion in $(b-a)/b$.
Code: ascentlab.theory.alternating_expansion, alternating_far_fixed_point,
alternating_flip_threshold, check_app_d3_stability.
"""

import sympy as sp

from ._common import Contract, eta, lam, latex_block, w

a, bf = sp.symbols("a bf", positive=True)  # a_j, b_j
u, v_, ell, e_ = sp.symbols("u v ell epsilon_s", positive=True)  # pushes, ln(eta a/u) as a parameter, eta*lam

G1 = (a - bf) * sp.exp(-w) - 2 * lam * w
G2_DESCENT_FIRST = a * bf * sp.exp(-2 * w) - lam * (a + bf * w) * sp.exp(-w) + lam**2 * w
G2_ASCENT_FIRST = a * bf * sp.exp(-2 * w) + lam * (a * w + bf) * sp.exp(-w) + lam**2 * w

S = 1 - eta * lam
SQRT2 = sp.sqrt(2)
ELL0 = sp.log(eta * a / SQRT2)
FLIP_FIRST_ORDER = SQRT2 - sp.Rational(3, 2) * eta * lam * (1 + SQRT2 * ELL0)


def descent(v, b=bf):
    del b
    return v - eta * (-a * sp.exp(-v) + lam * v)


def ascent(v, b=bf):
    return v - eta * (b * sp.exp(-v) + lam * v)


def two_half_steps(order="descent_first"):
    return ascent(descent(w)) if order == "descent_first" else descent(ascent(w))


def expansion(order):
    series = sp.series(two_half_steps(order), eta, 0, 3).removeO()
    return sp.expand(series.coeff(eta, 1)), sp.expand(series.coeff(eta, 2))


def fixed_point_parametrisation():
    """(w*, w', v, b) as functions of the descent push u (exact)."""
    w_star = sp.log(eta * a / u)
    w_next = S * w_star + u
    v = S * w_next - w_star
    b = v * sp.exp(w_next) / eta
    return w_star, w_next, v, b


def slope_at_fixed_point():
    r"""$m'(w^*)=(s-u)(s+v)$ in the parametrisation."""
    _, _, v, _ = fixed_point_parametrisation()
    return (S - u) * (S + v)


def flip_first_order_coefficient():
    r"""$dL^*/d\epsilon$ at $\epsilon=0$, with $\ell$ held fixed (the first correction)."""
    s = 1 - e_
    v = s * u - (1 - s**2) * ell
    F = (s - u) * (s + v) + 1  # m' + 1 = 0 at the flip
    u1 = -(sp.diff(F, e_) / sp.diff(F, u)).subs({e_: 0, u: SQRT2})
    L = u + sp.log(v / u) - e_ * ell
    dL = sp.diff(L, e_) + sp.diff(L, u) * u1
    return sp.simplify(dL.subs({e_: 0, u: SQRT2}))


def closed_forms():
    args = (w, a, bf, lam)
    flip = (a, lam, eta)
    return [Contract("g1", args, G1, "alternating_expansion", 0),
            Contract("g2_descent_first", args, G2_DESCENT_FIRST, "alternating_expansion", 1),
            Contract("flip_first_order", flip, FLIP_FIRST_ORDER, "alternating_flip_threshold", 1),
            Contract("flip_leading", flip, SQRT2 + 0 * a, "alternating_flip_threshold", 2)]


def check():
    for order, g2 in (("descent_first", G2_DESCENT_FIRST), ("ascent_first", G2_ASCENT_FIRST)):
        e1, e2 = expansion(order)
        assert sp.simplify(e1 - G1) == 0, order
        assert sp.simplify(e2 - g2) == 0, order
    assert sp.simplify(two_half_steps().subs(eta, 0) - w) == 0

    # the parametrisation is a fixed point of A o D, exactly
    w_star, w_next, v, b = fixed_point_parametrisation()
    assert sp.simplify(descent(w_star) - w_next) == 0
    assert sp.simplify(sp.expand_log(ascent(w_next, b) - w_star, force=True)) == 0
    # ln(b/a) = u + ln(v/u) - eta lam ln(eta a/u)
    ln_ratio = u + sp.log(v / u) - eta * lam * sp.log(eta * a / u)
    assert sp.simplify(sp.expand_log(sp.log(b / a) - ln_ratio, force=True)) == 0
    # m'(w*) = D'(w*) A'(w') = (s - u)(s + v): the chain rule with the pushes substituted
    d_desc = sp.diff(descent(w), w).subs(w, w_star)
    d_asc = sp.diff(ascent(w, b), w).subs(w, w_next)
    assert sp.simplify(sp.expand_log(d_desc * d_asc - slope_at_fixed_point(), force=True)) == 0
    # conjugacy: w' is a fixed point of D o A (D(A(w')) = D(w*) = w') with derivative D'(A(w')) A'(w')
    assert sp.simplify(sp.expand_log(descent(ascent(w_next, b)) - w_next, force=True)) == 0
    d_conj = sp.diff(descent(w), w).subs(w, ascent(w_next, b)) * d_asc
    assert sp.simplify(sp.expand_log(d_conj - slope_at_fixed_point(), force=True)) == 0

    # leading order eta -> 0: s = 1, v = u, b/a = e^u, m' = 1 - u^2; flip (m' = -1) at u = sqrt 2
    _, _, v0, b0 = (e.subs(lam, 0) for e in fixed_point_parametrisation())
    assert sp.simplify(sp.expand_log(b0 / a - sp.exp(u), force=True)) == 0
    assert sp.expand(slope_at_fixed_point().subs(lam, 0)) == 1 - u**2
    assert sp.solve(sp.Eq(1 - u**2, -1), u) == [SQRT2]
    # first correction: L* = sqrt2 - (3/2) eps (1 + sqrt2 ell)
    assert sp.simplify(flip_first_order_coefficient() + sp.Rational(3, 2) * (1 + SQRT2 * ell)) == 0

    # the earlier fixed point ln(eta ab/(b-a)) is the refined ln(eta a/ln(b/a)) with ln(b/a) replaced
    # by its first-order expansion in x = (b - a)/b: ln(b/a) = -ln(1 - x) = x + O(x^2)
    xx = sp.Symbol("x", positive=True)
    assert sp.series(-sp.log(1 - xx), xx, 0, 2).removeO() == xx
    assert sp.simplify(sp.log(bf / a) + sp.log(1 - (bf - a) / bf)) == 0
    assert sp.simplify(sp.expand_log(sp.log(eta * a / ((bf - a) / bf)) - sp.log(eta * a * bf / (bf - a)), force=True)) == 0


def latex():
    return latex_block([("g_1", G1), (r"g_2^{\text{descent first}}", G2_DESCENT_FIRST),
                        (r"g_2^{\text{ascent first}}", G2_ASCENT_FIRST),
                        (r"w^*_{\text{Case 3}}", sp.log(eta * a / sp.log(bf / a))),
                        (r"m'(w^*)", (sp.Symbol("s") - u) * (sp.Symbol("s") + sp.Symbol("v"))),
                        (r"\ln(b/a)^*_{\text{flip}}", FLIP_FIRST_ORDER)])


if __name__ == "__main__":
    print(latex())

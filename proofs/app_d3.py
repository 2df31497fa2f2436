r"""App. D.3: iterative (alternating) DA expanded to $O(\eta^2)$ [T + D].

Half-steps on one coordinate (ridge descended in both):
descent $w'=w-\eta(-ae^{-w}+\lambda w)$, ascent $w''=w'-\eta(be^{-w'}+\lambda w')$.
Taylor in $\eta$: $w''=w+\eta g_1+\eta^2g_2+O(\eta^3)$ with
$g_1=(a-b)e^{-w}-2\lambda w$ -- gradient descent on $L_{DA}$ with ridge
$2\lambda$ -- and $g_2$ below; the ascent-first order has the same $g_1$.
Case-3 fixed point [D]: the half-steps cancel when $\delta=w'-w$ satisfies
$ae^{-w}\approx be^{-w-\delta}$, i.e. $\delta=\ln(b/a)$, and
$\delta\approx\eta ae^{-w}$ gives $w^*\approx\ln\frac{\eta a}{\ln(b/a)}$; the
theory note's $\ln\frac{\eta ab}{b-a}$ is its first-order expansion in $(b-a)/b$.
Code: ascentlab.theory.alternating_expansion, alternating_fixed_point_case3.
"""

import sympy as sp

from proofs._common import Contract, eta, lam, latex_block, w

a, bf = sp.symbols("a bf", positive=True)  # a_j, b_j

G1 = (a - bf) * sp.exp(-w) - 2 * lam * w
G2_DESCENT_FIRST = a * bf * sp.exp(-2 * w) - lam * (a + bf * w) * sp.exp(-w) + lam**2 * w
G2_ASCENT_FIRST = a * bf * sp.exp(-2 * w) + lam * (a * w + bf) * sp.exp(-w) + lam**2 * w


def two_half_steps(order="descent_first"):
    descent = lambda v: v - eta * (-a * sp.exp(-v) + lam * v)
    ascent = lambda v: v - eta * (bf * sp.exp(-v) + lam * v)
    return ascent(descent(w)) if order == "descent_first" else descent(ascent(w))


def expansion(order):
    series = sp.series(two_half_steps(order), eta, 0, 3).removeO()
    return sp.expand(series.coeff(eta, 1)), sp.expand(series.coeff(eta, 2))


def closed_forms():
    args = (w, a, bf, lam)
    return [Contract("g1", args, G1, "alternating_expansion", 0),
            Contract("g2_descent_first", args, G2_DESCENT_FIRST, "alternating_expansion", 1)]


def check():
    for order, g2 in (("descent_first", G2_DESCENT_FIRST), ("ascent_first", G2_ASCENT_FIRST)):
        e1, e2 = expansion(order)
        assert sp.simplify(e1 - G1) == 0, order
        assert sp.simplify(e2 - g2) == 0, order
    assert sp.simplify(two_half_steps().subs(eta, 0) - w) == 0
    # the note's fixed point is the refined one with ln(b/a) ~ (b - a)/b to first order
    s = sp.Symbol("s", positive=True)  # s = b / a
    assert sp.series(sp.log(s), s, 1, 2).removeO() == s - 1
    assert sp.simplify((bf - a) / bf - (1 - 1 / (bf / a))) == 0


def latex():
    return latex_block([("g_1", G1), (r"g_2^{\text{descent first}}", G2_DESCENT_FIRST),
                        (r"g_2^{\text{ascent first}}", G2_ASCENT_FIRST),
                        (r"w^*_{\text{Case 3}}", sp.log(eta * a / sp.log(bf / a)))])


if __name__ == "__main__":
    print(latex())

r"""Lemma 8 (upper bounds for DA) [T; R], and $y^{DA}\le x^{DA}$ [D].

DA system: $x=pce^{-x}-2q\epsilon e^{-y}$, $y=2p\epsilon e^{-x}-qce^{-y}$, $c=1+\epsilon^2$.
$x-y=(1-\epsilon)^2(pe^{-x}+qe^{-y})\ge0$. With $e^{-y}\ge e^{-x}$:
$xe^x\le pc-2q\epsilon$ and $ye^y\le2p\epsilon-qc$, so $x\le W_0(pc-2q\epsilon)$,
$y\le W_0(2p\epsilon-qc)$; since $ue^u\ge-1/e$, a DA stationary point can only
exist when both arguments are $\ge-1/e$. Code: ascentlab.theory.lemma8_bounds, check_lemma8.
"""

import sympy as sp

from ._common import Contract, W, eps, is_zero, latex_block, p, q

C = 1 + eps**2
X_HI = W(p * C - 2 * q * eps)
Y_HI = W(2 * p * eps - q * C)


def closed_forms():
    return [Contract("x_hi", (p, q, eps), X_HI, "lemma8_bounds", 0),
            Contract("y_hi", (p, q, eps), Y_HI, "lemma8_bounds", 1)]


def check():
    x, y = sp.symbols("x y", real=True)
    fx = p * C * sp.exp(-x) - 2 * q * eps * sp.exp(-y)
    fy = 2 * p * eps * sp.exp(-x) - q * C * sp.exp(-y)
    assert sp.simplify(fx - fy - (1 - eps) ** 2 * (p * sp.exp(-x) + q * sp.exp(-y))) == 0
    # x e^x = e^x fx <= pc - 2q eps: the slack is 2 q eps (e^{x-y} - 1) >= 0 for y <= x
    assert sp.simplify((p * C - 2 * q * eps) - sp.exp(x) * fx - 2 * q * eps * (sp.exp(x - y) - 1)) == 0
    assert sp.simplify((2 * p * eps - q * C) - sp.exp(y) * fy - 2 * p * eps * (1 - sp.exp(y - x))) == 0
    for bound, k in ((X_HI, p * C - 2 * q * eps), (Y_HI, 2 * p * eps - q * C)):
        assert is_zero(bound * sp.exp(bound) - k)


def latex():
    return latex_block([("x^{DA}_{\\max}", X_HI), ("y^{DA}_{\\max}", Y_HI)])


if __name__ == "__main__":
    print(latex())

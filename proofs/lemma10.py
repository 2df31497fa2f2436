r"""Lemma 10 [T; thresholds derived D]: sufficient $\alpha^x_{R>D}$, $\alpha^y_{R>D}$.

The paper's printed thresholds are not available. Sufficient ones follow from
Lemma 6 against Lemma 7's upper bounds ($c=1+\epsilon^2$):
$x^{\mathcal R}=W_0(pc)\ge\frac{2\epsilon}{c}W_0(b\alpha c)+W_0(bc)$ iff
$W_0(b\alpha c)\le Z=\frac{c}{2\epsilon}(W_0(pc)-W_0(bc))$ iff $\alpha\le\frac{Ze^Z}{bc}$;
$y^{\mathcal R}=V=\frac{2\epsilon}{c}W_0(pc)\ge W_0(b(2\epsilon+\alpha c))$ iff
$\alpha\le\frac{Ve^V/b-2\epsilon}{c}$. At the thresholds the inequalities are
equalities (checked below). Code: ascentlab.theory.lemma10_thresholds,
lemma10_crossing (the exact crossing), check_lemma10.
"""

import sympy as sp

from ._common import Contract, W, b, eps, is_zero, latex_block, p

C = 1 + eps**2
Z = C / (2 * eps) * (W(p * C) - W(b * C))
V = 2 * eps / C * W(p * C)
ALPHA_X = Z * sp.exp(Z) / (b * C)
ALPHA_Y = (V * sp.exp(V) / b - 2 * eps) / C


def closed_forms():
    return [Contract("alpha_x", (b, p, eps), ALPHA_X, "lemma10_thresholds", 0),
            Contract("alpha_y", (b, p, eps), ALPHA_Y, "lemma10_thresholds", 1)]


def check():
    # at alpha^x, W0(b alpha c) = Z (Z solves u e^u = b alpha^x c), and then x^R = x^D_max
    assert sp.simplify(Z * sp.exp(Z) - b * ALPHA_X * C) == 0
    assert is_zero(2 * eps / C * Z + W(b * C) - W(p * C))
    # at alpha^y, V solves u e^u = b (2 eps + alpha^y c): y^R = y^D_max
    assert sp.simplify(V * sp.exp(V) - b * (2 * eps + ALPHA_Y * C)) == 0


def latex():
    return latex_block([(r"\alpha^x_{R>D}", ALPHA_X), (r"\alpha^y_{R>D}", ALPHA_Y)])


if __name__ == "__main__":
    print(latex())

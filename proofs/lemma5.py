r"""Lemma 5 (Distance Unlearning) [T, corrected D]: for $\alpha\ge|\mathcal F|/|\mathcal R|$,
$|w^{\mathcal R}_j-w^{DA}_j|\ge W_0\big(\frac{|\mathcal R_j|}{\lambda|\mathcal R|}\big)=w^{\mathcal R}_j$.

At $\alpha=|\mathcal F|/|\mathcal R|$ the DA argument is 0 and $w^{DA}=W(0)=0$.
Beyond it the argument is negative: in Case 2 $w^{DA}=W_0(z)\in(-1,0)$ -- finite,
contrary to the proof's "$w^{DA}\to-\infty$", which is Case 3 only -- and
$w^{\mathcal R}-w^{DA}\ge w^{\mathcal R}$ still holds. Code: ascentlab.theory.lemma5_bound.
"""

import sympy as sp

from ._common import Contract, W, alpha, lam, latex_block, n_f, n_r, r_j

BOUND = W(r_j / (lam * n_r))
Z_DA = (1 - alpha * n_r / n_f) * r_j / (lam * n_r)


def closed_forms():
    return [Contract("bound", (r_j, n_r, lam), BOUND, "lemma5_bound")]


def check():
    assert sp.simplify(Z_DA.subs(alpha, n_f / n_r)) == 0 and W(0) == 0
    assert sp.simplify(sp.diff(Z_DA, alpha)).is_negative  # z < 0 beyond the threshold
    # Case 2 example: W0 of a negative argument above -1/e is finite and in (-1, 0)
    w0 = sp.N(W(-sp.Rational(1, 5)))
    assert -1 < w0 < 0


def latex():
    return latex_block([(r"\Delta_{\mathcal R,DA}", sp.Symbol(r"\ge") * BOUND)])


if __name__ == "__main__":
    print(latex())

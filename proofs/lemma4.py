r"""Lemma 4 (Distance Growth) [T, proof completed D]:
$|w^{\mathcal D}_j-w^{\mathcal R}_j|\le\big|\ln\frac{(1+\alpha)|\mathcal R|}{|\mathcal D|}\big|$.

$W_0(x)=\ln x-\ln W_0(x)$ for $x>0$ (take logs of $We^W=x$). Hence
$w^{\mathcal D}-w^{\mathcal R}=\ln\frac{c_{\mathcal D}}{c_{\mathcal R}}-\ln\frac{w^{\mathcal D}}{w^{\mathcal R}}$
with $\frac{c_{\mathcal D}}{c_{\mathcal R}}=\frac{(1+\alpha)|\mathcal R|}{|\mathcal D|}$; the
second logarithm has the sign of the first (monotone $W_0$), so the
difference lies between 0 and the first. The paper's intermediate
"$\le\ln\alpha$" steps are typos. Code: ascentlab.theory.lemma4_bound, check_lemma4.
"""

import sympy as sp

from ._common import Contract, W, f_j, lam, lambert_simplify, latex_block, n_d, n_f, n_r, r_j

X = sp.Symbol("x", positive=True)
ALPHA = f_j / r_j
BOUND = sp.Abs(sp.log((1 + ALPHA) * n_r / n_d))


def closed_forms():
    return [Contract("bound", (r_j, f_j, n_r, n_f), BOUND, "lemma4_bound")]


def check():
    # W0(x) = ln x - ln W0(x): exp of both sides agrees, and both are real for x > 0
    assert lambert_simplify(sp.exp(W(X) + sp.log(W(X)))) == X
    c_d, c_r = (r_j + f_j) / n_d, r_j / n_r
    assert sp.simplify(c_d / c_r - (1 + ALPHA) * n_r / n_d) == 0
    # the decomposition of the difference
    wd, wr = W(c_d / lam), W(c_r / lam)
    decomposition = sp.log(c_d / c_r) - sp.log(wd / wr)
    assert lambert_simplify(sp.exp(decomposition) - sp.exp(wd - wr)) == 0


def latex():
    return latex_block([(r"W_0(x)", sp.log(X) - sp.log(W(X))), (r"|w^{\mathcal D}_j-w^{\mathcal R}_j|", sp.Symbol(r"\le") * BOUND)])


if __name__ == "__main__":
    print(latex())

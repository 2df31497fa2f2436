r"""Lemma 1 (Random Sets) [PN]: Hoeffding with $t=|\mathcal F|\epsilon$ gives $2e^{-2|\mathcal F|\epsilon^2}$.

Hoeffding (Lemma 11): independent $Z_i\in[a_i,b_i]$, $S_n=\sum Z_i$,
$\Pr(|S_n-\mathbb ES_n|\ge t)\le2\exp(-2t^2/\sum(b_i-a_i)^2)$. The forget-set
accuracy is $S_n/n$ with indicators $Z_i\in[0,1]$ and $\mathbb E[S_n/n]=\mathrm{Acc}_T$.
Code: ascentlab.theory.hoeffding_bound, check_lemma1.
"""

import sympy as sp

from ._common import Contract, eps, latex_block

n = sp.symbols("n", positive=True)
i = sp.symbols("i", integer=True, positive=True)


def bound():
    t = n * eps  # |S_n - E S_n| >= n eps  <=>  |Acc_F - Acc_T| >= eps
    denom = sp.summation((1 - 0) ** 2, (i, 1, n))  # sum (b_i - a_i)^2 with [a_i, b_i] = [0, 1]
    return 2 * sp.exp(-2 * t**2 / denom)


def closed_forms():
    return [Contract("hoeffding", (n, eps), bound(), "hoeffding_bound")]


def check():
    assert sp.simplify(bound() - 2 * sp.exp(-2 * n * eps**2)) == 0


def latex():
    return latex_block([(r"\Pr(|\mathrm{Acc}_T-\mathrm{Acc}_{\mathcal F}|\ge\epsilon)", sp.Symbol(r"\le") * bound())])


if __name__ == "__main__":
    print(latex())

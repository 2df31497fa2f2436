r"""Corollary 1 [T] and its pure 1-D form [D].

At $\alpha=|\mathcal F|/|\mathcal R|$: $\frac{(1+\alpha)|\mathcal R|}{|\mathcal D|}=1$,
so Lemma 4's bound is 0 and $w^{\mathcal D}=w^{\mathcal R}$; the DA argument is
0, so $\Delta_{\mathcal R,DA}=w^{\mathcal R}=W_0(|\mathcal R_j|/(\lambda|\mathcal R|))\to\infty$
as $\lambda\to0$. Pure 1-D data ($|\mathcal R_j|=|\mathcal R|$): $L_{DA}=\frac\lambda2w^2$,
DA is weight decay $w_{t+1}=(1-\eta\lambda)w_t$, $\Delta_{\mathcal R,DA}=W_0(1/\lambda)$.
Code: ascentlab.theory.corollary1, check_corollary1.
"""

import sympy as sp

from proofs._common import Contract, W, alpha, eta, lam, latex_block, n_d, n_f, n_r, w


def closed_forms():
    return [Contract("delta_RD", (lam,), sp.Integer(0), "corollary1", 0),
            Contract("delta_RDA", (lam,), W(1 / lam), "corollary1", 1)]


def check():
    assert sp.simplify(((1 + alpha) * n_r / n_d).subs(alpha, n_f / n_r)) == 1
    # pure 1-D: both means of e^{-w} are e^{-w}; L_DA is the ridge alone
    l_da = sp.exp(-w) - sp.exp(-w) + lam / 2 * w**2
    assert sp.simplify(w - eta * sp.diff(l_da, w) - (1 - eta * lam) * w) == 0
    # W0(u) ~ ln u as u = 1/lam -> oo (sympy has no Lambert-W limits; sandwich
    # instead): v = ln u - ln ln u has v e^v = u (1 - ln ln u / ln u) <= u, and
    # ln u e^{ln u} = u ln u >= u for u >= e, so v <= W0(u) <= ln u by monotonicity.
    u = sp.Symbol("u", positive=True)
    v = sp.log(u) - sp.log(sp.log(u))
    assert sp.simplify(v * sp.exp(v) - u * (1 - sp.log(sp.log(u)) / sp.log(u))) == 0
    assert sp.simplify(sp.log(u) * sp.exp(sp.log(u)) - u * sp.log(u)) == 0
    assert sp.limit(v, u, sp.oo) == sp.oo and sp.limit(v / sp.log(u), u, sp.oo) == 1


def latex():
    return latex_block([(r"\Delta_{\mathcal R,\mathcal D}", sp.Integer(0)), (r"\Delta_{\mathcal R,DA}", W(1 / lam)),
                        (r"w_{t+1}", (1 - eta * lam) * w)])


if __name__ == "__main__":
    print(latex())

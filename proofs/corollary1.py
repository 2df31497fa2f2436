r"""Corollary 1 [T] with its closed forms for any coordinate [D].

At $\alpha=|\mathcal F|/|\mathcal R|$ ($|\mathcal F_j|=|\mathcal R_j||\mathcal F|/|\mathcal R|$):
$c_j=a_j=b_j$, so $w^{\mathcal D}=w^{\mathcal R}=W_0(|\mathcal R_j|/(\lambda|\mathcal R|))$
(Lemma 4's bound is 0) and the DA argument is 0, so $w^{DA}=0$ and
$\Delta_{\mathcal R,DA}=w^{\mathcal R}\to\infty$ as $\lambda\to0$. The coordinate's
$L_{DA}=(a_j-b_j)e^{-w}+\frac\lambda2w^2=\frac\lambda2w^2$: DA is weight decay,
$w_{t+1}=(1-\eta\lambda)w_t$. Pure 1-D data ($|\mathcal R_j|=|\mathcal R|$) gives $W_0(1/\lambda)$.
Code: ascentlab.theory.corollary1, check_corollary1.
"""

import sympy as sp

from ._common import Contract, W, alpha, eta, lam, latex_block, n_d, n_f, n_r, r_j, w

F_J = r_j * n_f / n_r  # |F_j| at alpha = |F|/|R|


def closed_forms():
    args = (r_j, n_r, lam)
    return [Contract("delta_RD", args, sp.Integer(0) * r_j, "corollary1", 0),
            Contract("delta_RDA", args, W(r_j / (lam * n_r)), "corollary1", 1)]


def check():
    assert sp.simplify(((1 + alpha) * n_r / n_d).subs(alpha, n_f / n_r)) == 1
    a, b, c = r_j / n_r, F_J / n_f, (r_j + F_J) / n_d
    assert sp.simplify(a - b) == 0 and sp.simplify(c - a) == 0  # so w^D = w^R = W0(a/lam), w^DA = W0(0) = 0
    assert W(0) == 0
    # the coordinate's L_DA is the ridge alone: one DA step is weight decay
    l_da = (a - b) * sp.exp(-w) + lam / 2 * w**2
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
    return latex_block([(r"\Delta_{\mathcal R,\mathcal D}", sp.Integer(0)), (r"\Delta_{\mathcal R,DA}", W(r_j / (lam * n_r))),
                        (r"w_{t+1}", (1 - eta * lam) * w)])


if __name__ == "__main__":
    print(latex())

r"""Cases 1/2/3 of the DA stationary point [T], with the corrected min/max assignment [D].

$f(w)=ce^{-w}+\frac\lambda2w^2$ with $c=c_{DA}$; at a stationary point
$ce^{-w}=\lambda w$, so $f''=ce^{-w}+\lambda=\lambda(1+w)$: positive on $W_0$
($w>-1$, local minimum), negative on $W_{-1}$ ($w<-1$, local maximum) -- the
paper says the opposite. With $c<0$, $f\to-\infty$ as $w\to-\infty$, so the
Case-2 minimum is local only (`solve` says "local_minimum"). Case 2/3 boundary: $z=c/\lambda=-1/e$, i.e.
$\alpha=\frac{|\mathcal F|}{|\mathcal R|}+\frac{\lambda|\mathcal F|}{e|\mathcal R_j|}$.
Code: ascentlab.theory.da_case, case_thresholds, check_cases.
"""

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


def latex():
    return latex_block([(r"f''(w^\star)", lam * (1 + w)), (r"\alpha_{\text{Case 1}}", n_f / n_r),
                        (r"\alpha_{\text{Case 2}}", CASE2_MAX)])


if __name__ == "__main__":
    print(latex())

r"""Lemma 3 (Divergence) [T, exact range D]: $w^{DA}_j\le w^{\mathcal D}_j\le w^{\mathcal R}_j$ iff
$\frac{|\mathcal F|^2}{|\mathcal R|(|\mathcal F|+|\mathcal D|)}\le\alpha\le\frac{|\mathcal F|}{|\mathcal R|}$.

$W_0$ is increasing, so the order of the solutions is the order of the
coefficients $c_{DA}\le c_{\mathcal D}\le c_{\mathcal R}$ (proofs/lemma2.py).
Each inequality is linear in $\alpha$ (with $|\mathcal F_j|=\alpha|\mathcal R_j|$);
its root is the range endpoint. Code: ascentlab.theory.lemma3_range, check_lemma3.
"""

import sympy as sp

from ._common import Contract, alpha, latex_block, n_d, n_f, n_r, r_j

C_D = (1 + alpha) * r_j / n_d
C_R = r_j / n_r
C_DA = (1 - alpha * n_r / n_f) * r_j / n_r

LOWER = n_f**2 / (n_r * (n_f + n_d))
UPPER = n_f / n_r


def closed_forms():
    return [Contract("lower", (n_r, n_f), LOWER, "lemma3_range", 0),
            Contract("upper", (n_r, n_f), UPPER, "lemma3_range", 1)]


def check():
    # c_D - c_DA is increasing in alpha and vanishes at the lower endpoint
    gap = C_D - C_DA
    assert sp.simplify(sp.diff(gap, alpha)).is_positive
    assert sp.simplify(gap.subs(alpha, LOWER)) == 0
    # c_R - c_D is decreasing in alpha and vanishes at the upper endpoint
    gap2 = C_R - C_D
    assert sp.simplify(sp.diff(gap2, alpha)).is_negative
    assert sp.simplify(gap2.subs(alpha, UPPER)) == 0
    # the DA argument changes sign at the same upper endpoint (Case 1 boundary)
    assert sp.simplify(C_DA.subs(alpha, UPPER)) == 0
    assert sp.simplify(LOWER - UPPER).is_negative  # the range is never empty


def latex():
    return latex_block([(r"\alpha_{\min}", LOWER), (r"\alpha_{\max}", UPPER)])


if __name__ == "__main__":
    print(latex())

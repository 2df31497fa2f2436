r"""Lemma 9 [T, exact]: Lemma 7's lower bounds against Lemma 8's upper bounds give $\alpha_{D>DA}$.

With $b=\frac{|\mathcal R_{ij}|}{\lambda|\mathcal D|}$, $p=\frac{|\mathcal R_{ij}|}{\lambda|\mathcal R|}$,
$q=\frac{\alpha|\mathcal R_{ij}|}{\lambda|\mathcal F|}$ and $W_0$ increasing,
$x^{\mathcal D}\ge x^{DA}$ follows from $b(c+2\alpha\epsilon)\ge pc-2q\epsilon$ and
$y^{\mathcal D}\ge y^{DA}$ from $b\alpha c\ge2p\epsilon-qc$; both are linear in
$\alpha$ and their roots are exactly the two terms of the paper's threshold --
the strongest evidence for the reconstruction of Eq. (1) and Lemmas 7-8.
Code: ascentlab.theory.lemma9_threshold, check_lemma9.
"""

import sympy as sp

from ._common import Contract, alpha, eps, lam, latex_block, n_f, n_r

r_ij = sp.Symbol("R_ij", positive=True)
C = 1 + eps**2
N_D = n_r + n_f
TERM_X = C / (2 * eps) * n_f**2 / (n_r * (N_D + n_f))
TERM_Y = 2 * eps / C * n_f * N_D / (n_r * (N_D + n_f))
THRESHOLD = sp.Max(TERM_X, TERM_Y)


def closed_forms():
    return [Contract("alpha_D>DA", (n_r, n_f, eps), THRESHOLD, "lemma9_threshold")]


def check():
    b = r_ij / (lam * N_D)
    p = r_ij / (lam * n_r)
    q = alpha * r_ij / (lam * n_f)
    gap_x = b * (C + 2 * alpha * eps) - (p * C - 2 * q * eps)
    gap_y = b * alpha * C - (2 * p * eps - q * C)
    for gap, root in ((gap_x, TERM_X), (gap_y, TERM_Y)):
        assert sp.simplify(gap.subs(alpha, root)) == 0
        assert sp.simplify(sp.diff(gap, alpha)).is_positive  # holds for every alpha above the root


def latex():
    return latex_block([(r"\alpha_{D>DA}", THRESHOLD)])


if __name__ == "__main__":
    print(latex())

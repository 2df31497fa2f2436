r"""Lemma 2 (Closed Form) [T+PN]: Fermat's rule on one coordinate of Eq. (1).

On coordinate $j$ under Assumptions 1-2 every objective is
$f(w)=c\,e^{-w}+\frac\lambda2w^2$ (plus constants) with
$c_{\mathcal D}=\frac{|\mathcal R_j|+|\mathcal F_j|}{|\mathcal D|}$,
$c_{\mathcal R}=\frac{|\mathcal R_j|}{|\mathcal R|}$,
$c_{DA}=\frac{|\mathcal R_j|}{|\mathcal R|}-\frac{|\mathcal F_j|}{|\mathcal F|}$;
$f'(w)=0\iff we^w=c/\lambda\iff w=W(c/\lambda)$.
Code: ascentlab.theory.lemma2, check_lemma2.
"""

import sympy as sp

from ._common import Contract, W, f_j, is_zero, lam, latex_block, n_d, n_f, n_r, r_j, w

COEFFS = {
    "original": (r_j + f_j) / n_d,
    "oracle": r_j / n_r,
    "da": r_j / n_r - f_j / n_f,
}


def objective(c):
    return c * sp.exp(-w) + lam / 2 * w**2


def solutions():
    return {k: W(c / lam) for k, c in COEFFS.items()}


def closed_forms():
    args = (r_j, f_j, n_r, n_f, lam)
    return [Contract(f"w_{k}", args, s, "lemma2", i) for i, (k, s) in enumerate(solutions().items())]


def check():
    alpha = f_j / r_j
    for k, c in COEFFS.items():
        foc = sp.diff(objective(c), w).subs(w, solutions()[k])
        assert is_zero(foc), k
    # the paper's forms of the arguments, with alpha = |F_j| / |R_j|
    assert sp.simplify(COEFFS["original"] - (1 + alpha) * r_j / n_d) == 0
    assert sp.simplify(COEFFS["da"] - (1 - alpha * n_r / n_f) * r_j / n_r) == 0


def latex():
    return latex_block([(f"w^{{{k}}}_j", s) for k, s in solutions().items()])


if __name__ == "__main__":
    print(latex())

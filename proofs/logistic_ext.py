r"""Logistic-loss extensions [D]: same Lemma 3 range, and no Case 3 divergence.

Per coordinate $f(w)=c\log(1+e^{-w})+\frac\lambda2w^2$; $f'=0\iff\lambda w=c\,\sigma(-w)$.
Implicitly $\frac{dw}{dc}=\frac{\sigma(-w)}{\lambda+c\,\sigma(w)\sigma(-w)}>0$ for $c\ge0$, so
the solutions are ordered like the coefficients $c_{DA}\le c_{\mathcal D}\le c_{\mathcal R}$,
exactly as for the exponential loss (proofs/lemma3.py). For $c<0$ (DA beyond
Case 1), $f\ge c\log(1+e^{-w})+\frac\lambda2w^2\ge c(\log2+|w|)+\frac\lambda2w^2$, bounded below.
Code: ascentlab.theory.check_logistic_ext.
"""

import sympy as sp

from ._common import lam, latex_block, w

c = sp.Symbol("c", real=True)
sigma = lambda v: 1 / (1 + sp.exp(-v))
F = c * sp.log(1 + sp.exp(-w)) + lam / 2 * w**2


# No closed form to lambdify: say where the code is compared instead (tests/test_proofs.py requires it).
NO_CLOSED_FORMS = "compared with solve() through check_logistic_ext in tests/test_theory.py"


def closed_forms():
    return []


def check():
    fp = sp.diff(F, w)
    assert sp.simplify(fp - (lam * w - c * sigma(-w))) == 0
    # implicit derivative of the root w(c) of f'(w) = 0
    dwdc = -sp.diff(fp, c) / sp.diff(fp, w)
    assert sp.simplify(dwdc - sigma(-w) / (lam + c * sigma(w) * sigma(-w))) == 0
    # bounded below for negative c: log(1 + e^{-w}) <= log 2 + |w|
    cn = -sp.Rational(3, 4)
    assert sp.limit(F.subs({c: cn, lam: sp.Rational(1, 10)}), w, -sp.oo) == sp.oo
    assert sp.limit(F.subs({c: cn, lam: sp.Rational(1, 10)}), w, sp.oo) == sp.oo


def latex():
    return latex_block([("f(w)", F), (r"\frac{dw^\star}{dc}", sigma(-w) / (lam + c * sigma(w) * sigma(-w)))])


if __name__ == "__main__":
    print(latex())

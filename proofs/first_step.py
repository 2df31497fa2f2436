r"""First-step criterion [D]: $-\partial_jL_{DA}(w^{\mathcal D})=e^{-w^{\mathcal D}_j}(a_j-b_j-c_j)$.

At $w^{\mathcal D}$, $\lambda w^{\mathcal D}=c_{\mathcal D}e^{-w^{\mathcal D}}$; substituting in
$-\partial L_{DA}=(a-b)e^{-w}-\lambda w$ gives the product form. Its sign is
negative iff $\alpha$ exceeds Lemma 3's lower endpoint, and
$w^{\mathcal R}-w^{\mathcal D}>0$ iff $\alpha<|\mathcal F|/|\mathcal R|$: the
step moves away from the oracle exactly inside the range, for every $\eta$.
At the lower end the step is 0; at the upper end $w^{\mathcal D}=w^{\mathcal R}$.
Code: ascentlab.theory.first_step, first_step_direction, check_first_step.
"""

import sympy as sp

from ._common import Contract, W, alpha, eta, f_j, is_zero, lam, latex_block, n_d, n_f, n_r, r_j, w
from .lemma3 import LOWER

A, B, C = r_j / n_r, f_j / n_f, (r_j + f_j) / n_d


def descent_direction():
    return (A - B) * sp.exp(-w) - lam * w  # -dL_DA/dw


def closed_forms():
    wd, wr = W(C / lam), W(A / lam)
    direction = sp.sign((A - B - C) * (wr - wd))
    step = eta * sp.exp(-wd) * (A - B - C)
    return [Contract("sign", (r_j, f_j, n_r, n_f, lam), direction, "first_step_direction"),
            Contract("step", (r_j, f_j, n_r, n_f, lam, eta), step, "first_step")]


def check():
    wd = W(C / lam)
    assert is_zero(descent_direction().subs(w, wd) - sp.exp(-wd) * (A - B - C))
    # one DA step from w^D: w_1 - w^D = -eta dL_DA(w^D) = eta e^{-w^D}(a - b - c)
    assert is_zero(eta * descent_direction().subs(w, wd) - eta * sp.exp(-wd) * (A - B - C))
    # a - b - c as a function of alpha (f_j = alpha r_j): zero exactly at Lemma 3's lower endpoint
    g = (A - B - C).subs(f_j, alpha * r_j)
    assert sp.simplify(g.subs(alpha, LOWER)) == 0
    assert sp.simplify(sp.diff(g, alpha)).is_negative


def latex():
    return latex_block([(r"-\partial_jL_{DA}(w^{\mathcal D})", sp.exp(-sp.Symbol("w^D")) * (A - B - C))])


if __name__ == "__main__":
    print(latex())

r"""NegGrad+ at $\beta=\frac12$ is DA with the objective halved [D].

With $r(w)=\frac1{|\mathcal R|}\sum_{\mathcal R}\ell$, $f(w)=\frac1{|\mathcal F|}\sum_{\mathcal F}\ell$
(any differentiable losses; one coordinate suffices since the identity is linear in the
objectives) and the ridge inside $L_{\mathcal R}=r+\frac\lambda2w^2$:
$L_\beta=\beta L_{\mathcal R}-(1-\beta)f$, $L_{DA}=r-f+\frac\lambda2w^2$. Then
$L_{1/2}=\frac12L_{DA}$, so $w-\eta L_{1/2}'(w)=w-\frac\eta2L_{DA}'(w)$: the same iterates with half the
step. For every $\beta\in(0,1]$, $L_\beta=\beta\,(r-\kappa f+\frac\lambda2w^2)$ with $\kappa=(1-\beta)/\beta$:
DA with the forget loss weighted by $\kappa$ and step $\beta\eta$.
Code: ascentlab.methods.neggrad_plus, ascentlab.theory.check_neggrad_half_gradient / _steps.
"""

import sympy as sp

from ._common import eta, lam, latex_block, w

beta = sp.Symbol("beta", positive=True)
r = sp.Function("r")(w)
f = sp.Function("f")(w)
L_R = r + lam / 2 * w**2
L_beta = beta * L_R - (1 - beta) * f
L_DA = r - f + lam / 2 * w**2
kappa = (1 - beta) / beta

NO_CLOSED_FORMS = "an identity between objectives: compared with the code by check_neggrad_half_* (ascentlab verify) and tests/test_methods.py"


def closed_forms():
    return []


def check():
    half = L_beta.subs(beta, sp.Rational(1, 2))
    assert sp.simplify(half - L_DA / 2) == 0
    # the gradient step with eta equals DA's with eta / 2
    step_ng = w - eta * sp.diff(half, w)
    step_da = w - eta / 2 * sp.diff(L_DA, w)
    assert sp.simplify(step_ng - step_da) == 0
    # general beta: beta times DA with the forget loss weighted by kappa
    assert sp.simplify(L_beta - beta * (r - kappa * f + lam / 2 * w**2)) == 0
    # beta = 1 is finetuning (descent on L_R); kappa = 1 exactly at beta = 1/2
    assert sp.simplify(L_beta.subs(beta, 1) - L_R) == 0
    assert sp.solve(sp.Eq(kappa, 1), beta) == [sp.Rational(1, 2)]


def latex():
    return latex_block([(r"L_\beta", L_beta), (r"L_{1/2}", sp.expand(L_beta.subs(beta, sp.Rational(1, 2)))),
                        (r"\kappa(\beta)", kappa)])


if __name__ == "__main__":
    check()
    print(latex())

r"""App. J [T; forms D]: $\mathbf x_1=(1,\epsilon)$, $\mathbf x_2=(\epsilon,1)$ plus orthogonal samples, $\mathbf x_2$ forgotten.

$\mathcal D$ (symmetric in $w_1,w_2$): with $u=(1+\epsilon)w$, $ue^u=b(1+\epsilon)^2$,
$b=1/(\lambda|\mathcal D|)$. Retrain ($\mathbf x_1$ only): $w\propto(1,\epsilon)$,
$x=W_0(p(1+\epsilon^2))$, $p=1/(\lambda|\mathcal R|)$. DA with the exponential
loss is unbounded below for every $\epsilon\in[0,1)$: along $w=t(\epsilon,-1)$
the retain margin is 0 and the forget margin $-t(1-\epsilon^2)$, so
$L_{DA}=\frac1{|\mathcal R|}-\frac1{|\mathcal F|}e^{t(1-\epsilon^2)}+\frac\lambda2t^2(1+\epsilon^2)\to-\infty$,
for every $\lambda$. Corrected [D]: that does not exclude a *local* DA minimum,
and for large $\lambda$ there is one (e.g. $\lambda=3$, $d=3$, $\epsilon=0.1$:
near $(0.101,-0.564,0.144)$); Lemma 8's necessary condition says where one can exist.
Code: ascentlab.theory.app_j_closed_forms, app_j_reduced_problem, check_app_j.
"""

import sympy as sp

from ._common import W, eps, is_zero, lam, latex_block

t = sp.Symbol("t", positive=True)
nD, nR, nF = sp.symbols("D R F", positive=True)
w1, w2 = sp.symbols("w_1 w_2", real=True)


def objectives():
    x, y = w1 + eps * w2, eps * w1 + w2
    ridge = lam / 2 * (w1**2 + w2**2)
    return {"D": (sp.exp(-x) + sp.exp(-y)) / nD + ridge, "R": sp.exp(-x) / nR + ridge,
            "DA": sp.exp(-x) / nR - sp.exp(-y) / nF + ridge}


def solutions():
    b, p = 1 / (lam * nD), 1 / (lam * nR)
    wd = W(b * (1 + eps) ** 2) / (1 + eps)
    xr = W(p * (1 + eps**2))
    return {"D": (wd, wd), "R": (xr / (1 + eps**2), eps * xr / (1 + eps**2))}


# No closed form to lambdify: say where the code is compared instead (tests/test_proofs.py requires it).
NO_CLOSED_FORMS = "d is a shape (static): the closed forms are compared with solve() in tests/test_theory.py"


def closed_forms():
    return []


def check():
    obj, sol = objectives(), solutions()
    for name in ("D", "R"):
        subs = {w1: sol[name][0], w2: sol[name][1]}
        for g in (sp.diff(obj[name], w1), sp.diff(obj[name], w2)):
            assert is_zero(g.subs(subs)), name
    ray = obj["DA"].subs({w1: t * eps, w2: -t})
    assert sp.simplify((w1 + eps * w2).subs({w1: t * eps, w2: -t})) == 0  # retain margin 0
    assert sp.simplify((eps * w1 + w2).subs({w1: t * eps, w2: -t}) + t * (1 - eps**2)) == 0  # forget margin
    # every eps in [0, 1) and lam > 0: with k = 1 - eps^2 > 0 the exponential beats the quadratic
    k = sp.Symbol("k", positive=True)
    general = 1 / nR - sp.exp(k * t) / nF + lam / 2 * t**2 * (2 - k)
    assert sp.simplify(ray.subs(eps, sp.sqrt(1 - k)) - general) == 0
    assert sp.limit(general, t, sp.oo) == -sp.oo
    # eps = 0 (k = 1) and eps -> 1 (k -> 0+) are inside: the ray works for any fixed k > 0
    assert sp.limit(general.subs(k, 1), t, sp.oo) == -sp.oo


def latex():
    sol = solutions()
    return latex_block([("w^{\\mathcal D}_1=w^{\\mathcal D}_2", sol["D"][0]), ("w^{\\mathcal R}_1", sol["R"][0]),
                        ("w^{\\mathcal R}_2", sol["R"][1])])


if __name__ == "__main__":
    print(latex())

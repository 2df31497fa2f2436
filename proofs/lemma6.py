r"""The correlated pair's stationarity systems [R] and Lemma 6 (retrain closed form).

Objective on $(w_1,w_2)$ with weights $|\mathcal R_{ij}|$ on $(1,\epsilon)$ and
$\alpha|\mathcal R_{ij}|$ on $(\epsilon,1)$, the rest of the data on other
coordinates: $L=\frac{|\mathcal R_{ij}|}{N_1}e^{-x}\pm\frac{\alpha|\mathcal R_{ij}|}{N_2}e^{-y}+\frac\lambda2\|w\|^2$.
In $x=w_1+\epsilon w_2$, $y=\epsilon w_1+w_2$, the gradient conditions are the
systems of `systems()` (with $b,p,q$ as in docs/theory.md section 2.3). Retrain:
$x=p(1+\epsilon^2)e^{-x}$ gives $x=W_0(p(1+\epsilon^2))$ and, by $e^{-W(u)}=W(u)/u$,
$y=2p\epsilon e^{-x}=\frac{2\epsilon}{1+\epsilon^2}x$.
Code: ascentlab.theory.lemma6, pair_problem, check_lemma6.
"""

import sympy as sp

from ._common import Contract, W, alpha, b, eps, is_zero, lam, latex_block, p, q

w1, w2, r_ij, N1, N2 = sp.symbols("w_1 w_2 R_ij N_1 N_2", positive=True)
C = 1 + eps**2


def margins():
    return w1 + eps * w2, eps * w1 + w2


def stationarity(sign_forget, n_retain, n_forget):
    """The two gradient conditions of L in terms of (x, y), solved for (x, y)."""
    xx, yy = margins()
    L = r_ij / n_retain * sp.exp(-xx) + sign_forget * alpha * r_ij / n_forget * sp.exp(-yy) + lam / 2 * (w1**2 + w2**2)
    g1, g2 = sp.diff(L, w1), sp.diff(L, w2)
    # linear in (w1, w2) once e^{-x} = E1 and e^{-y} = E2 are held fixed
    E1, E2 = sp.symbols("E1 E2", positive=True)
    lin = [g.subs({sp.exp(-xx): E1, sp.exp(-yy): E2}) for g in (g1, g2)]
    s = sp.solve(lin, [w1, w2], dict=True)[0]
    xs = sp.simplify(s[w1] + eps * s[w2])
    ys = sp.simplify(eps * s[w1] + s[w2])
    return xs, ys, E1, E2


def systems():
    """The D, R and DA systems of docs/theory.md (section 2.3), right-hand sides in terms of e^{-x}, e^{-y}."""
    E1, E2 = sp.symbols("E1 E2", positive=True)
    return {
        "D": (b * (C * E1 + 2 * alpha * eps * E2), b * (2 * eps * E1 + alpha * C * E2)),
        "R": (p * C * E1, 2 * p * eps * E1),
        "DA": (p * C * E1 - 2 * q * eps * E2, 2 * p * eps * E1 - q * C * E2),
    }


def lemma6_forms():
    xr = W(p * C)
    return xr, 2 * eps / C * xr


def closed_forms():
    xr, yr = lemma6_forms()
    return [Contract("x_R", (p, eps), xr, "lemma6", 0), Contract("y_R", (p, eps), yr, "lemma6", 1)]


def check():
    E1, E2 = sp.symbols("E1 E2", positive=True)
    n_r, n_f, n_d = sp.symbols("R F D", positive=True)
    defs = {b: r_ij / (lam * n_d), p: r_ij / (lam * n_r), q: alpha * r_ij / (lam * n_f)}
    for name, sign, n_ret, n_fgt in (("D", 1, n_d, n_d), ("R", 0, n_r, n_f), ("DA", -1, n_r, n_f)):
        xs, ys, e1, e2 = stationarity(sign, n_ret, n_fgt)
        xs, ys = xs.subs({e1: E1, e2: E2}), ys.subs({e1: E1, e2: E2})
        tx, ty = (v.subs(defs) for v in systems()[name])
        assert sp.simplify(xs - tx) == 0 and sp.simplify(ys - ty) == 0, name
    xr, yr = lemma6_forms()
    assert is_zero(xr - p * C * sp.exp(-xr))  # solves the R system's x equation
    assert is_zero(yr - 2 * p * eps * sp.exp(-xr))  # and its y equation
    # inverse change of variables
    xx, yy = margins()
    assert sp.simplify((xx - eps * yy) / (1 - eps**2) - w1) == 0


def latex():
    xr, yr = lemma6_forms()
    return latex_block([("x^{\\mathcal R}", xr), ("y^{\\mathcal R}", yr)])


if __name__ == "__main__":
    print(latex())

r"""Lemma 7 (ranges for $\mathcal D$) [T statement; R formulas], valid when $y\le x$ ($\alpha\le1$).

From the $\mathcal D$ system with $c=1+\epsilon^2$ and $e^{-y}\ge e^{-x}$:
$x\ge b(c+2\alpha\epsilon)e^{-x}\Rightarrow x\ge W_0(b(c+2\alpha\epsilon))$;
$y\ge b\alpha ce^{-y}\Rightarrow y\ge W_0(b\alpha c)$;
$y\le b(2\epsilon+\alpha c)e^{-y}\Rightarrow y\le W_0(b(2\epsilon+\alpha c))$;
and with $y\ge W_0(b\alpha c)$, $2b\alpha\epsilon e^{-y}\le\frac{2\epsilon}{c}W_0(b\alpha c)=:C_x$, so
$(x-C_x)e^{x-C_x}\le bce^{-C_x}\le bc$, giving $x\le C_x+W_0(bc)$.
Each step "$ue^u\le K\Rightarrow u\le W_0(K)$" uses that $ue^u$ is increasing for $u\ge-1$.
Code: ascentlab.theory.lemma7_bounds, check_lemma7.
"""

import sympy as sp

from ._common import Contract, W, alpha, b, eps, is_zero, latex_block

C = 1 + eps**2
X_LO = W(b * (C + 2 * alpha * eps))
X_HI = 2 * eps / C * W(b * alpha * C) + W(b * C)
Y_LO = W(b * alpha * C)
Y_HI = W(b * (2 * eps + alpha * C))


def closed_forms():
    args = (b, alpha, eps)
    return [Contract(n, args, e, "lemma7_bounds", i) for i, (n, e) in enumerate(
        (("x_lo", X_LO), ("x_hi", X_HI), ("y_lo", Y_LO), ("y_hi", Y_HI)))]


def check():
    # each bound is the Lambert-W solution of its comparison equation u e^u = K
    for bound, k in ((X_LO, b * (C + 2 * alpha * eps)), (Y_LO, b * alpha * C), (Y_HI, b * (2 * eps + alpha * C))):
        assert is_zero(bound * sp.exp(bound) - k)
    # the x upper bound: 2 b alpha eps e^{-y_lo} is exactly C_x
    c_x = 2 * eps / C * W(b * alpha * C)
    assert is_zero(2 * b * alpha * eps * sp.exp(-Y_LO) - c_x)
    # the D system's x equation minus its lower comparison is 2 b alpha eps (e^{-y} - e^{-x}) >= 0 when y <= x
    x, y = sp.symbols("x y", real=True)
    rhs = b * (C * sp.exp(-x) + 2 * alpha * eps * sp.exp(-y))
    assert sp.simplify(rhs - b * (C + 2 * alpha * eps) * sp.exp(-x) - 2 * b * alpha * eps * (sp.exp(-y) - sp.exp(-x))) == 0


def latex():
    return latex_block([("x^{\\mathcal D}_{\\min}", X_LO), ("x^{\\mathcal D}_{\\max}", X_HI),
                        ("y^{\\mathcal D}_{\\min}", Y_LO), ("y^{\\mathcal D}_{\\max}", Y_HI)])


if __name__ == "__main__":
    print(latex())

r"""Lemma 12 [T; R, direction corrected D]: the Gauss-Seidel iteration for the $\mathcal D$ system.

$y=2b\epsilon e^{-x}+b\alpha ce^{-y}$: with $c_y=2b\epsilon e^{-x}$,
$(y-c_y)e^{y-c_y}=b\alpha ce^{-c_y}$, so $y=c_y+W_0(b\alpha ce^{-c_y})$; likewise
$x=c_x+W_0(bce^{-c_x})$ with $c_x=2b\alpha\epsilon e^{-y}$. The half-maps
$c\mapsto c+W_0(Ke^{-c})$ have derivative $\frac1{1+W}>0$ and $c$ decreases in
the other margin, so each half-map is decreasing, the composite increasing,
and the iterates are monotone in opposite directions: for $k\ge1$, $x_k$
decreases and $y_k$ increases (the earlier reconstruction swaps them; docs/theory.md section 4).
Code: ascentlab.theory.lemma12_iteration, check_lemma12.
"""

import sympy as sp

from ._common import W, alpha, b, eps, is_zero, latex_block

C = 1 + eps**2
cc, K = sp.symbols("c K", positive=True)


def y_update(x):
    cy = 2 * b * eps * sp.exp(-x)
    return cy + W(b * alpha * C * sp.exp(-cy))


def x_update(y):
    cx = 2 * b * alpha * eps * sp.exp(-y)
    return cx + W(b * C * sp.exp(-cx))


# No closed form to lambdify: say where the code is compared instead (tests/test_proofs.py requires it).
NO_CLOSED_FORMS = "the Gauss-Seidel iteration itself is compared with solve() in tests/test_theory.py"


def closed_forms():
    return []


def check():
    x, y = sp.symbols("x y", real=True)
    yu = y_update(x)
    # y = c_y + W(...) solves y = 2 b eps e^{-x} + b alpha c e^{-y}
    assert is_zero(yu - (2 * b * eps * sp.exp(-x) + b * alpha * C * sp.exp(-yu)))
    xu = x_update(y)
    assert is_zero(xu - (b * C * sp.exp(-xu) + 2 * b * alpha * eps * sp.exp(-y)))
    # d/dc (c + W(K e^{-c})) = 1 / (1 + W(K e^{-c})) > 0
    h = cc + W(K * sp.exp(-cc))
    assert is_zero(sp.diff(h, cc) - 1 / (1 + W(K * sp.exp(-cc))))
    # symmetric alpha = 1 start: x = y = W0(b (1 + eps)^2) solves the system
    s = W(b * (1 + eps) ** 2)
    assert is_zero(s - b * (C * sp.exp(-s) + 2 * eps * sp.exp(-s)))


def latex():
    x, y = sp.symbols("x_k y_{k+1}")
    return latex_block([("y_{k+1}", y_update(x)), ("x_{k+1}", x_update(y))])


if __name__ == "__main__":
    print(latex())

r"""Sec. 5.2 toy example [T; reading D]: the counting table and the loss reading used.

Groups $x=(-1,1,3,4)$, labels $(-,+,-,+)$, weights $\mathcal D=(5,4,1,4)$,
$\mathcal R=(5,4,1,2)$, DA-effective $(5,4,1,0)$. Weighted correct/wrong counts
of the two candidate patterns reproduce the paper's table (C-11); the
alternating pattern $(-,+,-,+)$ is impossible because a quadratic score changes
sign at most twice. The loss reading ascentlab uses ("tanh"):
$\sum_i\omega_i(\tanh(z_i/2)-y_i)^2+\lambda\|\theta\|^2$, $z=ax+bx^2$, $\lambda=0.05$.
Code: ascentlab.toy.
"""

import sympy as sp

from ._common import Contract, latex_block

XS = (-1, 1, 3, 4)
LABELS = (-1, 1, -1, 1)
WEIGHTS = {"D": (5, 4, 1, 4), "R": (5, 4, 1, 2), "DA": (5, 4, 1, 0)}
TABLE = {"-+++": {"D": (13, 1), "R": (11, 1), "DA": (9, 1)}, "-+--": {"D": (10, 4), "R": (10, 2), "DA": (10, 0)}}

theta_a, theta_b = sp.symbols("theta_a theta_b", real=True)


def counts(pattern, weights):
    signs = [1 if s == "+" else -1 for s in pattern]
    right = sum(wt for wt, s, lab in zip(weights, signs, LABELS) if s == lab)
    return right, sum(weights) - right


def tanh_loss(weights=WEIGHTS["D"], lam=sp.Rational(1, 20)):
    return sum(wt * (sp.tanh((theta_a * x + theta_b * x**2) / 2) - lab) ** 2
               for wt, x, lab in zip(weights, XS, LABELS)) + lam * (theta_a**2 + theta_b**2)


def closed_forms():
    return [Contract("tanh_loss_D", (theta_a, theta_b), tanh_loss(), "toy:loss_ab")]


def check():
    for pattern, row in TABLE.items():
        for name, expected in row.items():
            assert counts(pattern, WEIGHTS[name]) == expected, (pattern, name)
    # no quadratic c + a x + b x^2 has the signs (-,+,-,+) at x = -1, 1, 3, 4:
    # that needs three sign changes, but a nonzero quadratic has at most two roots.
    c, a, b2 = sp.symbols("c a b", real=True)
    # Farkas certificate: the four strict inequalities g(-1) < 0, g(1) > 0, g(3) < 0,
    # g(4) > 0 have a positive combination that vanishes identically, so the
    # combination would have to be both > 0 and == 0: infeasible for any (c, a, b).
    signed = [-(c - a + b2), c + a + b2, -(c + 3 * a + 9 * b2), c + 4 * a + 16 * b2]  # each must be > 0
    certificate = (3, 10, 15, 8)
    assert all(m > 0 for m in certificate)
    assert sp.expand(sum(m * s for m, s in zip(certificate, signed))) == 0


def latex():
    return latex_block([("L_{\\mathcal D}(a,b)", tanh_loss())])


if __name__ == "__main__":
    print(latex())

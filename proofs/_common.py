"""Shared symbols, the Lambert-W simplification rule and the proof<->code contract record."""

from typing import NamedTuple, Optional

import sympy as sp

W = sp.LambertW

# Symbols, with the assumptions every derivation uses.
r_j, f_j, n_r, n_f = sp.symbols("R_j F_j R F", positive=True)  # |R_j|, |F_j|, |R|, |F|
lam, alpha, eps, eta = sp.symbols("lambda alpha epsilon eta", positive=True)
b, p, q = sp.symbols("b p q", positive=True)
w, x, y, z, t = sp.symbols("w x y z t", real=True)
n_d = n_r + n_f  # |D|

# Sampling domains for the contract tests (uniform on [lo, hi]), by symbol name.
DOMAINS = {
    "R_j": (1.0, 500.0), "F_j": (1.0, 200.0), "R": (500.0, 2000.0), "F": (200.0, 1000.0),
    "lambda": (0.05, 10.0), "alpha": (0.01, 1.0), "epsilon": (0.02, 0.98), "eta": (0.001, 0.5),
    "b": (0.01, 3.0), "p": (0.01, 3.0), "q": (0.01, 3.0), "w": (-0.5, 2.0), "n": (10.0, 1000.0),
    "a": (0.1, 0.9), "bf": (0.1, 0.9), "theta_a": (-4.0, 4.0), "theta_b": (-2.0, 2.0), "d": (3.0, 3.0),
}


class Contract(NamedTuple):
    """A closed form of a proof and the ascentlab function that must agree with it.

    `theory` names a function of `ascentlab.theory` (or "module:function" for
    another ascentlab module) called with `args` in order; `index` picks an
    element of a tuple result.
    """

    name: str
    args: tuple
    expr: sp.Expr
    theory: str
    index: Optional[int] = None


def lambert_simplify(expr):
    r"""Simplify with $e^{cW(u)}=(u/W(u))^c$ (true on both real branches), then `simplify`."""

    def rewrite(e):
        out = sp.Integer(1)
        rest = []
        for term in sp.Add.make_args(sp.expand(sp.simplify(e.args[0]))):
            coeff, core = term.as_independent(sp.LambertW, as_Add=False)
            if isinstance(core, sp.LambertW):
                out *= (core.args[0] / core) ** coeff
            else:
                rest.append(term)
        return out * sp.exp(sp.Add(*rest))

    return sp.simplify(expr.replace(lambda e: isinstance(e, sp.exp) and e.has(sp.LambertW), rewrite))


def is_zero(expr) -> bool:
    return lambert_simplify(expr) == 0


def latex_block(pairs) -> str:
    """An aligned LaTeX block from (lhs, sympy expr) pairs."""
    lines = [f"{lhs} &= {sp.latex(rhs)}" for lhs, rhs in pairs]
    return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"

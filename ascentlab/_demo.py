r"""The paper's two-coordinate example, as `ascentlab demo` shows it.

Orthogonal blocks with $|\mathcal R_1|=|\mathcal R_2|=50$, $|\mathcal F_1|=8$,
$|\mathcal F_2|=12$, $\lambda=0.5$, exponential loss, so $\alpha=(0.16,0.24)$:
coordinate 1 lies in Lemma 3's detrimental range
$[|\mathcal F|^2/(|\mathcal R|(|\mathcal F|+|\mathcal D|)),\,|\mathcal F|/|\mathcal R|]=[0.0286,0.2]$,
coordinate 2 in Case 2. Simultaneous DA ($\eta=0.5$) from the original model
moves monotonically away from the oracle and ends 54 times farther from it
than the original model (docs/theory.md, claim C-5).
"""

from typing import NamedTuple

import jax.numpy as jnp

from ._problems import orthogonal_blocks
from ._solve import solve_references
from ._unlearn import unlearn
from .theory import lemma2

RETAIN = (50, 50)
FORGET = (8, 12)
LAM = 0.5
TABLE_STEPS = (0, 1, 2, 5, 10, 20, 100)


class DemoResult(NamedTuple):
    problem: object
    original: object
    oracle: object
    da: object
    closed_form: dict
    trajectory: object
    eta: float


def lemma2_closed_forms(retain, forget, lam):
    r"""Lemma 2's $(w^{\mathcal D}, w^{\mathcal R}, w^{DA})$ of every coordinate, from `theory.lemma2`
    (NaN where Case 3 leaves no DA stationary point)."""
    r = jnp.asarray(retain, float)
    f = jnp.asarray(forget, float)
    wd, wr, wda = lemma2(r, f, r.sum(), f.sum(), lam)
    return {"original": wd, "oracle": wr, "da": wda}


def run_demo(eta: float = 0.5, steps: int = max(TABLE_STEPS)) -> DemoResult:
    problem = orthogonal_blocks(RETAIN, FORGET, LAM, loss="exp")
    refs = solve_references(problem)
    return DemoResult(
        problem=problem,
        original=refs.original,
        oracle=refs.oracle,
        da=refs.da,
        closed_form=lemma2_closed_forms(RETAIN, FORGET, LAM),
        trajectory=unlearn(problem, "da", eta=eta, steps=steps, references=refs),
        eta=eta,
    )

r"""The logistic-loss extension [D]: Lemma 3's range is unchanged, and DA is bounded below.

With $\ell(m)=\log(1+e^{-m})$ the first-order conditions of one coordinate
read $\lambda w=c\,\sigma(-w)$, $c\in\{c_j,a_j,a_j-b_j\}$; the solution
increases with $c$, so the ordering of the $c$'s (which defines Lemma 3's
range) orders the solutions exactly as for the exponential loss; and
$(a-b)\log(1+e^{-w})+\frac\lambda2w^2$ grows like $\frac\lambda2w^2$, so
there is no Case 3.

References: "Ascent Fails to Forget" (arXiv 2509.26427), Sec. 5.1 (the
exponential-loss statement this extends); proofs/logistic_ext.py;
docs/theory.md#logistic_ext.
"""

import jax.numpy as jnp

from .._solve import MINIMUM
from ._check import make_check
from ._registry import Result, part
from .orthogonal import block_instances, ordering_check

__all__ = [
    "check_logistic_ext",
]

def check_logistic_ext(r_j, f_j, n_r, n_f, lam):
    r"""Logistic loss [D]: the Lemma 3 ordering holds in the same $\alpha$ range,
    and DA is bounded below (no Case 3 divergence).

    First-order conditions $\lambda w=c\,\sigma(-w)$, $c\in\{c_j,a_j,a_j-b_j\}$:
    the solution is increasing in $c$, so the ordering of $c$ (which defines
    the range) orders the solutions; $(a-b)\log(1+e^{-w})+\frac\lambda2w^2$
    grows like $\frac\lambda2w^2$, so it is bounded below even when $a<b$.
    Measured: the sign product from `solve` (as `check_lemma3`, ends
    included) and its status (must be "minimum"). Proof: proofs/logistic_ext.py.
    """
    inside, prod, rel, _, sda = ordering_check(r_j, f_j, n_r, n_f, lam, "logistic")
    return make_check(inside, prod, jnp.where(sda.status == MINIMUM, rel, -1.0))


# ------------------------------------------------------------------ results --

RESULTS = (
    Result(
        id="logistic_ext",
        order=17,
        stream=17,
        statement="logistic loss: Lemma 3 range unchanged; DA bounded (no Case 3)",
        tag="[D]",
        verdict="holds",
        parts=(part(check_logistic_ext, block_instances),),
        summary="logistic loss: Lemma 3's range unchanged; DA bounded below (no Case 3)",
        measures="`check_logistic_ext`",
    ),
)

r"""NegGrad+: descent on a weighted difference of the retain objective and the forget loss.

$$L_\beta(w)=\beta\,L_{\mathcal R}(w)-(1-\beta)\,\frac1{|\mathcal F|}\sum_{i\in\mathcal F}\ell(m_i),
\qquad L_{\mathcal R}=\frac1{|\mathcal R|}\sum_{\mathcal R}\ell(m_i)+\frac\lambda2\|w\|^2,$$

$w\leftarrow w-\eta\nabla L_\beta(w)$. $\beta=1$ is finetuning; $\beta=\frac12$
gives $L_{1/2}=\frac12L_{DA}$ exactly (the ridge is part of $L_{\mathcal R}$), so
NegGrad+ at $\beta=\frac12$ with step $\eta$ is DA with step $\eta/2$: the same
iterates (`ascentlab verify`'s row `neggrad_half`). For $\beta>\frac12$ the
retain term dominates; $\beta<\frac12$ pushes harder than DA.

Reference: Kurmanji, Triantafillou, Hayes, Triantafillou, "Towards Unbounded
Machine Unlearning" (NeurIPS 2023), the NegGrad+ baseline; "Ascent Fails to
Forget" (arXiv 2509.26427), Eq. (1) for $L_{DA}$.
"""

import jax.numpy as jnp

from .. import _validate as v
from .._objectives import coefficients
from ._base import Info, Method, combined_gradient, counts

__all__ = ["neggrad_plus", "neggrad_plus_gradient"]


def neggrad_plus_gradient(problem, w, beta):
    r"""$\nabla L_\beta(w)=(c\odot\ell'(m)\odot y)^\top X+\beta\lambda w$ with
    $c=\beta c^{\mathcal R}-(1-\beta)c^{\mathcal F}$ (the per-set means)."""
    c = beta * coefficients(problem, "oracle") + (1 - beta) * coefficients(problem, "ga")
    return combined_gradient(problem, w, c, beta * problem.lam)


def _init(problem, w0, params, context):
    return ()


def _update(problem, w, state, eta, params):
    (beta,) = params
    return w - eta * neggrad_plus_gradient(problem, w, jnp.asarray(beta, w.dtype)), state


def _cost(problem, params, state, t):
    n_r, n_f = counts(problem)
    return t * (n_r + n_f)


def neggrad_plus(beta=0.9) -> Method:
    r"""NegGrad+ with weight $\beta\in[0,1]$ on the retain objective (traceable: vmap over it works).

    Args:
        beta: $\beta$; 1 is finetuning, 1/2 is DA with the objective halved.
    """
    v.check_positive_scalar("methods.neggrad_plus", "beta", beta, allow_zero=True)
    if v.is_concrete(beta) and not float(beta) <= 1:
        v.fail("methods.neggrad_plus", "beta", beta, "must satisfy 0 <= beta <= 1")
    return Method(_init, _update, (beta,), "neggrad_plus", False, _cost)


INFO = Info(
    "neggrad_plus", neggrad_plus,
    "descent on $\\beta L_R-(1-\\beta)\\,$mean forget loss (default β = 0.9)",
    "Kurmanji et al., [Towards Unbounded Machine Unlearning](https://arxiv.org/abs/2302.09880) (NeurIPS 2023)",
    "none; β = ½ is DA halved, β = 1 finetuning", "methods", 10,
)

r"""The descent-ascent family the paper analyses: GA, DA, alternating DA, finetuning.

$w\leftarrow w-\eta\nabla L(w)$ with $L$ one of Eq. (1)'s objectives:
`ga` ascends the mean forget loss (ridge descended), `da` descends
$L_{DA}=L_{\mathcal R}-\frac1{|\mathcal F|}\sum_{\mathcal F}\ell$ (Sec. 5.1),
`da_alternating` alternates a descent half-step on $L_{\mathcal R}$ and an
ascent half-step (App. D.3), `finetune` descends $L_{\mathcal R}$. `unlearn`
runs these four on margins it computes itself (one evaluation per gradient
gives the record too); `update` here is the same rule, for use outside
`unlearn`.

References: "Ascent Fails to Forget" (arXiv 2509.26427), Sec. 5.1, App. D.3.
"""

from .._objectives import _gradient
from .._validate import check_choice
from ._base import Info, Method, counts

__all__ = ["ga", "da", "da_alternating", "finetune"]

ORDERS = ("descent_first", "ascent_first")


def _init(problem, w0, params, context):
    return ()


def _steps(problem, w, eta, kinds):
    for kind in kinds:
        w = w - eta * _gradient(problem, w, kind)
    return w


def _per_step(problem, kinds):
    n_r, n_f = counts(problem)
    size = {"ga": n_f, "oracle": n_r, "da": n_r + n_f, "original": n_r + n_f}
    return sum(size[k] for k in kinds)


def _update_ga(problem, w, state, eta, params):
    return _steps(problem, w, eta, ("ga",)), state


def _update_da(problem, w, state, eta, params):
    return _steps(problem, w, eta, ("da",)), state


def _update_finetune(problem, w, state, eta, params):
    return _steps(problem, w, eta, ("oracle",)), state


def _update_descent_first(problem, w, state, eta, params):
    return _steps(problem, w, eta, ("oracle", "ga")), state


def _update_ascent_first(problem, w, state, eta, params):
    return _steps(problem, w, eta, ("ga", "oracle")), state


def _cost_ga(problem, params, state, t):
    return t * _per_step(problem, ("ga",))


def _cost_da(problem, params, state, t):
    return t * _per_step(problem, ("da",))


def _cost_finetune(problem, params, state, t):
    return t * _per_step(problem, ("oracle",))


def _cost_alternating(problem, params, state, t):
    return t * _per_step(problem, ("oracle", "ga"))


def ga() -> Method:
    r"""Gradient ascent on the forget set: $w\leftarrow w-\eta\nabla L_{GA}$,
    $L_{GA}=-\frac1{|\mathcal F|}\sum_{\mathcal F}\ell+\frac\lambda2\|w\|^2$."""
    return Method(_init, _update_ga, (), "ga", False, _cost_ga, ("ga",))


def da() -> Method:
    r"""Simultaneous descent-ascent: $w\leftarrow w-\eta\nabla L_{DA}$ (Eq. (1), Sec. 5.1)."""
    return Method(_init, _update_da, (), "da", False, _cost_da, ("da",))


def da_alternating(order: str = "descent_first") -> Method:
    r"""Alternating DA (App. D.3): a descent half-step on $L_{\mathcal R}$ and an ascent half-step on
    $L_{GA}$, in `order` "descent_first" (App. D.3) or "ascent_first" (Sec. 5.1.1)."""
    check_choice("methods.da_alternating", "order", order, ORDERS)
    if order == "descent_first":
        return Method(_init, _update_descent_first, (), "da_alternating", False, _cost_alternating, ("oracle", "ga"))
    return Method(_init, _update_ascent_first, (), "da_alternating", False, _cost_alternating, ("ga", "oracle"))


def finetune() -> Method:
    r"""Finetuning: gradient descent on the retain objective $L_{\mathcal R}$ from the start."""
    return Method(_init, _update_finetune, (), "finetune", False, _cost_finetune, ("oracle",))


_PAPER = "[Ascent Fails to Forget](https://arxiv.org/abs/2509.26427)"
INFOS = (
    Info("ga", ga, "gradient ascent on the forget loss (ridge descended)", f"{_PAPER}, Sec. 1.3",
         "none: diverges on separable forget sets (exp loss: Case 3)", "trajectories", 1),
    Info("da", da, "gradient descent on $L_{DA}=L_R-$ mean forget loss", f"{_PAPER}, Eq. (1)",
         "none: moves away from the oracle (Lemmas 3-5)", "trajectories", 2),
    Info("da_alternating", da_alternating, "alternating descent on R and ascent on F", f"{_PAPER}, App. D.3",
         "none: DA with ridge 2λ to first order", "trajectories", 3),
    Info("finetune", finetune, "gradient descent on $L_R$ from the start", "—",
         "reaches the oracle (L_R strongly convex), at the finetuning rate", "trajectories", 4),
)

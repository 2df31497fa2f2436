r"""`ascentlab compare`: every registered method on one problem, scored against the exact oracle.

For a practitioner whose gradient-ascent run collapsed: the same problem, every method of
`ascentlab.methods` for the same number of steps, and what each one ends at -- its distance to the
exact oracle $w^{\mathcal R}$ relative to doing nothing ($\|w^{\mathcal D}-w^{\mathcal R}\|$), whether
(and from which step) it was worse than doing nothing, forget and held-out accuracy, the
loss-threshold membership-inference AUC, and the gradient evaluations it spent (in passes over
$\mathcal D$). The references "original (do nothing)" and "oracle (retrain)" are rows too.

Step sizes: a method whose `eta` is a plain step gets $\eta=1/\lambda_{\max}(\nabla^2L_{\mathcal R})$, the
larger of the values at $w^{\mathcal D}$ and at 0 (the local smoothness at the starts: a step every descent
method takes stably there; `default_step`) unless `eta` is given; "newton" gets its full step 1, "noisy_gd" the multiplier 1 of its theorem step
(`Info.eta`). Every method runs `steps` steps, except "newton", which runs at most `NEWTON_STEPS` = 5
(it converges quadratically; further steps would only add $|\mathcal R|(1+d)$ gradient evaluations each).
"""

from typing import Optional

import jax
import jax.numpy as jnp
import numpy as np

from . import metrics
from ._linalg import sym_eigh
from ._objectives import _hessian, _sample_weights
from ._problems import Problem, check_problem
from ._solve import solve_references
from ._unlearn import unlearn
from .methods import REGISTRY

__all__ = ["compare", "format_table"]

NEWTON_STEPS = 5


def default_step(problem: Problem, references) -> float:
    r"""$1/\max_{w\in\{w^{\mathcal D},0\}}\lambda_{\max}(\nabla^2L_{\mathcal R}(w))$: the inverse of the local smoothness at
    the two starts the methods use ($w^{\mathcal D}$, and 0 for "rewind"'s default checkpoint, the training run's
    initial point; for the exponential loss the Hessian at 0 can be far larger than at $w^{\mathcal D}$)."""
    top = lambda w: jnp.max(sym_eigh(_hessian(problem, w, "oracle"))[0])
    w_d = references.original.w
    return float(1.0 / jnp.maximum(top(w_d), top(jnp.zeros_like(w_d))))


def _scores(problem, w, references):
    row = {"dist_oracle": float(jnp.linalg.norm(w - references.oracle.w)),
           "acc_forget": float(metrics.accuracy(problem, w, "forget"))}
    if problem.X_test is not None:
        row["acc_test"] = float(metrics.accuracy(problem, w, "test"))
        row["mia_auc"] = float(metrics.mia_auc(problem, w))
    return row


def compare(problem: Problem, *, steps: int = 200, eta: Optional[float] = None, key=None,
            names=None, references=None, progress=None) -> list:
    """Run every method in `names` (default: all registered) for `steps` steps from $w^{\\mathcal D}$.

    Returns a list of dicts, one per method plus the two references, with keys `method`, `eta`,
    `dist_oracle`, `rel_dist` (over doing nothing's), `worse_than_nothing`, `t_star`, `diverged_at`,
    `acc_forget`, `acc_test`, `mia_auc` (the last two when the problem has a held-out set) and
    `passes` (gradient evaluations / |D|). `progress(name)` is called before each method runs.
    """
    where = "compare"
    problem = check_problem(where, problem)
    key = jax.random.key(0) if key is None else key
    names = tuple(REGISTRY) if names is None else tuple(names)
    for name in names:
        if name not in REGISTRY:
            raise ValueError(f"{where}: `names` must contain only registered methods {list(REGISTRY)}, got {name!r}")
    if references is None:
        references = solve_references(problem, da=False)
    base = float(jnp.linalg.norm(references.original.w - references.oracle.w))
    n = float(jnp.sum(_sample_weights(problem)))
    step = default_step(problem, references) if eta is None else float(eta)
    rows = [dict(method="original (do nothing)", eta=None, **_scores(problem, references.original.w, references),
                 worse_than_nothing=False, t_star=-1, diverged_at=-1, passes=0.0),
            dict(method="oracle (retrain)", eta=None, **_scores(problem, references.oracle.w, references),
                 worse_than_nothing=False, t_star=-1, diverged_at=-1, passes=float("nan"))]
    for name in names:
        info = REGISTRY[name]
        if progress is not None:
            progress(name)
        eta_m = step if info.eta == "step" else 1.0
        # Newton converges quadratically: after NEWTON_STEPS more steps only add cost (|R|(1 + d) each)
        n_steps = min(steps, NEWTON_STEPS) if name == "newton" else steps
        tr = unlearn(problem, name, eta=eta_m, steps=n_steps, references=references, key=key)
        flag, t_star = metrics.worse_than_nothing(tr)
        div = int(tr.diverged_at)
        valid = np.asarray(tr.valid)
        last = int(np.nonzero(valid)[0][-1])  # the last good iterate (row 0 always is)
        w = tr.w[last]
        rows.append(dict(method=name, eta=eta_m, **_scores(problem, w, references),
                         worse_than_nothing=bool(flag), t_star=int(t_star), diverged_at=div,
                         passes=float(tr.grads[last]) / n))
    for r in rows:
        r["rel_dist"] = r["dist_oracle"] / base if base > 0 else float("nan")
    return rows


def _num(x, digits):
    """Fixed point for moderate values, 3 significant digits in e-notation beyond 1e5 (keeps the columns)."""
    return f"{x:.{digits}f}" if abs(x) < 1e5 else f"{x:.2e}"


def format_table(rows) -> str:
    """The rows of `compare` as a fixed-width text table."""
    has_test = "acc_test" in rows[0]
    head = f"{'method':<22}{'eta':>9}{'|w-w^R|':>10}{'/ do nothing':>13}{'worse from t':>13}{'acc F':>7}"
    if has_test:
        head += f"{'acc test':>9}{'MIA AUC':>8}"
    head += f"{'passes':>8}"
    lines = [head, "-" * len(head)]
    for r in rows:
        eta = "" if r["eta"] is None else f"{r['eta']:.3g}"
        worse = "diverged" if r["diverged_at"] >= 0 else (str(r["t_star"]) if r["worse_than_nothing"] else "never")
        if r["diverged_at"] >= 0:
            worse = f"div. {r['diverged_at']}"
        line = (f"{r['method']:<22}{eta:>9}{_num(r['dist_oracle'], 4):>10}{_num(r['rel_dist'], 2):>13}{worse:>13}"
                f"{r['acc_forget']:>7.3f}")
        if has_test:
            line += f"{r['acc_test']:>9.3f}{r['mia_auc']:>8.3f}"
        line += f"{r['passes']:>8.1f}" if np.isfinite(r["passes"]) else f"{'—':>8}"
        lines.append(line)
    return "\n".join(lines)

r"""Every result of "Ascent Fails to Forget" as a prediction and a measured check.

For each result the paper states (or docs/theory.md reconstructs), this
package offers the prediction -- a closed form, threshold or bound -- and a
`check_...` function that measures the same quantity with the core solvers
(`solve`) and trajectories (`unlearn`) on one instance and returns a `Check`
record `(prediction, measured, holds, margin, applies)`. Checks are
vmap-able over their float arguments; `ascentlab verify` runs them over
randomised instances.

One module per concept, each ending with the `Result` records it declares:

* `orthogonal`: one coordinate of Assumptions 1-2 (Lemmas 2-5, the first DA
  step, Cases 1/2/3, Corollary 1);
* `hoeffding`: Lemma 1 on a trained model;
* `alternating`: alternating DA (App. D.3) and its Case-3 flip;
* `pair`: the correlated pair (Lemmas 6-10, 12);
* `nearly_orthogonal`: App. J's example;
* `toy_example`: the non-convex toy of Sec. 5.2 (the model is `ascentlab.toy`);
* `logistic`: the logistic-loss extension.

`RESULTS` maps each result id to its `Result` (statement, tag, verdict,
the checks and samplers `verify` runs, the README's row); it is collected
from the modules, so a new result is one new module here plus its sympy
derivation `proofs/<id>.py` (`_registry.py` says how). Every name a module
lists in `__all__` is available as `ascentlab.theory.<name>`.

Tags: [T] stated by the paper, [PN] known from a third-party summary, [R]
reconstructed, [D] derived here. Each result has a sympy derivation in
`proofs/` (installed as `ascentlab.proofs`) whose closed forms are compared
with these functions in `tests/test_proofs.py`; `Result.doc` links the
section of docs/theory.md that states it.

References: arXiv 2509.26427; docs/theory.md.
"""

import importlib
import pkgutil

from ._check import Check, error_bound, solve_checked
from ._registry import Part, Result, part

__all__ = ["Check", "error_bound", "solve_checked", "Part", "Result", "part", "RESULTS", "CONCEPTS"]


def _collect():
    concepts, results, owner = [], [], {name: __name__ for name in __all__}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if not hasattr(module, "__all__"):
            raise ImportError(f"{module.__name__}: a concept module lists its public names in __all__")
        concepts.append(info.name)
        for name in module.__all__:
            if name in owner and owner[name] != module.__name__:
                raise ImportError(f"ascentlab.theory: {name!r} is exported by both {owner[name]} and {module.__name__}")
            owner[name] = module.__name__
            globals()[name] = getattr(module, name)
            __all__.append(name)
        results += getattr(module, "RESULTS", ())
    ids = [r.id for r in results]
    for field in ("id", "order", "stream"):
        values = [getattr(r, field) for r in results]
        if len(set(values)) != len(values):
            raise ImportError(f"ascentlab.theory: two results share a{'n' if field[0] in 'io' else ''} {field}: "
                              f"{sorted(zip(values, ids))}")
    return tuple(concepts), {r.id: r for r in sorted(results, key=lambda r: r.order)}


CONCEPTS, RESULTS = _collect()
"""The concept modules found, and every result by id (in the paper's order)."""

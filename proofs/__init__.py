"""sympy derivations of every result of "Ascent Fails to Forget", one module per result.

Each module is named after its result id (`ascentlab.theory.RESULTS`) and has
`check()` (asserts the derivation exactly), `closed_forms()` (the final
formulas with the ascentlab function each must equal: the proof<->code
contract, tested in tests/test_proofs.py) and `latex()`.

The folder sits at the top of the repository and is installed with the
package as `ascentlab.proofs`: `ascentlab proofs` (or, in a clone,
`python -m proofs`) runs every check; `ascentlab proofs --latex ID` (or
`python -m proofs.<id>`) prints one derivation's LaTeX. A new derivation is a
new module here: `MODULES` lists the modules found, in the order of the
results they prove.
"""

import importlib
import pkgutil
import sys
import time


def _modules() -> tuple:
    found = {m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")}
    try:  # the paper's order, where the result registry knows the id
        from ascentlab.theory import RESULTS
        order = {rid: r.order for rid, r in RESULTS.items()}
    except ImportError:  # pragma: no cover - proofs are usable without JAX
        order = {}
    return tuple(sorted(found, key=lambda name: (order.get(name, len(order)), name)))


MODULES = _modules()


def load(name: str):
    """The derivation module `name` (a result id), under whichever name this package was imported."""
    if name not in MODULES:
        raise ValueError(f"no derivation named {name!r}; the derivations are {', '.join(MODULES)}")
    return importlib.import_module(f"{__name__}.{name}")


def run_all(out=sys.stdout) -> int:
    """Run every derivation's `check()`, print a table to `out`; returns the number of failures."""
    failures = 0
    print(f"{'proof':<14}{'result':<8}{'closed forms':>13}{'seconds':>9}", file=out, flush=True)
    for name in MODULES:
        module = load(name)
        t0 = time.perf_counter()
        try:
            module.check()
            status = "ok"
        except AssertionError as err:  # a failed derivation step
            status = "FAILED"
            failures += 1
            print(f"  {name}: {err!r}", file=sys.stderr)
        print(f"{name:<14}{status:<8}{len(module.closed_forms()):>13}{time.perf_counter() - t0:>9.2f}", file=out,
              flush=True)
    print(f"\n{len(MODULES) - failures}/{len(MODULES)} derivations check", file=out)
    return failures

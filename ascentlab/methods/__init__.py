r"""Unlearning methods, one module each, under one contract (`Method`).

`ascentlab.unlearn(problem, method, eta=..., steps=...)` accepts a method
as

* a registered name ("ga", "da", "neggrad_plus", ...: the factory with its
  defaults),
* a `Method` from a factory, with parameters: `methods.neggrad_plus(beta=0.9)`,
* a plain callable `step(problem, w, eta) -> w` (stateless, as before).

A `Method` is an optax-like pair `init(problem, w0, params, context) ->
state` and `update(problem, w, state, eta, params) -> (w, state)`, plus its
`params` (a pytree: vmap over them works) and a `cost` (per-sample gradient
evaluations, recorded in `Trajectory.grads`). See `ascentlab.methods._base`.

**Adding a method** is one module `ascentlab/methods/<name>.py` defining
its factory `<name>(...) -> Method` (with module-level `init`/`update`, so
the compiled program is reused) and `INFO = Info(name=..., factory=...,
what=..., reference=..., guarantee=..., figure=..., order=...)` (or `INFOS`,
a tuple, for a family); its `__all__` names become names of the package
(`methods.certificate`, `methods.constants`). Nothing else lists it: `REGISTRY`, `unlearn`'s
names and the README's method table (`python -m ascentlab._readme`) find
it, and `tests/test_methods.py` checks every registered method against the
contract (shape, dtype, vmap, determinism, divergence reporting).

Parameters are validated when a factory gets concrete numbers; under `jit`/`vmap` they are tracers and
cannot be inspected (e.g. `neggrad_plus(beta)` with a traced `beta = 2`), so check a grid eagerly once.

References: "Ascent Fails to Forget" (arXiv 2509.26427); each module names
the paper of its method.
"""

import importlib
import pkgutil

from ._base import Context, Info, Method

__all__ = ["Method", "Context", "Info", "REGISTRY", "NAMES", "get", "info"]


def _collect():
    infos = {}
    for mod_info in pkgutil.iter_modules(__path__):
        if mod_info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{__name__}.{mod_info.name}")
        declared = getattr(mod, "INFOS", None) or ((mod.INFO,) if hasattr(mod, "INFO") else None)
        if declared is None:
            raise ImportError(f"ascentlab.methods.{mod_info.name}: a method module must define INFO (or INFOS)")
        for item in declared:
            if item.name in infos:
                raise ImportError(f"ascentlab.methods: two modules register the name {item.name!r}")
            infos[item.name] = item
        # the module's public names (its factory first of all) become names of the package, as in
        # ascentlab.theory: `methods.neggrad_plus(beta=0.7)`, `methods.certificate(...)`. The factory
        # shadows its module's name (`methods.newton` is the factory; `from ascentlab.methods.newton import
        # certificate` still reads the module).
        public = list(getattr(mod, "__all__", ())) + [i.factory.__name__ for i in declared]
        for name in dict.fromkeys(public):
            value = getattr(mod, name)
            if name in globals() and globals()[name] not in (value, mod):  # (importing mod bound its own name)
                raise ImportError(f"ascentlab.methods.{mod_info.name}: the public name {name!r} is taken")
            globals()[name] = value
            if name not in __all__:
                __all__.append(name)
    orders = [i.order for i in infos.values()]
    if len(set(orders)) != len(orders):
        raise ImportError(f"ascentlab.methods: two methods share an order: {sorted(orders)}")
    return dict(sorted(infos.items(), key=lambda kv: kv[1].order))


REGISTRY = _collect()
"""Every registered method's `Info`, by name, in table order."""
NAMES = tuple(REGISTRY)


def info(name: str) -> Info:
    """The `Info` of registered method `name`."""
    from .._validate import check_choice

    return REGISTRY[check_choice("methods.info", "name", name, NAMES)]


def get(name: str, **params) -> Method:
    """The `Method` registered as `name`, with `params` passed to its factory (defaults otherwise).

    A keyword the factory does not take is a ValueError naming it and the accepted ones."""
    import inspect

    from .._validate import fail

    factory = info(name).factory
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):  # no signature to read: let the call decide
        return factory(**params)
    accepted = [p.name for p in signature.parameters.values()
                if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    takes_any = any(p.kind == p.VAR_KEYWORD for p in signature.parameters.values())
    unknown = [k for k in params if k not in accepted]
    if unknown and not takes_any:
        fail("methods.get", unknown[0], params[unknown[0]],
             f"is not a parameter of method {name!r}: {factory.__name__}() accepts {accepted or 'no parameters'}")
    return factory(**params)

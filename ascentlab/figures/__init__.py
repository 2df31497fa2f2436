"""The paper's figures, one module per figure, found through one registry.

A figure is one module `ascentlab/figures/<name>.py` defining

* `ORDER` (its place in `ascentlab figures` and the README gallery),
* `CAPTION` (one line, written into the JSON) and `DESCRIPTION` (the
  README's "what it shows", Markdown),
* `data(fast) -> {"params": {...}, "arrays": {...}}`: every parameter and
  plotted array, computed with the core solvers (no matplotlib),
* `draw(data) -> matplotlib Figure` (no computation beyond array handling).

Nothing else lists it: `FIGURES` is collected from the folder, the CLI's
choices and the README's gallery table (`python -m ascentlab._readme`) come
from it, and `tests/test_registry.py` checks every module's contract.

`make_figure` writes NAME.png, NAME.pdf and NAME.json (strict JSON, `null`
for masked values), each atomically (rendered in memory, a hidden temporary
file beside the target, then a rename). It checks that the output folder is
writable before computing anything. Styles: `ascentlab/styles/{lecture,paper}.mplstyle`.
`fast=True` shrinks grids and step counts, never the problems.
"""

import importlib
import json
import os
import pkgutil
import tempfile
import time
from pathlib import Path

from .._validate import check_choice, require_dtype
from ._common import render, save_figure, to_json, to_numpy, write_atomic

__all__ = ["FIGURES", "STYLES", "figure_data", "draw", "make_figure", "module", "check_output_folder", "to_json",
           "to_numpy", "save_figure"]

STYLES = ("lecture", "paper", "none")
CONTRACT = ("ORDER", "CAPTION", "DESCRIPTION", "data", "draw")


def _collect():
    mods = {}
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            mod = importlib.import_module(f"{__name__}.{info.name}")
            missing = [attr for attr in CONTRACT if not hasattr(mod, attr)]
            if missing:
                raise ImportError(f"ascentlab.figures.{info.name}: a figure module must define {', '.join(missing)}")
            mods[info.name] = mod
    orders = sorted(m.ORDER for m in mods.values())
    if len(set(orders)) != len(orders):
        raise ImportError(f"ascentlab.figures: two figures share an ORDER: {orders}")
    return dict(sorted(mods.items(), key=lambda kv: kv[1].ORDER))


_MODULES = _collect()
FIGURES = tuple(_MODULES)
"""Every figure's name, in gallery order."""


def module(name: str):
    """The module of figure `name` (its `CAPTION`, `DESCRIPTION`, `data`, `draw`)."""
    check_choice("figure", "name", name, FIGURES)
    return _MODULES[name]


def figure_data(name: str, fast: bool = False) -> dict:
    """The data of figure `name`: `{"figure", "caption", "fast", "params", "arrays"}` (numpy arrays).

    Computes in float64 (JAX's x64 mode must be on; the `ascentlab` command
    switches it on).
    """
    mod = module(name)
    if not isinstance(fast, bool):
        raise ValueError(f"figure {name!r}: `fast` must be True or False, got {fast!r}")
    require_dtype(f"figure {name!r}", "float64")
    return {"figure": name, "caption": mod.CAPTION, "fast": bool(fast), **mod.data(bool(fast))}


def draw(name: str, data: dict, *, style: str = "lecture"):
    """Figure `name` drawn from `data` (as `figure_data` returns it) in `style`; returns the matplotlib Figure."""
    check_choice("figure", "style", style, STYLES)
    import matplotlib.pyplot as plt

    with plt.style.context(f"ascentlab.styles.{style}" if style != "none" else "default"):
        return module(name).draw(data)


def check_output_folder(out) -> Path:
    """`out` as a folder that exists (created if missing) and accepts new files; `ValueError` saying why not."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"output folder {out}: exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as err:
        raise ValueError(f"output folder {out}: cannot write there ({err.strerror or err})") from None
    return out


def make_figure(name: str, out, *, fast: bool = False, style: str = "lecture", data: dict | None = None) -> dict:
    """Compute (unless `data` is given), draw and write one figure; returns {"png", "pdf", "json", "seconds"}."""
    check_choice("figure", "name", name, FIGURES)
    check_choice("figure", "style", style, STYLES)
    out = check_output_folder(out)
    paths = {ext: out / f"{name}.{ext}" for ext in ("png", "pdf", "json")}
    for path in paths.values():
        if path.exists() and not path.is_file():
            raise ValueError(f"output folder {out}: {path.name} exists and is not a file")
    import matplotlib

    if os.environ.get("MPLBACKEND") is None:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t0 = time.perf_counter()
    data = figure_data(name, fast) if data is None else data
    text = json.dumps(to_json(data), allow_nan=False).encode()
    fig = draw(name, data, style=style)
    try:
        payloads = {"png": render(fig, "png"), "pdf": render(fig, "pdf"), "json": text}
    finally:
        plt.close(fig)
    for ext, payload in payloads.items():
        write_atomic(paths[ext], payload)
    return {**{k: str(v) for k, v in paths.items()}, "seconds": time.perf_counter() - t0}

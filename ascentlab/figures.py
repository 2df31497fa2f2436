"""Write the paper's figures: `ascentlab figure NAME` and `ascentlab figures`.

Each figure is written as NAME.png, NAME.pdf and NAME.json (every plotted
array and every parameter, from `ascentlab.figdata`), each atomically: a
temporary file in the target folder, then a rename. Styles:
`ascentlab/styles/{lecture,paper}.mplstyle`.
"""

import json
import math
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from .figdata import FIGURE_DATA
from ._validate import check_choice

__all__ = ["FIGURES", "STYLES", "make_figure", "to_json"]

FIGURES = tuple(FIGURE_DATA)
STYLES = ("lecture", "paper", "none")

CAPTIONS = {
    "fig4": "Fig. 4: the alpha window in which DA is detrimental against the correlation eps (Lemmas 9-10, exact solves shaded).",
    "fig5": "Fig. 5: toy loss landscapes; GDA's global minimum is the retain set's local minimum (reading 'tanh').",
    "trajectories": "DA, alternating DA, GA and finetuning paths over L_DA contours, with distances to the oracle.",
    "phase": "DA outcome over (alpha, lambda) and (alpha, eps): toward / detrimental / overshoot / unbounded.",
    "hoeffding": "Lemma 1: Monte-Carlo |Acc_F - Acc_T| exceedance frequency against the Hoeffding bound.",
    "corollary1": "Corollary 1: Delta_R,DA grows like W0(1/lambda) as lambda -> 0 while Delta_R,D -> 0.",
    "app_d3": "App. D.3: alternating DA tracks DA with 2 lambda; its Case-3 fixed point against eta.",
    "app_d3_bifurcation": "App. D.3 corrected: the Case-3 fixed point of alternating DA flips at ln(b/a) ~ sqrt 2 "
                          "(both orders): 2-cycle, period doubling, chaos; larger eta restabilises it.",
    "finetune_trap": "Toy example: finetuning on the retain set from the GDA minimum stays in the wrong basin.",
}


def to_json(obj):
    """Arrays to lists, non-finite floats to null, numpy scalars to Python (strict JSON)."""
    if isinstance(obj, dict):
        return {str(k): to_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_json(v) for v in obj]
    if hasattr(obj, "shape") or isinstance(obj, (np.generic,)):
        arr = np.asarray(obj)
        if arr.dtype.kind in "U S O":
            return arr.tolist()
        return to_json(arr.tolist()) if arr.ndim else to_json(arr.item())
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    return obj


def _atomic(path: Path, write):
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600 files; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_figure(fig, path: Path):
    """Save a matplotlib figure atomically."""
    _atomic(Path(path), lambda tmp: fig.savefig(tmp, dpi=150, bbox_inches="tight"))


def make_figure(name: str, out, *, fast: bool = False, style: str = "lecture") -> dict:
    """Compute, draw and write one figure; returns {"png", "pdf", "json", "seconds"}."""
    check_choice("figure", "name", name, FIGURES)
    check_choice("figure", "style", style, STYLES)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .plots import BUILDERS

    t0 = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    data = FIGURE_DATA[name](fast)
    data = {"figure": name, "caption": CAPTIONS[name], "fast": fast, **data}
    with plt.style.context(f"ascentlab.styles.{style}" if style != "none" else "default"):
        fig = BUILDERS[name](data)
        paths = {ext: out / f"{name}.{ext}" for ext in ("png", "pdf", "json")}
        save_figure(fig, paths["png"])
        save_figure(fig, paths["pdf"])
    plt.close(fig)
    text = json.dumps(to_json(data), allow_nan=False)
    _atomic(paths["json"], lambda tmp: Path(tmp).write_text(text))
    return {**{k: str(v) for k, v in paths.items()}, "seconds": time.perf_counter() - t0}

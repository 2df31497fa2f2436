"""What every figure module shares: arrays to numpy, strict JSON, and atomic writes."""

import math
import os
import tempfile
from pathlib import Path

import jax
import numpy as np


def to_numpy(tree):
    """Every array leaf of `tree` as a numpy array (figure data are plain numpy, JSON-ready)."""
    return jax.tree.map(np.asarray, tree)


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


def write_atomic(path, payload: bytes):
    """Write `payload` to `path` all at once: a hidden temporary file beside it, then a rename.

    The bytes are ready before the temporary file exists, so the window in
    which an interruption could leave it behind is one `write` call; any
    exception (KeyboardInterrupt and SystemExit included) removes it. A
    reader never sees a half-written file.
    """
    from .._interrupt import check

    check()  # a Ctrl-C the interpreter swallowed (ascentlab._interrupt): nothing is written after it
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix + ".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600 files; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def render(fig, fmt: str) -> bytes:
    """A matplotlib figure rendered in memory as `fmt` ("png" at 150 dpi, or "pdf")."""
    import io

    buf = io.BytesIO()
    # no creation date in the PDF: the same data give the same bytes
    metadata = {"CreationDate": None} if fmt == "pdf" else None
    fig.savefig(buf, format=fmt, dpi=150, bbox_inches="tight", metadata=metadata)
    return buf.getvalue()


def save_figure(fig, path):
    """Save a matplotlib figure atomically (the format from the suffix: .png or .pdf)."""
    path = Path(path)
    write_atomic(path, render(fig, path.suffix.lstrip(".")))

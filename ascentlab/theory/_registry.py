"""How a result of the paper is declared: once, in the module of its concept.

A concept module of `ascentlab.theory` (say `orthogonal.py`) holds the
predictions, the `check_...` functions, the instance samplers and, at its end,
a tuple `RESULTS` of `Result` records. `ascentlab.theory` finds every
concept module in its folder, exports each name in the module's `__all__`,
and collects the `RESULTS` into one registry ordered by `Result.order`. So a
new result is one new module (plus its proof, `proofs/<id>.py`): nothing else
lists it. `ascentlab verify` runs `Result.parts`; the README's results table
is generated from `Result.summary` and `Result.measures`
(`python -m ascentlab._readme`); `tests/test_registry.py` checks that every
result has its proof, docs section and README row.
"""

from typing import Callable, NamedTuple, Optional

import numpy as np


class Part(NamedTuple):
    """One check of a result as `ascentlab verify` runs it.

    `check(**sample(key, count, dtype), **static)` over `count = scale * n`
    instances (at least 4), vmapped and compiled once; `vmap=False` calls an
    eager check once per instance instead.
    """

    check: Callable
    sample: Callable
    scale: float = 1.0
    static: Optional[dict] = None
    vmap: bool = True


def part(check, sample, scale=1.0, **static) -> Part:
    """A vmapped `Part`; keyword arguments are passed to `check` as static (non-traced) values."""
    return Part(check, sample, scale, static or None)


class Result(NamedTuple):
    """One result of the paper: what is claimed, how it is checked, where it is proved.

    Attributes:
        id: the row id of `ascentlab verify`; also the proof module
            `proofs/<id>.py` and the anchor of docs/theory.md.
        order: position in the paper's order (rows are listed by it; any
            number, so a new result can go between two others).
        stream: the row's PRNG stream in `verify` (`fold_in(key(seed),
            stream)`), unique: never change an existing result's stream, or
            its instances (and docs/verify.json) change.
        statement: one line, plain text (verify's table and JSON).
        tag: [T] the paper, [PN] a third-party summary, [R] reconstructed,
            [D] derived here.
        verdict: "holds", "corrected: ..." or "ambiguous: reading ...".
        parts: the checks `verify` runs, each with its sampler.
        summary: one line of Markdown for the README's results table.
        measures: what the check measures, for the README table.
        details: optional `collected -> dict` of row-specific counts
            (`collected` is a list of `(part index, params, Check)`).
    """

    id: str
    order: float
    stream: int
    statement: str
    tag: str
    verdict: str
    parts: tuple
    summary: str
    measures: str
    details: Optional[Callable] = None

    @property
    def proof(self) -> str:
        """The sympy derivation, relative to the repository root (installed as `ascentlab.proofs.<id>`)."""
        return f"proofs/{self.id}.py"

    @property
    def doc(self) -> str:
        """The section of docs/theory.md that states and discusses this result."""
        return f"docs/theory.md#{self.id}"


def gather(collected, j, f):
    """`f(params, check)` over every seed's run of part `j`, flattened and concatenated (for `details`)."""
    return np.concatenate([np.asarray(f(p, c)).reshape(-1) for jj, p, c in collected if jj == j])

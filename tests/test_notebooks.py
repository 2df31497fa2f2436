"""Every lecture notebook (jupytext percent source) parses as a notebook and runs at reduced size.

The code cells run in this process (a fresh namespace per notebook, ASCENTLAB_FAST=1, matplotlib's Agg
backend, rcParams restored and figures closed afterwards), so the JAX functions compiled by the other tests
are reused. The lectures' `figures.figure_data(name, FAST)` calls are served from the session cache
`figure_data_cache` and `toy.check_claims(reading)` from `toy_claims` (tests/conftest.py): the same
calls, computed once per session, that tests/test_figures.py and tests/test_theory.py check.
"""

import copy
from pathlib import Path

import jupytext
import matplotlib
import pytest

from ascentlab import figures, toy

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("[0-9][0-9]_*.py"))


def test_the_eight_lectures_exist():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06", "07", "08"]


@pytest.fixture
def lecture_env(monkeypatch, tmp_path, figure_data_cache, toy_claims, nn_tiny):
    """The environment a lecture runs in at reduced size, in this process (lecture 08's
    `experiment.run("tiny")` is served from the session's tiny run, `nn_tiny`)."""
    monkeypatch.setenv("ASCENTLAB_FAST", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(tmp_path)

    def figure_data(name, fast=False):
        assert fast is True, f"figure {name!r} asked for at full size (FAST should be on)"
        return copy.deepcopy(figure_data_cache[name])

    def check_claims(reading="tanh", *, lam=None):
        if lam is not None:
            return real_check_claims(reading, lam=lam)
        return copy.deepcopy(toy_claims[reading])

    def run(config, **kw):
        assert config == "tiny" and not kw, f"experiment.run({config!r}, {kw}) asked for (FAST: the tiny preset)"
        return copy.deepcopy(nn_tiny["tiny"])

    from ascentlab.nn import experiment

    real_check_claims = toy.check_claims
    monkeypatch.setattr(experiment, "run", run)
    monkeypatch.setattr(figures, "figure_data", figure_data)
    monkeypatch.setattr(toy, "check_claims", check_claims)
    matplotlib.use("Agg")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, lecture_env):
    nb = jupytext.read(path)
    kinds = [c.cell_type for c in nb.cells]
    assert kinds[0] == "markdown" and "code" in kinds
    # the first code cell sets float64 and the key (house style), and turns the persistent compilation
    # cache on before anything is computed, saying how to turn it off
    first_code = next(c.source for c in nb.cells if c.cell_type == "code")
    assert 'jax_enable_x64", True' in first_code and "jax.random.key(0)" in first_code
    assert "al.enable_compilation_cache()" in first_code and "ASCENTLAB_JAX_CACHE=off" in first_code
    assert first_code.index("al.enable_compilation_cache()") < first_code.index("jax.random.key(0)")
    import matplotlib.pyplot as plt

    namespace = {"__name__": "__main__", "__file__": str(path)}
    with matplotlib.rc_context():  # the lectures' plt.style.use must not leak into other tests
        try:
            for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
                exec(compile(cell.source, f"{path.name} [code cell {i}]", "exec"), namespace)
        finally:
            plt.close("all")
    assert namespace["FAST"] is True  # the lecture saw ASCENTLAB_FAST=1

"""The registries keep every result and figure complete: one module each, nothing listed by hand.

A result (`ascentlab.theory.RESULTS`) must have checks whose samplers produce
exactly their arguments, a sympy proof module of the same name, a section of
docs/theory.md and a README row; a figure (`ascentlab.figures.FIGURES`) must
have its caption, description, data and draw functions and a gallery image.
The README's generated tables must equal what the registries generate now.
Each completeness check is also run on a registry with one entry missing its
pieces, to show it fails.
"""

import inspect
import types
from pathlib import Path

import jax
import jax.numpy as jnp
import pytest

import proofs
from ascentlab import _readme, figures, theory
from ascentlab.theory import Result, part

ROOT = Path(__file__).resolve().parent.parent


def result_problems(results, proof_modules, doc_text, readme_text):
    """What each result lacks: a proof module, a docs section, a README row, a check exported by `theory`."""
    problems = []
    for rid, r in results.items():
        if rid not in proof_modules:
            problems.append(f"{rid}: no proof module proofs/{rid}.py")
        if f'<a id="{rid}"></a>' not in doc_text:
            problems.append(f"{rid}: no section <a id=\"{rid}\"></a> in docs/theory.md")
        if f"| [`{rid}`](docs/theory.md#{rid}) |" not in readme_text:
            problems.append(f"{rid}: no row in README.md's results table")
        if not r.parts:
            problems.append(f"{rid}: no checks (Result.parts)")
        for p in r.parts:
            if getattr(theory, p.check.__name__, None) is not p.check:
                problems.append(f"{rid}: {p.check.__name__} is not ascentlab.theory.{p.check.__name__}")
    for name in set(proof_modules) - set(results):
        problems.append(f"proofs/{name}.py proves no registered result")
    return problems


def figure_problems(mods, gallery: Path):
    problems = []
    for name, mod in mods.items():
        for attr in figures.CONTRACT:
            if not hasattr(mod, attr):
                problems.append(f"{name}: no {attr}")
        for fn in ("data", "draw"):
            if hasattr(mod, fn) and list(inspect.signature(getattr(mod, fn)).parameters) != [
                    "fast" if fn == "data" else "data"]:
                problems.append(f"{name}: {fn} must take exactly ({'fast' if fn == 'data' else 'data'})")
        if not (gallery / f"{name}.png").exists():
            problems.append(f"{name}: no docs/gallery/{name}.png")
    orders = [getattr(m, "ORDER", None) for m in mods.values()]
    if len(set(orders)) != len(orders):
        problems.append(f"figure ORDERs are not unique: {orders}")
    return problems


def _texts():
    return (ROOT / "docs" / "theory.md").read_text(), (ROOT / "README.md").read_text()


def test_every_result_is_complete():
    doc, readme = _texts()
    assert result_problems(theory.RESULTS, proofs.MODULES, doc, readme) == []


def test_a_result_missing_its_pieces_is_caught():
    doc, readme = _texts()
    lonely = Result("lemma99", 99, 99, "s", "[D]", "holds", (), "s", "m")
    got = result_problems({**theory.RESULTS, "lemma99": lonely}, proofs.MODULES + ("orphan",), doc, readme)
    assert got == ["lemma99: no proof module proofs/lemma99.py",
                   "lemma99: no section <a id=\"lemma99\"></a> in docs/theory.md",
                   "lemma99: no row in README.md's results table",
                   "lemma99: no checks (Result.parts)",
                   "proofs/orphan.py proves no registered result"]


def test_registry_is_collected_from_the_modules_in_paper_order():
    assert [r.order for r in theory.RESULTS.values()] == sorted(r.order for r in theory.RESULTS.values())
    owners = {p.check.__module__.rsplit(".", 1)[1] for r in theory.RESULTS.values() for p in r.parts}
    assert owners == set(theory.CONCEPTS)  # every concept module declares results; no check lives elsewhere
    assert proofs.MODULES == tuple(theory.RESULTS)  # `ascentlab proofs` runs them in the same order
    streams = [r.stream for r in theory.RESULTS.values()]
    assert len(set(streams)) == len(streams)  # each row its own random instances


def test_every_package_is_installed():
    """pyproject's package list (explicit, because proofs/ is mapped into the package) names every package."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "ascentlab").rglob("__init__.py")}
    assert listed == found | {"ascentlab.proofs"}


@pytest.mark.parametrize("rid", list(theory.RESULTS))
def test_samplers_produce_exactly_the_check_arguments(rid):
    for j, p in enumerate(theory.RESULTS[rid].parts):
        inst = p.sample(jax.random.key(j), 8, jnp.float64)
        params = inspect.signature(p.check).parameters
        required = {k for k, v in params.items() if v.default is inspect.Parameter.empty and v.kind != v.KEYWORD_ONLY}
        assert set(inst) == required, (rid, p.check.__name__)
        for k, v in inst.items():
            assert v.shape == (8,), (rid, k)
            if jnp.issubdtype(v.dtype, jnp.floating):
                assert v.dtype == jnp.float64  # the dtype asked for, whatever JAX's default


def test_every_figure_is_complete():
    assert figure_problems({n: figures.module(n) for n in figures.FIGURES}, ROOT / "docs" / "gallery") == []
    assert set(figures.FIGURES) == {p.stem for p in (ROOT / "ascentlab" / "figures").glob("[!_]*.py")}


def test_a_figure_missing_its_pieces_is_caught(tmp_path):
    half = types.SimpleNamespace(ORDER=0, CAPTION="c", data=lambda fast, extra: None)
    got = figure_problems({"half": half}, tmp_path)
    assert got == ["half: no DESCRIPTION", "half: no draw", "half: data must take exactly (fast)",
                   "half: no docs/gallery/half.png"]


def test_readme_tables_are_generated_from_the_registries():
    text = (ROOT / "README.md").read_text()
    assert _readme.render(text) == text, "README.md is out of date: run `python -m ascentlab._readme`"


def test_readme_sync_catches_a_stale_table(monkeypatch):
    text = (ROOT / "README.md").read_text()
    extra = Result("lemma99", 99, 99, "s", "[D]", "holds", (part(theory.check_lemma4, theory.block_instances),),
                   "a new lemma", "`check_lemma4`")
    monkeypatch.setattr(theory, "RESULTS", {**theory.RESULTS, "lemma99": extra})
    assert _readme.render(text) != text
    assert "| [`lemma99`](docs/theory.md#lemma99) | a new lemma |" in _readme.results_table()


def test_nothing_relies_on_the_cli_switching_x64_on():
    """With x64 off (JAX's default) verify and figure data say they need float64 instead of silently
    computing in float32; a theory check follows its inputs' dtype (float32 tolerances for float32)."""
    import subprocess
    import sys

    code = """
import warnings; warnings.simplefilter("error")
import jax.numpy as jnp
from ascentlab import figures, theory
from ascentlab._verify import run_verify
for call in (lambda: run_verify([0], 4, ["lemma4"]), lambda: figures.figure_data("fig5", True)):
    try:
        call(); print("no error")
    except ValueError as err:
        print("ValueError:", err)
c = theory.check_lemma4(jnp.float32(50), jnp.float32(8), jnp.float32(100), jnp.float32(20), jnp.float32(0.5))
print(c.margin.dtype, bool(c.holds))
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    assert lines[0].startswith("ValueError: run_verify: computes in float64, but JAX's x64 mode is off")
    assert lines[1].startswith("ValueError: figure 'fig5': computes in float64, but JAX's x64 mode is off")
    assert lines[2] == "float32 True"


def _check_dtypes(rid):
    out = set()
    for j, p in enumerate(theory.RESULTS[rid].parts):
        if not p.vmap:
            continue
        inst = p.sample(jax.random.key(j), 4, jnp.float32)
        c = jax.vmap(lambda prm: p.check(**prm, **(p.static or {})))(inst)
        out |= {x.dtype for x in jax.tree.leaves(c) if jnp.issubdtype(x.dtype, jnp.floating)}
    return out


@pytest.mark.parametrize("rid", ["lemma4"])  # one row here; every other row in the slow run
def test_checks_follow_the_dtype_of_their_inputs(rid):
    """float32 instances give float32 checks although x64 is on here (no silent promotion to float64)."""
    assert _check_dtypes(rid) == {jnp.dtype(jnp.float32)}


@pytest.mark.slow  # every row compiled in float32: about a minute
@pytest.mark.parametrize("rid", [r for r in theory.RESULTS if r not in ("lemma4", "toy")])
def test_every_check_follows_the_dtype_of_its_inputs(rid):
    assert _check_dtypes(rid) == {jnp.dtype(jnp.float32)}

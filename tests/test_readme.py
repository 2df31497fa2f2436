"""The README's Python code blocks run as written, in order, in one fresh namespace.

A new user pastes them verbatim; a name used before it is defined, an API
that changed, or an example that raises fails here.
"""

import re
from pathlib import Path

import matplotlib
import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```$", README.read_text(), flags=re.S | re.M)


def test_the_readme_has_python_blocks():
    assert len(BLOCKS) >= 3


def test_readme_python_blocks_run_in_order(capsys):
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    namespace = {"__name__": "__readme__"}
    for i, block in enumerate(BLOCKS):
        try:
            exec(compile(block, f"README.md python block {i + 1}", "exec"), namespace)
        except Exception as err:  # name the block, so the failure points at the README
            pytest.fail(f"README.md python block {i + 1} raised {type(err).__name__}: {err}\n{block}")
    plt.close("all")
    out = capsys.readouterr().out
    assert "local_minimum" in out  # sol.status_name of the Case-2 DA point, printed by the tour
    assert "(3, 51)" in out

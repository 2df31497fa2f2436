"""The README's generated tables: results (`theory.RESULTS`), figures (`figures.FIGURES`), methods (`methods.REGISTRY`).

`python -m ascentlab._readme` rewrites the blocks of README.md between the
markers `<!-- generated: NAME -->` and `<!-- end generated: NAME -->`;
`python -m ascentlab._readme --check` exits 1 if the file is out of date
(`tests/test_registry.py` does the same). The results table's last column
comes from `docs/verify.json`, the JSON output of
`ascentlab verify --seeds 0:64 --json` (re-run it when a check changes).
"""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
VERIFY_JSON = ROOT / "docs" / "verify.json"


def _cell(text: str) -> str:
    return text.replace("\n", " ").strip()


def _verify_column(rows: dict, rid: str) -> str:
    row = rows.get(rid)
    if row is None:
        return "not yet run"
    state = "holds" if row["holds"] else "FAILS"
    note = row["verdict"].split(":")[0]
    if note != "holds":
        state += f" ({note})"
    margin = row["worst_margin"]
    margin = "—" if margin is None else f"{margin:.2g}"
    return f"{state}: {row['instances']:,} instances, {row['violations']} violations, worst margin {margin}"


def results_table(verify_rows=None) -> str:
    """The README's table of results, one row per `theory.RESULTS` entry."""
    from .theory import RESULTS

    if verify_rows is None:
        verify_rows = {r["id"]: r for r in json.loads(VERIFY_JSON.read_text())} if VERIFY_JSON.exists() else {}
    seeds = {tuple(r["seeds"]) for r in verify_rows.values()}
    span = f"seeds {next(iter(seeds))[0]}:{next(iter(seeds))[1]}" if len(seeds) == 1 else "verify"
    lines = [f"| id | statement (one line) | tag | proof | check | {span} |", "|---|---|---|---|---|---|"]
    for rid, r in RESULTS.items():
        tag = r.tag.strip("[]")
        lines.append(f"| [`{rid}`]({r.doc}) | {_cell(r.summary)} | {tag} | `{r.proof}` | {_cell(r.measures)} | "
                     f"{_verify_column(verify_rows, rid)} |")
    return "\n".join(lines)


def figures_table() -> str:
    """The README's gallery, one row per figure module."""
    from .figures import FIGURES, module

    lines = ["| figure | what it shows | command |", "|---|---|---|"]
    for name in FIGURES:
        lines.append(f"| ![{name}](docs/gallery/{name}.png) | {_cell(module(name).DESCRIPTION)} | "
                     f"`ascentlab figure {name}` |")
    return "\n".join(lines)


def methods_table() -> str:
    """The README's method table, one row per registered method (`ascentlab.methods.REGISTRY`)."""
    from .methods import REGISTRY

    lines = ["| method | what it does | reference | guarantee | figure |", "|---|---|---|---|---|"]
    for name, info in REGISTRY.items():
        lines.append(f"| `{name}` | {_cell(info.what)} | {_cell(info.reference)} | {_cell(info.guarantee)} | "
                     f"[`{info.figure}`](#figures-and-lectures) |")
    return "\n".join(lines)


BLOCKS = {"results table": results_table, "figures table": figures_table, "methods table": methods_table}


def render(text: str) -> str:
    """`text` (the README) with every generated block replaced by its current content."""
    for name, make in BLOCKS.items():
        pattern = re.compile(rf"(<!-- generated: {name} -->\n)(.*?)(\n<!-- end generated: {name} -->)", re.S)
        if not pattern.search(text):
            raise ValueError(f"README.md: the markers of the generated block {name!r} are missing")
        body = make()
        text = pattern.sub(lambda m: m.group(1) + body + m.group(3), text)
    return text


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not README.exists():
        print(f"python -m ascentlab._readme: no README.md at {README}: run it in a clone of the repository",
              file=sys.stderr)
        return 2
    text = README.read_text()
    new = render(text)
    if "--check" in argv:
        if new != text:
            print("README.md is out of date: run `python -m ascentlab._readme`", file=sys.stderr)
            return 1
        return 0
    README.write_text(new)
    print("README.md: generated tables updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())

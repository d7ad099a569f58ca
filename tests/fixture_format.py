"""Parsing of the fixture format (DESIGN §5), shared by the static and runtime fixture tests.

A fixture is a realistic program; `# expect: LL101` (or `# expect: LL104, LL105`) on a line says
that finding is anchored there. An optional first line `# losslint-fixture: key=value ...`
sets `select=`, `extend-select=`, `ignore=` (comma-separated codes) and other flags. Runtime
parity (tests/runtime/test_backends.py) reads `runtime=no (reason)`: the program cannot run in
the test environment at all; and `runtime-unseen=RUNTIME:CODE,...` (RUNTIME one of tensorflow,
jax, torch, tf_keras, or `*`), followed by the reason: that runtime cannot see that finding.

Project fixtures (`fixtures/project/<name>/`) are small multi-file projects checked as one
directory (`losslint check` follows the imports between their modules); their expectations are
(file relative to the project, cell or None, line, code). Their files with a header are scripts
(`script=yes`), run with the runtime hook as `python file.py` would (or `python -m pkg.file` in a
package); `check=DIR` on a script's header checks that directory instead of the whole project.

Notebook fixtures (`fixtures/<CODE>/*.ipynb`) carry the same comments inside code cells; their
expectations are (cell, line in cell, code) with cells numbered over all cells like ruff. The
header comment, if any, is the first line of the first code cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
EXPECT = re.compile(r"#\s*expect:\s*(LL\d{3}(?:\s*,\s*LL\d{3})*)")
HEADER = re.compile(r"^#\s*losslint-fixture:(.*)$")
GOLDEN_SUFFIXES = (".fixed.py", ".unsafe-fixed.py")
NOTEBOOK_GOLDEN_SUFFIXES = (".fixed.ipynb", ".unsafe-fixed.ipynb")


@dataclass
class Fixture:
    path: Path
    expected: set[tuple[int, str]]
    options: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.path.relative_to(FIXTURES))

    def codes(self) -> frozenset[str]:
        from losslint.registry import select_codes

        def split(key: str) -> list[str]:
            return [c for c in self.options.get(key, "").split(",") if c]

        select = split("select") or None
        return select_codes(select, split("ignore"), split("extend-select"))


def parse_expectations(lines: list[str]) -> set[tuple[int, str]]:
    expected = set()
    for number, line in enumerate(lines, start=1):
        match = EXPECT.search(line)
        if match:
            expected |= {(number, code.strip()) for code in match.group(1).split(",")}
    return expected


def parse_header(first_line: str) -> dict[str, str]:
    match = HEADER.match(first_line.strip())
    if not match:
        return {}
    return dict(pair.split("=", 1) for pair in match.group(1).split() if "=" in pair)


def load(path: Path) -> Fixture:
    lines = path.read_text(encoding="utf-8").splitlines()
    return Fixture(path, parse_expectations(lines), parse_header(lines[0] if lines else ""))


PROJECTS = FIXTURES / "project"


def python_fixtures() -> list[Fixture]:
    """Single-file fixtures (and the scripts of project fixtures with `project=True`)."""
    return [load(p) for p in sorted(FIXTURES.rglob("*.py"))
            if not p.name.endswith(GOLDEN_SUFFIXES) and PROJECTS not in p.parents]


@dataclass
class ProjectFixture:
    """A directory of modules checked together; `expected` holds (file, cell, line, code)."""

    root: Path
    expected: set[tuple[str, int | None, int, str]]
    scripts: list[Fixture]
    check: list[str]

    @property
    def id(self) -> str:
        return str(self.root.relative_to(FIXTURES))


def load_project(root: Path) -> ProjectFixture:
    expected, scripts, check = set(), [], []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.suffix == ".py" and not path.name.endswith(GOLDEN_SUFFIXES):
            fixture = load(path)
            expected |= {(relative, None, line, code) for line, code in fixture.expected}
            if fixture.options.get("script") == "yes":
                scripts.append(fixture)
                check += [c for c in fixture.options.get("check", "").split(",") if c]
        elif path.suffix == ".ipynb" and ".ipynb_checkpoints" not in path.parts:
            notebook = load_notebook(path)
            expected |= {(relative, cell, line, code) for cell, line, code in notebook.expected}
    return ProjectFixture(root, expected, scripts, sorted(set(check)) or ["."])


def project_fixtures() -> list[ProjectFixture]:
    return [load_project(p) for p in sorted(PROJECTS.iterdir()) if p.is_dir()]


@dataclass
class NotebookFixture(Fixture):
    """`expected` holds (cell, line, code); `cells` maps a cell number to its source lines."""

    cells: dict[int, list[str]] = field(default_factory=dict)


def notebook_cells(path: Path) -> dict[int, list[str]]:
    """Code cells by 1-based number over all cells (read with json, like the linter)."""
    import json

    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = {}
    for number, cell in enumerate(notebook["cells"], start=1):
        if cell["cell_type"] == "code":
            source = cell["source"]
            cells[number] = ("".join(source) if isinstance(source, list) else source).splitlines()
    return cells


def load_notebook(path: Path) -> NotebookFixture:
    cells = notebook_cells(path)
    expected = {(number, line, code) for number, lines in cells.items()
                for line, code in parse_expectations(lines)}
    first = next(iter(cells.values()), [""])
    return NotebookFixture(path, expected, parse_header(first[0] if first else ""), cells)


def notebook_fixtures() -> list[NotebookFixture]:
    return [load_notebook(p) for p in sorted(FIXTURES.rglob("*.ipynb"))
            if ".ipynb_checkpoints" not in p.parts and not p.name.endswith(NOTEBOOK_GOLDEN_SUFFIXES)
            and PROJECTS not in p.parents]

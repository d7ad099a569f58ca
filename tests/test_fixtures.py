"""Every fixture produces exactly the findings its `# expect:` comments name."""

from __future__ import annotations

import pytest

from fixture_format import FIXTURES, Fixture, NotebookFixture, notebook_fixtures, python_fixtures
from losslint.api import lint_file

FIXTURE_LIST = python_fixtures()
NOTEBOOK_LIST = notebook_fixtures()


@pytest.mark.parametrize("fixture", FIXTURE_LIST, ids=[f.id for f in FIXTURE_LIST])
def test_fixture(fixture: Fixture) -> None:
    diagnostics = lint_file(str(fixture.path), fixture.codes())
    actual = {(d.anchor.line, d.code) for d in diagnostics}
    if actual != fixture.expected:
        lines = fixture.path.read_text(encoding="utf-8").splitlines()
        report = [f"{fixture.id}: findings differ from the # expect: comments"]
        for line, code in sorted(fixture.expected - actual):
            report.append(f"  missing    {code} at line {line}: {lines[line - 1].strip()}")
        for line, code in sorted(actual - fixture.expected):
            message = next(d.message for d in diagnostics if (d.anchor.line, d.code) == (line, code))
            report.append(f"  unexpected {code} at line {line}: {lines[line - 1].strip()}\n      ({message})")
        pytest.fail("\n".join(report), pytrace=False)


def test_clean_fixtures_exist() -> None:
    clean = [f for f in FIXTURE_LIST if f.path.parent == FIXTURES / "clean"]
    assert len(clean) >= 15
    assert all(not f.expected for f in clean)


@pytest.mark.parametrize("fixture", NOTEBOOK_LIST, ids=[f.id for f in NOTEBOOK_LIST])
def test_notebook_fixture(fixture: NotebookFixture) -> None:
    diagnostics = lint_file(str(fixture.path), fixture.codes())
    actual = {(d.anchor.cell, d.anchor.line, d.code) for d in diagnostics}
    if actual != fixture.expected:
        report = [f"{fixture.id}: findings differ from the # expect: comments"]

        def source(cell, line):
            lines = fixture.cells.get(cell, [])
            return lines[line - 1].strip() if 0 < line <= len(lines) else "?"

        for cell, line, code in sorted(fixture.expected - actual):
            report.append(f"  missing    {code} at cell {cell}, line {line}: {source(cell, line)}")
        for cell, line, code in sorted(actual - fixture.expected, key=str):
            message = next(d.message for d in diagnostics if (d.anchor.cell, d.anchor.line, d.code) == (cell, line, code))
            report.append(f"  unexpected {code} at cell {cell}, line {line}: {source(cell, line)}\n      ({message})")
        pytest.fail("\n".join(report), pytrace=False)


def test_notebook_fixtures_are_valid_nbformat() -> None:
    nbformat = pytest.importorskip("nbformat")
    assert NOTEBOOK_LIST, "expected notebook fixtures"
    for fixture in NOTEBOOK_LIST:
        nbformat.validate(nbformat.read(str(fixture.path), as_version=nbformat.NO_CONVERT))
    assert any(f.expected for f in NOTEBOOK_LIST) and any(not f.expected for f in NOTEBOOK_LIST)

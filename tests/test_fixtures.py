"""Every fixture produces exactly the findings its `# expect:` comments name."""

from __future__ import annotations

import pytest

from fixture_format import FIXTURES, Fixture, python_fixtures
from losslint.api import lint_file

FIXTURE_LIST = python_fixtures()


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

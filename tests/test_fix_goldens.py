"""Applying fixes to every fixture gives its goldens exactly (DESIGN §5).

`x.py` → `x.fixed.py` (safe fixes) and `x.unsafe-fixed.py` (safe + unsafe); notebooks likewise
`x.ipynb` → `x.fixed.ipynb` / `x.unsafe-fixed.ipynb` (the fixer edits the notebook JSON). A missing golden
means "no change": without `x.fixed.py` the safe fixes must leave `x.py` as it is, without
`x.unsafe-fixed.py` the unsafe run must give the same as the safe one. The fixed program must
not be reported for the fixed code again, and fixing it once more changes nothing.

Regenerate after a deliberate change with `LOSSLINT_UPDATE_GOLDENS=1 pytest tests/test_fix_goldens.py`
and review the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from fixture_format import Fixture, notebook_fixtures, python_fixtures
from losslint.api import check_bytes, lint_source
from losslint.static.fix import realise_fixes
from losslint.static.fixer import fix_text

FIXTURE_LIST = python_fixtures()
NOTEBOOK_LIST = notebook_fixtures()
UPDATE = os.environ.get("LOSSLINT_UPDATE_GOLDENS") == "1"


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def _golden(fixture: Fixture, suffix: str) -> Path:
    """`suffix` is ".fixed.py" or ".unsafe-fixed.py"; notebooks get the same with ".ipynb"."""
    if fixture.path.suffix == ".ipynb":
        suffix = suffix[: -len(".py")] + ".ipynb"
    return fixture.path.with_name(fixture.path.stem + suffix)


def _check(fixture: Fixture, golden: Path, expected_if_missing: str, actual: str) -> None:
    if UPDATE:
        if actual != expected_if_missing:
            golden.write_bytes(actual.encode("utf-8"))
        elif golden.exists():
            golden.unlink()
        return
    expected = _read(golden) if golden.exists() else expected_if_missing
    assert actual == expected, f"{fixture.id}: fixing does not give {golden.name}"


@pytest.mark.parametrize("fixture", FIXTURE_LIST + NOTEBOOK_LIST, ids=[f.id for f in FIXTURE_LIST + NOTEBOOK_LIST])
def test_fix_gives_goldens(fixture: Fixture) -> None:
    source = _read(fixture.path)
    codes = fixture.codes()
    path = str(fixture.path)
    safe, _, remaining, fixes = fix_text(source, path, codes, unsafe=False)
    _check(fixture, _golden(fixture, ".fixed.py"), source, safe)
    assert not any(f.applies(False) for f in fixes.values()), f"{fixture.id}: safe fixes left after --fix"

    unsafe, _, remaining_unsafe, fixes_unsafe = fix_text(source, path, codes, unsafe=True)
    _check(fixture, _golden(fixture, ".unsafe-fixed.py"), safe, unsafe)
    assert not any(f.applies(True) for f in fixes_unsafe.values())

    if path.endswith(".ipynb"):
        import nbformat

        for fixed in (safe, unsafe):
            nbformat.validate(nbformat.reads(fixed, as_version=4))
        before = check_bytes(source.encode("utf-8"), path, codes).diagnostics
    else:
        before = lint_source(source, path, codes)
    for fixed, left, unsafe_mode in ((safe, remaining, False), (unsafe, remaining_unsafe, True)):
        if fixed == source:
            continue
        assert len(left) < len(before), f"{fixture.id}: fixing did not remove a finding"
        again = fix_text(fixed, path, codes, unsafe=unsafe_mode)
        assert again[0] == fixed and again[1] == 0, f"{fixture.id}: a second --fix changes the file again"


def test_every_fixable_rule_has_goldens() -> None:
    """LL103's fix needs label facts, which the static front end does not produce yet."""
    covered = set()
    for fixture in FIXTURE_LIST:
        if _golden(fixture, ".fixed.py").exists() or _golden(fixture, ".unsafe-fixed.py").exists():
            covered |= {code for _, code in fixture.expected}
    assert {"LL101", "LL102", "LL104", "LL105", "LL106", "LL107"} <= covered


def test_goldens_have_a_source() -> None:
    for golden in Path(FIXTURE_LIST[0].path).parents[1].rglob("*fixed.*"):
        name = re.sub(r"(\.unsafe-fixed|\.fixed)(\.py|\.ipynb)$", r"\2", golden.name)
        assert golden.with_name(name).exists(), f"{golden} has no source program"


def test_fix_message_reads_as_advice() -> None:
    """The fix message is printed on its own (JSON, runtime): it names the change concretely."""
    for fixture in FIXTURE_LIST:
        source = _read(fixture.path)
        for d, fix in realise_fixes(source, lint_source(source, str(fixture.path), fixture.codes())).items():
            assert fix.message and fix.message[0].islower() and "`" in fix.message, (fixture.id, fix.message)

"""Parsing of the fixture format (DESIGN §5), shared by the static and runtime fixture tests.

A fixture is a realistic program; `# expect: LL101` (or `# expect: LL104, LL105`) on a line says
that finding is anchored there. An optional first line `# losslint-fixture: key=value ...`
sets `select=`, `extend-select=`, `ignore=` (comma-separated codes) and other flags.
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


def python_fixtures() -> list[Fixture]:
    return [load(p) for p in sorted(FIXTURES.rglob("*.py")) if not p.name.endswith(GOLDEN_SUFFIXES)]

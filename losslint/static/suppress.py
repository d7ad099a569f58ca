"""`# noqa` suppression, read from real comment tokens (a `# noqa` inside a string does not count).

* Line: `# noqa: LL101` (several: `# noqa: LL101, LL203`; bare `# noqa` = every code) on the line
  a finding is reported on — the anchor line each rule documents (the loss expression for loss
  rules, the activation argument for LL104, the metric for 3xx). Case-insensitive like ruff;
  `#noqa:LL101` works too.
* File: `# losslint: noqa` (every code) or `# losslint: noqa: LL101` as a comment on its own line,
  anywhere in the file (in a notebook: in any code cell).
* LL900 (the file could not be read) is never suppressed.

Works on the analyzed text, so in a notebook it sees the comments of every code cell.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Callable, Iterable

from ..diagnostics import Diagnostic, SourceRef

UNSUPPRESSIBLE = frozenset({"LL900"})
_CODES = r"[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*"
_LINE = re.compile(rf"#\s*noqa(?::\s?(?P<codes>{_CODES}))?", re.I)
_FILE = re.compile(rf"^#\s*losslint\s*:\s*noqa(?::\s?(?P<codes>{_CODES}))?\s*$", re.I)
ALL = None  # marker: every code


@dataclass
class Suppressions:
    lines: dict[int, frozenset[str] | None] = field(default_factory=dict)  # line -> codes, None = all
    file: frozenset[str] | None | bool = False  # False: no file-level noqa; None: all codes

    def covers(self, code: str, line: int) -> bool:
        if code in UNSUPPRESSIBLE:
            return False
        if self.file is None or (self.file and code in self.file):
            return True
        if line not in self.lines:
            return False
        codes = self.lines[line]
        return codes is None or code in codes


def _codes(text: str | None) -> frozenset[str] | None:
    if not text:
        return None
    return frozenset(part.upper() for part in re.split(r"[,\s]+", text) if part)


def comments(text: str) -> Iterable[tuple[int, str, bool]]:
    """(line, comment text, alone on its line) for every comment token."""
    try:
        code_on_line: set[int] = set()
        found = []
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                found.append((token.start[0], token.string))
            elif token.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                                    tokenize.ENDMARKER):
                code_on_line.update(range(token.start[0], token.end[0] + 1))
        return [(line, comment, line not in code_on_line) for line, comment in found]
    except (tokenize.TokenError, SyntaxError):
        return []


def parse(text: str) -> Suppressions:
    result = Suppressions()
    for line, comment, alone in comments(text):
        file_match = _FILE.match(comment.strip())
        if file_match:
            if alone:
                codes = _codes(file_match.group("codes"))
                if codes is None or result.file is None:
                    result.file = None
                else:
                    result.file = (result.file or frozenset()) | codes
            continue
        match = _LINE.search(comment)
        if match:
            codes = _codes(match.group("codes"))
            previous = result.lines.get(line, frozenset())
            result.lines[line] = None if codes is None or previous is None else previous | codes
    return result


def split(diagnostics: Iterable[Diagnostic], text: str,
          line_of: Callable[[SourceRef], int] | None = None) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """(kept, suppressed). `line_of` maps an anchor to its line in `text` (notebooks: cell line →
    virtual-module line); by default the anchor's line is already a line of `text`."""
    diagnostics = list(diagnostics)
    if not diagnostics or "noqa" not in text.lower():
        return diagnostics, []
    suppressions = parse(text)
    kept, suppressed = [], []
    for d in diagnostics:
        line = line_of(d.anchor) if line_of is not None else d.anchor.line
        (suppressed if suppressions.covers(d.code, line) else kept).append(d)
    return kept, suppressed

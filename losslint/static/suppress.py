"""`# noqa` suppression, read from real comment tokens (a `# noqa` inside a string does not count).

* Line: `# noqa: LL101` (several: `# noqa: LL101, LL203`; bare `# noqa` = every code) on the line
  a finding is reported on — the anchor line each rule documents (the loss expression for loss
  rules, the activation argument for LL104, the metric for 3xx). Case-insensitive like ruff;
  `#noqa:LL101` works too.
* File: `# losslint: noqa` (every code) or `# losslint: noqa: LL101` as a comment on its own line,
  anywhere in the file (in a notebook: in any code cell).
* LL900 (the file could not be read) is never suppressed.
* `unused(...)`: the `# noqa` codes that silenced nothing (LL903, opt-in, like ruff's RUF100).

Works on the analyzed text, so in a notebook it sees the comments of every code cell.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Callable, Iterable

from ..diagnostics import Diagnostic, FixIntent, SourceRef

UNSUPPRESSIBLE = frozenset({"LL900"})
UNUSED_NOQA = "LL903"
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
    return [(line, comment, alone) for line, _, comment, alone in _comments(text)]


def _comments(text: str) -> list[tuple[int, int, str, bool]]:
    """(line, column, comment text, alone on its line) for every comment token."""
    try:
        code_on_line: set[int] = set()
        found = []
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                found.append((token.start[0], token.start[1], token.string))
            elif token.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                                    tokenize.ENDMARKER):
                code_on_line.update(range(token.start[0], token.end[0] + 1))
        return [(line, col, comment, line not in code_on_line) for line, col, comment in found]
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


def unused(text: str, suppressed: Iterable[Diagnostic], codes: frozenset[str], path: str,
           line_of: Callable[[SourceRef], int] | None = None) -> list[Diagnostic]:
    """LL903 findings (positions in `text`) for `# noqa` codes that silenced none of `suppressed`.

    Judged: losslint codes (`LL…`) that are selected in this run, `LL900` (never silenced), codes
    losslint does not have, and a file-level `# losslint: noqa` that silenced nothing. Left alone:
    a bare `# noqa` and other tools' codes (shared with flake8 / ruff), unselected codes.
    """
    if UNUSED_NOQA not in codes or "noqa" not in text.lower():
        return []
    from ..registry import RETIRED, all_rules

    known = all_rules()
    used_lines: dict[int, set[str]] = {}
    used_codes: set[str] = set()
    for d in suppressed:
        used_lines.setdefault(line_of(d.anchor) if line_of is not None else d.anchor.line, set()).add(d.code)
        used_codes.add(d.code)
    found: list[tuple[int, int, str, str, FixIntent | None]] = []  # (line, col, comment, why, fix)
    lines = text.splitlines(keepends=True)
    for line, col, comment, alone in _comments(text):
        file_match = _FILE.match(comment.strip())
        if file_match:
            if not alone:
                continue
            listed = _codes(file_match.group("codes"))
            if listed is None:
                if not used_codes:
                    found.append((line, col, comment, "`# losslint: noqa` silenced nothing in this file",
                                  _without(path, lines, line, col, comment, file_match, ())))
                continue
            stale = [c for c in sorted(listed) if _judged(c, codes, known, RETIRED) and c not in used_codes]
            match = file_match
            if stale:
                found.append((line, col, comment, _why(stale, known).replace("on this line", "in this file"),
                              _without(path, lines, line, col, comment, match, stale)))
            continue
        else:
            match = _LINE.search(comment)
            listed = _codes(match.group("codes")) if match else None
            if not listed:
                continue
            if UNUSED_NOQA in listed:
                continue  # `# noqa: LL903` silences this notice on its line
            here = used_lines.get(line, set())
            stale = [c for c in sorted(listed) if _judged(c, codes, known, RETIRED) and c not in here]
        if stale:
            found.append((line, col, comment, _why(stale, known), _without(path, lines, line, col, comment, match,
                                                                         stale)))
    rule = known[UNUSED_NOQA]
    return [Diagnostic(UNUSED_NOQA, rule.name, message,
                       "remove the code from the comment (or the comment, if nothing is left)",
                       SourceRef(path, line, col, line, col + len(comment)), filename=path,
                       fixes=(fix,) if fix is not None else ())
            for line, col, comment, message, fix in found]


def _without(path: str, lines: list[str], line: int, col: int, comment: str, match, stale) -> FixIntent | None:
    """The safe fix of an LL903: the stale codes dropped from the directive; the directive dropped
    when no code is left; the comment (and the spaces before it) dropped when nothing else is in it;
    a file-level directive alone on its line: the line."""
    from ..diagnostics import Applicability, FixIntent

    if not 0 < line <= len(lines):
        return None
    listed = re.split(r"[,\s]+", match.group("codes")) if match.group("codes") else []
    kept = [c for c in listed if c and c.upper() not in set(stale)] if stale else []
    if kept:
        new = comment[:match.start("codes")] + ", ".join(kept) + comment[match.end("codes"):]
        start, end, replacement = col, col + len(comment), new
        message = f"remove unused `noqa` code{'s' if len(stale) > 1 else ''} {', '.join(stale)}"
    else:
        rest = (comment[:match.start()].rstrip() + "  " + comment[match.end():].lstrip()).strip()
        message = "remove the unused `noqa` directive"
        if rest:
            start, end, replacement = col, col + len(comment), rest
        else:
            body = lines[line - 1][:col]
            if body.strip():  # code before the comment: drop the comment and the spaces before it
                start, end, replacement = len(body.rstrip()), col + len(comment), ""
            else:  # the comment is alone on its line: drop the line
                ending = lines[line - 1][len(lines[line - 1].rstrip("\r\n")):]
                target = (SourceRef(path, line, 0, line + 1, 0) if ending
                          else SourceRef(path, line, 0, line, col + len(comment)))
                return FixIntent("replace-comment-text", target, Applicability.SAFE, message, value="",
                                 keywords=(("expected", lines[line - 1]),))
    source = lines[line - 1]
    return FixIntent("replace-comment-text", SourceRef(path, line, start, line, end), Applicability.SAFE, message,
                     value=replacement, keywords=(("expected", source[start:end]),))


def _judged(code: str, selected: frozenset[str], known, retired) -> bool:
    if not code.startswith("LL"):
        return False  # another tool's code
    return code in UNSUPPRESSIBLE or code in selected or (code not in known and code not in retired)


def _why(stale: list[str], known) -> str:
    unknown = [c for c in stale if c not in known]
    never = [c for c in stale if c in UNSUPPRESSIBLE]
    unused_codes = [c for c in stale if c in known and c not in UNSUPPRESSIBLE]
    parts = []
    if unused_codes:
        parts.append(f"unused `noqa` code{'s' if len(unused_codes) > 1 else ''}: "
                     + ", ".join(f"`{c}`" for c in unused_codes) + " (nothing silenced on this line)")
    if never:
        parts.append(f"`{never[0]}` cannot be silenced")
    if unknown:
        parts.append(f"unknown code{'s' if len(unknown) > 1 else ''}: " + ", ".join(f"`{c}`" for c in unknown))
    return "; ".join(parts)

"""`losslint check --add-noqa`: add `# noqa: CODE` to the line of every current finding (like
ruff's `--add-noqa`), so a code base can adopt losslint and fix findings one at a time.

An existing `# noqa: …` on the line gets the new codes added to it; another comment on the line is
kept and the directive goes after it (`x = 1  # note  # noqa: LL101`, which `# noqa` parsing
finds anywhere in the comment). A line that ends inside a multi-line string or with a backslash
continuation cannot take a comment and is left alone (counted as skipped). Notebooks are edited
through their virtual module, so only the changed source lines of the `.ipynb` are rewritten.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from typing import Iterable

from ..diagnostics import Diagnostic
from .fixer import read_source, write_source
from .notebook import NotebookError, notebook_document, updated_json
from .source import is_notebook
from .suppress import UNSUPPRESSIBLE

_NOQA = re.compile(r"#\s*noqa:\s?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*)", re.I)


@dataclass
class Added:
    directives: int = 0  # lines that got (or extended) a `# noqa`
    skipped: int = 0  # lines that cannot carry a comment


def add_noqa(diagnostics: Iterable[Diagnostic], skip: Iterable[str] = ()) -> Added:
    """Edit the files of `diagnostics` in place; files in `skip` (standard input) are left alone."""
    by_file: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        if d.code not in UNSUPPRESSIBLE and d.filename and d.filename not in set(skip):
            by_file.setdefault(d.filename, []).append(d)
    total = Added()
    for path, found in by_file.items():
        source = read_source(path)
        if source is None:
            continue
        if is_notebook(path):
            try:
                document = notebook_document(path, source.text)
            except NotebookError:
                continue
            code, line_of = document.text, document.virtual_line
        else:
            code, line_of = source.text, (lambda ref: ref.line)
        wanted: dict[int, set[str]] = {}
        for d in found:
            wanted.setdefault(line_of(d.anchor), set()).add(d.code)
        new_code, added = with_noqa(code, wanted)
        total.directives += added.directives
        total.skipped += added.skipped
        if new_code != code:
            write_source(source, updated_json(path, source.text, new_code) if is_notebook(path) else new_code)
    return total


def with_noqa(text: str, wanted: dict[int, set[str]]) -> tuple[str, Added]:
    """`text` with `# noqa: CODES` on each line of `wanted` (1-based line → codes)."""
    lines = text.splitlines(keepends=True)
    comments, blocked = _comments_and_blocked_lines(text)
    added = Added()
    for number, codes in sorted(wanted.items()):
        if not 1 <= number <= len(lines) or number in blocked:
            added.skipped += 1
            continue
        line = lines[number - 1]
        body = line.rstrip("\r\n")
        ending = line[len(body):]
        comment = comments.get(number)
        match = _NOQA.search(comment[1]) if comment else None
        if match:
            start = comment[0] + match.start("codes")
            present = [c.upper() for c in re.split(r"[,\s]+", match.group("codes")) if c]
            merged = present + sorted(set(codes) - set(present))
            if merged == present:
                continue
            body = body[:start] + ", ".join(merged) + body[comment[0] + match.end("codes"):]
        else:
            body = body.rstrip() + "  # noqa: " + ", ".join(sorted(codes))
        lines[number - 1] = body + ending
        added.directives += 1
    return "".join(lines), added


def _comments_and_blocked_lines(text: str) -> tuple[dict[int, tuple[int, str]], set[int]]:
    """({line: (column, comment text)}, lines that end inside a string or with a backslash)."""
    comments: dict[int, tuple[int, str]] = {}
    blocked: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                comments[token.start[0]] = (token.start[1], token.string)
            elif token.start[0] != token.end[0] and token.type not in (tokenize.NL, tokenize.NEWLINE):
                blocked.update(range(token.start[0], token.end[0]))  # a string spanning lines
    except (tokenize.TokenError, SyntaxError):
        return comments, set(range(1, text.count("\n") + 2))
    for number, line in enumerate(text.splitlines(), start=1):
        if line.rstrip().endswith("\\") and number not in comments:
            blocked.add(number)
    return comments, blocked

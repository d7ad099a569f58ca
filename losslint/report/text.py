"""ruff-style concise text: `path:line:col: CODE [*] message`, then `help:` and `note:` lines."""

from __future__ import annotations

from collections import Counter
from typing import Callable, Sequence

from ..diagnostics import Diagnostic, SourceRef
from .terminal import PLAIN, Style


def position(ref: SourceRef, filename: str | None = None) -> str:
    """`a.py:3:5` or `nb.ipynb:cell 2:3:5` (1-based line and column)."""
    path = filename or ref.path or "-"
    cell = f"cell {ref.cell}:" if ref.cell is not None else ""
    return f"{path}:{cell}{ref.line}:{ref.col + 1}"


def render(diagnostics: Sequence[Diagnostic], *, fixable: Callable[[Diagnostic], bool] = lambda d: False,
           show_notes: bool = True, style: Style = PLAIN) -> str:
    """One finding per line, with its `help:` and `note:` lines; `style` colours them on a terminal
    (position bold, code red, `[*]` cyan, `help:` green, `note:` blue), the text staying the same."""
    lines = []
    for d in diagnostics:
        mark = " " + style("[*]", "cyan") if fixable(d) else ""
        lines.append(f"{style(position(d.anchor, d.filename), 'bold')}: {style(d.code, 'bold', 'red')}{mark} "
                     f"{d.message}")
        if d.help:
            lines.append(f"  {style('help:', 'bold', 'green')} {d.help}")
        if show_notes:
            for related in d.related:
                lines.append(f"  {style('note:', 'bold', 'blue')} {position(related.ref)}: {related.message}")
    return "\n".join(lines)


def summary(diagnostics: Sequence[Diagnostic], fixed: int = 0, style: Style = PLAIN) -> str:
    """`Found 3 errors.`; after `--fix`: `Found 3 errors (2 fixed, 1 remaining).` (ruff's words)."""
    if not diagnostics and not fixed:
        return style("All checks passed!", "green")
    count = len(diagnostics) + fixed
    found = f"Found {_plural(count, 'error')}"
    return f"{found} ({fixed} fixed, {len(diagnostics)} remaining)." if fixed else f"{found}."


def fix_hint(fixable: int, hidden: int, unsafe: bool = False) -> str | None:
    """ruff's line: `[*] 2 fixable with the `--fix` option (1 hidden fix can be enabled with the
    `--unsafe-fixes` option).`; None when there is nothing to say."""
    hidden_part = (f"{_plural(hidden, 'hidden fix', 'hidden fixes')} can be enabled with the "
                   f"`--unsafe-fixes` option") if hidden and not unsafe else ""
    if fixable:
        return f"[*] {fixable} fixable with the `--fix` option" + (f" ({hidden_part})." if hidden_part else ".")
    return f"No fixes available ({hidden_part})." if hidden_part else None


def would_fix(count: int) -> str:
    """`--diff` summary (stderr): `Would fix 2 errors.`, or `No errors would be fixed.`"""
    return f"Would fix {_plural(count, 'error')}." if count else "No errors would be fixed."


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def statistics(diagnostics: Sequence[Diagnostic], fixable: Callable[[Diagnostic], bool] = lambda d: False) -> str:
    """One line per code, most frequent first: `  3  LL101  probabilities-passed-as-logits`, then
    `  [*] 2 fixable` when `--fix` would fix some of them."""
    return "\n".join(f"{row['count']:>5}  {row['code']}  {row['name']}"
                     + (f"  [*] {row['fixable']} fixable" if row["fixable"] else "")
                     for row in statistics_rows(diagnostics, fixable))


def render_full(diagnostics: Sequence[Diagnostic], *, fixable: Callable[[Diagnostic], bool] = lambda d: False,
                source: Callable[[Diagnostic], Sequence[str] | None] = lambda d: None,
                style: Style = PLAIN, context: int = 2) -> str:
    """ruff's `full` format: the concise line, then the source around the finding with a caret
    line under its span, then `= help:` and `= note:` lines; findings separated by a blank line.
    `source(d)` gives the lines of the file (of the cell, in a notebook) the finding is in."""
    blocks = []
    for d in diagnostics:
        mark = " " + style("[*]", "cyan") if fixable(d) else ""
        lines = [f"{style(position(d.anchor, d.filename), 'bold')}: {style(d.code, 'bold', 'red')}{mark} "
                 f"{d.message}"]
        lines += frame(d, source(d), style, context)
        if d.help:
            lines.append(f"  = {style('help:', 'bold', 'green')} {d.help}")
        for related in d.related:
            lines.append(f"  = {style('note:', 'bold', 'blue')} {position(related.ref)}: {related.message}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def frame(d: Diagnostic, text_lines: Sequence[str] | None, style: Style = PLAIN, context: int = 2) -> list[str]:
    """The source lines around `d.anchor`, numbered, with `^^^ CODE` under the span (its first line)."""
    ref = d.anchor
    if not text_lines or not 0 < ref.line <= len(text_lines):
        return []
    first, last = max(1, ref.line - context), min(len(text_lines), ref.line + context)
    width = len(str(last))
    gutter = " " * (width + 1) + style("|", "blue")
    out = [gutter]
    for number in range(first, last + 1):
        text = text_lines[number - 1].rstrip("\r\n")
        out.append(f"{style(str(number).rjust(width), 'blue')} {style('|', 'blue')} {_untab(text)}".rstrip())
        if number == ref.line:
            start = len(_untab(text[: ref.col]))
            end_col = ref.end_col if ref.end_line == ref.line and ref.end_col > ref.col else len(text)
            length = max(1, len(_untab(text[:end_col])) - start)
            out.append(f"{gutter} {' ' * start}{style('^' * length + ' ' + d.code, 'bold', 'red')}")
    out.append(gutter)
    return out


def _untab(text: str) -> str:
    return text.expandtabs(4)


def statistics_rows(diagnostics: Sequence[Diagnostic], fixable: Callable[[Diagnostic], bool] = lambda d: False
                    ) -> list[dict]:
    """Per code, most frequent first: {code, name, count, fixable} (how many `--fix` would fix)."""
    counts = Counter((d.code, d.name) for d in diagnostics)
    fixes = Counter(d.code for d in diagnostics if fixable(d))
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    return [{"code": code, "name": name, "count": n, "fixable": fixes[code]} for (code, name), n in rows]

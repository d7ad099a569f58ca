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


def statistics(diagnostics: Sequence[Diagnostic]) -> str:
    """One line per code, most frequent first: `  3  LL101  probabilities-passed-as-logits`."""
    counts = Counter((d.code, d.name) for d in diagnostics)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    return "\n".join(f"{n:>5}  {code}  {name}" for (code, name), n in rows)

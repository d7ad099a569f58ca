"""ruff-style concise text: `path:line:col: CODE [*] message`, then `help:` and `note:` lines."""

from __future__ import annotations

from collections import Counter
from typing import Callable, Sequence

from ..diagnostics import Diagnostic, SourceRef


def position(ref: SourceRef, filename: str | None = None) -> str:
    """`a.py:3:5` or `nb.ipynb:cell 2:3:5` (1-based line and column)."""
    path = filename or ref.path or "-"
    cell = f"cell {ref.cell}:" if ref.cell is not None else ""
    return f"{path}:{cell}{ref.line}:{ref.col + 1}"


def render(diagnostics: Sequence[Diagnostic], *, fixable: Callable[[Diagnostic], bool] = lambda d: False,
           show_notes: bool = True) -> str:
    lines = []
    for d in diagnostics:
        mark = " [*]" if fixable(d) else ""
        lines.append(f"{position(d.anchor, d.filename)}: {d.code}{mark} {d.message}")
        if d.help:
            lines.append(f"  help: {d.help}")
        if show_notes:
            for related in d.related:
                lines.append(f"  note: {position(related.ref)}: {related.message}")
    return "\n".join(lines)


def summary(diagnostics: Sequence[Diagnostic]) -> str:
    if not diagnostics:
        return "All checks passed!"
    count = len(diagnostics)
    return f"Found {count} error{'s' if count != 1 else ''}."


def statistics(diagnostics: Sequence[Diagnostic]) -> str:
    """One line per code, most frequent first: `  3  LL101  probabilities-passed-as-logits`."""
    counts = Counter((d.code, d.name) for d in diagnostics)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    return "\n".join(f"{n:>5}  {code}  {name}" for (code, name), n in rows)

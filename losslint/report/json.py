"""JSON output: one array of ruff-shaped objects (1-based rows and columns); json-lines: one
object per line. For notebooks `cell` is the 1-based cell (over all cells) and rows are inside it;
a notebook fix's edits carry their own `cell` (the edited layer may be in another cell)."""

from __future__ import annotations

import json
import os
from typing import Callable, Sequence

from ..diagnostics import Diagnostic, Fix
from .urls import rule_url


def _location(line: int, col: int) -> dict:
    return {"row": line, "column": col + 1}


def fix_dict(fix: Fix | None) -> dict | None:
    """ruff's shape: `{applicability, message, edits: [{content, location, end_location}]}`."""
    if fix is None:
        return None
    return {"applicability": fix.applicability.value, "message": fix.message,
            "edits": [{"content": e.content, "location": _location(e.line, e.col),
                       "end_location": _location(e.end_line, e.end_col),
                       **({"cell": e.cell} if e.cell is not None else {})} for e in fix.edits]}


def as_dict(d: Diagnostic, fix: Fix | None = None) -> dict:
    ref = d.anchor
    filename = d.filename or ref.path
    return {
        "code": d.code,
        "name": d.name,
        "message": d.message,
        "help": d.help,
        "filename": (os.path.abspath(filename) if filename and filename != "-" and not filename.startswith("<")
                     else filename),  # "-": standard input without --stdin-filename, as ruff,
        "cell": ref.cell,
        "location": _location(ref.line, ref.col),
        "end_location": _location(ref.end_line or ref.line, ref.end_col if ref.end_line else ref.col),
        "fix": fix_dict(fix),
        "confidence": d.confidence.value,
        "related": [{"message": r.message, "cell": r.ref.cell, "location": _location(r.ref.line, r.ref.col)}
                    for r in d.related],
        "url": rule_url(d.code),
    }


def render(diagnostics: Sequence[Diagnostic], fix_of: Callable[[Diagnostic], Fix | None] = lambda d: None) -> str:
    return json.dumps([as_dict(d, fix_of(d)) for d in diagnostics], indent=2)


def render_lines(diagnostics: Sequence[Diagnostic],
                 fix_of: Callable[[Diagnostic], Fix | None] = lambda d: None) -> str:
    """json-lines: one compact object per finding (empty output when there is none)."""
    return "\n".join(json.dumps(as_dict(d, fix_of(d)), ensure_ascii=False) for d in diagnostics)

"""JSON output: one array of ruff-shaped objects (1-based rows and columns)."""

from __future__ import annotations

import json
import os
from typing import Sequence

from ..diagnostics import Diagnostic, SourceRef


def _location(line: int, col: int) -> dict:
    return {"row": line, "column": col + 1}


def as_dict(d: Diagnostic) -> dict:
    ref = d.anchor
    filename = d.filename or ref.path
    return {
        "code": d.code,
        "name": d.name,
        "message": d.message,
        "help": d.help,
        "filename": os.path.abspath(filename) if filename and not filename.startswith("<") else filename,
        "cell": ref.cell,
        "location": _location(ref.line, ref.col),
        "end_location": _location(ref.end_line or ref.line, ref.end_col if ref.end_line else ref.col),
        "fix": None,
        "confidence": d.confidence.value,
        "related": [{"message": r.message, "cell": r.ref.cell, "location": _location(r.ref.line, r.ref.col)}
                    for r in d.related],
        "url": None,
    }


def render(diagnostics: Sequence[Diagnostic]) -> str:
    return json.dumps([as_dict(d) for d in diagnostics], indent=2)

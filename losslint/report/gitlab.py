"""GitLab Code Quality report (`--output-format gitlab`), the shape ruff writes: a JSON array of
`{check_name, description, severity, fingerprint, location: {path, positions: {begin, end}}}`.

Paths are relative to the repository root (GitLab matches them against the merge request's
files); a notebook finding points at the line of its source inside the `.ipynb` JSON, as for the
GitHub annotations. The fingerprint is SARIF's (stable across unrelated edits, unique per finding).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Callable, Sequence

from ..diagnostics import Diagnostic, SourceRef
from .github import _relative
from .sarif import _fingerprint, level

SEVERITY = {"error": "major", "warning": "minor", "note": "info"}


def render(diagnostics: Sequence[Diagnostic], *, root: str,
           physical: Callable[[SourceRef], SourceRef] = lambda ref: ref,
           line_text: Callable[[SourceRef], str] = lambda ref: "") -> str:
    seen: Counter[str] = Counter()
    out = []
    for d in diagnostics:
        fingerprint = _fingerprint(d, line_text)
        seen[fingerprint] += 1
        on_disk = physical(d.anchor)
        begin = {"line": max(on_disk.line, 1), "column": on_disk.col + 1}
        end = ({"line": on_disk.end_line, "column": on_disk.end_col + 1} if on_disk.end_line else dict(begin))
        out.append({
            "check_name": d.code,
            "description": f"{d.code} {d.message}" + (f" (help: {d.help})" if d.help else ""),
            "severity": SEVERITY[level(d.code)],
            "fingerprint": f"{fingerprint}{seen[fingerprint]:04x}",
            "location": {"path": _relative(d.filename or d.anchor.path or "-", root),
                         "positions": {"begin": begin, "end": end}},
        })
    return json.dumps(out, indent=2, ensure_ascii=False)

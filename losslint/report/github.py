"""GitHub Actions workflow commands: one `::error …::message` line per finding.

Escaping follows actions/toolkit `command.ts`: in the message `%`→`%25`, CR→`%0D`, LF→`%0A`;
in properties additionally `:`→`%3A` and `,`→`%2C`. A notebook finding points at the physical
line of its source inside the `.ipynb` JSON (`physical(ref)`), so the annotation lands on the
right line of the file. Paths are relative to `root` (the repository root).
"""

from __future__ import annotations

import os
from typing import Callable, Sequence

from ..diagnostics import Diagnostic, SourceRef
from .sarif import level
from .text import position

COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _relative(path: str, root: str) -> str:
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, root)
    return absolute if relative.startswith(os.pardir) else relative.replace(os.sep, "/")


def render(diagnostics: Sequence[Diagnostic], *, root: str,
           physical: Callable[[SourceRef], SourceRef] = lambda ref: ref) -> str:
    lines = []
    for d in diagnostics:
        filename = d.filename or d.anchor.path or "-"
        on_disk = physical(d.anchor)
        props = [("title", f"losslint ({d.code})"), ("file", _relative(filename, root)),
                 ("line", str(max(on_disk.line, 1))), ("col", str(on_disk.col + 1))]
        if on_disk.end_line:
            props += [("endLine", str(on_disk.end_line)), ("endColumn", str(on_disk.end_col + 1))]
        message = f"{position(d.anchor, _relative(filename, root))}: {d.code} {d.message}"
        if d.help:
            message += f"\n  help: {d.help}"
        rendered = ",".join(f"{key}={escape_property(value)}" for key, value in props)
        lines.append(f"::{COMMAND[level(d.code)]} {rendered}::{escape_data(message)}")
    return "\n".join(lines)

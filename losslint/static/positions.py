"""Positions on disk for reporters that point into files (SARIF, GitHub annotations).

A finding in a notebook is reported as (cell, line in cell); GitHub shows a file, so these
reporters need the physical line of that source line inside the `.ipynb` JSON. `FilePositions`
computes it (and the text of a source line, for stable fingerprints), reading each file once.
"""

from __future__ import annotations

from dataclasses import replace

from ..diagnostics import SourceRef
from .notebook import NotebookError, json_line, load_json


class FilePositions:
    def __init__(self) -> None:
        self._texts: dict[str, str | None] = {}

    def _text(self, path: str) -> str | None:
        if path not in self._texts:
            try:
                with open(path, "rb") as handle:
                    self._texts[path] = handle.read().decode("utf-8-sig", errors="replace")
            except OSError:
                self._texts[path] = None
        return self._texts[path]

    def physical(self, ref: SourceRef) -> SourceRef:
        """`ref` as a position in the file on disk: notebook (cell, line) → JSON line, cell=None."""
        if ref.cell is None or not ref.path:
            return ref
        text = self._text(ref.path)
        if text is None:
            return replace(ref, cell=None, line=1, col=0, end_line=1, end_col=0)
        start = json_line(ref.path, ref.cell, ref.line, ref.col, text=text)
        if start is None:
            return replace(ref, cell=None, line=1, col=0, end_line=1, end_col=0)
        end = json_line(ref.path, ref.cell, ref.end_line, ref.end_col, text=text) if ref.end_line else None
        if end is None or end < start:
            end = start
        return replace(ref, cell=None, line=start[0], col=start[1], end_line=end[0], end_col=end[1])

    def line_text(self, ref: SourceRef) -> str:
        """The source line `ref` starts on (inside its cell for notebooks), or ''."""
        if not ref.path:
            return ""
        text = self._text(ref.path)
        if text is None:
            return ""
        if ref.cell is not None:
            try:
                cell = load_json(text)["cells"][ref.cell - 1]
            except (NotebookError, IndexError, KeyError):
                return ""
            source = cell.get("source", "")
            text = "".join(source) if isinstance(source, list) else source
        lines = text.splitlines()
        return lines[ref.line - 1] if 0 < ref.line <= len(lines) else ""

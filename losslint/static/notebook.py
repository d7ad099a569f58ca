"""Jupyter notebooks as one virtual Python module, and back.

* `notebook_document(path, data)` — the code cells of an `.ipynb` (nbformat 4) concatenated in
  order into one module (a model built in cell 3 and compiled in cell 7 is one model). IPython
  syntax (`%line` / `%%cell` magics, `!shell`, `x = !cmd`, `obj?` / `??obj`) is replaced by a
  `pass` (or an empty line) with the same line count, so positions map 1:1 back to the cell.
* `NotebookDocument.locate(ref)` — virtual line → (cell, line in cell); cells are numbered
  1-based over *all* cells, markdown and raw included (like ruff).
* `json_line(path, cell, line, col)` — the physical line (and column) of a cell's source line
  inside the `.ipynb` JSON text, for annotations that must land on a line of the file on disk
  (GitHub workflow commands, SARIF).
* `updated_json(path, text, new_text)` — the notebook JSON with the edited virtual module put
  back, changing only the source lines that differ (magics, outputs, metadata and ids untouched);
  `write_back(path, new_text)` writes that to disk.

Only the `json` module is used: no nbformat dependency at run time, and no cell is executed.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import io
import json
import re
import tokenize
from dataclasses import dataclass, replace

from ..diagnostics import SourceRef
from .files import replace_file

#: `%%magic` cells whose body is Python (linted); any other cell magic body is blanked.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "python", "python3", "tensorflow",
                                "memit", "mprun"})
_ASSIGNED_MAGIC = re.compile(r"^\s*[\w.\[\]\"', ]+=\s*[%!]")
_MAGIC_START = re.compile(r"^\s*(%|!|\?)")
_HELP_END = re.compile(r"\?\??\s*$")


class NotebookError(Exception):
    """The notebook cannot be read as nbformat 4 JSON; the message says why (LL900)."""


@dataclass(frozen=True)
class CodeCell:
    number: int  # 1-based over all cells
    index: int  # 0-based position in `cells`
    first_line: int  # 1-based line of the cell's first line in the virtual module
    lines: tuple[str, ...]  # the cell's source lines as written (with their line endings)
    virtual: tuple[str, ...]  # the same lines with IPython syntax blanked

    @property
    def last_line(self) -> int:
        return self.first_line + len(self.lines) - 1


@dataclass
class NotebookDocument:
    """A notebook as the text the analyzer parses (same interface as `source.Document`)."""

    path: str
    text: str
    cells: tuple[CodeCell, ...]

    def cell_at(self, line: int) -> CodeCell | None:
        starts = [c.first_line for c in self.cells]
        i = bisect.bisect_right(starts, line) - 1
        if i >= 0 and self.cells[i].first_line <= line <= self.cells[i].last_line:
            return self.cells[i]
        return None

    def virtual_line(self, ref: SourceRef) -> int:
        """The inverse of `locate` for a line: (cell, line in cell) → line of `text`."""
        if ref.cell is None:
            return ref.line
        for cell in self.cells:
            if cell.number == ref.cell:
                return cell.first_line + ref.line - 1
        return ref.line

    def locate(self, ref: SourceRef) -> SourceRef:
        """Map a virtual-module position to (cell, line inside the cell)."""
        if ref is None or not ref.is_static or ref.cell is not None or ref.path not in (None, self.path):
            return ref  # (a position in an imported module stays as it is)
        cell = self.cell_at(ref.line)
        if cell is None:
            return ref
        end_line = ref.end_line - cell.first_line + 1 if cell.first_line <= ref.end_line <= cell.last_line else 0
        return replace(ref, cell=cell.number, line=ref.line - cell.first_line + 1,
                       end_line=end_line, end_col=ref.end_col if end_line else 0)


# --------------------------------------------------------------------------- reading


def load_json(data: bytes | str) -> dict:
    """Parse and check the notebook JSON; NotebookError says what is wrong."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise NotebookError(f"notebook is not UTF-8: {error}") from None
    try:
        notebook = json.loads(data)
    except json.JSONDecodeError as error:
        raise NotebookError(f"invalid notebook JSON: {error.msg} at line {error.lineno} column {error.colno}") \
            from None
    except RecursionError:
        raise NotebookError("invalid notebook JSON: nested too deeply") from None
    if not isinstance(notebook, dict):
        raise NotebookError("invalid notebook: the top level is not a JSON object")
    major = notebook.get("nbformat")
    if major != 4:
        if isinstance(major, int) and major < 4:
            raise NotebookError(f"unsupported notebook format nbformat {major} (only nbformat 4 is read; "
                                f"convert with `jupyter nbconvert --to notebook`)")
        raise NotebookError(f"invalid notebook: `nbformat` is {major!r}, expected 4")
    cells = notebook.get("cells")
    if not isinstance(cells, list):
        raise NotebookError("invalid notebook: `cells` is missing or not a list")
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
            raise NotebookError(f"invalid notebook: cell {number} has no `cell_type`")
        source = cell.get("source", "")
        if not (isinstance(source, str) or (isinstance(source, list) and all(isinstance(s, str) for s in source))):
            raise NotebookError(f"invalid notebook: cell {number} `source` is not a string or a list of strings")
    return notebook


def cell_source_lines(cell: dict) -> list[str]:
    source = cell.get("source", "")
    text = "".join(source) if isinstance(source, list) else source
    return text.splitlines(keepends=True)


def is_python_notebook(notebook: dict) -> bool:
    """False for notebooks whose kernel language is known and not Python (R, Julia…)."""
    metadata = notebook.get("metadata") or {}
    language = ((metadata.get("kernelspec") or {}).get("language")
                or (metadata.get("language_info") or {}).get("name"))
    return not isinstance(language, str) or language.lower() in ("python", "python3", "ipython", "")


def notebook_document(path: str, data: bytes | str) -> NotebookDocument:
    notebook = load_json(data)
    cells: list[CodeCell] = []
    parts: list[str] = []
    line = 1
    if not is_python_notebook(notebook):
        return NotebookDocument(path, "", ())
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        lines = cell_source_lines(cell)
        if not lines:
            continue
        virtual = blank_ipython(lines)
        virtual = [v if v.endswith(("\n", "\r")) else v + "\n" for v in virtual]
        cells.append(CodeCell(index + 1, index, line, tuple(lines), tuple(virtual)))
        parts.extend(virtual)
        line += len(lines)
    return NotebookDocument(path, "".join(parts), tuple(cells))


# --------------------------------------------------------------------------- IPython syntax


def _is_magic_candidate(line: str) -> bool:
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return False
    return bool(_MAGIC_START.match(line) or _ASSIGNED_MAGIC.match(line) or _HELP_END.search(stripped))


def _placeholder(line: str) -> str:
    indent = line[: len(line) - len(line.lstrip())]
    ending = "\r\n" if line.endswith("\r\n") else "\n"
    return f"{indent}pass{ending}"


def blank_ipython(lines: list[str]) -> list[str]:
    """Replace IPython-only lines by `pass` (same indentation) without moving any line."""
    if not lines:
        return []
    out = list(lines)
    first = lines[0].lstrip()
    start = 0
    if first.startswith("%%"):
        name = first[2:].split(None, 1)[0] if first[2:].strip() else ""
        if name not in PYTHON_CELL_MAGICS:
            return ["\n"] * len(lines)  # %%bash, %%writefile, %%html…: not Python
        out[0] = "\n"
        start = 1
    candidates = {i for i in range(start, len(lines)) if _is_magic_candidate(lines[i])}
    for _ in range(8):  # a candidate inside a string or brackets is Python after all: restore it
        trial = list(out)
        for i in candidates:
            trial[i] = _placeholder(lines[i])
        protected = _lines_inside_strings_or_brackets(trial)
        wrong = {i for i in candidates if (i + 1) in protected}
        if not wrong:
            return trial
        candidates -= wrong
    return trial


def _lines_inside_strings_or_brackets(lines: list[str]) -> set[int]:
    """1-based lines that continue a multi-line string or an open bracket."""
    inside: set[int] = set()
    try:
        depth = 0
        for token in tokenize.generate_tokens(io.StringIO("".join(lines)).readline):
            if token.type == tokenize.OP and token.string in "([{":
                depth += 1
            elif token.type == tokenize.OP and token.string in ")]}":
                depth = max(0, depth - 1)
            elif token.type == tokenize.NL and depth:
                inside.add(token.start[0] + 1)
            if token.start[0] != token.end[0] and token.type in (tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE",
                                                                                          -1)):
                inside.update(range(token.start[0] + 1, token.end[0] + 1))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return inside


# --------------------------------------------------------------------------- physical positions


class _PosStr(str):
    """A JSON string value that remembers where its raw text starts in the document."""

    start: int  # offset just after the opening quote
    end: int  # offset just after the closing quote


def _positioned_loads(text: str):
    decoder = json.JSONDecoder()

    def parse_string(string, idx, strict):
        value, end = json.decoder.scanstring(string, idx, strict)
        value = _PosStr(value)
        value.start, value.end = idx, end
        return value, end

    decoder.parse_string = parse_string
    decoder.scan_once = json.scanner.py_make_scanner(decoder)
    return decoder.decode(text)


@functools.lru_cache(maxsize=8)
def _positioned_cells(text: str):
    return _positioned_loads(text)["cells"]


def _escaped_length(text: str) -> int:
    return len(json.dumps(text, ensure_ascii=False)) - 2


def json_line(path: str, cell: int, line: int, col: int = 0, *, text: str | None = None) -> tuple[int, int] | None:
    """(1-based physical line, 0-based column) inside the `.ipynb` file of `line`/`col` of `cell`.

    Works for sources stored as a list of lines (what Jupyter and nbformat write) and as one string.
    None when the position cannot be mapped (unreadable file, cell missing).
    """
    try:
        if text is None:
            with open(path, encoding="utf-8-sig") as handle:
                text = handle.read()
        source = _positioned_cells(text)[cell - 1]["source"]
    except (OSError, ValueError, KeyError, IndexError, TypeError, RecursionError):
        return None
    pieces = source if isinstance(source, list) else [source]
    # walk the pieces, splitting into logical lines, until the wanted line starts
    current = 1
    for piece in pieces:
        if not isinstance(piece, _PosStr):
            return None
        offset = 0
        for part in piece.splitlines(keepends=True) or [""]:
            if current == line:
                prefix = piece[offset: offset + col]
                raw = piece.start + _escaped_length(piece[:offset]) + _escaped_length(prefix)
                physical = text.count("\n", 0, raw) + 1
                column = raw - (text.rfind("\n", 0, raw) + 1)
                return physical, column
            offset += len(part)
            if part.endswith(("\n", "\r")):
                current += 1
    return None


# --------------------------------------------------------------------------- writing back


def write_back(path: str, new_text: str) -> bool:
    """Write `new_text` (an edited version of the notebook's virtual module) back into `path`.

    The new JSON is `updated_json` of the file's text. Returns True when the file changed. Raises
    NotebookError when `path` is not a readable nbformat-4 notebook. The file is replaced
    atomically (temporary file beside it + rename), permissions preserved.
    """
    with open(path, "rb") as handle:
        raw = handle.read()
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    updated = updated_json(path, text, new_text)
    if updated == text:
        return False
    replace_file(path, (b"\xef\xbb\xbf" if bom else b"") + updated.encode("utf-8"))
    return True


def updated_json(path: str, text: str, new_text: str) -> str:
    """The notebook JSON `text` with its virtual module replaced by `new_text` (pure; no I/O).

    Only source lines that differ from the virtual module are rewritten: the JSON text of each
    changed cell's `source` is spliced in place, so outputs, metadata, ids, key order and
    indentation stay byte-for-byte; lines that were IPython syntax keep their original text.
    Lines inserted by an edit go to the cell of the line they replace or follow. Returns `text`
    itself when nothing changes. Raises NotebookError when `text` is not an nbformat-4 notebook.
    """
    document = notebook_document(path, text)
    positioned = _positioned_loads(text)
    splices: list[tuple[int, int, str]] = []
    for cell, new_lines in zip(document.cells, _split_into_cells(document, new_text)):
        if list(cell.virtual) == new_lines:
            continue
        merged = _merge_cell(cell, new_lines)
        if merged and merged[-1].endswith("\n") and not cell.lines[-1].endswith("\n"):
            merged[-1] = merged[-1][:-1]  # Jupyter stores no newline after a cell's last line
        if merged == list(cell.lines):
            continue
        splices.append(_source_splice(text, positioned["cells"][cell.index]["source"], merged))
    for start, end, replacement in sorted(splices, reverse=True):
        text = text[:start] + replacement + text[end:]
    if splices:
        load_json(text)  # the result must still be a notebook
    return text


def _source_splice(text: str, source, merged: list[str]) -> tuple[int, int, str]:
    """(start, end, replacement) that turns the raw JSON of `source` into `merged`."""
    encode = lambda value: json.dumps(value, ensure_ascii=False)  # noqa: E731
    if isinstance(source, str):
        return source.start - 1, source.end, encode("".join(merged))
    if len(source) >= 2:
        separator = text[source[0].end: source[1].start - 1]
    else:  # one line; cells with an empty source are not part of the virtual module
        line_start = text.rfind("\n", 0, source[0].start) + 1
        separator = ",\n" + text[line_start: source[0].start - 1]
    if not merged:
        merged = [""]
    return source[0].start - 1, source[-1].end, separator.join(encode(line) for line in merged)


def _split_into_cells(document: NotebookDocument, new_text: str) -> list[list[str]]:
    """Assign the lines of `new_text` to cells by diffing against the original virtual module."""
    old = [line for cell in document.cells for line in cell.virtual]
    new = new_text.splitlines(keepends=True)
    owner = [i for i, cell in enumerate(document.cells) for _ in cell.virtual]
    result: list[list[str]] = [[] for _ in document.cells]
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(a1 - a0):
                result[owner[a0 + k]].append(new[b0 + k])
            continue
        # replaced / inserted lines belong to the cell of the first old line they replace,
        # or, for a pure insertion, to the cell of the previous line
        anchor = owner[a0] if a0 < a1 else owner[a0 - 1] if a0 > 0 else 0
        if tag == "replace" and a1 - a0 == b1 - b0:
            for k in range(a1 - a0):
                result[owner[a0 + k]].append(new[b0 + k])
        else:
            result[anchor].extend(new[b0:b1])
    return result


def _merge_cell(cell: CodeCell, new_lines: list[str]) -> list[str]:
    """Keep the original text (magics included) for every line the edit did not touch."""
    matcher = difflib.SequenceMatcher(a=list(cell.virtual), b=new_lines, autojunk=False)
    merged: list[str] = []
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            merged.extend(cell.lines[a0:a1])
        else:
            merged.extend(_with_ending(line, cell) for line in new_lines[b0:b1])
    return merged


def _with_ending(line: str, cell: CodeCell) -> str:
    if line.endswith("\r\n") or not line.endswith("\n"):
        return line
    uses_crlf = any(original.endswith("\r\n") for original in cell.lines)
    return line[:-1] + "\r\n" if uses_crlf else line


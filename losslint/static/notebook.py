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
import json
import os
import re
import sys
import tokenize
from dataclasses import dataclass, replace

from ..diagnostics import SourceRef
from .files import replace_file

#: `%%magic` cells whose body is Python (linted); any other cell magic body is blanked.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "python", "python3", "tensorflow",
                                "memit", "mprun"})


class NotebookError(Exception):
    """The notebook cannot be read as nbformat 4 JSON; the message says why (LL900)."""


@dataclass(frozen=True)
class CodeCell:
    number: int  # 1-based over all cells
    index: int  # 0-based position in `cells`
    first_line: int  # 1-based line of the cell's first line in the virtual module
    lines: tuple[str, ...]  # the cell's source lines as written (with their line endings)
    virtual: tuple[str, ...]  # the same lines with IPython syntax blanked
    margins: tuple[int, ...] = ()  # per line, the indentation IPython removed (a dedented cell)

    def margin(self, line: int) -> int:
        """Columns removed from the cell's `line` (1-based) in the virtual module."""
        return self.margins[line - 1] if 0 < line <= len(self.margins) else 0

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
        line = ref.line - cell.first_line + 1
        end_line = ref.end_line - cell.first_line + 1 if cell.first_line <= ref.end_line <= cell.last_line else 0
        return replace(ref, cell=cell.number, line=line, col=ref.col + cell.margin(line),
                       end_line=end_line, end_col=ref.end_col + cell.margin(end_line) if end_line else 0)

    def unlocate(self, ref: SourceRef) -> SourceRef:
        """The inverse of `locate`: (cell, line in cell, column) → position in `text`."""
        if ref is None or ref.cell is None:
            return ref
        cell = next((c for c in self.cells if c.number == ref.cell), None)
        if cell is None:
            return replace(ref, cell=None)
        end_line = cell.first_line + ref.end_line - 1 if ref.end_line else 0
        return replace(ref, cell=None, line=cell.first_line + ref.line - 1,
                       col=max(0, ref.col - cell.margin(ref.line)), end_line=end_line,
                       end_col=max(0, ref.end_col - cell.margin(ref.end_line)) if ref.end_line else ref.end_col)


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
        view = ipython_view(lines)
        cells.append(CodeCell(index + 1, index, line, tuple(lines), view.lines, view.margins))
        parts.extend(view.lines)
        line += len(lines)
    return NotebookDocument(path, "".join(parts), tuple(cells))


# --------------------------------------------------------------------------- IPython syntax
#
# What IPython runs is what `IPython.core.inputtransformer2.TransformerManager.transform_cell`
# makes of a cell (plus, for a one-line cell, automagic). The functions below follow its rules
# (cleanup: leading empty lines, common indentation; `%%magic` cells; then, one at a time on the
# tokens of the cell, `x = %magic`, `x = !cmd`, escaped lines `%` `!` `!!` `?` `??` `,` `;` `/`
# with their backslash continuations, and `obj?`), but keep every line where it is: a transformed
# statement becomes `pass` (or `lhs = get_ipython()`) on its first line and the lines it absorbed
# become empty. The removed indentation of each line is kept as its margin, so columns map back.
# tests/test_ipython_equivalence.py compares the result with IPython's own transform.

#: Line magics and aliases IPython runs without `%` when a cell is that single line (automagic).
AUTOMAGIC_NAMES = frozenset("""
    alias alias_magic autoawait autocall automagic bookmark cat cd clear colors conda config cp
    debug dhist dirs doctest_mode ed edit env gui hist history killbgscripts ldir less lf lk ll
    load load_ext loadpy logoff logon logstart logstate logstop ls lsmagic lx macro magic mamba man
    matplotlib micromamba mkdir more mv notebook page pastebin pdb pdef pdoc pfile pinfo pinfo2 pip
    popd pprint precision prun psearch psource pushd pwd pycat pylab quickref recall rehashx
    reload_ext rep rerun reset reset_selective rm rmdir run save sc set_env sx system tb time timeit
    unalias unload_ext uv who who_ls whos xdel xmode tensorflow_version
""".split())

_ESCAPE_SINGLES = frozenset("!?%,;/")
_HELP_END = re.compile(r"(%{0,2}(?!\d)[\w*]+(\.(?!\d)[\w*]+|\[-?[0-9]+\])*)(\?\??)$")
_CELL_MAGIC_HELP = re.compile(r"%%\w+\?")


@dataclass(frozen=True)
class IPythonView:
    """A cell as Python: `lines` (IPython syntax blanked, same count as the cell) and, per line,
    the number of leading characters removed (`margins`: IPython dedents an indented cell)."""

    lines: tuple[str, ...]
    margins: tuple[int, ...]


def blank_ipython(lines: list[str]) -> list[str]:
    """The cell's lines as the Python IPython runs, each line in its place (see `ipython_view`)."""
    return list(ipython_view(lines).lines)


def ipython_view(lines: list[str]) -> IPythonView:
    out = [line if line.endswith(("\n", "\r")) else line + "\n" for line in lines]
    margins = [0] * len(out)
    _transform_cell(out, margins, 0, len(out))
    return IPythonView(tuple(out), tuple(margins))


def _ending(line: str) -> str:
    return "\r\n" if line.endswith("\r\n") else "\n"


def _transform_cell(out: list[str], margins: list[int], start: int, stop: int) -> None:
    first = next((i for i in range(start, stop) if out[i].strip()), None)
    if first is None:
        return
    _dedent(out, margins, first, stop)
    _strip_prompts(out, margins, first, stop)
    head = out[first]
    if head.startswith("%%") and not _CELL_MAGIC_HELP.match(head):
        name = head[2:].split(None, 1)[0] if head[2:].strip() else ""
        out[first] = _ending(head)
        if name in PYTHON_CELL_MAGICS:  # %%time & co. run their body through IPython again
            _transform_cell(out, margins, first + 1, stop)
        else:  # %%bash, %%writefile, %%html…: not Python
            for i in range(first + 1, stop):
                out[i] = _ending(out[i])
        return
    absorbed = 0
    for _ in range(500 if _may_hold_ipython_syntax(out, first, stop) else 0):
        step = _one_token_transform(out, first, stop)
        if step is None:
            break
        absorbed += step
    if stop - first - absorbed == 1:
        _automagic(out, first)


def _may_hold_ipython_syntax(out: list[str], first: int, stop: int) -> bool:
    """False when no token of these lines can start IPython syntax (`%`, `!`, `?` anywhere, or a line
    starting with an escape character): then tokenizing them (most of a notebook's read) finds nothing."""
    return any("%" in line or "!" in line or "?" in line or line.lstrip()[:1] in _ESCAPE_SINGLES
               for line in out[first:stop])


def _dedent(out: list[str], margins: list[int], first: int, stop: int) -> None:
    """IPython's `leading_indent` on lines first..stop, recording what each line lost.

    IPython 9 removes the common indentation (`textwrap.dedent`); IPython 7 and 8 removed the
    first line's indentation from every line that starts with it. They differ only when the first
    line is indented deeper than some later line — then IPython 9 fails on the first line while
    IPython 7/8 (what Colab ran for years) may run the cell, so that reading is used.
    """
    indents = [re.match(r"[ \t]*", out[i]).group() for i in range(first, stop) if out[i].strip()]
    margin = indents[0]
    for i in range(first, stop):
        if not out[i].strip():
            out[i] = _ending(out[i])
        elif margin and out[i].startswith(margin):
            out[i] = out[i][len(margin):]
            margins[i] += len(margin)


_DOCTEST_LINE = re.compile(r"^\s*>>>")
_DOCTEST_PROMPTS = (re.compile(r"^\s*>>>[ \t]?"), re.compile(r"^\s*\.\.\.[ \t]?"))
_IPYTHON_PROMPT = re.compile(r"^(In \[\d+\]: |\s*\.{3,}: ?)")


def _strip_prompts(out: list[str], margins: list[int], first: int, stop: int) -> None:
    """IPython's `classic_prompt` (doctest mode) and `ipython_prompt`: a cell pasted from a doctest
    (`>>> `, `... `, indented or not) or an IPython session (`In [1]: `) runs without its prompts,
    recording what each line lost. (IPython also keeps prompts inside a triple-quoted string; that
    case is not modelled.)"""
    if any(_DOCTEST_LINE.match(out[i]) for i in range(first, stop)):
        for i in range(first, stop):
            match = _DOCTEST_PROMPTS[0].match(out[i]) or _DOCTEST_PROMPTS[1].match(out[i])
            if match:
                out[i] = out[i][match.end():]
                margins[i] += match.end()
        indents = [re.match(r"[ \t]*", out[i]).group() for i in range(first, stop) if out[i].strip()]
        common = os.path.commonprefix(indents) if indents else ""
        for i in range(first, stop):  # then `textwrap.dedent` of the block, as IPython does
            if not out[i].strip():
                out[i] = _ending(out[i])
            elif common:
                out[i] = out[i][len(common):]
                margins[i] += len(common)
        return
    if _IPYTHON_PROMPT.match(out[first]) or (first + 1 < stop and _IPYTHON_PROMPT.match(out[first + 1])):
        for i in range(first, stop):
            match = _IPYTHON_PROMPT.match(out[i])
            if match:
                out[i] = out[i][match.end():]
                margins[i] += match.end()


def _automagic(out: list[str], line: int) -> None:
    """A one-line cell like `ls ./data/` or `cd ..` is an automagic call when it is not Python."""
    text = out[line].strip()
    word, _, rest = text.partition(" ")
    if word not in AUTOMAGIC_NAMES or rest.lstrip()[:1] in ("=", ","):
        return
    try:
        compile(text, "<cell>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        out[line] = "pass" + _ending(out[line])


def _tokens_by_line(lines: list[str]) -> list[list[tokenize.TokenInfo]]:
    """IPython's `make_tokens_by_line`: tokens grouped into logical lines."""
    groups: list[list[tokenize.TokenInfo]] = [[]]
    depth = 0
    tokens: list[tokenize.TokenInfo] = []
    try:
        for token in tokenize.generate_tokens(iter(lines).__next__):
            tokens.append(token)
            groups[-1].append(token)
            if token.type == tokenize.NEWLINE or (token.type == tokenize.NL and depth <= 0):
                groups.append([])
            elif token.type == tokenize.OP and token.string in "([{":
                depth += 1
            elif token.type == tokenize.OP and token.string in ")]}" and depth > 0:
                depth -= 1
    except tokenize.TokenError as error:
        caught = ("unterminated string literal", "invalid non-printable character", "after line continuation",
                  "invalid decimal literal", "invalid binary literal", "invalid octal literal",
                  "invalid hexadecimal literal", "in binary literal", "in octal literal", "expected EOF")
        if any(reason in str(error.args[0]) for reason in caught):
            start = (tokens[-1].start[0], tokens[-1].end[0]) if tokens else (1, 0)
            groups[-1].append(tokenize.TokenInfo(tokenize.ERRORTOKEN, "", start, start, ""))
    except (IndentationError, SyntaxError):
        pass
    if not groups[-1]:
        groups.pop()
    return groups


def _assign_index(line: list[tokenize.TokenInfo]) -> int | None:
    depth = 0
    for i, token in enumerate(line):
        if token.string == "=" and depth == 0:
            return i
        if token.string in ("(", "[", "{"):
            depth += 1
        elif token.string in (")", "]", "}") and depth > 0:
            depth -= 1
    return None


def _find_candidates(groups) -> list[tuple[int, int, int, str, int]]:
    """(line0, col, priority, kind, help-end line0) of the first match of each IPython transformer."""
    found = []
    for kind in ("magic_assign", "system_assign"):
        for line in groups:
            i = _assign_index(line)
            if i is None or len(line) < i + 2 or i + 1 >= len(line):
                continue
            nxt = line[i + 1]
            if kind == "magic_assign":
                if nxt.string == "%" and i + 2 < len(line) and line[i + 2].type == tokenize.NAME:
                    found.append((nxt.start[0] - 1, nxt.start[1], 10, kind, 0))
                    break
            elif not line[i].line.strip().startswith("="):
                if sys.version_info >= (3, 12):
                    if nxt.type == tokenize.OP and nxt.string == "!":
                        found.append((nxt.start[0] - 1, nxt.start[1], 10, kind, 0))
                        break
                    continue
                j, hit = i + 1, None
                while j < len(line) and line[j].type == tokenize.ERRORTOKEN:
                    if line[j].string == "!":
                        hit = line[j]
                        break
                    if not line[j].string.isspace():
                        break
                    j += 1
                if hit is not None:
                    found.append((hit.start[0] - 1, hit.start[1], 10, kind, 0))
                    break
    for line in groups:
        ix = 0
        while ix < len(line) and line[ix].type in (tokenize.INDENT, tokenize.DEDENT):
            ix += 1
        if ix < len(line) and line[ix].string in _ESCAPE_SINGLES:
            found.append((line[ix].start[0] - 1, line[ix].start[1], 10, "escaped", 0))
            break
    for line in groups:
        if len(line) > 2 and line[-2].string == "?":
            ix = 0
            while line[ix].type in (tokenize.INDENT, tokenize.DEDENT):
                ix += 1
            found.append((line[ix].start[0] - 1, line[ix].start[1], 5, "help_end", line[-2].start[0] - 1))
            break
    return sorted(found, key=lambda c: c[:3])


def _continued_until(lines: list[str], start: int, stop: int) -> int:
    end = start
    while lines[end].endswith("\\\n"):
        end += 1
        if end >= stop:
            return stop - 1
    return end


def _one_token_transform(out: list[str], first: int, stop: int) -> int | None:
    """Blank the first piece of IPython syntax in out[first:stop]; None when there is none, else
    the number of lines IPython would have merged into it."""
    lines = out[first:stop]
    for line0, col, _, kind, q_line in _find_candidates(_tokens_by_line(lines)):
        if kind == "help_end":
            piece = "".join(lines[line0:q_line + 1])
            if not _HELP_END.search(piece[col:]):
                continue  # IPython raises SyntaxError here and tries the next candidate
            end = q_line
            replacement = lines[line0][:col] + "pass"
        else:
            end = _continued_until(lines, line0, len(lines))
            if kind == "escaped":
                text = lines[line0][col:]
                if text.startswith("/") and not text[1:].partition(" ")[0].strip():
                    continue  # `/` autocall needs a callable name (SyntaxError in IPython)
                replacement = lines[line0][:col] + "pass"
            else:
                replacement = lines[line0][:col] + "get_ipython()"
        row = first + line0
        out[row] = replacement + _ending(out[row])
        for k in range(row + 1, first + end + 1):
            out[k] = _ending(out[k])
        return end - line0
    return None


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
    """(start, end, replacement) that turns the raw JSON of `source` into `merged`.

    A source stored as a list keeps the raw JSON of every element that does not change (its
    escapes included) and a trailing `""` element if it had one; only edited lines are re-encoded.
    """
    encode = lambda value: json.dumps(value, ensure_ascii=False)  # noqa: E731
    if isinstance(source, str):
        return source.start - 1, source.end, encode("".join(merged))
    if len(source) >= 2:
        separator = text[source[0].end: source[1].start - 1]
    else:  # one line; cells with an empty source are not part of the virtual module
        line_start = text.rfind("\n", 0, source[0].start) + 1
        separator = ",\n" + text[line_start: source[0].start - 1]
    pieces = list(source)
    if pieces and pieces[-1] == "" and (not merged or merged[-1] != ""):
        merged = merged + [""]
    if not merged:
        merged = [""]
    raw = [text[piece.start - 1: piece.end] for piece in pieces]
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=[str(p) for p in pieces], b=merged, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        out.extend(raw[a0:a1] if tag == "equal" else (encode(line) for line in merged[b0:b1]))
    return source[0].start - 1, source[-1].end, separator.join(out)


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
    """Keep the original text (magics included) for every line the edit did not touch; an edited
    line gets back the indentation IPython removed from the line it replaces."""
    matcher = difflib.SequenceMatcher(a=list(cell.virtual), b=new_lines, autojunk=False)
    merged: list[str] = []
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            merged.extend(cell.lines[a0:a1])
            continue
        for k, line in enumerate(new_lines[b0:b1]):
            origin = a0 + k if a0 + k < a1 else (a1 - 1 if a1 > a0 else a0 - 1)
            margin = cell.lines[origin][:cell.margin(origin + 1)] if 0 <= origin < len(cell.lines) else ""
            merged.append((margin if line.strip() else "") + _with_ending(line, cell))
    return merged


def _with_ending(line: str, cell: CodeCell) -> str:
    if line.endswith("\r\n") or not line.endswith("\n"):
        return line
    uses_crlf = any(original.endswith("\r\n") for original in cell.lines)
    return line[:-1] + "\r\n" if uses_crlf else line


"""Applying fixes to files: `losslint check --fix / --diff` (DESIGN §7).

Per file: lint the text, realise the fixes (`fix.py`), apply the applicable ones that do not
overlap (one of two fixes on the same span waits for the next pass), re-parse, re-lint, and
repeat until nothing applicable is left (at most `MAX_PASSES`). Only then is the file written:
to a temporary file beside it, with the original encoding (BOM, coding cookie), line endings
and permissions, renamed over the original. A file without an applied fix is never written.

A notebook is fixed through its virtual module (`notebook.py`): each pass lints the `.ipynb`
as the CLI does (cell positions, `# noqa` in cells honoured), maps the fix targets back to the
virtual module, applies the fixes there and splices the changed lines back into the JSON
(`updated_json`), so the "text" of a notebook here is its JSON and `--diff` is a diff of it.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import tokenize
from dataclasses import dataclass, field, replace
from typing import Callable, Collection, Iterable, Sequence

from ..diagnostics import Diagnostic, Edit, Fix, SourceRef
from .files import replace_file
from .fix import realise_fixes
from .notebook import NotebookError, notebook_document, updated_json
from .source import is_notebook

MAX_PASSES = 10


@dataclass
class FixRun:
    """What the CLI reports after realising (and maybe applying) fixes."""

    diagnostics: list[Diagnostic]  # remaining after `--fix`; all of them otherwise
    fixes: dict[Diagnostic, Fix] = field(default_factory=dict)  # realised fix of each reported diagnostic
    fixed: int = 0  # fixes applied (or, with `--diff`, that would be applied)
    diffs: list[str] = field(default_factory=list)
    unsafe: bool = False

    def fixable(self, d: Diagnostic) -> bool:
        """Marked `[*]`: `--fix` (with `--unsafe-fixes` if given) would apply its fix."""
        fix = self.fixes.get(d)
        return fix is not None and fix.applies(self.unsafe)

    def counts(self) -> tuple[int, int]:
        """(fixable now, hidden: unsafe fixes that need `--unsafe-fixes`) over the reported findings."""
        fixes = [self.fixes[d] for d in self.diagnostics if d in self.fixes]
        fixable = sum(f.applies(self.unsafe) for f in fixes)
        return fixable, sum(f.applies(True) for f in fixes) - fixable


@dataclass
class SourceFile:
    path: str
    text: str
    encoding: str


def run(diagnostics: Sequence[Diagnostic], codes_for: Callable[[str], frozenset[str]], *, mode: str = "check",
        unsafe: bool = False, skip: Collection[str] = (), realised: dict[Diagnostic, Fix] | None = None,
        project=None) -> FixRun:
    """mode "check": only realise fixes (for `[*]` and JSON); "fix": apply and write; "diff": apply
    in memory and collect unified diffs. `codes_for(path)` gives the rules enabled for a file;
    files named in `skip` (standard input) are never read or written. `realised`: the fixes
    already realised while linting (`api.check_paths`), so "check" need not parse files again.
    `project` (a `project.ProjectScope`): re-linting follows imports as the check did."""
    by_file: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        by_file.setdefault(d.filename or "", []).append(d)
    result = FixRun([], unsafe=unsafe)
    for path, found in by_file.items():
        if mode == "check" and realised is not None:
            result.diagnostics += found
            result.fixes.update((d, realised[d]) for d in found if d in realised)
            continue
        wanted = any(d.fixes for d in found) and (path.endswith(".py") or is_notebook(path)) and path not in skip
        source = read_source(path) if wanted else None
        if source is None:
            result.diagnostics += found
            continue
        if mode == "check" or not any(intent.applicability.applied(unsafe) for d in found for intent in d.fixes):
            result.diagnostics += found
            result.fixes.update(in_cells(path, source.text, realise_in(source.text, path, found)[1]))
            continue
        text, fixed, remaining, fixes = fix_text(source.text, path, codes_for(path), unsafe, source.encoding,
                                                 project)
        result.diagnostics += remaining
        result.fixes.update(in_cells(path, text, fixes))
        if text != source.text:
            result.fixed += fixed
            if mode == "diff":
                result.diffs.append(unified_diff(source.text, text, path))
            else:
                write_source(source, text)
    result.diagnostics.sort(key=lambda d: d.sort_key)
    return result


def in_cells(path: str, text: str, fixes: dict[Diagnostic, Fix]) -> dict[Diagnostic, Fix]:
    """Fixes as reported: in a notebook (JSON `text`), edits move from the virtual module to
    (cell, line in cell), like the findings."""
    if not is_notebook(path) or not fixes:
        return fixes
    document = notebook_document(path, text)

    def located(e: Edit) -> Edit:
        ref = document.locate(SourceRef(path, e.line, e.col, e.end_line, e.end_col))
        return replace(e, cell=ref.cell, line=ref.line, end_line=ref.end_line or e.end_line)

    return {d: replace(fix, edits=tuple(map(located, fix.edits))) for d, fix in fixes.items()}


def fix_text(text: str, path: str, codes: frozenset[str], unsafe: bool, encoding: str = "utf-8", project=None
             ) -> tuple[str, int, list[Diagnostic], dict[Diagnostic, Fix]]:
    """Fix → re-lint until stable: (new text, fixes applied, remaining diagnostics, their fixes).
    Re-linting goes through the same path as the CLI (`# noqa` honoured)."""
    import libcst as cst

    from .check import check_bytes

    fixed = 0
    for attempt in range(MAX_PASSES + 1):
        result, parsed = check_bytes(text.encode(encoding), path, codes, project=project)
        diagnostics = result.diagnostics
        code, fixes = realise_in(text, path, diagnostics, parsed)
        todo = [f for f in fixes.values() if f.applies(unsafe)]
        if not todo or attempt == MAX_PASSES:
            break
        new_code, applied = apply_fixes(code, todo)
        try:
            cst.parse_module(new_code)
            new_text = updated_json(path, text, new_code) if is_notebook(path) else new_code
        except (cst.ParserSyntaxError, RecursionError, NotebookError):
            break  # never write something that does not parse
        if new_text == text:
            break
        text, fixed = new_text, fixed + applied
    return text, fixed, diagnostics, fixes


def realise_in(text: str, path: str, diagnostics: Sequence[Diagnostic], parsed=None
               ) -> tuple[str, dict[Diagnostic, Fix]]:
    """(the Python code the fixes edit, the fix of each diagnostic). For a `.py` file that code is
    `text`; for a notebook (`text` is its JSON) it is the virtual module, and the diagnostics,
    which carry cell positions, are realised at their virtual positions. `parsed`: the module
    parsed while linting (a `node_positions.ParsedModule`), used if it is of that very code."""
    if not is_notebook(path):
        return text, realise_fixes(text, diagnostics, _module_of(parsed, text))
    try:
        document = notebook_document(path, text)
    except NotebookError:
        return text, {}

    virtual = document.unlocate  # the inverse of `NotebookDocument.locate`

    unlocated = {replace(d, anchor=virtual(d.anchor),
                         fixes=tuple(replace(f, target=virtual(f.target),
                                             together=tuple(replace(t, target=virtual(t.target)) for t in f.together))
                                     for f in d.fixes)): d
                 for d in diagnostics if d.fixes}
    realised = realise_fixes(document.text, unlocated, _module_of(parsed, document.text))
    return document.text, {unlocated[v]: fix for v, fix in realised.items()}


def _module_of(parsed, code: str):
    """The parsed module if it was parsed from exactly `code`, else None (the fixer parses)."""
    return parsed.module if parsed is not None and getattr(parsed, "text", None) == code else None


def apply_fixes(text: str, fixes: Iterable[Fix]) -> tuple[str, int]:
    """Apply fixes whose edits do not overlap an already accepted one; the same fix offered by
    two findings is applied once and counts for both. Returns (new text, fixes applied)."""
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]

    def span(edit: Edit) -> tuple[int, int]:
        return starts[edit.line - 1] + edit.col, starts[edit.end_line - 1] + edit.end_col

    accepted: list[tuple[int, int, str]] = []
    applied = 0
    for fix in sorted(fixes, key=lambda f: min(span(e) for e in f.edits)):
        edits = [(*span(e), e.content) for e in fix.edits]
        if all(edit in accepted for edit in edits):
            applied += 1  # identical to a fix already taken
            continue
        if any(s < ae and as_ < e or s == as_ for s, e, _ in edits for as_, ae, _ in accepted):
            continue  # overlaps: stays reported, may apply in the next pass
        accepted += edits
        applied += 1
    for start, end, content in sorted(accepted, reverse=True):
        text = text[:start] + content + text[end:]
    return text, applied


# ---------------------------------------------------------------------- files


def fixes_for_check(path: str, data: bytes, found: Sequence[Diagnostic], parsed=None) -> dict[Diagnostic, Fix]:
    """What `run(mode="check")` reports as the fixes of `found` (a file's findings) from the file's
    bytes: `api.check_file` calls it in the worker processes, and the result is cached with them.
    `parsed`: the module parsed while linting, so the file is not parsed again."""
    if not (any(d.fixes for d in found) and (path.endswith(".py") or is_notebook(path))):
        return {}
    source = source_from_bytes(path, data)
    if source is None:
        return {}
    return in_cells(path, source.text, realise_in(source.text, path, found, parsed)[1])


def read_source(path: str) -> SourceFile | None:
    """The file decoded as Python does; None if it cannot be round-tripped byte for byte."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    return source_from_bytes(path, data)


def source_from_bytes(path: str, data: bytes) -> SourceFile | None:
    try:
        if is_notebook(path):  # JSON: UTF-8, maybe with a BOM
            encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
        else:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)  # "utf-8-sig" keeps a BOM
        text = data.decode(encoding)
        if text.encode(encoding) != data:
            return None
    except (OSError, SyntaxError, UnicodeError, LookupError):
        return None
    return SourceFile(path, text, encoding)


def write_source(source: SourceFile, text: str) -> None:
    """Write atomically in the file's own encoding; keep the mode."""
    replace_file(source.path, text.encode(source.encoding))


def unified_diff(before: str, after: str, path: str) -> str:
    """A diff `git apply` accepts: `a/`/`b/` paths, `\\ No newline at end of file` markers."""
    name = os.path.relpath(path)
    if name.startswith(".."):
        name = os.path.abspath(path).lstrip(os.sep)
    name = name.replace(os.sep, "/")
    lines = difflib.unified_diff(_lines(before), _lines(after), f"a/{name}", f"b/{name}")
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _lines(text: str) -> list[str]:
    return re.findall(r"[^\n]*\n|[^\n]+$", text)

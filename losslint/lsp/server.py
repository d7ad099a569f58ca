"""`losslint server`: a Language Server over stdio (pygls), for editors.

* Diagnostics for `.py` documents on open, change and save, and for notebooks through LSP 3.17
  notebook documents: the code cells are linted as one module (`static/notebook.py`, exactly as
  `losslint check` lints an `.ipynb`) and each finding is published on its own cell.
* Code actions: the realised fix of a finding (`static/fixer.py`); the safe fix is the preferred
  action, an unsafe one is labelled "(unsafe: changes the model's outputs)"; and "add `# noqa`".
* Hover on a finding shows the rule's documentation.
* `[tool.losslint]` of the nearest pyproject.toml (per-file-ignores and exclude included) and
  `# noqa` apply as on the command line.
* Each finding carries its rule's documentation link (`codeDescription`) and its notes ("output
  layer defined here", as `relatedInformation`) when the client declares support for them.
* Analysis runs in a worker thread, never on the message loop; a document edited again while it is
  analysed has its old result dropped (results are tagged with the document version), and quick
  edits are debounced.
* A half-typed file does not flash LL900: after an edit, an unreadable-source finding (the parser's
  "expected one of …") waits until the text has been still for `SETTLE_SECONDS`; opening and saving
  show it at once. Like ruff's server (`showSyntaxErrors`), the initialization option
  `{"showSyntaxErrors": false}` hides it altogether (another tool usually reports syntax errors).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from .. import __version__
from ..diagnostics import Applicability, Diagnostic, Fix

SOURCE = "losslint"
DEBOUNCE_SECONDS = 0.15
SETTLE_SECONDS = 1.5  # an LL900 after an edit waits for the text to be still this long
UNREADABLE = "LL900"
UNSAFE_LABEL = " (unsafe: changes the model's outputs)"
log = logging.getLogger(__name__)


@dataclass
class Published:
    """What was last published for one document (a file or a notebook)."""

    version: object
    # (LSP uri the finding is shown on, its LSP diagnostic, the finding, its realised fix or None)
    entries: list[tuple[str, types.Diagnostic, Diagnostic, Fix | None]] = field(default_factory=list)
    uris: set[str] = field(default_factory=set)  # every uri diagnostics were published on


class LossLintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "losslint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            notebook_document_sync=types.NotebookDocumentSyncOptions(notebook_selector=[
                types.NotebookDocumentFilterWithCells(
                    cells=[types.NotebookCellLanguage(language="python")],
                    notebook="jupyter-notebook")], save=True))
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="losslint-analysis")
        self.generation: dict[str, int] = {}  # document key -> edits seen
        self.published: dict[str, Published] = {}  # document key -> last result
        self.python_uris: set[str] = set()  # open text documents that are Python (not notebook cells)
        self.lock = threading.Lock()
        self.show_syntax_errors = True  # initializationOptions.showSyntaxErrors, like ruff's server


server = LossLintServer()


# --------------------------------------------------------------------------- documents


def path_of(uri: str) -> str:
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return unquote(parsed.path)
    return unquote(parsed.path) or uri  # untitled:…, vscode-notebook:… keep the name they have


class InvalidConfiguration(Exception):
    """The nearest `[tool.losslint]` is invalid (shown to the user, nothing published)."""


def _schedule(key: str, editing: bool = False) -> None:
    """Analyse document `key` (a text document uri or a notebook uri) soon, off the message loop.
    `editing`: after a change (not open/save), an LL900 waits for the text to settle."""
    with server.lock:
        generation = server.generation[key] = server.generation.get(key, 0) + 1
    asyncio.get_running_loop().create_task(_analyse_later(key, generation, editing))


async def _analyse_later(key: str, generation: int, editing: bool = False) -> None:
    await asyncio.sleep(DEBOUNCE_SECONDS)
    if server.generation.get(key) != generation:
        return  # edited again: that newer edit's task runs instead
    snapshot = _snapshot(key)
    if snapshot is None:
        return
    try:
        result = await asyncio.get_running_loop().run_in_executor(server.executor, _analyse, *snapshot)
    except InvalidConfiguration as error:
        server.window_show_message(types.ShowMessageParams(types.MessageType.Error,
                                                           f"losslint: invalid configuration: {error}"))
        return
    except Exception as error:  # noqa: BLE001 - an analyzer bug must not take the server down
        log.exception("analysis failed")
        server.window_log_message(types.LogMessageParams(types.MessageType.Error,
                                                         f"losslint: analysis of {key} failed: {error!r}"))
        return
    if server.generation.get(key) != generation:
        return  # stale: the document changed while it was analysed
    if result is not None and any(d.code == UNREADABLE for d in result[0]):
        if not server.show_syntax_errors:
            result = ([d for d in result[0] if d.code != UNREADABLE], result[1])
        elif editing:  # half-typed text: say nothing about it until the typing pauses
            _publish(key, snapshot, ([d for d in result[0] if d.code != UNREADABLE], result[1]))
            await asyncio.sleep(SETTLE_SECONDS)
            if server.generation.get(key) != generation:
                return
    _publish(key, snapshot, result)


def _snapshot(key: str):
    """(kind, path, data, cells, version) of the document as it is now, or None if it is closed."""
    notebook = server.workspace.get_notebook_document(notebook_uri=key)
    if notebook is not None:
        cells = []
        for cell in notebook.cells:
            document = server.workspace.get_text_document(cell.document)
            cells.append((cell.document, cell.kind, document.source))
        data = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
            {"cell_type": "code" if kind == types.NotebookCellKind.Code else "markdown", "metadata": {},
             "source": text, **({"outputs": [], "execution_count": None}
                                if kind == types.NotebookCellKind.Code else {})}
            for _, kind, text in cells]}).encode("utf-8")
        return "notebook", path_of(key), data, cells, notebook.version
    if key not in server.workspace.text_documents:
        return None
    document = server.workspace.get_text_document(key)
    return "python", path_of(key), document.source.encode("utf-8"), None, document.version


def _analyse(kind: str, path: str, data: bytes, cells, version):
    """Runs in the worker thread: (findings, their realised fixes), or None if the file is excluded."""
    from ..api import check_bytes
    from ..config import ConfigError, load_settings

    try:
        settings = load_settings(start=os.path.dirname(os.path.abspath(path)))
    except ConfigError as error:
        raise InvalidConfiguration(str(error)) from None
    if settings.is_excluded(path, is_dir=False):
        return None
    analysed_path = path if kind == "python" or path.endswith(".ipynb") else path + ".ipynb"
    result = check_bytes(data, analysed_path, settings.codes_for(path), realise=True)
    return result.diagnostics, result.fixes


def _publish(key: str, snapshot, result) -> None:
    kind, path, data, cells, version = snapshot
    published = Published(version)
    if result is not None:
        diagnostics, fixes = result
        for d in diagnostics:
            uri, lines = _where(key, kind, data, cells, d.anchor.cell)
            if uri is None:
                continue
            published.entries.append((uri, _lsp_diagnostic(d, lines, _related(d, key, kind, path, data, cells)),
                                      d, fixes.get(d)))
    previous = server.published.get(key)
    published.uris = {uri for uri, *_ in published.entries}
    if kind == "notebook":
        published.uris |= {uri for uri, cell_kind, _ in cells if cell_kind == types.NotebookCellKind.Code}
    else:
        published.uris.add(key)
    server.published[key] = published
    for uri in published.uris | (previous.uris if previous else set()):
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, diagnostics=[lsp for where, lsp, _, _ in published.entries if where == uri],
            version=version if kind == "python" else None))


def _where(key: str, kind: str, data: bytes, cells, cell_number: int | None):
    """(uri, source lines) a finding is shown in: the file, or the cell (1-based over all cells)."""
    if kind == "python":
        return key, data.decode("utf-8").splitlines(keepends=True)
    if cell_number is None or not 1 <= cell_number <= len(cells):
        return cells[0][0] if cells else None, []
    uri, _, text = cells[cell_number - 1]
    return uri, text.splitlines(keepends=True)


def _range(lines, line: int, col: int, end_line: int, end_col: int) -> types.Range:
    """1-based lines, 0-based code-point columns → an LSP range in the client's units."""
    codec = server.workspace.position_codec
    start = types.Position(line=max(line - 1, 0), character=max(col, 0))
    if end_line <= 0 or (end_line, end_col) < (line, col):
        end_line, end_col = line, len(lines[line - 1].rstrip("\r\n")) if 0 < line <= len(lines) else col
    end = types.Position(line=end_line - 1, character=end_col)
    return codec.range_to_client_units(lines, types.Range(start=start, end=end)) if lines else \
        types.Range(start=start, end=end)


def _supports(name: str) -> bool:
    """Whether the client declared `textDocument.publishDiagnostics.<name>`."""
    capabilities = server.client_capabilities
    publish = capabilities.text_document.publish_diagnostics if capabilities and capabilities.text_document else None
    return bool(publish and getattr(publish, name, None))


def _related(d: Diagnostic, key: str, kind: str, path: str, data: bytes, cells) -> list:
    """The finding's notes as LSP related information: in the same file or cell, or in another
    module of the project (read from disk)."""
    if not d.related or not _supports("related_information"):
        return []
    from ..static.source import is_notebook

    related = []
    for note in d.related:
        ref = note.ref
        if not ref.is_static:
            continue
        if ref.path in (None, path, d.filename) or ref.cell is not None and kind == "notebook":
            uri, lines = _where(key, kind, data, cells, ref.cell)
            if uri is None:
                continue
        elif not is_notebook(ref.path):
            try:
                with open(ref.path, encoding="utf-8") as handle:
                    lines = handle.read().splitlines(keepends=True)
            except (OSError, UnicodeError):
                continue
            uri = _file_uri(ref.path)
        else:
            continue
        related.append(types.DiagnosticRelatedInformation(
            location=types.Location(uri=uri, range=_range(lines, ref.line, ref.col, ref.end_line, ref.end_col)),
            message=note.message))
    return related


def _file_uri(path: str) -> str:
    from pathlib import Path

    return Path(os.path.abspath(path)).as_uri()


def _lsp_diagnostic(d: Diagnostic, lines, related=()) -> types.Diagnostic:
    from ..report.urls import rule_url

    anchor = d.anchor
    message = d.message + (f"\nhelp: {d.help}" if d.help else "")
    return types.Diagnostic(
        range=_range(lines, anchor.line, anchor.col, anchor.end_line, anchor.end_col),
        message=message, severity=types.DiagnosticSeverity.Warning, code=d.code, source=SOURCE,
        code_description=types.CodeDescription(href=rule_url(d.code)) if _supports("code_description_support")
        else None,
        related_information=list(related) or None,
        data={"name": d.name},
    )


# --------------------------------------------------------------------------- features


@server.feature(types.INITIALIZE)
def initialize(ls: LossLintServer, params: types.InitializeParams) -> None:
    options = params.initialization_options
    if isinstance(options, dict) and options.get("showSyntaxErrors") is False:
        server.show_syntax_errors = False


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: LossLintServer, params: types.DidOpenTextDocumentParams) -> None:
    if _is_python(params.text_document.uri, params.text_document.language_id):
        server.python_uris.add(params.text_document.uri)
        _schedule(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: LossLintServer, params: types.DidChangeTextDocumentParams) -> None:
    if params.text_document.uri in server.python_uris:
        _schedule(params.text_document.uri, editing=True)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: LossLintServer, params: types.DidSaveTextDocumentParams) -> None:
    if params.text_document.uri in server.python_uris:
        _schedule(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: LossLintServer, params: types.DidCloseTextDocumentParams) -> None:
    if params.text_document.uri in server.python_uris:
        server.python_uris.discard(params.text_document.uri)
        _forget(params.text_document.uri)


@server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
def notebook_did_open(ls: LossLintServer, params: types.DidOpenNotebookDocumentParams) -> None:
    _schedule(params.notebook_document.uri)


@server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
def notebook_did_change(ls: LossLintServer, params: types.DidChangeNotebookDocumentParams) -> None:
    _schedule(params.notebook_document.uri, editing=True)


@server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
def notebook_did_save(ls: LossLintServer, params: types.DidSaveNotebookDocumentParams) -> None:
    _schedule(params.notebook_document.uri)


@server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
def notebook_did_close(ls: LossLintServer, params: types.DidCloseNotebookDocumentParams) -> None:
    _forget(params.notebook_document.uri)


def _forget(key: str) -> None:
    with server.lock:
        server.generation[key] = server.generation.get(key, 0) + 1  # drops a running analysis
    previous = server.published.pop(key, None)
    for uri in previous.uris if previous else ():
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def _is_python(uri: str, language_id: str | None = None) -> bool:
    if server.workspace.get_notebook_document(cell_uri=uri) is not None:
        return False  # a notebook cell: analysed with its notebook
    return language_id == "python" or path_of(uri).endswith((".py", ".pyi"))


def _entries_for(uri: str):
    """The current findings shown on `uri` (a file or a notebook cell), if still up to date."""
    notebook = server.workspace.get_notebook_document(cell_uri=uri)
    key = notebook.uri if notebook is not None else uri
    published = server.published.get(key)
    if published is None:
        return []
    current = notebook.version if notebook is not None else (
        server.workspace.get_text_document(uri).version if uri in server.workspace.text_documents else None)
    if current != published.version:
        return []  # the document changed since: offering those edits would corrupt it
    return [entry for entry in published.entries if entry[0] == uri]


def _overlaps(a: types.Range, b: types.Range) -> bool:
    return (a.start.line, a.start.character) <= (b.end.line, b.end.character) and \
        (b.start.line, b.start.character) <= (a.end.line, a.end.character)


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
def code_action(ls: LossLintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    actions = []
    for _, lsp, finding, fix in _entries_for(uri):
        if not _overlaps(lsp.range, params.range):
            continue
        if fix is not None and fix.applicability is not Applicability.DISPLAY_ONLY:
            safe = fix.applicability is Applicability.SAFE
            actions.append(types.CodeAction(
                title=f"{finding.code}: {fix.message}" + ("" if safe else UNSAFE_LABEL),
                kind=types.CodeActionKind.QuickFix, diagnostics=[lsp], is_preferred=safe,
                edit=types.WorkspaceEdit(changes=_text_edits(uri, fix))))
        noqa = _noqa_edit(uri, lsp.range.start.line, finding.code)
        if noqa is not None:
            actions.append(types.CodeAction(
                title=f"{finding.code}: add `# noqa: {finding.code}` to this line",
                kind=types.CodeActionKind.QuickFix, diagnostics=[lsp],
                edit=types.WorkspaceEdit(changes={uri: [noqa]})))
    return actions


def _text_edits(uri: str, fix: Fix) -> dict[str, list[types.TextEdit]]:
    """The fix's edits in LSP terms; in a notebook each edit goes to the uri of its cell."""
    notebook = server.workspace.get_notebook_document(cell_uri=uri)
    changes: dict[str, list[types.TextEdit]] = {}
    for edit in fix.edits:
        target = uri
        if notebook is not None and edit.cell is not None and 1 <= edit.cell <= len(notebook.cells):
            target = notebook.cells[edit.cell - 1].document
        lines = server.workspace.get_text_document(target).lines
        changes.setdefault(target, []).append(types.TextEdit(
            range=_range(lines, edit.line, edit.col, edit.end_line, edit.end_col), new_text=edit.content))
    return changes


def _noqa_edit(uri: str, line: int, code: str) -> types.TextEdit | None:
    from ..static.add_noqa import with_noqa

    document = server.workspace.get_text_document(uri)
    lines = document.lines
    if not 0 <= line < len(lines):
        return None
    new_text, added = with_noqa(document.source, {line + 1: {code}})
    if not added.directives:
        return None
    new_line = new_text.splitlines(keepends=True)[line]
    end = types.Position(line=line, character=len(lines[line].rstrip("\r\n")))
    edit_range = server.workspace.position_codec.range_to_client_units(
        lines, types.Range(start=types.Position(line=line, character=0), end=end))
    return types.TextEdit(range=edit_range, new_text=new_line.rstrip("\r\n"))


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: LossLintServer, params: types.HoverParams) -> types.Hover | None:
    from ..registry import all_rules

    position = params.position
    point = types.Range(start=position, end=position)
    for _, lsp, finding, _ in _entries_for(params.text_document.uri):
        if _overlaps(lsp.range, point):
            rule = all_rules().get(finding.code)
            if rule is None:
                return None
            text = f"### {rule.code} `{rule.name}`\n\n{finding.message}\n\n**help:** {finding.help}\n\n---\n\n{rule.doc}"
            return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
                               range=lsp.range)
    return None


def main() -> None:
    """Serve over standard input/output until the client says exit."""
    server.start_io()

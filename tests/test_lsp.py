"""`losslint server` through a real LSP client over stdio (pytest-lsp's client, the server in a
subprocess): diagnostics on open/change/save, notebooks (LSP 3.17 notebook documents), code
actions, hover, `# noqa`, `[tool.losslint]`, stale results dropped."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls")
pytest_lsp = pytest.importorskip("pytest_lsp")
from lsprotocol import types  # noqa: E402

from cli_helpers import ROOT, buggy  # noqa: E402

LINE_OF_LOSS = 8  # 0-based line of `loss=…CategoricalCrossentropy(from_logits=True),` in buggy()


async def start(root: Path):
    client = pytest_lsp.make_test_lsp_client()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    await client.start_io(sys.executable, "-m", "losslint", "server", env=env, cwd=str(root))
    await client.initialize_session(types.InitializeParams(
        capabilities=pytest_lsp.client_capabilities("visual-studio-code"), root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="project")]))
    return client


async def diagnostics_for(client, uri: str, until=lambda found: True, timeout: float = 60):
    """Wait until the diagnostics published for `uri` satisfy `until`."""
    async def wait():
        while uri not in client.diagnostics or not until(client.diagnostics[uri]):
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        return client.diagnostics[uri]
    return await asyncio.wait_for(wait(), timeout)


def run(scenario, root: Path):
    async def main():
        client = await start(root)
        try:
            await scenario(client)
        finally:
            await client.shutdown_session()
    asyncio.run(main())


def open_file(client, path: Path, text: str) -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
    return uri


def apply(text: str, edits: list[types.TextEdit]) -> str:
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start = offsets[edit.range.start.line] + edit.range.start.character
        end = offsets[edit.range.end.line] + edit.range.end.character
        text = text[:start] + edit.new_text + text[end:]
    return text


def test_diagnostics_fixes_hover_and_changes_of_a_python_file(tmp_path):
    path = tmp_path / "train.py"
    source = buggy()
    path.write_text(source, encoding="utf-8")

    async def scenario(client):
        uri = open_file(client, path, source)
        found = await diagnostics_for(client, uri, lambda d: len(d) > 0)
        assert [d.code for d in found] == ["LL101"]
        finding = found[0]
        assert finding.source == "losslint" and finding.severity == types.DiagnosticSeverity.Warning
        assert finding.range.start == types.Position(line=LINE_OF_LOSS, character=9)
        assert "help: drop `from_logits=True`" in finding.message

        hover = await client.text_document_hover_async(types.HoverParams(
            types.TextDocumentIdentifier(uri), types.Position(line=LINE_OF_LOSS, character=20)))
        assert "LL101" in hover.contents.value and "## Why is this bad?" in hover.contents.value
        assert await client.text_document_hover_async(types.HoverParams(
            types.TextDocumentIdentifier(uri), types.Position(line=0, character=0))) is None

        actions = await client.text_document_code_action_async(types.CodeActionParams(
            types.TextDocumentIdentifier(uri), finding.range, types.CodeActionContext(diagnostics=[finding])))
        fixes = [a for a in actions if "noqa" not in a.title]
        preferred = [a for a in fixes if a.is_preferred]
        assert len(preferred) == 1 and "unsafe" not in preferred[0].title
        fixed = apply(source, preferred[0].edit.changes[uri])
        assert "CategoricalCrossentropy(from_logits=True)" not in fixed
        noqa = [a for a in actions if "noqa" in a.title]
        assert apply(source, noqa[0].edit.changes[uri]).splitlines()[LINE_OF_LOSS].endswith("# noqa: LL101")

        # the user applies the fix: an incremental change, then the diagnostics go away
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [types.TextDocumentContentChangePartial(range=e.range, text=e.new_text)
             for e in preferred[0].edit.changes[uri]]))
        assert await diagnostics_for(client, uri, lambda d: len(d) == 0) == ()
        # a stale code action request (old range) offers nothing for the fixed text
        again = await client.text_document_code_action_async(types.CodeActionParams(
            types.TextDocumentIdentifier(uri), finding.range, types.CodeActionContext(diagnostics=[])))
        assert not again

    run(scenario, tmp_path)


def test_an_unsafe_fix_is_labelled_and_not_preferred(tmp_path):
    path = tmp_path / "model.py"
    source = ("import keras\n\nmodel = keras.Sequential([\n    keras.Input(shape=(12,)),\n"
              "    keras.layers.Dense(5, activation=\"sigmoid\"),\n])\n"
              "model.compile(optimizer=\"adam\", loss=\"sparse_categorical_crossentropy\")\n")

    async def scenario(client):
        uri = open_file(client, path, source)
        found = await diagnostics_for(client, uri, lambda d: len(d) > 0)
        assert [d.code for d in found] == ["LL102"]
        actions = await client.text_document_code_action_async(types.CodeActionParams(
            types.TextDocumentIdentifier(uri), found[0].range, types.CodeActionContext(diagnostics=found)))
        fix = next(a for a in actions if "noqa" not in a.title)
        assert fix.title.endswith("(unsafe: changes the model's outputs)") and not fix.is_preferred
        assert 'Dense(5, activation="softmax")' in apply(source, fix.edit.changes[uri])  # another line than the finding

    run(scenario, tmp_path)


def test_noqa_and_configuration_are_honoured(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.losslint]\nignore = ["LL104"]\n', encoding="utf-8")
    ignored = tmp_path / "single.py"
    ignored_source = ("import keras\nmodel = keras.Sequential([keras.layers.Dense(1, activation='softmax')])\n"
                      "model.compile(loss='binary_crossentropy')\n")
    silenced = tmp_path / "silenced.py"

    async def scenario(client):
        uri = open_file(client, ignored, ignored_source)
        assert list(await diagnostics_for(client, uri)) == []
        uri = open_file(client, silenced, buggy("  # noqa: LL101"))
        assert list(await diagnostics_for(client, uri)) == []
        # the same text without the comment: reported (so the empty lists above mean something)
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [types.TextDocumentContentChangeWholeDocument(text=buggy())]))
        assert [d.code for d in await diagnostics_for(client, uri, lambda d: len(d) > 0)] == ["LL101"]
        # saving re-checks too
        client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri)))
        client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))
        assert await diagnostics_for(client, uri, lambda d: len(d) == 0) == ()
        # an unsaved buffer without a file name, known as Python by its language id
        untitled = "untitled:Untitled-1"
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=untitled, language_id="python", version=1, text="import keras\n")))
        assert list(await diagnostics_for(client, untitled)) == []
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=untitled, version=2),
            [types.TextDocumentContentChangeWholeDocument(text=buggy())]))
        assert [d.code for d in await diagnostics_for(client, untitled, lambda d: len(d) > 0)] == ["LL101"]

    run(scenario, tmp_path)


def test_stale_results_are_dropped(tmp_path):
    """Fifty quick edits alternating buggy and clean text: what stays published is the last version's."""
    path = tmp_path / "train.py"
    clean = buggy().replace("from_logits=True", "from_logits=False")

    async def scenario(client):
        uri = open_file(client, path, clean)
        assert list(await diagnostics_for(client, uri)) == []
        for version in range(2, 52):
            client.text_document_did_change(types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                [types.TextDocumentContentChangeWholeDocument(text=buggy() if version % 2 else clean)]))
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=52),
            [types.TextDocumentContentChangeWholeDocument(text=buggy())]))
        found = await diagnostics_for(client, uri, lambda d: len(d) > 0)
        assert [d.code for d in found] == ["LL101"]
        await asyncio.sleep(1.0)  # nothing older arrives afterwards
        assert [d.code for d in client.diagnostics[uri]] == ["LL101"]

    run(scenario, tmp_path)


def test_notebook_document_cells_as_one_module(tmp_path):
    notebook_uri = (tmp_path / "explore.ipynb").as_uri()
    cells = [
        (types.NotebookCellKind.Markup, "# Exploring the data"),
        (types.NotebookCellKind.Code, "%matplotlib inline\nimport keras\nfrom keras import layers"),
        (types.NotebookCellKind.Code, "model = keras.Sequential([\n    keras.Input(shape=(4,)),\n"
                                      "    layers.Dense(3, activation=\"softmax\"),\n])"),
        (types.NotebookCellKind.Code, "model.compile(\n    optimizer=\"adam\",\n"
                                      "    loss=keras.losses.CategoricalCrossentropy(from_logits=True),\n)"),
    ]
    cell_uris = [f"vscode-notebook-cell:{tmp_path.as_posix()}/explore.ipynb#cell{i}" for i in range(len(cells))]

    async def scenario(client):
        client.notebook_document_did_open(types.DidOpenNotebookDocumentParams(
            notebook_document=types.NotebookDocument(
                uri=notebook_uri, notebook_type="jupyter-notebook", version=1,
                cells=[types.NotebookCell(kind=kind, document=uri) for (kind, _), uri in zip(cells, cell_uris)]),
            cell_text_documents=[types.TextDocumentItem(uri=uri, language_id="python" if kind == 2 else "markdown",
                                                        version=1, text=text)
                                 for (kind, text), uri in zip(cells, cell_uris)]))
        found = await diagnostics_for(client, cell_uris[3], lambda d: len(d) > 0)
        assert [d.code for d in found] == ["LL101"]
        assert found[0].range.start == types.Position(line=2, character=9)  # line 3 of the compile cell
        assert list(client.diagnostics.get(cell_uris[2], [])) == []
        actions = await client.text_document_code_action_async(types.CodeActionParams(
            types.TextDocumentIdentifier(cell_uris[3]), found[0].range, types.CodeActionContext(diagnostics=found)))
        preferred = next(a for a in actions if a.is_preferred)
        assert list(preferred.edit.changes) == [cell_uris[3]]
        assert "from_logits" not in apply(cells[3][1], preferred.edit.changes[cell_uris[3]])

        # the user edits the compile cell: the notebook is checked again
        client.notebook_document_did_change(types.DidChangeNotebookDocumentParams(
            notebook_document=types.VersionedNotebookDocumentIdentifier(version=2, uri=notebook_uri),
            change=types.NotebookDocumentChangeEvent(cells=types.NotebookDocumentCellChanges(
                text_content=[types.NotebookDocumentCellContentChanges(
                    document=types.VersionedTextDocumentIdentifier(uri=cell_uris[3], version=2),
                    changes=[types.TextDocumentContentChangeWholeDocument(
                        text=cells[3][1].replace("from_logits=True", "from_logits=False"))])]))))
        assert await diagnostics_for(client, cell_uris[3], lambda d: len(d) == 0) == ()

    run(scenario, tmp_path)


async def start_with(root: Path, capabilities: types.ClientCapabilities, options=None):
    client = pytest_lsp.make_test_lsp_client()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    await client.start_io(sys.executable, "-m", "losslint", "server", env=env, cwd=str(root))
    await client.initialize_session(types.InitializeParams(
        capabilities=capabilities, root_uri=root.as_uri(), initialization_options=options,
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="project")]))
    return client


def run_with(scenario, root: Path, capabilities: types.ClientCapabilities, options=None):
    async def main():
        client = await start_with(root, capabilities, options)
        try:
            await scenario(client)
        finally:
            await client.shutdown_session()
    asyncio.run(main())


def test_related_information_and_documentation_link_when_the_client_supports_them(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(buggy(), encoding="utf-8")

    async def scenario(client):
        uri = open_file(client, path, buggy())
        (finding,) = await diagnostics_for(client, uri, lambda d: len(d) > 0)
        assert finding.code_description.href == "https://pypi.org/project/losslint-ml/#ll101"
        (note,) = finding.related_information
        assert note.location.uri == uri and note.location.range.start.line == 4  # the Dense(3, softmax) line
        assert "defined here" in note.message

    run(scenario, tmp_path)  # the VS Code capabilities declare both

    bare = types.ClientCapabilities(text_document=types.TextDocumentClientCapabilities(
        publish_diagnostics=types.PublishDiagnosticsClientCapabilities(related_information=False)))

    async def plain(client):
        uri = open_file(client, path, buggy())
        (finding,) = await diagnostics_for(client, uri, lambda d: len(d) > 0)
        assert finding.related_information is None and finding.code_description is None

    run_with(plain, tmp_path, bare)


HALF_TYPED = ["model.compile(", "model.compile(loss=", "model.compile(loss=keras.", "model.compile(loss=keras.losses."]


def test_half_typed_text_does_not_flash_ll900(tmp_path):
    """While the user types (an edit every 0.3 s), an unparsable buffer publishes no LL900; once the
    typing pauses it appears, as a warning like every finding; opening a broken file shows it at once."""
    import time

    path = tmp_path / "train.py"
    clean = buggy().replace("from_logits=True", "from_logits=False")
    broken = tmp_path / "broken.py"

    async def scenario(client):
        uri = open_file(client, path, clean)
        assert list(await diagnostics_for(client, uri)) == []
        seen = []
        for version, tail in enumerate(HALF_TYPED * 2, start=2):
            client.text_document_did_change(types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                [types.TextDocumentContentChangeWholeDocument(text=clean + tail)]))
            await asyncio.sleep(0.3)
            seen += [d.code for d in client.diagnostics.get(uri, ())]
        typed = time.monotonic()
        assert "LL900" not in seen
        (finding,) = await diagnostics_for(client, uri, lambda d: len(d) > 0)
        assert finding.code == "LL900" and finding.severity == types.DiagnosticSeverity.Warning
        assert time.monotonic() - typed >= 1.0
        opened = open_file(client, broken, clean + HALF_TYPED[1])
        assert [d.code for d in await diagnostics_for(client, opened, lambda d: len(d) > 0)] == ["LL900"]

    run(scenario, tmp_path)


def test_show_syntax_errors_false_hides_ll900(tmp_path):
    """`initializationOptions: {"showSyntaxErrors": false}` (ruff's server option): never an LL900."""
    broken = tmp_path / "broken.py"

    async def scenario(client):
        uri = open_file(client, broken, buggy() + HALF_TYPED[1])
        assert list(await diagnostics_for(client, uri)) == []
        await asyncio.sleep(2.0)
        assert list(client.diagnostics[uri]) == []
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [types.TextDocumentContentChangeWholeDocument(text=buggy())]))
        assert [d.code for d in await diagnostics_for(client, uri, lambda d: len(d) > 0)] == ["LL101"]

    run_with(scenario, tmp_path, pytest_lsp.client_capabilities("visual-studio-code"), {"showSyntaxErrors": False})

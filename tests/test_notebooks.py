"""Notebooks: one virtual module, IPython syntax blanked in place, cell positions, LL900, write-back."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

from cli_helpers import run_losslint
from losslint.api import check_file, default_codes
from losslint.static.notebook import blank_ipython, json_line, notebook_document, write_back

CELLS = [
    new_markdown_cell("# Title"),
    new_code_cell("%matplotlib inline\nimport numpy as np\nfrom tensorflow import keras"),
    new_code_cell("model = keras.Sequential([\n    keras.Input(shape=(4,)),\n"
                  "    keras.layers.Dense(3, activation='softmax'),\n])"),
    new_raw_cell("raw"),
    new_code_cell("!nvidia-smi\nmodel.compile(\n    optimizer='adam',\n"
                  "    loss=keras.losses.CategoricalCrossentropy(from_logits=True),\n)\nmodel.fit?"),
]


def write(path: Path, cells=CELLS) -> Path:
    notebook = new_notebook(cells=[copy.deepcopy(c) for c in cells])
    nbformat.validate(notebook)
    nbformat.write(notebook, str(path))
    return path


def test_cells_form_one_module_and_positions_count_all_cells(tmp_path):
    path = write(tmp_path / "nb.ipynb")
    result = run_losslint("check", "nb.ipynb", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "nb.ipynb:cell 5:4:10: LL101 " in result.stdout
    assert "(cell 3, line 3)" in result.stdout  # the message names where the output layer is
    data = json.loads(run_losslint("check", "--output-format", "json", str(path), cwd=tmp_path).stdout)
    assert [(d["code"], d["cell"], d["location"]) for d in data] == [("LL101", 5, {"row": 4, "column": 10})]


def test_notebooks_are_found_in_directories(tmp_path):
    write(tmp_path / "nb.ipynb")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    write(tmp_path / ".ipynb_checkpoints" / "nb-checkpoint.ipynb")
    result = run_losslint("check", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.count("LL101") == 1 and "checkpoint" not in result.stdout


def test_magics_are_blanked_without_moving_lines():
    lines = ["%matplotlib inline\n", "x = 1\n", "files = !ls\n", "  %time f()\n", "obj?\n", "??obj\n",
             "s = '''\n", "!not magic inside a string\n", "'''\n", "y = (1\n", "% 2)\n"]
    out = blank_ipython(lines)
    assert len(out) == len(lines)
    assert out[0] == "pass\n" and out[2] == "files = get_ipython()\n" and out[3] == "  pass\n" and out[4] == out[5] == "pass\n"
    assert out[7] == lines[7] and out[10] == lines[10]  # string content and a modulo continuation stay
    assert blank_ipython(["%%bash\n", "ls -la\n"]) == ["\n", "\n"]
    assert blank_ipython(["%%time\n", "x = 1\n"]) == ["\n", "x = 1\n"]


def test_noqa_in_a_cell(tmp_path):
    cells = list(CELLS)
    cells[4] = new_code_cell("model.compile(optimizer='adam',\n"
                             "    loss=keras.losses.CategoricalCrossentropy(from_logits=True))  # noqa: LL101")
    write(tmp_path / "nb.ipynb", cells)
    result = run_losslint("check", "--statistics", "nb.ipynb", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "1  suppressed by `# noqa`" in result.stdout


@pytest.mark.parametrize("content, reason", [
    ('{"cells": [', "invalid notebook JSON"),
    ('{"nbformat": 3, "nbformat_minor": 0, "worksheets": [], "metadata": {}}', "nbformat 3"),
    ('[1, 2]', "not a JSON object"),
])
def test_broken_notebooks_are_ll900_with_the_reason(tmp_path, content, reason):
    (tmp_path / "bad.ipynb").write_text(content, encoding="utf-8")
    write(tmp_path / "good.ipynb")
    result = run_losslint("check", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert "bad.ipynb:1:1: LL900" in result.stdout and reason in result.stdout
    assert "good.ipynb:cell 5:4:10: LL101" in result.stdout  # the run goes on


def test_json_line_points_into_the_ipynb_text(tmp_path):
    path = write(tmp_path / "nb.ipynb")
    physical_line, column = json_line(str(path), 5, 4, 9)
    raw = path.read_text(encoding="utf-8").splitlines()[physical_line - 1]
    assert raw[column:].startswith("keras.losses.CategoricalCrossentropy(from_logits=True)")


def test_write_back_changes_only_the_edited_lines(tmp_path):
    path = write(tmp_path / "nb.ipynb")
    before = path.read_text(encoding="utf-8")
    document = notebook_document(str(path), path.read_bytes())
    new_text = document.text.replace("CategoricalCrossentropy(from_logits=True)", "CategoricalCrossentropy()")
    assert write_back(str(path), new_text) is True
    after = path.read_text(encoding="utf-8")
    nbformat.validate(nbformat.read(str(path), as_version=4))
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert len(before.splitlines()) == len(after.splitlines()) and len(changed) == 1
    assert "CategoricalCrossentropy()" in changed[0][1]
    assert "%matplotlib inline" in after and "!nvidia-smi" in after and "model.fit?" in after
    assert not check_file(str(path), default_codes()).__getattribute__("diagnostics")
    assert write_back(str(path), new_text) is False  # second time: nothing to do


def test_write_back_inserted_lines_stay_in_their_cell(tmp_path):
    path = write(tmp_path / "nb.ipynb")
    document = notebook_document(str(path), path.read_bytes())
    new_text = document.text.replace("    optimizer='adam',\n", "    optimizer='adam',\n    metrics=['accuracy'],\n")
    assert write_back(str(path), new_text)
    notebook = nbformat.read(str(path), as_version=4)
    nbformat.validate(notebook)
    assert notebook.cells[4].source.splitlines()[3] == "    metrics=['accuracy'],"
    assert notebook.cells[4].source.startswith("!nvidia-smi\n") and notebook.cells[4].source.endswith("model.fit?")
    assert notebook.cells[2].source == CELLS[2]["source"]


@pytest.mark.parametrize("bad_cell, where", [
    ("x = 1\ny = (2 +\nz = 3", "cell 3:2:"),  # the parser stops in the cell at fault, not the next one
    ("a = 1\nb = keras\u00a0model", "cell 3:2:"),  # a tokenizer error is not put on cell 1
])
def test_ll900_points_at_the_cell_and_line_at_fault(tmp_path, bad_cell, where):
    cells = [new_markdown_cell("# t"), new_code_cell("import keras\nx = 1"), new_code_cell(bad_cell),
             new_code_cell("model = keras.Sequential()\nmodel.compile(loss='mse')")]
    write(tmp_path / "nb.ipynb", cells)
    result = run_losslint("check", "nb.ipynb", cwd=tmp_path)
    assert f"nb.ipynb:{where}" in result.stdout and "LL900" in result.stdout, result.stdout


def test_what_ipython_runs_is_not_ll900(tmp_path):
    cells = [new_code_cell("!pip install -q \\\n    tensorflow-datasets \\\n    keras-hub"),
             new_code_cell("if IN_COLAB:\n    !apt-get install -y \\\n        graphviz\n    %pip install pydot"),
             new_code_cell("    import keras\n    model = keras.Sequential()"),
             new_code_cell("ls ./data/"),
             new_code_cell("msg = 'loss %s' \\\n% 'mse'\nmodel.compile(loss=msg)")]
    write(tmp_path / "nb.ipynb", cells)
    result = run_losslint("check", "--select", "LL900", "nb.ipynb", cwd=tmp_path)
    assert result.returncode == 0, result.stdout


def test_write_back_keeps_a_trailing_empty_source_element(tmp_path):
    path = write(tmp_path / "nb.ipynb")
    notebook = json.loads(path.read_text(encoding="utf-8"))
    notebook["cells"][4]["source"] = ["model.compile(\n", "    optimizer='adam',\n",
                                      "    loss=keras.losses.CategoricalCrossentropy(from_logits=True),\n", ")\n", ""]
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    document = notebook_document(str(path), path.read_bytes())
    assert write_back(str(path), document.text.replace("(from_logits=True)", "()")) is True
    source = json.loads(path.read_text(encoding="utf-8"))["cells"][4]["source"]
    assert source == ["model.compile(\n", "    optimizer='adam',\n",
                      "    loss=keras.losses.CategoricalCrossentropy(),\n", ")\n", ""]

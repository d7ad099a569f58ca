"""`losslint check --fix / --diff / --unsafe-fixes` on `.ipynb` files, through the real CLI."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from cli_helpers import run_losslint

LOSS = "    loss=keras.losses.CategoricalCrossentropy(from_logits=True),{comment}\n"
CELLS = [
    new_markdown_cell("# Training\nSome *markdown*."),
    new_code_cell("%matplotlib inline\nimport numpy as np\nfrom tensorflow import keras",
                  outputs=[new_output("stream", name="stdout", text="imported\n")], execution_count=1),
    new_code_cell("model = keras.Sequential([\n    keras.Input(shape=(4,)),\n"
                  "    keras.layers.Dense(3, activation='softmax'),\n])", metadata={"tags": ["model"]}),
    new_code_cell("!nvidia-smi\nmodel.compile(\n    optimizer='adam',\n" + LOSS + ")\n%time model.summary()",
                  outputs=[new_output("execute_result", data={"text/plain": "None"}, execution_count=3)],
                  execution_count=3),
]
FIXED_LINE = '    "    loss=keras.losses.CategoricalCrossentropy(),\\n",'


def write(path: Path, comment: str = "") -> Path:
    cells = [copy.deepcopy(c) for c in CELLS]
    cells[3]["source"] = cells[3]["source"].format(comment=comment)
    notebook = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "language": "python",
                                                                  "display_name": "Python 3"}})
    nbformat.validate(notebook)
    nbformat.write(notebook, str(path))
    return path


def validate(path: Path) -> None:
    nbformat.validate(nbformat.read(str(path), as_version=4))


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    assert len(before.splitlines()) == len(after.splitlines())
    return [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]


def test_check_marks_notebook_findings_fixable(tmp_path):
    write(tmp_path / "nb.ipynb")
    result = run_losslint("check", "nb.ipynb", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "nb.ipynb:cell 4:4:10: LL101 [*] " in result.stdout
    assert "[*] 1 fixable with the `--fix` option." in result.stdout


def test_fix_edits_only_the_source_line_and_is_idempotent(tmp_path):
    path = write(tmp_path / "nb.ipynb")
    before = path.read_text(encoding="utf-8")
    result = run_losslint("check", "--fix", "nb.ipynb", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 fixed, 0 remaining" in result.stdout
    validate(path)
    after = path.read_text(encoding="utf-8")
    assert [b.rstrip() for _, b in changed_lines(before, after)] == [FIXED_LINE]
    old, new = json.loads(before), json.loads(after)
    for cell_before, cell_after in zip(old["cells"], new["cells"]):  # outputs, metadata, ids unchanged
        assert {k: v for k, v in cell_before.items() if k != "source"} == \
               {k: v for k, v in cell_after.items() if k != "source"}
    assert new["metadata"] == old["metadata"]
    source = "".join(new["cells"][3]["source"])
    assert source.startswith("!nvidia-smi\n") and source.endswith("\n)\n%time model.summary()")

    data = path.read_bytes()
    again = run_losslint("check", "--fix", "nb.ipynb", cwd=tmp_path)
    assert again.returncode == 0 and "All checks passed!" in again.stdout
    assert path.read_bytes() == data


def test_diff_leaves_the_file_and_git_applies_it(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    path = write(tmp_path / "nb.ipynb")
    data = path.read_bytes()
    result = run_losslint("check", "--diff", "nb.ipynb", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert path.read_bytes() == data
    assert result.stdout.startswith("--- a/nb.ipynb\n+++ b/nb.ipynb\n") and "+" + FIXED_LINE in result.stdout
    assert "Would fix 1 error." in result.stderr
    diff = result.stdout
    patch = tmp_path / "fix.patch"
    patch.write_text(diff, encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    check = subprocess.run(["git", "apply", "--check", str(patch)], cwd=tmp_path, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr + diff
    subprocess.run(["git", "apply", str(patch)], cwd=tmp_path, check=True)
    validate(path)
    assert FIXED_LINE in path.read_text(encoding="utf-8").splitlines()


def test_noqa_in_a_cell_prevents_the_fix(tmp_path):
    path = write(tmp_path / "nb.ipynb", comment="  # noqa: LL101")
    data = path.read_bytes()
    result = run_losslint("check", "--fix", "nb.ipynb", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert path.read_bytes() == data


def test_unsafe_fix_needs_unsafe_fixes(tmp_path):
    path = tmp_path / "nb.ipynb"
    notebook = new_notebook(cells=[
        new_code_cell("import keras\nfrom keras import layers"),
        new_markdown_cell("model"),
        new_code_cell("model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3, activation='sigmoid')])"),
        new_code_cell("model.compile('adam', 'sparse_categorical_crossentropy')"),
    ])
    nbformat.write(notebook, str(path))
    data = path.read_bytes()
    safe = run_losslint("check", "--fix", "nb.ipynb", cwd=tmp_path)
    assert safe.returncode == 1 and "nb.ipynb:cell 4:1:" in safe.stdout and "LL102" in safe.stdout
    assert "hidden fix" in safe.stdout and "--unsafe-fixes" in safe.stdout, safe.stdout
    assert path.read_bytes() == data
    unsafe = run_losslint("check", "--fix", "--unsafe-fixes", "nb.ipynb", cwd=tmp_path)
    assert unsafe.returncode == 0, unsafe.stdout
    validate(path)
    assert nbformat.read(str(path), as_version=4).cells[2].source == \
        "model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3, activation='softmax')])"


def test_remaining_findings_keep_cell_positions(tmp_path):
    """A safe fix applied, an unsafe one left: the remaining finding is reported in its cell."""
    path = tmp_path / "nb.ipynb"
    nbformat.write(new_notebook(cells=[
        new_code_cell("import keras\nfrom keras import layers"),
        new_code_cell("a = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3, activation='softmax')])\n"
                      "a.compile('adam', keras.losses.CategoricalCrossentropy(from_logits=True))"),
        new_code_cell("b = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3, activation='sigmoid')])"),
        new_code_cell("b.compile('adam', 'sparse_categorical_crossentropy')"),
    ]), str(path))
    result = run_losslint("check", "--fix", "nb.ipynb", cwd=tmp_path)
    assert result.returncode == 1
    assert "1 fixed, 1 remaining" in result.stdout, result.stdout
    assert "nb.ipynb:cell 4:1:" in result.stdout
    validate(path)


def test_json_fix_edits_are_cell_positions(tmp_path):
    write(tmp_path / "nb.ipynb")
    result = run_losslint("check", "--output-format", "json", "nb.ipynb", cwd=tmp_path)
    [finding] = json.loads(result.stdout)
    assert finding["cell"] == 4 and finding["location"] == {"row": 4, "column": 10}
    [edit] = finding["fix"]["edits"]
    assert edit["cell"] == 4 and edit["location"] == {"row": 4, "column": 10}
    assert edit["content"] == "keras.losses.CategoricalCrossentropy()"

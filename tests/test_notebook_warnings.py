"""Runtime warnings in a real Jupyter kernel (nbclient) name the cell as the user sees it
(`Cell In[5]:2`, the execution count and the line inside the cell) and show that line; a warning
raised from `fit` names the `fit` cell, not the cell that built or compiled the model."""

from __future__ import annotations

import importlib.util
import os
import re

import pytest

from cli_helpers import ROOT

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("keras")


def execute(tmp_path, cells: list[str]):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    backend = "jax" if importlib.util.find_spec("jax") else "tensorflow"
    saved = dict(os.environ)
    os.environ.update(PYTHONPATH=str(ROOT), KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
    os.environ.pop("LOSSLINT", None)
    try:  # the kernel inherits this environment
        client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3", allow_errors=True,
                                         resources={"metadata": {"path": str(tmp_path)}})
        return client.execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def stderr(executed, index: int) -> str:
    return "".join(o.get("text", "") for o in executed.cells[index].outputs
                   if o.get("output_type") == "stream" and o.get("name") == "stderr")


def test_warnings_name_the_cell_and_line(tmp_path):
    executed = execute(tmp_path, [
        "%load_ext losslint",
        "import numpy as np\nimport keras",
        "model = keras.Sequential([\n    keras.Input(shape=(4,)),\n    keras.layers.Dense(3, activation='softmax'),\n])",
        "# compile with a one-hot loss\nmodel.compile(optimizer='adam',\n"
        "              loss='categorical_crossentropy')",
        "x = np.random.rand(32, 4).astype('float32')\ny = np.random.randint(0, 3, size=(32,))",
        "print('training')\nhistory = model.fit(x, y, epochs=1, verbose=0)",  # then Keras fails on the shapes
        "probs = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, activation='softmax')])\n"
        "probs.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True))",
    ])
    compile_cell, fit_cell, logits_cell = stderr(executed, 3), stderr(executed, 5), stderr(executed, 6)
    assert compile_cell == ""  # integer labels are a fit-time finding
    assert "ipykernel" not in fit_cell + logits_cell and ".py:" not in fit_cell + logits_cell
    assert re.search(r"^Cell In\[6\]:2: LossLintWarning: LL201 ", fit_cell, re.M), fit_cell
    assert "  history = model.fit(x, y, epochs=1, verbose=0)" in fit_cell  # the line, shown
    assert re.search(r"^Cell In\[7\]:2: LossLintWarning: LL101 ", logits_cell, re.M), logits_cell
    assert "  probs.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True))" in logits_cell


def test_a_rerun_cell_is_named_by_its_new_execution_count(tmp_path):
    executed = execute(tmp_path, [
        "%load_ext losslint",
        "import keras\n"
        "def build():\n"
        "    m = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1, activation='softmax')])\n"
        "    m.compile(loss='binary_crossentropy')\n"
        "    return m",
        "first = build()",
        "second = build()",
    ])
    # the warning points at the line in the cell that defines build() (where compile( is written)
    assert re.search(r"^Cell In\[2\]:4: LossLintWarning: LL104 ", stderr(executed, 2), re.M), stderr(executed, 2)
    assert re.search(r"^Cell In\[2\]:4: LossLintWarning: LL104 ", stderr(executed, 3), re.M), stderr(executed, 3)


def test_torch_notebook_fixture_warns_at_the_loss_call_in_its_cell(tmp_path):
    pytest.importorskip("torch")
    fixture = nbformat.read(str(ROOT / "fixtures" / "LL101" / "notebook_torch_softmax_module_cross_entropy.ipynb"),
                            as_version=4)
    code = ["%load_ext losslint"] + [c.source for c in fixture.cells if c.cell_type == "code"]
    executed = execute(tmp_path, code)
    loop = stderr(executed, len(code) - 1)
    assert "ipykernel" not in loop and ".py:" not in loop
    # the loop is the sixth cell run, timed with %%time; its fourth line is where the loss meets the softmax
    assert re.search(r"^Cell In\[6\]:4: LossLintWarning: LL101 ", loop, re.M), loop
    assert "  loss = loss_fn(pred, labels)" in loop
    assert all(stderr(executed, i) == "" for i in range(len(code) - 1))

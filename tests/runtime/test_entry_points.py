"""`import losslint` stays cheap; `%load_ext losslint` works in a real Jupyter kernel."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import require, subprocess_env


def test_import_losslint_pulls_in_no_heavy_module():
    code = ("import sys, losslint; losslint.install; losslint.load_ipython_extension; "
            "import losslint.runtime, losslint.facts, losslint.rules, losslint.registry; "
            "losslint.registry.all_rules(); "
            "print(sorted(m for m in ('keras', 'tensorflow', 'libcst', 'click', 'jax', 'tf_keras', 'numpy') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=subprocess_env(),
                         check=True).stdout
    assert json.loads(out.replace("'", '"')) == []


def test_install_before_keras_import_does_not_import_keras():
    """`losslint run` / `%load_ext` come first; the script may still choose KERAS_BACKEND."""
    require("keras")
    code = ("import os, sys, losslint; losslint.install(); assert 'keras' not in sys.modules; "
            "os.environ['KERAS_BACKEND'] = 'jax'; import keras; "
            "print(keras.backend.backend(), getattr(keras.Model.compile, '__losslint__', False))")
    env = subprocess_env()
    env.pop("KERAS_BACKEND", None)
    if __import__("importlib.util").util.find_spec("jax") is None:
        pytest.skip("jax is not installed")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.split() == ["jax", "True"]


def test_ipython_extension_in_a_real_notebook(tmp_path):
    require("keras")
    nbformat, nbclient = require("nbformat"), require("nbclient")
    require("ipykernel")
    cells = [
        "%load_ext losslint",
        "import keras\n"
        "model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, activation='softmax')])",
        "model.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True))",
        "%unload_ext losslint\n"
        "again = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, activation='softmax')])\n"
        "again.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True))",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    path = tmp_path / "train.ipynb"
    nbformat.write(notebook, path)
    env = subprocess_env(KERAS_BACKEND="jax" if __import__("importlib.util").util.find_spec("jax") else "tensorflow")
    import os

    saved = dict(os.environ)
    os.environ.update(env)  # the kernel inherits this environment
    try:
        client = nbclient.NotebookClient(nbformat.read(path, as_version=4), timeout=180, kernel_name="python3",
                                         resources={"metadata": {"path": str(tmp_path)}})
        executed = client.execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)

    def stderr(index):
        return "".join(o.get("text", "") for o in executed.cells[index].outputs
                       if o.get("output_type") == "stream" and o.get("name") == "stderr")

    compiled = stderr(2)
    assert "LossLintWarning: LL101 `CategoricalCrossentropy(from_logits=True)` receives the softmax" in compiled
    assert "help: drop `from_logits=True`" in compiled
    assert "model.compile(" in compiled  # attributed to the cell line, not to keras internals
    assert "LL101" not in stderr(3)  # unloaded

"""`import losslint` stays cheap; `%load_ext losslint` works in a real Jupyter kernel."""

from __future__ import annotations

import json
import os
import re
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


def test_losslint_run_command(tmp_path):
    """`losslint run train.py ARGS` through the CLI: the script's own args, warn and raise modes."""
    require("keras")
    script = tmp_path / "train.py"
    script.write_text(
        "import sys\n"
        "import keras\n"
        "assert sys.argv[1:] == ['--epochs', '3'], sys.argv\n"
        "model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1, activation='sigmoid')])\n"
        "model.compile(optimizer='adam', loss='categorical_crossentropy')\n"
        "print('trained')\n")
    env = {**subprocess_env(), "KERAS_BACKEND": "jax"}
    env.pop("LOSSLINT", None)
    warn = subprocess.run([sys.executable, "-m", "losslint", "run", str(script), "--epochs", "3"],
                          capture_output=True, text=True, env=env)
    assert warn.returncode == 0, warn.stderr
    assert "trained" in warn.stdout
    assert f"{script}:5: LossLintWarning: LL105" in warn.stderr
    raised = subprocess.run([sys.executable, "-m", "losslint", "run", "--mode", "raise", str(script), "--epochs", "3"],
                            capture_output=True, text=True, env=env)
    assert raised.returncode == 1
    assert "LossLintError" in raised.stderr and "trained" not in raised.stdout


TRAIN_MODULE = (
    "import sys\n"
    "import keras\n"
    "assert sys.argv[1:] == ['--epochs', '3'], sys.argv\n"
    "assert __name__ == '__main__' and sys.argv[0].endswith('train.py'), (__name__, sys.argv)\n"
    "from .data import UNITS\n"
    "model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(UNITS, activation='sigmoid')])\n"
    "model.compile(optimizer='adam', loss='categorical_crossentropy')\n"
    "print('trained')\n")


def test_losslint_run_module(tmp_path):
    """`losslint run -m package.train ARGS`: what `python -m package.train ARGS` does, hook installed
    (relative imports inside the package work, the current directory is first on sys.path)."""
    require("keras")
    package = tmp_path / "project"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "data.py").write_text("UNITS = 1\n")
    (package / "train.py").write_text(TRAIN_MODULE)
    env = {**subprocess_env(), "KERAS_BACKEND": "jax"}
    command = [sys.executable, "-m", "losslint", "run", "-m", "project.train", "--epochs", "3"]
    warn = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert warn.returncode == 0, warn.stderr
    assert "trained" in warn.stdout
    assert f"{package / 'train.py'}:7: LossLintWarning: LL105" in warn.stderr
    missing = subprocess.run([sys.executable, "-m", "losslint", "run", "-m", "project.nothing"], capture_output=True,
                             text=True, env=env, cwd=tmp_path)
    assert missing.returncode == 1 and "No module named project.nothing" in missing.stderr


RAISING_SCRIPT = (
    "import losslint\n"
    "losslint.install(mode='raise')\n"
    "import numpy as np\n"
    "import keras\n"
    "model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, activation='softmax')])\n"
    "model.compile(optimizer='adam', loss={loss})\n"
    "model.fit(np.zeros((8, 4), 'float32'), np.arange(8) % 3 + 1, epochs=1, verbose=0)\n")


@pytest.mark.parametrize("loss, line", [
    ("'sparse_categorical_crossentropy'", 7),  # LL203 at fit (1-based labels), inside Keras's train step
    ("keras.losses.SparseCategoricalCrossentropy(from_logits=True)", 6),  # LL101 at compile
])
def test_raise_mode_traceback_shows_one_losslint_frame(tmp_path, loss, line):
    """`install(mode="raise")` in a plain `python train.py`: the traceback ends at the user's
    compile(/fit( line, with at most the one frame of the hook's own wrapper under it."""
    require("keras")
    script = tmp_path / "train.py"
    script.write_text(RAISING_SCRIPT.format(loss=loss))
    env = {**subprocess_env(), "KERAS_BACKEND": "jax"}
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env)
    assert run.returncode == 1 and "LossLintError" in run.stderr, run.stderr[-3000:]
    frames = re.findall(r'File "([^"]+)", line (\d+)', run.stderr)
    ours = [f for f, _ in frames if os.sep + "losslint" + os.sep in f]
    assert len(ours) <= 1, run.stderr[-3000:]
    user = [int(n) for f, n in frames if f == str(script)]
    assert user[-1] == line, run.stderr[-3000:]


def test_losslint_environment_variable_with_the_autostart_line(tmp_path):
    """`LOSSLINT=warn python train.py`: the one `.pth` line (losslint.runtime.autostart.PTH_LINE)
    in a site directory installs the hook before the script runs; unset, it installs nothing."""
    require("keras")
    from losslint.runtime.autostart import PTH_LINE, PTH_NAME

    site_dir = tmp_path / "site"
    site_dir.mkdir()
    (site_dir / PTH_NAME).write_text(PTH_LINE)
    script = tmp_path / "train.py"
    script.write_text(
        "import sys\n"
        "import keras\n"
        "model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, activation='softmax')])\n"
        "model.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True))\n"
        "print('losslint' in sys.modules)\n")
    # what Python's start-up does with site-packages, for a directory of the test's own
    launcher = f"import site, runpy; site.addsitedir({str(site_dir)!r}); runpy.run_path({str(script)!r}, run_name='__main__')"
    for value, expected_code, imported in (("warn", "LL101", "True"), ("off", None, "False"), (None, None, "False")):
        env = {**subprocess_env(), "KERAS_BACKEND": "jax"}
        if value is not None:
            env["LOSSLINT"] = value
        run = subprocess.run([sys.executable, "-c", launcher], capture_output=True, text=True, env=env)
        assert run.returncode == 0, run.stderr[-3000:]
        assert run.stdout.split() == [imported]
        assert (f"{script}:4: LossLintWarning: {expected_code}" in run.stderr) if expected_code else \
            "LossLintWarning" not in run.stderr

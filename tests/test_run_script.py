"""`losslint run script.py`: the script's exceptions look as under `python script.py`; its exit code stays."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli_helpers import ROOT


def _env() -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3", KERAS_BACKEND="jax")
    env.pop("LOSSLINT", None)
    return env


def both(script: Path, *args: str) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
    """(`python script.py ARGS`, `losslint run script.py ARGS`), run from the script's directory."""
    plain = subprocess.run([sys.executable, script.name, *args], cwd=script.parent, capture_output=True,
                           text=True, env=_env(), timeout=300)
    hooked = subprocess.run([sys.executable, "-m", "losslint", "run", script.name, *args], cwd=script.parent,
                            capture_output=True, text=True, env=_env(), timeout=300)
    return plain, hooked


PROGRAMS = {
    "nested_error": "import sys\n\ndef load(path):\n    return open(path).read()\n\ndef main():\n"
                    "    print('start', sys.argv[1:])\n    load(sys.argv[1])\n\nmain()\n",
    "chained": "try:\n    {}['key']\nexcept KeyError as error:\n    raise ValueError('no key') from error\n",
    "syntax_error": "x = (\n",
    "exit_code": "import sys\nprint('bye')\nsys.exit(3)\n",
    "exit_message": "import sys\nsys.exit('stopped: no data')\n",
    "clean": "print(__name__, __file__.endswith('clean.py'))\n",
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_output_and_exit_code_are_those_of_python(tmp_path, name):
    script = tmp_path / f"{name}.py"
    script.write_text(PROGRAMS[name], encoding="utf-8")
    plain, hooked = both(script, "missing.csv")
    assert hooked.returncode == plain.returncode
    assert hooked.stdout == plain.stdout
    assert hooked.stderr == plain.stderr
    assert "losslint" not in hooked.stderr and "runpy" not in hooked.stderr


def test_raise_mode_traceback_ends_at_the_users_compile_line(tmp_path):
    pytest.importorskip("keras")
    script = tmp_path / "train.py"
    script.write_text(
        "import keras\n\n"
        "def build():\n"
        "    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1, activation='softmax')])\n"
        "    model.compile(optimizer='adam', loss='binary_crossentropy')\n"
        "    return model\n\n"
        "build()\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "losslint", "run", "--mode", "raise", "train.py"], cwd=tmp_path,
                         capture_output=True, text=True, env=_env(), timeout=300)
    assert run.returncode == 1
    frames = [line for line in run.stderr.splitlines() if line.startswith("  File ")]
    assert frames == [f'  File "{script}", line 8, in <module>', f'  File "{script}", line 5, in build'], run.stderr
    assert "losslint.runtime.hook.LossLintError: LL104" in run.stderr


def test_the_hooks_wrappers_are_not_in_a_keras_traceback(tmp_path):
    """Integer labels with a one-hot loss: losslint warns, then Keras fails; the traceback's frames
    are those `python script.py` shows (the hook's `fit` wrapper is not one of them)."""
    pytest.importorskip("keras")
    script = tmp_path / "train.py"
    script.write_text(
        "import numpy as np\nimport keras\n\n"
        "model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, activation='softmax')])\n"
        "model.compile(optimizer='adam', loss='categorical_crossentropy')\n"
        "x, y = np.random.rand(16, 4), np.random.randint(0, 3, size=(16,))\n"
        "model.fit(x, y, epochs=1, verbose=0)\n", encoding="utf-8")
    plain, hooked = both(script)
    assert plain.returncode == hooked.returncode == 1
    assert "LossLintWarning: LL201" in hooked.stderr
    frames = [line for line in hooked.stderr.splitlines() if line.startswith("  File ")]
    assert frames and frames == [line for line in plain.stderr.splitlines() if line.startswith("  File ")]
    assert hooked.stderr.rstrip().splitlines()[-1] == plain.stderr.rstrip().splitlines()[-1]

"""Run the real `python -m losslint` in a subprocess (the entry point users and pre-commit use)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_losslint(*args: str, cwd: Path | str, stdin: str | None = None, env: dict | None = None):
    environment = dict(os.environ)
    environment["PYTHONPATH"] = str(ROOT) + os.pathsep + environment.get("PYTHONPATH", "")
    environment.pop("LOSSLINT_OUTPUT_FORMAT", None)
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "losslint", *args], cwd=str(cwd), input=stdin,
                          capture_output=True, text=True, env=environment, timeout=120)


BUGGY = '''from tensorflow import keras

model = keras.Sequential([
    keras.Input(shape=(4,)),
    keras.layers.Dense(3, activation="softmax"),
])
model.compile(
    optimizer="adam",
    loss=keras.losses.CategoricalCrossentropy(from_logits=True),{comment}
)
'''


def buggy(comment: str = "") -> str:
    """A program with one LL101, anchored on line 9; `comment` is appended to that line."""
    return BUGGY.format(comment=comment)

"""Losses called directly (custom training loops) are checked at runtime on every backend.

The same program runs plain (`python loop.py`) and under `losslint run`: the hook must report the
mistakes of the first call of each loss, stay silent on correct calls, and leave every loss value
unchanged. TensorFlow, JAX and torch as Keras backends, and the legacy tf-keras package.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import require, subprocess_env

LOOP = """
import numpy as np
import {keras} as keras
keras.utils.set_random_seed(0)
x = np.random.default_rng(0).random((16, 4)).astype("float32")
y = keras.utils.to_categorical(np.arange(16) % 3, 3)
ids = (np.arange(16) % 3).astype("int32")
model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, activation="softmax")])
logits = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3)])
values = []
loss_fn = keras.losses.CategoricalCrossentropy(from_logits=True)
for step in range(3):
    values.append(loss_fn(y, model(x, training=True)))  # LL101, reported once
good = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
values.append(good(ids, logits(x)))  # correct: silent
values.append(keras.losses.categorical_crossentropy(y, model(x)))  # correct: silent
values.append(keras.losses.sparse_categorical_crossentropy(ids, model(x), True))  # from_logits=True: LL101
values.append(keras.losses.CategoricalCrossentropy()(y, logits(x) * 10.0))  # linear output: LL106
try:
    values.append(keras.losses.SparseCategoricalCrossentropy()(y, model(x)))  # one-hot labels: LL202
except Exception as error:  # the backends reject this call themselves
    print("rejected", type(error).__name__)
print("values", [round(float(np.mean(np.asarray(v.detach() if hasattr(v, "detach") else v))), 6)
                 for v in values])  # torch: a loss that requires grad is detached first
"""


def _codes(stderr: str) -> list[str]:
    return re.findall(r"LossLintWarning: (LL\d+)", stderr)


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch", "tf_keras"])
def test_direct_loss_calls(tmp_path, backend):
    require("keras")
    require(backend)
    script = tmp_path / "loop.py"
    script.write_text(LOOP.format(keras="tf_keras" if backend == "tf_keras" else "keras"))
    env = subprocess_env(KERAS_BACKEND="tensorflow" if backend == "tf_keras" else backend)
    plain = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=600)
    hooked = subprocess.run([sys.executable, "-m", "losslint", "run", str(script)], capture_output=True, text=True,
                            env=env, timeout=600)
    assert plain.returncode == hooked.returncode == 0, hooked.stderr[-3000:]
    assert plain.stdout == hooked.stdout  # the same loss values
    assert _codes(plain.stderr) == []
    assert _codes(hooked.stderr) == ["LL101", "LL101", "LL106", "LL202"], hooked.stderr[-3000:]

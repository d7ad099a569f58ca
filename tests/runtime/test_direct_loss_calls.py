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


TF_FUNCTION_STEPS = '''
import numpy as np
import tensorflow as tf
import keras
from keras import layers

keras.utils.set_random_seed(0)
x = np.random.default_rng(0).random((16, 4)).astype("float32")
ids = (np.arange(16) % 3).astype("int32")
linear = keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu"), layers.Dense(3)])
softmax = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="softmax")])
optimizer = keras.optimizers.SGD(0.1)
probabilities_loss = keras.losses.SparseCategoricalCrossentropy()
logits_loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
good_loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)


@tf.function
def linear_step(x, y):
    with tf.GradientTape() as tape:
        logits = linear(x, training=True)
        loss = probabilities_loss(y, logits)  # LL106: the step never runs eagerly
    grads = tape.gradient(loss, linear.trainable_variables)
    optimizer.apply_gradients(zip(grads, linear.trainable_variables))
    return loss


@tf.function
def softmax_step(x, y):
    return logits_loss(y, softmax(x, training=True))  # LL101


@tf.function
def good_step(x, y):
    return good_loss(y, linear(x))


values = []
for step in range(2):
    values += [linear_step(x, ids), softmax_step(x, ids), good_step(x, ids)]
print("values", [round(float(v), 6) for v in values])
'''


def test_tf_function_steps_are_judged_by_the_model_that_made_the_prediction(tmp_path):
    require("keras")
    require("tensorflow")
    script = tmp_path / "steps.py"
    script.write_text(TF_FUNCTION_STEPS)
    lines = TF_FUNCTION_STEPS.splitlines()
    loss_line = {code: next(i for i, text in enumerate(lines, 1) if f"# {code}" in text) for code in ("LL106", "LL101")}
    env = subprocess_env(KERAS_BACKEND="tensorflow")
    plain = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=600)
    hooked = subprocess.run([sys.executable, "-m", "losslint", "run", str(script)], capture_output=True, text=True,
                            env=env, timeout=600)
    assert plain.returncode == hooked.returncode == 0, hooked.stderr[-3000:]
    assert plain.stdout == hooked.stdout
    found = re.findall(r"steps\.py:(\d+): LossLintWarning: (LL\d+)", hooked.stderr)
    assert sorted(found) == sorted((str(line), code) for code, line in loss_line.items()), hooked.stderr[-3000:]

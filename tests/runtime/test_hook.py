"""The compile/fit hook on real Keras in this process (TensorFlow backend by default)."""

from __future__ import annotations

import inspect
import os
import sys
import warnings

import numpy as np
import pytest

from losslint.registry import Rule, all_rules

X = np.random.default_rng(0).random((32, 8)).astype("float32")


def sequential(keras, units, activation=None, *more):
    layers = [keras.Input(shape=(8,)), keras.layers.Dense(units, activation=activation), *more]
    return keras.Sequential(layers)


def one_hot(keras, classes=3):
    return keras.utils.to_categorical(np.arange(32) % classes, classes)


# (code, output units, activation, extra layer, loss factory) — one case per 1xx rule, at compile
COMPILE_CASES = [
    ("LL101", 3, "softmax", None, lambda k: k.losses.CategoricalCrossentropy(from_logits=True)),
    ("LL102", 3, "sigmoid", None, lambda k: "categorical_crossentropy"),
    ("LL103", 4, None, "softmax-layer", lambda k: k.losses.binary_crossentropy),
    ("LL104", 1, "softmax", None, lambda k: "binary_crossentropy"),
    ("LL105", 1, "sigmoid", None, lambda k: "sparse_categorical_crossentropy"),
    ("LL106", 3, None, None, lambda k: "categorical_crossentropy"),
    ("LL107", 3, "relu", None, lambda k: k.losses.SparseCategoricalCrossentropy(from_logits=True)),
    ("LL108", 1, None, None, lambda k: "poisson"),
    ("LL111", 3, "softmax", None, lambda k: "mse"),
]


@pytest.mark.parametrize("code, units, activation, extra, loss", COMPILE_CASES, ids=[c[0] for c in COMPILE_CASES])
def test_each_output_rule_fires_at_compile(hook, keras, code, units, activation, extra, loss):
    hook(select=[code])
    more = [keras.layers.Softmax()] if extra == "softmax-layer" else []
    model = sequential(keras, units, activation, *more)
    model.compile(optimizer="adam", loss=loss(keras))
    assert hook.codes() == [code]


def test_clean_model_is_silent_through_compile_and_fit(hook, keras):
    hook(select=["ALL"])
    model = sequential(keras, 3, "softmax")
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(X, one_hot(keras), epochs=1, verbose=0)
    assert hook.codes() == []


def test_nested_model_and_multi_output_list_loss(hook, keras):
    hook()
    inputs = keras.Input(shape=(8,))
    head = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(3, activation="softmax")])
    model = keras.Model(inputs, [head(inputs), keras.layers.Dense(1)(inputs)])
    model.compile(optimizer="adam", loss=[keras.losses.CategoricalCrossentropy(from_logits=True), "mse"])
    assert hook.codes() == ["LL101"]


def test_raise_mode_stops_before_training(hook, keras):
    from losslint.runtime.hook import LossLintError

    hook(mode="raise")
    model = sequential(keras, 3, "softmax")
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(LossLintError, match=r"^LL201 .*\n  help: use `sparse_categorical_crossentropy`"):
        model.fit(X, np.arange(32) % 3, epochs=1, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    assert model.optimizer.iterations.numpy() == 0


@pytest.mark.parametrize("env, mode, expect", [("off", "warn", "silent"), ("raise", "warn", "raise"),
                                               ("warn", "raise", "warn"), ("bogus", "warn", "warn")])
def test_environment_overrides_mode(hook, keras, monkeypatch, env, mode, expect):
    from losslint.runtime.hook import LossLintError

    monkeypatch.setenv("LOSSLINT", env)
    hook(mode=mode)
    model = sequential(keras, 1, "softmax")
    if expect == "raise":
        with pytest.raises(LossLintError):
            model.compile(loss="binary_crossentropy")
        return
    model.compile(loss="binary_crossentropy")
    assert hook.codes() == (["LL104"] if expect == "warn" else [])


def test_install_is_idempotent_and_uninstall_restores(keras):
    from losslint.runtime import hook

    compile_before, fit_before = keras.Model.compile, keras.Model.fit
    had_fit = "fit" in keras.Model.__dict__
    tracebacks = sys.modules[f"{keras.__name__.split('.')[0]}.src.utils.traceback_utils"]
    excluded_before = tracebacks._EXCLUDED_PATHS
    hook.install()
    hook.install(mode="raise")
    assert tracebacks._EXCLUDED_PATHS == (*excluded_before, hook.__file__)  # wrappers filtered like Keras's frames
    assert keras.Model.compile.__wrapped__ is compile_before  # wrapped once, not twice
    assert keras.Model.fit.__wrapped__ is fit_before
    assert inspect.signature(keras.Model.compile) == inspect.signature(compile_before)
    hook.uninstall()
    hook.uninstall()
    assert keras.Model.compile is compile_before and keras.Model.fit is fit_before
    assert ("fit" in keras.Model.__dict__) == had_fit
    assert tracebacks._EXCLUDED_PATHS is excluded_before
    with hook.install() as installed:
        assert installed.mode == "warn" and getattr(keras.Model.compile, "__losslint__", False)
    assert keras.Model.compile is compile_before


def test_warning_points_at_the_callers_line(hook, keras):
    hook()
    model = sequential(keras, 3, "softmax")
    model.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True)); line = inspect.currentframe().f_lineno  # noqa: E702
    (warning,) = hook.caught
    assert warning.filename == __file__ and warning.lineno == line
    text = str(warning.message)
    assert text.startswith("LL101 ") and text.splitlines()[-1].startswith("  help: ")


def test_once_per_compile_and_code(hook, keras):
    hook()
    model = sequential(keras, 3, "softmax")
    for _ in range(2):  # a notebook cell run twice: each compile() is judged again
        model.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True))
    model.fit(X, one_hot(keras), epochs=1, verbose=0)  # the same compiled model: not again
    model.fit(X, one_hot(keras), epochs=1, verbose=0)
    other = sequential(keras, 3, "softmax")
    other.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True))
    assert hook.codes() == ["LL101", "LL101", "LL101"]


def test_labels_are_judged_again_after_a_new_compile(hook, keras):
    hook()
    model = sequential(keras, 3, "softmax")
    for _ in range(2):  # compile and fit in one cell, run twice
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(X, (np.arange(32) % 3) / 255, epochs=1, verbose=0)  # scaled class ids: LL207
        model.fit(X, (np.arange(32) % 3) / 255, epochs=1, verbose=0)
    assert hook.codes() == ["LL207", "LL207"]


def test_internal_error_is_isolated_and_reported_once(hook, keras, monkeypatch):
    from losslint.runtime.hook import LossLintInternalWarning

    def broken(model):
        raise RuntimeError("rule exploded")
        yield  # pragma: no cover

    monkeypatch.setitem(all_rules(), "LL999", Rule("LL999", "broken", broken, "", runtime=True))
    hook(select=["LL999", "LL201"])
    model = sequential(keras, 3, "softmax")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    history = model.fit(X, np.arange(32) % 3, epochs=1, verbose=0)
    assert len(history.history["loss"]) == 1
    (internal,) = hook.of(LossLintInternalWarning)
    assert "RuntimeError: rule exploded" in str(internal.message)


def _train(keras, seed=7):
    keras.utils.set_random_seed(seed)
    model = sequential(keras, 3, "softmax")
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(X, one_hot(keras), epochs=2, batch_size=8, verbose=0, shuffle=True)
    return history.history, model.get_weights()


def test_fit_results_identical_with_and_without_hook(keras):
    from losslint.runtime import hook

    plain_history, plain_weights = _train(keras)
    with hook.install(select=["ALL"]):
        hooked_history, hooked_weights = _train(keras)
    assert plain_history == hooked_history
    assert all(np.array_equal(a, b) for a, b in zip(plain_weights, hooked_weights))


def test_subclassed_model_is_resolved_at_fit(hook, keras):
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.head = keras.layers.Dense(3, activation="sigmoid")  # assigned before `hidden`
            self.hidden = keras.layers.Dense(8, activation="relu")

        def call(self, inputs):
            return self.head(self.hidden(inputs))

    hook()
    model = Net()
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    assert hook.codes() == []  # no outputs before fit: silent, not wrong
    model.fit(X, one_hot(keras), epochs=1, verbose=0)
    assert hook.codes() == ["LL102"]


def test_dataset_labels_are_read_from_the_first_batch(hook, keras):
    tf = pytest.importorskip("tensorflow")
    from losslint.runtime.hook import LossLintError

    hook(mode="raise")
    data = tf.data.Dataset.from_tensor_slices((X, one_hot(keras))).batch(8)
    model = sequential(keras, 3, "softmax")
    model.compile(loss="sparse_categorical_crossentropy")
    with pytest.raises(LossLintError, match="^LL202"):
        model.fit(data, epochs=1, verbose=0)
    assert sum(1 for _ in data) == 4  # still re-iterable, nothing lost


def test_compile_before_install_is_left_alone(keras, hook):
    model = sequential(keras, 3, "softmax")
    model.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True))
    hook()
    model.fit(X, one_hot(keras), epochs=1, verbose=0)
    assert hook.codes() == []  # documented: only compiles seen by the hook are checked


def test_run_script(tmp_path, keras, monkeypatch):
    from losslint.runtime.script import run_script

    monkeypatch.delenv("LOSSLINT", raising=False)
    script = tmp_path / "train.py"
    script.write_text(
        "import sys\nimport keras\n"
        "model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1, activation='softmax')])\n"
        "model.compile(loss='binary_crossentropy')\n"
        "sys.exit(int(sys.argv[1]))\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert run_script(str(script), ["3"]) == 3
    (warning,) = [w for w in caught if str(w.message).startswith("LL")]
    assert str(warning.message).startswith("LL104") and (warning.filename, warning.lineno) == (str(script), 4)
    assert not getattr(keras.Model.compile, "__losslint__", False)  # uninstalled afterwards
    assert run_script(str(script), ["0"], mode="raise") == 1  # LossLintError ends the script
    script.write_text("raise SystemExit\n")
    assert run_script(str(script), []) == 0
    assert os.path.exists(script)

"""Static depth (issue 5): label facts through data flow, helpers, subclasses; refs of related places."""

from __future__ import annotations

import textwrap

from losslint import knowledge as k
from losslint.api import lint_source, models_in_source
from losslint.facts import LabelFormat


def _models(source: str):
    return models_in_source(textwrap.dedent(source), "t.py")


def test_label_formats_in_knowledge_are_label_format_values() -> None:
    formats = {d.label_format for d in k.DATASETS.values()}
    formats |= {m.label_format for loader in k.DIRECTORY_LOADERS.values() for m in loader.modes.values()}
    formats |= {e.label_format for e in k.LABEL_ENCODERS.values()}
    for value in formats - {None}:
        LabelFormat(value)


def test_dataset_symbols_keep_the_dataset_name() -> None:
    assert k.canonical_symbol("tensorflow.keras.datasets.mnist.load_data") == "keras.datasets.mnist.load_data"
    assert "keras.datasets.cifar100.load_data" in k.DATASETS


def test_fit_on_another_model_does_not_attach_labels() -> None:
    (facts,) = _models("""
        import numpy as np, keras
        a = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4, activation="softmax")])
        b = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4, activation="softmax")])
        a.compile(loss="categorical_crossentropy")
        b.fit(np.zeros((8, 3)), np.random.randint(0, 4, size=(8,)))
    """)
    assert facts.outputs[0].labels is None


def test_labels_come_from_the_value_at_fit_and_name_where_they_were_built() -> None:
    (facts,) = _models("""
        import numpy as np, keras
        y = np.random.randint(0, 4, size=(8,))
        m = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4, activation="softmax")])
        m.compile(loss="categorical_crossentropy")
        y = keras.utils.to_categorical(y)
        m.fit(np.zeros((8, 3)), y)
    """)
    labels = facts.outputs[0].labels
    assert labels.format is LabelFormat.ONE_HOT and labels.num_classes == 4
    assert labels.ref.line == 6 and labels.text == "y"


def test_helper_called_twice_reports_each_real_compile_once() -> None:
    source = textwrap.dedent("""
        import keras

        def build(units):
            m = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(units, activation="softmax")])
            m.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
            return m

        a = build(3)
        b = build(5)
    """)
    diagnostics = lint_source(source, "t.py")
    assert [(d.code, d.anchor.line) for d in diagnostics] == [("LL101", 6)]
    assert len(_models(source)) == 2  # both calls are real models


def test_subclassed_model_output_is_what_call_returns() -> None:
    (facts,) = _models("""
        import keras

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.a = keras.layers.Dense(8, activation="relu")
                self.b = keras.layers.Dense(3, activation="sigmoid")

            def call(self, x):
                return self.b(self.a(x))

        net = Net()
        net.compile(loss="binary_crossentropy")
    """)
    (output,) = facts.outputs
    assert (output.activation_id, output.units, output.ref.line) == ("sigmoid", 3, 8)


def test_uncalled_function_still_runs_with_unknown_parameters() -> None:
    (facts,) = _models("""
        import keras

        def train(model):
            model.compile(loss="categorical_crossentropy")
    """)
    assert facts.unresolved == ("output layer",)


def test_long_operator_chains_are_evaluated_once_per_operand(monkeypatch) -> None:
    """`a + b + c + …` (a notebook building a long string) is a left-deep tree: each operand is
    evaluated once, or the work doubles with every `+` (a 40-term chain never finished)."""
    from losslint.static.engine.interpreter import Interpreter

    evaluated = _evaluations(monkeypatch, Interpreter)
    terms = " + ".join(f"'part{i}'" for i in range(12))
    lint_source(f"import torch\nmessage = {terms}\n", "t.py")
    assert evaluated.count("SimpleString") == 12


def test_nested_tf_ops_evaluate_each_argument_once(monkeypatch) -> None:
    """`tf.add(tf.add(tf.add(a, b), c), d)` and nested `tf.matmul`: each argument is evaluated once,
    whether or not the op is one we model (a second evaluation per level doubles the work)."""
    from losslint.static.engine.interpreter import Interpreter

    evaluated = _evaluations(monkeypatch, Interpreter)
    nested = "x"
    for i in range(12):
        nested = f"tf.add({nested}, {i})" if i % 2 else f"tf.nn.bias_add(tf.matmul({nested}, w), b)"
    lint_source(f"import tensorflow as tf\nx = w = b = None\ny = {nested}\n"
                "loss = tf.nn.softmax_cross_entropy_with_logits(labels=x, logits=y)\n", "t.py")
    assert evaluated.count("Integer") == 6


def _evaluations(monkeypatch, interpreter_class) -> list[str]:
    """The node types `interpreter_class.eval` is called on, in order, while the test runs."""
    evaluated: list[str] = []
    original = interpreter_class.eval

    def counting_eval(self, node, env):
        evaluated.append(type(node).__name__)
        return original(self, node, env)

    monkeypatch.setattr(interpreter_class, "eval", counting_eval)
    return evaluated

"""Loss sites outside `compile()` (DESIGN §8): what the static front end records and judges.

The fixtures (fixtures/LL101/custom_loop_*, tf_nn_*, gan_*, fixtures/clean/advanced_quickstart_logits.py
…) are the specification; these tests pin the parts a fixture cannot show: the facts of a site,
one finding for one loss object used in several steps, and when a compiled loss counts as used.
"""

from __future__ import annotations

import textwrap

from losslint.api import lint_source, models_in_source
from losslint.registry import select_codes

ALL = select_codes(None, [], ["LL901"])
DEFAULT = select_codes()

MODEL = """
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(4, activation="softmax")])
"""


def _codes(source: str, codes=ALL) -> list[tuple[int, str]]:
    return sorted((d.anchor.line, d.code) for d in lint_source(textwrap.dedent(source), "t.py", codes))


def test_a_loss_call_is_a_site_anchored_on_the_call() -> None:
    source = MODEL + textwrap.dedent("""
        loss_fn = keras.losses.CategoricalCrossentropy(from_logits=True)
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
    """)
    sites = [m for m in models_in_source(source) if m.site == "loss-call"]
    assert len(sites) == 1
    site = sites[0]
    assert site.name == "loss_fn(y, model(x, training=True))" and not site.unresolved
    output = site.outputs[0]
    assert (output.activation_id, output.units, output.layer_text) == ("softmax", 4, "Dense(4)")
    assert output.loss.ref == site.ref and site.ref.line == 10  # the anchor: the call
    assert output.loss.edit_ref.line == 8  # fixes edit the constructor
    assert _codes(source) == [(10, "LL101")]


def test_one_loss_object_on_one_output_in_two_steps_is_one_finding() -> None:
    source = MODEL + textwrap.dedent("""
        loss_object = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

        def train_step(x, y):
            return loss_object(y, model(x, training=True))

        def test_step(x, y):
            return loss_object(y, model(x, training=False))
    """)
    assert _codes(source) == [(11, "LL101")]


def test_each_function_call_is_its_own_mistake() -> None:
    source = MODEL + textwrap.dedent("""
        a = keras.losses.categorical_crossentropy(y, model(x), from_logits=True)
        b = keras.losses.categorical_crossentropy(y, model(x), from_logits=True)
    """)
    assert _codes(source) == [(8, "LL101"), (9, "LL101")]


def test_positional_arguments_in_the_old_tf_order_stay_silent() -> None:
    # TensorFlow 0.x took (logits, labels): the labels slot then holds the prediction
    source = MODEL + "loss = tf.nn.softmax_cross_entropy_with_logits(model(x), y)\n"
    assert _codes(source, DEFAULT) == []
    assert _codes(source) == [(7, "LL901")]  # a loss call whose prediction is not known


def test_a_loss_on_literal_numbers_is_not_a_site() -> None:
    source = MODEL + "print(keras.losses.BinaryCrossentropy()([0.0, 1.0], [0.2, 0.9]))\n"
    assert [m for m in models_in_source(source) if m.site == "loss-call"] == []


SUBCLASS = MODEL + """
class Trainer(keras.Model):
    def __init__(self):
        super().__init__()
        self.head = layers.Dense(3, activation="softmax")

    def call(self, x):
        return self.head(x)

{methods}

trainer = Trainer()
trainer.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
trainer.fit(x, y)
"""


def _trainer(methods: str) -> list[str]:
    source = SUBCLASS.format(methods=textwrap.indent(textwrap.dedent(methods), "    "))
    return [code for _, code in _codes(source)]


def test_compiled_loss_used_through_compute_loss_or_super() -> None:
    assert _trainer("""
        def train_step(self, data):
            x, y = data
            return self.compute_loss(y=y, y_pred=self(x))
    """) == ["LL101"]
    assert _trainer("""
        def train_step(self, data):
            return super().train_step(data)
    """) == ["LL101"]
    assert _trainer("""
        def train_step(self, data):
            x, y = data
            return self.compiled_loss(y, self(x), regularization_losses=self.losses)
    """) == ["LL101"]
    assert _trainer("""
        def compute_loss_and_updates(self, x, y):
            return self.compute_loss(y=y, y_pred=self(x))

        def train_step(self, data):
            x, y = data
            return self.compute_loss_and_updates(x, y)
    """) == ["LL101"]


def test_compiled_loss_never_used_is_not_judged() -> None:
    assert _trainer("""
        def train_step(self, data):
            x, y = data
            return keras.losses.sparse_categorical_crossentropy(y, self(x))
    """) == []
    # the override's own loss call sees no prediction it can resolve: only that is reported (LL901)
    assert _trainer("""
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            return keras.ops.mean(keras.losses.sparse_categorical_crossentropy(y, y_pred))
    """) == ["LL901"]

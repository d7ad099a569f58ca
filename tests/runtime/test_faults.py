"""Models the hook cannot understand train exactly as without it (DESIGN §4: never break training).

Custom layers, `Lambda`, custom losses, `add_loss`-only models, a custom `train_step` and a
`tf.distribute` strategy scope: with every rule selected, the hook must stay silent about its own
errors (no `LossLintInternalWarning`) and `fit` must give the same history and weights. (A rule
that raises is tested in test_hook.py.)
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

X = np.random.default_rng(1).random((24, 6)).astype("float32")
Y = (np.arange(24) % 3).astype("int32")


def custom_layer(keras):
    class Scale(keras.layers.Layer):
        def build(self, shape):
            self.w = self.add_weight(shape=(shape[-1],), initializer="ones")

        def call(self, inputs):
            return inputs * self.w

    model = keras.Sequential([keras.Input(shape=(6,)), keras.layers.Dense(3), Scale()])
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model, (X, Y)


def lambda_layer(keras):
    model = keras.Sequential([keras.Input(shape=(6,)), keras.layers.Dense(3, activation="softmax"),
                              keras.layers.Lambda(lambda t: t * 0.5 + 1.0 / 6.0)])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model, (X, Y)


def custom_loss_function(keras):
    def my_loss(y_true, y_pred):
        return keras.ops.mean(keras.ops.square(keras.ops.cast(y_true, "float32") - y_pred[:, 0]))

    model = keras.Sequential([keras.Input(shape=(6,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss=my_loss)
    return model, (X, Y)


def custom_loss_class(keras):
    class Weighted(keras.losses.Loss):
        def call(self, y_true, y_pred):
            return keras.losses.sparse_categorical_crossentropy(y_true, y_pred, from_logits=True) * 2.0

    model = keras.Sequential([keras.Input(shape=(6,)), keras.layers.Dense(3)])
    model.compile(optimizer="sgd", loss=Weighted())
    return model, (X, Y)


def add_loss_only(keras):
    class Autoencoder(keras.Model):
        def __init__(self):
            super().__init__()
            self.encode = keras.layers.Dense(2, activation="relu")
            self.decode = keras.layers.Dense(6, activation="sigmoid")

        def call(self, inputs):
            out = self.decode(self.encode(inputs))
            self.add_loss(keras.ops.mean(keras.ops.square(inputs - out)))
            return out

    model = Autoencoder()
    model.compile(optimizer="adam")
    return model, (X, None)


def custom_train_step(keras):
    tf = pytest.importorskip("tensorflow")
    if keras.backend.backend() != "tensorflow":
        pytest.skip("a TensorFlow train_step")

    class Stepper(keras.Model):
        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                loss = self.compute_loss(y=y, y_pred=self(x, training=True))
            self.optimizer.apply(tape.gradient(loss, self.trainable_variables), self.trainable_variables)
            return {"loss": loss}

    inputs = keras.Input(shape=(6,))
    model = Stepper(inputs, keras.layers.Dense(3, activation="softmax")(inputs))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model, (X, Y)


def distribute_scope(keras):
    tf = pytest.importorskip("tensorflow")
    if keras.backend.backend() != "tensorflow":
        pytest.skip("tf.distribute needs the TensorFlow backend")
    with tf.distribute.get_strategy().scope():
        model = keras.Sequential([keras.Input(shape=(6,)), keras.layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model, (X, Y)


BUILDERS = [custom_layer, lambda_layer, custom_loss_function, custom_loss_class, add_loss_only, custom_train_step,
            distribute_scope]


def train(keras, build):
    keras.utils.set_random_seed(3)
    model, (x, y) = build(keras)
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False)
    return history.history, [w.copy() for w in model.get_weights()]


@pytest.mark.parametrize("build", BUILDERS, ids=[b.__name__ for b in BUILDERS])
def test_models_the_hook_cannot_understand_train_as_without_it(keras, build):
    from losslint.runtime import hook

    plain_history, plain_weights = train(keras, build)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with hook.install(select=["ALL"]):
            hooked_history, hooked_weights = train(keras, build)
    internal = [str(w.message) for w in caught if issubclass(w.category, hook.LossLintInternalWarning)]
    assert not internal
    assert hooked_history == plain_history
    assert len(hooked_weights) == len(plain_weights)
    assert all(np.array_equal(a, b) for a, b in zip(plain_weights, hooked_weights))

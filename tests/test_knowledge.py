"""The knowledge table is consistent, and (when Keras is installed) true of Keras itself."""

from __future__ import annotations

import doctest

import pytest

from losslint import knowledge as k


def test_doctests() -> None:
    assert doctest.testmod(k).failed == 0


@pytest.mark.parametrize("spelling, expected", [
    ("tensorflow.keras.layers.Dense", "keras.layers.Dense"),
    ("keras.layers.core.Dense", "keras.layers.Dense"),
    ("keras.src.layers.core.dense.Dense", "keras.layers.Dense"),
    ("tf_keras.models.Sequential", "keras.models.Sequential"),
    ("tensorflow.keras.Sequential", "keras.Sequential"),
    ("keras._tf_keras.keras.losses.BinaryCrossentropy", "keras.losses.BinaryCrossentropy"),
    ("tensorflow.python.keras.losses.mse", "keras.losses.mse"),
    ("tensorflow.math.sigmoid", "tensorflow.math.sigmoid"),
    ("torch.nn.modules.loss.CrossEntropyLoss", "torch.nn.CrossEntropyLoss"),
    ("torch.nn.modules.activation.Softmax", "torch.nn.Softmax"),
    ("torch.nn.functional.softmax", "torch.nn.functional.softmax"),
    ("torch.special.expit", "torch.sigmoid"),
    ("pytorch_lightning.LightningModule", "lightning.LightningModule"),
])
def test_canonical_symbol(spelling: str, expected: str) -> None:
    assert k.canonical_symbol(spelling) == expected


def test_every_loss_family_is_classified() -> None:
    probability = {s.id for s in k.LOSSES.values() if s.is_probability}
    assert probability == {"categorical_crossentropy", "categorical_focal_crossentropy",
                           "sparse_categorical_crossentropy", "binary_crossentropy",
                           "binary_focal_crossentropy", "crossentropy",
                           "torch.cross_entropy", "torch.cross_entropy.probabilities",
                           "torch.binary_cross_entropy_with_logits", "torch.binary_cross_entropy", "torch.nll_loss",
                           "optax.softmax_cross_entropy", "optax.softmax_cross_entropy_with_integer_labels",
                           "optax.sigmoid_binary_cross_entropy"}
    assert all(s.takes_from_logits for s in k.LOSSES.values() if s.is_probability and s.class_name)


def test_auto_crossentropy_is_binary_on_one_unit() -> None:
    assert k.resolve_auto_loss("crossentropy", 1) == "binary_crossentropy"
    assert k.resolve_auto_loss("crossentropy", 10) == "crossentropy"


# ---- checked against the installed Keras (skipped when Keras is absent, see conftest)

COMPILE_ONLY = {"crossentropy", "ce"}  # resolved by compile() from shapes, not by keras.losses.get


@pytest.mark.keras
def test_loss_spellings_exist_in_keras(keras) -> None:
    for spelling in k.LOSS_BY_STRING:
        if spelling not in COMPILE_ONLY and spelling not in ("huber_loss", "logcosh", "kullback_leibler_divergence"):
            assert keras.losses.get(spelling) is not None, spelling
    for symbol in k.LOSS_BY_CLASS:
        assert hasattr(keras.losses, symbol.split(".")[-1]), symbol
    for spec in k.LOSSES.values():
        if spec.id not in COMPILE_ONLY and not spec.id.startswith(("torch.", "optax.")):
            assert hasattr(keras.losses, spec.id), spec.id


@pytest.mark.keras
def test_activation_spellings_exist_in_keras(keras) -> None:
    for spec in k.ACTIVATIONS.values():
        assert hasattr(keras.activations, spec.id) or spec.id == "hard_tanh" and hasattr(keras.ops, "hard_tanh"), spec.id
    for layer in k.ACTIVATION_BY_LAYER:
        assert hasattr(keras.layers, layer.split(".")[-1]), layer
    for symbol in k.LAYERS:
        name = symbol.split(".")[-1]
        assert hasattr(keras.layers, name) or name.startswith("Convolution"), symbol


@pytest.mark.keras
def test_from_logits_is_in_loss_config(keras) -> None:
    for spec in k.LOSSES.values():
        if spec.takes_from_logits and spec.class_name:
            config = getattr(keras.losses, spec.class_name)(from_logits=True).get_config()
            assert config["from_logits"] is True, spec.id


@pytest.mark.keras
def test_direct_losses_exist_in_tensorflow_with_their_argument_names(keras) -> None:
    """The TensorFlow losses called directly: each symbol exists (`tf.compat.v1` for the
    `tensorflow.losses.*` ones) and takes the labels and predictions keywords the record names."""
    import inspect

    tf = pytest.importorskip("tensorflow")
    for spec in k.DIRECT_LOSSES.values():
        area, name = spec.symbol.rsplit(".", 2)[1:]
        module = tf.compat.v1.losses if area == "losses" else tf.nn if hasattr(tf.nn, name) else tf.compat.v1.nn
        function = getattr(module, name)
        parameters = inspect.signature(function).parameters
        assert spec.labels_arg[0] in parameters and spec.predictions_arg[0] in parameters, spec.symbol
        assert spec.loss_id in k.LOSSES


def test_torch_records_use_the_keras_activation_ids() -> None:
    from losslint import knowledge_torch as t

    spellings = {**t.TORCH_ACTIVATION_BY_FUNCTION, **t.TORCH_ACTIVATION_BY_MODULE, **t.GRAD_FN_ACTIVATIONS}
    assert set(spellings.values()) <= set(k.ACTIVATIONS)
    assert t.TENSOR_METHOD_ACTIVATIONS["softmax"] == "softmax"
    assert all(loss_id in k.LOSSES for loss_id in t.TORCH_LOSS_BY_CLASS.values())

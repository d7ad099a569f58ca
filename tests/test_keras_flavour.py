"""Which Keras a file targets (static.flavour) and what `"accuracy"` then means (LL301/LL302)."""

from __future__ import annotations

import pytest

from losslint.api import lint_source
from losslint.static.keras.flavour import keras_flavour

MULTILABEL = """\
{imports}
model = Sequential([Dense(64, activation="relu", input_dim=30), Dense(6, activation="sigmoid")])
model.compile(loss="binary_crossentropy", optimizer={optimizer}, metrics=["accuracy"])
model.fit(x, y, {epochs}=3)
"""


@pytest.mark.parametrize("text, flavour", [
    ("from tensorflow.keras.models import Sequential\n", "tf.keras"),
    ("import tensorflow as tf\nmodel = tf.keras.Sequential()\n", "tf.keras"),
    ("from tensorflow import keras\n", "tf.keras"),
    ("import tf_keras as keras\n", "tf.keras"),
    ("from keras.utils import np_utils\nfrom keras.models import Sequential\n", "keras2"),
    ("from keras.models import Sequential\nmodel.fit(x, y, nb_epoch=3)\n", "keras2"),
    ("from keras.models import Sequential\nopt = keras.optimizers.SGD(lr=0.01, momentum=0.9)\n", "keras2"),
    ("from keras.engine.topology import Layer\n", "keras2"),
    ("import keras\nfrom keras import ops\n", "keras3"),
    ("import os\nos.environ['KERAS_BACKEND'] = 'jax'\nimport keras\n", "keras3"),
    ("import keras\nfrom keras import layers\n", None),  # a plain import: cannot be told
    ("import keras\nfrom tensorflow.keras import layers\n", None),  # both
    ("import keras_tuner\nfrom tensorflow import keras\n", "tf.keras"),  # keras_tuner is not keras
    ("from keras.models import Sequential\nlr = 0.01\n", None),  # a variable named lr is no optimizer's lr=
])
def test_flavour_from_imports_and_spellings(text, flavour):
    assert keras_flavour(text) == flavour


def _findings(imports, optimizer='"adam"', epochs="epochs"):
    text = MULTILABEL.format(imports=imports, optimizer=optimizer, epochs=epochs)
    return [d for d in lint_source(text, "train.py", frozenset({"LL301", "LL302"}))]


def test_multilabel_accuracy_follows_the_flavour():
    (tf,) = _findings("from tensorflow.keras.models import Sequential\nfrom tensorflow.keras.layers import Dense")
    assert tf.code == "LL302" and "tf.keras picks it from the output shape" in tf.message
    # standalone Keras 2.2: binary accuracy, picked from the loss, is right for multi-label rows
    assert _findings("from keras.models import Sequential\nfrom keras.layers import Dense",
                     optimizer="Adam(lr=0.001)", epochs="nb_epoch") == []
    (unknown,) = _findings("from keras.models import Sequential\nfrom keras.layers import Dense")
    assert "do not tell which Keras" in unknown.message and unknown.confidence.value == "inferred"
    (k3,) = _findings("import keras\nfrom keras import ops\nfrom keras.models import Sequential\n"
                      "from keras.layers import Dense")
    assert "Keras 3 picks it" in k3.message and k3.confidence.value == "high"


def test_softmax_binary_loss_accuracy_is_binary_only_in_old_keras():
    text = """\
from keras.models import Sequential
from keras.layers import Dense
from keras.utils import np_utils
model = Sequential([Dense(64, activation="relu", input_dim=30), Dense(10, activation="softmax")])
model.compile(loss="binary_crossentropy", optimizer="sgd", metrics=["accuracy"])
"""
    (d,) = lint_source(text, "train.py", frozenset({"LL301"}))
    assert "standalone Keras ≤ 2.3" in d.message and d.fix.value == "categorical_accuracy"
    modern = text.replace("from keras.utils import np_utils\n", "").replace("from keras.", "from tensorflow.keras.")
    assert lint_source(modern, "train.py", frozenset({"LL301"})) == []

"""Which Keras a file targets, read from its imports and spellings (keras-facts §C.4).

It matters for `metrics=["accuracy"]`: standalone Keras up to 2.3 picks the metric from the loss
(`binary_crossentropy` → binary accuracy, whatever the output), while tf.keras 2.x, Keras ≥ 2.4
and Keras 3 pick it from the output shape (last axis 1 → binary, otherwise categorical).

* `"tf.keras"`: `tensorflow.keras`, `tf.keras`, `from tensorflow import keras`, `tf_keras`;
* `"keras2"`: standalone `keras` with Keras 1/2-era spellings (`keras.utils.np_utils`, `nb_epoch`,
  an optimizer's `lr=`, `keras.engine`, `keras.layers.core`, `Convolution2D`, `border_mode=`…);
* `"keras3"`: standalone `keras` with Keras 3 spellings (`keras.ops`, `KERAS_BACKEND`,
  `keras.config`, `keras.random`, `keras_core`);
* None: it cannot be told (plain `import keras` with neither, or both tf.keras and standalone keras).
"""

from __future__ import annotations

import re

TF_KERAS = "tf.keras"
KERAS2 = "keras2"
KERAS3 = "keras3"

# what each flavour is called in messages
DISPLAY = {TF_KERAS: "tf.keras", KERAS2: "standalone Keras ≤ 2.3", KERAS3: "Keras 3"}

_TF = re.compile(r"\btensorflow\.keras\b|\btf\.keras\b|^[ \t]*from[ \t]+tensorflow[ \t]+import[^\n]*\bkeras\b"
                 r"|\btf_keras\b|^[ \t]*from[ \t]+tensorflow\.python\.keras\b", re.M)
_STANDALONE = re.compile(r"^[ \t]*(?:import[ \t]+keras\b(?!_)|from[ \t]+keras(?:\.|[ \t]+import\b))", re.M)
_OLD = re.compile(
    r"\bkeras\.utils\.np_utils\b|^[ \t]*from[ \t]+keras\.utils[ \t]+import[^\n]*\bnp_utils\b|\bnb_epoch\b"
    r"|\bkeras\.engine\b|\bkeras\.layers\.(?:core|convolutional|recurrent|embeddings|advanced_activations|merge"
    r"|normalization|pooling|wrappers|noise|local)\b|\bConvolution[123]D\b|\bborder_mode\s*=|\bnb_filter\b"
    r"|\bsamples_per_epoch\s*=|\bK\.tensorflow_backend\b|\bkeras\.backend\.tensorflow_backend\b"
    r"|\b(?:SGD|Adam|RMSprop|Adagrad|Adadelta|Adamax|Nadam)\s*\([^()]*\blr\s*=", re.M)
_NEW = re.compile(r"\bkeras\.ops\b|^[ \t]*from[ \t]+keras[ \t]+import[^\n]*\bops\b|\bKERAS_BACKEND\b"
                  r"|\bkeras\.config\b|\bkeras\.random\b|\bkeras_core\b|\bkeras\.src\b", re.M)


def keras_flavour(text: str) -> str | None:
    """The Keras flavour a file's text targets, or None when it cannot be told (see the module doc)."""
    tf = _TF.search(text) is not None
    standalone = _STANDALONE.search(text) is not None
    if tf and not standalone:
        return TF_KERAS
    if standalone and not tf:
        old, new = _OLD.search(text) is not None, _NEW.search(text) is not None
        if old != new:
            return KERAS2 if old else KERAS3
    return None

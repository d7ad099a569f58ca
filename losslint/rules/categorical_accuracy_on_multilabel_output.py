"""## What it does
Finds `metrics=["accuracy"]` on a multi-label model: a sigmoid output with more than one unit
trained with a binary cross-entropy.

## Why is this bad?
tf.keras and Keras 3 resolve `"accuracy"` by shape, not by loss: an output with more than one unit gets
categorical accuracy, which compares the argmax of the prediction with the argmax of the label
row. For multi-label rows that is meaningless — it ignores every positive but the first — so
the reported accuracy says nothing about the model.

## Example
```python
import numpy as np
import keras
from keras import layers

x = np.random.rand(256, 20).astype("float32")
y = np.random.randint(0, 2, size=(256, 5))

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(5, activation="sigmoid"),
])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(x, y, epochs=1)
```

## Use instead
```python
import numpy as np
import keras
from keras import layers

x = np.random.rand(256, 20).astype("float32")
y = np.random.randint(0, 2, size=(256, 5))

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(5, activation="sigmoid"),
])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["binary_accuracy"])
model.fit(x, y, epochs=1)
```

## Fix safety
Swapping `"accuracy"` for `"binary_accuracy"` is **safe**: training and predictions do not change.

## Known false positives
Single-label data trained with independent sigmoids (one-hot labels): categorical accuracy is
then meaningful, and the rule stays silent when the labels are known to be one-hot (that data
mistake is LL208's one finding). The runtime hook therefore judges this rule at `fit`, once it
has seen the labels, not at `compile`. Silence
others with `# noqa: LL302` on the metric.

## Keras behaviour
What `"accuracy"` means depends on the Keras the program targets, and the message says which one
was read from the file's imports:

* **tf.keras 2.x, Keras ≥ 2.4 and Keras 3** pick it from the output shape (last axis 1 → binary,
  otherwise categorical or sparse categorical): a multi-label sigmoid output gets categorical
  accuracy, silently, on every backend — the rule fires.
* **Standalone Keras ≤ 2.3** picked it from the loss: `binary_crossentropy` → binary accuracy,
  whatever the output. There the metric is right and the rule stays silent. A file counts as
  this flavour when it imports `keras` (not `tensorflow.keras`) and uses Keras 1/2-era spellings:
  `keras.utils.np_utils`, `nb_epoch`, an optimizer's `lr=`, `keras.engine`, `keras.layers.core`,
  `Convolution2D`, `border_mode=`.
* When the imports do not tell (a plain `import keras` with none of those, or both `keras` and
  `tensorflow.keras`), the finding says so and is reported with inferred confidence: today's
  `pip install keras` is Keras 3.
"""

from ..diagnostics import Confidence, Finding
from ..facts import LabelFormat
from ..knowledge import LossFamily, MetricKind, OutputKind
from ..registry import rule
from ._common import output_note, quoted, replace_metric

_SINGLE_LABEL = (LabelFormat.ONE_HOT, LabelFormat.INDEX)


# why `"accuracy"` is categorical here, per flavour (keras-facts §C.4)
_WHY = {
    "tf.keras": "tf.keras picks it from the output shape",
    "keras3": "Keras 3 picks it from the output shape",
    "runtime": "Keras picks it from the output shape",
    None: "tf.keras, Keras ≥ 2.4 and Keras 3 pick it from the output shape; the imports do not tell which "
          "Keras this file targets (standalone Keras ≤ 2.3 picked binary accuracy from the loss)",
}


@rule(code="LL302", name="categorical-accuracy-on-multilabel-output", fixable=True, waits_for_labels=True)
def check(model):
    flavour = "runtime" if model.origin == "runtime" else model.keras_flavour
    if flavour == "keras2":
        return  # standalone Keras ≤ 2.3 picks binary accuracy for a binary loss: right for multi-label
    for output in model.outputs:
        activation, loss, labels = output.activation, output.loss, output.labels
        if (activation is None or activation.kind is not OutputKind.UNIT_INTERVAL or loss is None
                or loss.spec.family is not LossFamily.BINARY or not output.units or output.units <= 1
                or (labels is not None and labels.format in _SINGLE_LABEL)):
            continue
        for metric in output.metrics:
            if metric.spec is None or metric.spec.kind is not MetricKind.AUTO_ACCURACY:
                continue
            yield Finding(
                anchor=metric.ref,
                message=f"`{metric.text}` resolves to categorical accuracy for {output.described()} "
                        f"trained with {quoted(loss)} (multi-label): {_WHY.get(flavour, _WHY[None])}",
                help='use `"binary_accuracy"`',
                confidence=metric.confidence if flavour is not None else Confidence.INFERRED,
                related=output_note(output),
                fixes=(replace_metric(metric, "binary_accuracy"),),
            )

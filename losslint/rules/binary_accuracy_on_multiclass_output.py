"""## What it does
Finds `binary_accuracy` / `BinaryAccuracy` reported for a softmax output with more than two
units — also `"accuracy"` with a binary loss in a program written for standalone Keras ≤ 2.3,
which resolves it to binary accuracy.

## Why is this bad?
Binary accuracy thresholds every unit at 0.5 and averages over units. With ten softmax units
nine are near zero and "correct" for almost every sample, so the metric reads ≈0.90 on random
labels: training looks successful while the model predicts nothing.

## Example
```python
import numpy as np
import keras
from keras import layers

x = np.random.rand(256, 20).astype("float32")
y = keras.utils.to_categorical(np.random.randint(0, 10, size=(256,)), 10)

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["binary_accuracy"])
model.fit(x, y, epochs=1)
```

## Use instead
```python
import numpy as np
import keras
from keras import layers

x = np.random.rand(256, 20).astype("float32")
y = keras.utils.to_categorical(np.random.randint(0, 10, size=(256,)), 10)

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["categorical_accuracy"])
model.fit(x, y, epochs=1)
```
(`"sparse_categorical_accuracy"` for integer labels, or simply `"accuracy"`).

## Fix safety
Swapping the metric is **safe** when the loss or the labels tell one-hot from integer labels:
training and predictions do not change. Otherwise the advice is display-only.

## Known false positives
Per-unit accuracy is occasionally wanted on purpose; silence with `# noqa: LL301` on the metric.

## Keras behaviour
Silent on every backend. What `"accuracy"` means depends on the Keras the program targets:
tf.keras 2.x, Keras ≥ 2.4 and Keras 3 resolve it by shape and pick categorical accuracy here;
standalone Keras ≤ 2.3 picked it from the loss, so `"accuracy"` with `binary_crossentropy` on a
softmax output was binary accuracy — inflated, on top of the wrong loss (LL103). The rule reports
that case only when the file is recognisably written for that Keras (it imports `keras`, not
`tensorflow.keras`, and uses Keras 1/2-era spellings such as `keras.utils.np_utils`, `nb_epoch`,
an optimizer's `lr=`, `keras.engine`).
"""

from ..diagnostics import Finding
from ..facts import LabelFormat
from ..knowledge import LossFamily, MetricKind, OutputKind
from ..registry import rule
from ._common import output_note, replace_metric


def _better_metric(output) -> str | None:
    family = output.loss.spec.family if output.loss else None
    label_format = output.labels.format if output.labels else None
    if family is LossFamily.SPARSE or label_format is LabelFormat.INDEX:
        return "sparse_categorical_accuracy"
    if family is LossFamily.CATEGORICAL or label_format is LabelFormat.ONE_HOT:
        return "categorical_accuracy"
    return None


@rule(code="LL301", name="binary-accuracy-on-multiclass-output", fixable=True)
def check(model):
    # standalone Keras ≤ 2.3 resolves `"accuracy"` with a binary loss to binary accuracy (keras-facts §C.4)
    auto_is_binary = model.origin == "static" and model.keras_flavour == "keras2"
    for output in model.outputs:
        activation = output.activation
        if activation is None or activation.kind is not OutputKind.SIMPLEX or not output.units \
                or output.units <= 2:
            continue
        binary_loss = output.loss is not None and output.loss.spec.family is LossFamily.BINARY
        for metric in output.metrics:
            if metric.spec is None:
                continue
            if metric.spec.kind is MetricKind.AUTO_ACCURACY and auto_is_binary and binary_loss:
                yield Finding(
                    anchor=metric.ref,
                    message=f"`{metric.text}` resolves to binary accuracy under standalone Keras ≤ 2.3 (picked "
                            f"from `{output.loss.text}`), which thresholds each of the {output.units} units of "
                            f"{output.described()} separately and inflates accuracy",
                    help='use `"categorical_accuracy"`',
                    confidence=metric.confidence,
                    related=output_note(output),
                    # the loss is binary, so the labels have the output's shape: one-hot rows
                    fixes=(replace_metric(metric, "categorical_accuracy"),),
                )
                continue
            if metric.spec.kind is not MetricKind.BINARY_ACCURACY:
                continue
            better = _better_metric(output)
            yield Finding(
                anchor=metric.ref,
                message=f"`{metric.text}` thresholds each of the {output.units} units of "
                        f"{output.described()} separately, which inflates accuracy",
                help=f'use `"{better}"`' if better else
                     'use `"categorical_accuracy"` (one-hot labels) or `"sparse_categorical_accuracy"` '
                     "(integer labels)",
                confidence=metric.confidence,
                related=output_note(output),
                fixes=(replace_metric(metric, better),) if better else (),
            )

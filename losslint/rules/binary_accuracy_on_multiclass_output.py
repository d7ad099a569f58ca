"""## What it does
Finds `binary_accuracy` / `BinaryAccuracy` reported for a softmax output with more than two
units.

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
Silent on every backend. (`"accuracy"` is resolved by shape and picks categorical accuracy here.)
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
    for output in model.outputs:
        activation = output.activation
        if activation is None or activation.kind is not OutputKind.SIMPLEX or not output.units \
                or output.units <= 2:
            continue
        for metric in output.metrics:
            if metric.spec is None or metric.spec.kind is not MetricKind.BINARY_ACCURACY:
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

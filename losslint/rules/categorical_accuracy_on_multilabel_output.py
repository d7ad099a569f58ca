"""## What it does
Finds `metrics=["accuracy"]` on a multi-label model: a sigmoid output with more than one unit
trained with a binary cross-entropy.

## Why is this bad?
Keras resolves `"accuracy"` by shape, not by loss: an output with more than one unit gets
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
Silent on every backend: Keras 3 and tf.keras both pick `CategoricalAccuracy` (Keras ≤ 2.2
picked binary accuracy for a binary loss).
"""

from ..diagnostics import Finding
from ..facts import LabelFormat
from ..knowledge import LossFamily, MetricKind, OutputKind
from ..registry import rule
from ._common import output_note, quoted, replace_metric

_SINGLE_LABEL = (LabelFormat.ONE_HOT, LabelFormat.INDEX)


@rule(code="LL302", name="categorical-accuracy-on-multilabel-output", fixable=True, waits_for_labels=True)
def check(model):
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
                        f"trained with {quoted(loss)} (multi-label)",
                help='use `"binary_accuracy"`',
                confidence=metric.confidence,
                related=output_note(output),
                fixes=(replace_metric(metric, "binary_accuracy"),),
            )

"""## What it does
Finds `"accuracy"`, `"binary_accuracy"` or `BinaryAccuracy()` (threshold 0.5) on a one-unit
linear output trained with a binary loss with `from_logits=True`.

## Why is this bad?
The model outputs logits, and binary accuracy compares them with 0.5: a sample counts as
positive only when its logit exceeds 0.5, i.e. a probability above 0.62. The loss trains the
right model, but the reported accuracy (and anything that monitors it: early stopping,
checkpoints, learning-rate schedules) is biased. TensorFlow's own tutorials pass
`BinaryAccuracy(threshold=0.0)` for this reason.

## Example
```python
import numpy as np
import keras
from keras import layers

x = np.random.rand(256, 20).astype("float32")
y = np.random.randint(0, 2, size=(256,))

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(16, activation="relu"),
    layers.Dense(1),
])
model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy(from_logits=True),
              metrics=["accuracy"])
model.fit(x, y, epochs=1)
```

## Use instead
```python
import numpy as np
import keras
from keras import layers

x = np.random.rand(256, 20).astype("float32")
y = np.random.randint(0, 2, size=(256,))

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(16, activation="relu"),
    layers.Dense(1),
])
model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy(from_logits=True),
              metrics=[keras.metrics.BinaryAccuracy(threshold=0.0)])
model.fit(x, y, epochs=1)
```

## Fix safety
Safe: only the metric changes (`keras.metrics.BinaryAccuracy(threshold=0.0)`, spelled through the
file's imports); the model and its loss are untouched.

## Known false positives
None known. Silence with `# noqa: LL303` on the metric.

## Keras behaviour
Silent on every backend: Keras resolves `"accuracy"` on a one-unit output to binary accuracy at
threshold 0.5 whatever the loss's `from_logits`.
"""

from ..diagnostics import Finding
from ..knowledge import LossFamily, OutputKind
from ..registry import rule
from ._common import logits_threshold_fix, output_note, quoted, thresholded_at_half


@rule(code="LL303", name="threshold-metric-on-logits", fixable=True)
def check(model):
    for output in model.outputs:
        activation, loss = output.activation, output.loss
        if (activation is None or activation.kind is not OutputKind.UNBOUNDED or loss is None
                or loss.spec.family is not LossFamily.BINARY or loss.from_logits is not True):
            continue
        for metric in thresholded_at_half(output):
            yield Finding(
                anchor=metric.ref,
                message=f"`{metric.text}` thresholds {output.described()} at 0.5, but with {quoted(loss)} "
                        f"that output is a logit (0.5 means probability 0.62)",
                help="use `BinaryAccuracy(threshold=0.0)`",
                confidence=metric.confidence,
                related=output_note(output),
                fixes=(logits_threshold_fix(metric),),
            )

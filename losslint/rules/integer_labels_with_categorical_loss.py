"""## What it does
Finds integer class ids (shape `(N,)` or `(N, 1)`) passed to `fit` with a categorical
cross-entropy, which expects one-hot rows.

## Why is this bad?
`categorical_crossentropy` compares the label row with the predicted distribution element by
element, so it needs labels of the same shape as the output. With integer labels Keras crashes
inside the first training step with a shape error ("Arguments `target` and `output` must have the
same rank") that never names the fix.

## Example
```python
import numpy as np
import keras
from keras import layers

x = np.random.rand(256, 20).astype("float32")
y = np.random.randint(0, 10, size=(256,))

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(x, y, epochs=1)
```

## Use instead
```python
import numpy as np
import keras
from keras import layers

x = np.random.rand(256, 20).astype("float32")
y = np.random.randint(0, 10, size=(256,))

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x, y, epochs=1)
```
or keep the loss and one-hot the labels: `y = keras.utils.to_categorical(y, 10)`.

## Fix safety
Swapping the loss for `sparse_categorical_crossentropy` with the same `from_logits` is **safe**:
only the loss changes, and it computes the same value on integer labels.

## Known false positives
None known: the program crashes. A single-unit output is reported by LL105 instead.
Silence with `# noqa: LL201` on the loss line.

## Keras behaviour
Every backend raises a `ValueError` about the shapes of `target` and `output` in the first
`fit` step (tf-keras: "Shapes (None, 1) and (None, 3) are incompatible").
"""

from dataclasses import replace

from ..diagnostics import Finding
from ..facts import LabelFormat
from ..knowledge import LOSSES, LossFamily, MetricKind
from ..registry import rule
from ._common import (confidence, follow_label_format, is_jax, labeled, labels_note, labels_phrase, quoted, replace_loss,
                      value_range)


@rule(code="LL201", name="integer-labels-with-categorical-loss", fixable=True)
def check(model):
    for output, loss, labels in labeled(model):
        if (loss.spec.family is LossFamily.CATEGORICAL and labels.format is LabelFormat.INDEX
                and output.units != 1):
            if is_jax(model):
                yield Finding(
                    anchor=loss.ref,
                    message=f"{quoted(loss)} expects one-hot rows, but {labels_phrase(labels)} are integer class "
                            f"ids{value_range(labels)} (optax broadcasts them silently when the shapes allow)",
                    help="use `optax.softmax_cross_entropy_with_integer_labels`, or pass "
                         "`jax.nn.one_hot(labels, num_classes)`",
                    confidence=confidence(loss, labels),
                    related=labels_note(labels),
                )
                continue
            sparse = LOSSES["sparse_categorical_crossentropy"]
            keywords = {"from_logits": True} if loss.from_logits else {}
            shown = "SparseCategoricalCrossentropy(from_logits=True)" if loss.from_logits else sparse.id
            yield Finding(
                anchor=loss.ref,
                message=f"{quoted(loss)} expects one-hot labels, but {labels_phrase(labels)} are "
                        f"integer class ids{value_range(labels)}",
                help=f"use `{shown}`, or one-hot encode the labels with `keras.utils.to_categorical`",
                confidence=confidence(loss, labels),
                related=labels_note(labels),
                fixes=(replace(replace_loss(loss, sparse, **keywords),
                               together=follow_label_format(output, MetricKind.CATEGORICAL_ACCURACY,
                                                            "sparse_categorical_accuracy")),),
            )

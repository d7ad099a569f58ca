"""## What it does
Finds an output whose number of units differs from the width the loss needs from the labels:
the number of classes (one-hot width, `num_classes=` of `to_categorical`, a known dataset,
`class_names`) for a categorical or sparse loss, and one unit for class ids 0/1 with a binary
loss (`class_mode="binary"` labels against `Dense(2, activation="sigmoid")`).

## Why is this bad?
Each output unit stands for one class. With more classes than units the labels do not fit the
output and Keras crashes with a shape error in the first training step (or, with a sparse loss,
indexes past the output); with fewer classes, some units are never the target and the model
wastes capacity on classes that do not exist — usually a sign that the wrong dataset or head
was wired in.

## Example
```python
import numpy as np
import keras
from keras import layers

x = np.random.rand(256, 20).astype("float32")
y = keras.utils.to_categorical(np.random.randint(0, 10, size=(256,)), 10)

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(3, activation="softmax"),
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
y = keras.utils.to_categorical(np.random.randint(0, 10, size=(256,)), 10)

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(x, y, epochs=1)
```

## Fix safety
Display-only: changing the output layer changes the model.

## Known false positives
A head that is deliberately wider than the classes present in one training run (e.g. classes
added later). Silence with `# noqa: LL204` on the loss line. Integer labels past the last unit
with a sparse loss are reported by LL203 instead, and class ids outside [0, 1] with a binary
loss by LL205 (one mistake, one finding).

## Keras behaviour
Categorical and binary losses: `ValueError: Arguments target and output must have the same
shape` on every backend; class ids of shape (N, 1) against two sigmoid units broadcast silently
on TensorFlow and JAX (both units learn the same label). Sparse loss with more classes than units: see LL203; fewer classes
than units: silent.

## PyTorch
The width of the last `nn.Linear` is the class count: a `CrossEntropyLoss` over 5 outputs with
labels of 3 classes trains two outputs that never win (silent); probability targets of a
different width than the output raise a shape `RuntimeError`.
"""

from ..diagnostics import Finding
from ..facts import LabelFormat
from ..knowledge import LossFamily
from ..registry import rule
from ._common import (confidence, is_hf, is_torch, labeled, labels_note, labels_phrase, output_note, quoted,
                      sparse_out_of_range)

_ROWS = (LabelFormat.ONE_HOT, LabelFormat.MULTI_HOT)


@rule(code="LL204", name="class-count-mismatch")
def check(model):
    for output, loss, labels in labeled(model):
        units, needed = output.units, _needed_width(loss, labels)
        if needed is None or units is None or needed == units or sparse_out_of_range(output, loss, labels):
            continue
        if units == 1 and needed == 2 and labels.format not in _ROWS:
            continue  # two class ids on one sigmoid unit is the usual binary setup (LL105 otherwise)
        if needed == 1:
            message = (f"{labels_phrase(labels)} are class ids 0/1, which {quoted(loss)} compares with one "
                       f"unit, but {output.described()} has {units} units")
            help = "make the output `Dense(1)`, or use `Dense(2, activation=\"softmax\")` with " \
                   "`sparse_categorical_crossentropy`"
        else:
            message = (f"{labels_phrase(labels)} have {needed} classes, but `{output.layer_text}` has {units} labels"
                       if is_hf(model) else
                       f"{labels_phrase(labels)} have {needed} classes, but {output.described()} has {units} units")
            help = f"use `num_labels={needed}`" if is_hf(model) else f"give the last layer {needed} outputs" \
                if is_torch(model) else f"make the output `Dense({needed})`"
        yield Finding(
            anchor=loss.ref,
            message=message,
            help=help,
            confidence=confidence(output, loss, labels),
            related=labels_note(labels) + output_note(output),
        )


def _needed_width(loss, labels) -> int | None:
    """The number of output units `loss` needs for `labels`, when the facts prove it."""
    if not loss.spec.is_probability:
        return None
    if loss.spec.family is LossFamily.BINARY and labels.format is LabelFormat.INDEX:
        low, high = labels.min_value, labels.max_value
        if low is None or high is None or low < 0 or high > 1:
            return None  # class ids beyond 0/1 with a binary loss: LL205, one finding
        return 1
    return labels.num_classes

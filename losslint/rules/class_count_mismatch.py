"""## What it does
Finds labels whose number of classes (one-hot width, `num_classes=` of `to_categorical`, a
known dataset, `class_names`) differs from the number of output units.

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
with a sparse loss are reported by LL203 instead.

## Keras behaviour
Categorical and binary losses: `ValueError: Arguments target and output must have the same
shape` on every backend. Sparse loss with more classes than units: see LL203; fewer classes
than units: silent.
"""

from ..diagnostics import Finding
from ..facts import LabelFormat
from ..registry import rule
from ._common import confidence, is_torch, labeled, labels_note, labels_phrase, output_note, sparse_out_of_range

_ROWS = (LabelFormat.ONE_HOT, LabelFormat.MULTI_HOT)


@rule(code="LL204", name="class-count-mismatch")
def check(model):
    for output, loss, labels in labeled(model):
        classes, units = labels.num_classes, output.units
        if (classes is None or units is None or classes == units or not loss.spec.is_probability
                or sparse_out_of_range(output, loss, labels)):
            continue
        if units == 1 and classes == 2 and labels.format not in _ROWS:
            continue  # two class ids on one sigmoid unit is the usual binary setup
        yield Finding(
            anchor=loss.ref,
            message=f"{labels_phrase(labels)} have {classes} classes, but {output.described()} "
                    f"has {units} units",
            help=f"give the last layer {classes} outputs" if is_torch(model) else f"make the output `Dense({classes})`",
            confidence=confidence(output, loss, labels),
            related=labels_note(labels) + output_note(output),
        )

"""## What it does
Finds a sparse categorical cross-entropy trained on float labels that are not whole numbers,
e.g. class ids divided by 255 together with the images.

## Why is this bad?
A sparse loss casts each label to an integer class id. `7 / 255 = 0.027` becomes class 0, so
every sample is trained as class 0. Keras does not complain: the loss falls and accuracy stays
at the share of class 0.

## Example
```python
import numpy as np
import keras
from keras import layers

x = np.random.randint(0, 256, size=(256, 20)).astype("float32")
y = np.random.randint(0, 10, size=(256,)).astype("float32")
x, y = x / 255.0, y / 255.0

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x, y, epochs=1)
```

## Use instead
```python
import numpy as np
import keras
from keras import layers

x = np.random.randint(0, 256, size=(256, 20)).astype("float32")
y = np.random.randint(0, 10, size=(256,)).astype("float32")
x = x / 255.0

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x, y, epochs=1)
```

## Fix safety
Display-only: the fix is in the data pipeline.

## Known false positives
None known: a sparse loss only reads whole class ids. Silence with `# noqa: LL207` on the loss
line.

## Keras behaviour
Silent on every backend (labels are cast to int).
"""

from ..diagnostics import Finding
from ..facts import LabelFormat
from ..knowledge import LossFamily
from ..registry import rule
from ._common import confidence, labeled, labels_note, labels_phrase, quoted, value_range


@rule(code="LL207", name="fractional-labels-with-sparse-loss")
def check(model):
    for output, loss, labels in labeled(model):
        if loss.spec.family is LossFamily.SPARSE and labels.format is LabelFormat.FRACTIONAL:
            yield Finding(
                anchor=loss.ref,
                message=f"{quoted(loss)} casts labels to integer class ids, but {labels_phrase(labels)} "
                        f"are fractional{value_range(labels)}",
                help="pass the integer class ids (do not scale the labels with the inputs)",
                confidence=confidence(loss, labels),
                related=labels_note(labels),
            )

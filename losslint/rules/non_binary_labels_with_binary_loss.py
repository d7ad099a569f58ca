"""## What it does
Finds a binary cross-entropy trained on labels outside [0, 1], such as class ids 0..9 or −1/+1
targets.

## Why is this bad?
Binary cross-entropy computes `-(y·log p + (1−y)·log(1−p))`, which only means something for
`y` in [0, 1]. With `y = 7` the loss is unbounded below, so it decreases forever while the model
learns nothing useful; with `y = −1` (hinge-style labels) the gradient pushes the wrong way. No
backend checks the label range.

## Example
```python
import numpy as np
import keras
from keras import layers

x = np.random.rand(256, 20).astype("float32")
y = np.random.randint(0, 10, size=(256, 1))

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer="adam", loss="binary_crossentropy")
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
(for −1/+1 targets, map them with `(y + 1) // 2`).

## Fix safety
Display-only: the fix changes the labels or the model.

## Known false positives
None known. Silence with `# noqa: LL205` on the loss line.

## Keras behaviour
Silent on every backend: the loss goes negative or diverges.

## PyTorch
`nn.BCEWithLogitsLoss` / `nn.BCELoss` accept any float target without complaint: class ids 0..C-1
or labels in {-1, 1} give a loss that goes negative or diverges. For class ids use
`nn.CrossEntropyLoss()` with one output per class; for {-1, 1} pass `(y + 1) / 2`.
"""

from ..diagnostics import Finding
from ..knowledge import LossFamily
from ..registry import rule
from ._common import confidence, is_torch, labeled, labels_note, labels_phrase, quoted, value_range


@rule(code="LL205", name="non-binary-labels-with-binary-loss")
def check(model):
    for output, loss, labels in labeled(model):
        low, high = labels.min_value, labels.max_value
        if loss.spec.family is not LossFamily.BINARY or low is None or high is None:
            continue
        if low >= 0 and high <= 1:
            continue
        if low == -1 and high == 1:
            help = "map the labels to {0, 1} with `(y + 1) // 2`"
        elif is_torch(model):
            help = "for class ids use `nn.CrossEntropyLoss()` with one output per class, or map the labels to {0, 1}"
        else:
            help = "use a categorical setup (`Dense(C, activation=\"softmax\")` with " \
                   "`sparse_categorical_crossentropy`), or map the labels to {0, 1}"
        yield Finding(
            anchor=loss.ref,
            message=f"{quoted(loss)} expects labels in [0, 1], but {labels_phrase(labels)} are "
                    f"outside it{value_range(labels)}",
            help=help,
            confidence=confidence(loss, labels),
            related=labels_note(labels),
        )

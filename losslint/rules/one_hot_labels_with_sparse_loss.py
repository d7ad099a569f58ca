"""## What it does
Finds one-hot (or other 2-D, more than one column) labels passed to `fit` with a sparse
categorical cross-entropy, which expects one integer class id per sample.

## Why is this bad?
`sparse_categorical_crossentropy` reads each label as a class index. Given one-hot rows, Keras
crashes in the first training step with a rank error ("Argument `output` must have rank
`target.ndim - 1`") that never mentions the categorical loss.

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
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
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
or keep the loss and pass `np.argmax(y, axis=1)`.

## Fix safety
For one-hot labels, swapping the loss for `categorical_crossentropy` with the same
`from_logits` is **safe**: only the loss changes and it computes the same value. For multi-hot
or other 2-D labels the advice is display-only (see LL206).

## Known false positives
None known: the program crashes. Silence with `# noqa: LL202` on the loss line.

## Keras behaviour
Every backend raises a `ValueError` about the rank or shape of `target` (tf-keras:
`InvalidArgumentError: logits and labels must have the same first dimension`). With TF ≤ 2.1
the crash came from the accuracy metric ("Can not squeeze dim[1]"), which misled users.
"""

from dataclasses import replace

from ..diagnostics import Finding
from ..facts import LabelFormat
from ..knowledge import LOSSES, LossFamily, MetricKind
from ..registry import rule
from ._common import confidence, follow_label_format, is_jax, labeled, labels_note, labels_phrase, quoted, replace_loss

_TWO_D = {LabelFormat.ONE_HOT: "one-hot rows", LabelFormat.MULTI_HOT: "multi-hot rows",
          LabelFormat.BINARY: "0/1 rows"}


@rule(code="LL202", name="one-hot-labels-with-sparse-loss", fixable=True)
def check(model):
    for output, loss, labels in labeled(model):
        if (loss.spec.family is not LossFamily.SPARSE or labels.format not in _TWO_D
                or output.units == 1 or (labels.num_classes is not None and labels.num_classes < 2)):
            continue
        width = f" of width {labels.num_classes}" if labels.num_classes else ""
        if is_jax(model):
            yield Finding(
                anchor=loss.ref,
                message=f"{quoted(loss)} expects integer class ids, but {labels_phrase(labels)} are "
                        f"{_TWO_D[labels.format]}{width}",
                help="use `optax.softmax_cross_entropy`, or pass `labels.argmax(-1)`",
                confidence=confidence(loss, labels),
                related=labels_note(labels),
            )
            continue
        fixes = ()
        help = "use `categorical_crossentropy`, or pass `np.argmax(labels, axis=-1)`"
        if labels.format is LabelFormat.ONE_HOT:
            keywords = {"from_logits": True} if loss.from_logits else {}
            fixes = (replace(replace_loss(loss, LOSSES["categorical_crossentropy"], **keywords),
                             together=follow_label_format(output, MetricKind.SPARSE_CATEGORICAL_ACCURACY,
                                                          "categorical_accuracy")),)
            if loss.from_logits:
                help = "use `CategoricalCrossentropy(from_logits=True)`, or pass `np.argmax(labels, axis=-1)`"
        else:
            help = "use `binary_crossentropy` with a sigmoid output for multi-label data"
        yield Finding(
            anchor=loss.ref,
            message=f"{quoted(loss)} expects integer class ids, but {labels_phrase(labels)} are "
                    f"{_TWO_D[labels.format]}{width}",
            help=help,
            confidence=confidence(loss, labels),
            related=labels_note(labels),
            fixes=fixes,
        )

"""## What it does
Finds multi-label targets (rows with more than one positive) trained through a softmax output or
a categorical cross-entropy.

## Why is this bad?
A softmax spreads one unit of probability over the classes, so a row with three positives can at
best predict 1/3 for each; categorical cross-entropy on such rows rewards the model for
splitting its confidence. The model cannot say "cat *and* dog". Multi-label data needs
independent sigmoid units and a binary cross-entropy.

## Example
```python
import numpy as np
import keras
from keras import layers
from sklearn.preprocessing import MultiLabelBinarizer

tags = [["news"], ["news", "sport"], ["sport"], ["tech", "news"]] * 64
x = np.random.rand(len(tags), 20).astype("float32")
y = MultiLabelBinarizer().fit_transform(tags)

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
from sklearn.preprocessing import MultiLabelBinarizer

tags = [["news"], ["news", "sport"], ["sport"], ["tech", "news"]] * 64
x = np.random.rand(len(tags), 20).astype("float32")
y = MultiLabelBinarizer().fit_transform(tags)

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(3, activation="sigmoid"),
])
model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit(x, y, epochs=1)
```

## Fix safety
Switching to a sigmoid output and a binary loss is **unsafe**: the model's outputs change. When
the output is already sigmoid (or linear with `from_logits=True`), swapping the categorical loss
for `binary_crossentropy` is **safe**: only the loss changes.

## Known false positives
Soft targets that are not 0/1 (label smoothing, mixup, distillation) are not multi-hot and are
not reported. Silence with `# noqa: LL206` on the loss line.

## Keras behaviour
Silent on every backend; categorical cross-entropy renormalises the row and trains.
"""

from ..diagnostics import Applicability, Finding
from ..facts import LabelFormat
from ..knowledge import LOSSES, LossFamily, OutputKind
from ..registry import rule
from ._common import confidence, labeled, labels_note, labels_phrase, output_note, quoted, replace_loss, \
    set_activation


@rule(code="LL206", name="multi-hot-labels-with-softmax", fixable=True)
def check(model):
    for output, loss, labels in labeled(model):
        if labels.format is not LabelFormat.MULTI_HOT:
            continue
        kind = output.activation.kind if output.activation else None
        softmax = kind is OutputKind.SIMPLEX
        categorical = loss.spec.family in (LossFamily.CATEGORICAL, LossFamily.AUTO_CROSSENTROPY)
        if not (softmax or categorical):
            continue
        if softmax and categorical:
            fixes = (set_activation(output, "sigmoid", Applicability.DISPLAY_ONLY),)
            help = 'use `activation="sigmoid"` on the last layer and `binary_crossentropy`'
        elif softmax:
            fixes = (set_activation(output, "sigmoid"),)
            help = 'use `activation="sigmoid"` on the last layer'
        elif kind is OutputKind.UNIT_INTERVAL or (kind is OutputKind.UNBOUNDED and loss.from_logits):
            keywords = {"from_logits": True} if loss.from_logits else {}
            fixes = (replace_loss(loss, LOSSES["binary_crossentropy"], **keywords),)
            help = "use `BinaryCrossentropy(from_logits=True)`" if loss.from_logits \
                else "use `binary_crossentropy`"
        else:
            fixes = ()
            help = 'use `activation="sigmoid"` on the last layer and `binary_crossentropy`'
        through = f"{output.described()} and {quoted(loss)}" if softmax else quoted(loss)
        yield Finding(
            anchor=loss.ref,
            message=f"{labels_phrase(labels)} are multi-hot (several positives per row), but go "
                    f"through {through}, which assume one class per sample",
            help=help,
            confidence=confidence(output, loss, labels),
            related=labels_note(labels) + output_note(output),
            fixes=fixes,
        )

"""## What it does
Finds a regression loss (`mse`, `mae`, `huber`, …) trained on labels known to be class labels
(one-hot rows from `to_categorical` / `np.eye` / `get_dummies` / `class_mode="categorical"`, or
class ids of a known dataset), whatever the output (linear included). With
`--extend-select LL111` it also reports a regression loss on any softmax output with more than
one unit, labels unknown.

## Why is this bad?
A softmax output is a class distribution. Squared or absolute error on it gives tiny, flat
gradients once the prediction saturates, so training is slow and calibration poor; cross-entropy
is the loss that matches a softmax. On class ids, a regression loss treats class 7 as closer to
class 8 than to class 1, which classes are not. A regression loss on a softmax alone is a
legitimate choice in some distillation setups, which is why that form (labels unknown) is opt-in.

## Example
```python
import numpy as np
import keras
from keras import layers

x = np.random.rand(256, 20).astype("float32")
y = keras.utils.to_categorical(np.random.randint(0, 10, size=(256,)), 10)

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(10),
])
model.compile(optimizer="adam", loss="mse")
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
Display-only: the right cross-entropy depends on the label format.

## Known false positives
Knowledge distillation or Brier-score training with soft targets (the opt-in form). A sigmoid
output trained with `mse` on one-hot rows is not reported. Silence with `# noqa: LL111`.

## Keras behaviour
Silent on every backend.
"""

from ..diagnostics import Finding
from ..facts import LabelFormat
from ..knowledge import LossFamily, OutputKind
from ..registry import rule
from ._common import (confidence, implied, integer_dtype, is_hf, is_jax, judged, known_class_labels, labels_note,
                      labels_phrase, output_note, quoted, value_range)


@rule(code="LL111", name="classification-output-with-regression-loss", opt_in_forms=True)
def check(model):
    for output, activation, loss in judged(model):
        if loss.spec.family is not LossFamily.REGRESSION:
            continue
        labels = output.labels
        if is_hf(model):
            if labels is not None and (known_class_labels(labels) or _class_ids(labels)):
                yield _hf_finding(output, loss, labels)
            continue
        if known_class_labels(labels) and not (activation.kind is OutputKind.UNIT_INTERVAL
                                               and labels.format is LabelFormat.ONE_HOT):
            # sigmoid + mse on one-hot rows (targets in [0, 1]) is a legitimate choice
            kind = "one-hot rows" if labels.format is LabelFormat.ONE_HOT else "class ids"
            yield Finding(
                anchor=loss.ref,
                message=f"regression loss {quoted(loss)} is applied to {output.described()}, but "
                        f"{labels_phrase(labels)} are class labels ({kind})",
                help="use `optax.softmax_cross_entropy` for one-hot labels or "
                     "`optax.softmax_cross_entropy_with_integer_labels` for class ids, on the logits" if is_jax(model)
                else "use `categorical_crossentropy` for one-hot labels or `sparse_categorical_crossentropy` "
                     "for class ids, with a softmax output (or `from_logits=True` on a linear one)",
                confidence=confidence(output, loss, labels),
                related=output_note(output) + labels_note(labels),
            )
        elif activation.kind is OutputKind.SIMPLEX and (output.units is None or output.units > 1):
            yield Finding(
                anchor=loss.ref,
                message=f"regression loss {quoted(loss)} is applied to {output.described()}",
                help="use `categorical_crossentropy` for one-hot labels or "
                     "`sparse_categorical_crossentropy` for integer labels",
                confidence=confidence(output, loss),
                related=output_note(output),
                opt_in=True,
            )


def _class_ids(labels) -> bool:
    """Integer labels of small whole values (0/1, class ids): a regression head cannot mean them."""
    return (labels.format in (None, LabelFormat.INDEX) and integer_dtype(labels)
            and labels.min_value is not None and labels.min_value >= 0)


def _hf_finding(output, loss, labels):
    kind = "one-hot rows" if labels.format is LabelFormat.ONE_HOT else f"class ids{value_range(labels)}"
    classes = labels.num_classes or (int(labels.max_value) + 1 if labels.max_value is not None else 2)
    return Finding(
        anchor=loss.ref,
        message=f"{implied(output, loss)}, but {labels_phrase(labels)} are class labels ({kind})",
        help=f"use `num_labels={max(classes, 2)}` (transformers then trains CrossEntropyLoss on integer labels)",
        confidence=confidence(output, loss, labels),
        related=output_note(output) + labels_note(labels),
    )

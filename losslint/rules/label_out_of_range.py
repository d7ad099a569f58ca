"""## What it does
Finds integer labels below 0 or at least the number of output units (for example 1-based
classes 1..C) with a sparse categorical cross-entropy.

## Why is this bad?
A sparse loss indexes the output with the label. A label equal to the number of units points
past the last class: TensorFlow on CPU crashes with "Received a label value of 10 which is
outside the valid range of [0, 10)", TensorFlow on GPU returns NaN for those rows, and JAX
one-hots the label to an all-zero row and trains silently on a wrong loss (reported accuracy
0.67, true accuracy 0.18 on a 3-class toy problem with 1-based labels).

## Example
```python
import numpy as np
import keras
from keras import layers

x = np.random.rand(256, 20).astype("float32")
y = np.random.randint(1, 11, size=(256,))  # classes 1..10

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
y = np.random.randint(0, 10, size=(256,))  # classes 0..9

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x, y, epochs=1)
```
(or shift 1-based labels with `y - 1`, or widen the output to `Dense(11)`).

## Fix safety
Display-only: shifting the labels or widening the output changes the data or the model.

## Known false positives
None known when the label values are read from the data. Statically the range comes from known
datasets and literal class counts. A single-unit output is reported by LL105 instead.
Silence with `# noqa: LL203` on the loss line.

## Keras behaviour
TensorFlow CPU: `InvalidArgumentError` at the first step that sees the label. TensorFlow GPU: NaN
loss rows. JAX: **silent**, wrong loss and inflated accuracy. tf-keras: as TensorFlow.

## PyTorch
`nn.CrossEntropyLoss` / `nn.NLLLoss` take class ids in 0..C-1 (C = the size of the class axis,
dimension 1); `ignore_index` (-100 by default) is skipped. An id ≥ C raises `IndexError: Target
N is out of bounds` on CPU and a device-side assert on CUDA. Give the last `nn.Linear` as many
outputs as there are classes, or map the labels (`y - 1` for 1-based ids).
"""

from ..diagnostics import Finding
from ..registry import rule
from ._common import (confidence, implied, is_hf, is_torch, labeled, labels_note, labels_phrase, output_note, quoted,
                      sparse_out_of_range, value_range)


@rule(code="LL203", name="label-out-of-range")
def check(model):
    for output, loss, labels in labeled(model):
        if not sparse_out_of_range(output, loss, labels):
            continue
        units = output.units
        if labels.min_value >= 1 and labels.max_value == units:
            help = "the labels look 1-based: pass `y - 1`"
        elif labels.min_value < 0 and is_hf(model):
            help = 'drop the rows without a gold label: `.filter(lambda row: row["label"] >= 0)`'
        elif labels.min_value < 0:
            help = f"map the labels to 0..{units - 1}"
        elif is_hf(model):
            help = f"use `num_labels={int(labels.max_value) + 1}`, or map the labels to 0..{units - 1}"
        elif is_torch(model):
            help = f"give the last layer {int(labels.max_value) + 1} outputs, or map the labels to 0..{units - 1}"
        else:
            help = f"make the output `Dense({int(labels.max_value) + 1})`, or map the labels to 0..{units - 1}"
        if is_hf(model):
            yield Finding(
                anchor=loss.ref,
                message=f"{implied(output, loss)}, but {labels_phrase(labels)} are class ids{value_range(labels)} "
                        f"and the head has {units} labels (valid ids 0..{units - 1})",
                help=help,
                confidence=confidence(output, loss, labels),
                related=labels_note(labels) + output_note(output),
            )
            continue
        yield Finding(
            anchor=loss.ref,
            message=f"{labels_phrase(labels)} passed to {quoted(loss)} are class ids"
                    f"{value_range(labels)}, but {output.described()} has {units} units "
                    f"(valid ids 0..{units - 1})",
            help=help,
            confidence=confidence(output, loss, labels),
            related=labels_note(labels) + output_note(output),
        )

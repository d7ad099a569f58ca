"""## What it does
Finds a categorical or sparse categorical cross-entropy on an output with a single unit.

## Why is this bad?
Categorical cross-entropy normalises over the units of the output. With one unit the normalised
prediction is always 1.0, so the loss is identically zero and nothing is learned; a sparse loss
additionally rejects every label ≥ 1 as out of range (a crash on TensorFlow CPU, NaN on GPU,
silently wrong on JAX). A two-class problem with one output unit needs a binary loss.

## Example
```python
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer="adam", loss="categorical_crossentropy")
```

## Use instead
```python
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer="adam", loss="binary_crossentropy")
```
With a linear output, use `keras.losses.BinaryCrossentropy(from_logits=True)`.

## Fix safety
Swapping the loss for `binary_crossentropy` (with `from_logits=True` when the output is linear)
is **safe**: only the loss changes. For other output activations the advice is display-only.

## Known false positives
None: the loss cannot train. Silence with `# noqa: LL105` on the loss line. A softmax over the
single unit is reported by LL104 alone (one mistake, one finding).

## Keras behaviour
Keras ≥ 2.12 emits `SyntaxWarning: In loss categorical_crossentropy, expected y_pred.shape to be
(batch_size, num_classes) with num_classes > 1` at the first `fit`; the loss prints 0.0000.
Sparse: TensorFlow CPU raises "Received a label value of 1 which is outside the valid range of
[0, 1)"; JAX trains silently.
"""

from ..diagnostics import Finding
from ..knowledge import LOSSES, OutputKind
from ..registry import rule
from ._common import confidence, implied, is_hf, is_jax, is_torch, output_note, quoted, replace_loss


@rule(code="LL105", name="categorical-loss-on-single-unit", fixable=True)
def check(model):
    for output in model.outputs:
        loss = output.loss
        if loss is None or not loss.spec.family.is_multiclass or output.units != 1:
            continue
        kind = output.activation.kind if output.activation else None
        if kind is OutputKind.SIMPLEX:
            continue  # a softmax over the one unit: LL104 reports it, and its fix is the binary setup
        binary = LOSSES["binary_crossentropy"]
        if is_jax(model):
            fixes = ()
            help = "use `optax.sigmoid_binary_cross_entropy` with 0/1 labels, or give the last layer 2 outputs"
        elif is_hf(model):
            fixes = ()
            help = "use `num_labels=2` (one logit per class)"
        elif is_torch(model):
            fixes = ()
            help = "use `nn.BCEWithLogitsLoss()` with float 0/1 targets, or give the last layer 2 outputs"
        elif kind is OutputKind.UNBOUNDED:
            fixes = (replace_loss(loss, binary, from_logits=True),)
            help = "use `BinaryCrossentropy(from_logits=True)`"
        elif kind is OutputKind.UNIT_INTERVAL and loss.from_logits is False:
            fixes = (replace_loss(loss, binary),)
            help = "use `binary_crossentropy`"
        else:
            fixes = ()
            help = 'use `binary_crossentropy` with `activation="sigmoid"` on the last layer'
        yield Finding(
            anchor=loss.ref,
            message=(f"{implied(output, loss)} over a single logit: the loss is 0 or the labels are out of range"
                     if is_hf(model) else f"{quoted(loss)} is applied to `{output.layer_text}`, which has a single unit"),
            help=help,
            confidence=confidence(output, loss),
            related=output_note(output),
            fixes=fixes,
        )

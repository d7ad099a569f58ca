"""## What it does
Finds a binary cross-entropy applied to a softmax output with more than two units.

## Why is this bad?
Binary cross-entropy scores every unit as an independent yes/no question, but a softmax ties
the units together. For single-label data the right loss is categorical (one-hot labels) or
sparse categorical (integer labels); for multi-label data the output should be sigmoid.
`binary_accuracy` on this setup is inflated (≈0.9 on random labels with 10 classes).

## Example
```python
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="binary_crossentropy")
```

## Use instead
```python
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="categorical_crossentropy")
```
(`sparse_categorical_crossentropy` for integer labels; `activation="sigmoid"` for multi-label.)

## Fix safety
When the labels are known, swapping the loss for its categorical (one-hot labels) or sparse
(integer labels) sibling is **safe**. Without label facts the suggestion is display-only.

## Known false positives
A softmax over exactly two units with one-hot labels is equivalent to categorical cross-entropy;
the rule stays silent for two units. Silence others with `# noqa: LL103` on the loss line.

## Keras behaviour
Silent on every backend. Keras 3 resolves `"accuracy"` to categorical accuracy here; an explicit
`binary_accuracy` is inflated (see LL301).
"""

from ..diagnostics import Applicability, Finding
from ..facts import LabelFormat
from ..knowledge import LOSSES, LossFamily, OutputKind
from ..registry import rule
from ._common import confidence, is_torch, judged, output_note, quoted, replace_loss

_LOSS_FOR_LABELS = {LabelFormat.ONE_HOT: "categorical_crossentropy",
                    LabelFormat.INDEX: "sparse_categorical_crossentropy"}


@rule(code="LL103", name="softmax-output-with-binary-loss", fixable=True)
def check(model):
    for output, activation, loss in judged(model):
        if (activation.kind is OutputKind.SIMPLEX and loss.spec.family is LossFamily.BINARY
                and (output.units is None or output.units > 2)):
            fixes = ()
            sibling = _LOSS_FOR_LABELS.get(output.labels.format) if output.labels and not is_torch(model) else None
            if sibling:
                keywords = {"from_logits": True} if loss.from_logits else {}
                fixes = (replace_loss(loss, LOSSES[sibling], Applicability.SAFE, **keywords),)
            yield Finding(
                anchor=loss.ref,
                message=f"{quoted(loss)} is applied to {output.described()}",
                help=("use `nn.CrossEntropyLoss()` on the raw output (no softmax); for multi-label data use "
                      "`torch.sigmoid` instead of the softmax") if is_torch(model) else
                     "use `categorical_crossentropy` for one-hot labels or "
                     "`sparse_categorical_crossentropy` for integer labels; for multi-label data use "
                     '`activation="sigmoid"`',
                confidence=confidence(output, loss, output.labels if sibling else None),
                related=output_note(output),
                fixes=fixes,
            )

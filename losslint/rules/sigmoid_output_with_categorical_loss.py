"""## What it does
Finds a categorical or sparse categorical cross-entropy applied to a sigmoid output with more
than one unit.

## Why is this bad?
Categorical cross-entropy expects one probability distribution over the classes (a softmax).
Sigmoid units are independent and do not sum to one; Keras renormalises them silently, so the
loss is not the one you think and `predict()` returns scores that are not class probabilities.
If every sample can carry several labels (multi-label), the loss is the bug: use a binary loss.

## Example
```python
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(64, activation="relu"),
    layers.Dense(10, activation="sigmoid"),
])
model.compile(optimizer="adam", loss="categorical_crossentropy")
```

## Use instead
```python
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(64, activation="relu"),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="categorical_crossentropy")
```
or, for multi-label data, keep the sigmoid and use `loss="binary_crossentropy"`.

## Fix safety
Switching the activation to softmax is **unsafe**: the model's outputs change. When the labels
are known to be multi-hot this rule stays silent and LL206 suggests the binary loss instead.

## Known false positives
None known for single-label data. Silence with `# noqa: LL102` on the loss line.

## Keras behaviour
Silent on every backend. On TensorFlow the cached logits are reused, so training matches the
softmax model while `predict()` returns unnormalised sigmoids; on JAX training differs.
"""

from ..diagnostics import Finding
from ..facts import LabelFormat
from ..knowledge import OutputKind
from ._common import confidence, judged, output_note, quoted, set_activation
from ..registry import rule


@rule(code="LL102", name="sigmoid-output-with-categorical-loss", fixable=True)
def check(model):
    for output, activation, loss in judged(model):
        if (activation.kind is OutputKind.UNIT_INTERVAL and loss.spec.family.is_multiclass
                and loss.from_logits is False and output.units != 1
                and not (output.labels and output.labels.format is LabelFormat.MULTI_HOT)):
            yield Finding(
                anchor=loss.ref,
                message=f"{quoted(loss)} is applied to {output.described()}",
                help='use `activation="softmax"` on the last layer; for multi-label data use '
                     "`binary_crossentropy` instead",
                confidence=confidence(output, loss),
                related=output_note(output),
                fixes=(set_activation(output, "softmax"),),
            )

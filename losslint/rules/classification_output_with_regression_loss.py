"""## What it does
Finds a regression loss (`mse`, `mae`, `huber`, …) on a softmax output with more than one unit.
Opt-in: enable with `--extend-select LL111`.

## Why is this bad?
A softmax output is a class distribution. Squared or absolute error on it gives tiny, flat
gradients once the prediction saturates, so training is slow and calibration poor; cross-entropy
is the loss that matches a softmax. It is a legitimate choice in some distillation setups,
which is why the rule is off by default.

## Example
```python
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="mse")
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

## Fix safety
Display-only: the right cross-entropy depends on the label format.

## Known false positives
Knowledge distillation or Brier-score training with soft targets. Silence with
`# noqa: LL111`.

## Keras behaviour
Silent on every backend.
"""

from ..diagnostics import Finding
from ..knowledge import LossFamily, OutputKind
from ..registry import rule
from ._common import confidence, judged, output_note, quoted


@rule(code="LL111", name="classification-output-with-regression-loss", default=False)
def check(model):
    for output, activation, loss in judged(model):
        if (activation.kind is OutputKind.SIMPLEX and loss.spec.family is LossFamily.REGRESSION
                and (output.units is None or output.units > 1)):
            yield Finding(
                anchor=loss.ref,
                message=f"regression loss {quoted(loss)} is applied to {output.described()}",
                help="use `categorical_crossentropy` for one-hot labels or "
                     "`sparse_categorical_crossentropy` for integer labels",
                confidence=confidence(output, loss),
                related=output_note(output),
            )

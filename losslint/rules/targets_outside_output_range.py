"""## What it does
Finds a regression loss (`mse`, `mae`, `huber`, …) on an output whose range cannot reach the
targets: a sigmoid or softmax output (values in [0, 1]) with targets above 1, a relu / softplus /
exp output (never negative) with negative targets, a tanh output (values in (−1, 1)) with
targets beyond ±1.

## Why is this bad?
The model can never produce the values it is trained to predict. A sigmoid trained on house
prices saturates at 1.0 and its gradient vanishes, so the loss plateaus at a large value; a relu
output trained on negative targets gets stuck at 0 (dead units). Nothing crashes: the loss just
stops decreasing, which looks like an optimisation problem rather than a modelling one.

## Example
```python
import numpy as np
import keras
from keras import layers

x = np.array([[0.8, 2.0], [1.1, 3.0], [1.5, 4.0], [0.6, 1.0]])
y = np.array([210.0, 265.5, 402.0, 150.0])  # prices in thousands

model = keras.Sequential([
    keras.Input(shape=(2,)),
    layers.Dense(32, activation="relu"),
    layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer="adam", loss="mse")
model.fit(x, y, epochs=1)
```

## Use instead
```python
import numpy as np
import keras
from keras import layers

x = np.array([[0.8, 2.0], [1.1, 3.0], [1.5, 4.0], [0.6, 1.0]])
y = np.array([210.0, 265.5, 402.0, 150.0])  # prices in thousands

model = keras.Sequential([
    keras.Input(shape=(2,)),
    layers.Dense(32, activation="relu"),
    layers.Dense(1),
])
model.compile(optimizer="adam", loss="mse")
model.fit(x, y, epochs=1)
```
(or keep the sigmoid and scale the targets into [0, 1], e.g. with `MinMaxScaler`).

## Fix safety
Display-only: the fix changes the model or the data.

## Known false positives
None known when the targets are the ones passed to `fit`. Statically the rule needs literal
targets (`np.array([...])`); the runtime hook reads the arrays. Silence with `# noqa: LL209`
on the loss line.

## Keras behaviour
Silent on every backend: the loss plateaus.
"""

from ..diagnostics import Finding
from ..knowledge import LossFamily, OutputKind
from ..registry import rule
from ._common import (confidence, judged, known_class_labels, labels_note, labels_phrase, output_note, quoted,
                      value_range)

_RANGES = {  # what each kind of output can produce: (lowest, highest, as written in the message)
    OutputKind.SIMPLEX: (0.0, 1.0, "[0, 1]"),
    OutputKind.UNIT_INTERVAL: (0.0, 1.0, "[0, 1]"),
    OutputKind.NON_NEGATIVE: (0.0, None, "[0, ∞)"),
    OutputKind.BOUNDED: (-1.0, 1.0, "(−1, 1)"),
}


@rule(code="LL209", name="targets-outside-output-range")
def check(model):
    for output, activation, loss in judged(model):
        labels = output.labels
        if (labels is None or loss.spec.family is not LossFamily.REGRESSION or activation.kind not in _RANGES
                or labels.min_value is None or labels.max_value is None or known_class_labels(labels)):
            continue  # class labels with a regression loss are LL111: one mistake, one finding
        if activation.kind is OutputKind.SIMPLEX and output.units == 1:
            continue  # a softmax over one unit is LL104 whatever the targets
        lowest, highest, shown = _RANGES[activation.kind]
        if labels.min_value >= lowest and (highest is None or labels.max_value <= highest):
            continue
        yield Finding(
            anchor=loss.ref,
            message=f"{quoted(loss)} fits {output.described()}, which only outputs values in {shown}, "
                    f"to {labels_phrase(labels)}{value_range(labels)}",
            help="make the last layer linear, or scale the targets into the output's range",
            confidence=confidence(output, loss, labels),
            related=output_note(output) + labels_note(labels),
        )

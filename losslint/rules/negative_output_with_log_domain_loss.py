"""## What it does
Finds `poisson` on an output that can be negative, and `kl_divergence` on an output that is not
a probability distribution (linear, tanh, relu…, or a sigmoid over several units).

## Why is this bad?
Poisson loss computes `y_pred - y_true * log(y_pred)`: it needs a positive rate. Keras adds
1e-7 inside the log, so negative predictions give NaN. KL divergence compares two probability
distributions and clips `y_pred` to [1e-7, 1]: on raw scores the loss is meaningless.

## Example
```python
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(8,)),
    layers.Dense(32, activation="relu"),
    layers.Dense(1),
])
model.compile(optimizer="adam", loss="poisson")
```

## Use instead
```python
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(8,)),
    layers.Dense(32, activation="relu"),
    layers.Dense(1, activation="softplus"),
])
model.compile(optimizer="adam", loss="poisson")
```
(For `kl_divergence`, use `activation="softmax"`: a sigmoid output with several units is no
distribution either — its units do not sum to 1.)

## Fix safety
Display-only: choosing the output activation changes the model.

## Known false positives
A model whose targets and outputs are guaranteed positive by construction outside Keras'
view. Silence with `# noqa: LL108` on the loss line.

## Keras behaviour
Silent on every backend until the loss becomes NaN.
"""

from ..diagnostics import Applicability, Finding
from ..knowledge import LossFamily, OutputKind
from ..registry import rule
from ._common import confidence, judged, output_note, quoted, set_activation


@rule(code="LL108", name="negative-output-with-log-domain-loss", fixable=False)
def check(model):
    for output, activation, loss in judged(model):
        family = loss.spec.family
        if family is LossFamily.POISSON and activation.kind.can_be_negative:
            problem, wanted = "which can be negative", "softplus"
        elif family is LossFamily.KL_DIVERGENCE and not activation.kind.is_probability:
            problem, wanted = "which is not a probability distribution", "softmax"
        elif family is LossFamily.KL_DIVERGENCE and activation.kind is OutputKind.UNIT_INTERVAL \
                and output.units and output.units > 1:
            # independent sigmoids: each unit in (0, 1), but the row does not sum to 1
            problem, wanted = f"whose {output.units} units do not sum to 1 (not a probability distribution)", \
                "softmax"
        else:
            continue
        yield Finding(
            anchor=loss.ref,
            message=f"{quoted(loss)} receives {output.described()}, {problem}",
            help=f'use a positive output such as `activation="{wanted}"`' if wanted == "softplus"
            else '`activation="softmax"` on the last layer',
            confidence=confidence(output, loss),
            related=output_note(output),
            fixes=(set_activation(output, wanted, Applicability.DISPLAY_ONLY),),
        )

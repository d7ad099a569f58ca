"""## What it does
Finds a softmax over an axis of size one, such as `Dense(1, activation="softmax")`.

## Why is this bad?
A softmax over a single value is always exactly 1.0. The model predicts the same class for every
input, whatever it learns; accuracy stays at the share of the majority class. On the TensorFlow
backend the loss may even *fall* (cached logits are reused) while accuracy never moves.

## Example
```python
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(16, activation="relu"),
    layers.Dense(1, activation="softmax"),
])
model.compile(optimizer="adam", loss="binary_crossentropy")
```

## Use instead
```python
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(16, activation="relu"),
    layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer="adam", loss="binary_crossentropy")
```

## Fix safety
Switching the activation is **unsafe**: the model's outputs change (which is the point). The
fix follows the loss: sigmoid for a binary loss, and with a categorical or sparse loss the same fix
swaps it for `binary_crossentropy` (LL105 stays silent on a softmax: one mistake, one finding); a
linear output for a regression loss (`mse` on a price) and for
a loss that already takes logits (`from_logits=True`). When the softmax is a separate layer
(`Activation("softmax")`) over a layer with a non-linear activation of its own
(`Dense(1, activation="relu")`), there is no fix: a sigmoid there would still see only
non-negative values (always ≥ 0.5), so the model itself needs rethinking.

## Known false positives
None: the output is constant. The finding is anchored on the activation (the `activation=`
argument, or the `Activation`/`Softmax` layer); put `# noqa: LL104` there.

## Keras behaviour
Keras ≥ 3.1 warns at the first `fit`/`predict`: "You are using a softmax over axis -1 of a tensor
of shape (None, 1)…" on every backend; tf-keras and Keras 2 are silent.
"""

from dataclasses import replace

from ..diagnostics import Applicability, Finding
from ..knowledge import LOSSES, LossFamily, OutputKind
from ..registry import rule
from ._common import output_note, replace_loss, set_activation


@rule(code="LL104", name="single-unit-softmax", fixable=True)
def check(model):
    for output in model.outputs:
        activation = output.activation
        if activation is not None and activation.kind is OutputKind.SIMPLEX and output.units == 1:
            wanted = _activation_for(output.loss)
            yield Finding(
                anchor=output.activation_ref,
                message=f"softmax over the single unit of `{output.layer_text}` always outputs 1.0",
                help=_help(wanted, output.squashed_below),
                confidence=output.confidence,
                related=output_note(output) if output.activation_ref != output.ref else (),
                # sigmoid(relu(z)) is never below 0.5: with a squashing layer under the softmax, no fix
                fixes=() if output.squashed_below else (_fix(output, wanted),),
            )


def _fix(output, wanted: str):
    """The activation the loss wants; a categorical loss on the one unit goes with it, swapped for
    the binary loss (one mistake, one finding: LL105 stays silent on a softmax)."""
    fix = set_activation(output, wanted)
    loss = output.loss
    if wanted == "sigmoid" and loss is not None and loss.spec.family.is_multiclass:
        swap = replace_loss(loss, LOSSES["binary_crossentropy"], Applicability.UNSAFE)
        return replace(fix, message='use `activation="sigmoid"` with `binary_crossentropy`', together=(swap,))
    return fix


def _help(wanted: str, squashed_below: bool) -> str:
    if squashed_below:
        return ("the layer under the softmax has a non-linear activation of its own: make that layer linear, "
                + ('then use a sigmoid with a binary loss' if wanted == "sigmoid" else "and drop the softmax"))
    return ('use `activation="sigmoid"` with a binary loss' if wanted == "sigmoid" else
            "make the last layer linear: the loss needs no squashing")


def _activation_for(loss) -> str:
    """What the single unit should output for its loss: logits for a loss with from_logits=True
    and for a regression loss, else a probability (sigmoid)."""
    if loss is not None and (loss.spec.family is LossFamily.REGRESSION
                             or (loss.spec.is_probability and loss.from_logits is True)):
        return "linear"
    return "sigmoid"

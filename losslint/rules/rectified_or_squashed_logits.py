"""## What it does
Finds a loss built with `from_logits=True` fed by a relu, elu, tanh, softplus (or similar)
output: the "logits" are clipped or squashed.

Also where the loss is called on the output in a custom training loop, and for TensorFlow's
logits losses (`tf.nn.sparse_softmax_cross_entropy_with_logits` and the like).

## Why is this bad?
Logits must be free to take any real value. A relu output cannot go below zero, so every class
the model wants to rule out is stuck at logit 0 with zero gradient; tanh caps every logit to
(−1, 1), so the predicted probabilities can never become confident (with 10 classes the best
reachable probability is ≈0.23). The loss stalls early, silently.

## Example
```python
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(10, activation="relu"),
])
model.compile(
    optimizer="adam",
    loss=keras.losses.CategoricalCrossentropy(from_logits=True),
)
```

## Use instead
```python
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(10),
])
model.compile(
    optimizer="adam",
    loss=keras.losses.CategoricalCrossentropy(from_logits=True),
)
```

## Fix safety
Making the last layer linear is **unsafe**: the model's outputs change.

## Known false positives
None known. Silence with `# noqa: LL107` on the loss line.

## Keras behaviour
Silent on every backend.
"""

from ..diagnostics import Finding
from ..registry import rule
from ._common import confidence, is_jax, is_torch, judged, output_note, quoted, remove_activation, set_activation


@rule(code="LL107", name="rectified-or-squashed-logits", fixable=True)
def check(model):
    for output, activation, loss in judged(model):
        if loss.spec.is_probability and loss.from_logits and activation.kind.distorts_logits:
            yield Finding(
                anchor=loss.ref,
                message=f"{quoted(loss)} treats {output.described()} as logits, but its range is "
                        f"{activation.kind.value}",
                help=f"remove the {activation.name}: the loss expects raw logits" if is_torch(model) or is_jax(model)
                else "make the last layer linear (no activation)",
                confidence=confidence(output, loss),
                related=output_note(output),
                fixes=(remove_activation(output) if is_torch(model) or is_jax(model) else set_activation(output, "linear"),),
            )

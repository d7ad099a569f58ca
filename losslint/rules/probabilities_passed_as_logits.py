"""## What it does
Finds a probability loss built with `from_logits=True` whose model output already went through
a softmax or sigmoid.

Also where the loss is called on the output in a custom training loop (`loss_fn(y, model(x))`),
and for TensorFlow's logits losses (`tf.nn.softmax_cross_entropy_with_logits`,
`tf.nn.sigmoid_cross_entropy_with_logits`, `tf.compat.v1.losses.*`), which always take logits:
there the fix is to remove the softmax, as the loss has no `from_logits` to drop.

## Why is this bad?
With `from_logits=True` the loss applies softmax (or sigmoid) itself, so the model's
probabilities are squashed a second time. The loss can no longer reach zero, gradients shrink and
accuracy plateaus. On the TensorFlow backend Keras notices and silently uses the cached logits
(with a `UserWarning`); on JAX and PyTorch training is silently wrong (a "double softmax").

## Example
```python
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(64, activation="relu"),
    layers.Dense(10, activation="softmax"),
])
model.compile(
    optimizer="adam",
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
)
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
model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy())
```
or keep `from_logits=True` and make the last layer linear (`layers.Dense(10)`).

## Fix safety
Dropping `from_logits=True` is **safe**: only the loss changes and `model.predict()` returns the
same probabilities. Making the last layer linear instead is **unsafe** (predictions become logits).

## Known false positives
None known: a softmax or sigmoid output is never a logit. Silence with `# noqa: LL101` on the
loss line.

## Keras behaviour
TensorFlow backend: `UserWarning: "categorical_crossentropy" received from_logits=True, but the
output argument was produced by a Softmax activation…` and training uses the logits. JAX, PyTorch,
NumPy backends: silent; the loss plateaus (≈0.62 instead of ≈0.1 on a 3-class toy problem).

## PyTorch
`nn.CrossEntropyLoss` and `F.cross_entropy` always apply `log_softmax`, `nn.BCEWithLogitsLoss`
and `F.binary_cross_entropy_with_logits` always apply a sigmoid: there is no `from_logits` to
drop, so the fix is to remove the activation from `forward()` and keep the loss as it is, with
its `pos_weight`, `weight`, `ignore_index` and `label_smoothing` (switching to `nn.BCELoss()`
would silently drop `pos_weight`). Reshaping does not hide the activation:
`torch.sigmoid(x).squeeze(1)`, `.view(-1)`, `.flatten()`, `[:, 0]`, and a `(B, T, C)` softmax
viewed as `(B * T, C)` are still probabilities.

```python
class Net(nn.Module):
    def forward(self, x):
        return self.head(self.body(x)).squeeze(1)      # logits: no torch.sigmoid here

criterion = nn.BCEWithLogitsLoss(pos_weight=torch.tensor(3.0))
predicted = torch.sigmoid(model(x)) > 0.5              # probabilities only where they are used
```

Once the activation is gone, code that used `model(x)` as probabilities (`model(x) > 0.5`,
`model(x).max(1)` as a confidence) must apply `torch.sigmoid`/`torch.softmax` itself;
`argmax` is unchanged. PyTorch itself is silent: the training loss plateaus.
"""

from ..diagnostics import Applicability, Finding, FixIntent
from ..registry import rule
from ._common import confidence, is_jax, is_torch, judged, output_note, quoted, remove_activation, replace_torch_loss, \
    set_activation


@rule(code="LL101", name="probabilities-passed-as-logits", fixable=True)
def check(model):
    for output, activation, loss in judged(model):
        if loss.spec.is_probability and loss.from_logits and activation.kind.is_probability:
            yield _torch_finding(output, activation, loss) if is_torch(model) or is_jax(model) else _finding(output, activation, loss)


def _torch_finding(output, activation, loss):
    applies = "sigmoid" if loss.loss_id in ("torch.binary_cross_entropy_with_logits",
                                           "optax.sigmoid_binary_cross_entropy") else "log_softmax"
    fixes = (remove_activation(output),)
    help = f"remove the {activation.name}: the loss applies {applies} itself"
    if loss.loss_id == "torch.binary_cross_entropy_with_logits" and activation.name == "sigmoid" \
            and "pos_weight" not in loss.keywords:  # `BCELoss` has no `pos_weight`: only the sigmoid can go
        fixes = (replace_torch_loss(loss, "torch.binary_cross_entropy"), *fixes)
        help = f"use `nn.BCELoss()`, or {help}"
    return Finding(
        anchor=loss.ref,
        message=f"{quoted(loss)} expects logits but receives {output.described()}",
        help=help,
        confidence=confidence(output, loss),
        related=output_note(output),
        fixes=fixes,
    )


def _finding(output, activation, loss):
    if loss.fixed_from_logits:  # `tf.nn.softmax_cross_entropy_with_logits`: only the output can change
        help = f"remove the {activation.name} from the last layer (the loss takes logits)"
        fixes = (set_activation(output, "linear"),)
    else:
        help = f"drop `from_logits=True`, or remove the {activation.name} from the last layer"
        fixes = (FixIntent("remove-loss-keyword", loss.edit_ref, Applicability.SAFE, "drop `from_logits=True`",
                           value="from_logits"),
                 set_activation(output, "linear"))
    return Finding(
        anchor=loss.ref,
        message=f"{quoted(loss)} receives {output.described()}",
        help=help,
        confidence=confidence(output, loss),
        related=output_note(output),
        fixes=fixes,
    )

"""## What it does
Finds a cross-entropy loss that expects probabilities (`from_logits=False`, the default) applied
to an output that is not a probability: linear, relu, elu, selu, gelu, swish, tanh, softplus,
`log_softmax`…

## Why is this bad?
With `from_logits=False` Keras treats the output as probabilities: it clips it to [1e-7, 1−1e-7]
and, for categorical losses, divides by the sum. Raw scores are not probabilities: negative
values are clipped away, gradients vanish or explode, and the loss diverges or turns NaN — with
no warning on any backend.

## Example
```python
import tensorflow as tf

model = tf.keras.Sequential([
    tf.keras.layers.Flatten(input_shape=(28, 28)),
    tf.keras.layers.Dense(128, activation="relu"),
    tf.keras.layers.Dense(10),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
```

## Use instead
```python
import tensorflow as tf

model = tf.keras.Sequential([
    tf.keras.layers.Flatten(input_shape=(28, 28)),
    tf.keras.layers.Dense(128, activation="relu"),
    tf.keras.layers.Dense(10),
])
model.compile(
    optimizer="adam",
    loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
)
```
or keep the loss and add `activation="softmax"` to the last layer.

## Fix safety
Passing `from_logits=True` is **safe** for a linear or `log_softmax` output: only the loss
changes. For rectified or squashed outputs (relu, tanh…) the advice is display-only: add the
softmax/sigmoid activation, which changes the model's outputs.

## Known false positives
A custom layer that normalises its output without Keras seeing it. Silence with
`# noqa: LL106` on the loss line.

## Keras behaviour
Silent on every backend and version; the loss diverges (linear) or becomes NaN (relu).

## PyTorch
`nn.BCELoss` / `F.binary_cross_entropy` expect probabilities: on a linear output (`nn.Linear`
with no `torch.sigmoid`) PyTorch raises `RuntimeError: all elements of input should be between 0
and 1` at the first batch whose outputs leave [0, 1]. Use `nn.BCEWithLogitsLoss()` on the logits
(more stable than `sigmoid` + `BCELoss`), or apply `torch.sigmoid` in `forward()`.
"""

from ..diagnostics import Finding, FixIntent, Applicability
from ..knowledge import LossFamily
from ..registry import rule
from ._common import (confidence, is_torch, judged, logits_threshold_fix, output_note, probability_activation,
                      quoted, replace_torch_loss, set_activation, thresholded_at_half)


@rule(code="LL106", name="unnormalized-output-with-probability-loss", fixable=True)
def check(model):
    for output, activation, loss in judged(model):
        if loss.spec.is_probability and loss.from_logits is False and not activation.kind.is_probability:
            if is_torch(model):
                yield _torch_finding(output, activation, loss)
                continue
            wanted = probability_activation(loss.spec, output.units)
            can_pass_logits = activation.kind.is_valid_logits and not loss.fixed_from_logits
            if can_pass_logits:
                # the metrics that threshold the output at 0.5 must then threshold logits at 0.0
                metrics = tuple(logits_threshold_fix(m) for m in thresholded_at_half(output)) \
                    if loss.spec.family is LossFamily.BINARY else ()
                fixes = (FixIntent("set-loss-keywords", loss.edit_ref, Applicability.SAFE,
                                   "pass `from_logits=True` to the loss" if not metrics else
                                   "pass `from_logits=True` to the loss and threshold accuracy at 0.0",
                                   keywords=(("from_logits", True),), together=metrics),
                         set_activation(output, wanted))
            else:
                fixes = (set_activation(output, wanted, Applicability.DISPLAY_ONLY),)
            help = f"pass `from_logits=True` to the loss, or add `activation=\"{wanted}\"` to the last layer" \
                if can_pass_logits else f'use `activation="{wanted}"` on the last layer'
            if can_pass_logits and _transformers_head(output):  # `TFAutoModelFor...`: no layer to change
                help, fixes = "pass `from_logits=True` to the loss (transformers heads return logits)", fixes[:1]
            yield Finding(
                anchor=loss.ref,
                message=f"{quoted(loss)} expects probabilities but receives {output.described()}",
                help=help,
                confidence=confidence(output, loss),
                related=output_note(output),
                fixes=fixes,
            )


def _torch_finding(output, activation, loss):
    logits = activation.kind.is_valid_logits
    return Finding(
        anchor=loss.ref,
        message=f"{quoted(loss)} expects probabilities but receives {output.described()}",
        help="use `nn.BCEWithLogitsLoss()` on the raw output, or apply `torch.sigmoid` first" if logits
        else f"end the model with a linear layer (no {activation.name}) and use `nn.BCEWithLogitsLoss()`",
        confidence=confidence(output, loss),
        related=output_note(output),
        fixes=(replace_torch_loss(loss, "torch.binary_cross_entropy_with_logits"),) if logits else (),
    )


def _transformers_head(output) -> bool:
    """A legacy TF transformers head (`TFAutoModelForSequenceClassification`): its logits come from inside."""
    return output.layer_text.startswith("TF") and "For" in output.layer_text

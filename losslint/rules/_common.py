"""Small helpers shared by rules: iterating what a rule can judge, wording, fix intents."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Applicability, Confidence, FixIntent, Related
from ..facts import LossFacts, ModelFacts, OutputFacts
from ..knowledge import ActivationSpec, LossSpec


def judged(model: ModelFacts) -> Iterator[tuple[OutputFacts, ActivationSpec, LossFacts]]:
    """Outputs whose activation and loss are both known."""
    for output in model.outputs:
        if output.activation is not None and output.loss is not None:
            yield output, output.activation, output.loss


def quoted(loss: LossFacts) -> str:
    return f"`{loss.text}`"


def confidence(*facts) -> Confidence:
    return Confidence.weakest(*(f.confidence for f in facts if f is not None))


def output_note(output: OutputFacts) -> tuple[Related, ...]:
    if output.ref.is_static:
        return (Related(f"output layer `{output.layer_text}` defined here", output.ref),)
    return ()


def loss_note(loss: LossFacts) -> tuple[Related, ...]:
    if loss.ref.is_static:
        return (Related(f"loss {quoted(loss)} written here", loss.ref),)
    return ()


def set_activation(output: OutputFacts, activation: str, applicability=Applicability.UNSAFE) -> FixIntent:
    message = (f"make `{output.layer_text}` linear (no activation)" if activation == "linear"
               else f'set `activation="{activation}"` on `{output.layer_text}`')
    return FixIntent("set-activation", output.activation_ref, applicability, message, value=activation)


def replace_loss(loss: LossFacts, spec: LossSpec, applicability=Applicability.SAFE,
                 **keywords: object) -> FixIntent:
    """Swap the loss; the message names the class form when a keyword must be set."""
    if keywords and spec.class_name:
        arguments = ", ".join(f"{k}={v!r}" for k, v in keywords.items())
        message = f"use `{spec.class_name}({arguments})`"
    else:
        message = f"use `{spec.id}`"
    return FixIntent("replace-loss", loss.ref, applicability, message, value=spec.id,
                     keywords=tuple(keywords.items()))


def probability_activation(spec: LossSpec) -> str:
    """The activation that makes an output fit a probability loss with from_logits=False."""
    return "softmax" if spec.family.is_multiclass else "sigmoid"

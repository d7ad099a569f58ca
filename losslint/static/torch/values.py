"""The values the PyTorch library adds to the engine's (`static/engine/values.py`): library modules,
tensors that remember their activation, loss modules. Classes, instances, functions, labels,
datasets and literals are the engine's own values; anything unproven is the engine's `UNKNOWN`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...diagnostics import SourceRef


@dataclass(frozen=True)
class Output:
    """A tensor whose last activation (and class-axis size) the source proves."""

    activation: str  # knowledge.ACTIVATIONS id
    units: int | None
    layer_text: str  # `nn.Linear(128, 10)`, or the activation call when nothing else is known
    layer_ref: SourceRef
    activation_ref: SourceRef  # where the activation is applied (fix target)
    inferred: bool = False
    model_name: str | None = None


@dataclass(frozen=True)
class InputTensor:
    """A model input or any other tensor that is not a model output (a `forward` argument)."""


INPUT = InputTensor()


@dataclass(frozen=True)
class TorchModule:
    """An `nn.Module` built from the torch library: a layer, an activation module, a container."""

    kind: str  # "projection" | "activation" | "transparent" | "normalization" | "sequential" | "list" | "dict"
    ref: SourceRef
    text: str = ""
    units: int | None = None
    activation: str | None = None
    items: tuple = ()  # sequential / list members; dict: ((key, module), ...)


@dataclass(frozen=True)
class LightningTrainer:
    """`lightning.Trainer(...)`: its `fit(model)` runs the module's `training_step`."""

    ref: SourceRef


@dataclass(frozen=True)
class LossValue:
    """A PyTorch loss module (`nn.CrossEntropyLoss()`): its record id and where it was written."""

    loss_id: str
    text: str
    ref: SourceRef
    keywords: frozenset = frozenset()  # keyword arguments written: `pos_weight`, `weight`, `ignore_index`

"""What the PyTorch interpreter tracks: modules, tensors, losses, labels, user classes.

Anything it cannot prove is `UNKNOWN` (shared with the Keras interpreter): a rule then stays
silent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from ...diagnostics import SourceRef
from ..values import UNKNOWN  # noqa: F401  (one "unknown" for every front end)


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


@dataclass(eq=False)
class ClassInfo:
    """A class written in the file (an `nn.Module` or LightningModule subclass, or any helper)."""

    name: str
    node: cst.ClassDef
    bases: list  # ClassInfo of user bases
    is_module: bool  # derives from nn.Module / LightningModule
    methods: dict[str, cst.FunctionDef] = field(default_factory=dict)

    def lookup(self, name: str) -> tuple["ClassInfo", cst.FunctionDef] | None:
        if name in self.methods:
            return self, self.methods[name]
        for base in self.bases:
            found = base.lookup(name)
            if found:
                return found
        return None


@dataclass(eq=False)
class Instance:
    cls: ClassInfo
    attrs: dict = field(default_factory=dict)
    var_name: str | None = None


@dataclass(frozen=True)
class BoundMethod:
    instance: Instance
    owner: ClassInfo
    node: cst.FunctionDef


@dataclass(frozen=True)
class UserFunction:
    node: cst.FunctionDef
    scope: object  # the Env it was defined in


@dataclass(frozen=True)
class LossValue:
    """A PyTorch loss module (`nn.CrossEntropyLoss()`): its record id and where it was written."""

    loss_id: str
    text: str
    ref: SourceRef


@dataclass(frozen=True)
class TorchLabels:
    format: str | None  # facts.LabelFormat value
    ref: SourceRef
    num_classes: int | None = None
    min_value: float | None = None
    max_value: float | None = None
    dtype: str | None = None  # "int" | "float"


@dataclass(frozen=True)
class Batches:
    """A dataset or DataLoader: iterating it yields `(inputs, labels)`."""

    labels: object  # TorchLabels | UNKNOWN


@dataclass(frozen=True)
class Items:
    """A literal tuple/list of values (unpacking, `for x, y in ...`)."""

    values: tuple


@dataclass(frozen=True)
class Symbol:
    name: str  # canonical symbol of an imported name


@dataclass(frozen=True)
class Number:
    value: object  # int | float | str | bool | None

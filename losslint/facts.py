"""Backend-neutral facts about one compiled model.

Both front ends build these: `static/` from source code, `runtime/` from a live Keras model.
Rules read only these. `None` always means "could not be established" — rules stay silent on it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .diagnostics import Confidence, SourceRef
from .knowledge import ACTIVATIONS, LOSSES, METRICS, ActivationSpec, LossSpec, MetricSpec


class LabelFormat(str, enum.Enum):
    INDEX = "index"  # integer class ids, shape (N,) or (N, 1)
    ONE_HOT = "one-hot"
    MULTI_HOT = "multi-hot"
    BINARY = "binary"  # 0/1 per output unit
    REAL = "real"  # regression targets
    FRACTIONAL = "fractional"  # class ids scaled to non-whole floats (e.g. y / 255)


@dataclass(frozen=True)
class LossFacts:
    loss_id: str  # key into knowledge.LOSSES
    from_logits: bool | None  # None: written but not a literal we could read
    text: str  # as written, for messages: "SparseCategoricalCrossentropy(from_logits=True)"
    ref: SourceRef  # the anchor: where the loss meets the output (the loss expression, or the loss call)
    confidence: Confidence = Confidence.HIGH
    written: SourceRef | None = None  # where the loss is written, when that is not `ref` (`loss_fn = ...`)
    fixed_from_logits: bool = False  # no `from_logits` to change (`tf.nn.softmax_cross_entropy_with_logits`)
    # a loss the framework picks itself (a transformers head): why it picked this one, for messages
    implied_by: str | None = None
    # keyword arguments written in the loss's constructor (`pos_weight`, `ignore_index`…): advice that
    # swaps the loss must not drop one the other loss does not take
    keywords: frozenset = frozenset()

    @property
    def spec(self) -> LossSpec:
        return LOSSES[self.loss_id]

    @property
    def edit_ref(self) -> SourceRef:
        """What a fix that changes the loss edits: where it is written."""
        return self.written or self.ref


@dataclass(frozen=True)
class LabelFacts:
    format: LabelFormat | None
    ref: SourceRef
    num_classes: int | None = None  # one-hot width, num_classes=, known dataset
    min_value: float | None = None
    max_value: float | None = None
    dtype: str | None = None
    text: str = "labels"
    confidence: Confidence = Confidence.INFERRED


@dataclass(frozen=True)
class MetricFacts:
    metric_id: str | None  # key into knowledge.METRICS; None for metrics we do not know
    text: str
    ref: SourceRef
    confidence: Confidence = Confidence.HIGH
    threshold: float | None = 0.5  # the decision threshold of an accuracy metric; None = not a literal

    @property
    def spec(self) -> MetricSpec | None:
        return METRICS.get(self.metric_id) if self.metric_id else None


@dataclass(frozen=True)
class OutputFacts:
    """One output of the compiled model, with the loss, labels and metrics applied to it."""

    activation_id: str | None  # key into knowledge.ACTIVATIONS; None = unknown
    units: int | None  # size of the last axis; None = unknown
    layer_text: str  # for messages: "Dense(10)"
    ref: SourceRef  # the output layer
    activation_ref: SourceRef  # where the activation is written (LL104 anchor)
    name: str | None = None
    loss: LossFacts | None = None
    labels: LabelFacts | None = None
    metrics: tuple[MetricFacts, ...] = ()
    confidence: Confidence = Confidence.HIGH
    # the output activation is applied by a later layer (`Activation("softmax")`) over a layer with a
    # non-linear activation of its own, or one not known: changing the later one cannot undo it
    squashed_below: bool = False

    @property
    def activation(self) -> ActivationSpec | None:
        return ACTIVATIONS.get(self.activation_id) if self.activation_id else None

    def described(self) -> str:
        """`the softmax output of Dense(10) (line 37)`-style phrase for messages."""
        act = self.activation.name if self.activation else "unknown"
        cell = f"cell {self.ref.cell}, " if self.ref.cell is not None else ""
        where = f" ({cell}line {self.ref.line})" if self.ref.is_static else ""
        return f"the {act} output of `{self.layer_text}`{where}"


@dataclass(frozen=True)
class ModelFacts:
    """One loss site: where a loss meets a model's outputs (DESIGN §8).

    A `compile()` call (static) or a live compiled model (runtime) is one kind of site; a loss
    called directly on a model's output (a custom training loop, `train_step`, a
    `tf.nn.*_with_logits` call, a PyTorch criterion) is another. Rules judge outputs + losses +
    labels and need not know which kind of site they are looking at.
    """

    name: str  # variable or model name, for messages
    ref: SourceRef  # the site: the compile call, or the loss call
    outputs: tuple[OutputFacts, ...]
    unresolved: tuple[str, ...] = ()  # what could not be established, e.g. ("output activation",)
    # known in part, yet not unresolved (LL901 stays silent): "no loss" (compile() without one),
    # "custom loss" (a user function or Loss subclass), "units from data" (`len(class_names)`)
    partly_known: tuple[str, ...] = ()
    origin: str = "static"  # "static" | "runtime": which front end built these facts
    site: str = "compile"  # "compile" | "loss-call": where the loss meets the output
    framework: str = "keras"  # "keras" | "torch" | "hf" (a transformers head's own loss) | "jax" (optax)
    # static only: the `fit` calls of this compile whose labels could not be followed, as
    # (where the fit call is written, the labels as written) — LL902
    labels_unknown: tuple[tuple[SourceRef, str], ...] = ()
    # static only: which Keras the file targets (`static.flavour`: "tf.keras", "keras2" = standalone
    # Keras ≤ 2.3, "keras3"), None when it cannot be told; `metrics=["accuracy"]` depends on it
    keras_flavour: str | None = None

    @property
    def is_multi_output(self) -> bool:
        return len(self.outputs) > 1

    @property
    def site_text(self) -> str:
        """`model.compile()`, or the loss call as written (`loss_fn(y, logits)`), for messages."""
        return f"{self.name}.compile()" if self.site == "compile" else self.name


# Both front ends word facts the same way, so a finding reads the same from the CLI and from
# compile(): build display texts only with these two helpers.

def loss_display(name: str, *, is_class: bool, from_logits: bool | None) -> str:
    """`SparseCategoricalCrossentropy(from_logits=True)`, `CategoricalCrossentropy()`, `mse`."""
    if not is_class:
        return name
    return f"{name}(from_logits=True)" if from_logits else f"{name}()"


def layer_display(class_name: str, units: int | None) -> str:
    """`Dense(10)`; `Dense(?)` when the unit count is unknown; `Softmax()` for unit-less layers."""
    return f"{class_name}({'?' if units is None else units})"

"""Abstract values the static interpreter tracks: layers, tensors, models, losses, constants.

`UNKNOWN` stands for anything we cannot prove; everything built on it stays unknown, so rules
stay silent (precision first).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

import libcst as cst

from ...diagnostics import SourceRef
from ...knowledge import ACTIVATIONS, LayerRole, LayerSpec, affine_activation, merged_activation


class _Unknown:
    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


@dataclass(eq=False)
class Const:
    """A literal (str, int, float, bool, None) and where it was written."""

    value: object
    ref: SourceRef


@dataclass(eq=False)
class Symbol:
    """An imported framework name, e.g. `keras.layers.Dense` (canonical form)."""

    name: str
    ref: SourceRef


@dataclass(eq=False)
class FromData:
    """A number only the data decides at run time: `len(class_names)`, `y.shape[1]`, `np.max(y) + 1`."""

    ref: SourceRef


@dataclass(eq=False)
class Range:
    """`range(...)` of literal bounds."""

    values: list
    ref: SourceRef


@dataclass(eq=False)
class Partial:
    """`functools.partial(layers.Dense, activation="relu")`: a framework callable with arguments bound."""

    symbol: str
    node: cst.Call  # the `partial(...)` call: its arguments after the first are the bound ones


@dataclass(eq=False)
class CustomLoss:
    """A loss the user wrote: a function of the file, a lambda, a `keras.losses.Loss` subclass."""

    text: str
    ref: SourceRef


@dataclass(eq=False)
class Seq:
    items: list
    ref: SourceRef


@dataclass(eq=False)
class Mapping_:
    items: dict  # str -> value
    ref: SourceRef


@dataclass(eq=False)
class Activation:
    id: str | None  # None: written but not something we know
    ref: SourceRef  # where the activation is written
    inferred: bool = False
    op: str | None = None  # an op applied to a tensor (`tf.nn.softmax`), as written


@dataclass(eq=False)
class Layer:
    class_name: str  # "Dense"
    spec: LayerSpec | None  # None: a layer we do not model (BatchNormalization, custom…)
    ref: SourceRef  # the constructor call
    units: int | None = None
    activation: Activation | None = None
    name: str | None = None
    inner: "Layer | None" = None  # TimeDistributed(Dense(...))
    inferred: bool = False  # a fact came through a variable
    units_from_data: bool = False  # the unit count is read from the data (`len(class_names)`)
    merge: str | None = None  # overrides the spec's merge: "other-axis" for Concatenate(axis=1)
    target_units: int | None = None  # Reshape((.., 10)): the last axis the shape says
    # a user Layer subclass with its own call(): what call() returns for a placeholder input
    # (`call_input`): the placeholder itself for a layer that passes its inputs through
    call_output: object = None
    call_input: object = None


@dataclass(eq=False)
class Slice:
    """`x[...]` on a tensor; `keeps_last_axis` when the last index is a bare `:`."""

    keeps_last_axis: bool
    ref: SourceRef


@dataclass(eq=False)
class Tensor:
    """A symbolic tensor: what produced it and from which input."""

    producer: object  # Layer | Model | Activation (an op like tf.nn.softmax) | None (an Input)
    input: object = None  # Tensor | UNKNOWN | None


@dataclass(eq=False)
class Model:
    # "sequential" | "functional" | "opaque" | "object" (an instance of a plain class) | "torch" (an nn.Module)
    kind: str
    ref: SourceRef
    layers: list = field(default_factory=list)  # sequential
    outputs: object = None  # functional: Tensor | Seq | Mapping_
    uncertain: bool = False  # layers added conditionally: the last one is not known
    var_name: str | None = None
    attrs: dict = field(default_factory=dict)  # subclassed: `self.head = Dense(...)` in __init__
    user_class: "UserClass | None" = None
    last_compile: object = None  # the latest CompileCall on this model object
    level: int = 0  # branch depth where it was built: `add`s at that depth are certain (a k-fold loop body)
    # a library model ("torch" kind, torchvision / timm): the attribute whose module gives the output
    forward_attr: str | None = None

    def copy(self, ref: SourceRef) -> "Model":
        """`clone_model(m)`: same architecture, a new model object (no compile state)."""
        return Model(self.kind, ref, list(self.layers), self.outputs, self.uncertain, None, dict(self.attrs),
                     self.user_class, forward_attr=self.forward_attr)


@dataclass(eq=False)
class Loss:
    loss_id: str
    is_class: bool
    written_name: str  # "SparseCategoricalCrossentropy", "categorical_crossentropy"
    from_logits: bool | None
    ref: SourceRef


@dataclass(eq=False)
class Metric:
    metric_id: str | None
    text: str
    ref: SourceRef
    threshold: float | None = 0.5  # `threshold=` of an accuracy class; None when not a literal


@dataclass(eq=False)
class Function:
    """A function defined in the file; calls run its body with the arguments bound."""

    node: cst.FunctionDef
    env: object  # the defining Env


@dataclass(eq=False)
class UserClass:
    """A class defined in the file: a `keras.Model` subclass, a `Layer` or `Loss` subclass, or a
    plain class (which may hold a model in an attribute)."""

    node: cst.ClassDef
    env: object
    methods: dict  # name -> Function
    bases: list  # UserClass bases, for inherited methods
    framework_base: str | None = None  # canonical symbol of the Keras base, e.g. "keras.Model"
    attributes: dict = field(default_factory=dict)  # class-level assignments: `NUM_CLASSES = 10`

    def attribute(self, name: str) -> object:
        if name in self.attributes:
            return self.attributes[name]
        for base in self.bases:
            found = base.attribute(name)
            if found is not None:
                return found
        return None

    @property
    def root_base(self) -> str | None:
        """The Keras class this one derives from, through user bases."""
        if self.framework_base:
            return self.framework_base
        for base in self.bases:
            found = base.root_base
            if found:
                return found
        return None

    def lookup(self, name: str) -> "Function | None":
        if name in self.methods:
            return self.methods[name]
        for base in self.bases:
            found = base.lookup(name)
            if found is not None:
                return found
        return None


@dataclass(eq=False)
class Labels:
    """An array whose meaning as labels is known (format: a `facts.LabelFormat` value)."""

    format: str | None
    ref: SourceRef  # where the labels were built
    num_classes: int | None = None
    min_value: float | None = None
    max_value: float | None = None
    dtype: str | None = None


@dataclass(eq=False)
class Placeholder:
    """A TF1 `tf.placeholder`: the values every `{placeholder: value}` feed dict gives it, with
    their text as written."""

    ref: SourceRef
    fed: list = field(default_factory=list)  # [(value, text)]


@dataclass(eq=False)
class Dataset:
    """A dataset / generator yielding `(x, y)` batches; `labels` is what `y` is."""

    labels: object  # Labels | Seq | Mapping_ | UNKNOWN
    ref: SourceRef
    # TF1's MNIST reader: `mnist.train` / `.test` are splits, `.labels` their labels, `next_batch(n)` an (x, y) pair
    tf1_reader: bool = False


@dataclass(eq=False)
class Helper:
    """An object whose methods produce labels or datasets: an encoder, an ImageDataGenerator, an rng."""

    kind: str  # canonical symbol of the constructor
    ref: SourceRef
    keywords: frozenset = frozenset()


@dataclass(eq=False)
class OptionDefault(Const):
    """The literal default of a command-line option (`args.loss` when the script runs plainly):
    a registry entry it selects is reported and fixed where it is read, not where the entry is
    written (the other options still need the entry as it is)."""


@dataclass(eq=False)
class CommandLine:
    """An `argparse.ArgumentParser` (`parsed` False) or what its `parse_args()` returns: option
    name → the literal default it was declared with (what a plain `python train.py` runs with)."""

    defaults: dict
    ref: SourceRef
    parsed: bool = False


@dataclass(eq=False)
class IdentityMatrix:
    """`np.eye(C)`: indexing it with class ids gives one-hot rows of width C."""

    size: int | None
    ref: SourceRef


@dataclass(eq=False)
class ZerosArray:
    """`np.zeros((n, C))`: a blank (n, C) array; `width` is C when literal."""

    width: int | None
    ref: SourceRef


def same_value(a: object, b: object) -> bool:
    """The same value on two paths: the same object, or equal immutable values (a PyTorch
    `Output` made by each of two calls of one `forward`)."""
    if a is b:
        return True
    params = getattr(type(a), "__dataclass_params__", None)
    return params is not None and params.frozen and type(a) is type(b) and a == b


@dataclass(eq=False)
class WeightMatrix:
    """`tf.Variable(tf.random_normal([n_in, n_out]))`: a weight written by hand; `units` is n_out when literal."""

    units: int | None
    ref: SourceRef
    units_from_data: bool = False  # n_out is read from the data (`len(vocab)`)


Value = Union[_Unknown, Const, Symbol, Seq, Mapping_, Layer, Tensor, Model, Loss, Metric, Activation]


@dataclass(frozen=True)
class OutputDescription:
    """What a symbolic tensor is, as far as the source proves it."""

    activation: Activation | None
    units: int | None
    layer: Layer  # the projection layer that set the units
    inferred: bool
    units_from_data: bool = False  # a later layer set the units from the data (`Reshape(x.shape[1:])`)


def describe(tensor: object, depth: int = 0) -> OutputDescription | None:
    """Follow a tensor back to the layer that decides its activation and unit count."""
    if not isinstance(tensor, Tensor) or depth > 50:
        return None
    producer = tensor.producer
    if isinstance(producer, Model):
        outputs = model_outputs(producer)
        return describe(outputs[0], depth + 1) if outputs and len(outputs) == 1 else None
    if isinstance(producer, Activation):  # tf.nn.softmax(x)
        below = describe(tensor.input, depth + 1)
        if below is None:
            return _activation_alone(producer, Layer(producer.op or producer.id or "activation", None, producer.ref))
        return _with_activation(below, producer)
    if isinstance(producer, Slice):  # x[:, -1, :], x[..., 0]
        below = describe(tensor.input, depth + 1)
        if below is None:
            return None
        if producer.keeps_last_axis:
            return below
        return _reshaped(below, keeps_distribution=False, units=None)
    if not isinstance(producer, Layer):
        return None
    if producer.spec is None and isinstance(producer.call_output, Tensor):  # a user layer's own call()
        if producer.call_output is producer.call_input:
            return describe(tensor.input, depth + 1)  # `return inputs`: the values pass unchanged
        return describe(producer.call_output, depth + 1)  # ends in a layer of its own (`self.dense_output(x)`)
    layer = producer.inner if producer.spec and producer.spec.role is LayerRole.WRAPPER else producer
    if layer is None or layer.spec is None:
        return None
    role = layer.spec.role
    if role is LayerRole.PROJECTION:
        return OutputDescription(layer.activation, layer.units, layer, layer.inferred)
    if role is LayerRole.MERGE:
        inputs = tensor.input.items if isinstance(tensor.input, Seq) else None
        return _merged(layer, [describe(t, depth + 1) for t in inputs]) if inputs else None
    below = describe(tensor.input, depth + 1)
    if below is None:
        return _activation_alone(layer.activation, layer) if role is LayerRole.ACTIVATION else None
    if role is LayerRole.TRANSPARENT:
        return below
    if role is LayerRole.SHAPE:
        if layer.spec.keeps_units:
            return _reshaped(below, layer.spec.keeps_distribution, below.units)
        same_last_axis = layer.target_units is not None and layer.target_units == below.units
        reshaped = _reshaped(below, same_last_axis, layer.target_units)
        if reshaped is not None and layer.units_from_data:
            return OutputDescription(reshaped.activation, None, reshaped.layer, reshaped.inferred, True)
        return reshaped
    if role is LayerRole.AFFINE:
        return below if affine_activation(known_activation(below.activation)) else None
    if role is LayerRole.ACTIVATION:
        if layer.activation is not None and layer.activation.id == "linear":
            return below  # Activation("linear", dtype="float32"), Identity(): the values pass unchanged
        return _with_activation(below, layer.activation)
    return None


def _activation_alone(activation: Activation | None, layer: Layer) -> OutputDescription | None:
    """An activation over something we cannot follow (`tf.nn.softmax(tf.matmul(x, W) + b)`,
    `Activation("relu")` after a layer we do not model) still decides what the output is; its unit
    count stays unknown. A linear one says nothing about what it passes through."""
    if activation is None or activation.id in (None, "linear"):
        return None
    return OutputDescription(activation, None, layer, layer.inferred or activation.inferred)


def _with_activation(below: OutputDescription, activation: Activation | None) -> OutputDescription:
    inferred = below.inferred or bool(activation and activation.inferred)
    return OutputDescription(activation, below.units, below.layer, inferred)


def _reshaped(below: OutputDescription, keeps_distribution: bool, units: int | None) -> OutputDescription | None:
    """The same values moved or pooled (see `knowledge.reshaped_activation`)."""
    activation = below.activation.id if below.activation else None
    spec = ACTIVATIONS.get(activation) if activation else None
    if spec is None or not (spec.kind.is_elementwise or keeps_distribution):
        return None
    return OutputDescription(below.activation, units, below.layer, below.inferred)


def _merged(layer: Layer, inputs: list) -> OutputDescription | None:
    """Add / Concatenate / Average / Maximum / Minimum of tensors whose activation is known."""
    if not inputs or any(d is None or known_activation(d.activation) is None for d in inputs):
        return None
    first = inputs[0]
    if merged_activation(layer.merge or layer.spec.merge, [d.activation.id for d in inputs]) is None:
        return None
    if (layer.merge or layer.spec.merge) == "concatenate":
        units = sum(d.units for d in inputs) if all(d.units is not None for d in inputs) else None
    else:
        units = first.units if all(d.units == first.units for d in inputs) else None
    return OutputDescription(first.activation, units, first.layer, any(d.inferred for d in inputs))


def model_outputs(model: Model) -> list | None:
    """The model's output tensors in order, or None when they cannot be established."""
    if model.kind == "sequential":
        if model.uncertain or not model.layers:
            return None
        tensor: object = Tensor(None)
        for layer in model.layers:
            if isinstance(layer, Tensor) and layer.producer is None:  # keras.Input(...) in the list
                continue
            # an element we cannot model still lets a later Dense decide the output
            tensor = Tensor(layer, tensor) if isinstance(layer, (Layer, Model)) else UNKNOWN
        return [tensor]
    if model.kind == "functional":
        outputs = model.outputs
        if isinstance(outputs, Tensor):
            return [outputs]
        if isinstance(outputs, Seq):
            return list(outputs.items)
        if isinstance(outputs, Mapping_):
            return list(outputs.items.values())
    return None


def model_output_names(model: Model) -> list[str | None]:
    """Names Keras gives the outputs (dict keys, or the `name=` of the output layers)."""
    outputs = model.outputs
    if model.kind == "functional" and isinstance(outputs, Mapping_):
        return list(outputs.items)
    names = []
    for tensor in model_outputs(model) or []:
        producer = tensor.producer if isinstance(tensor, Tensor) else None
        names.append(producer.name if isinstance(producer, Layer) else None)
    return names


def known_activation(activation: Activation | None) -> str | None:
    if activation is None or activation.id is None:
        return None
    return activation.id if activation.id in ACTIVATIONS else None


def int_value(value: object) -> int | None:
    """The int a literal holds (not a bool), else None."""
    if isinstance(value, Const) and isinstance(value.value, int) and not isinstance(value.value, bool):
        return value.value
    return None

"""THE table of Keras losses, activations, layers, metrics and label sources.

Typed records, read by both front ends and by the rules. Rules ask semantic questions
(`spec.is_probability`, `kind.is_valid_logits`, `loss.family is LossFamily.SPARSE`) and never
compare spellings. Adding a loss or an activation is one record here.

Spellings are stored in a normalised form produced by `canonical_symbol`: every Keras entry
point (`keras`, `tensorflow.keras`, `tf_keras`, `tensorflow.python.keras`, `keras.src...`,
`keras.layers.core...`) is folded to `keras.<area>.<Name>` (or `keras.<Name>` at the top level);
TensorFlow ops stay `tensorflow.<path>`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Mapping

# --------------------------------------------------------------------------- spellings

KERAS_AREAS = frozenset(
    {"losses", "layers", "activations", "models", "metrics", "utils", "ops", "backend", "applications",
     "datasets", "optimizers", "preprocessing", "engine", "callbacks", "initializers", "regularizers"}
)
_AREA_ALIASES = {"engine": "models"}  # keras.engine.training.Model is keras.models.Model
FRAMEWORK_WORDS = ("keras", "tensorflow", "torch")  # the textual prefilter looks for these
# functions only TF1's `tf.losses` has (TF2's `tf.losses` is `tf.keras.losses`): a program calling
# them is TF1 code, and they are `tf.compat.v1.losses`
TF1_ONLY_LOSSES = frozenset({"softmax_cross_entropy", "sparse_softmax_cross_entropy", "sigmoid_cross_entropy",
                             "log_loss"})


def canonical_symbol(qualified_name: str) -> str:
    """Fold any import path of a Keras / TensorFlow symbol to one spelling.

    >>> canonical_symbol("tensorflow.keras.layers.core.Dense")
    'keras.layers.Dense'
    >>> canonical_symbol("tf_keras.losses.BinaryCrossentropy")
    'keras.losses.BinaryCrossentropy'
    >>> canonical_symbol("tensorflow.compat.v1.nn.softmax")
    'tensorflow.nn.softmax'
    """
    parts = qualified_name.split(".")
    if parts[0] in ("torch", "pytorch_lightning", "lightning"):
        from .knowledge_torch import canonical_torch_symbol

        return canonical_torch_symbol(qualified_name)
    if parts[0] == "transformers":
        from .knowledge_hf import canonical_hf_symbol

        return canonical_hf_symbol(qualified_name)
    if parts[0] in ("optax", "flax"):
        from .knowledge_jax import canonical_jax_symbol

        return canonical_jax_symbol(qualified_name)
    keras_root = None
    for i, part in enumerate(parts):
        if part in ("keras", "tf_keras"):
            keras_root = i
    if keras_root is not None:
        rest = parts[keras_root + 1 :]
        for j, part in enumerate(rest):
            if part == "datasets" and j + 2 < len(rest):  # keras.datasets.mnist.load_data
                return f"keras.datasets.{rest[j + 1]}.{rest[-1]}"
            if part in KERAS_AREAS and j + 1 < len(rest):
                area = _AREA_ALIASES.get(part, part)
                return f"keras.{area}.{rest[-1]}"
        # `keras.Model`, `keras.src.models.model.Model`, `keras._tf_keras.keras.Sequential`
        rest = [p for p in rest if p not in ("src", "api", "_tf_keras", "_v2", "python")]
        return "keras." + rest[-1] if rest else "keras"
    if parts[0] == "tensorflow":
        rest = parts[1:]
        if rest[:2] in (["compat", "v1"], ["compat", "v2"]):
            if rest[1] == "v1" and rest[2:3] in (["losses"], ["metrics"]):
                return ".".join(["tensorflow", *rest])  # TF1 graph-mode losses: other functions
            rest = rest[2:]
        if rest[:1] == ["losses"] and len(rest) == 2 and rest[1] in TF1_ONLY_LOSSES:
            return f"tensorflow.compat.v1.losses.{rest[1]}"  # a TF1 program: `tf.losses` is compat.v1's
        if rest[:1] in (["losses"], ["metrics"]) and len(rest) == 2:
            return f"keras.{rest[0]}.{rest[1]}"  # TF2's `tf.losses.X` is `tf.keras.losses.X`
        return ".".join(["tensorflow", *rest])
    return qualified_name


# --------------------------------------------------------------------------- activations


class OutputKind(str, enum.Enum):
    """What values an activation can produce."""

    SIMPLEX = "probability distribution"  # softmax: positive, sums to 1 over the last axis
    UNIT_INTERVAL = "independent probabilities"  # sigmoid: each unit in (0, 1)
    LOG_PROBABILITY = "log-probabilities"  # log_softmax: valid logits
    UNBOUNDED = "unbounded"  # linear: valid logits
    NON_NEGATIVE = "non-negative"  # relu, softplus, exp: logits clipped at 0
    LOWER_BOUNDED = "lower-bounded"  # elu, selu, gelu, swish: logits squashed below 0
    BOUNDED = "bounded"  # tanh, softsign: logits squashed into (-1, 1)

    @property
    def is_probability(self) -> bool:
        return self in (OutputKind.SIMPLEX, OutputKind.UNIT_INTERVAL)

    @property
    def is_valid_logits(self) -> bool:
        return self in (OutputKind.UNBOUNDED, OutputKind.LOG_PROBABILITY)

    @property
    def distorts_logits(self) -> bool:
        """Rectified or squashed: usable as logits only with lost information."""
        return self in (OutputKind.NON_NEGATIVE, OutputKind.LOWER_BOUNDED, OutputKind.BOUNDED)

    @property
    def is_elementwise(self) -> bool:
        """Applied to each unit alone (sigmoid, relu), so it survives pooling, flattening and
        concatenation; softmax and log_softmax are computed across the last axis."""
        return self not in (OutputKind.SIMPLEX, OutputKind.LOG_PROBABILITY)

    @property
    def can_be_negative(self) -> bool:
        return self in (OutputKind.UNBOUNDED, OutputKind.LOG_PROBABILITY, OutputKind.LOWER_BOUNDED,
                        OutputKind.BOUNDED)


@dataclass(frozen=True)
class ActivationSpec:
    id: str
    kind: OutputKind
    string_ids: tuple[str, ...] = ()  # `activation="..."`, `Activation("...")`
    functions: tuple[str, ...] = ()  # canonical symbols of callables usable as activation=
    layers: tuple[str, ...] = ()  # layer classes that apply it: `Softmax()`, `ReLU()`

    @property
    def name(self) -> str:
        return self.id


def _act(id: str, kind: OutputKind, *, aliases: tuple[str, ...] = (), tf: tuple[str, ...] = (),
         layers: tuple[str, ...] = ()) -> ActivationSpec:
    """An activation known to `keras.activations` / `keras.ops` under its id (and aliases),
    plus TensorFlow ops."""
    names = (id, *aliases)
    return ActivationSpec(
        id, kind, string_ids=names,
        functions=(*(f"keras.{area}.{n}" for n in names for area in ("activations", "ops", "backend")),
                   *(f"tensorflow.{path}" for path in tf)),
        layers=tuple(f"keras.layers.{name}" for name in layers),
    )


_ACTIVATION_LIST = (
    _act("softmax", OutputKind.SIMPLEX, tf=("nn.softmax", "math.softmax"), layers=("Softmax",)),
    _act("sigmoid", OutputKind.UNIT_INTERVAL, tf=("nn.sigmoid", "math.sigmoid", "sigmoid")),
    _act("hard_sigmoid", OutputKind.UNIT_INTERVAL),
    _act("log_softmax", OutputKind.LOG_PROBABILITY, tf=("nn.log_softmax", "math.log_softmax")),
    _act("linear", OutputKind.UNBOUNDED, layers=("Identity",)),
    _act("leaky_relu", OutputKind.UNBOUNDED, tf=("nn.leaky_relu",), layers=("LeakyReLU", "PReLU")),
    _act("relu", OutputKind.NON_NEGATIVE, tf=("nn.relu",), layers=("ReLU",)),
    _act("relu6", OutputKind.NON_NEGATIVE, tf=("nn.relu6",)),
    _act("softplus", OutputKind.NON_NEGATIVE, tf=("nn.softplus", "math.softplus")),
    _act("exponential", OutputKind.NON_NEGATIVE, tf=("math.exp", "exp")),
    _act("elu", OutputKind.LOWER_BOUNDED, tf=("nn.elu",), layers=("ELU",)),
    _act("selu", OutputKind.LOWER_BOUNDED, tf=("nn.selu",)),
    _act("gelu", OutputKind.LOWER_BOUNDED, tf=("nn.gelu",)),
    _act("swish", OutputKind.LOWER_BOUNDED, aliases=("silu",), tf=("nn.swish", "nn.silu")),
    _act("mish", OutputKind.LOWER_BOUNDED),
    _act("celu", OutputKind.LOWER_BOUNDED),
    _act("tanh", OutputKind.BOUNDED, tf=("nn.tanh", "math.tanh", "tanh")),
    _act("softsign", OutputKind.BOUNDED, tf=("nn.softsign", "math.softsign")),
    _act("hard_tanh", OutputKind.BOUNDED),
)
ACTIVATIONS: Mapping[str, ActivationSpec] = MappingProxyType({a.id: a for a in _ACTIVATION_LIST})


def _index(specs, *fields: str) -> Mapping[str, str]:
    table: dict[str, str] = {}
    for spec in specs:
        for field in fields:
            for spelling in getattr(spec, field):
                if table.setdefault(spelling, spec.id) != spec.id:
                    raise ValueError(f"spelling {spelling!r} reaches two entries")
    return MappingProxyType(table)


ACTIVATION_BY_STRING = _index(_ACTIVATION_LIST, "string_ids")
ACTIVATION_BY_FUNCTION = _index(_ACTIVATION_LIST, "functions")
ACTIVATION_BY_LAYER = _index(_ACTIVATION_LIST, "layers")
# `self.activation = activations.get(activation)` in a layer written by hand (a copy of Dense):
# the activation function a string id (or None: linear) names
ACTIVATION_GETTERS = frozenset({"keras.activations.get"})

# --------------------------------------------------------------------------- losses


class LossFamily(str, enum.Enum):
    CATEGORICAL = "categorical"  # one-hot labels, probabilities (or logits) over C units
    SPARSE = "sparse"  # integer class ids, probabilities (or logits) over C units
    AUTO_CROSSENTROPY = "auto"  # "crossentropy"/"ce": Keras picks by shape at fit
    BINARY = "binary"  # 0/1 per unit, independent probabilities (or logits)
    REGRESSION = "regression"
    POISSON = "poisson"  # expects a non-negative rate
    KL_DIVERGENCE = "kl-divergence"  # expects a probability distribution
    HINGE = "hinge"
    OTHER = "other"

    @property
    def is_probability(self) -> bool:
        return self in (LossFamily.CATEGORICAL, LossFamily.SPARSE, LossFamily.AUTO_CROSSENTROPY,
                        LossFamily.BINARY)

    @property
    def is_multiclass(self) -> bool:
        """Categorical or sparse: a distribution over the classes on the last axis."""
        return self in (LossFamily.CATEGORICAL, LossFamily.SPARSE, LossFamily.AUTO_CROSSENTROPY)


@dataclass(frozen=True)
class LossSpec:
    id: str  # canonical: the Keras function name
    family: LossFamily
    class_name: str | None  # keras.losses.<class_name>
    string_ids: tuple[str, ...] = ()  # accepted by compile(loss="...")
    function_aliases: tuple[str, ...] = ()  # other keras.losses.<fn> names
    takes_from_logits: bool = False

    @property
    def is_probability(self) -> bool:
        return self.family.is_probability

    @property
    def display(self) -> str:
        return self.id

    @property
    def functions(self) -> tuple[str, ...]:
        names = (self.id, *self.function_aliases)
        # old code passes the metric functions of the same name as losses
        return tuple(f"keras.{area}.{n}" for n in names for area in ("losses", "metrics"))

    @property
    def classes(self) -> tuple[str, ...]:
        return (f"keras.losses.{self.class_name}",) if self.class_name else ()


def _loss(id: str, family: LossFamily, class_name: str | None, *aliases: str,
          from_logits: bool = False, functions: tuple[str, ...] = ()) -> LossSpec:
    strings = (id, *aliases, *((class_name,) if class_name else ()))
    return LossSpec(id, family, class_name, strings, functions, from_logits)


_C, _S, _B, _R = LossFamily.CATEGORICAL, LossFamily.SPARSE, LossFamily.BINARY, LossFamily.REGRESSION
_LOSS_LIST = (
    _loss("categorical_crossentropy", _C, "CategoricalCrossentropy", from_logits=True),
    _loss("categorical_focal_crossentropy", _C, "CategoricalFocalCrossentropy", from_logits=True),
    _loss("sparse_categorical_crossentropy", _S, "SparseCategoricalCrossentropy", from_logits=True),
    _loss("binary_crossentropy", _B, "BinaryCrossentropy", "bce", "BCE", from_logits=True,
          functions=("bce", "BCE")),
    _loss("binary_focal_crossentropy", _B, "BinaryFocalCrossentropy", from_logits=True),
    _loss("crossentropy", LossFamily.AUTO_CROSSENTROPY, None, "ce"),
    _loss("mean_squared_error", _R, "MeanSquaredError", "mse", "MSE", functions=("mse", "MSE")),
    _loss("mean_absolute_error", _R, "MeanAbsoluteError", "mae", "MAE", functions=("mae", "MAE")),
    _loss("mean_absolute_percentage_error", _R, "MeanAbsolutePercentageError", "mape", "MAPE",
          functions=("mape", "MAPE")),
    _loss("mean_squared_logarithmic_error", _R, "MeanSquaredLogarithmicError", "msle", "MSLE",
          functions=("msle", "MSLE")),
    _loss("huber", _R, "Huber", "huber_loss", functions=("huber_loss",)),
    _loss("log_cosh", _R, "LogCosh", "logcosh", functions=("logcosh",)),
    _loss("poisson", LossFamily.POISSON, "Poisson"),
    _loss("kl_divergence", LossFamily.KL_DIVERGENCE, "KLDivergence", "kld", "KLD",
          "kullback_leibler_divergence", functions=("kld", "KLD", "kullback_leibler_divergence")),
    _loss("hinge", LossFamily.HINGE, "Hinge"),
    _loss("squared_hinge", LossFamily.HINGE, "SquaredHinge"),
    _loss("categorical_hinge", LossFamily.HINGE, "CategoricalHinge"),
    _loss("cosine_similarity", LossFamily.OTHER, "CosineSimilarity"),
    _loss("ctc", LossFamily.OTHER, "CTC"),
    _loss("dice", LossFamily.OTHER, "Dice"),
    _loss("tversky", LossFamily.OTHER, "Tversky"),
    _loss("circle", LossFamily.OTHER, "Circle"),
)
LOSSES: Mapping[str, LossSpec] = MappingProxyType({s.id: s for s in _LOSS_LIST})
# `CategoricalCrossentropy(True)`: only the plain cross-entropy classes take from_logits first
FROM_LOGITS_FIRST_POSITIONAL = frozenset({"categorical_crossentropy", "sparse_categorical_crossentropy",
                                          "binary_crossentropy"})
# base classes of losses users write (`class FocalLoss(keras.losses.Loss)`): counted as custom losses
LOSS_BASES = frozenset({"keras.losses.Loss", "keras.losses.LossFunctionWrapper"})
LOSS_BY_STRING = _index(_LOSS_LIST, "string_ids")
LOSS_BY_FUNCTION = _index(_LOSS_LIST, "functions")
LOSS_BY_CLASS = _index(_LOSS_LIST, "classes")


def resolve_auto_loss(loss_id: str, units: int | None) -> str:
    """Keras resolves `loss="crossentropy"`/`"ce"` by shape: one output unit means binary."""
    if LOSSES[loss_id].family is LossFamily.AUTO_CROSSENTROPY and units == 1:
        return "binary_crossentropy"
    return loss_id


# --------------------------------------------------------------------------- losses called directly
# A loss can meet a model's output outside `compile()` (DESIGN §8): a Keras loss object or a
# `keras.losses` function called in a training loop (the records above), or one of TensorFlow's
# own losses below. These compute a Keras loss with `from_logits` fixed by the function (there
# is no switch to flip) and name their arguments their own way.


@dataclass(frozen=True)
class DirectLossSpec:
    symbol: str  # canonical symbol
    loss_id: str  # the Keras loss it computes (key into LOSSES)
    from_logits: bool  # what it always expects: logits (True) or probabilities (False)
    labels_arg: tuple[str, int]  # (keyword, position)
    predictions_arg: tuple[str, int]


def _direct(symbol: str, loss_id: str, labels: str = "labels", predictions: str = "logits",
            from_logits: bool = True) -> DirectLossSpec:
    return DirectLossSpec(f"tensorflow.{symbol}", loss_id, from_logits, (labels, 0), (predictions, 1))


_DIRECT_LOSS_LIST = (
    _direct("nn.softmax_cross_entropy_with_logits", "categorical_crossentropy"),
    _direct("nn.softmax_cross_entropy_with_logits_v2", "categorical_crossentropy"),
    _direct("nn.sparse_softmax_cross_entropy_with_logits", "sparse_categorical_crossentropy"),
    _direct("nn.sigmoid_cross_entropy_with_logits", "binary_crossentropy"),
    _direct("nn.weighted_cross_entropy_with_logits", "binary_crossentropy"),
    # tf.compat.v1.losses (TF1's graph-mode losses keep `compat.v1` in their canonical symbol)
    _direct("compat.v1.losses.softmax_cross_entropy", "categorical_crossentropy", "onehot_labels"),
    _direct("compat.v1.losses.sparse_softmax_cross_entropy", "sparse_categorical_crossentropy"),
    _direct("compat.v1.losses.sigmoid_cross_entropy", "binary_crossentropy", "multi_class_labels"),
    _direct("compat.v1.losses.log_loss", "binary_crossentropy", predictions="predictions", from_logits=False),
)
DIRECT_LOSSES: Mapping[str, DirectLossSpec] = MappingProxyType({d.symbol: d for d in _DIRECT_LOSS_LIST})
# TFLearn: `regression(net, loss="categorical_crossentropy")` trains the tensor `net` with a loss named
# by a string: (the Keras loss it computes, whether it takes logits), read from tflearn/objectives.py.
# Its `binary_crossentropy` and `softmax_categorical_crossentropy` take logits
# (`sigmoid_cross_entropy_with_logits` / `softmax_cross_entropy_with_logits`); `categorical_crossentropy`
# takes probabilities (it clips and takes the log).
TFLEARN_REGRESSION = frozenset({"tflearn.regression", "tflearn.layers.regression",
                                "tflearn.layers.estimator.regression"})
TFLEARN_REGRESSION_ARGS = (("incoming", 0), ("loss", 3))
TFLEARN_DEFAULT_LOSS = "categorical_crossentropy"
TFLEARN_LOSSES: Mapping[str, tuple[str, bool]] = MappingProxyType({
    "categorical_crossentropy": ("categorical_crossentropy", False),
    "softmax_categorical_crossentropy": ("categorical_crossentropy", True),
    "binary_crossentropy": ("binary_crossentropy", True),
    "weighted_crossentropy": ("binary_crossentropy", True),
})
# A Keras loss object is called as `loss(y_true, y_pred)`; a `keras.losses` function takes
# `from_logits` as its third argument when it is one of FROM_LOGITS_FIRST_POSITIONAL.
LOSS_CALL_ARGS = (("y_true", 0), ("y_pred", 1))
LOSS_FUNCTION_FROM_LOGITS_POSITION = 2
# Attributes through which a `train_step` / `compute_loss` override reaches the loss given to
# `compile()` (`self.compiled_loss(...)` in Keras 2, `self.compute_loss(...)` / `self.loss` in 3).
COMPILED_LOSS_ATTRIBUTES = frozenset({"compiled_loss", "compute_loss", "loss", "_compile_loss"})
TRAINING_OVERRIDES = ("train_step", "compute_loss")


# --------------------------------------------------------------------------- layers


class LayerRole(str, enum.Enum):
    PROJECTION = "projection"  # Dense/Conv: sets units and applies its own activation
    ACTIVATION = "activation"  # Activation/Softmax/ReLU: keeps units, sets the activation
    TRANSPARENT = "transparent"  # Dropout: keeps units and activation
    WRAPPER = "wrapper"  # TimeDistributed: behaves like its first argument
    SHAPE = "shape"  # Flatten/Reshape/pooling/UpSampling: moves or pools values, keeps elementwise activations
    MERGE = "merge"  # Add/Concatenate/Average: combines several tensors
    AFFINE = "affine"  # Rescaling: scales and shifts every value; only a linear output stays what it was


@dataclass(frozen=True)
class LayerSpec:
    name: str  # class name under keras.layers
    role: LayerRole
    units_arg: tuple[str, int | None] | None = None  # (keyword, positional index)
    activation_arg: tuple[str, int | None] | None = ("activation", None)
    default_activation: str = "linear"
    # SHAPE layers: does the last axis (the units) stay as it was, and does a softmax over it stay
    # a distribution (average pooling, upsampling: yes; max pooling, flatten: no)
    keeps_units: bool = True
    keeps_distribution: bool = False
    merge: str | None = None  # MERGE layers: "add", "concatenate", "average", "maximum", "minimum"
    # Keras 1's name of the units argument, still accepted by Keras 2 (`Dense(output_dim=4)`)
    legacy_units_keyword: str | None = None
    # Keras 0.x's position of the unit count (`Dense(input_dim, output_dim)`); an int there (where Keras 1+
    # has the activation) marks the old signature
    keras0_units_position: int | None = None


def _shape(name: str, keeps_units: bool = True, keeps_distribution: bool = False) -> LayerSpec:
    return LayerSpec(name, LayerRole.SHAPE, None, None, keeps_units=keeps_units,
                     keeps_distribution=keeps_distribution)


def _merge(merge: str, *names: str) -> tuple[LayerSpec, ...]:
    return tuple(LayerSpec(n, LayerRole.MERGE, None, None, merge=merge) for n in names)


def _projection(name: str, units_kw: str, activation_pos: int | None, default: str = "linear"):
    legacy = {"units": "output_dim", "filters": "nb_filter"}.get(units_kw)
    return LayerSpec(name, LayerRole.PROJECTION, (units_kw, 0), ("activation", activation_pos), default,
                     legacy_units_keyword=legacy)


_LAYER_LIST = (
    replace(_projection("Dense", "units", 1), keras0_units_position=1),
    _projection("EinsumDense", "output_shape", None),
    *(_projection(n, "filters", None) for n in (
        "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
        "SeparableConv1D", "SeparableConv2D", "Convolution1D", "Convolution2D", "Convolution3D")),
    *(_projection(n, "units", None, "tanh") for n in ("LSTM", "GRU", "SimpleRNN")),
    LayerSpec("Activation", LayerRole.ACTIVATION, None, ("activation", 0)),
    *(LayerSpec(n, LayerRole.ACTIVATION, None, None) for n in ("Softmax", "ReLU", "LeakyReLU", "PReLU",
                                                               "ELU", "Identity")),
    *(LayerSpec(n, LayerRole.TRANSPARENT, None, None) for n in (
        "Dropout", "AlphaDropout", "GaussianDropout", "SpatialDropout1D", "SpatialDropout2D",
        "SpatialDropout3D", "ActivityRegularization")),
    LayerSpec("TimeDistributed", LayerRole.WRAPPER, None, None),
    LayerSpec("Rescaling", LayerRole.AFFINE, None, None),  # `Rescaling(255)` after a linear image head
    # normalisation scales and shifts each value: unbounded values stay unbounded (valid logits)
    *(LayerSpec(n, LayerRole.AFFINE, None, None) for n in ("BatchNormalization", "LayerNormalization",
                                                            "GroupNormalization")),
    # shape-only layers after the head: the activation of the head still decides the output
    *(_shape(f"{kind}{d}D", keeps_distribution=average) for d in (1, 2, 3)
      for kind, average in (("AveragePooling", True), ("AvgPool", True), ("GlobalAveragePooling", True),
                            ("GlobalAvgPool", True), ("MaxPooling", False), ("MaxPool", False),
                            ("GlobalMaxPooling", False), ("GlobalMaxPool", False), ("UpSampling", True),
                            ("Cropping", True), ("ZeroPadding", False))),
    _shape("RepeatVector", keeps_distribution=True),
    _shape("Masking", keeps_distribution=True),
    _shape("Flatten", keeps_units=False),
    _shape("Reshape", keeps_units=False),  # units: the last entry of target_shape
    _shape("Permute", keeps_units=False),
    *_merge("add", "Add", "add"),
    *_merge("concatenate", "Concatenate", "concatenate"),
    *_merge("average", "Average", "average"),
    *_merge("maximum", "Maximum", "maximum"),
    *_merge("minimum", "Minimum", "minimum"),
)
LAYERS: Mapping[str, LayerSpec] = MappingProxyType({f"keras.layers.{s.name}": s for s in _LAYER_LIST})


@dataclass(frozen=True)
class FunctionalLayerSpec:
    """A layer built and applied in one call, as TF1 graph code writes it:
    `tf.layers.dense(inputs, units, activation=None)`; `tf.contrib.layers.fully_connected(inputs,
    num_outputs)`, whose activation is relu unless `activation_fn=` says otherwise."""

    layer: str  # key into LAYERS
    units_keyword: str  # the second argument
    activation_arg: tuple[str, int]  # (keyword, positional index)
    default_activation: str


def _functional(symbols: tuple[str, ...], layer: str, units: str, activation: tuple[str, int], default: str):
    return {s: FunctionalLayerSpec(f"keras.layers.{layer}", units, activation, default) for s in symbols}


_SLIM = ("tensorflow.contrib.layers", "tensorflow.contrib.slim", "tensorflow.contrib.slim.layers", "tf_slim",
         "tf_slim.layers")
FUNCTIONAL_LAYERS: Mapping[str, FunctionalLayerSpec] = MappingProxyType({
    **_functional(("tensorflow.layers.dense",), "Dense", "units", ("activation", 2), "linear"),
    **{k: v for d in (1, 2, 3) for k, v in _functional(
        (f"tensorflow.layers.conv{d}d",), f"Conv{d}D", "filters", ("activation", 7), "linear").items()},
    **_functional(tuple(f"{m}.fully_connected" for m in _SLIM), "Dense", "num_outputs", ("activation_fn", 2),
                  "relu"),
    **_functional(tuple(f"{m}.{op}" for m in _SLIM for op in ("conv2d", "convolution2d")), "Conv2D",
                  "num_outputs", ("activation_fn", 7), "relu"),
    # TFLearn: `fully_connected(incoming, n_units, activation='linear')`
    **_functional(("tflearn.fully_connected", "tflearn.layers.fully_connected", "tflearn.layers.core.fully_connected"),
                  "Dense", "n_units", ("activation", 2), "linear"),
})
FUNCTIONAL_LAYER_INPUTS = ("inputs", 0)
# `tf.nn.depth_to_space(x, block)`: moves channels into space (sub-pixel upscaling); the last axis
# becomes channels / block², an elementwise activation survives
DEPTH_TO_SPACE_OPS = frozenset({"tensorflow.nn.depth_to_space", "tensorflow.depth_to_space"})
DEPTH_TO_SPACE = _shape("depth_to_space", keeps_units=False)


def reshaped_activation(spec: LayerSpec, activation_id: str | None, same_last_axis: bool) -> str | None:
    """The activation after a SHAPE layer: an elementwise one holds; a softmax holds only while each
    row over the last axis stays one distribution (average pooling; a Reshape keeping the last axis)."""
    activation = ACTIVATIONS.get(activation_id) if activation_id else None
    if activation is None:
        return None
    if activation.kind.is_elementwise or spec.keeps_distribution or not spec.keeps_units and same_last_axis:
        return activation_id
    return None


def affine_activation(activation_id: str | None) -> str | None:
    """The activation after `Rescaling(scale, offset)`: an unbounded linear output stays linear;
    a scaled sigmoid or softmax is no longer a probability, so nothing is known."""
    return activation_id if activation_id == "linear" else None


def merged_activation(merge: str | None, activation_ids: list) -> str | None:
    """The activation of Add/Concatenate/Average/Maximum/Minimum over inputs with these activations."""
    if not activation_ids or len(set(activation_ids)) != 1 or activation_ids[0] not in ACTIVATIONS:
        return None
    activation_id = activation_ids[0]
    kind = ACTIVATIONS[activation_id].kind
    if merge == "average":  # a mean of values in a range stays in it; of distributions, a distribution
        return activation_id
    if merge == "add" and kind in (OutputKind.UNBOUNDED, OutputKind.NON_NEGATIVE):
        return activation_id
    if merge in ("maximum", "minimum", "concatenate") and kind.is_elementwise:
        return activation_id
    return None

# Model constructors and the input placeholder, by canonical symbol.
SEQUENTIAL = frozenset({"keras.Sequential", "keras.models.Sequential"})
FUNCTIONAL = frozenset({"keras.Model", "keras.models.Model"})
INPUT = frozenset({"keras.Input", "keras.layers.Input", "keras.layers.InputLayer"})
# TF1's graph input, given its values by the `feed_dict` of `sess.run` / `.eval`
TF1_PLACEHOLDER = "tensorflow.placeholder"
# TF1's MNIST tutorial reader: `mnist = read_data_sets(dir, one_hot=True)`, then `mnist.train.labels`
# and `batch_x, batch_y = mnist.train.next_batch(100)`; one-hot rows only with `one_hot=True`
TF1_MNIST_READERS = frozenset({"tensorflow.examples.tutorials.mnist.input_data.read_data_sets",
                               "tensorflow.contrib.learn.python.learn.datasets.mnist.read_data_sets"})
TF1_MNIST_SPLITS = frozenset({"train", "test", "validation"})
TF1_MNIST_CLASSES = 10  # digit ids 0..9 (uint8), or one-hot rows of width 10

# --------------------------------------------------------------------------- metrics


class MetricKind(str, enum.Enum):
    AUTO_ACCURACY = "accuracy"  # "accuracy"/"acc": Keras picks by shapes
    BINARY_ACCURACY = "binary_accuracy"
    CATEGORICAL_ACCURACY = "categorical_accuracy"
    SPARSE_CATEGORICAL_ACCURACY = "sparse_categorical_accuracy"
    OTHER = "other"


@dataclass(frozen=True)
class MetricSpec:
    id: str
    kind: MetricKind
    string_ids: tuple[str, ...]
    functions: tuple[str, ...] = ()  # canonical symbols: functions and classes


def _metric(id: str, kind: MetricKind, class_name: str | None, *aliases: str) -> MetricSpec:
    classes = (f"keras.metrics.{class_name}",) if class_name else ()
    return MetricSpec(id, kind, (id, *aliases, *((class_name,) if class_name else ())),
                      (f"keras.metrics.{id}", *classes))


_METRIC_LIST = (
    _metric("accuracy", MetricKind.AUTO_ACCURACY, None, "acc"),
    _metric("binary_accuracy", MetricKind.BINARY_ACCURACY, "BinaryAccuracy"),
    _metric("categorical_accuracy", MetricKind.CATEGORICAL_ACCURACY, "CategoricalAccuracy"),
    _metric("sparse_categorical_accuracy", MetricKind.SPARSE_CATEGORICAL_ACCURACY,
            "SparseCategoricalAccuracy"),
)
METRICS: Mapping[str, MetricSpec] = MappingProxyType({m.id: m for m in _METRIC_LIST})
METRIC_BY_STRING = _index(_METRIC_LIST, "string_ids")
METRIC_BY_FUNCTION = _index(_METRIC_LIST, "functions")


# --------------------------------------------------------------------------- label sources
# What the static front end knows about where labels come from. Label formats are written as the
# values of `facts.LabelFormat` ("index", "one-hot", "multi-hot", "binary", "real", "fractional");
# this module cannot import facts.py (facts imports it), a test keeps the two in sync.


@dataclass(frozen=True)
class DatasetSpec:
    """A `keras.datasets.<name>.load_data()` and the labels it returns."""

    name: str
    label_format: str
    num_classes: int | None  # None for regression targets
    label_modes: tuple[tuple[str, int], ...] = ()  # load_data(label_mode=...) -> classes
    default_label_mode: str | None = None

    @property
    def symbol(self) -> str:
        return f"keras.datasets.{self.name}.load_data"


_DATASET_LIST = (
    DatasetSpec("mnist", "index", 10),
    DatasetSpec("fashion_mnist", "index", 10),
    DatasetSpec("cifar10", "index", 10),  # shape (N, 1)
    DatasetSpec("cifar100", "index", 100, (("fine", 100), ("coarse", 20)), "fine"),
    DatasetSpec("imdb", "index", 2),
    DatasetSpec("reuters", "index", 46),
    DatasetSpec("boston_housing", "real", None),
    DatasetSpec("california_housing", "real", None),
)
DATASETS: Mapping[str, DatasetSpec] = MappingProxyType({d.symbol: d for d in _DATASET_LIST})


@dataclass(frozen=True)
class LabelModeSpec:
    """One value of `label_mode=` / `class_mode=`: the labels the loader yields (None: no labels)."""

    label_format: str | None
    num_classes: int | None = None


_INT, _ONE_HOT = LabelModeSpec("index"), LabelModeSpec("one-hot")
_BINARY = LabelModeSpec("index", 2)  # float 0./1. of shape (N,) or (N, 1)


@dataclass(frozen=True)
class DirectoryLoaderSpec:
    """A loader whose labels are chosen by a mode keyword (`label_mode=`, `class_mode=`)."""

    symbol: str  # canonical function, or "ImageDataGenerator.<method>"
    mode_keyword: str
    default_mode: str
    modes: Mapping[str, LabelModeSpec]
    class_list_keyword: str  # `class_names=` / `classes=`: a literal list gives the class count


_DATASET_MODES = MappingProxyType({"int": _INT, "categorical": _ONE_HOT, "binary": _BINARY})
_GENERATOR_MODES = MappingProxyType({"categorical": _ONE_HOT, "sparse": _INT, "binary": _BINARY,
                                     "input": LabelModeSpec(None), "raw": LabelModeSpec(None),
                                     "multi_output": LabelModeSpec(None)})
_DIRECTORY_LOADERS = (
    *(DirectoryLoaderSpec(f"keras.{area}.{kind}_dataset_from_directory", "label_mode", "int", _DATASET_MODES,
                          "class_names")
      for area in ("utils", "preprocessing") for kind in ("image", "text", "audio")),
    DirectoryLoaderSpec("ImageDataGenerator.flow_from_directory", "class_mode", "categorical", _GENERATOR_MODES,
                        "classes"),
    DirectoryLoaderSpec("ImageDataGenerator.flow_from_dataframe", "class_mode", "categorical", _GENERATOR_MODES,
                        "classes"),
)
DIRECTORY_LOADERS: Mapping[str, DirectoryLoaderSpec] = MappingProxyType({d.symbol: d for d in _DIRECTORY_LOADERS})
IMAGE_DATA_GENERATOR = frozenset({"keras.preprocessing.ImageDataGenerator"})


class LabelOp(str, enum.Enum):
    """What a function does to the labels passed through it."""

    ONE_HOT = "one-hot"  # to_categorical, tf.one_hot: class ids -> one-hot rows
    ARGMAX = "argmax"  # np.argmax(..., axis=-1): rows -> class ids
    DUMMIES = "dummies"  # pd.get_dummies(series): one-hot, width unknown
    PRESERVE = "preserve"  # np.asarray, tf.convert_to_tensor, np.squeeze: same labels
    RANDOM_INTEGERS = "random-integers"  # np.random.randint(low, high, size)
    SPLIT = "split"  # train_test_split(*arrays): [a_train, a_test, b_train, b_test, ...]
    SHUFFLE = "shuffle"  # sklearn.utils.shuffle(*arrays): the same arrays, rows reordered together
    TENSOR_SLICES = "tensor-slices"  # tf.data.Dataset.from_tensor_slices((x, y))
    IDENTITY_MATRIX = "identity-matrix"  # np.eye(C)[y]: one-hot of width C
    ZEROS = "zeros"  # np.zeros((n, C)): one-hot once `y2[np.arange(n), y] = 1` sets one 1 per row
    CLASS_RANGE = "class-range"  # np.arange(C): `(np.arange(C) == y[:, None])` is one-hot of width C


@dataclass(frozen=True)
class LabelFunctionSpec:
    symbol: str
    op: LabelOp
    classes_arg: tuple[str, int | None] | None = None  # num_classes= / depth=


def _label_functions(op: LabelOp, *symbols: str, classes_arg=None) -> tuple[LabelFunctionSpec, ...]:
    return tuple(LabelFunctionSpec(s, op, classes_arg) for s in symbols)


_LABEL_FUNCTION_LIST = (
    *_label_functions(LabelOp.ONE_HOT, "keras.utils.to_categorical", classes_arg=("num_classes", 1)),
    *_label_functions(LabelOp.ONE_HOT, "tensorflow.one_hot", "keras.ops.one_hot", classes_arg=("depth", 1)),
    *_label_functions(LabelOp.ONE_HOT, "keras.backend.one_hot", classes_arg=("num_classes", 1)),
    *_label_functions(LabelOp.ARGMAX, "numpy.argmax", "tensorflow.argmax", "tensorflow.math.argmax",
                      "keras.ops.argmax"),
    *_label_functions(LabelOp.DUMMIES, "pandas.get_dummies"),
    *_label_functions(LabelOp.PRESERVE, "numpy.asarray", "numpy.array", "numpy.squeeze", "numpy.ravel",
                      "numpy.reshape", "tensorflow.convert_to_tensor", "tensorflow.constant",
                      "tensorflow.reshape", "tensorflow.squeeze", "keras.ops.convert_to_tensor"),
    *_label_functions(LabelOp.RANDOM_INTEGERS, "numpy.random.randint"),
    *_label_functions(LabelOp.SPLIT, "sklearn.model_selection.train_test_split"),
    *_label_functions(LabelOp.SHUFFLE, "sklearn.utils.shuffle"),
    *_label_functions(LabelOp.TENSOR_SLICES, "tensorflow.data.Dataset.from_tensor_slices",
                      "tensorflow.data.Dataset.from_tensors"),
    *_label_functions(LabelOp.IDENTITY_MATRIX, "numpy.eye", "numpy.identity"),
    *_label_functions(LabelOp.CLASS_RANGE, "numpy.arange"),
    *_label_functions(LabelOp.ZEROS, "numpy.zeros"),
)
# ops that only reshape a tensor (an elementwise activation survives; the unit count may not), and
# casts (everything survives)
SHAPE_OPS = frozenset({f"{area}.{op}" for area in ("tensorflow", "keras.ops", "keras.backend")
                       for op in ("squeeze", "reshape", "expand_dims", "flatten")})
CAST_OPS = frozenset({"tensorflow.cast", "keras.ops.cast", "keras.backend.cast", "tensorflow.identity",
                      "tensorflow.nn.dropout"})
# TF1 layers written by hand: `tf.matmul(x, W)` is a linear projection, and adding a bias
# (`+ b`, `tf.add`, `tf.nn.bias_add`) keeps it linear
# A weight written by hand: `tf.Variable(tf.random_normal([n_in, n_out]))`, `tf.get_variable("W", [n_in, n_out])`;
# its last dimension is the unit count of the `tf.matmul(h, W)` it feeds. (symbol, shape argument)
WEIGHT_INITIALIZERS: Mapping[str, tuple[str, int]] = MappingProxyType({
    **{f"tensorflow.{name}": ("shape", 0) for name in (
        "random_normal", "random.normal", "truncated_normal", "random.truncated_normal", "random_uniform",
        "random.uniform", "zeros", "ones", "random.stateless_normal")},
    "tensorflow.get_variable": ("shape", 1),
})
WEIGHT_VARIABLES: Mapping[str, tuple[str, int]] = MappingProxyType({
    "tensorflow.Variable": ("initial_value", 0), "tensorflow.contrib.eager.Variable": ("initial_value", 0)})
# `class MLP(tf.Module)` with `__call__`: a plain object that holds layers and computes with them
MODULE_BASES = frozenset({"tensorflow.Module"})
# `tf.concat([d_real, d_fake], axis=0)`: more rows of the same outputs (a GAN's discriminator on both batches)
BATCH_CONCAT_OPS = frozenset({"tensorflow.concat"})
MATMUL_OPS = frozenset({"tensorflow.matmul", "tensorflow.linalg.matmul", "tensorflow.nn.xw_plus_b"})
BIAS_OPS = frozenset({"tensorflow.add", "tensorflow.math.add", "tensorflow.nn.bias_add"})
# `y2[np.arange(n), y] = 1`: row indices that pick every row once
ROW_INDEX_FUNCTIONS = frozenset({"numpy.arange"})
LABEL_FUNCTIONS: Mapping[str, LabelFunctionSpec] = MappingProxyType({f.symbol: f for f in _LABEL_FUNCTION_LIST})
RANDOM_GENERATORS = frozenset({"numpy.random.default_rng", "numpy.random.RandomState"})
RANDOM_INTEGER_METHODS = frozenset({"integers", "randint"})


@dataclass(frozen=True)
class LabelEncoderSpec:
    """A scikit-learn encoder: `Enc().fit_transform(y)` / `.transform(y)` gives these labels."""

    symbol: str
    label_format: str | None  # None: depends on the data (LabelBinarizer: one column for 2 classes)
    min_value: float | None = 0
    max_value: float | None = None
    unless_keywords: tuple[str, ...] = ()  # OneHotEncoder(drop=...) is not one-hot any more


_ENCODER_LIST = (
    LabelEncoderSpec("sklearn.preprocessing.LabelEncoder", "index"),
    LabelEncoderSpec("sklearn.preprocessing.OneHotEncoder", "one-hot", 0, 1, unless_keywords=("drop",)),
    LabelEncoderSpec("sklearn.preprocessing.MultiLabelBinarizer", "multi-hot", 0, 1),
    LabelEncoderSpec("sklearn.preprocessing.LabelBinarizer", None, 0, 1,
                     unless_keywords=("neg_label", "pos_label")),
)
LABEL_ENCODERS: Mapping[str, LabelEncoderSpec] = MappingProxyType({e.symbol: e for e in _ENCODER_LIST})
ENCODER_METHODS = frozenset({"fit_transform", "transform"})

# Array / dataset methods that keep what the labels are.
LABEL_PRESERVING_METHODS = frozenset({"reshape", "ravel", "flatten", "squeeze", "copy", "to_numpy", "numpy",
                                      "toarray", "todense"})
LABEL_PRESERVING_ATTRIBUTES = frozenset({"values"})
DATASET_PRESERVING_METHODS = frozenset({"batch", "prefetch", "cache", "shuffle", "repeat", "take", "skip",
                                        "unbatch", "padded_batch", "with_options", "apply_options"})
# fit-like methods: (labels keyword, labels position)
FIT_METHODS: Mapping[str, tuple[str, int]] = MappingProxyType(
    {"fit": ("y", 1), "fit_generator": ("y", 1), "train_on_batch": ("y", 1)})


@dataclass(frozen=True)
class ApplicationHead:
    """The classifier `keras.applications.X(include_top=True)` ends with (Keras 3 / tf.keras ≥ 2.3)."""

    classes_keyword: str = "classes"
    default_classes: int = 1000
    activation_keyword: str = "classifier_activation"
    default_activation: str = "softmax"


APPLICATION_HEAD = ApplicationHead()


@dataclass(frozen=True)
class TaskHead:
    """The head of a `keras_hub` / `keras_nlp` / `keras_cv` task model (`BertClassifier.from_preset(...)`)."""

    logits: bool  # a language-model head: logits over the vocabulary, no activation argument
    classes_keyword: str | None = "num_classes"
    activation_keyword: str | None = "activation"
    default_activation: str | None = None  # None: the default is not one we can vouch for


TASK_LIBRARIES = ("keras_hub.models.", "keras_nlp.models.", "keras_cv.models.")
_LM_SUFFIXES = ("CausalLM", "Seq2SeqLM", "MaskedLM")
# documented signature defaults; keras_hub's classifiers document two different defaults, so
# only an explicit `activation=` counts there
_TASK_DEFAULTS = MappingProxyType({"keras_cv.models.ImageClassifier": "softmax"})


def task_head(symbol: str) -> TaskHead | None:
    """The head of a library task model built by `symbol` (the class or its `from_preset`)."""
    if not symbol.startswith(TASK_LIBRARIES):
        return None
    parts = symbol.split(".")
    if parts[-1] == "from_preset":
        parts = parts[:-1]
    if len(parts) != 3 or not parts[-1][:1].isupper():
        return None
    name = parts[-1]
    if name.endswith(_LM_SUFFIXES):
        return TaskHead(True, None, None, "linear")
    if name.endswith("Classifier"):
        return TaskHead(False, default_activation=_TASK_DEFAULTS.get(".".join(parts)))
    return None


# progress bars iterate over what they wrap: `for model in tqdm(models)`
PROGRESS_BARS = frozenset({"tqdm.tqdm", "tqdm.auto.tqdm", "tqdm.notebook.tqdm", "tqdm.std.tqdm"})

# tf.keras 2 premade models: `tf.keras.experimental.LinearModel(units=1, activation=None)` is one
# Dense layer over its inputs; `WideDeepModel(linear_model, dnn_model, activation=None)` outputs
# the activation of the sum of both models' outputs
LINEAR_MODEL = "keras.LinearModel"
WIDE_DEEP_MODEL = "keras.WideDeepModel"


@dataclass(frozen=True)
class LibraryHead:
    """A library layer that ends a model like a Dense head: `keras_hub.layers.MaskedLMHead(...)`
    projects onto the vocabulary (`vocabulary_size=`, or the width of the tied `embedding_weights=`)."""

    units_keyword: str
    units_from_keyword: str | None  # given instead of the units, this keyword sets them from outside the source
    activation_keyword: str = "activation"
    default_activation: str = "linear"


LIBRARY_HEADS: Mapping[str, LibraryHead] = MappingProxyType({
    f"{library}.layers.MaskedLMHead": LibraryHead("vocabulary_size", "embedding_weights")
    for library in ("keras_hub", "keras_nlp")})


# --------------------------------------------------------------------------- pasted snippets
# A file that imports nothing (a snippet pasted from a question) is read as Keras: `Dense(10)`,
# `layers.Dense`, `tf.keras.layers.Dense`, `np.eye` name what they would name after the usual imports.
_SNIPPET_ROOTS = {"tf": "tensorflow", "np": "numpy", "K": "keras.backend"}
_GUESS_BY_NAME: dict[str, str] | None = None


def guess_symbol(dotted_name: str) -> str | None:
    """The canonical symbol a Keras-looking name of an import-less snippet stands for, or None."""
    global _GUESS_BY_NAME
    if _GUESS_BY_NAME is None:
        symbols = {*LAYERS, *SEQUENTIAL, *FUNCTIONAL, *INPUT, *LOSS_BY_CLASS, *LOSS_BY_FUNCTION,
                   *ACTIVATION_BY_FUNCTION, *ACTIVATION_BY_LAYER, *METRIC_BY_FUNCTION, *LABEL_FUNCTIONS,
                   *DATASETS}
        by_name: dict[str, str] = {}
        for symbol in sorted(symbols):
            if symbol.startswith("keras.") and not symbol.startswith(("keras.ops.", "keras.backend.")):
                by_name.setdefault(symbol.rsplit(".", 1)[1], symbol)
        by_name["to_categorical"] = "keras.utils.to_categorical"
        _GUESS_BY_NAME = by_name
        _GUESS_BY_NAME["__known__"] = symbols  # type: ignore[assignment]
    known = _GUESS_BY_NAME["__known__"]
    parts = dotted_name.split(".")
    if not parts or not parts[0]:
        return None
    if len(parts) == 1:
        return _GUESS_BY_NAME.get(parts[0]) if parts[0] != "__known__" else None
    root = _SNIPPET_ROOTS.get(parts[0], parts[0])
    full = canonical_symbol(".".join([root, *parts[1:]]))
    if full in known:
        return full
    if parts[0] in ("layers", "models", "losses", "activations", "metrics", "utils"):
        candidate = canonical_symbol(f"keras.{'.'.join(parts)}")
        return candidate if candidate in known else None
    return None


# --------------------------------------------------------------------------- PyTorch
# The PyTorch records live in knowledge_torch.py; its losses join LOSSES (as LossSpec records of
# the same id) so that every rule finds every loss in one table.
from .knowledge_torch import TORCH_LOSSES  # noqa: E402

from .knowledge_jax import OPTAX_LOSSES  # noqa: E402

LOSSES = MappingProxyType({**LOSSES, **{s.id: LossSpec(s.id, LossFamily(s.family), None)
                                        for s in (*TORCH_LOSSES.values(), *OPTAX_LOSSES.values())}})

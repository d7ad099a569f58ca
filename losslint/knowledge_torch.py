"""The PyTorch records of the knowledge table: losses, activations, modules, label sources.

They sit beside the Keras records of `knowledge.py` and use the same types: a PyTorch loss is a
`LossSpec` in `knowledge.LOSSES` (`CrossEntropyLoss` is sparse or categorical cross-entropy with `from_logits` fixed to
True, `BCELoss` binary cross-entropy on probabilities, ...), a PyTorch activation is one of the
same `ActivationSpec` ids (`nn.Softmax`, `F.softmax`, `torch.softmax` and `x.softmax(1)` are all
"softmax"). `knowledge.py` merges the losses into `LOSSES`, so rules look every loss up in one
place; `canonical_symbol` folds `torch.nn.modules.loss.CrossEntropyLoss` to
`torch.nn.CrossEntropyLoss` through `canonical_torch_symbol` below.

`knowledge.py` imports this module (never the reverse): families are written as
`knowledge.LossFamily` values.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping


TORCH_WORDS = ("torch",)  # the textual prefilter looks for these too


def canonical_torch_symbol(qualified_name: str) -> str:
    """Fold the import paths of a PyTorch / Lightning symbol to one spelling.

    >>> canonical_torch_symbol("torch.nn.modules.loss.CrossEntropyLoss")
    'torch.nn.CrossEntropyLoss'
    >>> canonical_torch_symbol("pytorch_lightning.core.module.LightningModule")
    'lightning.LightningModule'
    """
    parts = qualified_name.split(".")
    if parts[0] == "torch":
        if parts[1:3] == ["nn", "modules"] and len(parts) > 3:
            return f"torch.nn.{parts[-1]}"
        if parts[1:2] == ["special"] and len(parts) == 3 and parts[2] in ("softmax", "log_softmax", "expit"):
            return "torch.sigmoid" if parts[2] == "expit" else f"torch.{parts[2]}"
        return qualified_name
    if parts[0] in ("pytorch_lightning", "lightning") and parts[-1] in ("LightningModule", "Trainer"):
        return f"lightning.{parts[-1]}"
    return qualified_name


_LIBRARY_ROOTS = ("torch.", "torchvision.", "timm.", "lightning.")
LIGHTNING_TRAINER = "lightning.Trainer"
# what Lightning's `Trainer.fit(model)` runs on a batch: the module's steps, in order
LIGHTNING_STEPS = ("training_step", "validation_step")


def is_torch_symbol(symbol: str | None) -> bool:
    """A name of PyTorch or of a library built on it (torchvision, timm, Lightning)."""
    return bool(symbol) and (symbol == "torch" or symbol.startswith(_LIBRARY_ROOTS))


# --------------------------------------------------------------------------- losses


class LossInput(str, enum.Enum):
    """What a PyTorch loss expects as its first argument."""

    LOGITS = "logits"  # CrossEntropyLoss, BCEWithLogitsLoss
    PROBABILITIES = "probabilities"  # BCELoss
    LOG_PROBABILITIES = "log-probabilities"  # NLLLoss, KLDivLoss
    ANY = "any"  # regression losses


@dataclass(frozen=True)
class TorchLossSpec:
    """A PyTorch loss: a module class (`torch.nn.X`) and a function (`torch.nn.functional.x`).

    `knowledge.LOSSES` holds a `LossSpec` of the same id with this `family` (a
    `knowledge.LossFamily` value), so rules judge it like any other loss."""

    id: str
    family: str
    torch_class: str  # CrossEntropyLoss
    torch_function: str  # cross_entropy ("" when the record is a second reading of a class)
    expects: LossInput
    from_logits: bool | None  # as the facts carry it: True logits, False probabilities, None neither

    @property
    def functions(self) -> tuple[str, ...]:
        return (f"torch.nn.functional.{self.torch_function}",) if self.torch_function else ()

    @property
    def classes(self) -> tuple[str, ...]:
        return (f"torch.nn.{self.torch_class}",)


_torch_loss = TorchLossSpec
_L, _P, _LP, _ANY = LossInput.LOGITS, LossInput.PROBABILITIES, LossInput.LOG_PROBABILITIES, LossInput.ANY
TORCH_LOSS_LIST = (
    # class-index targets (the usual case) and class-probability targets (float rows, same shape)
    _torch_loss("torch.cross_entropy", "sparse", "CrossEntropyLoss", "cross_entropy", _L, True),
    _torch_loss("torch.cross_entropy.probabilities", "categorical", "CrossEntropyLoss", "", _L, True),
    _torch_loss("torch.binary_cross_entropy_with_logits", "binary", "BCEWithLogitsLoss",
                "binary_cross_entropy_with_logits", _L, True),
    _torch_loss("torch.binary_cross_entropy", "binary", "BCELoss", "binary_cross_entropy", _P, False),
    _torch_loss("torch.nll_loss", "sparse", "NLLLoss", "nll_loss", _LP, None),
    _torch_loss("torch.kl_div", "other", "KLDivLoss", "kl_div", _LP, None),
    _torch_loss("torch.mse_loss", "regression", "MSELoss", "mse_loss", _ANY, None),
    _torch_loss("torch.l1_loss", "regression", "L1Loss", "l1_loss", _ANY, None),
    _torch_loss("torch.smooth_l1_loss", "regression", "SmoothL1Loss", "smooth_l1_loss", _ANY, None),
    _torch_loss("torch.huber_loss", "regression", "HuberLoss", "huber_loss", _ANY, None),
)
TORCH_LOSSES: Mapping[str, TorchLossSpec] = MappingProxyType({s.id: s for s in TORCH_LOSS_LIST})
TORCH_LOSS_BY_CLASS: Mapping[str, str] = MappingProxyType(
    {c: s.id for s in TORCH_LOSS_LIST if s.id != "torch.cross_entropy.probabilities" for c in s.classes})
TORCH_LOSS_BY_FUNCTION: Mapping[str, str] = MappingProxyType({f: s.id for s in TORCH_LOSS_LIST for f in s.functions})
# the loss to use instead, by what the output really is (fixes and help texts)
TORCH_LOGITS_LOSS = {"torch.binary_cross_entropy": "torch.binary_cross_entropy_with_logits",
                     "torch.nll_loss": "torch.cross_entropy"}


def torch_loss_name(loss_id: str, functional: bool = False) -> str:
    """`CrossEntropyLoss` / `F.cross_entropy` for messages."""
    spec = TORCH_LOSSES[loss_id]
    return f"F.{spec.torch_function}" if functional and spec.torch_function else spec.torch_class


# --------------------------------------------------------------------------- activations
# Spellings of the activation records of knowledge.ACTIVATIONS (same ids).

_FUNCTIONAL = {
    "softmax": ("torch.nn.functional.softmax", "torch.softmax", "torch.Tensor.softmax"),
    "log_softmax": ("torch.nn.functional.log_softmax", "torch.log_softmax", "torch.Tensor.log_softmax"),
    "sigmoid": ("torch.nn.functional.sigmoid", "torch.sigmoid", "torch.Tensor.sigmoid"),
    "hard_sigmoid": ("torch.nn.functional.hardsigmoid",),
    "relu": ("torch.nn.functional.relu", "torch.relu", "torch.Tensor.relu"),
    "relu6": ("torch.nn.functional.relu6",),
    "softplus": ("torch.nn.functional.softplus",),
    "exponential": ("torch.exp", "torch.Tensor.exp"),
    "elu": ("torch.nn.functional.elu",),
    "selu": ("torch.nn.functional.selu", "torch.selu"),
    "gelu": ("torch.nn.functional.gelu",),
    "swish": ("torch.nn.functional.silu",),
    "mish": ("torch.nn.functional.mish",),
    "celu": ("torch.nn.functional.celu",),
    "tanh": ("torch.nn.functional.tanh", "torch.tanh", "torch.Tensor.tanh"),
    "softsign": ("torch.nn.functional.softsign",),
    "hard_tanh": ("torch.nn.functional.hardtanh",),
    "leaky_relu": ("torch.nn.functional.leaky_relu",),
}
_MODULES = {
    "softmax": ("Softmax",), "log_softmax": ("LogSoftmax",), "sigmoid": ("Sigmoid",),
    "hard_sigmoid": ("Hardsigmoid",), "relu": ("ReLU",), "relu6": ("ReLU6",), "softplus": ("Softplus",),
    "elu": ("ELU",), "selu": ("SELU",), "gelu": ("GELU",), "swish": ("SiLU",), "mish": ("Mish",),
    "celu": ("CELU",), "tanh": ("Tanh",), "softsign": ("Softsign",), "hard_tanh": ("Hardtanh",),
    "leaky_relu": ("LeakyReLU", "PReLU", "RReLU"), "linear": ("Identity",),
}
TORCH_ACTIVATION_BY_FUNCTION: Mapping[str, str] = MappingProxyType(
    {symbol: id for id, symbols in _FUNCTIONAL.items() for symbol in symbols})
TORCH_ACTIVATION_BY_MODULE: Mapping[str, str] = MappingProxyType(
    {f"torch.nn.{name}": id for id, names in _MODULES.items() for name in names})
# `x.softmax(dim=1)`: tensor methods that apply an activation, by method name
TENSOR_METHOD_ACTIVATIONS: Mapping[str, str] = MappingProxyType(
    {s.rsplit(".", 1)[1]: id for s, id in TORCH_ACTIVATION_BY_FUNCTION.items() if s.startswith("torch.Tensor.")})
# what autograd names the node that produced a tensor, by activation (runtime)
GRAD_FN_ACTIVATIONS: Mapping[str, str] = MappingProxyType({
    "SoftmaxBackward0": "softmax", "LogSoftmaxBackward0": "log_softmax", "SigmoidBackward0": "sigmoid",
    "TanhBackward0": "tanh", "ReluBackward0": "relu", "HardtanhBackward0": "hard_tanh",
    "EluBackward0": "elu", "GeluBackward0": "gelu", "SiluBackward0": "swish", "SoftplusBackward0": "softplus",
    "ExpBackward0": "exponential",
    # a linear (affine) layer or convolution: unbounded logits
    "AddmmBackward0": "linear", "MmBackward0": "linear", "ConvolutionBackward0": "linear",
    "LinearBackward0": "linear",
})


# --------------------------------------------------------------------------- modules


class TorchModuleRole(str, enum.Enum):
    PROJECTION = "projection"  # Linear/Conv: sets the unit count, output is linear
    ACTIVATION = "activation"  # nn.Softmax: keeps units, sets the activation
    TRANSPARENT = "transparent"  # Dropout, Flatten: keeps units and activation
    NORMALIZATION = "normalization"  # BatchNorm: keeps units, output unbounded again


@dataclass(frozen=True)
class TorchModuleSpec:
    symbol: str
    role: TorchModuleRole
    units_arg: tuple[str, int] | None = None  # (keyword, positional index) of the output size


_PROJECTIONS = (("Linear", "out_features", 1), ("LazyLinear", "out_features", 0), ("Bilinear", "out_features", 2),
                *((f"Conv{d}d", "out_channels", 1) for d in (1, 2, 3)),
                *((f"ConvTranspose{d}d", "out_channels", 1) for d in (1, 2, 3)))
TORCH_MODULES: Mapping[str, TorchModuleSpec] = MappingProxyType({
    **{f"torch.nn.{n}": TorchModuleSpec(f"torch.nn.{n}", TorchModuleRole.PROJECTION, (kw, i))
       for n, kw, i in _PROJECTIONS},
    **{f"torch.nn.{n}": TorchModuleSpec(f"torch.nn.{n}", TorchModuleRole.TRANSPARENT) for n in (
        "Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "Flatten", "Identity")},
    **{f"torch.nn.{n}": TorchModuleSpec(f"torch.nn.{n}", TorchModuleRole.NORMALIZATION) for n in (
        "BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm")},
    **{s: TorchModuleSpec(s, TorchModuleRole.ACTIVATION) for s in TORCH_ACTIVATION_BY_MODULE},
})
TORCH_SEQUENTIAL = frozenset({"torch.nn.Sequential"})
TORCH_MODULE_LIST = frozenset({"torch.nn.ModuleList"})
TORCH_MODULE_DICT = frozenset({"torch.nn.ModuleDict"})
TORCH_MODULE_BASES = frozenset({"torch.nn.Module", "lightning.LightningModule"})
# methods of a module that return the module itself
MODULE_SELF_METHODS = frozenset({"to", "cuda", "cpu", "train", "eval", "double", "float", "half", "bfloat16", "apply",
                                 "requires_grad_", "to_empty", "type"})
# tensor methods that keep what a tensor holds (activation and class axis)
TENSOR_PRESERVING_METHODS = frozenset({"to", "cuda", "cpu", "float", "double", "half", "contiguous", "clone",
                                       "type_as", "requires_grad_"})
# tensor methods that keep the activation but may change the shape
TENSOR_RESHAPING_METHODS = frozenset({"view", "reshape", "squeeze", "unsqueeze", "flatten", "permute",
                                      "transpose", "view_as", "reshape_as"})
TORCH_RESHAPING_FUNCTIONS = frozenset({"torch.flatten", "torch.squeeze", "torch.unsqueeze", "torch.reshape"})
# tensor methods that change only the dtype: `y.long()`, `y.float()`
TENSOR_DTYPE_METHODS: Mapping[str, str] = MappingProxyType({
    "float": "float", "double": "float", "half": "float", "bfloat16": "float", "long": "int", "int": "int",
    "short": "int", "bool": "bool"})
TORCH_PARALLEL_APPLY = frozenset({"torch.nn.parallel.data_parallel"})
# calls that return the module they wrap (it trains and predicts as before)
TORCH_WRAPPERS = frozenset({"torch.nn.DataParallel", "torch.nn.parallel.DistributedDataParallel",
                            "torch.nn.parallel.DataParallel", "torch.compile", "torch.jit.script"})


@dataclass(frozen=True)
class LibraryModelSpec:
    """A torchvision / timm constructor whose output is a linear classifier head of `num_classes` units."""

    prefix: str  # the constructors it covers: `torchvision.models.resnet` covers resnet18, resnet50 ...
    head: str  # the attribute holding the head: `model.fc = nn.Linear(n, 2)` replaces it
    head_index: int | None = None  # the head is `Sequential` and the Linear sits at this index
    default_classes: int | None = 1000


_LIBRARY_MODELS = tuple(LibraryModelSpec(f"torchvision.models.{name}", head, index) for name, head, index in (
    ("resnet", "fc", None), ("resnext", "fc", None), ("wide_resnet", "fc", None), ("regnet", "fc", None),
    ("googlenet", "fc", None), ("inception_v3", "fc", None), ("shufflenet", "fc", None),
    ("densenet", "classifier", None), ("swin", "head", None),
    ("vgg", "classifier", 6), ("alexnet", "classifier", 6), ("mobilenet_v2", "classifier", 1),
    ("mobilenet_v3", "classifier", 3), ("efficientnet", "classifier", 1), ("mnasnet", "classifier", 1),
    ("convnext", "classifier", 2), ("vit_", "heads", 0),
)) + (LibraryModelSpec("timm.create_model", "__head__"),)
UNNAMED_HEAD = "__head__"  # timm: the head's attribute depends on the architecture
# attributes that hold a classifier head somewhere: assigning one on a timm model (whose head
# attribute depends on the architecture) leaves its output unknown
HEAD_ATTRIBUTES = frozenset({"fc", "head", "heads", "classifier", "last_linear"})


def library_model(symbol: str) -> LibraryModelSpec | None:
    """The spec of a torchvision / timm model constructor, or None."""
    if not symbol.startswith(("torchvision.models.", "timm.")) or symbol.rsplit(".", 1)[1][:1].isupper():
        return None
    return next((spec for spec in _LIBRARY_MODELS if symbol.startswith(spec.prefix)), None)

# --------------------------------------------------------------------------- labels


@dataclass(frozen=True)
class TorchDatasetSpec:
    symbol: str
    num_classes: int


TORCH_DATASETS: Mapping[str, TorchDatasetSpec] = MappingProxyType({s.symbol: s for s in (
    TorchDatasetSpec("torchvision.datasets.MNIST", 10),
    TorchDatasetSpec("torchvision.datasets.FashionMNIST", 10),
    TorchDatasetSpec("torchvision.datasets.KMNIST", 10),
    TorchDatasetSpec("torchvision.datasets.CIFAR10", 10),
    TorchDatasetSpec("torchvision.datasets.CIFAR100", 100),
    TorchDatasetSpec("torchvision.datasets.SVHN", 10),
    TorchDatasetSpec("torchvision.datasets.STL10", 10),
)})
TORCH_RANDINT = frozenset({"torch.randint"})
TORCH_ONE_HOT = frozenset({"torch.nn.functional.one_hot"})
TORCH_DATA_LOADERS = frozenset({"torch.utils.data.DataLoader"})
TORCH_TENSOR_DATASETS = frozenset({"torch.utils.data.TensorDataset"})
# class ids 0..C-1, C the number of class folders: only the data knows it
TORCH_FOLDER_DATASETS = frozenset({"torchvision.datasets.ImageFolder", "torchvision.datasets.DatasetFolder"})
# `torch.tensor(y)` keeps the labels; the dtype the call sets, if any
TORCH_TENSOR_FACTORIES: Mapping[str, str | None] = MappingProxyType({
    "torch.tensor": None, "torch.as_tensor": None, "torch.from_numpy": None, "torch.Tensor": "float",
    "torch.LongTensor": "int", "torch.FloatTensor": "float"})


# Autograd nodes of shape operations, by what they keep of the activation that produced their
# input (the runtime hook walks back through them, as the static front end does through the calls):
# "all": values only moved or copied (`squeeze`, `unsqueeze`, `view`, `reshape`, `flatten`,
# `permute`, `transpose`, `.t()`, `contiguous`, `clone`, `.double()`, `expand`), so a softmax
# row stays a softmax row wherever it lands; "elementwise": a selection (`x[:, 0]`, `x[mask]`,
# `narrow`), which keeps a sigmoid or logits but may cut a softmax row.
GRAD_FN_SHAPE_OPS: Mapping[str, str] = MappingProxyType({
    **{name: "all" for name in (
        "SqueezeBackward0", "SqueezeBackward1", "SqueezeBackward2", "UnsqueezeBackward0", "ViewBackward0",
        "UnsafeViewBackward0", "ReshapeAliasBackward0", "PermuteBackward0", "TransposeBackward0",
        "TransposeBackward1", "TBackward0", "CloneBackward0", "ToCopyBackward0", "ExpandBackward0",
        "AliasBackward0")},
    **{name: "elementwise" for name in (
        "SelectBackward0", "SliceBackward0", "IndexBackward0", "NarrowBackward0")},
})

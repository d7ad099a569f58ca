"""The JAX / optax / Flax records of the knowledge table.

optax losses take logits everywhere (shared reference "hf-jax-facts" §3); they join
`knowledge.LOSSES` as `LossSpec` records of these ids, so every rule finds them in one table.
Activations (`jax.nn.softmax`, `flax.linen.softmax`, `nnx.softmax`) are the same
`knowledge.ACTIVATIONS` ids as the Keras and PyTorch spellings.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

JAX_WORDS = ("optax", "flax", "jax")  # the textual prefilter looks for these


def canonical_jax_symbol(qualified_name: str) -> str:
    """Fold `optax.losses.softmax_cross_entropy` / `optax._src.loss.x` to `optax.x`, and
    `flax.linen.activation.softmax` to `flax.linen.softmax`.

    >>> canonical_jax_symbol("optax.losses.softmax_cross_entropy")
    'optax.softmax_cross_entropy'
    """
    parts = qualified_name.split(".")
    if parts[0] == "optax" and len(parts) > 2:
        return f"optax.{parts[-1]}"
    if parts[:2] == ["flax", "linen"] and len(parts) > 3:
        return f"flax.linen.{parts[-1]}"
    return qualified_name


def is_jax_symbol(symbol: str | None) -> bool:
    return bool(symbol) and symbol.split(".", 1)[0] in ("optax", "flax", "jax")


@dataclass(frozen=True)
class OptaxLossSpec:
    id: str  # "optax.softmax_cross_entropy" (also the symbol)
    family: str  # a knowledge.LossFamily value
    input_arg: str  # the keyword of the predictions
    target_arg: str  # the keyword of the labels
    from_logits: bool | None


OPTAX_LOSS_LIST = (
    OptaxLossSpec("optax.softmax_cross_entropy", "categorical", "logits", "labels", True),
    OptaxLossSpec("optax.softmax_cross_entropy_with_integer_labels", "sparse", "logits", "labels", True),
    OptaxLossSpec("optax.sigmoid_binary_cross_entropy", "binary", "logits", "labels", True),
    OptaxLossSpec("optax.l2_loss", "regression", "predictions", "targets", None),
    OptaxLossSpec("optax.squared_error", "regression", "predictions", "targets", None),
    OptaxLossSpec("optax.huber_loss", "regression", "predictions", "targets", None),
)
OPTAX_LOSSES: Mapping[str, OptaxLossSpec] = MappingProxyType({s.id: s for s in OPTAX_LOSS_LIST})

_ACTIVATIONS = {"softmax": "softmax", "log_softmax": "log_softmax", "sigmoid": "sigmoid", "relu": "relu",
                "tanh": "tanh", "gelu": "gelu", "elu": "elu", "selu": "selu", "softplus": "softplus",
                "silu": "swish", "swish": "swish", "relu6": "relu6", "leaky_relu": "leaky_relu",
                "hard_tanh": "hard_tanh", "celu": "celu", "mish": "mish"}
JAX_ACTIVATIONS: Mapping[str, str] = MappingProxyType({
    f"{root}.{name}": activation for root in ("jax.nn", "flax.linen", "flax.nnx", "jax.numpy")
    for name, activation in _ACTIVATIONS.items() if root != "jax.numpy" or name == "tanh"})
FLAX_MODULE_BASES = frozenset({"flax.linen.Module", "flax.nnx.Module"})
# `nn.Dense(features=10)`: a projection of `features` units
FLAX_PROJECTIONS: Mapping[str, tuple[str, int]] = MappingProxyType({
    "flax.linen.Dense": ("features", 0), "flax.linen.Conv": ("features", 0), "flax.nnx.Linear": ("out_features", 1),
    "flax.nnx.Conv": ("out_features", 1)})
# `nnx.view(model, deterministic=False)`: the same module (another view of its state)
FLAX_SAME_MODULE = frozenset({"flax.nnx.view"})
JAX_ONE_HOT = frozenset({"jax.nn.one_hot", "flax.training.common_utils.onehot"})
TRAIN_STATE_CREATE = frozenset({"flax.training.train_state.TrainState.create"})
# `jax.value_and_grad(loss_fn)(params, x, y)`: calling what they return runs the function on those arguments
FUNCTION_TRANSFORMS = frozenset({"jax.grad", "jax.value_and_grad", "jax.jit", "jax.checkpoint", "jax.remat",
                                 "flax.nnx.grad", "flax.nnx.value_and_grad", "flax.nnx.jit",
                                 "flax.nnx.remat"})

"""JAX, optax and Flax as the one interpreter reads them.

A mixin of `static.engine.interpreter.Interpreter` (the engine), beside the PyTorch library, whose values
it shares (a Flax `nn.Dense(10)` is a projection module, a `jax.nn.softmax(x)` an `Output` that
remembers its activation):

* a class deriving from `flax.linen.Module` (or `nnx.Module`) is an engine `Model` of kind "flax";
  `model.apply(params, x)`, `state.apply_fn(...)` and calling an NNX module run its `__call__`;
* `nn.Dense(features=N)` / `nnx.Linear(in, N)` give a linear output of N units; `nn.softmax`,
  `jax.nn.sigmoid` ... apply an activation;
* `optax.softmax_cross_entropy(logits, labels)` and the other optax losses are loss sites,
  recorded as `JaxLossCall`s; `jax/extract.py` makes facts of them;
* `jax.nn.one_hot(ids, C)` gives float one-hot rows of width C.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from ... import knowledge_jax as j
from ...diagnostics import SourceRef
from ..callargs import arg as _arg, positional as _positional
from ..engine.values import UNKNOWN, Const, Function, Labels, Model
from ..torch.values import INPUT, TorchModule


@dataclass
class JaxLossCall:
    node: cst.Call
    ref: SourceRef
    spec: j.OptaxLossSpec
    text: str
    input: object
    target: object
    target_text: str


class JaxLibrary:
    """What JAX / optax / Flax calls mean; the engine consults it (see the module docstring)."""

    def _init_jax(self) -> None:
        self.jax_loss_calls: list[JaxLossCall] = []

    def jax_call_symbol(self, symbol: str, node: cst.Call, env) -> object | None:
        if symbol in j.FUNCTION_TRANSFORMS:  # the transformed function runs as the function itself
            first = self._first_value(node, env)
            return first if isinstance(first, Function) else UNKNOWN
        if symbol in j.FLAX_SAME_MODULE:
            first = self._first_value(node, env)
            return first if isinstance(first, Model) and first.kind == "flax" else UNKNOWN
        spec = j.OPTAX_LOSSES.get(symbol)
        if spec is not None:
            self.record_jax_loss(spec, node, env)
            return UNKNOWN
        activation = j.JAX_ACTIVATIONS.get(symbol)
        if activation is not None:
            return self.apply_torch_activation(activation, self._first_value(node, env), node)
        if symbol in j.FLAX_PROJECTIONS:
            keyword, index = j.FLAX_PROJECTIONS[symbol]
            units_node = _arg(node, keyword, index)
            units = self.eval(units_node, env) if units_node is not None else None
            self._eval_args(node, env, skip=(units_node,))
            count = units.value if isinstance(units, Const) and isinstance(units.value, int) \
                and not isinstance(units.value, bool) else None
            return TorchModule("projection", self.ref(node), self._short(node, symbol.rsplit(".", 1)[1] + "(...)"),
                               units=count)
        if symbol in j.JAX_ONE_HOT:
            first = self._first_value(node, env)
            classes = _arg(node, "num_classes", 1)
            count = self.eval(classes, env) if classes is not None else None
            if isinstance(first, Labels) and isinstance(count, Const) and isinstance(count.value, int) \
                    and not isinstance(count.value, bool) and count.value > 0:
                return Labels("one-hot", self.ref(node), count.value, 0, 1, "float32")
            return UNKNOWN
        if symbol in j.TRAIN_STATE_CREATE:
            values = self.keyword_values(node, env)
            return TrainState(values.get("apply_fn", UNKNOWN))
        if symbol == "jax.numpy.array" or symbol == "jax.numpy.asarray":  # literal labels, or the same labels
            first = self._first_value(node, env)
            return self.literal_labels(first, node, env)
        return None

    def jax_method(self, base: object, method: str, node: cst.Call, env) -> object | None:
        """`model.apply(params, x)` on a Flax module: its `__call__` run on `x`."""
        if not (isinstance(base, Model) and base.kind == "flax"):
            return None
        if method == "apply":
            args = _positional(node)
            values = [self.eval(a, env) for a in args]
            self._eval_args(node, env, skip=tuple(args))
            return self.flax_call(base, values[1:] or [INPUT])
        if method == "init":
            self._eval_args(node, env)
            return UNKNOWN
        return None

    def jax_attribute(self, base: object, attr: str) -> object | None:
        if isinstance(base, Model) and base.kind == "flax" and attr == "apply":
            return FlaxApply(base)
        if isinstance(base, TrainState):
            return base.apply_fn if attr == "apply_fn" else UNKNOWN
        return None

    def jax_call_value(self, callee: object, node: cst.Call, env) -> object | None:
        if isinstance(callee, FlaxApply):  # `state.apply_fn({"params": params}, x)`
            args = _positional(node)
            values = [self.eval(a, env) for a in args]
            self._eval_args(node, env, skip=tuple(args))
            return self.flax_call(callee.model, values[1:] or [INPUT])
        if isinstance(callee, Model) and callee.kind == "flax":  # an NNX module called, or `self.sub(x)`
            args, kwargs, complete = self._evaluated_arguments(node, env)
            return self.flax_call(callee, args or [INPUT], kwargs, complete)
        return None

    def flax_call(self, model: Model, args: list, kwargs: dict | None = None, complete: bool = True) -> object:
        function = model.user_class.lookup("__call__") if model.user_class is not None else None
        if function is None:
            return UNKNOWN
        return self.call_function(function, list(args), dict(kwargs or {}), complete, bound_self=model)

    def record_jax_loss(self, spec: j.OptaxLossSpec, node: cst.Call, env) -> None:
        input_node, target_node = _arg(node, spec.input_arg, 0), _arg(node, spec.target_arg, 1)
        value = self.eval(input_node, env) if input_node is not None else UNKNOWN
        target = self.eval(target_node, env) if target_node is not None else UNKNOWN
        self._eval_args(node, env, skip=(input_node, target_node))
        if input_node is None or self.path != self._home_path:
            return
        text = self._text(target_node) if target_node is not None else "labels"
        written = self._text(node.func)
        self.jax_loss_calls.append(JaxLossCall(node, self.ref(node), spec, written if len(written) <= 48 else spec.id,
                                               value, target, text if len(text) <= 40 else "labels"))


@dataclass(frozen=True)
class FlaxApply:
    """`model.apply` as a value (`TrainState.create(apply_fn=model.apply, ...)`): calling it runs `__call__`."""

    model: Model


@dataclass(frozen=True)
class TrainState:
    """`train_state.TrainState.create(apply_fn=..., params=..., tx=...)`: `state.apply_fn` is what was given."""

    apply_fn: object

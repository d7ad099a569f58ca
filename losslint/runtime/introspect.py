"""Live Keras model + compile arguments → `ModelFacts` (origin="runtime").

Works on Keras 3 (any backend) and tf-keras without importing either: everything is read from
the objects passed in (class names, `get_config()`, `_keras_history`). Anything unexpected
yields `None` for that fact, so rules stay silent.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from ..diagnostics import SourceRef
from ..facts import LabelFacts, LossFacts, MetricFacts, ModelFacts, OutputFacts, layer_display, loss_display
from ..knowledge import (ACTIVATION_BY_LAYER, ACTIVATION_BY_STRING, LAYERS, LOSS_BY_CLASS, LOSS_BY_STRING,
                         METRIC_BY_FUNCTION, METRIC_BY_STRING, LayerRole, LossFamily, affine_activation,
                         merged_activation, reshaped_activation)

_KERAS_MODULES = ("keras", "tf_keras", "tensorflow")
_ACTIVATION_ALIASES = {"softmax_v2": "softmax", "log_softmax_v2": "log_softmax", "silu": "swish"}


def _from_keras(obj: Any) -> bool:
    module = getattr(obj, "__module__", None) or type(obj).__module__ or ""
    return module.split(".")[0] in _KERAS_MODULES


def _ref(what: str) -> SourceRef:
    return SourceRef(origin=what)


# --------------------------------------------------------------------------- outputs


def resolve_outputs(model) -> tuple[list, list[str | None]] | None:
    """The symbolic output tensors and their names (functional and built Sequential models),
    or None. Never calls the model: a subclassed model's outputs are observed in a train step
    (`observe_outputs`)."""
    try:
        tensors = list(model.outputs)
        names = list(getattr(model, "output_names", None) or [None] * len(tensors))
        return tensors, names if len(names) == len(tensors) else [None] * len(tensors)
    except (AttributeError, ValueError, TypeError):
        return None


class ObservedOutput:
    """An output seen as `y_pred` in a train step: what produced it, and its shape."""

    def __init__(self, activation_id, projection, activation_layer, shape) -> None:
        self.activation_id, self.projection, self.activation_layer = activation_id, projection, activation_layer
        self.shape = shape


# The op (TensorFlow graph) or autograd node (torch) that ends an activation function.
_TF_OP_ACTIVATIONS = {"Softmax": "softmax", "Sigmoid": "sigmoid", "LogSoftmax": "log_softmax", "Relu": "relu",
                      "Relu6": "relu6", "Tanh": "tanh", "Softplus": "softplus", "Elu": "elu", "Selu": "selu",
                      "Exp": "exponential"}
_TORCH_ACTIVATIONS = {"SoftmaxBackward0": "softmax", "SigmoidBackward0": "sigmoid",
                      "LogSoftmaxBackward0": "log_softmax", "ReluBackward0": "relu", "TanhBackward0": "tanh",
                      "SoftplusBackward0": "softplus", "EluBackward0": "elu", "ExpBackward0": "exponential"}


def _static_shape(tensor) -> tuple | None:
    shape = getattr(tensor, "shape", None)
    try:
        return tuple(None if d is None else int(d) for d in shape) if shape is not None else None
    except (TypeError, ValueError):
        return None


def _named_layers(model) -> dict[str, Any]:
    try:
        layers = list(model._flatten_layers(include_self=False))
    except (AttributeError, TypeError):
        layers = list(getattr(model, "layers", None) or [])
    found: dict[str, Any] = {}
    for layer in layers:
        found.setdefault(getattr(layer, "name", None), layer)
    return found


def _layer_of_op(layers: dict[str, Any], op_name: str):
    """The innermost layer whose name scope encloses a TensorFlow op (`model/dense_1/Sigmoid`).

    TensorFlow makes repeated scopes unique with a `_N` suffix (`dense_1_2`), so a scope also
    matches the layer named without its last suffix; the caller checks the match against the op.
    """
    for scope in reversed(op_name.split("/")[:-1]):
        if scope in layers:
            return layers[scope]
        base, _, suffix = scope.rpartition("_")
        if suffix.isdigit() and base in layers:
            return layers[base]
    return None


def _agrees(act: str | None, op_type: str, units, shape) -> bool:
    """A layer found by scope is trusted only if its activation matches the op that ended it
    and its unit count matches the output's last axis."""
    if units is not None and shape and shape[-1] is not None and units != shape[-1]:
        return False
    op_act = _TF_OP_ACTIVATIONS.get(op_type)
    if act == "linear":
        return op_act is None and op_type in ("BiasAdd", "AddV2", "Add", "MatMul", "BatchMatMulV2", "Einsum")
    return op_act is not None and op_act == act


def _observe_tf(model, tensor):
    if type(tensor).__name__ == "EagerTensor":
        return None  # no producing op
    op = getattr(tensor, "op", None)  # graph tensors only; an eager tensor has no producing op
    while op is not None and op.type == "Identity" and len(op.inputs) == 1:
        op = op.inputs[0].op
    if op is None or not isinstance(getattr(op, "name", None), str):
        return None
    layers = _named_layers(model) if model is not None else {}
    layer = _layer_of_op(layers, op.name)
    if layer is not None:
        act, projection, act_layer = _final_layer(layer, 0)
        if _agrees(act, op.type, getattr(projection, "units", None), _static_shape(tensor)):
            return act, projection, act_layer
    act = _TF_OP_ACTIVATIONS.get(op.type)  # an activation applied in call() itself
    if act is None:
        return None
    producer = _layer_of_op(layers, op.inputs[0].op.name) if len(op.inputs) else None
    return act, producer, producer


def is_graph_tensor(value) -> bool:
    """A TensorFlow graph tensor (inside a `tf.function` being traced), not an eager one."""
    return (type(value).__module__ or "").startswith("tensorflow") and type(value).__name__ != "EagerTensor" \
        and isinstance(getattr(getattr(value, "op", None), "name", None), str)


def producing_model(tensor, models: list):
    """Which of `models` produced a graph tensor: the one model that owns the layer whose name
    scope encloses the tensor's op (`sequential_1/dense_1_2/BiasAdd`: layer `dense_1`), with that
    layer's activation and units agreeing with the op. Layer names are unique in a Keras session;
    model scopes are not (TensorFlow renames a repeated `sequential` scope `sequential_1`)."""
    op = getattr(tensor, "op", None)
    while op is not None and op.type == "Identity" and len(op.inputs) == 1:
        op = op.inputs[0].op
    if op is None or "/" not in op.name:
        return None
    matches = []
    for model in models:
        layer = _layer_of_op(_named_layers(model), op.name)
        if layer is None:
            continue
        act, projection, _ = _final_layer(layer, 0)
        if _agrees(act, op.type, getattr(projection, "units", None), _static_shape(tensor)):
            matches.append(model)
    return matches[0] if len(matches) == 1 else None


# Reshapes between a softmax's division and its sum (keepdims is a broadcast in a jaxpr).
_JAX_PASS = frozenset({"broadcast_in_dim", "reshape", "expand_dims", "convert_element_type", "copy"})


def _observe_jax(tensor):
    """Inside a jitted JAX train step `y_pred` is a tracer; the jaxpr recorded so far says which
    primitive produced it. Only two unmistakable endings are named: `logistic` (a sigmoid) and a
    softmax's `exp(z) / sum(exp(z))`. Reads the trace's equations; adds none."""
    primal = getattr(tensor, "primal", tensor)  # under value_and_grad: a linearize/JVP tracer
    var = getattr(primal, "val", None)
    frame = getattr(getattr(primal, "_trace", None), "frame", None)
    if var is None or frame is None or not hasattr(frame, "get_eqns"):
        return None
    producer = {}
    for eqn in frame.get_eqns():
        for out in eqn.outvars:
            producer[id(out)] = eqn
    eqn = producer.get(id(var))
    if eqn is None:
        return None
    name = eqn.primitive.name
    if name == "logistic":
        return "sigmoid", None, None
    if name == "div" and len(eqn.invars) == 2:
        numerator, denominator = producer.get(id(eqn.invars[0])), producer.get(id(eqn.invars[1]))
        for _ in range(4):
            if denominator is None or denominator.primitive.name not in _JAX_PASS:
                break
            denominator = producer.get(id(denominator.invars[0]))
        if numerator is not None and denominator is not None and numerator.primitive.name == "exp" \
                and denominator.primitive.name == "reduce_sum" and denominator.invars[0] is eqn.invars[0]:
            return "softmax", None, None
    return None


def _named_by_layer(model, seen, shape):
    """Name the layer for an activation read from a trace: the one layer of `model` that ends in
    that activation with that many units, if there is exactly one (else the output stays unnamed)."""
    if seen is None or model is None or not shape or shape[-1] is None:
        return seen
    found = []
    for layer in _named_layers(model).values():
        if hasattr(layer, "layers"):
            continue  # nested models: their own layers are listed too
        act, projection, act_layer = _final_layer(layer, 0)
        if act == seen[0] and getattr(projection, "units", None) == shape[-1]:
            found.append((act, projection, act_layer))
    return found[0] if len(found) == 1 else seen


def _observe_torch(tensor):
    node = getattr(tensor, "grad_fn", None)
    act = _TORCH_ACTIVATIONS.get(type(node).__name__) if node is not None else None
    return (act, None, None) if act is not None else None


def _observe_one(model, tensor) -> ObservedOutput | None:
    shape = _static_shape(tensor)
    if shape is None:
        return None
    if getattr(tensor, "_keras_history", None) is not None:
        act, projection, act_layer = _final_layer(*_producer(tensor))
        return ObservedOutput(act, projection, act_layer, shape)
    module = type(tensor).__module__ or ""
    seen = None
    try:
        if module.startswith("tensorflow"):
            seen = _observe_tf(model, tensor)
        elif module.startswith("torch"):
            seen = _observe_torch(tensor)
        elif module.startswith("jax"):
            seen = _named_by_layer(model, _observe_jax(tensor), shape)
    except Exception:  # noqa: BLE001 - framework internals we read may change: then unknown
        seen = None
    if seen is None:  # JAX tracers and anything else: the shape only, activation unknown
        return ObservedOutput(None, None, None, shape)
    return ObservedOutput(*seen, shape)


def observe_outputs(model, y_pred) -> tuple[list, list[str | None]] | None:
    """Outputs as seen in `compute_loss(y_pred=...)` of a train step, or None.

    TensorFlow graph tensors name their producing op and layer scope; torch tensors their
    autograd node; JAX tracers only their shape. Only reads attributes: nothing is computed.
    """
    if y_pred is None:
        return None
    if isinstance(y_pred, Mapping):
        names, tensors = list(y_pred.keys()), list(y_pred.values())
    elif isinstance(y_pred, (list, tuple)):
        names, tensors = [None] * len(y_pred), list(y_pred)
    else:
        names, tensors = [None], [y_pred]
    seen = [_observe_one(model, t) for t in tensors]
    return (seen, names) if all(s is not None for s in seen) else None


def _producer(tensor):
    history = getattr(tensor, "_keras_history", None)
    if history is None:
        return None, 0
    layer = getattr(history, "operation", None) or getattr(history, "layer", None)
    index = getattr(history, "tensor_index", 0)
    if layer is None and isinstance(history, tuple):  # old tf-keras: (layer, node, tensor)
        layer, index = history[0], history[2]
    return layer, index


def _inputs_of(layer):
    """The single input tensor of `layer`'s first call, or None."""
    nodes = getattr(layer, "_inbound_nodes", None) or []
    if len(nodes) != 1:
        return None
    tensors = getattr(nodes[0], "input_tensors", None)
    if tensors is None or not isinstance(tensors, (list, tuple)):
        return tensors
    return tensors[0] if len(tensors) == 1 else None


def _all_inputs_of(layer) -> list:
    """The input tensors of a merge layer's only call."""
    nodes = getattr(layer, "_inbound_nodes", None) or []
    if len(nodes) != 1:
        return []
    tensors = getattr(nodes[0], "input_tensors", None)
    return list(tensors) if isinstance(tensors, (list, tuple)) else []


def _activation_id(function) -> str | None:
    if function is None or not _from_keras(function):
        return None  # a user's own function or lambda: unknown
    name = getattr(function, "__name__", None)
    name = _ACTIVATION_ALIASES.get(name, name)
    return ACTIVATION_BY_STRING.get(name) if isinstance(name, str) else None


def _layer_spec(layer):
    return LAYERS.get(f"keras.layers.{type(layer).__name__}") if _from_keras(layer) else None


def _units(tensor) -> int | None:
    shape = getattr(tensor, "shape", None)
    try:
        last = shape[-1]
        return int(last) if last is not None else None
    except (TypeError, IndexError, ValueError):
        return None


def _describe(layer, units) -> str:
    return layer_display(type(layer).__name__, units)


def _final_layer(layer, index: int, depth: int = 0):
    """(activation id, the projection layer, the layer that sets the activation) for a producer.

    Walks back through activation and transparent layers; recurses into nested models.
    """
    if layer is None or depth > 20:
        return None, None, None
    if hasattr(layer, "layers") and hasattr(layer, "compile"):  # a nested model
        found = resolve_outputs(layer)
        if found is None:
            inner = layer.layers[-1] if getattr(layer, "layers", None) else None
            return _final_layer(inner, 0, depth + 1)
        tensors, _ = found
        return _final_layer(*_producer(tensors[index]), depth + 1) if index < len(tensors) else (None,) * 3
    spec = _layer_spec(layer)
    if spec is None:
        return None, layer, layer  # Lambda, Reshape, custom layers: opaque
    if spec.role is LayerRole.WRAPPER:  # TimeDistributed(Dense(...))
        inner_act, inner, _ = _final_layer(getattr(layer, "layer", None), 0, depth + 1)
        return inner_act, inner, layer
    if spec.role is LayerRole.TRANSPARENT:
        return _final_layer(*_producer(_inputs_of(layer)), depth + 1)
    if spec.role is LayerRole.ACTIVATION:
        act = ACTIVATION_BY_LAYER.get(f"keras.layers.{type(layer).__name__}") \
            or _activation_id(getattr(layer, "activation", None))
        below, projection, below_layer = _final_layer(*_producer(_inputs_of(layer)), depth + 1)
        if act == "linear" and below is not None:  # Activation("linear", dtype="float32"): values unchanged
            return below, projection, below_layer
        return act, projection or layer, layer
    if spec.role is LayerRole.AFFINE:  # Rescaling(255) after a linear head
        below, projection, below_layer = _final_layer(*_producer(_inputs_of(layer)), depth + 1)
        return (below, projection, below_layer) if affine_activation(below) else (None, layer, layer)
    if spec.role is LayerRole.SHAPE:  # Flatten, Reshape, pooling after the head
        source = _inputs_of(layer)
        below, projection, below_layer = _final_layer(*_producer(source), depth + 1)
        same_last_axis = _units(source) is not None and _units(source) == _units(getattr(layer, "output", None))
        kept = reshaped_activation(spec, below, same_last_axis)
        return (kept, projection, below_layer) if kept else (None, layer, layer)
    if spec.role is LayerRole.MERGE:  # Add, Concatenate, Average of several heads
        found = [_final_layer(*_producer(t), depth + 1) for t in _all_inputs_of(layer)]
        merge = spec.merge if spec.merge != "concatenate" or getattr(layer, "axis", -1) == -1 else None
        kept = merged_activation(merge, [f[0] for f in found]) if found else None
        return (kept, found[0][1], found[0][2]) if kept else (None, layer, layer)
    return _activation_id(getattr(layer, "activation", None)), layer, layer


def _output_facts(tensor, name, loss, labels, metrics) -> OutputFacts:
    if isinstance(tensor, ObservedOutput):
        act, projection, act_layer = tensor.activation_id, tensor.projection, tensor.activation_layer
    else:
        act, projection, act_layer = _final_layer(*_producer(tensor))
    units = _units(tensor)
    if projection is None:
        projection = act_layer = None
    layer_name = getattr(projection, "name", "?")
    return OutputFacts(
        activation_id=act, units=units,
        layer_text=_describe(projection, units) if projection is not None else "output",
        ref=_ref(f"layer '{layer_name}'"),
        activation_ref=_ref(f"layer '{getattr(act_layer, 'name', layer_name)}'"),
        name=name, loss=loss, labels=labels, metrics=metrics,
        squashed_below=projection is not None and act_layer is not projection
        and _activation_id(getattr(projection, "activation", None)) != "linear",
    )


# --------------------------------------------------------------------------- losses and metrics


def loss_facts(loss: Any, where: str = "loss") -> LossFacts | None:
    """A single loss as passed to compile: string, keras function or keras Loss object."""
    if isinstance(loss, str):
        loss_id = LOSS_BY_STRING.get(loss)
        return LossFacts(loss_id, False, loss_display(loss, is_class=False, from_logits=False), _ref(where)) \
            if loss_id else None
    if not _from_keras(loss):
        return None  # user-defined loss: unknown semantics
    if isinstance(loss, type):
        return None
    if callable(loss) and hasattr(loss, "__name__"):  # a function such as keras.losses.binary_crossentropy
        loss_id = LOSS_BY_STRING.get(loss.__name__)
        return LossFacts(loss_id, False, loss.__name__, _ref(where)) if loss_id else None
    class_name = type(loss).__name__
    loss_id = LOSS_BY_CLASS.get(f"keras.losses.{class_name}")
    if loss_id is None:  # LossFunctionWrapper(fn) built by hand
        fn = getattr(loss, "fn", None)
        loss_id = LOSS_BY_STRING.get(getattr(fn, "__name__", None) or "")
    if loss_id is None:
        return None
    try:
        from_logits = bool(loss.get_config().get("from_logits", False))
    except Exception:
        from_logits = None
    text = loss_display(class_name, is_class=True, from_logits=from_logits)
    return LossFacts(loss_id, from_logits, text, _ref(where))


def resolve_auto_loss(loss: LossFacts | None, units: int | None, label_shape, output_rank) -> LossFacts | None:
    """`"crossentropy"`/`"ce"`: Keras picks the loss by shape at fit (compile_utils.py)."""
    if loss is None or loss.spec.family is not LossFamily.AUTO_CROSSENTROPY:
        return loss
    if units == 1:
        picked = "binary_crossentropy"
    elif label_shape is None or output_rank is None:
        return loss
    elif len(label_shape) < output_rank or label_shape[-1] == 1:
        picked = "sparse_categorical_crossentropy"
    else:
        picked = "categorical_crossentropy"
    return LossFacts(picked, loss.from_logits, loss.text, loss.ref, loss.confidence)


def _metric_facts(metric: Any, where: str) -> MetricFacts | None:
    if isinstance(metric, str):
        return MetricFacts(METRIC_BY_STRING.get(metric), metric, _ref(where))
    if not _from_keras(metric):
        return None
    name = getattr(metric, "__name__", None) or type(metric).__name__
    metric_id = METRIC_BY_FUNCTION.get(f"keras.metrics.{name}")
    threshold = getattr(metric, "threshold", 0.5)
    return MetricFacts(metric_id, name if callable(metric) and hasattr(metric, "__name__") else f"{name}()",
                       _ref(where), threshold=threshold if isinstance(threshold, (int, float)) else None)


def _per_output(value: Any, names: list[str | None], position: int) -> Any:
    """The entry of a per-output structure (dict by name, list by position) for one output."""
    if isinstance(value, Mapping):
        return value.get(names[position]) if names[position] is not None else None
    if isinstance(value, (list, tuple)) and len(names) > 1 and len(value) == len(names):
        return value[position]
    return value


def _metrics_for(metrics: Any, names: list[str | None], position: int) -> tuple[MetricFacts, ...]:
    entries = _per_output(metrics, names, position) if isinstance(metrics, Mapping) or (
        len(names) > 1 and isinstance(metrics, (list, tuple)) and all(
            isinstance(m, (list, tuple)) for m in metrics)) else metrics
    if entries is None:
        return ()
    if not isinstance(entries, (list, tuple)):
        entries = [entries]
    found = (_metric_facts(m, f"metrics[{i}]") for i, m in enumerate(entries))
    return tuple(m for m in found if m is not None)


# --------------------------------------------------------------------------- the model


def model_facts(model, loss: Any, metrics: Any = None, *, outputs=None,
                labels: list[LabelFacts | None] | None = None, label_shapes: list | None = None) -> ModelFacts:
    """Facts for a compiled live model.

    `outputs` is `resolve_outputs(model)` or `observe_outputs(model, y_pred)` (by the caller);
    `labels`/`label_shapes` are per output and known only at fit.
    """
    name = getattr(model, "name", None) or type(model).__name__
    found = outputs if outputs is not None else resolve_outputs(model)
    if found is None and hasattr(model, "layers") and type(model).__name__ == "Sequential" and model.layers:
        # Unbuilt Sequential: no symbolic outputs yet, the last layer is the output.
        last = model.layers[-1]
        act, projection, act_layer = _final_layer(last, 0)
        units = getattr(projection, "units", None) if projection is not None else None
        facts = [_single_output(act, projection, act_layer, units, loss, metrics, labels)]
        return ModelFacts(name, _ref(f"model '{name}'"), tuple(facts), origin="runtime")
    if found is None:
        return ModelFacts(name, _ref(f"model '{name}'"), (), unresolved=("output activation",), origin="runtime")
    tensors, names = found
    outputs = []
    for i, tensor in enumerate(tensors):
        entry = _per_output(loss, names, i)
        facts = loss_facts(entry, f"loss of output '{names[i]}'" if names[i] else "loss") \
            if entry is not None else None
        shape = getattr(tensor, "shape", None)
        label_shape = label_shapes[i] if label_shapes and i < len(label_shapes) else None
        facts = resolve_auto_loss(facts, _units(tensor), label_shape, len(shape) if shape is not None else None)
        outputs.append(_output_facts(tensor, names[i], facts, labels[i] if labels and i < len(labels) else None,
                                     _metrics_for(metrics, names, i)))
    return ModelFacts(name, _ref(f"model '{name}'"), tuple(outputs), origin="runtime")


def _single_output(act, projection, act_layer, units, loss, metrics, labels) -> OutputFacts:
    facts = loss_facts(loss) if loss is not None and not isinstance(loss, (Mapping, list, tuple)) else None
    facts = resolve_auto_loss(facts, units, None, None)
    layer_name = getattr(projection, "name", "?")
    return OutputFacts(
        activation_id=act, units=units,
        layer_text=_describe(projection, units) if projection is not None else "output",
        ref=_ref(f"layer '{layer_name}'"), activation_ref=_ref(f"layer '{getattr(act_layer, 'name', '?')}'"),
        loss=facts, labels=labels[0] if labels else None, metrics=_metrics_for(metrics, [None], 0),
    )


def output_shapes(found) -> list[tuple] | None:
    """Shapes of the resolved output tensors (for label classification), or None."""
    if found is None:
        return None
    try:
        return [tuple(t.shape) for t in found[0]]
    except (AttributeError, TypeError):
        return None


# --------------------------------------------------------------------------- losses called directly

# `keras.losses` functions checked when called directly (the loss objects are checked through
# `Loss.__call__`); all take (y_true, y_pred).
DIRECT_LOSS_FUNCTIONS = tuple(name for name in ("categorical_crossentropy", "sparse_categorical_crossentropy",
                                                "binary_crossentropy", "binary_focal_crossentropy",
                                                "categorical_focal_crossentropy", "kl_divergence", "poisson")
                              if LOSS_BY_STRING.get(name))
MAX_PRED_ROWS = 4096  # rows of y_pred looked at when judging by values


def _values_activation(tensor) -> str | None:
    """Judge an output by its values, on a bounded slice: rows in [0, 1] summing to 1 are a
    softmax; values below 0 and beyond 1 are unbounded (linear-like). Anything else: unknown."""
    import numpy as np

    from .labels import as_array

    try:
        head = tensor[:MAX_PRED_ROWS] if getattr(tensor, "ndim", 0) >= 1 else tensor
    except Exception:  # noqa: BLE001 - a tensor type that cannot be sliced
        return None
    array = as_array(head)
    if array is None or array.dtype.kind != "f" or array.ndim < 2 or not np.isfinite(array).all():
        return None
    low, high = float(array.min()), float(array.max())
    if low >= 0.0 and high <= 1.0 and array.shape[-1] >= 2:
        sums = array.reshape(-1, array.shape[-1]).sum(axis=1)
        return "softmax" if np.allclose(sums, 1.0, atol=1e-3) else None
    if low < -1.0 or high > 1.0:
        return "linear" if low < 0.0 else None
    return None


def _tensor_text(shape: tuple) -> str:
    """`Tensor[32, 10]`: an eager tensor does not say which layer made it (only Keras's symbolic
    tensors and TensorFlow graph tensors inside a running fit do); name its shape, not a layer."""
    return f"Tensor[{', '.join('?' if d is None else str(d) for d in shape)}]"


def loss_call_facts(loss: Any, y_true, y_pred, label_facts_for, from_logits=None, model=None) -> ModelFacts | None:
    """Facts for one direct call `loss(y_true, y_pred)` outside `fit`, or None when the loss is
    not one we know or the output cannot be read. Reads attributes and a bounded slice of values.
    `from_logits`: the argument a loss *function* was called with (None: the loss object's own);
    `model`: the model whose `fit` is running (a loss called in its `train_step`), else None."""
    facts = loss_facts(loss, "loss call")
    if facts is None or isinstance(y_pred, (Mapping, list, tuple)):
        return None
    if from_logits is not None:
        try:
            from_logits = bool(from_logits)
        except Exception:  # noqa: BLE001 - a symbolic flag: unknown
            return None
        text = f"{facts.text}(..., from_logits=True)" if from_logits else facts.text
        facts = dataclasses.replace(facts, from_logits=from_logits, text=text)
    shape = _static_shape(y_pred)
    if not shape:
        return None
    seen = _observe_one(model, y_pred)  # a graph tensor's op scope names a layer of `model`
    act, projection, act_layer = (seen.activation_id, seen.projection, seen.activation_layer) if seen else (None,) * 3
    if getattr(y_pred, "_keras_logits", None) is not None and act is None:  # Keras's TF softmax/sigmoid mark
        act = _values_activation(y_pred) or ("sigmoid" if shape[-1] == 1 else None)
    if act is None:
        act = _values_activation(y_pred)
    if act is None:
        return None
    units = shape[-1] if len(shape) > 1 else None
    facts = resolve_auto_loss(facts, units, _static_shape(y_true), len(shape))
    labels = label_facts_for(y_true, shape)
    layer_name = getattr(projection, "name", None)
    output = OutputFacts(
        activation_id=act, units=units,
        layer_text=_describe(projection, units) if projection is not None else _tensor_text(shape),
        ref=_ref(f"layer '{layer_name}'" if layer_name else "y_pred"),
        activation_ref=_ref(f"layer '{getattr(act_layer, 'name', layer_name)}'" if layer_name else "y_pred"),
        loss=facts, labels=labels,
    )
    name = type(loss).__name__ if not hasattr(loss, "__name__") else loss.__name__
    return ModelFacts(name, _ref("loss call"), (output,), origin="runtime", site="loss-call")

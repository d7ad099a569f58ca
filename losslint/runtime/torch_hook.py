"""The PyTorch inspector: the first call of each loss module and functional loss is checked.

`hook.py` owns installation: it calls `patch(torch)` when torch is (or gets) imported and
`unpatch()` on uninstall. Findings go through `reporting.py`, the warning path every inspector
shares; this module never imports `hook`. Patched: `forward` of the loss classes
(`nn.CrossEntropyLoss`, `nn.BCEWithLogitsLoss`, `nn.BCELoss`, `nn.NLLLoss`, `nn.KLDivLoss`) and
the functions of `torch.nn.functional` they stand for.

What the first call of a loss object inspects (never again for that object):
* the input's `grad_fn` name (`SoftmaxBackward0`, `AddmmBackward0`, …: free, no synchronisation);
  when the graph says nothing (no grad, or an op after the activation) and the loss needs it,
  the values (softmax rows are non-negative and sum to 1; log-probabilities are never positive);
* the target: dtype, shape against the input, and its range (`aminmax`).
All value reads are gathered into ONE `.tolist()`: at most one GPU synchronisation per loss
object. Everything runs on detached tensors under `no_grad`: values and gradients never change.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import weakref

from .. import knowledge_torch as t
from ..diagnostics import Confidence, SourceRef
from ..facts import LabelFacts, LabelFormat, LossFacts, ModelFacts, OutputFacts
from . import reporting

_LOSS_CLASSES = {spec.torch_class: spec.id for spec in t.TORCH_LOSSES.values()
                 if spec.id != "torch.cross_entropy.probabilities" and spec.family != "regression"}
_FUNCTIONS = {spec.torch_function: spec.id for spec in t.TORCH_LOSSES.values()
              if spec.torch_function and spec.family != "regression"}
_ROW_SUM_TOLERANCE = 1e-3


class _State:
    def __init__(self) -> None:
        self.originals: list[tuple[object, str, object]] = []  # (owner, attribute, original)
        # ids of the loss modules and functions already inspected (a module's id leaves the set
        # when the module is collected); a set of ints is the cheapest test on every later call
        self.checked: set[int] = set()
        self.forward_codes: set = set()  # code objects of the original loss forwards
        self.keras_dirs: tuple[str, ...] | None = None  # found once, on the first functional call


_STATE = _State()


# --------------------------------------------------------------------------- patching


def patch(torch) -> None:
    """Wrap the loss classes and functions of an imported `torch` (idempotent)."""
    if _STATE.originals:
        return
    nn, functional = torch.nn, torch.nn.functional
    for class_name, loss_id in _LOSS_CLASSES.items():
        cls = getattr(nn, class_name, None)
        forward = cls.__dict__.get("forward") if isinstance(cls, type) else None
        if forward is None or getattr(forward, "__losslint__", False):
            continue
        _STATE.forward_codes.add(forward.__code__)
        _STATE.originals.append((cls, "forward", forward))
        setattr(cls, "forward", _wrap_forward(forward, loss_id, class_name))
    for name, loss_id in _FUNCTIONS.items():
        function = getattr(functional, name, None)
        if function is None or getattr(function, "__losslint__", False):
            continue
        _STATE.originals.append((functional, name, function))
        setattr(functional, name, _wrap_function(function, loss_id, name))


def unpatch() -> None:
    for owner, name, original in reversed(_STATE.originals):
        setattr(owner, name, original)
    _STATE.originals.clear()
    _STATE.forward_codes.clear()
    _STATE.checked.clear()


def _wrap_forward(original, loss_id: str, class_name: str):
    checked = _STATE.checked

    def forward(self, input, target, *args, **kwargs):
        __tracebackhide__ = True  # noqa: F841 - IPython and pytest hide this frame
        if id(self) not in checked:
            _first_call(self)
            try:
                _inspect(self, loss_id, f"{class_name}()", input, target, self)
            except reporting.LossLintError as error:
                raise error.with_traceback(None)  # the traceback ends at the user's criterion( line
        return original(self, input, target, *args, **kwargs)

    forward.__wrapped__ = original
    forward.__losslint__ = True
    forward.__doc__, forward.__name__, forward.__qualname__ = original.__doc__, "forward", original.__qualname__
    return forward


def _wrap_function(original, loss_id: str, name: str):
    state = _STATE
    key = id(original)

    def function(input, target, *args, **kwargs):
        __tracebackhide__ = True  # noqa: F841 - IPython and pytest hide this frame
        if key not in state.checked and _user_call(sys._getframe(1).f_code):
            state.checked.add(key)
            try:
                _inspect(original, loss_id, f"F.{name}", input, target, None, kwargs.get("ignore_index"))
            except reporting.LossLintError as error:
                raise error.with_traceback(None)
        return original(input, target, *args, **kwargs)

    function.__wrapped__ = original
    function.__losslint__ = True
    function.__doc__, function.__name__, function.__qualname__ = original.__doc__, name, original.__qualname__
    return function


def _keras_dirs() -> tuple[str, ...]:
    """Where Keras lives: on the Keras torch backend its losses call `torch.nn.functional`."""
    if _STATE.keras_dirs is None:
        spec = importlib.util.find_spec("keras")
        where = spec.submodule_search_locations if spec is not None else None
        _STATE.keras_dirs = tuple(os.path.join(os.path.abspath(d), "") for d in where or ())
    return _STATE.keras_dirs


def _user_call(caller) -> bool:
    """A functional loss called by the user: not by a torch loss module (checked as the module),
    nor by Keras's own loss code on the torch backend (the Keras hook judges the Keras loss)."""
    if caller in _STATE.forward_codes:
        return False
    return not caller.co_filename.startswith(_keras_dirs()) if _keras_dirs() else True


def _first_call(module) -> None:
    key = id(module)
    _STATE.checked.add(key)
    try:
        weakref.finalize(module, _STATE.checked.discard, key)
    except TypeError:  # not weak-referenceable: its id stays (a later object may reuse it unchecked)
        pass


# --------------------------------------------------------------------------- inspection


def _inspect(key, loss_id: str, text: str, input, target, module, ignore_index=None) -> None:
    if reporting.active():
        reporting.guarded(_check, key, loss_id, text, input, target, module, ignore_index)


def _check(key, loss_id: str, text: str, input, target, module, ignore_index) -> None:
    facts = loss_call_facts(loss_id, text, input, target, module, ignore_index)
    if facts is not None:
        reporting.report(key, facts)


def loss_call_facts(loss_id: str, text: str, input, target, module=None, ignore_index=None) -> ModelFacts | None:
    """What one loss call shows: the input's activation and class axis, the target's format."""
    import torch

    if not isinstance(input, torch.Tensor) or input.is_meta or getattr(target, "is_meta", False):
        return None  # meta tensors (shape-only passes) carry no values
    spec = t.TORCH_LOSSES[loss_id]
    activation = grad_fn_activation(input.grad_fn)
    multiclass = spec.family in ("sparse", "categorical")
    units = (int(input.shape[1]) if input.dim() >= 2 else None) if multiclass else \
        (int(input.shape[-1]) if input.dim() >= 2 else None)
    if ignore_index is None:
        ignore_index = getattr(module, "ignore_index", -100)

    reads: list = []  # 0-d tensors read in one synchronisation
    with torch.no_grad():
        values = input.detach()
        readable = spec.expects is t.LossInput.LOG_PROBABILITIES or \
            (spec.expects is t.LossInput.LOGITS and spec.family != "binary")
        want_values = activation is None and readable and values.is_floating_point() and values.numel() > 0
        if want_values:
            low, high = torch.aminmax(values)
            deviation = ((values.sum(dim=1) - 1).abs().max() if values.dim() >= 2
                         else torch.zeros((), device=values.device))
            reads += [low, high, deviation]
        label_format, target_slot = _target_kind(spec, values, target)
        if target_slot is not None:
            labels = target.detach()
            if label_format == "index" and ignore_index is not None:
                labels = torch.where(labels == ignore_index, torch.zeros_like(labels), labels)
            low_t, high_t = torch.aminmax(labels)
            reads += [low_t, high_t]
        numbers = torch.stack([r.double() for r in reads]).tolist() if reads else []
    if want_values:
        low, high, deviation = numbers[:3]
        numbers = numbers[3:]
        activation = _activation_from_values(spec, low, high, deviation)
    label_facts = None
    if target_slot is not None:
        low_t, high_t = numbers
        label_facts = LabelFacts(LabelFormat(label_format), SourceRef(origin="target"), None, low_t, high_t,
                                 str(target.dtype).replace("torch.", ""), "labels", Confidence.HIGH)
    elif label_format == "one-hot":
        label_facts = LabelFacts(LabelFormat.ONE_HOT, SourceRef(origin="target"), units, text="labels",
                                 confidence=Confidence.HIGH)
    if loss_id == "torch.cross_entropy" and label_format == "one-hot":
        loss_id = "torch.cross_entropy.probabilities"
    if activation is None and label_facts is None:
        return None
    where = SourceRef(origin=f"{text} call")
    loss = LossFacts(loss_id, t.TORCH_LOSSES[loss_id].from_logits, text, where, Confidence.HIGH)
    shape = ", ".join(str(int(s)) for s in input.shape)
    output = OutputFacts(activation_id=activation, units=units, layer_text=f"Tensor[{shape}]",
                         ref=SourceRef(origin="loss input"), activation_ref=SourceRef(origin="loss input"),
                         loss=loss, labels=label_facts)
    return ModelFacts(type(module).__name__ if module is not None else text, where, (output,), origin="runtime",
                      site="loss-call", framework="torch")


_ELEMENTWISE_KEPT = frozenset({"softmax", "log_softmax"})  # a selection may cut these rows
_MAX_SHAPE_OPS = 16


def grad_fn_activation(node) -> str | None:
    """The activation that produced a tensor, from its autograd node, looking back through shape
    operations (`.squeeze(1)`, `.view(-1)`, `.reshape(B * T, C)`, `.permute`, `[:, 0]`, ...).
    Reads node names only: free, no synchronisation."""
    selected = False
    for _ in range(_MAX_SHAPE_OPS):
        if node is None:
            return None
        name = node.name()
        activation = t.GRAD_FN_ACTIVATIONS.get(name)
        if activation is not None:
            return None if selected and activation in _ELEMENTWISE_KEPT else activation
        keeps = t.GRAD_FN_SHAPE_OPS.get(name)
        if keeps is None:
            return None
        selected = selected or keeps == "elementwise"
        inputs = [f for f, _ in node.next_functions if f is not None]
        if len(inputs) != 1:
            return None
        node = inputs[0]
    return None


def _target_kind(spec, values, target) -> tuple[str | None, bool | None]:
    """(label format, whether to read the target's range)."""
    import torch

    if not isinstance(target, torch.Tensor) or target.numel() == 0:
        return None, None
    if spec.family == "sparse":  # CrossEntropyLoss / NLLLoss
        if not target.is_floating_point() and target.dim() == values.dim() - 1:
            return "index", True
        if target.is_floating_point() and target.shape == values.shape and spec.id == "torch.cross_entropy":
            return "one-hot", None  # class-probability targets
        return None, None
    if spec.family == "binary" and target.shape == values.shape:
        return "binary", True
    return None, None


def _activation_from_values(spec, low: float, high: float, deviation: float) -> str | None:
    """Read the activation from the values when the graph says nothing."""
    simplex = low >= 0 and high <= 1 + _ROW_SUM_TOLERANCE and deviation < _ROW_SUM_TOLERANCE
    if spec.expects is t.LossInput.LOG_PROBABILITIES:
        if simplex:
            return "softmax"
        if spec.id == "torch.nll_loss" and high > _ROW_SUM_TOLERANCE:
            return "linear"  # log-probabilities are never positive
        return None
    if spec.expects is t.LossInput.LOGITS and spec.family != "binary" and simplex:
        return "softmax"
    return None

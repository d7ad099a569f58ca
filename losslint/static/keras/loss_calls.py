"""Losses that meet a model's output outside `compile()` (DESIGN §8, RULES "Where a loss meets an output").

A mixin of the interpreter. Custom training loops, `tf.function` steps, `train_step` overrides
and GANs call the loss themselves: `loss_fn(y, model(x, training=True))`,
`keras.losses.categorical_crossentropy(y, preds)`, `self.loss_fn(labels, predictions)` with the
loss handed to an overridden `compile()`, or TensorFlow's own logits losses
(`tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z)`). Each such call is recorded as a
`LossCall`; `loss_call_sites` turns them into `ModelFacts` with `site="loss-call"`, which the rules
judge exactly as they judge a `compile()`.

What the interpreter gains here:
* calling a multi-output model gives its outputs (`logits, aux = model(x)`, `model(x)[0]`);
* `model.fit(...)` on a subclass that overrides `train_step` runs the override with `self` bound
  (so `self.loss_fn`, set in an overridden `compile()`, and `self.discriminator` are known);
* `for x, y in dataset:` binds `y` to the dataset's labels;
* a `compile()` whose loss the model never uses (its `train_step` / `compute_loss` override
  never reaches `self.compiled_loss`, `self.compute_loss` or `self.loss`) is not judged.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import libcst as cst

from ... import knowledge as k
from ...diagnostics import Confidence, SourceRef
from ...facts import LabelFacts, LabelFormat, LossFacts, ModelFacts, OutputFacts, layer_display, loss_display
from ..callargs import arg as _arg, dotted
from ..names import descendants
from ..engine.values import (
    UNKNOWN, Const, Dataset, Labels, Loss, Mapping_, Model, Placeholder, Seq, Tensor, describe, known_activation,
    model_outputs,
)

_MAX_TEXT = 60


@dataclass
class LossCall:
    """One evaluation of a loss applied to a prediction."""

    node: cst.Call
    ref: SourceRef  # the call: the anchor of findings
    text: str  # the call as written (shortened), for messages
    loss: LossFacts  # with `ref` = the call and `written` = where the loss is written
    y_true: object
    y_true_text: str
    y_pred: object


class LossCalls:
    """Recording loss calls, and the few semantics of training code they need."""

    def _init_loss_calls(self) -> None:
        self.loss_calls: list[LossCall] = []
        self._trained: set[tuple[int, int]] = set()  # (id(model), id(train_step)) already run

    # ------------------------------------------------------------------ calls of losses

    def call_loss_object(self, loss: Loss, node: cst.Call, env) -> object:
        """`loss_fn(y_true, y_pred)` where `loss_fn` is a Keras loss object."""
        ref = self.ref(node)
        text = loss_display(loss.written_name, is_class=loss.is_class, from_logits=loss.from_logits)
        facts = LossFacts(loss.loss_id, loss.from_logits, text, ref, self._confidence(loss.ref, ref),
                          written=loss.ref)
        self._record(node, facts, *k.LOSS_CALL_ARGS, env)
        return UNKNOWN

    def call_loss_function(self, symbol: str, node: cst.Call, env) -> object | None:
        """A `keras.losses` function or a TensorFlow logits loss called on a prediction; None if
        `symbol` is neither."""
        ref = self.ref(node)
        direct = k.DIRECT_LOSSES.get(symbol)
        if direct is not None:
            facts = LossFacts(direct.loss_id, direct.from_logits, dotted(node.func) or symbol.rsplit(".", 1)[1], ref,
                              written=ref, fixed_from_logits=True)
            self._record(node, facts, direct.labels_arg, direct.predictions_arg, env)
            return UNKNOWN
        if not symbol.startswith("keras.losses.") or symbol not in k.LOSS_BY_FUNCTION:
            return None
        loss_id = k.LOSS_BY_FUNCTION[symbol]
        spec = k.LOSSES[loss_id]
        from_logits: bool | None = False
        if spec.takes_from_logits:
            position = k.LOSS_FUNCTION_FROM_LOGITS_POSITION if loss_id in k.FROM_LOGITS_FIRST_POSITIONAL else None
            written = _arg(node, "from_logits", position)
            if written is not None:
                value = self.eval(written, env)
                from_logits = value.value if isinstance(value, Const) and isinstance(value.value, bool) else None
        name = symbol.rsplit(".", 1)[1]
        text = f"{name}(..., from_logits=True)" if from_logits else name
        self._record(node, LossFacts(loss_id, from_logits, text, ref, written=ref), *k.LOSS_CALL_ARGS, env)
        return UNKNOWN

    def tflearn_regression(self, node: cst.Call, env) -> object:
        """`tflearn.regression(net, loss="categorical_crossentropy")`: TFLearn's loss named by the string
        (knowledge.TFLEARN_LOSSES) meets `net`; the value is `net`."""
        (net_arg, loss_arg) = k.TFLEARN_REGRESSION_ARGS
        net_node, loss_node = _arg(node, *net_arg), _arg(node, *loss_arg)
        net = self.eval(net_node, env) if net_node is not None else UNKNOWN
        loss = self.eval(loss_node, env) if loss_node is not None else Const(k.TFLEARN_DEFAULT_LOSS, None)
        self._eval_args(node, env, skip=(net_node, loss_node))
        known = k.TFLEARN_LOSSES.get(loss.value) if isinstance(loss, Const) and isinstance(loss.value, str) else None
        if known is not None and isinstance(net, Tensor):
            anchor = loss.ref or self.ref(node)
            facts = LossFacts(known[0], known[1], f"regression(loss={loss.value!r})", anchor,
                              self._confidence(anchor, self.ref(node)), written=anchor, fixed_from_logits=True)
            self.loss_calls.append(LossCall(node, anchor, short_text(self, node), facts, UNKNOWN, "labels", net))
        return net

    def _record(self, node: cst.Call, loss: LossFacts, labels_arg, predictions_arg, env) -> None:
        y_true_node, y_pred_node = _arg(node, *labels_arg), _arg(node, *predictions_arg)
        y_true = self.eval(y_true_node, env) if y_true_node is not None else UNKNOWN
        y_pred = self.eval(y_pred_node, env) if y_pred_node is not None else UNKNOWN
        self._eval_args(node, env, skip=(y_true_node, y_pred_node))  # sample_weight=, from_logits= (already read)
        self.loss_calls.append(LossCall(node, loss.ref, short_text(self, node), loss, y_true, short_text(self, y_true_node),
                                        y_pred))

    def _confidence(self, written: SourceRef, call: SourceRef) -> Confidence:
        return Confidence.HIGH if self.inside(written, call) else Confidence.INFERRED

    # ------------------------------------------------------------------ models in training code

    def called_model(self, model: Model, inputs: object) -> object:
        """`model(x)`: one tensor, or the outputs of a multi-output model (a list or a dict)."""
        if model.kind == "functional" and isinstance(model.outputs, (Seq, Mapping_)):
            outputs = model_outputs(model) or []
            if len(outputs) > 1:
                if isinstance(model.outputs, Mapping_):
                    return Mapping_(dict(model.outputs.items), model.ref)
                return Seq(list(outputs), model.ref)
        return Tensor(model, inputs)

    def iteration_value(self, iterable: cst.BaseExpression, env) -> object:
        """What `for target in iterable:` binds: `(x, y)` batches of a dataset with known labels,
        `(i, (x, y))` under `enumerate`; unknown otherwise."""
        inner = iterable
        numbered = (isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Name)
                    and iterable.func.value == "enumerate" and len(iterable.args) == 1)
        if numbered:
            inner = iterable.args[0].value
        if not isinstance(inner, (cst.Name, cst.Attribute, cst.Call)):
            self.eval(iterable, env)  # for its side effects (a compile() inside a comprehension…)
            return UNKNOWN
        value = self.eval(inner, env)
        if not isinstance(value, Dataset) or not isinstance(value.labels, Labels):
            return UNKNOWN
        batch = Seq([UNKNOWN, value.labels], value.ref)
        return Seq([UNKNOWN, batch], value.ref) if numbered else batch

    def run_train_step(self, model: Model, labels: object) -> None:
        """`fit()` on a subclass overriding `train_step`: run it as Keras would, on `(x, y)`."""
        function = model.user_class.lookup("train_step") if model.user_class else None
        if function is None or (id(model), id(function)) in self._trained:
            return
        self._trained.add((id(model), id(function)))
        data = Seq([UNKNOWN, labels], model.ref) if isinstance(labels, Labels) else UNKNOWN
        self.call_function(function, [data], {}, True, bound_self=model)

    # ------------------------------------------------------------------ is the compiled loss used?

    def compiled_loss_unused(self, model: Model) -> bool:
        """The model's class overrides `train_step` (or `compute_loss`) and never reaches the loss
        given to `compile()`: that loss is not what trains the model."""
        cls = model.user_class
        if cls is None:
            return False
        for method in k.TRAINING_OVERRIDES:
            function = cls.lookup(method)
            if function is not None:
                return not _reaches_compiled_loss(function.node, cls)
        return False


def _reaches_compiled_loss(function: cst.FunctionDef, cls, seen: frozenset = frozenset()) -> bool:
    """`self.compiled_loss(...)`, `self.loss`, `super().train_step(...)`, `self.compute_loss(...)`
    (Keras' own), directly or through the class's own methods (`self.compute_loss_and_updates`)."""
    seen = seen | {function}
    for name, through_super in _self_attributes(function):
        if through_super:
            if name in (*k.TRAINING_OVERRIDES, *k.COMPILED_LOSS_ATTRIBUTES):
                return True
            continue
        method = cls.lookup(name)
        if method is None:
            if name in k.COMPILED_LOSS_ATTRIBUTES:
                return True
        elif method.node not in seen and _reaches_compiled_loss(method.node, cls, seen):
            return True
    return False


def _self_attributes(function: cst.FunctionDef) -> list[tuple[str, bool]]:
    """(attribute, through `super()`) for every `self.x` / `super().x` in the function."""
    params = function.params.params
    self_name = params[0].name.value if params else "self"
    found: list[tuple[str, bool]] = []
    for node in descendants(function.body):
        if type(node) is not cst.Attribute:
            continue
        base = node.value
        if type(base) is cst.Name and base.value == self_name:
            found.append((node.attr.value, False))
        elif type(base) is cst.Call and type(base.func) is cst.Name and base.func.value == "super":
            found.append((node.attr.value, True))
    return found


def short_text(interpreter, node: cst.CSTNode | None) -> str:
    if node is None:
        return "labels"
    code = " ".join(interpreter.wrapper.module.code_for_node(node).split())
    if len(code) <= _MAX_TEXT:
        return code
    if isinstance(node, cst.Call):
        return f"{interpreter.wrapper.module.code_for_node(node.func).strip()}(...)"
    return code[: _MAX_TEXT - 3] + "..."


# --------------------------------------------------------------------------- facts


def loss_call_sites(calls: list[LossCall]) -> list[ModelFacts]:
    """One `ModelFacts` per loss call (a call evaluated in several contexts counts once per
    distinct output). A loss object used by several calls on the same output (`train_step` and
    `test_step`) is one mistake: it is judged once, at the first call that sees the labels, else
    at the first call."""
    by_node: dict[cst.Call, list[ModelFacts]] = {}
    for call in calls:
        facts = _site_facts(call)
        if facts is not None:
            by_node.setdefault(call.node, []).append(facts)
    groups: dict[tuple, list[ModelFacts]] = {}
    for variants in by_node.values():
        resolved = [f for f in variants if not f.unresolved]
        for facts in resolved or variants[:1]:
            groups.setdefault(_same_mistake_key(facts), []).append(facts)
    sites = []
    for group in groups.values():
        group.sort(key=lambda f: (f.ref.line, f.ref.col))  # source order, not the order calls ran in
        sites.append(next((f for f in group if f.outputs and f.outputs[0].labels), group[0]))
    return sites


def _same_mistake_key(facts: ModelFacts) -> tuple:
    if not facts.outputs or facts.outputs[0].loss is None:
        return (facts.ref,)
    output = facts.outputs[0]
    return (output.loss.edit_ref, output.ref, output.activation_ref)


def _site_facts(call: LossCall) -> ModelFacts | None:
    prediction = call.y_pred
    if isinstance(prediction, (Const, Seq, Mapping_, Labels)):
        return None  # literal data (a loss demonstrated on numbers), not a model's output
    description = describe(prediction)
    if description is None:
        return ModelFacts(call.text, call.ref, (), unresolved=("output activation",), site="loss-call")
    unresolved, partly = [], []
    activation = known_activation(description.activation)
    if activation is None:
        unresolved.append("output activation")
    if description.units is None:  # a count read from the data (`labels.shape[1]`) is known in part, as for compile()
        from_data = description.units_from_data or description.layer.units_from_data
        (partly if from_data else unresolved).append("units from data" if from_data else "unit count")
    if call.loss.from_logits is None:
        unresolved.append("from_logits")
    layer = description.layer
    loss = _resolve_auto(call.loss, description.units)
    output = OutputFacts(
        activation_id=activation,
        units=description.units,
        layer_text=layer_display(layer.class_name, description.units),
        ref=layer.ref,
        activation_ref=description.activation.ref if description.activation else layer.ref,
        name=None,
        loss=loss,
        labels=label_facts(call.y_true, call.y_true_text),
        confidence=Confidence.INFERRED if description.inferred else Confidence.HIGH,
    )
    return ModelFacts(call.text, call.ref, (output,), unresolved=tuple(unresolved), partly_known=tuple(partly),
                      site="loss-call")


def label_facts(value: object, text: str) -> LabelFacts | None:
    if isinstance(value, Placeholder):  # TF1: what the feed dicts give it, when they agree
        fed = [(v, t) for v, t in value.fed if isinstance(v, Labels) and v.ref is not None]
        if not fed or len({(v.format, v.num_classes) for v, _ in fed}) > 1:
            return None
        value, text = fed[0]
    if not isinstance(value, Labels) or value.ref is None:
        return None
    label_format = LabelFormat(value.format) if value.format else None
    return LabelFacts(label_format, value.ref, value.num_classes, value.min_value, value.max_value, value.dtype,
                      text, Confidence.INFERRED)


def _resolve_auto(loss: LossFacts, units: int | None) -> LossFacts:
    resolved = k.resolve_auto_loss(loss.loss_id, units)
    return loss if resolved == loss.loss_id else replace(loss, loss_id=resolved)

"""Run the one interpreter over a file and turn what each library recorded into `ModelFacts`:
`compile()` calls (Keras, here), loss calls in training code (`keras/loss_calls.py`), PyTorch,
transformers and optax loss sites (`torch/extract.py`, `hf/extract.py`, `jax/extract.py`)."""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from .. import knowledge as k
from ..diagnostics import Confidence, SourceRef
from ..facts import LossFacts, MetricFacts, ModelFacts, OutputFacts, layer_display, \
    loss_display
from .keras.flavour import keras_flavour
from .engine.interpreter import CompileCall, Interpreter
from .keras.loss_calls import label_facts, loss_call_sites
from .hf.extract import hf_loss_sites
from .jax.extract import jax_loss_sites
from .torch.extract import torch_loss_sites
from .engine.values import (
    UNKNOWN, Const, CustomLoss, Function, Labels, Loss, Mapping_, Metric, Seq, Symbol, describe, known_activation,
    model_output_names,
)


def extract_models(wrapper: cst.MetadataWrapper, path: str, project=None) -> list[ModelFacts]:
    """One ModelFacts per compile, or one per `fit` of it whose labels are known. `project`
    (a `project.ProjectContext`) follows imports of the project's own modules."""
    interpreter = Interpreter(wrapper, path, project=project)
    models = []
    flavour = _Lazy(lambda: keras_flavour(wrapper.module.code))
    for call in interpreter.run():
        if call.overridden:
            continue  # compiled again before any fit: this loss never trains the model
        if interpreter.compiled_loss_unused(call.model):
            continue  # its train_step never uses the compiled loss: nothing of this compile trains the model
        facts = _model_facts(call, interpreter)
        if call.metrics is not None:  # what `"accuracy"` means depends on the Keras the file targets
            facts = replace(facts, keras_flavour=flavour())
        fits, fit_refs = call.fits, call.fit_refs
        if not fits and call.disabled_fits:  # only a fit under `if TRAIN:` (TRAIN = False) reaches it
            fits = [(labels, text) for labels, text, _ in call.disabled_fits]
            fit_refs = [ref for _, _, ref in call.disabled_fits]
        labeled = [_with_labels(facts, labels, text, model_output_names(call.model)) for labels, text in fits]
        unknown = tuple((ref, text) for (_, text), ref, m in zip(fits, fit_refs, labeled)
                        if _labels_unknown(m))
        labeled = [m for m in labeled if m is not None]
        # label facts can silence a rule (LL102 on multi-hot labels)
        models.extend(replace(m, labels_unknown=unknown) if unknown else m for m in labeled or [facts])
    models.extend(loss_call_sites(interpreter.loss_calls))
    models.extend(torch_loss_sites(interpreter.torch_loss_calls))
    models.extend(hf_loss_sites(interpreter.hf_loss_sites))
    models.extend(jax_loss_sites(interpreter.jax_loss_calls))
    return models


class _Lazy:
    """A value computed on first use, once."""

    def __init__(self, compute):
        self._compute, self._done, self._value = compute, False, None

    def __call__(self):
        if not self._done:
            self._value, self._done = self._compute(), True
        return self._value


def _labels_unknown(labeled: ModelFacts | None) -> bool:
    """No fact about the labels of a fit: neither their format, class count nor value range (LL902)."""
    return labeled is None or all(
        o.labels is None or (o.labels.format is None and o.labels.num_classes is None
                             and o.labels.min_value is None and o.labels.max_value is None)
        for o in labeled.outputs)


def _with_labels(facts: ModelFacts, labels: object, text: str, names: list[str | None]) -> ModelFacts | None:
    count = len(facts.outputs)
    if count == 0:
        return None
    if isinstance(labels, Labels):
        per_output = [labels] if count == 1 else None
    elif isinstance(labels, Seq) and len(labels.items) == count and count > 1:
        per_output = list(labels.items)
    elif isinstance(labels, Mapping_) and len(names) == count and all(n in labels.items for n in names):
        per_output = [labels.items[n] for n in names]
    else:
        per_output = None
    if per_output is None or len(names) != count:
        return None
    outputs = []
    for output, value in zip(facts.outputs, per_output):
        found = label_facts(value, text if count == 1 else "labels")
        outputs.append(replace(output, labels=found) if found else output)
    if all(o.labels is None for o in outputs):
        return None
    return replace(facts, outputs=tuple(outputs))


def _model_facts(call: CompileCall, interpreter: Interpreter) -> ModelFacts:
    name = call.model.var_name or "model"
    unresolved: list[str] = []
    partly: list[str] = [] if call.has_loss else ["no loss"]  # nothing to resolve: never LL901
    outputs = call.outputs
    if outputs is None:
        return ModelFacts(name, call.ref, (), unresolved=("output layer",) if call.has_loss else (),
                          partly_known=tuple(partly))
    names = model_output_names(call.model)
    losses = _losses_per_output(call.loss, len(outputs), names) if call.has_loss else None
    metrics = _metrics_per_output(call.metrics, len(outputs), names, call.ref)
    facts = []

    def note(items: list, what: str) -> None:
        if what not in items:
            items.append(what)

    for i, tensor in enumerate(outputs):
        description = describe(tensor)
        value = losses[i] if losses else None
        loss = _loss_facts(value, call.ref, interpreter) if losses else None
        unjudged = False  # no rule judges this output: nothing about it needs resolving
        if not call.has_loss:
            pass
        elif losses is None:
            note(unresolved, "loss")
        elif _is_custom_loss(value):
            note(partly, "custom loss")
            unjudged = True  # a user function or Loss subclass: what it expects is not known
        elif _is_no_loss(value):
            unjudged = True  # `loss=[None, "mse"]`, a dict without this output: this output is not trained
        elif loss is None:
            note(unresolved, "loss")
        elif loss.from_logits is None:
            note(unresolved, "from_logits")
        if description is None:
            if not unjudged:  # an untrained output (an embedding beside the logits) or a custom loss's input
                note(unresolved, "output activation")
            continue
        activation = known_activation(description.activation)
        if activation is None and not unjudged:
            note(unresolved, "output activation")
        if description.units is None and not unjudged:
            from_data = description.units_from_data or description.layer.units_from_data
            note(partly if from_data else unresolved, "units from data" if from_data else "unit count")
        layer = description.layer
        if loss is not None:
            loss = _resolve_auto(loss, description.units)
        facts.append(OutputFacts(
            activation_id=activation,
            units=description.units,
            layer_text=layer_display(layer.class_name, description.units),
            ref=layer.ref,
            activation_ref=description.activation.ref if description.activation else layer.ref,
            name=names[i] if i < len(names) else None,
            loss=loss,
            metrics=metrics[i] if metrics else (),
            confidence=Confidence.INFERRED if description.inferred or interpreter.guessed else Confidence.HIGH,
            squashed_below=description.activation is not None and layer.activation is not description.activation
            and known_activation(layer.activation) != "linear",
        ))
    if not call.has_loss and "unit count" in unresolved:
        unresolved.remove("unit count")
    if not call.has_loss and "output activation" in unresolved:
        unresolved.remove("output activation")
    return ModelFacts(name, call.ref, tuple(facts), unresolved=tuple(unresolved), partly_known=tuple(partly))


def _is_custom_loss(value: object) -> bool:
    return isinstance(value, (CustomLoss, Function))


def _is_no_loss(value: object) -> bool:
    return value is None or isinstance(value, Const) and value.value is None


def _losses_per_output(loss: object, count: int, names: list[str | None]) -> list | None:
    if isinstance(loss, Seq):
        return list(loss.items) if len(loss.items) == count else None
    if isinstance(loss, Mapping_):
        # a dict may leave outputs out (they are not trained); keys that name no output: unknown
        if len(names) != count or not all(key in names for key in loss.items):
            return None
        return [loss.items.get(n) for n in names]
    if loss is UNKNOWN or loss is None:
        return None
    return [loss] * count


def _metrics_per_output(metrics: object, count: int, names: list[str | None], ref: SourceRef) -> list | None:
    if isinstance(metrics, Mapping_):
        return [_metric_list(metrics.items.get(n)) for n in names] if len(names) == count else None
    if isinstance(metrics, Seq):
        return [_metric_list(metrics)] * count
    return None


def _metric_list(value: object) -> tuple[MetricFacts, ...]:
    items = value.items if isinstance(value, Seq) else [value] if value is not None else []
    out = []
    for item in items:
        if isinstance(item, Const) and isinstance(item.value, str):
            out.append(MetricFacts(k.METRIC_BY_STRING.get(item.value), item.value, item.ref))
        elif isinstance(item, Metric):
            out.append(MetricFacts(item.metric_id, item.text, item.ref, threshold=item.threshold))
        elif isinstance(item, Symbol) and item.name in k.METRIC_BY_FUNCTION:
            out.append(MetricFacts(k.METRIC_BY_FUNCTION[item.name], item.name.split(".")[-1], item.ref))
    return tuple(out)


def _loss_facts(value: object, compile_ref: SourceRef, interpreter: Interpreter) -> LossFacts | None:
    if isinstance(value, Loss):
        loss_id, is_class, written, from_logits, ref = (value.loss_id, value.is_class, value.written_name,
                                                        value.from_logits, value.ref)
    elif isinstance(value, Const) and isinstance(value.value, str) and value.value in k.LOSS_BY_STRING:
        loss_id, is_class, written, from_logits, ref = (k.LOSS_BY_STRING[value.value], False, value.value,
                                                        False, value.ref)
    elif isinstance(value, Symbol) and value.name in k.LOSS_BY_FUNCTION:
        loss_id, is_class, written, from_logits, ref = (k.LOSS_BY_FUNCTION[value.name], False,
                                                        value.name.split(".")[-1], False, value.ref)
    else:
        return None
    confidence = Confidence.HIGH if interpreter.inside(ref, compile_ref) else Confidence.INFERRED
    return LossFacts(loss_id, from_logits, loss_display(written, is_class=is_class, from_logits=from_logits),
                     ref, confidence)


def _resolve_auto(loss: LossFacts, units: int | None) -> LossFacts:
    """`loss="crossentropy"` is binary cross-entropy on a one-unit output (Keras picks by shape)."""
    resolved = k.resolve_auto_loss(loss.loss_id, units)
    if resolved == loss.loss_id:
        return loss
    return LossFacts(resolved, loss.from_logits, loss.text, loss.ref, loss.confidence)

"""Turn the PyTorch interpreter's loss calls into `ModelFacts` (one per loss call site)."""

from __future__ import annotations

import libcst as cst

from ... import knowledge_torch as t
from ...diagnostics import Confidence
from ...facts import LabelFacts, LabelFormat, LossFacts, ModelFacts, OutputFacts
from .interpret import LossCall, TorchInterpreter
from .values import Output, TorchLabels


def extract_loss_sites(wrapper: cst.MetadataWrapper, path: str) -> list[ModelFacts]:
    """One ModelFacts per loss call whose input is a model output the source proves."""
    interpreter = TorchInterpreter(wrapper, path)
    by_site: dict[cst.Call, list[ModelFacts]] = {}
    for call in interpreter.run():
        facts = _site_facts(call, interpreter)
        if facts is not None:
            by_site.setdefault(call.node, []).append(facts)
    models = []
    for candidates in by_site.values():
        distinct = list(dict.fromkeys(candidates))
        if len(distinct) == 1:
            models.append(distinct[0])
        elif len({_without_labels(m) for m in distinct}) == 1:
            models.append(_without_labels(distinct[0]))  # the output agrees, the labels do not
    return models


def _site_facts(call: LossCall, interpreter: TorchInterpreter) -> ModelFacts | None:
    output = call.input
    if not isinstance(output, Output):
        return None
    labels = call.target if isinstance(call.target, TorchLabels) else None
    loss_id = call.loss.loss_id
    if loss_id == "torch.cross_entropy" and labels is not None and labels.format in ("one-hot", "multi-hot"):
        loss_id = "torch.cross_entropy.probabilities"  # float class-probability targets
    loss = LossFacts(loss_id, t.TORCH_LOSSES[loss_id].from_logits, call.loss.text, call.loss.ref, Confidence.HIGH)
    label_facts = None
    if labels is not None:
        target_node = call.node.args[1].value if len(call.node.args) > 1 else None
        text = interpreter.text(target_node) if target_node is not None else "labels"
        label_facts = LabelFacts(LabelFormat(labels.format) if labels.format else None, labels.ref,
                                 labels.num_classes, labels.min_value, labels.max_value, labels.dtype,
                                 text if len(text) <= 40 else "labels", Confidence.INFERRED)
    facts = OutputFacts(
        activation_id=output.activation,
        units=output.units,
        layer_text=output.layer_text,
        ref=output.layer_ref,
        activation_ref=output.activation_ref,
        loss=loss,
        labels=label_facts,
        confidence=Confidence.INFERRED if output.inferred else Confidence.HIGH,
    )
    return ModelFacts(output.model_name or "model", call.ref, (facts,), site="loss-call", framework="torch")


def _without_labels(model: ModelFacts) -> ModelFacts:
    from dataclasses import replace

    return replace(model, outputs=tuple(replace(o, labels=None) for o in model.outputs))

"""Turn the engine's PyTorch loss calls into `ModelFacts` (one per loss call site)."""

from __future__ import annotations

from dataclasses import replace

from ... import knowledge_torch as t
from ...diagnostics import Confidence
from ...facts import LossFacts, ModelFacts, OutputFacts
from ..keras.loss_calls import label_facts
from ..engine.values import Const, Labels, Mapping_, Seq
from ..loss_sites import facts_by_site
from .library import TorchLossCall
from .values import Output


def torch_loss_sites(calls: list[TorchLossCall]) -> list[ModelFacts]:
    """One ModelFacts per loss call site. A call evaluated in several contexts (a `train()` called
    with two models) counts once per distinct output; a site none of whose contexts proves the
    output is unresolved (LL901)."""
    models = []
    for candidates in facts_by_site(calls, _site_facts):
        resolved = [m for m in candidates if not m.unresolved]
        if not resolved:
            models.append(candidates[0])
            continue
        distinct = list(dict.fromkeys(resolved))
        if len(distinct) == 1:
            models.append(distinct[0])
        elif len({_without_labels(m) for m in distinct}) == 1:
            models.append(_without_labels(distinct[0]))  # the output agrees, the labels do not
        else:
            models.extend(distinct)  # each model the call trains
    return models


def _site_facts(call: TorchLossCall) -> ModelFacts | None:
    output = call.input
    if isinstance(output, (Const, Seq, Mapping_, Labels)):
        return None  # literal data (a loss demonstrated on numbers), not a model's output
    labels = label_facts(call.target, call.target_text)
    loss_id = call.loss.loss_id
    if loss_id == "torch.cross_entropy" and labels is not None and labels.format is not None \
            and labels.format.value in ("one-hot", "multi-hot"):
        loss_id = "torch.cross_entropy.probabilities"  # float class-probability targets
    loss = LossFacts(loss_id, t.TORCH_LOSSES[loss_id].from_logits, call.loss.text, call.loss.ref, Confidence.HIGH,
                     keywords=call.loss.keywords)
    if not isinstance(output, Output):
        return ModelFacts(call.loss.text, call.ref, (), unresolved=("output activation",), site="loss-call",
                          framework="torch")
    facts = OutputFacts(
        activation_id=output.activation,
        units=output.units,
        layer_text=output.layer_text,
        ref=output.layer_ref,
        activation_ref=output.activation_ref,
        loss=loss,
        labels=labels,
        confidence=Confidence.INFERRED if output.inferred else Confidence.HIGH,
    )
    unknown = ((call.ref, call.target_text),) if labels is None else ()
    return ModelFacts(output.model_name or "model", call.ref, (facts,), site="loss-call", framework="torch",
                      labels_unknown=unknown)


def _without_labels(model: ModelFacts) -> ModelFacts:
    return replace(model, outputs=tuple(replace(o, labels=None) for o in model.outputs))

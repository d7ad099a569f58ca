"""Turn the engine's optax loss calls into `ModelFacts` of framework "jax" (one per call site)."""

from __future__ import annotations

from ...diagnostics import Confidence
from ...facts import LossFacts, ModelFacts, OutputFacts
from ..keras.loss_calls import label_facts
from ..engine.values import Const, Labels, Mapping_, Seq
from ..torch.values import Output
from ..loss_sites import facts_by_site
from .library import JaxLossCall


def jax_loss_sites(calls: list[JaxLossCall]) -> list[ModelFacts]:
    models = []
    for candidates in facts_by_site(calls, _site_facts):
        resolved = list(dict.fromkeys(m for m in candidates if not m.unresolved))
        models.extend(resolved if len(resolved) == 1 else candidates[:1] if not resolved else [])
    return models


def _site_facts(call: JaxLossCall) -> ModelFacts | None:
    output = call.input
    if isinstance(output, (Const, Seq, Mapping_, Labels)):
        return None  # a loss demonstrated on literal numbers
    labels = label_facts(call.target, call.target_text)
    loss = LossFacts(call.spec.id, call.spec.from_logits, call.text, call.ref, Confidence.HIGH,
                     fixed_from_logits=True)
    if not isinstance(output, Output):
        return ModelFacts(call.text, call.ref, (), unresolved=("output activation",), site="loss-call",
                          framework="jax")
    facts = OutputFacts(activation_id=output.activation, units=output.units, layer_text=output.layer_text,
                        ref=output.layer_ref, activation_ref=output.activation_ref, loss=loss, labels=labels,
                        confidence=Confidence.INFERRED if output.inferred else Confidence.HIGH)
    unknown = ((call.ref, call.target_text),) if labels is None else ()
    return ModelFacts(output.model_name or "model", call.ref, (facts,), site="loss-call", framework="jax",
                      labels_unknown=unknown)

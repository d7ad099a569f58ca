"""Turn the engine's transformers loss sites (a head trained with the loss it picks itself) into
`ModelFacts` of framework "hf": the output is the head's linear logits, the loss the PyTorch loss
transformers infers from `problem_type`, `num_labels` and the label dtype (knowledge_hf)."""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from ... import knowledge_hf as h
from ... import knowledge_torch as t
from ...diagnostics import Confidence
from ...facts import LabelFacts, LossFacts, ModelFacts, OutputFacts
from ..keras.loss_calls import label_facts
from .library import HfLossSite


def hf_loss_sites(sites: list[HfLossSite]) -> list[ModelFacts]:
    """One ModelFacts per site (a site evaluated in several contexts counts once per distinct facts)."""
    by_site: dict[cst.Call, list[ModelFacts]] = {}
    for site in sites:
        by_site.setdefault(site.node, []).append(_site_facts(site))
    models = []
    for candidates in by_site.values():
        resolved = list(dict.fromkeys(m for m in candidates if not m.unresolved))
        models.extend(resolved if resolved else candidates[:1])
    return models


def label_dtype(labels: LabelFacts | None) -> str | None:
    """"int", "float", "bool" or None: what decides the loss transformers picks."""
    dtype = labels.dtype if labels is not None else None
    if not dtype:
        return None
    if dtype.startswith("uint"):
        return "uint8"
    if dtype.startswith("int"):
        return "int"
    if dtype.startswith(("float", "double", "half", "bfloat")):
        return "float"
    return "bool" if dtype == "bool" else None


def _site_facts(site: HfLossSite) -> ModelFacts:
    head = site.head
    name = f"{head.class_name}" if site.via == "call" else "Trainer(...)"
    labels = label_facts(site.labels, site.labels_text)
    unknown = ((site.ref, site.labels_text),) if labels is None else ()
    if head.units is None:
        return ModelFacts(name, site.ref, (), unresolved=("num_labels / problem_type",), site="loss-call",
                          framework="hf", labels_unknown=unknown)
    dtype = label_dtype(labels)
    problem_type, why = h.implied_problem_type(head.task, head.problem_type, head.units, dtype, head.deberta)
    if problem_type is None:
        if labels is None:
            return ModelFacts(name, site.ref, (), unresolved=("label dtype (it decides the loss transformers picks)",),
                              site="loss-call", framework="hf", labels_unknown=unknown)
        return ModelFacts(name, site.ref, (), partly_known=("loss picked at run time",), site="loss-call",
                          framework="hf")
    loss_id = h.LOSS_BY_PROBLEM_TYPE[problem_type]
    if labels is not None and head.deberta is None and head.problem_type is None and labels.min_value is not None \
            and labels.min_value < 0:
        labels = replace(labels, min_value=None)  # a DeBERTa checkpoint (not known here) drops labels < 0
    if labels is not None and loss_id == "torch.cross_entropy" and head.task == h.TOKEN \
            and labels.min_value is not None and labels.min_value == -100:
        labels = replace(labels, min_value=None)  # -100 is the ignore index of token classification
    loss = LossFacts(loss_id, t.TORCH_LOSSES[loss_id].from_logits, h.LOSS_CLASS_NAME[loss_id], site.ref,
                     Confidence.HIGH, implied_by=why)
    output = OutputFacts(activation_id="linear", units=head.units, layer_text=head.text, ref=head.ref,
                         activation_ref=head.ref, loss=loss, labels=labels,
                         confidence=Confidence.HIGH)
    return ModelFacts(name, site.ref, (output,), site="loss-call", framework="hf", labels_unknown=unknown)



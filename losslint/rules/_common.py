"""Small helpers shared by rules: iterating what a rule can judge, wording, fix intents."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Applicability, Confidence, FixIntent, Related
from ..facts import LabelFacts, LabelFormat, LossFacts, MetricFacts, ModelFacts, OutputFacts
from ..knowledge import METRICS, ActivationSpec, LossFamily, LossSpec, MetricKind


def judged(model: ModelFacts) -> Iterator[tuple[OutputFacts, ActivationSpec, LossFacts]]:
    """Outputs whose activation and loss are both known."""
    for output in model.outputs:
        if output.activation is not None and output.loss is not None:
            yield output, output.activation, output.loss


def quoted(loss: LossFacts) -> str:
    return f"`{loss.text}`"


def confidence(*facts) -> Confidence:
    return Confidence.weakest(*(f.confidence for f in facts if f is not None))


def output_note(output: OutputFacts) -> tuple[Related, ...]:
    if output.ref.is_static:
        return (Related(f"output layer `{output.layer_text}` defined here", output.ref),)
    return ()


def loss_note(loss: LossFacts) -> tuple[Related, ...]:
    if loss.edit_ref.is_static:
        return (Related(f"loss {quoted(loss)} written here", loss.edit_ref),)
    return ()


def set_activation(output: OutputFacts, activation: str, applicability=Applicability.UNSAFE) -> FixIntent:
    message = (f"make `{output.layer_text}` linear (no activation)" if activation == "linear"
               else f'set `activation="{activation}"` on `{output.layer_text}`')
    return FixIntent("set-activation", output.activation_ref, applicability, message, value=activation)


def replace_loss(loss: LossFacts, spec: LossSpec, applicability=Applicability.SAFE,
                 **keywords: object) -> FixIntent:
    """Swap the loss; the message names the class form when a keyword must be set."""
    if keywords and spec.class_name:
        arguments = ", ".join(f"{k}={v!r}" for k, v in keywords.items())
        message = f"use `{spec.class_name}({arguments})`"
    else:
        message = f"use `{spec.id}`"
    return FixIntent("replace-loss", loss.edit_ref, applicability, message, value=spec.id,
                     keywords=tuple(keywords.items()))


def probability_activation(spec: LossSpec, units: int | None = None) -> str:
    """The activation that makes an output fit a probability loss with from_logits=False.

    One unit can only be a sigmoid: a softmax over it is constant (LL104)."""
    return "softmax" if spec.family.is_multiclass and units != 1 else "sigmoid"


# --------------------------------------------------------------------------- labels and metrics


def labeled(model: ModelFacts) -> Iterator[tuple[OutputFacts, LossFacts, LabelFacts]]:
    """Outputs whose loss and labels are both known."""
    for output in model.outputs:
        if output.loss is not None and output.labels is not None:
            yield output, output.loss, output.labels


def labels_phrase(labels: LabelFacts) -> str:
    """`y_train` for a named label source, "the labels" otherwise (runtime)."""
    return "the labels" if labels.text in ("", "labels") else f"`{labels.text}`"


def value_range(labels: LabelFacts) -> str:
    """` (values 1..10)` when the range is known, else empty."""
    if labels.min_value is None or labels.max_value is None:
        return ""
    return f" (values {_number(labels.min_value)}..{_number(labels.max_value)})"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.4g}"


def labels_note(labels: LabelFacts) -> tuple[Related, ...]:
    if labels.ref.is_static:
        return (Related("labels built here", labels.ref),)
    return ()


def sparse_out_of_range(output: OutputFacts, loss: LossFacts, labels: LabelFacts) -> bool:
    """Integer labels outside [0, units) with a sparse loss (LL203; LL204 defers to it)."""
    return (loss.spec.family is LossFamily.SPARSE and labels.format is LabelFormat.INDEX
            and output.units is not None and output.units > 1
            and labels.min_value is not None and labels.max_value is not None
            and (labels.min_value < 0 or labels.max_value >= output.units))


def follow_label_format(output: OutputFacts, metric_kind: "MetricKind", metric_id: str) -> tuple[FixIntent, ...]:
    """The accuracy metrics that must change with a loss swap between categorical and sparse
    (`categorical_accuracy` → `sparse_categorical_accuracy` and back): parts of the same fix."""
    return tuple(replace_metric(m, metric_id) for m in output.metrics if m.spec and m.spec.kind is metric_kind)


def replace_metric(metric: MetricFacts, metric_id: str, applicability=Applicability.SAFE, **keywords) -> FixIntent:
    """Swap a `metrics=` entry; with keywords the class form (`BinaryAccuracy(threshold=0.0)`)."""
    if keywords:
        spec = METRICS[metric_id]
        class_name = next((f.rsplit(".", 1)[1] for f in spec.functions if f.rsplit(".", 1)[1][:1].isupper()), metric_id)
        arguments = ", ".join(f"{k}={v!r}" for k, v in keywords.items())
        return FixIntent("replace-metric", metric.ref, applicability, f"use `{class_name}({arguments})`",
                         value=metric_id, keywords=tuple(keywords.items()))
    return FixIntent("replace-metric", metric.ref, applicability, f'use `"{metric_id}"`', value=metric_id)


def thresholded_at_half(output: OutputFacts) -> Iterator[MetricFacts]:
    """Metrics of a one-unit output that threshold its values at 0.5: `"accuracy"` (Keras picks
    binary accuracy for one unit), `"binary_accuracy"`, `BinaryAccuracy()` with the default
    threshold. On logits the right threshold is 0.0 (LL303, and the from_logits fix of LL106)."""
    if output.units != 1:
        return
    for metric in output.metrics:
        spec = metric.spec
        if spec is None or spec.kind not in (MetricKind.AUTO_ACCURACY, MetricKind.BINARY_ACCURACY):
            continue
        if metric.threshold == 0.5:
            yield metric


def logits_threshold_fix(metric: MetricFacts) -> FixIntent:
    return replace_metric(metric, "binary_accuracy", threshold=0.0)


def known_class_labels(labels) -> bool:
    """Labels proven to be class labels: one-hot rows, or class ids of a known class count
    (a dataset, `class_mode`, `num_classes=`); whole-number targets alone are not enough."""
    return labels is not None and (labels.format is LabelFormat.ONE_HOT
                                   or (labels.format is LabelFormat.INDEX and labels.num_classes is not None))


# --------------------------------------------------------------------------- PyTorch wording
# Rules judge the same facts for both frameworks; where the advice differs (PyTorch losses have
# no `from_logits`, the output layer is `nn.Linear`) these give the PyTorch wording and fixes.


def is_torch(model: ModelFacts) -> bool:
    return model.framework == "torch"


def torch_class(loss_id: str) -> str:
    """`nn.BCEWithLogitsLoss()` for a PyTorch loss id."""
    from ..knowledge_torch import TORCH_LOSSES

    return f"nn.{TORCH_LOSSES[loss_id].torch_class}()"


def remove_activation(output: OutputFacts) -> FixIntent:
    """Drop the activation applied to the output (`nn.Softmax` in an `nn.Sequential`,
    `return F.softmax(x, dim=1)`); unsafe: what the model returns changes."""
    name = output.activation.name if output.activation else "activation"
    return FixIntent("remove-activation", output.activation_ref, Applicability.UNSAFE,
                     f"remove the `{name}` so the model returns logits", value=name)


def swap_activation(output: OutputFacts, activation: str) -> FixIntent:
    """`F.softmax` → `F.log_softmax`, `nn.Softmax` → `nn.LogSoftmax` (unsafe)."""
    return FixIntent("swap-activation", output.activation_ref, Applicability.UNSAFE,
                     f"use `{activation}` instead of `{output.activation.name if output.activation else '?'}`",
                     value=activation)


def replace_torch_loss(loss: LossFacts, loss_id: str, applicability=Applicability.SAFE) -> FixIntent:
    return FixIntent("replace-loss", loss.ref, applicability, f"use `{torch_class(loss_id)}`", value=loss_id)


# --------------------------------------------------------------------------- transformers / optax wording
# A transformers head picks its loss itself (`LossFacts.implied_by` says why); optax losses take
# logits. These give the advice in those frameworks' own terms.


def is_hf(model: ModelFacts) -> bool:
    return model.framework == "hf"


def is_jax(model: ModelFacts) -> bool:
    return model.framework == "jax"


def implied(output: OutputFacts, loss: LossFacts) -> str:
    """"transformers trains `X(num_labels=1)` with `MSELoss` (num_labels=1 without problem_type means regression)"."""
    return f"transformers trains `{output.layer_text}` with `{loss.text}` ({loss.implied_by})"


def integer_dtype(labels: LabelFacts | None) -> bool:
    """Labels known to hold integers or bools (int64, uint8, bool ...), not floats."""
    dtype = labels.dtype if labels is not None else None
    return bool(dtype) and (dtype.startswith(("int", "uint")) or dtype == "bool")

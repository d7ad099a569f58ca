"""The label (2xx) and metric (3xx) rules on hand-built facts: no Keras needed."""

from __future__ import annotations

import pytest

from losslint.diagnostics import Applicability, SourceRef
from losslint.facts import LabelFacts, LabelFormat, LossFacts, MetricFacts, ModelFacts, OutputFacts
from losslint.registry import all_rules, run_rules

REF = SourceRef(origin="runtime")


def model(activation="softmax", units=10, loss="categorical_crossentropy", from_logits=False,
          labels=None, metrics=()):
    output = OutputFacts(
        activation_id=activation, units=units, layer_text=f"Dense({units})", ref=REF, activation_ref=REF,
        loss=LossFacts(loss, from_logits, loss, SourceRef("t.py", 9, 0)) if loss else None,
        labels=labels,
        metrics=tuple(MetricFacts(m, m, SourceRef("t.py", 10, 4)) for m in metrics),
    )
    return ModelFacts("model", REF, (output,), origin="runtime")


def labels(fmt, lo=None, hi=None, classes=None, ref=REF):
    return LabelFacts(fmt, ref, num_classes=classes, min_value=lo, max_value=hi)


def codes(m) -> set[str]:
    return {d.code for d in run_rules(m, frozenset(all_rules()))}


INDEX10 = labels(LabelFormat.INDEX, 0, 9)
ONE_HOT10 = labels(LabelFormat.ONE_HOT, 0, 1, 10)
MULTI5 = labels(LabelFormat.MULTI_HOT, 0, 1, 5)

CASES = [
    # (id, model, codes that must be reported)
    ("int+cce", model(labels=INDEX10), {"LL201"}),
    ("int+scce", model(loss="sparse_categorical_crossentropy", labels=INDEX10), set()),
    ("onehot+scce", model(loss="sparse_categorical_crossentropy", labels=ONE_HOT10), {"LL202"}),
    ("onehot+cce", model(labels=ONE_HOT10), set()),
    ("1-based", model(loss="sparse_categorical_crossentropy", labels=labels(LabelFormat.INDEX, 1, 10)),
     {"LL203"}),
    ("negative", model(loss="sparse_categorical_crossentropy", labels=labels(LabelFormat.INDEX, -1, 8)),
     {"LL203"}),
    ("width", model(units=3, labels=ONE_HOT10), {"LL204"}),
    ("known-count-sparse", model(loss="sparse_categorical_crossentropy", units=20,
                                 labels=labels(LabelFormat.INDEX, 0, 9, 10)), {"LL204"}),
    ("ids+bce", model("sigmoid", 1, "binary_crossentropy", labels=labels(LabelFormat.INDEX, 0, 9)),
     {"LL205"}),
    ("pm1+bce", model("sigmoid", 1, "binary_crossentropy", labels=labels(LabelFormat.INDEX, -1, 1)),
     {"LL205"}),
    ("01+bce", model("sigmoid", 1, "binary_crossentropy", labels=labels(LabelFormat.INDEX, 0, 1, 2)), set()),
    ("multihot+softmax+cce", model(units=5, labels=MULTI5), {"LL206"}),
    ("multihot+sigmoid+cce", model("sigmoid", 5, labels=MULTI5), {"LL206"}),
    ("multihot+sigmoid+bce", model("sigmoid", 5, "binary_crossentropy", labels=MULTI5), set()),
    ("y/255", model(loss="sparse_categorical_crossentropy",
                    labels=labels(LabelFormat.FRACTIONAL, 0, 9 / 255)), {"LL207"}),
    ("binacc", model(labels=ONE_HOT10, metrics=("binary_accuracy",)), {"LL301"}),
    ("binacc-2-units", model(units=2, metrics=("binary_accuracy",)), set()),
    ("acc-multilabel", model("sigmoid", 5, "binary_crossentropy", metrics=("accuracy",)), {"LL302"}),
    ("acc-multilabel-onehot", model("sigmoid", 5, "binary_crossentropy", labels=labels(
        LabelFormat.ONE_HOT, 0, 1, 5), metrics=("accuracy",)), {"LL208"}),  # not LL302: single-label data
    ("acc-softmax", model(labels=ONE_HOT10, metrics=("accuracy",)), set()),
]


@pytest.mark.parametrize("m, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_label_and_metric_rules(m, expected):
    assert codes(m) & {c for c in all_rules() if c[2] in "23"} == expected


def test_silent_without_label_facts():
    assert not codes(model(labels=None)) & {"LL201", "LL202", "LL203", "LL204", "LL205", "LL206", "LL207"}


def test_silent_when_range_unknown():
    m = model(loss="sparse_categorical_crossentropy", labels=labels(LabelFormat.INDEX))
    assert "LL203" not in codes(m)


def test_single_unit_is_left_to_ll105():
    m = model("sigmoid", 1, "categorical_crossentropy", labels=labels(LabelFormat.INDEX, 0, 1))
    assert codes(m) & {"LL105", "LL201"} == {"LL105"}


def test_int_labels_fix_keeps_from_logits():
    m = model("linear", 10, "categorical_crossentropy", from_logits=True, labels=INDEX10)
    (d,) = [d for d in run_rules(m, frozenset({"LL201"}))]
    assert d.fix.kind == "replace-loss" and d.fix.value == "sparse_categorical_crossentropy"
    assert dict(d.fix.keywords) == {"from_logits": True}
    assert d.fix.applicability is Applicability.SAFE
    assert d.message.startswith("`categorical_crossentropy` expects one-hot labels")


def test_anchor_and_related_labels_note():
    built = SourceRef("t.py", 4, 0)
    m = model(labels=labels(LabelFormat.INDEX, 0, 9, ref=built))
    (d,) = run_rules(m, frozenset({"LL201"}))
    assert d.anchor == SourceRef("t.py", 9, 0)
    assert [r.message for r in d.related] == ["labels built here"] and d.related[0].ref == built


def test_metric_rules_anchor_at_metric_with_safe_fix():
    (d,) = run_rules(model("sigmoid", 5, "binary_crossentropy", metrics=("accuracy",)), frozenset({"LL302"}))
    assert d.anchor == SourceRef("t.py", 10, 4)
    assert d.fix.kind == "replace-metric" and d.fix.value == "binary_accuracy"


def test_1_based_help_names_the_shift():
    m = model(loss="sparse_categorical_crossentropy", labels=labels(LabelFormat.INDEX, 1, 10))
    (d,) = run_rules(m, frozenset({"LL203"}))
    assert "(values 1..10)" in d.message and "y - 1" in d.help

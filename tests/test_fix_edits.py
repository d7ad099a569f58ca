"""`static/fix.py` on intents the rules cannot produce yet (LL103 needs label facts) and on the
spelling decisions: module aliases, styles kept, what is not offered."""

from __future__ import annotations

import pytest

from losslint.diagnostics import Applicability, Edit, Fix, FixIntent, SourceRef
from losslint.static.fix import SourceFixer
from losslint.static.fixer import apply_fixes


def span_of(source: str, snippet: str, occurrence: int = 0) -> SourceRef:
    start = -1
    for _ in range(occurrence + 1):
        start = source.index(snippet, start + 1)
    line = source.count("\n", 0, start) + 1
    col = start - (source.rfind("\n", 0, start) + 1)
    end = start + len(snippet)
    end_line = source.count("\n", 0, end) + 1
    return SourceRef("m.py", line, col, end_line, end - (source.rfind("\n", 0, end) + 1))


def fixed(source: str, snippet: str, kind: str, value=None, keywords=()) -> str | None:
    intent = FixIntent(kind, span_of(source, snippet), Applicability.SAFE, "m", value=value,
                       keywords=tuple(keywords))
    fix = SourceFixer(source).realise(intent)
    return None if fix is None else apply_fixes(source, [fix])[0]


HEADER = "import keras\nfrom keras import layers\n"


@pytest.mark.parametrize("loss, expected", [
    ("'binary_crossentropy'", "'categorical_crossentropy'"),  # string stays string, quotes kept
    ("keras.losses.BinaryCrossentropy()", "keras.losses.CategoricalCrossentropy()"),
    ("keras.losses.BinaryCrossentropy(label_smoothing=0.1)", "keras.losses.CategoricalCrossentropy(label_smoothing=0.1)"),
    ("keras.losses.binary_crossentropy", "keras.losses.categorical_crossentropy"),
    ("keras.losses.BinaryCrossentropy(True)", "keras.losses.CategoricalCrossentropy(True)"),
])
def test_replace_loss_keeps_the_style(loss: str, expected: str) -> None:
    source = HEADER + f"model.compile(loss={loss})\n"
    assert fixed(source, loss, "replace-loss", "categorical_crossentropy") == HEADER + f"model.compile(loss={expected})\n"


def test_replace_loss_with_keyword_goes_to_class_form() -> None:
    source = HEADER + 'model.compile(loss="bce")\n'
    assert fixed(source, '"bce"', "replace-loss", "sparse_categorical_crossentropy", (("from_logits", True),)) == \
        HEADER + "model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))\n"


def test_replace_loss_not_offered_when_an_argument_does_not_carry_over() -> None:
    source = HEADER + "model.compile(loss=keras.losses.BinaryCrossentropy(label_smoothing=0.1))\n"
    loss = "keras.losses.BinaryCrossentropy(label_smoothing=0.1)"
    assert fixed(source, loss, "replace-loss", "sparse_categorical_crossentropy") is None


@pytest.mark.parametrize("imports, spelled", [
    ("import tensorflow as tf\n", "tf.keras.losses.BinaryCrossentropy"),
    ("import tensorflow as tf\nfrom tensorflow import keras\n", "keras.losses.BinaryCrossentropy"),
    ("import tensorflow.keras as K\n", "K.losses.BinaryCrossentropy"),
    ("from tensorflow.keras import losses as L\n", "L.BinaryCrossentropy"),
    ("from keras.losses import BinaryCrossentropy\n", "BinaryCrossentropy"),
    ("import tensorflow\n", "tensorflow.keras.losses.BinaryCrossentropy"),
])
def test_string_to_class_uses_the_files_imports(imports: str, spelled: str) -> None:
    source = imports + 'model.compile(loss="binary_crossentropy")\n'
    assert fixed(source, '"binary_crossentropy"', "set-loss-keywords", keywords=(("from_logits", True),)) == \
        imports + f"model.compile(loss={spelled}(from_logits=True))\n"


def test_no_import_is_added() -> None:
    source = "from keras.layers import Dense\nmodel.compile(loss='binary_crossentropy')\n"
    assert fixed(source, "'binary_crossentropy'", "set-loss-keywords", keywords=(("from_logits", True),)) is None


def test_parenthesized_loss_keeps_its_parentheses() -> None:
    source = HEADER + 'model.compile(loss=("binary_crossentropy"))\n'
    assert fixed(source, '"binary_crossentropy"', "set-loss-keywords", keywords=(("from_logits", True),)) == \
        HEADER + "model.compile(loss=(keras.losses.BinaryCrossentropy(from_logits=True)))\n"


@pytest.mark.parametrize("call, expected", [
    ("keras.losses.BinaryCrossentropy(from_logits=True)", "keras.losses.BinaryCrossentropy()"),
    ("keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1)",
     "keras.losses.BinaryCrossentropy(label_smoothing=0.1)"),
    ("keras.losses.BinaryCrossentropy(label_smoothing=0.1, from_logits=True)",
     "keras.losses.BinaryCrossentropy(label_smoothing=0.1)"),
    ("keras.losses.BinaryCrossentropy(\n    label_smoothing=0.1,\n    from_logits=True,\n)",
     "keras.losses.BinaryCrossentropy(\n    label_smoothing=0.1,\n)"),
    ("keras.losses.BinaryCrossentropy(\n    from_logits=True,\n)", "keras.losses.BinaryCrossentropy()"),
])
def test_remove_keyword_keeps_commas_and_layout(call: str, expected: str) -> None:
    source = HEADER + f"loss = {call}\n"
    assert fixed(source, call, "remove-loss-keyword", "from_logits") == HEADER + f"loss = {expected}\n"


def test_activation_through_a_variable_is_not_rewritten() -> None:
    source = HEADER + 'ACT = "softmax"\nlayers.Dense(1, activation=ACT)\nlayers.Dense(8, activation=ACT)\n'
    assert fixed(source, '"softmax"', "set-activation", "sigmoid") is None


def test_activation_styles() -> None:
    source = HEADER + "layers.Dense(3, activation=keras.activations.sigmoid)\n"
    assert fixed(source, "keras.activations.sigmoid", "set-activation", "softmax") == \
        HEADER + "layers.Dense(3, activation=keras.activations.softmax)\n"
    source = HEADER + "layers.Dense(3, activation=None)\n"
    assert fixed(source, "None", "set-activation", "softmax") == HEADER + 'layers.Dense(3, activation="softmax")\n'
    source = HEADER + "layers.Dense(3, activation='relu', name='head')\n"
    assert fixed(source, "'relu'", "set-activation", "linear") == HEADER + "layers.Dense(3, name='head')\n"
    source = HEADER + "layers.Activation('relu')\n"
    assert fixed(source, "'relu'", "set-activation", "linear") == HEADER + "layers.Activation('linear')\n"


def test_overlapping_fixes_apply_one_and_leave_the_other() -> None:
    source = "x = f(a)\n"
    first = Fix(Applicability.SAFE, "a", (Edit("g(a)", 1, 4, 1, 8),))
    second = Fix(Applicability.SAFE, "b", (Edit("f", 1, 6, 1, 7),))
    same = Fix(Applicability.SAFE, "c", (Edit("g(a)", 1, 4, 1, 8),))
    assert apply_fixes(source, [second, first, same]) == ("x = g(a)\n", 2)

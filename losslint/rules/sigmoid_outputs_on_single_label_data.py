"""## What it does
Finds a sigmoid output with more than one unit trained with a binary cross-entropy on labels
known to be single-label one-hot rows (`to_categorical`, `class_mode="categorical"`,
`OneHotEncoder`): exactly one class is right for each sample.

## Why is this bad?
With sigmoid + binary cross-entropy every unit is an independent yes/no question, so the model
never learns that the classes exclude each other: the scores of a row do not sum to 1, several
classes can score above 0.5 at once, and `argmax` over independent probabilities is poorly
calibrated. The loss is also dominated by the C−1 easy "no" answers of each row. Softmax +
categorical cross-entropy is the model of one class out of C.

## Example
```python
import numpy as np
import keras
from keras import layers

x = np.random.rand(256, 20).astype("float32")
y = keras.utils.to_categorical(np.random.randint(0, 5, size=(256,)), 5)

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(64, activation="relu"),
    layers.Dense(5, activation="sigmoid"),
])
model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit(x, y, epochs=1)
```

## Use instead
```python
import numpy as np
import keras
from keras import layers

x = np.random.rand(256, 20).astype("float32")
y = keras.utils.to_categorical(np.random.randint(0, 5, size=(256,)), 5)

model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Dense(64, activation="relu"),
    layers.Dense(5, activation="softmax"),
])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(x, y, epochs=1)
```

## Fix safety
Unsafe: the output activation becomes softmax (what `predict()` returns changes) and the loss
becomes categorical cross-entropy, in one edit.

## Known false positives
Labels that are one-hot in the training data but multi-label by nature (a tagging task whose
training rows happen to carry one tag each). Silence with `# noqa: LL208` on the loss line.

## Keras behaviour
Silent on every backend; `"accuracy"` then resolves to categorical accuracy, which hides the
problem.
"""

from dataclasses import replace

from ..diagnostics import Applicability, Finding
from ..facts import LabelFormat
from ..knowledge import LOSSES, LossFamily, OutputKind
from ..registry import rule
from ._common import confidence, implied, is_hf, labeled, labels_note, labels_phrase, output_note, quoted, replace_loss, set_activation


@rule(code="LL208", name="sigmoid-outputs-on-single-label-data", fixable=True)
def check(model):
    for output, loss, labels in labeled(model):
        if is_hf(model):
            if loss.loss_id == "torch.binary_cross_entropy_with_logits" and labels.format is LabelFormat.ONE_HOT \
                    and output.units is not None and output.units > 1:
                yield _hf_finding(output, loss, labels)
            continue
        activation = output.activation
        if (activation is None or activation.kind is not OutputKind.UNIT_INTERVAL
                or loss.spec.family is not LossFamily.BINARY or loss.from_logits is not False
                or output.units is None or output.units <= 1 or labels.format is not LabelFormat.ONE_HOT):
            continue
        loss_fix = replace_loss(loss, LOSSES["categorical_crossentropy"], Applicability.UNSAFE)
        fix = set_activation(output, "softmax")
        yield Finding(
            anchor=loss.ref,
            message=f"{quoted(loss)} scores the {output.units} units of {output.described()} independently, "
                    f"but {labels_phrase(labels)} are one-hot: one class per sample",
            help='use `activation="softmax"` with `categorical_crossentropy`',
            confidence=confidence(output, loss, labels),
            related=output_note(output) + labels_note(labels),
            fixes=(replace(fix, message='use `activation="softmax"` with `categorical_crossentropy`',
                           together=(loss_fix,)),),
        )


def _hf_finding(output, loss, labels):
    """A transformers head given float one-hot labels: it infers multi-label BCE (or was told to)."""
    explicit = loss.implied_by.startswith("problem_type")
    return Finding(
        anchor=loss.ref,
        message=f"{implied(output, loss)}: its {output.units} labels are scored independently, but "
                f"{labels_phrase(labels)} are one-hot: one class per sample",
        help=('use `problem_type="single_label_classification"` with integer class ids' if explicit else
              "pass integer class ids (`labels.argmax(-1)`), or set `problem_type=\"single_label_classification\"`"),
        confidence=confidence(output, loss, labels),
        related=output_note(output) + labels_note(labels),
    )

"""## What it does
Reports a `fit()` (or a PyTorch loss call on a model output) whose labels the static analysis
could not follow: read from a CSV file or a database, produced by a generator, a `tf.data`
pipeline or a `Dataset` class it cannot see through. Opt-in:
`--extend-select LL902`; with `--statistics` it counts the `fit()` calls whose labels only the
runtime hook can check.

## Why is this bad?
It is not: the label rules (LL201–LL207) stay silent when the labels are unknown, so integer
labels fed to `categorical_crossentropy`, or 1-based classes, go unnoticed by `losslint check`.
The runtime hook reads the real labels at `fit()`, before the first training step.

## Example
```python
import pandas as pd
import keras

frame = pd.read_csv("train.csv")
model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(frame.drop(columns="label").values, frame["label"].values, epochs=5)
```

## Use instead
Nothing to change in the code; run it with the runtime hook, which checks the labels at `fit()`:
`losslint run train.py` for a script, `%load_ext losslint` in a notebook, or `losslint.install()`.

## Fix safety
No fix.

## Known false positives
By design every `fit()` whose labels come from outside the analysed code is reported. Only fits
of a model whose loss is a cross-entropy are reported (the label rules judge nothing else).

## Keras behaviour
Not applicable: this is a notice of the static analyzer.
"""

import os

from ..diagnostics import Confidence, Finding
from ..registry import rule


@rule(code="LL902", name="labels-unknown", default=False, runtime=False)
def check(model):
    if not model.labels_unknown or not any(o.loss is not None and o.loss.spec.is_probability for o in model.outputs):
        return
    for fit_ref, text in model.labels_unknown:
        labels = f"the labels (`{text}`)" if text != "labels" else "the labels"
        where = f"`{model.name}.fit()`" if model.site == "compile" else f"`{model.outputs[0].loss.text}`"
        yield Finding(
            anchor=fit_ref,
            message=f"could not follow {labels} passed to {where}; the label checks did not run",
            help=_runtime_help(fit_ref.path, "`fit()`" if model.site == "compile" else "the first loss call"),
            confidence=Confidence.INFERRED,
        )


def _runtime_help(path: str | None, where: str) -> str:
    if path and path.lower().endswith(".ipynb"):
        return f"the runtime hook checks the labels at {where}: run `%load_ext losslint` in the notebook first"
    script = os.path.basename(path) if path and path.endswith(".py") else "train.py"
    return (f"the runtime hook checks the labels at {where}: `losslint run {script}` "
            f"(or `%load_ext losslint` in a notebook)")

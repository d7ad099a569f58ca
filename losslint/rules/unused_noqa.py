"""## What it does
Reports a `# noqa: LL…` comment whose losslint code silenced nothing on its line in this run (like
ruff's RUF100): the finding it was written for is gone, or the comment sits on another line than
the one the finding is reported on. Also `# noqa: LL900` (that notice cannot be silenced), a code
losslint does not have, and a file-level `# losslint: noqa` that silenced nothing.
Opt-in: `--extend-select LL903`.

## Why is this bad?
A stale `# noqa` hides the next mistake made on that line: the loss it excused was fixed, and a
new one written there is silenced without anyone reading it. A `# noqa` on the wrong line (the
`compile(` line instead of the `loss=` argument) silences nothing while looking as if it did.

## Example
```python
import keras

model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3)])
model.compile(
    optimizer="adam",
    loss=keras.losses.CategoricalCrossentropy(from_logits=True),  # noqa: LL106
)
```

## Use instead
```python
import keras

model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3)])
model.compile(
    optimizer="adam",
    loss=keras.losses.CategoricalCrossentropy(from_logits=True),
)
```

## Fix safety
Safe (`--fix`): the stale codes are dropped from the comment, the `# noqa: …` directive when no
code is left (other text in the comment stays), the comment when nothing else is in it, and a
file-level `# losslint: noqa` line entirely. Comments do not run: nothing the program does changes.

## Known false positives
Only losslint's own codes are judged, and only those selected in the run (a `# noqa: LL901` is
not reported when LL901 is off); codes of other tools in the same comment (`# noqa: E501, LL101`)
and a bare `# noqa` are left alone. Files that never mention keras, tensorflow or torch are not
read at all, so their comments are not judged. Silence it on a line with `# noqa: LL903`.

## Keras behaviour
Not applicable: this is a notice of the static analyzer.
"""

from ..registry import notice

RULE = notice(module_name=__name__, code="LL903", name="unused-noqa", default=False, runtime=False, fixable=True)

"""## What it does
Reports a file that could not be read, decoded or parsed (the message says why). The run goes
on with the other files.

## Why is this bad?
A file losslint cannot read is a file it did not check: a clean run would be a false promise.

## Example
```python
model.compile(optimizer="adam", loss=
```

## Use instead
```python
model.compile(optimizer="adam", loss="binary_crossentropy")
```

## Fix safety
No fix.

## Known false positives
Python 2 files or templates with a `.py` suffix; exclude them from the run. This notice cannot be
silenced with `# noqa`.

## Keras behaviour
Not applicable: this is a notice of the static analyzer.
"""

from ..registry import notice

RULE = notice(module_name=__name__, code="LL900", name="unreadable-source", runtime=False)

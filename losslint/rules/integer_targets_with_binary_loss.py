"""## What it does
Finds a PyTorch binary cross-entropy (`BCEWithLogitsLoss`, `BCELoss`, their functional forms, or
the `BCEWithLogitsLoss` a transformers head trains with for multi-label classification) that
receives integer or bool targets.

## Why is this bad?
These losses need float targets of the input's dtype. Integer targets — `F.one_hot(y, C)`
without `.float()`, `torch.randint(0, 2, ...)`, `MultiLabelBinarizer` output, a `datasets`
integer / `ClassLabel` column (also a float column that `datasets.map` cast back to int) — make
PyTorch stop at the first step with `RuntimeError: result type Float can't be cast to the desired
output type Long` (`BCEWithLogitsLoss`) or `Found dtype Long but expected Float` (`BCELoss`);
bool targets give `Subtraction, the '-' operator, with two bool tensors is not supported`. None
of these messages names the labels or the fix.

## Example
```python
import torch
import torch.nn as nn
import torch.nn.functional as F

model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 5))
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(model.parameters())

x = torch.randn(256, 20)
y = F.one_hot(torch.randint(0, 5, (256,)), num_classes=5)
loss = criterion(model(x), y)
loss.backward()
optimizer.step()
```

## Use instead
```python
y = F.one_hot(torch.randint(0, 5, (256,)), num_classes=5).float()
```
(for one class per sample, `nn.CrossEntropyLoss()` on the class ids is the better loss, see
LL208). With transformers, cast the multi-hot labels to float
(`dataset.cast_column("labels", Sequence(Value("float32")))`, or build them under a new column
name: `datasets.map` keeps the original integer type of an existing column).

## Fix safety
Casting the targets to float is **safe**: the model and its outputs do not change. Shown as
advice; the analyzer does not edit data code.

## Known false positives
None known: PyTorch rejects the call. Targets whose dtype is changed somewhere the analyzer
cannot see (a collate function) are not judged. Silence with `# noqa: LL210` on the loss line.

## Keras behaviour
Keras and optax cast the labels to the prediction dtype: silent and correct there, so this rule
only judges PyTorch losses (and transformers heads, which use them). PyTorch 2.13: the
`RuntimeError`s above at the first step (see reference/hf-jax-facts.md §4).
"""

from ..diagnostics import Finding
from ..registry import rule
from ._common import confidence, implied, integer_dtype, is_hf, is_torch, labeled, labels_note, labels_phrase, quoted

_FLOAT_TARGET_LOSSES = frozenset({"torch.binary_cross_entropy_with_logits", "torch.binary_cross_entropy"})


@rule(code="LL210", name="integer-targets-with-binary-loss", runtime=False)  # the hook does not read target dtypes yet
def check(model):
    if not (is_torch(model) or is_hf(model)):
        return
    for output, loss, labels in labeled(model):
        if loss.loss_id not in _FLOAT_TARGET_LOSSES or not integer_dtype(labels):
            continue
        dtype = "bool" if labels.dtype == "bool" else "integer"
        if is_hf(model):
            message = f"{implied(output, loss)}, which needs float targets, but {labels_phrase(labels)} are {dtype}"
            help = 'cast the labels to float (`labels.float()`, or `cast_column("labels", Sequence(Value("float32")))`)'
        else:
            message = f"{quoted(loss)} needs float targets, but {labels_phrase(labels)} are {dtype}"
            help = "cast the targets to float: `.float()`"
        yield Finding(
            anchor=loss.ref,
            message=message,
            help=help,
            confidence=confidence(loss, labels),
            related=labels_note(labels),
        )

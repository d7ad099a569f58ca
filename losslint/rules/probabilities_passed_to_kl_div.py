"""## What it does
Finds a PyTorch `KLDivLoss` / `F.kl_div` whose input is softmax (or sigmoid) probabilities
instead of log-probabilities.

## Why is this bad?
`KLDivLoss(input, target)` computes `target * (log(target) - input)`: it takes `input` to be
**log**-probabilities already (unlike Keras' `KLDivergence`, which takes probabilities). Given
probabilities, the loss is not a divergence at all: it can be negative, its minimum is not at
`input == target`, and distillation or label-smoothing setups silently learn the wrong thing.
The target is probabilities unless `log_target=True`; that does not change what the input must be.

## Example
```python
import torch
import torch.nn as nn
import torch.nn.functional as F

student = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 10))
teacher_probs = torch.softmax(torch.randn(128, 10), dim=1)
kl = nn.KLDivLoss(reduction="batchmean")

x = torch.randn(128, 32)
loss = kl(F.softmax(student(x), dim=1), teacher_probs)
loss.backward()
```

## Use instead
```python
loss = kl(F.log_softmax(student(x), dim=1), teacher_probs)
```

## Fix safety
Turning the `softmax` into `log_softmax` is **unsafe** when the softmax is part of the model
(`forward` then returns log-probabilities); the value of the loss changes, as intended.

## Known false positives
None known: a softmax output is never a log-probability. Silence with `# noqa: LL110`.

## Keras behaviour
Keras' `KLDivergence` takes probabilities (its mistakes are LL108); this is a PyTorch-only
mistake. PyTorch 2.13: silent.
"""

from ..diagnostics import Finding
from ..registry import rule
from ._common import confidence, judged, output_note, quoted, swap_activation

_KL_DIV = "torch.kl_div"


@rule(code="LL110", name="probabilities-passed-to-kl-div", fixable=True)
def check(model):
    for output, activation, loss in judged(model):
        if loss.loss_id != _KL_DIV or not activation.kind.is_probability:
            continue
        yield Finding(
            anchor=loss.ref,
            message=f"{quoted(loss)} expects log-probabilities as input but receives {output.described()}",
            help=f"use `log_softmax` instead of `{activation.name}`" if activation.name == "softmax"
            else "pass log-probabilities (`F.log_softmax` / `F.logsigmoid`)",
            confidence=confidence(output, loss),
            related=output_note(output),
            fixes=(swap_activation(output, "log_softmax"),) if activation.name == "softmax" else (),
        )

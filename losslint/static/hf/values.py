"""The values the Hugging Face library adds to the engine's: configs, classification heads and
what calling a head returns. Labels and datasets are the engine's values; a head's logits are a
PyTorch `Output` (torch/values.py), so losses written by hand on them need no glue."""

from __future__ import annotations

from dataclasses import dataclass

from ...diagnostics import SourceRef


@dataclass(frozen=True)
class HfConfig:
    """`AutoConfig.from_pretrained(ckpt, num_labels=3)`, `BertConfig(...)`: what it says of the head."""

    num_labels: int | None
    id2label: int | None  # len(id2label), when given as a literal mapping
    problem_type: str | None
    checkpoint: str | None
    known: bool  # every one of those that was written could be read


@dataclass(frozen=True)
class HfHead:
    """A `*ForSequenceClassification` / `*ForTokenClassification` head (PyTorch, or TF when `tensorflow`)."""

    class_name: str
    task: str  # knowledge_hf.SEQUENCE | TOKEN
    units: int | None  # len(id2label) | num_labels | 2
    num_labels: int | None  # as written (None: not written)
    id2label: int | None
    problem_type: str | None
    deberta: bool | None
    ref: SourceRef
    text: str
    tensorflow: bool = False
    var_name: str | None = None


@dataclass(frozen=True)
class HfOutputs:
    """What calling a head returns: `outputs.logits` (a linear Output), `outputs.loss`."""

    logits: object  # torch Output
    head: HfHead

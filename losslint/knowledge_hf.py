"""The Hugging Face Transformers / Datasets records of the knowledge table.

A `*ForSequenceClassification` head picks its loss itself (see `implied_loss`): the records here
say which classes are heads, which datasets have a public label space, and which PyTorch loss
(a `knowledge_torch` id, so every rule finds it in `knowledge.LOSSES`) the head trains with.
Facts and sources: shared reference "hf-jax-facts" §1 and §5.

`knowledge.py` imports nothing from here; the HF library (`static/hf/library.py`) does.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

HF_WORDS = ("transformers",)  # the textual prefilter looks for these


def canonical_hf_symbol(qualified_name: str) -> str:
    """Fold `transformers.models.bert.modeling_bert.BertForSequenceClassification` to
    `transformers.BertForSequenceClassification` (the class and what follows it are kept).

    >>> canonical_hf_symbol("transformers.models.auto.modeling_auto.AutoModelForSequenceClassification.from_pretrained")
    'transformers.AutoModelForSequenceClassification.from_pretrained'
    """
    parts = qualified_name.split(".")
    for i, part in enumerate(parts[1:], 1):
        if part[:1].isupper():
            return ".".join(["transformers", *parts[i:]])
    return qualified_name


def is_hf_symbol(symbol: str | None) -> bool:
    return bool(symbol) and (symbol.startswith(("transformers.", "datasets.")))


# --------------------------------------------------------------------------- heads

SEQUENCE = "sequence"  # *ForSequenceClassification (and image / audio / video classification: same loss rule)
TOKEN = "token"  # *ForTokenClassification: always CrossEntropyLoss, ignore_index -100
_TASKS = {"SequenceClassification": SEQUENCE, "ImageClassification": SEQUENCE, "AudioClassification": SEQUENCE,
          "VideoClassification": SEQUENCE, "TokenClassification": TOKEN}
HEAD_CONSTRUCTORS = frozenset({"from_pretrained", "from_config"})
PROBLEM_TYPES = frozenset({"regression", "single_label_classification", "multi_label_classification"})
DEFAULT_NUM_LABELS = 2


@dataclass(frozen=True)
class HeadSpec:
    class_name: str  # BertForSequenceClassification, AutoModelForSequenceClassification
    task: str  # SEQUENCE | TOKEN
    tensorflow: bool  # TFAutoModelFor...: a Keras model returning logits
    deberta: bool | None  # DeBERTa heads infer differently (None: an Auto class, known from the checkpoint only)


def head_spec(symbol: str) -> HeadSpec | None:
    """`transformers.BertForSequenceClassification` → its head; None for anything else."""
    if not symbol.startswith("transformers."):
        return None
    name = symbol.split(".")[1]
    task = next((task for suffix, task in _TASKS.items() if name.endswith("For" + suffix)), None)
    if task is None:
        return None
    tensorflow = name.startswith("TF")
    bare = name[2:] if tensorflow else name
    deberta = None if bare.startswith("AutoModel") else bare.lower().startswith("deberta")
    return HeadSpec(name, task, tensorflow, deberta)


CONFIG_CLASSES_SUFFIX = "Config"  # BertConfig(num_labels=3), AutoConfig.from_pretrained(..., num_labels=3)
TRAINERS = frozenset({"transformers.Trainer", "transformers.Seq2SeqTrainer"})

# The loss transformers picks, as knowledge_torch ids (shared reference hf-jax-facts §1.1)
LOSS_BY_PROBLEM_TYPE: Mapping[str, str] = MappingProxyType({
    "regression": "torch.mse_loss",
    "single_label_classification": "torch.cross_entropy",
    "multi_label_classification": "torch.binary_cross_entropy_with_logits",
})
LOSS_CLASS_NAME: Mapping[str, str] = MappingProxyType({
    "torch.mse_loss": "MSELoss", "torch.cross_entropy": "CrossEntropyLoss",
    "torch.binary_cross_entropy_with_logits": "BCEWithLogitsLoss"})


def implied_problem_type(task: str, problem_type: str | None, num_labels: int, label_dtype: str | None,
                         deberta: bool | None) -> tuple[str | None, str]:
    """(the problem type transformers infers at a head's first forward with labels, why); None when it
    depends on what is not known (the label dtype; float labels on what may be a DeBERTa head)."""
    if task == TOKEN:
        return "single_label_classification", "token classification always uses it"
    if problem_type is not None:
        return problem_type, f'problem_type="{problem_type}"'
    if num_labels == 1:
        return "regression", "num_labels=1 without problem_type means regression"
    if label_dtype == "int":
        return "single_label_classification", "integer labels without problem_type mean single-label"
    if label_dtype in ("float", "bool", "uint8") and deberta is False:
        return "multi_label_classification", f"{label_dtype} labels without problem_type mean multi-label"
    return None, "the label dtype or the architecture is not known"


# --------------------------------------------------------------------------- datasets


@dataclass(frozen=True)
class HfDatasetSpec:
    """A public dataset's label column: classes, whether labels are a list per row (multi-label),
    and whether the column is a float score (regression)."""

    name: str
    config: str | None
    num_classes: int | None
    column: str = "label"
    multi_label: bool = False
    regression: bool = False
    negative_in: tuple[str, ...] = ()  # splits that hold -1 labels


_GLUE_BINARY = ("sst2", "cola", "mrpc", "qqp", "qnli", "rte", "wnli")
_DATASET_LIST = (
    HfDatasetSpec("imdb", None, 2, negative_in=("unsupervised",)),
    HfDatasetSpec("stanfordnlp/imdb", None, 2, negative_in=("unsupervised",)),
    HfDatasetSpec("ag_news", None, 4), HfDatasetSpec("fancyzhx/ag_news", None, 4),
    *(HfDatasetSpec(root, c, 2, negative_in=("test",)) for root in ("glue", "nyu-mll/glue") for c in _GLUE_BINARY),
    *(HfDatasetSpec(root, "mnli", 3, negative_in=("test_matched", "test_mismatched"))
      for root in ("glue", "nyu-mll/glue")),
    *(HfDatasetSpec(root, "stsb", None, regression=True) for root in ("glue", "nyu-mll/glue")),
    HfDatasetSpec("snli", None, 3, negative_in=("train", "validation", "test")),
    HfDatasetSpec("stanfordnlp/snli", None, 3, negative_in=("train", "validation", "test")),
    HfDatasetSpec("emotion", None, 6), HfDatasetSpec("dair-ai/emotion", None, 6),
    *(HfDatasetSpec(root, c, n) for root in ("tweet_eval", "cardiffnlp/tweet_eval") for c, n in (
        ("sentiment", 3), ("emotion", 4), ("emoji", 20), ("hate", 2), ("irony", 2), ("offensive", 2))),
    HfDatasetSpec("yelp_review_full", None, 5), HfDatasetSpec("Yelp/yelp_review_full", None, 5),
    HfDatasetSpec("yelp_polarity", None, 2), HfDatasetSpec("amazon_polarity", None, 2),
    HfDatasetSpec("rotten_tomatoes", None, 2), HfDatasetSpec("cornell-movie-review-data/rotten_tomatoes", None, 2),
    HfDatasetSpec("conll2003", None, 9, column="ner_tags"),
    *(HfDatasetSpec(name, None, 10) for name in ("mnist", "ylecun/mnist", "fashion_mnist",
                                                  "zalando-datasets/fashion_mnist", "cifar10", "uoft-cs/cifar10")),
    HfDatasetSpec("go_emotions", "simplified", 28, column="labels", multi_label=True),
    HfDatasetSpec("google-research-datasets/go_emotions", "simplified", 28, column="labels", multi_label=True),
)
HF_DATASETS: Mapping[tuple[str, str | None], HfDatasetSpec] = MappingProxyType(
    {(s.name, s.config): s for s in _DATASET_LIST})
LOAD_DATASET = frozenset({"datasets.load_dataset"})
CLASS_LABEL = frozenset({"datasets.ClassLabel"})
DATASET_FROM_DICT = frozenset({"datasets.Dataset.from_dict"})
LABEL_COLUMNS = ("label", "labels")

"""Hugging Face Transformers / Datasets as the one interpreter reads them.

A mixin of `static.engine.interpreter.Interpreter` (the engine), beside the PyTorch library. The engine
executes the program; this library says what a transformers / datasets call means:

* `AutoModelForSequenceClassification.from_pretrained(ckpt, num_labels=N, problem_type=...,
  id2label=...)`, `.from_config(config)`, `BertForSequenceClassification(config)` and the
  `*ForTokenClassification` heads build an `HfHead` (units = len(id2label) | num_labels | 2);
  `AutoConfig.from_pretrained(..., num_labels=N)` / `BertConfig(...)` an `HfConfig`;
* calling a head gives `HfOutputs`, whose `.logits` is a linear PyTorch `Output` of `units` units
  (losses written by hand on it are ordinary PyTorch loss sites);
* a head called with `labels=` (or `**batch` holding them) and `Trainer(model=head,
  train_dataset=...)` are loss sites with the loss transformers itself picks (knowledge_hf);
  they are recorded as `HfLossSite`s, and `hf/extract.py` makes facts of them;
* `datasets.load_dataset` of a dataset with a public label space gives an `HfDataset`
  (`ds["train"]`, `.map` that does not touch the labels, `.shuffle`, `.select` keep it);
* legacy `TFAutoModelFor...` heads are Keras models whose output is a linear Dense of `units`
  units: `compile()` / `fit()` on them are the Keras front end's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import libcst as cst

from ... import knowledge as k
from ... import knowledge_hf as h
from ... import knowledge_torch as t
from ...diagnostics import SourceRef
from ..callargs import positional as _positional
from ..engine.values import UNKNOWN, Activation, Const, Dataset, Function, Labels, Layer, Mapping_, Model, Seq, Tensor
from ..torch.values import Output
from .values import HfConfig, HfHead, HfOutputs

_TEXT_LIMIT = 100
_DATASET_KEEPING = frozenset({"shuffle", "select", "with_format", "set_format", "rename_column", "rename_columns",
                              "remove_columns", "flatten_indices", "sort", "take", "skip", "with_transform"})


@dataclass(eq=False)
class HfDataset(Dataset):
    """A `datasets` dataset (or DatasetDict) whose label column is known (knowledge_hf.HF_DATASETS)."""

    spec: h.HfDatasetSpec | None = None
    split: str | None = None


@dataclass(frozen=True)
class HfClassLabel:
    """A `datasets.ClassLabel` feature: class ids 0..num_classes-1."""

    num_classes: int
    ref: SourceRef


@dataclass
class HfLossSite:
    """A head trained with the loss transformers picks: `model(..., labels=y)` or `Trainer(...)`."""

    node: cst.Call
    ref: SourceRef
    head: HfHead
    labels: object
    labels_text: str
    via: str  # "call" | "trainer"


class HfLibrary:
    """What transformers / datasets calls mean; the engine consults it (see the module docstring)."""

    def _init_hf(self) -> None:
        self.hf_loss_sites: list[HfLossSite] = []

    # ------------------------------------------------------------------ calls of names

    def hf_call_symbol(self, symbol: str, node: cst.Call, env) -> object | None:
        if symbol in h.LOAD_DATASET:
            return self.hf_load_dataset(node, env)
        if symbol in h.TRAINERS:
            return self.hf_trainer(node, env)
        if symbol in h.CLASS_LABEL:
            return self.hf_class_label(node, env)
        if symbol in h.DATASET_FROM_DICT:
            first = self._first_value(node, env)
            column = next((first.items[c] for c in h.LABEL_COLUMNS if isinstance(first, Mapping_)
                           and c in first.items), UNKNOWN)
            labels = self.literal_labels(column, node, env) if isinstance(column, Seq) else UNKNOWN
            return HfDataset(labels, self.ref(node))
        parts = symbol.split(".")
        if len(parts) < 2 or not symbol.startswith("transformers."):
            return None
        cls = parts[1]
        method = parts[2] if len(parts) == 3 else None
        if cls.endswith(h.CONFIG_CLASSES_SUFFIX) and method in (None, "from_pretrained"):
            return self.hf_config(node, env, from_pretrained=method is not None)
        spec = h.head_spec(symbol)
        if spec is None or (method is not None and method not in h.HEAD_CONSTRUCTORS) or len(parts) > 3:
            return None
        return self.hf_make_head(spec, node, env, method)

    def hf_config(self, node: cst.Call, env, from_pretrained: bool) -> HfConfig:
        values = self.keyword_values(node, env)
        checkpoint = self.eval(_positional(node)[0], env) if from_pretrained and _positional(node) else None
        return _config(values, checkpoint)

    def hf_make_head(self, spec: h.HeadSpec, node: cst.Call, env, method: str | None) -> object:
        args = _positional(node)
        first = self.eval(args[0], env) if args else UNKNOWN
        values = self.keyword_values(node, env)
        if "config" in values:
            first_config = values["config"]
        elif method in (None, "from_config"):
            first_config = first
        else:
            first_config = None
        own = _config(values, first if method == "from_pretrained" else None)
        if first_config is not None and not isinstance(first_config, HfConfig):
            return self._unknown_head(spec, node)  # a config we could not read
        config = first_config or HfConfig(None, None, None, None, True)
        if not own.known or not config.known:
            return self._unknown_head(spec, node)
        num_labels = own.num_labels if own.num_labels is not None else config.num_labels
        id2label = own.id2label if own.id2label is not None else config.id2label
        problem_type = own.problem_type or config.problem_type
        checkpoint = own.checkpoint or config.checkpoint
        deberta = spec.deberta
        if deberta is None and checkpoint is not None:
            deberta = "deberta" in checkpoint.lower()
        units = id2label if id2label is not None else num_labels if num_labels is not None else h.DEFAULT_NUM_LABELS
        text = self._head_text(spec, num_labels, problem_type)
        head = HfHead(spec.class_name, spec.task, units, num_labels, id2label, problem_type, deberta, self.ref(node),
                      text, spec.tensorflow)
        return self._tf_head(head) if spec.tensorflow else head

    def _unknown_head(self, spec: h.HeadSpec, node: cst.Call) -> object:
        head = HfHead(spec.class_name, spec.task, None, None, None, None, spec.deberta, self.ref(node),
                      f"{spec.class_name}(...)", spec.tensorflow)
        return self._tf_head(head) if spec.tensorflow else head

    def _tf_head(self, head: HfHead) -> Model:
        """A legacy TF head: a Keras model whose output is a linear Dense of `units` units (logits)."""
        dense = Layer(head.class_name, k.LAYERS["keras.layers.Dense"], head.ref, head.units,
                      Activation("linear", head.ref))
        return Model("functional", head.ref, outputs=Tensor(dense, Tensor(None)))

    def _head_text(self, spec: h.HeadSpec, num_labels: int | None, problem_type: str | None) -> str:
        words = [f"num_labels={num_labels}"] if num_labels is not None else []
        if problem_type is not None:
            words.append(f'problem_type="{problem_type}"')
        text = f"{spec.class_name}({', '.join(words)})"
        return text if len(text) <= _TEXT_LIMIT else f"{spec.class_name}(...)"

    def hf_trainer(self, node: cst.Call, env) -> object:
        values = self.keyword_values(node, env)
        head = values.get("model", UNKNOWN)
        if isinstance(head, HfHead) and not head.tensorflow and "compute_loss_func" not in values:
            dataset = values.get("train_dataset", UNKNOWN)
            labels = dataset.labels if isinstance(dataset, Dataset) else UNKNOWN
            written = next((a.value for a in node.args if a.keyword is not None and a.keyword.value == "train_dataset"),
                           None)
            text = " ".join(self._text_of(written).split()) if written is not None else ""
            text = text if text and len(text) <= 30 else "labels"
            self.hf_loss_sites.append(HfLossSite(node, self.ref(node), head, labels, text, "trainer"))
        return UNKNOWN

    # ------------------------------------------------------------------ datasets

    def hf_load_dataset(self, node: cst.Call, env) -> object:
        args = [self.eval(a, env) for a in _positional(node)]
        values = self.keyword_values(node, env)
        names = [a.value if isinstance(a, Const) else None for a in args[:2]]
        name = names[0] if names else (values["path"].value if isinstance(values.get("path"), Const) else None)
        config = names[1] if len(names) > 1 else (values["name"].value if isinstance(values.get("name"), Const)
                                                  else None)
        spec = h.HF_DATASETS.get((name, config)) if isinstance(name, str) else None
        if spec is None or spec.num_classes is None:
            return HfDataset(UNKNOWN, self.ref(node))  # its own files: `cast_column("label", ClassLabel(...))` tells
        split = values.get("split")
        split_name = split.value if isinstance(split, Const) and isinstance(split.value, str) else None
        if split is not None and split_name is None:
            return UNKNOWN
        return _dataset(spec, split_name, self.ref(node))

    # ------------------------------------------------------------------ methods, attributes, calls

    def hf_method(self, base: object, method: str, node: cst.Call, env) -> object | None:
        if isinstance(base, HfHead):
            self._eval_args(node, env)
            if method in t.MODULE_SELF_METHODS:
                return base
            if method == "forward":
                return self.hf_call_value(base, node, env)
            return UNKNOWN
        if isinstance(base, HfDataset):
            if method == "map":
                args = _positional(node)
                function = self.eval(args[0], env) if args else UNKNOWN
                self._eval_args(node, env, skip=tuple(args[:1]))
                body = function.node if isinstance(function, Function) else None
                # a function the map applies may rewrite the labels (and their dtype): then unknown
                touched = "label" in self._text_of(node) or (args and not isinstance(args[0], cst.Lambda)
                                                             and (body is None or "label" in self._text_of(body)))
                return replace(base, labels=UNKNOWN, spec=None) if touched else base
            if method == "cast_column":  # `ds.cast_column("label", ClassLabel(names=[...]))`
                args = _positional(node)
                values = [self.eval(a, env) for a in args]
                self._eval_args(node, env, skip=tuple(args))
                if len(values) == 2 and isinstance(values[0], Const) and values[0].value in h.LABEL_COLUMNS \
                        and isinstance(values[1], HfClassLabel):
                    count = values[1].num_classes
                    return HfDataset(Labels("index", values[1].ref, count, 0, count - 1, "int"), base.ref)
                touched = len(values) >= 1 and isinstance(values[0], Const) and values[0].value in h.LABEL_COLUMNS
                return HfDataset(UNKNOWN, base.ref) if touched or not values else base
            if method in _DATASET_KEEPING:
                self._eval_args(node, env)
                return base
            if method == "filter":  # usually drops the -1 rows; never adds any
                self._eval_args(node, env)
                labels = base.labels
                if isinstance(labels, Labels) and labels.format == "index" and labels.num_classes:
                    labels = Labels("index", labels.ref, labels.num_classes, 0, labels.num_classes - 1, labels.dtype)
                return HfDataset(labels, base.ref, split=base.split)  # its splits keep these labels
            if method == "train_test_split":
                self._eval_args(node, env)
                return base
            self._eval_args(node, env)
            return UNKNOWN
        return None

    def hf_class_label(self, node: cst.Call, env) -> object:
        """`ClassLabel(num_classes=3)`, `ClassLabel(names=["neg", "pos"])`: a label space of that many classes."""
        values = self.keyword_values(node, env)
        count = values.get("num_classes")
        names = values.get("names")
        if isinstance(count, Const) and isinstance(count.value, int) and not isinstance(count.value, bool):
            classes = count.value
        elif isinstance(names, Seq) and names.items and UNKNOWN not in names.items:
            classes = len(names.items)
        else:
            return UNKNOWN
        return HfClassLabel(classes, self.ref(node)) if classes > 0 else UNKNOWN

    def _text_of(self, node: cst.CSTNode) -> str:
        return self.wrapper.module.code_for_node(node)

    def hf_attribute(self, base: object, attr: str) -> object | None:
        if isinstance(base, HfOutputs):
            return base.logits if attr == "logits" else UNKNOWN
        if isinstance(base, HfHead):
            if attr == "num_labels" and base.units is not None:
                return Const(base.units, base.ref)
            return UNKNOWN
        if isinstance(base, HfDataset) and attr == "features":
            return UNKNOWN
        return None

    def hf_subscript(self, base: object, key: object) -> object | None:
        if isinstance(base, HfOutputs):
            return base.logits if isinstance(key, Const) and key.value == "logits" else UNKNOWN
        if isinstance(base, HfDataset) and isinstance(key, Const) and isinstance(key.value, str):
            if key.value in ("train", "validation", "test", "unsupervised") \
                    or key.value.startswith(("test_", "validation_")):  # a split of a DatasetDict
                return _dataset(base.spec, key.value, base.ref) if base.spec is not None and base.split is None \
                    else base
            return UNKNOWN  # a column: `ds["label"]`
        return None

    def hf_call_value(self, callee: object, node: cst.Call, env) -> object | None:
        """`model(**batch)`, `model(input_ids, labels=y)`: the head's outputs; with labels, a loss site."""
        if not isinstance(callee, HfHead):
            return None
        labels, text, given = UNKNOWN, "labels", False
        for arg in node.args:
            value = self.eval(arg.value, env)
            if arg.keyword is not None and arg.keyword.value == "labels":
                labels, given = value, True
                text = " ".join(self._text_of(arg.value).split())
            elif arg.star == "**":
                if isinstance(value, Mapping_) and ("labels" in value.items or "label" in value.items):
                    labels, given = value.items.get("labels", value.items.get("label")), True
                    text = f"{self._text_of(arg.value)}[\"labels\"]"
                elif isinstance(value, Seq) and len(value.items) == 2 and isinstance(value.items[1], Labels):
                    labels, given, text = value.items[1], True, "the batch labels"  # a dataset's batches
                elif value is UNKNOWN and self._home_path == self.path:
                    given = None  # labels may be in the batch: transformers decides at run time
        if given and self.path == self._home_path:
            self.hf_loss_sites.append(HfLossSite(node, self.ref(node), callee, labels,
                                                 text if len(text) <= 40 else "labels", "call"))
        logits = Output("linear", callee.units, callee.text, callee.ref, callee.ref)
        return HfOutputs(logits, callee)


def _config(values: dict, checkpoint: object) -> HfConfig:
    """What keyword arguments say of a head (`num_labels=`, `id2label=`, `problem_type=`)."""
    known = True
    num_labels = values.get("num_labels")
    if num_labels is not None:
        if isinstance(num_labels, Const) and isinstance(num_labels.value, int) and not isinstance(num_labels.value, bool):
            num_labels = num_labels.value
        else:
            num_labels, known = None, False
    id2label = values.get("id2label")
    if id2label is not None:
        if isinstance(id2label, Mapping_) and id2label.items and UNKNOWN not in id2label.items:
            id2label = len(id2label.items)
        else:
            id2label, known = None, False
    problem_type = values.get("problem_type")
    if problem_type is not None:
        if isinstance(problem_type, Const) and problem_type.value in h.PROBLEM_TYPES:
            problem_type = problem_type.value
        elif isinstance(problem_type, Const) and problem_type.value is None:
            problem_type = None
        else:
            problem_type, known = None, False
    name = checkpoint.value if isinstance(checkpoint, Const) and isinstance(checkpoint.value, str) else None
    return HfConfig(num_labels, id2label, problem_type, name, known)


def _dataset(spec: h.HfDatasetSpec, split: str | None, ref: SourceRef) -> HfDataset:
    """A known dataset's labels: class ids 0..C-1 (−1 in the splits that hold unlabeled rows)."""
    classes = spec.num_classes
    if spec.multi_label:
        labels = Labels("multi-hot", ref, classes, 0, 1, "int")
    else:
        low = -1 if split in spec.negative_in else 0
        labels = Labels("index", ref, classes, low, classes - 1, "int") if split is not None or not spec.negative_in \
            else Labels("index", ref, classes, None, classes - 1, "int")
    return HfDataset(labels, ref, spec=spec, split=split)

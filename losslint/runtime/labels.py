"""Labels given to `fit` → `LabelFacts` per output.

Vectorised NumPy checks on a bounded slice: min/max/whole-number over at most `MAX_VALUES`
values, row sums over at most `MAX_ROWS` rows. Nothing here iterates a dataset, a generator or
a `PyDataset`: labels are read from arrays the user passed, from the in-memory tensors a
`tf.data.Dataset.from_tensor_slices(...)` pipeline was built from, or from a batch Keras itself
drew (`batch_labels`, `concrete_labels`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..diagnostics import SourceRef
from ..facts import LabelFacts, LabelFormat

MAX_VALUES = 2_000_000  # ~8 ms of min/max on one core; enough to see 1-based or out-of-range ids
MAX_ROWS = 4096  # rows looked at to tell one-hot from multi-hot

_REF = SourceRef(origin="labels passed to fit()")
_CALL_REF = SourceRef(origin="labels passed to the loss")


def _symbolic(value: Any) -> bool:
    """A tensor without values (TF graph tensor, JAX tracer, Keras symbolic tensor): reading or
    even slicing it would add operations to the user's traced train step, so it is left alone."""
    module, name = type(value).__module__ or "", type(value).__name__
    if module.startswith("tensorflow"):
        return hasattr(value, "shape") and hasattr(value, "dtype") and name != "EagerTensor" \
            and not hasattr(value, "to_numpy")
    if module.startswith("jax"):
        return "Tracer" in name
    return name == "KerasTensor"


def as_array(value: Any) -> np.ndarray | None:
    """A NumPy view of labels (NumPy, pandas, TF/JAX/torch tensors), bounded in size."""
    if value is None or isinstance(value, (str, bytes, Mapping)) or _symbolic(value):
        return None
    try:
        if hasattr(value, "to_numpy") and type(value).__module__.startswith("pandas"):
            value = value.to_numpy()
        elif hasattr(value, "detach") and hasattr(value, "cpu"):  # torch
            if getattr(value, "is_meta", False):
                return None
            value = value.detach().cpu()
        shape = getattr(value, "shape", None)
        if shape is not None and len(shape) > 0 and shape[0] is not None:
            row = int(np.prod(shape[1:])) if len(shape) > 1 else 1
            limit = max(1, MAX_VALUES // max(row, 1))
            if shape[0] > limit:
                value = value[:limit]
        array = np.asarray(value)
    except Exception:
        return None
    if array.dtype == bool:
        array = array.astype(np.int8)
    return array if array.dtype.kind in "iuf" and array.size > 0 else None


def call_label_facts(value: Any, output_shape: tuple | None) -> LabelFacts | None:
    """Labels handed to a loss called directly (`loss_fn(y_true, y_pred)`)."""
    facts = label_facts(value, output_shape)
    return None if facts is None else LabelFacts(facts.format, _CALL_REF, facts.num_classes, facts.min_value,
                                                 facts.max_value, facts.dtype)


def label_facts(value: Any, output_shape: tuple | None) -> LabelFacts | None:
    """Classify labels for one output whose symbolic shape is `output_shape` (batch first)."""
    array = as_array(value)
    if array is None or array.ndim == 0:
        return None
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        return None  # NaN/inf: not something we can reason about
    out_rank = len(output_shape) if output_shape else 2
    low, high = float(array.min()), float(array.max())
    whole = array.dtype.kind in "iu" or bool(np.all(np.mod(array, 1) == 0))
    common = dict(ref=_REF, min_value=low, max_value=high, dtype=str(array.dtype))
    if array.ndim == out_rank - 1 or (array.ndim == out_rank and array.shape[-1] == 1):
        # One value per sample: class ids (or scalar targets).
        return LabelFacts(LabelFormat.INDEX if whole else LabelFormat.FRACTIONAL, **common)
    if array.ndim != out_rank or array.shape[-1] < 2:
        return None
    width = int(array.shape[-1])
    if not (whole and low >= 0 and high <= 1):
        return LabelFacts(LabelFormat.REAL, **common)  # soft targets or regression values
    sums = array.reshape(-1, width)[:MAX_ROWS].sum(axis=1)
    if np.all(sums == 1):
        label_format = LabelFormat.ONE_HOT
    elif np.any(sums > 1):
        label_format = LabelFormat.MULTI_HOT
    else:
        label_format = LabelFormat.BINARY
    return LabelFacts(label_format, num_classes=width, **common)


def _is_tf_dataset(x: Any) -> bool:
    return type(x).__module__.startswith("tensorflow") and hasattr(x, "element_spec") and hasattr(x, "take")


# tf.data transformations that keep every element's values (in some order, some number of times).
_VALUE_PRESERVING = {"_RepeatDataset", "_PrefetchDataset", "_ShuffleDataset", "_CacheDataset", "_OptionsDataset",
                     "CacheDataset", "_MemoryCacheDataset"}
_BATCHING = {"_BatchDataset", "_ParallelBatchDataset"}


_MAPPING = {"_MapDataset", "_ParallelMapDataset"}


def _label_index(spec: Any) -> int | None:
    """Position of the label tensor in the flattened `(x, y[, w])` element, when `y` is one tensor."""
    if not isinstance(spec, tuple) or len(spec) < 2 or not hasattr(spec[1], "shape"):
        return None
    import tensorflow as tf  # a dataset's spec: TensorFlow is loaded

    return len(tf.nest.flatten(spec[0]))


def _map_label_op(node: Any) -> Any:
    """The graph op a `map` function's label output comes from (Identity ops skipped), or None.
    Reads the traced function's graph; nothing is run."""
    index = _label_index(getattr(node, "element_spec", None))
    try:
        graph = node._map_func.function.graph
        op = graph.outputs[index].op
    except (AttributeError, IndexError, TypeError):
        return None
    while op.type == "Identity" and len(op.inputs) == 1:
        op = op.inputs[0].op
    return op


def _passes_labels_through(node: Any) -> bool:
    """A `map` whose function returns its label argument unchanged (`lambda x, y: (f(x), y)`)."""
    op = _map_label_op(node)
    source = getattr(node, "_input_dataset", None)
    index = _label_index(getattr(source, "element_spec", None))
    if op is None or index is None or op.type != "Placeholder":
        return False
    try:
        return op.outputs[0] is node._map_func.function.graph.inputs[index] or \
            op.name == node._map_func.function.graph.inputs[index].op.name
    except (AttributeError, IndexError):
        return False


def _pipeline(dataset: Any) -> list:
    """The chain of datasets from `dataset` back to its source, along `_input_dataset` (≤ 32)."""
    chain, node = [], dataset
    while node is not None and len(chain) < 32:
        chain.append(node)
        node = getattr(node, "_input_dataset", None)
    return chain


def dataset_source_labels(dataset: Any) -> Any:
    """The labels a `from_tensor_slices((x, y))` pipeline (shuffled, batched once, repeated,
    prefetched, cached, mapped by functions that return the labels unchanged) was built from,
    read from its source tensors without iterating it. None for anything else (a `map` that
    changes the labels, a generator, files)."""
    batched = 0
    chain = _pipeline(dataset)
    for node in chain:
        name = type(node).__name__
        if name == "_TensorSliceDataset":
            break
        if name in _BATCHING:
            batched += 1
        elif name in _MAPPING:
            if not _passes_labels_through(node):
                return None
        elif name not in _VALUE_PRESERVING:
            return None
    else:
        return None
    if batched != 1:
        return None
    tensors, spec = getattr(node, "_tensors", None), getattr(node, "element_spec", None)
    if not isinstance(tensors, list) or spec is None:
        return None
    import tensorflow as tf  # the dataset is a TensorFlow object: it is loaded

    try:
        element = tf.nest.pack_sequence_as(spec, tensors)
    except (TypeError, ValueError):
        return None
    return element[1] if isinstance(element, tuple) and len(element) >= 2 else None


class DeclaredLabels:
    """What a `tf.data` pipeline declares about its labels, without drawing a batch: the label
    `TensorSpec` (rank, dtype, last dimension) of its `element_spec`; the class names of
    `image_dataset_from_directory` / `text_dataset_from_directory` when the labels reach `fit`
    unchanged from there; whether a `map` made them with `tf.one_hot`."""

    def __init__(self, shape: tuple, dtype: str, class_count: int | None, one_hot: bool) -> None:
        self.shape, self.dtype, self.class_count, self.one_hot = shape, dtype, class_count, one_hot

    def __repr__(self) -> str:
        return f"DeclaredLabels({self.shape}, {self.dtype}, classes={self.class_count}, one_hot={self.one_hot})"

    def facts(self, output_shape: tuple | None) -> LabelFacts | None:
        """LabelFacts for one output whose symbolic shape is `output_shape` (batch first)."""
        out_rank = len(output_shape) if output_shape else 2
        rank, integer = len(self.shape) + 1, self.dtype.startswith(("int", "uint"))  # with the batch axis
        count = self.class_count
        ids = dict(min_value=0, max_value=count - 1, num_classes=count) if count else {}
        if rank == out_rank - 1 or (rank == out_rank and self.shape[-1] == 1):
            if integer:  # class ids (label_mode="int"): with class names, 0..n-1
                return LabelFacts(LabelFormat.INDEX, _DECLARED_REF, dtype=self.dtype, **ids)
            if count == 2:  # label_mode="binary": 0/1 floats
                return LabelFacts(LabelFormat.INDEX, _DECLARED_REF, dtype=self.dtype, **ids)
            return None
        width = self.shape[-1] if rank == out_rank else None
        if width is None or width < 2 or integer:
            return None
        if self.one_hot or (count is not None and count == width):  # label_mode="categorical", tf.one_hot
            return LabelFacts(LabelFormat.ONE_HOT, _DECLARED_REF, num_classes=width, min_value=0, max_value=1,
                              dtype=self.dtype)
        return None


_DECLARED_REF = SourceRef(origin="labels declared by the dataset")


# `flow_from_directory(class_mode=...)`: the labels each mode yields, per sample (shape, dtype).
_CLASS_MODES = {"sparse": ((), "int64"), "binary": ((), "float32"), "categorical": (None, "float32")}


def _directory_iterator_labels(iterator: Any) -> DeclaredLabels | None:
    """`ImageDataGenerator().flow_from_directory(...)` (Keras's legacy `DirectoryIterator`, and
    tf-keras's): its `class_indices` and `class_mode`, read without drawing a batch. `sparse` ids are
    floats there, but they are class ids 0..n-1."""
    indices, mode = getattr(iterator, "class_indices", None), getattr(iterator, "class_mode", None)
    if type(iterator).__name__ != "DirectoryIterator" or not isinstance(indices, dict) or not indices \
            or mode not in _CLASS_MODES:
        return None
    count = len(indices)
    shape, dtype = _CLASS_MODES[mode]
    if mode == "binary" and count != 2:
        return None  # Keras would have refused it
    return DeclaredLabels(shape if shape is not None else (count,), dtype, count, mode == "categorical")


def declared_labels(dataset: Any) -> DeclaredLabels | None:
    """What a tf.data pipeline given to `fit` declares about its labels (see `DeclaredLabels`).
    Reads `element_spec`, `class_names` and traced `map` graphs; never iterates the pipeline."""
    if not _is_tf_dataset(dataset):
        return _directory_iterator_labels(dataset)
    spec = dataset.element_spec
    if _label_index(spec) is None:
        return None
    label = spec[1]
    try:
        shape = tuple(None if d is None else int(d) for d in label.shape)[1:]  # without the batch axis
        dtype = label.dtype.name
    except (AttributeError, TypeError, ValueError):  # unknown rank
        return None
    class_count, one_hot = None, False
    for node in _pipeline(dataset):
        names = getattr(node, "class_names", None)  # set by Keras's *_dataset_from_directory
        if isinstance(names, (list, tuple)) and names and all(isinstance(n, str) for n in names):
            class_count = len(names)
            break
        name = type(node).__name__
        if name in _MAPPING:
            if _passes_labels_through(node):
                continue
            op = _map_label_op(node)
            one_hot = op is not None and op.type == "OneHot"
            break
        if name not in _VALUE_PRESERVING and name not in _BATCHING:
            break
    return DeclaredLabels(shape, dtype, class_count, one_hot)


def fit_labels(args: tuple, kwargs: dict) -> tuple[Any, bool]:
    """(labels, complete) from `fit`'s arguments, without touching any data pipeline.

    `complete` is False when the labels arrive only inside batches (a generator, `PyDataset`,
    a tf.data pipeline with a `map`, a torch DataLoader): they are then read from the first batch
    Keras itself draws (`batch_labels`).
    """
    x = args[0] if args else kwargs.get("x")
    y = args[1] if len(args) > 1 else kwargs.get("y")
    if y is not None or x is None:
        return y, True
    if _is_tf_dataset(x):
        y = dataset_source_labels(x)
        return y, y is not None
    if isinstance(x, (Mapping, list, tuple)) or hasattr(x, "shape"):
        return None, True  # arrays without labels (an autoencoder with add_loss, a model with a custom loss)
    return None, False


def batch_labels(batch: Any) -> Any:
    """The labels of one batch `(x, y[, sample_weight])` that Keras drew, as NumPy, or None."""
    if isinstance(batch, (tuple, list)) and len(batch) in (2, 3):  # as Keras's unpack_x_y_sample_weight reads it
        return concrete_labels(batch[1])
    return None


def concrete_labels(y: Any) -> Any:
    """Labels that hold values (NumPy, eager TF, JAX arrays, torch tensors) as NumPy; symbolic
    tensors, tracers and meta tensors give None."""
    if isinstance(y, Mapping):
        found = {key: concrete_labels(value) for key, value in y.items()}
        return found if any(v is not None for v in found.values()) else None
    if isinstance(y, (list, tuple)):
        found = [concrete_labels(value) for value in y]
        return found if any(v is not None for v in found) else None
    return as_array(y)


def per_output(y: Any, names: list[str | None], shapes: list[tuple] | None,
               declared: DeclaredLabels | None = None) -> tuple[list, list]:
    """(LabelFacts per output, label shapes per output) for a labels structure; `declared` (a
    single-output model's tf.data pipeline) fills in what values do not show."""
    count = len(names)
    if isinstance(y, Mapping):
        values = [y.get(n) if n is not None else None for n in names]
    elif isinstance(y, (list, tuple)) and count > 1 and len(y) == count:
        values = list(y)
    elif count == 1:
        values = [y]
    else:
        values = [None] * count
    facts, label_shapes = [], []
    for i, value in enumerate(values):
        shape = shapes[i] if shapes and i < len(shapes) else None
        found = label_facts(value, shape) if value is not None else None
        value_shape = getattr(value, "shape", None)
        value_shape = tuple(value_shape) if value_shape is not None else None
        if declared is not None and count == 1:
            found, value_shape = _with_declared(found, value_shape, declared, shape)
        facts.append(found)
        label_shapes.append(value_shape)
    return facts, label_shapes


def _with_declared(found: LabelFacts | None, value_shape, declared: DeclaredLabels, shape) -> tuple:
    """Values win; the class count a directory declares completes class ids read from a batch."""
    if found is None:
        return declared.facts(shape), (None, *declared.shape)
    if found.format is LabelFormat.INDEX and found.num_classes is None and declared.class_count \
            and found.max_value is not None and found.max_value < declared.class_count:
        # the directory's class ids are 0..n-1 whatever the first batch happened to hold
        found = dataclasses.replace(found, num_classes=declared.class_count,
                                    max_value=max(found.max_value, declared.class_count - 1))
    return found, value_shape

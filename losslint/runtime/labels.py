"""What is passed to `fit` → `LabelFacts` per output, plus the input shape.

Vectorised NumPy checks on a bounded slice: min/max/whole-number over at most `MAX_VALUES`
values, row sums over at most `MAX_ROWS` rows. Datasets contribute their first batch only when
they can be iterated again (`tf.data.Dataset`, `PyDataset`); one-shot generators and iterators
are never touched.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..diagnostics import SourceRef
from ..facts import LabelFacts, LabelFormat

MAX_VALUES = 2_000_000  # ~8 ms of min/max on one core; enough to see 1-based or out-of-range ids
MAX_ROWS = 4096  # rows looked at to tell one-hot from multi-hot

_REF = SourceRef(origin="labels passed to fit()")


def as_array(value: Any) -> np.ndarray | None:
    """A NumPy view of labels (NumPy, pandas, TF/JAX/torch tensors), bounded in size."""
    if value is None or isinstance(value, (str, bytes, Mapping)):
        return None
    if hasattr(value, "to_numpy") and type(value).__module__.startswith("pandas"):
        value = value.to_numpy()
    elif hasattr(value, "detach") and hasattr(value, "cpu"):  # torch
        value = value.detach().cpu()
    shape = getattr(value, "shape", None)
    try:
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
    return type(x).__module__.startswith("tensorflow") and hasattr(x, "take") and hasattr(x, "element_spec")


def _is_py_dataset(x: Any) -> bool:
    return any(cls.__name__ in ("PyDataset", "Sequence") and cls.__module__.startswith(("keras", "tf_keras"))
               for cls in type(x).__mro__)


def fit_data(args: tuple, kwargs: dict) -> tuple[tuple | None, Any]:
    """(input shape without the batch axis, labels structure) from `fit`'s arguments.

    Either may be None. Never consumes a one-shot iterator.
    """
    x = args[0] if args else kwargs.get("x")
    y = args[1] if len(args) > 1 else kwargs.get("y")
    if y is None and x is not None:
        batch = None
        if _is_tf_dataset(x):
            for batch in x.take(1):  # a new iterator over a re-iterable dataset
                break
        elif _is_py_dataset(x) and len(x) > 0:
            batch = x[0]
        if isinstance(batch, tuple) and len(batch) >= 2:
            x, y = batch[0], batch[1]
        else:
            x = None
    shape = getattr(x, "shape", None) if not isinstance(x, (Mapping, list, tuple)) else None
    try:
        input_shape = tuple(int(d) if d is not None else None for d in shape[1:]) if shape is not None else None
    except (TypeError, ValueError):
        input_shape = None
    return input_shape, y


def per_output(y: Any, names: list[str | None], shapes: list[tuple] | None) -> tuple[list, list]:
    """(LabelFacts per output, label shapes per output) for a labels structure."""
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
        facts.append(label_facts(value, shape) if value is not None else None)
        value_shape = getattr(value, "shape", None)
        label_shapes.append(tuple(value_shape) if value_shape is not None else None)
    return facts, label_shapes

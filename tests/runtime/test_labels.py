"""Label facts from arrays (NumPy only; no Keras)."""

from __future__ import annotations

import numpy as np
import pytest

from losslint.facts import LabelFormat
from losslint.runtime import labels as L

OUT = (None, 4)  # a (batch, 4) output


@pytest.mark.parametrize("y, fmt, classes", [
    (np.array([0, 3, 1, 2]), LabelFormat.INDEX, None),
    (np.array([[0], [3], [1]]), LabelFormat.INDEX, None),
    (np.array([0.0, 3.0, 1.0]), LabelFormat.INDEX, None),
    (np.array([0, 3, 1]) / 255, LabelFormat.FRACTIONAL, None),
    (np.eye(4)[[0, 3, 1]], LabelFormat.ONE_HOT, 4),
    (np.array([[1, 1, 0, 0], [0, 1, 0, 0]]), LabelFormat.MULTI_HOT, 4),
    (np.array([[0, 0, 0, 0], [0, 1, 0, 0]]), LabelFormat.BINARY, 4),
    (np.array([[0.1, 0.9, 0, 0], [0.5, 0.5, 0, 0]]), LabelFormat.REAL, None),
    (np.array([True, False]), LabelFormat.INDEX, None),
])
def test_formats(y, fmt, classes):
    facts = L.label_facts(y, OUT)
    assert facts.format is fmt and facts.num_classes == classes
    assert facts.min_value == float(y.min()) and facts.max_value == float(y.max())


def test_sequence_labels_follow_the_output_rank():
    ids = np.random.randint(0, 3, size=(8, 5))  # (batch, time) ids for a (batch, time, 3) output
    assert L.label_facts(ids, (None, 5, 3)).format is LabelFormat.INDEX
    assert L.label_facts(ids, (None, 5)).format is LabelFormat.REAL


@pytest.mark.parametrize("y", [np.array([1.0, np.nan]), np.array(["a", "b"]), np.array([]), np.float32(3)])
def test_unreadable_labels_give_no_facts(y):
    assert L.label_facts(y, OUT) is None


def test_bounded_cost_on_large_arrays(monkeypatch):
    monkeypatch.setattr(L, "MAX_VALUES", 1000)
    y = np.zeros(10_000, dtype="int64")
    y[5000] = 99  # beyond the bounded slice: not seen, by design
    assert L.as_array(y).shape == (1000,)
    assert L.label_facts(y, OUT).max_value == 0


def test_pandas_labels():
    pd = pytest.importorskip("pandas")
    assert L.label_facts(pd.Series([1, 2, 3]), OUT).format is LabelFormat.INDEX
    frame = pd.DataFrame(np.eye(4, dtype=int))
    assert L.label_facts(frame, OUT).format is LabelFormat.ONE_HOT


def test_one_shot_generator_is_never_consumed():
    taken = []

    def batches():
        for i in range(3):
            taken.append(i)
            yield np.zeros((2, 4)), np.zeros(2)

    generator = batches()
    assert L.fit_labels((generator,), {}) == (None, False)  # left to the batch Keras draws itself
    assert taken == [] and next(generator)[1].shape == (2,)


def test_fit_labels_reads_arrays_and_keywords():
    x, y = np.zeros((6, 3, 2)), np.zeros(6)
    assert L.fit_labels((x, y), {}) == (y, True)
    assert L.fit_labels((), {"x": x, "y": y})[0] is y
    assert L.fit_labels((x,), {}) == (None, True)  # no labels at all (add_loss, autoencoders)


def test_dataset_labels_come_from_its_source_tensors_without_iterating():
    tf = pytest.importorskip("tensorflow")
    y = np.arange(10) % 3
    pipeline = tf.data.Dataset.from_tensor_slices((np.zeros((10, 4)), y)).shuffle(10).batch(4).prefetch(2).repeat()
    labels, complete = L.fit_labels((pipeline,), {})
    assert complete and np.array_equal(np.asarray(labels), y)
    mapped = tf.data.Dataset.from_tensor_slices((np.zeros((10, 4)), y)).map(lambda a, b: (a, b + 1)).batch(4)
    assert L.fit_labels((mapped,), {}) == (None, False)  # map runs user code: values unknown
    unbatched = tf.data.Dataset.from_tensor_slices((np.zeros((10, 4)), y))
    assert L.fit_labels((unbatched,), {}) == (None, False)


def test_symbolic_labels_are_never_read():
    tf = pytest.importorskip("tensorflow")
    seen = []

    @tf.function
    def step(y):
        seen.append(L.concrete_labels(y))
        return y

    step(tf.constant([0, 1, 2]))
    assert seen == [None]
    assert np.array_equal(L.concrete_labels((None, tf.constant([0, 1])))[1], [0, 1])


def test_per_output_by_name_and_position():
    a, b = np.array([0, 1]), np.eye(3)[[0, 1]]
    facts, shapes = L.per_output({"b": b, "a": a}, ["a", "b"], [(None, 2), (None, 3)])
    assert [f.format for f in facts] == [LabelFormat.INDEX, LabelFormat.ONE_HOT] and shapes == [(2,), (2, 3)]
    facts, _ = L.per_output([a, b], ["a", "b"], None)
    assert facts[1].format is LabelFormat.ONE_HOT

"""What a tf.data pipeline declares about its labels, read without drawing a single element
(real TensorFlow; the generator below counts every element the pipeline produces)."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import require
from losslint.facts import LabelFormat
from losslint.runtime import labels as L


@pytest.fixture(scope="module")
def tf():
    return require("tensorflow")


def _counted(tf, ids):
    drawn = []

    def generate():
        for i, label in enumerate(ids):
            drawn.append(i)
            yield np.full(3, i, dtype="float32"), np.int64(label)

    spec = (tf.TensorSpec((3,), tf.float32), tf.TensorSpec((), tf.int64))
    return tf.data.Dataset.from_generator(generate, output_signature=spec), drawn


def test_one_hot_map_is_read_from_the_traced_graph_without_drawing(tf):
    source, drawn = _counted(tf, [0, 2, 1, 3])
    dataset = source.map(lambda x, y: (x, tf.one_hot(y, 4))).shuffle(4, seed=0).batch(2).prefetch(1)
    declared = L.declared_labels(dataset)
    facts = declared.facts((None, 4))
    assert facts.format is LabelFormat.ONE_HOT and facts.num_classes == 4
    assert drawn == []  # nothing was drawn, and the random state of the shuffle is untouched


def test_integer_ids_through_a_generator_are_index_labels_without_a_range(tf):
    source, drawn = _counted(tf, [5, 6])
    facts = L.declared_labels(source.batch(2)).facts((None, 4))
    assert facts.format is LabelFormat.INDEX and facts.max_value is None and facts.num_classes is None
    assert drawn == []


def test_a_map_that_changes_labels_hides_the_source_values(tf):
    dataset = tf.data.Dataset.from_tensor_slices((np.zeros((4, 3), "float32"), np.array([1, 2, 3, 1])))
    kept = dataset.map(lambda x, y: (x * 2.0, y)).batch(2)
    changed = dataset.map(lambda x, y: (x, y - 1)).batch(2)
    assert list(np.asarray(L.dataset_source_labels(kept))) == [1, 2, 3, 1]
    assert L.dataset_source_labels(changed) is None
    assert L.declared_labels(changed).facts((None, 3)).max_value is None  # values unknown: no LL203


def test_float_rows_of_unknown_origin_claim_nothing(tf):
    dataset = tf.data.Dataset.from_tensor_slices((np.zeros((4, 3), "float32"), np.zeros((4, 3), "float32")))
    assert L.declared_labels(dataset.batch(2)).facts((None, 3)) is None  # one-hot? multi-hot? soft? unknown


def test_directory_class_names_give_the_class_ids(tf, tmp_path):
    keras = require("keras")
    for name in ("cats", "dogs", "birds"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "a.txt").write_text(f"a {name}")
    dataset = keras.utils.text_dataset_from_directory(str(tmp_path), batch_size=2, verbose=False)
    facts = L.declared_labels(dataset.cache().prefetch(1)).facts((None, 3))
    assert (facts.format, facts.min_value, facts.max_value, facts.num_classes) == (LabelFormat.INDEX, 0, 2, 3)
    one_hot = keras.utils.text_dataset_from_directory(str(tmp_path), batch_size=2, label_mode="categorical",
                                                      verbose=False)
    facts = L.declared_labels(one_hot).facts((None, 3))
    assert facts.format is LabelFormat.ONE_HOT and facts.num_classes == 3


def test_flow_from_directory_class_indices_without_drawing(tmp_path):
    """Keras's legacy `flow_from_directory` iterator: class_indices + class_mode, no image loaded."""
    require("keras")
    tf = require("tensorflow")
    from keras.src.legacy.preprocessing.image import ImageDataGenerator

    for name in ("cats", "dogs", "birds"):
        (tmp_path / name).mkdir()
        tf.io.write_file(str(tmp_path / name / "a.png"), tf.io.encode_png(tf.zeros((4, 4, 3), tf.uint8)))
    sparse = ImageDataGenerator().flow_from_directory(str(tmp_path), target_size=(4, 4), class_mode="sparse")
    facts = L.declared_labels(sparse).facts((None, 3))
    assert (facts.format, facts.min_value, facts.max_value, facts.num_classes) == (LabelFormat.INDEX, 0, 2, 3)
    categorical = ImageDataGenerator().flow_from_directory(str(tmp_path), target_size=(4, 4))
    facts = L.declared_labels(categorical).facts((None, 5))
    assert facts.format is LabelFormat.ONE_HOT and facts.num_classes == 3
    # the batch Keras draws later completes these: class ids 0..1 seen, 3 classes declared
    ids = L.per_output(np.array([0.0, 1.0]), [None], [(None, 3)], L.declared_labels(sparse))[0][0]
    assert ids.num_classes == 3 and ids.max_value == 2

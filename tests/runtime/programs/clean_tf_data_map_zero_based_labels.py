# Clean look-alike of tf_data_map_one_based_labels.py: labels 0..2 through the same pipeline.
import numpy as np
import tensorflow as tf
from tensorflow import keras

rng = np.random.default_rng(0)
features = rng.random((120, 6)).astype("float32") * 255
grades = rng.integers(0, 3, size=120)  # 0 = low, 1 = medium, 2 = high


def normalise(x, y):
    return x / 255.0, y


train_ds = (tf.data.Dataset.from_tensor_slices((features, grades))
            .map(normalise, num_parallel_calls=tf.data.AUTOTUNE)
            .shuffle(120, seed=0)
            .batch(16)
            .prefetch(tf.data.AUTOTUNE))

model = keras.Sequential([
    keras.Input(shape=(6,)),
    keras.layers.Dense(16, activation="relu"),
    keras.layers.Dense(3, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(train_ds, epochs=3, verbose=0)

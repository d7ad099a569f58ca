# Labels 1..3 from a CSV-like table, fed through from_tensor_slices(...).map(normalise) with a 3-unit
# softmax and sparse_categorical_crossentropy. Keras on TensorFlow: InvalidArgumentError in the first
# step (NaN on GPU). losslint: LL203 at fit: the map returns its labels unchanged, so they are read
# from the tensors the pipeline was built from, without iterating it.
import numpy as np
import tensorflow as tf
from tensorflow import keras

rng = np.random.default_rng(0)
features = rng.random((120, 6)).astype("float32") * 255
grades = rng.integers(1, 4, size=120)  # 1 = low, 2 = medium, 3 = high


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
model.fit(train_ds, epochs=3, verbose=0)  # expect: LL203

# Clean look-alike of tf_data_map_one_hot_sparse_loss.py: one-hot labels with CategoricalCrossentropy.
import numpy as np
import tensorflow as tf
from tensorflow import keras

NUM_CLASSES = 4
rng = np.random.default_rng(0)
features = rng.random((96, 10)).astype("float32")
species = rng.integers(0, NUM_CLASSES, size=96)


def encode(x, y):
    return x, tf.one_hot(y, NUM_CLASSES)


train_ds = tf.data.Dataset.from_tensor_slices((features, species)).map(encode).batch(32)

model = keras.Sequential([
    keras.Input(shape=(10,)),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(NUM_CLASSES, activation="softmax"),
])
model.compile(optimizer="adam", loss=keras.losses.CategoricalCrossentropy(), metrics=["accuracy"])
model.fit(train_ds, epochs=3, verbose=0)

# Class ids one-hot encoded inside the pipeline (.map with tf.one_hot), then trained with
# sparse_categorical_crossentropy. Keras: ValueError about ranks in the first step. losslint: LL202
# at fit: the map's traced graph ends the labels in a OneHot op (read, not run).
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
model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(), metrics=["accuracy"])
model.fit(train_ds, epochs=3, verbose=0)  # expect: LL202

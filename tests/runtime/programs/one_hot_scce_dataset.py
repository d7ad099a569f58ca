import numpy as np
import keras
from keras import layers

x = np.random.rand(64, 8).astype("float32")
import tensorflow as tf

y = keras.utils.to_categorical(np.random.randint(0, 3, size=(64,)), 3)
data = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(data, epochs=1, verbose=0)  # expect: LL202

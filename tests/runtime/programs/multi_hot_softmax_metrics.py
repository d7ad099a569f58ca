import numpy as np
import keras
from keras import layers

x = np.random.rand(64, 8).astype("float32")
y = np.zeros((64, 4), dtype="int64")
y[:, 0] = 1
y[::2, 2] = 1
model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(4, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["binary_accuracy"])  # expect: LL301
model.fit(x, y, epochs=1, verbose=0)  # expect: LL206

import numpy as np
import keras
from keras import layers

x = np.random.rand(64, 8).astype("float32")
y = np.random.randint(0, 3, size=(64,))
model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(x, y, epochs=1, verbose=0)  # expect: LL201

import numpy as np
import keras
from keras import layers

x = np.random.rand(64, 8).astype("float32")
inputs = keras.Input(shape=(8,))
tags = layers.Dense(5, activation="sigmoid", name="tags")(inputs)
score = layers.Dense(1, name="score")(inputs)
model = keras.Model(inputs, {"tags": tags, "score": score})
model.compile(optimizer="adam", loss={"tags": "binary_crossentropy", "score": "mse"},
              metrics={"tags": ["accuracy"]})  # expect: LL302
model.fit(x, {"tags": np.random.randint(0, 2, size=(64, 5)), "score": np.random.rand(64)}, epochs=1, verbose=0)

import numpy as np
import keras
from keras import layers

x = np.random.rand(64, 8).astype("float32")
import pandas as pd

y = pd.Series(np.random.randint(0, 10, size=64))
model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit(x, y, epochs=1, verbose=0)  # expect: LL205

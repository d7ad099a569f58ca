import numpy as np
import keras
from keras import layers

x = np.random.rand(64, 8).astype("float32")
inputs = keras.Input(shape=(8,))
h = layers.Dense(16, activation="relu")(inputs)
h = layers.Dropout(0.1)(h)
logits = layers.Dense(3)(h)
probs = layers.Activation("softmax")(logits)
model = keras.Model(inputs, probs)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x, np.random.randint(0, 3, size=(64,)), epochs=1, verbose=0)

binary = keras.Sequential([layers.Dense(1, activation="sigmoid")])  # unbuilt until fit
binary.compile(optimizer="adam", loss="crossentropy", metrics=["accuracy"])
binary.fit(x, np.random.randint(0, 2, size=(64,)), epochs=1, verbose=0)

multi = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(4, activation="sigmoid")])
multi.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy(), metrics=["binary_accuracy"])
multi.fit(x, np.random.randint(0, 2, size=(64, 4)), epochs=1, verbose=0)

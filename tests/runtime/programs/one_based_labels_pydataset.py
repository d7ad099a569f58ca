import numpy as np
import keras
from keras import layers

x = np.random.rand(64, 8).astype("float32")
class Batches(keras.utils.PyDataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return x[i * 16:(i + 1) * 16], np.random.randint(1, 4, size=(16,))


model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(Batches(), epochs=1, verbose=0)  # expect: LL203

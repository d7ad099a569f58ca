import numpy as np
import keras
from keras import layers

x = np.random.rand(64, 8).astype("float32")
class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = layers.Dense(16, activation="relu")
        self.head = layers.Dense(10, activation="softmax")

    def call(self, inputs):
        return self.head(self.hidden(inputs))


y = np.random.randint(0, 10, size=(64,)) / 255.0
model = Net()
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x, y, epochs=1, verbose=0)  # expect: LL207

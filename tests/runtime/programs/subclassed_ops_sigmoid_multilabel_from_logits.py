# A subclassed multi-label tagger whose call() ends in keras.ops.sigmoid (no activation layer),
# compiled with BinaryCrossentropy(from_logits=True). Keras: a UserWarning on TensorFlow only;
# silent on JAX and torch (double sigmoid). losslint: LL101 at the first train step: the graph
# op (TensorFlow), the autograd node (torch) or the jitted step's trace (JAX) shows the sigmoid.
import numpy as np
import keras
from keras import layers, ops


class Tagger(keras.Model):
    def __init__(self, num_tags):
        super().__init__()
        self.hidden = layers.Dense(32, activation="relu")
        self.scores = layers.Dense(num_tags)

    def call(self, x):
        return ops.sigmoid(self.scores(self.hidden(x)))


rng = np.random.default_rng(0)
x = rng.random((48, 12)).astype("float32")
tags = (rng.random((48, 5)) < 0.3).astype("float32")

model = Tagger(5)
model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy(from_logits=True))
model.fit(x, tags, epochs=2, batch_size=16, verbose=0)  # expect: LL101

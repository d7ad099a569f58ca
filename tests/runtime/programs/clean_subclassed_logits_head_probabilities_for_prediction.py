# Clean look-alike of subclassed_ops_sigmoid_multilabel_from_logits.py: call() returns logits,
# the sigmoid is applied only to predict.
import numpy as np
import keras
from keras import layers, ops


class Tagger(keras.Model):
    def __init__(self, num_tags):
        super().__init__()
        self.hidden = layers.Dense(32, activation="relu")
        self.scores = layers.Dense(num_tags)

    def call(self, x):
        return self.scores(self.hidden(x))

    def predict_tags(self, x):
        return ops.sigmoid(self(x)) > 0.5


rng = np.random.default_rng(0)
x = rng.random((48, 12)).astype("float32")
tags = (rng.random((48, 5)) < 0.3).astype("float32")

model = Tagger(5)
model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy(from_logits=True))
model.fit(x, tags, epochs=2, batch_size=16, verbose=0)
predicted = model.predict_tags(x[:4])

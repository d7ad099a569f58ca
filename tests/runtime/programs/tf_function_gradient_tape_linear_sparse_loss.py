# The TensorFlow "advanced quickstart" custom loop with the softmax left out of the model and the
# loss kept at its default: a linear Dense(10) output into SparseCategoricalCrossentropy() inside
# a @tf.function GradientTape step. Keras: silent (the loss starts near 8 and training crawls).
# losslint: LL106 at the loss line: the graph op's layer scope names the model that produced the
# prediction, and its last layer is judged as compile() would judge it.
import numpy as np
import tensorflow as tf
import keras
from keras import layers

rng = np.random.default_rng(0)
images = rng.random((64, 28, 28)).astype("float32")
digits = rng.integers(0, 10, size=64)
train_ds = tf.data.Dataset.from_tensor_slices((images, digits)).shuffle(64).batch(32)


class MyModel(keras.Model):
    def __init__(self):
        super().__init__()
        self.flatten = layers.Flatten()
        self.d1 = layers.Dense(32, activation="relu")
        self.d2 = layers.Dense(10)

    def call(self, x):
        return self.d2(self.d1(self.flatten(x)))


model = MyModel()
loss_object = keras.losses.SparseCategoricalCrossentropy()
optimizer = keras.optimizers.Adam()


@tf.function
def train_step(images, labels):
    with tf.GradientTape() as tape:
        predictions = model(images, training=True)
        loss = loss_object(labels, predictions)  # expect: LL106
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    return loss


for epoch in range(2):
    for batch_images, batch_labels in train_ds:
        train_step(batch_images, batch_labels)

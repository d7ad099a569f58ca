# Clean look-alike of tf_function_gradient_tape_linear_sparse_loss.py: the same step with from_logits=True.
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
loss_object = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
optimizer = keras.optimizers.Adam()


@tf.function
def train_step(images, labels):
    with tf.GradientTape() as tape:
        predictions = model(images, training=True)
        loss = loss_object(labels, predictions)
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    return loss


for epoch in range(2):
    for batch_images, batch_labels in train_ds:
        train_step(batch_images, batch_labels)

# Reviews sorted into one folder per class, read with text_dataset_from_directory(label_mode="categorical"),
# trained with sparse_categorical_crossentropy. Keras: ValueError about ranks
# in the first step, on every backend. losslint: LL202 at fit, from element_spec and the class names.
import os
import tempfile

import keras
from keras import layers

root = tempfile.mkdtemp()
for name, words in {"negative": "awful boring", "neutral": "fine okay", "positive": "great loved"}.items():
    os.makedirs(os.path.join(root, name))
    for i in range(6):
        with open(os.path.join(root, name, f"{i}.txt"), "w") as f:
            f.write(f"{words} review number {i}")

train_ds = keras.utils.text_dataset_from_directory(root, batch_size=4, seed=1, label_mode="categorical")
class_names = train_ds.class_names
vectorize = layers.TextVectorization(max_tokens=50, output_sequence_length=8)
vectorize.adapt(train_ds.map(lambda text, label: text))
train_ds = train_ds.map(lambda text, label: (vectorize(text), label)).cache().prefetch(2)

model = keras.Sequential([
    keras.Input(shape=(8,), dtype="int64"),
    layers.Embedding(50, 8),
    layers.GlobalAveragePooling1D(),
    layers.Dense(len(class_names), activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(train_ds, epochs=2, verbose=0)  # expect: LL202

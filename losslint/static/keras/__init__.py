"""Keras and TensorFlow as the one interpreter reads them.

`library.py` says what Keras / `tf.keras` / `tf_keras` / Keras 1–2 / TF1 graph calls mean (layers,
models, `compile()` and `fit()`, losses, metrics); `labels.py` what label sources mean (Keras
datasets, `to_categorical`, NumPy / pandas / scikit-learn idioms, directory loaders); `loss_calls.py`
records losses called in custom training loops; `flavour.py` tells which Keras a file targets.
"""

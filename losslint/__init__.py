"""losslint: finds Keras models whose last layer, loss (from_logits) and labels do not fit together.

Importing this package is cheap: it pulls in neither libcst, click, keras nor TensorFlow.
"""

__version__ = "0.1.0"

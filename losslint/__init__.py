"""losslint: finds Keras models whose last layer, loss (from_logits) and labels do not fit together.

Importing this package is cheap: it pulls in neither libcst, click, keras nor TensorFlow.
The runtime hook (`install`, `uninstall`, `%load_ext losslint`) is imported on first use.
"""

__version__ = "0.1.0"


def install(mode: str = "warn", select=None, ignore=()):
    """Check every later `keras.Model.compile()` / `fit()`; see `losslint.runtime.hook.install`."""
    from .runtime.hook import install as _install

    return _install(mode=mode, select=select, ignore=ignore)


def uninstall() -> None:
    """Remove the runtime hook installed by `install()`."""
    from .runtime.hook import uninstall as _uninstall

    _uninstall()


def load_ipython_extension(ipython) -> None:
    """`%load_ext losslint`."""
    from .runtime.ipython import load_ipython_extension as _load

    _load(ipython)


def unload_ipython_extension(ipython) -> None:
    """`%unload_ext losslint`."""
    from .runtime.ipython import unload_ipython_extension as _unload

    _unload(ipython)

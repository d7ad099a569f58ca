"""Runtime front end: a hook on `keras.Model.compile` / `fit` that checks live models.

`install()` / `uninstall()` live in `hook`; importing this package stays cheap (no keras).
"""

from __future__ import annotations


def install(mode: str = "warn", select=None, ignore=()):
    from .hook import install as _install

    return _install(mode=mode, select=select, ignore=ignore)


def uninstall() -> None:
    from .hook import uninstall as _uninstall

    _uninstall()

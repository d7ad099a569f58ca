"""Turn the hook on from the environment: `LOSSLINT=warn python train.py` (or `raise`).

Python runs the `import` lines of `.pth` files in site-packages at start-up, before the script.
One line there makes the `LOSSLINT` variable enough, for every Python of that environment:

    import os; os.environ.get("LOSSLINT", "off").strip().lower() in ("warn", "raise") and __import__("losslint.runtime.autostart")

When `LOSSLINT` is unset (or `off`) that line costs one dictionary look-up and imports nothing.
Importing this module installs the hook in the mode `LOSSLINT` names; Keras is patched when the
script imports it (see `hook.install`), so a `KERAS_BACKEND` the script sets still applies.
"""

from __future__ import annotations

import os

PTH_NAME = "losslint-autostart.pth"
PTH_LINE = ('import os; os.environ.get("LOSSLINT", "off").strip().lower() in ("warn", "raise") '
            'and __import__("losslint.runtime.autostart")\n')


def _start() -> None:
    mode = os.environ.get("LOSSLINT", "").strip().lower()
    if mode in ("warn", "raise"):
        from .hook import install

        install(mode=mode)


_start()

"""`%load_ext losslint` / `%unload_ext losslint` for IPython and Jupyter.

Warnings are attributed to the cell line (IPython clears `__warningregistry__` before each
cell, so a re-run cell warns again, which is what a notebook user expects).
"""

from __future__ import annotations

from .hook import env_mode, install, uninstall


def load_ipython_extension(ipython) -> None:
    install(mode=env_mode("warn"))


def unload_ipython_extension(ipython) -> None:
    uninstall()

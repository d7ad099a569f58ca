"""Resolve what an expression names, through the file's imports, to a canonical Keras symbol.

Uses libcst's `QualifiedNameProvider` (so `import tensorflow as tf; tf.keras.layers.Dense`,
`from tensorflow import keras`, `from keras.layers import Dense as D` all work) and falls back to
star imports (`from tensorflow.keras.layers import *`), which libcst leaves unresolved.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import QualifiedNameProvider, QualifiedNameSource

from ..knowledge import canonical_symbol
from .callargs import dotted

# Canonical symbols a star import may bring into scope, filled lazily from the knowledge table.
_KNOWN_SYMBOLS: frozenset[str] | None = None


def known_symbols() -> frozenset[str]:
    global _KNOWN_SYMBOLS
    if _KNOWN_SYMBOLS is None:
        from .. import knowledge as k

        symbols = {*k.LAYERS, *k.SEQUENTIAL, *k.FUNCTIONAL, *k.INPUT, *k.LOSS_BY_CLASS, *k.LOSS_BY_FUNCTION,
                   *k.ACTIVATION_BY_FUNCTION, *k.ACTIVATION_BY_LAYER, *k.METRIC_BY_FUNCTION}
        _KNOWN_SYMBOLS = frozenset(symbols)
    return _KNOWN_SYMBOLS


class NameResolver:
    def __init__(self, wrapper: cst.MetadataWrapper):
        self._qualified = wrapper.resolve(QualifiedNameProvider)
        self._star_modules = [
            dotted(node.module) for node in wrapper.module.body
            for node in _import_froms(node) if isinstance(node.names, cst.ImportStar) and node.module
        ]

    def symbol(self, node: cst.CSTNode) -> str | None:
        """The canonical symbol `node` refers to if it is an imported name, else None."""
        if not _isdotted(node):  # libcst names `np.random.randint(...).astype` "numpy.random.randint.astype"
            return None
        names = self._qualified.get(node)
        if callable(names):  # libcst computes qualified names lazily
            names = names()
        imported = [n.name for n in names or () if n.source is QualifiedNameSource.IMPORT]
        if imported:
            return canonical_symbol(sorted(imported)[0])
        if not names and isinstance(node, (cst.Name, cst.Attribute)) and self._star_modules:
            return self._from_star_import(node)
        return None

    def _from_star_import(self, node: cst.Name | cst.Attribute) -> str | None:
        name = dotted(node)
        for module in self._star_modules:
            candidate = canonical_symbol(f"{module}.{name}")
            if candidate in known_symbols():
                return candidate
        return None


def _import_froms(statement: cst.CSTNode):
    if isinstance(statement, cst.SimpleStatementLine):
        return [s for s in statement.body if isinstance(s, cst.ImportFrom)]
    return []


def _isdotted(node: cst.CSTNode) -> bool:
    while isinstance(node, cst.Attribute):
        node = node.value
    return isinstance(node, cst.Name)

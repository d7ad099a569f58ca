"""libcst's `parse_module`, without re-validating each node its parser builds.

libcst validates every node when it is constructed (`CSTNode.__post_init__` calls `_validate`),
a check meant for trees built by hand: the native parser builds valid nodes by construction (libcst's
own comment there says validation could be skipped when parsing a file). On Keras tutorials that
check is about 15 % of parsing. So while parsing, `__post_init__` does nothing — only when it is
libcst's plain "call `_validate`" (a libcst that gives it other work is left alone and parses as
it always did). Another thread building nodes meanwhile is merely not validated for that moment;
the original is what is always restored.
"""

from __future__ import annotations

import libcst as cst
from libcst._nodes.base import CSTNode

_VALIDATING = CSTNode.__dict__.get("__post_init__")
_SKIPPABLE = getattr(getattr(_VALIDATING, "__code__", None), "co_names", None) == ("_validate",)


def _not_validating(self) -> None:
    pass


def parse_module(text: str) -> cst.Module:
    if not _SKIPPABLE:
        return cst.parse_module(text)
    CSTNode.__post_init__ = _not_validating
    try:
        return cst.parse_module(text)
    finally:
        CSTNode.__post_init__ = _VALIDATING

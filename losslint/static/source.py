"""Reading a file into the text the analyzer parses, and mapping positions back to the file.

A `.py` file is its own text. (Notebooks plug in here: their code cells form one virtual module
and `locate` maps a virtual line back to a cell and a line inside it.)
"""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass, replace

from ..diagnostics import SourceRef


class UnreadableSource(Exception):
    """The file cannot be read or decoded; the message says why (reported as LL900)."""


@dataclass
class Document:
    path: str
    text: str

    def locate(self, ref: SourceRef) -> SourceRef:
        """Map a position in `text` to a position in the file."""
        return ref


def decode_python(data: bytes) -> str:
    """Decode like the interpreter does: BOM, `# -*- coding: … -*-`, else UTF-8."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError) as error:
        raise UnreadableSource(f"cannot decode: {error}") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        raise UnreadableSource("file contains NUL bytes (binary?)")
    return text


def read_document(path: str) -> Document | None:
    """The document to analyse, or None when the file mentions no framework (not worth parsing)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise UnreadableSource(f"cannot read: {error.strerror or error}") from None
    if not mentions_framework(data):
        return None
    return Document(path, decode_python(data))


def mentions_framework(data: bytes | str) -> bool:
    """The cheap prefilter: a file that never says keras or tensorflow has no model to check."""
    if isinstance(data, str):
        return "keras" in data or "tensorflow" in data
    return b"keras" in data or b"tensorflow" in data

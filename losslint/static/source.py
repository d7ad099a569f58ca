"""Reading a file into the text the analyzer parses, and mapping positions back to the file.

A `.py` file is its own text. A `.ipynb` notebook is read by `static/notebook.py`: its code cells
form one virtual module and `locate` maps a virtual line back to a cell and a line inside it.
"""

from __future__ import annotations

import io
import os
import stat
import tokenize
from dataclasses import dataclass

from ..diagnostics import SourceRef


class UnreadableSource(Exception):
    """The file cannot be read or decoded; the message says why (reported as LL900 on `line`)."""

    def __init__(self, message: str, line: int = 1):
        super().__init__(message)
        self.line = line


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
    except (SyntaxError, LookupError) as error:
        raise UnreadableSource(f"cannot decode: {error}") from None
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        line = data.count(b"\n", 0, getattr(error, "start", 0)) + 1
        raise UnreadableSource(f"cannot decode line {line} as {encoding} ({error.reason}); "
                               f"declare the encoding with a `# -*- coding: ... -*-` line", line) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        raise UnreadableSource("file contains NUL bytes (binary?)")
    return text


#: Larger files get LL900 instead of being parsed: libcst needs hundreds of bytes of memory per
#: byte of source (a 10 MB file takes minutes and > 9 GB). The biggest hand-written modules of
#: pandas or TensorFlow are under 1 MB. For notebooks the limit applies to the code cells; the
#: JSON (outputs, images) may be much larger.
MAX_CODE_BYTES = 2_000_000
MAX_NOTEBOOK_BYTES = 100_000_000


def read_document(path: str):
    """The document to analyse, or None when the file mentions no framework (not worth parsing)."""
    data = read_source(path)
    return None if data is None else document_from_bytes(path, data)


def read_source(path: str) -> bytes | None:
    """The file's bytes; None for a file over the size limit that mentions no framework."""
    limit = MAX_NOTEBOOK_BYTES if is_notebook(path) else MAX_CODE_BYTES
    try:
        # O_NONBLOCK: opening a FIFO named `x.py` must not wait for a writer
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise UnreadableSource("cannot read: not a regular file (a device, pipe or socket)")
            if info.st_size > limit:
                if not (is_notebook(path) or _streamed_mentions_framework(handle)):
                    return None  # huge, but nothing to check: skipped like any such file
                raise UnreadableSource(_too_large(info.st_size, limit))
            return handle.read()
    except OSError as error:
        raise UnreadableSource(f"cannot read: {error.strerror or error}") from None


def _streamed_mentions_framework(handle) -> bool:
    """The prefilter over a file read in 1 MB chunks (never all of a huge file in memory)."""
    tail = b""
    while chunk := handle.read(1 << 20):
        if mentions_framework(tail + chunk):
            return True
        tail = chunk[-16:]
    return False


def needs_analysis(path: str, data: bytes, project: bool = False) -> bool:
    """False when the prefilter alone decides there is nothing to report (`document_from_bytes`
    would return None without decoding). `project`: imports of project modules are followed."""
    return (is_notebook(path) or len(data) > MAX_CODE_BYTES or b"\x00" in data or mentions_framework(data)
            or (project and compiles_with_loss(data)))


def _too_large(size: int, limit: int, what: str = "file") -> str:
    return f"{what} too large to analyse ({size / 1e6:.1f} MB; the limit is {limit / 1e6:g} MB)"


def document_from_bytes(path: str, data: bytes, project: bool = False):
    """Like `read_document` for content already in memory (standard input); `path` picks the kind.
    `project`: a file that compiles a model imported from a project module is worth parsing too."""
    if is_notebook(path):  # always checked: a broken notebook is reported even without keras in it
        from .notebook import NotebookError, notebook_document

        if len(data) > MAX_NOTEBOOK_BYTES:
            raise UnreadableSource(_too_large(len(data), MAX_NOTEBOOK_BYTES))
        try:
            document = notebook_document(path, data)
        except NotebookError as error:
            raise UnreadableSource(str(error)) from None
        if not (mentions_framework(document.text) or (project and compiles_with_loss(document.text))):
            return None
        if len(document.text) > MAX_CODE_BYTES:
            raise UnreadableSource(_too_large(len(document.text), MAX_CODE_BYTES, "notebook code"))
        return document
    if not needs_analysis(path, data, project):
        return None
    if len(data) > MAX_CODE_BYTES:
        raise UnreadableSource(_too_large(len(data), MAX_CODE_BYTES))
    if b"\x00" in data:  # checked before the prefilter: a binary file named .py is worth a word
        raise UnreadableSource("binary file (contains NUL bytes)")
    return Document(path, decode_python(data))


def is_notebook(path: str) -> bool:
    return path.lower().endswith(".ipynb")


def compiles_with_loss(data: bytes | str) -> bool:
    """The prefilter for a file whose model comes from another project module (`train.py` doing
    `from models import build_model` may never say keras): it compiles something with a loss."""
    if isinstance(data, str):
        return ".compile(" in data and "loss" in data
    return b".compile(" in data and b"loss" in data


def mentions_framework(data: bytes | str) -> bool:
    """The cheap prefilter: a file that never says keras, tensorflow, torch,
    transformers, optax or flax has no model to check,
    unless it is a snippet pasted without its imports (`model = Sequential()` ... `.compile(`)."""
    if isinstance(data, str):
        return "keras" in data or "tensorflow" in data or "torch" in data or "tflearn" in data \
            or "transformers" in data or "optax" in data or "flax" in data or ".compile(" in data and (
            "Sequential(" in data or "Dense(" in data)
    return b"keras" in data or b"tensorflow" in data or b"torch" in data or b"tflearn" in data \
        or b"transformers" in data or b"optax" in data or b"flax" in data or b".compile(" in data and (
        b"Sequential(" in data or b"Dense(" in data)


def mentions_torch(text: str) -> bool:
    """Whether the PyTorch front end should read this file."""
    return "torch" in text

"""Progress of a long run, on standard error, only when that is a terminal (like ruff and
pre-commit: nothing when piped, so machine-readable output and CI logs never see it).

One line, `checked N/M files`, redrawn in place, first drawn once the run has lasted
`LOSSLINT_PROGRESS_AFTER` seconds (default 1: a short run prints nothing), and erased when the
run ends, so the report that follows starts on a clean line.
"""

from __future__ import annotations

import os
import time
from typing import IO

DELAY = 1.0  # seconds before the line is first drawn
INTERVAL = 0.1  # seconds between redraws


class Progress:
    """Called with (files done, files in all) as files are checked; `close()` erases the line."""

    def __init__(self, stream: IO, delay: float = DELAY) -> None:
        self.stream = stream
        self.delay = delay
        self.started = time.monotonic()
        self.drawn = 0.0  # when the line was last drawn (0: never)

    @classmethod
    def on(cls, stream: IO | None, environ=None) -> "Progress | None":
        """A progress line on `stream` when it is a terminal (not `TERM=dumb`), else None."""
        env = os.environ if environ is None else environ
        if stream is None or env.get("TERM") == "dumb":
            return None
        try:
            if not stream.isatty():
                return None
        except (AttributeError, OSError, ValueError):
            return None
        try:
            delay = float(env.get("LOSSLINT_PROGRESS_AFTER", DELAY))
        except ValueError:
            delay = DELAY
        return cls(stream, delay)

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.started < self.delay or (self.drawn and now - self.drawn < INTERVAL and done < total):
            return
        self.drawn = now
        self._write(f"\r\x1b[Kchecked {done}/{total} files")

    def close(self) -> None:
        if self.drawn:
            self._write("\r\x1b[K")
            self.drawn = 0.0

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            pass

"""Replacing a user's file without ever leaving it half written (DESIGN §7)."""

from __future__ import annotations

import os
import stat
import tempfile


def replace_file(path: str, data: bytes) -> None:
    """Write `data` to a temporary file beside `path` (through symlinks), then rename it over
    the original, keeping its permissions. On any error the original is untouched."""
    real = os.path.realpath(path)
    mode = stat.S_IMODE(os.stat(real).st_mode)
    fd, temporary = tempfile.mkstemp(dir=os.path.dirname(real), prefix=f".{os.path.basename(real)}.",
                                     suffix=".losslint-tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, real)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise

"""`losslint run script.py args…`: run a script with the hook installed, like `coverage run`."""

from __future__ import annotations

import os
import runpy
import sys
import traceback

from .hook import install, uninstall


def run_script(path: str, argv: list[str], mode: str = "warn") -> int:
    """Run `path` as `__main__` with `sys.argv = [path, *argv]`; return its exit status.

    An uncaught exception prints its traceback and gives status 1, as `python script.py` does;
    with `mode="raise"` that is how a finding (`LossLintError`) ends the run.
    """
    saved_argv, saved_path0 = sys.argv, sys.path[0] if sys.path else None
    sys.argv = [path, *argv]
    script_dir = os.path.dirname(os.path.abspath(path))
    if sys.path:
        sys.path[0] = script_dir  # what `python script.py` puts first
    else:
        sys.path.insert(0, script_dir)
    install(mode=mode)
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit as stop:
        return _exit_status(stop.code)
    except Exception:
        traceback.print_exc()
        return 1
    finally:
        uninstall()
        sys.argv = saved_argv
        if saved_path0 is not None:
            sys.path[0] = saved_path0
    return 0


def _exit_status(code) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # `sys.exit("message")` prints the message, status 1
    return 1

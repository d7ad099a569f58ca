"""`losslint run script.py args…` / `losslint run -m package.module args…`: run a script or a module
with the hook installed, like `coverage run`.

The script sees what `python script.py` gives it (`sys.argv`, `sys.path[0]`, an absolute
`__file__`), and an uncaught exception prints the traceback `python script.py` would print:
losslint's and runpy's frames are cut out (the head, and the hook's wrappers around
`compile`/`fit`), so a `LossLintError` (mode "raise") ends at the user's own `compile(`/`fit(` line.
"""

from __future__ import annotations

import os
import runpy
import sys

from .hook import install, uninstall

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def run_script(path: str, argv: list[str], mode: str = "warn") -> int:
    """Run `path` as `__main__` with `sys.argv = [path, *argv]`; return its exit status.

    An uncaught exception prints its traceback (through `sys.excepthook`) and gives status 1, as
    `python script.py` does; with `mode="raise"` that is how a finding (`LossLintError`) ends the run.
    """
    script = os.path.abspath(path)
    return _run(lambda: runpy.run_path(script, run_name="__main__"), [path, *argv], os.path.dirname(script),
                script, mode)


def run_module(module: str, argv: list[str], mode: str = "warn") -> int:
    """`python -m module args…` with the hook installed: the current directory first on `sys.path`,
    `sys.argv[0]` the module's file, `__main__` its namespace (a package runs its `__main__`)."""
    import importlib.util

    sys.path.insert(0, os.getcwd())
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError) as error:
        spec, reason = None, f"{type(error).__name__}: {error}"
    else:
        reason = f"No module named {module}"
    finally:
        sys.path.pop(0)
    if spec is None:
        print(f"{sys.executable}: {reason}", file=sys.stderr)  # what `python -m` prints
        return 1
    origin = spec.origin
    if spec.submodule_search_locations is not None:  # a package: its __main__
        origin = os.path.join(spec.submodule_search_locations[0], "__main__.py")
    return _run(lambda: runpy.run_module(module, run_name="__main__", alter_sys=True),
                [origin or module, *argv], os.getcwd(), os.path.abspath(origin or module), mode)


def _run(main, argv: list[str], path0: str, script: str, mode: str) -> int:
    saved_argv, saved_path0 = sys.argv, sys.path[0] if sys.path else None
    sys.argv = argv
    if sys.path:
        sys.path[0] = path0  # what `python script.py` / `python -m` puts first
    else:
        sys.path.insert(0, path0)
    install(mode=mode)
    try:
        main()
    except SystemExit as stop:
        return _exit_status(stop.code)
    except KeyboardInterrupt as error:
        _print_exception(error, script)
        return 130  # what a shell reports for a Python killed by SIGINT
    except Exception as error:
        _print_exception(error, script)
        return 1
    finally:
        uninstall()
        sys.argv = saved_argv
        if saved_path0 is not None:
            sys.path[0] = saved_path0
    return 0


def _print_exception(error: BaseException, script: str) -> None:
    trimmed = user_traceback(error.__traceback__, script, error)
    sys.excepthook(type(error), error.with_traceback(trimmed), trimmed)


def user_traceback(tb, script: str, error: BaseException | None = None):
    """`tb` without losslint's frames: those before the script's own module frame (run_script,
    runpy) and the hook's wrappers between the user's `compile(`/`fit(` call and Keras."""
    start = tb
    while start is not None and os.path.abspath(start.tb_frame.f_code.co_filename) != script:
        start = start.tb_next
    if start is None:  # the error did not pass through the script (e.g. it failed to compile)
        start = tb
    while start is not None and _is_ours(start.tb_frame.f_code.co_filename):
        start = start.tb_next
    current = start
    while current is not None:
        following = current.tb_next
        while following is not None and _is_ours(following.tb_frame.f_code.co_filename):
            following = following.tb_next
        current.tb_next = following
        current = following
    return start


def _is_ours(filename: str) -> bool:
    return (os.path.abspath(filename).startswith(_PACKAGE_DIR) or filename.startswith("<frozen runpy")
            or os.path.basename(filename) == "runpy.py")


def _exit_status(code) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # `sys.exit("message")` prints the message, status 1
    return 1

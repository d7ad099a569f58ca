"""The one warning path of the runtime hook, shared by every framework inspector.

`hook.py` (the installer and the Keras inspector) and `torch_hook.py` (the PyTorch inspector) both
report through here; neither imports the other's internals, so there is no import cycle:

    hook.py ──> keras / torch inspectors ──> reporting.py ──> registry (rules)

What lives here: the warning and error classes, the settings `install()` chose (mode, selected
codes), which codes were already reported for which model or loss object, and how a finding reaches
the user (a `LossLintWarning` attributed to the user's own line, or a `LossLintError`).
"""

from __future__ import annotations

import os
import sys
import threading
import warnings
import weakref

from ..registry import codes_waiting_for_labels, run_rules
from . import location

MODES = ("off", "warn", "raise")


class LossLintWarning(UserWarning):
    """A loss/output/label mismatch found on a live model."""


class LossLintInternalWarning(UserWarning):
    """losslint itself failed while inspecting a model; training goes on unchanged."""


class LossLintError(Exception):
    """Raised in `mode="raise"` before training starts."""


# Documented (and imported by users) as `losslint.runtime.hook.LossLintWarning` etc.; `hook`
# re-exports them, and tracebacks name them where users look for them.
for _public in (LossLintWarning, LossLintInternalWarning, LossLintError):
    _public.__module__ = "losslint.runtime.hook"


class Settings:
    def __init__(self) -> None:
        self.mode = "warn"
        self.codes: frozenset[str] = frozenset()
        self.reported: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model or loss -> {codes}
        self.internal_reported = False
        self.lock = threading.RLock()

    def forget(self) -> None:
        self.reported.clear()
        self.internal_reported = False


SETTINGS = Settings()


def _skip_dirs() -> tuple[str, ...]:
    dirs = [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]  # the losslint package
    for name in ("keras", "tensorflow", "tf_keras", "jax", "jaxlib", "absl", "torch"):
        module = sys.modules.get(name)
        if module is not None and getattr(module, "__file__", None):
            dirs.append(os.path.dirname(os.path.abspath(module.__file__)))
    return tuple(d + os.sep for d in dirs)


def _autograph_frame(filename: str) -> bool:
    return os.path.basename(filename).startswith("__autograph_generated_file")


def user_frames(limit: int = 64):
    """The frames of the user's code, innermost first: outside losslint / keras / tensorflow /
    tf_keras / jax / torch, including the temporary modules TensorFlow's autograph writes for a
    `tf.function` (the user's own code, converted)."""
    skip = _skip_dirs()
    frame = sys._getframe(1)
    for _ in range(limit):
        if frame is None:
            return
        filename = os.path.abspath(frame.f_code.co_filename)
        if not filename.startswith(skip):
            yield frame
        frame = frame.f_back


def _autograph_origin(frame) -> tuple[str, int] | None:
    """The user's own (file, line) for a frame of autograph's converted code: TensorFlow's
    `converted_call`, one frame out, holds the converted function and its `ag_source_map`."""
    caller = frame.f_back
    converted = caller.f_locals.get("converted_f") if caller is not None else None
    if getattr(converted, "__code__", None) is not frame.f_code:
        return None
    origin = getattr(converted, "ag_source_map", {}).get((frame.f_code.co_filename, frame.f_lineno))
    loc = getattr(origin, "loc", None)
    if loc is None or not isinstance(getattr(loc, "lineno", None), int):
        return None
    return loc.filename, loc.lineno


def user_location():
    """(file, line, module globals) of the innermost user line: inside a `tf.function`, the line of
    the user's function being traced (through autograph's source map), else the innermost frame
    outside the frameworks; None when no user frame is on the stack."""
    for frame in user_frames():
        if _autograph_frame(frame.f_code.co_filename):
            try:
                origin = _autograph_origin(frame)
            except Exception:  # noqa: BLE001 - autograph internals changed: fall back to the caller
                origin = None
            if origin is not None:
                return origin[0], origin[1], frame.f_globals
            continue
        return frame.f_code.co_filename, frame.f_lineno, frame.f_globals
    return None


def warn(text: str, category: type[Warning]) -> None:
    """Warn at the user's own line (see `user_location`)."""
    found = user_location()
    if found is None:
        warnings.warn(text, category, stacklevel=2)
        return
    filename, lineno, module_globals = found
    # no `module_globals=`: for the `__main__` of `python -m pkg.train` the warning machinery would
    # ask its loader for the source of "__main__", which raises ImportError into the user's fit
    filename, lineno = location.for_warning(filename, lineno)  # a notebook cell's name
    warnings.warn_explicit(
        text, category, filename, lineno,
        module=module_globals.get("__name__", "<unknown>"),
        registry=module_globals.setdefault("__warningregistry__", {}),
    )


def format_diagnostic(diagnostic) -> str:
    """`LL101 message` then the `help:` line, the same wording as the static report."""
    return f"{diagnostic.code} {diagnostic.message}\n  help: {diagnostic.help}"


def report(owner, facts, labels_known: bool = True) -> None:
    """Warn (or raise) each finding not yet reported for `owner` (a model or a loss object).
    Before the labels are known (at `compile`), rules they may withdraw wait for `fit`."""
    codes = SETTINGS.codes if labels_known else SETTINGS.codes - codes_waiting_for_labels()
    with SETTINGS.lock:
        diagnostics = run_rules(facts, codes, mode="runtime")
        seen = SETTINGS.reported.setdefault(owner, set())
        fresh = [d for d in diagnostics if d.code not in seen]
        seen.update(d.code for d in fresh)
    if not fresh:
        return
    if SETTINGS.mode == "raise":
        raise LossLintError("\n".join(format_diagnostic(d) for d in fresh))
    for diagnostic in fresh:
        warn(format_diagnostic(diagnostic), LossLintWarning)


def forget_reports(owner) -> None:
    """A new `compile()` of `owner`: its findings are new again (a notebook cell run twice)."""
    with SETTINGS.lock:
        SETTINGS.reported.pop(owner, None)


def internal_error(error: BaseException) -> None:
    if not SETTINGS.internal_reported:
        SETTINGS.internal_reported = True
        warn(f"losslint could not inspect this model ({type(error).__name__}: {error}); "
             "training is unaffected. Please report this at the losslint issue tracker.",
             LossLintInternalWarning)


def guarded(check, *args) -> None:
    """Run one inspection; losslint's own failures never reach the user's training. Nothing runs
    while torch.compile traces the code that calls it (Keras `jit_compile` on the torch backend):
    the inspection would be traced into the user's graph."""
    if torch_compiling():
        return
    try:
        eager(check)(*args)
    except LossLintError:
        raise
    except Exception as error:  # noqa: BLE001 - isolation is the point
        internal_error(error)


def active() -> bool:
    return SETTINGS.mode != "off"


def torch_compiling() -> bool:
    """torch.compile is tracing the running code (an inspection must not be traced into a graph)."""
    torch = sys.modules.get("torch")  # losslint never imports torch itself
    compiler = getattr(torch, "compiler", None) if torch is not None else None
    is_compiling = getattr(compiler, "is_compiling", None)
    return bool(is_compiling is not None and is_compiling())


def eager(check):
    """`check` as torch.compile must run it: eagerly, never traced into a graph (when torch is loaded)."""
    torch = sys.modules.get("torch")
    disable = getattr(getattr(torch, "compiler", None), "disable", None) if torch is not None else None
    return disable(check) if disable is not None else check

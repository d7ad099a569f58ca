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


def user_frame():
    """The innermost frame outside losslint / keras / tensorflow / tf_keras / jax / torch, and
    outside the temporary modules TensorFlow's autograph writes for a `tf.function`."""
    skip = _skip_dirs()
    frame = sys._getframe(1)
    while frame is not None:
        filename = os.path.abspath(frame.f_code.co_filename)
        if not filename.startswith(skip) and not os.path.basename(filename).startswith("__autograph_generated_file"):
            return frame
        frame = frame.f_back
    return None


def warn(text: str, category: type[Warning], where: tuple[str, int] | None = None) -> None:
    """Warn at the user's own line: `where` (file, line) when the inspector knows it (a loss called
    inside a `tf.function`), else the innermost user frame."""
    frame = user_frame()
    if frame is None and where is None:
        warnings.warn(text, category, stacklevel=2)
        return
    module_globals = frame.f_globals if frame is not None else {}
    # no `module_globals=`: for the `__main__` of `python -m pkg.train` the warning machinery would
    # ask its loader for the source of "__main__", which raises ImportError into the user's fit
    filename, lineno = where if where is not None else (frame.f_code.co_filename, frame.f_lineno)
    filename, lineno = location.for_warning(filename, lineno)  # a notebook cell's name
    warnings.warn_explicit(
        text, category, filename, lineno,
        module=module_globals.get("__name__", "<unknown>"),
        registry=module_globals.setdefault("__warningregistry__", {}) if frame is not None else None,
    )


def format_diagnostic(diagnostic) -> str:
    """`LL101 message` then the `help:` line, the same wording as the static report."""
    return f"{diagnostic.code} {diagnostic.message}\n  help: {diagnostic.help}"


def report(owner, facts, labels_known: bool = True, where: tuple[str, int] | None = None) -> None:
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
        warn(format_diagnostic(diagnostic), LossLintWarning, where)


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
    """Run one inspection; losslint's own failures never reach the user's training."""
    try:
        check(*args)
    except LossLintError:
        raise
    except Exception as error:  # noqa: BLE001 - isolation is the point
        internal_error(error)


def active() -> bool:
    return SETTINGS.mode != "off"

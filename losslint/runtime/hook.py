"""The compile/fit hook: wraps `keras.Model` (and `tf_keras.Model`) and warns on mismatches.

Keras is never imported here. If it is already loaded the classes are patched at once;
otherwise a meta-path finder patches them right after the user's own `import keras` (so a
`KERAS_BACKEND` set by the script still takes effect).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import inspect
import os
import sys
import threading
import warnings
import weakref
from typing import Any, Iterable

from ..registry import run_rules, select_codes
from . import introspect, labels, location, torch_hook

MODES = ("off", "warn", "raise")
_WATCHED = ("keras", "tf_keras", "torch")


class LossLintWarning(UserWarning):
    """A loss/output/label mismatch found on a live model."""


class LossLintInternalWarning(UserWarning):
    """losslint itself failed while inspecting a model; training goes on unchanged."""


class LossLintError(Exception):
    """Raised in `mode="raise"` before training starts."""


class _State:
    def __init__(self) -> None:
        self.mode = "warn"
        self.codes: frozenset[str] = frozenset()
        self.originals: dict[type, dict[str, Any]] = {}  # class -> {name: attribute or None}
        self.finder: _PatchOnImport | None = None
        self.compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model -> (loss, metrics)
        self.reported: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model -> {codes}
        self.internal_reported = False
        self.lock = threading.RLock()


_STATE = _State()


# --------------------------------------------------------------------------- reporting


def _skip_dirs() -> tuple[str, ...]:
    dirs = [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]  # the losslint package
    for name in ("keras", "tensorflow", "tf_keras", "jax", "jaxlib", "absl", "torch"):
        module = sys.modules.get(name)
        if module is not None and getattr(module, "__file__", None):
            dirs.append(os.path.dirname(os.path.abspath(module.__file__)))
    return tuple(d + os.sep for d in dirs)


def _user_frame():
    """The innermost frame outside losslint / keras / tensorflow / tf_keras / jax."""
    skip = _skip_dirs()
    frame = sys._getframe(1)
    while frame is not None:
        filename = os.path.abspath(frame.f_code.co_filename)
        if not filename.startswith(skip):
            return frame
        frame = frame.f_back
    return None


def _warn(text: str, category: type[Warning]) -> None:
    frame = _user_frame()
    if frame is None:
        warnings.warn(text, category, stacklevel=2)
        return
    module_globals = frame.f_globals
    # no `module_globals=`: for the `__main__` of `python -m pkg.train` the warning machinery would
    # ask its loader for the source of "__main__", which raises ImportError into the user's fit
    filename, lineno = location.for_warning(frame.f_code.co_filename, frame.f_lineno)  # a notebook cell's name
    warnings.warn_explicit(
        text, category, filename, lineno,
        module=module_globals.get("__name__", "<unknown>"),
        registry=module_globals.setdefault("__warningregistry__", {}),
    )


def format_diagnostic(diagnostic) -> str:
    """`LL101 message` then the `help:` line, the same wording as the static report."""
    return f"{diagnostic.code} {diagnostic.message}\n  help: {diagnostic.help}"


def _report(model, facts) -> None:
    with _STATE.lock:
        diagnostics = run_rules(facts, _STATE.codes, mode="runtime")
        seen = _STATE.reported.setdefault(model, set())
        fresh = [d for d in diagnostics if d.code not in seen]
        seen.update(d.code for d in fresh)
    if not fresh:
        return
    if _STATE.mode == "raise":
        raise LossLintError("\n".join(format_diagnostic(d) for d in fresh))
    for diagnostic in fresh:
        _warn(format_diagnostic(diagnostic), LossLintWarning)


def _internal_error(error: BaseException) -> None:
    if not _STATE.internal_reported:
        _STATE.internal_reported = True
        _warn(f"losslint could not inspect this model ({type(error).__name__}: {error}); "
              "training is unaffected. Please report this at the losslint issue tracker.",
              LossLintInternalWarning)


def _guarded(check, *args) -> None:
    """Run one inspection; losslint's own failures never reach the user's training."""
    try:
        check(*args)
    except LossLintError:
        raise
    except Exception as error:  # noqa: BLE001 - isolation is the point
        _internal_error(error)


# --------------------------------------------------------------------------- the checks


def _on_compile(model, bound_loss, bound_metrics) -> None:
    _STATE.compiled[model] = (bound_loss, bound_metrics)
    facts = introspect.model_facts(model, bound_loss, bound_metrics)
    _report(model, facts)


def _on_fit(model, args, kwargs) -> None:
    if model not in _STATE.compiled:
        return  # compiled before the hook was installed
    loss, metrics = _STATE.compiled[model]
    input_shape, y = labels.fit_data(args, kwargs)
    outputs = introspect.resolve_outputs(model, input_shape)
    names = outputs[1] if outputs else [None]
    label_facts, label_shapes = labels.per_output(y, names, introspect.output_shapes(outputs))
    facts = introspect.model_facts(model, loss, metrics, outputs=outputs, labels=label_facts,
                                   label_shapes=label_shapes)
    _report(model, facts)


def _compile_arguments(signature, model, args, kwargs) -> tuple[Any, Any]:
    """`loss` and `metrics` as the user passed them (keras and tf_keras order them differently)."""
    if not args:  # the common case: keywords only, no binding needed
        arguments = kwargs
    else:
        try:
            arguments = signature.bind(model, *args, **kwargs).arguments
        except (TypeError, ValueError):
            arguments = kwargs
    if "loss" not in arguments and "metrics" not in arguments:  # an opaque (*args, **kwargs) wrapper
        arguments = kwargs
    return arguments.get("loss", getattr(model, "loss", None)), arguments.get("metrics")


def _wrap_compile(original):
    signature = inspect.signature(original)  # once per patch, not per call

    def compile(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        if _STATE.mode != "off":
            loss, metrics = _compile_arguments(signature, self, args, kwargs)
            _guarded(_on_compile, self, loss, metrics)
        return result

    compile.__wrapped__ = original
    compile.__losslint__ = True
    compile.__doc__, compile.__name__, compile.__qualname__ = original.__doc__, "compile", original.__qualname__
    return compile


def _wrap_fit(original):
    def fit(self, *args, **kwargs):
        if _STATE.mode != "off":
            _guarded(_on_fit, self, args, kwargs)
        return original(self, *args, **kwargs)

    fit.__wrapped__ = original
    fit.__losslint__ = True
    fit.__doc__, fit.__name__, fit.__qualname__ = original.__doc__, "fit", original.__qualname__
    return fit


# --------------------------------------------------------------------------- patching


def _patch(cls: type) -> None:
    if cls in _STATE.originals:
        return
    saved = {}
    for name, wrap in (("compile", _wrap_compile), ("fit", _wrap_fit)):
        current = getattr(cls, name)
        if getattr(current, "__losslint__", False):
            continue
        saved[name] = cls.__dict__.get(name)  # None: inherited, so delete on uninstall
        setattr(cls, name, wrap(current))
    _STATE.originals[cls] = saved


def _patch_module(name: str, module) -> None:
    if name == "torch":
        return torch_hook.patch(module)
    model_class = getattr(module, "Model", None)
    if isinstance(model_class, type):
        _patch(model_class)


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Patches `keras.Model` / `tf_keras.Model` right after the package finishes importing."""

    def find_spec(self, fullname, path, target=None):
        if fullname not in _WATCHED:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return None
        loader = spec.loader
        original_exec = loader.exec_module

        def exec_module(module):
            original_exec(module)
            with _STATE.lock:
                if _STATE.finder is self:
                    _patch_module(fullname, module)

        loader.exec_module = exec_module
        return spec


def _patch_available() -> None:
    for name in _WATCHED:
        module = sys.modules.get(name)
        if module is not None:
            _patch_module(name, module)
    if _STATE.finder is None:
        _STATE.finder = _PatchOnImport()
        sys.meta_path.insert(0, _STATE.finder)


def env_mode(default: str) -> str:
    """`LOSSLINT=off|warn|raise` overrides the mode given in code."""
    value = os.environ.get("LOSSLINT", "").strip().lower()
    return value if value in MODES else default


class Installation:
    """Returned by `install()`; also a context manager that uninstalls on exit."""

    def __init__(self, mode: str) -> None:
        self.mode = mode

    def __enter__(self) -> "Installation":
        return self

    def __exit__(self, *exc) -> None:
        uninstall()

    def __repr__(self) -> str:
        return f"<losslint runtime hook mode={self.mode!r}>"


def install(mode: str = "warn", select: Iterable[str] | None = None, ignore: Iterable[str] = ()) -> Installation:
    """Check every later `compile()`/`fit()`; calling it again only updates the settings."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    mode = env_mode(mode)
    with _STATE.lock:
        _STATE.mode = mode
        _STATE.codes = select_codes(select, ignore)
        if mode != "off":
            _patch_available()
    return Installation(mode)


def uninstall() -> None:
    """Restore the original `compile`/`fit`; safe to call when not installed."""
    with _STATE.lock:
        for cls, saved in _STATE.originals.items():
            for name, original in saved.items():
                if original is None:
                    if name in cls.__dict__:
                        delattr(cls, name)
                else:
                    setattr(cls, name, original)
        _STATE.originals.clear()
        torch_hook.unpatch()
        if _STATE.finder is not None:
            if _STATE.finder in sys.meta_path:
                sys.meta_path.remove(_STATE.finder)
            _STATE.finder = None
        _STATE.compiled.clear()
        _STATE.reported.clear()
        _STATE.internal_reported = False


def is_installed() -> bool:
    return bool(_STATE.originals) or _STATE.finder is not None

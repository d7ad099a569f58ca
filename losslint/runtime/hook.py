"""The runtime hook: the one installer (`install` / `uninstall`, the import watcher, one patcher per
framework) and the Keras inspector, which observes Keras's own `compile`, `fit` and `compute_loss`.
The PyTorch inspector is `torch_hook`; both report through `reporting`, the one warning path.

Keras is never imported here. If it is already loaded the classes are patched at once;
otherwise a meta-path finder patches them right after the user's own `import keras` (so a
`KERAS_BACKEND` set by the script still takes effect).

Invisible by construction (DESIGN §4): every method is wrapped *in the class that defines it*
(`Trainer.compile`, the backend trainer's `fit`, ...), never added to `keras.Model`, so Keras's
own checks such as `self.__class__.compile != Trainer.compile` (which decides whether
`load_model`/`clone_model` recompile a model) answer exactly as without the hook. The hook never
calls user code and never pulls data: what it needs from a forward pass or a batch it reads from
the ones Keras makes anyway (the first batch Keras peeks or builds with, and the `y_pred` of the
first train step's `compute_loss`, before any gradient is applied).
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.machinery
import inspect
import os
import sys
import threading
import weakref
from typing import Any, Callable, Iterable

from ..registry import select_codes
from . import introspect, labels, reporting, torch_hook
from .reporting import (MODES, SETTINGS, LossLintError, LossLintInternalWarning, LossLintWarning,  # noqa: F401
                        eager, format_diagnostic, guarded, internal_error, report, torch_compiling)

class _FitContext:
    """One running `fit()` of a model compiled under the hook, until its check has run."""

    def __init__(self, model, loss, metrics, y, declared=None) -> None:
        self.model, self.loss, self.metrics, self.y = model, loss, metrics, y
        self.declared = declared  # what a tf.data pipeline declares about its labels (labels.DeclaredLabels)
        self.pending = True  # the fit-time check has not run yet
        self.building = 0  # inside Keras's `_symbolic_build`: y_pred there is a shape-only spec


class _State:
    def __init__(self) -> None:
        self.patched: list[tuple[Any, str, Any]] = []  # (class or module, name, original)
        self.patched_modules: set[str] = set()
        self.finder: _PatchOnImport | None = None
        self.compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model -> (loss, metrics)
        self.observed: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model -> outputs seen in a step
        self.loss_calls: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # losses already inspected
        self.lock = SETTINGS.lock
        self.local = threading.local()  # .fits: _FitContext stack; .in_compute_loss: depth


_STATE = _State()


def _fits() -> list[_FitContext]:
    stack = getattr(_STATE.local, "fits", None)
    if stack is None:
        stack = _STATE.local.fits = []
    return stack


def _current_fit(model=None) -> _FitContext | None:
    stack = _fits()
    if not stack:
        return None
    context = stack[-1]
    return context if model is None or context.model is model else None


# --------------------------------------------------------------------------- the checks


def _on_compile(model, bound_loss, bound_metrics) -> None:
    """Every `compile()` is judged afresh: a notebook cell run again warns again (its first `fit`
    too); later `fit` calls of the same compiled model do not repeat the findings."""
    _STATE.compiled[model] = (bound_loss, bound_metrics)
    _STATE.observed.pop(model, None)
    reporting.forget_reports(model)
    facts = introspect.model_facts(model, bound_loss, bound_metrics)
    report(model, facts, labels_known=False)


def _outputs(model, y_pred=None):
    """The model's outputs: its symbolic graph, else what a train step showed (now or before)."""
    found = introspect.resolve_outputs(model)
    if found is not None:
        return found
    if y_pred is not None:
        observed = introspect.observe_outputs(model, y_pred)
        if observed is not None:
            _STATE.observed[model] = observed
    return _STATE.observed.get(model)


def _check_fit(context: _FitContext, y_pred=None) -> None:
    context.pending = False
    model = context.model
    outputs = _outputs(model, y_pred)
    names = outputs[1] if outputs else [None]
    label_facts, label_shapes = labels.per_output(context.y, names, introspect.output_shapes(outputs),
                                                  context.declared)
    facts = introspect.model_facts(model, context.loss, context.metrics, outputs=outputs, labels=label_facts,
                                   label_shapes=label_shapes)
    report(model, facts)


def _on_fit(model, args, kwargs) -> _FitContext | None:
    """At `fit()`'s start: check at once when outputs and labels are already known, else defer
    to the first train step (`_on_compute_loss`)."""
    if model not in _STATE.compiled:
        return None  # compiled before the hook was installed
    loss, metrics = _STATE.compiled[model]
    y, complete = labels.fit_labels(args, kwargs)
    declared = labels.declared_labels(args[0] if args else kwargs.get("x")) if y is None else None
    context = _FitContext(model, loss, metrics, y, declared)
    if complete and _outputs(model) is not None:
        _check_fit(context)
    return context


def _on_batch(batch) -> None:
    """The first batch Keras itself drew (or peeked) for the running fit."""
    context = _current_fit()
    if context is not None and context.pending and context.y is None:
        context.y = labels.batch_labels(batch)
        if context.y is not None and _outputs(context.model) is not None:
            _check_fit(context)  # now, before Keras's own shape checks in its first step can fail


def _on_compute_loss(model, y, y_pred) -> None:
    context = _current_fit(model)
    if context is None or not context.pending:
        return
    if context.y is None:
        context.y = labels.concrete_labels(y)  # torch, or a train step run eagerly
    if context.building:
        return  # Keras's own shape-only pass before training: y_pred says nothing yet
    _check_fit(context, y_pred)


def _on_loss_call(loss, y_true, y_pred, from_logits=None) -> None:
    """First direct call of a Keras loss (object or function) outside Keras's own compute_loss;
    `from_logits` is the argument a loss function was called with (None for a Loss object)."""
    _STATE.loss_calls[loss] = True
    context = _current_fit()  # a loss called in a train_step override: its model names the layers
    model = context.model if context is not None else None
    if model is None and introspect.is_graph_tensor(y_pred):  # a custom loop's step in a tf.function
        model = introspect.producing_model(y_pred, _models_near_call())
    facts = introspect.loss_call_facts(loss, y_true, y_pred, labels.call_label_facts, from_logits, model)
    if facts is not None:
        report(loss, facts)


def _is_keras_model(value) -> bool:
    cls = type(value)
    if not hasattr(cls, "compile") or not hasattr(cls, "layers"):
        return False
    return any(c.__name__ in ("Model", "Functional", "Sequential") and (c.__module__ or "").startswith(
        ("keras", "tf_keras")) for c in cls.__mro__)


def _models_near_call(limit: int = 8) -> list:
    """The Keras models the user's code around a loss call can see (locals, globals, attributes of
    `self`): where a prediction handed to the loss inside a `tf.function` may come from."""
    found: dict[int, Any] = {}
    for depth, frame in enumerate(reporting.user_frames()):
        if depth >= limit:
            break
        owner = frame.f_locals.get("self")
        spaces = [frame.f_locals, frame.f_globals, getattr(owner, "__dict__", None) or {}]
        for space in spaces:
            for value in list(space.values()):
                if id(value) not in found and _is_keras_model(value):
                    found[id(value)] = value
    return list(found.values())


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


# --------------------------------------------------------------------------- wrappers


def _same_face(wrapper, original):
    """Give `wrapper` the name, docstring, signature (`__wrapped__`) of `original`; mark it ours."""
    functools.update_wrapper(wrapper, original)
    wrapper.__losslint__ = True
    return wrapper


def _wrap_compile(original):
    signature = inspect.signature(original)  # once per patch, not per call

    def compile(self, *args, **kwargs):
        __tracebackhide__ = True  # noqa: F841 - IPython and pytest hide this frame
        result = original(self, *args, **kwargs)
        if SETTINGS.mode != "off":
            loss, metrics = _compile_arguments(signature, self, args, kwargs)
            try:
                guarded(_on_compile, self, loss, metrics)
            except LossLintError as error:
                raise error.with_traceback(None)  # the user's traceback ends at their compile( line
        return result

    return _same_face(compile, original)


def _wrap_fit(original):
    def fit(self, *args, **kwargs):
        __tracebackhide__ = True  # noqa: F841 - IPython and pytest hide this frame
        try:
            return _checked_fit(self, args, kwargs)
        except LossLintError as error:  # raised here or in the first train step, inside Keras
            raise error.with_traceback(None)  # the user's traceback ends at their fit( line

    def _checked_fit(self, args, kwargs):
        context = None
        if SETTINGS.mode != "off":
            try:
                context = _on_fit(self, args, kwargs)
            except LossLintError:
                raise
            except Exception as error:  # noqa: BLE001
                internal_error(error)
        if context is None:
            return original(self, *args, **kwargs)
        stack = _fits()
        stack.append(context)
        try:
            result = original(self, *args, **kwargs)
        finally:
            stack.remove(context)
        if context.pending and SETTINGS.mode != "off":  # no train step reached compute_loss (custom train_step)
            guarded(_check_fit, context)
        return result

    return _same_face(fit, original)


def _wrap_compute_loss(original):
    signature = inspect.signature(original)

    def compute_loss(self, *args, **kwargs):
        local = _STATE.local
        local.in_compute_loss = getattr(local, "in_compute_loss", 0) + 1  # losses called in here are Keras's own
        try:
            return _checked_compute_loss(self, args, kwargs)
        finally:
            local.in_compute_loss -= 1

    def _checked_compute_loss(self, args, kwargs):
        if SETTINGS.mode != "off" and _fits():
            try:
                bound = signature.bind(self, *args, **kwargs).arguments
            except TypeError:
                bound = {}
            try:
                if not torch_compiling():  # Keras `jit_compile` on torch: never traced into the graph
                    eager(_on_compute_loss)(self, bound.get("y"), bound.get("y_pred"))
            except LossLintError:
                raise
            except Exception as error:  # noqa: BLE001
                internal_error(error)
        return original(self, *args, **kwargs)

    return _same_face(compute_loss, original)


def _loss_call_wanted(loss) -> bool:
    if SETTINGS.mode == "off" or getattr(_STATE.local, "in_compute_loss", 0):
        return False
    try:
        return loss not in _STATE.loss_calls
    except TypeError:  # not weak-referenceable
        return False


def _inspect_loss_call(loss, y_true, y_pred, from_logits=None) -> None:
    try:
        if not torch_compiling():
            eager(_on_loss_call)(loss, y_true, y_pred, from_logits)
    except LossLintError:
        raise
    except Exception as error:  # noqa: BLE001
        internal_error(error)


def _wrap_loss_call(original):
    """`Loss.__call__`: a loss object called directly (custom loops, train_step overrides)."""

    def __call__(self, y_true, y_pred, *args, **kwargs):
        __tracebackhide__ = True  # noqa: F841 - IPython and pytest hide this frame
        if _loss_call_wanted(self):
            try:
                _inspect_loss_call(self, y_true, y_pred)
            except LossLintError as error:
                raise error.with_traceback(None)
        return original(self, y_true, y_pred, *args, **kwargs)

    return _same_face(__call__, original)


def _wrap_loss_function(original):
    """`keras.losses.categorical_crossentropy(y_true, y_pred, ...)` called directly; its
    `from_logits` argument (keyword or third positional) says what it expects."""
    takes_logits = "from_logits" in inspect.signature(original).parameters
    positional = list(inspect.signature(original).parameters).index("from_logits") - 2 if takes_logits else None

    def loss_function(y_true, y_pred, *args, **kwargs):
        __tracebackhide__ = True  # noqa: F841 - IPython and pytest hide this frame
        if _loss_call_wanted(original):
            _STATE.loss_calls[original] = True
            from_logits = None
            if takes_logits:
                from_logits = kwargs.get("from_logits", args[positional] if len(args) > positional else False)
            try:
                _inspect_loss_call(original, y_true, y_pred, from_logits)
            except LossLintError as error:
                raise error.with_traceback(None)
        return original(y_true, y_pred, *args, **kwargs)

    return _same_face(loss_function, original)


class _RecordingEpochIterator:
    """Passes Keras's epoch iterator through unchanged, telling `_on_batch` the first batch."""

    def __init__(self, inner) -> None:
        self._inner = inner
        self._iterator = None

    def __iter__(self):
        self._iterator = iter(self._inner)
        return self

    def __next__(self):
        item = next(self._iterator)
        if isinstance(item, tuple) and len(item) == 3:
            begin, end, data = item
            if isinstance(data, (list, tuple)) and data:
                _on_batch(data[0])
            elif hasattr(data, "__next__"):
                return begin, end, _RecordingIterator(data)
        return item

    def __getattr__(self, name):
        return getattr(self._inner, name)


class _RecordingIterator:
    def __init__(self, inner) -> None:
        self._inner = inner

    def __iter__(self):
        return self

    def __next__(self):
        batch = next(self._inner)
        _on_batch(batch)
        return batch

    def __getattr__(self, name):
        return getattr(self._inner, name)


def _wrap_symbolic_build(original):
    """Keras 3 draws the first batch of a fit itself to build the model (JAX, torch, TF under a
    distribution strategy); the hook reads it on the way."""

    def _symbolic_build(self, iterator=None, data_batch=None):
        context = _current_fit(self) if SETTINGS.mode != "off" else None
        if context is None or not context.pending:
            return original(self, iterator=iterator, data_batch=data_batch)
        if data_batch is not None:
            guarded(_on_batch, data_batch)
        elif iterator is not None:
            iterator = _RecordingEpochIterator(iterator)
        context.building += 1
        try:
            return original(self, iterator=iterator, data_batch=data_batch)
        finally:
            context.building -= 1

    return _same_face(_symbolic_build, original)


def _wrap_tensor_spec(original):
    """Keras peeks the first batches of a generator or `PyDataset` to type its tf.data pipeline."""

    def get_tensor_spec(batches):
        if SETTINGS.mode != "off" and _fits() and isinstance(batches, (list, tuple)) and batches:
            guarded(_on_batch, batches[0])
        return original(batches)

    return _same_face(get_tensor_spec, original)


# --------------------------------------------------------------------------- patching


def _defining_class(cls: type, name: str) -> type | None:
    """The first class in `cls.__mro__` whose own `__dict__` holds `name`."""
    return next((klass for klass in cls.__mro__ if name in vars(klass)), None)


def _patch_method(cls: type, name: str, wrap: Callable) -> None:
    """Wrap `name` where it is defined, so every `Sub.name is Base.name` check keeps its answer."""
    owner = _defining_class(cls, name)
    if owner is None:
        return
    current = vars(owner)[name]
    if getattr(current, "__losslint__", False) or not callable(current):
        return
    setattr(owner, name, wrap(current))
    _STATE.patched.append((owner, name, current))


def _patch_function(module, name: str, wrap: Callable) -> None:
    current = getattr(module, name, None)
    if current is None or getattr(current, "__losslint__", False):
        return
    setattr(module, name, wrap(current))
    _STATE.patched.append((module, name, current))


def _hide_from_traceback_filter(utils) -> None:
    """Keras's traceback filter keeps its innermost frame only when every frame below `fit` is
    Keras's own; listed among Keras's paths, this module's wrappers leave that frame where it was."""
    excluded = getattr(utils, "_EXCLUDED_PATHS", None)
    if not isinstance(excluded, tuple) or __file__ in excluded:
        return
    utils._EXCLUDED_PATHS = (*excluded, __file__)
    _STATE.patched.append((utils, "_EXCLUDED_PATHS", excluded))


def _patch_model_api(module) -> type | None:
    """What Keras 3 and tf-keras share: compile/fit/compute_loss where `Model` gets them, the losses,
    and the traceback filter of the package (`keras` or `tf_keras`). The patched `Model`, or None."""
    model_class = getattr(module, "Model", None)
    if not isinstance(model_class, type):
        return None
    _hide_from_traceback_filter(sys.modules.get(f"{module.__name__}.src.utils.traceback_utils"))
    _patch_method(model_class, "compile", _wrap_compile)
    _patch_method(model_class, "fit", _wrap_fit)
    _patch_method(model_class, "compute_loss", _wrap_compute_loss)
    _patch_losses(getattr(module, "losses", None))
    return model_class


def _patch_keras(module) -> None:
    """Keras 3, any backend: also where it builds a model from the first batch."""
    model_class = _patch_model_api(module)
    if model_class is None:
        return
    _patch_method(model_class, "_symbolic_build", _wrap_symbolic_build)
    utils = sys.modules.get("keras.src.trainers.data_adapters.data_adapter_utils")
    if utils is not None:
        _patch_function(utils, "get_tensor_spec", _wrap_tensor_spec)


def _patch_losses(losses) -> None:
    """The `Loss` base class's `__call__` and the public crossentropy-family functions."""
    loss_class = getattr(losses, "Loss", None)
    if isinstance(loss_class, type):
        _patch_method(loss_class, "__call__", _wrap_loss_call)
    for name in introspect.DIRECT_LOSS_FUNCTIONS:
        if inspect.isfunction(getattr(losses, name, None)):
            _patch_function(losses, name, _wrap_loss_function)


def _patch_tf_keras(module) -> None:
    """The legacy tf-keras package: `Model` itself defines compile/fit/compute_loss."""
    _patch_model_api(module)


# One patcher per framework, keyed by the top-level module that the import watcher waits for.
PATCHERS: dict[str, Callable[[Any], None]] = {
    "keras": _patch_keras,
    "tf_keras": _patch_tf_keras,
    "torch": torch_hook.patch,
}


def _patch_module(name: str, module) -> None:
    if name in _STATE.patched_modules:
        return
    _STATE.patched_modules.add(name)
    PATCHERS[name](module)


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Patches a watched framework right after its package finishes importing."""

    def find_spec(self, fullname, path, target=None):
        if fullname not in PATCHERS:
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
    for name in PATCHERS:
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
        SETTINGS.mode = mode
        SETTINGS.codes = select_codes(select, ignore)
        if mode != "off":
            _patch_available()
    return Installation(mode)


def uninstall() -> None:
    """Restore Keras's own methods exactly; safe to call when not installed."""
    with _STATE.lock:
        for owner, name, original in reversed(_STATE.patched):
            setattr(owner, name, original)
        _STATE.patched.clear()
        _STATE.patched_modules.clear()
        torch_hook.unpatch()
        if _STATE.finder is not None:
            if _STATE.finder in sys.meta_path:
                sys.meta_path.remove(_STATE.finder)
            _STATE.finder = None
        _STATE.compiled.clear()
        _STATE.observed.clear()
        _STATE.loss_calls.clear()
        SETTINGS.forget()


def is_installed() -> bool:
    return bool(_STATE.patched) or _STATE.finder is not None

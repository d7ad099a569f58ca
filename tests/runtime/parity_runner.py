"""Runs many fixtures in ONE process with the runtime hook installed; prints JSON results.

Usage: python parity_runner.py < [[path, [codes...] | null], ...]   (JSON on stdin; null = defaults)
Output (stdout, last line): {"path": {"codes": [...], "error": "..." | null, "internal": [...],
                                       "compiles": n, "loss_calls": n}, ...}

`compiles` counts the `compile()` calls the hook checked (Keras 3 and tf_keras), `loss_calls` the
losses called directly (custom training loops, `train_step` overrides) whose first call it checked:
so the test knows a fixture reached the place where its loss meets its output.

Training is real while the hook still needs it, and skipped after: when the hook has checked a
model at the start of `fit` (arrays, functional models), Keras's own `fit` below it returns at
once; when the check waits for the first train step (subclassed models, labels inside
generators or `PyDataset`s), Keras trains for real, capped at one step by its own
`keras.config.set_max_epochs(1)` / `set_max_steps_per_epoch(1)`. That fit results are identical
with and without the hook is tested separately.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import runpy
import sys
import warnings


COUNTS = {"compiles": 0, "loss_calls": 0}


def _counting() -> None:
    """Count what the hook checks: its compile check and its first-call check of a direct loss."""
    from losslint.runtime import hook

    def counted(key, check):
        def wrapper(*args, **kwargs):
            COUNTS[key] += 1
            return check(*args, **kwargs)
        return wrapper

    hook._on_compile = counted("compiles", hook._on_compile)
    hook._on_loss_call = counted("loss_calls", hook._on_loss_call)


def _short_training() -> None:
    import keras

    keras.config.set_max_epochs(1)
    keras.config.set_max_steps_per_epoch(1)
    fit_owner = next(c for c in keras.Model.__mro__ if "fit" in vars(c))  # the backend trainer
    real_fit = vars(fit_owner)["fit"]

    @functools.wraps(real_fit)
    def fit(self, *args, **kwargs):  # below the hook's wrapper
        from losslint.runtime import hook

        context = hook._current_fit(self)
        if context is None or not context.pending:
            return None  # the hook is done with this model: no need to train
        return real_fit(self, *args, **kwargs)

    fit_owner.fit = fit


@contextlib.contextmanager
def _importable(path: str):
    """What `python path` (or `python -m pkg.module` inside a package) puts on `sys.path`: the
    script's directory or the directory above its package; the modules imported from there are
    forgotten afterwards (another project fixture may have a `models.py` too). Yields the module
    name for a file inside a package, else None."""
    directory = os.path.dirname(os.path.abspath(path))
    top, parts = directory, [os.path.splitext(os.path.basename(path))[0]]
    while os.path.exists(os.path.join(top, "__init__.py")):
        parts.insert(0, os.path.basename(top))
        top = os.path.dirname(top)
    before = set(sys.modules)
    sys.path.insert(0, top)
    try:
        yield ".".join(parts) if len(parts) > 1 else None
    finally:
        sys.path.remove(top)
        for name in set(sys.modules) - before:
            where = getattr(sys.modules[name], "__file__", None) or ""
            if where.startswith(top + os.sep):
                del sys.modules[name]


def main() -> None:
    jobs = json.load(sys.stdin)
    _short_training()
    _counting()
    import losslint
    from losslint.runtime.hook import LossLintInternalWarning, LossLintWarning

    results = {}
    for path, codes in jobs:
        losslint.install(select=codes)  # None: the default rules
        error = None
        COUNTS.update(compiles=0, loss_calls=0)
        with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("always")
            cwd = os.getcwd()
            try:
                sys.argv = [path]
                with _importable(path) as module:
                    if module:  # a module of a package (project fixtures): `python -m pkg.module`
                        runpy.run_module(module, run_name="__main__", alter_sys=True)
                    else:
                        runpy.run_path(path, run_name="__main__")
            except BaseException as exc:  # a fixture may crash in Keras after our warning
                error = f"{type(exc).__name__}: {str(exc)[:200]}"
            finally:
                os.chdir(cwd)
        losslint.uninstall()
        found = sorted({str(w.message).split()[0] for w in caught if issubclass(w.category, LossLintWarning)})
        internal = [str(w.message) for w in caught if issubclass(w.category, LossLintInternalWarning)]
        results[path] = {"codes": found, "error": error, "internal": internal, **COUNTS}
    sys.stdout.write("\n" + json.dumps(results) + "\n")


if __name__ == "__main__":
    main()

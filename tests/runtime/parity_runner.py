"""Runs many fixtures in ONE process with the runtime hook installed; prints JSON results.

Usage: python parity_runner.py < [[path, [codes...] | null], ...]   (JSON on stdin; null = defaults)
Output (stdout, last line): {"path": {"codes": [...], "error": "..." | null, "internal": [...],
                                       "compiles": n}, ...}

Training itself is stubbed *below* the hook: the hook's fit-time inspection runs unchanged
(labels, subclassed models), but Keras does not spend ~1 s per fixture tracing a train step.
That fit results are identical with and without the hook is tested separately.
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


COMPILES = [0]


def _stub_training() -> None:
    import keras

    def fit(self, *args, **kwargs):  # the hook wraps this stub
        return None

    real_compile = keras.Model.compile

    @functools.wraps(real_compile)  # keeps the signature the hook binds arguments with
    def compile(self, *args, **kwargs):  # counts compiles, so the test knows a fixture ran
        COMPILES[0] += 1
        return real_compile(self, *args, **kwargs)

    keras.Model.fit, keras.Model.compile = fit, compile


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
    _stub_training()
    import losslint
    from losslint.runtime.hook import LossLintInternalWarning, LossLintWarning

    results = {}
    for path, codes in jobs:
        losslint.install(select=codes)  # None: the default rules
        error, COMPILES[0] = None, 0
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
        results[path] = {"codes": found, "error": error, "internal": internal, "compiles": COMPILES[0]}
    sys.stdout.write("\n" + json.dumps(results) + "\n")


if __name__ == "__main__":
    main()

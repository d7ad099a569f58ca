"""Runs the PyTorch fixtures in ONE process with the runtime hook installed; prints JSON results.

Usage: python torch_parity_runner.py < [[path, [codes...] | null], ...]   (JSON on stdin)
Output (stdout, last line): {"path": {"codes": [...], "error": "..." | null, "internal": [...],
                                       "inspected": n}, ...}

The fixtures train for real (a few steps on tiny tensors, CPU). `inspected` counts the loss
calls the hook inspected, so the test knows a fixture reached its loss.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import runpy
import sys
import warnings


def main() -> None:
    jobs = json.load(sys.stdin)
    import torch

    torch.set_num_threads(1)
    import losslint
    from losslint.runtime import torch_hook
    from losslint.runtime.hook import LossLintInternalWarning, LossLintWarning

    inspected = [0]
    original = torch_hook._inspect

    def counting(*args, **kwargs):
        inspected[0] += 1
        return original(*args, **kwargs)

    torch_hook._inspect = counting
    results = {}
    for path, codes in jobs:
        losslint.install(select=codes)
        error, inspected[0] = None, 0
        with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("always")
            cwd = os.getcwd()
            try:
                sys.argv = [path]
                torch.manual_seed(0)
                runpy.run_path(path, run_name="__main__")
            except BaseException as exc:  # PyTorch may raise after our warning (IndexError, ...)
                error = f"{type(exc).__name__}: {str(exc)[:200]}"
            finally:
                os.chdir(cwd)
        losslint.uninstall()
        found = sorted({str(w.message).split()[0] for w in caught if issubclass(w.category, LossLintWarning)})
        internal = [str(w.message) for w in caught if issubclass(w.category, LossLintInternalWarning)]
        results[path] = {"codes": found, "error": error, "internal": internal, "inspected": inspected[0]}
    sys.stdout.write("\n" + json.dumps(results) + "\n")


if __name__ == "__main__":
    main()

"""Where a runtime warning says it comes from, as the user sees it.

In IPython / Jupyter, cell code is compiled under a temporary file name
(`/tmp/ipykernel_1234/2840316929.py`) that means nothing to the user. IPython's own tracebacks
name the cell as `Cell In[7], line 3`; a losslint warning does the same: it is attributed to the
file name `Cell In[7]` (IPython's label for the cell run as `In [7]`) and the line inside the cell,
so Python's warning display reads `Cell In[7]:3: LossLintWarning: …` and shows that line of the
cell underneath. Outside IPython (scripts, `losslint run`), file and line are left as they are.

IPython is never imported here: only consulted when the program already runs inside it.
"""

from __future__ import annotations

import linecache
import sys


# `%%time` / `%time` compile the code they time under these names instead of the cell's file.
TIMED_CODE_NAMES = ("<timed exec>", "<timed eval>")


def for_warning(filename: str, lineno: int) -> tuple[str, int]:
    """(file name, line) to attribute a warning raised at `filename:lineno` to."""
    if filename in TIMED_CODE_NAMES:
        return _timed_cell(filename, lineno)
    label = cell_label(filename)
    if label is None:
        return filename, lineno
    lines = linecache.getlines(filename)
    if lines:  # so the warning display can show the cell's line under the new name
        linecache.cache[label] = (sum(map(len, lines)), None, lines, label)
    return label, lineno


def cell_label(filename: str) -> str | None:
    """`Cell In[7]` when `filename` is the code of an IPython cell, else None."""
    shell = _shell()
    compiler = getattr(shell, "compile", None)
    if compiler is None:
        return None
    format_code_name = getattr(compiler, "format_code_name", None)  # IPython >= 8
    if format_code_name is not None:
        try:
            label = format_code_name(filename)
        except Exception:  # noqa: BLE001
            label = None
        return f"{label[0]} {label[1]}" if label else None
    number = getattr(compiler, "_filename_map", {}).get(filename)  # IPython 7
    return f"Cell In[{number}]" if number is not None else None


def _timed_cell(filename: str, lineno: int) -> tuple[str, int]:
    """The running cell and its line for code that `%%time` (body from the cell's second line) or a
    single `%time` line runs; left as it is when the cell cannot say which line it was."""
    shell = _shell()
    try:  # the running cell is the last one IPython compiled and stored
        number = max(shell.compile._filename_map.values())
        cell = shell.history_manager.input_hist_raw[-1]
    except Exception:  # noqa: BLE001 - an odd IPython must not break the warning
        return filename, lineno
    lines = cell.splitlines(keepends=True)
    if lines and lines[0].lstrip().startswith("%%time"):
        line = lineno + 1
    else:
        timed = [i for i, text in enumerate(lines, 1) if text.lstrip().startswith("%time ")]
        if len(timed) != 1 or lineno != 1:
            return filename, lineno
        line = timed[0]
    label = f"Cell In[{number}]"
    linecache.cache[label] = (len(cell), None, lines, label)
    return label, line


def _shell():
    ipython_module = sys.modules.get("IPython")
    try:
        return ipython_module.get_ipython() if ipython_module else None
    except Exception:  # noqa: BLE001
        return None

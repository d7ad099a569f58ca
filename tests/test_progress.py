"""Progress on standard error only when it is a terminal and the run is long (`losslint/progress.py`):
the real CLI, its standard error on a pseudo-terminal or on a pipe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli_helpers import ROOT, buggy, run_losslint

pty = pytest.importorskip("pty")


def tree(root: Path, files: int) -> None:
    for i in range(files):
        (root / f"train_{i}.py").write_text(buggy(), encoding="utf-8")


def on_terminal(root: Path, *args: str, env: dict | None = None) -> tuple[str, str]:
    """(standard output through a pipe, what the terminal on standard error showed)."""
    master, slave = pty.openpty()
    environment = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    environment.pop("TERM", None)
    environment.update(env or {})
    process = subprocess.Popen([sys.executable, "-m", "losslint", *args], cwd=root, env=environment,
                               stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the process closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    stdout = process.stdout.read()
    process.stdout.close()
    assert process.wait(timeout=120) in (0, 1)
    return stdout.decode(), shown.decode(errors="replace")


def test_a_long_run_shows_progress_on_a_terminal_and_erases_it(tmp_path) -> None:
    tree(tmp_path, 12)
    stdout, shown = on_terminal(tmp_path, "check", "--no-cache", "--jobs", "1", ".",
                                env={"LOSSLINT_PROGRESS_AFTER": "0"})
    assert "checked 1/12 files" in shown and "checked 12/12 files" in shown
    last = shown.rindex("checked 12/12 files")
    assert "\r\x1b[K" in shown[last:], "the line is erased before what follows"
    assert "checked" not in stdout and stdout.count("LL101") == 12


def test_a_run_shorter_than_the_delay_shows_no_progress(tmp_path) -> None:
    tree(tmp_path, 3)
    stdout, shown = on_terminal(tmp_path, "check", "--no-cache", "--jobs", "1", ".",
                                env={"LOSSLINT_PROGRESS_AFTER": "60"})
    assert "checked" not in shown and "\x1b[K" not in shown
    assert stdout.count("LL101") == 3


def test_quiet_shows_no_progress(tmp_path) -> None:
    tree(tmp_path, 3)
    _, shown = on_terminal(tmp_path, "check", "--no-cache", "--jobs", "1", "-q", ".",
                           env={"LOSSLINT_PROGRESS_AFTER": "0"})
    assert "checked" not in shown


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_a_pipe_never_gets_progress(tmp_path, output_format) -> None:
    tree(tmp_path, 12)
    result = run_losslint("check", "--no-cache", "--jobs", "2", "--output-format", output_format, ".", cwd=tmp_path,
                          env={"LOSSLINT_PROGRESS_AFTER": "0"})
    assert result.returncode == 1, result.stderr
    assert "checked" not in result.stderr and "\x1b[K" not in result.stderr
    assert "checked" not in result.stdout

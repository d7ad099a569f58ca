"""Terminal behaviour of the real CLI: colour (TTY, NO_COLOR, FORCE_COLOR), --quiet, --add-noqa,
`explain` rendered for a terminal, --watch. A pseudo-terminal stands in for the user's terminal."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli_helpers import ROOT, buggy, run_losslint
from test_notebooks import write as write_notebook

ESC = "\x1b["


def on_a_terminal(*args: str, cwd: Path, env: dict | None = None) -> tuple[int, str]:
    """Run `python -m losslint ARGS` with its stdout on a pseudo-terminal; (exit code, output)."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm"}
    for name in ("NO_COLOR", "FORCE_COLOR", "LOSSLINT_OUTPUT_FORMAT"):
        environment.pop(name, None)
    environment.update(env or {})
    controller, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "losslint", *args], cwd=str(cwd), stdout=terminal,
                               stderr=subprocess.DEVNULL, env=environment)
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    return process.wait(timeout=120), b"".join(chunks).decode().replace("\r\n", "\n")


@pytest.fixture
def project(tmp_path):
    (tmp_path / "train.py").write_text(buggy(), encoding="utf-8")
    return tmp_path


def test_colour_on_a_terminal_none_when_piped(project):
    code, output = on_a_terminal("check", "train.py", cwd=project)
    assert code == 1 and f"{ESC}1;31mLL101{ESC}0m" in output
    piped = run_losslint("check", "train.py", cwd=project, env={"NO_COLOR": "", "FORCE_COLOR": ""})
    assert piped.returncode == 1 and ESC not in piped.stdout and "train.py:9:10: LL101 [*]" in piped.stdout
    # the text is the same, colour apart
    assert _strip(output).strip() == piped.stdout.strip()


def test_no_color_and_force_color(project):
    code, output = on_a_terminal("check", "train.py", cwd=project, env={"NO_COLOR": "1"})
    assert code == 1 and ESC not in output and "LL101" in output
    forced = run_losslint("check", "train.py", cwd=project, env={"FORCE_COLOR": "1"})
    assert f"{ESC}1;31mLL101{ESC}0m" in forced.stdout
    into_file = run_losslint("check", "train.py", "-o", "out.txt", cwd=project, env={"FORCE_COLOR": "1"})
    assert into_file.returncode == 1 and ESC not in (project / "out.txt").read_text()
    as_json = run_losslint("check", "--output-format", "json", "train.py", cwd=project, env={"FORCE_COLOR": "1"})
    assert json.loads(as_json.stdout)[0]["code"] == "LL101"


def test_quiet_prints_the_findings_only(project):
    quiet = run_losslint("check", "--quiet", "train.py", cwd=project)
    assert quiet.returncode == 1
    assert quiet.stdout.splitlines()[0].startswith("train.py:9:10: LL101")
    assert "Found" not in quiet.stdout and "fixable" not in quiet.stdout
    (project / "train.py").write_text("import keras\n", encoding="utf-8")
    clean = run_losslint("check", "-q", "train.py", cwd=project)
    assert clean.returncode == 0 and clean.stdout == ""


def test_add_noqa_silences_every_finding_and_keeps_comments(project):
    source = buggy("  # the loss we tried first")
    (project / "train.py").write_text(source, encoding="utf-8")
    write_notebook(project / "explore.ipynb")
    before = run_losslint("check", "--output-format", "json", ".", cwd=project)
    assert {d["code"] for d in json.loads(before.stdout)} == {"LL101"} and len(json.loads(before.stdout)) == 2
    added = run_losslint("check", "--add-noqa", ".", cwd=project)
    assert added.returncode == 0 and "Added 2 noqa directives." in added.stderr
    line = (project / "train.py").read_text(encoding="utf-8").splitlines()[8]
    assert line.endswith("from_logits=True),  # the loss we tried first  # noqa: LL101")
    after = run_losslint("check", ".", cwd=project)
    assert after.returncode == 0 and "All checks passed!" in after.stdout
    statistics = run_losslint("check", "--statistics", ".", cwd=project)
    assert "2  suppressed by `# noqa`" in statistics.stdout
    notebook = json.loads((project / "explore.ipynb").read_text(encoding="utf-8"))
    assert any("# noqa: LL101" in "".join(cell["source"]) for cell in notebook["cells"])
    again = run_losslint("check", "--add-noqa", ".", cwd=project)
    assert "Added 0 noqa directives." in again.stderr


def test_add_noqa_extends_an_existing_directive(tmp_path):
    program = buggy("  # noqa: LL203")
    (tmp_path / "train.py").write_text(program, encoding="utf-8")
    assert run_losslint("check", "--add-noqa", "train.py", cwd=tmp_path).returncode == 0
    assert "# noqa: LL203, LL101" in (tmp_path / "train.py").read_text(encoding="utf-8")


def test_explain_is_rendered_for_a_terminal(tmp_path):
    code, output = on_a_terminal("explain", "LL101", cwd=tmp_path)
    assert code == 0 and "```" not in output and "## " not in output
    assert f"{ESC}1;4mLL101 probabilities-passed-as-logits{ESC}0m" in output
    assert f"    {ESC}36mimport keras{ESC}0m" in output  # a code block, indented
    piped = run_losslint("explain", "LL101", cwd=tmp_path)
    assert "What it does\n------------\n" in piped.stdout and ESC not in piped.stdout
    markdown = run_losslint("explain", "--output-format", "markdown", "LL101", cwd=tmp_path)
    assert "## What it does" in markdown.stdout and "```python" in markdown.stdout


def test_watch_checks_again_after_a_change(project):
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "losslint", "check", "--watch", "--no-cache", "."],
                               cwd=str(project), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=environment)
    try:
        output = _read_until(process, "Watching for file changes", "")
        assert "train.py:9:10: LL101" in output
        time.sleep(0.1)
        (project / "train.py").write_text(buggy().replace("from_logits=True", "from_logits=False"))
        output = _read_until(process, "Watching for file changes", "")
        assert "All checks passed!" in output
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0


def _read_until(process, marker: str, text: str, timeout: float = 300) -> str:  # generous: a loaded CI machine
    # Raw reads from the descriptor: a buffered readline() can pull several lines into Python's buffer,
    # where select() no longer sees them and the marker would wait there forever.
    deadline = time.monotonic() + timeout
    descriptor = process.stdout.fileno()
    while marker not in text:
        assert time.monotonic() < deadline, text
        ready, _, _ = select.select([descriptor], [], [], 1)
        if ready:
            chunk = os.read(descriptor, 65536)
            assert chunk or process.poll() is None, text  # the watcher exited
            text += chunk.decode("utf-8", "replace")
    return text


def _strip(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)

"""When `losslint` is killed (a pre-commit or CI timeout, an editor cancelling a run), its worker
processes end too. Tested for real: the CLI runs on a tree slow enough to be killed mid-run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli_helpers import ROOT, buggy

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="reads /proc (Linux)")

HELPERS = '''import numpy as np
from tensorflow import keras


def build_model(units, classes):
    inputs = keras.Input(shape=(units,))
    x = keras.layers.Dense(units, activation="relu")(inputs)
    for width in (64, 32, 16):
        x = keras.layers.Dense(width, activation="relu")(x)
        x = keras.layers.Dropout(0.1)(x)
    outputs = keras.layers.Dense(classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def load(count):
    return np.random.rand(count, 8), np.random.randint(0, 3, size=(count,))
'''


def slow_tree(root: Path, files: int = 600) -> None:
    """Enough realistic programs that two workers take well over the time the test waits."""
    for i in range(files):
        directory = root / f"part_{i // 50}"
        directory.mkdir(exist_ok=True)
        (directory / f"train_{i}.py").write_text(HELPERS + "\n\n" + buggy(), encoding="utf-8")


def children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(child) for child in (task / "children").read_text().split()}
        except OSError:
            pass
    return found


def alive(pid: int) -> bool:
    """Running (a zombie waiting for a parent to reap it has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_workers_end_when_the_parent_is_killed(tmp_path, sig) -> None:
    slow_tree(tmp_path)
    environment = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    parent = subprocess.Popen([sys.executable, "-m", "losslint", "check", "--no-cache", "--jobs", "2", "."],
                              cwd=tmp_path, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline and parent.poll() is None:
            workers = children(parent.pid)
            time.sleep(0.05)
        assert len(workers) >= 2, "the run ended before its workers were seen: make the tree slower"
        time.sleep(0.5)  # the workers are linting
        assert parent.poll() is None, "the run ended before it was killed: make the tree slower"
        assert all(alive(w) for w in workers)
        os.kill(parent.pid, sig)
        parent.wait(timeout=30)
        deadline = time.monotonic() + 10
        while any(alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = [w for w in workers if alive(w)]
        assert not left, f"workers still running after the parent was killed: {left}"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        for worker in workers:
            if alive(worker):  # (only when the test failed: leave nothing running)
                os.kill(worker, signal.SIGKILL)

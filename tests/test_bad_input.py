"""Bad input through `python -m losslint` (DESIGN §7): every broken file gives one LL900 that says
why, the other files are still linted, the exit code is as documented (0 clean, 1 findings — an
LL900 is one —, 2 usage or internal error), and nothing on disk changes."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cli_helpers import ROOT, buggy, run_losslint

CACHE = ".losslint_cache"


def snapshot(root: Path) -> dict:
    """Every entry under `root` (symlinks not followed): kind, mode, mtime and content hash."""
    state = {}
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != CACHE]
        for name in dirnames + filenames:
            path = Path(directory, name)
            info = path.lstat()
            entry = (info.st_mode, info.st_mtime_ns, info.st_size)
            if path.is_file() and not path.is_symlink() and info.st_mode & 0o444:
                try:
                    entry += (hashlib.sha256(path.read_bytes()).hexdigest(),)
                except OSError:
                    pass
            state[os.fsencode(path)] = entry
    return state


def by_file(stdout: str) -> dict[str, list[tuple[str, int, str]]]:
    """JSON report → {file name relative to the tree: [(code, row, message)]}."""
    found: dict[str, list] = {}
    for d in json.loads(stdout):
        found.setdefault(os.path.basename(d["filename"]), []).append((d["code"], d["location"]["row"], d["message"]))
    return found


def bad_tree(root: Path) -> None:
    program = buggy()  # one LL101 on line 9
    (root / "good.py").write_text(program, encoding="utf-8")
    (root / "binary.py").write_bytes(bytes(range(256)) * 8 + b"keras")
    (root / "binary_plain.py").write_bytes(b"\x00\x01\x02" * 100)
    (root / "latin1.py").write_bytes(program.encode("utf-8") + "# café\n".encode("latin-1"))
    (root / "latin1_declared.py").write_bytes(("# -*- coding: latin-1 -*-\n" + program + "# café\n").encode("latin-1"))
    (root / "bom.py").write_bytes(b"\xef\xbb\xbf" + program.encode("utf-8"))
    (root / "crlf.py").write_bytes(program.replace("\n", "\r\n").encode("utf-8"))
    (root / "cr_only.py").write_bytes(program.replace("\n", "\r").encode("utf-8"))
    (root / "empty.py").write_bytes(b"")
    (root / "syntax.py").write_text("import keras\nmodel.compile(loss=\n", encoding="utf-8")
    # 10 MB: over the size limit (parsing it would take minutes and gigabytes)
    (root / "huge.py").write_text("import keras\n" + "x = 1 + 2\n" * 1_000_000, encoding="utf-8")
    (root / "huge_plain.py").write_text("x = 1 + 2\n" * 1_000_000, encoding="utf-8")  # no keras: skipped
    # nesting CPython refuses and that overflows libcst's native stack (a segfault without the guard)
    (root / "nested.py").write_text("import keras\nx = " + "(" * 5000 + "1" + ")" * 5000 + "\n", encoding="utf-8")
    (root / "long_sum.py").write_text("import keras\nx = " + "+".join(["1"] * 100_000) + "\n", encoding="utf-8")
    (root / "minus.py").write_text("import keras\nx = " + "-" * 20_000 + "1\n", encoding="utf-8")
    # a long flat literal is fine (libcst metadata makes it slow: 20k elements ~6 s, 100k ~30 s)
    (root / "big_list.py").write_text("import keras\nx = [" + ", ".join(["1"] * 5_000) + "]\n" + program,
                                      encoding="utf-8")
    (root / "broken.ipynb").write_text('{"cells": [', encoding="utf-8")
    (root / "nbformat3.ipynb").write_text(json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": [
        {"cells": [{"cell_type": "code", "input": "import keras\n"}]}]}), encoding="utf-8")
    (root / "not_object.ipynb").write_text("[]", encoding="utf-8")
    os.mkfifo(root / "fifo.py")  # opening it must not wait for a writer
    (root / "dangling.py").symlink_to(root / "gone.py")
    (root / "self_loop.py").symlink_to(root / "self_loop.py")
    (root / "sub").mkdir()
    (root / "sub" / "model.py").write_text(program, encoding="utf-8")
    (root / "sub" / "loop").symlink_to(root)  # a directory loop: not followed


EXPECTED = {  # file → (code, substring of the message)
    "good.py": ("LL101", "from_logits=True"),
    "binary.py": ("LL900", "binary file"),
    "binary_plain.py": ("LL900", "binary file"),
    "latin1.py": ("LL900", "cannot decode line 11 as utf-8"),
    "latin1_declared.py": ("LL101", ""),
    "bom.py": ("LL101", ""),
    "crlf.py": ("LL101", ""),
    "cr_only.py": ("LL101", ""),
    "syntax.py": ("LL900", "cannot parse"),
    "huge.py": ("LL900", "file too large to analyse (10.0 MB"),
    "nested.py": ("LL900", "too many nested parentheses"),
    "long_sum.py": ("LL900", "nested too deeply"),
    "minus.py": ("LL900", "nested too deeply"),
    "big_list.py": ("LL101", ""),
    "broken.ipynb": ("LL900", "invalid notebook JSON"),
    "nbformat3.ipynb": ("LL900", "nbformat 3"),
    "not_object.ipynb": ("LL900", "not a JSON object"),
    "fifo.py": ("LL900", "not a regular file"),
    "dangling.py": ("LL900", "No such file or directory"),
    "self_loop.py": ("LL900", "Too many levels of symbolic links"),
    "model.py": ("LL101", ""),
}


def test_bad_files_each_get_a_clear_ll900_and_the_rest_is_linted(tmp_path):
    bad_tree(tmp_path)
    before = snapshot(tmp_path)
    runs = {
        "parallel, cold cache": run_losslint("check", "--output-format", "json", ".", cwd=tmp_path),
        "parallel, warm cache": run_losslint("check", "--output-format", "json", ".", cwd=tmp_path),
        "one process, no cache": run_losslint("check", "--output-format", "json", "--jobs", "1", "--no-cache", ".",
                                              cwd=tmp_path),
    }
    for label, result in runs.items():
        assert result.returncode == 1, (label, result.stderr)
        assert "Traceback" not in result.stderr, (label, result.stderr)
        found = by_file(result.stdout)
        assert set(found) == set(EXPECTED), (label, sorted(set(found) ^ set(EXPECTED)))
        for name, (code, reason) in EXPECTED.items():
            assert [c for c, _, _ in found[name]] == [code], (label, name, found[name])
            assert reason in found[name][0][2], (label, name, found[name])
        assert found["bom.py"][0][1] == found["crlf.py"][0][1] == found["cr_only.py"][0][1] == 9
        assert found["latin1_declared.py"][0][1] == 10 and found["latin1.py"][0][1] == 11
    assert runs["parallel, cold cache"].stdout == runs["parallel, warm cache"].stdout
    assert runs["parallel, cold cache"].stdout == runs["one process, no cache"].stdout
    assert snapshot(tmp_path) == before


def test_text_output_and_exit_codes(tmp_path):
    (tmp_path / "binary.py").write_bytes(b"\x00keras")
    (tmp_path / "plain.py").write_text("print('no framework here')\n", encoding="utf-8")
    result = run_losslint("check", "--no-cache", ".", cwd=tmp_path)
    assert result.returncode == 1 and "binary.py:1:1: LL900 binary file (contains NUL bytes)" in result.stdout
    assert run_losslint("check", "--no-cache", "plain.py", cwd=tmp_path).returncode == 0
    missing = run_losslint("check", "--no-cache", "missing.py", "plain.py", cwd=tmp_path)
    assert missing.returncode == 1 and "missing.py:1:1: LL900 cannot read: No such file or directory" in missing.stdout
    assert run_losslint("check", "--ignore", "LL900", "binary.py", cwd=tmp_path).returncode == 0
    assert run_losslint("check", "--select", "ZZ999", ".", cwd=tmp_path).returncode == 2
    stdin = run_losslint("check", "--no-cache", "--stdin-filename", "x.py", "-", cwd=tmp_path, stdin="import keras\0")
    assert stdin.returncode == 1 and "x.py:1:1: LL900 binary file" in stdin.stdout


def test_file_names_that_are_not_utf8_in_every_output_format(tmp_path):
    if sys.platform == "darwin":
        pytest.skip("macOS file systems refuse names that are not UTF-8")
    (tmp_path / os.fsdecode(b"caf\xe9 model.py")).write_text(buggy(), encoding="utf-8")
    environment = dict(os.environ, PYTHONPATH=str(ROOT), LOSSLINT_NO_CACHE="1")
    outputs = {}
    for output_format in ("text", "json", "json-lines", "sarif", "github"):
        result = subprocess.run([sys.executable, "-m", "losslint", "check", "--output-format", output_format, "."],
                                cwd=tmp_path, capture_output=True, env=environment, timeout=120)
        assert result.returncode == 1 and b"LL101" in result.stdout, (output_format, result.stderr)
        outputs[output_format] = result.stdout
    assert outputs["text"].startswith(b"./caf\xe9 model.py:9:10: LL101")  # the name's bytes, like ls
    sarif = json.loads(outputs["sarif"])
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == "caf%E9%20model.py"


def _without_root_privileges() -> list[str] | None:
    """A command prefix under which permission bits apply (root reads chmod-000 files), or None."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search"]
    probe = subprocess.run(prefix + ["true"], capture_output=True)
    return prefix if probe.returncode == 0 else None


def test_unreadable_files_and_directories(tmp_path):
    prefix = _without_root_privileges()
    if prefix is None:
        pytest.skip("running as root without a working `setpriv` to drop CAP_DAC_OVERRIDE: "
                    "permission bits do not stop root from reading")
    (tmp_path / "good.py").write_text(buggy(), encoding="utf-8")
    (tmp_path / "locked.py").write_text(buggy(), encoding="utf-8")
    (tmp_path / "locked_dir").mkdir()
    (tmp_path / "locked_dir" / "inside.py").write_text(buggy(), encoding="utf-8")
    os.chmod(tmp_path / "locked.py", 0)
    os.chmod(tmp_path / "locked_dir", 0)
    try:
        before = snapshot(tmp_path)
        environment = dict(os.environ, PYTHONPATH=str(ROOT), LOSSLINT_NO_CACHE="1")
        result = subprocess.run(prefix + [sys.executable, "-m", "losslint", "check", "."], cwd=tmp_path,
                                capture_output=True, text=True, env=environment, timeout=120)
        assert result.returncode == 1, result.stderr
        assert "good.py:9:10: LL101" in result.stdout
        assert "locked.py:1:1: LL900 cannot read: Permission denied" in result.stdout
        assert "locked_dir:1:1: LL900 cannot read directory: Permission denied" in result.stdout
        assert "inside.py" not in result.stdout and "Traceback" not in result.stderr
        assert snapshot(tmp_path) == before
    finally:
        os.chmod(tmp_path / "locked_dir", 0o755)
        os.chmod(tmp_path / "locked.py", 0o644)


VANISH = """
import os, shutil, sys
from losslint import cli
from losslint.static import discover as discovery

original = discovery.discover

def discover_then_delete(*args, **kwargs):
    found = original(*args, **kwargs)
    os.remove("doomed.py")          # discovered, then gone before it is read
    shutil.rmtree("doomed_dir")     # a directory with files in it, gone as well
    return found

discovery.discover = discover_then_delete
sys.argv = ["losslint", "check", "--no-cache", "--jobs", sys.argv[1], "."]
cli.entry()
"""


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_paths_that_vanish_during_the_run(tmp_path, jobs):
    (tmp_path / "good.py").write_text(buggy(), encoding="utf-8")
    (tmp_path / "doomed.py").write_text(buggy(), encoding="utf-8")
    (tmp_path / "doomed_dir").mkdir()
    for i in range(8):  # enough files for the process pool
        (tmp_path / "doomed_dir" / f"m{i}.py").write_text(buggy(), encoding="utf-8")
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", VANISH, jobs], cwd=tmp_path, capture_output=True, text=True,
                            env=environment, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "good.py:9:10: LL101" in result.stdout
    assert "doomed.py:1:1: LL900 cannot read: No such file or directory" in result.stdout
    assert result.stdout.count("No such file or directory") == 9 and "Traceback" not in result.stderr


CRASH = """
import os, signal, sys
from losslint import api, cli

analyse = api._check_document

def crash_on_one_file(document, *args):
    if document.path.endswith("crash.py"):
        os.kill(os.getpid(), signal.SIGSEGV)  # what a stack overflow in native code looks like
    return analyse(document, *args)

api._check_document = crash_on_one_file
sys.argv = ["losslint", "check", "--no-cache", "--jobs", "2", "."]
cli.entry()
"""


def test_a_file_that_kills_its_worker_process_gets_ll900_and_the_others_are_linted(tmp_path):
    for i in range(12):
        (tmp_path / f"m{i:02}.py").write_text(buggy(), encoding="utf-8")
    (tmp_path / "crash.py").write_text(buggy(), encoding="utf-8")
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", CRASH], cwd=tmp_path, capture_output=True, text=True,
                            env=environment, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "crash.py:1:1: LL900 the analyzer crashed on this file" in result.stdout
    assert result.stdout.count(": LL101 ") == 12 and "Traceback" not in result.stderr

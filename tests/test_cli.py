"""The CLI through its real entry point: output, exit codes, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


from fixture_format import FIXTURES, ROOT

BUGGY = '''import tensorflow as tf

model = tf.keras.Sequential([
    tf.keras.layers.Dense(64, activation="relu"),
    tf.keras.layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam",
              loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
'''


def losslint(*args: str, cwd: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "losslint", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, input=stdin)


def test_finding_text_and_exit_1(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(BUGGY)
    result = losslint("check", "train.py", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == ("train.py:8:20: LL101 [*] `SparseCategoricalCrossentropy(from_logits=True)` receives the "
                        "softmax output of `Dense(10)` (line 5)")
    assert lines[1] == "  help: drop `from_logits=True`, or remove the softmax from the last layer"
    assert lines[-2:] == ["Found 1 error.", "[*] 1 fixable with the `--fix` option."]


def test_clean_directory_passes(tmp_path: Path) -> None:
    result = losslint("check", str(FIXTURES / "clean"))
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip() == "All checks passed!"


def test_empty_directory(tmp_path: Path) -> None:
    result = losslint("check", str(tmp_path))
    assert (result.returncode, result.stdout.strip()) == (0, "All checks passed!")


def test_default_path_is_current_directory(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "train.py").write_text(BUGGY)
    result = losslint("check", cwd=tmp_path)
    assert result.returncode == 1 and "pkg/train.py:8:20: LL101" in result.stdout


def test_unknown_code_is_a_usage_error(tmp_path: Path) -> None:
    result = losslint("check", "--select", "LL999", str(tmp_path))
    assert result.returncode == 2
    assert "unknown rule selector `LL999`" in result.stderr


def test_json_output(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(BUGGY)
    result = losslint("check", "--output-format", "json", "train.py", cwd=tmp_path)
    assert result.returncode == 1
    [item] = json.loads(result.stdout)
    assert item["code"] == "LL101" and item["name"] == "probabilities-passed-as-logits"
    assert item["filename"] == str(tmp_path / "train.py")
    assert item["cell"] is None
    assert item["location"] == {"row": 8, "column": 20}
    assert item["end_location"] == {"row": 8, "column": 83}
    assert item["confidence"] == "high"
    assert item["help"].startswith("drop `from_logits=True`")
    assert {"message", "fix", "related"} <= set(item)


def test_syntax_error_is_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("import keras\nmodel.compile(loss=\n")
    (tmp_path / "train.py").write_text(BUGGY)
    result = losslint("check", str(tmp_path))
    assert result.returncode == 1
    assert f"{tmp_path}/broken.py:2:" in result.stdout and "LL900 cannot parse" in result.stdout
    assert "LL101" in result.stdout


def test_non_utf8_file(tmp_path: Path) -> None:
    (tmp_path / "latin.py").write_bytes("import keras\n# caf\xe9\n".encode("latin-1"))
    result = losslint("check", str(tmp_path / "latin.py"))
    assert result.returncode == 1
    assert "LL900 cannot decode" in result.stdout


def test_declared_encoding_is_honoured(tmp_path: Path) -> None:
    source = "# -*- coding: latin-1 -*-\n# caf\xe9\n" + BUGGY
    (tmp_path / "latin.py").write_bytes(source.encode("latin-1"))
    result = losslint("check", str(tmp_path / "latin.py"))
    assert "LL101" in result.stdout and "LL900" not in result.stdout


def test_missing_path(tmp_path: Path) -> None:
    result = losslint("check", str(tmp_path / "nope.py"))
    assert result.returncode == 1
    assert "LL900 cannot read: No such file or directory" in result.stdout


def test_files_without_keras_are_not_parsed(tmp_path: Path) -> None:
    (tmp_path / "notes.py").write_text("this is not python at all (\n")
    assert losslint("check", str(tmp_path)).returncode == 0


def test_gitignore_and_hidden_dirs_are_skipped(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / ".gitignore").write_text("generated/\n")
    for folder in ("generated", ".hidden", "venv"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "train.py").write_text(BUGGY)
    (tmp_path / "venv" / "pyvenv.cfg").write_text("home = /usr\n")
    assert losslint("check", cwd=tmp_path).returncode == 0
    # explicit paths are always linted
    assert losslint("check", "generated/train.py", cwd=tmp_path).returncode == 1


def test_exit_zero_and_statistics(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(BUGGY)
    result = losslint("check", "--exit-zero", "--statistics", str(tmp_path))
    assert result.returncode == 0
    assert "LL101  probabilities-passed-as-logits" in result.stdout


def test_select_and_ignore(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(BUGGY)
    assert losslint("check", "--ignore", "LL1", str(tmp_path)).returncode == 0
    assert losslint("check", "--select", "LL101", str(tmp_path)).returncode == 1
    assert losslint("check", "--select", "LL102,LL103", str(tmp_path)).returncode == 0


def test_parallel_run_matches_serial() -> None:
    serial = losslint("check", "--jobs", "1", "--output-format", "json", str(FIXTURES))
    parallel = losslint("check", "--jobs", "2", "--output-format", "json", str(FIXTURES))
    assert json.loads(serial.stdout) == json.loads(parallel.stdout)
    assert len(json.loads(serial.stdout)) > 20


def test_rules_and_explain() -> None:
    listing = losslint("rules")
    assert listing.returncode == 0 and "LL101  probabilities-passed-as-logits" in listing.stdout
    explained = losslint("explain", "ll104")
    assert explained.returncode == 0 and "Why is this bad?\n----------------\n" in explained.stdout
    assert losslint("explain", "LL999").returncode == 2


def test_console_script_is_installed_entry_point() -> None:
    from importlib.metadata import entry_points

    scripts = {e.name: e.value for e in entry_points(group="console_scripts")}
    assert scripts.get("losslint") == "losslint.cli:entry"

"""What a ruff user reaches for, through the real entry point (`python -m losslint` in a subprocess)."""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import buggy, run_losslint

FIXED_LINE = "    loss=keras.losses.CategoricalCrossentropy(),"


# ------------------------------------------------------------------ standard input


def test_fix_from_stdin_prints_the_fixed_code(tmp_path: Path) -> None:
    done = run_losslint("check", "--fix", "-", cwd=tmp_path, stdin=buggy())
    assert done.returncode == 0, done.stderr
    assert done.stdout == buggy().replace("    loss=keras.losses.CategoricalCrossentropy(from_logits=True),",
                                          FIXED_LINE)
    assert "1 fixed, 0 remaining" in done.stderr
    assert not list(tmp_path.iterdir())  # nothing written anywhere


def test_fix_from_stdin_without_a_fix_prints_the_input_unchanged(tmp_path: Path) -> None:
    clean = "import keras\nx = 1\n"
    done = run_losslint("check", "--fix", "-", cwd=tmp_path, stdin=clean)
    assert (done.returncode, done.stdout) == (0, clean)


def test_diff_from_stdin_shows_the_fix_and_exits_1(tmp_path: Path) -> None:
    done = run_losslint("check", "--diff", "--stdin-filename", "pkg/train.py", "-", cwd=tmp_path, stdin=buggy())
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("--- a/pkg/train.py\n+++ b/pkg/train.py\n")
    assert "+" + FIXED_LINE in done.stdout
    assert "Would fix 1 error." in done.stderr


def test_stdin_findings_keep_the_fix_marker_and_json_says_dash(tmp_path: Path) -> None:
    text = run_losslint("check", "-", cwd=tmp_path, stdin=buggy())
    assert text.returncode == 1
    assert text.stdout.startswith("-:9:10: LL101 [*] ")
    assert "[*] 1 fixable with the `--fix` option." in text.stdout
    found = json.loads(run_losslint("check", "--output-format", "json", "-", cwd=tmp_path, stdin=buggy()).stdout)
    assert [(d["filename"], d["fix"]["applicability"]) for d in found] == [("-", "safe")]
    named = json.loads(run_losslint("check", "--output-format", "json", "--stdin-filename", "a.py", "-",
                                    cwd=tmp_path, stdin=buggy()).stdout)
    assert named[0]["filename"] == str(tmp_path / "a.py")

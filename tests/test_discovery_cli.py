"""Discovery through the CLI: .gitignore, explicit paths, --force-exclude, standard input."""

from __future__ import annotations

import subprocess

from cli_helpers import buggy, run_losslint


def test_gitignore_is_honoured_for_directories_and_explicit_files_are_linted(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("scratch/\nold_*.py\n", encoding="utf-8")
    for name in ("scratch/a.py", "old_model.py", "src/model.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(buggy(), encoding="utf-8")
    result = run_losslint("check", ".", cwd=tmp_path)
    assert "src/model.py" in result.stdout and "scratch" not in result.stdout and "old_model" not in result.stdout
    assert run_losslint("check", "old_model.py", cwd=tmp_path).returncode == 1  # named: always linted
    assert run_losslint("check", "--force-exclude", "old_model.py", "scratch/a.py", cwd=tmp_path).returncode == 0
    assert run_losslint("check", "--force-exclude", "src/model.py", cwd=tmp_path).returncode == 1


def test_stdin_with_stdin_filename(tmp_path):
    result = run_losslint("check", "--stdin-filename", "pkg/train.py", "-", cwd=tmp_path, stdin=buggy())
    assert result.returncode == 1 and result.stdout.startswith("pkg/train.py:9:10: LL101 ")
    clean = run_losslint("check", "-", cwd=tmp_path, stdin="import keras\n")
    assert clean.returncode == 0 and "All checks passed!" in clean.stdout


def test_stdin_notebook(tmp_path):
    from test_notebooks import write

    text = write(tmp_path / "nb.ipynb").read_text(encoding="utf-8")
    result = run_losslint("check", "--stdin-filename", "nb.ipynb", "-", cwd=tmp_path, stdin=text)
    assert "nb.ipynb:cell 5:4:10: LL101" in result.stdout

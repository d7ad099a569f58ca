"""The real pre-commit, installing losslint from a git rev of this repository into its own venv.

pre-commit installs hook repositories from a git revision, so the test commits the current
working tree (tracked + untracked, not ignored files) into a temporary repository and points a
project's `.pre-commit-config.yaml` at it. It needs the package index for libcst/click/pathspec
(nothing else from the network) and never TensorFlow.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cli_helpers import ROOT, buggy
from test_notebooks import write as write_notebook

pytest.importorskip("pre_commit")
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(*args: str, cwd: Path) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", *args], cwd=str(cwd), check=True, capture_output=True, text=True, env=env).stdout


def snapshot_of_this_repository(target: Path) -> str:
    """Commit the current working tree into `target`; return the commit id."""
    files = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT).split("\0")
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    git("init", "-q", cwd=target)
    git("add", "-A", cwd=target)
    git("commit", "-q", "-m", "snapshot", cwd=target)
    return git("rev-parse", "HEAD", cwd=target).strip()


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory):
    target = tmp_path_factory.mktemp("losslint-hook-repo")
    return target, snapshot_of_this_repository(target)


def run_pre_commit(project: Path, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home)}
    env.pop("PYTHONPATH", None)  # the hook must run from its own venv, not from this checkout
    return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
                          cwd=str(project), capture_output=True, text=True, env=env, timeout=900)


def test_hook_fails_on_a_finding_and_passes_after_the_fix(hook_repo, tmp_path):
    repo, rev = hook_repo
    project = tmp_path / "project"
    project.mkdir()
    git("init", "-q", cwd=project)
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo.as_posix()}\n    rev: {rev}\n    hooks:\n      - id: losslint\n",
        encoding="utf-8")
    (project / "train.py").write_text(buggy(), encoding="utf-8")
    (project / "notes.txt").write_text("not python\n", encoding="utf-8")
    write_notebook(project / "explore.ipynb")
    git("add", "-A", cwd=project)

    home = tmp_path / "pre-commit-home"
    failed = run_pre_commit(project, home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "losslint" in failed.stdout and "Failed" in failed.stdout
    assert "train.py:9:10: LL101" in failed.stdout
    assert "explore.ipynb:cell 5:4:10: LL101" in failed.stdout

    for name in ("train.py", "explore.ipynb"):
        path = project / name
        path.write_text(path.read_text(encoding="utf-8").replace("from_logits=True", "from_logits=False"),
                        encoding="utf-8")
    git("add", "-A", cwd=project)
    passed = run_pre_commit(project, home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


def test_manifest_is_valid():
    from pre_commit.clientlib import load_manifest

    hooks = {hook["id"]: hook for hook in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
    assert set(hooks) == {"losslint", "losslint-fix"}
    assert hooks["losslint"]["entry"] == "losslint check --force-exclude"
    assert hooks["losslint-fix"]["entry"] == "losslint check --fix --force-exclude"
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["types_or"] == ["python", "jupyter"]
        assert hook["require_serial"] is True and hook["minimum_pre_commit_version"] == "2.9.2"

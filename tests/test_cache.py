"""The result cache (`losslint/cache.py`): same output warm or cold, keyed by content, codes and
build, safe under concurrent runs, killed runs and corrupt or hostile entries."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from cli_helpers import ROOT, buggy, run_losslint

from losslint import api
from losslint.cache import DIRECTORY, Cache
from losslint.registry import select_codes

FIXTURES = ROOT / "fixtures"


def project(tmp_path: Path, count: int = 8) -> Path:
    """A project (pyproject.toml) with real fixture programs, notebooks included."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n", encoding="utf-8")
    sources = sorted(FIXTURES.rglob("*.py"))[:count] + sorted(FIXTURES.rglob("*.ipynb"))[:2]
    for i, source in enumerate(sources):
        target = tmp_path / "src" / f"{i:02}_{source.name}"
        target.parent.mkdir(exist_ok=True)
        shutil.copy(source, target)
    return tmp_path


def entries(root: Path) -> list[Path]:
    return sorted((root / DIRECTORY).rglob("*.json"))


def check(root: Path, *args: str, cwd: Path | None = None):
    result = run_losslint("check", "--output-format", "json", *args, cwd=cwd or root)
    assert result.returncode in (0, 1), result.stderr
    return result.stdout


def test_warm_run_gives_the_same_report_from_the_cache_in_the_project_root(tmp_path):
    root = project(tmp_path)
    cold = check(root, "src", cwd=root)
    assert entries(root), "the cold run writes entries at the project root"
    assert (root / DIRECTORY / ".gitignore").read_text(encoding="utf-8").strip().endswith("*")
    assert check(root, "src", cwd=root) == cold
    assert check(root, "--no-cache", "src", cwd=root) == cold
    assert run_losslint("check", "src", cwd=root).stdout == run_losslint("check", "--no-cache", "src", cwd=root).stdout
    # from a subdirectory, the cache is still the project root's
    assert check(root, ".", cwd=root / "src") == check(root, "--no-cache", ".", cwd=root / "src")
    assert not (root / "src" / DIRECTORY).exists()


def test_no_cache_writes_nothing(tmp_path):
    root = project(tmp_path, 3)
    check(root, "--no-cache", "src")
    assert not (root / DIRECTORY).exists()
    run_losslint("check", "src", cwd=root, env={"LOSSLINT_NO_CACHE": "1"})
    assert not (root / DIRECTORY).exists()


def test_warm_run_does_not_analyse_and_keys_follow_content_and_codes(tmp_path, monkeypatch):
    root = project(tmp_path, 6)
    files = sorted(str(p) for p in (root / "src").iterdir())
    cache = Cache.at(str(root))
    codes = select_codes()
    cold = api.check_paths(files, codes, jobs=1, cache=cache)

    def no_analysis(*args, **kwargs):
        raise AssertionError("a cache hit must not parse")

    monkeypatch.setattr(api, "_check_document", no_analysis)
    warm = api.check_paths(files, codes, jobs=1, cache=cache)
    assert (warm.diagnostics, warm.suppressed, warm.fixes) == (cold.diagnostics, cold.suppressed, cold.fixes)
    monkeypatch.undo()

    # other codes, other content: misses; the changed file's findings are the new ones
    only_ll900 = api.check_paths(files, frozenset({"LL900"}), jobs=1, cache=cache)
    assert not only_ll900.diagnostics
    edited = Path(files[0])
    edited.write_text("import keras\n", encoding="utf-8")
    assert not [d for d in api.check_paths(files, codes, jobs=1, cache=cache).diagnostics
                if d.filename == files[0]]


def test_fix_then_check_never_reports_stale_results(tmp_path):
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    (tmp_path / "model.py").write_text(buggy(), encoding="utf-8")
    assert "LL101" in run_losslint("check", ".", cwd=tmp_path).stdout  # cached with the finding
    fixed = run_losslint("check", "--fix", ".", cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    after = run_losslint("check", ".", cwd=tmp_path)
    assert after.returncode == 0 and "LL101" not in after.stdout


def test_corrupt_and_hostile_entries_are_ignored_and_rewritten(tmp_path):
    root = project(tmp_path, 6)
    cold = check(root, "src")
    written = entries(root)
    assert written
    hostile = json.dumps({"diagnostics": [{"__class__": "Popen", "args": ["touch", "pwned"]}],
                          "suppressed": [], "fixes": []})
    for i, entry in enumerate(written):
        entry.write_text(["", "{not json", '{"diagnostics": 3}', hostile][i % 4], encoding="utf-8")
    assert check(root, "src") == cold
    assert not (root / "pwned").exists()
    for entry in entries(root):
        json.loads(entry.read_text(encoding="utf-8"))  # rewritten whole


def test_unwritable_cache_location_means_uncached_not_broken(tmp_path):
    root = project(tmp_path, 3)
    (root / DIRECTORY).write_text("a file where the directory should be", encoding="utf-8")
    assert check(root, "src") == check(root, "--no-cache", "src")


def test_concurrent_runs_and_a_killed_run_leave_a_consistent_cache(tmp_path):
    root = project(tmp_path, 20)
    expected = check(root, "--no-cache", "src")
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "losslint", "check", "--output-format", "json", "--jobs", "2", "src"]
    killed = subprocess.Popen(command, cwd=root, env=environment, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(2.0)  # mid-run: some entries written, others not
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait()
    runs = [subprocess.Popen(command, cwd=root, env=environment, stdout=subprocess.PIPE, text=True)
            for _ in range(3)]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert outputs == [expected] * 3
    for entry in entries(root):
        json.loads(entry.read_text(encoding="utf-8"))
    assert check(root, "src") == expected


def test_entries_of_other_builds_are_pruned_but_nothing_outside_the_cache_directory(tmp_path):
    result = api.FileResult()
    (tmp_path / DIRECTORY / "old-build").mkdir(parents=True)
    Cache(str(tmp_path / DIRECTORY / "new-build")).put("ab" * 20, result)
    assert not (tmp_path / DIRECTORY / "old-build").exists()
    assert Cache(str(tmp_path / DIRECTORY / "new-build")).get("ab" * 20) == result
    (tmp_path / "elsewhere" / "keep").mkdir(parents=True)
    Cache(str(tmp_path / "elsewhere" / "cache")).put("cd" * 20, result)
    assert (tmp_path / "elsewhere" / "keep").exists()

"""`losslint check --fix / --unsafe-fixes / --diff` through the real entry point (`python -m losslint`)
on a copy of the fixtures tree: exit codes, goldens, untouched files, CRLF, BOM, permissions."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from fixture_format import FIXTURES, ROOT

OLD = 1_000_000_000  # a fixed mtime, to see which files were rewritten


def losslint(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "losslint", "check", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def sources(tree: Path) -> list[Path]:
    return sorted(p for p in tree.rglob("*.py") if not p.name.endswith(("fixed.py",)))


def golden(path: Path, suffix: str) -> Path:
    return path.with_name(path.name[: -len(".py")] + suffix)


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    """A copy of the fixtures tree without the goldens (a user's project), all files old."""
    root = tmp_path / "project"
    # LL903 is opt-in and fixable: its goldens hold for its fixtures' own selection (test_fix_goldens.py),
    # not for this default run
    shutil.copytree(FIXTURES, root, ignore=shutil.ignore_patterns("*fixed.py", "*.ipynb", "LL903"))
    for path in root.rglob("*.py"):
        os.utime(path, (OLD, OLD))
    return root


def expected_after(source: Path, fixture: Path, unsafe: bool) -> bytes:
    for suffix in ((".unsafe-fixed.py", ".fixed.py") if unsafe else (".fixed.py",)):
        if golden(fixture, suffix).exists():
            return golden(fixture, suffix).read_bytes()
    return fixture.read_bytes()


def check_tree(tree: Path, unsafe: bool) -> None:
    changed = 0
    for path in sources(tree):
        fixture = FIXTURES / path.relative_to(tree)
        expected = expected_after(path, fixture, unsafe)
        assert path.read_bytes() == expected, f"{fixture.relative_to(FIXTURES)} differs from its golden"
        if expected == fixture.read_bytes():
            assert path.stat().st_mtime == OLD, f"{path.name} was rewritten without a change"
        else:
            changed += 1
    assert changed >= 15
    assert not [p.name for p in tree.rglob("*") if "losslint-tmp" in p.name]


def test_diff_then_fix_then_unsafe_fix_on_the_fixtures_tree(tree: Path) -> None:
    """--diff changes nothing and `git apply` accepts it; --fix writes the safe goldens and leaves
    every other file untouched; --unsafe-fixes then gives the unsafe goldens; a rerun is a no-op."""
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], cwd=tree, check=True)
    subprocess.run([*git, "add", "-A"], cwd=tree, check=True)
    subprocess.run([*git, "commit", "-qm", "start"], cwd=tree, check=True)

    diff = losslint("--diff", ".", cwd=tree)
    assert diff.returncode == 1
    assert diff.stdout.startswith("--- a/") and "Would fix" in diff.stderr
    assert all(p.stat().st_mtime == OLD for p in tree.rglob("*.py")), "--diff changed a file"
    patch = tree.parent / "fix.patch"
    patch.write_text(diff.stdout)
    subprocess.run(["git", "apply", "--check", str(patch)], cwd=tree, check=True)

    safe = losslint("--fix", ".", cwd=tree)
    assert safe.returncode == 1, safe.stderr  # unsafe and display-only findings remain
    assert "fixed" in safe.stdout and "remaining" in safe.stdout
    check_tree(tree, unsafe=False)
    assert subprocess.run(["git", "diff", "--quiet"], cwd=tree).returncode == 1
    assert subprocess.run(["git", "diff"], cwd=tree, capture_output=True, text=True).stdout.count("+++ b/") == \
        diff.stdout.count("+++ b/")

    assert losslint("--diff", ".", cwd=tree).stdout == ""
    unsafe = losslint("--fix", "--unsafe-fixes", ".", cwd=tree)
    assert unsafe.returncode == 1  # display-only findings remain
    check_tree(tree, unsafe=True)

    for path in tree.rglob("*.py"):
        os.utime(path, (OLD, OLD))
    again = losslint("--fix", "--unsafe-fixes", ".", cwd=tree)
    assert again.returncode == 1 and "fixed" not in again.stdout
    assert all(p.stat().st_mtime == OLD for p in tree.rglob("*.py")), "a second --fix changed files"


def test_fix_exit_code_zero_when_nothing_is_left(tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    shutil.copy(FIXTURES / "LL101" / "sequential_softmax_sparse_from_logits.py", path)
    before = losslint(".", cwd=tmp_path)
    assert before.returncode == 1
    assert " LL101 [*] " in before.stdout
    assert "[*] 1 fixable with the `--fix` option (1 hidden fix can be enabled with the `--unsafe-fixes` option)." \
        not in before.stdout  # the unsafe alternative is not a second fix of the same finding
    assert "[*] 1 fixable with the `--fix` option." in before.stdout
    after = losslint("--fix", ".", cwd=tmp_path)
    assert after.returncode == 0, after.stdout
    assert "Found 1 error (1 fixed, 0 remaining)." in after.stdout
    assert losslint(".", cwd=tmp_path).returncode == 0


def test_hidden_unsafe_fixes_are_counted(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "LL104" / "sequential_dense1_softmax_binary_crossentropy.py", tmp_path / "a.py")
    result = losslint(".", cwd=tmp_path)
    assert " LL104 softmax" in result.stdout  # no [*]: its fix is unsafe
    assert "No fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option)." in result.stdout
    shown = losslint("--unsafe-fixes", ".", cwd=tmp_path)
    assert " LL104 [*] " in shown.stdout and "[*] 1 fixable with the `--fix` option." in shown.stdout
    assert losslint("--fix", ".", cwd=tmp_path).returncode == 1
    assert losslint("--fix", "--unsafe-fixes", ".", cwd=tmp_path).returncode == 0


def test_crlf_bom_cookie_and_mode_are_preserved(tmp_path: Path) -> None:
    source = FIXTURES / "LL106" / "sequential_linear_sparse_string.py"
    fixed = golden(source, ".fixed.py").read_bytes()
    text = source.read_bytes()
    crlf = tmp_path / "crlf.py"
    crlf.write_bytes(text.replace(b"\n", b"\r\n"))
    bom = tmp_path / "bom.py"
    bom.write_bytes(b"\xef\xbb\xbf" + text)
    latin = tmp_path / "latin.py"
    cookie = "# -*- coding: latin-1 -*-\n# Entraîné sur données réelles\n".encode("latin-1")
    latin.write_bytes(cookie + text)
    os.chmod(crlf, 0o751)

    result = losslint("--fix", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert crlf.read_bytes() == fixed.replace(b"\n", b"\r\n")
    assert stat.S_IMODE(crlf.stat().st_mode) == 0o751
    assert bom.read_bytes() == b"\xef\xbb\xbf" + fixed
    assert latin.read_bytes() == cookie + fixed


def test_symlinked_file_is_fixed_in_place_of_its_target(tmp_path: Path) -> None:
    real = tmp_path / "real.py"
    shutil.copy(FIXTURES / "LL101" / "sequential_softmax_sparse_from_logits.py", real)
    (tmp_path / "sub").mkdir()
    link = tmp_path / "sub" / "link.py"
    link.symlink_to(real)
    assert losslint("--fix", "sub/link.py", cwd=tmp_path).returncode == 0
    assert link.is_symlink()
    assert real.read_bytes() == golden(FIXTURES / "LL101" / "sequential_softmax_sparse_from_logits.py",
                                       ".fixed.py").read_bytes()


def test_json_carries_the_fix(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "LL106" / "sequential_linear_sparse_string.py", tmp_path / "a.py")
    result = losslint("--output-format", "json", ".", cwd=tmp_path)
    [item] = json.loads(result.stdout)
    assert item["fix"] == {
        "applicability": "safe",
        "message": "pass `from_logits=True` to the loss",
        "edits": [{"content": "keras.losses.SparseCategoricalCrossentropy(from_logits=True)",
                   "location": {"row": 14, "column": 38}, "end_location": {"row": 14, "column": 71}}],
    }
    assert item["location"] == item["fix"]["edits"][0]["location"]


def test_noqa_findings_are_not_fixed(tmp_path: Path) -> None:
    source = (FIXTURES / "LL101" / "sequential_softmax_sparse_from_logits.py").read_text()
    source = source.replace("# expect: LL101", "# noqa: LL101")
    path = tmp_path / "train.py"
    path.write_text(source)
    os.utime(path, (OLD, OLD))
    result = losslint("--fix", ".", cwd=tmp_path)
    assert result.returncode == 0 and path.stat().st_mtime == OLD
    assert losslint("--diff", ".", cwd=tmp_path).stdout == ""

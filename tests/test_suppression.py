"""`# noqa` on the anchor line, file-level `# losslint: noqa`, LL900 never suppressed."""

from __future__ import annotations

import pytest

from cli_helpers import buggy, run_losslint
from losslint.static.suppress import parse


@pytest.mark.parametrize("comment, suppressed", [
    ("  # noqa: LL101", True),
    ("  # noqa: LL106, LL101", True),
    ("  # NOQA:LL101", True),
    ("  # noqa", True),
    ("  # noqa: LL106", False),
    ("  # a comment", False),
])
def test_line_noqa(tmp_path, comment, suppressed):
    (tmp_path / "train.py").write_text(buggy(comment), encoding="utf-8")
    result = run_losslint("check", "--statistics", "train.py", cwd=tmp_path)
    assert result.returncode == (0 if suppressed else 1), result.stdout
    assert ("suppressed by `# noqa`" in result.stdout) is suppressed


def test_noqa_on_another_line_does_not_count(tmp_path):
    source = buggy().replace("model.compile(\n", "model.compile(  # noqa: LL101\n")
    (tmp_path / "train.py").write_text(source, encoding="utf-8")
    assert run_losslint("check", "train.py", cwd=tmp_path).returncode == 1


def test_noqa_inside_a_string_does_not_count():
    suppressions = parse('x = "# noqa: LL101"\ny = 1  # noqa: LL106\n')
    assert 1 not in suppressions.lines and suppressions.lines[2] == frozenset({"LL106"})
    assert parse('s = """\n# losslint: noqa\n"""\n').file is False


@pytest.mark.parametrize("header, suppressed", [
    ("# losslint: noqa\n", True),
    ("# losslint: noqa: LL101\n", True),
    ("# losslint: noqa: LL106\n", False),
    ("x = 1  # losslint: noqa\n", False),  # must be on its own line
])
def test_file_level_noqa(tmp_path, header, suppressed):
    (tmp_path / "train.py").write_text(header + buggy(), encoding="utf-8")
    result = run_losslint("check", "train.py", cwd=tmp_path)
    assert result.returncode == (0 if suppressed else 1), result.stdout


def test_ll900_is_never_suppressed(tmp_path):
    (tmp_path / "broken.py").write_text("# losslint: noqa\nimport keras\nmodel.compile(loss=  # noqa\n",
                                        encoding="utf-8")
    result = run_losslint("check", "broken.py", cwd=tmp_path)
    assert result.returncode == 1 and "LL900" in result.stdout

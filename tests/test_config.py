"""[tool.losslint] in the nearest pyproject.toml; the CLI on top; bad config → exit 2."""

from __future__ import annotations

import pytest

from cli_helpers import buggy, run_losslint


def project(tmp_path, config: str, files: dict[str, str] | None = None):
    (tmp_path / "pyproject.toml").write_text(f"[project]\nname = 'x'\n\n[tool.losslint]\n{config}\n", encoding="utf-8")
    for name, text in (files or {"src/train.py": buggy()}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_ignore_from_config_and_cli_select_overrides(tmp_path):
    project(tmp_path, 'ignore = ["LL101"]')
    assert run_losslint("check", "src", cwd=tmp_path).returncode == 0
    assert run_losslint("check", "train.py", cwd=tmp_path / "src").returncode == 0  # nearest pyproject, upward
    assert run_losslint("check", "--select", "LL1", "src", cwd=tmp_path).returncode == 1


def test_select_and_extend_select(tmp_path):
    project(tmp_path, 'select = ["LL106"]\nextend-select = ["LL9"]')
    assert run_losslint("check", "src", cwd=tmp_path).returncode == 0
    result = run_losslint("check", "--extend-select", "LL101", "src", cwd=tmp_path)
    assert result.returncode == 1 and "LL101" in result.stdout


def test_per_file_ignores(tmp_path):
    project(tmp_path, '[tool.losslint.per-file-ignores]\n"notebooks/*" = ["LL101"]',
            {"notebooks/a.py": buggy(), "src/b.py": buggy()})
    result = run_losslint("check", ".", cwd=tmp_path)
    assert "src/b.py" in result.stdout and "notebooks/a.py" not in result.stdout


def test_exclude_and_force_exclude(tmp_path):
    project(tmp_path, 'extend-exclude = ["generated/"]', {"generated/a.py": buggy(), "src/b.py": buggy()})
    result = run_losslint("check", ".", cwd=tmp_path)
    assert "src/b.py" in result.stdout and "generated" not in result.stdout
    # named explicitly: linted, unless --force-exclude (what the pre-commit hook passes)
    assert run_losslint("check", "generated/a.py", cwd=tmp_path).returncode == 1
    result = run_losslint("check", "--force-exclude", "generated/a.py", cwd=tmp_path)
    assert result.returncode == 0 and "All checks passed!" in result.stdout


def test_explicit_config_path(tmp_path):
    (tmp_path / "train.py").write_text(buggy(), encoding="utf-8")
    (tmp_path / "other.toml").write_text('[tool.losslint]\nignore = ["LL1"]\n', encoding="utf-8")
    assert run_losslint("check", "train.py", cwd=tmp_path).returncode == 1
    assert run_losslint("check", "--config", "other.toml", "train.py", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("config, message", [
    ('selct = ["LL101"]', "unknown key `selct`"),
    ('select = ["LL999"]', "unknown rule selector `LL999`"),
    ('ignore = ["E501"]', "unknown rule selector `E501`"),
    ('select = "LL101"', "must be a list of strings"),
    ('[tool.losslint.per-file-ignores]\n"*.ipynb" = ["XX1"]', "unknown rule selector `XX1`"),
    ('select = [', "not valid TOML"),
])
def test_bad_config_is_a_usage_error(tmp_path, config, message):
    project(tmp_path, config)
    result = run_losslint("check", "src", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


def test_unknown_code_on_the_command_line_is_exit_2(tmp_path):
    result = run_losslint("check", "--select", "ZZZ999", ".", cwd=tmp_path)
    assert result.returncode == 2 and "ZZZ999" in result.stderr

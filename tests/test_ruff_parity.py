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


# ------------------------------------------------------------------ output


def test_full_format_shows_the_source_with_a_caret(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(buggy(), encoding="utf-8")
    done = run_losslint("check", "--output-format", "full", "train.py", cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0].startswith("train.py:9:10: LL101 [*] ")
    assert lines[1:9] == [
        "   |",
        " 7 | model.compile(",
        ' 8 |     optimizer="adam",',
        " 9 |     loss=keras.losses.CategoricalCrossentropy(from_logits=True),",
        "   |          " + "^" * len("keras.losses.CategoricalCrossentropy(from_logits=True)") + " LL101",
        "10 | )",
        "   |",
        "  = help: drop `from_logits=True`, or remove the softmax from the last layer",
    ]
    assert "  = note: train.py:5:5: output layer `Dense(3)` defined here" in lines


def test_output_format_from_the_config_and_the_command_line_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.losslint]\noutput-format = "full"\n', encoding="utf-8")
    (tmp_path / "train.py").write_text(buggy(), encoding="utf-8")
    assert "   |" in run_losslint("check", "train.py", cwd=tmp_path).stdout
    concise = run_losslint("check", "--output-format", "concise", "train.py", cwd=tmp_path).stdout
    assert "   |" not in concise and concise.startswith("train.py:9:10: LL101 [*] ")


def test_every_finding_links_its_documentation(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(buggy(), encoding="utf-8")
    (finding,) = json.loads(run_losslint("check", "--output-format", "json", "train.py", cwd=tmp_path).stdout)
    assert finding["url"] == "https://pypi.org/project/losslint-ml/#ll101"
    sarif = json.loads(run_losslint("check", "--output-format", "sarif", "train.py", cwd=tmp_path).stdout)
    driver = sarif["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == "https://pypi.org/project/losslint-ml/"
    assert {r["id"]: r["helpUri"] for r in driver["rules"]}["LL101"] == finding["url"]


def test_statistics_count_what_fix_would_fix(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(buggy(), encoding="utf-8")
    (tmp_path / "b.py").write_text(buggy(), encoding="utf-8")
    text = run_losslint("check", "--statistics", ".", cwd=tmp_path)
    assert text.stdout.splitlines()[0] == "    2  LL101  probabilities-passed-as-logits  [*] 2 fixable"
    assert "[*] 2 fixable with the `--fix` option." in text.stdout
    rows = json.loads(run_losslint("check", "--statistics", "--output-format", "json", ".", cwd=tmp_path).stdout)
    assert rows == [{"code": "LL101", "name": "probabilities-passed-as-logits", "count": 2, "fixable": 2}]


def test_gitlab_code_quality_report(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # the repository root paths are relative to
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text(buggy() + "\n" + buggy(), encoding="utf-8")
    report = json.loads(run_losslint("check", "--output-format", "gitlab", "src", cwd=tmp_path).stdout)
    assert [(r["check_name"], r["severity"], r["location"]["path"], r["location"]["positions"]["begin"])
            for r in report] == [("LL101", "major", "src/train.py", {"line": 9, "column": 10}),
                                 ("LL101", "major", "src/train.py", {"line": 20, "column": 10})]
    assert report[0]["description"].startswith("LL101 `CategoricalCrossentropy(from_logits=True)`")
    assert len({r["fingerprint"] for r in report}) == 2  # the same line twice: still two findings
    in_ci = json.loads(run_losslint("check", "--output-format", "gitlab", "src", cwd=tmp_path,
                                    env={"CI_PROJECT_DIR": str(tmp_path / "src")}).stdout)
    assert in_ci[0]["location"]["path"] == "train.py"  # relative to the checkout GitLab CI names


def test_junit_report(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    (tmp_path / "train.py").write_text(buggy(), encoding="utf-8")
    done = run_losslint("check", "--output-format", "junit", "train.py", cwd=tmp_path)
    assert done.returncode == 1
    root = ET.fromstring(done.stdout)
    assert (root.tag, root.get("tests"), root.get("failures")) == ("testsuites", "1", "1")
    (case,) = root.iter("testcase")
    assert (case.get("name"), case.get("line"), case.get("column")) == ("org.losslint.LL101", "9", "10")
    assert "train.py:9:10: LL101" in case.find("failure").text
    (tmp_path / "train.py").write_text("import keras\n", encoding="utf-8")
    clean = ET.fromstring(run_losslint("check", "--output-format", "junit", "train.py", cwd=tmp_path).stdout)
    assert clean.get("failures") == "0" and [c.get("name") for c in clean.iter("testcase")] == ["No errors found"]


# ------------------------------------------------------------------ settings on the command line


def test_exclude_and_per_file_ignores_on_the_command_line(tmp_path: Path) -> None:
    for folder in ("generated", "my data", "src"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "train.py").write_text(buggy(), encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.losslint]\nper-file-ignores = { "src/*" = ["LL101"] }\n',
                                             encoding="utf-8")
    everything = run_losslint("check", "--per-file-ignores", "src/*:LL2", "-q", ".", cwd=tmp_path)
    assert sorted(line.split(":")[0].removeprefix("./") for line in everything.stdout.splitlines() if "LL101" in line) == [
        "generated/train.py", "my data/train.py", "src/train.py"]  # the config's table replaced
    narrowed = run_losslint("check", "--extend-exclude", "generated/", "--extend-per-file-ignores",
                            "my data/*:LL101", "-q", ".", cwd=tmp_path)
    assert narrowed.returncode == 0, narrowed.stdout  # src/ by the config, my data/ by the option
    files = run_losslint("check", "--show-files", "--exclude", "generated", ".", cwd=tmp_path)
    assert [name.removeprefix("./") for name in files.stdout.splitlines()] == ["my data/train.py", "src/train.py"]
    piped = run_losslint("check", "--show-files", "--stdin-filename", "notebook_export.py", "-", "src", cwd=tmp_path)
    assert piped.stdout.splitlines() == ["notebook_export.py", "src/train.py"]
    assert run_losslint("check", "--per-file-ignores", "src/*", ".", cwd=tmp_path).returncode == 2
    assert run_losslint("check", "--per-file-ignores", "src/*:LL999", ".", cwd=tmp_path).returncode == 2


def test_show_settings(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.losslint]\nignore = ["LL3"]\nextend-exclude = ["legacy/"]\n',
                                             encoding="utf-8")
    done = run_losslint("check", "--show-settings", "--extend-select", "LL903", cwd=tmp_path)
    assert done.returncode == 0
    assert f'config-file = "{tmp_path / "pyproject.toml"}"' in done.stdout
    assert '    "LL903",  # unused-noqa' in done.stdout and '"LL301"' not in done.stdout
    assert '"legacy/"' in done.stdout


def test_mistyped_config_key_gets_a_suggestion(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.losslint]\nextend_select = ["LL901"]\nignor = ["LL3"]\n',
                                             encoding="utf-8")
    done = run_losslint("check", ".", cwd=tmp_path)
    assert done.returncode == 2
    assert "`extend_select` (did you mean `extend-select`?)" in done.stderr
    assert "`ignor` (did you mean `ignore`?)" in done.stderr


# ------------------------------------------------------------------ unused noqa (LL903)


def test_unused_noqa_is_opt_in_and_judges_only_losslint_codes(tmp_path: Path) -> None:
    fixed = buggy("  # noqa: LL101, E501").replace("from_logits=True", "from_logits=False")
    (tmp_path / "train.py").write_text("import os  # noqa: F401\n" + fixed, encoding="utf-8")
    assert run_losslint("check", "train.py", cwd=tmp_path).returncode == 0  # off by default, like RUF100
    done = run_losslint("check", "--extend-select", "LL903", "train.py", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == ("train.py:10:68: LL903 [*] unused `noqa` code: `LL101` "
                                           "(nothing silenced on this line)")
    assert "F401" not in done.stdout
    # the fix drops the stale code, keeps the other tool's one, and is safe (applied by --fix)
    fixing = run_losslint("check", "--extend-select", "LL903", "--fix", "train.py", cwd=tmp_path)
    assert fixing.returncode == 0, fixing.stdout
    assert (tmp_path / "train.py").read_text(encoding="utf-8").splitlines()[9].endswith(
        "from_logits=False),  # noqa: E501")
    # still needed: silent
    (tmp_path / "train.py").write_text(buggy("  # noqa: LL101"), encoding="utf-8")
    assert run_losslint("check", "--extend-select", "LL903", "train.py", cwd=tmp_path).returncode == 0


# ------------------------------------------------------------------ help


def test_help_speaks_of_pytorch_and_lists_whole_sentences(tmp_path: Path) -> None:
    done = run_losslint("--help", cwd=tmp_path, env={"COLUMNS": "80"})
    assert "Keras and PyTorch" in done.stdout
    commands = done.stdout.split("Commands:")[1]
    assert not [line for line in commands.splitlines() if line.rstrip().endswith(("...", "e.g."))]
    assert "Print the documentation of rule CODE (LL101, LL203, …)." in done.stdout


def test_one_distribution_name_everywhere() -> None:
    """pyproject's name is the one every install hint, URL and doc gives (the import, the command and
    the hook ids stay `losslint`)."""
    import re

    from cli_helpers import ROOT
    from losslint.report.urls import DISTRIBUTION, PROJECT_URL

    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^name = "([^"]+)"', pyproject, re.M).group(1) == DISTRIBUTION == "losslint-ml"
    assert PROJECT_URL == f"https://pypi.org/project/{DISTRIBUTION}/"
    assert f'pip install \\"{DISTRIBUTION}[lsp]\\"' in (ROOT / "losslint" / "cli.py").read_text(encoding="utf-8")
    assert f"pip install {DISTRIBUTION}" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert f'"{DISTRIBUTION}[lsp] @ git+' in (ROOT / "docs" / "integrations.md").read_text(encoding="utf-8")
    for path in [ROOT / "README.md", *(ROOT / "docs").rglob("*.md"), *(ROOT / "losslint").rglob("*.py"),
                 ROOT / "action.yml", ROOT / ".pre-commit-hooks.yaml"]:
        assert "keras-losslint" not in path.read_text(encoding="utf-8"), path
    assert "- id: losslint\n" in (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")

"""The README's snippets work as copied: the pre-commit configuration is extracted from README.md
and run by the real pre-commit with only its two placeholders filled in (as the text says: the
repository URL, here a local clone, and a commit of it); the workflow uses this repository's
action with the inputs it documents; the command-line examples run."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from cli_helpers import ROOT, buggy, run_losslint
from test_notebooks import write as write_notebook

README = (ROOT / "README.md").read_text(encoding="utf-8")
REPO_PLACEHOLDER, REV_PLACEHOLDER = "https://github.com/OWNER/losslint", "COMMIT"


def section(heading: str, text: str = README) -> str:
    start = text.index(f"\n## {heading}")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


def test_pre_commit_snippet_as_printed(tmp_path):
    pytest.importorskip("pre_commit")
    from test_pre_commit import git, run_pre_commit, snapshot_of_this_repository

    text = section("Use it in pre-commit")
    (snippet,) = blocks(text, "yaml")
    assert "v0.1.0" not in snippet  # no tag of this repository exists
    assert snippet.count(REPO_PLACEHOLDER) == 1 and re.search(rf"rev: {REV_PLACEHOLDER}\b", snippet)
    assert "git ls-remote" in text and REPO_PLACEHOLDER in text.split("```")[2]  # the text says how to fill them

    repo = tmp_path / "losslint-clone"
    repo.mkdir()
    rev = snapshot_of_this_repository(repo)
    project = tmp_path / "project"
    project.mkdir()
    git("init", "-q", cwd=project)
    filled = snippet.replace(REPO_PLACEHOLDER, repo.as_posix()).replace(f"rev: {REV_PLACEHOLDER}", f"rev: {rev}")
    (project / ".pre-commit-config.yaml").write_text(filled, encoding="utf-8")
    (project / "train.py").write_text(buggy(), encoding="utf-8")
    write_notebook(project / "explore.ipynb")
    git("add", "-A", cwd=project)
    failed = run_pre_commit(project, tmp_path / "pre-commit-home")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "train.py:9:10: LL101" in failed.stdout and "explore.ipynb:cell 5:4:10: LL101" in failed.stdout


def test_workflow_snippet_uses_this_action_with_its_inputs():
    yaml = pytest.importorskip("yaml")
    text = section("Use it in GitHub Actions")
    (snippet,) = blocks(text, "yaml")
    workflow = yaml.safe_load(snippet)
    assert "security-events" not in workflow["permissions"]  # annotations by default: no upload, no permission
    steps = workflow["jobs"]["losslint"]["steps"]
    assert steps[-1]["uses"] == f"OWNER/losslint@{REV_PLACEHOLDER}"
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    documented = set(re.findall(r"`([\w-]+)`\s\(", text.split("Inputs (`with:`):")[1].split("Outputs:")[0]))
    assert documented == set(action["inputs"])
    for name, item in action["inputs"].items():
        assert f"`{name}`" in text and (not item["default"] or f"`{item['default']}`" in text)


def test_editor_settings_are_valid():
    text = section("Use it in your editor: `losslint server`")
    (settings,) = blocks(text, "json")
    assert json.loads(settings)["glspc.server.commandArguments"] == ["server"]
    (lua,) = blocks(text, "lua")
    assert 'cmd = { "losslint", "server" }' in lua


def test_command_line_examples_run(tmp_path):
    """Every `losslint …` line of the command-line block runs in a small project: no usage error."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "model.py").write_text(buggy(), encoding="utf-8")
    (tmp_path / "train.py").write_text(buggy(), encoding="utf-8")
    (code,) = [b for b in blocks(section("Use it from the command line"), "") if "losslint check" in b]
    commands = [line.split("  #")[0].strip() for line in code.splitlines() if line.strip()]
    assert len(commands) >= 10
    for command in commands:
        if "--watch" in command:
            continue  # runs until Ctrl-C: tests/test_terminal.py
        stdin = None
        if command.startswith("cat "):
            stdin = (tmp_path / "train.py").read_text(encoding="utf-8")
            command = command.split("|", 1)[1].strip()
        words = shlex.split(command.split(" > ")[0])
        assert words[0] == "losslint"
        done = run_losslint(*words[1:], cwd=tmp_path, stdin=stdin)
        assert done.returncode in (0, 1), (command, done.stderr)


def test_docs_repeat_the_tested_snippets():
    """docs/integrations.md shows the same pre-commit configuration and editor settings as the
    README (tested above), and its workflows use the same placeholders."""
    yaml = pytest.importorskip("yaml")
    docs = (ROOT / "docs" / "integrations.md").read_text(encoding="utf-8")
    assert blocks(section("pre-commit", docs), "yaml") == blocks(section("Use it in pre-commit"), "yaml")
    editor = section("Use it in your editor: `losslint server`")
    assert blocks(section("The editor: `losslint server`", docs), "json") == blocks(editor, "json")
    assert blocks(section("The editor: `losslint server`", docs), "lua") == blocks(editor, "lua")
    with_action, without = blocks(section("GitHub Actions", docs), "yaml")
    assert yaml.safe_load(with_action)["jobs"]["losslint"]["steps"][-1]["uses"] == f"OWNER/losslint@{REV_PLACEHOLDER}"
    assert f'"losslint-ml @ git+{REPO_PLACEHOLDER}@{REV_PLACEHOLDER}"' in without  # run by tests/test_action.py
    assert "v0.1.0" not in docs and "v0.1.0" not in README


def test_custom_loop_snippet_warns_as_printed(tmp_path):
    """The runtime section's custom-loop program, run with `losslint run` as the text says, prints
    the warning shown under it (on the JAX backend, the quickest to start; every backend is
    covered by the runtime parity tests)."""
    pytest.importorskip("keras")
    pytest.importorskip("jax")
    import os
    import sys

    text = section("Warn at `compile()` / `fit()`: the runtime hook")
    (program,) = [b for b in blocks(text, "python") if b.startswith("# loop.py\n")]
    after = text.split(program + "```", 1)[1]
    printed = blocks(after, "")[0].splitlines()
    (tmp_path / "loop.py").write_text(program, encoding="utf-8")
    environment = dict(os.environ, PYTHONPATH=str(ROOT), KERAS_BACKEND="jax", TF_CPP_MIN_LOG_LEVEL="3")
    environment.pop("LOSSLINT", None)
    done = subprocess.run([sys.executable, "-m", "losslint", "run", "loop.py"], cwd=tmp_path, env=environment,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stderr.splitlines()
    warning = next(line for line in lines if "LossLintWarning" in line)
    assert warning == str(tmp_path / printed[0]), done.stderr[-3000:]
    assert lines[lines.index(warning) + 1] == printed[1]


def test_test_command_installs_the_torch_the_extra_pins():
    """The README's test command is one line: torch's CPU build from PyTorch's index (as
    pytorch.org documents it), then the test extra, whose torch pin it satisfies, then pytest."""
    (command,) = [line for block in blocks(section("Quick start"), "") for line in block.splitlines()
                  if "pytest" in line]
    torch_step, extra_step, test_step = command.split(" && ")
    pinned = re.search(r'"(torch==[^"]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8")).group(1)
    assert torch_step == f"pip install {pinned} --index-url https://download.pytorch.org/whl/cpu"
    assert extra_step == 'pip install -e ".[test]"' and test_step == "python -m pytest -q"


def test_ci_runs_the_readme_test_command_as_written():
    """CI runs exactly what a newcomer copies: the README's test command is a line of .ci/run."""
    (command,) = [line for block in blocks(section("Quick start"), "") for line in block.splitlines()
                  if "pytest" in line]
    assert command in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("document, heading", [
    ("README.md", "Hugging Face Transformers and JAX"),
    ("docs/transformers-jax.md", "Transformers"),
    ("docs/transformers-jax.md", "JAX: optax and Flax"),
])
def test_framework_snippets_report_the_codes_their_comments_name(tmp_path, document, heading):
    """Each Python example of the transformers / JAX docs, checked as copied, gets exactly the codes
    its `# LLxxx:` comments name, on those lines."""
    text = (ROOT / document).read_text(encoding="utf-8")
    (code,) = blocks(section(heading, text), "python")
    program = tmp_path / "example.py"
    program.write_text(code, encoding="utf-8")
    expected = {(number, match.group(1)) for number, line in enumerate(code.splitlines(), 1)
                for match in [re.search(r"# (LL\d{3}):", line)] if match}
    done = subprocess.run([sys.executable, "-m", "losslint", "check", "--no-cache", "--output-format", "json",
                           str(program)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    found = {(d["location"]["row"], d["code"]) for d in json.loads(done.stdout)}
    assert expected and found == expected, done.stderr

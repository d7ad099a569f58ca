"""The composite GitHub Action (action.yml), its steps run locally as GitHub would run them.

GitHub is not reachable here, so the test plays the runner: it reads action.yml, runs each `run:`
step with bash (`bash --noprofile --norc -eo pipefail`, GitHub's default) in a project directory,
with `${{ inputs.* }}` and `${{ steps.*.outputs.* }}` expanded and GITHUB_ACTION_PATH /
GITHUB_OUTPUT set as the runner sets them; losslint is installed into a fresh virtualenv from a
snapshot of this repository (the action's checkout). The `uses:` steps (setup-python, the SARIF
upload) cannot run here: the test checks what they would receive (a valid SARIF file).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cli_helpers import ROOT, buggy
from test_pre_commit import snapshot_of_this_repository

yaml = pytest.importorskip("yaml")
jsonschema = pytest.importorskip("jsonschema")
SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def action() -> dict:
    return yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


def play(project: Path, action_path: Path, venv: Path, inputs: dict[str, str] | None = None,
         github: dict[str, str] | None = None) -> dict:
    """Run the action's steps; return {"outputs", "log", "failed_step", "uses"}."""
    spec = action()
    values = {name: str(item.get("default", "")) for name, item in spec["inputs"].items()}
    values.update(inputs or {})
    outputs: dict[str, dict[str, str]] = {}

    def expand(text: str) -> str:
        def value(match):
            expression = match.group(1)
            if expression.startswith("inputs."):
                return values[expression[len("inputs."):]]
            step = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression)
            if step:
                return outputs.get(step.group(1), {}).get(step.group(2), "")
            if expression == "github.action_path":
                return str(action_path)
            raise AssertionError(f"expression the test runner does not know: {expression}")
        return EXPRESSION.sub(value, str(text))

    def condition(text: str | None) -> bool:
        if text is None:
            return True
        match = re.fullmatch(r"(inputs\.[\w-]+|steps\.[\w-]+\.outputs\.[\w-]+)\s*(==|!=)\s*'([^']*)'",
                             text.strip())
        assert match, f"condition the test runner does not know: {text}"
        equal = expand("${{ " + match.group(1) + " }}") == match.group(3)
        return equal if match.group(2) == "==" else not equal

    log, used = [], []
    for step in spec["runs"]["steps"]:
        if not condition(step.get("if")):
            continue
        if "uses" in step:
            used.append((step["uses"], {k: expand(v) for k, v in step.get("with", {}).items()}))
            continue
        assert step["shell"] == "bash"
        output_file = project.parent / f"github-output-{len(log)}"
        output_file.write_text("")
        env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
               "GITHUB_ACTION_PATH": str(action_path), "GITHUB_OUTPUT": str(output_file),
               "GITHUB_WORKSPACE": str(project), "GITHUB_ACTIONS": "true", "VIRTUAL_ENV": str(venv)}
        env.pop("PYTHONPATH", None)  # losslint must come from the installed action, not this checkout
        env.update(github or {})  # GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REPOSITORY of the run
        env.update({name: expand(value) for name, value in step.get("env", {}).items()})
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", expand(step["run"])],
                              cwd=project, env=env, capture_output=True, text=True, timeout=600)
        log.append(done)
        if "id" in step:
            outputs[step["id"]] = dict(line.split("=", 1) for line in output_file.read_text().splitlines() if line)
        if done.returncode != 0:
            return {"outputs": outputs, "log": log, "failed_step": step.get("name"), "uses": used}
    return {"outputs": outputs, "log": log, "failed_step": None, "uses": used}


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(the action's checkout, a fresh virtualenv) — what actions/setup-python gives the steps."""
    action_path = tmp_path_factory.mktemp("action-checkout")
    snapshot_of_this_repository(action_path)
    venv = tmp_path_factory.mktemp("runner") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    return action_path, venv


def test_action_annotates_once_and_fails_on_findings(installed, tmp_path):
    """The default reports each finding once, as an annotation (works on private repositories and on
    pull requests from forks); the SARIF file is still written, but not uploaded."""
    action_path, venv = installed
    project = tmp_path / "project"
    project.mkdir()
    (project / "train.py").write_text(buggy(), encoding="utf-8")
    run = play(project, action_path, venv)
    install, check, fail = run["log"]
    assert install.returncode == 0, install.stderr
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("::error title=losslint (LL101),file=train.py,line=9,col=10,") == 1, check.stdout
    assert run["outputs"]["check"] == {"exit-code": "1", "sarif-file": "losslint.sarif", "upload": "false"}
    assert run["failed_step"] == "Fail on findings" and fail.returncode == 1

    uses = dict(run["uses"])
    assert uses == {"actions/setup-python@v5": {"python-version": "3.12"}}  # no upload by default
    sarif = json.loads((project / "losslint.sarif").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(SCHEMA).validate(sarif)
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["LL101"]

    # fixed: the job passes
    (project / "train.py").write_text(buggy().replace("from_logits=True", "from_logits=False"), encoding="utf-8")
    clean = play(project, action_path, venv)
    assert clean["failed_step"] is None and clean["outputs"]["check"]["exit-code"] == "0"


def _pull_request(tmp_path: Path, head: str) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"head": {"repo": {"full_name": head}}}}), encoding="utf-8")
    return {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event), "GITHUB_REPOSITORY": "acme/models"}


def test_action_uploads_sarif_instead_of_annotating(installed, tmp_path):
    """upload-sarif: code scanning gets the findings and no annotation repeats them; on a pull
    request from a fork (whose token cannot upload) annotations come instead and nothing uploads."""
    action_path, venv = installed
    project = tmp_path / "project"
    project.mkdir()
    (project / "train.py").write_text(buggy(), encoding="utf-8")
    same_repo = play(project, action_path, venv, {"upload-sarif": "true"}, _pull_request(tmp_path, "acme/models"))
    check = same_repo["log"][1]
    assert "::error" not in check.stdout, check.stdout
    upload = dict(same_repo["uses"])["github/codeql-action/upload-sarif@v3"]
    assert upload == {"sarif_file": "losslint.sarif", "category": "losslint"}
    sarif = json.loads((project / upload["sarif_file"]).read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(SCHEMA).validate(sarif)
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["LL101"]
    assert same_repo["failed_step"] == "Fail on findings"

    fork = play(project, action_path, venv, {"upload-sarif": "true"}, _pull_request(tmp_path, "someone/models"))
    check = fork["log"][1]
    assert "::notice title=losslint::a pull request from a fork" in check.stdout
    assert check.stdout.count("::error title=losslint (LL101)") == 1
    assert [u for u, _ in fork["uses"]] == ["actions/setup-python@v5"]
    assert fork["failed_step"] == "Fail on findings"


def test_action_args_are_split_like_a_shell_line(installed, tmp_path):
    """A quoted path with spaces stays one path; an unclosed quote is an error, not a silent `.`."""
    action_path, venv = installed
    project = tmp_path / "project"
    (project / "my data").mkdir(parents=True)
    (project / "my data" / "train.py").write_text(buggy(), encoding="utf-8")
    (project / "other.py").write_text(buggy(), encoding="utf-8")
    run = play(project, action_path, venv, {"args": '"my data/train.py" --select LL1', "python-version": ""})
    check = run["log"][1]
    assert check.returncode == 0, check.stdout + check.stderr
    assert "file=my data/train.py,line=9" in check.stdout and "other.py" not in check.stdout
    broken = play(project, action_path, venv, {"args": '"my data/train.py', "python-version": ""})
    assert broken["failed_step"] == "Run losslint" and "cannot split the args input" in broken["log"][1].stdout


def test_action_inputs(installed, tmp_path):
    action_path, venv = installed
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "src" / "train.py").write_text(buggy(), encoding="utf-8")
    (project / "other.py").write_text(buggy(), encoding="utf-8")
    run = play(project, action_path, venv, {"args": "src", "upload-sarif": "false", "fail-on-findings": "false",
                                            "python-version": "", "sarif-file": "out/report.sarif"})
    assert run["failed_step"] is None
    assert [u for u, _ in run["uses"]] == []  # neither setup-python nor the upload
    assert "file=src/train.py" in run["log"][1].stdout and "other.py" not in run["log"][1].stdout
    assert run["outputs"]["check"] == {"exit-code": "1", "sarif-file": "out/report.sarif", "upload": "false"}
    assert (project / "out" / "report.sarif").is_file()
    # a usage error is not "findings": the step fails on its own
    broken = play(project, action_path, venv, {"args": "--select NOPE src"})
    assert broken["failed_step"] == "Run losslint" and "could not run" in broken["log"][1].stdout


def test_workflow_without_the_action_from_the_docs(installed, tmp_path):
    """The `run:` steps of docs/integrations.md's workflow without the action, as a script, with
    the placeholders filled in as the text says (a git URL of this repository and a commit)."""
    from test_readme_snippets import REPO_PLACEHOLDER, REV_PLACEHOLDER, blocks, section

    action_path, venv = installed
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=action_path, capture_output=True, text=True,
                         check=True).stdout.strip()
    docs = (ROOT / "docs" / "integrations.md").read_text(encoding="utf-8")
    workflow = yaml.safe_load(blocks(section("GitHub Actions", docs), "yaml")[1])
    project = tmp_path / "project"
    project.mkdir()
    (project / "train.py").write_text(buggy(), encoding="utf-8")
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}", "VIRTUAL_ENV": str(venv)}
    env.pop("PYTHONPATH", None)
    results = []
    for step in workflow["jobs"]["losslint"]["steps"]:
        if "run" not in step:
            continue
        script = step["run"].replace(REPO_PLACEHOLDER, f"file://localhost{action_path}").replace(REV_PLACEHOLDER, rev)
        results.append(subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                                      cwd=project, env=env, capture_output=True, text=True, timeout=600))
    install, annotate = results  # one report: annotations (code scanning is the alternative, not an addition)
    assert install.returncode == 0, install.stderr
    assert annotate.returncode == 1 and annotate.stdout.count("file=train.py,line=9,col=10") == 1

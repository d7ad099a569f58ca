"""Output formats through the CLI: SARIF (schema-validated), GitHub annotations, json-lines, -o."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest

from cli_helpers import buggy, run_losslint
from losslint.report.github import escape_data, escape_property
from test_notebooks import write as write_notebook

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


@pytest.fixture
def repo(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text(buggy(), encoding="utf-8")
    write_notebook(tmp_path / "src" / "nb.ipynb")
    return tmp_path


def test_sarif_is_valid_and_github_ready(repo):
    result = run_losslint("check", "--output-format", "sarif", ".", cwd=repo / "src")
    assert result.returncode == 1, result.stderr
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(log)  # the official OASIS schema
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} >= {"LL101", "LL900"}
    for rule in rules:
        assert rule["name"] and rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        assert len(rule["fullDescription"]["text"]) <= 1024
    by_uri = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r for r in run["results"]}
    assert set(by_uri) == {"src/train.py", "src/nb.ipynb"}  # repository-relative, even from a subdirectory
    py = by_uri["src/train.py"]
    assert py["ruleId"] == "LL101" and rules[py["ruleIndex"]]["id"] == "LL101" and py["level"] == "error"
    region = py["locations"][0]["physicalLocation"]["region"]
    line = buggy().splitlines()[region["startLine"] - 1]
    assert line[region["startColumn"] - 1: region["endColumn"] - 1] == \
        "keras.losses.CategoricalCrossentropy(from_logits=True)"  # 1-based columns, end exclusive
    assert py["relatedLocations"][0]["message"]["text"].startswith("output layer")
    assert py["partialFingerprints"]["primaryLocationLineHash"].endswith(":1")
    nb = by_uri["src/nb.ipynb"]
    region = nb["locations"][0]["physicalLocation"]["region"]
    raw = (repo / "src" / "nb.ipynb").read_text(encoding="utf-8").splitlines()[region["startLine"] - 1]
    assert raw[region["startColumn"] - 1:].startswith("keras.losses.CategoricalCrossentropy")
    assert nb["properties"]["cell"] == 5


def test_sarif_fingerprint_survives_edits_above(repo):
    first = json.loads(run_losslint("check", "--output-format", "sarif", "src/train.py", cwd=repo).stdout)
    (repo / "src" / "train.py").write_text("# a new comment\n\n" + buggy(), encoding="utf-8")
    second = json.loads(run_losslint("check", "--output-format", "sarif", "src/train.py", cwd=repo).stdout)
    fingerprint = lambda log: log["runs"][0]["results"][0]["partialFingerprints"]  # noqa: E731
    assert fingerprint(first) == fingerprint(second)


def test_sarif_clean_run_is_valid(tmp_path):
    log = json.loads(run_losslint("check", "--output-format", "sarif", ".", cwd=tmp_path).stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    assert log["runs"][0]["results"] == []


def test_github_annotations(repo):
    result = run_losslint("check", "--output-format", "github", "src", cwd=repo)
    lines = result.stdout.splitlines()
    assert result.returncode == 1 and len(lines) == 2
    py = next(line for line in lines if "file=src/train.py" in line)
    assert py.startswith("::error title=losslint (LL101),file=src/train.py,line=9,col=10,endLine=9,endColumn=64::")
    assert "%0A  help: " in py and "\n" not in py
    nb = next(line for line in lines if "file=src/nb.ipynb" in line)
    physical = int(nb.split(",line=")[1].split(",")[0])
    raw = (repo / "src" / "nb.ipynb").read_text(encoding="utf-8").splitlines()[physical - 1]
    assert "CategoricalCrossentropy(from_logits=True)" in raw  # lands on the JSON line of the source
    assert "::src/nb.ipynb:cell 5:4:10: LL101" in nb


def test_github_escaping():
    assert escape_data("50% a\r\nb") == "50%25 a%0D%0Ab"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_json_lines_and_output_file(repo):
    result = run_losslint("check", "--output-format", "json-lines", "src", cwd=repo)
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted((r["code"], r["cell"] or 0) for r in rows) == [("LL101", 0), ("LL101", 5)]
    result = run_losslint("check", "-o", "report.json", "--output-format", "json", "src", cwd=repo)
    assert result.returncode == 1 and result.stdout == ""
    assert len(json.loads((repo / "report.json").read_text(encoding="utf-8"))) == 2


def test_output_format_from_environment(repo):
    result = run_losslint("check", "src/train.py", cwd=repo, env={"LOSSLINT_OUTPUT_FORMAT": "json-lines"})
    assert json.loads(result.stdout)["code"] == "LL101"

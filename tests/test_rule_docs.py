"""docs/rules/*.md and the README rule table are generated from the registry and must not drift."""

from __future__ import annotations

import importlib.util

import pytest

from cli_helpers import ROOT, run_losslint
from losslint.registry import all_rules
from losslint.report.rule_docs import END, START, rules_table, update_readme

spec = importlib.util.spec_from_file_location("gen_rule_docs", ROOT / "scripts" / "gen_rule_docs.py")
gen_rule_docs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen_rule_docs)


def test_generated_docs_are_up_to_date():
    stale = gen_rule_docs.stale_files()
    assert not stale, f"run `python scripts/gen_rule_docs.py`; out of date: {[str(p.relative_to(ROOT)) for p in stale]}"


def test_every_rule_has_a_page():
    assert {p.stem for p in (ROOT / "docs" / "rules").glob("LL*.md")} == set(all_rules())


def test_readme_has_the_rules_table_markers():
    readme = ROOT / "README.md"
    if not readme.exists():
        pytest.skip("README.md is not in this checkout yet")
    text = readme.read_text(encoding="utf-8")
    assert START in text and END in text, "README.md needs the rules-table markers"


def test_update_readme_replaces_only_between_markers():
    text = f"# losslint\n\nintro\n\n{START}\nold table\n{END}\n\nafter\n"
    table = rules_table(all_rules().values())
    updated = update_readme(text, table)
    assert updated.startswith("# losslint\n\nintro\n\n") and updated.endswith("\n\nafter\n")
    assert "old table" not in updated and "| [LL101](docs/rules/LL101.md) |" in updated
    assert update_readme(updated, table) == updated
    with pytest.raises(ValueError):
        update_readme("# no markers\n", table)


def test_rules_markdown_and_explain_through_the_cli(tmp_path):
    result = run_losslint("rules", "--output-format", "markdown", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == rules_table(all_rules().values())
    explained = run_losslint("explain", "--output-format", "markdown", "LL101", cwd=tmp_path)
    assert explained.returncode == 0 and "## What it does" in explained.stdout
    assert run_losslint("explain", "LL999", cwd=tmp_path).returncode == 2

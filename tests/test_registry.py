"""The registry, the rule docs and the fixtures stay in sync."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from fixture_format import FIXTURES, python_fixtures
from losslint.api import lint_source
from losslint.registry import CODE_PATTERN, UnknownSelector, all_rules, explicitly, select_codes

RULES = list(all_rules().values())
HEADINGS = ["## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety",
            "## Known false positives", "## Keras behaviour"]


def snake(name: str) -> str:
    return name.replace("-", "_")


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_declaration(rule) -> None:
    assert CODE_PATTERN.match(rule.code)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), "names are kebab-case"
    assert rule.module.rsplit(".", 1)[1] == snake(rule.name), "module file = snake form of the name"
    positions = [rule.doc.find(h) for h in HEADINGS]
    assert all(p >= 0 for p in positions), f"missing headings: {[h for h, p in zip(HEADINGS, positions) if p < 0]}"
    assert positions == sorted(positions), "headings in the documented order"


def test_names_are_unique() -> None:
    assert len({r.name for r in RULES}) == len(RULES)


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_every_rule_has_trigger_and_silent_fixtures(rule) -> None:
    fixtures = [f for f in python_fixtures() if f.path.parent == FIXTURES / rule.code]
    triggering = [f for f in fixtures if any(code == rule.code for _, code in f.expected)]
    silent = [f for f in fixtures if not any(code == rule.code for _, code in f.expected)]
    assert triggering, f"fixtures/{rule.code}/ needs a program that triggers {rule.code}"
    if rule.code != "LL900":  # an unreadable file has no look-alike that is also unreadable
        assert silent, f"fixtures/{rule.code}/ needs a silent look-alike"


def _python_block(doc: str, heading: str) -> str | None:
    section = doc.split(heading, 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    return match.group(1) if match else None


@pytest.mark.parametrize("rule", [r for r in RULES if r.check is not None and r.static],
                         ids=[r.code for r in RULES if r.check is not None and r.static])
def test_doc_examples(rule) -> None:
    """The "Example" triggers the rule; the "Use instead" does not."""
    example = _python_block(rule.doc, "## Example")
    assert example, "the Example section needs a ```python block"
    codes = frozenset({rule.code})
    assert {d.code for d in lint_source(example, "example.py", codes)} == {rule.code}
    better = _python_block(rule.doc, "## Use instead")
    if better is not None:
        assert not lint_source(better, "use_instead.py", codes)


def test_selection() -> None:
    default = select_codes()
    assert "LL101" in default and "LL901" not in default
    # LL111 is on by default, its opt-in form (softmax + regression loss, labels unknown) only when selected
    assert "LL111" in default and explicitly("LL111") not in default
    assert explicitly("LL111") in select_codes(None, extend_select=["LL111"]) and explicitly("LL111") in select_codes(["ALL"])
    assert explicitly("LL111") not in select_codes(["ALL"], ["LL111"])
    assert select_codes(["LL10"]) == {c for c in all_rules() if c.startswith("LL10")}
    assert select_codes(["ALL"], ["LL9"]) == {c for c in all_rules() if not c.startswith("LL9")} | {explicitly("LL111")}
    assert "LL111" in select_codes(None, extend_select=["LL111"])
    with pytest.raises(UnknownSelector):
        select_codes(["LL999"])
    with pytest.raises(UnknownSelector):
        select_codes(["E501"])


def test_rule_layer_imports_neither_libcst_nor_click() -> None:
    """DESIGN §2: facts, knowledge, rules and diagnostics are importable without the static stack."""
    code = ("import sys, losslint.registry as r; r.all_rules(); import losslint.facts, losslint.knowledge;"
            "bad = {'libcst', 'click', 'keras', 'tensorflow'} & set(sys.modules); print(sorted(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

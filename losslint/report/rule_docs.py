"""Documentation generated from the rule registry: the README rule table and `docs/rules/LLxxx.md`.

`scripts/gen_rule_docs.py` writes them; a test fails when the committed files drift from the code.
"""

from __future__ import annotations

import re
from typing import Iterable

START = "<!-- rules-table:start -->"
END = "<!-- rules-table:end -->"
NOTICE = "<!-- generated from the rule registry by scripts/gen_rule_docs.py; do not edit -->"


def _yes(flag: bool) -> str:
    return "✓" if flag else ""


def rules_table(rules: Iterable, *, link_prefix: str = "docs/rules/") -> str:
    """The markdown table of every rule (what `losslint rules --output-format markdown` prints)."""
    rows = ["| code | name | what it finds | default | static | runtime | fix |",
            "|---|---|---|---|---|---|---|"]
    for rule in rules:
        code = f"[{rule.code}]({link_prefix}{rule.code}.md)" if link_prefix is not None else rule.code
        summary = rule.summary.replace("|", "\\|")
        rows.append(f"| {code} | `{rule.name}` | {summary} | {'on' if rule.default else 'off'} | "
                    f"{_yes(rule.static)} | {_yes(rule.runtime)} | {_yes(rule.fixable)} |")
    return "\n".join(rows)


def rule_page(rule) -> str:
    where = " and ".join(w for w, on in (("`losslint check` (static)", rule.static),
                                          ("the compile/fit hook (runtime)", rule.runtime)) if on)
    facts = [f"- Enabled by default: {'yes' if rule.default else 'no (opt in with `--extend-select ' + rule.code + '`)'}",
             f"- Found by: {where or 'the analyzer itself'}",
             f"- Fix available: {'yes' if rule.fixable else 'no'}",
             f"- Silence one finding: `# noqa: {rule.code}` on the reported line"
             + (" (this notice cannot be silenced)" if rule.code == "LL900" else "")]
    return f"{NOTICE}\n# {rule.code}: {rule.name}\n\n" + "\n".join(facts) + f"\n\n{rule.doc.strip()}\n"


def update_readme(text: str, table: str) -> str:
    """`text` with the table between the markers replaced; ValueError when the markers are missing."""
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise ValueError(f"README has no `{START}` … `{END}` markers")
    return pattern.sub(lambda _: f"{START}\n{table}\n{END}", text, count=1)

"""Regenerate docs/rules/LLxxx.md and the README rule table from the rule registry.

    python scripts/gen_rule_docs.py          # write the files
    python scripts/gen_rule_docs.py --check  # exit 1 if anything would change (what the test does)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from losslint.registry import all_rules  # noqa: E402
from losslint.report.rule_docs import rule_page, rules_table, update_readme  # noqa: E402


def expected_files(root: Path = ROOT) -> dict[Path, str]:
    """Every generated file and the content it must have."""
    rules = all_rules()
    files = {root / "docs" / "rules" / f"{code}.md": rule_page(rule) for code, rule in rules.items()}
    readme = root / "README.md"
    if readme.exists():
        files[readme] = update_readme(readme.read_text(encoding="utf-8"), rules_table(rules.values()))
    return files


def stale_files(root: Path = ROOT) -> list[Path]:
    stale = [path for path, content in expected_files(root).items()
             if not path.exists() or path.read_text(encoding="utf-8") != content]
    generated = {path for path in expected_files(root)}
    stale += [p for p in sorted((root / "docs" / "rules").glob("LL*.md")) if p not in generated]  # retired pages
    return stale


def main(argv: list[str]) -> int:
    if "--check" in argv:
        stale = stale_files()
        for path in stale:
            print(f"out of date: {path.relative_to(ROOT)} (run python scripts/gen_rule_docs.py)")
        return 1 if stale else 0
    for path in stale_files():
        if path.exists() and path not in expected_files():
            path.unlink()
    for path, content in expected_files().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

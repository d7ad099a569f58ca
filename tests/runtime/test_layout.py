"""DESIGN §8: the runtime front end is one installer, one warning path and per-framework
inspectors, with no import cycle between its modules (imports inside functions included)."""

from __future__ import annotations

import ast
from pathlib import Path

RUNTIME = Path(__file__).resolve().parents[2] / "losslint" / "runtime"


def _imports(path: Path) -> set[str]:
    """The sibling modules of losslint.runtime that `path` imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("losslint.runtime."):
            found.add(node.module.split(".")[2])
    modules = {p.stem for p in RUNTIME.glob("*.py")}
    return found & modules


def test_runtime_modules_import_no_cycle():
    graph = {p.stem: _imports(p) for p in RUNTIME.glob("*.py") if p.stem != "__init__"}

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == target or (nxt not in seen and reaches(nxt, target, seen | {nxt})):
                return True
        return False

    cycles = sorted(module for module in graph if reaches(module, module, {module}))
    assert not cycles, f"import cycles through {cycles}: {graph}"


def test_inspectors_report_through_the_one_warning_path():
    graph = {p.stem: _imports(p) for p in RUNTIME.glob("*.py")}
    assert "reporting" in graph["torch_hook"] and "hook" not in graph["torch_hook"]
    assert "reporting" in graph["hook"]

"""Rule declaration, discovery and code selection.

A rule is one module in `losslint.rules` whose docstring is its documentation and which
declares itself with `@rule(...)` on its `check` function (or `notice(...)` for analyzer notices
that the front ends emit themselves). Discovery walks the package: there is no list to edit.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from .diagnostics import Diagnostic, Finding
from .facts import ModelFacts

CODE_PATTERN = re.compile(r"^LL\d{3}$")
RETIRED: dict[str, str] = {}  # code -> what happened to it; codes are never reused

Check = Callable[[ModelFacts], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    check: Check | None  # None: a notice emitted by a front end (LL900)
    doc: str
    default: bool = True
    static: bool = True  # found by `losslint check`
    runtime: bool = True  # found by the compile/fit hook
    fixable: bool = False  # can offer an applicable (safe or unsafe) fix
    opt_in_forms: bool = False  # some findings (Finding.opt_in) need the code selected explicitly
    # labels known at `fit` can withdraw the finding (LL302 on one-hot labels): the runtime hook
    # judges it at `fit`, not at `compile`, so one mistake is not reported twice
    waits_for_labels: bool = False
    module: str = ""

    @property
    def summary(self) -> str:
        """First sentence of `## What it does`."""
        match = re.search(r"## What it does\s+(.+?)(?:\n\n|\n##)", self.doc, re.S)
        return " ".join(match.group(1).split()) if match else self.name

    def run(self, model: ModelFacts) -> Iterator[Diagnostic]:
        if self.check is None:
            return
        for finding in self.check(model):
            yield self.diagnostic(finding)

    def run_with_forms(self, model: ModelFacts) -> Iterator[tuple[Diagnostic, bool]]:
        """Each diagnostic with whether it is an opt-in form of the rule."""
        if self.check is None:
            return
        for finding in self.check(model):
            yield self.diagnostic(finding), finding.opt_in

    def diagnostic(self, finding: Finding) -> Diagnostic:
        return Diagnostic(
            code=self.code, name=self.name, message=finding.message, help=finding.help,
            anchor=finding.anchor, confidence=finding.confidence, related=finding.related,
            fixes=finding.fixes, filename=finding.anchor.path,
        )


def _declare(code: str, name: str, check: Check | None, **options) -> Rule:
    module = sys.modules[check.__module__] if check else None
    return Rule(code=code, name=name, check=check, doc=(module.__doc__ or "").strip() if module else "",
                module=check.__module__ if check else "", **options)


def rule(*, code: str, name: str, **options) -> Callable[[Check], Check]:
    """Declare the decorated function as the `check` of rule `code`."""

    def decorate(check: Check) -> Check:
        check.__losslint_rule__ = _declare(code, name, check, **options)  # type: ignore[attr-defined]
        return check

    return decorate


def notice(*, module_name: str, code: str, name: str, **options) -> Rule:
    """Declare an analyzer notice that a front end emits (no per-model check)."""
    module = sys.modules[module_name]
    return Rule(code=code, name=name, check=None, doc=(module.__doc__ or "").strip(), module=module_name,
                **options)


_RULES: dict[str, Rule] | None = None


def all_rules() -> dict[str, Rule]:
    """Every rule, by code, discovered by walking `losslint.rules`."""
    global _RULES
    if _RULES is None:
        from . import rules as package

        found: dict[str, Rule] = {}
        for info in pkgutil.iter_modules(package.__path__):
            if info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            declared = [obj.__losslint_rule__ if hasattr(obj, "__losslint_rule__") else obj
                        for obj in vars(module).values()
                        if hasattr(obj, "__losslint_rule__") or isinstance(obj, Rule)]
            if len(declared) != 1:
                raise RuntimeError(f"{module.__name__} must declare exactly one rule, found {len(declared)}")
            declared_rule = declared[0]
            if declared_rule.code in found:
                raise RuntimeError(f"{declared_rule.code} declared twice")
            found[declared_rule.code] = declared_rule
        _RULES = dict(sorted(found.items()))
    return _RULES


class UnknownSelector(ValueError):
    pass


def _expand(selector: str, rules: dict[str, Rule]) -> set[str]:
    selector = selector.strip().upper()
    if selector.endswith(":EXPLICIT"):  # a selection passed on as it came out of `select_codes`
        selector = selector[: -len(":EXPLICIT")]
    if selector == "ALL":
        return set(rules)
    if selector in RETIRED:
        raise UnknownSelector(f"rule {selector} is retired: {RETIRED[selector]}")
    matches = {code for code in rules if code.startswith(selector)} if selector.startswith("LL") else set()
    if not matches:
        raise UnknownSelector(f"unknown rule selector `{selector}` (expected a code like LL101, a prefix "
                              f"like LL1, or ALL; `losslint rules` lists them)")
    return matches


def select_codes(select: Iterable[str] | None = None, ignore: Iterable[str] = (),
                 extend_select: Iterable[str] = ()) -> frozenset[str]:
    """Ruff's selection: `select` replaces the default set, `extend_select` adds, `ignore` removes."""
    rules = all_rules()
    chosen: set[str] = set()
    explicit: set[str] = set()
    if select is None:
        chosen = {code for code, r in rules.items() if r.default}
    else:
        for selector in select:
            explicit |= _expand(selector, rules)
    for selector in extend_select:
        explicit |= _expand(selector, rules)
    chosen |= explicit
    for selector in ignore:
        chosen -= _expand(selector, rules)
    chosen |= {explicitly(code) for code in explicit & chosen if rules[code].opt_in_forms}
    return frozenset(chosen)


def explicitly(code: str) -> str:
    """The selection entry that enables the opt-in forms of rule `code` (set by `select_codes`
    when the code is selected by name, prefix or ALL rather than by default)."""
    return f"{code}:explicit"


def codes_waiting_for_labels() -> frozenset[str]:
    """Rules whose verdict the labels may withdraw: judged once the labels are known."""
    return frozenset(code for code, r in all_rules().items() if r.waits_for_labels)


def run_rules(model: ModelFacts, codes: frozenset[str], *, mode: str = "static") -> list[Diagnostic]:
    """Run the selected rules that apply in `mode` ("static" or "runtime") on one model."""
    out: list[Diagnostic] = []
    for code, r in all_rules().items():
        if code in codes and getattr(r, mode):
            out.extend(d for d, opt_in in r.run_with_forms(model) if not opt_in or explicitly(code) in codes)
    return out

"""Loss calls grouped by the call site they were recorded at (shared by the framework libraries)."""

from __future__ import annotations

from typing import Callable, Iterable


def facts_by_site(calls: Iterable, site_facts: Callable) -> list[list]:
    """For each loss call site (the `node` of its calls, in the order first met), the facts
    `site_facts(call)` gave for each evaluation of it (a call evaluated in several contexts — a
    `train()` called with two models — has several); None results are left out."""
    by_site: dict = {}
    for call in calls:
        facts = site_facts(call)
        if facts is not None:
            by_site.setdefault(call.node, []).append(facts)
    return list(by_site.values())

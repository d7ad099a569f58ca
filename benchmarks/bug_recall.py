"""Recall on labelled real bugs: how many of the loss / last-layer / label bugs that public DL-bug
benchmarks collected `losslint check` finds, and what it reports on the fixed and out-of-scope
programs.

    PYTHONPATH=. python benchmarks/bug_recall.py LABELS.csv [--list]

The labels live outside this repository (the benchmarks' code is third-party and is never
committed here): a CSV with the columns

    id,source,buggy_path,fixed_path,expected_codes,static_decidable,note

one row per benchmark bug. `buggy_path` / `fixed_path` are files or directories (a directory is
checked as `losslint check DIR` checks it: project-wide); `fixed_path` may be empty.
`expected_codes` are the codes (space-separated) a correct linter reports on the buggy program,
any one of which counts as found; empty means the bug is out of scope (an optimizer, the data,
the architecture...), and the row then serves as a false-alarm check. `static_decidable` is
`yes` when the program itself says enough to decide (`no`: the classes or targets come from a
CSV, a directory...).

Every path is checked with every rule selected (`--select ALL`). Printed:

* in-scope bugs, found (an expected code reported on the buggy program), recall overall and on
  the statically decidable ones, then the same per source;
* findings (codes other than the LL9xx notices) on fixed programs and on out-of-scope buggy
  programs: each is a candidate false alarm for a human to judge (listed with `--list`, which
  also lists the missed in-scope bugs);
* the wall time.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from dataclasses import dataclass

from losslint.api import check_paths
from losslint.registry import select_codes
from losslint.static.discover import discover
from losslint.static.engine.project import ProjectScope

COLUMNS = ("id", "source", "buggy_path", "fixed_path", "expected_codes", "static_decidable", "note")


@dataclass
class Bug:
    id: str
    source: str
    buggy_path: str
    fixed_path: str
    expected: frozenset[str]
    static: bool
    note: str


def read_labels(path: str) -> list[Bug]:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = set(COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise SystemExit(f"{path}: missing columns: {', '.join(sorted(missing))}")
        return [Bug(row["id"], row["source"], row["buggy_path"], row["fixed_path"] or "",
                    frozenset(row["expected_codes"].split()), row["static_decidable"].strip() == "yes",
                    row["note"]) for row in reader]


def findings(path: str, codes: frozenset[str]) -> list:
    """The diagnostics `losslint check --select ALL PATH` gives (project-wide for a directory)."""
    files = discover([path]).files
    if not files:
        raise SystemExit(f"{path}: no Python file or notebook there")
    return check_paths(files, codes, jobs=1, project=ProjectScope.of_paths([path])).diagnostics


def reported(diagnostics) -> list:
    """The findings proper: the LL9xx analyzer notices (unresolved, labels unknown) excluded."""
    return [d for d in diagnostics if not d.code.startswith("LL9")]


def where(diagnostic) -> str:
    anchor = diagnostic.anchor
    cell = f"cell {anchor.cell}:" if anchor.cell is not None else ""
    return f"{diagnostic.filename or anchor.path}:{cell}{anchor.line}: {diagnostic.code} {diagnostic.message}"


def ratio(found: int, total: int) -> str:
    return f"{found}/{total} = {100 * found / total:.0f}%" if total else "-"


def measure(labels: str, listing: bool) -> None:
    bugs = read_labels(labels)
    codes = select_codes(["ALL"])
    start = time.perf_counter()
    seen: dict[str, list] = {}
    for path in {p for bug in bugs for p in (bug.buggy_path, bug.fixed_path) if p}:
        seen[path] = findings(path, codes)
    elapsed = time.perf_counter() - start

    in_scope = [bug for bug in bugs if bug.expected]
    found = {bug.id for bug in in_scope if bug.expected & {d.code for d in seen[bug.buggy_path]}}
    static = [bug for bug in in_scope if bug.static]
    print(f"{labels}: {len(bugs)} labelled bugs, {len(in_scope)} in scope, {len(seen)} paths checked "
          f"in {elapsed:.1f}s")
    print(f"  recall            {ratio(len(found), len(in_scope))}")
    print(f"  static-decidable  {ratio(sum(b.id in found for b in static), len(static))}")
    by_source = defaultdict(list)
    for bug in in_scope:
        by_source[bug.source].append(bug)
    for source, group in sorted(by_source.items()):
        decidable = [b for b in group if b.static]
        print(f"    {source:28} {ratio(sum(b.id in found for b in group), len(group)):>14}   "
              f"static-decidable {ratio(sum(b.id in found for b in decidable), len(decidable))}")

    on_fixed = [(bug, d) for bug in bugs if bug.fixed_path for d in reported(seen[bug.fixed_path])]
    out_of_scope = [(bug, d) for bug in bugs if not bug.expected for d in reported(seen[bug.buggy_path])]
    print(f"  findings on fixed programs         {len(on_fixed):4}  (to judge: false alarm or a bug the fix kept)")
    print(f"  findings on out-of-scope programs  {len(out_of_scope):4}  (to judge: false alarm or an unlabelled bug)")
    if listing:
        print("  missed in-scope bugs:")
        for bug in in_scope:
            if bug.id not in found:
                got = " ".join(sorted({d.code for d in seen[bug.buggy_path]})) or "nothing"
                print(f"    {bug.id} [{bug.source}] expected {' '.join(sorted(bug.expected))}, got {got}: "
                      f"{bug.buggy_path}")
        for title, pairs in (("on fixed programs", on_fixed), ("on out-of-scope programs", out_of_scope)):
            print(f"  findings {title}:")
            for bug, diagnostic in pairs:
                print(f"    {bug.id}: {where(diagnostic)}")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("labels", help="the labels CSV (kept outside this repository)")
    parser.add_argument("--list", action="store_true",
                        help="list the missed bugs and every finding on fixed / out-of-scope programs")
    args = parser.parse_args(argv)
    measure(args.labels, args.list)


if __name__ == "__main__":
    main(sys.argv[1:])

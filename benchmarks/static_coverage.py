"""How much of a code base the static front end resolves, and what it reports there: `compile()`
calls, and losses called on a model's output in training code (loss calls).

    PYTHONPATH=. python benchmarks/static_coverage.py DIR [DIR ...] [--list] [--jobs N]

For each directory it prints:

* the model `compile()` calls the interpreter records (compiles on models it cannot see, e.g.
  loaded ones, included; a call interpreted twice — a helper called twice — counts once);
* how those that pass a loss split: **resolved** (every output and loss known), **units from
  data** (activation and loss known, the unit count comes from the data, e.g. `len(class_names)`),
  **custom loss** (a user function or `Loss` subclass), **unresolved** (by reason); compiles without
  a loss are counted apart (nothing to resolve);
* the findings per code with the default rule selection;
* the wall time of the analysis.

With `--list`, every finding and every unresolved compile is printed with its location, so each
can be read and judged.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

from losslint.static.discover import discover

# how a compile() that passes a loss is counted, best first (a call seen twice keeps its best)
_RANK = {"resolved": 0, "units from data": 1, "custom loss": 2, "unresolved": 3, "no loss": 4}


def _measure(path: str) -> tuple[list, list, str | None]:
    """(compile records, findings, error) of one file; a record is (line, cell, category, reasons)."""
    from losslint.api import default_codes
    from losslint.diagnostics import Diagnostic
    from losslint.registry import run_rules
    from losslint.static.check import _in_cells, map_refs, parse_document
    from losslint.static.extract import extract_models
    from losslint.static.source import UnreadableSource, read_document

    try:
        document = read_document(path)
        if document is None:
            return [], [], None
        parsed = parse_document(document)
        if isinstance(parsed, Diagnostic):
            return [], [], parsed.message
        models = extract_models(parsed, path)
    except (UnreadableSource, RecursionError) as error:
        return [], [], f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    if getattr(document, "cells", None) is not None:
        models = [map_refs(model, _in_cells(document)) for model in models]
    codes = default_codes()
    records: dict = {}
    findings = set()
    for model in models:
        category = _category(model)
        key = (model.site, model.ref.line, model.ref.cell)
        old = records.get(key)
        if old is None or _RANK[category] < _RANK[old[0]]:
            records[key] = (category, tuple(model.unresolved))
        for diagnostic in run_rules(model, codes, mode="static"):
            anchor = diagnostic.anchor
            findings.add((diagnostic.code, anchor.line, anchor.cell, diagnostic.message))
    return ([(site, line, cell, category, reasons) for (site, line, cell), (category, reasons) in records.items()],
            sorted(findings, key=str), None)


def _category(model) -> str:
    if model.unresolved:
        return "unresolved"
    partly = getattr(model, "partly_known", ())
    for category in ("no loss", "custom loss", "units from data"):
        if category in partly:
            return category
    return "resolved"


def _where(path: str, line: int, cell) -> str:
    return f"{path}:{f'cell {cell}:' if cell is not None else ''}{line}"


def measure(root: str, jobs: int, listing: bool) -> None:
    files = discover([root]).files
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(_measure, files, chunksize=8))
    elapsed = time.perf_counter() - start
    categories: Counter = Counter()
    loss_calls: Counter = Counter()  # resolved (True) / not (False)
    reasons: Counter = Counter()
    per_code: Counter = Counter()
    unresolved_sites, finding_lines, errors = [], [], []
    for path, (records, findings, error) in zip(files, results):
        if error:
            errors.append(f"{path}: {error}")
        for site, line, cell, category, why in records:
            if site != "compile":  # a loss called on a model's output (custom training loops)
                loss_calls[category == "resolved"] += 1
                continue
            categories[category] += 1
            if category == "unresolved":
                reasons[", ".join(why)] += 1
                unresolved_sites.append(f"{_where(path, line, cell)}: {', '.join(why)}")
        for code, line, cell, message in findings:
            per_code[code] += 1
            finding_lines.append(f"{_where(path, line, cell)}: {code} {message}")
    with_loss = sum(n for c, n in categories.items() if c != "no loss")
    total = with_loss + categories["no loss"]

    def share(n: int) -> str:
        return f"{100 * n / with_loss:.1f}%" if with_loss else "-"

    print(f"{root}: {len(files)} files, {total} compile() calls, {with_loss} with a loss "
          f"({categories['no loss']} without), {elapsed:.1f}s")
    for category in ("resolved", "units from data", "custom loss", "unresolved"):
        print(f"  {category:16} {categories[category]:5}  {share(categories[category])}")
    for reason, n in reasons.most_common():
        print(f"      {n:5}  {reason}")
    known = categories["resolved"] + categories["units from data"] + categories["custom loss"]
    print(f"  {'not unresolved':16} {known:5}  {share(known)}")
    print(f"  loss calls       {sum(loss_calls.values()):5}  ({loss_calls[True]} resolved)")
    print("  findings: " + (", ".join(f"{code} {n}" for code, n in sorted(per_code.items())) or "none"))
    if errors:
        print(f"  {len(errors)} files not analysed (LL900)")
    if listing:
        for line in finding_lines:
            print("  F " + line)
        for line in unresolved_sites:
            print("  U " + line)
        for line in errors:
            print("  E " + line)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("roots", nargs="+")
    parser.add_argument("--list", action="store_true", help="print every finding and unresolved compile()")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    for root in args.roots:
        measure(root, args.jobs, args.list)


if __name__ == "__main__":
    main(sys.argv[1:])

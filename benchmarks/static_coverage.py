"""How many `compile()` calls the static front end resolves (the LL901 share), per directory.

    PYTHONPATH=. python benchmarks/static_coverage.py fixtures/clean /path/to/site-packages/keras

Counts every model `compile(...)` the interpreter records (including compiles on models it
cannot see, e.g. loaded ones), the ones with every output and loss resolved, and the ones with
label facts attached at a `fit`.
"""

from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor

from losslint.static.discover import discover
from losslint.static.source import UnreadableSource, read_document


def _measure(path: str) -> tuple[int, int, int]:
    import libcst as cst

    from losslint.static.extract import extract_models

    try:
        document = read_document(path)
        if document is None:
            return 0, 0, 0
        module = cst.parse_module(document.text)
        models = extract_models(cst.MetadataWrapper(module, unsafe_skip_copy=True), path)
    except (UnreadableSource, cst.ParserSyntaxError, RecursionError):
        return 0, 0, 0
    by_anchor: dict = {}
    for model in models:  # a compile interpreted twice (helper called twice) counts once
        key = (model.ref.line, model.ref.col)
        resolved, labeled = not model.unresolved, any(o.labels for o in model.outputs)
        old = by_anchor.get(key, (False, False))
        by_anchor[key] = (old[0] or resolved, old[1] or labeled)
    return (len(by_anchor), sum(r for r, _ in by_anchor.values()), sum(l for _, l in by_anchor.values()))


def main(argv: list[str]) -> None:
    for root in argv:
        files = discover([root]).files
        with ProcessPoolExecutor() as pool:
            results = list(pool.map(_measure, files, chunksize=16))
        total = sum(r[0] for r in results)
        resolved = sum(r[1] for r in results)
        labeled = sum(r[2] for r in results)
        share = f"{100 * resolved / total:.0f}%" if total else "-"
        print(f"{root}: {total} compile() calls, {resolved} resolved ({share}), {labeled} with label facts")


if __name__ == "__main__":
    main(sys.argv[1:])

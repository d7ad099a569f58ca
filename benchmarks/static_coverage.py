"""How many loss sites the static front end resolves (the LL901 share), per directory: `compile()`
calls, and losses called on a model's output in training code (loss calls).

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


def _measure(path: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """(compiles, resolved, labeled) and the same for loss calls."""
    import libcst as cst

    from losslint.static.extract import extract_models

    try:
        document = read_document(path)
        if document is None:
            return 0, 0, 0
        module = cst.parse_module(document.text)
        models = extract_models(cst.MetadataWrapper(module, unsafe_skip_copy=True), path)
    except (UnreadableSource, cst.ParserSyntaxError, RecursionError):
        return (0, 0, 0), (0, 0, 0)
    return _count(m for m in models if m.site == "compile"), _count(m for m in models if m.site == "loss-call")


def _count(models) -> tuple[int, int, int]:
    by_anchor: dict = {}
    for model in models:  # a site interpreted twice (helper called twice) counts once
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
        for index, kind in enumerate(("compile() calls", "loss calls")):
            total = sum(r[index][0] for r in results)
            resolved = sum(r[index][1] for r in results)
            labeled = sum(r[index][2] for r in results)
            share = f"{100 * resolved / total:.0f}%" if total else "-"
            print(f"{root}: {total} {kind}, {resolved} resolved ({share}), {labeled} with label facts")


if __name__ == "__main__":
    main(sys.argv[1:])

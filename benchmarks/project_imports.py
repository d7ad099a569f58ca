"""What following imports between a project's own modules adds, per directory.

    PYTHONPATH=. python benchmarks/project_imports.py DIR [DIR ...]

Each DIR is checked twice, as `losslint check DIR` would (each DIR is the checked root): once
file by file (imports of project modules unknown) and once project-wide (`static/engine/project.py`).
Printed per DIR: `compile()` calls that pass a loss, how many are resolved each way (every
output's activation and units and the loss known), the compiles only the project-wide run
resolves, findings per code each way, and the wall time of both runs. With `--list`, the
compiles resolved only thanks to imports are listed (file:line), to judge them by reading.
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

from losslint.static.discover import discover

_LOSS_ARGUMENT = re.compile(r"\bloss\s*=|\.compile\(\s*[^,()=]+,\s*[^,()=]+")


def _measure(job: tuple[str, object]) -> tuple[dict, list]:
    """(compile anchor → resolved, codes found) of one file; `scope` None: file by file."""
    path, scope = job
    import libcst as cst

    from losslint.registry import run_rules, select_codes
    from losslint.static.extract import extract_models
    from losslint.static.engine.project import ProjectContext, localize
    from losslint.static.source import UnreadableSource, document_from_bytes, read_source

    try:
        data = read_source(path)
        document = document_from_bytes(path, data, scope is not None) if data is not None else None
        if document is None or "compile" not in document.text:
            return {}, []
        module = cst.parse_module(document.text)
        context = ProjectContext(scope, path) if scope is not None else None
        models = extract_models(cst.MetadataWrapper(module, unsafe_skip_copy=True), path, context)
    except (UnreadableSource, cst.ParserSyntaxError, RecursionError):
        return {}, []
    lines = document.text.splitlines()
    compiles: dict = {}
    codes = select_codes()
    found: set = set()
    for model in models:
        ref = model.ref
        text = "\n".join(lines[ref.line - 1:ref.end_line])
        if not _LOSS_ARGUMENT.search(text):
            continue  # a compile() without a loss: nothing to resolve
        key = f"{path}:{ref.line}"
        compiles[key] = compiles.get(key, False) or not model.unresolved
        diagnostics = run_rules(model, codes, mode="static")
        if context is not None:
            diagnostics = list(localize(diagnostics, path, model.ref))
        found |= {(d.code, d.anchor) for d in diagnostics}  # one finding per code and anchor
    return compiles, [code for code, _ in found]


def _run(files: list[str], scope) -> tuple[dict, Counter, float]:
    start = time.perf_counter()
    with ProcessPoolExecutor() as pool:
        results = list(pool.map(_measure, [(f, scope) for f in files], chunksize=4))
    elapsed = time.perf_counter() - start
    compiles: dict = {}
    codes: Counter = Counter()
    for found, file_codes in results:
        compiles.update(found)
        codes.update(file_codes)
    return compiles, codes, elapsed


def main(argv: list[str]) -> None:
    from losslint.static.engine.project import ProjectScope

    listing = "--list" in argv
    for root in [a for a in argv if a != "--list"]:
        files = discover([root]).files
        alone, alone_codes, alone_time = _run(files, None)
        project, project_codes, project_time = _run(files, ProjectScope.of_paths([root]))
        gained = sorted(k for k, resolved in project.items() if resolved and not alone.get(k))
        lost = sorted(k for k, resolved in alone.items() if resolved and not project.get(k))
        total = len(set(alone) | set(project))
        print(f"{root}: {len(files)} files, {total} compile() calls with a loss; resolved file by file "
              f"{sum(alone.values())}, project-wide {sum(project.values())} (+{len(gained)} thanks to imports"
              f"{f', -{len(lost)}' if lost else ''}); compiles seen only project-wide: "
              f"{len(set(project) - set(alone))}")
        print(f"  findings file by file: {dict(sorted(alone_codes.items())) or '{}'}; "
              f"project-wide: {dict(sorted(project_codes.items())) or '{}'}")
        print(f"  time: file by file {alone_time:.1f}s, project-wide {project_time:.1f}s "
              f"({project_time / alone_time:.2f}x)" if alone_time else "")
        if listing:
            for key in gained:
                print(f"    resolved thanks to imports: {key}")
            for key in lost:
                print(f"    resolved only file by file: {key}")


if __name__ == "__main__":
    main(sys.argv[1:])

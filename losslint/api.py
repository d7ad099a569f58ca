"""Library entry points: lint source text or paths and get `Diagnostic`s back. Never prints."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Iterable, Sequence

from .diagnostics import Diagnostic, Fix, Related, SourceRef
from .facts import ModelFacts
from .registry import all_rules, run_rules, select_codes

UNREADABLE = "LL900"


def default_codes() -> frozenset[str]:
    return select_codes()


def lint_source(source: str, path: str = "<string>", codes: Iterable[str] | None = None) -> list[Diagnostic]:
    """Lint one Python source text."""
    from .static.source import Document, mentions_framework

    codes = frozenset(codes) if codes is not None else default_codes()
    if not mentions_framework(source):
        return []
    return _check_document(Document(path, source), codes).diagnostics


@dataclass
class FileResult:
    """What linting produced: the findings kept and those silenced by `# noqa`."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    suppressed: list[Diagnostic] = field(default_factory=list)
    fixes: dict[Diagnostic, Fix] = field(default_factory=dict)  # realised fixes (`check_file` only)


def lint_file(path: str, codes: frozenset[str]) -> list[Diagnostic]:
    """Lint one file (`.py` or `.ipynb`); an unreadable or unparseable file gives a single LL900."""
    return check_file(path, codes).diagnostics


def check_file(path: str, codes: frozenset[str], cache=None) -> FileResult:
    """`lint_file`, also returning the findings suppressed by `# noqa`; `cache` is a `cache.Cache`."""
    from .static.source import UnreadableSource, needs_analysis, read_source

    try:
        data = read_source(path)
    except UnreadableSource as error:
        return FileResult([unreadable(path, str(error))] if UNREADABLE in codes else [])
    if data is None or not needs_analysis(path, data):
        return FileResult()  # the prefilter: costs a read, never a cache entry
    if cache is None:
        return check_bytes(data, path, codes, realise=True)
    key = cache.key(path, codes, data)
    hit = cache.get(key)
    if hit is not None:
        return hit
    result = check_bytes(data, path, codes, realise=True)
    cache.put(key, result)
    return result


def check_bytes(data: bytes, path: str, codes: frozenset[str], realise: bool = False) -> FileResult:
    """Lint content given in memory (standard input) as if it were the file `path`. With `realise`,
    also realise the fixes of the findings (done here, in the worker processes, and cached,
    rather than serially by the CLI)."""
    from .static.source import UnreadableSource, document_from_bytes

    try:
        document = document_from_bytes(path, data)
        if document is None:
            return FileResult()
        result = _check_document(document, codes)
        if realise and any(d.fixes for d in result.diagnostics):
            from .static.fixer import fixes_for_check

            result.fixes = fixes_for_check(path, data, result.diagnostics)
        return result
    except UnreadableSource as error:
        return FileResult([unreadable(path, str(error), line=error.line)] if UNREADABLE in codes else [])
    except MemoryError:
        return FileResult([unreadable(path, "out of memory while analysing this file")] if UNREADABLE in codes else [])


def check_paths(paths: Sequence[str], codes: frozenset[str] | Sequence[frozenset[str]],
                jobs: int | None = None, cache=None) -> FileResult:
    """Lint files in parallel; `codes` is one set for all files or one set per file. Sorted.
    `cache` (a `cache.Cache`) reuses the results of files whose content has not changed."""
    files = list(paths)
    per_file = [codes] * len(files) if isinstance(codes, (set, frozenset)) else list(codes)
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(files) < 8:
        results = [check_file(p, c, cache) for p, c in zip(files, per_file)]
    else:
        results = _in_processes(files, per_file, cache, jobs)
    return FileResult(sorted((d for r in results for d in r.diagnostics), key=lambda d: d.sort_key),
                      sorted((d for r in results for d in r.suppressed), key=lambda d: d.sort_key),
                      {d: f for r in results for d, f in r.fixes.items()})


def _in_processes(files: list[str], per_file: list[frozenset[str]], cache, jobs: int) -> list[FileResult]:
    """`check_file` over a process pool. A file that kills its worker (a crash in native code,
    the out-of-memory killer) gets an LL900 and the other files are still linted: after a crash,
    the files without a result are redone one at a time to find the culprit."""
    from concurrent.futures.process import BrokenProcessPool

    results: list[FileResult | None] = [None] * len(files)
    caches = [cache] * len(files)
    try:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            chunk = max(1, len(files) // (jobs * 8))
            for i, result in enumerate(pool.map(check_file, files, per_file, caches, chunksize=chunk)):
                results[i] = result
    except BrokenProcessPool:
        pass
    todo = [i for i, result in enumerate(results) if result is None]
    while todo:
        with ProcessPoolExecutor(max_workers=1) as pool:
            futures = [pool.submit(check_file, files[i], per_file[i], cache) for i in todo]
            try:
                for i, future in zip(todo, futures):
                    results[i] = future.result()
            except BrokenProcessPool:
                culprit = next(i for i in todo if results[i] is None)
                results[culprit] = FileResult([unreadable(files[culprit], "the analyzer crashed on this file "
                                                          "(its worker process died); please report it")]
                                              if UNREADABLE in per_file[culprit] else [])
        todo = [i for i in todo if results[i] is None]
    return results


def _check_document(document, codes: frozenset[str]) -> FileResult:
    import libcst as cst

    from .static import suppress

    from .static.extract import extract_models
    from .static.source import mentions_torch
    from .static.torch import extract_loss_sites

    too_deep = _nested_too_deeply(document.text)
    if too_deep:
        return FileResult([unreadable(document.path, f"cannot parse: {too_deep}")] if UNREADABLE in codes else [])
    try:
        module = cst.parse_module(document.text)
    except cst.ParserSyntaxError as error:
        message = f"cannot parse: {error.message}"
        located = _locate(unreadable(document.path, message, line=error.raw_line, col=error.raw_column), document)
        return FileResult([located] if UNREADABLE in codes else [])
    except RecursionError:
        return FileResult([unreadable(document.path, "cannot parse: expression nested too deeply")]
                          if UNREADABLE in codes else [])
    keras, torch = "compile" in document.text, mentions_torch(document.text)
    if not (keras or torch):
        return FileResult()  # parsed (a syntax error is still an LL900), but no compile(): no model to check
    try:
        wrapper = cst.MetadataWrapper(module, unsafe_skip_copy=True)
        models = extract_models(wrapper, document.path) if keras else []
        if torch:
            models += extract_loss_sites(wrapper, document.path)
    except RecursionError:
        return FileResult([unreadable(document.path, "cannot analyse: expression nested too deeply")]
                          if UNREADABLE in codes else [])
    if getattr(document, "cells", None) is not None:  # notebook: rules see cell positions
        models = [_map_refs(model, document.locate) for model in models]
    diagnostics = _unique(d for model in models for d in run_rules(model, codes, mode="static"))
    kept, suppressed = suppress.split(diagnostics, document.text, line_of=getattr(document, "virtual_line", None))
    return FileResult([_locate(d, document) for d in kept], [_locate(d, document) for d in suppressed])


def _nested_too_deeply(text: str) -> str | None:
    """Why CPython itself would refuse `text` for nesting, else None.

    libcst's native parser overflows its stack (a segfault, not an exception) on nesting CPython
    rejects (~2000 parentheses, a 100k-term `1+1+…`), so CPython's parser, about 6 % of the cost
    of libcst's, guards it. Other syntax errors are left to libcst: it knows newer syntax than
    the running interpreter may.
    """
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. SyntaxWarning "'int' object is not callable"
            ast.parse(text)
    except (RecursionError, MemoryError):  # CPython's own guards for deep expressions
        return "expression nested too deeply"
    except SyntaxError as error:
        if "too many" in str(error.msg):  # nested parentheses, indentation levels, nested blocks
            return f"{error.msg} (line {error.lineno})"
    except ValueError:  # e.g. NUL bytes (already reported as binary)
        pass
    return None


def models_in_source(source: str, path: str = "<string>") -> list[ModelFacts]:
    """The facts the static front end extracts (for tests and tooling)."""
    import libcst as cst

    from .static.extract import extract_models
    from .static.source import mentions_torch
    from .static.torch import extract_loss_sites

    wrapper = cst.MetadataWrapper(cst.parse_module(source))
    models = extract_models(wrapper, path)
    return models + extract_loss_sites(wrapper, path) if mentions_torch(source) else models


def lint_paths(paths: Sequence[str], codes: Iterable[str] | None = None, jobs: int | None = None) -> list[Diagnostic]:
    """Lint files (already discovered) in parallel; results come back sorted."""
    codes = frozenset(codes) if codes is not None else default_codes()
    return check_paths(paths, codes, jobs).diagnostics


def unreadable(path: str, reason: str, line: int = 1, col: int = 0) -> Diagnostic:
    rule = all_rules()[UNREADABLE]
    return Diagnostic(UNREADABLE, rule.name, reason, "fix the file or exclude it from the run",
                      SourceRef(path, max(line, 1), max(col, 0), max(line, 1), max(col, 0)), filename=path)


def _unique(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """One finding per code and anchor (a loss shared by several outputs is reported once)."""
    seen: dict[tuple, Diagnostic] = {}
    for d in diagnostics:
        seen.setdefault((d.code, d.anchor), d)
    return list(seen.values())


def _map_refs(value, locate):
    """A copy of a facts tree with every SourceRef mapped through `locate`."""
    if isinstance(value, SourceRef):
        return locate(value)
    if isinstance(value, tuple):
        return tuple(_map_refs(item, locate) for item in value)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _map_refs(getattr(value, f.name), locate) for f in fields(value) if f.init}
        return replace(value, **changes)
    return value


def _locate(diagnostic: Diagnostic, document) -> Diagnostic:
    anchor = document.locate(diagnostic.anchor)
    related = tuple(Related(r.message, document.locate(r.ref)) for r in diagnostic.related)
    fixes = tuple(replace(f, target=document.locate(f.target)) for f in diagnostic.fixes)
    return replace(diagnostic, anchor=anchor, related=related, fixes=fixes)

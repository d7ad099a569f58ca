"""Library entry points: lint source text or paths and get `Diagnostic`s back. Never prints."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from typing import Iterable, Sequence

from .diagnostics import Diagnostic, Related, SourceRef
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
    return _lint_document(Document(path, source), codes)


def lint_file(path: str, codes: frozenset[str]) -> list[Diagnostic]:
    """Lint one file; an unreadable or unparseable file gives a single LL900."""
    from .static.source import UnreadableSource, read_document

    try:
        document = read_document(path)
    except UnreadableSource as error:
        return [unreadable(path, str(error))] if UNREADABLE in codes else []
    if document is None:
        return []
    return _lint_document(document, codes)


def _lint_document(document, codes: frozenset[str]) -> list[Diagnostic]:
    import libcst as cst

    from .static.extract import extract_models

    try:
        module = cst.parse_module(document.text)
    except cst.ParserSyntaxError as error:
        message = f"cannot parse: {error.message}"
        return [unreadable(document.path, message, line=error.raw_line, col=error.raw_column)] \
            if UNREADABLE in codes else []
    except RecursionError:
        return [unreadable(document.path, "cannot parse: expression nested too deeply")] \
            if UNREADABLE in codes else []
    try:
        models = extract_models(cst.MetadataWrapper(module, unsafe_skip_copy=True), document.path)
    except RecursionError:
        return [unreadable(document.path, "cannot analyse: expression nested too deeply")] \
            if UNREADABLE in codes else []
    diagnostics = _unique(d for model in models for d in run_rules(model, codes, mode="static"))
    return [_locate(d, document) for d in diagnostics]


def models_in_source(source: str, path: str = "<string>") -> list[ModelFacts]:
    """The facts the static front end extracts (for tests and tooling)."""
    import libcst as cst

    from .static.extract import extract_models

    return extract_models(cst.MetadataWrapper(cst.parse_module(source)), path)


def lint_paths(paths: Sequence[str], codes: Iterable[str] | None = None, jobs: int | None = None) -> list[Diagnostic]:
    """Lint files (already discovered) in parallel; results come back sorted."""
    codes = frozenset(codes) if codes is not None else default_codes()
    jobs = jobs or os.cpu_count() or 1
    files = list(paths)
    if jobs <= 1 or len(files) < 8:
        results = [lint_file(p, codes) for p in files]
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(lint_file, files, [codes] * len(files), chunksize=max(1, len(files) // (jobs * 8))))
    return sorted((d for result in results for d in result), key=lambda d: d.sort_key)


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


def _locate(diagnostic: Diagnostic, document) -> Diagnostic:
    anchor = document.locate(diagnostic.anchor)
    related = tuple(Related(r.message, document.locate(r.ref)) for r in diagnostic.related)
    fixes = tuple(replace(f, target=document.locate(f.target)) for f in diagnostic.fixes)
    return replace(diagnostic, anchor=anchor, related=related, fixes=fixes)

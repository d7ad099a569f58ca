"""Library entry points: lint source text or paths and get `Diagnostic`s back. Never prints."""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Iterable, Sequence

from .diagnostics import Diagnostic
from .facts import ModelFacts
from .registry import select_codes
from .static.check import UNREADABLE, FileResult, check_document, unreadable

__all__ = ["FileResult", "UNREADABLE", "check_bytes", "check_file", "check_paths", "default_codes", "lint_file",
           "lint_paths", "lint_source", "models_in_source", "unreadable"]

#: Lints one decoded document: (findings, parsed module). A module attribute, looked up at each
#: call, so a test can instrument it (e.g. make one file crash its worker process).
_check_document = check_document


def default_codes() -> frozenset[str]:
    return select_codes()


def lint_source(source: str, path: str = "<string>", codes: Iterable[str] | None = None) -> list[Diagnostic]:
    """Lint one Python source text."""
    from .static.source import Document, mentions_framework

    codes = frozenset(codes) if codes is not None else default_codes()
    if not mentions_framework(source):
        return []
    return _check_document(Document(path, source), codes)[0].diagnostics


def lint_file(path: str, codes: frozenset[str]) -> list[Diagnostic]:
    """Lint one file (`.py` or `.ipynb`); an unreadable or unparseable file gives a single LL900."""
    return check_file(path, codes).diagnostics


def check_file(path: str, codes: frozenset[str], cache=None, project=None) -> FileResult:
    """`lint_file`, also returning the findings suppressed by `# noqa`; `cache` is a `cache.Cache`;
    `project` (a `static.project.ProjectScope`) follows imports of the project's own modules."""
    from .static.source import UnreadableSource, needs_analysis, read_source

    try:
        data = read_source(path)
    except UnreadableSource as error:
        return FileResult([unreadable(path, str(error))] if UNREADABLE in codes else [])
    if data is None or not needs_analysis(path, data, project is not None):
        return FileResult()  # the prefilter: costs a read, never a cache entry
    if cache is None:
        return check_bytes(data, path, codes, realise=True, project=project)
    key = cache.key(path, codes, data, project)
    lookup = key if project is None else cache.dependent_key(key)  # also keyed on the modules it imports
    hit = cache.get(lookup) if lookup is not None else None
    if hit is not None:
        return hit
    result = check_bytes(data, path, codes, realise=True, project=project)
    if project is not None:
        key = cache.put_dependencies(key, result.dependencies)
    cache.put(key, result)
    return result


def check_bytes(data: bytes, path: str, codes: frozenset[str], realise: bool = False, project=None) -> FileResult:
    """Lint content given in memory (standard input) as if it were the file `path`. With `realise`,
    also realise the fixes of the findings (done here, in the worker processes, and cached,
    rather than serially by the CLI), from the module parsed for linting. `project` (a
    `static.project.ProjectScope`) follows imports of the project's own modules."""
    from .static import check

    result, parsed = check.check_bytes(data, path, codes, analyse=_check_document, project=project)
    if realise and any(d.fixes for d in result.diagnostics):
        from .static.fixer import fixes_for_check

        result.fixes = fixes_for_check(path, data, result.diagnostics, parsed)
    return result


def check_paths(paths: Sequence[str], codes: frozenset[str] | Sequence[frozenset[str]],
                jobs: int | None = None, cache=None, project=None, progress=None) -> FileResult:
    """Lint files in parallel; `codes` is one set for all files or one set per file. Sorted.
    `cache` (a `cache.Cache`) reuses the results of files whose content has not changed;
    `project` (a `static.project.ProjectScope`) follows imports between the project's modules;
    `progress(done, total)` is called as files are done."""
    if project is not None:
        from .static.engine.project import new_run

        new_run()
    files = list(paths)
    per_file = [codes] * len(files) if isinstance(codes, (set, frozenset)) else list(codes)
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(files) < 8:
        results = []
        with fewer_collections():
            for path, file_codes in zip(files, per_file):
                results.append(check_file(path, file_codes, cache, project))
                if progress is not None:
                    progress(len(results), len(files))
    else:
        results = _in_processes(files, per_file, cache, jobs, project, progress)
    return FileResult(sorted((d for r in results for d in r.diagnostics), key=lambda d: d.sort_key),
                      sorted((d for r in results for d in r.suppressed), key=lambda d: d.sort_key),
                      {d: f for r in results for d, f in r.fixes.items()})


def _in_processes(files: list[str], per_file: list[frozenset[str]], cache, jobs: int,
                  project=None, progress=None) -> list[FileResult]:
    """`check_file` over a process pool. A file that kills its worker (a crash in native code,
    the out-of-memory killer) gets an LL900 and the other files are still linted: after a crash,
    the files without a result are redone one at a time to find the culprit."""
    from concurrent.futures.process import BrokenProcessPool

    results: list[FileResult | None] = [None] * len(files)
    caches, projects = [cache] * len(files), [project] * len(files)
    # largest files first, in small chunks: no worker is left with a big file while the others idle
    order = sorted(range(len(files)), key=lambda i: -_size(files[i]))
    try:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(os.getpid(),)) as pool:
            chunk = max(1, len(files) // (jobs * 16))
            done = pool.map(check_file, [files[i] for i in order], [per_file[i] for i in order], caches, projects,
                            chunksize=chunk)
            for count, (i, result) in enumerate(zip(order, done), 1):
                results[i] = result
                if progress is not None:
                    progress(count, len(files))
    except BrokenProcessPool:
        pass
    todo = [i for i, result in enumerate(results) if result is None]
    while todo:
        with ProcessPoolExecutor(max_workers=1, initializer=_start_worker, initargs=(os.getpid(),)) as pool:
            futures = [pool.submit(check_file, files[i], per_file[i], cache, project) for i in todo]
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


#: The cyclic garbage collector's youngest-generation threshold while linting (CPython's default: 700).
#: libcst allocates about a million objects per MB of source, nearly all freed by reference counting
#: when their file is done; at the default, the collector walks each file's live tree several times
#: over (a quarter of a cold run's time). Collections still run, so memory stays bounded (measured
#: peak: +30 MB on 150 files).
LINT_GC_THRESHOLD = (50_000, 20, 100)
_gc_lock = threading.Lock()
_gc_users = 0  # check_paths calls running now (threads, nesting)
_gc_saved = gc.get_threshold()


@contextlib.contextmanager
def fewer_collections():
    """While linting: objects alive before are frozen (never walked by the collector) and the
    collector runs less often (`LINT_GC_THRESHOLD`); both undone afterwards. Re-entrant."""
    global _gc_users, _gc_saved
    with _gc_lock:
        _gc_users += 1
        if _gc_users == 1:
            _gc_saved = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(*LINT_GC_THRESHOLD)
    try:
        yield
    finally:
        with _gc_lock:
            _gc_users -= 1
            if _gc_users == 0:
                gc.set_threshold(*_gc_saved)
                gc.unfreeze()


def _start_worker(parent: int | None = None) -> None:
    """A worker process lints and nothing else: what it holds now is frozen for good (the
    analyzer's modules are imported on first use: a run answered from the cache never needs them).
    It ends with `parent`, the process that started the pool, however that one ends (killed by a
    pre-commit or CI timeout, an editor cancelling a run): nothing else would stop it, since it
    holds its own copy of the pipe it waits for work on."""
    gc.freeze()
    gc.set_threshold(*LINT_GC_THRESHOLD)
    if parent is not None:
        _end_with_parent(parent)


def _end_with_parent(parent: int) -> None:
    """Linux: the kernel sends SIGTERM when the parent ends (`PR_SET_PDEATHSIG`); elsewhere, and
    for a parent that ended before that was set, a daemon thread sees the process re-parented."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # 1: PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)  # it ended already
    if sys.platform != "win32":  # (a Windows process is never re-parented)
        threading.Thread(target=_watch_parent, args=(parent,), name="losslint-parent-watch", daemon=True).start()


def _watch_parent(parent: int, interval: float = 0.5) -> None:
    while os.getppid() == parent:
        time.sleep(interval)
    os._exit(1)


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def models_in_source(source: str, path: str = "<string>") -> list[ModelFacts]:
    """The facts the static front end extracts (for tests and tooling)."""
    import libcst as cst

    from .static.check import cpython_parse, map_refs
    from .static.extract import extract_models
    from .static.node_positions import ParsedModule, realised

    parsed = ParsedModule(cst.parse_module(source), source, cpython_parse(source)[0])
    models = extract_models(parsed, path)
    return [map_refs(model, realised) for model in models]


def lint_paths(paths: Sequence[str], codes: Iterable[str] | None = None, jobs: int | None = None) -> list[Diagnostic]:
    """Lint files (already discovered) in parallel; results come back sorted."""
    codes = frozenset(codes) if codes is not None else default_codes()
    return check_paths(paths, codes, jobs).diagnostics

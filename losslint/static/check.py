"""One document through the static analyzer: parse once, interpret, run the rules, honour `# noqa`.

The layer under `api` (which adds files, caching, processes and realised fixes) and under
`fixer` (whose re-lint after applying fixes calls down into `check_bytes` here). Never prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Iterable

from ..diagnostics import Diagnostic, Fix, Related, SourceRef
from ..registry import all_rules, run_rules
from .source import UnreadableSource, document_from_bytes

UNREADABLE = "LL900"


@dataclass
class FileResult:
    """What linting produced: the findings kept and those silenced by `# noqa`."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    suppressed: list[Diagnostic] = field(default_factory=list)
    fixes: dict[Diagnostic, Fix] = field(default_factory=dict)  # realised fixes (`api.check_file` only)
    dependencies: dict[str, str] = field(default_factory=dict)  # project files read: path → fingerprint


def check_bytes(data: bytes, path: str, codes: frozenset[str], analyse=None, project=None):
    """(findings, parsed module or None) of content given in memory as if it were the file `path`.
    `analyse` replaces `check_document` (the api passes its own, so it can be instrumented);
    `project` (a `project.ProjectScope`) follows imports of the project's own modules."""
    try:
        document = document_from_bytes(path, data, project is not None)
        if document is None:
            return FileResult(), None
        if project is None:
            return (analyse or check_document)(document, codes)
        return (analyse or check_document)(document, codes, project)
    except UnreadableSource as error:
        return FileResult([unreadable(path, str(error), line=error.line)] if UNREADABLE in codes else []), None
    except MemoryError:
        return FileResult([unreadable(path, "out of memory while analysing this file")]
                          if UNREADABLE in codes else []), None


# a file none of these words appear in has no loss site (compile() or a loss call)
_LOSS_WORDS = ("compile", "loss", "Loss", "cross_entropy")
_LIBRARY_WORDS = ("transformers", "optax", "flax")


def check_document(document, codes: frozenset[str], project=None):
    """(the findings, the parsed module or None). The parsed module (a `ParsedModule`, which
    carries its text) is what realising fixes starts from, so a file is never parsed twice.
    `project` (a `project.ProjectScope`) follows imports of the project's own modules."""
    from . import suppress
    from .extract import extract_models
    from .source import mentions_torch

    keras, torch = any(word in document.text for word in _LOSS_WORDS), mentions_torch(document.text)
    torch = torch or any(word in document.text for word in _LIBRARY_WORDS)  # transformers, optax, flax
    if not (keras or torch) and not suppress.unused(document.text, (), codes, document.path) \
            and cpython_parse(document.text)[0] is not None:
        # no loss anywhere: nothing to check but that it parses, and CPython's parser (a few
        # percent of libcst's cost; a quarter of a project's code is such files) says it does
        return FileResult(), None
    parsed = parse_document(document)
    if isinstance(parsed, Diagnostic):
        return FileResult([parsed] if UNREADABLE in codes else []), None
    if not (keras or torch):  # parsed (a syntax error is still an LL900), but no loss anywhere: nothing to check
        stale = suppress.unused(document.text, (), codes, document.path)  # but a `# noqa: LL…` has nothing to silence
        return FileResult([locate(d, document) for d in stale]), parsed
    context = _project_context(project, document.path)
    try:
        models = extract_models(parsed, document.path, context)
    except RecursionError:
        return FileResult([unreadable(document.path, "cannot analyse: expression nested too deeply")]
                          if UNREADABLE in codes else []), parsed
    if getattr(document, "cells", None) is not None:  # notebook: rules see cell positions
        models = [map_refs(model, _in_cells(document)) for model in models]
    per_model = [list(_in_file(run_rules(model, codes, mode="static"), model, document.path, context))
                 for model in models]
    diagnostics = _unique(d for found in _agreed_activation_fixes(models, per_model) for d in found)
    kept, suppressed = suppress.split(diagnostics, document.text, line_of=getattr(document, "virtual_line", None))
    kept += suppress.unused(document.text, suppressed, codes, document.path,
                            line_of=getattr(document, "virtual_line", None))  # LL903, when selected
    return FileResult([locate(d, document) for d in kept], [locate(d, document) for d in suppressed],
                      dependencies=context.dependencies if context is not None else {}), parsed


def _agreed_activation_fixes(models: list, per_model: list[list[Diagnostic]]) -> list[list[Diagnostic]]:
    """A model compiled more than once (fine-tuning, a second loss) shares its output layer: an
    activation fix is kept only when every compile of that layer asks for the same activation."""
    if not any(f.kind == "set-activation" for found in per_model for d in found for f in d.fixes):
        return per_model  # nothing to agree on (and no output's position is computed for it)
    wanted: dict[SourceRef, list[set]] = {}
    for model, found in zip(models, per_model):
        asked = {(f.target, f.value) for d in found for f in d.fixes if f.kind == "set-activation"}
        for output in model.outputs:
            wanted.setdefault(output.activation_ref, []).append({v for t, v in asked if t == output.activation_ref})
    disputed = {ref for ref, asks in wanted.items()
                if len(asks) > 1 and (len(asks[0]) != 1 or any(a != asks[0] for a in asks))}
    if not disputed:
        return per_model
    return [[replace(d, fixes=tuple(f for f in d.fixes if not (f.kind == "set-activation" and f.target in disputed)))
             for d in found] for found in per_model]


def _syntax_error_position(text: str) -> tuple[int, int] | None:
    """(line, column) where CPython's parser stops on `text`: the line at fault, where libcst
    names the token after it (often the next line, or the next notebook cell) and places
    tokenizer errors on line 1. None when CPython accepts `text` (syntax newer than libcst's)."""
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except SyntaxError as error:
        if error.lineno:
            return error.lineno, max((error.offset or 1) - 1, 0)
    except (ValueError, RecursionError, MemoryError):
        pass
    return None


def _project_context(project, path: str):
    """What the interpreter consults for names imported from the project's own modules."""
    if project is None:
        return None
    from .engine.project import ProjectContext

    return ProjectContext(project, path)


def _in_file(diagnostics, model, path: str, context):
    """Findings of one model, anchored in the checked file (facts may come from imported modules)."""
    if context is None:
        return diagnostics
    from .engine.project import localize

    return localize(diagnostics, path, model.ref)


def parse_document(document):
    """The document's text parsed (a `node_positions.ParsedModule`), or the LL900 saying why not."""
    import libcst as cst

    from .cst_parse import parse_module
    from .node_positions import ParsedModule

    tree, too_deep = cpython_parse(document.text)
    if too_deep:
        return unreadable(document.path, f"cannot parse: {too_deep}")
    try:
        module = parse_module(document.text)
    except cst.ParserSyntaxError as error:
        untabbed = _tabs_expanded_in_indentation(document.text) if tree is not None else None
        if untabbed is not None:  # valid Python (CPython parsed it) that libcst's tokenizer refuses
            try:
                return ParsedModule(parse_module(untabbed), untabbed, tree)
            except cst.ParserSyntaxError:
                pass
        message = "cannot parse: " + re.sub(r"^(parser error: )error at \d+:\d+: ", r"\1", error.message)
        line, col = _syntax_error_position(document.text) or (error.raw_line, error.raw_column)
        return locate(unreadable(document.path, message, line=line, col=col), document)
    except RecursionError:
        return unreadable(document.path, "cannot parse: expression nested too deeply")
    return ParsedModule(module, document.text, tree)


def _tabs_expanded_in_indentation(text: str) -> str | None:
    """`text` with tabs in each line's indentation expanded to CPython's tab stops (8), or None when
    no indentation has a tab. libcst's tokenizer rejects some indentation mixing tabs and spaces that
    CPython accepts (`" \t"` then nine spaces); lines keep their numbers, only the columns of code
    after a tab move."""
    lines = text.splitlines(keepends=True)
    expanded = [_expand_indentation(line) for line in lines]
    return "".join(expanded) if expanded != lines else None


def _expand_indentation(line: str) -> str:
    body = line.lstrip(" \t")
    indentation = line[: len(line) - len(body)]
    return indentation.expandtabs(8) + body if "\t" in indentation else line


def cpython_parse(text: str):
    """(CPython's `ast` of `text` or None, why CPython itself would refuse `text` for nesting or None).

    libcst's native parser overflows its stack (a segfault, not an exception) on nesting CPython
    rejects (~2000 parentheses, a 100k-term `1+1+…`), so CPython's parser, about 6 % of the cost
    of libcst's, guards it; its tree also gives the line of each top-level statement, for the
    positions computed on demand (`node_positions`). Other syntax errors are left to libcst: it
    knows newer syntax than the running interpreter may.
    """
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. SyntaxWarning "'int' object is not callable"
            return ast.parse(text), None
    except (RecursionError, MemoryError):  # CPython's own guards for deep expressions
        return None, "expression nested too deeply"
    except SyntaxError as error:
        if "too many" in str(error.msg):  # nested parentheses, indentation levels, nested blocks
            return None, f"{error.msg} (line {error.lineno})"
    except ValueError:  # e.g. NUL bytes (already reported as binary)
        pass
    return None, None


def _in_cells(document):
    from .node_positions import LazySourceRef

    def locate(ref: SourceRef) -> SourceRef:
        return ref.mapped(document.locate) if isinstance(ref, LazySourceRef) else document.locate(ref)

    return locate


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


def map_refs(value, locate):
    """A copy of a facts tree with every SourceRef mapped through `locate`."""
    if isinstance(value, SourceRef):
        return locate(value)
    if isinstance(value, tuple):
        return tuple(map_refs(item, locate) for item in value)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: map_refs(getattr(value, f.name), locate) for f in fields(value) if f.init}
        return replace(value, **changes)
    return value


def locate(diagnostic: Diagnostic, document) -> Diagnostic:
    """The finding as reported: positions realised (only now, for what is reported) and in the file."""
    from .node_positions import realised

    def place(ref: SourceRef) -> SourceRef:
        return document.locate(realised(ref))

    anchor = place(diagnostic.anchor)
    related = tuple(Related(r.message, place(r.ref)) for r in diagnostic.related)
    fixes = tuple(replace(f, target=place(f.target),
                          together=tuple(replace(t, target=place(t.target)) for t in f.together))
                  for f in diagnostic.fixes)
    return replace(diagnostic, anchor=anchor, related=related, fixes=fixes)

"""Where nodes of a parsed module are, computed only for the nodes whose position is read.

libcst's `PositionProvider` generates the code of the whole module to position every node; the
analyzer asks for the positions of many nodes (every value it tracks carries a `SourceRef`) but
reads few of them (a finding's anchor and related spans, a handful of comparisons). So
`NodePositions.ref(node)` gives a `LazySourceRef`, which is realised on first read by generating
the code of just the top-level statement that holds the node, starting at that statement's line
(found through CPython's `ast` of the same text, which the parser guard has already built). The
generated code is checked against the source text at that line; if they ever disagree (or no
`ast` is at hand) the whole module is positioned at once, as libcst would. The positions are
libcst's own (`PositionProvider` semantics: syntactic start and end, 1-based line, 0-based column).
"""

from __future__ import annotations

import ast
import re

import libcst as cst
from libcst._nodes.internal import CodegenState

from ..diagnostics import SourceRef
from .names import ModuleIndex

_NEWLINE = re.compile(r"\r\n?|\n")


class ParsedModule(cst.MetadataWrapper):
    """A parsed module with the text it was parsed from and, when CPython could parse it too,
    its `ast` (for the line each top-level statement starts on)."""

    def __init__(self, module: cst.Module, text: str, tree: ast.Module | None = None):
        super().__init__(module, unsafe_skip_copy=True)
        self.text = text
        self.tree = tree


class NodePositions:
    """`ref(node)`: a `SourceRef` for a node of `module`, positioned when first read."""

    def __init__(self, wrapper: cst.MetadataWrapper, path: str):
        self.module = wrapper.module
        self.path = path
        self.text: str | None = getattr(wrapper, "text", None)
        self.tree: ast.Module | None = getattr(wrapper, "tree", None)
        self._spans: dict[int, tuple[int, int, int, int]] = {}  # id(node) -> (line, col, end_line, end_col)
        self._done: set[int] = set()  # top-level statements positioned
        self.whole_module = False  # positioned all at once (no `ast`, or a statement's start line was off)
        self._starts: list[int] | None = None
        self._line_offsets: list[int] | None = None
        self.statements_positioned = 0  # for the benchmark's per-phase shares

    def ref(self, node: cst.CSTNode) -> "LazySourceRef":
        return LazySourceRef.of(self, node)

    def holds(self, node: cst.CSTNode) -> bool:
        """`node` belongs to this module (a node of another module has no position here)."""
        return ModuleIndex.of(self.module).statement_of(node) is not None

    def span(self, node: cst.CSTNode) -> tuple[int, int, int, int]:
        key = id(node)
        found = self._spans.get(key)
        if found is None:
            statement = ModuleIndex.of(self.module).statement_of(node)
            if statement is None or statement in self._done or not self._position_statement(statement) \
                    or key not in self._spans:
                self._position_module()
            found = self._spans[key]
        return found

    # ------------------------------------------------------------------ code generation

    def _position_statement(self, i: int) -> bool:
        start = self._start_line(i)
        if start is None:
            return False
        state = _PositionState(self.module, start, self._spans)
        self.module.body[i]._codegen(state)
        offsets = self._offsets()
        if start > len(offsets) or not self.text.startswith("".join(state.tokens), offsets[start - 1]):
            return False
        self._done.add(i)
        self.statements_positioned += 1
        return True

    def _position_module(self) -> None:
        if self.whole_module:
            raise KeyError("node is not part of the module")
        self.whole_module = True
        self._spans.clear()  # libcst's own pass: no mix with a statement positioned from a wrong line
        self.module._codegen(_PositionState(self.module, 1, self._spans))
        self._done = set(range(len(self.module.body)))
        self.statements_positioned = len(self.module.body)

    def _offsets(self) -> list[int]:
        if self._line_offsets is None:
            self._line_offsets = [0] + [m.end() for m in _NEWLINE.finditer(self.text)]
        return self._line_offsets

    def _start_line(self, i: int) -> int | None:
        """The line the code of top-level statement `i` (with its leading blank and comment
        lines) starts on, from the `ast` of the same text; None if unknown."""
        if self._starts is None:
            self._starts = _statement_starts(self.module, self.tree) if self.text is not None else []
        return self._starts[i] if i < len(self._starts) else None


def _statement_starts(module: cst.Module, tree: ast.Module | None) -> list[int]:
    if tree is None:
        return []
    starts = []
    j = 0
    body = tree.body
    for statement in module.body:
        if j >= len(body):
            return []
        first = body[j]
        j += len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
        line = first.lineno
        decorators = getattr(statement, "decorators", ())
        if decorators:
            line = first.decorator_list[0].lineno if getattr(first, "decorator_list", None) else line
            line -= len(decorators[0].leading_lines)
        starts.append(line - len(statement.leading_lines))
    return starts if j == len(body) else []


class _PositionState(CodegenState):
    """libcst's `PositionProvidingCodegenState`, leaner: plain tuples, no context-manager generator."""

    def __init__(self, module: cst.Module, line: int, spans: dict):
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.line = line
        self.column = 0
        self.spans = spans
        self.stack: list[tuple[int, int]] = []

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        if "\n" in value or "\r" in value:
            segments = _NEWLINE.split(value)
            self.line += len(segments) - 1
            self.column = len(segments[-1])
        else:
            self.column += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.stack.append((self.line, self.column))

    def after_codegen(self, node: cst.CSTNode) -> None:
        line, column = self.stack.pop()
        key = id(node)
        if key not in self.spans:
            self.spans[key] = (line, column, self.line, self.column)

    def record_syntactic_position(self, node, *, start_node=None, end_node=None):
        return _Syntactic(self, node, start_node, end_node)


class _Syntactic:
    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(self, state: _PositionState, node, start_node, end_node):
        self.state, self.node, self.start_node, self.end_node = state, node, start_node, end_node

    def __enter__(self) -> None:
        self.start = (self.state.line, self.state.column)

    def __exit__(self, *exc) -> None:
        state = self.state
        spans = state.spans
        start = spans[id(self.start_node)][:2] if self.start_node is not None else self.start
        end = spans[id(self.end_node)][2:] if self.end_node is not None else (state.line, state.column)
        spans[id(self.node)] = (*start, *end)


class LazySourceRef(SourceRef):
    """A `SourceRef` of a node whose line and columns are computed when first read. It compares,
    hashes, prints and pickles as the plain `SourceRef` with those values; `realise()` gives that.
    `mapped(locate)` is the same ref passed through `locate` (e.g. to a notebook cell), still lazily."""

    def __init__(self, path=None, line=0, col=0, end_line=0, end_col=0, cell=None, origin=None):
        object.__setattr__(self, "_values", (path, line, col, end_line, end_col, cell, origin))
        object.__setattr__(self, "_source", None)

    @classmethod
    def of(cls, positions: NodePositions, node: cst.CSTNode, locate=None) -> "LazySourceRef":
        ref = cls.__new__(cls)
        object.__setattr__(ref, "_values", None)
        object.__setattr__(ref, "_source", (positions, node, locate))
        return ref

    def mapped(self, locate) -> SourceRef:
        if self._source is None or self._source[2] is not None:
            return locate(self.realise())
        positions, node, _ = self._source
        return LazySourceRef.of(positions, node, locate)

    @property
    def node(self) -> cst.CSTNode | None:
        return self._source[1] if self._source is not None else None

    def _fields(self) -> tuple:
        values = self._values
        if values is None:
            positions, node, locate = self._source
            line, col, end_line, end_col = positions.span(node)
            ref = SourceRef(positions.path, line, col, end_line, end_col)
            if locate is not None:
                ref = locate(ref)
            values = (ref.path, ref.line, ref.col, ref.end_line, ref.end_col, ref.cell, ref.origin)
            object.__setattr__(self, "_values", values)
        return values

    path = property(lambda self: self._fields()[0])
    line = property(lambda self: self._fields()[1])
    col = property(lambda self: self._fields()[2])
    end_line = property(lambda self: self._fields()[3])
    end_col = property(lambda self: self._fields()[4])
    cell = property(lambda self: self._fields()[5])
    origin = property(lambda self: self._fields()[6])

    def realise(self) -> SourceRef:
        return SourceRef(*self._fields())

    def __eq__(self, other):
        if isinstance(other, LazySourceRef):
            if self._source is not None and other._source is not None and self._source[0] is other._source[0] \
                    and self._source[1] is other._source[1] and self._source[2] is other._source[2]:
                return True  # the same node
            return self._fields() == other._fields()
        if type(other) is SourceRef:
            return self._fields() == (other.path, other.line, other.col, other.end_line, other.end_col, other.cell,
                                      other.origin)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return repr(self.realise())

    def __reduce__(self):
        return (SourceRef, self._fields())


def realised(ref: SourceRef) -> SourceRef:
    """`ref` as a plain `SourceRef` (what leaves the analyzer: findings, the cache)."""
    return ref.realise() if isinstance(ref, LazySourceRef) else ref


def same_file(a: SourceRef, b: SourceRef) -> bool:
    """Both refs lie in one file; two lazy refs of one module's nodes are, without positioning them."""
    if isinstance(a, LazySourceRef) and isinstance(b, LazySourceRef) and a._source is not None \
            and b._source is not None and a._source[0] is b._source[0]:
        return True
    return a.path == b.path


def contains(outer: SourceRef, inner: SourceRef) -> bool:
    """`inner`'s span lies within `outer`'s. For two refs of nodes of one module this is decided
    from the tree (a node's span holds exactly its descendants'), without positioning them."""
    if isinstance(outer, LazySourceRef) and isinstance(inner, LazySourceRef) and outer._source is not None \
            and inner._source is not None and outer._source[0] is inner._source[0] \
            and outer._source[2] is None and inner._source[2] is None:
        index = ModuleIndex.of(outer._source[0].module)
        if index.within(inner._source[1], outer._source[1]):
            return True
        if index.within(outer._source[1], inner._source[1]) is False:
            return False  # neither holds the other: disjoint spans (an ancestor may share its child's span)
    return (outer.line, outer.col) <= (inner.line, inner.col) and \
        (inner.end_line, inner.end_col) <= (outer.end_line, outer.end_col)

"""Resolve what an expression names, through the file's imports, to a canonical Keras symbol.

`ModuleIndex` walks a parsed module once, in the order Python binds names, and records what
libcst's scope analysis (`ScopeProvider` + `QualifiedNameProvider`) would: the scopes (module,
function, lambda, class, comprehension), what each name is bound to in each scope (imports with
their aliases, `import a.b.c`, assignments, parameters, `global`/`nonlocal`) and, for every name
that is read, its scope and how many bindings of that scope precede it. `NameResolver.symbol`
answers from that record, only for the nodes the interpreter asks about, with libcst's rules:

- a name read is resolved through the bindings of its scope made before it (or, if there are
  none yet, the enclosing scope's), all of them, whatever the control flow: a name imported in
  one branch and assigned in another still names the import (the interpreter's own environment,
  consulted first, knows better where it can);
- a dotted name `a.b.c` goes through the bindings of its longest bound prefix in its scope;
- star imports (`from tensorflow.keras.layers import *`), which libcst leaves unresolved, name
  the known symbols of their module.

The same walk records which top-level statement holds each node, for `node_positions`.
"""

from __future__ import annotations

import bisect
import builtins
import dataclasses

import libcst as cst

from ..knowledge import canonical_symbol
from .callargs import dotted

# Canonical symbols a star import may bring into scope, filled lazily from the knowledge table.
_KNOWN_SYMBOLS: frozenset[str] | None = None

IMPORT, BUILTIN, LOCAL = "import", "builtin", "local"


def known_symbols() -> frozenset[str]:
    global _KNOWN_SYMBOLS
    if _KNOWN_SYMBOLS is None:
        from .. import knowledge as k

        symbols = {*k.LAYERS, *k.SEQUENTIAL, *k.FUNCTIONAL, *k.INPUT, *k.LOSS_BY_CLASS, *k.LOSS_BY_FUNCTION,
                   *k.ACTIVATION_BY_FUNCTION, *k.ACTIVATION_BY_LAYER, *k.METRIC_BY_FUNCTION}
        _KNOWN_SYMBOLS = frozenset(symbols)
    return _KNOWN_SYMBOLS


class NameResolver:
    """`symbol(node)`: the canonical symbol an imported name (or dotted name) refers to."""

    def __init__(self, module: cst.Module | cst.MetadataWrapper):
        self.index = ModuleIndex.of(module)
        self._cache: dict[int, str | None] = {}

    def symbol(self, node: cst.CSTNode) -> str | None:
        """The canonical symbol `node` refers to if it is an imported name, else None."""
        key = id(node)
        if key in self._cache:
            return self._cache[key]
        result = self._symbol(node)
        self._cache[key] = result
        return result

    def _symbol(self, node: cst.CSTNode) -> str | None:
        base = node
        while type(base) is cst.Attribute:  # `np.random.randint(...).astype` names nothing
            base = base.value
        if type(base) is not cst.Name:
            return None
        if base.value not in self.index.import_roots and not self.index.star_modules:
            return None  # no import anywhere in the module binds this name: not a symbol
        names = self.index.qualified_names(node, base)
        imported = [name for name, source in names if source == IMPORT]
        if imported:
            return canonical_symbol(sorted(imported)[0])
        if not names and self.index.star_modules:
            return self._from_star_import(node)
        return None

    def _from_star_import(self, node: cst.Name | cst.Attribute) -> str | None:
        name = dotted(node)
        for module in self.index.star_modules:
            candidate = canonical_symbol(f"{module}.{name}")
            if candidate in known_symbols():
                return candidate
        return None


# --------------------------------------------------------------------------- scopes


class _Binding:
    __slots__ = ("name", "scope", "node", "index", "alias_node")

    def __init__(self, name: str, scope: "_Scope", node, index: int, alias_node=None):
        self.name, self.scope, self.node, self.index, self.alias_node = name, scope, node, index, alias_node

    def qualified_names(self, full_name: str) -> set[tuple[str, str]]:
        if self.scope.kind == "builtins":
            return {(f"builtins.{self.name}", BUILTIN)}
        if isinstance(self.node, (cst.Import, cst.ImportFrom)):
            return _imported_names(self.node, full_name)
        prefix = self.scope.prefix
        return {(f"{prefix}.{full_name}" if prefix else full_name, LOCAL)}


class _Scope:
    __slots__ = ("kind", "parent", "module", "prefix", "bindings", "overrides", "count")

    def __init__(self, kind: str, parent: "_Scope | None", name: str | None = None):
        self.kind = kind
        self.parent = parent if parent is not None else self
        self.module = self if kind in ("module", "builtins") else parent.module
        self.bindings: dict[str, list[_Binding]] = {}
        self.overrides: dict[str, _Scope] = {}  # `global` / `nonlocal`
        self.count = 0  # bindings made so far, for "before this read"
        if kind in ("module", "builtins"):
            self.prefix = ""
        elif kind == "class":
            self.prefix = ".".join(filter(None, [parent.prefix, name]))
        elif kind == "comprehension":
            self.prefix = ".".join(filter(None, [parent.prefix, "<comprehension>"]))
        else:
            self.prefix = ".".join(filter(None, [parent.prefix, name, "<locals>"]))

    # libcst: Scope.__contains__, _resolve_scope_for_access, _next_visible_parent

    def _visible_parent(self, first: "_Scope | None" = None) -> "_Scope":
        parent = first if first is not None else self.parent
        while parent.kind == "class":
            parent = parent.parent
        return parent

    def __contains__(self, name: str) -> bool:
        if self.kind == "builtins":
            return hasattr(builtins, name)
        if name in self.overrides:
            return name in self.overrides[name]
        if self.bindings.get(name):
            return True
        return name in self._visible_parent()

    def resolve(self, name: str) -> list[_Binding]:
        if self.kind == "builtins":
            return [_builtin(self, name)] if hasattr(builtins, name) else []
        if name in self.overrides:
            return self._visible_parent(self.overrides[name]).resolve(name)
        if name in self.bindings:
            return self.bindings[name]
        return self._visible_parent().resolve(name)

    def target(self, name: str) -> "_Scope":
        """Where an assignment of `name` in this scope binds it."""
        if self.kind != "module" and name in self.overrides:
            return self._visible_parent(self.overrides[name]).target(name)
        return self

    def bind(self, name: str, node, alias_node=None) -> None:
        target = self.target(name)
        target.bindings.setdefault(name, []).append(_Binding(name, target, node, target.count, alias_node))


_BUILTINS: dict[str, _Binding] = {}


def _builtin(scope: _Scope, name: str) -> _Binding:
    return _Binding(name, scope, None, -1)


class _Read:
    """A name read (libcst: an `Access`): its scope, the bindings before it, the attribute chain around it."""

    __slots__ = ("scope", "index", "chain")

    def __init__(self, scope: _Scope, index: int, chain):
        self.scope, self.index, self.chain = scope, index, chain


# --------------------------------------------------------------------------- the walk

_NOT_CHILDREN = {"lpar", "rpar", "comma", "leading_lines", "lines_after_decorators", "header", "footer", "semicolon",
                 "colon", "equal", "dot", "star", "trailing_whitespace", "newline", "operator", "asynchronous",
                 "first_line", "empty_lines", "indent", "lbracket", "rbracket", "lbrace", "rbrace", "arrow", "walrus",
                 "posonly_ind", "keyword", "first_colon", "second_colon", "start", "end", "leading_whitespace"}
_ORDER_OVERRIDES = {cst.ExceptHandler: ("type", "name", "body"), cst.ExceptStarHandler: ("type", "name", "body"),
                    cst.MatchCase: ("pattern", "guard", "body"),
                    cst.Slice: ("lower", "upper", "step")}
_FIELDS: dict[type, tuple[str, ...]] = {}
_COUNTED = frozenset({
    cst.AnnAssign, cst.AsName, cst.Assign, cst.AugAssign, cst.ClassDef, cst.CompFor, cst.FunctionDef, cst.Global,
    cst.Import, cst.ImportFrom, cst.NamedExpr, cst.Nonlocal, cst.Parameters, cst.WithItem, cst.TypeVar,
    cst.TypeAlias, cst.TypeVarTuple, cst.ParamSpec})
_COMPREHENSIONS = frozenset({cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp})
_LOAD, _STORE = 0, 1


def _subclasses(cls: type) -> set[type]:
    found, todo = set(), [cls]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


#: Every libcst node class: `type(value) in NODE_CLASSES` is a set look-up, where
#: `isinstance(value, cst.CSTNode)` calls ABCMeta's Python-level check (libcst's classes are ABCs).
NODE_CLASSES = frozenset(_subclasses(cst.CSTNode))


def child_fields(cls: type) -> tuple[str, ...]:
    """The fields of a libcst node class that hold child nodes, in source order."""
    return _fields(cls)


def descendants(node: cst.CSTNode):
    """`node` and every node under it (whitespace and punctuation aside), by a plain walk over the
    fields: a libcst visitor rebuilds every node it passes (and `isinstance` against libcst's ABCs
    is slow to fail)."""
    stack = [node]
    while stack:
        node = stack.pop()
        yield node
        for name in _fields(type(node)):
            value = getattr(node, name, None)
            if value.__class__ in NODE_CLASSES:
                stack.append(value)
            elif value.__class__ is list or value.__class__ is tuple:
                stack.extend(item for item in value if item.__class__ in NODE_CLASSES)


def _fields(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _ORDER_OVERRIDES.get(cls) or tuple(
            f.name for f in dataclasses.fields(cls) if f.name not in _NOT_CHILDREN and not f.name.startswith("whitespace"))
        _FIELDS[cls] = names
    return names


class ModuleIndex:
    """One walk over a module: scopes and name reads (for `NameResolver`), and the top-level
    statement that holds each node (for `node_positions`)."""

    def __init__(self, module: cst.Module):
        self.module = module
        self.number: dict[int, int] = {}  # id(node) -> its number in the walk's preorder
        self.last: dict[int, int] = {}  # id(node) -> the number of its last descendant
        self._count = 0
        self._placed: dict[int, int] = {}  # id(node) -> a number in its statement, for nodes not visited
        self._statement_starts: list[int] = []  # number of the first node of each top-level statement
        self.reads: dict[int, _Read] = {}  # id(Name) read -> its read
        self.stores: set[int] = set()  # id(Name) bound by an assignment
        self.import_roots: set[str] = set()  # the first part of every name an import binds, in any scope
        self.star_modules: list[str] = [
            dotted(small.module) for statement in module.body if isinstance(statement, cst.SimpleStatementLine)
            for small in statement.body
            if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar) and small.module]
        self._access_nodes: dict[int, cst.CSTNode] = {}
        builtins_scope = _Scope("builtins", None)
        self.globals = _Scope("module", builtins_scope)
        self.globals.parent = builtins_scope
        self._scope = self.globals
        self._chain: list = [None]  # libcst's top-level attribute stack
        for statement in module.body:
            self._statement_starts.append(self._count)
            self._visit(statement, _LOAD)

    @classmethod
    def of(cls, module: cst.Module | cst.MetadataWrapper) -> "ModuleIndex":
        """The index of `module`, built once (kept on the module wrapper or cached by identity)."""
        if isinstance(module, cst.MetadataWrapper):
            module = module.module
        index = _INDEXES.get(id(module))
        if index is None or index.module is not module:
            index = cls(module)
            if len(_INDEXES) >= _MAX_INDEXES:  # a few modules at a time: the checked file, the project
                _INDEXES.pop(next(iter(_INDEXES)))  # modules it imports, then maybe the fixer
            _INDEXES[id(module)] = index
        return index

    # ------------------------------------------------------------------ queries

    def statement_of(self, node: cst.CSTNode) -> int | None:
        """The index in `module.body` of the top-level statement that holds `node`."""
        number = self.number.get(id(node))
        if number is None:
            number = self._placed.get(id(node))
        return None if number is None else bisect.bisect_right(self._statement_starts, number) - 1

    def within(self, inner: cst.CSTNode, outer: cst.CSTNode) -> bool | None:
        """`inner` is `outer` or one of its descendants; None if either was not numbered."""
        first, end = self.number.get(id(outer)), self.last.get(id(outer))
        number = self.number.get(id(inner))
        if first is None or end is None or number is None:
            return None
        return first <= number <= end

    def qualified_names(self, node: cst.CSTNode, base: cst.Name) -> set[tuple[str, str]]:
        """libcst's `QualifiedNameProvider` answer for a dotted name `node` whose first name is `base`."""
        read = self.reads.get(id(base))
        if read is None:
            if id(base) in self.stores and base is node:
                return {("", LOCAL)}  # a binding names itself, never an import
            return set()  # a name libcst gives no scope (`x.attr`'s attr, a keyword, an import's own names)
        full_name = dotted(node)
        if self._access_node(base, read) is node:
            return self._read_names(read, full_name)
        scope = read.scope
        prefix = full_name
        bindings: list[_Binding] = []
        while prefix:
            if prefix in scope:
                bindings = scope.resolve(prefix)
                break
            cut = prefix.rfind(".")
            prefix = prefix[:cut] if cut != -1 else ""
        names: set[tuple[str, str]] = set()
        for binding in bindings:
            names |= binding.qualified_names(full_name)
        return names

    def _access_node(self, base: cst.Name, read: _Read) -> cst.CSTNode:
        """The node libcst records the read of `base` under: the longest bound dotted prefix of
        the attribute chain around it, else the name itself."""
        found = self._access_nodes.get(id(base))
        if found is None:
            found = base
            if read.chain is not None:
                for name, chain_node in _dotted_names(read.chain):
                    if name in read.scope:
                        found = chain_node
                        break
            self._access_nodes[id(base)] = found
        return found

    def _read_names(self, read: _Read, name: str) -> set[tuple[str, str]]:
        scope = read.scope
        bindings = scope.resolve(name)
        before = [b for b in bindings if b.scope is not scope or b.index < read.index]
        if not before and bindings and scope.parent is not scope:
            before = scope.parent.resolve(name)
        names: set[tuple[str, str]] = set()
        for binding in before:
            names |= binding.qualified_names(binding.name)
        return names

    # ------------------------------------------------------------------ the walk (libcst's ScopeVisitor order)

    def _mark(self, node: cst.CSTNode) -> None:
        """Number a node the walk passes without visiting (an argument, a parameter…): it is
        placed in its statement, never taken as holding other nodes."""
        self._placed[id(node)] = self._count - 1  # the node visited before it: in the same statement

    def _visit(self, node: cst.CSTNode, context: int) -> None:
        key = id(node)
        self.number[key] = number = self._count
        self._count = number + 1
        cls = node.__class__
        if cls is cst.Name:
            self.last[key] = number
            if context == _STORE:
                self.stores.add(key)
                self._scope.bind(node.value, node)
            else:
                self.reads[key] = _Read(self._scope, self._scope.count, self._chain[-1])
            return
        if cls is cst.Attribute:
            self._visit_attribute(node)
        elif cls is cst.Call:
            self._chain.append(None)
            self._visit(node.func, _LOAD)
            for arg in node.args:
                self._mark(arg)
                self._visit(arg.value, _LOAD)
            self._chain.pop()
        elif cls is cst.Import or cls is cst.ImportFrom:
            self._visit_import(node)
        elif cls is cst.Assign:
            for target in node.targets:
                self._mark(target)
                self._visit(target.target, _STORE)
            self._visit(node.value, _LOAD)
        elif cls is cst.AnnAssign or cls is cst.AugAssign or cls is cst.NamedExpr:
            self._visit(node.target, _STORE)
            if cls is cst.AnnAssign:
                self._visit(node.annotation, _LOAD)
            if node.value is not None:
                self._visit(node.value, _LOAD)
        elif cls is cst.AsName:
            self._visit(node.name, _STORE)
        elif cls is cst.Del:
            self._visit(node.target, _LOAD)
        elif cls is cst.FunctionDef:
            self._visit_function(node)
        elif cls is cst.Lambda:
            outer = self._scope
            self._scope = _Scope("function", outer)
            self._visit_parameters(node.params)
            self._visit(node.body, _LOAD)
            self._scope = outer
        elif cls is cst.ClassDef:
            self._visit_class(node)
        elif cls is cst.For:
            self._visit(node.target, _STORE)
            self._scope.count += 1
            self._visit(node.iter, _LOAD)
            self._visit(node.body, _LOAD)
            if node.orelse is not None:
                self._visit(node.orelse, _LOAD)
        elif cls in _COMPREHENSIONS:
            self._visit_comprehension(node)
        elif cls is cst.CompFor:  # an inner `for` of a comprehension
            self._visit(node.target, _STORE)
            self._visit(node.iter, _LOAD)
            for condition in node.ifs:
                self._visit(condition, _LOAD)
            if node.inner_for_in is not None:
                self._visit(node.inner_for_in, _LOAD)
        elif cls is cst.Global or cls is cst.Nonlocal:
            scope = self._scope
            for item in node.names:
                if scope.kind != "module":
                    scope.overrides[item.name.value] = scope.module if cls is cst.Global else scope.parent
        elif cls is cst.Subscript:
            self._visit(node.value, _LOAD)
            for element in node.slice:
                self._visit(element, _LOAD)
        elif cls is cst.TypeAlias:
            self._scope.bind(node.name.value, node)
            self._visit(node.value, _LOAD)
        else:
            if context == _STORE and cls not in (cst.Tuple, cst.List, cst.StarredElement, cst.Element):
                context = _LOAD
            for name in _fields(cls):
                value = getattr(node, name)
                if value.__class__ in NODE_CLASSES:
                    self._visit(value, context)
                elif value.__class__ is tuple or value.__class__ is list:
                    for item in value:
                        if item.__class__ in NODE_CLASSES:
                            self._visit(item, context)
        if cls in _COUNTED:
            self._scope.count += 1
        self.last[key] = self._count - 1

    def _visit_attribute(self, node: cst.Attribute) -> None:
        chain = self._chain
        if chain[-1] is None:
            chain[-1] = node
            self._visit(node.value, _LOAD)
            chain[-1] = None
        else:
            self._visit(node.value, _LOAD)

    def _visit_import(self, node: cst.Import | cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            self._mark(alias)
            if alias.asname is not None:
                name_node = alias.asname.name
                names = _dotted_names(name_node) if isinstance(name_node, cst.Name) else ()
            else:
                name_node = alias.name
                names = _dotted_names(name_node)
            for name, _ in names:
                self._scope.bind(name, node, name_node)
                self.import_roots.add(name.partition(".")[0])

    def _visit_function(self, node: cst.FunctionDef) -> None:
        outer = self._scope
        outer.bind(node.name.value, node)
        self._scope = _Scope("function", outer, node.name.value)
        self._visit_parameters(node.params)
        self._visit(node.body, _LOAD)
        self._scope = outer
        for decorator in node.decorators:
            self._visit(decorator, _LOAD)
        if node.returns is not None:
            self._visit(node.returns, _LOAD)

    def _visit_parameters(self, params: cst.Parameters) -> None:
        self._mark(params)
        scope = self._scope
        for group in (params.posonly_params, params.params, (params.star_arg,), params.kwonly_params,
                      (params.star_kwarg,)):
            for param in group:
                if not isinstance(param, cst.Param):
                    continue
                self._mark(param)
                scope.bind(param.name.value, param)
                self._scope = scope.parent
                for part in (param.default, param.annotation):
                    if part is not None:
                        self._visit(part, _LOAD)
                self._scope = scope
        scope.count += 1

    def _visit_class(self, node: cst.ClassDef) -> None:
        outer = self._scope
        outer.bind(node.name.value, node)
        for decorator in node.decorators:
            self._visit(decorator, _LOAD)
        for arg in (*node.bases, *node.keywords):
            self._mark(arg)
            self._visit(arg.value, _LOAD)
        self._scope = _Scope("class", outer, node.name.value)
        self._visit(node.body, _LOAD)
        self._scope = outer

    def _visit_comprehension(self, node) -> None:
        for_in = node.for_in
        self._mark(for_in)
        self._visit(for_in.iter, _LOAD)
        outer = self._scope
        self._scope = _Scope("comprehension", outer)
        self._visit(for_in.target, _STORE)
        self._scope.count += 1
        for condition in for_in.ifs:
            self._visit(condition, _LOAD)
        if for_in.inner_for_in is not None:
            self._visit(for_in.inner_for_in, _LOAD)
        if isinstance(node, cst.DictComp):
            self._visit(node.key, _LOAD)
            self._visit(node.value, _LOAD)
        else:
            self._visit(node.elt, _LOAD)
        self._scope = outer


_MAX_INDEXES = 16
_INDEXES: dict[int, ModuleIndex] = {}


def _dotted_names(node):
    """libcst's `_gen_dotted_names`: ("a.b.c", node), ("a.b", …), ("a", …) of an attribute chain."""
    if type(node) is cst.Name:  # type(): see NODE_CLASSES
        yield node.value, node
        return
    value = node.value
    if type(value) is cst.Call:
        value = value.func
        if type(value) is cst.Attribute or type(value) is cst.Name:
            yield from _dotted_names(value)
    elif type(value) is cst.Attribute or type(value) is cst.Name:
        names = _dotted_names(value)
        try:
            first, first_node = next(names)
        except StopIteration:
            return
        yield f"{first}.{node.attr.value}", node
        yield first, first_node
        yield from names


def _full_name(node) -> str | None:
    if type(node) is cst.Name:
        return node.value
    if type(node) is cst.Attribute:
        base = _full_name(node.value)
        return f"{base}.{node.attr.value}" if base is not None else None
    return None


def _imported_names(node: cst.Import | cst.ImportFrom, full_name: str) -> set[tuple[str, str]]:
    """libcst's `ImportAssignment.get_qualified_names_for`."""
    module = ""
    if isinstance(node, cst.ImportFrom):
        if node.module is not None:
            module = _full_name(node.module) or ""
        if node.relative:
            module = "." * len(node.relative) + module
    results: set[tuple[str, str]] = set()
    if isinstance(node.names, cst.ImportStar):
        return results
    for alias in node.names:
        real = _full_name(alias.name)
        if not real:
            continue
        parts = real.split(".")
        for i in range(len(parts), 0, -1):
            real_name = ".".join(parts[:i])
            as_name = real_name
            if module and module.endswith("."):
                real_name = f"{module}{real_name}"
            elif module:
                real_name = f"{module}.{real_name}"
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                as_name = alias.asname.name.value
            if full_name.startswith(as_name):
                remaining = full_name.split(as_name, 1)[1]
                if remaining and not remaining.startswith("."):
                    continue
                remaining = remaining.lstrip(".")
                results.add((f"{real_name}.{remaining}" if remaining else real_name, IMPORT))
                break
    return results

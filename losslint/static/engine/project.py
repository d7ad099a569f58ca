"""Project-wide analysis: names imported from the project's own modules (DESIGN §8).

`from models import build_model`, `from .models import build_model`, `import config` then
`config.NUM_CLASSES`: when the imported module is a file under the directories being checked
(the *scope*), the name gets the value that module's top level gives it, instead of being
unknown. A module yields a *summary*: its top-level bindings after the interpreter has run its
statements (an imported module's `if __name__ == "__main__":` block does not run). Functions and
`keras.Model` subclasses are exported and run on call with the caller's arguments, in their own
module (positions and names of their file); constants, losses, metrics, labels and lists of them
are exported too. Models, layers and tensors built at a module's top level are not: they are
mutable state that importers would share.

Files stay independent where they can (no whole-program fixpoint): a summary is computed lazily,
once per process (per worker) for every file that imports it, and revalidated by the fingerprints
of every file it read or probed. Bounds: `MAX_DEPTH` imports deep, `MAX_MODULE_BYTES` per module;
an import cycle gives unknown. The memo never makes a result depend on the order in which a
worker checked its files: a summary serves the import depths that leave it the levels it used,
and one that met a cycle serves only the same chain of importers (`_summary`).

Where a module is looked up for an absolute import from file `f` (Python's `sys.path` order for
`python f.py`): the directory of `f`, the directory above `f`'s package (for `python -m
pkg.train`), then each checked root. The first candidate that exists decides; one outside the
scope is not followed (a same-named module elsewhere on the machine is not the project's). Names
under `keras`, `tensorflow`, `tf_keras`, `torch` and `jax` are never project modules.

Every probe (a file read, a file or directory found absent) is recorded with its fingerprint in
`ProjectContext.dependencies`: the result cache keys a file's result on them (`cache.py`), so
editing `models.py` changes the cached result of `train.py` that imports it.

Facts coming from another module carry that module's path. A finding whose anchor would fall in
another file is anchored on the `compile()` call of the file being checked, with a note pointing
at the other file; fixes that would edit another file are not offered (`localize`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import weakref
from collections import Counter
from dataclasses import dataclass, replace

from ...diagnostics import Related, SourceRef

MAX_DEPTH = 4  # imports followed from the checked file: train → models → layers → config
MAX_MODULE_BYTES = 1_000_000
_FRAMEWORKS = frozenset({"keras", "tensorflow", "tf_keras", "torch", "jax"})
#: Interpreter attributes that belong to the module whose code runs (switched when an imported
#: function runs): everything derived from the parsed file.
MODULE_STATE = ("wrapper", "path", "names", "positions")
ABSENT, DIRECTORY = "absent", "directory"


@dataclass(frozen=True)
class ProjectScope:
    """The directories being checked (absolute, real). Picklable: sent to worker processes."""

    roots: tuple[str, ...]

    @classmethod
    def of_paths(cls, paths) -> "ProjectScope":
        """A directory argument is a root. File arguments (what pre-commit passes) are scoped like
        the directory that holds them all, their deepest common directory: an explicit list of
        files is checked as the same files found under that directory would be (and costs the
        same), instead of making each file's directory a root searched from every file. Files
        whose only common directory is the filesystem root each give their own directory."""
        roots: list[str] = []
        files: list[str] = []
        for path in paths:
            if os.path.isdir(path):
                _add(roots, os.path.realpath(path))
            else:
                files.append(os.path.realpath(os.path.dirname(path) or "."))
        if files:
            common = os.path.commonpath(files) if len(set(files)) > 1 else files[0]
            for root in [common] if os.path.dirname(common) != common else files:
                _add(roots, root)
        return cls(tuple(roots))

    def contains(self, path: str) -> bool:
        real = _realpath(path)
        return any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in self.roots)

    def cache_text(self) -> str:
        return "\0".join(self.roots)


def _add(roots: list[str], root: str) -> None:
    if root not in roots:
        roots.append(root)


#: Work done in this process, for tests that compare the cost of two runs without a clock:
#: `summaries` (modules interpreted for an importer), `probes` (file-system look-ups of a
#: module's candidate files), `realpaths` (real paths resolved).
COUNTS: Counter = Counter()

#: `os.path.realpath` of the paths met this run (a handful of system calls each, asked for
#: the same directories by every file). Cleared by `new_run`.
_REALPATHS: dict[str, str] = {}


def _realpath(path: str) -> str:
    absolute = os.path.abspath(path)  # (a relative path's real path depends on the working directory)
    real = _REALPATHS.get(absolute)
    if real is None:
        if len(_REALPATHS) >= 65_536:
            _REALPATHS.clear()
        real = _REALPATHS[absolute] = os.path.realpath(absolute)
        COUNTS["realpaths"] += 1
    return real


def new_run() -> None:
    """Called when a run starts (`api.check_paths`): what was learnt about the file system
    (real paths) is asked again; summaries stay memoised, revalidated by their fingerprints."""
    _REALPATHS.clear()


# ---------------------------------------------------------------------------- fingerprints

_FINGERPRINTS: dict[tuple, str] = {}


def fingerprint(path: str) -> str:
    """`absent`, `directory`, or a hash of the file's bytes (memoised by its stat: one system
    call when the file is known)."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return ABSENT
    if stat.S_ISDIR(info.st_mode):
        return DIRECTORY
    stamp = (info.st_dev, info.st_ino, info.st_mtime_ns, info.st_size, info.st_ctime_ns)
    known = _FINGERPRINTS.get(stamp)
    if known is None:
        try:
            with open(path, "rb") as handle:
                known = _digest(handle.read())
        except OSError:
            return ABSENT
        if len(_FINGERPRINTS) >= 65_536:
            _FINGERPRINTS.clear()
        _FINGERPRINTS[stamp] = known
    return known


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def unchanged(dependencies: dict[str, str]) -> bool:
    return all(fingerprint(path) == known for path, known in dependencies.items())


# ---------------------------------------------------------------------------- summaries


@dataclass
class Summary:
    """A module's exported top-level bindings, and the interpreter that ran it (its functions run
    with that interpreter's positions and names)."""

    exports: dict
    interpreter: object
    imported: dict  # name bound by a top-level import → the qualified name it imports (re-exports)
    star_imported: list  # modules of top-level `from x import *`


@dataclass
class _Memo:
    summary: Summary | None
    dependencies: dict[str, str]
    height: int  # imports followed below the module, at most (0: it imports no project module)
    truncated: bool  # an import below it was not followed for `MAX_DEPTH`
    asked: frozenset  # real paths of every module summarised (or asked for) below it
    in_progress: frozenset  # those of them that were being summarised then (import cycles met)


#: (scope, module path as spelled) → its summaries, for every importer whose depth leaves the
#: `height` a summary used (the same module imported by `train.py` and by `models.py` is computed
#: once); one cut short by `MAX_DEPTH` is kept under (scope, path, depth) and serves that depth
#: only. A summary serves an importer when the modules being summarised at that moment (the
#: chain of importers, an import cycle's ends) are, among those it asked for, the same as when
#: it was computed: the summary computed again would be the same, so a result never depends on
#: the order in which a worker checked its files. (A package whose `__init__` imports its
#: modules back was otherwise summarised again for every name asked of it: 135 times a module
#: for one file of ignite's tests.)
_MEMO: dict[tuple, list[_Memo]] = {}
_MEMO_LIMIT = 512  # modules (a summary holds its parsed module: memory)
_VARIANTS = 8  # summaries of one module kept for different chains of importers
#: the module environment of each summary → the interpreter that ran it
_OWNERS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


class ProjectContext:
    """The project as one interpreter sees it: resolves imported names, records what it read."""

    def __init__(self, scope: ProjectScope, path: str, depth: int = 0, parent: "ProjectContext | None" = None):
        self.scope = scope
        self.path = path
        self.depth = depth
        self.parent = parent
        self.dependencies: dict[str, str] = {}
        self.asked: set[str] = set()  # real paths of the modules summarised (or asked for) below it
        self.height = 0  # imports followed below this module, at most (for the memo)
        self.truncated = False  # an import below it was not followed for `MAX_DEPTH`
        self._home: dict | None = None
        self._located: dict[tuple, tuple | None] = {}
        self._assigned: frozenset[str] | None = None  # `config.X = …` in this module

    # ------------------------------------------------------------------ names

    def value_of(self, name: str, interpreter, hops: int = 0) -> object | None:
        """The value a qualified imported name has in the project, or None when it does not name a
        project module's attribute (then it is a framework or third-party name as before).
        `interpreter` is the one asking (its current module imports the name); `hops`: re-exports
        followed so far (`from .models import build_model` in `__init__.py`)."""
        from .values import UNKNOWN

        if self._assigned is None:  # (asked first from this context's own module)
            self._assigned = _assigned_attributes(interpreter)
        if name in self._assigned:
            return UNKNOWN  # `config.NUM_CLASSES = len(classes)` before building: not the module's value
        return self.lookup(name, interpreter.path, hops)

    def lookup(self, name: str, from_path: str, hops: int = 0) -> object | None:
        """`value_of` as seen from the file `from_path`."""
        from .values import UNKNOWN

        parts = name.split(".")
        level = len(parts) - len(name.lstrip(".").split("."))
        parts = parts[level:]
        if not parts or not parts[0] or (level == 0 and parts[0] in _FRAMEWORKS):
            return None
        found = self._locate(tuple(parts), level, from_path)
        if found is None:
            return None
        module, attributes = found
        if module is None:
            return UNKNOWN  # a project module we do not follow (outside the scope, unreadable)
        if len(attributes) != 1:
            return None if not attributes else UNKNOWN
        summary = self._summary(module)
        if summary is None:
            return UNKNOWN
        attribute = attributes[0]
        if attribute in summary.exports:
            return exported(summary.exports[attribute])
        if attribute in summary.imported:
            further = [summary.imported[attribute]]
        else:  # star imports: the last one that defines the name binds it, as in Python
            further = [f"{star}.{attribute}" for star in reversed(summary.star_imported)]
        for qualified in further if hops < MAX_DEPTH else ():
            value = self.lookup(qualified, module, hops + 1)
            if value is not None and (value is not UNKNOWN or len(further) == 1):
                return value
        return UNKNOWN

    def _locate(self, parts: tuple, level: int, from_path: str) -> tuple | None:
        """(module file or None when it may not be followed, remaining attribute names), or None
        when no project module has that name."""
        key = (os.path.dirname(from_path), level, parts)
        if key in self._located:
            return self._located[key]
        if level:
            base = os.path.dirname(from_path) or "."
            for _ in range(level - 1):
                base = os.path.normpath(os.path.join(base, os.pardir))
            directories = [base]
        else:
            directories = self._search_path(from_path)
        result = None
        for directory in directories:
            hit = self._descend(directory, parts)
            if hit is None:
                continue
            module, attributes = hit
            if module is not None and not self.scope.contains(module):
                module = None  # Python would import it, but it is not the project being checked
            result = (module, attributes)
            break
        self._located[key] = result
        return result

    def _search_path(self, from_path: str) -> list[str]:
        directory = os.path.dirname(from_path) or "."
        top = directory
        while _is_file(self._probe(os.path.join(top, "__init__.py"))):
            parent = os.path.normpath(os.path.join(top, os.pardir))
            if _realpath(parent) == _realpath(top):
                break
            top = parent
        unique: list[str] = []
        seen: set[str] = set()
        for candidate in (directory, top, *(_shown(root, like=from_path) for root in self.scope.roots)):
            real = _realpath(candidate)
            if real not in seen:
                seen.add(real)
                unique.append(candidate)
        return unique

    def _descend(self, directory: str, parts: tuple) -> tuple | None:
        """Python's lookup of `parts` under one search directory: a package (directory with
        `__init__.py`), else a module file, else a namespace package directory. A directory
        without `__init__.py` counts only when a module file is found inside it: an installed
        package of that name would win over it (and data folders are often named `datasets`)."""
        current, regular = directory, True
        for i, part in enumerate(parts):
            package, module = os.path.join(current, part), os.path.join(current, part + ".py")
            init = os.path.join(package, "__init__.py")
            if self._probe(package) == DIRECTORY and _is_file(self._probe(init)):
                current, regular = package, True
                continue
            if _is_file(self._probe(module)):
                return os.path.normpath(module), parts[i + 1:]
            if self._probe(package) == DIRECTORY:
                current, regular = package, False
                continue
            if i == 0 or not regular:
                return None  # nothing of that name here
            init = os.path.join(current, "__init__.py")  # an attribute of the package itself
            return os.path.normpath(init), parts[i:]
        init = os.path.join(current, "__init__.py")
        return (os.path.normpath(init), ()) if regular else None

    def _probe(self, path: str) -> str:
        known = self.dependencies.get(path)
        if known is None:
            COUNTS["probes"] += 1
            known = self.dependencies[path] = fingerprint(path)
        return known

    # ------------------------------------------------------------------ summaries

    def _in_progress(self, real: str) -> bool:
        context: ProjectContext | None = self
        while context is not None:
            if _realpath(context.path) == real:
                return True
            context = context.parent
        return False

    def _summary(self, module: str) -> Summary | None:
        real = _realpath(module)
        self.asked.add(real)
        if self._in_progress(real):
            return None  # an import cycle: unknown
        depth = self.depth + 1
        if depth > MAX_DEPTH:
            self.truncated = True
            return None
        chain = self._chain()
        memo = _recall((self.scope, module), chain, lambda m: depth + m.height <= MAX_DEPTH) or \
            _recall((self.scope, module, depth), chain)  # (the spelling of `module` is that of its refs)
        if memo is not None:
            self._used(memo.height, memo.truncated)
            self.dependencies.update(memo.dependencies)
            self.asked |= memo.asked
            return memo.summary
        child = ProjectContext(self.scope, module, depth, self)
        summary = child.run(module)
        self.dependencies.update(child.dependencies)
        self._used(child.height, child.truncated)
        self.asked |= child.asked
        asked = frozenset(child.asked)
        memo = _Memo(summary, dict(child.dependencies), child.height, child.truncated, asked, asked & chain)
        if len(_MEMO) >= _MEMO_LIMIT:
            _MEMO.clear()
        variants = _MEMO.setdefault((self.scope, module, depth) if child.truncated else (self.scope, module), [])
        variants.insert(0, memo)
        del variants[_VARIANTS:]
        return summary

    def _chain(self) -> frozenset:
        """The real paths of the modules being summarised now (this one and its importers)."""
        chain, context = set(), self
        while context is not None:
            chain.add(_realpath(context.path))
            context = context.parent
        return frozenset(chain)

    def _used(self, height: int, truncated: bool) -> None:
        """A module this one imports was summarised with `height` levels of imports below it."""
        self.height = max(self.height, height + 1)
        self.truncated = self.truncated or truncated

    def run(self, module: str) -> Summary | None:
        """Interpret `module`'s top level as an import does; None when it cannot be read or parsed."""
        import ast
        import warnings

        import libcst as cst

        from ..cst_parse import parse_module
        from .interpreter import Env, Interpreter, _is_main_guard
        from ..source import UnreadableSource, decode_python

        COUNTS["summaries"] += 1
        try:
            with open(module, "rb") as handle:
                data = handle.read(MAX_MODULE_BYTES + 1)
        except OSError:
            self.dependencies[module] = ABSENT
            return None
        self.dependencies[module] = _digest(data)
        if len(data) > MAX_MODULE_BYTES:
            return None
        try:
            text = decode_python(data)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ast.parse(text)  # CPython's guard first: libcst's parser overflows its stack on deep nesting
            tree = parse_module(text)
        except (UnreadableSource, SyntaxError, ValueError, RecursionError, MemoryError, cst.ParserSyntaxError):
            return None
        interpreter = Interpreter(cst.MetadataWrapper(tree, unsafe_skip_copy=True), module, project=self)
        env = Env()
        _OWNERS[env] = interpreter
        body = [s for s in tree.body if not (isinstance(s, cst.If) and _is_main_guard(s.test))]
        try:
            interpreter.exec_block(body, env)
        except RecursionError:
            return None
        imported, star_imported = _imports(tree)
        return Summary(dict(env.vars), interpreter, imported, star_imported)

    # ------------------------------------------------------------------ running imported code

    def ref_elsewhere(self, node) -> SourceRef:
        """Where a node of an imported module is (for code that runs outside `running`)."""
        for owner in list(_OWNERS.values()):
            if owner.positions.holds(node):
                return owner.positions.ref(node)
        raise KeyError(node)

    @contextlib.contextmanager
    def running(self, interpreter, function):
        """Run `function`'s body with the positions and names of the module that defined it;
        compiles and deferred bodies met in another module are not the checked file's."""
        if self._home is None:
            self._home = {name: getattr(interpreter, name) for name in MODULE_STATE}
        owner = _OWNERS.get(_root(function.env))
        target = {name: getattr(owner, name) for name in MODULE_STATE} if owner is not None else self._home
        if target["wrapper"] is interpreter.wrapper:
            yield
            return
        saved = {name: getattr(interpreter, name) for name in MODULE_STATE}
        deferred, compiles = len(interpreter._deferred), len(interpreter.compiles)
        for name, value in target.items():
            setattr(interpreter, name, value)
        try:
            yield
        finally:
            for name, value in saved.items():
                setattr(interpreter, name, value)
            del interpreter._deferred[deferred:]
            home = self._home["path"]
            interpreter.compiles[compiles:] = [c for c in interpreter.compiles[compiles:] if c.ref.path == home]


_WITH_STATEMENTS = None  # what holds statements (libcst imported on first use)


def _statement_kinds():
    import libcst as cst

    return (cst.Module, cst.BaseStatement, cst.BaseSuite, cst.Else, cst.ExceptHandler, cst.ExceptStarHandler,
            cst.Finally, cst.MatchCase)


def _recall(key: tuple, chain: frozenset, fits=None) -> _Memo | None:
    """A memoised summary valid for an importer whose chain of modules being summarised is
    `chain`, whose files are unchanged, and that `fits`."""
    for memo in _MEMO.get(key, ()):
        if (memo.asked & chain == memo.in_progress and (fits is None or fits(memo))
                and unchanged(memo.dependencies)):
            return memo
    return None


def _assigned_attributes(interpreter) -> frozenset[str]:
    """Qualified names of imported attributes the module assigns (`config.EPOCHS = 5`)."""
    import libcst as cst

    global _WITH_STATEMENTS
    if _WITH_STATEMENTS is None:
        _WITH_STATEMENTS = _statement_kinds()
    found = set()

    def target(node) -> None:
        if isinstance(node, cst.Attribute):
            name = interpreter.names.symbol(node)
            if name:
                found.add(name)
        elif isinstance(node, (cst.Tuple, cst.List)):
            for element in node.elements:
                target(element.value)

    # assignments are statements: only statements and their bodies are walked, never the
    # expressions (a generic visitor spent most of a project-wide run in them)
    stack = [interpreter.wrapper.module]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Assign):
            for assigned in node.targets:
                target(assigned.target)
        elif isinstance(node, (cst.AugAssign, cst.AnnAssign)):
            target(node.target)
        elif isinstance(node, _WITH_STATEMENTS):
            for field in ("body", "orelse", "handlers", "finalbody", "cases"):
                inner = getattr(node, field, None)
                if isinstance(inner, (list, tuple)):
                    stack.extend(inner)
                elif inner is not None:
                    stack.append(inner)
    return frozenset(found)


def _imports(tree) -> tuple[dict, list]:
    """Names bound by the module's top-level imports → what they import; star-imported modules."""
    import libcst as cst

    from ..callargs import dotted

    imported, stars = {}, []
    for statement in tree.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom):
                module = "." * len(small.relative) + (dotted(small.module) if small.module else "")
                if isinstance(small.names, cst.ImportStar):
                    stars.append(module)
                    continue
                for alias in small.names:
                    name = dotted(alias.name)
                    bound = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) \
                        else name
                    imported[bound] = f"{module}.{name}" if not module.endswith(".") else f"{module}{name}"
            elif isinstance(small, cst.Import):
                for alias in small.names:
                    name = dotted(alias.name)
                    if alias.asname and isinstance(alias.asname.name, cst.Name):
                        imported[alias.asname.name.value] = name
    return imported, stars


def _is_file(fingerprint_: str) -> bool:
    return fingerprint_ not in (ABSENT, DIRECTORY)


def _root(env):
    while getattr(env, "parent", None) is not None:
        env = env.parent
    return env


def _shown(path: str, like: str) -> str:
    """`path` spelled like the checked file's path is (relative to the working directory or not)."""
    if os.path.isabs(like):
        return path
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def exported(value: object) -> object:
    """What an importer receives for a module's top-level value (lists and dicts copied)."""
    from . import values as v

    if isinstance(value, (v.Const, v.Symbol, v.Loss, v.Metric, v.Activation, v.Labels, v.Function,
                          v.UserClass)):
        return value
    if isinstance(value, v.Seq):
        return v.Seq([exported(item) for item in value.items], value.ref)
    if isinstance(value, v.Mapping_):
        return v.Mapping_({key: exported(item) for key, item in value.items.items()}, value.ref)
    return v.UNKNOWN


# ---------------------------------------------------------------------------- findings


def localize(diagnostics, path: str, site: SourceRef):
    """Findings as the checked file reports them: an anchor in another module moves to `site`
    (the `compile()` of this file) with a note where it was; a "(line N)" of the message that
    means a line of another module names it; fixes editing another file are dropped (a fix
    applies to the file being checked only)."""
    for diagnostic in diagnostics:
        changes: dict = {}
        fixes = tuple(f for f in diagnostic.fixes if _here(f.target, path))
        if fixes != diagnostic.fixes:
            changes["fixes"] = fixes
        elsewhere = [r.ref for r in diagnostic.related if not _here(r.ref, path)]
        if not _here(diagnostic.anchor, path):
            elsewhere.append(diagnostic.anchor)
            if all(r.ref != diagnostic.anchor for r in diagnostic.related):
                note = Related(f"found in {os.path.basename(diagnostic.anchor.path)}", diagnostic.anchor)
                changes["related"] = (note, *diagnostic.related)
            changes.update(anchor=site, filename=site.path)
        message = diagnostic.message
        for ref in elsewhere:
            if f"(line {ref.line})" in message and not any(r.line == ref.line for r in _local(diagnostic, path)):
                message = message.replace(f"(line {ref.line})", f"({os.path.basename(ref.path)}, line {ref.line})")
        if message != diagnostic.message:
            changes["message"] = message
        yield replace(diagnostic, **changes) if changes else diagnostic


def _local(diagnostic, path: str) -> list[SourceRef]:
    return [r.ref for r in diagnostic.related if _here(r.ref, path)]


def _here(ref: SourceRef, path: str) -> bool:
    return ref is None or ref.path is None or ref.path == path


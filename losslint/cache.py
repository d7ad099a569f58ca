"""Results cached per file content, in `.losslint_cache/` at the project root (like `.ruff_cache`).

An entry is keyed by a hash of: the losslint build (version + size and mtime of its own modules,
so an edited checkout never reads stale results), the rule codes in effect for the file, the
path as reported, and the file's bytes. A changed file — e.g. rewritten by `--fix` — simply has
a new key; nothing is ever invalidated. Entries are JSON (never pickle: a cache directory
shipped inside a repository must not be able to run code) and only whitelisted diagnostic
classes are rebuilt from them.

Writes go to a temporary file in the same directory, renamed over the entry: concurrent runs and
a killed process leave either no entry or a whole one. An entry that cannot be read or decoded is
a miss and is rewritten. If the directory cannot be written, the run goes on uncached.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from . import __version__, diagnostics

DIRECTORY = ".losslint_cache"
_CLASSES = {cls.__name__: cls for cls in (diagnostics.Diagnostic, diagnostics.SourceRef, diagnostics.Related,
                                          diagnostics.FixIntent, diagnostics.Edit, diagnostics.Fix)}
_ENUMS = {cls.__name__: cls for cls in (diagnostics.Applicability, diagnostics.Confidence)}


def project_root(start: str | None = None) -> str:
    """The nearest directory at or above `start` holding pyproject.toml or .git, else `start`."""
    start = os.path.abspath(start or os.getcwd())
    current = start
    while True:
        if os.path.exists(os.path.join(current, "pyproject.toml")) or os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return start
        current = parent


def build_fingerprint() -> str:
    """The losslint version plus the size and mtime of each of its modules."""
    package = Path(__file__).resolve().parent
    stamp = hashlib.blake2b(__version__.encode(), digest_size=8)
    for module in sorted(package.rglob("*.py")):
        info = module.stat()
        stamp.update(f"{module.relative_to(package)}:{info.st_size}:{info.st_mtime_ns};".encode())
    return stamp.hexdigest()


@dataclasses.dataclass(frozen=True)
class Cache:
    """Picklable (sent to worker processes): just where the entries live."""

    directory: str  # <root>/.losslint_cache/<build fingerprint>

    @classmethod
    def at(cls, root: str | None = None) -> "Cache":
        return cls(os.path.join(project_root(root), DIRECTORY, build_fingerprint()))

    def key(self, path: str, codes: frozenset[str], data: bytes, project=None) -> str:
        digest = hashlib.blake2b(digest_size=20)
        digest.update(f"{path}\0{','.join(sorted(codes))}\0".encode("utf-8", "surrogateescape"))
        if project is not None:  # the checked directories decide which imports are followed
            digest.update(f"project\0{project.cache_text()}\0".encode("utf-8", "surrogateescape"))
        digest.update(data)
        return digest.hexdigest()

    # A file checked project-wide also depends on the project modules it imports. Which ones is
    # known only after analysing it, so `key` leads to a list of dependencies (every file read or
    # probed, with its fingerprint, as `static.project` recorded them) and the result is stored
    # under `key` + their current fingerprints: editing an imported module, or creating a module
    # that a probe found absent, gives a new key. The analysis probes the same files as long as
    # they are unchanged, so one list per `key` suffices.

    def dependent_key(self, key: str) -> str | None:
        """The key of the result of the file keyed `key` given its imported modules as they are
        now; None when no run recorded its dependencies."""
        from .static.engine.project import fingerprint

        try:
            with open(self._entry(key + ".deps"), encoding="utf-8") as handle:
                paths = json.load(handle)["paths"]
            if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
                return None
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            return None
        return _with_dependencies(key, {path: fingerprint(path) for path in paths})

    def put_dependencies(self, key: str, dependencies: dict[str, str]) -> str:
        """Record which files the result of `key` depends on; returns the key to store it under."""
        self._write(key + ".deps", json.dumps({"paths": sorted(dependencies)}))
        return _with_dependencies(key, dependencies)

    def _entry(self, key: str) -> str:
        return os.path.join(self.directory, key[:2], key + ".json")

    def get(self, key: str):
        """The cached `FileResult`, or None for a miss or an unreadable entry."""
        from .static.check import FileResult

        try:
            with open(self._entry(key), encoding="utf-8") as handle:
                entry = json.load(handle, object_hook=_decode)
            found, suppressed = list(entry["diagnostics"]), list(entry["suppressed"])
            fixes = {d: fix for d, fix in entry["fixes"]}
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            return None
        if (all(isinstance(d, diagnostics.Diagnostic) for d in [*found, *suppressed, *fixes])
                and all(isinstance(f, diagnostics.Fix) for f in fixes.values())):
            return FileResult(found, suppressed, fixes)
        return None

    def put(self, key: str, result) -> None:
        entry = {"diagnostics": result.diagnostics, "suppressed": result.suppressed,
                 "fixes": [[d, fix] for d, fix in result.fixes.items()]}
        try:
            text = json.dumps(entry, default=_encode)
            if json.loads(text, object_hook=_decode) != entry:  # (enums compare equal to strings: _plain)
                return  # something does not survive JSON: never cache what would come back different
        except (TypeError, ValueError):
            return
        self._write(key, text)

    def _write(self, key: str, text: str) -> None:
        try:
            self._prepare()
            shard = os.path.dirname(self._entry(key))
            os.makedirs(shard, exist_ok=True)
            fd, temporary = tempfile.mkstemp(prefix=".tmp-", dir=shard)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
                os.replace(temporary, self._entry(key))
            except BaseException:
                _unlink(temporary)
                raise
        except (OSError, TypeError, ValueError):
            pass  # read-only checkout, full disk…: stay correct, just uncached

    def _prepare(self) -> None:
        """Create the cache directory (git-ignored, tagged) and drop entries of other builds."""
        if os.path.isdir(self.directory):
            return
        top = os.path.dirname(self.directory)
        os.makedirs(self.directory, exist_ok=True)
        for name, content in ((".gitignore", "# created by losslint\n*\n"),
                              ("CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n")):
            if not os.path.exists(os.path.join(top, name)):
                with open(os.path.join(top, name), "w", encoding="utf-8") as handle:
                    handle.write(content)
        if os.path.basename(top) != DIRECTORY:
            return  # only ever prune inside a .losslint_cache directory
        for name in os.listdir(top):
            old = os.path.join(top, name)
            if old != self.directory and os.path.isdir(old):
                shutil.rmtree(old, ignore_errors=True)


def _with_dependencies(key: str, dependencies: dict[str, str]) -> str:
    digest = hashlib.blake2b(key.encode(), digest_size=20)
    for path in sorted(dependencies):
        digest.update(f"{path}\0{dependencies[path]}\0".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _encode(value):
    if dataclasses.is_dataclass(value) and type(value).__name__ in _CLASSES:
        fields = {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"__class__": type(value).__name__, **fields}
    raise TypeError(f"not cacheable: {type(value).__name__}")


def _plain(value):
    """Tuples and enums marked (JSON would turn them into lists and bare strings)."""
    if isinstance(value, enum.Enum):
        return {"__enum__": type(value).__name__, "value": value.value}
    if isinstance(value, tuple):
        return {"__tuple__": [_plain(item) for item in value]}
    return value


def _decode(obj: dict):
    if "__tuple__" in obj:
        return tuple(obj["__tuple__"])
    if "__enum__" in obj:
        return _ENUMS[obj["__enum__"]](obj["value"])
    if "__class__" in obj:
        cls = _CLASSES[obj.pop("__class__")]
        return cls(**obj)
    return obj


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass

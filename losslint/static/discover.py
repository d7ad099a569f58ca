"""Find the files to lint: explicit files always, directories recursively.

Skips hidden directories, virtual environments, caches, paths matched by the configured
`exclude` patterns and paths ignored by `.gitignore` (the `.gitignore` files of the walked tree
and of its parents up to the repository root). Files named explicitly are always linted, like
ruff, unless `force_exclude` is set: then `exclude` and `.gitignore` apply to them too (what the
pre-commit hook wants, since pre-commit passes every staged file explicitly).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable

import pathspec

#: `exclude(path, is_dir) -> bool`, e.g. `config.Settings.is_excluded`
Exclude = Callable[[str, bool], bool]

SUFFIXES = (".py", ".ipynb")
SKIPPED_DIRS = frozenset({"__pycache__", "node_modules", "site-packages", "build", "dist"})


@dataclass
class Discovery:
    files: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def discover(paths: list[str], suffixes: tuple[str, ...] = SUFFIXES, *, exclude: Exclude | None = None,
             force_exclude: bool = False) -> Discovery:
    found = Discovery()
    seen: set[str] = set()
    for path in paths:
        if os.path.isdir(path):
            if force_exclude and is_excluded(path, exclude, is_dir=True):
                continue
            for file in _walk(path, suffixes, found, exclude):
                if file not in seen:
                    seen.add(file)
                    found.files.append(file)
        elif os.path.exists(path) or os.path.islink(path):
            if force_exclude and is_excluded(path, exclude, is_dir=False):
                continue
            if path not in seen:
                seen.add(path)
                found.files.append(path)
        else:
            found.problems.append((path, "cannot read: No such file or directory"))
    return found


def is_excluded(path: str, exclude: Exclude | None, *, is_dir: bool) -> bool:
    """Whether an explicitly named path is excluded by the patterns, by `.gitignore`, or lies in an
    excluded directory (what `--force-exclude` applies)."""
    absolute = os.path.abspath(path)
    specs = _parent_ignores(absolute, include_own=is_dir)
    parts = [absolute]
    parent = os.path.dirname(absolute)
    while parent != os.path.dirname(parent):
        parts.append(parent)
        parent = os.path.dirname(parent)
    for i, candidate in enumerate(parts):
        candidate_is_dir = is_dir or i > 0
        if exclude is not None and exclude(candidate, candidate_is_dir):
            return True
        active = [(base, spec) for base, spec in specs if _within(candidate, base) and candidate != base]
        if active and _ignored(candidate, active, is_dir=candidate_is_dir):
            return True
    return False


def _walk(root: str, suffixes: tuple[str, ...], found: Discovery, exclude: Exclude | None = None):
    specs = _parent_ignores(root)

    def on_error(error: OSError) -> None:
        found.problems.append((error.filename or root, f"cannot read directory: {error.strerror or error}"))

    for directory, dirnames, filenames in os.walk(root, onerror=on_error):
        local = _ignore_file(directory)
        if local is not None:
            specs = specs + [local]
        active = [(base, spec) for base, spec in specs if _within(directory, base)]
        dirnames[:] = sorted(
            d for d in dirnames
            if not d.startswith(".") and d not in SKIPPED_DIRS
            and not os.path.exists(os.path.join(directory, d, "pyvenv.cfg"))
            and not _ignored(os.path.join(directory, d), active, is_dir=True)
            and not (exclude is not None and exclude(os.path.join(directory, d), True))
        )
        for name in sorted(filenames):
            path = os.path.join(directory, name)
            if (name.endswith(suffixes) and not _ignored(path, active, is_dir=False)
                    and not (exclude is not None and exclude(path, False))):
                yield path


def _ignore_file(directory: str):
    path = os.path.join(directory, ".gitignore")
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return os.path.abspath(directory), pathspec.GitIgnoreSpec.from_lines(handle)
    except OSError:
        return None


def _parent_ignores(root: str, include_own: bool = False) -> list:
    """`.gitignore` files above `root` (and of `root` itself with `include_own`), up to the
    directory that holds `.git`."""
    specs = []
    current = os.path.abspath(root) if include_own else os.path.dirname(os.path.abspath(root))
    while True:
        spec = _ignore_file(current)
        if spec is not None:
            specs.insert(0, spec)
        if os.path.exists(os.path.join(current, ".git")) or os.path.dirname(current) == current:
            break
        current = os.path.dirname(current)
    if not os.path.exists(os.path.join(current, ".git")):
        return []  # not in a repository: parent ignore files do not apply
    return specs


def _within(directory: str, base: str) -> bool:
    absolute = os.path.abspath(directory)
    return absolute == base or absolute.startswith(base + os.sep)


def _ignored(path: str, specs, *, is_dir: bool) -> bool:
    absolute = os.path.abspath(path)
    for base, spec in specs:
        relative = os.path.relpath(absolute, base).replace(os.sep, "/")
        if spec.match_file(relative + ("/" if is_dir else "")):
            return True
    return False

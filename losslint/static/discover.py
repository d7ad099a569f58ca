"""Find the files to lint: explicit files always, directories recursively.

Skips hidden directories, virtual environments, caches and paths ignored by `.gitignore`
(the `.gitignore` files of the walked tree and of its parents up to the repository root).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pathspec

SUFFIXES = (".py",)
SKIPPED_DIRS = frozenset({"__pycache__", "node_modules", "site-packages", "build", "dist"})


@dataclass
class Discovery:
    files: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def discover(paths: list[str], suffixes: tuple[str, ...] = SUFFIXES) -> Discovery:
    found = Discovery()
    seen: set[str] = set()
    for path in paths:
        if os.path.isdir(path):
            for file in _walk(path, suffixes, found):
                if file not in seen:
                    seen.add(file)
                    found.files.append(file)
        elif os.path.exists(path) or os.path.islink(path):
            if path not in seen:
                seen.add(path)
                found.files.append(path)
        else:
            found.problems.append((path, "cannot read: No such file or directory"))
    return found


def _walk(root: str, suffixes: tuple[str, ...], found: Discovery):
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
        )
        for name in sorted(filenames):
            path = os.path.join(directory, name)
            if name.endswith(suffixes) and not _ignored(path, active, is_dir=False):
                yield path


def _ignore_file(directory: str):
    path = os.path.join(directory, ".gitignore")
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return os.path.abspath(directory), pathspec.GitIgnoreSpec.from_lines(handle)
    except OSError:
        return None


def _parent_ignores(root: str) -> list:
    """`.gitignore` files above `root`, up to the directory that holds `.git`."""
    specs = []
    current = os.path.dirname(os.path.abspath(root))
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

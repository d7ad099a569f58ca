"""`[tool.losslint]` in pyproject.toml, merged with the command line (the command line wins).

```toml
[tool.losslint]
select = ["LL1", "LL2"]            # replaces the default rule set
extend-select = ["LL901"]          # adds to it
ignore = ["LL111"]                 # removes from it
per-file-ignores = { "notebooks/*.ipynb" = ["LL106"], "tests/**" = ["LL"] }
exclude = ["build", "third_party/"] # replaces the default exclusions (gitignore-style patterns)
extend-exclude = ["legacy/**"]     # adds to them
output-format = "full"             # the default of --output-format
```

The configuration is the `pyproject.toml` nearest to the current directory (walking up) that has a
`[tool.losslint]` table, or the file given with `--config`. Patterns and per-file globs are
gitignore-style, relative to the directory of that file. Rule selection is layered like ruff's:
the config's `select`/`extend-select`/`ignore` apply to the defaults, then the command line's on
top (a command-line `--select` replaces everything before it). On the command line, `--exclude`
replaces `exclude`, `--extend-exclude` adds to it, `--per-file-ignores PATTERN:CODES` replaces the
`per-file-ignores` table and `--extend-per-file-ignores PATTERN:CODES` adds to it (like ruff). Unknown keys, wrong types and unknown
rule codes raise `ConfigError` (the CLI turns it into a usage error, exit code 2).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Iterable

import pathspec

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

from .registry import UnknownSelector, select_codes

#: like ruff's default `exclude`
DEFAULT_EXCLUDE = (
    ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".ipynb_checkpoints", ".mypy_cache", ".nox",
    ".pants.d", ".pyenv", ".pytest_cache", ".pytype", ".ruff_cache", ".svn", ".tox", ".venv", ".vscode",
    "__pypackages__", "_build", "buck-out", "build", "dist", "node_modules", "site-packages", "venv",
)
KNOWN_KEYS = ("select", "extend-select", "ignore", "per-file-ignores", "exclude", "extend-exclude", "output-format")
OUTPUT_FORMATS = ("text", "concise", "full", "json", "json-lines", "sarif", "github", "gitlab", "junit")


class ConfigError(ValueError):
    """An invalid configuration; the message names the file and the key."""


@dataclass(frozen=True)
class Selection:
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


@dataclass
class Settings:
    """The effective configuration of one run."""

    root: str  # directory patterns are relative to (the config file's directory, else the cwd)
    path: str | None = None  # the pyproject.toml read, if any
    codes: frozenset[str] = frozenset()
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()  # (pattern, codes)
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    output_format: str | None = None  # `output-format` of the config file
    _exclude_spec: pathspec.PathSpec | None = field(default=None, repr=False)
    _per_file_specs: list | None = field(default=None, repr=False)

    def _relative(self, path: str) -> str | None:
        relative = os.path.relpath(os.path.abspath(path), self.root)
        if relative == os.curdir or relative.startswith(os.pardir + os.sep) or relative == os.pardir:
            return None
        return relative.replace(os.sep, "/")

    def is_excluded(self, path: str, is_dir: bool) -> bool:
        """Whether `path` matches an `exclude` / `extend-exclude` pattern."""
        if self._exclude_spec is None:
            self._exclude_spec = pathspec.PathSpec.from_lines("gitwildmatch", self.exclude)
        relative = self._relative(path)
        if relative is None:
            return False
        return self._exclude_spec.match_file(relative + ("/" if is_dir else ""))

    def codes_for(self, path: str) -> frozenset[str]:
        """The rule codes that apply to `path` after `per-file-ignores`."""
        if not self.per_file_ignores:
            return self.codes
        if self._per_file_specs is None:
            self._per_file_specs = [(pathspec.PathSpec.from_lines("gitwildmatch", [pattern]), codes)
                                    for pattern, codes in self.per_file_ignores]
        relative = self._relative(path) or os.path.basename(path)
        codes = set(self.codes)
        for spec, ignored in self._per_file_specs:
            if spec.match_file(relative):
                codes -= ignored
        return frozenset(codes)


def find_pyproject(start: str) -> str | None:
    """The nearest pyproject.toml at or above `start` that has a `[tool.losslint]` table."""
    current = os.path.abspath(start)
    while True:
        candidate = os.path.join(current, "pyproject.toml")
        if os.path.isfile(candidate):
            try:
                if "losslint" in (_read_toml(candidate).get("tool") or {}):
                    return candidate
            except ConfigError:
                raise
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _read_toml(path: str) -> dict:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}") from None


def read_table(path: str) -> dict:
    """The `[tool.losslint]` table of `path` (a pyproject.toml), checked for unknown keys and types."""
    data = _read_toml(path)
    table = (data.get("tool") or {}).get("losslint")
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: `tool.losslint` must be a table")
    unknown = sorted(set(table) - set(KNOWN_KEYS))
    if unknown:
        raise ConfigError(f"{path}: unknown key{'s' if len(unknown) > 1 else ''} "
                          f"{', '.join(_with_suggestion(k) for k in unknown)} in [tool.losslint] "
                          f"(known: {', '.join(KNOWN_KEYS)})")
    for key in ("select", "extend-select", "ignore", "exclude", "extend-exclude"):
        if key in table and not _is_string_list(table[key]):
            raise ConfigError(f"{path}: `{key}` in [tool.losslint] must be a list of strings")
    if "output-format" in table and table["output-format"] not in OUTPUT_FORMATS:
        raise ConfigError(f"{path}: `output-format` in [tool.losslint] must be one of {', '.join(OUTPUT_FORMATS)}")
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict) or not all(_is_string_list(v) for v in per_file.values()):
        raise ConfigError(f"{path}: `per-file-ignores` in [tool.losslint] must map glob patterns to lists of "
                          f"rule codes")
    return table


def _with_suggestion(key: str) -> str:
    """`selct` → "`selct` (did you mean `select`?)", like ruff's unknown-field error."""
    import difflib

    spelled = key.replace("_", "-").lower()
    close = [k for k in KNOWN_KEYS if k == spelled] or difflib.get_close_matches(spelled, KNOWN_KEYS, n=1, cutoff=0.6)
    return f"`{key}` (did you mean `{close[0]}`?)" if close else f"`{key}`"


def _is_string_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _expand(selectors: Iterable[str], where: str) -> frozenset[str]:
    try:
        return select_codes(list(selectors))
    except UnknownSelector as error:
        raise ConfigError(f"{error} in {where}") from None


def layered_codes(layers: list[tuple[Selection, str]]) -> frozenset[str]:
    """Apply selection layers in order (defaults, then config, then CLI), like ruff."""
    codes = select_codes()
    for selection, where in layers:
        if selection.select is not None:
            codes = _expand(selection.select, f"`select` from {where}")
        if selection.extend_select:
            codes = codes | _expand(selection.extend_select, f"`extend-select` from {where}")
        if selection.ignore:
            codes = codes - _expand(selection.ignore, f"`ignore` from {where}")
    return frozenset(codes)


def load_settings(cli: Selection = Selection(), *, config_path: str | None = None, start: str | None = None,
                  cli_per_file_ignores: Iterable[tuple[str, str]] | None = None,
                  cli_extend_per_file_ignores: Iterable[tuple[str, str]] = (),
                  cli_exclude: Iterable[str] | None = None, cli_extend_exclude: Iterable[str] = ()) -> Settings:
    """The settings of a run: `--config PATH` or the nearest pyproject.toml, then the CLI on top.
    `cli_per_file_ignores` / `cli_exclude` (None: not given) replace the file's table / list;
    the `cli_extend_*` add to them. Per-file pairs are (glob, comma-separated codes)."""
    if config_path is not None:
        if not os.path.isfile(config_path):
            raise ConfigError(f"config file not found: {config_path}")
        path: str | None = os.path.abspath(config_path)
    else:
        path = find_pyproject(start or os.getcwd())
    table = read_table(path) if path else {}
    where = os.path.relpath(path) if path else ""
    layers = []
    if table:
        layers.append((Selection(tuple(table["select"]) if "select" in table else None,
                                 tuple(table.get("extend-select", ())), tuple(table.get("ignore", ()))), where))
    layers.append((cli, "the command line"))
    codes = layered_codes(layers)
    per_file = [] if cli_per_file_ignores is not None else [
        (pattern, _expand(codes_list, f"`per-file-ignores` from {where}"))
        for pattern, codes_list in table.get("per-file-ignores", {}).items()]
    for option, pairs in (("--per-file-ignores", cli_per_file_ignores or ()),
                          ("--extend-per-file-ignores", cli_extend_per_file_ignores)):
        for pattern, code_text in pairs:
            per_file.append((pattern, _expand([c for c in code_text.split(",") if c.strip()],
                                              f"`{option}` from the command line")))
    if cli_exclude is not None:
        exclude = tuple(cli_exclude)
    else:
        exclude = tuple(table["exclude"]) if "exclude" in table else DEFAULT_EXCLUDE
    exclude += tuple(table.get("extend-exclude", ())) + tuple(cli_extend_exclude)
    root = os.path.dirname(path) if path else os.path.abspath(start or os.getcwd())
    return Settings(root=root, path=path, codes=codes, per_file_ignores=tuple(per_file), exclude=exclude,
                    output_format=table.get("output-format"))

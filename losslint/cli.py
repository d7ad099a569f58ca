"""The `losslint` command. The only module that imports click.

Exit codes (like ruff): 0 no findings, 1 findings, 2 usage or internal error.
"""

from __future__ import annotations

import os
import sys
import traceback

import click

from . import __version__


def _split(values: tuple[str, ...]) -> list[str]:
    """`--select LL1,LL2 --select LL9` → ["LL1", "LL2", "LL9"]."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


class _Group(click.Group):
    """`losslint --help` lists each command with its whole first sentence (click cuts at 45
    characters and at "e.g.")."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                first = (command.short_help or (command.help or "").split("\n\n")[0]).strip()
                rows.append((name, " ".join(first.split())))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="losslint")
def main() -> None:
    """Find Keras and PyTorch models whose last layer, loss (from_logits) and labels do not fit together.

    `losslint check` reads code without running it; `losslint run` and `import losslint;
    losslint.install()` check the live model at compile/fit and at each loss's first call.
    """


def _pattern_codes(values: tuple[str, ...]) -> list[tuple[str, str]]:
    """`--per-file-ignores "tests/*:LL1,LL2"` → [("tests/*", "LL1,LL2")] (split at the last colon)."""
    pairs = []
    for value in values:
        pattern, colon, codes = value.rpartition(":")
        if not colon or not pattern.strip() or not codes.strip():
            raise click.BadParameter(f"expected PATTERN:CODES (e.g. \"tests/*.py:LL101,LL2\"), got {value!r}",
                                     param_hint="--per-file-ignores")
        pairs.append((pattern.strip(), codes))
    return pairs


#: `text` and `concise` are the same one-line-per-finding format; `full` adds the source frame
OUTPUT_FORMATS = ["text", "concise", "full", "json", "json-lines", "sarif", "github", "gitlab", "junit"]


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--select", multiple=True, help="Rule codes or prefixes to enable (replaces the default set); ALL for every rule.")
@click.option("--extend-select", multiple=True, help="Rule codes or prefixes to enable on top of the default set.")
@click.option("--ignore", multiple=True, help="Rule codes or prefixes to disable.")
@click.option("--output-format", type=click.Choice(OUTPUT_FORMATS), default=None,
              envvar="LOSSLINT_OUTPUT_FORMAT",
              help="Output format (default: `output-format` of [tool.losslint], else text; env: "
                   "LOSSLINT_OUTPUT_FORMAT). full shows the source with a caret under each finding.")
@click.option("-o", "--output-file", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the report to this file instead of standard output.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="Read [tool.losslint] from this pyproject.toml instead of the nearest one.")
@click.option("--exclude", multiple=True, metavar="PATTERN",
              help="Gitignore-style patterns to skip, replacing `exclude` (and the default exclusions).")
@click.option("--extend-exclude", multiple=True, metavar="PATTERN", help="Patterns to skip on top of `exclude`.")
@click.option("--per-file-ignores", multiple=True, metavar="PATTERN:CODES",
              help='Rules to ignore in matching files, replacing the config\'s table (e.g. "tests/*:LL2").')
@click.option("--extend-per-file-ignores", multiple=True, metavar="PATTERN:CODES",
              help="Like --per-file-ignores, on top of the config's table.")
@click.option("--force-exclude", is_flag=True,
              help="Apply `exclude` and .gitignore to paths given explicitly too (for pre-commit).")
@click.option("--stdin-filename", default=None, help="The name to report for standard input (with `-` as path).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings are reported.")
@click.option("--statistics", is_flag=True, help="Show the number of findings per rule instead of the findings.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes (default: all cores).")
@click.option("--no-cache", is_flag=True, envvar="LOSSLINT_NO_CACHE",
              help="Neither read nor write the cache (.losslint_cache/ in the project root; env: LOSSLINT_NO_CACHE).")
@click.option("--fix", is_flag=True, help="Apply safe fixes; report what is left.")
@click.option("--unsafe-fixes", is_flag=True, help="Also offer and apply fixes that change the model's outputs.")
@click.option("--diff", is_flag=True, help="Print the unified diff of what --fix would change; change nothing.")
@click.option("--add-noqa", is_flag=True, help="Add `# noqa: CODE` to the line of every finding (existing comments kept).")
@click.option("-q", "--quiet", is_flag=True, help="Print the findings only: no summary, no hints.")
@click.option("-w", "--watch", is_flag=True, help="Check again whenever a checked file changes (Ctrl-C stops).")
@click.option("--show-settings", is_flag=True, help="Print the settings in effect (config file, rules, exclusions) and exit.")
@click.option("--show-files", is_flag=True, help="Print the files that would be checked and exit.")
def check(paths, select, extend_select, ignore, output_format, output_file, config_path, exclude, extend_exclude,
          per_file_ignores, extend_per_file_ignores, force_exclude, stdin_filename, exit_zero, statistics, jobs,
          no_cache, fix, unsafe_fixes, diff, add_noqa, quiet, watch, show_settings, show_files) -> None:
    """Lint PATHS (files, directories, or `-` for standard input; default: the current directory)."""
    settings_options = dict(exclude=exclude or None, extend_exclude=extend_exclude,
                            per_file_ignores=_pattern_codes(per_file_ignores) if per_file_ignores else None,
                            extend_per_file_ignores=_pattern_codes(extend_per_file_ignores))
    if show_settings or show_files:
        settings = _settings(select, extend_select, ignore, config_path, **settings_options)
        if show_settings:
            click.echo(_describe_settings(settings, output_format))
        else:
            from .static.discover import discover

            named = [p for p in paths if p != "-"]
            found = discover(named or ["."], exclude=settings.is_excluded, force_exclude=force_exclude) \
                if named or "-" not in paths else None
            for name in ([stdin_filename or "-"] if "-" in paths else []) + sorted(found.files if found else []):
                click.echo(name)
        sys.exit(0)
    if add_noqa and (fix or diff):
        raise click.UsageError("--add-noqa cannot be combined with --fix or --diff")
    if watch and "-" in paths:
        raise click.UsageError("--watch cannot read standard input")
    options = dict(select=select, extend_select=extend_select, ignore=ignore, output_format=output_format,
                   output_file=output_file, config_path=config_path, settings_options=settings_options,
                   force_exclude=force_exclude,
                   stdin_filename=stdin_filename, statistics=statistics, jobs=jobs, no_cache=no_cache, fix=fix,
                   unsafe_fixes=unsafe_fixes, diff=diff, add_noqa=add_noqa, quiet=quiet)
    if watch:
        _watch(list(paths), options)
    status = _check_once(list(paths), **options)
    sys.exit(0 if exit_zero and status == 1 else status)


def _check_once(paths, *, select, extend_select, ignore, output_format, output_file, config_path, settings_options,
                force_exclude, stdin_filename, statistics, jobs, no_cache, fix, unsafe_fixes, diff, add_noqa,
                quiet) -> int:
    """One run of `losslint check`; returns the exit status (0 clean, 1 findings)."""
    from .report import text as text_report
    from .report.terminal import Style, use_colour

    settings = _settings(select, extend_select, ignore, config_path, **settings_options)
    output_format = output_format or settings.output_format or "text"
    textual = output_format in TEXT_FORMATS
    from .static.engine.project import ProjectScope

    # imports between the project's modules are followed within the checked directories
    scope = ProjectScope.of_paths([p for p in paths if p != "-"] + ([stdin_filename] if stdin_filename else [])
                                  or ["."])
    from .progress import Progress

    stdin: list = []  # [(name, bytes)] when `-` is among the paths
    progress = None if quiet else Progress.on(sys.stderr)  # a terminal only, and only on long runs
    try:
        result = _collect(paths, settings, force_exclude=force_exclude, stdin_filename=stdin_filename, jobs=jobs,
                          cache=not no_cache, project=scope, stdin=stdin, progress=progress)
    finally:
        if progress is not None:
            progress.close()
    stdin_names = {stdin_filename or "-"} if "-" in paths else set()
    if add_noqa:
        from .static.add_noqa import add_noqa as add_directives

        added = add_directives(result.diagnostics, skip=stdin_names)
        if not quiet:
            skipped = f" ({added.skipped} skipped: the line cannot take a comment)" if added.skipped else ""
            click.echo(f"Added {added.directives} noqa directive{'' if added.directives == 1 else 's'}.{skipped}",
                       err=True)
        return 0
    from .static import fixer

    mode = "diff" if diff else "fix" if fix else "check"
    from_stdin = [d for d in result.diagnostics if d.filename in stdin_names]
    fixing = fixer.run([d for d in result.diagnostics if d.filename not in stdin_names], settings.codes_for,
                       mode=mode, unsafe=unsafe_fixes, realised=result.fixes, project=scope)
    fixed_stdin = _fix_stdin(stdin, from_stdin, fixing, settings, mode=mode, unsafe=unsafe_fixes, project=scope)
    if fixed_stdin is not None:  # `--fix -`: the fixed code on standard output, like ruff; the report on stderr
        click.echo(fixed_stdin, nl=False)
        if output_file is None:
            output_file = "-"
    colour = output_file is None and textual and use_colour(sys.stdout)
    style = Style(colour)
    if diff:
        _emit("".join(fixing.diffs).rstrip("\n"), output_file)
        if not quiet:
            click.echo(text_report.would_fix(fixing.fixed), err=True)
        return 1 if fixing.diffs else 0
    diagnostics = fixing.diagnostics

    if statistics and output_format in ("json", "json-lines"):  # ruff's shape: [{code, name, count, fixable}]
        import json

        report = json.dumps(text_report.statistics_rows(diagnostics, fixing.fixable), indent=2)
    elif statistics:
        report = text_report.statistics(diagnostics, fixing.fixable) if diagnostics else ""
        if result.suppressed:
            count = len(result.suppressed)
            report += ("\n" if report else "") + f"{count:>5}  suppressed by `# noqa`"
    else:
        report = _render(output_format, diagnostics, fixing, style, stdin)
    if (textual or statistics and output_format not in ("json", "json-lines")) and not quiet:
        report += ("\n\n" if report and output_format == "full" and not statistics else "\n" if report else "")
        report += text_report.summary(diagnostics, fixed=fixing.fixed, style=style)
        hint = text_report.fix_hint(*fixing.counts(), unsafe=unsafe_fixes)
        report += f"\n{hint}" if hint else ""
    _emit(report, output_file, colour=colour)
    return 1 if diagnostics else 0


def _fix_stdin(stdin: list, found: list, fixing, settings, *, mode: str, unsafe: bool, project) -> str | None:
    """Standard input's share of `fixing`: its findings, their realised fixes (for `[*]` and JSON),
    and with `--fix` / `--diff` the fixed text (returned for `--fix`) or its diff (added to `fixing`)."""
    from .static import fixer

    if not stdin:
        fixing.diagnostics = sorted(fixing.diagnostics + found, key=lambda d: d.sort_key)
        return None
    name, data = stdin[0]
    source = fixer.source_from_bytes(name, data)
    if source is None or not found:
        fixing.diagnostics = sorted(fixing.diagnostics + found, key=lambda d: d.sort_key)
        return data.decode(source.encoding if source else "utf-8", "surrogateescape") if mode == "fix" else None
    if mode == "check" or not any(intent.applicability.applied(unsafe) for d in found for intent in d.fixes):
        text, fixed, remaining = source.text, 0, found
        fixes = fixer.in_cells(name, text, fixer.realise_in(text, name, found)[1])
    else:
        text, fixed, remaining, fixes = fixer.fix_text(source.text, name, settings.codes_for(name), unsafe,
                                                       source.encoding, project)
        fixes = fixer.in_cells(name, text, fixes)
    fixing.fixes.update(fixes)
    fixing.diagnostics = sorted(fixing.diagnostics + list(remaining), key=lambda d: d.sort_key)
    if text != source.text:
        fixing.fixed += fixed
        if mode == "diff":
            fixing.diffs.append(fixer.unified_diff(source.text, text, name))
    return text if mode == "fix" else None


def _watch(paths: list[str], options: dict) -> None:
    """Check, then check again whenever a file under PATHS (or a pyproject.toml) changes; Ctrl-C ends."""
    import os
    import time

    from .report.terminal import use_colour

    def snapshot() -> dict[str, float]:
        from .static.discover import discover

        stamps = {}
        found = discover(paths or ["."])
        for name in [*found.files, "pyproject.toml"]:
            try:
                stamps[name] = os.stat(name).st_mtime_ns
            except OSError:
                pass
        return stamps

    try:
        while True:
            if use_colour(sys.stdout):
                click.echo("\x1b[2J\x1b[H", nl=False)  # clear the screen, like ruff --watch
            click.echo(f"[{time.strftime('%H:%M:%S')}] Checking…", err=True)
            _check_once(paths, **options)
            before = snapshot()
            click.echo("Watching for file changes (Ctrl-C to stop).", err=True)
            while snapshot() == before:
                time.sleep(0.5)
    except KeyboardInterrupt:
        sys.exit(0)


def _settings(select, extend_select, ignore, config_path, *, exclude=None, extend_exclude=(), per_file_ignores=None,
              extend_per_file_ignores=()):
    """Config file + command line; invalid values are usage errors (exit 2)."""
    from .config import ConfigError, Selection, load_settings

    cli = Selection(tuple(_split(select)) if select else None, tuple(_split(extend_select)), tuple(_split(ignore)))
    try:
        return load_settings(cli, config_path=config_path, cli_exclude=exclude, cli_extend_exclude=extend_exclude,
                             cli_per_file_ignores=per_file_ignores,
                             cli_extend_per_file_ignores=extend_per_file_ignores)
    except ConfigError as error:
        raise click.UsageError(str(error)) from None


def _describe_settings(settings, output_format: str | None) -> str:
    """`--show-settings`: what this run would use, one `key = value` per line (TOML-like)."""
    import json

    from .registry import all_rules

    rules = all_rules()
    codes = sorted(c for c in settings.codes if c in rules)
    lines = [f"# losslint {__version__}",
             f"config-file = {json.dumps(settings.path) if settings.path else '(none: built-in defaults)'}",
             f"root = {json.dumps(settings.root)}",
             f"output-format = {json.dumps(output_format or settings.output_format or 'text')}",
             "rules = ["] + [f"    {json.dumps(c)},  # {rules[c].name}" for c in codes] + ["]"]
    lines.append("per-file-ignores = {" + ", ".join(f"{json.dumps(p)} = {json.dumps(sorted(c))}"
                                                      for p, c in settings.per_file_ignores) + "}")
    lines.append("exclude = " + json.dumps(list(settings.exclude)))
    return "\n".join(lines)


def _collect(paths: list[str], settings, *, force_exclude: bool, stdin_filename: str | None, jobs, cache: bool = True,
             project=None, stdin: list | None = None, progress=None):
    """Discover and lint; `-` reads standard input as `--stdin-filename`."""
    from .api import FileResult, check_bytes, check_paths, unreadable
    from .static.discover import discover, is_excluded

    result = FileResult()
    if "-" in paths:
        paths = [p for p in paths if p != "-"]
        name = stdin_filename or "-"
        if not (force_exclude and stdin_filename and is_excluded(name, settings.is_excluded, is_dir=False)):
            data = sys.stdin.buffer.read()
            if stdin is not None:
                stdin.append((name, data))
            stdin_result = check_bytes(data, name, settings.codes_for(name), project=project)
            result.diagnostics += stdin_result.diagnostics
            result.suppressed += stdin_result.suppressed
        if not paths:
            return result
    found = discover(paths or ["."], exclude=settings.is_excluded, force_exclude=force_exclude)
    result.diagnostics += [unreadable(path, reason) for path, reason in found.problems if "LL900" in settings.codes]
    from .cache import Cache

    linted = check_paths(found.files, [settings.codes_for(f) for f in found.files], jobs=jobs,
                         cache=Cache.at() if cache else None, project=project, progress=progress)
    result.diagnostics = sorted(result.diagnostics + linted.diagnostics, key=lambda d: d.sort_key)
    result.suppressed += linted.suppressed
    result.fixes.update(linted.fixes)
    return result


TEXT_FORMATS = ("text", "concise", "full")


def _render(output_format: str, diagnostics, fixing, style=None, stdin=()) -> str:
    from .report import json as json_report, text as text_report

    if output_format == "full":
        return text_report.render_full(diagnostics, fixable=fixing.fixable, source=_SourceLines(stdin),
                                       **({"style": style} if style else {}))
    if output_format == "junit":
        from .report import junit

        return junit.render(diagnostics)

    if output_format == "json":
        return json_report.render(diagnostics, fix_of=fixing.fixes.get)
    if output_format == "json-lines":
        return json_report.render_lines(diagnostics, fix_of=fixing.fixes.get)
    if output_format in ("sarif", "github", "gitlab"):
        from .registry import all_rules
        from .report import github, sarif
        from .static.positions import FilePositions

        positions, root = FilePositions(), _repository_root()
        if output_format == "github":
            return github.render(diagnostics, root=root, physical=positions.physical)
        if output_format == "gitlab":  # paths relative to the checkout GitLab CI names, like ruff
            import os

            from .report import gitlab

            return gitlab.render(diagnostics, root=os.environ.get("CI_PROJECT_DIR") or root,
                                 physical=positions.physical, line_text=positions.line_text)
        return sarif.render(diagnostics, all_rules(), root=root, version=__version__,
                            physical=positions.physical, line_text=positions.line_text)
    return text_report.render(diagnostics, fixable=fixing.fixable, **({"style": style} if style else {}))


class _SourceLines:
    """The lines a finding is in, for the `full` format's frame: the file (read once), the cell of a
    notebook, or standard input."""

    def __init__(self, stdin=()) -> None:
        self.stdin = dict(stdin)
        self.texts: dict[str, str | None] = {}

    def __call__(self, d) -> list[str] | None:
        name = d.filename or d.anchor.path
        if not name:
            return None
        if name not in self.texts:
            from .static.fixer import read_source, source_from_bytes

            source = source_from_bytes(name, self.stdin[name]) if name in self.stdin else read_source(name)
            self.texts[name] = source.text if source is not None else None
        text = self.texts[name]
        if text is None:
            return None
        if d.anchor.cell is not None:
            from .static.notebook import NotebookError, load_json

            try:
                cell = load_json(text)["cells"][d.anchor.cell - 1]
            except (NotebookError, IndexError, KeyError, TypeError):
                return None
            text = cell.get("source", "")
            text = "".join(text) if isinstance(text, list) else text
        return text.splitlines()


def _repository_root() -> str:
    """The git work tree containing the current directory (what GitHub paths are relative to)."""
    import os

    current = os.getcwd()
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return os.getcwd()
        current = parent


def _emit(report: str, output_file: str | None, colour: bool = False) -> None:
    if output_file == "-":  # standard output carries the fixed code (`--fix -`): the report goes to stderr
        if report:
            click.echo(report, err=True)
        return
    if output_file is None:
        if report:
            click.echo(report, color=colour or None)
        return
    import os

    os.makedirs(os.path.dirname(os.path.abspath(output_file)), exist_ok=True)  # like ruff's --output-file
    with open(output_file, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(report + ("\n" if report else ""))


@main.command()
@click.option("--output-format", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
def rules(output_format: str) -> None:
    """List every rule: code, name, whether it is on by default, where it runs."""
    import json

    from .registry import all_rules

    catalog = all_rules().values()
    if output_format == "markdown":
        from .report.rule_docs import rules_table

        click.echo(rules_table(catalog))
        return
    if output_format == "json":
        click.echo(json.dumps([{"code": r.code, "name": r.name, "summary": r.summary, "default": r.default,
                                "static": r.static, "runtime": r.runtime, "fixable": r.fixable}
                               for r in catalog], indent=2))
        return
    click.echo(f"{'code':<6} {'name':<44} {'default':<8} {'static':<7} {'runtime':<8} fix")
    for r in catalog:
        click.echo(f"{r.code:<6} {r.name:<44} {'on' if r.default else 'off':<8} {'yes' if r.static else 'no':<7} "
                   f"{'yes' if r.runtime else 'no':<8} {'yes' if r.fixable else 'no'}")


@main.command()
@click.argument("code")
@click.option("--output-format", type=click.Choice(["text", "markdown"]), default="text", show_default=True,
              help="text: for reading in a terminal (coloured there); markdown: the source of docs/rules/CODE.md.")
def explain(code: str, output_format: str) -> None:
    """Print the documentation of rule CODE (LL101, LL203, …)."""
    from .registry import all_rules
    from .report.terminal import Style, render_markdown, use_colour

    rule = all_rules().get(code.strip().upper())
    if rule is None:
        raise click.UsageError(f"unknown rule `{code}` (`losslint rules` lists them)")
    markdown = f"# {rule.code} {rule.name}\n\n{rule.doc}"
    if output_format == "markdown":
        click.echo(markdown)
        return
    colour = use_colour(sys.stdout)
    click.echo(render_markdown(markdown, Style(colour)), color=colour or None)


@main.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.option("--mode", type=click.Choice(["warn", "raise"]), default="warn", show_default=True,
              help="warn: LossLintWarning; raise: LossLintError before training starts.")
@click.option("-m", "module", metavar="MODULE", default=None,
              help="Run library module MODULE as a script, like `python -m MODULE`.")
@click.argument("script", required=False, metavar="SCRIPT")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def run(mode: str, module: str | None, script: str | None, args: tuple[str, ...]) -> None:
    """Run SCRIPT [ARGS]... (or -m MODULE [ARGS]...) with the compile/fit hook installed, like `coverage run`.

    The exit status is the script's. `LOSSLINT=off|warn|raise` in the environment overrides --mode.
    """
    from .runtime.script import run_module, run_script

    if module is not None:
        sys.exit(run_module(module, [script, *args] if script is not None else list(args), mode=mode))
    if script is None:
        raise click.UsageError("missing SCRIPT (or -m MODULE)")
    if not os.path.isfile(script):
        raise click.BadParameter(f"File '{script}' does not exist.", param_hint="'SCRIPT'")
    sys.exit(run_script(script, list(args), mode=mode))


@main.command()
def server() -> None:
    """Run the Language Server over standard input/output (for editors; needs `losslint-ml[lsp]`)."""
    try:
        from .lsp.server import main as serve
    except ImportError as error:
        raise click.UsageError(f"`losslint server` needs pygls ({error}); install it with "
                               f"`pip install \"losslint-ml[lsp]\"`") from None
    serve()


def entry() -> None:
    """Console entry point: click's usage errors exit 2; an internal error also exits 2."""
    try:
        main(standalone_mode=True)
    except SystemExit:
        raise
    except Exception:  # a crash of the tool is a bug: say so, exit 2
        traceback.print_exc()
        click.echo("losslint: internal error (this is a bug, please report it)", err=True)
        sys.exit(2)

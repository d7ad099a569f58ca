"""The `losslint` command. The only module that imports click.

Exit codes (like ruff): 0 no findings, 1 findings, 2 usage or internal error.
"""

from __future__ import annotations

import sys
import traceback

import click

from . import __version__


def _split(values: tuple[str, ...]) -> list[str]:
    """`--select LL1,LL2 --select LL9` → ["LL1", "LL2", "LL9"]."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="losslint")
def main() -> None:
    """Find Keras models whose last layer, loss and labels do not fit together."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--select", multiple=True, help="Rule codes or prefixes to enable (replaces the default set); ALL for every rule.")
@click.option("--extend-select", multiple=True, help="Rule codes or prefixes to enable on top of the default set.")
@click.option("--ignore", multiple=True, help="Rule codes or prefixes to disable.")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings are reported.")
@click.option("--statistics", is_flag=True, help="Show the number of findings per rule instead of the findings.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes (default: all cores).")
def check(paths, select, extend_select, ignore, output_format, exit_zero, statistics, jobs) -> None:
    """Lint PATHS (files or directories; default: the current directory)."""
    from .api import lint_paths, unreadable
    from .registry import UnknownSelector, select_codes
    from .report import json as json_report, text as text_report
    from .static.discover import discover

    try:
        codes = select_codes(_split(select) if select else None, _split(ignore), _split(extend_select))
    except UnknownSelector as error:
        raise click.UsageError(str(error)) from None

    found = discover(list(paths) or ["."])
    diagnostics = [unreadable(path, reason) for path, reason in found.problems if "LL900" in codes]
    diagnostics += lint_paths(found.files, codes, jobs=jobs)
    diagnostics.sort(key=lambda d: d.sort_key)

    if statistics:
        if diagnostics:
            click.echo(text_report.statistics(diagnostics))
    elif output_format == "json":
        click.echo(json_report.render(diagnostics))
    elif diagnostics:
        click.echo(text_report.render(diagnostics))
    if output_format == "text":
        click.echo(text_report.summary(diagnostics))
    sys.exit(0 if exit_zero or not diagnostics else 1)


@main.command()
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(output_format: str) -> None:
    """List every rule: code, name, whether it is on by default, where it runs."""
    import json

    from .registry import all_rules

    catalog = all_rules().values()
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
def explain(code: str) -> None:
    """Print the documentation of rule CODE (e.g. LL101)."""
    from .registry import all_rules

    rule = all_rules().get(code.strip().upper())
    if rule is None:
        raise click.UsageError(f"unknown rule `{code}` (`losslint rules` lists them)")
    click.echo(f"# {rule.code} {rule.name}\n\n{rule.doc}")


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

"""Loss-site resolution measured without LL901: swap every loss for probes that are a mistake for
any output the analyzer could resolve, and count the sites that then get a finding.

    PYTHONPATH=. python benchmarks/probe_resolution.py DIR [DIR ...] [--list]

The tree is copied to a temporary directory twice, once per probe, and checked like `losslint
check DIR` would (project imports followed). Probes:

* Keras `compile(loss=...)`: `CategoricalCrossentropy(from_logits=True)` (softmax/sigmoid outputs
  give LL101, relu/tanh LL107) and `"categorical_crossentropy"` (linear and log-softmax outputs give
  LL106, one unit LL105); a resolved output gets a finding from at least one.
* PyTorch losses (`nn.CrossEntropyLoss()`, `F.cross_entropy`, the BCE and NLL losses): `NLLLoss` (a
  linear, softmax or sigmoid input gives LL109) and `BCELoss` (linear or log-softmax LL106, softmax
  over more than two units LL103); a resolved output gets a finding from at least one.

It prints, per directory: the probed sites, how many got a finding under a probe (resolved), how
many of the others LL901 reports, and the time. `--list` prints the sites no probe resolved.
Regression losses are not probed (the probes are classification losses).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time

import libcst as cst

from losslint.api import check_paths, default_codes
from losslint.static.discover import discover
from losslint.static.engine.project import ProjectScope

_KERAS_PROBES = ("_losslint_probe.losses.CategoricalCrossentropy(from_logits=True)", '"categorical_crossentropy"')
_KERAS_IMPORT = "\nimport keras as _losslint_probe  # the probe's own import (last: line numbers stay)\n"
_TORCH_PROBES = (("NLLLoss", "nll_loss"), ("BCELoss", "binary_cross_entropy"))
_TORCH_CLASSES = {"CrossEntropyLoss", "BCEWithLogitsLoss", "BCELoss", "NLLLoss"}
_TORCH_FUNCTIONS = {"cross_entropy", "binary_cross_entropy_with_logits", "binary_cross_entropy", "nll_loss"}


class _Probe(cst.CSTTransformer):
    """Replace the loss of every compile() and every PyTorch loss with probe number `which`."""

    def __init__(self, which: int):
        self.which = which
        self.sites = 0

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        func = updated.func
        name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
        if name == "compile" and isinstance(func, cst.Attribute):
            args = list(updated.args)
            for i, arg in enumerate(args):
                if (arg.keyword is not None and arg.keyword.value == "loss") or (arg.keyword is None and i == 1):
                    self.sites += 1
                    args[i] = arg.with_changes(value=cst.parse_expression(_KERAS_PROBES[self.which]))
            return updated.with_changes(args=args)
        torch_class, torch_function = _TORCH_PROBES[self.which]
        if name in _TORCH_CLASSES:
            self.sites += 1
            return updated.with_changes(func=_renamed(func, torch_class), args=[])
        if name in _TORCH_FUNCTIONS and isinstance(func, cst.Attribute):
            self.sites += 1
            keep = [a for a in updated.args if a.keyword is None or a.keyword.value in ("input", "target")][:2]
            return updated.with_changes(func=_renamed(func, torch_function), args=keep)
        return updated


def _renamed(func: cst.BaseExpression, name: str) -> cst.BaseExpression:
    return func.with_changes(attr=cst.Name(name)) if isinstance(func, cst.Attribute) else cst.Name(name)


def _probe_tree(source: str, destination: str, which: int) -> int:
    """Copy `source` to `destination` with probe `which` in every .py file; the number of sites."""
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns(".git", ".losslint_cache"))
    sites = 0
    for root, _, names in os.walk(destination):
        for name in names:
            if not name.endswith(".py"):
                continue
            path = os.path.join(root, name)
            try:
                with open(path, encoding="utf-8") as handle:
                    module = cst.parse_module(handle.read())
                probe = _Probe(which)
                changed = module.visit(probe)
            except (cst.ParserSyntaxError, UnicodeDecodeError, RecursionError):
                continue
            if probe.sites:
                sites += probe.sites
                with open(path, "w", encoding="utf-8") as handle:
                    handle.write(changed.code + _KERAS_IMPORT)
    return sites


def _findings(tree: str) -> list:
    files = discover([tree]).files
    codes = frozenset(default_codes()) | {"LL901"}
    return check_paths(files, codes, project=ProjectScope.of_paths([tree])).diagnostics


def measure(directory: str, listing: bool) -> None:
    started = time.perf_counter()
    resolved, unresolved, sites = set(), set(), 0
    with tempfile.TemporaryDirectory() as scratch:
        for which in range(2):
            tree = os.path.join(scratch, f"probe{which}")
            sites = max(sites, _probe_tree(directory, tree, which))
            for diagnostic in _findings(tree):
                key = (os.path.relpath(diagnostic.filename, tree), diagnostic.anchor.line)
                (unresolved if diagnostic.code == "LL901" else resolved).add(key)
    unresolved -= resolved
    print(f"{directory}: {sites} probed loss sites (.py), {len(resolved)} resolved (a finding under a probe), "
          f"{len(unresolved)} more reported by LL901, {time.perf_counter() - started:.1f} s")
    if listing:
        for path, line in sorted(unresolved):
            print(f"  unresolved  {path}:{line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directories", nargs="+")
    parser.add_argument("--list", action="store_true", help="print the sites no probe resolved")
    options = parser.parse_args(argv)
    for directory in options.directories:
        measure(directory, options.list)
    return 0


if __name__ == "__main__":
    sys.exit(main())

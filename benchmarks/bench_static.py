"""Static analyzer speed against the cost of parsing, on Keras and PyTorch code.

    python benchmarks/bench_static.py [DIR ...] [--generated 300] [--site-packages] [--max-kb 300] [--as-list]

Corpus: the `.py` and `.ipynb` files under each DIR (e.g. a checkout of keras-io examples), or,
without DIR, generated Keras training programs (so anyone can run it offline). --site-packages
adds every .py file of this interpreter's site-packages (mostly code the prefilter skips).
Files over --max-kb are left out (the count is printed). Measured, in one run on this machine:

  - cold, all cores: `api.check_paths` with an empty cache (what `losslint check` runs), then
    the warm rerun on that cache;
  - cold, --jobs 1, without cache;
  - libcst parse-only, one process, of the code the analyzer parses (a notebook's code cells),
    with libcst's defaults (the baseline of the ratios), and for information without libcst's
    per-node validation, which the analyzer skips (`static/cst_parse.py`);
  - the two ratios the speed goal is stated in: cold all cores / parse-only (goal ≤ 1.0) and
    --jobs 1 / parse-only (goal ≤ 2.0);
  - per-phase shares of a --jobs 1 run, instrumented (so slower; shares, not seconds, matter):
    read+decode, parse (CPython guard + libcst), names (the module walk and name lookups),
    positions (realised on demand), interpretation, rules (+ `# noqa`), fixes (realised for
    `[*]`), and the rest;
  - peak resident memory of this process and of the largest worker.
Not a test: numbers depend on the machine (and on what else it is running).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import sysconfig
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from losslint.api import check_paths  # noqa: E402
from losslint.cache import Cache  # noqa: E402
from losslint.registry import select_codes  # noqa: E402
from losslint.static.engine.project import ProjectScope  # noqa: E402

LAYERS = ["Dense({u}, activation='{a}')", "Dense({u})"]
ACTIVATIONS = ["softmax", "sigmoid", "relu", "linear", "tanh"]
LOSSES = ["'categorical_crossentropy'", "'sparse_categorical_crossentropy'", "'binary_crossentropy'",
          "keras.losses.SparseCategoricalCrossentropy(from_logits=True)", "'mse'", "'poisson'"]


def generated_program(rng: random.Random) -> str:
    """A tutorial-shaped script: data, a plotting helper, a model builder, compile and fit."""
    hidden = "\n".join(f"    layers.Dense({rng.choice([32, 64, 128])}, activation='relu')," for _ in range(rng.randint(1, 4)))
    head = rng.choice(LAYERS).format(u=rng.choice([1, 2, 10]), a=rng.choice(ACTIVATIONS))
    return f'''"""Train a small classifier."""
import matplotlib.pyplot as plt
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

BATCH_SIZE = 32
x = np.random.rand(256, 20).astype("float32")
y = np.random.randint(0, 10, size=(256,))
x_val, y_val = x[:32], y[:32]


def plot_history(history, metric="accuracy"):
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, name in zip(axes, ["loss", metric]):
        ax.plot(history.history[name], label="train")
        ax.plot(history.history["val_" + name], label="validation")
        ax.set_title(name.title())
        ax.legend()
    plt.show()


def build_model(num_features=20):
    model = keras.Sequential([
        keras.Input(shape=(num_features,)),
{hidden}
        layers.{head},
    ])
    return model


model = build_model()
model.compile(optimizer="adam", loss={rng.choice(LOSSES)}, metrics=["accuracy"])
history = model.fit(x, y, epochs=1, batch_size=BATCH_SIZE, validation_data=(x_val, y_val))
plot_history(history)
'''


def files_under(directories: list[str], max_bytes: int) -> tuple[list[str], int]:
    files, skipped = [], 0
    for directory in directories:
        for path in sorted(Path(directory).rglob("*")):
            if path.suffix not in (".py", ".ipynb") or not path.is_file():
                continue
            if path.stat().st_size > max_bytes and path.suffix == ".py":
                skipped += 1
                continue
            files.append(str(path))
    return files, skipped


def timed(label: str, count: int, run) -> float:
    start = time.perf_counter()
    run()
    elapsed = time.perf_counter() - start
    print(f"  {label:<52} {elapsed:8.2f} s  {count / elapsed:8.1f} files/s", flush=True)
    return elapsed


def code_to_parse(files: list[str]) -> list[str]:
    """What the analyzer hands to libcst: a `.py` file's text, a notebook's code cells."""
    from losslint.static.source import UnreadableSource, document_from_bytes

    texts = []
    for path in files:
        try:
            document = document_from_bytes(path, Path(path).read_bytes())
        except (UnreadableSource, OSError):
            continue
        if document is not None:
            texts.append(document.text)
    return texts


def parse_only(texts: list[str], validating: bool = True) -> None:
    import libcst as cst

    from losslint.static import cst_parse

    parse = cst.parse_module if validating else cst_parse.parse_module
    for text in texts:
        try:
            parse(text)
        except Exception:  # the same files fail for us (LL900); parsing cost still counts
            pass


class Phases:
    """Exclusive time per phase: a phase's time excludes the phases it calls."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._stack: list[list] = []

    def wrap(self, owner, attribute: str, phase: str) -> None:
        function = getattr(owner, attribute)
        phases = self

        def timed_call(*args, **kwargs):
            frame = [phase, 0.0]  # (phase, time spent in nested phases)
            phases._stack.append(frame)
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - start
                phases._stack.pop()
                phases.seconds[phase] += elapsed - frame[1]
                if phases._stack:
                    phases._stack[-1][1] += elapsed

        setattr(owner, attribute, timed_call)


def phase_shares(files: list[str], codes, scope) -> tuple[dict[str, float], float]:
    """Run --jobs 1 with the analyzer's phases timed (in this process)."""
    import libcst

    from losslint import api
    from losslint.static import check, extract, fixer, names, node_positions, source, suppress

    phases = Phases()
    phases.wrap(source, "read_source", "read+decode")
    phases.wrap(check, "document_from_bytes", "read+decode")
    phases.wrap(check, "cpython_parse", "parse")
    phases.wrap(libcst, "parse_module", "parse")
    phases.wrap(names.ModuleIndex, "__init__", "names")
    phases.wrap(names.NameResolver, "symbol", "names")
    phases.wrap(node_positions.NodePositions, "span", "positions")
    phases.wrap(extract, "extract_models", "interpretation")
    phases.wrap(check, "run_rules", "rules")
    phases.wrap(suppress, "split", "rules")
    phases.wrap(fixer, "fixes_for_check", "fixes")
    start = time.perf_counter()
    phases.wrap(api, "check_file", "rest")
    api.check_paths(files, codes, jobs=1, project=scope)
    return dict(phases.seconds), time.perf_counter() - start


def peak_mb() -> tuple[float, float]:
    """Peak resident memory (MB) of this process and of the largest child (worker) process."""
    unit = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit / 1e6,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * unit / 1e6)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directories", nargs="*", help="Keras-heavy code to measure on (default: generated programs)")
    parser.add_argument("--generated", type=int, default=300, help="generated programs when no DIR is given")
    parser.add_argument("--site-packages", action="store_true", help="add this interpreter's site-packages")
    parser.add_argument("--max-kb", type=int, default=300, help="leave out .py files larger than this")
    parser.add_argument("--no-phases", action="store_true", help="skip the instrumented per-phase run")
    parser.add_argument("--as-list", action="store_true",
                        help="scope the run as an explicit list of files (what pre-commit passes), not as DIRs")
    parser.add_argument("--no-serial", action="store_true", help="skip the --jobs 1 run")
    parser.add_argument("--findings", metavar="FILE", help="write the findings (file, line, code), one a line, to FILE")
    args = parser.parse_args()

    codes = select_codes(["ALL"])
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        directories = list(args.directories)
        if args.site_packages:
            directories.append(sysconfig.get_paths()["purelib"])
        if not args.directories:
            rng = random.Random(1)
            generated = Path(tmp, "generated")
            generated.mkdir()
            for i in range(args.generated):
                Path(generated, f"train_{i}.py").write_text(generated_program(rng))
            directories.append(str(generated))
        files, skipped = files_under(directories, args.max_kb * 1000)
        texts = code_to_parse(files)
        framework = sum(1 for t in texts if "keras" in t or "tensorflow" in t)
        print(f"corpus: {len(files)} files ({skipped} over {args.max_kb} KB left out), {len(texts)} to analyse, "
              f"{sum(map(len, texts)) / 1e6:.1f} MB of code, {framework} mention keras/tensorflow; {cores} cores",
              flush=True)

        # what `losslint check DIR ...` runs: imports between the project's modules followed
        scope = ProjectScope.of_paths(files if args.as_list else directories)
        print(f"scope: {'the files as a list' if args.as_list else 'the directories'} "
              f"({len(scope.roots)} root{'s' if len(scope.roots) != 1 else ''})", flush=True)
        cache = Cache(os.path.join(tmp, ".losslint_cache", "bench"))
        results = {}
        cold = timed(f"cold, --jobs {cores} (all cores), empty cache", len(files),
                     lambda: results.setdefault("cold", check_paths(files, codes, cache=cache, project=scope)))
        warm = timed(f"warm, --jobs {cores}, nothing changed", len(files),
                     lambda: results.setdefault("warm", check_paths(files, codes, cache=cache, project=scope)))
        assert results["cold"].diagnostics == results["warm"].diagnostics, "the cache changed the findings"
        serial = None
        if not args.no_serial:
            serial = timed("cold, --jobs 1, no cache", len(files),
                           lambda: results.setdefault("serial", check_paths(files, codes, jobs=1, project=scope)))
            assert results["serial"].diagnostics == results["cold"].diagnostics, "--jobs changed the findings"
        parse = timed("libcst parse-only, 1 process", len(texts), lambda: parse_only(texts))
        timed("  the same, nodes not re-validated (as we parse)", len(texts),
              lambda: parse_only(texts, validating=False))
        print(f"  ({len(results['cold'].diagnostics)} findings, identical cold, warm and --jobs 1)")
        if args.findings:
            Path(args.findings).write_text("".join(f"{d.filename}:{d.anchor.line}: {d.code}\n"
                                                   for d in results["cold"].diagnostics), encoding="utf-8")
    print(f"ratio cold all cores / parse-only (1 process):  {cold / parse:5.2f}   (goal <= 1.0)")
    if serial is not None:
        print(f"ratio cold --jobs 1 / parse-only (1 process):   {serial / parse:5.2f}   (goal <= 2.0)")
    print(f"ratio warm / cold:                              {warm / cold:6.3f}")
    if not args.no_phases:
        seconds, total = phase_shares(files, codes, scope)
        print(f"per-phase shares of an instrumented --jobs 1 run ({total:.1f} s):")
        for phase in ("read+decode", "parse", "names", "positions", "interpretation", "rules", "fixes", "rest"):
            print(f"  {phase:<16} {seconds.get(phase, 0.0) / total:6.1%}  ({seconds.get(phase, 0.0):.2f} s)")
    self_mb, child_mb = peak_mb()
    print(f"peak memory: this process {self_mb:.0f} MB, largest worker {child_mb:.0f} MB")


if __name__ == "__main__":
    main()

"""Static analyzer throughput, measured against libcst parsing alone, in one run.

    python benchmarks/bench_static.py [--limit N] [--generated N]

Corpus (offline): the .py files of the installed `keras` and `tensorflow` packages plus
generated Keras training programs. Prints files/s for
  - libcst parse-only of every file, in one process (the floor our analysis is built on),
  - `losslint check` logic with --jobs 1 and with all cores (prefilter + parse + analysis + rules),
and the ratios between them. Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from losslint.api import lint_paths  # noqa: E402
from losslint.registry import select_codes  # noqa: E402

LAYERS = ["Dense({u}, activation='{a}')", "Dense({u})"]
ACTIVATIONS = ["softmax", "sigmoid", "relu", "linear", "tanh"]
LOSSES = ["'categorical_crossentropy'", "'sparse_categorical_crossentropy'", "'binary_crossentropy'",
          "keras.losses.SparseCategoricalCrossentropy(from_logits=True)", "'mse'", "'poisson'"]


def generated_program(rng: random.Random) -> str:
    hidden = "\n".join(f"    layers.Dense({rng.choice([32, 64, 128])}, activation='relu')," for _ in range(rng.randint(1, 4)))
    head = rng.choice(LAYERS).format(u=rng.choice([1, 2, 10]), a=rng.choice(ACTIVATIONS))
    return f'''import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

x = np.random.rand(256, 20)
y = np.random.randint(0, 10, size=(256,))
model = keras.Sequential([
    keras.Input(shape=(20,)),
{hidden}
    layers.{head},
])
model.compile(optimizer="adam", loss={rng.choice(LOSSES)}, metrics=["accuracy"])
model.fit(x, y, epochs=1, batch_size=32)
'''


def package_files(name: str) -> list[str]:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return []
    root = list(spec.submodule_search_locations)[0]
    return sorted(str(p) for p in Path(root).rglob("*.py"))


def timed(label: str, files: list[str], run) -> float:
    start = time.perf_counter()
    run()
    elapsed = time.perf_counter() - start
    print(f"  {label:<38} {elapsed:8.2f} s  {len(files) / elapsed:9.1f} files/s")
    return elapsed


def parse_only(files: list[str]) -> None:
    import libcst as cst

    for path in files:
        try:
            cst.parse_module(Path(path).read_bytes())
        except Exception:  # the same files fail for us (LL900); parsing cost still counts
            pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="use at most N package files")
    parser.add_argument("--generated", type=int, default=500, help="number of generated Keras programs")
    args = parser.parse_args()

    files = package_files("keras") + package_files("tensorflow")
    if args.limit:
        files = random.Random(0).sample(files, min(args.limit, len(files)))
    with tempfile.TemporaryDirectory() as tmp:
        rng = random.Random(1)
        for i in range(args.generated):
            path = Path(tmp, f"train_{i}.py")
            path.write_text(generated_program(rng))
            files.append(str(path))
        mentions = sum(1 for f in files if b"keras" in Path(f).read_bytes() or b"tensorflow" in Path(f).read_bytes())
        size = sum(os.path.getsize(f) for f in files) / 1e6
        print(f"corpus: {len(files)} files, {size:.1f} MB; {mentions} mention keras/tensorflow "
              f"({len(files) - mentions} skipped by the prefilter); {os.cpu_count()} cores")
        codes = select_codes(["ALL"])
        parse = timed("libcst parse only (1 process)", files, lambda: parse_only(files))
        serial = timed("losslint, --jobs 1", files, lambda: lint_paths(files, codes, jobs=1))
        parallel = timed(f"losslint, --jobs {os.cpu_count()}", files, lambda: lint_paths(files, codes))
        findings = len(lint_paths(files[-args.generated:], codes)) if args.generated else 0
    print(f"ratio losslint(--jobs 1) / parse-only: {serial / parse:.2f}")
    print(f"ratio losslint(all cores) / parse-only: {parallel / parse:.2f}")
    print(f"findings on the {args.generated} generated programs: {findings}")


if __name__ == "__main__":
    main()

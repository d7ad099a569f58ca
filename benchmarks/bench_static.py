"""Static analyzer at scale: cold, warm (cached), one process vs all cores, against libcst parsing.

    python benchmarks/bench_static.py [--generated 1000] [--max-kb 300] [--parse-sample 1500]
                                      [--serial-sample 1500] [--full-parse]

Corpus (offline): every .py file of this interpreter's site-packages plus generated Keras training
programs, files over --max-kb left out (libcst takes minutes on a few huge generated modules;
the count is printed). Measured, in one run on this machine:
  - cold run, all cores, with an empty cache (`api.check_paths`, what `losslint check` runs);
  - warm run, all cores, same cache, nothing changed;
  - --jobs 1 vs all cores, without cache, on a random subset (--serial-sample files);
  - libcst parse-only, one process: of a random sample (--parse-sample files), extrapolated to
    the corpus by bytes, or of every file with --full-parse; plus losslint --jobs 1 on that same
    sample, for a ratio measured on identical files;
  - peak resident memory of this process and of the largest worker (getrusage).
Not a test: numbers depend on the machine.
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from losslint.api import check_paths  # noqa: E402
from losslint.cache import Cache  # noqa: E402
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


def corpus(max_bytes: int) -> tuple[list[str], int]:
    """The site-packages sources under the size cap, and how many were left out."""
    root = Path(sysconfig.get_paths()["purelib"])
    files, skipped = [], 0
    for path in sorted(root.rglob("*.py")):
        try:
            if not path.is_file():
                continue
            if path.stat().st_size > max_bytes:
                skipped += 1
                continue
        except OSError:
            continue
        files.append(str(path))
    return files, skipped


def timed(label: str, count: int, run) -> float:
    start = time.perf_counter()
    run()
    elapsed = time.perf_counter() - start
    print(f"  {label:<48} {elapsed:8.2f} s  {count / elapsed:9.1f} files/s", flush=True)
    return elapsed


def parse_only(files: list[str]) -> None:
    import libcst as cst

    for path in files:
        try:
            cst.parse_module(Path(path).read_bytes())
        except Exception:  # the same files fail for us (LL900); parsing cost still counts
            pass


def size(files: list[str]) -> int:
    return sum(os.path.getsize(f) for f in files)


def peak_mb() -> tuple[float, float]:
    """Peak resident memory (MB) of this process and of the largest child (worker) process."""
    unit = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit / 1e6,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * unit / 1e6)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generated", type=int, default=1000, help="number of generated Keras programs")
    parser.add_argument("--max-kb", type=int, default=300, help="leave out files larger than this")
    parser.add_argument("--parse-sample", type=int, default=1500, help="files parsed for the parse-only figure")
    parser.add_argument("--serial-sample", type=int, default=1500, help="files for --jobs 1 vs all cores")
    parser.add_argument("--full-parse", action="store_true", help="parse every file (slow) instead of a sample")
    args = parser.parse_args()

    files, skipped = corpus(args.max_kb * 1000)
    cores = os.cpu_count() or 1
    codes = select_codes(["ALL"])
    with tempfile.TemporaryDirectory() as tmp:
        rng = random.Random(1)
        for i in range(args.generated):
            path = Path(tmp, "generated", f"train_{i}.py")
            path.parent.mkdir(exist_ok=True)
            path.write_text(generated_program(rng))
            files.append(str(path))
        data = {f: Path(f).read_bytes() for f in files}
        framework = [f for f, b in data.items() if b"keras" in b or b"tensorflow" in b]
        compiles = sum(1 for f in framework if b"compile" in data[f])
        total = sum(len(b) for b in data.values())
        del data
        print(f"corpus: {len(files)} files, {total / 1e6:.1f} MB ({skipped} files over {args.max_kb} KB left out); "
              f"{len(framework)} mention keras/tensorflow, {compiles} of them say `compile`; {cores} cores")

        cache = Cache(os.path.join(tmp, ".losslint_cache", "bench"))
        results = {}
        cold = timed(f"cold, --jobs {cores}, empty cache", len(files),
                     lambda: results.setdefault("cold", check_paths(files, codes, cache=cache)))
        warm = timed(f"warm, --jobs {cores}, nothing changed", len(files),
                     lambda: results.setdefault("warm", check_paths(files, codes, cache=cache)))
        assert results["cold"].diagnostics == results["warm"].diagnostics, "the cache changed the findings"
        print(f"  ({len(results['cold'].diagnostics)} findings, identical cold and warm)")

        subset = random.Random(2).sample(files, min(args.serial_sample, len(files)))
        serial = timed(f"subset of {len(subset)}: --jobs 1, no cache", len(subset),
                       lambda: check_paths(subset, codes, jobs=1))
        parallel = timed(f"subset of {len(subset)}: --jobs {cores}, no cache", len(subset),
                         lambda: check_paths(subset, codes))

        sample = files if args.full_parse else random.Random(3).sample(files, min(args.parse_sample, len(files)))
        parse = timed(f"libcst parse only, 1 process, {len(sample)} files", len(sample), lambda: parse_only(sample))
        ours = timed(f"losslint --jobs 1, same {len(sample)} files", len(sample),
                     lambda: check_paths(sample, codes, jobs=1))
        parse_all = parse * total / size(sample)
        findings = len(check_paths(files[-args.generated:], codes, cache=cache).diagnostics) if args.generated else 0
    self_mb, child_mb = peak_mb()
    print(f"libcst parse-only of the whole corpus, 1 process: {parse_all:.1f} s"
          f"{'' if args.full_parse else ' (extrapolated by bytes from the sample)'}")
    print(f"ratio losslint / parse-only, same files, 1 process:  {ours / parse:.2f}")
    print(f"ratio cold (all cores) / parse-only (1 process):     {cold / parse_all:.2f}")
    print(f"ratio warm / cold:                                   {warm / cold:.3f}")
    print(f"speed-up --jobs {cores} over --jobs 1:                     {serial / parallel:.2f}x")
    print(f"peak memory: this process {self_mb:.0f} MB, largest worker {child_mb:.0f} MB")
    print(f"findings on the {args.generated} generated programs: {findings}")


if __name__ == "__main__":
    main()

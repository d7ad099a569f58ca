"""Runtime hook overhead: compile() and first-epoch fit() with vs without the hook, fit() of a
tf.data pipeline (labels read from what it declares), the first call of a `tf.function` training
step (the loss checked inside the trace), the cost of a directly called loss (custom training
loops), and the cost of `import losslint`. Prints ratios measured in one run. Not a test.

    python benchmarks/bench_runtime.py [--repeat 7]
    python benchmarks/bench_runtime.py --torch-only     # the PyTorch section alone
    python benchmarks/bench_runtime.py --tf-keras       # the legacy tf_keras package instead of Keras 3
    for b in tensorflow jax torch; do KERAS_BACKEND=$b python benchmarks/bench_runtime.py; done

The direct-loss lines give, per backend, the check of a loss's first direct call (measured inside
the hook: absolute, and as a share of one loss call) and the cost of every later call (a look-up).

Backend: whatever KERAS_BACKEND says (TensorFlow by default).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def import_time(modules: str, runs: int = 7) -> float:
    """Median time of `import <modules>` in fresh interpreters."""
    env = dict(os.environ, PYTHONPATH=ROOT)
    code = f"import time; t = time.perf_counter(); import {modules}; print(time.perf_counter() - t)"
    return statistics.median(float(subprocess.run([sys.executable, "-c", code], check=True, env=env,
                                                  capture_output=True, text=True).stdout) for _ in range(runs))


def _timed(spent: list[float], function):
    def timed(*args):
        start = time.perf_counter()
        try:
            return function(*args)
        finally:
            spent.append(time.perf_counter() - start)
    return timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--tf-keras", action="store_true", help="measure the legacy tf_keras package")
    parser.add_argument("--torch-only", action="store_true", help="only the PyTorch section")
    options = parser.parse_args()
    repeat = options.repeat

    import numpy as np
    if options.tf_keras:
        import tf_keras as keras
    else:
        import keras

    import losslint
    from losslint.runtime import hook

    inspect_compile, inspect_fit = [], []  # the hook's own work, measured directly
    hook._on_compile = _timed(inspect_compile, hook._on_compile)
    hook._on_fit = _timed(inspect_fit, hook._on_fit)

    rng = np.random.default_rng(0)
    x = rng.random((1024, 20)).astype("float32")
    y = rng.integers(0, 10, 1024)

    def build():
        return keras.Sequential([keras.Input(shape=(20,)), keras.layers.Dense(64, activation="relu"),
                                 keras.layers.Dense(64, activation="relu"), keras.layers.Dense(10, activation="softmax")])

    def measure():
        model = build()
        start = time.perf_counter()
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        compiled = time.perf_counter() - start
        start = time.perf_counter()
        model.fit(x, y, epochs=1, batch_size=32, verbose=0)
        return compiled, time.perf_counter() - start

    measure()  # warm-up: first trace, lazy imports
    plain, hooked = [], []
    # Blocks of runs, alternating plain/hooked so drift affects both alike. Installing patches
    # keras.Model, which resets Python's attribute caches: the first call after a switch pays for
    # that once per install, not per compile, so it is left out of each block.
    for block in range(4):
        hooked_block = block % 2 == 1
        if hooked_block:
            losslint.install()
        measure()
        (hooked if hooked_block else plain).extend(measure() for _ in range(repeat))
        if hooked_block:
            losslint.uninstall()

    direct = direct_loss(keras, np, repeat)
    pipeline = [] if options.tf_keras else dataset_fit(keras, np, repeat, inspect_fit)
    traced = [] if options.tf_keras else tf_function_step(keras, np, repeat)

    def med(samples, i):
        return statistics.median(s[i] for s in samples)

    print(f"{'tf_keras' if options.tf_keras else 'keras'} {keras.__version__}  backend: {keras.backend.backend()}  "
          f"repeats: {repeat}")
    for label, i in (("compile()", 0), ("fit() 1 epoch, 1024x20, bs 32", 1)):
        a, b = med(plain, i), med(hooked, i)
        print(f"{label:32s} without {a * 1e3:9.2f} ms   with {b * 1e3:9.2f} ms   ratio {b / a:6.3f}")
    print(f"hook inspection at compile: {statistics.median(inspect_compile) * 1e3:.3f} ms, "
          f"at fit (labels included): {statistics.median(inspect_fit) * 1e3:.3f} ms (medians)")
    for line in direct + pipeline + traced:
        print(line)
    print(f"{'import losslint':32s} {import_time('losslint') * 1e3:9.1f} ms")
    print(f"{'import losslint.runtime.hook':32s} {import_time('losslint.runtime.hook') * 1e3:9.1f} ms "
          "(imports numpy, which keras has loaded anyway)")


def torch_loss_calls(repeat: int = 7, calls: int = 500) -> None:
    """PyTorch: cost per loss call with the hook installed (the wrapper's check that the loss object
    was already inspected), and the one-time inspection of a loss object's first call."""
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        print("torch: not installed, skipped")
        return
    import torch

    import losslint
    from losslint.runtime import torch_hook

    torch.set_num_threads(1)  # the machine's other load makes intra-op threads spin
    torch.manual_seed(0)
    out = torch.nn.Linear(20, 10)(torch.randn(256, 20))
    y = torch.randint(0, 10, (256,))

    def per_call(criterion) -> float:
        criterion(out, y)  # the first call (inspected when installed) is left out
        start = time.perf_counter()
        for _ in range(calls):
            criterion(out, y)
        return (time.perf_counter() - start) / calls

    # alternating blocks without / with the hook, so drift on a shared machine affects both alike
    samples: dict[tuple[str, bool], list[float]] = {}
    for block in range(2 * repeat):
        hooked_block = block % 2 == 1
        if hooked_block:
            losslint.install()
        for name, criterion in (("module", torch.nn.CrossEntropyLoss()),
                                ("functional", torch.nn.functional.cross_entropy)):
            samples.setdefault((name, hooked_block), []).append(per_call(criterion))
        if hooked_block:
            losslint.uninstall()
    plain, hooked = (statistics.median(samples["module", h]) for h in (False, True))
    functional_plain, functional_hooked = (statistics.median(samples["functional", h]) for h in (False, True))
    first = []
    for _ in range(repeat * 10):
        start = time.perf_counter()
        torch_hook.loss_call_facts("torch.cross_entropy", "CrossEntropyLoss()", out, y)
        first.append(time.perf_counter() - start)
    print(f"torch {torch.__version__}  CrossEntropyLoss on (256, 10), {calls} calls x {repeat}")
    for label, a, b in (("nn.CrossEntropyLoss() call", plain, hooked),
                        ("F.cross_entropy call", functional_plain, functional_hooked)):
        print(f"{label:32s} without {a * 1e6:9.2f} us   with {b * 1e6:9.2f} us   ratio {b / a:6.3f}")
    print(f"first-call inspection (grad_fn, targets' range): {statistics.median(first) * 1e6:.1f} us, "
          f"once per loss object ({statistics.median(first) / plain:.2f} x one loss call)")
    probabilities = torch.sigmoid(torch.randn(256, 1, requires_grad=True)).squeeze(1)
    targets = (torch.rand(256) < 0.5).float()
    bce = torch.nn.BCEWithLogitsLoss()
    bce(probabilities, targets)
    start = time.perf_counter()
    for _ in range(calls):
        bce(probabilities, targets)
    bce_call = (time.perf_counter() - start) / calls
    walked = []
    for _ in range(repeat * 10):
        start = time.perf_counter()
        torch_hook.loss_call_facts("torch.binary_cross_entropy_with_logits", "BCEWithLogitsLoss()", probabilities,
                                   targets)
        walked.append(time.perf_counter() - start)
    print(f"first-call inspection through .squeeze(1) (BCEWithLogitsLoss): {statistics.median(walked) * 1e6:.1f} us "
          f"({statistics.median(walked) / bce_call:.2f} x one loss call)")


def _tensorflow():
    import importlib.util

    if importlib.util.find_spec("tensorflow") is None:
        return None
    import tensorflow as tf

    return tf


def _ratio_line(label: str, plain: list[float], hooked: list[float], unit: float = 1e3, name: str = "ms") -> str:
    a, b = statistics.median(plain), statistics.median(hooked)
    return f"{label:32s} without {a * unit:9.2f} {name}   with {b * unit:9.2f} {name}   ratio {b / a:6.3f}"


def dataset_fit(keras, np, repeat: int, inspect_fit: list[float]) -> list[str]:
    """fit() of one epoch over a tf.data pipeline that one-hot encodes its labels in a `map`: the
    hook reads the pipeline's element_spec and the map's traced graph (never a batch)."""
    tf = _tensorflow()
    if tf is None:
        return ["tf.data fit: tensorflow not installed, skipped"]
    import losslint
    from losslint.runtime import labels

    rng = np.random.default_rng(2)
    x, ids = rng.random((1024, 20)).astype("float32"), rng.integers(0, 10, 1024)

    def pipeline():
        return tf.data.Dataset.from_tensor_slices((x, ids)).map(lambda a, b: (a, tf.one_hot(b, 10))).batch(32)

    def once():
        model = keras.Sequential([keras.Input(shape=(20,)), keras.layers.Dense(64, activation="relu"),
                                  keras.layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        data = pipeline()
        start = time.perf_counter()
        model.fit(data, epochs=1, verbose=0)
        return time.perf_counter() - start

    once()
    plain, hooked = [], []
    before = len(inspect_fit)
    for block in range(4):
        hooked_block = block % 2 == 1
        if hooked_block:
            losslint.install()
        once()
        (hooked if hooked_block else plain).extend(once() for _ in range(repeat))
        if hooked_block:
            losslint.uninstall()
    data = pipeline()
    declared = []
    for _ in range(repeat * 10):
        start = time.perf_counter()
        labels.declared_labels(data)
        declared.append(time.perf_counter() - start)
    at_fit = inspect_fit[before:]
    return [
        _ratio_line("fit() 1 epoch of a tf.data map", plain, hooked),
        f"{'  its check at fit()':32s} {statistics.median(at_fit) * 1e3:9.3f} ms, of which element_spec + "
        f"map graph {statistics.median(declared) * 1e3:.3f} ms (medians)",
    ]


def tf_function_step(keras, np, repeat: int) -> list[str]:
    """The first call of a `@tf.function` GradientTape step (its trace): the loss inside is checked
    once, the model found among those the step can see; later calls run the traced graph."""
    tf = _tensorflow()
    if tf is None or keras.backend.backend() != "tensorflow":
        return ["tf.function step: TensorFlow backend only, skipped"]
    import losslint
    from losslint.runtime import hook

    rng = np.random.default_rng(3)
    x, ids = rng.random((64, 20)).astype("float32"), rng.integers(0, 10, 64)

    def first_and_later():
        model = keras.Sequential([keras.Input(shape=(20,)), keras.layers.Dense(64, activation="relu"),
                                  keras.layers.Dense(10)])
        loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        optimizer = keras.optimizers.SGD(0.01)

        @tf.function
        def step(a, b):
            with tf.GradientTape() as tape:
                loss = loss_fn(b, model(a, training=True))
            optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
            return loss

        start = time.perf_counter()
        step(x, ids)
        first = time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(20):
            step(x, ids)
        return first, (time.perf_counter() - start) / 20

    checks: list[float] = []
    original = hook._on_loss_call
    hook._on_loss_call = _timed(checks, original)
    first_and_later()
    plain, hooked = [], []
    try:
        for block in range(4):
            hooked_block = block % 2 == 1
            if hooked_block:
                losslint.install()
            (hooked if hooked_block else plain).extend(first_and_later() for _ in range(repeat))
            if hooked_block:
                losslint.uninstall()
    finally:
        hook._on_loss_call = original
    return [
        _ratio_line("tf.function step, first (trace)", [p[0] for p in plain], [h[0] for h in hooked]),
        f"{'  its check (inside the trace)':32s} {statistics.median(checks) * 1e3:9.3f} ms once per loss object "
        "(model found from the step's frames)",
        _ratio_line("tf.function step, later", [p[1] for p in plain], [h[1] for h in hooked]),
    ]


def direct_loss(keras, np, repeat: int) -> list[str]:
    """`loss_fn(y, model_output)` as in a custom loop: the first call of a loss object (the hook
    inspects it), then later calls (one dictionary look-up), each against the same call without
    the hook; the inspection itself is also timed inside the hook."""
    import losslint
    from losslint.runtime import hook

    rng = np.random.default_rng(1)
    y_pred = keras.layers.Softmax()(rng.random((256, 10)).astype("float32"))  # a Keras softmax output
    y_true = keras.utils.to_categorical(rng.integers(0, 10, 256), 10)

    def once(loss_fn):
        start = time.perf_counter()
        loss_fn(y_true, y_pred)
        return time.perf_counter() - start

    checks: list[float] = []
    original = hook._on_loss_call
    hook._on_loss_call = _timed(checks, original)
    plain_first, plain_later, hooked_first, hooked_later = [], [], [], []
    try:
        for _ in range(repeat):
            loss_fn = keras.losses.CategoricalCrossentropy()
            plain_first.append(once(loss_fn))
            plain_later.append(statistics.median(once(loss_fn) for _ in range(20)))
            with losslint.install():
                loss_fn = keras.losses.CategoricalCrossentropy()
                hooked_first.append(once(loss_fn))
                hooked_later.append(statistics.median(once(loss_fn) for _ in range(20)))
    finally:
        hook._on_loss_call = original
    pf, pl = statistics.median(plain_first), statistics.median(plain_later)
    hf, hl = statistics.median(hooked_first), statistics.median(hooked_later)
    check = statistics.median(checks)
    return [
        f"{'direct loss call, first':32s} without {pf * 1e3:9.3f} ms   with {hf * 1e3:9.3f} ms   "
        f"ratio {hf / pf:6.3f}",
        f"{'  its check (inside the hook)':32s} {check * 1e3:9.3f} ms once per loss object = "
        f"{check / pl:.2f} x one loss call ({pl * 1e3:.3f} ms), {len(checks)} checks for {repeat} objects",
        f"{'direct loss call, later':32s} without {pl * 1e3:9.3f} ms   with {hl * 1e3:9.3f} ms   ratio {hl / pl:6.3f}",
    ]


if __name__ == "__main__":
    if "--torch-only" not in sys.argv:
        main()
    if "--tf-keras" not in sys.argv:
        torch_loss_calls()

"""benchmarks/bug_recall.py on a tiny labels file: a bug it finds, a bug it misses, a clean fix, and
an out-of-scope program with a finding."""

import csv
import os
import subprocess
import sys
import textwrap

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir)

BUGGY = textwrap.dedent("""\
    import numpy as np
    from tensorflow import keras

    x = np.random.random((100, 8))
    y = np.random.randint(0, 2, 100)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(1, activation="softmax")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2)
""")
CLEAN = BUGGY.replace('Dense(1, activation="softmax")', 'Dense(1, activation="sigmoid")')


def test_recall_counts_found_missed_and_findings_to_judge(tmp_path):
    buggy, clean = tmp_path / "buggy.py", tmp_path / "clean.py"
    buggy.write_text(BUGGY)
    clean.write_text(CLEAN)
    labels = tmp_path / "labels.csv"
    with open(labels, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "source", "buggy_path", "fixed_path", "expected_codes", "static_decidable", "note"])
        writer.writerow(["a:1", "a", buggy, clean, "LL104 LL105", "yes", "softmax over one unit"])
        writer.writerow(["b:1", "b", clean, "", "LL209", "no", "targets from a CSV"])
        writer.writerow(["b:2", "b", buggy, "", "", "yes", "labelled bug is the optimizer"])

    env = {**os.environ, "PYTHONPATH": ROOT}
    out = subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "bug_recall.py"), str(labels), "--list"],
                         capture_output=True, text=True, check=True, env=env).stdout

    assert "3 labelled bugs, 2 in scope" in out
    assert "recall            1/2 = 50%" in out
    assert "static-decidable  1/1 = 100%" in out
    assert "findings on fixed programs            0" in out
    assert "findings on out-of-scope programs     1" in out
    assert f"b:1 [b] expected LL209, got nothing: {clean}" in out
    assert f"b:2: {buggy}:7: LL104" in out

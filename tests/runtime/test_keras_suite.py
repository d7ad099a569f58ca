"""Keras's own tests pass with the runtime hook installed (the hook is invisible, DESIGN §4).

The installed Keras wheel ships its test modules (`keras/src/**/*_test.py`). This runs a
selection of them — trainers, models, saving and loading, cloning, callbacks, losses, metrics —
twice per backend, in fresh processes: once plain and once with `losslint.install()` run in every Python process by a
`sitecustomize` on PYTHONPATH (keras_suite/hooked/). Every Keras test that passes without the
hook must pass with it. Each backend's two runs go in parallel (one per core).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from conftest import HERE, ROOT, require, subprocess_env

SUITE = HERE / "keras_suite"
MODULES = [
    "trainers/trainer_test.py",  # compile/fit/evaluate/predict, custom train steps, jit/eager, datasets
    "trainers/compile_utils_test.py",  # compiled losses and metrics, dict/list structures
    "trainers/epoch_iterator_test.py",  # the iterator the hook reads the first batch through
    "models/model_test.py",  # functional/subclassed models, multi-output losses, get_compile_config
    "models/sequential_test.py",
    "models/functional_test.py",
    "models/cloning_test.py",  # clone_model of compiled models
    "saving/saving_lib_test.py",  # load_model keeps compile state, custom objects, file objects
    "saving/saving_api_test.py",
    "callbacks/callback_test.py",  # model state seen by callbacks (counts calls of call())
    "callbacks/swap_ema_weights_test.py",  # fit + evaluate + EMA, tf.distribute
    "losses/loss_test.py",  # Loss.__call__ (wrapped by the hook): reduction, masks, dtypes
    "losses/losses_test.py",  # every loss called directly, with and without from_logits
    "metrics/metric_test.py",
    "metrics/accuracy_metrics_test.py",
    "metrics/probabilistic_metrics_test.py",
]
DESELECT = "not efficientnet"  # two 40-second weight-sharding tests that never touch compile/fit
BACKENDS = ["tensorflow", "jax", "torch"]


def _outcomes(junit: Path) -> dict[str, str]:
    outcomes = {}
    for case in ElementTree.parse(junit).iter("testcase"):
        tags = {child.tag for child in case}
        outcome = "failed" if tags & {"failure", "error"} else "skipped" if "skipped" in tags else "passed"
        outcomes[f"{case.get('classname')}::{case.get('name')}"] = outcome
    return outcomes


def _start(backend: str, hooked: bool, tmp_path: Path):
    keras_src = Path(importlib.util.find_spec("keras").origin).parent / "src"
    name = f"{backend}-{'hooked' if hooked else 'plain'}"
    path = [str(ROOT), str(SUITE)] + ([str(SUITE / "hooked")] if hooked else [])
    env = subprocess_env(KERAS_BACKEND=backend, LOSSLINT_SUITE_REPORT=str(tmp_path / f"{name}.json"),
                         PYTHONPATH=os.pathsep.join(reversed(path)))
    env.pop("PYTEST_ADDOPTS", None)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", str(SUITE / "pytest.ini"),
               "--rootdir", str(keras_src.parent.parent), "-k", DESELECT,
               f"--junitxml={tmp_path / f'{name}.xml'}", *(str(keras_src / m) for m in MODULES)]
    log = open(tmp_path / f"{name}.log", "w")
    return name, subprocess.Popen(command, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT), log


@pytest.mark.parametrize("backend", BACKENDS)
def test_keras_own_tests_pass_with_the_hook(backend, tmp_path):
    require("keras")
    require(backend)
    runs = [_start(backend, hooked, tmp_path) for hooked in (False, True)]
    for name, process, log in runs:
        process.wait(timeout=3000)
        log.close()
    plain, hooked = (_outcomes(tmp_path / f"{name}.xml") for name, _, _ in runs)
    plain_report, hooked_report = (json.loads((tmp_path / f"{name}.json").read_text()) for name, _, _ in runs)
    assert not plain_report["installed"] and hooked_report["installed"] and hooked_report["compile_wrapped"]
    passed = sorted(test for test, outcome in plain.items() if outcome == "passed")
    assert len(passed) >= 100, (tmp_path / f"{runs[0][0]}.log").read_text()[-3000:]
    broken = [f"{test}: {hooked.get(test, 'missing')}" for test in passed if hooked.get(test) != "passed"]
    assert not broken, "passes without the hook, not with it:\n" + "\n".join(broken)
    assert not hooked_report["internal_warnings"], hooked_report["internal_warnings"]

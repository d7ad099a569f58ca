"""pytest plugin for running Keras's own test modules from the installed wheel (test_keras_suite.py).

Keras's repository has a conftest.py that is not shipped in the wheel; its test modules only need
two markers registered, and the multi-device tests skipped on a single-device machine. At the end
the plugin writes whether the losslint hook was installed in this process and how many
`LossLintInternalWarning`s the tests raised, so a run cannot pass without the hook in place.
"""

from __future__ import annotations

import json
import os
import sys

import pytest

_INTERNAL_WARNINGS: list[str] = []


def pytest_configure(config):
    config.addinivalue_line("markers", "requires_trainable_backend: needs a backend that can train")
    config.addinivalue_line("markers", "multi_device: needs more than one device")


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason="needs more than one device")
    for item in items:
        if "multi_device" in item.keywords:
            item.add_marker(skip)


def pytest_warning_recorded(warning_message, when, nodeid, location):
    if warning_message.category.__name__ == "LossLintInternalWarning":
        _INTERNAL_WARNINGS.append(f"{nodeid}: {warning_message.message}")


def pytest_sessionfinish(session, exitstatus):
    target = os.environ.get("LOSSLINT_SUITE_REPORT")
    if not target:
        return
    hook = sys.modules.get("losslint.runtime.hook")
    trainer = sys.modules.get("keras.src.trainers.trainer")
    wrapped = bool(trainer and getattr(trainer.Trainer.compile, "__losslint__", False))
    with open(target, "w", encoding="utf-8") as out:
        json.dump({"installed": bool(hook and hook.is_installed()), "compile_wrapped": wrapped,
                   "internal_warnings": _INTERNAL_WARNINGS}, out)

"""Runtime tests run real Keras (no mocks).

Tests that need Keras use the `keras` fixture (or `require("keras")`): they skip when it is not
importable, but FAIL when `LOSSLINT_REQUIRE_KERAS=1` (CI), so a broken install cannot pass
silently. In-process tests use the backend of this process (TensorFlow by default); the JAX
backend is covered in subprocesses (`test_backends.py`), since the backend is fixed per process.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tests"))  # fixture_format


def require(module: str):
    """Import `module`, or skip (fail when LOSSLINT_REQUIRE_KERAS=1)."""
    if importlib.util.find_spec(module) is None:
        message = f"{module} is not installed"
        if os.environ.get("LOSSLINT_REQUIRE_KERAS") == "1":
            pytest.fail(f"{message} but LOSSLINT_REQUIRE_KERAS=1", pytrace=False)
        pytest.skip(message)
    return importlib.import_module(module)


def subprocess_env(**extra: str) -> dict[str, str]:
    """Environment for child Pythons: this checkout first on the path, quiet TensorFlow."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
               TF_CPP_MIN_LOG_LEVEL="3")
    env.pop("LOSSLINT", None)
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def keras():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return require("keras")


@pytest.fixture
def hook(keras, monkeypatch):
    """Installs the hook per test (mode via `hook(mode=...)`), records every warning."""
    from losslint.runtime import hook as module

    monkeypatch.delenv("LOSSLINT", raising=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield _Hook(module, caught)
    module.uninstall()


class _Hook:
    def __init__(self, module, caught):
        self.module, self.caught = module, caught

    def __call__(self, **options):
        return self.module.install(**options)

    def codes(self) -> list[str]:
        return [str(w.message).split()[0] for w in self.caught if issubclass(w.category, self.module.LossLintWarning)]

    def of(self, category) -> list:
        return [w for w in self.caught if issubclass(w.category, category)]

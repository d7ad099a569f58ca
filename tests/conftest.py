import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import importlib.util
import os

import pytest

REQUIRE_KERAS = os.environ.get("LOSSLINT_REQUIRE_KERAS") == "1"


def pytest_configure(config):
    config.addinivalue_line("markers", "keras: needs Keras installed (fails instead of skipping when "
                                       "LOSSLINT_REQUIRE_KERAS=1, as in CI)")


@pytest.fixture(scope="session")
def keras():
    if importlib.util.find_spec("keras") is None:
        if REQUIRE_KERAS:
            pytest.fail("Keras is required (LOSSLINT_REQUIRE_KERAS=1) but not installed")
        pytest.skip("Keras is not installed")
    import keras as module

    return module

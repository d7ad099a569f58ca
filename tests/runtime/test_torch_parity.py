"""Runtime parity (DESIGN §5) for PyTorch: every fixture that imports torch runs for real (CPU,
a few steps on tiny tensors) with the hook installed, in one subprocess; the codes it warns
must be the `# expect:` codes of the runtime rules the fixture selects. The PyTorch programs of
tests/runtime/programs/ (what only the runtime hook sees) run the same way."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from conftest import HERE, require, subprocess_env
from fixture_format import load, python_fixtures
from losslint.registry import all_rules

TORCH = re.compile(r"^\s*(?:import|from)\s+torch\b", re.M)
KERAS = re.compile(r"^\s*(?:import|from)\s+(?:keras|tensorflow|tf_keras)\b", re.M)  # Keras on torch: test_backends.py


def _torch_program(fixture) -> bool:
    text = fixture.path.read_text(encoding="utf-8")
    return bool(TORCH.search(text)) and not KERAS.search(text)


def _cases() -> list:
    programs = [load(p) for p in sorted((HERE / "programs").glob("*.py"))]
    return [f for f in python_fixtures() + programs if f.options.get("runtime") != "no" and _torch_program(f)]


def _expected(fixture) -> list[str]:
    rules, codes = all_rules(), fixture.codes()
    return sorted({code for _, code in fixture.expected if code in codes and rules[code].runtime})


@pytest.fixture(scope="module")
def results():
    require("torch")
    jobs = [[str(f.path), sorted(f.codes())] for f in _cases()]
    process = subprocess.run([sys.executable, str(HERE / "torch_parity_runner.py")], input=json.dumps(jobs),
                             capture_output=True, text=True, env=subprocess_env(), timeout=600)
    assert process.returncode == 0, process.stderr[-3000:]
    return json.loads(process.stdout.strip().splitlines()[-1])


def test_torch_runtime_parity(results):
    cases = _cases()
    assert len(cases) >= 20
    failures = []
    for fixture in cases:
        result = results[str(fixture.path)]
        expected = _expected(fixture)
        if result["codes"] != expected or result["internal"] or result["inspected"] == 0:
            failures.append(f"{fixture.path.name}: expected {expected}, warned {result['codes']}"
                            f"{'; internal ' + str(result['internal']) if result['internal'] else ''}"
                            f"{'; error ' + result['error'] if result['error'] else ''}"
                            f"{'; no loss call inspected' if not result['inspected'] else ''}")
    assert not failures, "\n".join(failures)

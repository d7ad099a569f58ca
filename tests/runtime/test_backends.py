"""Runtime parity (DESIGN §5) on the TensorFlow and JAX backends, one subprocess per backend.

Which fixtures run: every `fixtures/**/*.py` (the fixtures are complete programs on tiny data;
of a project fixture, its scripts, run as `python script.py` or `python -m pkg.script` would),
on each backend whose imports they can satisfy: fixtures importing `tensorflow`/`tf_keras` run
only on the TensorFlow backend. A fixture that stops before its first `compile()` because a
module or API is missing here fails the test: a fixture that cannot run in the test environment
(tf-keras, Keras-2-only import paths, sklearn) says so with `# losslint-fixture: runtime=no`. The runner trains only while
the hook still needs a train step (see parity_runner.py); expected codes = `# expect:` codes of runtime rules that
the fixture selects. The programs in tests/runtime/programs/ (label and metric rules, datasets,
PyDataset, pandas, subclassed and multi-output models) run the same way.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from conftest import HERE, require, subprocess_env
from fixture_format import FIXTURES, load, project_fixtures, python_fixtures
from losslint.registry import all_rules

# On JAX a subclassed model's outputs reach the hook only as tracers inside the jitted train step:
# their shape is known, their activation is not (docs/runtime.md). There the hook may report less
# than the static check, never something else.
# codes decided by the labels and the loss alone (no output activation needed)
LABEL_AND_LOSS_ONLY = frozenset({"LL201", "LL202", "LL207"})
SUBCLASSED = re.compile(r"^class\s+\w+\(\s*(?:keras\.|tf\.keras\.)?Model\s*\)", re.M)
TF_ONLY = re.compile(r"^\s*(?:import|from)\s+(?:tensorflow|tf_keras)\b", re.M)
TORCH = re.compile(r"^\s*(?:import|from)\s+torch\b", re.M)  # PyTorch fixtures: test_torch_parity.py
BACKENDS = {"tensorflow": "tensorflow", "jax": "jax"}


def _program_text(fixture) -> str:
    """The fixture's source; for a project fixture's script, every module of its project."""
    projects = FIXTURES / "project"
    if projects not in fixture.path.parents:
        return fixture.path.read_text(encoding="utf-8")
    root = projects / fixture.path.relative_to(projects).parts[0]
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.py")))


def _cases() -> list:
    fixtures = [f for f in python_fixtures() if f.options.get("runtime") != "no"
                and not TORCH.search(f.path.read_text(encoding="utf-8"))]
    fixtures += [s for p in project_fixtures() for s in p.scripts if s.options.get("runtime") != "no"]
    programs = [load(p) for p in sorted((HERE / "programs").glob("*.py"))]
    return fixtures + programs


def _expected(fixture) -> list[str]:
    rules = all_rules()
    codes = fixture.codes()
    return sorted({code for _, code in fixture.expected if code in codes and rules[code].runtime})


def _name(fixture) -> str:
    path = fixture.path
    return str(path.relative_to(FIXTURES)) if FIXTURES in path.parents else f"programs/{path.name}"


@pytest.fixture(scope="module")
def runs():
    """Start one runner per backend at once (they overlap on two cores), then collect both."""
    require("keras")
    cases = _cases()
    processes = {}
    for backend, module in BACKENDS.items():
        if backend == "jax" and __import__("importlib.util").util.find_spec("jax") is None:
            continue
        jobs = [[str(f.path), sorted(f.codes())] for f in cases
                if backend == "tensorflow" or not TF_ONLY.search(f.path.read_text(encoding="utf-8"))]
        processes[backend] = (subprocess.Popen(
            [sys.executable, str(HERE / "parity_runner.py")], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=subprocess_env(KERAS_BACKEND=backend)), jobs)
        processes[backend][0].stdin.write(json.dumps(jobs))
        processes[backend][0].stdin.close()
    results = {}
    for backend, (process, _) in processes.items():
        out = process.stdout.read()
        err = process.stderr.read()
        assert process.wait(timeout=300) == 0, err[-3000:]
        results[backend] = json.loads(out.strip().splitlines()[-1])
    return cases, results


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_runtime_parity(runs, backend):
    cases, results = runs
    if backend not in results:
        require(BACKENDS[backend])  # skips, or fails under LOSSLINT_REQUIRE_KERAS=1
    failures = []
    for fixture in cases:
        result = results[backend].get(str(fixture.path))
        if result is None:
            continue
        expected = _expected(fixture)
        partial = backend == "jax" and SUBCLASSED.search(_program_text(fixture))
        if partial:  # JAX: a subclassed model's output is a tracer, its activation unknown at runtime;
            # rules that need only the labels and the loss must still agree
            missing = set(expected) - set(result["codes"])
            codes_ok = set(result["codes"]) <= set(expected) and not missing & LABEL_AND_LOSS_ONLY
        else:
            codes_ok = result["codes"] == expected
        # every fixture compiles a model: a program that stopped before that checked nothing
        if not codes_ok or result["internal"] or result["compiles"] == 0:
            failures.append(f"{_name(fixture)}: expected {expected}, warned {result['codes']}"
                            f"{'; internal ' + str(result['internal']) if result['internal'] else ''}"
                            f"{'; error ' + result['error'] if result['error'] else ''}")
    assert len(results[backend]) >= 10
    assert not failures, "\n".join(failures)

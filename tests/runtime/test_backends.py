"""Runtime parity (DESIGN §5) on the TensorFlow, JAX and torch backends of Keras 3 and on the legacy
tf_keras package, one subprocess per backend.

Which fixtures run: every `fixtures/**/*.py` (the fixtures are complete programs on tiny data;
of a project fixture, its scripts, run as `python script.py` or `python -m pkg.script` would),
on each runtime whose imports they can satisfy: fixtures importing `tensorflow` run only on the
TensorFlow backend, fixtures importing `tf_keras` run there too but are the tf_keras runtime,
fixtures that set `os.environ["KERAS_BACKEND"]` themselves run only on that backend, and PyTorch
programs (importing torch, not keras) are test_torch_parity.py's. A fixture that stops before it
reaches its first `compile()` or its first directly called loss because a module or API is
missing here fails the test: a fixture that cannot run in the test environment (Keras-2-only
import paths, sklearn, downloads) says so with `# losslint-fixture: runtime=no (reason)`. The
runner trains only while the hook still needs a train step (see parity_runner.py); expected
codes = `# expect:` codes of runtime rules that the fixture selects, except those its header
names as unseen on a runtime: `runtime-unseen=torch:LL106` (several: `jax:LL106,torch:LL106`;
`*:LL101` on every runtime), followed by the reason in parentheses; a code listed there must
really be missing (when the hook learns to see it, the header must change). The programs in
tests/runtime/programs/ (label and metric rules, datasets, PyDataset, pandas, subclassed and
multi-output models) run the same way.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys

import pytest

from conftest import HERE, require, subprocess_env
from fixture_format import FIXTURES, load, project_fixtures, python_fixtures
from losslint.registry import all_rules

# What one runtime cannot see (on JAX, a subclassed model's output activation: only a tracer reaches
# the hook, docs/runtime.md) is named per fixture by `runtime-unseen=`; elsewhere codes match exactly.
TF_ONLY = re.compile(r"^\s*(?:import|from)\s+(?:tensorflow|tf_keras)\b", re.M)
TF_KERAS = re.compile(r"^\s*(?:import|from)\s+tf_keras\b", re.M)
TORCH = re.compile(r"^\s*(?:import|from)\s+torch\b", re.M)
KERAS = re.compile(r"^\s*(?:import|from)\s+(?:keras|tensorflow|tf_keras)\b", re.M)
PINNED = re.compile(r"""^os\.environ\[["']KERAS_BACKEND["']\]\s*=\s*["'](\w+)["']""", re.M)
BACKENDS = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}  # backend: the module it needs
RUNTIMES = ("tensorflow", "jax", "torch", "tf_keras")


def _program_text(fixture) -> str:
    """The fixture's source; for a project fixture's script, every module of its project."""
    projects = FIXTURES / "project"
    if projects not in fixture.path.parents:
        return fixture.path.read_text(encoding="utf-8")
    root = projects / fixture.path.relative_to(projects).parts[0]
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.py")))


def _cases() -> list:
    """Keras fixtures (PyTorch programs, which import torch and no Keras, are test_torch_parity.py's)."""
    def keras_program(text: str) -> bool:
        return bool(KERAS.search(text)) or not TORCH.search(text)

    fixtures = [f for f in python_fixtures() if f.options.get("runtime") != "no"
                and keras_program(f.path.read_text(encoding="utf-8"))]
    fixtures += [s for p in project_fixtures() for s in p.scripts if s.options.get("runtime") != "no"]
    programs = [load(p) for p in sorted((HERE / "programs").glob("*.py"))]
    return fixtures + programs


def _runs_on(fixture, backend: str) -> bool:
    text = _program_text(fixture)
    pinned = PINNED.search(text)
    if pinned:
        return pinned.group(1) == backend
    return backend == "tensorflow" or not TF_ONLY.search(text)


def _runtime(fixture, backend: str) -> str:
    return "tf_keras" if backend == "tensorflow" and TF_KERAS.search(_program_text(fixture)) else backend


def _unseen(fixture, runtime: str) -> set[str]:
    """Codes the header says this runtime cannot see (`runtime-unseen=torch:LL106,*:LL101`)."""
    unseen = set()
    for entry in filter(None, fixture.options.get("runtime-unseen", "").split(",")):
        where, _, code = entry.partition(":")
        assert where in RUNTIMES + ("*",) and re.fullmatch(r"LL\d{3}", code), f"{fixture.path}: bad entry {entry!r}"
        if where in (runtime, "*"):
            unseen.add(code)
    return unseen


def _expected(fixture, runtime: str | None = None) -> list[str]:
    rules = all_rules()
    codes = fixture.codes()
    found = {code for _, code in fixture.expected if code in codes and rules[code].runtime}
    return sorted(found - _unseen(fixture, runtime)) if runtime else sorted(found)


def _name(fixture) -> str:
    path = fixture.path
    return str(path.relative_to(FIXTURES)) if FIXTURES in path.parents else f"programs/{path.name}"


@functools.lru_cache(maxsize=None)
def _run(backend: str) -> dict:
    """One runner process for one backend; each test starts only its own (under xdist the tests
    of the three backends go to different workers, and none runs another's fixtures)."""
    jobs = [[str(f.path), sorted(f.codes())] for f in _cases() if _runs_on(f, backend)]
    process = subprocess.run([sys.executable, str(HERE / "parity_runner.py")], input=json.dumps(jobs),
                             capture_output=True, text=True, env=subprocess_env(KERAS_BACKEND=backend),
                             timeout=900)
    assert process.returncode == 0, process.stderr[-3000:]
    return json.loads(process.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_runtime_parity(backend):
    require("keras")
    require(BACKENDS[backend])  # skips, or fails under LOSSLINT_REQUIRE_KERAS=1
    results = _run(backend)
    failures = []
    for fixture in _cases():
        result = results.get(str(fixture.path))
        if result is None:
            continue
        runtime = _runtime(fixture, backend)
        expected = _expected(fixture, runtime)
        stale = _unseen(fixture, runtime) - set(_expected(fixture))
        if stale:  # a header naming a code the fixture does not expect says nothing true
            failures.append(f"{_name(fixture)} [{runtime}]: runtime-unseen names {sorted(stale)}, not expected")
        codes_ok = result["codes"] == expected
        # a program that stopped (missing module or API) before its first compile() or directly
        # called loss checked nothing; one the hook has nothing to check in (tf.nn losses) must end
        reached = result["compiles"] + result["loss_calls"] > 0 or not result["error"]
        if not codes_ok or result["internal"] or not reached:
            failures.append(f"{_name(fixture)} [{runtime}]: expected {expected}, warned {result['codes']}"
                            f"{'; internal ' + str(result['internal']) if result['internal'] else ''}"
                            f"{'; error ' + result['error'] if result['error'] else ''}"
                            f"{'' if reached else '; reached no compile() and no loss call'}")
    assert len(results) >= 10
    assert not failures, "\n".join(failures)

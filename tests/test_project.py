"""Project-wide analysis (`losslint/static/engine/project.py`): imports between the project's own modules
are followed within the checked directories, findings stay in the checked file, and the cache
keys a file's result on the modules it imports."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from cli_helpers import run_losslint
from fixture_format import PROJECTS, ProjectFixture, project_fixtures
from losslint import api
from losslint.cache import Cache
from losslint.registry import select_codes
from losslint.static.engine import project as project_module
from losslint.static.engine.project import ProjectContext, ProjectScope

PROJECT_LIST = project_fixtures()
CODES = select_codes()


def findings(root: Path, *paths: str, fix: str | None = None) -> set[tuple]:
    """(file relative to root, cell, line, code) of `losslint check` run in `root`."""
    extra = [fix] if fix else []
    result = run_losslint("check", "--no-cache", "--output-format", "json", *extra, *(paths or ["."]), cwd=root)
    assert result.returncode in (0, 1), result.stderr
    return {(Path(os.path.relpath(d["filename"], root)).as_posix(), d["cell"], d["location"]["row"], d["code"])
            for d in json.loads(result.stdout)}


@pytest.mark.parametrize("fixture", PROJECT_LIST, ids=[f.id for f in PROJECT_LIST])
def test_project_fixture(fixture: ProjectFixture) -> None:
    actual = findings(fixture.root, *fixture.check)
    assert actual == fixture.expected, (f"{fixture.id}: missing {sorted(fixture.expected - actual)}, "
                                        f"unexpected {sorted(actual - fixture.expected)}")


def test_project_fixtures_cover_findings_and_silence() -> None:
    assert len(PROJECT_LIST) >= 7
    assert sum(1 for f in PROJECT_LIST if f.expected) >= 5
    assert sum(1 for f in PROJECT_LIST if not f.expected) >= 2
    assert all(len([p for p in f.root.rglob("*") if p.suffix in (".py", ".ipynb")]) >= 2 for f in PROJECT_LIST)
    assert any(f.root.joinpath(p).suffix == ".ipynb" for f in PROJECT_LIST for p, *_ in f.expected)


def test_the_findings_need_the_imported_modules() -> None:
    """Each finding of a project fixture is one the file alone does not give."""
    for fixture in PROJECT_LIST:
        for relative, _, line, code in fixture.expected:
            alone = api.check_file(str(fixture.root / relative), CODES)
            assert (line, code) not in {(d.anchor.line, d.code) for d in alone.diagnostics}, (fixture.id, relative)


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


SOFTMAX_MODELS = """import keras


def build_model(num_classes=10):
    return keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(num_classes, activation="softmax")])
"""
LINEAR_MODELS = SOFTMAX_MODELS.replace(', activation="softmax"', "")
TRAIN = """import keras

from models import build_model

model = build_model()
model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
"""


def test_editing_an_imported_module_changes_the_cached_result(tmp_path) -> None:
    root = _write(tmp_path, {"pyproject.toml": "[project]\nname = 'p'\n", "models.py": SOFTMAX_MODELS,
                             "train.py": TRAIN})

    def codes():
        result = run_losslint("check", "--output-format", "json", ".", cwd=root)
        assert result.returncode in (0, 1), result.stderr
        return sorted((d["filename"].rsplit(os.sep, 1)[-1], d["code"]) for d in json.loads(result.stdout))

    assert codes() == [("train.py", "LL101")]
    assert codes() == [("train.py", "LL101")]  # warm
    (root / "models.py").write_text(LINEAR_MODELS, encoding="utf-8")
    assert codes() == []  # train.py is unchanged, but what it imports is not
    (root / "models.py").write_text(SOFTMAX_MODELS, encoding="utf-8")
    assert codes() == [("train.py", "LL101")]


def test_a_module_created_where_python_looks_first_changes_the_cached_result(tmp_path) -> None:
    """`src/train.py` imports `models` from the checked root; a `src/models.py` created later
    shadows it (the script's directory comes first), and the cache must notice."""
    root = _write(tmp_path, {"models.py": SOFTMAX_MODELS, "src/train.py": TRAIN})
    cache = Cache(str(tmp_path / "cache"))
    scope = ProjectScope.of_paths([str(root)])
    train = str(root / "src" / "train.py")

    def codes():
        return [d.code for d in api.check_file(train, CODES, cache, scope).diagnostics]

    assert codes() == ["LL101"]
    (root / "src" / "models.py").write_text(LINEAR_MODELS, encoding="utf-8")
    assert codes() == []
    (root / "src" / "models.py").unlink()
    assert codes() == ["LL101"]


def test_a_warm_run_does_not_analyse_and_a_broken_dependency_list_is_a_miss(tmp_path, monkeypatch) -> None:
    root = _write(tmp_path, {"models.py": SOFTMAX_MODELS, "train.py": TRAIN})
    cache = Cache(str(tmp_path / "cache"))
    scope = ProjectScope.of_paths([str(root)])
    files = [str(root / "train.py"), str(root / "models.py")]
    cold = api.check_paths(files, CODES, jobs=1, cache=cache, project=scope)
    assert [d.code for d in cold.diagnostics] == ["LL101"]

    def no_analysis(*args, **kwargs):
        raise AssertionError("a cache hit must not parse")

    monkeypatch.setattr(api, "_check_document", no_analysis)
    warm = api.check_paths(files, CODES, jobs=1, cache=cache, project=scope)
    assert warm.diagnostics == cold.diagnostics
    monkeypatch.undo()
    for manifest in Path(cache.directory).rglob("*.deps.json"):
        manifest.write_text("{not json", encoding="utf-8")
    again = api.check_paths(files, CODES, jobs=1, cache=cache, project=scope)
    assert again.diagnostics == cold.diagnostics


def test_the_checked_directories_are_part_of_the_key(tmp_path) -> None:
    """The same file checked with its imports in scope, then without: two different results."""
    root = _write(tmp_path, {"lib/models.py": SOFTMAX_MODELS, "app/train.py": TRAIN})
    cache = Cache(str(tmp_path / "cache"))
    train = str(root / "app" / "train.py")
    with_lib = ProjectScope.of_paths([str(root)])
    without = ProjectScope.of_paths([str(root / "app")])
    # Python would find lib/models.py only through PYTHONPATH: neither scope follows it
    assert api.check_file(train, CODES, cache, with_lib).diagnostics == []
    (root / "app" / "models.py").write_text(SOFTMAX_MODELS, encoding="utf-8")
    assert [d.code for d in api.check_file(train, CODES, cache, without).diagnostics] == ["LL101"]
    shutil.rmtree(root / "lib")
    assert [d.code for d in api.check_file(train, CODES, cache, with_lib).diagnostics] == ["LL101"]


def test_worker_processes_give_the_same_result(tmp_path) -> None:
    files = {"models.py": SOFTMAX_MODELS, "config.py": "NUM_CLASSES = 3\n"}
    for i in range(9):  # 8 files or more go to worker processes
        files[f"train_{i}.py"] = TRAIN.replace("build_model()", "build_model(config.NUM_CLASSES)" if i % 2 else
                                               "build_model()").replace("from models", "import config\nfrom models")
    root = _write(tmp_path, files)
    paths = sorted(str(p) for p in root.glob("*.py"))
    scope = ProjectScope.of_paths([str(root)])
    serial = api.check_paths(paths, CODES, jobs=1, project=scope)
    parallel = api.check_paths(paths, CODES, jobs=2, project=scope)
    assert serial.diagnostics == parallel.diagnostics
    assert len(serial.diagnostics) == 9


def test_import_cycles_and_deep_chains_are_unknown_and_order_independent(tmp_path) -> None:
    chain = {f"level{i}.py": f"from level{i + 1} import UNITS\n" for i in range(project_module.MAX_DEPTH + 2)}
    chain[f"level{project_module.MAX_DEPTH + 2}.py"] = "UNITS = 1\n"
    root = _write(tmp_path, {
        **chain,
        "a.py": "import keras\nfrom b import helper\n\n\ndef build():\n"
                "    return keras.Sequential([keras.layers.Dense(4, activation='softmax')])\n",
        "b.py": "from a import build\n\n\ndef helper():\n    return build()\n",
        "deep.py": "import keras\nfrom level0 import UNITS\n\nmodel = keras.Sequential([keras.layers.Dense(UNITS, "
                   "activation='softmax')])\nmodel.compile(loss='binary_crossentropy')\n",
        "near.py": "import keras\nfrom level4 import UNITS\n\nmodel = keras.Sequential([keras.layers.Dense(UNITS, "
                   "activation='softmax')])\nmodel.compile(loss='binary_crossentropy')\n",
        "use_cycle.py": "import keras\nfrom b import helper\n\nmodel = helper()\n"
                        "model.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True))\n",
    })
    scope = ProjectScope.of_paths([str(root)])

    def run(name):
        return [d.code for d in api.check_file(str(root / name), CODES, None, scope).diagnostics]

    # the cycle a → b → a: b's summary met a module in progress, so it is not memoised
    first = [run("use_cycle.py"), run("a.py"), run("b.py")]
    project_module._MEMO.clear()
    second = [run("b.py"), run("a.py"), run("use_cycle.py")][::-1]
    assert first == second
    assert first[0] == ["LL101"]  # use_cycle.py → b.helper → a.build: no cycle on that path
    assert run("near.py") == ["LL104"]  # 3 re-exports deep: followed, Dense(1, softmax)
    # more than MAX_DEPTH re-exports deep: the unit count is unknown (LL103 holds for any count)
    assert run("deep.py") == ["LL103"]


def test_framework_names_and_outside_modules_are_not_project_modules(tmp_path) -> None:
    root = _write(tmp_path, {"app/keras.py": "Dense = 1\n", "app/train.py": TRAIN, "models.py": SOFTMAX_MODELS,
                             "app/datasets/README.txt": "images go here\n", "app/utils/layers.py": "UNITS = 3\n"})
    context = ProjectContext(ProjectScope.of_paths([str(root / "app")]), str(root / "app" / "train.py"))
    assert context.lookup("keras.layers.Dense", context.path) is None
    assert context.lookup("numpy.zeros", context.path) is None
    assert context.lookup("models.build_model", context.path) is None  # not beside it, not in scope
    inside = ProjectContext(ProjectScope.of_paths([str(root)]), str(root / "app" / "train.py"))
    assert type(inside.lookup("models.build_model", inside.path)).__name__ == "Function"
    assert str(root / "models.py") in inside.dependencies
    # a data folder without __init__.py is not the `datasets` package; a module inside one is
    assert inside.lookup("datasets.load_dataset", inside.path) is None
    assert inside.lookup("utils.layers.UNITS", inside.path).value == 3


def test_fixes_apply_to_the_checked_file_only(tmp_path) -> None:
    root = tmp_path / "p"
    shutil.copytree(PROJECTS / "script_dir_builder", root)
    shutil.copytree(PROJECTS / "config_loss_and_units", tmp_path / "q")
    before = {p: p.read_bytes() for p in [*root.rglob("*.py"), *(tmp_path / "q").rglob("*.py")]}
    assert findings(root, ".", fix="--fix") == set()  # the loss in train.py: fixed, nothing left
    changed = [p.name for p, data in before.items() if p.read_bytes() != data]
    assert changed == ["train.py"]
    assert "SparseCategoricalCrossentropy()" in (root / "train.py").read_text(encoding="utf-8")
    # the LL103 of q lies in settings.py (the loss string): reported at the compile, never fixed
    assert findings(tmp_path / "q", ".", fix="--fix") == {("train.py", None, 16, "LL103")}
    result = run_losslint("check", "--no-cache", "--output-format", "json", "--fix", "--unsafe-fixes", ".",
                          cwd=tmp_path / "q")
    (finding,) = json.loads(result.stdout)
    assert finding["fix"] is None
    assert any(r["message"].startswith("found in settings.py") for r in finding["related"])
    assert [p.name for p, data in before.items() if p.read_bytes() != data] == ["train.py"]


def test_files_named_explicitly_and_standard_input_follow_the_modules_beside_them() -> None:
    """pre-commit passes the staged files one by one; editors pipe the buffer with its name."""
    root = PROJECTS / "script_dir_builder"
    assert findings(root, "train.py") == {("train.py", None, 20, "LL101")}
    text = (root / "train.py").read_text(encoding="utf-8")
    result = run_losslint("check", "--no-cache", "--output-format", "json", "-", "--stdin-filename", "train.py",
                          cwd=root, stdin=text)
    assert [(d["location"]["row"], d["code"]) for d in json.loads(result.stdout)] == [(20, "LL101")]

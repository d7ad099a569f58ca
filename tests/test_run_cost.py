"""What a run costs, counted rather than timed (`project.COUNTS`): an explicit list of files (what
pre-commit passes) costs no more than the same files found under their directory, and a module
imported by many files is summarised once per run, whichever depth it is imported at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from losslint import api
from losslint.registry import select_codes
from losslint.static.engine import project as project_module
from losslint.static.engine.project import ProjectScope

CODES = select_codes()

HEADS = '''import keras


def classifier_head(num_classes):
    return keras.layers.Dense(num_classes, activation="softmax")
'''

CONFIG = '''NUM_CLASSES = 10
HIDDEN_UNITS = 32
'''

MODEL = '''import keras

from shared.config import HIDDEN_UNITS, NUM_CLASSES
from shared.heads import classifier_head

WIDTH = HIDDEN_UNITS


def build_model(num_classes=NUM_CLASSES):
    return keras.Sequential([keras.Input(shape=(16,)), keras.layers.Dense(WIDTH, activation="relu"),
                             classifier_head(num_classes)])
'''

TRAIN = '''import keras
import numpy as np

from model import build_model
from utils import load_data

x, y = load_data()
model = build_model()
model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(x, y, epochs=1)
'''

EVALUATE = '''import keras

from shared.config import NUM_CLASSES
from shared.heads import classifier_head

model = keras.Sequential([keras.Input(shape=(16,)), classifier_head(NUM_CLASSES)])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
'''

UTILS = '''import numpy as np


def load_data():
    return np.random.rand(64, 16), np.random.randint(0, 10, size=(64,))
'''


def examples(root: Path, count: int) -> list[str]:
    """`count` example directories (like tensorflow/examples), each a script importing its own
    sibling modules, which import a shared package; the files, relative to `root`, sorted."""
    (root / "shared").mkdir()
    (root / "shared" / "__init__.py").write_text("", encoding="utf-8")
    (root / "shared" / "heads.py").write_text(HEADS, encoding="utf-8")
    (root / "shared" / "config.py").write_text(CONFIG, encoding="utf-8")
    for i in range(count):
        directory = root / f"example_{i}"
        directory.mkdir()
        for name, text in (("train.py", TRAIN), ("model.py", MODEL), ("evaluate.py", EVALUATE), ("utils.py", UTILS)):
            (directory / name).write_text(text, encoding="utf-8")
    return sorted(os.path.relpath(p, root) for p in root.rglob("*.py"))


def run(files: list[str], scope: ProjectScope) -> tuple[list, dict]:
    """(findings, work counted) of a cold --jobs 1 run in this process."""
    project_module._MEMO.clear()
    project_module.COUNTS.clear()
    result = api.check_paths(files, CODES, jobs=1, project=scope)
    return [(d.filename, d.anchor.line, d.code) for d in result.diagnostics], dict(project_module.COUNTS)


@pytest.fixture
def in_tmp(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_list_of_files_costs_what_their_directory_costs(in_tmp) -> None:
    files = examples(in_tmp, 12)
    as_directory, directory_work = run(files, ProjectScope.of_paths(["."]))
    as_list, list_work = run(files, ProjectScope.of_paths(files))
    assert as_list == as_directory
    assert [code for _, _, code in as_directory].count("LL101") == 12, "every train.py reads its imports"
    for counted in ("summaries", "probes", "realpaths"):
        assert list_work.get(counted, 0) <= directory_work.get(counted, 0), (counted, list_work, directory_work)


def test_the_work_per_file_does_not_grow_with_the_number_of_roots(in_tmp, monkeypatch) -> None:
    """Files in many directories with no common directory but `/` each give a root: looking a
    module up then tries every root, but the paths resolved per file must not grow with their
    number (every pair of roots was once resolved again for every import: 98 s for 325 files)."""
    resolved = []
    realpath = os.path.realpath

    def counted(path, *args, **kwargs):
        resolved.append(path)
        return realpath(path, *args, **kwargs)

    per_file = {}
    for count in (4, 16):
        root = in_tmp / str(count)
        root.mkdir()
        files = [str(root / f) for f in examples(root, count)]
        scope = ProjectScope(tuple(sorted({os.path.dirname(f) for f in files})))
        resolved.clear()
        with monkeypatch.context() as patch:
            patch.setattr(os.path, "realpath", counted)
            run(files, scope)
        per_file[count] = len(resolved) / len(files)
    assert per_file[16] <= 2 * per_file[4], per_file


def test_file_arguments_are_scoped_by_their_common_directory(in_tmp) -> None:
    files = examples(in_tmp, 2)
    assert ProjectScope.of_paths(files) == ProjectScope.of_paths(["."])
    assert ProjectScope.of_paths(["example_0/train.py"]).roots == (os.path.realpath("example_0"),)
    assert ProjectScope.of_paths(["example_1", "example_0/train.py"]).roots == \
        (os.path.realpath("example_1"), os.path.realpath("example_0"))


def test_a_module_imported_by_many_files_is_summarised_once_per_run(in_tmp) -> None:
    """`shared/config.py` is read by each `model.py`'s top level (two imports deep from `train.py`)
    and by each `evaluate.py` (one deep): one summary serves both depths."""
    files = examples(in_tmp, 6)
    _, work = run(files, ProjectScope.of_paths(["."]))
    imported = {"shared/config.py", "shared/heads.py"} | {f"example_{i}/{m}" for i in range(6)
                                                          for m in ("model.py", "utils.py")}
    assert work["summaries"] == len(imported), work


def test_a_package_importing_its_modules_back_is_summarised_once_per_chain(in_tmp) -> None:
    """`pkg/__init__.py` reads a constant of each of its modules, and each module reads one of the
    package's: every summary meets an import cycle. Asking `train.py`'s names of the package one
    by one once summarised the whole package again for every name (ignite: 135 times a module)."""
    modules = "abcd"
    init = "NUM_CLASSES = 10\n" + "".join(f"from .{m} import WIDTH_{m.upper()}, build_{m}\n" for m in modules) + \
        "WIDTHS = [" + ", ".join(f"WIDTH_{m.upper()}" for m in modules) + "]\n"
    files = {"pkg/__init__.py": init,
             "train.py": "import keras\n\nfrom pkg import NUM_CLASSES, " + ", ".join(f"build_{m}" for m in modules)
             + "\n\n" + "".join(f"model_{m} = build_{m}()\nmodel_{m}.compile(optimizer='adam', loss='mse')\n"
                                for m in modules)}
    for m in modules:
        files[f"pkg/{m}.py"] = (f"import keras\n\nfrom pkg import NUM_CLASSES\n\nWIDTH_{m.upper()} = NUM_CLASSES\n\n\n"
                                f"def build_{m}():\n    return keras.Sequential([keras.Input(shape=(4,)), "
                                f"keras.layers.Dense(WIDTH_{m.upper()})])\n")
    for name, text in files.items():
        (in_tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (in_tmp / name).write_text(text, encoding="utf-8")
    _, work = run(["train.py"], ProjectScope.of_paths(["."]))
    assert work["summaries"] <= 3 * (len(modules) + 1), work  # (40 when each name asked summarised them again)

"""LL902 labels-unknown through the CLI: opt-in, counted by --statistics, its help names the
runtime hook (`losslint run FILE` for a script, `%load_ext losslint` for a notebook)."""

from __future__ import annotations

import json

from cli_helpers import run_losslint

CSV_PROGRAM = '''import pandas as pd
import keras

frame = pd.read_csv("train.csv")
model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(frame.drop(columns="label").values, frame["label"].values, epochs=5)
model.fit(frame.drop(columns="label").values, frame["label"].values, epochs=1){comment}
'''


def test_opt_in_statistics_and_help(tmp_path):
    (tmp_path / "train.py").write_text(CSV_PROGRAM.format(comment="  # noqa: LL902"), encoding="utf-8")
    assert run_losslint("check", "train.py", cwd=tmp_path).returncode == 0  # off by default
    found = run_losslint("check", "--extend-select", "LL902", "train.py", cwd=tmp_path)
    assert found.returncode == 1
    assert found.stdout.splitlines()[:2] == [
        "train.py:7:1: LL902 could not follow the labels (`frame[\"label\"].values`) passed to `model.fit()`; "
        "the label checks did not run",
        "  help: the runtime hook checks the labels at `fit()`: `losslint run train.py` "
        "(or `%load_ext losslint` in a notebook)"]
    statistics = run_losslint("check", "--extend-select", "LL902", "--statistics", "train.py", cwd=tmp_path)
    assert statistics.stdout.splitlines()[:2] == ["    1  LL902  labels-unknown", "    1  suppressed by `# noqa`"]


def test_notebook_help_names_the_extension(tmp_path):
    source = CSV_PROGRAM.format(comment="").splitlines(keepends=True)
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": source[:6]},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": source[6:7]}]}
    (tmp_path / "explore.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    found = run_losslint("check", "--select", "LL902", "--output-format", "json", "explore.ipynb", cwd=tmp_path)
    (finding,) = json.loads(found.stdout)
    assert finding["code"] == "LL902" and "`%load_ext losslint` in the notebook" in finding["help"]
    assert (finding["cell"], finding["location"]["row"]) == (2, 1)

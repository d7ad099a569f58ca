"""Property and fuzz tests (hypothesis): the analyzer never crashes, and on Keras programs composed
from the knowledge table its findings obey invariants (and agree with the runtime hook).

Bounded for CI (`max_examples` 30 per property); `LOSSLINT_FUZZ=long` runs 1000 examples each.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cli_helpers import ROOT

from losslint import knowledge as k
from losslint.api import check_bytes, lint_source
from losslint.registry import all_rules, select_codes

KERAS_LOSSES = tuple(id for id in k.LOSSES if not id.startswith(("torch.", "optax.")))  # programs are Keras programs

LONG = os.environ.get("LOSSLINT_FUZZ") == "long"
FUZZ = settings(max_examples=1000 if LONG else 30, deadline=None, derandomize=not LONG,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
ALL = select_codes(["ALL"])
OUTPUT_RULES = frozenset(c for c in ALL if c.startswith("LL1") and ":" not in c)  # last layer vs loss, no labels


def assert_well_formed(diagnostics, source: str) -> None:
    """Known codes; an LL900 comes alone; anchors on lines that exist."""
    codes = [d.code for d in diagnostics]
    assert set(codes) <= set(all_rules()), codes
    if "LL900" in codes:
        assert codes == ["LL900"], codes
    lines = source.splitlines() or [""]
    for d in diagnostics:
        assert 1 <= d.anchor.line <= max(len(lines), 1), (d, len(lines))
        assert 0 <= d.anchor.col <= len(lines[d.anchor.line - 1]) + 1, d


# --------------------------------------------------------------------------- any text never crashes

KERAS_WORDS = st.sampled_from(["keras", "tf.keras", "Dense(3, activation='softmax')", "model.compile(loss=",
                               "from_logits=True", "Sequential([", "(", ")", "[", "]", ",", ":", "\n", "    ",
                               "\t", "lambda", "def f(", "class M(keras.Model):", "'", '"""', "#", "\\", "\r\n",
                               "\x00", "\ufeff", "%time", "!pip", "?"])


@FUZZ
@given(st.lists(st.one_of(KERAS_WORDS, st.text(max_size=20)), max_size=40).map("".join))
def test_any_text_gives_diagnostics_or_one_ll900(text):
    source = "import keras\n" + text
    assert_well_formed(lint_source(source, "fuzz.py", ALL), source)


@FUZZ
@given(st.binary(max_size=400), st.sampled_from(["x.py", "x.ipynb"]))
def test_any_bytes_give_diagnostics_or_one_ll900(data, name):
    result = check_bytes(b"import keras\n" + data, name, ALL)
    assert len([d for d in result.diagnostics if d.code == "LL900"]) <= 1


@FUZZ
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=30),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
                        st.sampled_from(["cells", "cell_type", "source", "nbformat", "metadata", "kernelspec",
                                         "language", "id", "outputs"]), inner, max_size=5), max_leaves=20))
def test_any_json_named_ipynb_gives_diagnostics_or_one_ll900(value):
    document = {"nbformat": 4, "cells": value} if not isinstance(value, dict) else value
    result = check_bytes(json.dumps(document).encode(), "nb.ipynb", ALL)
    assert len(result.diagnostics) <= 1 or all(d.code != "LL900" for d in result.diagnostics)


try:
    import hypothesmith
except ImportError:  # pragma: no cover - in the `test` extra
    hypothesmith = None


@pytest.mark.skipif(hypothesmith is None, reason="hypothesmith is not installed")
@FUZZ
@given(hypothesmith.from_grammar() if hypothesmith else st.nothing())
def test_generated_python_programs_never_crash_the_analyzer(program):
    source = "import keras\nfrom tensorflow import keras as K\n" + program
    assert_well_formed(lint_source(source, "generated.py", ALL), source)


# --------------------------------------------------------------------------- Keras programs from the table

IMPORT_STYLES = {  # style → (import lines, how to spell keras.<area>.<Name> / keras.<Name>)
    "import keras": ("import keras\n", lambda area, name: f"keras.{area + '.' if area else ''}{name}"),
    "tf.keras": ("import tensorflow as tf\n", lambda area, name: f"tf.keras.{area + '.' if area else ''}{name}"),
    "from tensorflow import keras": ("from tensorflow import keras\n",
                                     lambda area, name: f"keras.{area + '.' if area else ''}{name}"),
    "keras as K": ("import keras as K\n", lambda area, name: f"K.{area + '.' if area else ''}{name}"),
    "from keras import modules": ("from keras import Input, Model, Sequential, activations, layers, losses\n",
                                  lambda area, name: f"{area + '.' if area else ''}{name}"),
}
KERAS_ONLY_STYLES = ("import keras", "keras as K", "from keras import modules")  # run on the JAX backend
#: activations Keras 3 accepts as strings on every backend (the runtime sample uses only these)
RUNNABLE_ACTIVATIONS = ("softmax", "sigmoid", "linear", "relu", "tanh", "log_softmax", "softplus", "elu")


@dataclass(frozen=True)
class Program:
    style: str
    model: str  # "sequential" | "sequential-add" | "functional"
    units: int
    activation: str | None  # knowledge id; None: Dense without activation
    placement: str  # "keyword" | "activation-layer" | "softmax-layer"
    loss: str  # knowledge id
    spelling: str  # "string" | "class" | "function"
    from_logits: bool | None  # None: not written

    def source(self) -> str:
        imports, spell = IMPORT_STYLES[self.style]
        out = [f"{spell('layers', 'Dense')}({self.units})"]
        if self.activation is not None and self.placement == "keyword":
            out = [f"{spell('layers', 'Dense')}({self.units}, activation={self.activation!r})"]
        elif self.activation is not None and self.placement == "softmax-layer":
            out.append(f"{spell('layers', 'Softmax')}()")
        elif self.activation is not None:
            out.append(f"{spell('layers', 'Activation')}({self.activation!r})")
        hidden, head = f"{spell('layers', 'Dense')}(16, activation='relu')", f"{spell('', 'Input')}(shape=(8,))"
        if self.model == "sequential":
            model = f"model = {spell('', 'Sequential')}([\n    {head},\n    {hidden},\n" + "".join(
                f"    {layer},\n" for layer in out) + "])\n"
        elif self.model == "sequential-add":
            model = f"model = {spell('', 'Sequential')}()\nmodel.add({head})\nmodel.add({hidden})\n" + "".join(
                f"model.add({layer})\n" for layer in out)
        else:
            model = f"inputs = {head}\nx = {hidden}(inputs)\n" + "".join(f"x = {layer}(x)\n" for layer in out) + \
                f"model = {spell('', 'Model')}(inputs, x)\n"
        spec = k.LOSSES[self.loss]
        if self.spelling == "class":
            keywords = "" if self.from_logits is None else f"from_logits={self.from_logits}"
            loss = f"{spell('losses', spec.class_name)}({keywords})"
        elif self.spelling == "function":
            loss = spell("losses", self.loss)
        else:
            loss = repr(self.loss)
        return (f"import numpy as np\n{imports}\nx = np.random.rand(16, 8).astype('float32')\n"
                f"y = np.zeros((16, {self.units}), dtype='float32')\n{model}"
                f"model.compile(optimizer='adam',\n              loss={loss})\nmodel.fit(x, y, epochs=1, verbose=0)\n")

    def output_kind(self) -> k.OutputKind:
        return k.ACTIVATIONS[self.activation or "linear"].kind

    def matches(self) -> bool:
        """The table says last layer and loss fit: no LL1xx finding may be reported."""
        spec, kind, logits = k.LOSSES[self.loss], self.output_kind(), bool(self.from_logits)
        family = spec.family
        if family in (k.LossFamily.CATEGORICAL, k.LossFamily.SPARSE) and self.units >= 2:
            return kind is k.OutputKind.SIMPLEX and not logits or kind.is_valid_logits and logits
        if family is k.LossFamily.BINARY:
            return kind is k.OutputKind.UNIT_INTERVAL and not logits or kind.is_valid_logits and logits
        if family is k.LossFamily.REGRESSION:
            return kind is k.OutputKind.UNBOUNDED
        return False


def programs(styles=tuple(IMPORT_STYLES), activations=tuple(k.ACTIVATIONS),
             losses=KERAS_LOSSES) -> st.SearchStrategy[Program]:
    @st.composite
    def build(draw):
        loss = draw(st.sampled_from(losses))
        spec = k.LOSSES[loss]
        spellings = ["string"] + (["class"] if spec.class_name else []) + ["function"]
        spelling = draw(st.sampled_from(spellings))
        from_logits = draw(st.sampled_from([None, True, False])) if spelling == "class" and spec.takes_from_logits \
            else None
        activation = draw(st.sampled_from([None, *activations]))
        placement = draw(st.sampled_from(["keyword", "activation-layer"] + (["softmax-layer"] if activation ==
                                                                               "softmax" else [])))
        return Program(draw(st.sampled_from(styles)), draw(st.sampled_from(["sequential", "sequential-add",
                                                                            "functional"])),
                       draw(st.sampled_from([1, 2, 3, 10])), activation, placement, loss, spelling, from_logits)

    return build()


def codes_of(program: Program, codes=ALL) -> list[str]:
    source = program.source()
    diagnostics = lint_source(source, "generated.py", codes)
    assert_well_formed(diagnostics, source)
    assert "LL900" not in [d.code for d in diagnostics], source
    return sorted(d.code for d in diagnostics)


@FUZZ
@given(programs())
def test_keras_programs_findings_are_well_formed_and_do_not_depend_on_the_import_style(program):
    expected = codes_of(program)
    for style in IMPORT_STYLES:
        assert codes_of(replace(program, style=style)) == expected, (style, program.source())


@FUZZ
@given(programs())
def test_keras_programs_do_not_depend_on_how_the_model_is_built(program):
    expected = codes_of(program)
    for model in ("sequential", "sequential-add", "functional"):
        assert codes_of(replace(program, model=model)) == expected, (model, program.source())


@FUZZ
@given(programs().filter(Program.matches))
def test_output_that_matches_the_loss_per_the_table_gives_no_output_finding(program):
    assert not [c for c in codes_of(program) if c in OUTPUT_RULES], program.source()


@FUZZ
@given(programs(activations=("softmax", "sigmoid"),
                losses=("categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy")))
def test_probabilities_passed_as_logits_is_found(program):
    program = replace(program, spelling="class", from_logits=True, activation=program.activation or "softmax",
                      units=max(program.units, 2))
    assert "LL101" in codes_of(program), program.source()


@FUZZ
@given(programs(), st.booleans())
def test_fixes_give_parseable_code_and_converge(program, unsafe):
    """`--fix` on any generated program: the result parses, and a second run changes nothing."""
    import libcst as cst

    from losslint.static.fixer import fix_text

    fixed, _, remaining, _ = fix_text(program.source(), "generated.py", ALL, unsafe)
    cst.parse_module(fixed)
    again, applied, _, _ = fix_text(fixed, "generated.py", ALL, unsafe)
    assert (again, applied) == (fixed, 0), program.source()
    assert "LL900" not in [d.code for d in remaining]


# --------------------------------------------------------------------------- static = runtime, bounded

def runtime_sample(count: int, seed: int = 0) -> list[Program]:
    """`count` programs that Keras 3 can build on any backend, spread over losses and activations."""
    rng = random.Random(seed)
    losses = [id for id, spec in k.LOSSES.items() if id in KERAS_LOSSES and spec.family in (
        k.LossFamily.CATEGORICAL, k.LossFamily.SPARSE, k.LossFamily.BINARY, k.LossFamily.REGRESSION,
        k.LossFamily.POISSON, k.LossFamily.KL_DIVERGENCE)]
    sample = []
    while len(sample) < count:
        loss = rng.choice(losses)
        spec = k.LOSSES[loss]
        spelling = rng.choice(["string", "class", "function"] if spec.class_name else ["string", "function"])
        activation = rng.choice([None, *RUNNABLE_ACTIVATIONS])
        from_logits = rng.choice([None, True, False]) if spelling == "class" and spec.takes_from_logits else None
        units = 1 if spec.family is k.LossFamily.BINARY and rng.random() < 0.5 else rng.choice([1, 3])
        sample.append(Program(rng.choice(KERAS_ONLY_STYLES), rng.choice(["sequential", "sequential-add", "functional"]),
                              units, activation, "keyword" if rng.random() < 0.6 else "activation-layer", loss,
                              spelling, from_logits))
    return sample


def test_static_and_runtime_findings_agree_on_generated_programs(tmp_path):
    """One subprocess, JAX backend (fast to build models), the runtime engineer's parity runner."""
    pytest.importorskip("keras")
    pytest.importorskip("jax")
    count = 40 if LONG else 8
    rules = all_rules()
    codes = sorted(c for c in OUTPUT_RULES if rules[c].runtime)
    jobs, expected = [], {}
    for i, program in enumerate(runtime_sample(count)):
        path = tmp_path / f"program_{i}.py"
        path.write_text(program.source(), encoding="utf-8")
        jobs.append([str(path), codes])
        expected[str(path)] = sorted(set(codes_of(program, frozenset(codes))))
    environment = dict(os.environ, PYTHONPATH=str(ROOT), KERAS_BACKEND="jax", TF_CPP_MIN_LOG_LEVEL="3")
    environment.pop("LOSSLINT", None)
    runner = ROOT / "tests" / "runtime" / "parity_runner.py"
    done = subprocess.run([sys.executable, str(runner)], input=json.dumps(jobs), capture_output=True, text=True,
                          env=environment, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    for path, result in results.items():
        source = Path(path).read_text(encoding="utf-8")
        assert result["compiles"] == 1 and not result["internal"], (source, result)
        assert result["codes"] == expected[path], (source, result, expected[path])

"""The shortcuts the static analyzer takes for speed give what the long way gives: string and
number literals without `literal_eval`, parsing without libcst's per-node validation, and the
garbage-collector setting while linting (restored afterwards)."""

from __future__ import annotations

import gc
import threading

import libcst as cst
import pytest
from hypothesis import given, strategies as st

from losslint import api
from losslint.static import cst_parse
from losslint.static.callargs import string_value
from losslint.static.engine.env import Env
from losslint.static.engine.interpreter import Interpreter
from losslint.static.node_positions import ParsedModule
from losslint.static.notebook import ipython_view

LITERALS = ['"a"', "'b'", '"""x\ny"""', "'''q'''", '""', "''", '""""""', 'r"a\\b"', '"a\\nb"', "b'x'", 'u"x"',
            '"it\'s"', "'say \"hi\"'", '"""a "quoted" word"""', "'''it's'''", '"a" "b"', "'tab\\t'", 'R"x"',
            '"é"', "'\\''", '"\\x41"', '"""\\\n"""', "rb'x'"]


@pytest.mark.parametrize("literal", LITERALS)
def test_string_value_is_libcsts_evaluated_value(literal):
    node = cst.parse_expression(literal)
    assert string_value(node) == node.evaluated_value


# (no NUL: a file holding one is reported as binary, never parsed)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20),
       st.sampled_from(['"', "'", '"""', "'''"]))
def test_string_value_of_any_plain_literal(text, quote):
    literal = quote + text.replace("\\", "\\\\").replace(quote[0], "\\" + quote[0]).replace("\r", "\\r") + quote
    if quote in ('"', "'"):
        literal = literal.replace("\n", "\\n")
    node = cst.parse_expression(literal)
    assert string_value(node) == node.evaluated_value == text


@pytest.mark.parametrize("source", ["x = 0x_ff + 1_000 + 0o17 + 0b1 + 00\n", "y = 1_0.5e-3 + .5 + 1. + 1e10\n"])
def test_numbers_fold_like_literal_eval(source):
    module = cst.parse_module(source)
    env = Env()
    Interpreter(ParsedModule(module, source), "<string>").exec_block(module.body, env)
    value = next(iter(env.vars.values())).value
    assert value == eval(compile(source.split("=", 1)[1].strip(), "<string>", "eval"))  # noqa: S307


def test_parse_without_validation_gives_libcsts_tree_and_restores_validation():
    source = "import keras\nmodel = keras.Sequential([keras.layers.Dense(3, activation='softmax')])\n" \
             "@decorator\nasync def f(a, /, b=1, *c, d, **e) -> int:\n    return (yield a) if b else [x async for x in c]\n"
    assert cst_parse._SKIPPABLE  # the libcst this project pins: its __post_init__ only validates
    assert cst_parse.parse_module(source).deep_equals(cst.parse_module(source))
    with pytest.raises(cst.ParserSyntaxError):
        cst_parse.parse_module("def (:\n")
    with pytest.raises(cst.CSTValidationError):  # validation is back for nodes built by hand (fixes)
        cst.Name("not a name")


def test_collections_setting_is_restored_and_reentrant():
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    with api.fewer_collections():
        assert gc.get_threshold() == api.LINT_GC_THRESHOLD
        with api.fewer_collections():
            assert gc.get_threshold() == api.LINT_GC_THRESHOLD
        assert gc.get_threshold() == api.LINT_GC_THRESHOLD
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen

    started, release = threading.Event(), threading.Event()

    def lint_in_thread():
        with api.fewer_collections():
            started.set()
            release.wait(10)

    thread = threading.Thread(target=lint_in_thread)
    thread.start()
    started.wait(10)
    with api.fewer_collections():
        pass
    assert gc.get_threshold() == api.LINT_GC_THRESHOLD  # the other thread is still linting
    release.set()
    thread.join()
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen


@pytest.mark.parametrize("cell", [
    "x = 1\nprint(x)\n", "  a = 1\n  b = 2\n", "%matplotlib inline\nimport keras\n", "!pip install keras\n",
    "files = !ls\n", "model.fit?\n", "ls ./data\n", ",f a b\n", "/f a\n", ";f a b\n", "print('why?')\n",
    "s = '100%'\n", "x = 1 if a != b else 2\n", "%%time\nmodel.fit(x, y)\n",
])
def test_cells_without_ipython_syntax_skip_tokenizing_and_read_the_same(cell, monkeypatch):
    from losslint.static import notebook

    lines = cell.splitlines(keepends=True)
    quick = ipython_view(lines)
    monkeypatch.setattr(notebook, "_may_hold_ipython_syntax", lambda out, first, stop: True)
    assert quick == ipython_view(lines)

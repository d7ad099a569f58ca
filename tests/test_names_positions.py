"""The module walk (`names.ModuleIndex`) and on-demand positions (`node_positions`) against the
libcst providers they replace: on every dotted name of each program, `NameResolver.symbol` gives
what libcst's `QualifiedNameProvider` gave, and every expression's lazy position is libcst's
`PositionProvider` span."""

from __future__ import annotations

import ast
import textwrap

import libcst as cst
import pytest
from libcst.metadata import PositionProvider, QualifiedNameProvider, QualifiedNameSource

from losslint.diagnostics import SourceRef
from losslint.knowledge import canonical_symbol
from losslint.static.callargs import dotted
from losslint.static.names import NameResolver, known_symbols
from losslint.static.node_positions import LazySourceRef, NodePositions, ParsedModule, contains, realised

PROGRAMS = {
    "aliases": """
        import tensorflow as tf
        from tensorflow import keras
        from keras.layers import Dense as D, Dropout
        import keras.losses
        import tensorflow.keras.layers as L
        model = tf.keras.Sequential([D(10), L.Dense(3, activation=tf.nn.softmax), Dropout(0.1)])
        model.compile(loss=keras.losses.SparseCategoricalCrossentropy(), metrics=[tf.keras.metrics.AUC()])
        print(keras.layers.Dense, tf.keras.losses.mse, len([]))
    """,
    "star_and_rebinding": """
        from tensorflow.keras.layers import *
        from tensorflow.keras import losses
        head = Dense(10, activation="softmax")
        losses = [1, 2]
        loss = losses.CategoricalCrossentropy()
        Dense = None
        other = Conv2D(3, 3)
        print(head.Dense, head(units=Softmax))
    """,
    "scopes": """
        import keras
        from keras import layers

        def build(layers, units=layers.Dense):
            import tensorflow as tf
            x = layers.Dense(units)
            keras = None
            return tf.keras.Model(keras.Input((3,)), x)

        class Head(keras.Model):
            layers = layers
            Dense = layers.Dense

            def call(self, x, training=False):
                return self.Dense(2)(layers.Activation("softmax")(x))

        lam = lambda keras: keras.layers.Dense(1)
        heads = [layers.Dense(n) for layers in range(3) for n in [layers]]
        squares = {k: keras.ops.square(v) for k, v in {}.items()}

        def uses_global():
            global layers
            layers = keras.layers
            return layers.Dense(4)

        def late():
            y = keras.layers.Dense(1)
            import keras
            return y
    """,
    "dotted_imports_and_flow": """
        import os.path
        import tensorflow.keras.layers
        import tensorflow.keras
        if os.path.exists("x"):
            from keras import layers
        else:
            layers = None
        dense = tensorflow.keras.layers.Dense(2)
        model = tensorflow.keras.Sequential([layers.Dense(1)])
        try:
            import tf_keras as keras
        except ImportError:
            import keras
        finally:
            pass
        for keras.x in []:
            pass
        with open("f") as (a, b):
            del a
        (walrus := keras.layers.Dense(3))
        f"{keras.layers.Dense} " f"{walrus!r}"
        match dense:
            case keras.layers.Dense(units=u) as matched:
                print(u, matched)
    """,
    "decorators_and_annotations": """
        import functools
        import keras
        from keras import layers as L


        # a comment before the decorators

        @functools.lru_cache(maxsize=None)
        # a comment between them

        @keras.saving.register_keras_serializable()
        def make(n: int = 3) -> keras.Model:
            '''Doc.'''
            return keras.Sequential([L.Dense(n,
                                             activation="sigmoid")])

        class Block(L.Layer, metaclass=type):
            def __init__(self, *args, units: "L.Dense" = None, **kwargs):
                super().__init__(*args, **kwargs)
                self.inner = L.Dense(units or 2)

        x = (
            keras.layers.Dense(  # comment
                10,
            )
        )
        if True: y = L.Softmax()
    """,
}


def _old_symbol(qualified, star_modules, node) -> str | None:
    """`NameResolver.symbol` as it was, on libcst's QualifiedNameProvider."""
    base = node
    while isinstance(base, cst.Attribute):
        base = base.value
    if not isinstance(base, cst.Name):
        return None
    names = qualified.get(node)
    if callable(names):
        names = names()
    imported = [n.name for n in names or () if n.source is QualifiedNameSource.IMPORT]
    if imported:
        return canonical_symbol(sorted(imported)[0])
    if not names and star_modules:
        for module in star_modules:
            candidate = canonical_symbol(f"{module}.{dotted(node)}")
            if candidate in known_symbols():
                return candidate
    return None


def _parsed(source: str) -> ParsedModule:
    text = textwrap.dedent(source)
    return ParsedModule(cst.parse_module(text), text, ast.parse(text))


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_symbols_are_libcsts_qualified_names(name):
    parsed = _parsed(PROGRAMS[name])
    qualified = parsed.resolve(QualifiedNameProvider)
    star = [dotted(s.module) for st in parsed.module.body if isinstance(st, cst.SimpleStatementLine)
            for s in st.body if isinstance(s, cst.ImportFrom) and isinstance(s.names, cst.ImportStar)]
    resolver = NameResolver(parsed)
    nodes = [n for n in qualified if isinstance(n, (cst.Name, cst.Attribute))]
    assert len(nodes) > 20
    different = {parsed.module.code_for_node(n): (_old_symbol(qualified, star, n), resolver.symbol(n))
                 for n in nodes if _old_symbol(qualified, star, n) != resolver.symbol(n)}
    assert different == {}
    assert any(resolver.symbol(n) for n in nodes)  # the programs do name Keras symbols


@pytest.mark.parametrize("name", sorted(PROGRAMS))
@pytest.mark.parametrize("with_ast", [True, False])  # without CPython's tree: the whole module at once
def test_lazy_positions_are_libcsts_positions(name, with_ast):
    parsed = _parsed(PROGRAMS[name])
    if not with_ast:
        parsed.tree = None
    expected = parsed.resolve(PositionProvider)
    positions = NodePositions(parsed, "m.py")
    index = NameResolver(parsed).index
    walked = [n for n in expected if isinstance(n, cst.BaseExpression) and index.statement_of(n) is not None]
    others = [n for n in expected if isinstance(n, cst.BaseExpression) and index.statement_of(n) is None]
    assert len(walked) > 15  # the others: `x.attr`, `f(keyword=…)`, names in imports and definitions
    for i, node in enumerate([*walked, *others]):
        if i == len(walked):  # every node the walk passed was positioned statement by statement
            assert positions.whole_module is not with_ast
        ref = positions.ref(node)
        where = expected[node]
        plain = SourceRef("m.py", where.start.line, where.start.column, where.end.line, where.end.column)
        assert ref == plain and plain == ref and hash(ref) == hash(plain)
        assert realised(ref) == plain and type(realised(ref)) is SourceRef


def test_a_lazy_ref_is_positioned_only_when_read():
    parsed = _parsed(PROGRAMS["aliases"])
    positions = NodePositions(parsed, "m.py")
    call = parsed.module.body[-1].body[0].value
    ref = positions.ref(call)
    assert ref == positions.ref(call) and positions.statements_positioned == 0  # the same node: equal unread
    assert isinstance(ref, LazySourceRef) and ref.line == 9 and positions.statements_positioned == 1


def test_containment_from_the_tree_agrees_with_spans():
    parsed = _parsed(PROGRAMS["decorators_and_annotations"])
    expected = parsed.resolve(PositionProvider)
    expressions = [n for n in expected if isinstance(n, (cst.Call, cst.Integer, cst.SimpleString, cst.Name))]
    positions = NodePositions(parsed, "m.py")
    for outer in expressions:
        if not isinstance(outer, cst.Call):
            continue
        o = expected[outer]
        for inner in expressions:
            i = expected[inner]
            by_span = (o.start.line, o.start.column) <= (i.start.line, i.start.column) and \
                (i.end.line, i.end.column) <= (o.end.line, o.end.column)
            assert contains(positions.ref(outer), positions.ref(inner)) == by_span

"""The Python a notebook cell is read as equals what IPython itself runs.

IPython's `TransformerManager.transform_cell` (the test extra installs IPython with ipykernel) is
the reference: for every cell, the module our line-preserving blanking produces must have the
same AST as IPython's output once each IPython call (`get_ipython().system(…)`,
`run_line_magic(…)`, …) is read the way we blank it (`pass`, or `lhs = get_ipython()`).
The cells are the tricky shapes listed below, generated ones, and — when the dev corpus is on
this machine (LOSSLINT_CORPUS, default /work/corpus) — every code cell of its notebooks.
"""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from losslint.static.notebook import PYTHON_CELL_MAGICS, cell_source_lines, ipython_view

inputtransformer2 = pytest.importorskip("IPython.core.inputtransformer2")
MANAGER = inputtransformer2.TransformerManager()

CELLS = [
    "!pip install -q \\\n  tensorflow \\\n  keras\n",
    "!saved_model_cli run --dir simple-save --tag_set serve \\\n --signature_def serving_default\n",
    "if IN_COLAB:\n    !pip install \\\n        tf-models-official\n    x = 1\n",
    "if IN_COLAB:\n    !apt-get install \\\n    %s \\\n    foo?\n    y = 2\n",
    "!curl -o data.zip \\\n  https://example.org/data.zip?raw=true\n",
    " @tf.function\n def f(x):\n   return x\n",
    "    model.fit(x, y)\n    model.evaluate(x, y)\n",
    "\n\n  x = 1\n\n  y = 2\n",
    "print('%s and %s' \\\n% (a, b))\n",
    "y = (1\n% 2)\n",
    "files = !ls -la \\\n  /tmp\nprint(files)\n",
    "out = %timeit -o f()\n",
    "model.fit?\n",
    ">>> from diffusers import DiffusionPipeline\n\n >>> pipe = DiffusionPipeline.from_pretrained(name)\n",
    ">>> for i in range(3):\n...     print(i)\n0\n",
    "In [1]: x = 1\n   ...: y = 2\n",
    "keras.layers.Dense??\n",
    "?keras.layers.Dense\n",
    "%matplotlib inline\nimport numpy as np\n",
    "%%time\nmodel.fit(x, y)\n",
    "%%bash\nls -la\nfor f in *; do echo $f; done\n",
    "%%writefile train.py\nimport keras\nprint(\n",
    "s = '''\n!not a shell escape\n%not a magic\n'''\n",
    "for i in range(3):\n    !echo {i}\n",
    "x = 1  # !not this\n!echo done\n",
    "def f():\n    %time g()\n    return 1\n",
    "%%time\n  x = 1\n  y = 2\n",
    "\tif a:\n\t\tb = 1\n",
]


def ipython_as_we_read_it(cell: str) -> str | None:
    """IPython's transform of `cell` with its calls replaced by our placeholders; None when
    IPython's own output is not Python (the cell is invalid in IPython too)."""
    try:
        tree = _ipython_tree(cell)
    except SyntaxError:  # the body of a %%time cell is not Python
        return None
    return None if tree is None else ast.dump(tree)


def _ipython_tree(cell: str) -> ast.Module | None:
    try:
        code = MANAGER.transform_cell(cell)
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RuntimeError):
        return None

    class Placeholders(ast.NodeTransformer):
        @staticmethod
        def _is_ipython_call(node):
            return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Call) and isinstance(node.func.value.func, ast.Name)
                    and node.func.value.func.id == "get_ipython"
                    and node.func.attr in ("system", "getoutput", "run_line_magic", "run_cell_magic", "show_usage"))

        def visit_Expr(self, node):
            if not self._is_ipython_call(node.value):
                return node
            call = node.value
            if call.func.attr == "run_cell_magic":  # %%time & co. run their body as a cell; others are blank
                if call.args[0].value not in PYTHON_CELL_MAGICS:
                    return None
                body = _ipython_tree(call.args[2].value)
                if body is None:
                    raise SyntaxError("cell magic body")
                return body.body or None
            return ast.Pass()

        def visit_Assign(self, node):
            if self._is_ipython_call(node.value):
                node.value = ast.Call(ast.Name("get_ipython", ast.Load()), [], [])
            return node

    return Placeholders().visit(tree)


def ours(cell: str) -> str | None:
    lines = cell.splitlines(keepends=True)
    try:
        return ast.dump(ast.parse("".join(ipython_view(lines).lines)))
    except (SyntaxError, ValueError):
        return None


def assert_same(cell: str) -> None:
    expected = ipython_as_we_read_it(cell)
    if expected is None:
        return  # not valid in IPython either: any reading will do (LL900)
    assert ours(cell) == expected, cell


@pytest.mark.parametrize("cell", CELLS)
def test_tricky_cells_read_like_ipython(cell):
    assert_same(cell)


def test_a_blanked_cell_keeps_its_line_count_and_margins():
    cell = "  x = 1\n  !ls \\\n    -la\n  y = 2"
    view = ipython_view(cell.splitlines(keepends=True))
    assert view.lines == ("x = 1\n", "pass\n", "\n", "y = 2\n")
    assert view.margins == (2, 2, 2, 2)


@pytest.mark.parametrize("cell, blanked", [
    ("ls ./data/\n", True), ("cd ..\n", True), ("pip install -q keras\n", True),
    ("\npip install -q keras\n", True),  # leading empty lines go before IPython counts the lines
    ("ls = [1, 2]\n", False), ("ls ./data/\nx = 1\n", False), ("pwd\n", False),
])
def test_one_line_automagic(cell, blanked):
    view = ipython_view(cell.splitlines(keepends=True))
    assert ("pass\n" in view.lines) is blanked
    ast.parse("".join(view.lines)) if blanked or "ls =" in cell or cell == "pwd\n" else None


PIECES = st.sampled_from([
    "x = 1", "!ls -la \\", "  --flag", "%time f()", "obj?", "files = !ls", "out = %env", "if a:",
    "    !pip install \\", "    pkg", "    y = 2", "print('%d' \\", "% 3)", "s = '''", "'''", "%%time",
    "  z = 3", "model.fit??", "", "# !comment", "def f():", "    return 1",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=8))
def test_generated_cells_read_like_ipython(pieces):
    assert_same("\n".join(pieces) + "\n")


def corpus_cells():
    root = Path(os.environ.get("LOSSLINT_CORPUS", "/work/corpus"))
    if not root.is_dir():
        return []
    cells = []
    for path in sorted(root.rglob("*.ipynb")):
        try:
            notebook = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for cell in notebook.get("cells", []):
            if isinstance(cell, dict) and cell.get("cell_type") == "code":
                text = "".join(cell_source_lines(cell))
                if text.strip():
                    cells.append(text)
    return cells


def test_corpus_cells_read_like_ipython():
    cells = corpus_cells()
    if not cells:
        pytest.skip("no notebook corpus on this machine (set LOSSLINT_CORPUS)")
    different = [cell for cell in cells
                 if (expected := ipython_as_we_read_it(cell)) is not None and ours(cell) != expected]
    assert not different, f"{len(different)} of {len(cells)} cells differ; first:\n{different[0]}"

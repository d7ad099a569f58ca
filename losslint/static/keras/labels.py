"""Label data flow: what the arrays and datasets that reach `fit(x, y)` are, as far as code proves.

A mixin of the interpreter. It knows nothing itself: which functions build which labels is in
`knowledge.py` (datasets, label functions, encoders, loader modes). Anything not proven stays
`UNKNOWN`, so the label rules stay silent (precision first).
"""

from __future__ import annotations

import libcst as cst

from ... import knowledge as k
from ..callargs import arg as _arg, positional as _positional
from ..engine.env import Env
from ..engine.values import UNKNOWN, Const, Dataset, Function, Helper, IdentityMatrix, Labels, Range, Seq, ZerosArray

_NOT_MINE = None


class LabelSemantics:
    """Methods the interpreter calls for label-related symbols, methods and operators."""

    # ------------------------------------------------------------------ functions

    def label_symbol_call(self, symbol: str, node: cst.Call, env) -> object:
        """The value of a call to a known label source, or None when `symbol` is not one."""
        ref = self.ref(node)
        if symbol in k.DATASETS:
            return self._load_data(k.DATASETS[symbol], node, env)
        if symbol in k.DIRECTORY_LOADERS:
            return self._directory_loader(k.DIRECTORY_LOADERS[symbol], node, env)
        if symbol in k.TF1_MNIST_READERS:
            return self._tf1_mnist_reader(node, env, ref)
        if symbol in k.IMAGE_DATA_GENERATOR or symbol in k.RANDOM_GENERATORS:
            self._eval_args(node, env)
            return Helper(symbol, ref)
        if symbol in k.LABEL_ENCODERS:
            keywords = frozenset(a.keyword.value for a in node.args if a.keyword is not None)
            return Helper(symbol, ref, keywords)
        spec = k.LABEL_FUNCTIONS.get(symbol)
        if spec is None:
            return _NOT_MINE
        args = [self.eval(a, env) for a in _positional(node)]
        first = args[0] if args else UNKNOWN
        op = spec.op
        if op is k.LabelOp.ONE_HOT:
            written = _arg(node, *spec.classes_arg) if spec.classes_arg else None
            if written is not None:  # num_classes=/depth= given: only a literal count is known
                return Labels("one-hot", ref, self._int_arg(node, spec.classes_arg, env), 0, 1, "float32")
            return self._one_hot(first, None, ref)
        if op is k.LabelOp.ARGMAX:
            return self._argmax(first, node, env, ref)
        if op is k.LabelOp.DUMMIES:
            if _arg(node, "drop_first", None) is not None or not _is_single_column(_first(node)):
                return UNKNOWN
            return Labels("one-hot", ref, min_value=0, max_value=1)
        if op is k.LabelOp.PRESERVE:
            return first if isinstance(first, Labels) else _literal_targets(first, ref)
        if op is k.LabelOp.RANDOM_INTEGERS:
            return self._random_integers(node, env, ref)
        if op is k.LabelOp.SPLIT:
            if any(a.star for a in node.args):
                return UNKNOWN
            return Seq([a for value in args for a in (value, value)], ref)
        if op is k.LabelOp.SHUFFLE:
            if any(a.star for a in node.args):
                return UNKNOWN
            return Seq(args, ref) if len(args) > 1 else first
        if op is k.LabelOp.TENSOR_SLICES:
            if isinstance(first, Seq) and len(first.items) == 2:
                return Dataset(first.items[1], ref)
            return Dataset(UNKNOWN, ref)
        if op is k.LabelOp.IDENTITY_MATRIX:
            size = args[0] if args else UNKNOWN
            return IdentityMatrix(_int(size), ref)
        if op is k.LabelOp.CLASS_RANGE:
            size = _int(first) if len(args) == 1 else None
            return Range(list(range(size)), ref) if size is not None and 0 < size <= 1000 else UNKNOWN
        if op is k.LabelOp.ZEROS:
            shape = args[0] if args else UNKNOWN
            if isinstance(shape, Seq) and len(shape.items) == 2:
                return ZerosArray(_int(shape.items[1]), ref)
            return UNKNOWN
        return UNKNOWN

    def literal_labels(self, first: object, node: cst.Call, env, dtype: str | None = None) -> object:
        """`torch.tensor([0, 1, 1])`, `jnp.array([[0., 1.]])`, `torch.tensor(y, dtype=torch.float)`: the
        labels (literal ones read like `np.array`), with the dtype the call sets or the literal has."""
        written = _arg(node, "dtype", None)
        if written is not None:
            value = self.eval(written, env)
            name = value.name if hasattr(value, "name") and isinstance(value.name, str) else \
                value.value if isinstance(value, Const) and isinstance(value.value, str) else ""
            name = name.rsplit(".", 1)[-1]
            dtype = ("float" if name.startswith(("float", "half", "double", "bfloat")) else
                     "int" if name.startswith(("int", "long", "uint")) else "bool" if name == "bool" else None)
            if dtype is None:
                return UNKNOWN
        if isinstance(first, Labels):
            return Labels(first.format, first.ref, first.num_classes, first.min_value, first.max_value,
                          dtype or first.dtype)
        labels = _literal_targets(first, self.ref(node))
        if not isinstance(labels, Labels):
            return UNKNOWN
        if dtype is None:
            items = [i for row in first.items for i in (row.items if isinstance(row, Seq) else [row])]
            dtype = "float" if any(isinstance(i.value, float) for i in items) else "int"
        labels.dtype = dtype
        return labels

    def _load_data(self, spec: k.DatasetSpec, node: cst.Call, env) -> object:
        classes = spec.num_classes
        if spec.label_modes:
            mode_node = _arg(node, "label_mode", None)
            mode = self.eval(mode_node, env) if mode_node is not None else Const(spec.default_label_mode, None)
            modes = dict(spec.label_modes)
            if not isinstance(mode, Const) or mode.value not in modes:
                return UNKNOWN
            classes = modes[mode.value]
        ref = self.ref(node)
        high = classes - 1 if classes and spec.label_format == "index" else None
        low = 0 if high is not None else None

        def labels() -> Labels:
            return Labels(spec.label_format, ref, classes, low, high)

        return Seq([Seq([UNKNOWN, labels()], ref), Seq([UNKNOWN, labels()], ref)], ref)

    def _tf1_mnist_reader(self, node: cst.Call, env, ref) -> object:
        """`read_data_sets(dir, one_hot=True)`: one-hot rows; without `one_hot`, digit ids."""
        one_hot_node = _arg(node, "one_hot", 1)
        self._eval_args(node, env, skip=(one_hot_node,))
        one_hot = self.eval(one_hot_node, env) if one_hot_node is not None else Const(False, ref)
        if not isinstance(one_hot, Const):
            return UNKNOWN
        classes = k.TF1_MNIST_CLASSES
        labels = (Labels("one-hot", ref, classes, 0, 1) if one_hot.value
                  else Labels("index", ref, classes, 0, classes - 1, "uint8"))
        return Dataset(labels, ref, tf1_reader=True)

    def _directory_loader(self, spec: k.DirectoryLoaderSpec, node: cst.Call, env) -> object:
        ref = self.ref(node)
        mode_node = _arg(node, spec.mode_keyword, None)
        mode = self.eval(mode_node, env) if mode_node is not None else Const(spec.default_mode, ref)
        if not isinstance(mode, Const) or mode.value not in spec.modes:
            labels: object = UNKNOWN
        else:
            mode_spec = spec.modes[mode.value]
            classes = mode_spec.num_classes
            names = _arg(node, spec.class_list_keyword, None)
            listed = self.eval(names, env) if names is not None else UNKNOWN
            if isinstance(listed, Seq) and classes is None:
                classes = len(listed.items)
            high = classes - 1 if classes and mode_spec.label_format == "index" else None
            if mode_spec.label_format == "one-hot":
                labels = Labels("one-hot", ref, classes, 0, 1)
            elif mode_spec.label_format == "index":
                labels = Labels("index", ref, classes, 0, high)
            else:
                labels = UNKNOWN
        subset = _arg(node, "subset", None)
        subset_value = self.eval(subset, env) if subset is not None else None
        if isinstance(subset_value, Const) and subset_value.value == "both":
            return Seq([Dataset(labels, ref), Dataset(labels, ref)], ref)
        return Dataset(labels, ref)

    def _one_hot(self, source: object, classes: int | None, ref) -> Labels:
        if classes is None and isinstance(source, Labels) and source.format == "index":
            classes = source.num_classes
            if classes is None and source.max_value is not None and source.min_value is not None \
                    and source.min_value >= 0:
                classes = int(source.max_value) + 1  # to_categorical infers max + 1
        return Labels("one-hot", ref, classes, 0, 1, "float32")

    def _argmax(self, source: object, node: cst.Call, env, ref) -> object:
        axis_node = _arg(node, "axis", 1)
        axis = self.eval(axis_node, env) if axis_node is not None else UNKNOWN
        if not isinstance(axis, Const) or axis.value not in (-1, 1):
            return UNKNOWN
        classes = source.num_classes if isinstance(source, Labels) and source.format == "one-hot" else None
        return Labels("index", ref, classes, 0 if classes else None, classes - 1 if classes else None, "int64")

    def _random_integers(self, node: cst.Call, env, ref, offset: int = 0) -> object:
        """`np.random.randint(low, high, size=...)`: class ids in [low, high)."""
        low_node, high_node = _arg(node, "low", 0), _arg(node, "high", 1)
        low = _int(self.eval(low_node, env)) if low_node is not None else None
        high = _int(self.eval(high_node, env)) if high_node is not None else None
        if high_node is None and low is not None:
            low, high = 0, low
        if low is None or high is None or high <= low:
            return UNKNOWN
        size_node = _arg(node, "size", 2)
        size = self.eval(size_node, env) if size_node is not None else UNKNOWN
        shape = [size] if isinstance(size, Const) else size.items if isinstance(size, Seq) else None
        if shape is None or not 1 <= len(shape) <= 2:
            return UNKNOWN
        width = _int(shape[1]) if len(shape) == 2 else 1
        if width == 1:
            return Labels("index", ref, None, low, high - 1, "int64")
        if width is not None and (low, high) == (0, 2):
            return Labels("multi-hot", ref, width, 0, 1, "int64")
        return UNKNOWN

    def _int_arg(self, node: cst.Call, where, env) -> int | None:
        if where is None:
            return None
        found = _arg(node, *where)
        return _int(self.eval(found, env)) if found is not None else None

    # ------------------------------------------------------------------ methods and operators

    def label_method_call(self, base: object, method: str, node: cst.Call, env) -> object:
        """A method call on a label value / helper; None when `base` is not one of ours."""
        if isinstance(base, Labels):
            if method in k.LABEL_PRESERVING_METHODS:
                return base
            if method == "astype":
                return base if base.format != "fractional" else UNKNOWN
            if method == "argmax":
                return self._argmax(base, node, env, self.ref(node))
            return UNKNOWN
        if isinstance(base, Dataset):
            if base.tf1_reader and method == "next_batch":  # `batch_x, batch_y = mnist.train.next_batch(100)`
                self._eval_args(node, env)
                return Seq([UNKNOWN, base.labels], self.ref(node))
            if method in k.DATASET_PRESERVING_METHODS:
                return base
            if method == "map" and _keeps_labels(node):
                return base
            if method == "map":  # `ds.map(lambda x, y: (x, tf.one_hot(y, 10)))`, `ds.map(preprocess)`
                return Dataset(self._mapped_labels(base, node, env), base.ref)
            return Dataset(UNKNOWN, base.ref)
        if isinstance(base, Helper):
            return self._helper_method(base, method, node, env)
        return _NOT_MINE

    def _mapped_labels(self, dataset: Dataset, node: cst.Call, env) -> object:
        """The labels of `dataset.map(f)` where `f(x, y)` returns `(features, labels)`; only a labels value
        that says something (one-hot from `tf.one_hot(y, 10)`) is kept, anything else is unknown."""
        args = _positional(node)
        if len(args) < 1 or any(a.star for a in node.args):
            self._eval_args(node, env)
            return UNKNOWN
        function = args[0]
        if isinstance(function, cst.Lambda):
            params = function.params.params
            if len(params) != 2 or isinstance(function.params.star_arg, cst.Param) or not isinstance(function.body, cst.Tuple) \
                    or len(function.body.elements) != 2:
                return UNKNOWN
            scope = Env(env)
            scope.vars[params[0].name.value] = UNKNOWN
            scope.vars[params[1].name.value] = dataset.labels
            result = self.eval(function.body.elements[1].value, scope)
        else:
            callee = self.eval(function, env)
            if not isinstance(callee, Function):
                return UNKNOWN
            returned = self.call_function(callee, [UNKNOWN, dataset.labels], {}, complete=True)
            if not (isinstance(returned, Seq) and len(returned.items) == 2):
                return UNKNOWN
            result = returned.items[1]
        return result if isinstance(result, Labels) else UNKNOWN

    def _helper_method(self, helper: Helper, method: str, node: cst.Call, env) -> object:
        ref = self.ref(node)
        if helper.kind in k.LABEL_ENCODERS:
            spec = k.LABEL_ENCODERS[helper.kind]
            if method == "fit":
                self._eval_args(node, env)
                return helper
            if method not in k.ENCODER_METHODS or helper.keywords & set(spec.unless_keywords):
                self._eval_args(node, env)
                return UNKNOWN
            self._eval_args(node, env)
            return Labels(spec.label_format, ref, None, spec.min_value, spec.max_value)
        if helper.kind in k.IMAGE_DATA_GENERATOR:
            loader = k.DIRECTORY_LOADERS.get(f"ImageDataGenerator.{method}")
            if loader is not None:
                return self._directory_loader(loader, node, env)
            if method == "flow":
                y_node = _arg(node, "y", 1)
                return Dataset(self.eval(y_node, env) if y_node is not None else UNKNOWN, ref)
        if helper.kind in k.RANDOM_GENERATORS and method in k.RANDOM_INTEGER_METHODS:
            return self._random_integers(node, env, ref)
        self._eval_args(node, env)
        return UNKNOWN

    def label_attribute(self, base: object, attr: str) -> object:
        if isinstance(base, Labels) and attr in k.LABEL_PRESERVING_ATTRIBUTES:
            return base
        if isinstance(base, Dataset) and base.tf1_reader:
            if attr in k.TF1_MNIST_SPLITS:  # `mnist.train`
                return base
            if attr == "labels":  # `mnist.test.labels`
                return base.labels
        return _NOT_MINE

    def label_binary(self, left: object, operator: cst.BaseBinaryOp, right: object, ref) -> object:
        """`y / 255` makes class ids fractional; `y - 1` shifts them; regression targets stay real."""
        if not isinstance(left, Labels):
            return UNKNOWN
        number = right.value if isinstance(right, Const) and isinstance(right.value, (int, float)) \
            and not isinstance(right.value, bool) else None
        if left.format == "real":
            return left
        if number is None or left.format not in ("index", "fractional"):
            return UNKNOWN
        lo, hi = left.min_value, left.max_value
        if isinstance(operator, (cst.Divide,)) and number > 1:
            scale = (lambda v: v / number if v is not None else None)
            return Labels("fractional", ref, left.num_classes, scale(lo), scale(hi), "float64")
        if isinstance(operator, (cst.Add, cst.Subtract)) and isinstance(number, int) and left.format == "index":
            delta = number if isinstance(operator, cst.Add) else -number
            shift = (lambda v: v + delta if v is not None else None)
            return Labels("index", left.ref, left.num_classes, shift(lo), shift(hi), left.dtype)
        return UNKNOWN

    def label_compare(self, left: object, operator: cst.BaseCompOp, right: object, ref) -> object:
        """`(np.arange(C) == y[:, None])`: one-hot rows of width C (bool); None when not this idiom."""
        if not isinstance(operator, cst.Equal):
            return _NOT_MINE
        if isinstance(right, Range):
            left, right = right, left
        if not isinstance(left, Range) or not isinstance(right, Labels) or right.format != "index" \
                or left.values != list(range(len(left.values))):
            return _NOT_MINE
        return Labels("one-hot", ref, len(left.values), 0, 1, "bool")

    def label_subscript(self, base: object, node: cst.Subscript, env) -> object:
        """`y[:800]`, `y[idx]` keep the labels; `np.eye(C)[y]` makes one-hot rows of width C."""
        if isinstance(base, IdentityMatrix):
            return Labels("one-hot", self.ref(node), base.size, 0, 1, "float64")
        if isinstance(base, Labels):
            if len(node.slice) == 2 and _is_column(node.slice, self):  # `y[:, None]`: the same ids as a column
                return base
            if len(node.slice) != 1:
                return UNKNOWN
            element = node.slice[0].slice
            if isinstance(element, cst.Slice):
                return base
            key = self.eval(element.value, env)
            return base if not isinstance(key, Const) else UNKNOWN
        return _NOT_MINE

    def label_item_assignment(self, current: object, target: cst.Subscript, value: object, env) -> object:
        """`y2[np.arange(n), y] = 1` on `y2 = np.zeros((n, C))`: one 1 in every row, one-hot of width C.
        What the array is afterwards (None: not an array of ours)."""
        if not isinstance(current, ZerosArray):
            return _NOT_MINE
        if not (isinstance(value, Const) and value.value == 1) or len(target.slice) != 2:
            return UNKNOWN
        rows, columns = (element.slice for element in target.slice)
        if not isinstance(rows, cst.Index) or not isinstance(columns, cst.Index) or not self._every_row(rows.value):
            return UNKNOWN
        self.eval(columns.value, env)
        return Labels("one-hot", current.ref, current.width, 0, 1, "float64")

    def _every_row(self, node: cst.BaseExpression) -> bool:
        """`np.arange(n)`, `np.arange(len(y))`, `range(len(y))`: each row once."""
        if not isinstance(node, cst.Call) or len(node.args) != 1:
            return False
        if isinstance(node.func, cst.Name) and node.func.value == "range":
            return True
        return self.names.symbol(node.func) in k.ROW_INDEX_FUNCTIONS

    # ------------------------------------------------------------------ fit

    def labels_at_fit(self, node: cst.Call, env, method: str) -> tuple[object, str]:
        """What reaches a `fit`: the `y` argument, else the labels of a dataset passed as `x`,
        else those of `validation_data` (Keras applies the same loss to them)."""
        keyword, position = k.FIT_METHODS[method]
        x_node, y_node = _arg(node, "x", 0), _arg(node, keyword, position)
        x = self.eval(x_node, env) if x_node is not None else UNKNOWN
        y = self.eval(y_node, env) if y_node is not None else UNKNOWN
        validation_node = _arg(node, "validation_data", None)
        validation = self.eval(validation_node, env) if validation_node is not None else UNKNOWN
        self._eval_args(node, env, skip=(x_node, y_node, validation_node))  # callbacks etc.
        if y_node is not None:
            return y, _text(self, y_node)
        if isinstance(x, Dataset):
            return x.labels, _text(self, x_node)
        if isinstance(validation, Dataset):
            return validation.labels, _text(self, validation_node)
        if isinstance(validation, Seq) and len(validation.items) >= 2 and isinstance(validation_node, cst.Tuple):
            return validation.items[1], _text(self, validation_node.elements[1].value)
        return UNKNOWN, "labels"


def _text(interpreter, node: cst.CSTNode | None) -> str:
    if node is None:
        return "labels"
    code = interpreter.wrapper.module.code_for_node(node).strip()
    return code if len(code) <= 40 and "\n" not in code else "labels"


def _is_column(elements, interpreter) -> bool:
    """`[:, None]` / `[:, np.newaxis]`: every row, a new axis of size 1."""
    whole, new = (element.slice for element in elements)
    if not (isinstance(whole, cst.Slice) and whole.lower is None and whole.upper is None and whole.step is None):
        return False
    if not isinstance(new, cst.Index):
        return False
    value = new.value
    return (isinstance(value, cst.Name) and value.value == "None") or \
        interpreter.names.symbol(value) == "numpy.newaxis"


def _keeps_labels(node: cst.Call) -> bool:
    """`ds.map(lambda x, y: (f(x), y))` passes the labels through unchanged."""
    args = _positional(node)
    function = args[0] if args else None
    if not isinstance(function, cst.Lambda) or len(function.params.params) != 2:
        return False
    label_name = function.params.params[1].name.value
    body = function.body
    return (isinstance(body, cst.Tuple) and len(body.elements) == 2
            and isinstance(body.elements[1].value, cst.Name) and body.elements[1].value.value == label_name)


def _is_single_column(node: cst.BaseExpression | None) -> bool:
    """`df["kind"]`, `df.kind`, a variable: one column, not a whole frame of features."""
    if isinstance(node, cst.Subscript):
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return False
        return isinstance(node.slice[0].slice.value, (cst.SimpleString, cst.Integer))
    return isinstance(node, (cst.Attribute, cst.Name))


def _int(value: object) -> int | None:
    if isinstance(value, Const) and isinstance(value.value, int) and not isinstance(value.value, bool):
        return value.value
    return None


def _first(node: cst.Call) -> cst.BaseExpression | None:
    args = _positional(node)
    return args[0] if args else None


def _literal_targets(value: object, ref) -> object:
    """`np.array([3.5, 10.2, 7.0])`, `np.array([[0], [1], [1], [0]])`: literal targets, whose range is
    known (LL209); rows of 0/1 with one 1 each are one-hot, with several 1s in a row multi-hot."""
    if not isinstance(value, Seq) or not value.items:
        return UNKNOWN
    rows = [item.items if isinstance(item, Seq) else None for item in value.items]
    if all(row is not None for row in rows):
        if len({len(row) for row in rows}) != 1 or not rows[0]:
            return UNKNOWN
        numbers = _numbers([item for row in rows for item in row])
        if numbers is None:
            return UNKNOWN
        width = len(rows[0])
        if width > 1 and set(numbers) <= {0, 1}:
            ones = [sum(_numbers(row)) for row in rows]
            if all(count == 1 for count in ones):
                return Labels("one-hot", ref, width, 0.0, 1.0)
            if any(count > 1 for count in ones):
                return Labels("multi-hot", ref, width, 0.0, 1.0)
    else:
        numbers = _numbers(value.items)
        if numbers is None:
            return UNKNOWN
    return Labels(None, ref, None, float(min(numbers)), float(max(numbers)))


def _numbers(items: list) -> list | None:
    numbers = [item.value for item in items if isinstance(item, Const)
               and isinstance(item.value, (int, float)) and not isinstance(item.value, bool)]
    return numbers if len(numbers) == len(items) else None

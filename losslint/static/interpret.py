"""A small abstract interpreter over a libcst module.

It executes the statements of a file in order, tracking only what matters for Keras models:
layers, symbolic tensors, models (and their `add`s), losses, metrics and literals. Every
`model.compile(...)` it meets is recorded with a snapshot of what the model outputs at that
point. Anything it cannot prove becomes `UNKNOWN`; control flow it cannot decide makes the
affected names unknown rather than guessing a branch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import PositionProvider

from .. import knowledge as k
from ..diagnostics import SourceRef
from .callargs import arg as _arg, positional as _positional
from .labels import LabelSemantics
from .names import NameResolver
from .usercode import UserCode
from .values import (
    UNKNOWN, Activation, Const, Function, Labels, Layer, Loss, Mapping_, Metric, Model, Seq, Symbol, Tensor, UserClass,
    model_outputs,
)

_MISSING = object()
_OPAQUE_MODEL_FACTORIES = ("keras.models.load_model", "keras.saving.load_model")
_CLONE = ("keras.models.clone_model",)


@dataclass
class CompileCall:
    node: cst.Call
    ref: SourceRef
    model: Model
    outputs: list | None  # model_outputs() at the time of the call
    loss: object
    metrics: object
    fits: list = field(default_factory=list)  # (labels value, text) of each fit of this compile
    fit_refs: list = field(default_factory=list)  # where each of those fit calls is written


class Env:
    def __init__(self, parent: "Env | None" = None):
        self.vars: dict[str, object] = {}
        self.parent = parent

    def lookup(self, name: str) -> object:
        env: Env | None = self
        while env is not None:
            if name in env.vars:
                return env.vars[name]
            env = env.parent
        return _MISSING


@dataclass
class Interpreter(UserCode, LabelSemantics):
    wrapper: cst.MetadataWrapper
    path: str
    compiles: list[CompileCall] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.names = NameResolver(self.wrapper)
        self.positions = self.wrapper.resolve(PositionProvider)
        self.conditional = 0  # > 0 while executing a branch that may not run
        self._deferred: list[tuple[cst.FunctionDef, Env]] = []
        self._init_user_code()

    # ------------------------------------------------------------------ positions

    def ref(self, node: cst.CSTNode) -> SourceRef:
        pos = self.positions[node]
        return SourceRef(self.path, pos.start.line, pos.start.column, pos.end.line, pos.end.column)

    @staticmethod
    def inside(inner: SourceRef, outer: SourceRef) -> bool:
        return (outer.line, outer.col) <= (inner.line, inner.col) and \
            (inner.end_line, inner.end_col) <= (outer.end_line, outer.end_col)

    # ------------------------------------------------------------------ statements

    def run(self) -> list[CompileCall]:
        module_env = Env()
        self.exec_block(self.wrapper.module.body, module_env)
        self.run_deferred()  # bodies no call reached run after the module, with its final globals
        return self.compiles

    def exec_block(self, statements, env: Env) -> None:
        for statement in statements:
            self.exec_statement(statement, env)

    def exec_statement(self, statement: cst.CSTNode, env: Env) -> None:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                self.exec_small(small, env)
        elif isinstance(statement, cst.FunctionDef):
            self.define_function(statement, env)
        elif isinstance(statement, cst.ClassDef):
            self.define_class(statement, env)
        elif isinstance(statement, cst.If):
            if _is_main_guard(statement.test):
                self.exec_block(_body(statement), env)
            else:
                self.exec_branches(env, _body(statement), _else_body(statement.orelse))
        elif isinstance(statement, (cst.For, cst.While)):
            if isinstance(statement, cst.For):
                self.bind(statement.target, UNKNOWN, env)
            self.exec_branches(env, _body(statement), _else_body(statement.orelse), may_skip_both=True)
        elif isinstance(statement, cst.With):
            for item in statement.items:
                if item.asname is not None:
                    self.bind(item.asname.name, UNKNOWN, env)
            self.exec_block(_body(statement), env)
        elif isinstance(statement, (cst.Try, cst.TryStar)):
            self.exec_block(_body(statement), env)
            for handler in statement.handlers:
                self.exec_branches(env, _body(handler), None)
            if statement.orelse is not None:
                self.exec_block(_body(statement.orelse), env)
            if statement.finalbody is not None:
                self.exec_block(_body(statement.finalbody), env)
        elif isinstance(statement, cst.Match):
            for case in statement.cases:
                self.exec_branches(env, _body(case), None)

    def exec_branches(self, env: Env, body, orelse, may_skip_both: bool = False) -> None:
        """Run branches that may or may not execute; names they bind differently become unknown."""
        before = dict(env.vars)
        self.conditional += 1
        try:
            self.exec_block(body, env)
            after_body = env.vars
            env.vars = dict(before)
            if orelse is not None:
                self.exec_block(orelse, env)
            after_else = env.vars
        finally:
            self.conditional -= 1
        merged = {}
        for name in {*after_body, *after_else}:
            a, b = after_body.get(name, _MISSING), after_else.get(name, _MISSING)
            if may_skip_both and before.get(name, _MISSING) is not a:
                a = UNKNOWN
            merged[name] = a if a is b else UNKNOWN
        env.vars = merged

    def exec_small(self, small: cst.CSTNode, env: Env) -> None:
        if isinstance(small, cst.Assign):
            value = self.eval(small.value, env)
            for target in small.targets:
                self.bind(target.target, value, env)
        elif isinstance(small, cst.AnnAssign) and small.value is not None:
            self.bind(small.target, self.eval(small.value, env), env)
        elif isinstance(small, cst.AugAssign):
            self.eval(small.value, env)
            self.bind(small.target, UNKNOWN, env)
        elif isinstance(small, cst.Expr):
            self.eval(small.value, env)
        elif isinstance(small, cst.Return):
            self.record_return(self.eval(small.value, env) if small.value is not None else UNKNOWN)

    def bind(self, target: cst.CSTNode, value: object, env: Env) -> None:
        if isinstance(target, cst.Name):
            if isinstance(value, Model) and value.var_name is None:
                value.var_name = target.value
            env.vars[target.value] = value
        elif isinstance(target, (cst.Tuple, cst.List)):
            items = value.items if isinstance(value, Seq) and len(value.items) == len(target.elements) else None
            for i, element in enumerate(target.elements):
                self.bind(element.value, items[i] if items else UNKNOWN, env)
        elif isinstance(target, cst.Attribute):  # `self.head = Dense(...)` on a model
            base = self.eval(target.value, env)
            if isinstance(base, Model):
                # set in a branch: which layer it holds afterwards is not known
                base.attrs[target.attr.value] = UNKNOWN if self.in_branch() else value
        elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
            # `y[y == 10] = 0` changes the labels in place: forget what they were
            if isinstance(env.lookup(target.value.value), Labels):
                env.vars[target.value.value] = UNKNOWN

    # ------------------------------------------------------------------ expressions

    def eval(self, node: cst.CSTNode, env: Env) -> object:
        if isinstance(node, cst.Name):
            if node.value in ("True", "False", "None"):
                return Const({"True": True, "False": False, "None": None}[node.value], self.ref(node))
            local = env.lookup(node.value)
            if local is not _MISSING:
                return local
            return self._symbol(node)
        if isinstance(node, cst.Attribute):
            symbol = self._symbol(node)
            if symbol is not UNKNOWN:
                return symbol
            return self._attribute(self.eval(node.value, env), node.attr.value)
        if isinstance(node, cst.Call):
            return self.eval_call(node, env)
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            value = node.evaluated_value
            return Const(value, self.ref(node)) if isinstance(value, str) else UNKNOWN
        if isinstance(node, (cst.Integer, cst.Float)):
            return Const(node.evaluated_value, self.ref(node))
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
            inner = self.eval(node.expression, env)
            if isinstance(inner, Const) and isinstance(inner.value, (int, float)):
                return Const(-inner.value, self.ref(node))
            return UNKNOWN
        if isinstance(node, (cst.List, cst.Tuple)):
            if any(isinstance(e, cst.StarredElement) for e in node.elements):
                return UNKNOWN
            return Seq([self.eval(e.value, env) for e in node.elements], self.ref(node))
        if isinstance(node, cst.Dict):
            items = {}
            for element in node.elements:
                if not isinstance(element, cst.DictElement):
                    return UNKNOWN
                key = self.eval(element.key, env)
                if not isinstance(key, Const) or not isinstance(key.value, str):
                    return UNKNOWN
                items[key.value] = self.eval(element.value, env)
            return Mapping_(items, self.ref(node))
        if isinstance(node, cst.Subscript):
            return self._subscript(node, env)
        if isinstance(node, cst.BinaryOperation):
            left, right = self.eval(node.left, env), self.eval(node.right, env)
            return self.label_binary(left, node.operator, right, self.ref(node))
        return UNKNOWN

    def _symbol(self, node: cst.CSTNode) -> object:
        name = self.names.symbol(node)
        return Symbol(name, self.ref(node)) if name else UNKNOWN

    def _attribute(self, base: object, attr: str) -> object:
        if isinstance(base, Symbol):  # `mnist = tf.keras.datasets.mnist` ... `mnist.load_data`
            return Symbol(f"{base.name}.{attr}", base.ref)
        labels = self.label_attribute(base, attr)
        if labels is not None:
            return labels
        if isinstance(base, Model):
            if attr in base.attrs:
                return base.attrs[attr]
            outputs = model_outputs(base)
            if attr == "output" and outputs and len(outputs) == 1:
                return outputs[0]
            if attr == "outputs" and outputs:
                return Seq(list(outputs), base.ref)
        return UNKNOWN

    def _subscript(self, node: cst.Subscript, env: Env) -> object:
        base = self.eval(node.value, env)
        labels = self.label_subscript(base, node, env)
        if labels is not None:
            return labels
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return UNKNOWN
        key = self.eval(node.slice[0].slice.value, env)
        if not isinstance(key, Const):
            return UNKNOWN
        if isinstance(base, Seq) and isinstance(key.value, int) and -len(base.items) <= key.value < len(base.items):
            return base.items[key.value]
        if isinstance(base, Mapping_) and isinstance(key.value, str):
            return base.items.get(key.value, UNKNOWN)
        return UNKNOWN

    # ------------------------------------------------------------------ calls

    def eval_call(self, node: cst.Call, env: Env) -> object:
        func = node.func
        if isinstance(func, cst.Attribute):
            symbol = self._symbol(func)
            if isinstance(symbol, Symbol):
                return self.call_symbol(symbol.name, node, env)
            if func.attr.value == "__init__" and _is_super_call(func.value):
                self.super_init(node, env)
                return UNKNOWN
            base = self.eval(func.value, env)
            if isinstance(base, Symbol):
                return self.call_symbol(f"{base.name}.{func.attr.value}", node, env)
            if isinstance(base, Model):
                attr = base.attrs.get(func.attr.value)
                if attr is not None:  # `self.head(x)`: a layer set in __init__
                    return self._call_value(attr, node, env)
                return self.call_model_method(base, func.attr.value, node, env)
            labels = self.label_method_call(base, func.attr.value, node, env)
            if labels is not None:
                return labels
            if func.attr.value == "compile" and _looks_like_model_compile(node):
                # a model we cannot see (loaded, built elsewhere): counted as unresolved (LL901)
                opaque = Model("opaque", self.ref(node), var_name=_receiver_name(func.value))
                return self.call_model_method(opaque, "compile", node, env)
            self._eval_args(node, env)
            return UNKNOWN
        return self._call_value(self.eval(func, env), node, env)

    def _call_value(self, callee: object, node: cst.Call, env: Env) -> object:
        if isinstance(callee, Symbol):
            return self.call_symbol(callee.name, node, env)
        if isinstance(callee, (Layer, Model)):
            args = _positional(node)
            return Tensor(callee, self.eval(args[0], env) if args else UNKNOWN)
        if isinstance(callee, (Function, UserClass)):
            return self.call_user(callee, node, env)
        self._eval_args(node, env)
        return UNKNOWN

    def _eval_args(self, node: cst.Call, env: Env) -> None:
        """Evaluate arguments of a call we do not model, for their side effects (e.g. nested compiles)."""
        for arg in node.args:
            self.eval(arg.value, env)

    def call_symbol(self, symbol: str, node: cst.Call, env: Env) -> object:
        if symbol in k.INPUT:
            return Tensor(None)
        if symbol in k.SEQUENTIAL:
            layers_node = _arg(node, "layers", 0)
            layers = self.eval(layers_node, env) if layers_node is not None else Seq([], self.ref(node))
            items = list(layers.items) if isinstance(layers, Seq) else [UNKNOWN]
            return Model("sequential", self.ref(node), layers=items)
        if symbol in k.FUNCTIONAL:
            outputs = _arg(node, "outputs", 1)
            if outputs is None:
                return Model("opaque", self.ref(node))
            return Model("functional", self.ref(node), outputs=self.eval(outputs, env))
        if symbol in k.LOSS_BY_CLASS:
            return self.make_loss_object(symbol, node, env)
        if symbol in k.METRIC_BY_FUNCTION and symbol.split(".")[-1][:1].isupper():
            return Metric(k.METRIC_BY_FUNCTION[symbol], symbol.split(".")[-1] + "()", self.ref(node))
        if symbol in k.ACTIVATION_BY_FUNCTION:  # tf.nn.softmax(x) applied to a tensor
            args = _positional(node)
            if len(args) >= 1:
                return Tensor(Activation(k.ACTIVATION_BY_FUNCTION[symbol], self.ref(node)), self.eval(args[0], env))
            return UNKNOWN
        if symbol.startswith("keras.layers."):
            return self.make_layer(symbol, node, env)
        if symbol in _CLONE:
            args = _positional(node)
            source = self.eval(args[0], env) if args else UNKNOWN
            return source.copy(self.ref(node)) if isinstance(source, Model) else Model("opaque", self.ref(node))
        if symbol.startswith("keras.applications.") and symbol.rsplit(".", 1)[1][:1].isupper():
            return self.make_application(symbol, node, env)
        if symbol in _OPAQUE_MODEL_FACTORIES:
            return Model("opaque", self.ref(node))
        labels = self.label_symbol_call(symbol, node, env)
        if labels is not None:
            return labels
        self._eval_args(node, env)
        return UNKNOWN

    def make_application(self, symbol: str, node: cst.Call, env: Env) -> Model:
        """`keras.applications.X(...)`: with the default `include_top=True` it ends in a
        `Dense(classes, activation=classifier_activation)`; without the top it is opaque."""
        head = k.APPLICATION_HEAD
        ref = self.ref(node)
        values = {a.keyword.value: self.eval(a.value, env) for a in node.args if a.keyword is not None}
        include_top = values.get("include_top", Const(True, ref))
        if not isinstance(include_top, Const) or include_top.value is not True or _positional(node):
            return Model("opaque", ref)
        classes = values.get(head.classes_keyword, Const(head.default_classes, ref))
        activation_node = _arg(node, head.activation_keyword, None)
        layer = Layer(symbol.rsplit(".", 1)[1], k.LAYERS["keras.layers.Dense"], ref)
        if isinstance(classes, Const) and isinstance(classes.value, int) and not isinstance(classes.value, bool):
            layer.units = classes.value
        layer.activation = (self.make_activation(activation_node, env) if activation_node is not None
                            else Activation(head.default_activation, ref))
        return Model("functional", ref, outputs=Tensor(layer, UNKNOWN))

    def make_layer(self, symbol: str, node: cst.Call, env: Env) -> Layer:
        spec = k.LAYERS.get(symbol)
        class_name = symbol.rsplit(".", 1)[1]
        layer = Layer(class_name, spec, self.ref(node))
        name = _arg(node, "name", None)
        if name is not None:
            value = self.eval(name, env)
            layer.name = value.value if isinstance(value, Const) and isinstance(value.value, str) else None
        if spec is None:
            return layer
        if spec.units_arg:
            units_node = _arg(node, *spec.units_arg)
            value = self.eval(units_node, env) if units_node is not None else UNKNOWN
            if isinstance(value, Const) and isinstance(value.value, int) and not isinstance(value.value, bool):
                layer.units = value.value
                layer.inferred = not self.inside(value.ref, layer.ref)
        if symbol in k.ACTIVATION_BY_LAYER:
            layer.activation = Activation(k.ACTIVATION_BY_LAYER[symbol], layer.ref)
        elif spec.activation_arg:
            activation_node = _arg(node, *spec.activation_arg)
            if activation_node is None:
                layer.activation = Activation(spec.default_activation, layer.ref)
            else:
                layer.activation = self.make_activation(activation_node, env)
        if spec.role is k.LayerRole.WRAPPER:
            args = _positional(node)
            inner = self.eval(args[0], env) if args else UNKNOWN
            layer.inner = inner if isinstance(inner, Layer) else None
        return layer

    def make_activation(self, node: cst.CSTNode, env: Env) -> Activation:
        value = self.eval(node, env)
        ref = self.ref(node)
        activation_id = None
        if isinstance(value, Const):
            ref = value.ref
            if value.value is None:
                activation_id = "linear"
            elif isinstance(value.value, str):
                activation_id = k.ACTIVATION_BY_STRING.get(value.value)
        elif isinstance(value, Symbol):
            activation_id = k.ACTIVATION_BY_FUNCTION.get(value.name)
        elif isinstance(value, Layer):
            activation_id = k.ACTIVATION_BY_LAYER.get(f"keras.layers.{value.class_name}")
        inferred = not (self.ref(node) == ref)
        return Activation(activation_id, ref, inferred=inferred)

    def make_loss_object(self, symbol: str, node: cst.Call, env: Env) -> Loss:
        loss_id = k.LOSS_BY_CLASS[symbol]
        keyword = _arg(node, "from_logits", None)
        if keyword is None and _positional(node):
            # only the plain cross-entropies take from_logits as their first positional argument
            keyword = _positional(node)[0] if loss_id in k.FROM_LOGITS_FIRST_POSITIONAL else None
            if keyword is None:
                return Loss(loss_id, True, symbol.split(".")[-1], None, self.ref(node))
        from_logits: bool | None = False
        if keyword is not None:
            value = self.eval(keyword, env)
            from_logits = value.value if isinstance(value, Const) and isinstance(value.value, bool) else None
        return Loss(loss_id, True, symbol.split(".")[-1], from_logits, self.ref(node))

    def call_model_method(self, model: Model, method: str, node: cst.Call, env: Env) -> object:
        if method == "add":
            args = _positional(node)
            layer = self.eval(args[0], env) if args else UNKNOWN
            model.layers.append(layer if isinstance(layer, (Layer, Model, Tensor)) else UNKNOWN)
            model.uncertain = self.conditional > 0
        elif method == "pop" and model.layers:
            model.layers.pop()
            model.uncertain = model.uncertain or self.conditional > 0
        elif method == "compile":
            loss_node = _arg(node, "loss", 1)
            metrics_node = _arg(node, "metrics", None)
            call = CompileCall(
                node, self.ref(node), model, model_outputs(model),
                self.eval(loss_node, env) if loss_node is not None else UNKNOWN,
                self.eval(metrics_node, env) if metrics_node is not None else None,
            )
            self.compiles.append(call)
            model.last_compile = call
        elif method in k.FIT_METHODS:
            labels, text = self.labels_at_fit(node, env, method)
            if model.last_compile is not None:  # facts of this model object's latest compile
                model.last_compile.fits.append((labels, text))
                model.last_compile.fit_refs.append(self.ref(node))
        else:
            result = self.call_method(model, method, node, env)
            if result is not None:
                return result
            self._eval_args(node, env)
        return UNKNOWN




def _looks_like_model_compile(node: cst.Call) -> bool:
    """`x.compile(optimizer=..., loss=...)`, not `re.compile(pattern)`."""
    return any(arg.keyword is not None and arg.keyword.value in ("loss", "optimizer", "metrics")
               for arg in node.args)


def _receiver_name(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return None


def _is_super_call(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "super"


def _body(node) -> list:
    body = node.body
    if isinstance(body, cst.IndentedBlock):
        return list(body.body)
    return [cst.SimpleStatementLine(body.body)]  # `if x: y = 1` on one line


def _else_body(orelse) -> list | None:
    if orelse is None:
        return None
    if isinstance(orelse, cst.If):  # elif
        return [orelse]
    return _body(orelse)


def _is_main_guard(test: cst.BaseExpression) -> bool:
    return (isinstance(test, cst.Comparison) and isinstance(test.left, cst.Name)
            and test.left.value == "__name__" and len(test.comparisons) == 1
            and isinstance(test.comparisons[0].operator, cst.Equal))

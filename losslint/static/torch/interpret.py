"""A small abstract interpreter for PyTorch programs: where do loss calls meet model outputs?

It executes a file's statements in order, tracking `nn.Module` instances (library layers,
`nn.Sequential` / `ModuleList` / `ModuleDict`, and classes written in the file with their
`__init__` and `forward`), what tensors hold (the last activation and the class-axis size), loss
objects and labels. Every call of a loss (`criterion(out, y)`, `F.cross_entropy(out, y)`) is
recorded with what its input and target are in that context. Functions are evaluated at their
call sites with the arguments bound; functions and methods no call reached (a Lightning
`training_step`, a `train(model, loader)` never called in the file) run once with unknown
arguments. Branches that may not run merge: a name that differs between them becomes unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import libcst as cst

from ... import knowledge_torch as t
from ...diagnostics import SourceRef
from ..callargs import arg as _arg, positional as _positional
from ..names import NameResolver
from ..node_positions import NodePositions
from .values import (
    INPUT, UNKNOWN, Batches, BoundMethod, ClassInfo, InputTensor, Instance, Items, LossValue, Number, Output,
    Symbol, TorchLabels, TorchModule, UserFunction,
)

_MAX_STEPS = 50_000  # statements executed per file; beyond it the rest stays unknown
_MAX_DEPTH = 6  # nested user calls evaluated at their call site
_MAX_UNROLL = 64  # ModuleList members a `for layer in self.layers` is unrolled over
_TEXT_LIMIT = 48
_BUILTINS = frozenset({"enumerate", "len", "range", "zip", "print", "super", "isinstance", "list", "tuple"})


class _Budget(Exception):
    pass


class _Return(Exception):
    pass


@dataclass
class LossCall:
    """One evaluation of a loss call: the loss, what its input and target were."""

    node: cst.Call
    ref: SourceRef
    loss: LossValue
    input: object
    target: object


class Env:
    def __init__(self, parent: "Env | None" = None):
        self.vars: dict[str, object] = {}
        self.parent = parent

    def lookup(self, name: str):
        env = self
        while env is not None:
            if name in env.vars:
                return env.vars[name]
            env = env.parent
        return None


def _merge(a: object, b: object) -> object:
    return a if a == b else UNKNOWN


@dataclass
class TorchInterpreter:
    wrapper: cst.MetadataWrapper
    path: str
    calls: list[LossCall] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.names = NameResolver(self.wrapper)
        self.positions = NodePositions(self.wrapper, self.path)  # positioned only when read
        self.steps = 0
        self.depth = 0
        self.active: list[cst.FunctionDef] = []
        self.evaluated: set[cst.FunctionDef] = set()
        self.classes: dict[cst.ClassDef, ClassInfo] = {}
        self.functions: list[tuple[cst.FunctionDef, Env, ClassInfo | None]] = []
        self._returns_stack: list[list] = []
        self._constructing: Instance | None = None

    # ------------------------------------------------------------------ helpers

    def ref(self, node: cst.CSTNode) -> SourceRef:
        return self.positions.ref(node)

    def text(self, node: cst.CSTNode) -> str:
        code = self.wrapper.module.code_for_node(node)
        return " ".join(code.split())

    def short(self, node: cst.CSTNode, fallback: str) -> str:
        code = self.text(node)
        return code if len(code) <= _TEXT_LIMIT else fallback

    # ------------------------------------------------------------------ driver

    def run(self) -> list[LossCall]:
        module_env = Env()
        try:
            self.exec_block(self.wrapper.module.body, module_env)
            for node, env, owner in list(self.functions):  # bodies no call reached
                if node not in self.evaluated:
                    self.run_unreached(node, env, owner)
        except (_Budget, RecursionError):
            pass
        return self.calls

    def run_unreached(self, node: cst.FunctionDef, env: Env, owner: ClassInfo | None) -> None:
        local = Env(env)
        params = list(node.params.params)
        if owner is not None and params and not _is_static(node):
            local.vars[params[0].name.value] = self.instance_of(owner, None, None)
            params = params[1:]
        for param in (*params, *node.params.kwonly_params, *node.params.posonly_params):
            local.vars[param.name.value] = UNKNOWN
        self.evaluated.add(node)
        self.run_body(node, local)

    def run_body(self, node: cst.FunctionDef, env: Env) -> object:
        if node in self.active or self.depth >= _MAX_DEPTH:
            return UNKNOWN
        self.active.append(node)
        self.depth += 1
        returns: list = []
        self._returns_stack.append(returns)
        try:
            self.exec_block(_body(node), env)
        except _Return:
            pass
        finally:
            self._returns_stack.pop()
            self.depth -= 1
            self.active.pop()
        if not returns:
            return UNKNOWN
        value = returns[0]
        for other in returns[1:]:
            value = _merge(value, other)
        return value

    # ------------------------------------------------------------------ statements

    def exec_block(self, statements, env: Env) -> None:
        for statement in statements:
            self.exec_statement(statement, env)

    def exec_statement(self, statement: cst.CSTNode, env: Env) -> None:
        self.steps += 1
        if self.steps > _MAX_STEPS:
            raise _Budget()
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                self.exec_small(small, env)
        elif isinstance(statement, cst.FunctionDef):
            env.vars[statement.name.value] = UserFunction(statement, env)
            self.functions.append((statement, env, None))
        elif isinstance(statement, cst.ClassDef):
            env.vars[statement.name.value] = self.define_class(statement, env)
        elif isinstance(statement, cst.If):
            self.exec_if(statement, env)
        elif isinstance(statement, cst.For):
            self.exec_for(statement, env)
        elif isinstance(statement, cst.While):
            self.exec_optional(statement.body.body, env)
        elif isinstance(statement, cst.With):
            for item in statement.items:
                self.eval(item.item, env)
                if item.asname is not None:
                    self.bind(item.asname.name, UNKNOWN, env)
            self.exec_block(statement.body.body, env)
        elif isinstance(statement, cst.Try):
            self.exec_optional(statement.body.body, env)
            for handler in statement.handlers:
                self.exec_optional(handler.body.body, env)
            if statement.orelse is not None:
                self.exec_optional(statement.orelse.body.body, env)
            if statement.finalbody is not None:
                self.exec_block(statement.finalbody.body.body, env)

    def exec_small(self, small: cst.CSTNode, env: Env) -> None:
        if isinstance(small, cst.Assign):
            value = self.eval(small.value, env)
            for target in small.targets:
                self.bind(target.target, value, env)
        elif isinstance(small, cst.AnnAssign):
            if small.value is not None:
                self.bind(small.target, self.eval(small.value, env), env)
        elif isinstance(small, cst.AugAssign):
            self.eval(small.value, env)
            self.bind(small.target, UNKNOWN, env)
        elif isinstance(small, cst.Expr):
            self.eval(small.value, env)
        elif isinstance(small, cst.Return):
            value = self.eval(small.value, env) if small.value is not None else Number(None)
            if self._returns_stack:
                self._returns_stack[-1].append(value)
            raise _Return()

    def exec_optional(self, body, env: Env) -> None:
        """A block that may not run (or may stop half way): names it changes merge with before."""
        before = dict(_flatten(env))
        try:
            self.exec_block(body, env)
        except _Return:
            pass
        for name, value in list(env.vars.items()):
            if name in before:
                env.vars[name] = _merge(before[name], value)

    def exec_if(self, node: cst.If, env: Env) -> None:
        self.eval(node.test, env)
        if _is_main_guard(node.test):
            self.exec_block(node.body.body, env)
            return
        before = dict(env.vars)
        returned = []
        branch_envs = []
        for body in (node.body.body, _else_body(node.orelse)):
            env.vars = dict(before)
            try:
                self.exec_block(body or (), env)
                branch_envs.append(env.vars)
            except _Return:
                returned.append(True)
        if not branch_envs:
            env.vars = before
            raise _Return()
        merged = dict(branch_envs[0])
        for other in branch_envs[1:]:
            for name in set(merged) | set(other):
                merged[name] = _merge(merged.get(name, UNKNOWN), other.get(name, UNKNOWN))
        env.vars = merged

    def exec_for(self, node: cst.For, env: Env) -> None:
        iterable = self.eval(node.iter, env)
        members = _members(iterable)
        if members is not None and len(members) <= _MAX_UNROLL and _is_simple_target(node.target):
            for member in members:  # `for layer in self.layers: x = layer(x)`
                self.bind(node.target, member, env)
                self.exec_block(node.body.body, env)
            return
        self.bind(node.target, self.iterate(iterable), env)
        self.exec_optional(node.body.body, env)
        if node.orelse is not None:
            self.exec_optional(node.orelse.body.body, env)

    def iterate(self, iterable: object) -> object:
        """What one item of `iterable` is: `(inputs, labels)` for a DataLoader."""
        if isinstance(iterable, Batches):
            return Items((INPUT, iterable.labels))
        if isinstance(iterable, tuple) and iterable[:1] == ("enumerate",):
            return Items((UNKNOWN, self.iterate(iterable[1])))
        return UNKNOWN

    def bind(self, target: cst.CSTNode, value: object, env: Env) -> None:
        if isinstance(target, cst.Name):
            if isinstance(value, Instance) and value.var_name is None:
                value.var_name = target.value
            env.vars[target.value] = value
        elif isinstance(target, (cst.Tuple, cst.List)):
            elements = target.elements
            values = value.values if isinstance(value, Items) and len(value.values) == len(elements) else None
            for i, element in enumerate(elements):
                self.bind(element.value, values[i] if values and not isinstance(element, cst.StarredElement)
                          else UNKNOWN, env)
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            owner = env.lookup(target.value.value)
            if isinstance(owner, Instance):
                if self._in_init(owner):
                    owner.attrs[target.attr.value] = value
                elif owner.attrs.get(target.attr.value, UNKNOWN) != value:
                    owner.attrs[target.attr.value] = UNKNOWN

    def _in_init(self, instance: Instance) -> bool:
        return self._constructing is instance

    # ------------------------------------------------------------------ classes

    def define_class(self, node: cst.ClassDef, env: Env) -> ClassInfo:
        bases, is_module = [], False
        for base in node.bases:
            value = self.eval(base.value, env)
            if isinstance(value, ClassInfo):
                bases.append(value)
                is_module = is_module or value.is_module
            elif isinstance(value, Symbol) and value.name in t.TORCH_MODULE_BASES:
                is_module = True
        info = ClassInfo(node.name.value, node, bases, is_module)
        for statement in node.body.body:
            if isinstance(statement, cst.FunctionDef):
                info.methods[statement.name.value] = statement
                if statement.name.value not in ("__init__", "forward"):
                    self.functions.append((statement, env, info))
        self.classes[node] = info
        info.scope = env  # type: ignore[attr-defined]
        return info

    def instance_of(self, cls: ClassInfo, node: cst.Call | None, env: Env | None) -> Instance:
        instance = Instance(cls)
        found = cls.lookup("__init__")
        if found is not None:
            owner, init = found
            local = Env(getattr(owner, "scope", None))
            self.bind_params(init, node, env, local, instance)
            previous = self._constructing
            self._constructing = instance
            try:
                self.run_body(init, local)
            finally:
                self._constructing = previous
            self.evaluated.add(init)
        return instance

    def bind_params(self, function: cst.FunctionDef, call: cst.Call | None, env: Env | None, local: Env,
                    instance: object = None) -> None:
        params = [*function.params.posonly_params, *function.params.params]
        if instance is not None and params:
            local.vars[params[0].name.value] = instance
            params = params[1:]
        values = {}
        if call is not None and env is not None:
            positional = _positional(call)
            for param, value in zip(params, positional):
                values[param.name.value] = self.eval(value, env)
            for argument in call.args:
                if argument.keyword is not None:
                    values[argument.keyword.value] = self.eval(argument.value, env)
                elif argument.star:
                    return self._unknown_params(function, local, instance is not None)
        for param in (*params, *function.params.kwonly_params):
            name = param.name.value
            if name in values:
                local.vars[name] = values[name]
            elif param.default is not None:
                local.vars[name] = self.eval(param.default, Env()) if isinstance(param.default, (
                    cst.Integer, cst.Float, cst.SimpleString, cst.Name)) else UNKNOWN
            else:
                local.vars[name] = UNKNOWN
        return None

    def _unknown_params(self, function: cst.FunctionDef, local: Env, skip_first: bool) -> None:
        params = [*function.params.posonly_params, *function.params.params][1 if skip_first else 0:]
        for param in (*params, *function.params.kwonly_params):
            local.vars[param.name.value] = UNKNOWN

    def call_method(self, method: BoundMethod, node: cst.Call, env: Env) -> object:
        local = Env(getattr(method.owner, "scope", None))
        self.bind_params(method.node, node, env, local, method.instance)
        self.evaluated.add(method.node)
        return self.run_body(method.node, local)

    def call_forward(self, instance: Instance, node: cst.Call, env: Env) -> object:
        found = instance.cls.lookup("forward")
        if found is None:
            return UNKNOWN
        owner, forward = found
        result = self.call_method(BoundMethod(instance, owner, forward), node, env)
        if isinstance(result, Output) and result.model_name is None and instance.var_name:
            result = replace(result, model_name=instance.var_name)
        return result

    # ------------------------------------------------------------------ expressions

    def eval(self, node: cst.CSTNode, env: Env) -> object:
        kind = type(node)  # not isinstance(): libcst's classes are ABCs, slow to fail a check against
        if kind is cst.Name:
            if node.value in ("True", "False", "None"):
                return Number({"True": True, "False": False, "None": None}[node.value])
            value = env.lookup(node.value)
            if value is None:
                symbol = self.names.symbol(node)
                if symbol:
                    return Symbol(symbol)
                return Symbol(node.value) if node.value in _BUILTINS else UNKNOWN
            return value
        if kind is cst.Integer:
            return Number(int(node.value.replace("_", ""), 0))
        if kind is cst.Float:
            return Number(float(node.value.replace("_", "")))
        if kind is cst.SimpleString:
            return Number(node.evaluated_value)
        if kind is cst.UnaryOperation and type(node.operator) is cst.Minus:
            value = self.eval(node.expression, env)
            return Number(-value.value) if isinstance(value, Number) and isinstance(value.value, (int, float)) \
                else UNKNOWN
        if kind is cst.Attribute:
            return self.eval_attribute(node, env)
        if kind is cst.Call:
            return self.eval_call(node, env)
        if kind is cst.Tuple or kind is cst.List:
            values = []
            for element in node.elements:
                if isinstance(element, cst.StarredElement):
                    self.eval(element.value, env)
                    return UNKNOWN
                values.append(self.eval(element.value, env))
            return Items(tuple(values))
        if kind is cst.Subscript:
            return self.eval_subscript(node, env)
        if kind is cst.BinaryOperation:
            return self.arithmetic(node, env)  # evaluates each side once: a chain `a + b + …` stays linear
        if kind is cst.Comparison or kind is cst.BooleanOperation:
            for child in node.children:
                if isinstance(child, cst.BaseExpression):
                    self.eval(child, env)
            return UNKNOWN
        if isinstance(node, (cst.Lambda, cst.GeneratorExp, cst.ListComp, cst.DictComp, cst.SetComp)):
            return UNKNOWN
        if isinstance(node, cst.Dict):
            return UNKNOWN
        return UNKNOWN

    def arithmetic(self, node: cst.BinaryOperation, env: Env) -> object:
        left, right = self.eval(node.left, env), self.eval(node.right, env)
        if isinstance(left, Number) and isinstance(right, Number) and \
                all(isinstance(v.value, int) and not isinstance(v.value, bool) for v in (left, right)):
            op = type(node.operator)
            ops = {cst.Add: lambda a, b: a + b, cst.Subtract: lambda a, b: a - b, cst.Multiply: lambda a, b: a * b}
            if op in ops:
                return Number(ops[op](left.value, right.value))
        if isinstance(left, TorchLabels) and isinstance(right, Number) and isinstance(right.value, (int, float)) \
                and left.min_value is not None and left.max_value is not None:
            op = type(node.operator)
            if op is cst.Subtract:  # `y - 1`
                return replace(left, min_value=left.min_value - right.value, max_value=left.max_value - right.value)
            if op is cst.Add:
                return replace(left, min_value=left.min_value + right.value, max_value=left.max_value + right.value)
        return UNKNOWN

    def eval_attribute(self, node: cst.Attribute, env: Env) -> object:
        symbol = self.names.symbol(node)
        base = self.eval(node.value, env)
        attr = node.attr.value
        if isinstance(base, Instance):
            if base.cls.is_module and attr in t.MODULE_SELF_METHODS and base.cls.lookup(attr) is None:
                return ("method", base, attr)
            if attr in base.attrs:
                return base.attrs[attr]
            found = base.cls.lookup(attr)
            if found is not None:
                return BoundMethod(base, found[0], found[1])
            return UNKNOWN
        if isinstance(base, Symbol):
            return Symbol(symbol or f"{base.name}.{attr}")
        if isinstance(base, (Output, InputTensor, TorchLabels, TorchModule, LossValue)) or base is UNKNOWN:
            return ("method", base, attr)
        if symbol:
            return Symbol(symbol)
        return UNKNOWN

    def eval_subscript(self, node: cst.Subscript, env: Env) -> object:
        base = self.eval(node.value, env)
        index = None
        if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            index = self.eval(node.slice[0].slice.value, env)
        if isinstance(base, Items) and isinstance(index, Number) and isinstance(index.value, int):
            if -len(base.values) <= index.value < len(base.values):
                return base.values[index.value]
        if isinstance(base, TorchModule) and base.kind == "dict" and isinstance(index, Number):
            for key, member in base.items:
                if key == index.value:
                    return member
        if isinstance(base, TorchModule) and base.kind in ("list", "sequential") and isinstance(index, Number) \
                and isinstance(index.value, int) and -len(base.items) <= index.value < len(base.items):
            return base.items[index.value]
        return UNKNOWN

    # ------------------------------------------------------------------ calls

    def eval_call(self, node: cst.Call, env: Env) -> object:
        callee = self.eval(node.func, env)
        if isinstance(callee, Symbol):
            result = self.call_symbol(callee.name, node, env)
            if result is not None:
                return result
        elif isinstance(callee, tuple) and callee[:1] == ("method",):
            return self.call_tensor_method(callee[1], callee[2], node, env)
        elif isinstance(callee, TorchModule):
            return self.apply_module(callee, self._first(node, env), node)
        elif isinstance(callee, LossValue):
            self.record_loss(callee, node, env, ("input", 0), ("target", 1))
            return UNKNOWN
        elif isinstance(callee, Instance):
            if callee.cls.is_module:
                return self.call_forward(callee, node, env)
        elif isinstance(callee, BoundMethod):
            if callee.node.name.value == "forward" and isinstance(callee.instance, Instance):
                return self.call_forward(callee.instance, node, env)
            return self.call_method(callee, node, env)
        elif isinstance(callee, ClassInfo):
            return self.instance_of(callee, node, env)
        elif isinstance(callee, UserFunction):
            local = Env(callee.scope)  # type: ignore[arg-type]
            self.bind_params(callee.node, node, env, local)
            self.evaluated.add(callee.node)
            return self.run_body(callee.node, local)
        self._eval_args(node, env)
        return UNKNOWN

    def _eval_args(self, node: cst.Call, env: Env) -> list:
        return [self.eval(a.value, env) for a in node.args]

    def _first(self, node: cst.Call, env: Env) -> object:
        values = self._eval_args(node, env)
        return values[0] if values and node.args[0].keyword is None and not node.args[0].star else UNKNOWN

    def call_symbol(self, symbol: str, node: cst.Call, env: Env) -> object | None:
        if symbol in t.TORCH_LOSS_BY_CLASS:
            self._eval_args(node, env)
            return LossValue(t.TORCH_LOSS_BY_CLASS[symbol], self.short(node, symbol.rsplit(".", 1)[1] + "()"),
                             self.ref(node))
        if symbol in t.TORCH_LOSS_BY_FUNCTION:
            loss_id = t.TORCH_LOSS_BY_FUNCTION[symbol]
            written = self.text(node.func)
            self.record_loss(LossValue(loss_id, written if len(written) <= _TEXT_LIMIT else symbol, self.ref(node)),
                             node, env, ("input", 0), ("target", 1))
            return UNKNOWN
        if symbol in t.TORCH_ACTIVATION_BY_FUNCTION:
            return self.apply_activation(t.TORCH_ACTIVATION_BY_FUNCTION[symbol], self._first(node, env), node)
        if symbol in t.TORCH_MODULES:
            return self.make_module(t.TORCH_MODULES[symbol], node, env)
        if symbol in t.TORCH_SEQUENTIAL:
            return self.make_sequential(node, env)
        if symbol in t.TORCH_MODULE_LIST:
            items = self._eval_args(node, env)
            members = items[0].values if len(items) == 1 and isinstance(items[0], Items) else None
            if members is None or not all(isinstance(m, (TorchModule, Instance)) for m in members):
                return UNKNOWN
            return TorchModule("list", self.ref(node), items=tuple(members))
        if symbol in t.TORCH_MODULE_DICT:
            return self.make_module_dict(node, env)
        if symbol in t.TORCH_RESHAPING_FUNCTIONS:
            return _reshaped(self._first(node, env))
        if symbol in t.TORCH_DATA_LOADERS or symbol.startswith("torch.utils.data.DataLoader"):
            first = self._first(node, env)
            return Batches(first.labels) if isinstance(first, Batches) else UNKNOWN
        if symbol in t.TORCH_TENSOR_DATASETS:
            values = self._eval_args(node, env)
            return Batches(values[-1]) if len(values) == 2 and isinstance(values[-1], TorchLabels) else UNKNOWN
        if symbol in t.TORCH_DATASETS:
            self._eval_args(node, env)
            spec = t.TORCH_DATASETS[symbol]
            return Batches(TorchLabels("index", self.ref(node), spec.num_classes, 0, spec.num_classes - 1, "int"))
        if symbol in t.TORCH_RANDINT:
            return self.randint(node, env)
        if symbol in t.TORCH_ONE_HOT:
            values = self._eval_args(node, env)
            classes = _arg(node, "num_classes", 1)
            count = self.eval(classes, env) if classes is not None else None
            if values and isinstance(values[0], TorchLabels) and isinstance(count, Number) \
                    and isinstance(count.value, int) and count.value > 0:
                return TorchLabels("one-hot", self.ref(node), count.value, 0, 1, "int")
            return UNKNOWN
        if symbol == "enumerate":
            return ("enumerate", self._first(node, env))
        if symbol in ("len", "range", "zip", "print"):
            self._eval_args(node, env)
            return UNKNOWN
        return None

    def randint(self, node: cst.Call, env: Env) -> object:
        values = [self.eval(a.value, env) for a in node.args if a.keyword is None]
        self._eval_args(node, env)
        keywords = {a.keyword.value: self.eval(a.value, env) for a in node.args if a.keyword is not None}
        ints = [v.value for v in values if isinstance(v, Number) and isinstance(v.value, int)]
        if "low" in keywords or "high" in keywords:
            low, high = keywords.get("low", Number(0)), keywords.get("high")
            bounds = (low.value, high.value) if isinstance(low, Number) and isinstance(high, Number) else None
        elif len(values) >= 3 and len(ints) >= 2 and isinstance(values[0], Number) and isinstance(values[1], Number):
            bounds = (values[0].value, values[1].value)
        elif len(values) == 2 and isinstance(values[0], Number) and isinstance(values[0].value, int):
            bounds = (0, values[0].value)
        else:
            bounds = None
        if bounds is None or not all(isinstance(b, int) for b in bounds) or bounds[1] <= bounds[0]:
            return UNKNOWN
        return TorchLabels("index", self.ref(node), None, bounds[0], bounds[1] - 1, "int")

    def call_tensor_method(self, base: object, method: str, node: cst.Call, env: Env) -> object:
        self._eval_args(node, env)
        if isinstance(base, Instance):
            return base if method in t.MODULE_SELF_METHODS else UNKNOWN
        if isinstance(base, TorchModule):
            return base if method in t.MODULE_SELF_METHODS else UNKNOWN
        if method in t.TENSOR_METHOD_ACTIVATIONS:
            return self.apply_activation(t.TENSOR_METHOD_ACTIVATIONS[method], base, node)
        if isinstance(base, TorchLabels):
            if method in ("float", "double", "half"):
                return replace(base, dtype="float")
            if method in ("long", "int"):
                return replace(base, dtype="int")
            if method in t.TENSOR_PRESERVING_METHODS or method in t.TENSOR_RESHAPING_METHODS:
                return base
            return UNKNOWN
        if isinstance(base, Output):
            if method in t.TENSOR_PRESERVING_METHODS:
                return base
            if method in t.TENSOR_RESHAPING_METHODS:
                return _reshaped(base)
            return UNKNOWN
        if isinstance(base, InputTensor) and method in t.TENSOR_PRESERVING_METHODS | t.TENSOR_RESHAPING_METHODS:
            return INPUT
        return UNKNOWN

    # ------------------------------------------------------------------ modules and tensors

    def make_module(self, spec: t.TorchModuleSpec, node: cst.Call, env: Env) -> TorchModule:
        self._eval_args(node, env)
        ref = self.ref(node)
        text = self.short(node, spec.symbol.rsplit(".", 1)[1] + "(...)")
        role = spec.role
        if role is t.TorchModuleRole.PROJECTION:
            units_node = _arg(node, *spec.units_arg) if spec.units_arg else None
            units = self.eval(units_node, env) if units_node is not None else None
            count = units.value if isinstance(units, Number) and isinstance(units.value, int) else None
            return TorchModule("projection", ref, text, units=count)
        if role is t.TorchModuleRole.ACTIVATION:
            return TorchModule("activation", ref, text, activation=t.TORCH_ACTIVATION_BY_MODULE[spec.symbol])
        return TorchModule(role.value, ref, text)

    def make_sequential(self, node: cst.Call, env: Env) -> object:
        args = node.args
        if any(a.star or a.keyword is not None for a in args):
            return UNKNOWN
        members: list = []
        if len(args) == 1 and not isinstance(self.eval(args[0].value, env), (TorchModule, Instance)):
            return UNKNOWN  # nn.Sequential(OrderedDict(...)), nn.Sequential(*layers)
        for argument in args:
            member = self.eval(argument.value, env)
            if not isinstance(member, (TorchModule, Instance)):
                member = UNKNOWN
            members.append(member)
        return TorchModule("sequential", self.ref(node), items=tuple(members))

    def make_module_dict(self, node: cst.Call, env: Env) -> object:
        if len(node.args) != 1 or not isinstance(node.args[0].value, cst.Dict):
            self._eval_args(node, env)
            return UNKNOWN
        items = []
        for element in node.args[0].value.elements:
            if not isinstance(element, cst.DictElement) or not isinstance(element.key, cst.SimpleString):
                return UNKNOWN
            items.append((element.key.evaluated_value, self.eval(element.value, env)))
        return TorchModule("dict", self.ref(node), items=tuple(items))

    def apply_module(self, module: TorchModule, tensor: object, node: cst.Call | None) -> object:
        kind = module.kind
        if kind == "projection":
            return Output("linear", module.units, module.text, module.ref, module.ref)
        if kind == "activation":
            return self.apply_activation(module.activation, tensor, None, module.ref, node)
        if kind == "transparent":
            return tensor
        if kind == "normalization":
            return replace(tensor, activation="linear") if isinstance(tensor, Output) else UNKNOWN
        if kind == "sequential":
            for member in module.items:
                if isinstance(member, TorchModule):
                    tensor = self.apply_module(member, tensor, None)
                elif isinstance(member, Instance) and member.cls.is_module:
                    tensor = self.forward_of(member)
                else:
                    tensor = UNKNOWN
            return tensor
        return UNKNOWN

    def forward_of(self, instance: Instance) -> object:
        found = instance.cls.lookup("forward")
        if found is None:
            return UNKNOWN
        owner, forward = found
        local = Env(getattr(owner, "scope", None))
        self.bind_params(forward, None, None, local, instance)
        params = [*forward.params.posonly_params, *forward.params.params][1:]
        if params:
            local.vars[params[0].name.value] = INPUT
        self.evaluated.add(forward)
        return self.run_body(forward, local)

    def apply_activation(self, activation: str, tensor: object, node: cst.Call | None,
                         module_ref: SourceRef | None = None, call: cst.Call | None = None) -> object:
        where = node if node is not None else call
        activation_ref = self.ref(where) if where is not None else module_ref
        if isinstance(tensor, Output):
            return replace(tensor, activation=activation, activation_ref=activation_ref)
        if tensor is UNKNOWN or isinstance(tensor, InputTensor):
            if where is None and module_ref is None:
                return UNKNOWN
            text = self.short(where, activation) if where is not None else activation
            return Output(activation, None, text, activation_ref, activation_ref)
        return UNKNOWN

    # ------------------------------------------------------------------ loss calls

    def record_loss(self, loss: LossValue, node: cst.Call, env: Env, first: tuple, second: tuple) -> None:
        input_node, target_node = _arg(node, *first), _arg(node, *second)
        self._eval_args(node, env)
        if input_node is None:
            return
        value = self.eval(input_node, env)
        target = self.eval(target_node, env) if target_node is not None else UNKNOWN
        self.calls.append(LossCall(node, self.ref(node), loss, value, target))


def _reshaped(value: object) -> object:
    """`.view(-1)`, `.squeeze(1)`: the activation stays, the class-axis size is no longer known."""
    return replace(value, units=None) if isinstance(value, Output) else value if value is INPUT else UNKNOWN


def _members(iterable: object) -> tuple | None:
    if isinstance(iterable, TorchModule) and iterable.kind in ("list", "sequential"):
        return iterable.items
    return None


def _flatten(env: Env):
    return env.vars.items()


def _is_simple_target(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.Name)


def _is_static(node: cst.FunctionDef) -> bool:
    return any(isinstance(d.decorator, cst.Name) and d.decorator.value == "staticmethod" for d in node.decorators)


def _body(node) -> list:
    body = node.body
    if isinstance(body, cst.IndentedBlock):
        return list(body.body)
    return [cst.SimpleStatementLine(body=list(body.body))] if isinstance(body, cst.SimpleStatementSuite) else []


def _else_body(orelse) -> list | None:
    if orelse is None:
        return None
    if isinstance(orelse, cst.If):
        return [orelse]
    return list(orelse.body.body)


def _is_main_guard(test: cst.BaseExpression) -> bool:
    return (isinstance(test, cst.Comparison) and isinstance(test.left, cst.Name) and test.left.value == "__name__"
            and len(test.comparisons) == 1 and isinstance(test.comparisons[0].comparator, cst.SimpleString))

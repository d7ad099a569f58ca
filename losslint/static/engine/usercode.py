"""Functions and `keras.Model` subclasses defined in the analysed file.

A mixin of the interpreter. A call to a function of the file runs its body with the call's
arguments bound (so `model = build_model(10)` gets the model the helper builds, compiles and
returns); instantiating a `keras.Model` subclass runs `__init__` and then `call` on a symbolic
input, so the model's output is what `call` returns. Functions that are never called (or only
from places we cannot follow) run once at the end with unknown parameters, as before.
"""

from __future__ import annotations

import libcst as cst

from ... import knowledge as k
from ... import knowledge_jax as j
from ... import knowledge_torch as t
from .env import Env
from .values import UNKNOWN, Const, CustomLoss, Function, Layer, Mapping_, Model, Seq, Symbol, Tensor, UserClass, same_value

_MAX_CALL_DEPTH = 8


class _Frame:
    def __init__(self, conditional: int, self_value: object):
        self.conditional = conditional
        self.returns: list[tuple[object, bool]] = []  # (value, returned inside a branch)
        self.self_value = self_value


class UserCode:
    """Definitions, calls and instantiation of the file's own functions and model classes."""

    def _init_user_code(self) -> None:
        self._frames: list[_Frame] = []
        self._called: set[cst.FunctionDef] = set()
        self._method_of: dict[cst.FunctionDef, UserClass] = {}

    # ------------------------------------------------------------------ definitions

    def define_function(self, node: cst.FunctionDef, env) -> None:
        env.vars[node.name.value] = Function(node, env)
        self._deferred.append((node, env))

    def define_class(self, node: cst.ClassDef, env) -> None:
        bases = [self.eval(base.value, env) for base in node.bases
                 if not (isinstance(base.value, cst.Name) and base.value.value == "object")]
        user_bases = [b for b in bases if isinstance(b, UserClass)]
        framework = next((b.name for b in bases if isinstance(b, Symbol)), None)
        if any(not isinstance(b, (UserClass, Symbol)) for b in bases if b is not UNKNOWN) or \
                (bases and not user_bases and framework is None):
            env.vars[node.name.value] = UNKNOWN  # derives from something we cannot see
            return
        methods = {}
        cls = UserClass(node, env, methods, user_bases, framework)
        class_scope = Env(env)
        for item in _class_body(node):
            if isinstance(item, cst.SimpleStatementLine) and all(isinstance(x, (cst.Assign, cst.AnnAssign))
                                                                  for x in item.body):
                self.exec_statement(item, class_scope)  # `class Config: NUM_CLASSES = 10`
                cls.attributes.update(class_scope.vars)
            if isinstance(item, cst.FunctionDef):
                methods[item.name.value] = Function(item, env)
                self._deferred.append((item, env))
                self._method_of[item] = cls
        env.vars[node.name.value] = cls

    def run_deferred(self) -> None:
        """Run the bodies no call reached, callers (defined later) first, with unknown parameters."""
        for function, env in reversed(self._deferred):
            if function in self._called:
                continue
            self._called.add(function)
            cls = self._method_of.get(function)
            if cls is not None and (cls.root_base is None or cls.root_base in t.TORCH_MODULE_BASES) \
                    and function.name.value != "__init__":
                # a method of a plain class no call reached (`Trainer.train()`): on an instance built by
                # its __init__, so `self.model = build()` there is what `self.model.compile()` compiles
                instance = self.instantiate(cls, [], {}, False, function)
                self.call_function(Function(function, env), [], {}, False, bound_self=instance)
                continue
            local = Env(env)
            self._bind_parameters(function.params, [], {}, False, local, env)  # all unknown: no global shows through
            self._frames.append(_Frame(self.conditional, UNKNOWN))
            for param in (*function.params.posonly_params, *function.params.params, *function.params.kwonly_params):
                # `def train(x, y, loss=BinaryCrossentropy(from_logits=True))` no call reached: the default
                # is what the loss is when a caller leaves it out (a None default says nothing)
                if param.default is not None:
                    default = self.eval(param.default, env)
                    if default is not UNKNOWN and not (isinstance(default, Const) and default.value is None):
                        local.vars[param.name.value] = default
            try:
                self.exec_block(_body(function), local)
            finally:
                self._frames.pop()

    # ------------------------------------------------------------------ calls

    def call_user(self, callee: object, node: cst.Call, env) -> object:
        """A call whose callee is a Function or UserClass of the file."""
        args, kwargs, complete = self._evaluated_arguments(node, env)
        if isinstance(callee, UserClass):
            return self.instantiate(callee, args, kwargs, complete, node, env)
        return self.call_function(callee, args, kwargs, complete)

    def _evaluated_arguments(self, node: cst.Call, env) -> tuple[list, dict, bool]:
        args, kwargs, complete = [], {}, True
        for arg in node.args:
            value = self.eval(arg.value, env)
            if arg.star == "**" and isinstance(value, Mapping_) and all(isinstance(key, str) for key in value.items):
                kwargs.update(value.items)  # `DeepResNet(**resnet_config)` with `resnet_config = dict(...)`
            elif arg.star:
                complete = False
            elif arg.keyword is not None:
                kwargs[arg.keyword.value] = value
            else:
                args.append(value)
        return args, kwargs, complete

    def call_function(self, function: Function, args: list, kwargs: dict, complete: bool = True,
                      bound_self: object = None) -> object:
        node = function.node
        if len(self._frames) >= _MAX_CALL_DEPTH or any(f is node for f in self._active_functions()):
            return UNKNOWN
        self._called.add(node)
        local = Env(function.env)
        if bound_self is not None:
            args = [bound_self, *args]
        frame = _Frame(self.conditional, bound_self if bound_self is not None else UNKNOWN)
        frame.function = node
        with self.module_of(function):  # a function imported from another project module runs there
            self._bind_parameters(node.params, args, kwargs, complete, local, function.env)
            self._frames.append(frame)
            try:
                self.exec_block(_body(node), local)
            finally:
                self._frames.pop()
        return _merged_return(frame)

    def _active_functions(self):
        return [getattr(f, "function", None) for f in self._frames]

    def _bind_parameters(self, params: cst.Parameters, args: list, kwargs: dict, complete: bool, local,
                         defining_env) -> None:
        positional = [*params.posonly_params, *params.params]
        for i, param in enumerate(positional):
            name = param.name.value
            if i < len(args):
                value = args[i]
            elif name in kwargs:
                value = kwargs[name]
            elif param.default is not None and complete:
                value = self.eval(param.default, defining_env)
            else:
                value = UNKNOWN
            # a keyword written at the call is that parameter even when `*args` / `**extra` hide the rest
            local.vars[name] = value if complete or i < len(args) or name in kwargs else UNKNOWN
        for param in params.kwonly_params:
            name = param.name.value
            if name in kwargs:
                local.vars[name] = kwargs[name]
            elif param.default is not None and complete:
                local.vars[name] = self.eval(param.default, defining_env)
            else:
                local.vars[name] = UNKNOWN
        if isinstance(params.star_arg, cst.Param):
            local.vars[params.star_arg.name.value] = UNKNOWN
        if isinstance(params.star_kwarg, cst.Param):  # `**kwargs`: the keywords no parameter took
            named = {p.name.value for p in (*positional, *params.kwonly_params)}
            extra = {key: value for key, value in kwargs.items() if key not in named}
            local.vars[params.star_kwarg.name.value] = Mapping_(extra, None) if complete else UNKNOWN

    def record_return(self, value: object) -> None:
        if self._frames:
            frame = self._frames[-1]
            frame.returns.append((value, self.conditional > frame.conditional))

    def in_branch(self) -> bool:
        """Inside an if/loop/handler of the function being run (not of its caller)."""
        base = self._frames[-1].conditional if self._frames else 0
        return self.conditional > base

    def current_self(self) -> object:
        return self._frames[-1].self_value if self._frames else UNKNOWN

    # ------------------------------------------------------------------ model subclasses

    def instantiate(self, cls: UserClass, args: list, kwargs: dict, complete: bool, node: cst.CSTNode,
                    env=None) -> object:
        base = cls.root_base
        ref = self.ref(node)
        if base is None or base in k.MODULE_BASES:  # a plain class (or a `tf.Module`): attributes may hold models
            instance = Model("object", ref, user_class=cls)
            init = cls.lookup("__init__")
            if init is not None:
                self.call_function(init, args, kwargs, complete, bound_self=instance)
            return instance
        if base in t.TORCH_MODULE_BASES or base in j.FLAX_MODULE_BASES:
            # an nn.Module: calling it runs `forward` (torch/library.py); a Flax module its `__call__` (jax/library.py)
            model = Model("torch" if base in t.TORCH_MODULE_BASES else "flax", ref, user_class=cls,
                          level=self.conditional)
            init = cls.lookup("__init__") or cls.lookup("setup")
            if init is not None:
                self.call_function(init, args if init.node.name.value == "__init__" else [],
                                   kwargs if init.node.name.value == "__init__" else {}, complete, bound_self=model)
            return model
        if base in k.LOSS_BASES or base in k.LOSS_BY_CLASS:
            return CustomLoss(f"{cls.node.name.value}()", ref)
        if base.startswith("keras.layers.") and base not in k.INPUT:
            return self.instantiate_layer(cls, base, node, env, args, kwargs, complete)
        if base not in k.FUNCTIONAL and base not in k.SEQUENTIAL:
            return UNKNOWN
        model = Model("opaque", ref, user_class=cls, level=self.conditional)
        init = cls.lookup("__init__")
        if init is not None:
            self.call_function(init, args, kwargs, complete, bound_self=model)
        elif base in k.FUNCTIONAL and complete and isinstance(node, cst.Call):
            # `CustomModel(inputs, outputs)` of a subclass that only overrides train_step: a functional model
            outputs = kwargs.get("outputs", args[1] if len(args) > 1 else None)
            if isinstance(outputs, (Tensor, Seq, Mapping_)):
                model.kind, model.outputs = "functional", outputs
        elif base in k.SEQUENTIAL and complete and isinstance(node, cst.Call):
            layers = kwargs.get("layers", args[0] if args else Seq([], ref))
            if isinstance(layers, Seq):
                model.kind, model.layers = "sequential", list(layers.items)
        call = cls.lookup("call")
        if model.kind == "opaque" and call is not None:
            output = self.call_function(call, [Tensor(None)], {}, True, bound_self=model)
            if isinstance(output, (Tensor, Seq, Mapping_)):
                model.kind, model.outputs = "functional", output
        return model

    def instantiate_layer(self, cls: UserClass, base: str, node: cst.CSTNode, env, args=(), kwargs=None,
                          complete: bool = True) -> object:
        """`class MyDense(layers.Dense)` that changes neither `__init__` nor `call`: a Dense. A layer
        with its own `call()` keeps the object its `__init__` built: calling the layer runs `call()`
        (`return self.dense_output(x)`, `return inputs`)."""
        if cls.lookup("call") is not None and base == "keras.layers.Layer":
            layer = Layer(cls.node.name.value, None, self.ref(node))
            instance = Model("opaque", self.ref(node), user_class=cls, level=self.conditional)
            init = cls.lookup("__init__")
            if init is not None:
                self.call_function(init, list(args), dict(kwargs or {}), complete, bound_self=instance)
            layer.call_input = Tensor(None)
            layer.call_output = self.call_function(cls.lookup("call"), [layer.call_input], {}, True,
                                                   bound_self=instance)
            units = instance.attrs.get("units")  # a copy of Dense: `self.units = units`, weights built in build()
            if isinstance(units, Const) and type(units.value) is int:
                _adopt_units(layer.call_output, layer, units.value)
            return layer
        if cls.lookup("call") is not None or cls.lookup("__init__") is not None or env is None \
                or not isinstance(node, cst.Call):
            return Layer(cls.node.name.value, None, self.ref(node))
        layer = self.make_layer(base, node, env)
        layer.class_name = cls.node.name.value
        return layer

    def super_init(self, node: cst.Call, env) -> None:
        """`super().__init__(inputs=..., outputs=...)` in a subclass makes it a functional model."""
        model = self.current_self()
        outputs_node = _keyword_or_position(node, "outputs", 1)
        outputs = self.eval(outputs_node, env) if outputs_node is not None else UNKNOWN
        self._eval_args(node, env, skip=(outputs_node,))
        if isinstance(model, Model) and isinstance(outputs, (Tensor, Seq, Mapping_)):
            model.kind, model.outputs = "functional", outputs

    def call_method(self, model: Model, method: str, node: cst.Call, env) -> object:
        """A method of the model's own class (e.g. a helper called from `call`)."""
        function = model.user_class.lookup(method) if model.user_class else None
        if function is None:
            return None
        args, kwargs, complete = self._evaluated_arguments(node, env)
        return self.call_function(function, args, kwargs, complete, bound_self=model)


def _adopt_units(output: object, layer: Layer, units: int) -> None:
    """The hand-written projection (`tf.matmul(inputs, self.w) + self.b`) that a copy of Dense returns,
    under its activation, takes the layer's `units` and is shown as the layer (`MyDense(10)`)."""
    while isinstance(output, Tensor):
        producer = output.producer
        if isinstance(producer, Layer):
            if producer.units is None and producer.spec is not None and not producer.class_name[:1].isupper():
                producer.units, producer.class_name, producer.ref = units, layer.class_name, layer.ref
            return
        output = output.input


def _merged_return(frame: _Frame) -> object:
    if not frame.returns:
        return UNKNOWN
    first = frame.returns[0][0]
    if all(same_value(value, first) for value, _ in frame.returns) and any(not branch for _, branch in frame.returns):
        return first
    return UNKNOWN  # different values on different paths: do not guess


def _keyword_or_position(node: cst.Call, keyword: str, position: int):
    from ..callargs import arg

    return arg(node, keyword, position)


def _class_body(node: cst.ClassDef) -> list:
    body = node.body
    return list(body.body) if isinstance(body, cst.IndentedBlock) else []


def _body(node) -> list:
    body = node.body
    if isinstance(body, cst.IndentedBlock):
        return list(body.body)
    return [cst.SimpleStatementLine(body.body)]

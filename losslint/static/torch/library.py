"""PyTorch as the one interpreter reads it: the meaning of `torch` calls, modules and tensors.

A mixin of `static.engine.interpreter.Interpreter` (the engine). The engine executes the program —
statements, branches, functions called with their arguments, classes and `self`, the project's
own modules — and asks this library what a PyTorch call means:

* `nn.Linear(128, 10)`, `nn.Softmax(dim=1)`, `nn.Sequential(...)`, `ModuleList`, `ModuleDict`
  build `TorchModule` values; a class deriving from `nn.Module` (or a LightningModule) is an engine
  `Model` of kind "torch" whose `forward` runs when it is called;
* torchvision / timm constructors build a `Model` whose output is its classifier head
  (`model.fc = nn.Linear(n, 2)` replaces it);
* `F.softmax(x)`, `x.sigmoid()`, `nn.Softmax()(x)` give an `Output` that remembers the activation;
  `.view()`, `.squeeze()`, `.to(device)` keep it;
* `criterion(out, y)`, `F.cross_entropy(out, y)` are loss sites, recorded as `TorchLossCall`s
  (their input and target as they were in that context); `torch/extract.py` makes facts of them;
* label sources: torchvision datasets, `ImageFolder`, `TensorDataset`, `DataLoader`,
  `torch.randint`, `F.one_hot`, `torch.tensor(y)`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import libcst as cst

from ... import knowledge_torch as t
from ...diagnostics import SourceRef
from ..callargs import arg as _arg, positional as _positional
from ..engine.values import UNKNOWN, Const, Dataset, Labels, Mapping_, Model, Seq
from .values import INPUT, InputTensor, LightningTrainer, LossValue, Output, TorchModule

_TEXT_LIMIT = 48


@dataclass
class TorchLossCall:
    """One evaluation of a PyTorch loss: the loss, its input and target in that context."""

    node: cst.Call
    ref: SourceRef
    loss: LossValue
    input: object
    target: object
    target_text: str


class TorchLibrary:
    """What PyTorch calls mean; the engine consults it (see the module docstring)."""

    def _init_torch(self) -> None:
        self.torch_loss_calls: list[TorchLossCall] = []
        self._home_path = self.path  # loss calls of imported modules' code are not this file's sites

    # ------------------------------------------------------------------ helpers

    def _text(self, node: cst.CSTNode) -> str:
        return " ".join(self.wrapper.module.code_for_node(node).split())

    def _short(self, node: cst.CSTNode, fallback: str) -> str:
        code = self._text(node)
        return code if len(code) <= _TEXT_LIMIT else fallback

    def _first_value(self, node: cst.Call, env) -> object:
        """The first positional argument's value; the other arguments are evaluated for their effects."""
        args = _positional(node)
        first = self.eval(args[0], env) if args else UNKNOWN
        self._eval_args(node, env, skip=tuple(args[:1]))
        return first

    def reads_torch(self) -> bool:
        return "torch" in self.names.index.import_roots

    # ------------------------------------------------------------------ calls of torch names

    def torch_call_symbol(self, symbol: str, node: cst.Call, env) -> object | None:
        """The value of a call to a PyTorch (or torchvision / timm) name; None when it is not one."""
        if symbol in t.TORCH_LOSS_BY_CLASS:
            self._eval_args(node, env)
            keywords = [a.keyword.value for a in node.args if a.keyword is not None]
            shortened = f"{symbol.rsplit('.', 1)[1]}({', '.join(f'{name}=...' for name in keywords)})"
            return LossValue(t.TORCH_LOSS_BY_CLASS[symbol], self._short(node, shortened), self.ref(node),
                             frozenset(keywords))
        if symbol in t.TORCH_LOSS_BY_FUNCTION:
            written = self._text(node.func)
            loss = LossValue(t.TORCH_LOSS_BY_FUNCTION[symbol], written if len(written) <= _TEXT_LIMIT else symbol,
                             self.ref(node))
            self.record_torch_loss(loss, node, env)
            return UNKNOWN
        if symbol in t.TORCH_ACTIVATION_BY_FUNCTION:
            return self.apply_torch_activation(t.TORCH_ACTIVATION_BY_FUNCTION[symbol], self._first_value(node, env),
                                               node)
        if symbol in t.TORCH_MODULES:
            return self.make_torch_module(t.TORCH_MODULES[symbol], node, env)
        if symbol in t.TORCH_SEQUENTIAL:
            return self.make_sequential_module(node, env)
        if symbol in t.TORCH_MODULE_LIST:
            first = self._first_value(node, env)
            members = first.items if isinstance(first, Seq) else None
            if members is None or not all(_is_module(m) for m in members):
                return UNKNOWN
            return TorchModule("list", self.ref(node), items=tuple(members))
        if symbol in t.TORCH_MODULE_DICT:
            return self.make_module_dict(node, env)
        if symbol in t.TORCH_RESHAPING_FUNCTIONS:
            return _reshaped(self._first_value(node, env))
        if symbol in t.TORCH_WRAPPERS:  # `nn.DataParallel(model)`, `torch.compile(model)`: the module itself
            return self._first_value(node, env)
        if symbol in t.TORCH_PARALLEL_APPLY:  # `nn.parallel.data_parallel(self.main, x, ...)`: the module applied
            args = _positional(node)
            values = [self.eval(a, env) for a in args[:2]]
            self._eval_args(node, env, skip=tuple(args[:2]))
            if len(values) == 2 and _is_module(values[0]):
                return self.apply_torch_module(values[0], values[1], node) if isinstance(values[0], TorchModule) \
                    else self.torch_forward(values[0], None, None, values[1])
            return UNKNOWN
        if symbol in t.TORCH_DATA_LOADERS:
            first = self._first_value(node, env)
            return Dataset(first.labels, self.ref(node)) if isinstance(first, Dataset) else UNKNOWN
        if symbol in t.TORCH_TENSOR_DATASETS:
            values = [self.eval(a, env) for a in _positional(node)]
            self._eval_args(node, env, skip=tuple(_positional(node)))
            labels = values[-1] if len(values) == 2 and isinstance(values[-1], Labels) else UNKNOWN
            return Dataset(labels, self.ref(node))
        if symbol in t.TORCH_DATASETS:
            self._eval_args(node, env)
            spec = t.TORCH_DATASETS[symbol]
            return Dataset(Labels("index", self.ref(node), spec.num_classes, 0, spec.num_classes - 1, "int"),
                           self.ref(node))
        if symbol in t.TORCH_FOLDER_DATASETS:  # class ids 0..C-1; C is the number of folders (data)
            self._eval_args(node, env)
            return Dataset(Labels("index", self.ref(node), None, 0, None, "int"), self.ref(node))
        if symbol in t.TORCH_TENSOR_FACTORIES:  # `torch.tensor(y)`, `torch.from_numpy(y)`: the same labels
            first = self._first_value(node, env)
            if not isinstance(first, (Labels, Seq)):
                return UNKNOWN
            return self.literal_labels(first, node, env, t.TORCH_TENSOR_FACTORIES[symbol])
        if symbol in t.TORCH_RANDINT:
            return self.torch_randint(node, env)
        if symbol in t.TORCH_ONE_HOT:
            first = self._first_value(node, env)
            classes = _arg(node, "num_classes", 1)
            count = self.eval(classes, env) if classes is not None else None
            if isinstance(first, Labels) and isinstance(count, Const) and isinstance(count.value, int) \
                    and count.value > 0:
                return Labels("one-hot", self.ref(node), count.value, 0, 1, "int")
            return UNKNOWN
        if symbol == t.LIGHTNING_TRAINER:
            self._eval_args(node, env)
            return LightningTrainer(self.ref(node))
        model = t.library_model(symbol)
        if model is not None:
            return self.make_library_model(model, symbol, node, env)
        return None

    def torch_randint(self, node: cst.Call, env) -> object:
        values = [self.eval(a, env) for a in _positional(node)]
        keywords = self.keyword_values(node, env)
        ints = [v.value for v in values if isinstance(v, Const) and isinstance(v.value, int)]
        if "low" in keywords or "high" in keywords:
            low, high = keywords.get("low", Const(0, None)), keywords.get("high")
            bounds = (low.value, high.value) if isinstance(low, Const) and isinstance(high, Const) else None
        elif len(values) >= 3 and len(ints) >= 2 and isinstance(values[0], Const) and isinstance(values[1], Const):
            bounds = (values[0].value, values[1].value)
        elif len(values) == 2 and isinstance(values[0], Const) and isinstance(values[0].value, int):
            bounds = (0, values[0].value)
        else:
            bounds = None
        if bounds is None or not all(isinstance(b, int) and not isinstance(b, bool) for b in bounds) \
                or bounds[1] <= bounds[0]:
            return UNKNOWN
        return Labels("index", self.ref(node), None, bounds[0], bounds[1] - 1, "int")

    # ------------------------------------------------------------------ methods of torch values

    def torch_method(self, base: object, method: str, node: cst.Call, env) -> object | None:
        """`x.softmax(1)`, `out.view(-1)`, `criterion.to(device)`, `y.long()`; None: not ours."""
        if isinstance(base, LightningTrainer):
            first = self._first_value(node, env)
            if method == "fit" and isinstance(first, Model) and first.kind == "torch":
                self.run_lightning_steps(first)
            return UNKNOWN
        if isinstance(base, (TorchModule, LossValue)):
            self._eval_args(node, env)
            return base if method in t.MODULE_SELF_METHODS else UNKNOWN
        if isinstance(base, Model) and base.kind == "torch":
            if method in t.MODULE_SELF_METHODS and (base.user_class is None or base.user_class.lookup(method) is None):
                self._eval_args(node, env)
                return base
            if method == "forward":
                return self.torch_forward(base, node, env)
            return None
        activation = t.TENSOR_METHOD_ACTIVATIONS.get(method)
        if activation is not None and (isinstance(base, (Output, InputTensor)) or base is UNKNOWN and self.reads_torch()):
            self._eval_args(node, env)
            return self.apply_torch_activation(activation, base, node)
        if isinstance(base, Labels) and method in t.TENSOR_DTYPE_METHODS:
            self._eval_args(node, env)
            return replace(base, dtype=t.TENSOR_DTYPE_METHODS[method])
        if isinstance(base, Labels) and (method in t.TENSOR_PRESERVING_METHODS or method in t.TENSOR_RESHAPING_METHODS):
            self._eval_args(node, env)
            return base
        if isinstance(base, Output):
            self._eval_args(node, env)
            if method in t.TENSOR_PRESERVING_METHODS:
                return base
            return _reshaped(base) if method in t.TENSOR_RESHAPING_METHODS else UNKNOWN
        if isinstance(base, InputTensor):
            self._eval_args(node, env)
            return INPUT if method in t.TENSOR_PRESERVING_METHODS | t.TENSOR_RESHAPING_METHODS else UNKNOWN
        return None

    def torch_call_value(self, callee: object, node: cst.Call, env) -> object | None:
        """Calling a torch value: a module applied to a tensor, a loss, a model's forward."""
        if isinstance(callee, TorchModule):
            return self.apply_torch_module(callee, self._first_value(node, env), node)
        if isinstance(callee, LossValue):
            self.record_torch_loss(callee, node, env)
            return UNKNOWN
        if isinstance(callee, Model) and callee.kind == "torch":
            return self.torch_forward(callee, node, env)
        return None

    def torch_subscript(self, base: object, key: object) -> object | None:
        """`self.layers[-1]`, `self.heads["cls"]`; None when `base` is not a torch container."""
        if not isinstance(base, TorchModule):
            return None
        if base.kind == "dict" and isinstance(key, Const):
            return next((member for name, member in base.items if name == key.value), UNKNOWN)
        if base.kind in ("list", "sequential") and isinstance(key, Const) and isinstance(key.value, int) \
                and not isinstance(key.value, bool) and -len(base.items) <= key.value < len(base.items):
            return base.items[key.value]
        return UNKNOWN

    def torch_indexed(self, base: object, node: cst.Subscript, env) -> object | None:
        """`logits[mask]`, `out[idx]` select rows: the output stays what it is; `out[:, -1, :]` keeps
        the class axis; any other index keeps the activation, not the class-axis size. None: not an output."""
        if not isinstance(base, Output):
            return None
        for element in node.slice:
            if isinstance(element.slice, cst.Index):
                self.eval(element.slice.value, env)
        last = node.slice[-1].slice
        keeps_classes = len(node.slice) == 1 or (isinstance(last, cst.Slice) and last.lower is None
                                                  and last.upper is None and last.step is None)
        return base if keeps_classes else _reshaped(base)

    def torch_members(self, value: object) -> list | None:
        """What `for layer in self.layers:` visits: the members of a ModuleList / Sequential."""
        if isinstance(value, TorchModule) and value.kind in ("list", "sequential"):
            return list(value.items)
        return None

    def torch_replace_member(self, container: object, key: object, member: object) -> object | None:
        """`model.classifier[6] = nn.Linear(4096, 2)`: the container with that member replaced."""
        if not isinstance(container, TorchModule) or container.kind not in ("list", "sequential") \
                or not isinstance(key, Const) or not isinstance(key.value, int) or isinstance(key.value, bool) \
                or not -len(container.items) <= key.value < len(container.items):
            return None
        items = list(container.items)
        items[key.value] = member if _is_module(member) else UNKNOWN
        return replace(container, items=tuple(items))

    # ------------------------------------------------------------------ modules

    def make_torch_module(self, spec: t.TorchModuleSpec, node: cst.Call, env) -> TorchModule:
        units_node = _arg(node, *spec.units_arg) if spec.units_arg else None
        units = self.eval(units_node, env) if units_node is not None else None
        self._eval_args(node, env, skip=(units_node,))
        ref = self.ref(node)
        text = self._short(node, spec.symbol.rsplit(".", 1)[1] + "(...)")
        if spec.role is t.TorchModuleRole.PROJECTION:
            count = units.value if isinstance(units, Const) and isinstance(units.value, int) \
                and not isinstance(units.value, bool) else None
            return TorchModule("projection", ref, text, units=count)
        if spec.role is t.TorchModuleRole.ACTIVATION:
            return TorchModule("activation", ref, text, activation=t.TORCH_ACTIVATION_BY_MODULE[spec.symbol])
        return TorchModule(spec.role.value, ref, text)

    def make_sequential_module(self, node: cst.Call, env) -> object:
        args = node.args
        if any(a.keyword is not None for a in args):
            self._eval_args(node, env)
            return UNKNOWN
        if len(args) == 1 and args[0].star == "*":  # `nn.Sequential(*layers)` of a list we followed
            layers = self.eval(args[0].value, env)
            members = list(layers.items) if isinstance(layers, Seq) else None
        elif any(a.star for a in args):
            self._eval_args(node, env)
            return UNKNOWN
        else:
            members = [self.eval(a.value, env) for a in args]
            if len(members) == 1 and not _is_module(members[0]):  # `nn.Sequential(OrderedDict([("fc", ...)]))`
                members = _named_members(members[0])
        if members is None:
            return UNKNOWN
        return TorchModule("sequential", self.ref(node),
                           items=tuple(m if _is_module(m) else UNKNOWN for m in members))

    def make_module_dict(self, node: cst.Call, env) -> object:
        first = self._first_value(node, env)
        if not isinstance(first, Mapping_) or not first.items:
            return UNKNOWN
        return TorchModule("dict", self.ref(node), items=tuple(first.items.items()))

    def make_library_model(self, spec: t.LibraryModelSpec, symbol: str, node: cst.Call, env) -> Model:
        """`torchvision.models.resnet18(weights=...)`, `timm.create_model(name, num_classes=N)`: a
        model whose output is its classifier head, a linear layer of `num_classes` units."""
        values = self.keyword_values(node, env)
        ref = self.ref(node)
        classes = values.get("num_classes", Const(spec.default_classes, ref) if spec.default_classes else UNKNOWN)
        units = classes.value if isinstance(classes, Const) and isinstance(classes.value, int) \
            and not isinstance(classes.value, bool) else None
        name = symbol.rsplit(".", 1)[1]
        head = TorchModule("projection", ref, f"{name}(...)", units=units)
        if spec.head_index is not None:  # vgg: `classifier` is a Sequential whose member 6 is the Linear
            head = TorchModule("sequential", ref, items=(*(UNKNOWN,) * spec.head_index, head))
        return Model("torch", ref, attrs={spec.head: head}, forward_attr=spec.head)

    def apply_torch_module(self, module: TorchModule, tensor: object, node: cst.Call | None) -> object:
        kind = module.kind
        if kind == "projection":
            return Output("linear", module.units, module.text, module.ref, module.ref)
        if kind == "activation":
            return self.apply_torch_activation(module.activation, tensor, None, module.ref, node)
        if kind == "transparent":
            return tensor
        if kind == "normalization":
            return replace(tensor, activation="linear") if isinstance(tensor, Output) else UNKNOWN
        if kind == "sequential":
            for member in module.items:
                if isinstance(member, TorchModule):
                    tensor = self.apply_torch_module(member, tensor, None)
                elif isinstance(member, Model) and member.kind == "torch":
                    tensor = self.torch_forward(member, None, None, tensor)
                else:
                    tensor = UNKNOWN
            return tensor
        return UNKNOWN

    def torch_forward(self, model: Model, node: cst.Call | None, env, tensor: object = INPUT) -> object:
        """What calling an `nn.Module` gives: its class's `forward` run with the call's arguments
        (or on `tensor` inside a Sequential), or a library model's head applied."""
        if model.forward_attr is not None:
            if node is not None:
                self._eval_args(node, env)
            head = model.attrs.get(model.forward_attr, UNKNOWN)
            result = self.apply_torch_module(head, UNKNOWN, None) if isinstance(head, TorchModule) else \
                self.torch_forward(head, None, None) if isinstance(head, Model) and head.kind == "torch" else UNKNOWN
        else:
            forward = model.user_class.lookup("forward") if model.user_class is not None else None
            if forward is None:
                if node is not None:
                    self._eval_args(node, env)
                return UNKNOWN
            if node is not None:
                args, kwargs, complete = self._evaluated_arguments(node, env)
            else:
                args, kwargs, complete = [tensor], {}, True
            result = self.call_function(forward, args, kwargs, complete, bound_self=model)
        if isinstance(result, Output) and result.model_name is None and model.var_name:
            result = replace(result, model_name=model.var_name)
        return result

    def apply_torch_activation(self, activation: str, tensor: object, node: cst.Call | None,
                               module_ref: SourceRef | None = None, call: cst.Call | None = None) -> object:
        where = node if node is not None else call
        activation_ref = self.ref(where) if where is not None else module_ref
        if isinstance(tensor, Output):
            return replace(tensor, activation=activation, activation_ref=activation_ref)
        if tensor is UNKNOWN or isinstance(tensor, InputTensor):
            if where is None and module_ref is None:
                return UNKNOWN
            text = self._short(where, activation) if where is not None else activation
            return Output(activation, None, text, activation_ref, activation_ref)
        return UNKNOWN

    def run_lightning_steps(self, module: Model) -> None:
        """`trainer.fit(model)`: Lightning calls `training_step(batch, batch_idx)` (and the
        validation step) on this module, as built; the batch is what the loaders give (unknown)."""
        for step in t.LIGHTNING_STEPS:
            function = module.user_class.lookup(step) if module.user_class is not None else None
            if function is not None:
                self.call_function(function, [UNKNOWN, UNKNOWN], {}, True, bound_self=module)

    # ------------------------------------------------------------------ loss calls

    def record_torch_loss(self, loss: LossValue, node: cst.Call, env) -> None:
        input_node, target_node = _arg(node, "input", 0), _arg(node, "target", 1)
        value = self.eval(input_node, env) if input_node is not None else UNKNOWN
        target = self.eval(target_node, env) if target_node is not None else UNKNOWN
        self._eval_args(node, env, skip=(input_node, target_node))
        if input_node is None or self.path != self._home_path:
            return
        text = self._text(target_node) if target_node is not None else "labels"
        self.torch_loss_calls.append(TorchLossCall(node, self.ref(node), loss, value, target,
                                                   text if len(text) <= 40 else "labels"))


def _named_members(value: object) -> list | None:
    """The modules of `OrderedDict([("fc1", nn.Linear(..)), ...])`, in order; None when not that."""
    return list(value.items.values()) if isinstance(value, Mapping_) and value.items else None


def _is_module(value: object) -> bool:
    return isinstance(value, TorchModule) or (isinstance(value, Model) and value.kind == "torch")


def _reshaped(value: object) -> object:
    """`.view(-1)`, `.squeeze(1)`: the activation stays, the class-axis size is no longer known."""
    return replace(value, units=None) if isinstance(value, Output) else value if value is INPUT else UNKNOWN

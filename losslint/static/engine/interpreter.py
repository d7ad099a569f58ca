"""A small abstract interpreter over a libcst module.

It executes the statements of a file in order, tracking only what matters for Keras models:
layers, symbolic tensors, models (and their `add`s), losses, metrics and literals. Every
`model.compile(...)` it meets is recorded with a snapshot of what the model outputs at that
point. Anything it cannot prove becomes `UNKNOWN`; control flow it cannot decide makes the
affected names unknown rather than guessing a branch.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import libcst as cst

from ... import knowledge as k
from ... import knowledge_hf as h
from ... import knowledge_jax as j
from ... import knowledge_torch as t
from ...diagnostics import SourceRef
from ..callargs import dotted, positional as _positional, string_value
from .env import MISSING as _MISSING, Env
from ..keras.labels import LabelSemantics
from ..keras.loss_calls import LossCalls, short_text
from ..names import NameResolver, descendants
from ..node_positions import NodePositions, contains, same_file
from ..hf.library import HfLibrary
from ..jax.library import JaxLibrary
from ..torch.library import TorchLibrary
from ..keras.library import CompileCall, KerasLibrary, bias_added as _bias_added
from .usercode import UserCode
from .values import (
    UNKNOWN, CommandLine, Const, CustomLoss, FromData, Function, Labels, Layer, Loss, Mapping_, Model, OptionDefault,
    Partial, Placeholder, Range, Seq, Slice, Symbol, Tensor, UserClass, int_value, model_outputs, same_value,
)

_MAX_UNROLL = 32
# attributes that are numbers only the data decides: `y.shape[1]`, `info.features["label"].num_classes`
_DATA_ATTRIBUTES = frozenset({"shape", "num_classes", "n_classes", "size", "vocabulary_size"})
_DATA_METHODS = frozenset({"nunique", "vocabulary_size", "__len__"})
_PARTIAL = frozenset({"functools.partial"})


@dataclass
class Interpreter(UserCode, LabelSemantics, LossCalls, KerasLibrary, TorchLibrary, HfLibrary, JaxLibrary):
    wrapper: cst.MetadataWrapper
    path: str
    compiles: list[CompileCall] = field(default_factory=list)
    project: object = None  # a `project.ProjectContext`: names imported from the project's own modules

    def __post_init__(self) -> None:
        self.names = NameResolver(self.wrapper)
        self.positions = NodePositions(self.wrapper, self.path)  # positioned only when read
        self.conditional = 0  # > 0 while executing a branch that may not run
        # a pasted snippet without any import: Keras-looking names are read as Keras (confidence inferred)
        self.no_imports = not any(isinstance(small, (cst.Import, cst.ImportFrom))
                                  for statement in self.wrapper.module.body
                                  if isinstance(statement, cst.SimpleStatementLine) for small in statement.body)
        self.guessed = False
        self._ref_alias: dict = {}
        self._saved_models: dict = {}  # literal path -> the model `model.save(path)` wrote there (None: unsure)
        self._loop_exits: dict[cst.For, bool] = {}  # a loop -> its body breaks out (see `unroll`)
        self._deferred: list[tuple[cst.FunctionDef, Env]] = []
        self._init_user_code()
        self._init_loss_calls()
        self._init_torch()
        self._init_hf()
        self._init_jax()

    # ------------------------------------------------------------------ positions

    def ref(self, node: cst.CSTNode) -> SourceRef:
        if self._ref_alias:
            node = self._ref_alias.get(node, node)  # a call merged from a functools.partial: the call written
        if self.project is not None and not self.positions.holds(node):
            return self.project.ref_elsewhere(node)  # a node of an imported module
        return self.positions.ref(node)

    @staticmethod
    def inside(inner: SourceRef, outer: SourceRef) -> bool:
        # from the tree when it can: positions only for what is reported
        return same_file(inner, outer) and contains(outer, inner)

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
        kind = type(statement)  # see `eval`
        if kind is cst.SimpleStatementLine:
            for small in statement.body:
                self.exec_small(small, env)
        elif kind is cst.FunctionDef:
            self.define_function(statement, env)
        elif kind is cst.ClassDef:
            self.define_class(statement, env)
        elif kind is cst.If:
            test = Const(True, None) if _is_main_guard(statement.test) else self.eval(statement.test, env)
            if isinstance(test, Const) and isinstance(test.value, (bool, int, str, type(None))):
                # `if NUM_CLASSES == 2:` with literal constants: only the branch that runs
                chosen = _body(statement) if test.value else _else_body(statement.orelse)
                if chosen:
                    self.exec_block(chosen, env)
                other = _else_body(statement.orelse) if test.value else _body(statement)
                if other and _is_flag(statement.test) and _only_fits(other):
                    # `if TRAIN:` with `TRAIN = False`: the labels its fit would train on still say
                    # something about the compiled model; nothing else of the branch is kept
                    before, self._disabled_branch = dict(env.vars), True
                    try:
                        self.exec_branches(env, other, None)
                    finally:
                        env.vars, self._disabled_branch = before, False
            else:
                self.exec_branches(env, _body(statement), _else_body(statement.orelse))
        elif kind is cst.For and self.unroll(statement, env):
            pass
        elif kind is cst.For or kind is cst.While:
            if kind is cst.For:
                self.bind(statement.target, self.iteration_value(statement.iter, env), env)
            self.exec_branches(env, _body(statement), _else_body(statement.orelse), may_skip_both=True)
        elif kind is cst.With:
            for item in statement.items:
                if item.asname is not None:
                    self.bind(item.asname.name, UNKNOWN, env)
            self.exec_block(_body(statement), env)
        elif kind is cst.Try or kind is cst.TryStar:
            self.exec_block(_body(statement), env)
            for handler in statement.handlers:
                self.exec_branches(env, _body(handler), None)
            if statement.orelse is not None:
                self.exec_block(_body(statement.orelse), env)
            if statement.finalbody is not None:
                self.exec_block(_body(statement.finalbody), env)
        elif kind is cst.Match:
            for case in statement.cases:
                self.exec_branches(env, _body(case), None)

    def unroll(self, statement: cst.For, env: Env) -> bool:
        """`for units in [64, 32]:` / `for loss in ["mse", "mae"]:` over a short literal list (or
        `range` of a literal) runs once per item, in order; False when the loop is not one of these."""
        exits = self._loop_exits.get(statement)
        if exits is None:  # a loop in a function is run once per call: walked once
            exits = self._loop_exits[statement] = _breaks_out(statement.body)
        if statement.orelse is not None or exits:
            return False
        values = self.iterated_items(statement.iter, env)
        if values is None:
            return False
        for value in values:
            self.bind(statement.target, value, env)
            self.exec_block(_body(statement), env)
        return True

    def iterated_items(self, iterable: cst.BaseExpression, env: Env) -> list | None:
        """The items a loop over a short literal list (or `range` of a literal) visits, in order; a
        progress bar (`tqdm(models)`) visits what it wraps. None when they are not known."""
        if isinstance(iterable, cst.Call) and len(iterable.args) >= 1 and iterable.args[0].keyword is None \
                and not iterable.args[0].star and self.names.symbol(iterable.func) in k.PROGRESS_BARS:
            for arg in iterable.args[1:]:
                self.eval(arg.value, env)
            iterable = iterable.args[0].value
        items = self.eval(iterable, env)
        if isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Attribute) and not iterable.args:
            # `for name, loss in losses.items():` over a dict literal: its pairs, in order
            mapping = self.eval(iterable.func.value, env)
            method = iterable.func.attr.value
            if isinstance(mapping, Mapping_) and method in ("items", "values", "keys"):
                items = Seq([Seq([Const(key, None), value], None) if method == "items" else
                             value if method == "values" else Const(key, None)
                             for key, value in mapping.items.items()], None)
        if isinstance(items, Seq) and len(items.items) <= _MAX_UNROLL:
            return list(items.items)
        if isinstance(items, Range) and len(items.values) <= _MAX_UNROLL:
            return [Const(v, items.ref) for v in items.values]
        members = self.torch_members(items)  # `for layer in self.layers:` over a ModuleList
        if members is not None and len(members) <= _MAX_UNROLL:
            return members
        return None

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
            merged[name] = a if same_value(a, b) else UNKNOWN
        env.vars = merged

    def exec_small(self, small: cst.CSTNode, env: Env) -> None:
        kind = type(small)  # see `eval`
        if kind is cst.Assign:
            value = self.eval(small.value, env)
            for target in small.targets:
                self.bind(target.target, value, env)
        elif kind is cst.AnnAssign and small.value is not None:
            self.bind(small.target, self.eval(small.value, env), env)
        elif kind is cst.AugAssign:
            value = self.eval(small.value, env)
            operator = _AUGMENTED.get(type(small.operator))
            current = self.eval(small.target, env) if operator is not None else UNKNOWN
            folded = _fold(current, operator, value, self.ref(small)) if operator is not None else None
            self.bind(small.target, UNKNOWN if folded is None else folded, env)
        elif kind is cst.Expr:
            self.eval(small.value, env)
        elif kind is cst.Return:
            self.record_return(self.eval(small.value, env) if small.value is not None else UNKNOWN)

    def bind(self, target: cst.CSTNode, value: object, env: Env) -> None:
        kind = type(target)  # see `eval`
        if kind is cst.Name:
            if isinstance(value, Model) and value.var_name is None:
                value.var_name = target.value
            env.vars[target.value] = value
        elif kind is cst.Tuple or kind is cst.List:
            items = value.items if isinstance(value, Seq) and len(value.items) == len(target.elements) else None
            for i, element in enumerate(target.elements):
                self.bind(element.value, items[i] if items else UNKNOWN, env)
        elif kind is cst.Attribute:  # `self.head = Dense(...)` on a model
            base = self.eval(target.value, env)
            if isinstance(base, Model):
                # set in a branch: which layer it holds afterwards is not known
                base.attrs[target.attr.value] = UNKNOWN if self.in_branch() else value
                if base.forward_attr == t.UNNAMED_HEAD and target.attr.value in t.HEAD_ATTRIBUTES:
                    base.forward_attr = None  # a timm model's new head: which attribute it reads is not known
        elif kind is cst.Subscript and type(target.value) is cst.Attribute:  # `model.classifier[6] = nn.Linear(..)`
            owner = self.eval(target.value.value, env)
            if isinstance(owner, Model) and len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
                name = target.value.attr.value
                key = self.eval(target.slice[0].slice.value, env)
                replaced = self.torch_replace_member(owner.attrs.get(name), key, value)
                if replaced is not None:
                    owner.attrs[name] = UNKNOWN if self.in_branch() else replaced
        elif kind is cst.Subscript and type(target.value) is cst.Name:
            current = env.lookup(target.value.value)
            if isinstance(current, Labels):  # `y[y == 10] = 0` changes the labels in place: forget them
                env.vars[target.value.value] = UNKNOWN
            elif isinstance(current, (Mapping_, Seq)):  # `losses["head"] = "mse"`
                key = self.eval(target.slice[0].slice.value, env) \
                    if len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index) else UNKNOWN
                if isinstance(current, Mapping_) and isinstance(key, Const) and isinstance(key.value, str) \
                        and not self.in_branch():
                    current.items[key.value] = value
                elif isinstance(current, Seq) and int_value(key) is not None and not self.in_branch() \
                        and -len(current.items) <= int_value(key) < len(current.items):
                    current.items[int_value(key)] = value
                else:
                    self._forget(target.value.value, env)
            else:
                changed = self.label_item_assignment(current, target, value, env)
                if changed is not None:
                    env.vars[target.value.value] = UNKNOWN if self.in_branch() else changed

    # ------------------------------------------------------------------ expressions

    def eval(self, node: cst.CSTNode, env: Env) -> object:
        # `type(node) is`: libcst's node classes are ABCs, and an isinstance() that fails costs a
        # Python-level ABCMeta call (eval is the interpreter's hottest function)
        kind = type(node)
        if kind is cst.Name:
            if node.value in ("True", "False", "None"):
                return Const({"True": True, "False": False, "None": None}[node.value], self.ref(node))
            local = env.lookup(node.value)
            if local is not _MISSING:
                return local
            return self._symbol(node, env)
        if kind is cst.Attribute:
            symbol = self._symbol(node, env)
            if symbol is not UNKNOWN:
                return symbol
            return self._attribute(self.eval(node.value, env), node.attr.value)
        if kind is cst.Call:
            return self.eval_call(node, env)
        if kind is cst.SimpleString or kind is cst.ConcatenatedString:
            value = string_value(node)
            return Const(value, self.ref(node)) if isinstance(value, str) else UNKNOWN
        if kind is cst.Integer:  # what `evaluated_value` gives, without its literal_eval (a compile())
            return Const(int(node.value.replace("_", ""), 0), self.ref(node))
        if kind is cst.Float:
            return Const(float(node.value.replace("_", "")), self.ref(node))
        if kind is cst.UnaryOperation and type(node.operator) is cst.Minus:
            inner = self.eval(node.expression, env)
            if isinstance(inner, Const) and isinstance(inner.value, (int, float)):
                return Const(-inner.value, self.ref(node))
            return UNKNOWN
        if kind is cst.UnaryOperation and type(node.operator) is cst.Not:
            inner = self.eval(node.expression, env)
            return Const(not inner.value, self.ref(node)) if isinstance(inner, Const) else UNKNOWN
        if kind is cst.Comparison:
            return self._compare(node, env)
        if kind is cst.BooleanOperation:
            left, right = self.eval(node.left, env), self.eval(node.right, env)
            if isinstance(left, Const) and isinstance(right, Const):
                if isinstance(node.operator, cst.And):
                    return right if left.value else left
                return left if left.value else right
            return UNKNOWN
        if kind is cst.IfExp:  # `1 if n == 2 else n`
            test = self.eval(node.test, env)
            if isinstance(test, Const):
                return self.eval(node.body if test.value else node.orelse, env)
            body, orelse = self.eval(node.body, env), self.eval(node.orelse, env)
            return body if body is orelse else UNKNOWN
        if kind is cst.Lambda:  # as a loss: one the user wrote
            return CustomLoss("lambda", self.ref(node))
        if kind is cst.List or kind is cst.Tuple:
            if any(type(e) is cst.StarredElement for e in node.elements):
                return UNKNOWN
            return Seq([self.eval(e.value, env) for e in node.elements], self.ref(node))
        if kind is cst.Dict:
            items = {}
            for element in node.elements:
                if type(element) is not cst.DictElement:
                    return UNKNOWN
                key = self.eval(element.key, env)
                if isinstance(key, Placeholder):  # a feed dict: `{labels: batch_y}`
                    key.fed.append((self.eval(element.value, env), short_text(self, element.value)))
                    items = None
                elif items is None or not isinstance(key, Const) or not isinstance(key.value, (str, int)) \
                        or isinstance(key.value, bool):  # string keys; int keys: `id2label={0: "neg", ...}`
                    items = None
                    self.eval(element.value, env)
                else:
                    items[key.value] = self.eval(element.value, env)
            return Mapping_(items, self.ref(node)) if items is not None else UNKNOWN
        if kind is cst.Subscript:
            return self._subscript(node, env)
        if kind is cst.ListComp:
            return self.list_comprehension(node, env)
        if kind is cst.BinaryOperation:
            left, right = self.eval(node.left, env), self.eval(node.right, env)
            folded = _fold(left, node.operator, right, self.ref(node))
            if folded is not None:
                return folded
            biased = _bias_added(left, right) if type(node.operator) is cst.Add else None
            if biased is not None:  # `tf.matmul(h, W) + b`
                return biased
            return self.label_binary(left, node.operator, right, self.ref(node))
        return UNKNOWN

    def list_comprehension(self, node: cst.ListComp, env: Env) -> object:
        """`[create_model() for _ in range(3)]`, `[train(m) for m in models]` over a short literal
        iterable: one element per item, as an unrolled loop (in the comprehension's own scope).
        Any other comprehension is not followed."""
        loop = node.for_in
        if loop.inner_for_in is not None or loop.ifs or loop.asynchronous is not None:
            return UNKNOWN
        values = self.iterated_items(loop.iter, env)
        if values is None:
            return UNKNOWN
        scope = Env(env)
        elements = []
        for value in values:
            self.bind(loop.target, value, scope)
            elements.append(self.eval(node.elt, scope))
        return Seq(elements, self.ref(node))

    def _compare(self, node: cst.Comparison, env: Env) -> object:
        left = self.eval(node.left, env)
        result = True
        for target in node.comparisons:
            right = self.eval(target.comparator, env)
            if len(node.comparisons) == 1:  # `(np.arange(C) == y[:, None])`: one-hot labels
                labels = self.label_compare(left, target.operator, right, self.ref(node))
                if labels is not None:
                    return labels
            outcome = _membership(left, target.operator, right)
            if outcome is None:
                outcome = _compare_consts(left, target.operator, right)
            if outcome is None:
                return UNKNOWN
            result = result and outcome
            left = right
        return Const(result, self.ref(node))

    def _symbol(self, node: cst.CSTNode, env: Env | None = None) -> object:
        name = self.names.symbol(node)
        if name is None and self.no_imports and env is not None:
            name = self._guess_symbol(node, env)
        if not name and self.project is not None and type(node) is cst.Name and self.names.index.star_modules:
            return self._star_imported(node)
        if not name:
            return UNKNOWN
        if self.project is not None:  # `from models import build_model`: the project module's value
            value = self.project.value_of(name, self)
            if value is not None:
                return value
        return Symbol(name, self.ref(node))

    def _star_imported(self, node: cst.Name) -> object:
        """`from models import *` then `ResNet18()`: the name in the project module it comes from
        (the last star import that has it, as Python binds them)."""
        for module in reversed(self.names.index.star_modules):
            value = self.project.value_of(f"{module}.{node.value}", self)
            if value is not None and value is not UNKNOWN:
                return value
        return UNKNOWN

    def module_of(self, function: object):
        """Context in which `function`'s body runs: the positions and names of its own module."""
        return self.project.running(self, function) if self.project is not None else contextlib.nullcontext()

    def _guess_symbol(self, node: cst.CSTNode, env: Env) -> str | None:
        """`Dense`, `layers.Dense`, `tf.keras.layers.Dense` in a file that imports nothing."""
        root = node
        while isinstance(root, cst.Attribute):
            root = root.value
        if not isinstance(root, cst.Name) or env.lookup(root.value) is not _MISSING:
            return None
        if isinstance(node, cst.Attribute) and root.value not in _GUESSABLE_ROOTS:
            return None
        guess = k.guess_symbol(dotted(node))
        if guess is not None:
            self.guessed = True
        return guess

    def _attribute(self, base: object, attr: str) -> object:
        if isinstance(base, Symbol):  # `mnist = tf.keras.datasets.mnist` ... `mnist.load_data`
            return Symbol(f"{base.name}.{attr}", base.ref)
        if isinstance(base, CommandLine) and base.parsed:  # `args.arch`: its declared default
            return base.defaults.get(attr, UNKNOWN)
        labels = self.label_attribute(base, attr)
        if labels is not None:
            return labels
        library = self.hf_attribute(base, attr) or self.jax_attribute(base, attr)  # `outputs.logits`
        if library is not None:
            return library
        if isinstance(base, UserClass):  # `Config.NUM_CLASSES`
            found = base.attribute(attr)
            return found if found is not None else UNKNOWN
        if isinstance(base, Model):
            if attr in base.attrs:
                return base.attrs[attr]
            if base.user_class is not None and base.user_class.attribute(attr) is not None:
                return base.user_class.attribute(attr)
            outputs = model_outputs(base)
            if attr == "output" and outputs and len(outputs) == 1:
                return outputs[0]
            if attr == "outputs" and outputs:
                return Seq(list(outputs), base.ref)
            return UNKNOWN
        if attr in _DATA_ATTRIBUTES and not isinstance(base, (Seq, Mapping_, Const)):
            return FromData(None)
        return UNKNOWN

    def _subscript(self, node: cst.Subscript, env: Env) -> object:
        base = self.eval(node.value, env)
        if isinstance(base, Tensor):  # `logits[:, -1, :]`, `probs[..., 0]`
            return Tensor(Slice(_keeps_last_axis(node), self.ref(node)), base)
        if isinstance(base, FromData):  # `y.shape[1]`
            return base
        indexed = self.torch_indexed(base, node, env)  # `logits[mask]`, `out[:, 0]`
        if indexed is not None:
            return indexed
        labels = self.label_subscript(base, node, env)
        if labels is not None:
            return labels
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return UNKNOWN
        key = self.eval(node.slice[0].slice.value, env)
        member = self.torch_subscript(base, key)  # `self.layers[-1]`
        if member is None:
            member = self.hf_subscript(base, key)  # `outputs["logits"]`, `dataset["train"]`
        if member is not None:
            return member
        if not isinstance(key, Const):
            return UNKNOWN
        if isinstance(base, Seq) and isinstance(key.value, int) and -len(base.items) <= key.value < len(base.items):
            return base.items[key.value]
        if isinstance(base, Mapping_) and isinstance(key.value, str):
            item = base.items.get(key.value, UNKNOWN)
            if isinstance(key, OptionDefault) and type(item) is Const:  # `LOSSES[args.loss]`: as read here
                return Const(item.value, self.ref(node))
            return item
        return UNKNOWN

    # ------------------------------------------------------------------ calls

    def eval_call(self, node: cst.Call, env: Env) -> object:
        func = node.func
        kind = type(func)  # see `eval`
        if kind is cst.Name and func.value in _BUILTINS and env.lookup(func.value) is _MISSING:
            return self.call_builtin(func.value, node, env)
        if kind is cst.Name and func.value == "dict" and env.lookup("dict") is _MISSING:
            return self.call_dict(node, env)
        if kind is cst.Attribute:
            symbol = self._symbol(func, env)
            if isinstance(symbol, Symbol):
                return self.call_symbol(symbol.name, node, env)
            if symbol is not UNKNOWN:  # `models.build_model(...)`: a project module's function
                return self._call_value(symbol, node, env)
            if func.attr.value == "__init__" and _is_super_call(func.value):
                self.super_init(node, env)
                return UNKNOWN
            if func.attr.value == "compile" and _is_super_call(func.value) and isinstance(self.current_self(), Model):
                # `super().compile(...)` inside a model class's own compile()
                return self.call_model_method(self.current_self(), "compile", node, env, keras_method=True)
            base = self.eval(func.value, env)
            torch = self.torch_method(base, func.attr.value, node, env)  # `out.softmax(1)`, `criterion.to(device)`
            if torch is not None:
                return torch
            library = self.hf_method(base, func.attr.value, node, env)  # `model.to(device)`, `ds.map(f)`
            if library is None:
                library = self.jax_method(base, func.attr.value, node, env)  # `model.apply(params, x)`
            if library is not None:
                return library
            if isinstance(base, CommandLine) and not base.parsed:
                return self.command_line_call(base, func.attr.value, node, env)
            if isinstance(base, Seq) and func.attr.value in _LIST_MUTATORS:
                return self.grow_list(base, func, node, env)
            if isinstance(base, Mapping_) and func.attr.value in _DICT_MUTATORS:
                base.items.clear()  # `config.update(...)`: what it holds is no longer known
                if isinstance(func.value, cst.Name):
                    self._forget(func.value.value, env)
                self._eval_args(node, env)
                return UNKNOWN
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
            if func.attr.value in _DATA_METHODS:
                self._eval_args(node, env)
                return FromData(self.ref(node))
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
        if isinstance(callee, Partial):  # `DefaultDense(10)`: the bound arguments, then the call's
            bound = list(callee.node.args[1:])
            merged = cst.Call(func=node.func, args=[
                *(a for a in bound if a.keyword is None and not a.star), *(a for a in node.args if a.keyword is None),
                *(a for a in node.args if a.keyword is not None), *(a for a in bound if a.keyword is not None or a.star)])
            self._ref_alias[merged] = node
            result = self.call_symbol(callee.symbol, merged, env)
            if isinstance(result, Layer):  # what the partial binds is shared by every layer it makes
                result.inferred = True
                if result.activation is not None and not self.inside(result.activation.ref, result.ref):
                    result.activation.inferred = True
            return result
        torch = self.torch_call_value(callee, node, env)  # a module applied, a loss called
        if torch is None:
            torch = self.hf_call_value(callee, node, env)  # `model(**batch, labels=y)`
        if torch is None:
            torch = self.jax_call_value(callee, node, env)  # `state.apply_fn(params, x)`
        if torch is not None:
            return torch
        own_call = callee.user_class.lookup("call") if isinstance(callee, Model) and callee.user_class else None
        if isinstance(callee, Model) and callee.kind == "object" and callee.user_class is not None \
                and callee.user_class.lookup("__call__") is not None and not any(a.star for a in node.args):
            # an instance of a plain class (a `tf.Module` written by hand) called: its `__call__`
            args, kwargs, complete = self._evaluated_arguments(node, env)
            return self.call_function(callee.user_class.lookup("__call__"), args, kwargs, complete, bound_self=callee)
        if own_call is not None and len(node.args) > 1 and not any(a.star for a in node.args):
            # `net(x, is_training=True)`: the model's own call() with these arguments (its output was
            # taken with the defaults, where `if not is_training: x = tf.nn.softmax(x)` ran)
            args, kwargs, complete = self._evaluated_arguments(node, env)
            output = self.call_function(own_call, args, kwargs, complete, bound_self=callee)
            if isinstance(output, Tensor):
                return output
            return self.called_model(callee, args[0] if args else UNKNOWN)
        if isinstance(callee, (Layer, Model)):
            args = _positional(node)
            inputs = self.eval(args[0], env) if args else UNKNOWN
            return self.called_model(callee, inputs) if isinstance(callee, Model) else Tensor(callee, inputs)
        if isinstance(callee, Loss):  # `loss_fn(y, model(x))` in a training loop
            return self.call_loss_object(callee, node, env)
        if isinstance(callee, (Function, UserClass)):
            return self.call_user(callee, node, env)
        self._eval_args(node, env)
        return UNKNOWN

    def call_builtin(self, name: str, node: cst.Call, env: Env) -> object:
        """`len`, `range`, `int`, `max`, `min` of what we know: literals fold, data gives FromData."""
        args = [self.eval(a.value, env) for a in node.args]
        ref = self.ref(node)
        if any(a.star or a.keyword is not None for a in node.args):
            return UNKNOWN
        if name == "len" and len(args) == 1:
            value = args[0]
            if isinstance(value, (Seq, Mapping_)):
                return Const(len(value.items), ref)
            if isinstance(value, Const) and isinstance(value.value, str):
                return Const(len(value.value), ref)
            return FromData(ref)
        if name == "range" and 1 <= len(args) <= 3 and all(int_value(a) is not None for a in args):
            values = list(range(*(int_value(a) for a in args)))
            return Range(values, ref) if len(values) <= 1000 else UNKNOWN
        if name in ("int", "round") and len(args) == 1:
            value = args[0]
            if isinstance(value, Const) and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
                return Const(int(round(value.value)) if name == "round" else int(value.value), ref)
            return value if isinstance(value, FromData) else UNKNOWN
        if name in ("max", "min") and len(args) >= 2:
            if all(isinstance(a, Const) and isinstance(a.value, (int, float)) for a in args):
                return Const((max if name == "max" else min)(a.value for a in args), ref)
            if any(isinstance(a, FromData) for a in args):
                return FromData(ref)
        if name == "list" and len(args) == 1 and isinstance(args[0], Seq):
            return Seq(list(args[0].items), ref)
        return UNKNOWN

    def keyword_values(self, node: cst.Call, env: Env) -> dict:
        """A call's keyword arguments by name, evaluated; its positional ones are evaluated too
        (their side effects on the environment count) and dropped."""
        values = {}
        for arg in node.args:
            value = self.eval(arg.value, env)
            if arg.keyword is not None:
                values[arg.keyword.value] = value
        return values

    def command_line_call(self, parser: CommandLine, method: str, node: cst.Call, env: Env) -> object:
        """`parser.add_argument("--arch", default="resnet18")`, `parser.parse_args()`. An option is
        known when it declares a literal default (flags and required options stay unknown)."""
        values = self.keyword_values(node, env)
        if method in ("add_argument_group", "add_mutually_exclusive_group"):
            return parser  # the group's options are the parser's
        if method in ("parse_args", "parse_known_args") and not _positional(node):
            parsed = CommandLine(parser.defaults, parser.ref, parsed=True)
            return parsed if method == "parse_args" else Seq([parsed, UNKNOWN], parser.ref)
        if method == "add_argument":
            names = [string_value(a) for a in _positional(node)]
            longest = max((n for n in names if isinstance(n, str)), key=len, default=None)
            dest = values.get("dest")
            name = dest.value if isinstance(dest, Const) else longest.lstrip("-").replace("-", "_") if longest else None
            default = values.get("default")
            if name and isinstance(default, Const) and "action" not in values:
                parser.defaults[name] = OptionDefault(default.value, default.ref)
            elif name:
                parser.defaults.pop(name, None)
            return UNKNOWN
        return UNKNOWN

    def ordered_dict(self, node: cst.Call, env: Env) -> object:
        """`OrderedDict([("fc1", layer), ...])`: a mapping in that order (string keys only)."""
        args = [self.eval(a.value, env) for a in node.args]
        if len(node.args) != 1 or node.args[0].keyword is not None or node.args[0].star:
            return UNKNOWN
        pairs = args[0].items if isinstance(args[0], Seq) else None
        if pairs is None or not all(isinstance(p, Seq) and len(p.items) == 2 and isinstance(p.items[0], Const)
                                    and isinstance(p.items[0].value, str) for p in pairs):
            return UNKNOWN
        return Mapping_({p.items[0].value: p.items[1] for p in pairs}, self.ref(node))

    def call_dict(self, node: cst.Call, env: Env) -> object:
        """`dict(num_classes=2, num_layers=6)`: a mapping of its keywords (a config passed as `**config`)."""
        values = self.keyword_values(node, env)
        return UNKNOWN if any(a.keyword is None for a in node.args) else Mapping_(values, self.ref(node))

    def grow_list(self, seq: Seq, func: cst.Attribute, node: cst.Call, env: Env) -> object:
        """`layer_list.append(Dense(10))` / `.extend([...])`: the list a Sequential may be built from."""
        args = [self.eval(a.value, env) for a in node.args]
        if self.in_branch() or len(args) != 1 or func.attr.value not in ("append", "extend") \
                or (func.attr.value == "extend" and not isinstance(args[0], Seq)):
            # changed where we cannot follow (in a loop over data, by pop/insert): neither its length
            # nor its last element is known any more
            seq.items[:] = [UNKNOWN]
            if isinstance(func.value, cst.Name):
                self._forget(func.value.value, env)
            return UNKNOWN
        if func.attr.value == "append":
            seq.items.append(args[0])
        else:
            seq.items.extend(args[0].items)
        return Const(None, self.ref(node))

    @staticmethod
    def _forget(name: str, env: Env) -> None:
        """Make `name` unknown where it is bound (a local, or the enclosing scope's)."""
        scope: Env | None = env
        while scope is not None and name not in scope.vars:
            scope = scope.parent
        (scope or env).vars[name] = UNKNOWN

    def _eval_args(self, node: cst.Call, env: Env, skip: tuple = ()) -> None:
        """Evaluate the arguments of a call for their side effects (e.g. nested compiles): all of them
        for a call we do not model, else those it does not read itself (`skip`: their nodes)."""
        for arg in node.args:
            if not any(arg.value is used for used in skip):
                self.eval(arg.value, env)

    def call_symbol(self, symbol: str, node: cst.Call, env: Env) -> object:
        """A call of an imported name: Python's own (`OrderedDict`, `argparse`, `functools.partial`),
        else what the library of its framework says it means."""
        if symbol == "collections.OrderedDict":
            return self.ordered_dict(node, env)
        if symbol == "argparse.ArgumentParser":
            self._eval_args(node, env)
            return CommandLine({}, self.ref(node))
        if symbol in _PARTIAL:
            args = _positional(node)
            target = self.eval(args[0], env) if args else UNKNOWN
            if isinstance(target, Symbol):
                return Partial(target.name, node)
            self._eval_args(node, env)
            return UNKNOWN
        if t.is_torch_symbol(symbol):
            value = self.torch_call_symbol(symbol, node, env)
            if value is not None:
                return value
        if h.is_hf_symbol(symbol) or j.is_jax_symbol(symbol):
            value = self.hf_call_symbol(symbol, node, env) if h.is_hf_symbol(symbol) else \
                self.jax_call_symbol(symbol, node, env)
            if value is not None:
                return value
        return self.keras_call_symbol(symbol, node, env)

_GUESSABLE_ROOTS = frozenset({"keras", "tf", "tensorflow", "layers", "models", "losses", "K", "np", "utils",
                              "activations", "metrics"})
_DICT_MUTATORS = frozenset({"update", "pop", "popitem", "setdefault", "clear"})
_LIST_MUTATORS = frozenset({"append", "extend", "insert", "pop", "remove", "clear", "reverse", "sort"})
_BUILTINS = frozenset({"len", "range", "int", "round", "max", "min", "list"})
_ARITHMETIC = {
    cst.Add: lambda a, b: a + b, cst.Subtract: lambda a, b: a - b, cst.Multiply: lambda a, b: a * b,
    cst.FloorDivide: lambda a, b: a // b, cst.Divide: lambda a, b: a / b, cst.Modulo: lambda a, b: a % b,
    cst.Power: lambda a, b: a ** b if abs(b) < 64 else None,
}
_AUGMENTED = {cst.AddAssign: cst.Add(), cst.SubtractAssign: cst.Subtract(), cst.MultiplyAssign: cst.Multiply(),
              cst.FloorDivideAssign: cst.FloorDivide()}
_COMPARISONS = {
    cst.Equal: lambda a, b: a == b, cst.NotEqual: lambda a, b: a != b, cst.LessThan: lambda a, b: a < b,
    cst.GreaterThan: lambda a, b: a > b, cst.LessThanEqual: lambda a, b: a <= b,
    cst.GreaterThanEqual: lambda a, b: a >= b,
    # `top is 'classification'`: CPython interns equal literals, so `is` between constants compares like
    # `==` (of the same type: `1 is True` is False)
    cst.Is: lambda a, b: type(a) is type(b) and a == b, cst.IsNot: lambda a, b: not (type(a) is type(b) and a == b),
}


def _number(value: object) -> int | float | None:
    if isinstance(value, Const) and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
        return value.value
    return None


def _fold(left: object, operator: cst.BaseBinaryOp, right: object, ref: SourceRef) -> object:
    """`24 * 2`, `n + 1` over literals; `len(names) + 1` stays a number from the data; list + list."""
    a, b = _number(left), _number(right)
    function = _ARITHMETIC.get(type(operator))
    if a is not None and b is not None and function is not None:
        try:
            value = function(a, b)
        except (ZeroDivisionError, OverflowError, ValueError):
            return UNKNOWN
        return Const(value, ref) if value is not None else UNKNOWN
    if isinstance(left, FromData) and b is not None or isinstance(right, FromData) and a is not None:
        return FromData(ref)
    if isinstance(left, Seq) and isinstance(right, Seq) and isinstance(operator, cst.Add):
        return Seq([*left.items, *right.items], ref)
    if isinstance(left, Const) and isinstance(right, Const) and isinstance(left.value, str) \
            and isinstance(right.value, str) and isinstance(operator, cst.Add):
        return Const(left.value + right.value, ref)
    return None


def _compare_consts(left: object, operator: cst.BaseCompOp, right: object) -> bool | None:
    if isinstance(operator, (cst.In, cst.NotIn)) and isinstance(left, Const) and isinstance(right, Seq) \
            and all(isinstance(i, Const) for i in right.items):
        found = any(i.value == left.value for i in right.items)
        return found if isinstance(operator, cst.In) else not found
    if isinstance(operator, (cst.Is, cst.IsNot)) and UNKNOWN not in (left, right) and any(
            isinstance(v, Const) and v.value is None for v in (left, right)) and not all(
            isinstance(v, Const) for v in (left, right)):
        # `if activation is not None:` with `activation=tf.nn.relu`: a value we follow is not None
        return isinstance(operator, cst.IsNot)
    function = _COMPARISONS.get(type(operator))
    if function is None or not isinstance(left, Const) or not isinstance(right, Const):
        return None
    try:
        return bool(function(left.value, right.value))
    except TypeError:
        return None


def _membership(key: object, operator: cst.BaseCompOp, container: object) -> bool | None:
    """`name in model_dict` for a literal key and a mapping / list we hold in full; None otherwise."""
    if type(operator) not in (cst.In, cst.NotIn) or not isinstance(key, Const):
        return None
    if isinstance(container, Mapping_):
        found = key.value in container.items
    elif isinstance(container, Seq) and all(isinstance(item, Const) for item in container.items):
        found = any(item.value == key.value for item in container.items)
    else:
        return None
    return found if type(operator) is cst.In else not found


def _keeps_last_axis(node: cst.Subscript) -> bool:
    """`x[:, -1, :]`, `x[..., :]`: the last axis is taken whole."""
    if len(node.slice) < 2:
        return False
    last = node.slice[-1].slice
    return isinstance(last, cst.Slice) and last.lower is None and last.upper is None and last.step is None


_LOOP_EXITS = frozenset({cst.Break, cst.Continue, cst.Return, cst.Yield})
_OWN_SCOPES = frozenset({cst.FunctionDef, cst.ClassDef})


def _breaks_out(body: cst.BaseSuite) -> bool:
    """A `break`, `continue`, `return` or `yield` in a loop body: the iterations are not all run alike.
    A plain walk over the fields (a libcst visitor rebuilds every node it passes: 20x the cost)."""
    from ..names import NODE_CLASSES, child_fields

    stack: list = [body]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind in _LOOP_EXITS:
            return True
        if kind in _OWN_SCOPES:
            continue  # their own returns and yields are not the loop's
        for name in child_fields(kind):
            value = getattr(node, name, None)
            if value.__class__ in NODE_CLASSES:
                stack.append(value)
            elif value.__class__ is list or value.__class__ is tuple:
                stack.extend(item for item in value if item.__class__ in NODE_CLASSES)
    return False


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


def _is_flag(test: cst.BaseExpression) -> bool:
    """`if TRAIN:`, `if not DEBUG:`, `if False:`: a switch, not a condition on the data or the model."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        test = test.expression
    return isinstance(test, cst.Name)


def _only_fits(body: list) -> bool:
    """The statements call `fit` and build or change no model (no compile, add, pop)."""
    methods = {node.func.attr.value for statement in body for node in descendants(statement)
               if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)}
    return bool(methods & set(k.FIT_METHODS)) and not methods & {"compile", "add", "pop"}


def _is_main_guard(test: cst.BaseExpression) -> bool:
    return (isinstance(test, cst.Comparison) and isinstance(test.left, cst.Name)
            and test.left.value == "__name__" and len(test.comparisons) == 1
            and isinstance(test.comparisons[0].operator, cst.Equal))

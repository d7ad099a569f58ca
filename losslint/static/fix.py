"""Realise fix intents (`diagnostics.FixIntent`) as text edits, computed with libcst.

An intent names a span: the loss expression, the activation argument value or the layer call,
as libcst's PositionProvider gave it to the rule. We find the node with exactly that span, build
its replacement with libcst and render only that node, so everything outside it — comments,
quotes, formatting, trailing commas — stays byte for byte. An intent that cannot be realised
safely is simply not offered: the finding stays, without `[*]`.

Spelling policy
* A keyword on a string or function loss needs the class form. It is spelled with a name the
  file already imports (the class itself, `keras.losses`, `keras`, `tf`), preferring the most
  specific; no import is ever added — without such a name the fix is not offered.
* Swapping a loss keeps its style: string stays string (same quotes), class stays class
  (arguments kept when the new class accepts them), function stays function; a string or
  function becomes the class form only when a keyword such as `from_logits=True` must be set.
* `linear`: the `activation=` keyword of a Dense/Conv layer is removed (`Dense(10)` is how Keras
  code spells a logits layer). Where the activation cannot be removed (`Activation("…")`, a
  positional argument) "linear" is written in the same style.
* An activation layer (`Softmax()`) becomes `Activation("<id>")` from the same module;
  `tf.nn.softmax(x)` becomes `tf.nn.sigmoid(x)` (or `x` for linear).
* A string or function activation that reaches the layer through a variable is not rewritten
  (the variable may feed other layers).
"""

from __future__ import annotations

import re
from typing import Iterable

import libcst as cst
from libcst.metadata import ParentNodeProvider, PositionProvider

from .. import knowledge as k
from ..diagnostics import Applicability, Diagnostic, Edit, Fix, FixIntent
from .callargs import arg as argument, positional
from .cst_edits import add_keyword, comments, last_name, module_bindings, remove_arg, rename, string_like
from ..knowledge_torch import TORCH_LOSSES
from .names import NameResolver
from .torch import fix as torch_fix

_COMMON_LOSS_KEYWORDS = frozenset({"from_logits", "reduction", "name", "dtype"})
_LOSS_KEYWORDS = {  # what each cross-entropy class accepts, beyond the common ones
    "categorical_crossentropy": {"label_smoothing", "axis"},
    "binary_crossentropy": {"label_smoothing", "axis"},
    "sparse_categorical_crossentropy": {"ignore_class"},
    "categorical_focal_crossentropy": {"alpha", "gamma", "label_smoothing", "axis"},
    "binary_focal_crossentropy": {"apply_class_balancing", "alpha", "gamma", "label_smoothing", "axis"},
}
_NEWLINE = re.compile(r"\r\n|\r|\n")


class Unfixable(Exception):
    """This intent cannot be realised on this source."""


def realise_fixes(text: str, diagnostics: Iterable[Diagnostic], module: cst.Module | None = None
                  ) -> dict[Diagnostic, Fix]:
    """The fix each diagnostic offers on `text`: its first realisable applicable intent, else
    its first realisable display-only intent. Diagnostics without one are left out. `module`:
    `text` already parsed (by the linter), else it is parsed here."""
    diagnostics = [d for d in diagnostics if d.fixes and d.anchor.cell is None]
    if not diagnostics:
        return {}
    try:
        fixer = SourceFixer(text, module)
    except cst.ParserSyntaxError:
        return {}  # linted from a form libcst accepts (tabs in the indentation expanded): edits would not splice back
    out = {}
    for d in diagnostics:
        realised = [fix for fix in map(fixer.realise, d.fixes) if fix is not None]
        preferred = [f for f in realised if f.applicability is not Applicability.DISPLAY_ONLY] or realised
        if preferred:
            out[d] = preferred[0]
    return out


class SourceFixer:
    def __init__(self, text: str, module: cst.Module | None = None):
        self.text = text
        self.module = module if module is not None else cst.parse_module(text)
        wrapper = cst.MetadataWrapper(self.module, unsafe_skip_copy=True)
        metadata = wrapper.resolve_many([PositionProvider, ParentNodeProvider])  # one walk
        self.positions, self.parents = metadata[PositionProvider], metadata[ParentNodeProvider]
        self.names = NameResolver(wrapper)
        self.bindings = list(module_bindings(self.module))
        self.line_starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]
        self._by_span: dict[tuple, cst.CSTNode] | None = None

    # ------------------------------------------------------------------ entry point

    def realise(self, intent: FixIntent) -> Fix | None:
        edits = []
        for part in (intent, *intent.together):
            edit = self._realise_one(part)
            if edit is None:
                return None  # a fix is applied whole or not offered
            edits.append(edit)
        spans = sorted((e.line, e.col, e.end_line, e.end_col) for e in edits)
        if any(a[2:] > b[:2] for a, b in zip(spans, spans[1:])):
            return None  # the parts overlap
        return Fix(intent.applicability, intent.message, tuple(sorted(edits, key=lambda e: (e.line, e.col))))

    def _realise_one(self, intent: FixIntent) -> Edit | None:
        handler = {"set-loss-keywords": self._set_loss_keywords, "remove-loss-keyword": self._remove_loss_keyword,
                   "replace-loss": self._replace_loss, "set-activation": self._set_activation,
                   "replace-metric": self._replace_metric,
                   "remove-activation": lambda node, intent: torch_fix.remove_activation(self, node, intent),
                   "swap-activation": lambda node, intent: torch_fix.swap_activation(self, node, intent),
                   }.get(intent.kind)
        ref = intent.target
        if intent.kind == "replace-comment-text" and ref.is_static and ref.cell is None:
            return self._replace_comment_text(intent)
        if handler is None or not ref.is_static or ref.cell is not None:
            return None
        node = self._node_at((ref.line, ref.col, ref.end_line, ref.end_col))
        if node is None:
            return None
        try:
            old, new = handler(node, intent)
            return self._edit(old, new)
        except (Unfixable, ValueError, cst.ParserSyntaxError):
            return None

    def _replace_comment_text(self, intent: FixIntent) -> Edit | None:
        """A plain text edit inside comments (LL903: drop a stale `# noqa` code); `keywords` holds
        the text expected there, so an edit is never made on text that changed."""
        ref = intent.target
        start, end = self._offset(ref.line, ref.col), self._offset(ref.end_line, ref.end_col)
        if dict(intent.keywords).get("expected") != self.text[start:end]:
            return None
        return Edit(str(intent.value), ref.line, ref.col, ref.end_line, ref.end_col)

    def _edit(self, old: cst.CSTNode, new: cst.CSTNode) -> Edit:
        pos = self.positions[old]
        start, end = self._offset(pos.start.line, pos.start.column), self._offset(pos.end.line, pos.end.column)
        before, after = self._code(old), self._code(new)
        if self.text[start:end] != before or before == after or comments(old) != comments(new):
            raise Unfixable("the edit would not preserve the source around it")
        return Edit(after, pos.start.line, pos.start.column, pos.end.line, pos.end.column)

    def _code(self, node: cst.CSTNode) -> str:
        if getattr(node, "lpar", None):  # the position span excludes parentheses around the node
            node = node.with_changes(lpar=(), rpar=())
        return self.module.code_for_node(node)

    def _offset(self, line: int, col: int) -> int:
        return self.line_starts[line - 1] + col

    def _node_at(self, span: tuple) -> cst.CSTNode | None:
        if self._by_span is None:
            self._by_span = {}
            for node, pos in self.positions.items():
                if isinstance(node, cst.BaseExpression):
                    key = (pos.start.line, pos.start.column, pos.end.line, pos.end.column)
                    self._by_span.setdefault(key, node)
        return self._by_span.get(span)

    def _symbol(self, node: cst.CSTNode) -> str | None:
        return self.names.symbol(node)

    # ------------------------------------------------------------------ losses

    def _set_loss_keywords(self, node, intent):
        keywords = dict(intent.keywords)
        if isinstance(node, cst.Call) and self._loss_function(node) is not None:
            return node, self._with_function_keywords(node, keywords)
        if isinstance(node, cst.Call):
            loss_id = self._loss_class(node)
            return node, self._with_keywords(node, keywords, loss_id)
        spec = self._loss_spec(node)
        return node, self._class_form(node, spec, keywords)

    def _remove_loss_keyword(self, node, intent):
        function = self._loss_function(node)  # `keras.losses.categorical_crossentropy(y, p, from_logits=True)`
        loss_id = function or self._loss_class(node)
        keyword = intent.value
        for i, arg in enumerate(node.args):
            if arg.keyword is not None and arg.keyword.value == keyword:
                _require_literal_true(arg.value)
                removed = remove_arg(node, i)
                if comments(removed) == comments(node):
                    return node, removed
                # a comment sits on the argument: keep it, write the default instead
                args = list(node.args)
                args[i] = arg.with_changes(value=cst.Name("False"))
                return node, node.with_changes(args=args)
        if function is None and keyword == "from_logits" and loss_id in k.FROM_LOGITS_FIRST_POSITIONAL \
                and positional(node):
            _require_literal_true(node.args[0].value)
            if len(node.args) == 1:
                return node, remove_arg(node, 0)
            # later arguments are positional too: keep the slot, write the default
            return node, node.with_changes(args=[node.args[0].with_changes(value=cst.Name("False")),
                                                 *node.args[1:]])
        raise Unfixable(f"no `{keyword}` to remove")

    def _replace_loss(self, node, intent):
        if intent.value in TORCH_LOSSES:
            return torch_fix.replace_loss(self, node, intent)
        new = k.LOSSES[intent.value]
        keywords = dict(intent.keywords)
        needs_class = any(value is not False for value in keywords.values())
        if isinstance(node, cst.Call):
            old_id = self._loss_class(node)
            self._check_arguments(node, old_id, new.id)
            if not new.class_name:
                raise Unfixable(f"`{new.id}` has no class form")
            func = rename(node.func, new.class_name) if isinstance(node.func, cst.Attribute) \
                else self._spell(f"keras.losses.{new.class_name}")
            return node, self._with_keywords(node.with_changes(func=func), keywords, new.id)
        if needs_class:
            self._loss_spec(node)
            return node, self._class_form(node, new, keywords)
        if isinstance(node, cst.SimpleString):
            self._loss_spec(node)
            return node, string_like(node, new.id)
        self._loss_spec(node)  # a function reference
        if isinstance(node, cst.Attribute) and self._is_module(node.value, "keras.losses"):
            return node, rename(node, new.id)
        return node, self._spell(f"keras.losses.{new.id}")

    # ------------------------------------------------------------------ metrics

    def _replace_metric(self, node, intent):
        """`"binary_accuracy"` → `"categorical_accuracy"`, `BinaryAccuracy()` → `CategoricalAccuracy()`,
        `keras.metrics.binary_accuracy` → `keras.metrics.categorical_accuracy`: the style is kept."""
        new = k.METRICS[intent.value]
        if intent.keywords:
            return node, self._metric_class_form(node, new, dict(intent.keywords))
        if isinstance(node, cst.SimpleString):
            if node.evaluated_value not in k.METRIC_BY_STRING:
                raise Unfixable("not a metric name")
            return node, string_like(node, new.id)
        if isinstance(node, cst.Call):
            if self._symbol(node.func) not in k.METRIC_BY_FUNCTION:
                raise Unfixable("not a metric class")
            if any(arg.star or arg.keyword is None or arg.keyword.value not in ("name", "dtype") for arg in node.args):
                raise Unfixable("arguments the new metric class may not accept")
            class_name = next((f.rsplit(".", 1)[1] for f in new.functions if f.rsplit(".", 1)[1][:1].isupper()), None)
            if class_name is None or not isinstance(node.func, cst.Attribute):
                raise Unfixable("no class spelling to keep")
            return node, node.with_changes(func=rename(node.func, class_name))
        if isinstance(node, cst.Attribute) and self._symbol(node) in k.METRIC_BY_FUNCTION:
            return node, rename(node, new.id)
        raise Unfixable("not a metric")

    def _metric_class_form(self, node, new: k.MetricSpec, keywords: dict) -> cst.Call:
        """`"accuracy"` / `BinaryAccuracy()` → `keras.metrics.BinaryAccuracy(threshold=0.0)`: a
        keyword needs the class form; other arguments of a class call (`name=`) are kept."""
        class_name = next((f.rsplit(".", 1)[1] for f in new.functions if f.rsplit(".", 1)[1][:1].isupper()), None)
        if class_name is None:
            raise Unfixable(f"`{new.id}` has no class form")
        kept: list[cst.Arg] = []
        if isinstance(node, cst.Call):
            if self._symbol(node.func) not in k.METRIC_BY_FUNCTION:
                raise Unfixable("not a metric class")
            if any(arg.star or arg.keyword is None for arg in node.args):
                raise Unfixable("positional arguments on the metric")
            kept = [arg for arg in node.args if arg.keyword.value not in keywords]
            func = rename(node.func, class_name) if isinstance(node.func, cst.Attribute) else \
                self._spell(f"keras.metrics.{class_name}")
        elif isinstance(node, cst.SimpleString) and node.evaluated_value in k.METRIC_BY_STRING:
            func = self._spell(f"keras.metrics.{class_name}")
        else:
            raise Unfixable("not a metric name or class")
        added = cst.parse_expression("f(" + ", ".join(f"{name}={value!r}" for name, value in keywords.items()) + ")")
        if kept:
            kept[-1] = kept[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        return cst.Call(func=func, args=[*kept, *added.args], lpar=getattr(node, "lpar", ()),
                        rpar=getattr(node, "rpar", ()))

    def _loss_class(self, call: cst.Call) -> str:
        loss_id = k.LOSS_BY_CLASS.get(self._symbol(call.func) or "")
        if loss_id is None:
            raise Unfixable("not a loss class")
        return loss_id

    def _loss_function(self, call: cst.Call) -> str | None:
        """The loss id of a `keras.losses` function called on a prediction, else None."""
        symbol = self._symbol(call.func) or ""
        return k.LOSS_BY_FUNCTION.get(symbol) if symbol.startswith("keras.losses.") else None

    def _with_function_keywords(self, call: cst.Call, keywords: dict) -> cst.Call:
        """Keywords on a loss function call; only keyword arguments are touched (positions after
        `y_true, y_pred` differ between the functions)."""
        if len(positional(call)) > 2 or any(arg.star for arg in call.args):
            raise Unfixable("the keyword may be given by position")
        for name, value in keywords.items():
            expression = cst.parse_expression(repr(value))
            index = next((i for i, a in enumerate(call.args) if a.keyword and a.keyword.value == name), None)
            if index is None:
                call = add_keyword(call, name, expression)
            else:
                args = list(call.args)
                args[index] = args[index].with_changes(value=expression)
                call = call.with_changes(args=args)
        return call

    def _loss_spec(self, node) -> k.LossSpec:
        """The loss a string or function reference names."""
        if isinstance(node, cst.SimpleString):
            loss_id = k.LOSS_BY_STRING.get(node.evaluated_value)
        else:
            loss_id = k.LOSS_BY_FUNCTION.get(self._symbol(node) or "")
        if loss_id is None:
            raise Unfixable("not a loss")
        return k.LOSSES[loss_id]

    def _class_form(self, node, spec: k.LossSpec, keywords: dict) -> cst.Call:
        """`"bce"` / `keras.losses.bce` → `keras.losses.BinaryCrossentropy(from_logits=True)`."""
        if not spec.class_name:
            raise Unfixable(f"`{spec.id}` has no class form")
        if isinstance(node, cst.Attribute) and self._is_module(node.value, "keras.losses"):
            func = rename(node, spec.class_name).with_changes(lpar=(), rpar=())
        else:
            func = self._spell(f"keras.losses.{spec.class_name}")
        arguments = ", ".join(f"{name}={value!r}" for name, value in keywords.items())
        call = cst.parse_expression(f"f({arguments})")
        return call.with_changes(func=func, lpar=getattr(node, "lpar", ()), rpar=getattr(node, "rpar", ()))

    def _check_arguments(self, call: cst.Call, old_id: str, new_id: str) -> None:
        accepted = _COMMON_LOSS_KEYWORDS | _LOSS_KEYWORDS.get(new_id, set())
        for arg in call.args:
            if arg.star:
                raise Unfixable("`*args` / `**kwargs` on the loss")
            if arg.keyword is not None and arg.keyword.value not in accepted:
                raise Unfixable(f"`{new_id}` does not take `{arg.keyword.value}`")
        given = positional(call)
        if given and not (len(given) == 1 and {old_id, new_id} <= k.FROM_LOGITS_FIRST_POSITIONAL):
            raise Unfixable("positional arguments that the new loss reads differently")

    def _with_keywords(self, call: cst.Call, keywords: dict, loss_id: str) -> cst.Call:
        for name, value in keywords.items():
            expression = cst.parse_expression(repr(value))
            index = next((i for i, a in enumerate(call.args) if a.keyword and a.keyword.value == name), None)
            given = positional(call)
            if index is None and name == "from_logits" and loss_id in k.FROM_LOGITS_FIRST_POSITIONAL and given:
                index = 0
            if index is not None:
                args = list(call.args)
                args[index] = args[index].with_changes(value=expression)
                call = call.with_changes(args=args)
            else:
                call = add_keyword(call, name, expression)
        return call

    # ------------------------------------------------------------------ activations

    def _set_activation(self, node, intent):
        activation = intent.value
        if activation not in k.ACTIVATIONS:
            raise Unfixable(f"unknown activation {activation!r}")
        if isinstance(node, cst.Call) and self._layer_spec(node) is None:
            return node, self._activation_call(node, activation)
        arg, call = self._activation_argument(node)
        spec = self._layer_spec(call)
        if arg is None:  # a layer without an activation argument: add one
            if spec.activation_arg is None or spec.role is not k.LayerRole.PROJECTION:
                return call, self._activation_layer(call, activation)
            return call, add_keyword(call, "activation", cst.SimpleString(f'"{activation}"'))
        if (activation == "linear" and spec.role is k.LayerRole.PROJECTION and arg.keyword is not None
                and not comments(arg)):
            return call, remove_arg(call, list(call.args).index(arg))
        return node, self._activation_value(node, activation)

    def _activation_argument(self, node) -> tuple[cst.Arg | None, cst.Call]:
        """(the activation `Arg`, its layer call) for a value node; (None, call) for a layer call."""
        if isinstance(node, cst.Call) and self._layer_spec(node) is not None:
            spec = self._layer_spec(node)
            if spec.activation_arg and argument(node, *spec.activation_arg) is not None:
                raise Unfixable("the target is the layer but it has an activation argument")
            return None, node
        arg = self.parents.get(node)
        call = self.parents.get(arg) if isinstance(arg, cst.Arg) else None
        spec = self._layer_spec(call) if isinstance(call, cst.Call) else None
        if spec is None or spec.activation_arg is None or argument(call, *spec.activation_arg) is not node:
            raise Unfixable("the activation is not written as an argument of its layer")
        return arg, call

    def _layer_spec(self, call: cst.Call) -> k.LayerSpec | None:
        return k.LAYERS.get(self._symbol(call.func) or "")

    def _activation_value(self, node, activation: str) -> cst.BaseExpression:
        if isinstance(node, cst.SimpleString):
            return string_like(node, activation)
        symbol = self._symbol(node) if isinstance(node, (cst.Name, cst.Attribute)) else None
        if symbol in k.ACTIVATION_BY_FUNCTION and isinstance(node, cst.Attribute):
            module = symbol.rsplit(".", 1)[0]
            if f"{module}.{activation}" in k.ACTIVATIONS[activation].functions:
                return rename(node, activation)
        return cst.SimpleString(f'"{activation}"').with_changes(lpar=getattr(node, "lpar", ()),
                                                               rpar=getattr(node, "rpar", ()))

    def _activation_call(self, call: cst.Call, activation: str) -> cst.BaseExpression:
        """`tf.nn.softmax(x)` → `tf.nn.sigmoid(x)`; → `x` for linear."""
        symbol = self._symbol(call.func) or ""
        if symbol not in k.ACTIVATION_BY_FUNCTION or not isinstance(call.func, cst.Attribute):
            raise Unfixable("not an activation function call")
        if activation == "linear":
            if len(call.args) != 1 or call.args[0].keyword or call.args[0].star:
                raise Unfixable("cannot unwrap the activation call")
            return call.args[0].value.with_changes(lpar=call.lpar, rpar=call.rpar)
        module = symbol.rsplit(".", 1)[0]
        if f"{module}.{activation}" not in k.ACTIVATIONS[activation].functions:
            raise Unfixable(f"{module} has no {activation}")
        return call.with_changes(func=rename(call.func, activation))

    def _activation_layer(self, call: cst.Call, activation: str) -> cst.Call:
        """`layers.Softmax()` → `layers.Activation("sigmoid")`."""
        if f"keras.layers.{last_name(call.func)}" not in k.ACTIVATION_BY_LAYER:
            raise Unfixable("not an activation layer")
        func = rename(call.func, "Activation") if isinstance(call.func, cst.Attribute) \
            else self._spell("keras.layers.Activation")
        return call.with_changes(func=func, args=[cst.Arg(cst.SimpleString(f'"{activation}"'))],
                                 whitespace_before_args=cst.SimpleWhitespace(""))

    # ------------------------------------------------------------------ spelling

    def _is_module(self, node: cst.BaseExpression, module: str) -> bool:
        return self._symbol(node) == module

    def _spell(self, symbol: str) -> cst.BaseExpression:
        """The shortest way to reach canonical `keras.<area>.<Name>` through the file's imports."""
        _, area, name = symbol.split(".")
        options = []
        for local, qualified in self.bindings:
            canonical = k.canonical_symbol(qualified)
            if canonical == symbol:
                options.append((0, local))
            elif canonical == f"keras.{area}":
                options.append((1, f"{local}.{name}"))
            elif canonical == "keras":
                options.append((2, f"{local}.{area}.{name}"))
            elif qualified == "tensorflow":
                options.append((3, f"{local}.keras.{area}.{name}"))
        if not options:
            raise Unfixable(f"the file imports no name that reaches `{symbol}`")
        return cst.parse_expression(min(options, key=lambda option: option[0])[1])


def _require_literal_true(value: cst.BaseExpression) -> None:
    """Only a literal `True` is dropped: a variable may be True for one caller and False for another."""
    if not (isinstance(value, cst.Name) and value.value == "True"):
        raise Unfixable("`from_logits` is not a literal True")

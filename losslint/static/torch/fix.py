"""Realise fix intents on PyTorch code (called by `static/fix.py`'s `SourceFixer`).

* `replace-loss` to a PyTorch loss id: `nn.BCELoss(...)` → `nn.BCEWithLogitsLoss(...)`,
  `F.nll_loss(...)` → `F.cross_entropy(...)`; arguments kept (refused when the new loss does not
  accept one); only attribute spellings are renamed (a bare imported name would need an import).
* `remove-activation`: an activation module at the end of `nn.Sequential(...)` is removed; an
  activation call (`F.softmax(x, dim=1)`, `torch.sigmoid(x)`, `x.softmax(1)`, `self.softmax(x)`)
  becomes its input.
* `swap-activation`: `F.softmax` → `F.log_softmax`, `nn.Softmax` → `nn.LogSoftmax`,
  `x.softmax(1)` → `x.log_softmax(1)`.
"""

from __future__ import annotations

import libcst as cst

from ... import knowledge_torch as t
from ..callargs import positional
from ..cst_edits import remove_arg, rename

_NOT_ACCEPTED = {"torch.binary_cross_entropy": {"pos_weight"}}  # keywords the new loss would refuse
_MODULE_NAMES = {"log_softmax": "LogSoftmax"}


class TorchUnfixable(ValueError):
    """The PyTorch intent cannot be realised on this source (the fixer treats it as unfixable)."""


def replace_loss(fixer, node, intent):
    if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute):
        raise TorchUnfixable("only `nn.X(...)` / `F.x(...)` spellings are renamed")
    symbol = fixer.names.symbol(node.func) or ""
    new = t.TORCH_LOSSES[intent.value]
    refused = _NOT_ACCEPTED.get(new.id, set())
    if any(arg.keyword is not None and arg.keyword.value in refused for arg in node.args):
        raise TorchUnfixable("an argument the new loss does not accept")
    if symbol in t.TORCH_LOSS_BY_CLASS:
        return node, node.with_changes(func=rename(node.func, new.torch_class))
    if symbol in t.TORCH_LOSS_BY_FUNCTION and new.torch_function:
        return node, node.with_changes(func=rename(node.func, new.torch_function))
    raise TorchUnfixable("not a PyTorch loss")


def remove_activation(fixer, node, intent):
    if not isinstance(node, cst.Call):
        raise TorchUnfixable("not an activation call")
    parent = fixer.parents.get(node)
    container = fixer.parents.get(parent) if isinstance(parent, cst.Arg) else None
    if isinstance(container, cst.Call) and fixer.names.symbol(container.func) in t.TORCH_SEQUENTIAL:
        index = list(container.args).index(parent)
        if index != len(container.args) - 1 or len(container.args) < 2:
            raise TorchUnfixable("the activation is not the last module")
        return container, remove_arg(container, index)
    return node, _input_of(fixer, node)


def _input_of(fixer, call: cst.Call) -> cst.BaseExpression:
    """`x` for `F.softmax(x, dim=1)`, `torch.sigmoid(x)`, `self.softmax(x)` and `x.softmax(1)`."""
    func, args = call.func, positional(call)
    symbol = fixer.names.symbol(func)
    if symbol in t.TORCH_ACTIVATION_BY_FUNCTION and args:
        return _bare(args[0])
    if isinstance(func, cst.Attribute) and symbol is None:
        if isinstance(func.value, cst.Name) and func.value.value == "self":
            if len(call.args) == 1 and args:
                return _bare(args[0])  # `self.softmax(x)`: an activation module set in __init__
        elif func.attr.value in t.TENSOR_METHOD_ACTIVATIONS:
            return _bare(func.value)
    raise TorchUnfixable("not an activation the fixer recognises")


def _bare(node: cst.BaseExpression) -> cst.BaseExpression:
    return node.with_changes(lpar=(), rpar=()) if getattr(node, "lpar", None) else node


def swap_activation(fixer, node, intent):
    if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute):
        raise TorchUnfixable("only attribute spellings are renamed")
    new = intent.value
    symbol = fixer.names.symbol(node.func)
    if symbol in t.TORCH_ACTIVATION_BY_MODULE and new in _MODULE_NAMES:
        return node, node.with_changes(func=rename(node.func, _MODULE_NAMES[new]))
    if symbol in t.TORCH_ACTIVATION_BY_FUNCTION or (symbol is None and node.func.attr.value
                                                    in t.TENSOR_METHOD_ACTIVATIONS):
        return node, node.with_changes(func=rename(node.func, new))
    raise TorchUnfixable("not an activation the fixer recognises")

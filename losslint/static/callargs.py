"""Reading the arguments of a libcst call node."""

from __future__ import annotations

import libcst as cst


def arg(node: cst.Call, keyword: str | None, position: int | None) -> cst.BaseExpression | None:
    """The argument passed as `keyword=` or at `position`, or None."""
    for argument in node.args:
        if argument.keyword is not None and keyword is not None and argument.keyword.value == keyword:
            return argument.value
    args = positional(node)
    if position is not None and position < len(args):
        return args[position]
    return None


def positional(node: cst.Call) -> list[cst.BaseExpression]:
    """Positional arguments up to the first `*args` (positions after it are unknown)."""
    out = []
    for argument in node.args:
        if argument.keyword is not None or argument.star:
            break
        out.append(argument.value)
    return out


def dotted(node: cst.BaseExpression) -> str:
    """`tf.keras.layers` for a Name/Attribute chain; "" for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{dotted(node.value)}.{node.attr.value}"
    return ""

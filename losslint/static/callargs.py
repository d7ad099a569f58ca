"""Reading the arguments of a libcst call node, dotted names and string literals."""

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
    kind = type(node)  # not isinstance(): libcst's classes are ABCs, slow to fail a check against
    if kind is cst.Name:
        return node.value
    if kind is cst.Attribute:
        return f"{dotted(node.value)}.{node.attr.value}"
    return ""


def string_value(node: cst.SimpleString | cst.ConcatenatedString) -> str | bytes | None:
    """libcst's `evaluated_value`, without its `ast.literal_eval` (a compile() per string) for the
    common literal with no prefix, escape or carriage return: the text between its quotes."""
    if type(node) is cst.SimpleString:
        text = node.value
        if text[0] in "'\"" and "\\" not in text and "\r" not in text:
            quotes = 3 if text[:3] in ('"""', "'''") and len(text) >= 6 else 1
            return text[quotes:-quotes]
    return node.evaluated_value

"""Small libcst edits that keep the source layout: add or remove a call argument (commas,
one-argument-per-line layouts, trailing commas), rename an attribute, rewrite a string literal
in the same quotes, and read what a module imports. Used by `fix.py`."""

from __future__ import annotations

from typing import Iterable

import libcst as cst

from .callargs import dotted


def module_bindings(module: cst.Module) -> Iterable[tuple[str, str]]:
    """(local name, qualified name) for every module-level import, in file order."""
    statements = []
    for statement in module.body:
        if isinstance(statement, cst.Try):
            statements.extend(statement.body.body)
        else:
            statements.append(statement)
    for statement in statements:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    name = dotted(alias.name)
                    if alias.asname is not None:
                        yield dotted(alias.asname.name), name
                    else:
                        yield name.split(".")[0], name.split(".")[0]
            elif isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative \
                    and not isinstance(small.names, cst.ImportStar):
                for alias in small.names:
                    local = alias.asname.name if alias.asname is not None else alias.name
                    yield dotted(local), f"{dotted(small.module)}.{dotted(alias.name)}"


def last_name(node: cst.BaseExpression) -> str:
    return node.attr.value if isinstance(node, cst.Attribute) else getattr(node, "value", "")


def rename(node: cst.Attribute, name: str) -> cst.Attribute:
    return node.with_changes(attr=cst.Name(name))


def string_like(node: cst.SimpleString, value: str) -> cst.SimpleString:
    """A string literal with `value`, written with the same prefix and quotes as `node`."""
    if "\\" in value or node.quote in value:
        raise ValueError("value would need escaping")
    return node.with_changes(value=f"{node.prefix}{node.quote}{value}{node.quote}")


def comments(node: cst.CSTNode) -> list[str]:
    found: list[str] = []

    class Collect(cst.CSTVisitor):
        def visit_Comment(self, comment: cst.Comment) -> None:
            found.append(comment.value)

    node.visit(Collect())
    return sorted(found)


def remove_arg(call: cst.Call, index: int) -> cst.Call:
    args = list(call.args)
    removed = args.pop(index)
    if not args:
        return call.with_changes(args=(), whitespace_before_args=cst.SimpleWhitespace(""))
    if index == len(args):  # removed the last argument: the one before takes over its comma
        args[-1] = args[-1].with_changes(comma=removed.comma)
    return call.with_changes(args=args)


def add_keyword(call: cst.Call, name: str, value: cst.BaseExpression) -> cst.Call:
    """Append `name=value`, following the call's layout (one line, or one argument per line)."""
    no_space = cst.SimpleWhitespace("")
    new = cst.Arg(value=value, keyword=cst.Name(name),
                  equal=cst.AssignEqual(whitespace_before=no_space, whitespace_after=no_space))
    args = list(call.args)
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    if isinstance(last.comma, cst.Comma):  # trailing comma: the new argument goes on its own line
        separator = args[-2].comma.whitespace_after if len(args) > 1 else call.whitespace_before_args
        if isinstance(separator, cst.ParenthesizedWhitespace):  # a line break, without any comment
            separator = separator.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=())
        else:
            separator = cst.SimpleWhitespace(" ")
        args[-1] = last.with_changes(comma=last.comma.with_changes(whitespace_after=separator))
        new = new.with_changes(comma=last.comma)
    else:
        args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    return call.with_changes(args=[*args, new])

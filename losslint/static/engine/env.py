"""Variable environments of the abstract interpreter: a scope's bindings and its enclosing scope.

Below both `interpret` and its `usercode` mixin (which runs the file's functions in new
environments), so neither imports the other for it.
"""

from __future__ import annotations

MISSING = object()  # not bound in any enclosing environment


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
        return MISSING

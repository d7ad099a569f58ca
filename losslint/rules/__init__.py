"""One module per rule; each module's docstring is the rule's documentation.

Modules declare themselves with `losslint.registry.rule`; `registry.all_rules()` walks this
package. Modules whose name starts with `_` hold shared helpers and are not rules.
"""

"""Where losslint is published and documented: one place for every hint and link.

The distribution is `losslint-ml` (the import, the command and the hook ids are `losslint`; the
name `losslint` on the public index belongs to another project). A finding's documentation URL
(JSON `url`, SARIF `helpUri`, the editor's `codeDescription`) is the project page with the rule's
code as fragment; `losslint explain CODE` prints the same documentation offline.
"""

from __future__ import annotations

DISTRIBUTION = "losslint-ml"
PROJECT_URL = f"https://pypi.org/project/{DISTRIBUTION}/"


def rule_url(code: str) -> str:
    """The documentation URL of rule `code` (e.g. LL101)."""
    return f"{PROJECT_URL}#{code.lower()}"

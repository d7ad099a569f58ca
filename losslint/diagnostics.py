"""What a finding looks like to every front end and renderer.

Pure data: no libcst, no click, no keras. Rules produce `Finding`s (facts + wording); the
front ends turn them into `Diagnostic`s (a finding with its code, name and final location).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Applicability(str, enum.Enum):
    """How much a fix may change the program (ruff's three levels)."""

    SAFE = "safe"  # only the loss changes; model.predict() returns the same as before
    UNSAFE = "unsafe"  # the model's outputs change (e.g. an activation is swapped)
    DISPLAY_ONLY = "display-only"  # shown as advice, never applied

    def applied(self, unsafe: bool) -> bool:
        """Applied by `--fix` (safe) or `--fix --unsafe-fixes` (also unsafe); never display-only."""
        return self is Applicability.SAFE or (unsafe and self is Applicability.UNSAFE)


class Confidence(str, enum.Enum):
    HIGH = "high"  # every fact was a literal in the calls involved
    INFERRED = "inferred"  # some fact came through assignments, helpers or datasets

    @staticmethod
    def weakest(*levels: "Confidence") -> "Confidence":
        return Confidence.INFERRED if Confidence.INFERRED in levels else Confidence.HIGH


@dataclass(frozen=True)
class SourceRef:
    """Where a fact was written: a span in a file (1-based line, 0-based column, like libcst),
    or, for facts read from a live model, a human description in `origin`."""

    path: str | None = None
    line: int = 0
    col: int = 0
    end_line: int = 0
    end_col: int = 0
    cell: int | None = None  # 1-based notebook cell (over all cells), None for .py files
    origin: str | None = None  # runtime facts: e.g. "layer 'dense_1'"

    @property
    def is_static(self) -> bool:
        return self.line > 0


@dataclass(frozen=True)
class FixIntent:
    """A fix described on facts, never as a CST edit; `static/fix.py` realises it.

    kind: "set-loss-keywords"   set `keywords` on the loss at `target`
          "remove-loss-keyword" remove keyword `value` from the loss at `target`
          "replace-loss"        swap the loss at `target` for loss id `value` (spelling style kept)
                                and set `keywords` on it
          "set-activation"      set the activation of the layer at `target` to activation id `value`
          "replace-metric"      swap the `metrics=` entry at `target` for metric id `value` (with
                                `keywords`, e.g. `BinaryAccuracy(threshold=0.0)`)
    `together`: intents that are part of the same fix (the loss swap that goes with an activation
    change, the accuracy metric that follows the label format); the fix is offered only when every
    one of them can be realised, and applied as one.
          "remove-activation"   drop the activation applied at `target` (PyTorch: a module at the end
                                of `nn.Sequential`, or `F.softmax(x)` / `x.softmax(1)` becomes `x`)
          "swap-activation"     apply activation id `value` instead at `target` (PyTorch spellings)
          "replace-comment-text" replace the text at `target` (comments only: LL903's stale `# noqa`
                                code) with `value`, if it still reads `keywords["expected"]`
    """

    kind: str
    target: SourceRef
    applicability: Applicability
    message: str
    value: object = None
    keywords: tuple[tuple[str, object], ...] = ()
    together: tuple["FixIntent", ...] = ()


@dataclass(frozen=True)
class Edit:
    """Replace the text between two positions (1-based line, 0-based column) with `content`.
    In a notebook fix as reported, `cell` is the 1-based cell and the lines are inside it."""

    content: str
    line: int
    col: int
    end_line: int
    end_col: int
    cell: int | None = None


@dataclass(frozen=True)
class Fix:
    """A fix intent realised as text edits on one file (`static/fix.py` builds these)."""

    applicability: Applicability
    message: str
    edits: tuple[Edit, ...]

    def applies(self, unsafe: bool) -> bool:
        """Applied by `--fix` (safe) or `--fix --unsafe-fixes` (also unsafe); never display-only."""
        return self.applicability.applied(unsafe)


@dataclass(frozen=True)
class Related:
    message: str
    ref: SourceRef


@dataclass(frozen=True)
class Finding:
    """What a rule reports: the anchor, the observed facts (message), the action (help)."""

    anchor: SourceRef
    message: str
    help: str
    confidence: Confidence = Confidence.HIGH
    related: tuple[Related, ...] = ()
    fixes: tuple[FixIntent, ...] = ()  # first = preferred
    opt_in: bool = False  # a form of the rule reported only when its code is selected explicitly


@dataclass(frozen=True)
class Diagnostic:
    code: str
    name: str
    message: str
    help: str
    anchor: SourceRef
    confidence: Confidence = Confidence.HIGH
    related: tuple[Related, ...] = ()
    fixes: tuple[FixIntent, ...] = ()
    filename: str | None = None

    @property
    def fix(self) -> FixIntent | None:
        """The preferred applicable fix (display-only fixes are advice, not fixes)."""
        for intent in self.fixes:
            if intent.applicability is not Applicability.DISPLAY_ONLY:
                return intent
        return None

    @property
    def sort_key(self) -> tuple:
        return (self.filename or "", self.anchor.cell or 0, self.anchor.line, self.anchor.col, self.code)

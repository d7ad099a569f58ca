"""Terminal output: whether to colour, ANSI styles, and rule documentation (markdown) rendered
for reading in a terminal.

Colour follows the conventions of https://no-color.org and https://force-color.org:
`FORCE_COLOR` (any non-empty value) turns it on even when piped, else `NO_COLOR` (any non-empty
value) turns it off, else colour is used only when the output is a terminal. `TERM=dumb` is a
terminal without colour.
"""

from __future__ import annotations

import os
import re
from typing import IO, Mapping

_CODES = {"bold": "1", "dim": "2", "underline": "4", "red": "31", "green": "32", "yellow": "33", "blue": "34",
          "magenta": "35", "cyan": "36"}


def use_colour(stream: IO | None, environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    if env.get("FORCE_COLOR"):
        return True
    if env.get("NO_COLOR") or env.get("TERM") == "dumb" or stream is None:
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False


class Style:
    """`style.red("x")` wraps in ANSI codes when `colour`, else returns the text unchanged."""

    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def __call__(self, text: str, *names: str) -> str:
        if not self.colour or not text:
            return text
        return f"\x1b[{';'.join(_CODES[n] for n in names)}m{text}\x1b[0m"

    def __getattr__(self, name: str):
        if name not in _CODES:
            raise AttributeError(name)
        return lambda text: self(text, name)


PLAIN = Style(False)
_INLINE_CODE = re.compile(r"`([^`\n]+)`")
_STRONG = re.compile(r"\*\*([^*\n]+)\*\*")
_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")


def render_markdown(text: str, style: Style = PLAIN, width: int = 100) -> str:
    """The small markdown of rule docs for a terminal: `#` headings become bold (underlined when
    colour is off), fenced code blocks are indented by four spaces without their fences, inline
    code and `**strong**` keep their text (coloured; plain: backticks kept, asterisks dropped), links show
    their target in parentheses; HTML comments are dropped."""
    out: list[str] = []
    in_code = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            out.append("    " + style(line, "cyan") if line else "")
            continue
        if stripped.startswith("<!--") and stripped.endswith("-->"):
            continue
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading:
            title = _inline(heading.group(2), style)
            if out and out[-1] != "":
                out.append("")
            if style.colour:
                out.append(style(title, "bold", "underline" if len(heading.group(1)) == 1 else "bold"))
            else:
                plain = _inline(heading.group(2), PLAIN)
                out.append(plain)
                out.append(("=" if len(heading.group(1)) == 1 else "-") * min(len(plain), width))
            continue
        bullet = re.match(r"^(\s*)[-*]\s+(.*)$", line)
        if bullet:
            out.append(f"{bullet.group(1)}  • {_inline(bullet.group(2), style)}")
            continue
        out.append(_inline(line, style))
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out)


def _inline(text: str, style: Style) -> str:
    text = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", text)
    if style.colour:
        text = _STRONG.sub(lambda m: style(m.group(1), "bold"), text)
        return _INLINE_CODE.sub(lambda m: style(m.group(1), "cyan"), text)
    return _STRONG.sub(lambda m: m.group(1), text)

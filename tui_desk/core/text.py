"""Customer text is data: make it harmless to print without changing what is stored."""

from __future__ import annotations

import re

# C0 and C1 control characters other than newline and tab: escape sequences start here.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures": ␛ for ESC
    if code == 0x7F:
        return "\u2421"
    return f"\\x{code:02x}"


def printable(text: str) -> str:
    """The text with control characters shown as visible symbols (ESC becomes ␛)."""
    return _CONTROL.sub(_visible, text.replace("\r\n", "\n"))


def one_line(text: str, width: int | None = None) -> str:
    """Single-line form for lists and headers, cut to `width` with an ellipsis."""
    flat = printable(" ".join(text.split()))
    if width is not None and len(flat) > width:
        return flat[: max(0, width - 1)] + "…"
    return flat

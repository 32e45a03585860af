"""Shared display helpers for the UI: times and labels, never markup from data."""

from __future__ import annotations

from ..domain.clock import from_text


def local_time(stored: str | None, with_date: bool = True) -> str:
    """A stored UTC time in the user's local time zone, compact."""
    if not stored:
        return "–"
    moment = from_text(stored).astimezone()
    return moment.strftime("%Y-%m-%d %H:%M" if with_date else "%H:%M")


def cut_text(text: str, chars: int, lines: int) -> tuple[str, int]:
    """The start of `text`, at most `chars` characters and `lines` lines; and how many characters
    are left out. A message can be megabytes long (a pasted log, an attachment sent as text):
    what a pane draws must not grow with it."""
    shown = text[:chars]
    end = -1
    for _line in range(lines):
        end = shown.find("\n", end + 1)
        if end < 0:
            break
    else:
        shown = shown[:end]
    return shown, len(text) - len(shown)


def markup_literal(text: str) -> str:
    """`text` for a place that reads Textual markup (the command palette's titles), shown as it is.

    Textual's own `escape` leaves a `[` alone when it does not look like a tag, so in
    "Wait [1 [b]x" the tag after an unclosed bracket shows its backslash. Textual reads a
    backslash before any `[` as "this bracket is text" (and drops one backslash of a run),
    so one more backslash before every `[` keeps every name exactly as typed.
    """
    return text.replace("[", "\\[")

"""Shared display helpers for the UI: times and labels, never markup from data."""

from __future__ import annotations

from ..core.clock import from_text


def local_time(stored: str | None, with_date: bool = True) -> str:
    """A stored UTC time in the user's local time zone, compact."""
    if not stored:
        return "–"
    moment = from_text(stored).astimezone()
    return moment.strftime("%Y-%m-%d %H:%M" if with_date else "%H:%M")

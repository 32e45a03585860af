"""The timeline pane: every event on the selected ticket, oldest first."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import partial

from rich.console import RenderableType
from rich.text import Text
from textual.binding import Binding

from ...core.actions import action_name
from ...domain.models import Event, EventKind, event_label, priority_label
from ...domain.text import one_line
from ...i18n import N_, _
from ..format import local_time
from .part_lines import Deferred
from .text_pane import TextPane

_STATUS_KINDS = {
    EventKind.CREATED,
    EventKind.CUSTOMER_MESSAGE,
    EventKind.REPLIED,
    EventKind.RESOLVED,
    EventKind.POSTPONED,
    EventKind.WOKEN,
    EventKind.REOPENED,
    EventKind.SPAM,
    EventKind.DELETED,
    EventKind.RESTORED,
    EventKind.STATUS,
    EventKind.MERGED,
    EventKind.SPLIT,
    EventKind.UNDONE,
}


def event_text(event: Event, status_label: Callable[[str], str]) -> Text:
    def value(raw: str | None) -> str:
        if raw is None:
            return "–"
        if event.kind in _STATUS_KINDS:
            return status_label(raw)
        if event.kind == EventKind.PRIORITY:
            return priority_label(raw)
        return one_line(raw)

    line = Text.assemble(
        (local_time(event.at), "dim"),
        "  ",
        (one_line(event.actor, 24), "cyan"),
        "  ",
        (event_label(event.kind), "bold"),
    )
    if event.from_value is not None or event.to_value is not None:
        if event.from_value == event.to_value:
            line.append(f"  ({value(event.to_value)})", style="dim")
        elif event.from_value is None:
            line.append(f"  {value(event.to_value)}")
        elif event.to_value is None and event.kind != EventKind.ASSIGNED:
            line.append(f"  {value(event.from_value)}")
        else:
            line.append(f"  {value(event.from_value)} → {value(event.to_value)}")
    if event.detail:
        if event.kind == EventKind.POSTPONED:
            detail = local_time(event.detail)
        elif event.kind == EventKind.UNDONE:
            detail = action_name(event.detail)  # the kind of action taken back
        else:
            detail = one_line(event.detail)
        if event.kind == EventKind.POSTPONED:
            detail = _("until {time}").format(time=detail)
        line.append(f"  {detail}", style="dim")
    return line


class TimelineView(TextPane):
    BINDINGS = [
        ("j", "scroll_down", N_("Down")),
        ("k", "scroll_up", N_("Up")),
        # As in the thread, unshown: the footer has no room for them (docs/issue17/reading.md).
        Binding("g", "scroll_home", N_("Top"), show=False),
        Binding("G", "scroll_end", N_("Bottom"), show=False),
    ]

    DEFAULT_CSS = """
    TimelineView { padding: 0 1; background: $surface; }
    """

    shown_id: int | None = None  # the ticket whose events are shown

    def show(self, events: list[Event], status_label: Callable[[str], str], ticket_id: int | None = None) -> None:
        """Another ticket's events open at the latest; the same ticket's keep the reader's place."""
        parts: list[RenderableType] = [Deferred(partial(event_text, e, status_label)) for e in events]  # built when drawn
        keys: list[Hashable | None] = [e.id for e in events]
        if ticket_id is not None and ticket_id == self.shown_id:
            self.keep_place(parts, keys)
        else:
            self.show_parts(parts, keys=keys)
        self.shown_id = ticket_id

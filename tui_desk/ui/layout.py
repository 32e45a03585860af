"""The main screen at every terminal size (docs/issue17/layout.md).

Below NARROW_WIDTH columns the timeline folds away so the thread keeps a readable width
(T still shows it); below MIN_SIZE one line says the terminal is too small instead of a
broken layout. The top bar keeps the help key in sight whatever has focus, and the pane
above the thread pins one line on who, what state and which SLA, while the thread scrolls.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Static

from ..domain.models import Ticket, priority_label
from ..domain.text import one_line
from ..i18n import _
from .action_table import keys_label
from .sla_display import STATE_STYLE, short_label

if TYPE_CHECKING:
    from .panes import PanesBase

    _Base = PanesBase
else:
    _Base = object

NAME_CELLS = 12  # the pinned line cuts a longer name to this before it drops the SLA
NARROW_WIDTH = 100  # below it the timeline's 30 columns would leave the thread too few
MIN_SIZE = Size(60, 16)


def ticket_line(
    ticket: Ticket, status_label: Callable[[str], str], sla_short: str, sla_style: str = "", width: int = 0
) -> Text:
    """`#34 · Harriet O'Brien · Open · urgent · SLA −5w`: the one line pinned above the thread.

    In `width` cells (0: no limit). Who wrote and the SLA are what the line is for: a long name is
    cut first (down to NAME_CELLS), then priority and status give way, then the name again.
    """
    who = one_line(ticket.customer_name or ticket.customer_email, 200)
    middle = [one_line(status_label(ticket.status), 60), priority_label(ticket.priority)]

    def build(name: str, kept: list[str]) -> Text:
        line = Text.assemble((f"#{ticket.id}", "bold"), " · ", (name, "bold"))
        for part in kept:
            line.append(" · " + part)
        if sla_short:
            line.append(" · ")
            line.append(_("SLA") + " " + sla_short, style=sla_style)
        return line

    line = build(who, middle)
    if width <= 0 or line.cell_len <= width:
        return line
    for kept in (middle, middle[:1], []):
        room = width - build("", kept).cell_len
        if room >= min(NAME_CELLS, cell_len(who)):
            return build(who if cell_len(who) <= room else set_cell_size(who, room - 1) + "…", kept)
    room = width - build("", []).cell_len  # a very narrow pane: the SLA before the name's length
    line = build(set_cell_size(who, max(1, room - 1)) + "…", [])
    line.truncate(width, overflow="ellipsis")
    return line


def fit_status(head: Text, counts: list[Text], tail: list[Text], width: int) -> Text:
    """The top bar's status in `width` cells: the counts go first, then the tail's last parts.

    What the agent did ("1,023 marked", unsent mail) is worth more than the per-status counts,
    which the views show anyway.
    """
    counts, tail = list(counts), list(tail)

    def joined() -> Text:
        bar = head.copy()
        for part in counts:
            bar.append("  ")
            bar.append_text(part)
        for part in tail:
            bar.append("   ")
            bar.append_text(part)
        return bar

    bar = joined()
    while width > 0 and bar.cell_len > width and (counts or len(tail) > 1):
        if counts:
            counts.pop()
        else:
            tail.pop()
        bar = joined()
    if width > 0 and bar.cell_len > width:
        bar.truncate(width, overflow="ellipsis")
    return bar


def no_line(_width: int) -> Text:
    return Text()


class TicketLine(Static):
    """One line, cut with … to the pane's width (a name may be longer than the terminal)."""

    DEFAULT_CSS = """
    TicketLine { height: 1; padding: 0 1; background: $boost; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__("", id=id)
        self.line: Callable[[int], Text] = no_line

    def show(self, line: Callable[[int], Text]) -> None:
        """`line(width)` gives the line for a width: it is built again at each draw."""
        self.line = line
        self.refresh()

    def render(self) -> Text:
        line = self.line(max(1, self.content_region.width))
        line.no_wrap = True
        line.truncate(max(1, self.content_region.width), overflow="ellipsis")
        return line


class ResponsiveLayout(_Base):
    """The main screen's answer to its size: collapse, say too small, keep help in sight."""

    _narrow: bool | None = None
    _focus_before: Widget | None = None

    def _refocus(self) -> None:
        if self.focused is None:
            (self._focus_before or self.inbox).focus()

    def on_resize(self, event: events.Resize) -> None:
        self.apply_size(event.size)

    def apply_size(self, size: Size) -> None:
        too_small = size.width < MIN_SIZE.width or size.height < MIN_SIZE.height
        if too_small and not self.has_class("too-small"):
            self._focus_before = self.focused  # hidden panes lose focus: give it back after
        elif not too_small and self.has_class("too-small"):
            self.call_after_refresh(self._refocus)
        self.set_class(too_small, "too-small")
        if too_small:
            message = _("Terminal too small: {width}x{height}, needs at least {min_width}x{min_height}").format(
                width=size.width, height=size.height, min_width=MIN_SIZE.width, min_height=MIN_SIZE.height
            )
            self.query_one("#too-small", Static).update(Text(message))  # wrapped: every word of it matters
        narrow = size.width < NARROW_WIDTH
        if narrow != self._narrow:  # only on crossing: T's choice holds until the next crossing
            self._narrow = narrow
            self.query_one("#timeline-pane").set_class(narrow, "hidden")
        self.show_help_key()
        self.call_after_refresh(self._update_status_bar)  # the status fits the new width

    def show_help_key(self) -> None:
        """`? Help  q Quit` at the right of the top bar, with the keys bound now."""
        keymap = self.desk.keymap

        def key(action_id: str, default: str) -> str:
            return keys_label(keymap.get(action_id) or default).split(", ")[0]

        hint = Text.assemble(
            (key("help", "question_mark"), "bold"), " ", _("Help"), "  ", (key("quit", "q"), "bold"), " ", _("Quit")
        )
        self.query_one("#top-keys", Static).update(hint)

    def show_ticket_line(self, ticket: Ticket | None) -> None:
        line: Callable[[int], Text] = no_line
        if ticket is not None:
            view = self.sla_view(ticket)
            line = partial(ticket_line, ticket, self.status_label, short_label(view, self.clock()), STATE_STYLE.get(view.state, ""))
        self.query_one(TicketLine).show(line)

    def ticket_shown(self, ticket: Ticket | None) -> None:
        self.show_ticket_line(ticket)
        super().ticket_shown(ticket)

"""The inbox: a virtual list that draws only the visible rows and loads pages on demand.

Textual's DataTable renders every row it holds (27 s for 100,000 rows), so
this is a ScrollView on the line API: it knows the row count, keeps a small
cache of pages, and fetches missing pages in thread workers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...core.sla import SlaState
from ...core.sla_tracking import SlaView
from ...domain.clock import humanize_age, to_epoch
from ...domain.models import PRIORITY_ORDER, InboxRow, Status, priority_label, status_label
from ...domain.text import one_line
from ...i18n import N_, _
from ..failures import ReportsWorkerFailures
from ..sla_display import short_label

PAGE_SIZE = 100
MAX_CACHED_PAGES = 40
ROW_CHARS = 1_000

PageLoader = Callable[[int, int], list[InboxRow]]

# Beside the attention marker: another agent has the ticket open, or is replying to it.
PRESENCE_MARKS = {"viewing": "◉", "replying": "✎"}


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int  # 0 = takes the remaining width


_SHOWN_STATUSES = (Status.NEW, Status.OPEN, Status.ANSWERED, Status.RESOLVED, Status.POSTPONED)


# At 80 columns the inbox keeps who wrote: a shorter subject and name rather than none.
CUSTOMER_LEAST = 12
SUBJECT_BESIDE_CUSTOMER = 20


def _label_width(labels: object, least: int, most: int) -> int:
    """A column as wide as its longest label in the user's language (e.g. "Edasilükatud"), within bounds."""
    return max(least, min(most, max(cell_len(label) for label in labels)))  # type: ignore[attr-defined]


def _fit(text: str, width: int) -> str:
    """Cut or pad to exactly `width` cells, marking a cut with an ellipsis."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


class InboxList(ReportsWorkerFailures, ScrollView, can_focus=True):
    """Tickets in inbox order; New/Open stand out with a marker and colour."""

    BINDINGS = [
        Binding("j,down", "cursor(1)", N_("Down"), show=False),
        Binding("k,up", "cursor(-1)", N_("Up"), show=False),
        Binding("g,home", "first", N_("Top"), show=False),
        Binding("G,end", "last", N_("Bottom"), show=False),
        Binding("pagedown,ctrl+d", "page(1)", N_("Page down"), show=False),
        Binding("pageup,ctrl+u", "page(-1)", N_("Page up"), show=False),
        Binding("space", "toggle_mark", N_("Mark"), show=False),
    ]

    COMPONENT_CLASSES = {
        "inbox--header",
        "inbox--failed",
        "inbox--cursor",
        "inbox--attention",
        "inbox--muted",
        "inbox--urgent",
        "inbox--high",
        "inbox--loading",
        "inbox--sla-near",
        "inbox--sla-breached",
        "inbox--marked",
    }

    DEFAULT_CSS = """
    InboxList {
        background: $surface;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
    }
    InboxList > .inbox--header { text-style: bold; color: $text-muted; background: $panel; }
    InboxList > .inbox--cursor { background: $block-cursor-blurred-background; }
    InboxList:focus > .inbox--cursor { background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold; }
    InboxList > .inbox--attention { color: $text; text-style: bold; }
    InboxList > .inbox--muted { color: $text-muted; }
    InboxList > .inbox--urgent { color: $error; text-style: bold; }
    InboxList > .inbox--high { color: $warning; }
    InboxList > .inbox--loading { color: $text-disabled; }
    InboxList > .inbox--failed { color: $error; }
    InboxList > .inbox--sla-near { color: $warning; text-style: bold; }
    InboxList > .inbox--sla-breached { color: $error; text-style: bold; }
    InboxList > .inbox--marked { background: $accent 30%; }
    """

    # repaint=False: watch_cursor repaints just the two rows whose highlight changed.
    cursor: reactive[int] = reactive(0, always_update=True, init=False, repaint=False)

    class Highlighted(Message):
        """The cursor rests on a ticket."""

        def __init__(self, row: InboxRow) -> None:
            self.row = row
            super().__init__()

    class Selected(Message):
        """Enter on a ticket."""

        def __init__(self, row: InboxRow) -> None:
            self.row = row
            super().__init__()

    def __init__(
        self,
        *,
        status_label: Callable[[str], str],
        now: Callable[[], datetime],
        sla_of: Callable[[InboxRow], SlaView | None] = lambda row: None,
        on_move: Callable[[], None] = lambda: None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.status_label = status_label
        self.now = now
        self.sla_of = sla_of
        # Called when the cursor reaches another loaded ticket, before any repaint:
        # the app holds the frame until that ticket's thread is ready.
        self.on_move = on_move
        self.total = 0
        # The view has rows past `total` (its count stopped at the cap): loading the last
        # page known finds them, and `total` grows as the agent scrolls on.
        self.grows = False
        self._pages: dict[int, list[InboxRow]] = {}
        self._pending: set[int] = set()
        self._failed: set[int] = set()  # pages whose query failed: an error row until the next move
        self._generation = 0
        self._loader: PageLoader | None = None
        self._announced: int | None = None
        self.empty_hint: list[tuple[str, str]] = []
        self._strip_cache: dict[tuple[int, int, bool, bool, int, int, bool, str], Strip] = {}
        self.marked: set[int] = set()  # ticket ids picked for a bulk action
        self.presence: dict[int, str] = {}  # ticket id -> what another agent does there (PRESENCE_MARKS)

    class EndFound(Message):
        """A view whose count stopped at the cap was scrolled to its end: `total` is exact now."""

    # -- marks --------------------------------------------------------------------------
    class MarksChanged(Message):
        """The set of marked tickets changed."""

    def toggle_mark(self) -> None:
        """Mark or unmark the ticket under the cursor, then move down (space, space, space...)."""
        row = self.current
        if row is None:
            return
        self.marked.symmetric_difference_update({row.id})
        self.refresh_line(self.cursor + 1)
        self.post_message(self.MarksChanged())
        self.action_cursor(1)

    def action_toggle_mark(self) -> None:
        self.toggle_mark()

    def set_marks(self, ids: set[int]) -> None:
        self.marked = set(ids)
        self.refresh()
        self.post_message(self.MarksChanged())

    def set_presence(self, presence: dict[int, str]) -> None:
        """Which tickets another agent has open ("viewing") or is replying to ("replying")."""
        if presence != self.presence:
            self.presence = dict(presence)
            self.refresh()

    # -- data -------------------------------------------------------------------------
    def reset(
        self, loader: PageLoader, total: int, pages: dict[int, list[InboxRow]], cursor: int = 0, grows: bool = False
    ) -> None:
        """New data (another view, a search, or a change in the store): start from these pages.

        With `grows`, `total` is how many rows are known to be there, not all of them.
        """
        self._generation += 1
        self._loader = loader
        self.total = total
        self.grows = grows
        self._pages = dict(pages)
        self._pending.clear()
        self._failed.clear()
        self._announced = None
        self.virtual_size = Size(self.size.width, total + 1)  # +1: the header line
        self.cursor = max(0, min(cursor, total - 1)) if total else 0
        last = (total - 1) // PAGE_SIZE
        if grows and total and last in self._pages:
            self._grow(last * PAGE_SIZE + len(self._pages[last]), full=len(self._pages[last]) == PAGE_SIZE)
        self.refresh()

    def row_at(self, index: int) -> InboxRow | None:
        page = self._pages.get(index // PAGE_SIZE)
        if page is None:
            return None
        offset = index % PAGE_SIZE
        return page[offset] if offset < len(page) else None

    @property
    def current(self) -> InboxRow | None:
        return self.row_at(self.cursor) if self.total else None

    def _request_page(self, page_no: int) -> None:
        if page_no in self._pages or page_no in self._pending or page_no in self._failed or self._loader is None:
            return
        self._pending.add(page_no)
        generation = self._generation
        loader = self._loader

        def load() -> None:
            try:
                rows = loader(page_no * PAGE_SIZE, PAGE_SIZE)
            except Exception:
                # Not pending any more, so the next scroll or refresh asks again; the error
                # itself goes on to the worker and is reported there (ui/failures.py).
                self.app.call_from_thread(self._page_failed, generation, page_no)
                raise
            self.app.call_from_thread(self._page_loaded, generation, page_no, rows)

        self.run_worker(load, thread=True, group="inbox-page", exit_on_error=False)

    def _page_failed(self, generation: int, page_no: int) -> None:
        # Its rows say so instead of "…" (loading); the next cursor move asks again, not
        # the repaint itself, which would ask over and over while the store is broken.
        if generation == self._generation:
            self._pending.discard(page_no)
            self._failed.add(page_no)
            self.refresh()

    def _page_loaded(self, generation: int, page_no: int, rows: list[InboxRow]) -> None:
        if generation != self._generation:
            return
        self._pending.discard(page_no)
        self._pages[page_no] = rows
        if self.grows and page_no == (self.total - 1) // PAGE_SIZE:
            self._grow(page_no * PAGE_SIZE + len(rows), full=len(rows) == PAGE_SIZE)
        if len(self._pages) > MAX_CACHED_PAGES:
            keep = self.cursor // PAGE_SIZE
            for stale in sorted(self._pages, key=lambda p: -abs(p - keep))[: len(self._pages) - MAX_CACHED_PAGES]:
                del self._pages[stale]
        self.refresh()
        self._announce()

    def _grow(self, end: int, full: bool) -> None:
        """The last page known came in: a full one means more may follow (one "…" row past it
        asks for them when shown); a short one is the end of the view."""
        self.total = end + 1 if full else end
        self.grows = full
        if not full:
            self.post_message(self.EndFound())
        if self.total and self.cursor >= self.total:
            self.cursor = self.total - 1
        self.virtual_size = Size(self.size.width, self.total + 1)

    # -- cursor -------------------------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        if self._failed:
            self._failed.clear()  # a move tries the failed pages again
            self.refresh()
        row = self.current
        if row is not None and row.id != self._announced:
            self.on_move()
        top = round(self.scroll_offset.y)
        self._scroll_cursor_into_view()
        if round(self.scroll_offset.y) == top:
            # Only the two rows whose highlight changed need drawing again.
            for index in {old, new}:
                self.refresh_line(index + 1)  # virtual line: row i sits under the header
        else:
            self.refresh()
        self._announce()

    def _announce(self) -> None:
        row = self.current
        if row is None:
            if self.total:
                self._request_page(self.cursor // PAGE_SIZE)
            return
        if self._announced != row.id:
            self._announced = row.id
            self.post_message(self.Highlighted(row))

    def _scroll_cursor_into_view(self) -> None:
        # Line 0 is the sticky header, so row i shows on line i - scroll_y + 1.
        height = self.scrollable_content_region.height
        top = round(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, force=True, immediate=True)
        elif height > 1 and self.cursor > top + height - 2:
            self.scroll_to(y=self.cursor - height + 2, animate=False, force=True, immediate=True)

    def move_to(self, index: int) -> None:
        if self.total:
            self.cursor = max(0, min(index, self.total - 1))

    def action_cursor(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(self.total - 1)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor + direction * max(1, self.size.height - 2))

    def key_enter(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Selected(row))

    def on_click(self, event: events.Click) -> None:
        if event.y < 1:  # the header row: row scroll_y - 1 under it is hidden above the view
            return
        index = event.y + self.scroll_offset.y - 1
        if 0 <= index < self.total:
            self.move_to(index)

    # -- drawing ------------------------------------------------------------------------
    def columns(self, width: int) -> list[Column]:
        columns = [
            Column("marker", "", 2),
            Column("id", "#", 7),
            Column("priority", _("Priority"), _label_width((priority_label(p) for p in PRIORITY_ORDER), 8, 10)),
            Column("status", _("Status"), _label_width((status_label(s) for s in _SHOWN_STATUSES), 11, 14)),
            Column("subject", _("Subject"), 0),
            Column("customer", _("Customer"), 22),
            Column("assignee", _("Assignee"), 10),
            Column("waiting", _("Waiting"), 7),
            Column("sla", _("SLA"), 6),
        ]
        fixed = sum(c.width + 1 for c in columns if c.width)
        # Narrow terminals drop the least useful columns first, keeping a readable subject and,
        # down to 80 columns, who wrote (docs/issue17/layout.md).
        for drop in ("assignee", "waiting", "customer", "priority"):
            if width - fixed >= 24:
                break
            if drop == "customer":  # a shorter name before none
                customer = next(c for c in columns if c.key == "customer")
                narrower = max(CUSTOMER_LEAST, customer.width - (SUBJECT_BESIDE_CUSTOMER - (width - fixed)))
                fixed -= customer.width - narrower
                columns[columns.index(customer)] = Column("customer", customer.title, narrower)
                if width - fixed >= SUBJECT_BESIDE_CUSTOMER:
                    break
            dropped = next(c for c in columns if c.key == drop)
            columns.remove(dropped)
            fixed -= dropped.width + 1
        return columns

    def set_empty_hint(self, lines: list[tuple[str, str]]) -> None:
        """What an inbox with no tickets at all shows: (command, what it does) per line."""
        if lines != self.empty_hint:
            self.empty_hint = lines
            self.refresh()

    def _hint_strip(self, line: tuple[str, str], width: int) -> Strip:
        command, description = line
        base = self.rich_style
        # The descriptions in one column, after the commands that leave room for it; a long
        # command pushes only its own. Whatever does not fit is cut with an ellipsis.
        column = max(
            (cell_len(c) for c, d in self.empty_hint if c and d and cell_len(c) <= width * 2 // 5), default=0
        )
        segments = [Segment("  " + command, base + Style(bold=True))] if command else []
        if description:
            gap = max(3, column - cell_len(command) + 3) if command else 2
            segments.append(Segment(" " * gap + description, base))
        strip = Strip(segments)
        if strip.cell_length > width:
            strip = strip.crop(0, max(0, width - 1))
            strip = Strip([*strip, Segment("…", base)])
        return strip.adjust_cell_length(width, base)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._header_strip(width)
        if not self.total and 0 < y <= len(self.empty_hint):
            return self._hint_strip(self.empty_hint[y - 1], width)
        index = self.scroll_offset.y + y - 1
        if index >= self.total or index < 0:
            return Strip.blank(width, self.rich_style)
        row = self.row_at(index)
        if row is None and index // PAGE_SIZE in self._failed:
            style = self.rich_style + self.get_component_rich_style("inbox--failed")
            return Strip([Segment(_fit("  " + _("Could not be read; move the cursor to try again"), width), style)], width)
        if row is None:
            self._request_page(index // PAGE_SIZE)
            style = self.rich_style + self.get_component_rich_style("inbox--loading")
            return Strip([Segment(_fit("  …", width), style)], width)
        # Ages and SLA times change by the minute; everything else with the row's version.
        marked = row.id in self.marked
        here = self.presence.get(row.id, "")
        minute = int(self.now().timestamp()) // 60
        key = (row.id, row.version, index == self.cursor, self.has_focus, width, minute, marked, here)
        strip = self._strip_cache.get(key)
        if strip is None:
            if len(self._strip_cache) > 2000:
                self._strip_cache.clear()
            strip = self._strip_cache[key] = self._row_strip(row, index == self.cursor, width, marked, here)
        return strip

    def _header_strip(self, width: int) -> Strip:
        style = self.rich_style + self.get_component_rich_style("inbox--header")
        segments = []
        remaining = width
        columns = self.columns(width)
        flexible = width - sum(c.width + 1 for c in columns if c.width) - 1
        for column in columns:
            cell = column.width or max(4, flexible)
            segments.append(Segment(_fit(column.title, min(cell, remaining)) + " ", style))
            remaining -= cell + 1
        return Strip(segments, width).adjust_cell_length(width, style)

    def _row_strip(self, row: InboxRow, is_cursor: bool, width: int, marked: bool = False, here: str = "") -> Strip:
        base = self.rich_style
        if row.needs_attention:
            base += self.get_component_rich_style("inbox--attention")
        else:
            base += self.get_component_rich_style("inbox--muted")
        if marked:
            base += self.get_component_rich_style("inbox--marked")
        if is_cursor:
            base += self.get_component_rich_style("inbox--cursor")
        priority_style: Style | None = None
        if row.priority == "urgent":
            priority_style = self.get_component_rich_style("inbox--urgent", partial=True)
        elif row.priority == "high":
            priority_style = self.get_component_rich_style("inbox--high", partial=True)
        now = self.now()
        waited = ""
        if row.waiting_since:
            waited = humanize_age(now.timestamp() - to_epoch(row.waiting_since))
        sla = self.sla_of(row)
        sla_text = short_label(sla, now) if sla is not None else ""
        sla_style: Style | None = None
        if sla is not None and sla.state in (SlaState.NEAR, SlaState.BREACHED):
            sla_style = self.get_component_rich_style(
                "inbox--sla-near" if sla.state is SlaState.NEAR else "inbox--sla-breached", partial=True
            )
        values = {
            "marker": ("✔" if marked else "●" if row.needs_attention else " ") + PRESENCE_MARKS.get(here, " "),
            "id": f"{row.id}",
            "priority": priority_label(row.priority),
            "status": self.status_label(row.status),
            # A row is at most a screen wide: no need to clean megabytes of a hostile subject.
            "subject": one_line(row.subject[:ROW_CHARS]),
            "customer": one_line((row.customer_name or row.customer_email)[:ROW_CHARS]),
            "assignee": one_line((row.assignee or "–")[:ROW_CHARS]),
            "waiting": waited,
            "sla": sla_text,
        }
        columns = self.columns(width)
        flexible = width - sum(c.width + 1 for c in columns if c.width) - 1
        segments = []
        for column in columns:
            cell = column.width or max(4, flexible)
            text = values[column.key]
            fitted = f"{text:>{cell}}" if column.key in ("waiting", "sla") else _fit(text, cell)
            style = base
            if column.key == "priority" and priority_style:
                style = base + priority_style
            elif column.key == "sla" and sla_style:
                style = base + sla_style
            segments.append(Segment(fitted + " ", style))
        return Strip(segments).adjust_cell_length(width, base)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strip_cache.clear()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, self.total + 1)
        self._scroll_cursor_into_view()  # a smaller terminal or `<` must not hide the selected row
        self.refresh()

"""The state behind the main screen's three panes and how they are loaded.

The inbox, the thread and the timeline show what the store holds; reads go through
`store.queries` in thread workers so the screen never waits on the database. The
ticket actions (ticket_actions.py), the moves between views (navigation.py) and the
background jobs (background.py) build on this base; main_screen.py puts them together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual import on, work
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Static

from ..core import sla_tracking
from ..core.change_text import shown_status
from ..core.lifecycle import TicketService
from ..core.presence import Presence
from ..core.routing import UNASSIGNED_VIEW, unassigned_filter
from ..core.rules import RulesConfig
from ..core.saved_views import SavedViews
from ..core.sla import SlaState
from ..core.sla_tracking import SlaView
from ..domain.clock import Clock
from ..domain.models import (
    Event,
    InboxRow,
    Meaning,
    Message,
    StatusDef,
    Ticket,
    priority_label,
    status_label,
)
from ..domain.text import one_line
from ..i18n import _, ngettext, number
from ..mail.settings import MailSettings
from ..store import Store, queries
from ..store.queries import VIEW_ALL, VIEW_ATTENTION, InboxFilter
from .counts import count_text, tickets_text
from .drafts import Drafts
from .empty_hint import getting_started
from .failures import ReportsWorkerFailures, report_failure
from .frames import FrameHold
from .layout import fit_status
from .sla_display import STATE_STYLE, sentence
from .widgets.inbox import PAGE_SIZE, InboxList
from .widgets.thread import DEFAULT_MESSAGE_LIMIT, ThreadView
from .widgets.timeline import TimelineView

if TYPE_CHECKING:
    from .app import TuiDeskApp

def given(then: Callable[[Any], object]) -> Callable[[Any], None]:
    """A dialog's callback: `then(value)`, unless the dialog was cancelled (None, False, "")."""

    def answered(value: Any) -> None:
        if value:
            then(value)

    return answered


@dataclass(frozen=True)
class View:
    key: str
    label: str
    flt: InboxFilter


@dataclass(frozen=True)
class InboxSnapshot:
    total: queries.Total
    pages: dict[int, list[InboxRow]]
    cursor: int
    statuses: dict[str, StatusDef]
    marker: tuple[int, int, int]


@dataclass(frozen=True)
class TicketSnapshot:
    ticket: Ticket | None
    messages: list[Message]
    hidden_earlier: int
    events: list[Event]
    failed_id: int | None = None  # the ticket that could not be read, and why
    error: Exception | None = None


class PanesBase(ReportsWorkerFailures, Screen[None]):
    """The inbox, thread and timeline of the app's session (store, service, actor: see app.py)."""

    # One value for what the inbox shows: every change of it reloads the inbox and its title.
    inbox_filter: reactive[InboxFilter] = reactive(InboxFilter(view=VIEW_ATTENTION), always_update=True, init=False)

    def __init__(self) -> None:
        super().__init__()
        self.view_key = VIEW_ATTENTION
        self.status_defs: dict[str, StatusDef] = {}
        self.counts: dict[str, int] = {}
        self.ticket: Ticket | None = None
        self.selected_id: int | None = None
        self._marker: tuple[int, int, int] | None = None
        self._ticket_request = 0
        self._inbox_request = 0
        self._whole_thread: set[int] = set()
        self._inbox_height = 45
        self._sla_seen: dict[int, SlaState] = {}
        self._latest_customer_text: str | None = None
        self._messages: list[Message] = []  # of the ticket shown, for split
        self._unreadable: int | None = None  # the ticket whose thread failed to load, if that is what is shown
        self.unsent = 0
        self._first_rows_shown = False
        self.inbox_total = queries.Total(0)
        self.saved_views = SavedViews()
        self._frame_hold = FrameHold(self.desk)

    # -- the session, held by the app -------------------------------------------------------
    @property
    def desk(self) -> TuiDeskApp:
        return cast("TuiDeskApp", self.app)

    @property
    def store(self) -> Store:
        return self.desk.store

    @property
    def service(self) -> TicketService:
        return self.desk.service

    @property
    def clock(self) -> Clock:
        return self.desk.clock

    @property
    def actor(self) -> str:
        return self.desk.actor

    @property
    def drafts(self) -> Drafts:
        return self.desk.drafts

    @property
    def rules(self) -> RulesConfig | None:
        return self.desk.rules

    @property
    def mail(self) -> MailSettings | None:
        return self.desk.mail

    @property
    def config_file(self) -> Path | None:
        return self.desk.config_file

    @property
    def inbox(self) -> InboxList:
        return self.query_one(InboxList)

    # -- labels -------------------------------------------------------------------------
    def status_label(self, key: str) -> str:
        return shown_status(key, self.status_defs)

    def sla_view(self, row: InboxRow | Ticket) -> SlaView:
        definition = self.status_defs.get(row.status)
        meaning = definition.meaning if definition else Meaning.ATTENTION
        return sla_tracking.view(sla_tracking.row_mapping(row), meaning, self.service.sla, self.clock())

    def _show_sla(self, ticket: Ticket) -> Text:
        view = self.sla_view(ticket)
        line = Text(sentence(view, self.clock()), style=STATE_STYLE.get(view.state, ""))
        previous = self._sla_seen.get(ticket.id)
        self._sla_seen[ticket.id] = view.state
        if previous is not None and previous != view.state and view.state in (SlaState.NEAR, SlaState.BREACHED):
            self.notify(
                _("#{id}: {sla}").format(id=ticket.id, sla=line.plain),
                severity="error" if view.state is SlaState.BREACHED else "warning",
                markup=False,
                timeout=10,
            )
        return line

    def views(self) -> list[View]:
        views = [
            View(VIEW_ATTENTION, _("Needs attention"), InboxFilter(view=VIEW_ATTENTION)),
            View(VIEW_ALL, _("All"), InboxFilter(view=VIEW_ALL)),
            View(UNASSIGNED_VIEW, _("Unassigned"), unassigned_filter()),  # what no routing rule placed
        ]
        for key in ("answered", "postponed", "resolved", "spam", "deleted", "merged"):
            views.append(View(key, status_label(key), InboxFilter(view="status", statuses=(key,))))
        for definition in self.status_defs.values():
            if not definition.builtin:
                views.append(View(definition.key, definition.label, InboxFilter(view="status", statuses=(definition.key,))))
        return views

    def _view_title(self) -> Content:
        """The inbox's title; plain text, as searches and names in it come from users."""
        view = next((v for v in self.views() if v.key == self.view_key), None)
        # A status picked under `f` (New, Open…) or a saved view's may have no view of its own.
        definition = self.status_defs.get(self.view_key)
        label = view.label if view else definition.label if definition else one_line(self.view_key)
        parts = [_("Inbox") + ": " + label]
        if self.inbox_filter.search:
            parts.append(_("search “{q}”").format(q=one_line(self.inbox_filter.search, 30)))
        if self.inbox_filter.assignee and self.view_key != UNASSIGNED_VIEW:
            parts.append(_("assignee {a}").format(a=_("unassigned") if self.inbox_filter.assignee == "-" else one_line(self.inbox_filter.assignee)))
        if self.inbox_filter.department:
            parts.append(_("department {d}").format(d=one_line(self.inbox_filter.department)))
        if self.inbox_filter.tag:
            parts.append(_("tag {t}").format(t=one_line(self.inbox_filter.tag)))
        if self.inbox_filter.priority:
            parts.append(_("priority {p}").format(p=priority_label(self.inbox_filter.priority)))
        if self.inbox_filter.order == "sla":
            parts.append(_("by SLA due"))
        return Content(" · ".join(parts))

    def _update_status_bar(self) -> None:
        head = Text("tui-desk", style="bold")
        counts: list[Text] = []
        for key, count in self.counts.items():
            definition = self.status_defs.get(key)
            if definition is None or definition.meaning.value in ("spam", "deleted", "merged"):
                continue
            style = "bold" if definition.meaning.value == "attention" and count else "dim" if not count else ""
            counts.append(Text(f"{definition.label} {count_text(count)}", style=style))
        tail: list[Text] = []
        if self.inbox.marked:
            marked = len(self.inbox.marked)
            tail.append(Text(ngettext("{n} marked", "{n} marked", marked).format(n=number(marked)), style="bold reverse"))
        if self.unsent:
            tail.append(Text(ngettext("{n} unsent", "{n} unsent", self.unsent).format(n=number(self.unsent)), style="bold yellow"))
        tail.append(Text(_("as {agent}").format(agent=one_line(self.actor)), style="dim"))
        bar = fit_status(head, counts, tail, self.query_one("#status-bar").content_region.width)
        self.query_one("#status-bar", Static).update(bar)
        self._show_title()  # a custom status may have been renamed
        total = self.inbox_total
        if total.capped and not self.inbox.grows:  # the list reached the end of the view: exact after all
            total = queries.Total(self.inbox.total, more_matches=total.more_matches)
        self.query_one("#inbox-pane").border_subtitle = tickets_text(total)
        self.follow_saved_view()

    def follow_saved_view(self) -> None:
        """Light the tab of the saved view shown, if any (SavedViewsMixin)."""

    # -- the filter -----------------------------------------------------------------------
    def set_filter(self, flt: InboxFilter, view_key: str | None = None) -> None:
        if view_key is not None:
            self.view_key = view_key
        self.inbox_filter = flt

    def action_view(self, key: str) -> None:
        view = next((v for v in self.views() if v.key == key), None)
        if view is None:
            return
        # The Unassigned view's "no agent" is its own: it neither yields to an agent filter nor leaves one behind.
        carried = None if self.view_key == UNASSIGNED_VIEW else self.inbox_filter.assignee
        self.set_filter(
            view.flt.with_(
                search=self.inbox_filter.search,
                assignee=view.flt.assignee or carried,
                department=self.inbox_filter.department,
                tag=self.inbox_filter.tag,
                priority=self.inbox_filter.priority,
                order=self.inbox_filter.order,
            ),
            view.key,
        )

    def watch_inbox_filter(self, old: InboxFilter, new: InboxFilter) -> None:
        if new != old and self.inbox.marked:  # marks belong to the tickets in sight: another view starts clean
            self.inbox.set_marks(set())
        self._show_title()
        self.refresh_inbox(keep_index=False)

    def _show_title(self) -> None:
        self.query_one("#inbox-pane").border_title = self._view_title()

    # -- loading ------------------------------------------------------------------------
    def refresh_inbox(self, select_id: int | None = None, keep_index: bool = True) -> None:
        """Reload the inbox in a worker, keeping the selected ticket selected if it is still shown."""
        self._inbox_request += 1
        wanted = select_id if select_id is not None else self.selected_id
        fallback = self.inbox.cursor if keep_index else 0
        self._load_inbox(self._inbox_request, self.inbox_filter, wanted, fallback)

    @work(thread=True, group="inbox", exit_on_error=False)
    def _load_inbox(self, request: int, flt: InboxFilter, wanted: int | None, fallback: int) -> None:
        try:
            marker = queries.change_marker(self.store)
            statuses = self.service.statuses(reload=True)
            # Counting stops at queries.COUNT_CAP: the rows show as fast in a view of a million.
            total = queries.inbox_total(self.store, flt)
            pages, position = self._where_it_was(flt, wanted, fallback)
            known = max(total.count + 1, (position or 0) + 1) if total.capped else total.count
            cursor = position if position is not None else min(fallback, max(0, known - 1))
            page_no = cursor // PAGE_SIZE
            if page_no not in pages:
                pages = {page_no: queries.inbox_page(self.store, flt, page_no * PAGE_SIZE, PAGE_SIZE)}
        except Exception as error:
            self.app.call_from_thread(self.report_failure, error)
            return
        snapshot = InboxSnapshot(total, pages, cursor, statuses, marker)
        self.app.call_from_thread(self._apply_inbox, request, flt, snapshot)
        # The per-status counts (each stops at queries.COUNT_CAP): after the rows are shown.
        try:
            counts = queries.status_counts_upto(self.store)
        except Exception as error:
            self.app.call_from_thread(self.report_failure, error)
            return
        self.app.call_from_thread(self._apply_counts, request, counts)

    def _where_it_was(
        self, flt: InboxFilter, wanted: int | None, fallback: int
    ) -> tuple[dict[int, list[InboxRow]], int | None]:
        """The page under the cursor, and the wanted ticket's place if it is still on it.

        A live refresh mostly finds the selected ticket where it was: reading its page costs a
        few milliseconds at any depth, where counting the rows before it costs ~60 ms of CPU at
        50,000 rows deep (and gives up past queries.POSITION_CAP, which would send the cursor
        to the top at every change another agent makes). Elsewhere, the count as before.
        """
        near = fallback // PAGE_SIZE
        page = queries.inbox_page(self.store, flt, near * PAGE_SIZE, PAGE_SIZE)
        index = next((i for i, row in enumerate(page) if row.id == wanted), None) if wanted is not None else None
        if index is not None:
            return {near: page}, near * PAGE_SIZE + index
        position = queries.inbox_position(self.store, flt, wanted) if wanted is not None else None
        return {near: page}, position

    def _apply_counts(self, request: int, counts: dict[str, int]) -> None:
        if request == self._inbox_request:
            self.counts = counts
            self._update_status_bar()
            self.inbox.set_empty_hint(getting_started(self.store.path) if not any(counts.values()) else [])

    def _apply_inbox(self, request: int, flt: InboxFilter, snapshot: InboxSnapshot) -> None:
        if request != self._inbox_request:
            return
        if not self._first_rows_shown:
            self._first_rows_shown = True
            self.first_rows_shown()
        self._marker = snapshot.marker
        self.status_defs = snapshot.statuses
        store = self.store

        def loader(offset: int, limit: int) -> list[InboxRow]:
            return queries.inbox_page(store, flt, offset, limit)

        inbox = self.inbox
        previous = self.selected_id
        total = snapshot.total
        # A capped count: the rows beyond it are there, the list finds them as it scrolls.
        rows = max(total.count + 1, snapshot.cursor + 1) if total.capped else total.count
        inbox.reset(loader, rows, snapshot.pages, snapshot.cursor, grows=total.capped)
        self.inbox_total = total
        self._update_status_bar()
        current = inbox.current
        if current is None:
            self._ticket_request += 1  # a ticket still loading must not show in an empty inbox
            self.selected_id = None
            self.ticket = None
            self.query_one(ThreadView).show(None, [], self.status_label)
            self.query_one(TimelineView).show([], self.status_label)
            self.ticket_shown(None)
        elif current.id == previous:
            self.load_ticket(current.id)  # same ticket: refresh its thread in place

    def first_rows_shown(self) -> None:
        """Start what may take long (time rules, mail: BackgroundJobs) once the inbox is seen."""

    @on(InboxList.Highlighted)
    def _highlighted(self, event: InboxList.Highlighted) -> None:
        if event.row.id != self.selected_id or self.ticket is None:
            self.selected_id = event.row.id
            self.load_ticket(event.row.id)

    @on(InboxList.EndFound)
    def _end_found(self) -> None:
        self._update_status_bar()

    @on(InboxList.Selected)
    def _selected(self, event: InboxList.Selected) -> None:
        self.query_one(ThreadView).focus()

    def load_ticket(self, ticket_id: int) -> None:
        self._ticket_request += 1
        limit = None if ticket_id in self._whole_thread else DEFAULT_MESSAGE_LIMIT
        self._load_ticket(self._ticket_request, ticket_id, limit)

    @work(thread=True, group="ticket", exit_on_error=False)
    def _load_ticket(self, request: int, ticket_id: int, limit: int | None) -> None:
        try:
            ticket = queries.get_ticket(self.store, ticket_id)
            messages = queries.ticket_messages(self.store, ticket_id, limit=limit)
            events = queries.ticket_events(self.store, ticket_id)
        except Exception as error:
            # Never leave the previous ticket's thread under the new highlight: r would seem
            # to answer what is shown while it answers the highlighted ticket.
            self.app.call_from_thread(self._apply_ticket, request, TicketSnapshot(None, [], 0, [], ticket_id, error))
            return
        hidden = max(0, ticket.message_count - len(messages))
        self.app.call_from_thread(self._apply_ticket, request, TicketSnapshot(ticket, messages, hidden, events))

    def _apply_ticket(self, request: int, snapshot: TicketSnapshot) -> None:
        if request != self._ticket_request:
            return
        try:
            self._show_ticket(snapshot)
        finally:
            self._frame_hold.release()

    def _require_ticket(self) -> InboxRow | None:
        """The selected ticket; None, said, when there is none or its thread could not be read.

        After a failed load the agent sees an error, not the ticket: a reply or a change
        would act on a ticket they have not read.
        """
        row = self.inbox.current
        if row is None:
            self.notify(_("No ticket selected"), severity="warning")
        elif self._unreadable == row.id:
            self._error(_("#{id} could not be read").format(id=row.id))
            return None
        return row

    def _with_names(self, reader: Callable[[Store], list[str]], then: Callable[[list[str]], Any]) -> None:
        """Read a short list (agents, departments) off the event loop, then continue."""

        def work() -> None:
            try:
                names = reader(self.store)
            except Exception as error:
                self.app.call_from_thread(self.report_failure, error)
                return
            self.app.call_from_thread(then, names)

        self.run_worker(work, thread=True, group="names", exit_on_error=False)

    def _thread_shown(self, ticket_id: int) -> bool:
        """Whether the thread of `ticket_id` is what the panes show; if not, say why."""
        if self.ticket is not None and self.ticket.id == ticket_id:
            return True
        if self._unreadable == ticket_id:  # trying again would not help: the failure was said
            self._error(_("#{id} could not be read").format(id=ticket_id))
        else:
            self.notify(_("The thread is still loading; try again"), severity="warning")
        return False

    def _show_ticket(self, snapshot: TicketSnapshot) -> None:
        self._unreadable = snapshot.failed_id
        if snapshot.error is not None:
            self.report_failure(snapshot.error)
        self.ticket = snapshot.ticket
        self._messages = snapshot.messages
        self._latest_customer_text = next(
            (m.body for m in reversed(snapshot.messages) if m.kind == "customer"), None
        )
        sla_line = self._show_sla(snapshot.ticket) if snapshot.ticket is not None else None
        self.query_one(ThreadView).show(
            snapshot.ticket,
            snapshot.messages,
            self.status_label,
            snapshot.hidden_earlier,
            sla_line,
            failed_id=snapshot.failed_id,
            presence=self.presence_text(snapshot.ticket.id) if snapshot.ticket is not None else "",
        )
        shown = snapshot.ticket.id if snapshot.ticket is not None else None
        self.query_one(TimelineView).show(snapshot.events, self.status_label, shown)
        self.ticket_shown(snapshot.ticket)
        self.now_viewing(snapshot.ticket.id if snapshot.ticket is not None else None)

    def ticket_shown(self, ticket: Ticket | None) -> None:
        """The thread now shows this ticket, or none (ReadingActions: the customer's history)."""

    def presence_text(self, ticket_id: int) -> str:
        """Who else is on the ticket, for its header (PresenceJobs)."""
        return ""

    def now_viewing(self, ticket_id: int | None) -> None:
        """The agent has this ticket's thread in front of them, or none (PresenceJobs)."""

    def now_replying(self, ticket_id: int | None) -> None:
        """The agent's reply editor is open on this ticket, or on none (PresenceJobs)."""

    def others_on(self, ticket_id: int) -> list[Presence]:
        """The other agents on this ticket now, as last read (PresenceJobs)."""
        return []


    def _error(self, message: str) -> None:
        self.notify(message, severity="error", markup=False, timeout=8)

    def report_failure(self, error: BaseException) -> None:
        report_failure(self.app, error)

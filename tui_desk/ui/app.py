"""TuiDeskApp: inbox, thread and timeline; every action a key, a help line and a command.

The app is built from injected parts (store, clock, actor) so tests run it on a
temporary store with a fixed time. It never runs SQL itself: reads go through
`store.queries`, changes through the status-transition service, both in
thread workers so the screen never waits on the database.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Footer, Static

from ..core import requests, sla_tracking
from ..core.actions import Outcome, action_name, undo_last, undo_summary
from ..core.change_text import change_summary
from ..core.lifecycle import TicketService
from ..core.names import parse_tag_text
from ..core.rules import RulesConfig, run_rules
from ..core.saved_views import SavedViews
from ..core.sla import SlaPolicies, SlaState
from ..core.sla_tracking import SlaView
from ..core.ticket_ids import parse_ticket_id
from ..core.triage import next_to_solve
from ..domain.clock import Clock, system_clock, to_epoch
from ..domain.errors import NotFound, TuiDeskError
from ..domain.models import (
    PRIORITY_ORDER,
    Event,
    InboxRow,
    Meaning,
    Message,
    StatusDef,
    Ticket,
    priority_label,
    status_label,
)
from ..domain.text import one_line, printable
from ..i18n import N_, _, ngettext
from ..mail.outbox import reply_options
from ..mail.settings import MailSettings
from ..store import Store, open_store, queries
from ..store.queries import VIEW_ALL, VIEW_ATTENTION, InboxFilter
from .drafts import Drafts
from .empty_hint import getting_started
from .failures import ReportsWorkerFailures, describe_failure, report_failure
from .format import local_time, markup_literal
from .frames import FrameHold
from .localize import localize_bindings
from .saved_views import SavedViewsMixin
from .screens.dialogs import ChoiceDialog, ConfirmDialog, TextPrompt
from .screens.full_text import FullTextScreen
from .screens.help import HelpScreen
from .screens.postpone import PostponeDialog
from .screens.reply import Draft, ReplyScreen
from .screens.reports import ReportsScreen
from .screens.templates import TemplatesScreen
from .sla_display import STATE_STYLE, row_mapping, sentence
from .widgets.inbox import PAGE_SIZE, InboxList
from .widgets.thread import DEFAULT_MESSAGE_LIMIT, ThreadView
from .widgets.timeline import TimelineView
from .widgets.view_tabs import ViewTabs

LIVE_INTERVAL = 1.0
SLA_TICK = 30.0
RULES_INTERVAL = 60.0
MAIL_INTERVAL = 60.0
CONFIRM_FROM = 50  # a bulk action over this many tickets asks first
MARK_ALL_LIMIT = 50_000


@dataclass(frozen=True)
class View:
    key: str
    label: str
    flt: InboxFilter


@dataclass(frozen=True)
class InboxSnapshot:
    total: int
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


class TuiDeskApp(ReportsWorkerFailures, SavedViewsMixin, App[None]):
    TITLE = "tui-desk"
    CSS_PATH = Path(__file__).parent / "app.tcss"  # absolute, so subclasses elsewhere find it

    BINDINGS = [
        Binding("r", "reply", N_("Reply"), tooltip=N_("Answer the customer")),
        Binding("n", "note", N_("Note"), tooltip=N_("Internal note, never sent")),
        Binding("e", "resolve", N_("Resolve")),
        Binding("p", "postpone", N_("Postpone")),
        Binding("s", "to_solve", N_("To solve"), tooltip=N_("Jump to the ticket that most needs an answer")),
        Binding("slash", "search", N_("Search")),
        # Not in the footer (no room at 80 columns in every language): each bulk notice names it.
        Binding("u", "undo", N_("Undo"), show=False, tooltip=N_("Take back your last action")),
        Binding("x", "reports", N_("Reports"), tooltip=N_("Backlog, response times, SLAs, tags")),
        Binding("question_mark", "help", N_("Help")),
        Binding("q", "quit", N_("Quit"), show=False),
        Binding("o", "reopen", N_("Reopen"), show=False),
        Binding("exclamation_mark", "spam", N_("Spam"), show=False),
        Binding("d", "delete", N_("Delete"), show=False),
        Binding("R", "restore", N_("Restore"), show=False),
        Binding("a", "assign", N_("Assign"), show=False),
        Binding("P", "priority", N_("Priority"), show=False),
        Binding("t", "tags", N_("Tags"), show=False),
        Binding("c", "custom_status", N_("Custom status"), show=False),
        Binding("D", "department", N_("Department"), show=False),
        Binding("asterisk", "mark_all", N_("Mark all"), show=False),
        Binding("number_sign", "go_to", N_("Go to ticket"), show=False),
        Binding("M", "merge", N_("Merge"), show=False),
        Binding("S", "split", N_("Split"), show=False),
        Binding("right_square_bracket", "next_ticket", N_("Next ticket"), show=False),
        Binding("left_square_bracket", "previous_ticket", N_("Previous ticket"), show=False),
        Binding("v", "pick_view", N_("View"), show=False),
        Binding("O", "toggle_order", N_("Sort: priority / SLA"), show=False),
        Binding("f", "filter", N_("Filter"), show=False),
        Binding("V", "save_view", N_("Save view"), show=False, tooltip=N_("Save the view, filter, search and sort under a name")),
        Binding("right_curly_bracket", "saved_view(1)", N_("Next saved view"), show=False),
        Binding("left_curly_bracket", "saved_view(-1)", N_("Previous saved view"), show=False),
        Binding("escape", "back", N_("Back"), show=False),
        Binding("m", "whole_thread", N_("Whole thread"), show=False),
        Binding("w", "full_text", N_("Full text"), show=False, tooltip=N_("Read long messages whole")),
        Binding("T", "toggle_timeline", N_("Timeline on/off"), show=False),
        Binding("z", "zoom", N_("Zoom pane"), show=False),
        Binding("less_than_sign", "resize_inbox(-3)", N_("Inbox smaller"), show=False),
        Binding("greater_than_sign", "resize_inbox(3)", N_("Inbox larger"), show=False),
        Binding("1", "view('attention')", N_("Needs attention"), show=False),
        Binding("2", "view('all')", N_("All"), show=False),
        Binding("3", "view('answered')", N_("Answered"), show=False),
        Binding("4", "view('postponed')", N_("Postponed"), show=False),
        Binding("5", "view('resolved')", N_("Resolved"), show=False),
        Binding("6", "view('spam')", N_("Spam"), show=False),
        Binding("7", "view('deleted')", N_("Deleted"), show=False),
        # Textual's own palette key, here so its footer label is translated too.
        Binding("ctrl+p", "command_palette", N_("palette"), show=False, priority=True, tooltip=N_("Open the command palette")),
    ]

    def __init__(
        self,
        store: Store,
        *,
        clock: Clock = system_clock,
        actor: str = "agent",
        live_interval: float | None = LIVE_INTERVAL,
        sla: SlaPolicies | None = None,
        rules: RulesConfig | None = None,
        notice: str | None = None,
        mail: MailSettings | None = None,
        config_file: Path | None = None,
    ) -> None:
        localize_bindings()  # before super().__init__(): every node copies its class's bindings
        super().__init__()
        self._language_notice = notice  # e.g. "no translation for 'de'", shown once the screen is up
        self.store = store
        self.clock = clock
        self.actor = actor
        self.service = TicketService(store, clock=clock, actor=actor, sla=sla)
        self.live_interval = live_interval
        self.flt = InboxFilter(view=VIEW_ATTENTION)
        self.view_key = VIEW_ATTENTION
        self.status_defs: dict[str, StatusDef] = {}
        self.counts: dict[str, int] = {}
        self.ticket: Ticket | None = None
        self.selected_id: int | None = None
        self._marker: tuple[int, int, int] | None = None
        self._ticket_request = 0
        self._inbox_request = 0
        self._whole_thread: set[int] = set()
        self.drafts = Drafts.next_to(store.path, actor)  # unsent replies and notes, until stored
        self._inbox_height = 45
        self._sla_seen: dict[int, SlaState] = {}
        self._latest_customer_text: str | None = None
        self._messages: list[Message] = []  # of the ticket shown, for split
        self._unreadable: int | None = None  # the ticket whose thread failed to load, if that is what is shown
        self.rules = rules  # None: time rules are left to cron (and to tests)
        self.mail = mail  # with [mail.smtp], replies are queued and sent in the background
        self.unsent = 0
        self._rules_started = False
        self.config_file = config_file  # where saved views are read and written; None: no saved views
        self.saved_views = SavedViews()
        self._frame_hold = FrameHold(self)

    # -- layout -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static("", id="status-bar")
        yield ViewTabs(id="view-tabs")
        with Vertical(id="inbox-pane"):
            yield InboxList(
                status_label=self.status_label,
                now=self.clock,
                sla_of=self.sla_view,
                on_move=self._frame_hold.hold,
                id="inbox",
            )
        with Horizontal(id="lower"):
            with Vertical(id="thread-pane"):
                yield ThreadView(id="thread")
            with Vertical(id="timeline-pane"):
                yield TimelineView(id="timeline")
        # No ^p key in the footer: it covered the last label at 80 columns; ? and the help name Ctrl+P.
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#inbox-pane").border_title = self._view_title()
        self.query_one("#thread-pane").border_title = _("Thread")
        self.query_one("#timeline-pane").border_title = _("Timeline")
        self.query_one(InboxList).focus()
        self.refresh_inbox()
        self.load_saved_views()
        if self._language_notice:
            self.notify(self._language_notice, severity="warning", markup=False)
        if self.live_interval:
            self.set_interval(self.live_interval, self.check_for_changes)
            self.set_interval(SLA_TICK, self.sla_tick)

    @property
    def inbox(self) -> InboxList:
        return self.query_one(InboxList)

    # -- labels -------------------------------------------------------------------------
    def status_label(self, key: str) -> str:
        definition = self.status_defs.get(key)
        return definition.label if definition else status_label(key)

    def sla_view(self, row: InboxRow | Ticket) -> SlaView:
        definition = self.status_defs.get(row.status)
        meaning = definition.meaning if definition else Meaning.ATTENTION
        return sla_tracking.view(row_mapping(row), meaning, self.service.sla, self.clock())

    def sla_tick(self) -> None:
        """Time passes: redraw SLA columns and warn when the open ticket turns near or breached."""
        self.inbox.refresh()
        if self.selected_id is not None:
            self.load_ticket(self.selected_id)  # its header and the near/breached warning

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
        parts = [_("Inbox") + ": " + (view.label if view else one_line(self.view_key))]
        if self.flt.search:
            parts.append(_("search “{q}”").format(q=one_line(self.flt.search, 30)))
        if self.flt.assignee:
            parts.append(_("assignee {a}").format(a=_("unassigned") if self.flt.assignee == "-" else one_line(self.flt.assignee)))
        if self.flt.department:
            parts.append(_("department {d}").format(d=one_line(self.flt.department)))
        if self.flt.tag:
            parts.append(_("tag {t}").format(t=one_line(self.flt.tag)))
        if self.flt.order == "sla":
            parts.append(_("by SLA due"))
        return Content(" · ".join(parts))

    def _update_status_bar(self) -> None:
        bar = Text()
        bar.append("tui-desk", style="bold")
        for key, count in self.counts.items():
            definition = self.status_defs.get(key)
            if definition is None or definition.meaning.value in ("spam", "deleted", "merged"):
                continue
            style = "bold" if definition.meaning.value == "attention" and count else "dim" if not count else ""
            bar.append("  ")
            bar.append(f"{definition.label} {count}", style=style)
        if self.inbox.marked:
            bar.append("   ")
            bar.append(_("{n} marked").format(n=f"{len(self.inbox.marked):,}"), style="bold reverse")
        if self.unsent:
            bar.append("   ")
            bar.append(_("{n} unsent").format(n=self.unsent), style="bold yellow")
        bar.append("   " + _("as {agent}").format(agent=one_line(self.actor)), style="dim")
        self.query_one("#status-bar", Static).update(bar)
        self.query_one("#inbox-pane").border_title = self._view_title()
        self.query_one("#inbox-pane").border_subtitle = ngettext("{n} ticket", "{n} tickets", self.inbox.total).format(
            n=f"{self.inbox.total:,}"
        )
        self.follow_saved_view()

    # -- loading ------------------------------------------------------------------------
    def refresh_inbox(self, select_id: int | None = None, keep_index: bool = True) -> None:
        """Reload the inbox in a worker, keeping the selected ticket selected if it is still shown."""
        self._inbox_request += 1
        wanted = select_id if select_id is not None else self.selected_id
        fallback = self.inbox.cursor if keep_index else 0
        self._load_inbox(self._inbox_request, self.flt, wanted, fallback)

    @work(thread=True, group="inbox", exit_on_error=False)
    def _load_inbox(self, request: int, flt: InboxFilter, wanted: int | None, fallback: int) -> None:
        try:
            marker = queries.change_marker(self.store)
            statuses = self.service.statuses(reload=True)
            total = queries.inbox_count(self.store, flt)
            position = queries.inbox_position(self.store, flt, wanted) if wanted is not None else None
            cursor = position if position is not None else min(fallback, max(0, total - 1))
            page_no = cursor // PAGE_SIZE
            pages = {page_no: queries.inbox_page(self.store, flt, page_no * PAGE_SIZE, PAGE_SIZE)}
        except Exception as error:
            self.call_from_thread(self.report_failure, error)
            return
        snapshot = InboxSnapshot(total, pages, cursor, statuses, marker)
        self.call_from_thread(self._apply_inbox, request, flt, snapshot)
        # The per-status counts scan an index of every ticket: after the rows are shown.
        try:
            counts = queries.status_counts(self.store)
        except Exception as error:
            self.call_from_thread(self.report_failure, error)
            return
        self.call_from_thread(self._apply_counts, request, counts)

    def _apply_counts(self, request: int, counts: dict[str, int]) -> None:
        if request == self._inbox_request:
            self.counts = counts
            self._update_status_bar()
            self.inbox.set_empty_hint(getting_started(self.store.path) if not any(counts.values()) else [])

    def _apply_inbox(self, request: int, flt: InboxFilter, snapshot: InboxSnapshot) -> None:
        if request != self._inbox_request:
            return
        if not self._rules_started:
            # After the first rows are on screen: a first run may replay SLA clocks for seconds.
            self._rules_started = True
            if self.rules is not None:
                self.run_time_rules()
                self.set_interval(RULES_INTERVAL, self.run_time_rules)
            if self.mail is not None and (self.mail.smtp is not None or self.mail.imap):
                self.run_mail()
                self.set_interval(MAIL_INTERVAL, self.run_mail)
            self._find_drafts()
        self._marker = snapshot.marker
        self.status_defs = snapshot.statuses
        store = self.store

        def loader(offset: int, limit: int) -> list[InboxRow]:
            return queries.inbox_page(store, flt, offset, limit)

        inbox = self.inbox
        previous = self.selected_id
        inbox.reset(loader, snapshot.total, snapshot.pages, snapshot.cursor)
        self._update_status_bar()
        current = inbox.current
        if current is None:
            self._ticket_request += 1  # a ticket still loading must not show in an empty inbox
            self.selected_id = None
            self.ticket = None
            self.query_one(ThreadView).show(None, [], self.status_label)
            self.query_one(TimelineView).show([], self.status_label)
        elif current.id == previous:
            self.load_ticket(current.id)  # same ticket: refresh its thread in place

    @on(InboxList.Highlighted)
    def _highlighted(self, event: InboxList.Highlighted) -> None:
        if event.row.id != self.selected_id or self.ticket is None:
            self.selected_id = event.row.id
            self.load_ticket(event.row.id)

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
            self.call_from_thread(self._apply_ticket, request, TicketSnapshot(None, [], 0, [], ticket_id, error))
            return
        hidden = max(0, ticket.message_count - len(messages))
        self.call_from_thread(self._apply_ticket, request, TicketSnapshot(ticket, messages, hidden, events))

    def _apply_ticket(self, request: int, snapshot: TicketSnapshot) -> None:
        if request != self._ticket_request:
            return
        try:
            self._show_ticket(snapshot)
        finally:
            self._frame_hold.release()

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
        )
        self.query_one(TimelineView).show(snapshot.events, self.status_label)

    @work(thread=True, group="drafts", exit_on_error=False)
    def _find_drafts(self) -> None:
        """Say at start which unsent texts a quit or crash left, wherever their tickets went.

        A draft waits on its ticket for r or n; nobody would find it without being told.
        A ticket merged since hands its draft on to the ticket it lives on in; one purged
        since leaves the file, and the notice says where it is.
        """
        waiting: list[int] = []
        lines: list[str] = []
        for kind, ticket_id in self.drafts.kept():
            try:
                ticket = queries.get_ticket(self.store, ticket_id)
                for _hop in range(100):  # merged into a ticket merged in turn…
                    if ticket.merged_into is None:
                        break
                    ticket = queries.get_ticket(self.store, ticket.merged_into)
                text = self.drafts.load(kind, ticket_id)
                written = self.drafts.written_at(kind, ticket_id)
                if text is not None and written is not None and any(
                    m.kind == kind and m.author == self.actor and m.body == text and to_epoch(m.created_at) >= written - 60
                    for m in queries.ticket_messages(self.store, ticket.id, limit=DEFAULT_MESSAGE_LIMIT)
                ):
                    # Stored after it was last written, but the app ended before it could delete
                    # it (a kill -9 or a quit while sending): offered again, it would go twice.
                    # The same words sent before the draft was written are another message.
                    with contextlib.suppress(OSError):  # then it is offered once more, no worse
                        self.drafts.delete(kind, ticket_id)
                    continue
            except NotFound:
                path = self.drafts.path(kind, ticket_id)
                lines.append(
                    _("#{id} no longer exists; your unsent text for it is in {path}").format(id=ticket_id, path=path)
                )
                continue
            if ticket.id != ticket_id:
                try:
                    self.drafts.move(kind, ticket_id, ticket.id)
                except OSError as error:  # one draft that cannot move never hides the others
                    lines.append(describe_failure(error, self.store.path))
                    continue
                lines.append(
                    _("#{id} was merged into #{target}: your unsent text for it is now on #{target}").format(
                        id=ticket_id, target=ticket.id
                    )
                )
            waiting.append(ticket.id)
        if waiting:
            shown = list(dict.fromkeys(waiting))
            tickets = ", ".join(f"#{i}" for i in shown[:10]) + (", …" if len(shown) > 10 else "")
            lines.insert(0, _("Unsent text kept for {tickets}: r or n on the ticket brings it back").format(tickets=tickets))
        if lines:
            text = "\n".join(lines[:6]) + ("\n…" if len(lines) > 6 else "")  # a notice, not a report
            self.call_from_thread(self.notify, text, severity="warning", markup=False, timeout=15)

    def run_time_rules(self) -> None:
        self._run_time_rules()

    @work(thread=True, group="rules", exclusive=True, exit_on_error=False)
    def _run_time_rules(self) -> None:
        """Wake postponed tickets, auto-resolve and purge, keep SLA clocks current (actor: system)."""
        try:
            report = run_rules(self.service, self.rules)
        except Exception as error:
            self.call_from_thread(self.report_failure, error)
            return
        if report.woken or report.auto_resolved or report.purged:
            message = _("Time rules: {woken} woken, {resolved} resolved automatically, {purged} purged").format(
                woken=report.woken, resolved=report.auto_resolved, purged=report.purged
            )
            self.call_from_thread(self.notify, message, markup=False, timeout=6)
        if report.changed or report.sla_rebuilt:
            self.call_from_thread(self.refresh_inbox)

    def run_mail(self) -> None:
        self._run_mail()

    @work(thread=True, group="mail", exclusive=True, exit_on_error=False)
    def _run_mail(self) -> None:
        """Send due replies and fetch new mail; the live refresh shows what arrives."""
        from ..mail.imap import fetch_all
        from ..mail.outbox import send_due, unsent_count

        assert self.mail is not None
        problems: list[str] = []
        if self.mail.smtp is not None:
            try:
                result = send_due(self.store, self.mail, clock=self.clock)
                problems.extend(error for _id, error in result.errors or [])
            except Exception as error:
                problems.append(describe_failure(error, self.store.path))
        if self.mail.imap:
            try:
                for _account, summary in fetch_all(self.service, self.mail):
                    left = _("not stored, left unseen on the server: {where}: {why}")
                    problems.extend(left.format(where=one_line(where), why=one_line(why)) for where, why in summary.skipped)
            except Exception as error:
                problems.append(describe_failure(error, self.store.path))
        try:
            unsent = unsent_count(self.store)
        except Exception as error:
            unsent = self.unsent
            problems.append(describe_failure(error, self.store.path))
        self.call_from_thread(self._mail_done, unsent, problems)

    def _mail_done(self, unsent: int, problems: list[str]) -> None:
        self.unsent = unsent
        self._update_status_bar()
        if problems:
            self.notify(
                _("Mail: {problem}").format(problem=problems[0]), severity="warning", markup=False, timeout=8
            )

    def check_for_changes(self) -> None:
        self._check_marker()

    @work(thread=True, group="live", exclusive=True, exit_on_error=False)
    def _check_marker(self) -> None:
        try:
            marker = queries.change_marker(self.store)
        except Exception as error:
            self.call_from_thread(self.report_failure, error)  # said once, not every second
            return
        if marker != self._marker:
            self.call_from_thread(self.refresh_inbox)

    def _error(self, message: str) -> None:
        self.notify(message, severity="error", markup=False, timeout=8)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification, the screens' too, through the sanitiser: refusals quote names and mail."""
        super().notify(printable(message), title=printable(title), severity=severity, timeout=timeout, markup=markup)

    def report_failure(self, error: BaseException) -> None:
        report_failure(self, error)

    # -- running changes ------------------------------------------------------------------
    def _require_ticket(self) -> InboxRow | None:
        row = self.inbox.current
        if row is None:
            self.notify(_("No ticket selected"), severity="warning")
        return row

    def _targets(self) -> list[int] | None:
        """What an action applies to: the marked tickets, else the selected one."""
        if self.inbox.marked:
            return sorted(self.inbox.marked)
        row = self._require_ticket()
        return [row.id] if row is not None else None

    @staticmethod
    def _which(ids: list[int]) -> str:
        return f"#{ids[0]}" if len(ids) == 1 else _("{n} marked tickets").format(n=f"{len(ids):,}")

    def perform_action(
        self,
        request: requests.ChangeRequest,
        ids: list[int],
        on_refused: Callable[[str], None] | None = None,
    ) -> None:
        """Run a request (recorded for undo) in a worker; notify its outcome; refresh the panes."""
        self._run_action(request, ids, on_refused, bool(self.inbox.marked))

    @work(thread=True, group="change", exit_on_error=False)
    def _run_action(
        self,
        request: requests.ChangeRequest,
        ids: list[int],
        on_refused: Callable[[str], None] | None,
        bulk: bool,
        on_done: Callable[[], None] | None = None,
    ) -> None:
        try:
            outcome = requests.run(self.service, request, ids)
        except Exception as error:  # a full disk or a damaged store as much as a refusal
            self.call_from_thread(self._action_failed, error, on_refused)
            return
        self.call_from_thread(self._acted, outcome, bulk, on_refused, on_done)

    def _action_failed(self, error: Exception, on_refused: Callable[[str], None] | None) -> None:
        self.report_failure(error)
        if on_refused is not None:
            on_refused(describe_failure(error, self.store.path))

    def _acted(
        self,
        outcome: Outcome,
        bulk: bool,
        on_refused: Callable[[str], None] | None,
        on_done: Callable[[], None] | None = None,
    ) -> None:
        if bulk:
            self.inbox.set_marks(set())
            severity: SeverityLevel = "warning" if outcome.refused else "information"
            text = outcome.summary()
            if outcome.changes:
                text += " · " + _("u undoes")
            self.notify(text, severity=severity, markup=False, timeout=8 if outcome.refused else 5)
        elif outcome.refused:
            self._error(outcome.refused[0][1])
            if on_refused is not None:
                on_refused(outcome.refused[0][1])
        else:
            self.notify(change_summary(outcome.changes, self.status_label), markup=False, timeout=4)
            if on_done is not None:
                on_done()
        if outcome.changes:
            self.refresh_inbox()
            if self.selected_id is not None:
                self.load_ticket(self.selected_id)

    # -- actions: writing ---------------------------------------------------------------------
    def _open_editor(self, kind: str) -> None:
        row = self._require_ticket()
        if row is None:
            return
        if self.ticket is not None and self.ticket.id == row.id and self.ticket.merged_into is not None:
            # Before the agent writes a word the store would refuse; a draft kept for it goes along.
            target = self.ticket.merged_into
            self._error(_("Ticket #{id} was merged into #{target}; work on #{target}").format(id=row.id, target=target))
            if self.drafts.load(kind, row.id) is not None:
                try:
                    self.drafts.move(kind, row.id, target)
                except OSError as error:
                    self.report_failure(error)
                    return
                self.notify(
                    _("#{id} was merged into #{target}: your unsent text for it is now on #{target}").format(
                        id=row.id, target=target
                    ),
                    severity="warning",
                    markup=False,
                )
            return
        kept = self.drafts.load(kind, row.id)
        quote = self._latest_customer_text if self.ticket is not None and self.ticket.id == row.id else None
        editor = ReplyScreen(
            kind,
            row.id,
            row.subject,
            kept or "",
            quote,
            store=self.store,
            actor=self.actor,
            drafts=self.drafts,
            on_send=lambda draft: self._store_draft(editor, draft),
        )
        self.push_screen(editor)
        if kept:
            self.notify(
                _("Your unsent text for #{id} is back in the editor").format(id=row.id), markup=False, timeout=6
            )

    def _store_draft(self, editor: ReplyScreen, draft: Draft) -> None:
        """Store the reply or note; the editor closes when it is stored and stays open if not."""
        request: requests.ChangeRequest
        if draft.kind == "reply":
            request = requests.Reply(draft.body, reply_options(self.mail) if self.mail is not None else {})
        else:
            request = requests.Note(draft.body)

        def refused(_message: str) -> None:
            editor.send_failed()
            if editor.draft_kept:
                self.notify(_("Your text is kept in the editor and in your drafts"), severity="warning", markup=False)
            else:  # the drafts folder failed too (a full disk): only the editor holds it now
                self.notify(
                    _("Your text is kept in the editor only: it could not be written to your drafts"),
                    severity="error",
                    markup=False,
                )

        self._run_action(
            request,
            [draft.ticket_id],
            refused,
            False,  # one ticket, whatever is marked
            editor.stored,
        )

    def action_reply(self) -> None:
        self._open_editor("reply")

    def action_note(self) -> None:
        self._open_editor("note")

    def _simple(self, request: requests.ChangeRequest) -> None:
        ids = self._targets()
        if ids is not None:
            self._confirm_many(request, ids)

    def _confirm_many(self, request: requests.ChangeRequest, ids: list[int]) -> None:
        """Ask first when many tickets would change."""
        if len(ids) < CONFIRM_FROM:
            self.perform_action(request, ids)
            return
        action = action_name(requests.action_kind(request)).capitalize()
        self.push_screen(
            ConfirmDialog(_("{action}: {which}?").format(action=action, which=self._which(ids))),
            lambda yes: yes and self.perform_action(request, ids),
        )

    def action_resolve(self) -> None:
        self._simple(requests.Resolve())

    def action_reopen(self) -> None:
        self._simple(requests.Reopen())

    def action_spam(self) -> None:
        self._simple(requests.MarkSpam())

    def action_restore(self) -> None:
        self._simple(requests.Restore())

    def action_delete(self) -> None:
        ids = self._targets()
        if ids is None:
            return
        if len(ids) == 1 and self.inbox.current is not None and self.inbox.current.id == ids[0]:
            question = _("Delete #{id} “{subject}”? It can be restored from the Deleted view.").format(
                id=ids[0], subject=one_line(self.inbox.current.subject, 50)
            )
        else:
            question = _("Delete {which}? They can be restored from the Deleted view.").format(which=self._which(ids))
        self.push_screen(
            ConfirmDialog(question),
            lambda yes: yes and self.perform_action(requests.Delete(), ids),
        )

    def action_postpone(self) -> None:
        ids = self._targets()
        if ids is None:
            return

        def chosen(value: str | None) -> None:
            if value:
                until = datetime.fromisoformat(value)
                self.perform_action(requests.Postpone(until), ids)

        self.push_screen(PostponeDialog(self._which(ids), self.clock()), chosen)

    def action_assign(self) -> None:
        ids = self._targets()
        if ids is None:
            return
        self._with_names(
            queries.agent_names,
            lambda agents: self.push_screen(
                ChoiceDialog(
                    _("Assign {which} to…").format(which=self._which(ids)),
                    [(self.actor, _("Me ({name})").format(name=one_line(self.actor)))]
                    + [(a, one_line(a)) for a in agents if a != self.actor]
                    + [("-", _("Nobody (unassign)"))],
                    allow_typed=True,
                    placeholder=_("type a name, or pick below"),
                ),
                lambda agent: agent
                and self.perform_action(requests.Assign(agent), ids),
            ),
        )

    def action_department(self) -> None:
        ids = self._targets()
        if ids is None:
            return
        self._with_names(
            queries.department_names,
            lambda names: self.push_screen(
                ChoiceDialog(
                    _("Department of {which}").format(which=self._which(ids)),
                    [(n, n) for n in names] + [("-", _("No department"))],
                    allow_typed=True,
                    placeholder=_("type a department, or pick below"),
                ),
                lambda name: name
                and self.perform_action(requests.SetDepartment(name), ids),
            ),
        )

    def action_priority(self) -> None:
        ids = self._targets()
        if ids is None:
            return
        current = self.inbox.current
        self.push_screen(
            ChoiceDialog(
                _("Priority of {which}").format(which=self._which(ids)),
                [(p.value, priority_label(p.value)) for p in PRIORITY_ORDER],
                selected=current.priority if current is not None and len(ids) == 1 else None,
            ),
            lambda value: value
            and self.perform_action(requests.SetPriority(value), ids),
        )

    def action_tags(self) -> None:
        ids = self._targets()
        if ids is None:
            return
        single = len(ids) == 1 and self.ticket is not None and self.ticket.id == ids[0]
        current = one_line(", ".join(self.ticket.tags)) if single and self.ticket is not None else ""

        def typed(value: str | None) -> None:
            if not value or not value.strip():
                return
            try:
                edit = parse_tag_text(value)  # the CLI's rules: +a adds, -b removes, a bare word adds
            except TuiDeskError as error:
                self._error(str(error))
                return
            self.perform_action(requests.Tag(edit), ids)

        self.push_screen(
            TextPrompt(
                _("Tags of {which}").format(which=self._which(ids)),
                placeholder=_("+tag adds, -tag removes; a bare word adds"),
                hint=_("Now: {tags}").format(tags=current or "–") if single else None,
            ),
            typed,
        )

    def action_custom_status(self) -> None:
        ids = self._targets()
        if ids is None:
            return
        custom = [d for d in self.status_defs.values() if not d.builtin and d.meaning is not Meaning.MERGED]
        if not custom:
            self.notify(
                _("No custom statuses yet: add one with  tui-desk statuses --add NAME --meaning hold"),
                severity="warning",
                markup=False,
            )
            return
        self.push_screen(
            ChoiceDialog(
                _("Status of {which}").format(which=self._which(ids)),
                [(d.key, d.label) for d in custom],
            ),
            lambda key: key
            and self.perform_action(requests.SetCustomStatus(key), ids),
        )

    # -- marks, undo, merge, split ------------------------------------------------------------
    def action_toggle_mark(self) -> None:
        self.inbox.toggle_mark()

    def action_mark_all(self) -> None:
        """Mark every ticket of the view or search (again: unmark them)."""
        flt, total = self.flt, self.inbox.total
        if total and len(self.inbox.marked) >= min(total, MARK_ALL_LIMIT):
            self.inbox.set_marks(set())
            return

        def work() -> None:
            try:
                ids = queries.inbox_ids(self.store, flt, MARK_ALL_LIMIT)
            except Exception as error:
                self.call_from_thread(self.report_failure, error)
                return
            self.call_from_thread(self._marked_all, flt, ids, total)

        self.run_worker(work, thread=True, group="marks", exit_on_error=False)

    def _marked_all(self, flt: InboxFilter, ids: list[int], total: int) -> None:
        if flt != self.flt:
            return  # the agent moved to another view meanwhile: these tickets are out of sight
        self.inbox.set_marks(set(ids))
        if total > len(ids):
            self.notify(
                _("Marked the first {n} of {total} tickets").format(n=f"{len(ids):,}", total=f"{total:,}"),
                severity="warning",
            )

    @on(InboxList.MarksChanged)
    def _marks_changed(self) -> None:
        self._update_status_bar()

    def action_undo(self) -> None:
        self._undo()

    @work(thread=True, group="change", exit_on_error=False)
    def _undo(self) -> None:
        try:
            outcome = undo_last(self.service)
        except TuiDeskError as error:
            self.call_from_thread(self.notify, str(error), severity="warning", markup=False, timeout=8)
            return
        except Exception as error:
            self.call_from_thread(self.report_failure, error)
            return
        self.call_from_thread(self._undone, outcome)

    def _undone(self, outcome: Outcome) -> None:
        self.notify(undo_summary(outcome), severity="warning" if outcome.refused else "information", markup=False)
        self.refresh_inbox()
        if self.selected_id is not None:
            self.load_ticket(self.selected_id)

    def action_merge(self) -> None:
        """Merge the marked tickets into the selected one; with none marked, the selected one into another."""
        row = self._require_ticket()
        if row is None:
            return
        target = row.id
        sources = sorted(self.inbox.marked - {target})
        if sources:
            self.push_screen(
                ConfirmDialog(
                    _("Merge {which} into #{id} “{subject}”?").format(
                        which=self._which(sources), id=target, subject=one_line(row.subject, 40)
                    )
                ),
                lambda yes: yes
                and self.perform_action(requests.Merge(target), sources),
            )
            return

        def typed(value: str | None) -> None:
            if not value or not value.strip():
                return
            try:
                into = parse_ticket_id(value)
            except TuiDeskError as error:
                self._error(str(error))
                return
            self.perform_action(requests.Merge(into), [target])

        self.push_screen(
            TextPrompt(
                _("Merge #{id} into ticket…").format(id=target),
                placeholder=_("ticket number"),
                hint=_("Its thread, timeline and tags move there; #{id} stays as a pointer. Or mark tickets (space) and press M on the one to keep.").format(id=target),
            ),
            typed,
        )

    def action_split(self) -> None:
        """Split one of the customer's messages off into a new ticket."""
        row = self._require_ticket()
        if row is None:
            return
        if not self._thread_shown(row.id):
            return
        messages = [m for m in self._messages if m.kind == "customer"]
        if self.ticket is None or self.ticket.message_count < 2 or not messages:
            self.notify(_("#{id} has no other message: there is nothing to split off").format(id=row.id), severity="warning")
            return
        self.push_screen(
            ChoiceDialog(
                _("Split which message of #{id} into a new ticket?").format(id=row.id),
                [(str(m.id), f"{local_time(m.created_at)} · {one_line(m.body[:200], 60)}") for m in reversed(messages)],
            ),
            lambda chosen: chosen
            and self.perform_action(requests.Split(int(chosen)), [row.id]),
        )

    def _with_names(self, reader: Callable[[Store], list[str]], then: Callable[[list[str]], Any]) -> None:
        """Read a short list (agents, departments) off the event loop, then continue."""

        def work() -> None:
            try:
                names = reader(self.store)
            except Exception as error:
                self.call_from_thread(self.report_failure, error)
                return
            self.call_from_thread(then, names)

        self.run_worker(work, thread=True, group="names", exit_on_error=False)

    # -- actions: moving ------------------------------------------------------------------------
    def action_next_ticket(self) -> None:
        self.inbox.action_cursor(1)

    def action_previous_ticket(self) -> None:
        self.inbox.action_cursor(-1)

    def action_to_solve(self) -> None:
        def work() -> None:
            try:
                ticket_id = next_to_solve(self.store)
            except Exception as error:
                self.call_from_thread(self.report_failure, error)
                return
            self.call_from_thread(self._go_to_solve, ticket_id)

        self.run_worker(work, thread=True, group="to-solve", exit_on_error=False)

    def _go_to_solve(self, ticket_id: int | None) -> None:
        if ticket_id is None:
            self.notify(_("Nothing needs an answer now"))
            return
        flt = InboxFilter(view=VIEW_ATTENTION)
        if flt != self.flt and self.inbox.marked:  # marks belong to the view being left
            self.inbox.set_marks(set())
        self.view_key = VIEW_ATTENTION
        self.flt = flt
        self.selected_id = ticket_id
        self.ticket = None
        self.refresh_inbox(select_id=ticket_id)
        self.inbox.focus()

    def action_go_to(self) -> None:
        """Open a ticket by its number, in whichever view holds it."""

        def typed(value: str | None) -> None:
            if not value or not value.strip():
                return
            try:
                ticket_id = parse_ticket_id(value)
            except TuiDeskError as error:
                self._error(str(error))
                return

            def work() -> None:
                try:
                    ticket = queries.get_ticket(self.store, ticket_id)
                except Exception as error:
                    self.call_from_thread(self.report_failure, error)
                    return
                self.call_from_thread(self._go_to_ticket, ticket)

            self.run_worker(work, thread=True, group="go-to", exit_on_error=False)

        self.push_screen(TextPrompt(_("Go to ticket…"), placeholder=_("ticket number")), typed)

    def _go_to_ticket(self, ticket: Ticket) -> None:
        definition = self.status_defs.get(ticket.status)
        if definition is not None and definition.meaning in (Meaning.SPAM, Meaning.DELETED, Meaning.MERGED):
            flt, key = InboxFilter(view="status", statuses=(ticket.status,)), ticket.status
        else:
            flt, key = InboxFilter(view=VIEW_ALL), VIEW_ALL
        self.selected_id = ticket.id
        self.ticket = None
        self.set_filter(flt, key)
        self.inbox.focus()

    def set_filter(self, flt: InboxFilter, view_key: str | None = None) -> None:
        self.flt = flt
        if self.inbox.marked:  # marks belong to the tickets in sight: another view starts clean
            self.inbox.set_marks(set())
        if view_key is not None:
            self.view_key = view_key
        self.query_one("#inbox-pane").border_title = self._view_title()
        self.refresh_inbox(keep_index=False)

    def action_view(self, key: str) -> None:
        view = next((v for v in self.views() if v.key == key), None)
        if view is None:
            return
        self.set_filter(
            view.flt.with_(
                search=self.flt.search,
                assignee=self.flt.assignee,
                department=self.flt.department,
                tag=self.flt.tag,
                order=self.flt.order,
            ),
            view.key,
        )

    def action_toggle_order(self) -> None:
        order = "inbox" if self.flt.order == "sla" else "sla"
        self.set_filter(self.flt.with_(order=order))
        self.notify(_("Sorted by SLA due time") if order == "sla" else _("Sorted by priority, then waiting time"))

    def action_pick_view(self) -> None:
        self.push_screen(
            ChoiceDialog(_("Show…"), [(v.key, v.label) for v in self.views()] + self.saved_view_choices()),
            lambda key: key and (self.picked_saved_view(key) or self.action_view(key)),
        )

    def action_search(self) -> None:
        def typed(value: str | None) -> None:
            if value is not None:
                self.set_filter(self.flt.with_(search=value.strip() or None))

        self.push_screen(
            TextPrompt(
                _("Search subjects and messages"),
                value=self.flt.search or "",
                placeholder=_("words; empty clears the search"),
            ),
            typed,
        )

    def action_filter(self) -> None:
        choices = [
            ("assignee", _("By assignee…")),
            ("mine", _("Mine ({name})").format(name=one_line(self.actor))),
            ("unassigned", _("Unassigned")),
            ("department", _("By department…")),
            ("tag", _("By tag…")),
            ("clear", _("Clear filters and search")),
        ]

        def pick_value(kind: str, names: list[str]) -> None:
            field = {"assignee": "assignee", "department": "department", "tag": "tag"}[kind]
            self.push_screen(
                ChoiceDialog(_("Filter by {what}").format(what=field), [(n, one_line(n)) for n in names], allow_typed=True),
                lambda value: value and self.set_filter(self.flt.with_(**{field: value})),
            )

        def chosen(kind: str | None) -> None:
            if kind == "clear":
                self.set_filter(InboxFilter(view=self.flt.view, statuses=self.flt.statuses))
            elif kind == "mine":
                self.set_filter(self.flt.with_(assignee=self.actor))
            elif kind == "unassigned":
                self.set_filter(self.flt.with_(assignee="-"))
            elif kind in ("assignee", "department", "tag"):
                reader = {
                    "assignee": queries.agent_names,
                    "department": queries.department_names,
                    "tag": queries.tag_names,
                }[kind]
                self._with_names(reader, lambda names: pick_value(kind, names))

        self.push_screen(ChoiceDialog(_("Filter the inbox"), choices), chosen)

    def action_back(self) -> None:
        """Esc: leave a pane for the inbox; in the inbox, clear search and filters."""
        if self.screen.maximized is not None:
            self.screen.minimize()
            return
        if self.focused is not self.inbox:
            self.inbox.focus()
            return
        if self.inbox.marked:
            self.inbox.set_marks(set())
            return
        if self.flt.search or self.flt.assignee or self.flt.department or self.flt.tag:
            self.set_filter(InboxFilter(view=self.flt.view, statuses=self.flt.statuses))

    def action_whole_thread(self) -> None:
        if self.selected_id is not None:
            self._whole_thread.add(self.selected_id)
            self.load_ticket(self.selected_id)

    def action_full_text(self) -> None:
        """Every message of the thread whole, however long (the thread pane cuts long ones)."""
        row = self._require_ticket()
        if row is None:
            return
        if not self._thread_shown(row.id):
            return
        ticket, messages = self.ticket, self._messages
        assert ticket is not None
        if len(messages) >= ticket.message_count:
            self.push_screen(FullTextScreen(ticket, messages))
            return

        # The thread pane holds only the latest messages of a long thread: read them all.
        def work() -> None:
            try:
                everything = queries.ticket_messages(self.store, ticket.id)
            except Exception as error:
                self.call_from_thread(self.report_failure, error)
                return
            self.call_from_thread(self.push_screen, FullTextScreen(ticket, everything))

        self.run_worker(work, thread=True, group="full-text", exit_on_error=False)

    def action_toggle_timeline(self) -> None:
        self.query_one("#timeline-pane").toggle_class("hidden")

    def action_zoom(self) -> None:
        if self.screen.maximized is not None:
            self.screen.minimize()
        elif self.focused is not None:
            self.screen.maximize(self.focused)

    def action_resize_inbox(self, delta: int) -> None:
        self._inbox_height = max(15, min(85, self._inbox_height + delta))
        self.query_one("#inbox-pane").styles.height = f"{self._inbox_height}%"

    def action_reports(self) -> None:
        self.push_screen(ReportsScreen(self.store, self.service.sla, self.clock))

    def action_saved_replies(self) -> None:
        self.push_screen(TemplatesScreen(self.store))

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.help_sections()))

    def help_sections(self) -> list[tuple[str, list[tuple[str, str]]]]:
        return [
            (_("Move"), [
                ("j / ↓, k / ↑", _("Next / previous ticket")),
                ("g / G", _("First / last ticket")),
                ("PgDn / PgUp", _("Page down / up")),
                ("] / [", _("Next / previous ticket from any pane")),
                ("Enter", _("Read the thread")),
                ("Tab / Shift+Tab", _("Next / previous pane")),
                ("Esc", _("Back to the inbox; clear search and filters")),
                ("s", _("To solve: jump to the ticket that most needs an answer")),
                ("#", _("Go to a ticket by its number")),
            ]),
            (_("Act on the ticket"), [
                ("r", _("Reply to the customer (Ctrl+S sends, Esc cancels)")),
                ("n", _("Internal note")),
                ("e", _("Resolve")),
                ("p", _("Postpone (1 hour, tomorrow, next week or a typed time)")),
                ("o", _("Reopen")),
                ("!", _("Mark as spam")),
                ("d", _("Delete (asks first)")),
                ("R", _("Restore from Spam or Deleted")),
                ("a", _("Assign")),
                ("P", _("Set priority")),
                ("t", _("Edit tags")),
                ("c", _("Set a custom status")),
                ("D", _("Set department")),
                ("M", _("Merge: the marked tickets into this one, or this one into another")),
                ("S", _("Split one of the customer's messages off into a new ticket")),
                ("u", _("Undo your last action (bulk ones too)")),
            ]),
            (_("Marked tickets"), [
                (_("Space"), _("Mark / unmark the ticket and move down")),
                ("*", _("Mark every ticket of the view or search (again: unmark)")),
                ("Esc", _("Clear the marks")),
                ("e p a t …", _("Act on all the marked tickets; each is changed or named as refused")),
            ]),
            (_("Views"), [
                ("1 … 7", _("Needs attention, All, Answered, Postponed, Resolved, Spam, Deleted")),
                ("v", _("Pick a view (custom statuses and saved views too)")),
                ("V", _("Save the view, filter, search and sort under a name")),
                ("{ / }", _("Previous / next saved view (the tabs above the inbox)")),
                ("/", _("Search subjects and messages")),
                ("f", _("Filter by assignee, department or tag")),
                ("m", _("Show the whole thread of a long ticket")),
                ("w", _("Read long messages whole (the thread shows the start of each)")),
                ("O", _("Sort by priority and waiting time, or by SLA due time")),
            ]),
            (_("Layout"), [
                ("T", _("Show / hide the timeline")),
                ("z", _("Zoom the focused pane (Esc restores)")),
                ("< / >", _("Inbox smaller / larger")),
            ]),
            (_("Saved replies"), [
                ("Ctrl+T", _("In the reply or note editor: insert a saved reply (type to filter, Enter inserts)")),
                ("Ctrl+P", _("“Saved replies”: add, edit, rename or delete them")),
            ]),
            (_("App"), [
                ("x", _("Reports: backlog, response times, SLAs, tags (7 / 3 / 9 days, b groups)")),
                ("Ctrl+P", _("Command palette: every action by name")),
                ("?", _("This help")),
                ("q", _("Quit")),
            ]),
        ]

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        commands = [
            (_("Reply"), _("Answer the customer"), self.action_reply),
            (_("Internal note"), _("Add a note only agents see"), self.action_note),
            (_("Resolve"), _("Mark the ticket resolved"), self.action_resolve),
            (_("Postpone"), _("Hide the ticket until a time"), self.action_postpone),
            (_("Reopen"), _("Reopen a resolved ticket"), self.action_reopen),
            (_("Mark as spam"), _("Move the ticket to Spam"), self.action_spam),
            (_("Delete"), _("Move the ticket to Deleted"), self.action_delete),
            (_("Restore"), _("Bring back from Spam or Deleted"), self.action_restore),
            (_("Assign"), _("Give the ticket to an agent"), self.action_assign),
            (_("Set priority"), _("Urgent, high, normal or low"), self.action_priority),
            (_("Edit tags"), _("Add or remove tags"), self.action_tags),
            (_("Set custom status"), _("One of the team's own statuses"), self.action_custom_status),
            (_("Set department"), _("Move the ticket to a department"), self.action_department),
            (_("Undo"), _("Take back your last action"), self.action_undo),
            (_("Mark all"), _("Mark every ticket of the view or search"), self.action_mark_all),
            (_("Merge"), _("Merge the marked tickets into this one, or this one into another"), self.action_merge),
            (_("Split"), _("Split a customer's message off into a new ticket"), self.action_split),
            (_("To solve"), _("Jump to the ticket that most needs an answer"), self.action_to_solve),
            (_("Go to ticket…"), _("Go to a ticket by its number"), self.action_go_to),
            (_("Next ticket"), _("Open the next ticket"), self.action_next_ticket),
            (_("Search"), _("Search subjects and messages"), self.action_search),
            (_("Filter"), _("By assignee, department or tag"), self.action_filter),
            (_("Sort by SLA due / by priority"), _("Switch the inbox order"), self.action_toggle_order),
            (_("Full text"), _("Read long messages whole"), self.action_full_text),
            (_("Toggle timeline"), _("Show or hide the timeline pane"), self.action_toggle_timeline),
            (_("Reports"), _("Backlog, response and resolution times, SLA compliance, tags"), self.action_reports),
            (_("Saved replies"), _("Add, edit, rename or delete reply templates"), self.action_saved_replies),
            (_("Help"), _("All keys"), self.action_help),
        ]
        for title, help_text, callback in commands:
            yield SystemCommand(title, help_text, callback)
        for view in self.views():
            yield SystemCommand(
                _("View: {name}").format(name=markup_literal(view.label)),  # the palette reads markup
                _("Show these tickets in the inbox"),
                lambda key=view.key: self.action_view(key),
            )
        yield from self.saved_view_commands()


def run_app(
    path: Path,
    actor: str,
    sla: SlaPolicies | None = None,
    rules: RulesConfig | None = None,
    notice: str | None = None,
    mail: MailSettings | None = None,
    config_file: Path | None = None,
) -> int:
    store = open_store(path)
    try:
        TuiDeskApp(
            store, actor=actor, sla=sla, rules=rules or RulesConfig(), notice=notice, mail=mail, config_file=config_file
        ).run()
    finally:
        store.close()
    return 0

"""Moving about the main screen: between tickets, views, filters and panes.

A base of MainScreen (main_screen.py); what the inbox shows is its one reactive
`inbox_filter` (panes.py), so every move here ends in `set_filter`.
"""

from __future__ import annotations

from ..core.change_text import shown_status
from ..core.customers import CustomerHistory, customer_history
from ..core.ticket_ids import parse_ticket_id
from ..core.triage import ToSolve, narrows, to_solve_within
from ..domain.errors import TuiDeskError
from ..domain.models import PRIORITY_ORDER, Meaning, Ticket, priority_label
from ..domain.text import one_line
from ..i18n import _, ngettext, number
from ..store import queries
from ..store.queries import VIEW_ALL, VIEW_ATTENTION, InboxFilter
from .panes import PanesBase, given
from .screens.dialogs import ChoiceDialog, TextPrompt
from .screens.filter_picker import FilterPicker
from .screens.full_text import FullTextScreen
from .screens.reports import ReportsScreen
from .screens.templates import TemplatesScreen
from .widgets.history import SHOWN


class Navigation(PanesBase):
    """The keys that move, look and switch views; none of them changes a ticket."""

    def action_next_ticket(self) -> None:
        self.inbox.action_cursor(1)

    def action_previous_ticket(self) -> None:
        self.inbox.action_cursor(-1)

    def action_to_solve(self) -> None:
        current = self.inbox_filter

        def work() -> None:
            try:
                found = to_solve_within(self.store, current)
            except Exception as error:
                self.app.call_from_thread(self.report_failure, error)
                return
            self.app.call_from_thread(self._go_to_solve, found)

        self.run_worker(work, thread=True, group="to-solve", exit_on_error=False)

    def _go_to_solve(self, found: ToSolve) -> None:
        if found.ticket_id is None:
            self.notify(_("Nothing needs an answer now"))
            return
        if found.left_filter:
            self.notify(_("Nothing in this filter needs attention; showing the next one of the whole inbox"))
        self.selected_id = found.ticket_id
        self.ticket = None
        self.set_filter(found.shown, VIEW_ATTENTION)
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
            self._go_to_id(ticket_id)

        self.app.push_screen(TextPrompt(_("Go to ticket…"), placeholder=_("ticket number")), typed)

    def action_customer_tickets(self) -> None:
        """The customer's other tickets, newest first; the one picked opens in whichever view holds it."""
        row = self._require_ticket()
        if row is None:
            return
        current, email = row.id, row.customer_email

        def work() -> None:
            try:
                history = customer_history(self.store, email)
            except Exception as error:
                self.app.call_from_thread(self.report_failure, error)
                return
            self.app.call_from_thread(self._pick_customer_ticket, history, current)

        self.run_worker(work, thread=True, group="customer", exit_on_error=False)

    def _pick_customer_ticket(self, history: CustomerHistory, current: int) -> None:
        others = [t for t in history.tickets if t.id != current]
        if not others:
            self.notify(_("{email} has no other tickets").format(email=one_line(history.email)))
            return
        # The newest SHOWN, as H shows: 65,000 options built on the event loop froze it 1.7 s.
        choices = [
            (str(t.id), f"#{t.id}  {shown_status(t.status, self.status_defs)}  {t.updated_at[:10]}  {one_line(t.subject, 60)}")
            for t in others[:SHOWN]
        ]
        more = len(others) - SHOWN
        hint = ngettext(
            "… {n} older ticket: tui-desk customer EMAIL lists them all", "… {n} older tickets: tui-desk customer EMAIL lists them all", more
        ).format(n=number(more)) if more > 0 else ""
        title = _("Tickets of {customer}").format(customer=one_line(history.name or history.email, 40))

        def picked(value: str | None) -> None:
            if value is not None:
                self._go_to_id(int(value))

        self.app.push_screen(ChoiceDialog(title, choices, hint=hint), picked)

    def _go_to_id(self, ticket_id: int) -> None:
        def work() -> None:
            try:
                ticket = queries.get_ticket(self.store, ticket_id)
            except Exception as error:
                self.app.call_from_thread(self.report_failure, error)
                return
            self.app.call_from_thread(self._go_to_ticket, ticket)

        self.run_worker(work, thread=True, group="go-to", exit_on_error=False)

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

    def action_toggle_order(self) -> None:
        order = "inbox" if self.inbox_filter.order == "sla" else "sla"
        self.set_filter(self.inbox_filter.with_(order=order))
        self.notify(_("Sorted by SLA due time") if order == "sla" else _("Sorted by priority, then waiting time"))

    def action_search(self) -> None:
        def typed(value: str | None) -> None:
            if value is not None:
                self.set_filter(self.inbox_filter.with_(search=value.strip() or None))

        self.app.push_screen(
            TextPrompt(
                _("Search subjects and messages"),
                value=self.inbox_filter.search or "",
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
            ("status", _("By status…")),
            ("priority", _("By priority…")),
            ("clear", _("Clear filters and search")),
        ]

        def pick_value(kind: str) -> None:
            reader, title, unknown = {
                "assignee": (queries.agent_names, _("Filter by assignee"), _("No agent called “{name}”")),
                "department": (queries.department_names, _("Filter by department"), _("No department called “{name}”")),
                "tag": (queries.tag_names, _("Filter by tag"), _("No tag called “{name}”")),
            }[kind]
            self.app.push_screen(
                FilterPicker(
                    self.store,
                    reader,
                    title=title,
                    unknown=lambda name: unknown.format(name=name),
                    current=getattr(self.inbox_filter, kind),
                ),
                given(lambda value: self.set_filter(self.inbox_filter.with_(**{kind: value}))),
            )

        def pick_status() -> None:
            definitions = dict(self.status_defs)  # read now: the picker's worker thread must not touch the screen
            statuses = self.inbox_filter.statuses
            self.app.push_screen(
                FilterPicker(
                    self.store,
                    lambda _store: list(definitions),
                    title=_("Filter by status"),
                    unknown=lambda name: _("No status called “{name}”").format(name=name),
                    current=statuses[0] if len(statuses) == 1 else None,
                    shown_as=lambda key: definitions[key].label,
                    also_as=lambda key: (key, definitions[key].name),  # "open" or "Open" in any language
                ),
                # A status is what a view shows (as the number keys do): the other filters are kept.
                given(lambda key: self.set_filter(self.inbox_filter.with_(view="status", statuses=(key,)), key)),
            )

        def pick_priority() -> None:
            self.app.push_screen(
                FilterPicker(
                    self.store,
                    lambda _store: [str(p) for p in PRIORITY_ORDER],
                    title=_("Filter by priority"),
                    unknown=lambda name: _("No priority called “{name}”").format(name=name),
                    current=self.inbox_filter.priority,
                    shown_as=priority_label,
                    also_as=lambda key: (key,),  # the config's and the English name
                ),
                given(lambda value: self.set_filter(self.inbox_filter.with_(priority=value))),
            )

        def chosen(kind: str | None) -> None:
            if kind == "clear":
                self.set_filter(InboxFilter(view=self.inbox_filter.view, statuses=self.inbox_filter.statuses))
            elif kind == "mine":
                self.set_filter(self.inbox_filter.with_(assignee=self.actor))
            elif kind == "unassigned":
                self.set_filter(self.inbox_filter.with_(assignee="-"))
            elif kind in ("assignee", "department", "tag"):
                pick_value(kind)
            elif kind == "status":
                pick_status()
            elif kind == "priority":
                pick_priority()

        self.app.push_screen(ChoiceDialog(_("Filter the inbox"), choices), chosen)

    def action_back_to_inbox(self) -> None:
        """Esc: leave a pane for the inbox; in the inbox, clear the marks, then search and filters."""
        if self.maximized is not None:
            self.minimize()
            return
        if self.focused is not self.inbox:
            self.inbox.focus()
            return
        if self.inbox.marked:
            self.inbox.set_marks(set())
            return
        if narrows(self.inbox_filter):
            self.set_filter(InboxFilter(view=self.inbox_filter.view, statuses=self.inbox_filter.statuses))

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
            self.app.push_screen(FullTextScreen(ticket, messages))
            return

        # The thread pane holds only the latest messages of a long thread: read them all.
        def work() -> None:
            try:
                everything = queries.ticket_messages(self.store, ticket.id)
            except Exception as error:
                self.app.call_from_thread(self.report_failure, error)
                return
            self.app.call_from_thread(self.app.push_screen, FullTextScreen(ticket, everything))

        self.run_worker(work, thread=True, group="full-text", exit_on_error=False)

    def action_toggle_timeline(self) -> None:
        self.query_one("#timeline-pane").toggle_class("hidden")

    def action_zoom(self) -> None:
        if self.maximized is not None:
            self.minimize()
        elif self.focused is not None:
            self.maximize(self.focused)

    def action_resize_inbox(self, delta: int) -> None:
        self._inbox_height = max(15, min(85, self._inbox_height + delta))
        self.query_one("#inbox-pane").styles.height = f"{self._inbox_height}%"

    def action_reports(self) -> None:
        self.app.push_screen(ReportsScreen(self.store, self.service.sla, self.clock))

    def action_saved_replies(self) -> None:
        self.app.push_screen(TemplatesScreen(self.store))

"""Reading the thread (issue 15 items 8 and 9, docs/issue15/reading.md): the quoted older mail
in a customer's messages folded and unfolded, and the customer's other tickets under the thread."""

from __future__ import annotations

import time

from textual import on
from textual.widgets import OptionList

from ..core.customers import CustomerHistory, customer_history
from ..domain.errors import NotFound
from ..domain.models import Ticket
from ..i18n import _
from .action_table import ACTION_BY_ID, keys_label
from .navigation import Navigation
from .widgets.history import CustomerHistoryList
from .widgets.thread import ThreadView

HISTORY_DELAY = 0.15  # seconds a ticket is shown before its customer's history is read


class ReadingActions(Navigation):
    _history_request = 0

    def show_unfold_key(self) -> None:
        """Fold lines name the key that unfolds them: the one bound now ([keys] may rebind it)."""
        keys = self.desk.keymap.get("toggle_quotes") or ACTION_BY_ID["toggle_quotes"].keys
        self.query_one(ThreadView).unfold_key = keys_label(keys.split(",")[0])

    def action_toggle_quotes(self) -> None:
        row = self._require_ticket()
        if row is None or not self._thread_shown(row.id):
            return
        thread = self.query_one(ThreadView)
        if thread.unfolded_id != row.id and not thread.folded:
            self.notify(_("Nothing is folded in this thread"))
            return
        thread.toggle_quotes()

    # -- the customer's other tickets ------------------------------------------------------
    @property
    def history(self) -> CustomerHistoryList:
        return self.query_one(CustomerHistoryList)

    def action_toggle_history(self) -> None:
        """Show the list (and go to it) or hide it; for the session, on every ticket."""
        history, thread = self.history, self.query_one(ThreadView)
        if thread.scroll_offset.y >= thread.max_scroll_y:  # the latest message stays in sight
            self.call_after_refresh(thread.scroll_end, animate=False)
        history.toggle_class("hidden")
        if history.has_class("hidden"):
            self._history_request += 1  # a read still running must not fill the hidden list
            if self.focused is history:
                thread.focus()
            return
        self.ticket_shown(self.ticket)
        history.focus()

    def ticket_shown(self, ticket: Ticket | None) -> None:
        history = self.history
        if history.has_class("hidden"):
            return
        self._history_request += 1
        history.clear_history()
        if ticket is not None:
            self._load_history(self._history_request, ticket.id, ticket.customer_email)

    def _load_history(self, request: int, ticket_id: int, email: str) -> None:
        def work() -> None:
            # Read once the ticket stays: j held over a customer with 50,000 tickets started a
            # 0.2 s read per ticket passed, and the piled-up threads stalled the screen (GIL).
            time.sleep(HISTORY_DELAY)
            if request != self._history_request:
                return
            try:
                found: CustomerHistory | None = customer_history(self.store, email)
            except NotFound:
                found = None
            except Exception as error:
                self.app.call_from_thread(self.report_failure, error)
                return
            self.app.call_from_thread(self._show_history, request, found, ticket_id)

        self.run_worker(work, thread=True, group="history", exit_on_error=False)

    def _show_history(self, request: int, found: CustomerHistory | None, ticket_id: int) -> None:
        if request == self._history_request:
            self.history.show_history(found, ticket_id, self.status_label)

    @on(OptionList.OptionSelected, "#history")
    def _history_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self._go_to_id(int(event.option.id))

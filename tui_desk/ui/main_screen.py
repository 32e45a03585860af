"""The main screen: inbox, thread and timeline; every action a key, a help line and a command.

It is put together from its parts: the panes and their loading (panes.py), the
ticket actions (ticket_actions.py), the moves (navigation.py), the background jobs
(background.py) and saved views (saved_views.py). The app (app.py) starts it.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Static

from ..i18n import _
from .action_table import bindings, help_sections, palette_entries
from .alerts import AlertJobs
from .attachment_actions import AttachmentActions
from .format import markup_literal
from .forward_actions import ForwardActions
from .layout import ResponsiveLayout, TicketLine
from .navigation import Navigation
from .presence import PresenceJobs
from .reading import ReadingActions
from .saved_views import SavedViewsMixin
from .screens.help import HelpScreen
from .ticket_actions import TicketActions
from .widgets.history import CustomerHistoryList
from .widgets.inbox import InboxList
from .widgets.thread import ThreadView
from .widgets.timeline import TimelineView
from .widgets.view_tabs import ViewTabs


class MainScreen(ResponsiveLayout, SavedViewsMixin, ReadingActions, AttachmentActions, ForwardActions, TicketActions, Navigation, AlertJobs, PresenceJobs):
    BINDINGS = bindings()  # every key, the footer's too, from the action table

    # -- layout -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static("", id="too-small")
        with Horizontal(id="top-bar"):
            yield Static("", id="status-bar")
            yield Static("", id="top-keys")  # ? Help, whatever has focus and however narrow
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
                yield TicketLine(id="ticket-line")  # pinned: who and which SLA while the thread scrolls
                yield ThreadView(id="thread")
                yield CustomerHistoryList(id="history", classes="hidden")
            with Vertical(id="timeline-pane"):
                yield TimelineView(id="timeline")
        # No ^p key in the footer: it covered the last label at 80 columns; ? and the help name Ctrl+P.
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self._show_title()
        self.show_help_key()
        self.query_one("#thread-pane").border_title = _("Thread")
        self.query_one("#timeline-pane").border_title = _("Timeline")
        self.query_one(InboxList).focus()
        self.refresh_inbox()
        self.load_saved_views()
        self.desk.load_keys()
        self.show_unfold_key()
        if self.desk.language_notice:
            self.notify(self.desk.language_notice, severity="warning", markup=False)
        if self.desk.live_interval:
            self.start_live_refresh(self.desk.live_interval)

    @on(InboxList.MarksChanged)
    def _marks_changed(self) -> None:
        self._update_status_bar()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.help_sections()))

    def help_sections(self) -> list[tuple[str, list[tuple[str, str]]]]:
        return help_sections(self.desk.keymap)

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Every action of the main screen by name, for the app's command palette."""
        for action, title, help_text in palette_entries(self.desk.keymap):
            yield SystemCommand(title, markup_literal(help_text), lambda call=action.action: self.run_action(call))
        for view in self.views():
            yield SystemCommand(
                _("View: {name}").format(name=markup_literal(view.label)),  # the palette reads markup
                _("Show these tickets in the inbox"),
                lambda key=view.key: self.action_view(key),
            )
        yield from self.saved_view_commands()

"""The main screen: inbox, thread and timeline; every action a key, a help line and a command.

It is put together from its parts: the panes and their loading (panes.py), the
ticket actions (ticket_actions.py), the moves (navigation.py), the background jobs
(background.py) and saved views (saved_views.py). The app (app.py) starts it.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Static

from ...i18n import N_, _
from ..background import BackgroundJobs
from ..format import markup_literal
from ..navigation import Navigation
from ..saved_views import SavedViewsMixin
from ..ticket_actions import TicketActions
from ..widgets.inbox import InboxList
from ..widgets.thread import ThreadView
from ..widgets.timeline import TimelineView
from ..widgets.view_tabs import ViewTabs
from .help import HelpScreen


class MainScreen(SavedViewsMixin, TicketActions, Navigation, BackgroundJobs):
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
        Binding("q", "app.quit", N_("Quit"), show=False),
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
        Binding("escape", "back_to_inbox", N_("Back"), show=False),
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
        Binding("ctrl+p", "app.command_palette", N_("palette"), show=False, priority=True, tooltip=N_("Open the command palette")),
    ]


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
        self._show_title()
        self.query_one("#thread-pane").border_title = _("Thread")
        self.query_one("#timeline-pane").border_title = _("Timeline")
        self.query_one(InboxList).focus()
        self.refresh_inbox()
        self.load_saved_views()
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

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Every action of the main screen by name, for the app's command palette."""
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

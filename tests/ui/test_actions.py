"""Every action, driven by its real keys: what the store holds afterwards and what the panes show."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.widgets import OptionList, TextArea

from tui_desk.store import queries
from tui_desk.ui.screens.dialogs import ChoiceDialog, ConfirmDialog, LeaveEditorDialog, TextPrompt
from tui_desk.ui.screens.help import HelpScreen
from tui_desk.ui.screens.postpone import PostponeDialog
from tui_desk.ui.screens.reply import ReplyScreen

from .conftest import Desk, make_app
from .helpers import (
    SIZE,
    current_subject,
    event_kinds,
    inbox_rows,
    inbox_subjects,
    last_event,
    notifications,
    press,
    settle,
    status_bar_text,
    status_of,
    thread_text,
    timeline_text,
    type_text,
    widget_text,
)

ATTENTION = ["VPN drops every hour", "Site down for EU customers", "Invoice charged twice", "Password reset link expired"]


def message_count(desk: Desk) -> int:
    return desk.store.scalar("SELECT count(*) FROM messages")


def event_count(desk: Desk) -> int:
    return desk.store.scalar("SELECT count(*) FROM events")


async def start(pilot) -> None:  # noqa: ANN001
    await settle(pilot)
    assert inbox_subjects(pilot.app) == ATTENTION
    assert current_subject(pilot.app) == "VPN drops every hour"


# -- writing: reply and note ---------------------------------------------------------------
async def test_reply_sends_and_marks_answered(desk: Desk) -> None:
    vpn = desk.ids["vpn"]
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await press(pilot, "r")
        assert isinstance(app.screen, ReplyScreen)
        await type_text(pilot, "Restarting the VPN gateway now.")
        await press(pilot, "ctrl+s")

        assert not isinstance(app.screen, ReplyScreen)
        assert status_of(desk.store, vpn) == "answered"
        message = queries.ticket_messages(desk.store, vpn)[-1]
        assert (message.kind, message.author, message.body) == ("reply", "alice", "Restarting the VPN gateway now.")
        event = last_event(desk.store, vpn)
        assert (event.kind, event.actor, event.from_value, event.to_value) == ("replied", "alice", "new", "answered")
        assert "#1: replied — now Answered" in notifications(app)

        # Answered tickets leave "Needs attention"; the cursor rests on the next one.
        assert inbox_subjects(app) == ATTENTION[1:]
        assert current_subject(app) == "Site down for EU customers"
        assert "Answered 2" in status_bar_text(app)

        await press(pilot, "3")
        assert current_subject(app) == "VPN drops every hour"
        shown = thread_text(app)
        assert "Status: Answered" in shown
        assert "Reply · alice" in shown
        assert "Restarting the VPN gateway now." in shown
        assert "replied" in timeline_text(app)


async def test_reply_escape_asks_before_discarding(desk: Desk) -> None:
    vpn = desk.ids["vpn"]
    messages, events = message_count(desk), event_count(desk)
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await press(pilot, "r")
        await type_text(pilot, "half a thought")
        await press(pilot, "escape")
        assert isinstance(app.screen, LeaveEditorDialog)
        assert "Close the editor?" in widget_text(app.screen.query_one(".dialog-title"))

        await press(pilot, "w")  # keep editing: the text is still there
        assert isinstance(app.screen, ReplyScreen)
        assert app.screen.query_one(TextArea).text == "half a thought"
        await type_text(pilot, " more")
        assert app.screen.query_one(TextArea).text == "half a thought more"

        await press(pilot, "escape", "d")
        assert not isinstance(app.screen, (ReplyScreen, LeaveEditorDialog))
        assert (message_count(desk), event_count(desk)) == (messages, events)
        assert status_of(desk.store, vpn) == "new"

        await press(pilot, "r")  # a discarded draft does not come back
        assert app.screen.query_one(TextArea).text == ""
        await press(pilot, "escape")  # empty: closes without asking
        assert not isinstance(app.screen, (ReplyScreen, LeaveEditorDialog))


async def test_reply_with_nothing_typed_is_not_sent(desk: Desk) -> None:
    events = event_count(desk)
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await press(pilot, "r", "ctrl+s")
        assert isinstance(app.screen, ReplyScreen)
        assert "Nothing to send: the text is empty" in notifications(app, "warning")
        assert event_count(desk) == events


async def test_note_keeps_status_and_shows_in_thread(desk: Desk) -> None:
    vpn = desk.ids["vpn"]
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await press(pilot, "n")
        assert isinstance(app.screen, ReplyScreen)
        assert "Only agents see notes" in widget_text(app.screen.query_one("#editor-box"))
        await type_text(pilot, "Customer is on the beta gateway.")
        await press(pilot, "ctrl+s")

        assert status_of(desk.store, vpn) == "new"
        message = queries.ticket_messages(desk.store, vpn)[-1]
        assert (message.kind, message.body) == ("note", "Customer is on the beta gateway.")
        assert event_kinds(desk.store, vpn)[-1] == "note"
        assert inbox_subjects(app) == ATTENTION
        shown = thread_text(app)
        assert "Internal note · alice" in shown
        assert "Customer is on the beta gateway." in shown
        assert "internal note" in timeline_text(app)


# -- status changes ---------------------------------------------------------------------------
async def test_resolve(desk: Desk) -> None:
    vpn = desk.ids["vpn"]
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await press(pilot, "e")
        assert status_of(desk.store, vpn) == "resolved"
        event = last_event(desk.store, vpn)
        assert (event.kind, event.from_value, event.to_value, event.actor) == ("resolved", "new", "resolved", "alice")
        assert inbox_subjects(app) == ATTENTION[1:]
        assert "Resolved 2" in status_bar_text(app)
        await press(pilot, "5")
        assert inbox_subjects(app) == ["VPN drops every hour", "Refund for order 1042"]
        assert "Status: Resolved" in thread_text(app)


async def test_postpone_quick_choice(desk: Desk) -> None:
    vpn = desk.ids["vpn"]
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await press(pilot, "p")
        assert isinstance(app.screen, PostponeDialog)
        assert "In 1 hour (13:00)" in widget_text(app.screen.query_one("#choices"))
        await press(pilot, "down", "enter")  # from the typed field to the choices; the first is "In 1 hour"

        ticket = queries.get_ticket(desk.store, vpn)
        assert (ticket.status, ticket.postponed_until) == ("postponed", "2026-11-23T13:00:00Z")
        event = last_event(desk.store, vpn)
        assert (event.kind, event.from_value, event.to_value, event.detail) == (
            "postponed", "new", "postponed", "2026-11-23T13:00:00Z",
        )
        assert "VPN drops every hour" not in inbox_subjects(app)
        await press(pilot, "4")
        assert inbox_subjects(app) == ["VPN drops every hour", "Server room too warm"]  # urgent first
        assert "Postponed until: 2026-11-23 13:00" in thread_text(app)
        assert "until 2026-11-23 13:00" in timeline_text(app)


async def test_postpone_typed_relative_time(desk: Desk) -> None:
    vpn = desk.ids["vpn"]
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await press(pilot, "p")
        await type_text(pilot, "3d")
        await press(pilot, "enter")
        ticket = queries.get_ticket(desk.store, vpn)
        assert (ticket.status, ticket.postponed_until) == ("postponed", "2026-11-26T12:00:00Z")
        assert last_event(desk.store, vpn).kind == "postponed"


async def test_postpone_garbage_time_is_refused(desk: Desk) -> None:
    vpn = desk.ids["vpn"]
    events = event_count(desk)
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await press(pilot, "p")
        await type_text(pilot, "yesterday-ish")
        await press(pilot, "enter")
        assert isinstance(app.screen, PostponeDialog)  # stays open to try again
        errors = notifications(app, "error")
        assert any("Cannot understand the time 'yesterday-ish'" in e for e in errors), errors
        await press(pilot, "escape")
        assert not isinstance(app.screen, PostponeDialog)
        assert status_of(desk.store, vpn) == "new"
        assert event_count(desk) == events


async def test_reopen_resolved_ticket(desk: Desk) -> None:
    refund = desk.ids["refund"]
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await press(pilot, "5")
        assert inbox_subjects(app) == ["Refund for order 1042"]
        assert "Status: Resolved" in thread_text(app)
        await press(pilot, "o")
        assert status_of(desk.store, refund) == "open"
        event = last_event(desk.store, refund)
        assert (event.kind, event.from_value, event.to_value) == ("reopened", "resolved", "open")
        assert app.main.inbox.total == 0
        assert "No ticket selected" in thread_text(app)
        await press(pilot, "1")
        assert "Refund for order 1042" in inbox_subjects(app)


async def test_mark_spam(desk: Desk) -> None:
    vpn = desk.ids["vpn"]
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await press(pilot, "exclamation_mark")
        assert status_of(desk.store, vpn) == "spam"
        event = last_event(desk.store, vpn)
        assert (event.kind, event.from_value, event.to_value) == ("spam", "new", "spam")
        assert inbox_subjects(app) == ATTENTION[1:]
        await press(pilot, "6")
        assert set(inbox_subjects(app)) == {"VPN drops every hour", "You won a prize!!!"}


async def test_delete_asks_first(desk: Desk) -> None:
    vpn = desk.ids["vpn"]
    events = event_count(desk)
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await press(pilot, "d")
        assert isinstance(app.screen, ConfirmDialog)
        assert "Delete #1 “VPN drops every hour”?" in widget_text(app.screen.query_one(".dialog-title"))
        await press(pilot, "n")
        assert not isinstance(app.screen, ConfirmDialog)
        assert status_of(desk.store, vpn) == "new"
        assert event_count(desk) == events
        assert inbox_subjects(app) == ATTENTION

        await press(pilot, "d", "y")
        assert status_of(desk.store, vpn) == "deleted"
        event = last_event(desk.store, vpn)
        assert (event.kind, event.from_value, event.to_value) == ("deleted", "new", "deleted")
        assert inbox_subjects(app) == ATTENTION[1:]
        await press(pilot, "7")
        assert set(inbox_subjects(app)) == {"VPN drops every hour", "Old duplicate request"}


async def test_restore_from_deleted_view(desk: Desk) -> None:
    duplicate = desk.ids["duplicate"]
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await press(pilot, "7")
        assert inbox_subjects(app) == ["Old duplicate request"]
        await press(pilot, "R")
        assert status_of(desk.store, duplicate) == "new"
        event = last_event(desk.store, duplicate)
        assert (event.kind, event.from_value, event.to_value) == ("restored", "deleted", "new")
        assert app.main.inbox.total == 0
        await press(pilot, "1")
        assert "Old duplicate request" in inbox_subjects(app)


# -- other fields -------------------------------------------------------------------------------
async def test_assign_typed_name(desk: Desk) -> None:
    vpn = desk.ids["vpn"]
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await press(pilot, "a")
        assert isinstance(app.screen, ChoiceDialog)
        choices = widget_text(app.screen.query_one("#choices"))
        assert "Me (alice)" in choices and "bob" in choices and "Nobody (unassign)" in choices
        await type_text(pilot, "carol")
        await press(pilot, "enter")
        assert queries.get_ticket(desk.store, vpn).assignee == "carol"
        event = last_event(desk.store, vpn)
        assert (event.kind, event.from_value, event.to_value) == ("assigned", None, "carol")
        assert inbox_rows(app)[0].assignee == "carol"
        assert "Assignee: carol" in thread_text(app)
        assert "carol" in widget_text(app.main.inbox).splitlines()[1]


async def test_priority_urgent_resorts_inbox(desk: Desk) -> None:
    invoice = desk.ids["invoice"]
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await press(pilot, "j", "j")
        assert current_subject(app) == "Invoice charged twice"
        await press(pilot, "P")
        assert isinstance(app.screen, ChoiceDialog)
        options = app.screen.query_one("#choices", OptionList)
        assert options.highlighted == 1  # the current priority, high, is highlighted
        await press(pilot, "up", "enter")  # urgent is just above
        assert queries.get_ticket(desk.store, invoice).priority == "urgent"
        event = last_event(desk.store, invoice)
        assert (event.kind, event.from_value, event.to_value) == ("priority", "high", "urgent")
        # Urgent now, and waiting since 09:05: between the VPN (09:00) and the site (09:55).
        assert inbox_subjects(app) == [ATTENTION[0], ATTENTION[2], ATTENTION[1], ATTENTION[3]]
        assert current_subject(app) == "Invoice charged twice"  # the selection follows the ticket
        assert "Priority: urgent" in thread_text(app)


async def test_tags_add_and_remove(desk: Desk) -> None:
    password = desk.ids["password"]
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await press(pilot, "G")
        assert current_subject(app) == "Password reset link expired"
        await press(pilot, "t")
        assert isinstance(app.screen, TextPrompt)
        assert "Now: login, old" in widget_text(app.screen.query_one(".dialog"))
        await type_text(pilot, "+vip -old")
        await press(pilot, "enter")
        assert queries.get_ticket(desk.store, password).tags == ("login", "vip")
        events = queries.ticket_events(desk.store, password)[-2:]
        assert [(e.kind, e.from_value, e.to_value) for e in events] == [("tagged", None, "vip"), ("untagged", "old", None)]
        assert "#3: tags +vip -old" in notifications(app)
        assert "Tags: login, vip" in thread_text(app)


async def test_custom_status(desk: Desk) -> None:
    site = desk.ids["site"]
    desk.service.define_status("Waiting on supplier", "hold")
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await press(pilot, "j", "c")
        assert isinstance(app.screen, ChoiceDialog)
        assert "Waiting on supplier" in widget_text(app.screen.query_one("#choices"))
        await press(pilot, "enter")
        ticket = queries.get_ticket(desk.store, site)
        assert ticket.status == "waiting-on-supplier"
        event = last_event(desk.store, site)
        assert (event.kind, event.from_value, event.to_value) == ("status", "open", "waiting-on-supplier")
        assert "Site down for EU customers" not in inbox_subjects(app)  # on hold: not "needs attention"
        assert "Waiting on supplier 1" in status_bar_text(app)
        await press(pilot, "v")  # the custom status is a view of its own
        assert "Waiting on supplier" in widget_text(app.screen.query_one("#choices"))
        await press(pilot, "escape")


async def test_custom_status_none_defined_warns(desk: Desk) -> None:
    events = event_count(desk)
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await press(pilot, "c")
        assert not isinstance(app.screen, ChoiceDialog)
        warnings = notifications(app, "warning")
        assert any("No custom statuses yet" in w for w in warnings), warnings
        assert event_count(desk) == events


async def test_department(desk: Desk) -> None:
    vpn = desk.ids["vpn"]
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        assert "Department: Technical" in thread_text(app)
        await press(pilot, "D")
        assert isinstance(app.screen, ChoiceDialog)
        choices = widget_text(app.screen.query_one("#choices"))
        assert "Billing" in choices and "Technical" in choices
        await press(pilot, "down", "enter")  # Billing, the first department
        assert queries.get_ticket(desk.store, vpn).department == "Billing"
        event = last_event(desk.store, vpn)
        assert (event.kind, event.from_value, event.to_value) == ("department", "Technical", "Billing")
        assert "Department: Billing" in thread_text(app)


# -- moving --------------------------------------------------------------------------------------
async def test_next_ticket_from_any_pane(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await press(pilot, "right_square_bracket")
        assert app.main.inbox.cursor == 1
        assert thread_text(app).startswith("#4 Site down for EU customers")
        await press(pilot, "enter")  # read the thread: focus moves there
        assert app.focused is app.query_one("#thread")
        await press(pilot, "right_square_bracket")
        assert thread_text(app).startswith("#2 Invoice charged twice")
        await press(pilot, "left_square_bracket")
        assert thread_text(app).startswith("#4 Site down for EU customers")


async def test_jk_g_movement(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await press(pilot, "j")
        assert (app.main.inbox.cursor, current_subject(app)) == (1, ATTENTION[1])
        await press(pilot, "j", "j")
        assert app.main.inbox.cursor == 3
        await press(pilot, "j")  # stops at the last ticket
        assert app.main.inbox.cursor == 3
        assert thread_text(app).startswith("#3 Password reset link expired")
        await press(pilot, "k")
        assert current_subject(app) == ATTENTION[2]
        await press(pilot, "g")
        assert app.main.inbox.cursor == 0
        assert thread_text(app).startswith("#1 VPN drops every hour")
        await press(pilot, "G")
        assert app.main.inbox.cursor == 3
        assert thread_text(app).startswith("#3 Password reset link expired")


async def test_to_solve_picks_urgent_longest_waiting(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await press(pilot, "5")  # from another view, far from the answer
        await press(pilot, "s")
        assert app.main.view_key == "attention"
        assert current_subject(app) == "VPN drops every hour"
        assert thread_text(app).startswith("#1 VPN drops every hour")


async def test_triage_loop(desk: Desk) -> None:
    """s follows SLA urgency: VPN (urgent, first answer due 10:00), then Invoice (high, due
    13:05), then Site down (urgent but already answered once: its resolution is due later)."""
    vpn, invoice, site = desk.ids["vpn"], desk.ids["invoice"], desk.ids["site"]
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await press(pilot, "G", "s")
        assert current_subject(app) == "VPN drops every hour"
        await press(pilot, "r")
        await type_text(pilot, "Fixed the gateway.")
        await press(pilot, "ctrl+s", "s")
        assert status_of(desk.store, vpn) == "answered"
        assert current_subject(app) == "Invoice charged twice"
        assert thread_text(app).startswith("#2 Invoice charged twice")

        await press(pilot, "r")
        await type_text(pilot, "Refunded the second charge.")
        await press(pilot, "ctrl+s", "s")
        assert status_of(desk.store, invoice) == "answered"
        assert current_subject(app) == "Site down for EU customers"

        await press(pilot, "e", "s")
        assert status_of(desk.store, site) == "resolved"
        assert current_subject(app) == "Password reset link expired"


async def test_search_and_escape_clears(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await press(pilot, "slash")
        assert isinstance(app.screen, TextPrompt)
        await type_text(pilot, "charged")
        await press(pilot, "enter")
        assert inbox_subjects(app) == ["Invoice charged twice"]
        assert "search “charged”" in app.query_one("#inbox-pane").border_title
        assert thread_text(app).startswith("#2 Invoice charged twice")

        await press(pilot, "escape")
        assert inbox_subjects(app) == ATTENTION
        assert "search" not in app.query_one("#inbox-pane").border_title


async def test_search_matches_message_text(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await press(pilot, "2", "slash")
        await type_text(pilot, "parcel")  # only in the first message of the refund ticket
        await press(pilot, "enter")
        assert inbox_subjects(app) == ["Refund for order 1042"]


VIEWS = [
    ("1", "Needs attention", ATTENTION),
    ("2", "All", [*ATTENTION, "Server room too warm", "Refund for order 1042", "Printer on floor 3 is jammed"]),
    ("3", "Answered", ["Printer on floor 3 is jammed"]),
    ("4", "Postponed", ["Server room too warm"]),
    ("5", "Resolved", ["Refund for order 1042"]),
    ("6", "Spam", ["You won a prize!!!"]),
    ("7", "Deleted", ["Old duplicate request"]),
]


async def test_views_one_to_seven(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        for key, title, subjects in [*VIEWS[1:], VIEWS[0]]:
            await press(pilot, key)
            pane = app.query_one("#inbox-pane")
            assert inbox_subjects(app) == subjects, key
            assert pane.border_title == f"Inbox: {title}"
            assert pane.border_subtitle == ("1 ticket" if len(subjects) == 1 else f"{len(subjects)} tickets")
            assert app.main.inbox.cursor == 0
            assert thread_text(app).startswith(f"#{inbox_rows(app)[0].id} {subjects[0]}")


async def test_filter_mine(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await press(pilot, "f")
        assert isinstance(app.screen, ChoiceDialog)
        assert "Mine (alice)" in widget_text(app.screen.query_one("#choices"))
        await press(pilot, "down", "enter")  # the second choice: Mine
        assert inbox_subjects(app) == ["Password reset link expired"]
        assert "assignee alice" in app.query_one("#inbox-pane").border_title
        await press(pilot, "2")  # the filter stays on across views
        assert inbox_subjects(app) == ["Password reset link expired"]
        await press(pilot, "escape")
        assert app.main.inbox.total == 7


# -- help, palette, layout ---------------------------------------------------------------------------
async def test_help_screen(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        shown = widget_text(app.screen.query_one("#help-box"))
        for line in ("Reply to the customer", "To solve", "Mark as spam", "Command palette", "Esc, q or ? closes"):
            assert line in shown, line
        await press(pilot, "escape")
        assert not isinstance(app.screen, HelpScreen)
        assert app.focused is app.main.inbox


async def test_command_palette_resolves(desk: Desk) -> None:
    vpn = desk.ids["vpn"]
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await press(pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await type_text(pilot, "Resolve")
        for _ in range(20):  # the palette searches in the background
            await pilot.pause(0.05)
            if "Mark the ticket resolved" in widget_text(app.screen.query_one("CommandList")):
                break
        await press(pilot, "enter")
        await settle(pilot)
        assert not isinstance(app.screen, CommandPalette)
        assert status_of(desk.store, vpn) == "resolved"
        assert inbox_subjects(app) == ATTENTION[1:]


async def test_toggle_timeline(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        pane = app.query_one("#timeline-pane")
        thread_width = app.query_one("#thread-pane").size.width
        assert pane.display
        await press(pilot, "T")
        assert not pane.display
        assert app.query_one("#thread-pane").size.width > thread_width
        await press(pilot, "T")
        assert pane.display
        assert "created" in timeline_text(app)


async def test_zoom(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await press(pilot, "z")
        assert app.screen.maximized is app.main.inbox
        assert app.main.inbox.size.height > 30
        await press(pilot, "z")
        assert app.screen.maximized is None
        await press(pilot, "enter", "z")  # the thread zooms when it has the focus
        assert app.screen.maximized is app.query_one("#thread")
        await press(pilot, "escape")
        assert app.screen.maximized is None


async def test_ctrl_e_reaches_the_editor_action_even_inside_the_text(desk: Desk, monkeypatch) -> None:
    """The text area's own ctrl+e (end of line) must not swallow the $EDITOR key."""
    monkeypatch.setenv("EDITOR", "true")
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await press(pilot, "r")
        await type_text(pilot, "Draft stays")
        await press(pilot, "ctrl+e")
        assert isinstance(app.screen, ReplyScreen)  # the headless terminal cannot be handed over
        assert "cannot hand the text to $EDITOR" in notifications(app, "warning")[-1]
        assert app.screen.query_one(TextArea).text == "Draft stays"

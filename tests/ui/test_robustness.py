"""Refusals, an empty store, long threads, hostile text and oversized fields: no crash, nothing lost."""

from __future__ import annotations

import re

from textual.widgets import TextArea

from tui_desk.core.lifecycle import TicketService
from tui_desk.store import Store, queries
from tui_desk.ui.screens.dialogs import ConfirmDialog
from tui_desk.ui.screens.reply import ReplyScreen

from .conftest import ACTOR, Desk, make_app
from .helpers import (
    SIZE,
    StepClock,
    current_subject,
    inbox_subjects,
    notifications,
    press,
    settle,
    status_of,
    thread_text,
    type_text,
    widget_text,
)


def service_for(store: Store) -> TicketService:
    return TicketService(store, clock=StepClock(), actor=ACTOR)


def fingerprint(store: Store) -> tuple:
    """Everything an action could change: ticket rows, messages and events."""
    return (
        store.query("SELECT * FROM tickets ORDER BY id"),
        store.scalar("SELECT count(*) FROM messages"),
        store.scalar("SELECT count(*) FROM events"),
    )


async def test_refused_actions_notify_and_change_nothing(desk: Desk) -> None:
    before = fingerprint(desk.store)
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "5", "e")  # resolve a Resolved ticket
        errors = notifications(app, "error")
        assert errors == [
            "Ticket #6 is Resolved and cannot be resolved; only New, Open, Answered, Postponed tickets can"
        ]
        assert "Status: Resolved" in thread_text(app)
        await press(pilot, "1", "o")  # reopen a New ticket
        assert any("Ticket #1 is New and cannot be reopened" in e for e in notifications(app, "error"))
        await press(pilot, "R")  # restore a ticket that is not in Spam or Deleted
        assert any("cannot be restored" in e for e in notifications(app, "error"))
        assert inbox_subjects(app)[0] == "VPN drops every hour"
    assert fingerprint(desk.store) == before


async def test_refused_reply_keeps_the_draft(desk: Desk) -> None:
    prize = desk.ids["prize"]
    before = fingerprint(desk.store)
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "6", "r")
        await type_text(pilot, "Dear winner")
        await press(pilot, "ctrl+s")
        assert any("Ticket #8 is Spam and cannot be replied to" in e for e in notifications(app, "error"))
        assert "Your text is kept in the editor and in your drafts" in notifications(app, "warning")
        assert isinstance(app.screen, ReplyScreen), "a refused reply leaves the editor open"
        assert app.screen.query_one(TextArea).text == "Dear winner"
    assert status_of(desk.store, prize) == "spam"
    assert fingerprint(desk.store) == before


async def test_empty_store(empty_store: Store) -> None:
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.main.inbox.total == 0
        assert app.main.inbox.current is None
        assert app.query_one("#inbox-pane").border_subtitle == "0 tickets"
        assert "No ticket selected" in thread_text(app)
        assert widget_text(app.main.inbox).splitlines()[1].strip() == ""

        for key in ("r", "n", "e", "p", "o", "exclamation_mark", "d", "R", "a", "P", "t", "c", "D"):
            count = len(notifications(app, "warning"))
            await press(pilot, key)
            assert app.screen is app.screen_stack[0], f"{key} opened {app.screen}"
            warnings = notifications(app, "warning")
            assert len(warnings) == count + 1 and warnings[-1] == "No ticket selected", key

        await press(pilot, "s")
        assert "Nothing needs an answer now" in notifications(app)
        for key in ("j", "k", "g", "G", "right_square_bracket", "left_square_bracket", "m", "T", "T", "z", "z"):
            await press(pilot, key)
        for view in "1234567":
            await press(pilot, view)
            assert app.main.inbox.total == 0
        assert "No ticket selected" in thread_text(app)
        assert not notifications(app, "error")


async def test_long_thread_draws_the_latest_200(empty_store: Store) -> None:
    service = service_for(empty_store)
    ticket = service.create_ticket(email="long@example.com", subject="A very long thread", body="Message number 1")
    for number in range(2, 501):
        service.add_customer_message(ticket, f"Message number {number}")
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = thread_text(app)
        assert "300 earlier messages not shown; press m to show the whole thread" in shown
        assert shown.count("▌ Customer") == 200
        assert re.search(r"Message number 301\b", shown) and re.search(r"Message number 500\b", shown)
        assert not re.search(r"Message number 300\b", shown)

        await press(pilot, "m")
        shown = thread_text(app)
        assert shown.count("▌ Customer") == 500
        assert "earlier messages not shown" not in shown
        assert re.search(r"Message number 1\b", shown)
        assert queries.get_ticket(empty_store, ticket).message_count == 500


SUBJECT = "[bold]x[/]"
BODY = "Look: \x1b[31mred\x1b[0m and [link=http://x]y[/link]"


async def test_markup_and_escapes_are_shown_literally(empty_store: Store) -> None:
    service = service_for(empty_store)
    service.create_ticket(email="eve@example.com", name="[red]Eve[/red]", subject=SUBJECT, body=BODY)
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        row_line = widget_text(app.main.inbox).splitlines()[1]
        assert SUBJECT in row_line and "[red]Eve[/red]" in row_line

        shown = thread_text(app)
        assert shown.startswith("#1 [bold]x[/]")
        assert "Customer: [red]Eve[/red] <eve@example.com>" in shown
        assert "Look: ␛[31mred␛[0m and [link=http://x]y[/link]" in shown
        assert "\x1b" not in shown

        await press(pilot, "r")  # the editor's title shows it literally too
        assert "Reply to #1: [bold]x[/]" in widget_text(app.screen.query_one(".dialog-title"))
        await press(pilot, "escape", "d")
        assert isinstance(app.screen, ConfirmDialog)
        assert "Delete #1 “[bold]x[/]”?" in widget_text(app.screen.query_one(".dialog-title"))
        await press(pilot, "n")
    assert queries.ticket_messages(empty_store, 1)[0].body == BODY  # stored as it came


async def test_hundred_tags_and_huge_subject_render(empty_store: Store) -> None:
    service = service_for(empty_store)
    subject = ("Everything is broken " * 500)[:10_000].strip()
    ticket = service.create_ticket(email="big@example.com", subject=subject, body="See the subject.")
    service.tag(ticket, add=[f"tag{n:03}" for n in range(100)])
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current_subject(app) == subject
        row_line = widget_text(app.main.inbox).splitlines()[1]
        assert "Everything is broken" in row_line and "…" in row_line
        assert len(row_line) <= SIZE[0]
        shown = thread_text(app)
        assert shown.startswith("#1 Everything is broken")
        assert "Tags: tag000, tag001" in shown and "tag099" in shown
        await press(pilot, "t")  # the tags prompt lists them all without breaking
        assert "Now: tag000, tag001" in widget_text(app.screen.query_one(".dialog"))
        await press(pilot, "escape", "z", "z", "T")
    assert len(queries.get_ticket(empty_store, ticket).tags) == 100

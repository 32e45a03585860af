"""Issue 12, items 3 and 4 in the app: hostile strings are shown through the one sanitiser,
and tags typed in the prompt follow the CLI's rules (core.names)."""

from __future__ import annotations

from textual.widgets import Input

from tui_desk.core.lifecycle import TicketService
from tui_desk.store import Store, queries
from tui_desk.ui.screens.dialogs import TextPrompt

from .conftest import ACTOR, make_app
from .helpers import (
    SIZE,
    StepClock,
    notifications,
    press,
    settle,
    thread_text,
    timeline_text,
    type_text,
    widget_text,
)

ESC, RLO = "\x1b", "\u202e"
UNSAFE = (ESC, RLO, "\u200b", "\u2066", "\ufeff", "\x9b")


def assert_safe(text: str) -> None:
    for char in UNSAFE:
        assert char not in text, f"U+{ord(char):04X} reached the screen: {text!r}"


def hostile_ticket(store: Store) -> int:
    service = TicketService(store, clock=StepClock(), actor=ACTOR)
    ticket = service.create_ticket(
        email="mallory@example.com",
        name="Mal\u200blory",
        subject=f"Invoice{RLO}fdp.exe {ESC}[8mhidden",
        body=f"See invoice{RLO}fdp.exe",
        attachments=[(f"invoice{RLO}fdp.exe", f"application/x-{ESC}[8m", b"MZ"), ("a.txt", "text/plain\u2066", b"x")],
    )
    with store.transaction() as conn:  # names stored before item 4 (or by another tool) show safely too
        conn.execute(
            "INSERT INTO statuses(key, name, meaning, builtin, position) VALUES ('odd', ?, 'hold', 0, 50)",
            [f"Odd{ESC}[31m{RLO}"],
        )
    service.set_status(ticket, "odd")
    service.assign(ticket, "bob")
    with store.transaction() as conn:  # an agent's name from before the name rules held for agents
        conn.execute("UPDATE agents SET name = ? WHERE name = 'bob'", [f"bob{RLO}"])
        conn.execute("UPDATE events SET to_value = ? WHERE to_value = 'bob'", [f"bob{RLO}"])
    return ticket


def screen_text(app) -> str:  # noqa: ANN001
    """Every character drawn on the whole screen (the SVG screenshot holds each one)."""
    return app.export_screenshot()


async def test_item3_app_shows_no_escape_or_bidi_control_from_mail(empty_store: Store) -> None:
    ticket = hostile_ticket(empty_store)
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "2")  # the view of every ticket: a hold status is not in the inbox
        await settle(pilot)
        shown = thread_text(app)
        assert_safe(shown)
        assert "invoice<U+202E>fdp.exe  application/x-␛[8m, 2 B" in shown
        assert "Invoice<U+202E>fdp.exe ␛[8mhidden" in shown
        assert "text/plain<U+2066>" in shown and "Mal<U+200B>lory" in shown
        assert "Odd␛[31m<U+202E>" in shown  # the custom status's name
        assert_safe(timeline_text(app))
        assert_safe(widget_text(app.main.inbox))
        assert_safe(screen_text(app))
        assert "bob<U+202E>" in timeline_text(app)
    assert queries.get_ticket(empty_store, ticket).subject == f"Invoice{RLO}fdp.exe {ESC}[8mhidden"  # stored as it came


async def test_item4_tag_prompt_uses_the_cli_rules(empty_store: Store) -> None:
    service = TicketService(empty_store, clock=StepClock(), actor=ACTOR)
    ticket = service.create_ticket(email="carol@example.com", subject="Hi", body="x")
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "t")
        assert isinstance(app.screen, TextPrompt)
        await type_text(pilot, '+"vip customer" billing')
        await press(pilot, "enter")
        assert queries.get_ticket(empty_store, ticket).tags == ("billing", "vip-customer")

        events = len(queries.ticket_events(empty_store, ticket))
        for typed, why in ((f"+ok +in{RLO}voice", "U+202E"), ("+a,b", "comma"), ("+!!!", "letter or a digit")):
            await press(pilot, "t")
            app.screen.query_one(Input).value = typed  # pasted: the Input drops such characters when typed
            await press(pilot, "enter")
            errors = notifications(app, "error")
            assert errors and why in errors[-1], errors
            assert_safe(errors[-1])
            assert queries.get_ticket(empty_store, ticket).tags == ("billing", "vip-customer")
            assert len(queries.ticket_events(empty_store, ticket)) == events

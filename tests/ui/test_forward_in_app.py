"""Forwarding from the app (issue 15 item 7, docs/issue15/forward.md "In the app"): F, pick the
message, type the supplier's address and a line, Ctrl+S; the supplier gets the text and the file,
the customer's ticket keeps its status; a refusal keeps the dialog and what was typed."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_mail_smtp import settings_for, smtp_server  # noqa: F401 - the fixture
from textual.widgets import Input, OptionList, TextArea

from tui_desk.cli.entry import main
from tui_desk.core.lifecycle import TicketService
from tui_desk.domain.clock import fixed_clock
from tui_desk.domain.errors import InvalidInput
from tui_desk.mail.outbox import unsent_count
from tui_desk.store import Store
from tui_desk.ui.app import TuiDeskApp
from tui_desk.ui.screens.forward import ForwardScreen

from .conftest import ACTOR, make_app
from .helpers import (
    NOW,
    SIZE,
    StepClock,
    notifications,
    press,
    settle,
    status_of,
    timeline_text,
    type_text,
)

PHOTO = bytes(range(256)) * 4  # every byte value, CR LF and NUL among them
HOSTILE = "The pump [b]leaks[/b] \x1b[31mbadly\x1b[0m\nPhoto attached."


def _ticket(store: Store) -> int:
    """A customer's message with a photo, the agent's reply (Answered), then an internal note."""
    clock = StepClock()
    service = TicketService(store, clock=clock, actor=ACTOR)
    ticket = service.create_ticket(
        email="Carol <carol@example.com>", subject="Broken pump", body=HOSTILE,
        attachments=[("pump.jpg", "image/jpeg", PHOTO)],
    )
    clock.advance()
    service.reply(ticket, "We asked the maker.")
    clock.advance()
    service.add_note(ticket, "Supplier is Pumps Ltd.")
    return ticket


def _app(store: Store, port: int) -> TuiDeskApp:
    return TuiDeskApp(store, clock=fixed_clock(NOW), actor=ACTOR, live_interval=None, mail=settings_for(port))


async def _open_forward(pilot, app: TuiDeskApp) -> ForwardScreen:  # noqa: ANN001
    await settle(pilot)
    await press(pilot, "2")  # All: the answered ticket is not waiting on us
    await press(pilot, "F")
    assert isinstance(app.screen, ForwardScreen), notifications(app)
    return app.screen


async def test_the_customers_message_and_its_file_reach_the_supplier(
    empty_store: Store, smtp_server  # noqa: F811
) -> None:
    port, handler, _controller = smtp_server
    ticket = _ticket(empty_store)
    app = _app(empty_store, port)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open_forward(pilot, app)
        options = dialog.query_one("#forward-message", OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        # Newest first, notes never offered; the stranger's text shown as text, on one line.
        assert len(prompts) == 2, prompts
        assert "We asked the maker." in prompts[0]
        assert "[b]leaks[/b]" in prompts[1] and "1 attachment" in prompts[1]
        assert not any("\x1b" in p or "\n" in p for p in prompts)

        await press(pilot, "down", "tab")  # the customer's message, then the To field
        await type_text(pilot, "supplier@example.net")
        await press(pilot, "tab")
        await type_text(pilot, "Can you send a new seal?")
        await press(pilot, "ctrl+s")

        assert not isinstance(app.screen, ForwardScreen)
        assert "Forwarded to supplier@example.net" in notifications(app)
        assert "alice forwarded supplier@example.net" in timeline_text(app)
        assert status_of(empty_store, ticket) == "answered"  # an internal event, not a reply
        assert unsent_count(empty_store) == 1
        app.main.run_mail()
        await settle(pilot)
        assert unsent_count(empty_store) == 0

    [got] = handler.received
    assert handler.envelopes == [("help@desk.example", ["supplier@example.net"])]  # never the customer
    assert got["Subject"] == f"Fwd: Broken pump [#{ticket}]"
    text = got.get_body(("plain",)).get_content()
    assert text.index("Can you send a new seal?") < text.index("The pump [b]leaks[/b]")
    files = [(p.get_filename(), p.get_payload(decode=True)) for p in got.iter_attachments()]
    assert files == [("pump.jpg", PHOTO)]
    assert status_of(empty_store, ticket) == "answered"


async def test_the_customers_address_is_refused_and_the_dialog_keeps_the_text(
    empty_store: Store, smtp_server  # noqa: F811
) -> None:
    port, handler, _controller = smtp_server
    _ticket(empty_store)
    app = _app(empty_store, port)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open_forward(pilot, app)
        await press(pilot, "tab")
        await type_text(pilot, "Carol@Example.com")
        await press(pilot, "tab")
        await type_text(pilot, "Please have a look.")
        await press(pilot, "ctrl+s")

        assert app.screen is dialog, "the dialog stays open"
        errors = notifications(app, "error")
        assert len(errors) == 1 and "is the ticket's customer" in errors[0], errors
        assert dialog.query_one("#forward-to", Input).value == "Carol@Example.com"
        assert dialog.query_one("#forward-text", TextArea).text == "Please have a look."
        assert unsent_count(empty_store) == 0

        # Garbage is refused the same way; a right address then goes, with the text kept.
        dialog.query_one("#forward-to", Input).value = "orders@pumps.example\r\nBcc: x@evil.example"
        await press(pilot, "ctrl+s")
        assert app.screen is dialog
        assert "Not one e-mail address" in notifications(app, "error")[-1]
        dialog.query_one("#forward-to", Input).value = "orders@pumps.example"
        dialog.query_one("#forward-text", TextArea).focus()
        await press(pilot, "tab")  # to the Forward button, which Enter presses
        assert dialog.focused is dialog.query_one("#forward-send")
        await press(pilot, "enter")
        assert not isinstance(app.screen, ForwardScreen)
        assert unsent_count(empty_store) == 1
        app.main.run_mail()
        await settle(pilot)
    [got] = handler.received
    assert got["To"] == "orders@pumps.example"
    assert "Please have a look." in got.get_body(("plain",)).get_content()


async def test_without_smtp_forward_says_so_and_opens_nothing(empty_store: Store) -> None:
    _ticket(empty_store)
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "2", "F")
        assert not isinstance(app.screen, ForwardScreen)
        assert any("No SMTP server" in n and "[mail.smtp]" in n for n in notifications(app, "error"))
        await press(pilot, "escape")  # the app goes on
        assert app.is_running


def test_the_app_takes_the_attachment_limit_of_the_config(
    tmp_path: Path, empty_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`[mail] max_attachment_size` reaches the app's own service, as the command line's."""
    config = tmp_path / "config.toml"
    config.write_text('[mail]\nmax_attachment_size = "1 KB"\n')
    monkeypatch.setenv("TUI_DESK_CONFIG", str(config))
    started: dict = {}
    monkeypatch.setattr("tui_desk.ui.app.run_app", lambda path, **options: started.update(options) or 0)
    assert main(["--db", str(tmp_path / "desk.db")]) == 0
    assert started["attachment_limit"] == 1000

    ticket = TicketService(empty_store, clock=StepClock()).create_ticket(email="erin@example.com", subject="s", body="b")
    app = TuiDeskApp(empty_store, clock=fixed_clock(NOW), live_interval=None, attachment_limit=started["attachment_limit"])
    with pytest.raises(InvalidInput, match=r"big\.bin is 1\.5 KB: over the attachment limit of 1 KB"):
        app.service.reply(ticket, "here", attachments=[("big.bin", "application/octet-stream", b"x" * 1500)])
    app.service.reply(ticket, "here", attachments=[("ok.bin", "application/octet-stream", b"x" * 1000)])

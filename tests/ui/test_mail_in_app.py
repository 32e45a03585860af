"""With SMTP configured, a reply written in the app is queued with it and sent in the background."""

from __future__ import annotations

import socket

import aiosmtpd.controller
import pytest

from tui_desk.domain.clock import fixed_clock
from tui_desk.mail.outbox import unsent_count
from tui_desk.mail.settings import mail_settings
from tui_desk.ui.app import TuiDeskApp

from .conftest import ACTOR, Desk
from .helpers import NOW, SIZE, press, settle, status_bar_text, type_text


class Collect:
    def __init__(self) -> None:
        self.received: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, N802
        self.received.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = Collect()
    controller = aiosmtpd.controller.Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, handler
    controller.stop()


async def test_a_reply_from_the_app_reaches_the_customer(desk: Desk, smtp_port) -> None:
    port, handler = smtp_port
    mail = mail_settings(
        {"mail": {"smtp": {"host": "127.0.0.1", "port": port, "security": "none", "from": "Help <help@desk.example>"}}}
    )
    app = TuiDeskApp(desk.store, clock=fixed_clock(NOW), actor=ACTOR, live_interval=None, mail=mail)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "r")
        await type_text(pilot, "We restarted the gateway.")
        await press(pilot, "ctrl+s")
        assert unsent_count(desk.store) == 1
        app.main.run_mail()
        await settle(pilot)
        assert unsent_count(desk.store) == 0
        assert len(handler.received) == 1
        sent = handler.received[0].decode()
        assert "[#1]" in sent and "We restarted the gateway." in sent and "dave@example.com" in sent
        assert "unsent" not in status_bar_text(app)

"""SMTP out: a real SMTP server (aiosmtpd) on 127.0.0.1 receives what `send` sends."""

from __future__ import annotations

import email
import socket
from datetime import timedelta
from email import policy

import pytest

from tui_desk.core.lifecycle import TicketService
from tui_desk.mail.outbox import reply_options, send_due, unsent_count
from tui_desk.mail.settings import mail_settings

pytestmark = pytest.mark.both_backends

aiosmtpd = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Collect:
    def __init__(self, refuse: bool = False) -> None:
        self.received: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse = refuse

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, N802
        if self.refuse:
            return "451 try again later"
        self.received.append(email.message_from_bytes(envelope.content, policy=policy.default))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


@pytest.fixture
def smtp_server():
    port = free_port()
    handler = Collect()
    controller = aiosmtpd.Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, handler, controller
    controller.stop()


def settings_for(port: int):
    return mail_settings({"mail": {"smtp": {"host": "127.0.0.1", "port": port, "security": "none",
                                            "from": "Example Help <help@desk.example>"}}})


def test_send_delivers_with_headers(service: TicketService, clock, smtp_server) -> None:
    port, handler, _controller = smtp_server
    settings = settings_for(port)
    ticket = service.create_ticket(email="Carol <carol@example.com>", subject="Printer broken", body="help",
                                   message_id="<c1@example.com>")
    service.reply(ticket, "Turn it off and on.\nGrüße", **reply_options(settings))
    assert unsent_count(service.store) == 1
    result = send_due(service.store, settings, clock=clock)
    assert (result.sent, result.failed) == (1, 0)
    [got] = handler.received
    assert got["From"] == "Example Help <help@desk.example>"
    assert got["To"] == "Carol <carol@example.com>"
    assert got["Subject"] == f"Re: Printer broken [#{ticket}]"
    stored = service.store.scalar("SELECT message_id FROM messages WHERE kind = 'reply'")
    assert got["Message-ID"] == stored and stored.endswith("@desk.example>")
    assert got["In-Reply-To"] == "<c1@example.com>"
    assert got["References"] == "<c1@example.com>"
    assert got["Date"]
    assert got.get_content().replace("\r\n", "\n").strip() == "Turn it off and on.\nGrüße"
    assert handler.envelopes == [("help@desk.example", ["carol@example.com"])]
    assert unsent_count(service.store) == 0
    # Nothing is sent twice.
    assert send_due(service.store, settings, clock=clock).sent == 0
    assert len(handler.received) == 1


def test_reply_and_outbox_row_in_one_transaction(service: TicketService) -> None:
    ticket = service.create_ticket(email="carol@example.com", subject="S", body="b")
    with pytest.raises(RuntimeError), service.store.transaction():
        service.reply(ticket, "x", outbox=True)
        raise RuntimeError
    assert service.store.scalar("SELECT count(*) FROM outbox") == 0
    assert service.store.scalar("SELECT count(*) FROM messages WHERE kind = 'reply'") == 0


def test_refused_then_retried_with_backoff_and_delivered_once(service: TicketService, clock) -> None:
    port = free_port()
    settings = settings_for(port)
    ticket = service.create_ticket(email="carol@example.com", subject="S", body="b")
    service.reply(ticket, "answer", **reply_options(settings))
    # Nobody listening: connection refused.
    result = send_due(service.store, settings, clock=clock)
    assert result.failed == 1 and "Connection" in result.errors[0][1] or "refused" in result.errors[0][1].lower()
    row = service.store.query_one("SELECT * FROM outbox")
    assert row["status"] == "queued" and row["attempts"] == 1 and row["last_error"]
    # A server that refuses the message (451).
    handler = Collect(refuse=True)
    controller = aiosmtpd.Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert send_due(service.store, settings, clock=clock).sent == 0  # not due yet: backoff
        clock.advance(minutes=1)
        result = send_due(service.store, settings, clock=clock)
        assert result.failed == 1 and "451" in result.errors[0][1]
        assert service.store.scalar("SELECT attempts FROM outbox") == 2
        clock.advance(minutes=1)
        assert send_due(service.store, settings, clock=clock).sent == 0  # backoff doubled: 2 minutes
        handler.refuse = False
        clock.advance(minutes=1)
        assert send_due(service.store, settings, clock=clock).sent == 1
        clock.advance(timedelta(hours=1))
        assert send_due(service.store, settings, clock=clock).sent == 0
    finally:
        controller.stop()
    assert len(handler.received) == 1
    assert service.store.scalar("SELECT status FROM outbox") == "sent"


def test_dropped_connection_stays_queued(service: TicketService, clock) -> None:
    port = free_port()
    listener = socket.socket()
    listener.bind(("127.0.0.1", port))
    listener.listen()
    import threading

    def drop() -> None:
        conn, _addr = listener.accept()
        conn.sendall(b"220 hello\r\n")
        conn.close()

    thread = threading.Thread(target=drop, daemon=True)
    thread.start()
    settings = settings_for(port)
    ticket = service.create_ticket(email="carol@example.com", subject="S", body="b")
    service.reply(ticket, "answer", **reply_options(settings))
    result = send_due(service.store, settings, clock=clock, timeout=5)
    listener.close()
    assert result.failed == 1
    assert service.store.scalar("SELECT status FROM outbox") == "queued"


def test_stale_sending_row_is_resent_with_same_message_id(service: TicketService, clock, smtp_server) -> None:
    port, handler, _controller = smtp_server
    settings = settings_for(port)
    ticket = service.create_ticket(email="carol@example.com", subject="S", body="b")
    service.reply(ticket, "answer", **reply_options(settings))
    service.store.conn.execute("UPDATE outbox SET status = 'sending', claimed_at = '2026-03-02T09:00:00Z'")
    assert send_due(service.store, settings, clock=clock).sent == 0  # another sender may be at it
    clock.advance(minutes=20)
    assert send_due(service.store, settings, clock=clock).sent == 1
    assert handler.received[0]["Message-ID"] == service.store.scalar("SELECT message_id FROM messages WHERE kind='reply'")


def test_cli_reply_queues_and_send(db_path, tmp_path, monkeypatch, smtp_server, capsys) -> None:
    from tui_desk.cli import main

    port, handler, _controller = smtp_server
    config = tmp_path / "config.toml"
    config.write_text(f'[mail.smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nfrom = "help@desk.example"\n')
    monkeypatch.setenv("TUI_DESK_CONFIG", str(config))
    assert main(["new", "--db", str(db_path), "--email", "c@example.com", "--subject", "Hi", "--body", "x"]) == 0
    assert main(["reply", "--db", str(db_path), "1", "--body", "hello"]) == 0
    assert main(["outbox", "--db", str(db_path)]) == 0
    assert "queued" in capsys.readouterr().out
    assert main(["send", "--db", str(db_path)]) == 0
    assert "1 sent" in capsys.readouterr().out
    assert handler.received[0]["Subject"] == "Re: Hi [#1]"


def test_password_is_refused_in_config() -> None:
    from tui_desk.domain.errors import InvalidInput

    with pytest.raises(InvalidInput, match="password_command"):
        mail_settings({"mail": {"smtp": {"host": "h", "password": "x", "from": "a@b.c"}}})

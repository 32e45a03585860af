"""Signatures (issue 15 item 5, docs/issue15/signatures.md): which one a reply gets, filled in
as saved replies are, and put under a "-- " line; on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from support import run_cli

from tui_desk.core import signatures
from tui_desk.core.lifecycle import TicketService
from tui_desk.core.requests import Note
from tui_desk.core.signatures import Signatures, signed
from tui_desk.domain.errors import InvalidInput
from tui_desk.mail.settings import mail_settings
from tui_desk.store import Store, queries
from tui_desk.store import templates as stored

pytestmark = pytest.mark.both_backends

CONFIG = {
    "signature": {"text": "Best,\n{agent.name}"},
    "mail": {
        "imap": [
            {"host": "imap.example.com", "from": "Billing <Billing@Example.com>", "signature": "{agent.name}\nBilling, #{ticket.id}"},
            {"host": "imap.example.com", "from": "Sales <sales@example.com>"},
        ]
    },
}


def _ticket(store: Store, mailbox: str | None = None) -> int:
    ticket_id = TicketService(store, actor="alice").create_ticket(email="erin@example.com", subject="Invoice", body="hi")
    if mailbox is not None:  # the importer's part (another change): set here as it would be
        with store.transaction() as conn:
            conn.execute("UPDATE tickets SET mailbox = ? WHERE id = ?", [mailbox, ticket_id])
    return ticket_id


def test_the_mailbox_signature_wins_for_its_tickets_and_the_agents_is_used_otherwise(store: Store) -> None:
    chosen = Signatures.from_config(CONFIG)
    billing = _ticket(store, "Billing <billing@example.com>")
    sales = _ticket(store, "Sales <sales@example.com>")  # an account without a signature of its own
    plain = _ticket(store)

    assert stored.ticket_mailbox(store, billing) == "Billing <billing@example.com>"
    assert stored.ticket_mailbox(store, plain) is None
    shown = {t: signatures.for_ticket(store, chosen, t, "alice") for t in (billing, sales, plain)}
    assert shown[billing] is not None and shown[billing].text == f"alice\nBilling, #{billing}"
    assert shown[sales] is not None and shown[sales].text == "Best,\nalice"
    assert shown[plain] is not None and shown[plain].text == "Best,\nalice"


def test_no_signature_configured_is_none_and_an_unknown_placeholder_is_named(store: Store) -> None:
    ticket = _ticket(store)
    assert signatures.for_ticket(store, Signatures.from_config({}), ticket, "alice") is None
    rendered = signatures.for_ticket(store, Signatures.from_config({"signature": {"text": "{agent.nmae}"}}), ticket, "alice")
    assert rendered is not None and rendered.text == "{agent.nmae}"
    assert "agent.name" in rendered.summary()


def test_a_signature_that_is_not_text_is_one_clear_error() -> None:
    with pytest.raises(InvalidInput, match=r"\[signature\] text must be text"):
        Signatures.from_config({"signature": {"text": 3}})
    with pytest.raises(InvalidInput, match="signature must be text"):
        mail_settings({"mail": {"imap": [{"host": "imap.example.com", "signature": ["x"]}]}})
    assert mail_settings(CONFIG).imap[0].signature == "{agent.name}\nBilling, #{ticket.id}"


def test_signed_puts_the_signature_under_a_separator_once() -> None:
    assert signed("Hello", "Ann") == "Hello\n\n-- \nAnn"
    assert signed("Hello\n\n-- \nAnn\n", "Ann") == "Hello\n\n-- \nAnn\n"  # already signed: unchanged


def test_a_note_keeps_its_attachments(store: Store) -> None:
    ticket = _ticket(store)
    service = TicketService(store, actor="alice")
    Note("see the log", (("log.txt", "text/plain", b"LOG"),)).apply(service, ticket)
    note = queries.ticket_messages(store, ticket)[-1]
    assert [a.filename for a in note.attachments] == ["log.txt"]


def test_cli_reply_signs_only_with_signature(store: Store, db_path, tmp_path, capsys, monkeypatch) -> None:  # noqa: ANN001
    config = tmp_path / "config.toml"
    config.write_text('[signature]\ntext = "Best,\\n{agent.name}"\n', encoding="utf-8")
    monkeypatch.setenv("TUI_DESK_CONFIG", str(config))
    ticket = _ticket(store)
    assert run_cli(capsys, ["--db", str(db_path), "--as", "bob", "reply", str(ticket), "--body", "Plain."])[0] == 0
    assert run_cli(capsys, ["--db", str(db_path), "--as", "bob", "reply", str(ticket), "--body", "Signed.", "--signature"])[0] == 0
    bodies = [m.body for m in queries.ticket_messages(store, ticket)[-2:]]
    assert bodies == ["Plain.", "Signed.\n\n-- \nBest,\nbob"]
    config.write_text("", encoding="utf-8")
    code, _out, err = run_cli(capsys, ["--db", str(db_path), "reply", str(ticket), "--body", "x", "--signature"])
    assert code != 0 and "no signature is set" in err

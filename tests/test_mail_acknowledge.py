"""Mailboxes and acknowledgements without a mail server: the store functions on both backends,
the loop rules (RFC 3834) and the settings. The end-to-end path with dovecot and aiosmtpd is in
tests/test_mail_mailboxes.py."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from tui_desk.core.lifecycle import TicketService
from tui_desk.core.templates import add_template, remove_template
from tui_desk.domain.errors import InvalidInput
from tui_desk.mail.acknowledge import Arrival, check
from tui_desk.mail.importer import Importer
from tui_desk.mail.parse import parse_message
from tui_desk.mail.settings import mail_settings
from tui_desk.store import queries

pytestmark = pytest.mark.both_backends

SMTP = {"host": "127.0.0.1", "port": 2525, "security": "none", "from": "Help <help@desk.example>"}


def settings(**account: object):
    imap = {"host": "127.0.0.1", "security": "none", "user": "sales", "department": "Sales",
            "from": "Sales <sales@desk.example>", "acknowledge": True, **account}
    return mail_settings({"mail": {"addresses": ["help@desk.example"], "smtp": SMTP, "imap": [imap]}})


def mail(n: int, frm: str = "carol@example.com", **headers: str) -> bytes:
    m = EmailMessage()
    m["From"] = frm
    m["To"] = "sales@desk.example"
    m["Subject"] = f"Order {n}"
    m["Message-ID"] = f"<order{n}@example.com>"
    for name, value in headers.items():
        m[name.replace("_", "-")] = value
    m.set_content(f"Question {n}")
    return m.as_bytes()


def fetch(service: TicketService, config, *raws: bytes) -> None:
    account = config.imap[0]
    check(service, config, account)
    importer = Importer(service, config.our_addresses, department=account.department,
                        on_new_ticket=Arrival(service, config, account))
    importer.run((f"INBOX:{i}", raw, None) for i, raw in enumerate(raws))


def acks(service: TicketService) -> list[dict]:
    return service.store.query(
        "SELECT o.to_address, o.from_header, o.ticket_id, m.body FROM outbox o JOIN messages m ON m.id = o.message_id"
        " WHERE o.kind = 'acknowledgement' ORDER BY o.id"
    )


def test_new_ticket_gets_department_mailbox_and_one_acknowledgement(service: TicketService, clock) -> None:
    config = settings()
    fetch(service, config, mail(1))
    [ticket] = service.store.query("SELECT id, status, mailbox, first_response_at, message_count FROM tickets")
    assert queries.get_ticket(service.store, ticket["id"]).department == "Sales"
    assert ticket["mailbox"] == "Sales <sales@desk.example>"
    # The acknowledgement is no answer: the ticket stays New, its first response still to come.
    assert (ticket["status"], ticket["first_response_at"], ticket["message_count"]) == ("new", None, 2)
    [ack] = acks(service)
    assert ack["to_address"] == "carol@example.com" and ack["from_header"] == "Sales <sales@desk.example>"
    assert f"#{ticket['id']}" in ack["body"] and f"[#{ticket['id']}]" in ack["body"]
    kinds = [e.kind for e in queries.ticket_events(service.store, ticket["id"])]
    assert "acknowledged" in kinds and "replied" not in kinds
    # Within the hour, the same sender's next new ticket gets none; after it, one again.
    clock.advance(minutes=59)
    fetch(service, config, mail(2))
    assert len(acks(service)) == 1
    clock.advance(minutes=2)
    fetch(service, config, mail(3, frm="CAROL@Example.com"))
    assert len(acks(service)) == 2
    # An answer in the thread is no new ticket: no acknowledgement.
    answer = mail(4, In_Reply_To="<order3@example.com>")
    clock.advance(hours=2)
    fetch(service, config, answer)
    assert len(acks(service)) == 2


@pytest.mark.parametrize(
    ("frm", "headers"),
    [
        ("carol@example.com", {"Auto_Submitted": "auto-replied"}),
        ("carol@example.com", {"Auto_Submitted": "auto-generated; type=bounce"}),
        ("carol@example.com", {"Precedence": "bulk"}),
        ("carol@example.com", {"Precedence": "list"}),
        ("carol@example.com", {"List_Id": "<news.example.com>"}),
        ("carol@example.com", {"List_Unsubscribe": "<mailto:leave@example.com>"}),
        ("carol@example.com", {"Return_Path": "<>"}),
        ("carol@example.com", {"X_Auto_Response_Suppress": "All"}),
        ("noreply@example.com", {}),
        ("no-reply@example.com", {}),
        ("do-not-reply@example.com", {}),
        ("MAILER-DAEMON@example.com", {}),
        ("postmaster@example.com", {}),
        ("sales@desk.example", {}),
        ("help@desk.example", {}),
    ],
)
def test_no_acknowledgement_to_machines_lists_or_ourselves(service: TicketService, frm: str, headers: dict) -> None:
    fetch(service, settings(), mail(1, frm=frm, **headers))
    assert service.store.scalar("SELECT count(*) FROM tickets") == 1
    assert acks(service) == []


def test_auto_submitted_no_is_a_person(service: TicketService) -> None:
    fetch(service, settings(), mail(1, Auto_Submitted="no"))
    assert len(acks(service)) == 1


def test_without_acknowledge_only_department_and_mailbox(service: TicketService) -> None:
    fetch(service, settings(acknowledge=False), mail(1))
    assert acks(service) == []
    assert service.store.scalar("SELECT mailbox FROM tickets") == "Sales <sales@desk.example>"


def test_acknowledge_with_a_saved_reply(service: TicketService) -> None:
    add_template(service.store, "Got it", "Dear {customer.email}, we have #{ticket.id}. {agent.name}")
    fetch(service, settings(acknowledge_with="got it"), mail(1))
    [ack] = acks(service)
    assert ack["body"] == "Dear carol@example.com, we have #1. Sales"


def test_a_missing_saved_reply_is_refused_in_one_line(service: TicketService) -> None:
    with pytest.raises(InvalidInput) as refused:
        fetch(service, settings(acknowledge_with="No such reply"), mail(1))
    assert "acknowledge_with" in str(refused.value) and "\n" not in str(refused.value)
    assert service.store.scalar("SELECT count(*) FROM tickets") == 0


def test_a_saved_reply_removed_after_the_check_falls_back_to_the_default(service: TicketService) -> None:
    config = settings(acknowledge_with="Got it")
    add_template(service.store, "Got it", "We have #{ticket.id}.")
    account = config.imap[0]
    check(service, config, account)
    remove_template(service.store, "Got it")
    Importer(service, config.our_addresses, on_new_ticket=Arrival(service, config, account)).run(
        [("INBOX:1", mail(1), None)]
    )
    [ack] = acks(service)
    assert "[#1]" in ack["body"]


def test_acknowledge_needs_smtp(service: TicketService) -> None:
    config = mail_settings({"mail": {"imap": [{"host": "h", "acknowledge": True}]}})
    with pytest.raises(InvalidInput, match=r"\[mail.smtp\]"):
        check(service, config, config.imap[0])


def test_archive_import_never_acknowledges(service: TicketService, tmp_path) -> None:
    from tui_desk.mail.importer import import_paths

    (tmp_path / "one.eml").write_bytes(mail(1))
    import_paths(service, [tmp_path / "one.eml"], settings().our_addresses)
    assert service.store.scalar("SELECT count(*) FROM tickets") == 1
    assert service.store.scalar("SELECT count(*) FROM outbox") == 0


@pytest.mark.parametrize("bad", ["a@example.com, b@example.com", "x@example.com\r\nBcc: y@example.com", "nobody"])
def test_from_must_be_one_address(bad: str) -> None:
    with pytest.raises(InvalidInput, match="from must be one address"):
        settings(**{"from": bad})


def test_mailbox_addresses_are_ours() -> None:
    assert "sales@desk.example" in settings().our_addresses


def test_autoreply_header_read_from_the_mail() -> None:
    assert parse_message(mail(1, Auto_Submitted="auto-replied")).automatic == "Auto-Submitted"
    assert parse_message(mail(1)).automatic is None

"""Hostile review of issue 15's mail surfaces (docs/issue15/*.md, docs/trust.md): what a sender
who forges headers, or an admin who configures carelessly, can make the desk do."""

from __future__ import annotations

import pytest
from test_mail_acknowledge import acks, fetch, mail, settings
from test_mail_imap import _why_not
from test_mail_mailboxes import dovecot, message, passwords, raw_config, smtp_server  # noqa: F401 - fixtures

from tui_desk.core.lifecycle import TicketService
from tui_desk.mail.outbox import build_mail
from tui_desk.store import recipients as copies

pytestmark = pytest.mark.both_backends


def test_acknowledgement_goes_to_the_from_address_alone(service: TicketService) -> None:
    """A forged Reply-To and Cc must not turn one acknowledgement into mail for twenty strangers
    (docs/issue15/acknowledgement.md: "one acknowledgement an hour to the From address")."""
    config = settings()
    cc = ", ".join(f"victim{n}@example.org" for n in range(20))
    fetch(service, config, mail(1, frm="x@attacker.example", Reply_To="victim@example.org", Cc=cc))
    [ack] = acks(service)
    assert ack["to_address"] == "x@attacker.example"
    outbox_id = service.store.scalar("SELECT id FROM outbox WHERE kind = 'acknowledgement'")
    with service.store.transaction():
        sent = build_mail(service.store, outbox_id, config.smtp, config)
    assert sent["To"] == "x@attacker.example" and sent["Cc"] is None
    # The ticket still remembers them for the agent's own replies (reply-all is the agent's choice).
    assert "victim0@example.org" in copies.remembered_cc(service.store, ack["ticket_id"])


def test_reply_to_cannot_multiply_acknowledgements_to_one_victim(service: TicketService, clock) -> None:
    config = settings()
    for n in range(5):
        fetch(service, config, mail(n, frm=f"x{n}@attacker.example", Reply_To="victim@example.org"))
    assert [a["to_address"] for a in acks(service)] == [f"x{n}@attacker.example" for n in range(5)]


@pytest.mark.parametrize("variant", ["CAROL@example.com", "carol+1@example.com", "Carol+news@EXAMPLE.com"])
def test_one_acknowledgement_an_hour_whatever_the_case_or_plus_tag(service: TicketService, clock, variant: str) -> None:
    """A forged From with another case or a +tag reaches the same mailbox: still one an hour."""
    config = settings()
    fetch(service, config, mail(1))
    clock.advance(minutes=5)
    fetch(service, config, mail(2, frm=variant))
    assert service.store.scalar("SELECT count(*) FROM tickets") == 2
    assert len(acks(service)) == 1


@pytest.mark.parametrize("frm", ["sales+x@desk.example", "SALES@desk.example", "help+loop@DESK.example"])
def test_no_acknowledgement_to_our_own_address_with_a_tag(service: TicketService, frm: str) -> None:
    fetch(service, settings(), mail(1, frm=frm))
    assert acks(service) == []


def raw(*headers: str, body: str = "Hello") -> bytes:
    lines = ["From: Carol <carol@example.com>", "To: help@desk.example", "Subject: Printer",
             "Message-ID: <c1@example.com>", "Date: Mon, 02 Mar 2026 10:00:00 +0000", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n" + body + "\r\n").encode()


def import_raw(service: TicketService, *messages: bytes) -> None:
    from tui_desk.mail.importer import Importer
    Importer(service, ["help@desk.example", "sales@desk.example"]).run(
        [(f"m{n}", m, None) for n, m in enumerate(messages)])


def sent_reply(service: TicketService, ticket: int):
    from tui_desk.mail.outbox import reply_options
    from tui_desk.mail.settings import mail_settings
    config = mail_settings({"mail": {"addresses": ["help@desk.example", "sales@desk.example"], "smtp": {
        "host": "127.0.0.1", "port": 2525, "security": "none", "from": "Help <help@desk.example>"}}})
    service.reply(ticket, "Done.", **reply_options(config))
    outbox_id = service.store.scalar("SELECT max(id) FROM outbox")
    with service.store.transaction():
        return build_mail(service.store, outbox_id, config.smtp, config)


def test_our_own_address_with_a_tag_is_never_copied_nor_replied_to(service: TicketService) -> None:
    """help+x@desk.example is delivered to the desk: copying it sends every reply back in."""
    import_raw(service, raw("Cc: Help+Copy@desk.example, bob@example.com", "Reply-To: SALES+x@desk.example"))
    ticket = int(service.store.scalar("SELECT max(id) FROM tickets"))
    assert copies.remembered_cc(service.store, ticket) == ["bob@example.com"]
    sent = sent_reply(service, ticket)
    assert sent["To"] == "Carol <carol@example.com>" and sent["Cc"] == "bob@example.com"


def test_encoded_line_breaks_in_cc_and_reply_to_names_add_no_header(service: TicketService) -> None:
    import_raw(service, raw(
        "Cc: =?utf-8?q?Bob=0D=0ABcc:_evil@attacker.example?= <bob@example.com>, (x\r\n Bcc: a@b.c) dave@example.org",
        'Reply-To: "=?utf-8?b?DQpCY2M6IGV2aWxAYXR0YWNrZXIuZXhhbXBsZQ==?=" <team@example.com>',
    ))
    ticket = int(service.store.scalar("SELECT max(id) FROM tickets"))
    sent = sent_reply(service, ticket)
    assert sent["To"] == "team@example.com"
    assert sent["Cc"] == "bob@example.com, dave@example.org"
    assert sent["Bcc"] is None and b"attacker" not in sent.as_bytes()


def test_cli_cc_and_forward_refuse_our_own_address_with_a_tag(db_path, tmp_path, monkeypatch, capsys) -> None:
    from support import run_cli
    config = tmp_path / "config.toml"
    config.write_text('[mail.smtp]\nhost = "127.0.0.1"\nport = 2525\nsecurity = "none"\nfrom = "help@desk.example"\n')
    monkeypatch.setenv("TUI_DESK_CONFIG", str(config))
    db = ["--db", str(db_path)]
    assert run_cli(capsys, ["new", *db, "--email", "carol@example.com", "--subject", "S", "--body", "x"])[0] == 0
    code, _out, err = run_cli(capsys, ["reply", *db, "1", "--body", "x", "--cc", "Help+loop@desk.example"])
    assert code == 1 and err.count("\n") == 1 and "own address" in err
    code, _out, err = run_cli(capsys, ["forward", *db, "1", "--to", "help+loop@DESK.example"])
    assert code == 1 and err.count("\n") == 1 and "own address" in err
    code, out, _err = run_cli(capsys, ["show", *db, "1", "--json"])
    assert '"kind": "reply"' not in out and "forwarded" not in out


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("from", "Sales\x85 <sales@desk.example>"),  # NEL: EmailMessage takes it for a line break
        ("from", "Sales\u2028 <sales@desk.example>"),
        ("from", "Sa\x1b[2Jles <sales@desk.example>"),
        ("from", "Sales\u202e <sales@desk.example>"),
        ("department", "Sal\x1b[31mes"),
        ("department", "Sales\u202e"),
        ("department", "S" * 81),  # longer than any department name (core/names.py NAME_MAX)
        ("department", "???"),  # no letter or digit
    ],
)
def test_a_mailbox_with_a_bad_from_or_department_is_refused_before_any_mail_is_read(key: str, value: str) -> None:
    """Accepted, such a `from` made every reply of the mailbox fail when sent, and such a
    `department` made every fetched mail be skipped: the config is refused in one line instead."""
    from tui_desk.domain.errors import InvalidInput
    from tui_desk.mail.settings import mail_settings
    imap = {"host": "127.0.0.1", "user": "sales", "department": "Sales", "from": "Sales <sales@desk.example>", key: value}
    with pytest.raises(InvalidInput, match=rf"\[mail.imap\] {key}[ :]"):
        mail_settings({"mail": {"imap": [imap]}})


def test_a_suppliers_answer_copying_a_colleague_does_not_copy_the_customers_replies_to_them(
    service: TicketService,
) -> None:
    """Only the customer (and whom the ticket already copies) decide who gets replies to the
    customer (docs/issue15/recipients.md); a forward's recipient answering with a Cc of their own
    would otherwise have every later reply to the customer copied to a stranger."""
    import_raw(service, raw())
    ticket = int(service.store.scalar("SELECT max(id) FROM tickets"))
    first = int(service.store.scalar("SELECT min(id) FROM messages"))
    change = service.forward(first, "orders@supplier.example", "Can you help?",
                             new_message_id=lambda: "<fwd1@desk.example>", own_addresses=["help@desk.example"])
    assert change.ticket_id == ticket
    import_raw(service, (
        b"From: orders@supplier.example\r\nTo: help@desk.example\r\nCc: sales-team@supplier.example\r\n"
        b"Subject: Re: Fwd: Printer\r\nMessage-ID: <s1@supplier.example>\r\nIn-Reply-To: <fwd1@desk.example>\r\n"
        b"\r\nWe ship a new one.\r\n"))
    assert int(service.store.scalar("SELECT max(id) FROM tickets")) == ticket  # it joined the ticket
    assert copies.remembered_cc(service.store, ticket) == []
    assert sent_reply(service, ticket)["Cc"] is None
    # The customer copying someone still adds them, and that person's own copies then count too.
    import_raw(service, raw("Cc: bob@example.com", "In-Reply-To: <c1@example.com>").replace(b"<c1@", b"<c2@", 1))
    import_raw(service, (
        b"From: bob@example.com\r\nTo: help@desk.example\r\nCc: dave@example.org, carol@example.com\r\n"
        b"Subject: Re: Printer\r\nMessage-ID: <b1@example.com>\r\nIn-Reply-To: <c2@example.com>\r\n\r\nMe too.\r\n"))
    assert copies.remembered_cc(service.store, ticket) == ["bob@example.com", "dave@example.org"]


def test_a_forged_from_with_the_ticket_number_cannot_redirect_or_copy_the_customers_replies(
    service: TicketService,
) -> None:
    """Anyone can write the customer's address in From and guess "[#1]" (docs/trust.md section 2):
    that mail joins the thread, but its Reply-To and Cc must not send the agent's next answer
    to carol (with whatever it says about her) to the forger, nor copy it to him from then on."""
    import_raw(service, raw())
    ticket = int(service.store.scalar("SELECT max(id) FROM tickets"))
    import_raw(service, (
        f"From: Carol <carol@example.com>\r\nTo: help@desk.example\r\nSubject: Re: Printer [#{ticket}]\r\n"
        "Reply-To: attacker@evil.example\r\nCc: spy@evil.example\r\nMessage-ID: <forged@evil.example>\r\n"
        "\r\nPlease send my invoice and address again.\r\n").encode())
    assert int(service.store.scalar("SELECT count(*) FROM tickets")) == 1  # it joined, as the customer may
    assert copies.remembered_cc(service.store, ticket) == []
    sent = sent_reply(service, ticket)
    assert sent["To"] == "Carol <carol@example.com>" and sent["Cc"] is None
    # Her real answer, quoting the desk's reply, still brings her Reply-To and Cc.
    import_raw(service, (
        f"From: carol@example.com\r\nTo: help@desk.example\r\nSubject: Re: Printer [#{ticket}]\r\n"
        f"In-Reply-To: {sent['Message-ID']}\r\nReply-To: carol.work@example.com\r\nCc: bob@example.com\r\n"
        "Message-ID: <c9@example.com>\r\n\r\nThanks.\r\n").encode())
    again = sent_reply(service, ticket)
    assert again["To"] == "carol.work@example.com" and again["Cc"] == "bob@example.com"


@pytest.mark.skipif(_why_not() is not None, reason=_why_not() or "")
def test_backscatter_through_real_servers_reaches_a_victim_once(
    service: TicketService, clock, dovecot, smtp_server, passwords  # noqa: F811
) -> None:
    """Forged senders through a real dovecot, acknowledgements to a real aiosmtpd: whatever the
    From variants, Reply-To and Cc, the victim gets one mail this hour and the desk none."""
    from tui_desk.mail.imap import fetch_all
    from tui_desk.mail.outbox import send_due
    from tui_desk.mail.settings import mail_settings
    imap_port, deliver = dovecot
    smtp_port, handler = smtp_server
    config = mail_settings(raw_config(imap_port, smtp_port))
    hostile = [
        message(1, "victim@example.org", "sales@desk.example"),
        message(2, "Victim+a@EXAMPLE.org", "sales@desk.example"),
        message(3, "VICTIM+b@example.org", "billing@desk.example"),
        message(4, "x1@attacker.example", "sales@desk.example", Reply_To="victim@example.org",
                Cc="victim2@example.org, sales+loop@desk.example"),
        message(5, "sales+loop@desk.example", "sales@desk.example"),
        message(6, "Billing+x@Desk.Example", "billing@desk.example"),
    ]
    for n, raw_mail in enumerate(hostile):
        deliver("billing" if n in (2, 5) else "sales", raw_mail)
    fetch_all(service, config)
    assert service.store.scalar("SELECT count(*) FROM tickets") == 6
    send_due(service.store, config, clock=clock)
    delivered = sorted(r for _sender, rcpts in handler.envelopes for r in rcpts)
    assert delivered == ["victim@example.org", "x1@attacker.example"]


def test_an_agents_cc_beyond_the_limit_is_refused_not_silently_cut(service: TicketService) -> None:
    """The 21st address an agent copies would get nothing, and nobody would know: one line instead."""
    from tui_desk.core.recipients import MAX_CC
    from tui_desk.domain.errors import InvalidInput
    ticket = service.create_ticket(email="carol@example.com", subject="S", body="x")
    many = [f"p{n}@example.com" for n in range(MAX_CC + 1)]
    with pytest.raises(InvalidInput, match=str(MAX_CC)):
        service.reply(ticket, "hi all", cc=many, outbox=True)
    assert service.store.scalar("SELECT count(*) FROM messages") == 1
    assert service.store.scalar("SELECT count(*) FROM outbox") == 0
    service.reply(ticket, "hi all", cc=many[:MAX_CC], outbox=True)
    assert copies.remembered_cc(service.store, ticket) == many[:MAX_CC]


def test_show_says_where_a_reply_will_go_when_a_reply_to_redirects_it(db_path, capsys) -> None:
    """A customer's Reply-To sends the agent's answer elsewhere (docs/issue15/recipients.md): with
    a forged From the answer meant for carol goes to whoever wrote it. `show` must say so."""
    from support import run_cli

    from tui_desk.core.lifecycle import TicketService
    from tui_desk.store import open_store
    store = open_store(db_path)
    try:
        import_raw(TicketService(store), raw("Reply-To: attacker@evil.example"))
    finally:
        store.close()
    code, out, _err = run_cli(capsys, ["show", "--db", str(db_path), "1"])
    assert code == 0 and "Reply-To: attacker@evil.example" in out

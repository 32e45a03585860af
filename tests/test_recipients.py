"""Recipients kept (issue 15 item 3): a customer's Cc is remembered and copied on replies, Reply-To is
honoured, a Cc'd person's answer joins the ticket, a stranger's [#id] does not (docs/issue15/recipients.md).

Mail comes in through the Importer (as fetch and import use it) and goes out to a real SMTP server (aiosmtpd).
"""

from __future__ import annotations

import json

import pytest
from support import mail, run_cli
from test_mail_smtp import settings_for, smtp_server  # noqa: F401 - the fixture

from tui_desk.core.lifecycle import TicketService
from tui_desk.core.recipients import MAX_CC
from tui_desk.domain.errors import InvalidInput
from tui_desk.mail.importer import Importer
from tui_desk.mail.outbox import reply_options, send_due
from tui_desk.mail.parse import parse_message
from tui_desk.store import recipients as copies

pytestmark = pytest.mark.both_backends

OURS = ["help@desk.example", "sales@desk.example"]


def fetch(service: TicketService, *messages: bytes) -> Importer:
    importer = Importer(service, OURS)
    importer.run([(f"m{n}", raw, None) for n, raw in enumerate(messages)])
    return importer


def only_ticket(service: TicketService) -> int:
    return int(service.store.scalar("SELECT max(id) FROM tickets"))


def customer_mail_with_cc(**headers: str) -> bytes:
    return mail(
        "Carol <carol@example.com>", "Printer broken", "It jams.", "<c1@example.com>",
        Cc='"Bob, the boss" <Bob@Example.COM>, Sales <SALES@desk.example>, carol@example.com', **headers,
    )


def test_a_customers_cc_is_remembered_without_the_desk_or_the_customer(service: TicketService) -> None:
    fetch(service, customer_mail_with_cc())
    ticket = only_ticket(service)
    assert copies.remembered_cc(service.store, ticket) == ["bob@example.com"]
    [(cc, reply_to)] = copies.thread_recipients(service.store, ticket).values()
    assert cc == ["bob@example.com"] and reply_to is None
    # The customer writes again copying Dave and a robot: Dave is added, the robot never.
    fetch(service, mail("carol@example.com", "Re: Printer broken", "Still.", "<c2@example.com>",
                        reply_to="<c1@example.com>", Cc="dave@example.org, noreply@example.net"))
    assert only_ticket(service) == ticket
    assert copies.remembered_cc(service.store, ticket) == ["bob@example.com", "dave@example.org"]


def test_the_reply_goes_to_the_customer_with_the_cc_and_the_envelope_holds_them(
    service: TicketService, clock, smtp_server  # noqa: F811
) -> None:
    port, handler, _controller = smtp_server
    settings = settings_for(port)
    fetch(service, customer_mail_with_cc())
    ticket = only_ticket(service)
    service.reply(ticket, "Turn it off and on.", **reply_options(settings))
    assert send_due(service.store, settings, clock=clock).sent == 1
    [got] = handler.received
    assert got["To"] == "Carol <carol@example.com>"
    assert got["Cc"] == "bob@example.com"
    assert f"[#{ticket}]" in got["Subject"] and got["In-Reply-To"] == "<c1@example.com>"
    assert sorted(handler.envelopes[0][1]) == ["bob@example.com", "carol@example.com"]
    # What was sent is on the agent's message too.
    reply_row = service.store.scalar("SELECT id FROM messages WHERE kind = 'reply'")
    assert copies.thread_recipients(service.store, ticket)[reply_row][0] == ["bob@example.com"]


def test_reply_to_is_honoured_and_never_copied(service: TicketService, clock, smtp_server) -> None:  # noqa: F811
    port, handler, _controller = smtp_server
    settings = settings_for(port)
    fetch(service, customer_mail_with_cc(Reply_To="Printer team <team@example.com>"))
    ticket = only_ticket(service)
    service.reply(ticket, "On it.", **reply_options(settings))
    send_due(service.store, settings, clock=clock)
    [got] = handler.received
    assert got["To"] == "team@example.com" and got["Cc"] == "bob@example.com"
    assert sorted(handler.envelopes[0][1]) == ["bob@example.com", "team@example.com"]


def test_a_reply_to_of_the_desk_itself_is_ignored(service: TicketService) -> None:
    fetch(service, customer_mail_with_cc(Reply_To="help@desk.example"))
    [(_cc, reply_to)] = copies.thread_recipients(service.store, only_ticket(service)).values()
    assert reply_to is None


def test_a_cc_d_persons_answer_joins_the_ticket_as_theirs_a_strangers_tag_does_not(
    service: TicketService, clock, smtp_server  # noqa: F811
) -> None:
    port, handler, _controller = smtp_server
    settings = settings_for(port)
    fetch(service, customer_mail_with_cc())
    ticket = only_ticket(service)
    service.reply(ticket, "Which model?", **reply_options(settings))
    send_due(service.store, settings, clock=clock)
    ours = handler.received[0]["Message-ID"]
    # Bob answers our reply (reply-all).
    fetch(service, mail("Bob <bob@example.com>", f"Re: Printer broken [#{ticket}]", "The HP one.", "<b1@example.com>",
                        reply_to=ours, Cc="carol@example.com, help@desk.example"))
    # Bob again, quoting only the ticket number: he is in the Cc, so he may.
    fetch(service, mail("bob@example.com", f"Printer [#{ticket}]", "Also the Canon.", "<b2@example.com>"))
    # A stranger who guesses the number gets a ticket of his own.
    fetch(service, mail("mallory@evil.example", f"Re: Printer broken [#{ticket}]", "Pay here.", "<e1@evil.example>",
                        Cc="bob@example.com"))
    thread = service.store.query("SELECT author, kind FROM messages WHERE ticket_id = ? ORDER BY id", [ticket])
    assert [(r["author"], r["kind"]) for r in thread] == [
        ("carol@example.com", "customer"), (service.actor, "reply"),
        ("bob@example.com", "customer"), ("bob@example.com", "customer"),
    ]
    stranger = service.store.scalar("SELECT ticket_id FROM messages WHERE message_id = '<e1@evil.example>'")
    assert stranger != ticket
    assert copies.remembered_cc(service.store, ticket) == ["bob@example.com"]  # Carol is the customer, not a copy


def test_hostile_headers_give_plain_addresses_only_and_a_bounded_list() -> None:
    crowd = ", ".join(f"p{n}@crowd.example" for n in range(10_000))
    raw = (
        "From: carol@example.com\r\nTo: help@desk.example\r\n"
        f"Cc: {crowd}\r\nSubject: hi\r\nMessage-ID: <h1@example.com>\r\n\r\nbody\r\n"
    ).encode()
    parsed = parse_message(raw)
    assert len(parsed.cc) <= MAX_CC and parsed.cc[0] == "help@desk.example"
    raw = (
        b"From: carol@example.com\r\nTo: help@desk.example\r\n"
        b"Cc: =?utf-8?q?Eve=0D=0ABcc=3A_x=40evil=2Eexample?= <Eve@Example.ORG>, not an address, <a@b@c>,"
        b' "x\\"y" <"quoted local"@example.com>, <bad\x01@example.com>\r\n'
        b"Reply-To: =?utf-8?q?=0D=0AX=3A_y?= <Team@Example.COM>\r\n"
        b"Subject: hi\r\n\r\nbody\r\n"
    )
    parsed = parse_message(raw)
    assert parsed.cc == ["help@desk.example", "eve@example.org"]
    assert parsed.reply_to == "team@example.com"


def test_the_agents_cc_replaces_the_remembered_one(service: TicketService) -> None:
    fetch(service, customer_mail_with_cc())
    ticket = only_ticket(service)
    service.reply(ticket, "Looping in Dan.", cc=["Dan@Example.com", "carol@example.com"], outbox=True)
    assert copies.remembered_cc(service.store, ticket) == ["dan@example.com"]
    assert copies.outbox_cc(service.store.conn, 1) == ["dan@example.com"]
    with pytest.raises(InvalidInput):
        service.reply(ticket, "x", cc=["dan@example.com\r\nBcc: eve@evil.example"])
    service.reply(ticket, "Just you.", cc=[])
    assert copies.remembered_cc(service.store, ticket) == []


def test_cli_reply_cc_and_show_json(db_path, tmp_path, monkeypatch, smtp_server, capsys) -> None:  # noqa: F811
    port, handler, _controller = smtp_server
    config = tmp_path / "config.toml"
    config.write_text(f'[mail.smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nfrom = "help@desk.example"\n')
    monkeypatch.setenv("TUI_DESK_CONFIG", str(config))
    db = ["--db", str(db_path)]
    assert run_cli(capsys, ["new", *db, "--email", "carol@example.com", "--subject", "S", "--body", "x"])[0] == 0
    code, out, err = run_cli(capsys, ["reply", *db, "1", "--body", "hi", "--cc", "bob@example.com", "--cc", "Dan@example.com"])
    assert code == 0, err
    code, out, _err = run_cli(capsys, ["show", *db, "1", "--json"])
    data = json.loads(out)
    assert data["cc"] == ["bob@example.com", "dan@example.com"]
    assert [m["cc"] for m in data["messages"]] == [[], ["bob@example.com", "dan@example.com"]]
    code, out, _err = run_cli(capsys, ["show", *db, "1"])
    assert out.count("Cc: bob@example.com, dan@example.com") == 2  # the ticket's and the reply's
    # The desk's own address is refused, in one line, and nothing is written.
    code, out, err = run_cli(capsys, ["reply", *db, "1", "--body", "x", "--cc", "help@desk.example"])
    assert code == 1 and "help@desk.example" in err and err.count("\n") == 1
    code, out, err = run_cli(capsys, ["reply", *db, "1", "--body", "x", "--cc", "a@b.example\nBcc: e@evil.example"])
    assert code == 1 and err.count("\n") == 1
    assert run_cli(capsys, ["reply", *db, "1", "--body", "only you", "--no-cc"])[0] == 0
    assert json.loads(run_cli(capsys, ["show", *db, "1", "--json"])[1])["cc"] == []
    assert run_cli(capsys, ["send", *db])[0] == 0
    assert [sorted(rcpt) for _frm, rcpt in handler.envelopes] == [
        ["bob@example.com", "carol@example.com", "dan@example.com"], ["carol@example.com"]
    ]
    assert handler.received[1]["Cc"] is None


def test_a_json_backup_keeps_the_recipients(service: TicketService, tmp_path, another_db) -> None:
    from tui_desk.mail.export import export_json, import_json
    from tui_desk.store import open_store

    fetch(service, customer_mail_with_cc(Reply_To="team@example.com"))
    ticket = only_ticket(service)
    export_json(service.store, tmp_path / "backup.json", [ticket])
    other = open_store(another_db("other.db"))
    try:
        assert import_json(other, tmp_path / "backup.json")[0] == 1
        assert copies.remembered_cc(other, ticket) == ["bob@example.com"]
        assert list(copies.thread_recipients(other, ticket).values()) == [(["bob@example.com"], "team@example.com")]
    finally:
        other.close()

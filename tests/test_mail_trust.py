"""Mail is data, never a command (issue 12 items 1, 2 and 16).

Export headers restore state only on `import --restore`; mail "From:" our own
address is an agent reply only when the desk provably sent it or the user
opted in; the mbox export round-trips its text and, restored, the ticket state.
"""

from __future__ import annotations

import mailbox
from pathlib import Path

import pytest
from support import AGENT, mail, write_mbox
from test_mail_imap import PASSWORD, _why_not, config_for, dovecot, unseen  # noqa: F401 - dovecot is a fixture

from tui_desk.cli import main
from tui_desk.core.lifecycle import TicketService
from tui_desk.mail.export import chosen_tickets, export_json, export_mbox
from tui_desk.mail.imap import fetch_all
from tui_desk.mail.importer import Importer, import_paths
from tui_desk.mail.settings import mail_settings
from tui_desk.store import Store, open_store

pytestmark = pytest.mark.both_backends

OURS = "help@desk.example"
STRANGER = "mallory@evil.example"




def answered_ticket(service: TicketService) -> int:
    ticket = service.create_ticket(email="carol@example.com", subject="Printer", body="Broken", message_id="<c1@example.com>")
    service.reply(ticket, "Restart it", message_id="<r1@desk.example>")
    return ticket


def hostile_rounds() -> list[list[bytes]]:
    """What a stranger who knows ticket #1 sends: a thread of his own with export headers, in two runs."""
    return [
        [
            mail(STRANGER, "Re: [#1] Printer", "hello", "<h1@evil.example>"),
            mail(STRANGER, "Re: [#1]", "bye ticket", "<h2@evil.example>", "<h1@evil.example>",
                 X_Tui_Desk_Status="deleted", X_Tui_Desk_Ticket="1"),
            mail(STRANGER, "Re: [#1]", "Refund approved, pay him", "<h4@evil.example>", "<h1@evil.example>",
                 X_Tui_Desk_Kind="note", X_Tui_Desk_Author="boss"),
        ],
        [
            mail(STRANGER, "Re: [#1]", "We answered you", "<h5@evil.example>", "<c1@example.com>",
                 X_Tui_Desk_Kind="reply", X_Tui_Desk_Author="boss"),
            mail(STRANGER, "Re: [#1]", "gone for good", "<h3@evil.example>", "<h2@evil.example>",
                 X_Tui_Desk_Status="purge", X_Tui_Desk_Ticket="1"),
        ],
    ]


def assert_nothing_obeyed(store: Store, ticket: int, events_before: int) -> None:
    assert store.scalar("SELECT count(*) FROM tickets WHERE id = ?", [ticket]) == 1  # not purged
    assert store.scalar("SELECT count(*) FROM purged") == 0
    assert store.scalar("SELECT status FROM tickets WHERE id = ?", [ticket]) == "open"  # a customer wrote: open
    kinds = [r["kind"] for r in store.query("SELECT kind FROM messages WHERE author = ? ORDER BY id", [STRANGER])]
    assert kinds == ["customer"] * 5
    assert store.scalar("SELECT count(*) FROM messages WHERE author = 'boss' OR kind = 'note'") == 0
    later = store.query("SELECT actor, kind FROM events WHERE id > ? ORDER BY id", [events_before])
    # His "[#1]" opened a ticket of his own (tests/test_mail_attack.py); quoting Carol's Message-ID joined hers.
    assert {e["kind"] for e in later} == {"created", "customer_message"} and {e["actor"] for e in later} == {STRANGER}


def event_count(store: Store) -> int:
    return int(store.scalar("SELECT count(*) FROM events") or 0)


# -- item 1: export headers restore state only on an explicit restore ------------------------------
def test_item1_stranger_export_headers_obeyed_by_nothing_on_cli_import(db_path: Path, tmp_path: Path) -> None:
    store = open_store(db_path)
    ticket = answered_ticket(TicketService(store, actor=AGENT))
    before = event_count(store)
    for n, messages in enumerate(hostile_rounds()):
        box = write_mbox(tmp_path / f"evil{n}.mbox", messages)
        assert main(["--db", str(db_path), "--as", AGENT, "import", str(box)]) == 0
    assert_nothing_obeyed(store, ticket, before)
    store.close()


def test_item1_stranger_export_headers_obeyed_by_nothing_in_the_fetch_importer(service: TicketService) -> None:
    ticket = answered_ticket(service)
    before = event_count(service.store)
    for messages in hostile_rounds():
        items = [(f"INBOX:{n}", raw, None) for n, raw in enumerate(messages, start=1)]
        summary = Importer(service, [OURS], batch_size=2).run(items)  # as fetch_account builds it
        assert summary.messages_added == len(messages) and not summary.skipped
    assert_nothing_obeyed(service.store, ticket, before)


@pytest.mark.skipif(_why_not() is not None, reason=_why_not() or "")
def test_item1_and_2_hostile_mail_by_real_imap_fetch(service: TicketService, dovecot, monkeypatch) -> None:  # noqa: F811
    port, deliver, _root = dovecot
    monkeypatch.setenv("TEST_IMAP_PASSWORD", PASSWORD)
    ticket = answered_ticket(service)
    before = event_count(service.store)
    config = config_for(port)
    config["mail"]["addresses"] = [OURS]
    for messages in hostile_rounds():
        for raw in messages:
            deliver(raw)
        [(_account, summary)] = fetch_all(service, mail_settings(config))
        assert summary.messages_added == len(messages)
    assert_nothing_obeyed(service.store, ticket, before)
    # A forged "From: us" answering the customer does not answer the ticket for us.
    deliver(mail(f"Help <{OURS}>", "Re: Printer", "Solved, closing", "<f1@evil.example>", "<c1@example.com>"))
    [(_account, summary)] = fetch_all(service, mail_settings(config))
    assert summary.messages_added == 1 and unseen(port) == 0
    assert_forged_reply_flagged(service.store, ticket)


def test_item1_restore_is_explicit_and_restores_the_desks_own_export(
    service: TicketService, clock, tmp_path: Path, capsys, another_db
) -> None:
    first = service.create_ticket(email="carol@example.com", subject="Printer", body="Broken", message_id="<x1@e>")
    service.reply(first, "Restart it")
    service.add_note(first, "she is a reseller")
    service.resolve(first)
    export_mbox(service.store, tmp_path / "all.mbox", chosen_tickets(service.store), OURS)

    plain = another_db("plain.db")
    assert main(["--db", str(plain), "import", str(tmp_path / "all.mbox")]) == 0
    err = capsys.readouterr().err
    assert "--restore" in err  # says how to restore what was ignored
    other = open_store(plain)
    assert [r["kind"] for r in other.query("SELECT kind FROM messages ORDER BY id")] == ["customer"] * 3
    assert other.scalar("SELECT status FROM tickets") == "new"
    other.close()

    restored = another_db("restored.db")
    assert main(["--db", str(restored), "import", "--restore", str(tmp_path / "all.mbox")]) == 0
    other = open_store(restored)
    assert [r["kind"] for r in other.query("SELECT kind FROM messages ORDER BY id")] == ["customer", "reply", "note"]
    assert other.scalar("SELECT status FROM tickets") == "resolved"
    other.close()


def test_item1_restore_never_purges_even_when_the_file_says_so(service: TicketService, tmp_path: Path) -> None:
    box = write_mbox(tmp_path / "forged.mbox", [
        mail("carol@example.com", "Printer", "Broken", "<p1@e>", X_Tui_Desk_Kind="customer", X_Tui_Desk_Ticket="7",
             X_Tui_Desk_Status="purge"),
    ])
    summary = import_paths(service, [box], [OURS], restore=True)
    assert summary.messages_added == 1
    assert service.store.scalar("SELECT status FROM tickets") == "new"
    assert service.store.scalar("SELECT count(*) FROM purged") == 0


def test_item1_json_export_is_restored_only_with_restore(service: TicketService, tmp_path: Path, capsys, another_db) -> None:
    ticket = answered_ticket(service)
    service.tag(ticket, ["vip"])
    export_json(service.store, tmp_path / "all.json", [ticket])
    target = another_db("target.db")
    assert main(["--db", str(target), "import", str(tmp_path / "all.json")]) == 1
    err = capsys.readouterr().err
    assert "--restore" in err and err.count("\n") == 1
    assert main(["--db", str(target), "import", "--restore", str(tmp_path / "all.json")]) == 0
    other = open_store(target)
    assert other.scalar("SELECT status FROM tickets") == "answered"
    assert other.scalar("SELECT name FROM tags") == "vip"
    other.close()


def test_item1_a_broken_json_export_is_refused_and_changes_nothing(
    service: TicketService, tmp_path: Path, capsys, another_db
) -> None:
    answered_ticket(service)
    export_json(service.store, tmp_path / "all.json", [1])
    text = (tmp_path / "all.json").read_text()
    (tmp_path / "bad.json").write_text(text.replace('"messages"', '"mess"', 1))
    (tmp_path / "bad-status.json").write_text(text.replace('"status": "answered"', '"status": "gone"', 1))
    target = another_db("target.db")
    open_store(target).close()
    for name in ("bad.json", "bad-status.json"):
        assert main(["--db", str(target), "import", "--restore", str(tmp_path / name)]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err
    other = open_store(target)
    assert other.scalar("SELECT count(*) FROM tickets") == 0 and other.scalar("SELECT count(*) FROM customers") == 0
    other.close()


# -- item 2: "From:" our address is an agent reply only when provably ours ---------------------------
def assert_forged_reply_flagged(store: Store, ticket: int) -> None:
    row = store.query_one("SELECT status, first_response_at, last_agent_reply_at FROM tickets WHERE id = ?", [ticket])
    last = store.query_one("SELECT kind, author FROM messages WHERE ticket_id = ? ORDER BY id DESC LIMIT 1", [ticket])
    assert (last["kind"], last["author"]) == ("customer", OURS)
    assert row["status"] == "open"  # still needs attention
    flagged = store.query("SELECT actor, kind FROM events WHERE ticket_id = ? AND kind = 'unverified_sender'", [ticket])
    assert flagged == [{"actor": OURS, "kind": "unverified_sender"}]


def test_item2_forged_from_our_address_is_a_flagged_customer_message(
    db_path: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    store = open_store(db_path)
    service = TicketService(store, actor=AGENT)
    ticket = service.create_ticket(email="carol@example.com", subject="Printer", body="Broken", message_id="<c1@example.com>")
    config = tmp_path / "config.toml"
    config.write_text(f'[mail]\naddresses = ["{OURS}"]\n')
    monkeypatch.setenv("TUI_DESK_CONFIG", str(config))
    forged = write_mbox(tmp_path / "forged.mbox", [
        mail(f"Help <{OURS}>", "Re: Printer", "Solved, closing", "<f1@evil.example>", "<c1@example.com>"),
    ])
    assert main(["--db", str(db_path), "import", str(forged)]) == 0
    assert store.scalar("SELECT first_response_at FROM tickets WHERE id = ?", [ticket]) is None
    row = store.query_one("SELECT kind, author FROM messages WHERE message_id = '<f1@evil.example>'")
    assert (row["kind"], row["author"]) == ("customer", OURS)
    assert store.scalar("SELECT status FROM tickets WHERE id = ?", [ticket]) == "new"
    assert store.scalar("SELECT count(*) FROM events WHERE kind = 'unverified_sender' AND ticket_id = ?", [ticket]) == 1
    assert "--trust-own-address" in capsys.readouterr().err
    # The user's own archive of the desk's mail: an explicit choice makes it an agent reply.
    sent = write_mbox(tmp_path / "sent.mbox", [
        mail(f"Help <{OURS}>", "Re: Printer", "Restart it", "<s1@desk.example>", "<c1@example.com>"),
    ])
    assert main(["--db", str(db_path), "import", "--trust-own-address", str(sent)]) == 0
    assert store.scalar("SELECT kind FROM messages WHERE message_id = '<s1@desk.example>'") == "reply"
    assert store.scalar("SELECT status FROM tickets WHERE id = ?", [ticket]) == "answered"
    store.close()


def test_item2_forged_from_our_address_in_the_fetch_importer(service: TicketService) -> None:
    ticket = answered_ticket(service)
    service.add_customer_message(ticket, "Did not help")
    forged = mail(f"Help <{OURS}>", "Re: Printer", "Solved, closing", "<f1@evil.example>", "<c1@example.com>")
    fresh = mail(OURS, "Free money", "click", "<f2@evil.example>")  # no thread: a ticket of its own, flagged
    summary = Importer(service, [OURS]).run([("INBOX:1", forged, None), ("INBOX:2", fresh, None)])
    assert summary.messages_added == 2 and not summary.skipped
    assert_forged_reply_flagged(service.store, ticket)
    other = service.store.scalar("SELECT ticket_id FROM messages WHERE message_id = '<f2@evil.example>'")
    assert service.store.scalar("SELECT status FROM tickets WHERE id = ?", [other]) == "new"
    assert service.store.scalar("SELECT count(*) FROM events WHERE ticket_id = ? AND kind = 'unverified_sender'", [other]) == 1


def test_item2_our_own_sent_reply_coming_back_is_not_duplicated(service: TicketService) -> None:
    ticket = answered_ticket(service)  # the reply went out as <r1@desk.example>
    echo = mail(f"Help <{OURS}>", "Re: Printer [#1]", "Restart it", "<r1@desk.example>", "<c1@example.com>")
    summary = Importer(service, [OURS]).run([("Sent:1", echo, None)])
    assert (summary.messages_added, summary.duplicates) == (0, 1)
    assert service.store.scalar("SELECT status FROM tickets WHERE id = ?", [ticket]) == "answered"


def test_item2_trusted_own_address_when_the_user_opts_in(service: TicketService, tmp_path: Path) -> None:
    ticket = service.create_ticket(email="carol@example.com", subject="Printer", body="Broken", message_id="<c1@example.com>")
    sent = mail(f"Help <{OURS}>", "Re: Printer", "Restart it", "<s1@desk.example>", "<c1@example.com>")
    summary = Importer(service, [OURS], trust_own_address=True).run([("Sent:1", sent, None)])
    assert summary.messages_added == 1
    assert service.store.scalar("SELECT status FROM tickets WHERE id = ?", [ticket]) == "answered"
    assert service.store.scalar("SELECT count(*) FROM events WHERE kind = 'unverified_sender'") == 0
    settings = mail_settings({"mail": {"addresses": [OURS], "trust_own_address": True,
                                       "imap": [{"host": "h", "user": "u", "folder": "Sent"},
                                                {"host": "h", "user": "u", "trust_own_address": False}]}})
    assert [settings.trusts_own_address(account) for account in settings.imap] == [True, False]


# -- item 16: the mbox export round-trips its text and, restored, the ticket's state -------------------
TRICKY = "From the start\n>From quoted\n>>From twice\nFrom: not a header\nend\n"


def test_item16_mbox_round_trip_keeps_from_lines_and_ticket_state(
    service: TicketService, clock, tmp_path: Path, another_db
) -> None:
    from datetime import timedelta

    first = service.create_ticket(email="carol@example.com", subject="Printer", body=TRICKY, message_id="<t1@e>",
                                  priority="high", department="Sales EU")
    service.reply(first, "From now on, restart it\n>From me")
    service.add_customer_message(first, "ok")
    service.tag(first, ["vip", "paid-plan", "Ärger"])
    service.assign(first, "bob")
    until = clock() + timedelta(days=3)
    service.postpone(first, until)
    second = service.create_ticket(email="dave@example.com", subject="Invoice", body="Where?")
    service.tag(second, ["billing"])
    export_mbox(service.store, tmp_path / "all.mbox", chosen_tickets(service.store), OURS)

    box = mailbox.mbox(tmp_path / "all.mbox")  # any mail program reads the text back exactly
    texts = [m.get_payload(decode=True).decode().rstrip("\n") for m in box]
    assert texts[:2] == [TRICKY.rstrip("\n"), "From now on, restart it\n>From me"]
    box.close()

    other = open_store(another_db("restored.db"))
    summary = import_paths(TicketService(other, clock=clock), [tmp_path / "all.mbox"], [OURS], restore=True)
    assert summary.messages_added == 4 and not summary.skipped
    bodies = [r["body"] for r in other.query("SELECT body FROM messages ORDER BY id")]
    assert bodies[:2] == [TRICKY.rstrip("\n"), "From now on, restart it\n>From me"]

    def state(store: Store) -> list[tuple]:
        return [
            (r["subject"], r["status"], r["postponed_until"], r["priority"], r["assignee"], r["department"],
             tuple(sorted(t["name"] for t in store.query(
                 "SELECT g.name FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id WHERE tt.ticket_id = ?", [r["id"]]))))
            for r in store.query(
                """SELECT t.*, a.name AS assignee, d.name AS department FROM tickets t
                   LEFT JOIN agents a ON a.id = t.assignee_id LEFT JOIN departments d ON d.id = t.department_id
                   ORDER BY t.created_at, t.subject""")
        ]

    assert state(other) == state(service.store)
    assert state(other)[1][:3] == ("Printer", "postponed", until.strftime("%Y-%m-%dT%H:%M:%SZ"))
    other.close()


def test_item16_cli_says_json_is_the_backup(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "JSON is the full backup" in out

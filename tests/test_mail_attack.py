"""A hostile sender and messy real-world mail against the intake (issue 12 items 1, 3, 6, 7, 14, 16).

Each test is a defect found by attacking the real import path: it failed before
its fix. Message-IDs are the sender's to choose: one that is already stored
proves nothing about the message (no message is lost to it), and a ticket
number in a subject is guessable (no stranger joins another customer's ticket
with it).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_mail_imap import PASSWORD, _why_not, config_for, dovecot, unseen  # noqa: F401 - dovecot is a fixture
from test_mail_trust import OURS, STRANGER, mail

from tui_desk.cli import main
from tui_desk.core.lifecycle import TicketService
from tui_desk.mail.imap import fetch_all
from tui_desk.mail.importer import Importer
from tui_desk.mail.parse import parse_message
from tui_desk.mail.settings import mail_settings
from tui_desk.store import open_store

pytestmark = pytest.mark.both_backends

ALICE = "alice@example.com"
BOB = "bob@example.com"


def bodies(service: TicketService) -> list[str]:
    return [r["body"] for r in service.store.query("SELECT body FROM messages ORDER BY id")]


def test_item7_a_message_reusing_someone_elses_message_id_is_stored_not_deduplicated(service: TicketService) -> None:
    alice = mail(ALICE, "My invoice", "Alice's words", "<a1@example.com>")
    bob = mail(BOB, "Help me", "Bob's words", "<a1@example.com>")  # the same Message-ID, another message
    summary = Importer(service, [OURS]).run([("INBOX:1", alice, None), ("INBOX:2", bob, None)])
    assert (summary.messages_added, summary.duplicates) == (2, 0)
    assert bodies(service) == ["Alice's words", "Bob's words"]
    bob_ticket = service.store.scalar("SELECT ticket_id FROM messages WHERE body = ?", ["Bob's words"])
    assert service.store.scalar("SELECT email FROM customers c JOIN tickets t ON t.customer_id = c.id"
                                " WHERE t.id = ?", [bob_ticket]) == BOB
    # Importing the same messages again stores nothing twice.
    again = Importer(service, [OURS]).run([("INBOX:1", alice, None), ("INBOX:2", bob, None)])
    assert (again.messages_added, again.duplicates) == (0, 2)


@pytest.mark.skipif(_why_not() is not None, reason=_why_not() or "")
def test_item7_fetch_stores_a_message_reusing_a_message_id_before_marking_it_seen(
    service: TicketService, dovecot, monkeypatch  # noqa: F811
) -> None:
    port, deliver, _root = dovecot
    monkeypatch.setenv("TEST_IMAP_PASSWORD", PASSWORD)
    deliver(mail(ALICE, "My invoice", "Alice's words", "<a1@example.com>"))
    deliver(mail(BOB, "Help me", "Bob's words", "<a1@example.com>"))
    [(_account, summary)] = fetch_all(service, mail_settings(config_for(port)))
    assert (summary.messages_added, summary.duplicates) == (2, 0)
    assert [b.strip() for b in bodies(service)] == ["Alice's words", "Bob's words"] and unseen(port) == 0


def test_item7_a_stranger_reusing_our_sent_replys_message_id_is_stored(service: TicketService) -> None:
    ticket = service.create_ticket(email=ALICE, subject="Printer", body="Broken", message_id="<c1@example.com>")
    service.reply(ticket, "Restart it", message_id="<r1@desk.example>")
    collider = mail(STRANGER, "Offer", "Buy now", "<r1@desk.example>")
    summary = Importer(service, [OURS]).run([("INBOX:1", collider, None)])
    assert (summary.messages_added, summary.duplicates) == (1, 0)
    assert service.store.scalar("SELECT count(*) FROM messages WHERE author = ?", [STRANGER]) == 1


def raw_mail(frm: str, subject: str, body: str, headers: str) -> bytes:
    return f"From: {frm}\nTo: {OURS}\nSubject: {subject}\n{headers}\n{body}\n".encode()


def test_item7_empty_message_ids_are_no_ids_so_no_message_is_lost_or_misthreaded(service: TicketService) -> None:
    first = raw_mail(ALICE, "Scanner", "scan one", "Message-ID: <>\n")
    second = raw_mail(BOB, "Printer", "print two", "Message-ID: <>\n")
    answer = raw_mail(BOB, "Re: Printer", "print three", "Message-ID: <b3@example.com>\nIn-Reply-To: <>\n")
    summary = Importer(service, [OURS]).run([(f"x:{n}", raw, None) for n, raw in enumerate([first, second, answer])])
    assert (summary.messages_added, summary.duplicates) == (3, 0)
    assert parse_message(first).message_id is None and parse_message(answer).in_reply_to is None
    # Bob's answer to "<>" is not threaded into Alice's ticket.
    alices = service.store.scalar("SELECT ticket_id FROM messages WHERE body = 'scan one'")
    assert {r["author"] for r in service.store.query("SELECT author FROM messages WHERE ticket_id = ?", [alices])} == {ALICE}


def test_item1_a_stranger_cannot_join_another_customers_ticket_by_its_number(db_path: Path, tmp_path: Path) -> None:
    store = open_store(db_path)
    service = TicketService(store, actor="agent")
    ticket = service.create_ticket(email=ALICE, subject="My invoice", body="private", message_id="<a1@example.com>")
    service.reply(ticket, "Here it is")
    eml = tmp_path / "m.eml"
    eml.write_bytes(mail(STRANGER, f"Re: [#{ticket}] My invoice", "send it to me instead", "<m1@evil.example>"))
    assert main(["--db", str(db_path), "import", str(eml)]) == 0
    assert store.scalar("SELECT status FROM tickets WHERE id = ?", [ticket]) == "answered"  # not reopened
    assert store.scalar("SELECT count(*) FROM messages WHERE ticket_id = ?", [ticket]) == 2
    other = store.scalar("SELECT ticket_id FROM messages WHERE message_id = '<m1@evil.example>'")
    assert other != ticket
    # The ticket's own customer still reaches it by its number, from a fresh mail.
    eml.write_bytes(mail(ALICE, f"Re: [#{ticket}]", "one more thing", "<a2@example.com>"))
    assert main(["--db", str(db_path), "import", str(eml)]) == 0
    assert store.scalar("SELECT ticket_id FROM messages WHERE message_id = '<a2@example.com>'") == ticket
    # However the customer's mail program writes the address's case, non-ASCII letters too.
    umlaut = service.create_ticket(email="JÜRGEN@MÜLLER.DE", subject="Rechnung", body="bitte")
    eml.write_bytes(raw_mail("Jürgen <jürgen@müller.de>", f"AW: [#{umlaut}]", "danke", "Message-ID: <j2@m>\n"))
    assert main(["--db", str(db_path), "import", str(eml)]) == 0
    assert store.scalar("SELECT ticket_id FROM messages WHERE message_id = '<j2@m>'") == umlaut
    store.close()


def test_item6_raw_utf8_attachment_names_are_read_not_replaced() -> None:
    # Many mailers write non-ASCII file names as raw UTF-8 (RFC 6532), not as RFC 2231 parameters.
    raw = ("From: a@example.com\nSubject: CV\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n"
           "--XX\nContent-Type: text/plain\n\nsee attached\n"
           '--XX\nContent-Type: application/pdf\nContent-Disposition: attachment; filename="résumé.pdf"\n\nAAAA\n'
           '--XX\nContent-Type: image/png; name="Grüße.png"\n\nBBBB\n'
           '--XX\nContent-Type: application/pdf\nContent-Disposition: attachment; filename="caf\xe9.pdf"\n\nCCCC\n'
           "--XX--\n").encode()
    raw = raw.replace("caf\xe9".encode(), b"caf\xe9")  # and one in Latin-1, as old mailers write it
    names = [name for name, _type, _data in parse_message(raw).attachments]
    assert names == ["résumé.pdf", "Grüße.png", "café.pdf"]


def test_item3_an_attachments_content_type_is_stored_as_a_plain_mime_type() -> None:
    # Folded onto a second line, escapes, a missing ";": what is stored is type/subtype and nothing else.
    raw = (b"From: m@evil.example\nSubject: x\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n"
           b"--XX\nContent-Type: text/plain charset=utf-8\n\nhi\n"
           b"--XX\nContent-Type: application/x-foo\n X-Tui-Desk-Status: deleted\nContent-Disposition: attachment;"
           b" filename=a.bin\n\nAAAA\n"
           b"--XX\nContent-Type: application/x-\x1b[8m\nContent-Disposition: attachment; filename=b.bin\n\nBBBB\n--XX--\n")
    parsed = parse_message(raw)
    assert parsed.body.strip() == "hi"
    assert [t for _name, t, _data in parsed.attachments] == ["application/x-foo", "application/x-"]


def test_item16_mbox_export_survives_any_stored_content_type(service: TicketService, tmp_path: Path) -> None:
    # Stores written before content types were cleaned may hold a line break in one: the export of
    # every ticket must not stop at it, and nothing in it may become a header of the export.
    service.create_ticket(email=ALICE, subject="Before", body="first", message_id="<a1@example.com>")
    service.create_ticket(email=STRANGER, subject="Files", body="see", message_id="<m1@evil.example>",
                          attachments=[("a.bin", "application/x-foo\n x-tui-desk-status: deleted", b"AAAA")])
    service.create_ticket(email=BOB, subject="After", body="last", message_id="<b1@example.com>")
    from tui_desk.mail.export import export_mbox

    path = tmp_path / "out.mbox"
    assert export_mbox(service.store, path, [1, 2, 3]) == 3
    import mailbox

    statuses = [m.get_all("X-Tui-Desk-Status") for m in mailbox.mbox(path)]
    assert statuses == [["new"], ["new"], ["new"]]


def test_item6_a_header_of_many_encoded_words_parses_in_bounded_time() -> None:
    # decode_header is quadratic: 1.4 MB of encoded words took 10 s, a 25 MB message an hour of fetch.
    import time

    words = b"=?utf-8?q?a?= " * 100_000
    raw = (b"From: =?utf-8?q?a?= " + words + b"<a@example.com>\nSubject: " + words + b"\nMIME-Version: 1.0\n"
           b"Content-Type: multipart/mixed; boundary=XX\n\n--XX\nContent-Type: text/plain\n\nhi\n"
           b'--XX\nContent-Type: application/pdf\nContent-Disposition: attachment; filename="' + words + b'"\n\nA\n--XX--\n')
    started = time.monotonic()
    parsed = parse_message(raw)
    assert time.monotonic() - started < 3
    assert parsed.sender == "a@example.com" and parsed.subject.startswith("aaaa") and parsed.body.strip() == "hi"
    assert parsed.attachments[0][0].startswith("aaaa")


def test_item6_a_huge_from_line_without_an_address_parses_in_bounded_time() -> None:
    # The fallback search for "a word with an @" was quadratic: 200,000 letters took two minutes.
    import time

    started = time.monotonic()
    parsed = parse_message(b"From: " + b"a" * 60_000 + b"\nSubject: x\n\nbody\n")
    assert time.monotonic() - started < 3
    assert parsed.sender == "unknown-sender@tui-desk.invalid" and parsed.body.strip() == "body"


def test_item6_huge_content_type_and_disposition_parameters_parse_in_bounded_time() -> None:
    # The email package splits header parameters in quadratic time (a multipart's boundary included).
    import time

    junk = b"; a=b" * 150_000
    raw = (b"From: a@example.com\nSubject: x\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX" + junk +
           b"\n\n--XX\nContent-Type: text/plain; charset=utf-8" + junk + b"\n\nhi\n"
           b"--XX\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=a.pdf" + junk +
           b"\n\nAAAA\n--XX--\n")
    started = time.monotonic()
    parsed = parse_message(raw)
    assert time.monotonic() - started < 3
    assert parsed.body.strip() == "hi" and [a[0] for a in parsed.attachments] == ["a.pdf"]


def test_item14_an_archive_date_before_email_existed_is_no_date(db_path: Path, tmp_path: Path) -> None:
    # "Date: ... 0100" was stored as "100-01-01T..." (no four-digit year), then refused: the message skipped.
    store = open_store(db_path)
    paths = []
    for n, year in enumerate(["0100", "0999", "1000", "1970"]):  # 1 Jan 1970 00:00: a zero time_t
        path = tmp_path / f"old{n}.eml"
        path.write_bytes(raw_mail(f"old{n}@example.com", f"Old {n}", "text",
                                  f"Message-ID: <old{n}@example.com>\nDate: Mon, 1 Jan {year} 00:00:00 +0000\n"))
        paths.append(str(path))
    assert main(["--db", str(db_path), "import", *paths]) == 0
    rows = store.query("SELECT created_at FROM tickets ORDER BY id")
    assert len(rows) == 4 and all(r["created_at"] >= "2026" for r in rows)
    store.close()


def test_item1_mail_without_a_sender_never_joins_a_ticket_by_its_number(service: TicketService) -> None:
    # Every message without an address belongs to the one "unknown sender": two such people are strangers.
    first = raw_mail("", "Lost parcel", "where is it", "Message-ID: <u1@x>\n")
    summary = Importer(service, [OURS]).run([("x:1", first, None)])
    ticket = service.store.scalar("SELECT ticket_id FROM messages WHERE message_id = '<u1@x>'")
    second = raw_mail("", f"Re: [#{ticket}]", "someone else", "Message-ID: <u2@x>\n")
    summary = Importer(service, [OURS]).run([("x:2", second, None)])
    assert summary.tickets_created == 1
    assert service.store.scalar("SELECT ticket_id FROM messages WHERE message_id = '<u2@x>'") != ticket


@pytest.mark.parametrize("start", [b"\n", b"\r\n\r\n", b"\xef\xbb\xbf"], ids=["blank-line", "crlf-lines", "utf8-bom"])
def test_item6_an_mbox_with_a_blank_line_or_bom_before_its_first_from_line_is_an_mbox(
    service: TicketService, tmp_path: Path, start: bytes
) -> None:
    # It was read as one message from "unknown sender" (every customer's mail in one ticket), or, with
    # a BOM, its first message was dropped.
    path = tmp_path / "old.mbox"
    path.write_bytes(start + b"From a@b Mon Jan  1 00:00:00 2026\nFrom: one@example.com\nSubject: one\n\nbody one\n\n"
                     b"From b@c Mon Jan  1 00:00:00 2026\nFrom: two@example.com\nSubject: two\n\nbody two\n")
    from tui_desk.mail.importer import import_paths

    summary = import_paths(service, [path])
    assert (summary.tickets_created, summary.messages_added) == (2, 2)
    authors = [r["author"] for r in service.store.query("SELECT author FROM messages ORDER BY id")]
    assert authors == ["one@example.com", "two@example.com"]

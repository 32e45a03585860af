"""Importing the desk's own export again adds nothing; a folder's mail is found whatever its names.

Reviewer's follow-up to issue 12: replies, notes and customer messages stored
without a Message-ID get a made-up one in the mbox export; a restore into the
store they came from must know them. A folder of MH-style numbered files is
read, and what is not mail is named on stderr instead of being passed over.
"""

from __future__ import annotations

import mailbox
from email.message import EmailMessage
from pathlib import Path

import pytest

from tui_desk.cli import main
from tui_desk.core.lifecycle import TicketService
from tui_desk.mail.export import chosen_tickets, export_mbox
from tui_desk.mail.importer import import_paths
from tui_desk.store import Store, open_store

pytestmark = pytest.mark.both_backends

OURS = "help@desk.example"


def messages(store: Store) -> list[tuple]:
    return [(r["ticket_id"], r["kind"], r["body"]) for r in store.query("SELECT ticket_id, kind, body FROM messages ORDER BY id")]


def filled(service: TicketService) -> tuple[int, int]:
    first = service.create_ticket(email="carol@example.com", subject="Printer", body="Broken")  # no Message-ID
    service.reply(first, "Restart it")
    service.add_note(first, "she is a reseller")
    service.add_customer_message(first, "Still broken")  # no Message-ID either
    service.resolve(first)
    second = service.create_ticket(email="dave@example.com", subject="Invoice", body="Where?", message_id="<d1@e>")
    service.add_note(second, "Broken")  # the same text as another message: still its own
    return first, second


def count(path: Path) -> int:
    store = open_store(path)
    try:
        return int(store.scalar("SELECT count(*) FROM messages") or 0)
    finally:
        store.close()


def test_reimport_restore_of_own_mbox_export_into_the_same_store_adds_nothing(
    service: TicketService, db_path: Path, tmp_path: Path, capsys, another_db
) -> None:
    filled(service)
    box = tmp_path / "tickets.mbox"
    export_mbox(service.store, box, chosen_tickets(service.store), OURS)
    before = messages(service.store)
    assert service.store.scalar("SELECT count(*) FROM messages WHERE message_id IS NULL") >= 4  # made-up IDs exported

    assert main(["--db", str(db_path), "import", "--restore", str(box)]) == 0
    assert main(["--db", str(db_path), "import", str(box)]) == 0  # a plain re-import too
    assert messages(service.store) == before
    assert "6 already there" in capsys.readouterr().out

    fresh = another_db("fresh.db")
    assert main(["--db", str(fresh), "import", "--restore", str(box)]) == 0
    assert count(fresh) == len(before)
    other = open_store(fresh)
    assert [(kind, body) for _t, kind, body in messages(other)] == [(kind, body) for _t, kind, body in before]
    other.close()
    assert main(["--db", str(fresh), "import", "--restore", str(box)]) == 0  # and again into the restored one
    assert count(fresh) == len(before)


def test_reimport_recognises_exported_messages_after_a_merge(service: TicketService, tmp_path: Path) -> None:
    first, second = filled(service)
    box = tmp_path / "tickets.mbox"
    export_mbox(service.store, box, chosen_tickets(service.store), OURS)
    service.merge(first, second)
    before = messages(service.store)
    summary = import_paths(service, [box], [OURS], restore=True)
    assert summary.messages_added == 0 and summary.duplicates == 6
    assert messages(service.store) == before


def test_reimport_a_stranger_copying_a_made_up_id_with_other_text_is_kept(
    service: TicketService, tmp_path: Path
) -> None:
    first, _second = filled(service)
    box = tmp_path / "tickets.mbox"
    export_mbox(service.store, box, chosen_tickets(service.store), OURS)
    taken = mailbox.mbox(box)[0]
    forged = EmailMessage()
    forged["From"] = "mallory@evil.example"
    forged["Subject"] = "Printer"
    forged["Message-ID"] = taken["Message-ID"]
    forged["X-Tui-Desk-Ticket"] = str(first)
    forged.set_content("Something else")
    (tmp_path / "forged.eml").write_bytes(forged.as_bytes())
    before = len(messages(service.store))
    assert import_paths(service, [tmp_path / "forged.eml"], [OURS]).messages_added == 1
    assert len(messages(service.store)) == before + 1


@pytest.mark.parametrize("number", ["99999999999999999999", "\u00b2", "12 "])
def test_reimport_a_made_up_export_header_of_any_size_is_just_a_message(
    service: TicketService, tmp_path: Path, number: str
) -> None:
    """A sender writes our export's headers with a number no store holds: the import goes on."""
    forged = EmailMessage()
    forged["From"] = "mallory@evil.example"
    forged["Subject"] = "Printer"
    forged["Message-ID"] = "<1.2@export.tui-desk.invalid>"
    forged["X-Tui-Desk-Ticket"] = number
    forged.set_content("Something else")
    plain = EmailMessage()
    plain["From"] = "ann@example.com"
    plain["Subject"] = "Hello"
    plain["Message-ID"] = "<hello@example.com>"
    plain.set_content("After it")
    box = tmp_path / "in.mbox"
    folder = mailbox.mbox(box)
    folder.add(forged)
    folder.add(plain)
    folder.close()
    summary = import_paths(service, [box], [OURS])
    assert (summary.tickets_created, summary.messages_added) == (2, 2)


# -- a folder of mail whatever the file names ---------------------------------------------------------
def message(sender: str, subject: str, mid: str, *, received: bool = False) -> bytes:
    m = EmailMessage()
    if received:
        m["Received"] = "from mx.example.com by desk.example; Mon, 02 Mar 2026 10:00:00 +0000"
    m["From"] = sender
    m["To"] = OURS
    m["Subject"] = subject
    m["Message-ID"] = mid
    m["Date"] = "Mon, 02 Mar 2026 10:00:00 +0000"
    m.set_content("hello")
    return m.as_bytes()


def test_folder_reads_mh_numbered_files_and_names_what_is_not_mail(
    db_path: Path, tmp_path: Path, capsys
) -> None:
    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    (folder / "1").write_bytes(message("a@example.com", "One", "<1@e>"))
    (folder / "2").write_bytes(message("b@example.com", "Two", "<2@e>", received=True))
    (folder / "saved.txt").write_bytes(b"Return-Path: <c@example.com>\n" + message("c@example.com", "Three", "<3@e>"))
    (folder / "sub" / "old").write_bytes(b"From c@example.com Mon Mar  2 10:00:00 2026\n"
                                         + message("d@example.com", "Four", "<4@e>"))
    (folder / "notes.txt").write_text("Note: buy milk\nand bread\n")
    (folder / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (folder / "evil\x1b[2Jname").write_text("just text\n")
    (folder / "known.eml").write_bytes(message("e@example.com", "Five", "<5@e>"))

    assert main(["--db", str(db_path), "import", str(folder)]) == 0
    out, err = capsys.readouterr()
    store = open_store(db_path)
    subjects = sorted(r["subject"] for r in store.query("SELECT subject FROM tickets"))
    store.close()
    assert subjects == ["Five", "Four", "One", "Three", "Two"]
    lines = [line for line in err.splitlines() if "3" in line and "notes.txt" in line]
    assert len(lines) == 1, err
    assert "picture.png" in lines[0] and "\x1b" not in err and "␛" in lines[0]


def test_folder_of_nothing_but_other_files_says_so(db_path: Path, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for n in range(8):
        (folder / f"doc{n}.txt").write_text(f"page {n}\n")
    assert main(["--db", str(db_path), "import", str(folder)]) == 0
    err = capsys.readouterr().err
    assert "8" in err and "doc0.txt" in err and "doc7.txt" not in err  # a count and the first few names
    assert err.count("\n") == 1


def test_folder_maildir_still_imports_as_before(db_path: Path, tmp_path: Path, capsys) -> None:
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add(message("a@example.com", "One", "<1@e>"))
    box.add(message("b@example.com", "Two", "<2@e>"))
    box.close()
    assert main(["--db", str(db_path), "import", str(tmp_path / "Maildir")]) == 0
    out, err = capsys.readouterr()
    assert "2 messages added" in out and err == ""

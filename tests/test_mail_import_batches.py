"""A batched import stores exactly what importing the same messages one at a time stores.

The import writes many messages per transaction (mail/importer.py, docs/issue16/import.md);
this checks that the batching changes nothing a user sees: the same tickets, messages,
events, customers and attachments, row for row, ids included, and the same summary.
"""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from support import FakeClock, mail, write_mbox

from tui_desk.core.lifecycle import TicketService
from tui_desk.mail.export import synthetic_id
from tui_desk.mail.importer import Importer, find_sources
from tui_desk.store import Store, open_store

pytestmark = pytest.mark.both_backends

OURS = ["help@desk.example"]
TABLES = ("customers", "tickets", "messages", "events", "attachments")
REPORT_TABLES = ("report_created", "report_moves", "report_tags")  # counted in bulk by a batch (store/report_bulk.py)


def _with_file(frm: str, subject: str, mid: str, date: str, body: str, data: bytes, filename: str,
               subtype: str) -> bytes:
    """A message from ``frm`` with one file attached (``application/subtype``)."""
    m = EmailMessage()
    m["From"] = frm
    m["To"] = "help@desk.example"
    m["Subject"] = subject
    m["Message-ID"] = mid
    m["Date"] = date
    m.set_content(body)
    m.add_attachment(data, maintype="application", subtype=subtype, filename=filename)
    return m.as_bytes()


def _messages() -> list[bytes]:
    """New requests, follow-ups by In-Reply-To and by [#N], forged and repeated mail, interleaved."""
    day = "Mon, 02 Mar 2026 {:02d}:00:00 +0000"
    return [
        mail("Ana <ana@example.org>", "Printer broken", "It jams.", "<a1@example.org>", date=day.format(9)),
        mail("Bo <bo@example.org>", "Login fails", "Password refused.", "<b1@example.org>", date=day.format(9)),
        mail("Help Desk <help@desk.example>", "Re: Printer broken", "Try tray 2.", "<r1@desk.example>",
             reply_to="<a1@example.org>", date=day.format(10)),
        mail("Ana <ana@example.org>", "Re: Printer broken", "Tray 2 jams too.", "<a2@example.org>",
             reply_to="<r1@desk.example>", date=day.format(11)),
        mail("Bo <bo@example.org>", "Re: [#2] Login fails", "Still refused.", "<b2@example.org>", date=day.format(11)),
        mail("Mallory <m@evil.example>", "[#1] Printer broken", "Send the invoice to me.", "<m1@evil.example>",
             date=day.format(12)),
        mail("Ana <ana@example.org>", "Printer broken", "It jams.", "<a1@example.org>", date=day.format(9)),
        mail("Eve <eve@example.org>", "Same id, other text", "Not the printer.", "<a1@example.org>",
             date=day.format(12)),
        mail("Cy <cy@example.org>", "No id", "A message without a Message-ID.", None, date=day.format(13)),
        mail("Cy <cy@example.org>", "No id", "A message without a Message-ID.", None, date=day.format(13)),
        mail("Help Desk <help@desk.example>", "About nothing", "Ours, no thread.", "<r2@desk.example>",
             date=day.format(14)),
        _with_file("Ana <ana@example.org>", "Invoice attached", "<att@example.org>", "Mon, 02 Mar 2026 10:05:00 +0000",
                   "See the invoice.", b"%PDF-1.4 invoice", "invoice.pdf", "pdf"),
        mail("Bo <bo@example.org>", "Re: Login fails", "Works now, thanks.", "<b3@example.org>",
             reply_to="<b2@example.org>", date=day.format(15)),
        b"\xff\xfe not a mail at all \x00",
    ]


def _hostile() -> list[bytes]:
    """One batch of what a stranger would try against tickets made earlier in the same batch
    (their rows still pending when the new tickets are written together, core/new_tickets.py)."""
    day = "Tue, 03 Mar 2026 {:02d}:00:00 +0000"
    return [
        mail("Dee <dee@example.org>", "Heater broken", "No heat.", "<d1@example.org>", date=day.format(9),
             Cc="fay@example.org"),  # ticket 1
        mail("Mallory <m@evil.example>", "Re: [#1] Heater broken", "Pay me instead.", "<m1@evil.example>",
             date=day.format(9)),  # a guessed [#1]: a ticket of its own (2), never a message in 1
        mail("Dee <dee@example.org>", "Re: [#1] Heater broken", "Still cold.", "<d2@example.org>",
             date=day.format(10)),  # its customer by [#1] alone: joins 1
        mail("Fay <fay@example.org>", "Re: [#1] Heater broken", "Same here.", "<f1@example.org>",
             date=day.format(10)),  # copied on 1: joins 1
        mail("Mallory <m@evil.example>", "Heater broken", "Other words.", "<d1@example.org>",
             date=day.format(11)),  # Dee's Message-ID, other text: stored (3), without the taken ID
        mail("Mallory <m@evil.example>", "Re: Heater broken", "Quoting the thread.", "<m2@evil.example>",
             reply_to="<d2@example.org>", date=day.format(11)),  # quotes a Message-ID of 1: joins it, no Cc taken
        mail("DEE <DEE@example.org>", "Second question", "Another one.", "<d3@example.org>",
             date=day.format(12)),  # the same customer as Dee, other case: ticket 4
        mail("Jürgen <JÜRGEN@example.org>", "Grüße", "Hallo.", "<j1@example.org>", date=day.format(12)),
        mail("jürgen <jürgen@example.org>", "Grüße", "Hallo again.", "<j2@example.org>", date=day.format(12)),
        mail("Help Desk <help@desk.example>", "Re: [#4] Second question", "Answered.", "<r1@desk.example>",
             date=day.format(13)),  # ours by [#4] alone: a reply when trusted, else a stranger's ticket
        mail("Dee <dee@example.org>", "Heater broken", "No heat.", "<d1@example.org>", date=day.format(9),
             Cc="fay@example.org"),  # the first message again: already there
        mail("Gus <gus@example.org>", "No id", "Twice, no Message-ID.", None, date=day.format(14)),
        mail("Gus <gus@example.org>", "No id", "Twice, no Message-ID.", None, date=day.format(14)),
        # A new ticket whose name, subject and file name carry terminal escapes, NUL and a path.
        _with_file("\x1b[31mIvy\x1b[0m <ivy@example.org>", "Bill\x1b]0;pwned\x07 \x00due", "<i1@example.org>",
                   "Tue, 03 Mar 2026 15:00:00 +0000", "See attached.\x00", b"MZ\x00", "../../etc/passwd\x00.exe",
                   "octet-stream"),
        # Raw UTF-8 addresses (SMTPUTF8), not encoded words: SQLite's NOCASE folds ASCII letters only,
        # PostgreSQL's comparison more: the pending new customers must be told apart as the store does.
        _raw_sender(mail("x", "Grüße", "Raw one.", "<j3@example.org>", date=day.format(15)), "JÜRGEN@example.org"),
        _raw_sender(mail("x", "Grüße", "Raw two.", "<j4@example.org>", date=day.format(15)), "jürgen@example.org"),
        _raw_sender(mail("x", "Grüße", "Raw three.", "<j5@example.org>", date=day.format(15)), "Jürgen@Example.org"),
    ]


def _raw_sender(message: bytes, address: str) -> bytes:
    """The message From ``address`` written as raw UTF-8 in the header."""
    head, _blank, body = message.partition(b"\n\n")
    lines = [b"From: " + address.encode() if line.startswith(b"From:") else line for line in head.split(b"\n")]
    return b"\n".join(lines) + b"\n\n" + body


def _follow_ups() -> list[bytes]:
    """Follow-ups whose rows are still pending (core/new_tickets.py) when a later message of the same
    batch needs them: the SLA replay of a reopened ticket, a [#N] join by who wrote or was copied."""
    day = "{:s} Feb 2026 {:02d}:00:00 +0000"  # before the tests' clock: ARCHIVE keeps these dates
    return [
        mail("Ana <ana@example.org>", "Heater", "No heat.", "<s1@example.org>", date=day.format("Mon, 02", 9)),
        mail("Help Desk <help@desk.example>", "Re: Heater", "Try the valve.", "<sr1@desk.example>",
             reply_to="<s1@example.org>", date=day.format("Tue, 03", 9)),  # trusted: the SLA clock pauses
        mail("Ana <ana@example.org>", "Re: Heater", "Valve stuck.", "<s2@example.org>", date=day.format("Wed, 04", 9),
             References="<s1@example.org>"),  # resumes
        mail("Help Desk <help@desk.example>", "Re: Heater", "A fitter comes.", "<sr2@desk.example>",
             date=day.format("Mon, 16", 9), References="<s1@example.org>"),  # pauses, the resolution target used up
        mail("Ana <ana@example.org>", "Re: Heater", "Nobody came.", "<s3@example.org>", date=day.format("Tue, 17", 9),
             References="<s1@example.org>"),  # resumes: when the target was used up is replayed from the events
        mail("Dee <dee@example.org>", "Boiler", "Leaking.", "<d1@example.org>", date=day.format("Wed, 18", 9)),  # 2
        mail("Dee <dee@example.org>", "Re: Boiler", "Copying Gus.", "<d2@example.org>", reply_to="<d1@example.org>",
             date=day.format("Wed, 18", 10), Cc="gus@example.org"),  # Gus joins the Cc of 2
        mail("Fay <fay@example.org>", "Re: Boiler", "Quoting the thread.", "<f1@example.org>",
             reply_to="<d1@example.org>", date=day.format("Wed, 18", 11)),  # joins 2: Fay has written in it
        mail("Fay <fay@example.org>", "Re: [#2] Boiler", "By its number.", "<f2@example.org>",
             date=day.format("Wed, 18", 12)),  # [#2] alone: joins, as one who wrote in 2
        mail("Gus <gus@example.org>", "Re: [#2] Boiler", "Copied, by its number.", "<g1@example.org>",
             date=day.format("Wed, 18", 13)),  # [#2] alone: joins, as one 2 copies
    ]


def _rows(store: Store) -> dict[str, list[dict[str, Any]]]:
    rows = {table: [dict(row) for row in store.query(f"SELECT * FROM {table} ORDER BY id")] for table in TABLES}
    for table in REPORT_TABLES:
        rows[table] = sorted((dict(row) for row in store.query(f"SELECT * FROM {table}")), key=repr)
    return rows


def _import(
    db: object, mbox: Path, batch_size: int, trust: bool, together: bool = True,
    before: Callable[[TicketService], None] | None = None,
) -> tuple[tuple[int, ...], dict[str, Any], int | None, int]:
    """The import's figures, every row, how many statements wrote new tickets together (SQLite;
    PostgreSQL writes them one at a time: None), and how many batches were redone one at a time.
    ``before``: what the desk held before the import, made through the service."""
    store = open_store(db)
    if before is not None:
        before(TicketService(store, clock=FakeClock(), actor="agent"))
    together_writes: list[str] = []
    if store.dialect == "sqlite":
        store.conn.set_trace_callback(  # type: ignore[attr-defined]
            # One at a time, the id is the next free one, computed by the INSERT itself (store/writes.py).
            lambda sql: together_writes.append(sql) if sql.startswith("INSERT INTO tickets(id,") and "max(" not in sql
            else None
        )
    try:
        service = TicketService(store, clock=FakeClock(), actor="agent")
        sources = find_sources([mbox])
        items = [item for source in sources for item in source.messages()]
        importer = Importer(service, OURS, batch_size=batch_size, trust_own_address=trust, together=together)
        redone: list[object] = []
        restore = importer._restore

        def counted_restore(state: Any) -> None:
            redone.append(state)
            restore(state)

        importer._restore = counted_restore  # type: ignore[method-assign]
        summary = importer.run(items)
        again = Importer(service, OURS, batch_size=batch_size, trust_own_address=trust, together=together).run(items)
        counts = (summary.tickets_created, summary.messages_added, summary.duplicates, len(summary.skipped),
                  summary.unverified_own_address, again.messages_added, again.duplicates)
        return counts, _rows(store), len(together_writes) if store.dialect == "sqlite" else None, len(redone)
    finally:
        store.close()


def _same_as_one_at_a_time(
    tmp_path: Path, another_db, messages: list[bytes], trust: bool, before: Callable[[TicketService], None] | None = None
) -> dict[str, Any]:
    """Imported one message per transaction the reference way, then in batches of 1, 3 and 400 with
    new tickets written together, and 400 the reference way: the same figures and rows, ids included."""
    mbox = write_mbox(tmp_path / "in.mbox", messages)
    reference = _import(another_db("one.db"), mbox, 1, trust, together=False, before=before)
    assert not reference[2]
    for size, together in ((1, True), (3, True), (400, True), (400, False)):
        batched = _import(another_db(f"batch{size}{together}.db"), mbox, size, trust, together, before)
        assert batched[0] == reference[0], (size, together)
        for table in (*TABLES, *REPORT_TABLES):
            assert batched[1][table] == reference[1][table], (table, size, together)
        if together and batched[2] is not None:
            assert batched[2] > 0, size  # the batch path ran
            assert batched[3] == 0, size  # and stored the batch itself, not redone one at a time
    return {"counts": reference[0], **reference[1]}


@pytest.mark.parametrize("trust", [False, True], ids=["own-address-unverified", "own-address-trusted"])
def test_a_batched_import_stores_what_one_message_at_a_time_stores(tmp_path: Path, another_db, trust: bool) -> None:
    stored = _same_as_one_at_a_time(tmp_path, another_db, _messages(), trust)
    counts = stored["counts"]
    assert counts[1] == len(_messages()) - 2 and counts[2] == 2  # two repeats found as already there, the same on re-import
    assert counts[5] == 0 and counts[6] == counts[1] + counts[2]
    assert len(stored["attachments"]) == 1


@pytest.mark.parametrize("trust", [False, True], ids=["own-address-unverified", "own-address-trusted"])
def test_a_stranger_cannot_use_the_tickets_of_the_same_batch(tmp_path: Path, another_db, trust: bool) -> None:
    stored = _same_as_one_at_a_time(tmp_path, another_db, _hostile(), trust)
    by_ticket: dict[int, list[str]] = {}
    for message in stored["messages"]:
        by_ticket.setdefault(message["ticket_id"], []).append(message["author"])
    assert by_ticket[1] == ["dee@example.org", "dee@example.org", "fay@example.org", "m@evil.example"]
    assert by_ticket[2] == ["m@evil.example"]  # the forged [#1]
    copied = [m for m in stored["messages"] if m["body"] == "Other words."]
    assert copied[0]["message_id"] is None and copied[0]["ticket_id"] == 3
    dee = [c["id"] for c in stored["customers"] if c["email"].lower() == "dee@example.org"]
    assert len(dee) == 1 and stored["tickets"][3]["customer_id"] == dee[0]
    ours = [m for m in stored["messages"] if m["body"] == "Answered."][0]
    assert (ours["kind"], ours["ticket_id"]) == (("reply", 4) if trust else ("customer", ours["ticket_id"]))
    assert trust or ours["ticket_id"] != 4
    assert stored["counts"][2] == 2  # Dee's first message again, and Gus's second copy
    assert len(stored["attachments"]) == 1 and "\x00" not in stored["attachments"][0]["filename"]


def test_our_export_of_a_message_of_the_same_batch_is_already_there(tmp_path: Path, another_db) -> None:
    """Our mbox export names a message stored without a Message-ID by a made-up one and its ticket
    (mail/export.py synthetic_id): found again even when that ticket is new in the same batch."""
    first = mail("Hal <hal@example.org>", "No id", "Exported later.", None, date="Wed, 04 Mar 2026 09:00:00 +0000")
    probe = _import(another_db("probe.db"), write_mbox(tmp_path / "one.mbox", [first]), 1, False, together=False)
    row = probe[1]["messages"][0]
    exported = mail("Hal <hal@example.org>", "No id", "Exported later.",
                    synthetic_id(1, row["id"], row["created_at"], row["body"]), date="Wed, 04 Mar 2026 09:00:00 +0000",
                    X_Tui_Desk_Ticket="1")
    stored = _same_as_one_at_a_time(tmp_path, another_db, [first, exported], False)
    assert stored["counts"][:3] == (1, 1, 1)  # one ticket, one message, the export's copy already there


def test_our_export_naming_a_ticket_merged_away_finds_a_follow_up_of_the_same_batch(tmp_path: Path, another_db) -> None:
    """Our export names the ticket a message was written to; that ticket merged into another, the
    copy is looked for there, where the follow-up it copies still waits with the batch's rows."""
    def merged(service: TicketService) -> None:
        gone = service.create_ticket(email="ana@example.org", subject="One", body="First.", message_id="<one@example.org>")
        kept = service.create_ticket(email="ana@example.org", subject="Two", body="Second.", message_id="<two@example.org>")
        service.merge(gone, kept)

    other = mail("Bo <bo@example.org>", "Hello", "A new request.", "<bo@example.org>")  # a new ticket: the batch path runs
    follow_up = mail("Ana <ana@example.org>", "Re: Two", "Still broken.", None, reply_to="<two@example.org>")
    probe = _import(another_db("probe.db"), write_mbox(tmp_path / "two.mbox", [other, follow_up]), 1, False,
                    together=False, before=merged)
    row = probe[1]["messages"][-1]
    assert row["ticket_id"] == 2
    exported = mail("Ana <ana@example.org>", "[#1] Re: Two", "Still broken.",
                    synthetic_id(1, row["id"], row["created_at"], row["body"]), X_Tui_Desk_Ticket="1")
    stored = _same_as_one_at_a_time(tmp_path, another_db, [other, follow_up, exported], False, before=merged)
    assert stored["counts"][:3] == (1, 2, 1)  # the follow-up stored, the export's copy already there


@pytest.mark.parametrize("trust", [False, True], ids=["own-address-unverified", "own-address-trusted"])
def test_pending_follow_ups_are_seen_by_the_messages_after_them(tmp_path: Path, another_db, trust: bool) -> None:
    """A follow-up's rows wait with the batch's new tickets (core/new_tickets.py): the SLA replay of a
    later change, the Cc it added and a [#N] sender check still see them, as one at a time."""
    stored = _same_as_one_at_a_time(tmp_path, another_db, _follow_ups(), trust)
    by_ticket: dict[int, list[str]] = {}
    for message in stored["messages"]:
        by_ticket.setdefault(message["ticket_id"], []).append(message["author"])
    assert by_ticket[2] == ["dee@example.org", "dee@example.org", "fay@example.org", "fay@example.org", "gus@example.org"]
    assert len(stored["tickets"]) == 2

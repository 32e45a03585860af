"""A batched import stores exactly what importing the same messages one at a time stores.

The import writes many messages per transaction (mail/importer.py, docs/issue16/import.md);
this checks that the batching changes nothing a user sees: the same tickets, messages,
events, customers and attachments, row for row, ids included, and the same summary.
"""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from support import FakeClock, mail, write_mbox

from tui_desk.core.lifecycle import TicketService
from tui_desk.mail.importer import Importer, find_sources
from tui_desk.store import Store, open_store

pytestmark = pytest.mark.both_backends

OURS = ["help@desk.example"]
TABLES = ("customers", "tickets", "messages", "events", "attachments")


def _with_attachment() -> bytes:
    m = EmailMessage()
    m["From"] = "Ana <ana@example.org>"
    m["To"] = "help@desk.example"
    m["Subject"] = "Invoice attached"
    m["Message-ID"] = "<att@example.org>"
    m["Date"] = "Mon, 02 Mar 2026 10:05:00 +0000"
    m.set_content("See the invoice.")
    m.add_attachment(b"%PDF-1.4 invoice", maintype="application", subtype="pdf", filename="invoice.pdf")
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
        _with_attachment(),
        mail("Bo <bo@example.org>", "Re: Login fails", "Works now, thanks.", "<b3@example.org>",
             reply_to="<b2@example.org>", date=day.format(15)),
        b"\xff\xfe not a mail at all \x00",
    ]


def _rows(store: Store) -> dict[str, list[dict[str, Any]]]:
    return {table: [dict(row) for row in store.query(f"SELECT * FROM {table} ORDER BY id")] for table in TABLES}


def _import(db: object, mbox: Path, batch_size: int, trust: bool) -> tuple[tuple[int, ...], dict[str, Any]]:
    store = open_store(db)
    try:
        service = TicketService(store, clock=FakeClock(), actor="agent")
        sources = find_sources([mbox])
        items = [item for source in sources for item in source.messages()]
        importer = Importer(service, OURS, batch_size=batch_size, trust_own_address=trust)
        summary = importer.run(items)
        again = Importer(service, OURS, batch_size=batch_size, trust_own_address=trust).run(items)
        counts = (summary.tickets_created, summary.messages_added, summary.duplicates, len(summary.skipped),
                  summary.unverified_own_address, again.messages_added, again.duplicates)
        return counts, _rows(store)
    finally:
        store.close()


@pytest.mark.parametrize("trust", [False, True], ids=["own-address-unverified", "own-address-trusted"])
def test_a_batched_import_stores_what_one_message_at_a_time_stores(tmp_path: Path, another_db, trust: bool) -> None:
    mbox = write_mbox(tmp_path / "in.mbox", _messages())
    one_by_one = _import(another_db("one.db"), mbox, 1, trust)
    for size in (3, 400):
        batched = _import(another_db(f"batch{size}.db"), mbox, size, trust)
        assert batched[0] == one_by_one[0]
        for table in TABLES:
            assert batched[1][table] == one_by_one[1][table], table
    counts, rows = one_by_one
    assert counts[1] == len(_messages()) - 2 and counts[2] == 2  # two repeats found as already there, the same on re-import
    assert counts[5] == 0 and counts[6] == counts[1] + counts[2]
    assert len(rows["attachments"]) == 1

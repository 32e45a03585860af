"""Random hostile mboxes: an import in batches stores what one message per transaction stores.

tests/test_mail_import_batches.py holds the cases found so far, written out; this one keeps
looking, with seeded random mail (so a failure names its seed and can be replayed): case and
angle variants of Message-IDs, threading by In-Reply-To and by References only, guessed
`[#N]`, X-Tui-Desk-Ticket, Cc and Reply-To, our own address, non-ASCII senders, repeated
messages, garbage, attachments with hostile names, the mbox split in two imports. The batch
path (core/new_tickets.py, store/report_bulk.py, docs/issue16/import-speed.md) must give the
same figures and the same rows, ids included, as `Importer(together=False)` with batches of one.
The hostile reviews of docs/issue16/import-speed.md and pg-import.md ran the same generator
over thousands of seeds.
"""

from __future__ import annotations

import random
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from support import FakeClock, write_mbox

from tui_desk.core.lifecycle import TicketService
from tui_desk.mail.importer import Importer, find_sources
from tui_desk.store import open_store

pytestmark = pytest.mark.both_backends

OURS = ["help@desk.example"]
TABLES = ("customers", "tickets", "messages", "events", "attachments", "ticket_tags",
          "report_created", "report_moves", "report_tags")
SENDERS = ["Ana <ana@example.org>", "ANA <Ana@Example.org>", "Bo <bo@example.org>", "bo@example.org",
           "Mallory <m@evil.example>", "Help <help@desk.example>", "Help <HELP@desk.example>",
           "Jü <jürgen@example.org>", "JÜ <JÜRGEN@example.org>", '"a b"@example.org', "Fay <fay@example.org>",
           "", "<>", "Ana <ana@example.org >", "=?utf-8?q?Ana?= <ana@example.org>"]
RAW_SENDERS = ["JÜRGEN@example.org", "jürgen@example.org", "ǅemal@example.org", "ǆemal@example.org",
               "ılker@example.org", "İlker@example.org", "straße@example.org", "STRASSE@example.org"]
BODIES = ["It jams.", "Still broken.", "Thanks", "", "It jams.\n", "Pay me."]


def _message_id(rng: random.Random, n: int) -> str:
    i = rng.randint(0, n)
    return rng.choice([f"<m{i}@x.org>", f"<M{i}@X.ORG>", f" <m{i}@x.org> ", f"m{i}@x.org", f"<m{i}@x.org"])


def _message(rng: random.Random, n: int) -> bytes:
    m = EmailMessage()
    if rng.random() < 0.95:
        m["From"] = rng.choice(SENDERS)
    m["To"] = "help@desk.example"
    tag = f"[#{rng.randint(1, n + 2)}] " if rng.random() < 0.35 else ""
    m["Subject"] = tag + rng.choice(["Printer", "Re: Printer", "Login", "x"])
    if rng.random() < 0.8:
        m["Message-ID"] = _message_id(rng, n)
    threading = rng.random()
    if threading < 0.25:
        m["In-Reply-To"] = _message_id(rng, n)
    elif threading < 0.5:
        m["References"] = " ".join(_message_id(rng, n) for _ in range(rng.randint(1, 3)))
    if rng.random() < 0.15:
        m["Cc"] = rng.choice(["fay@example.org", "Bo <bo@example.org>", "help@desk.example"])
    if rng.random() < 0.1:
        m["Reply-To"] = rng.choice(["m@evil.example", "fay@example.org"])
    if rng.random() < 0.1:
        m["X-Tui-Desk-Ticket"] = str(rng.randint(1, n + 2))
    if rng.random() < 0.9:
        m["Date"] = f"Mon, 02 Mar 2026 {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00 +0000"
    m.set_content(rng.choice(BODIES) or " ")
    if rng.random() < 0.15:
        m.add_attachment(rng.choice([b"A", b"BB", b""]), maintype="application", subtype="octet-stream",
                         filename=rng.choice(["a.pdf", "../x\x00.exe", "\x1b[31m.txt"]))
    raw = m.as_bytes()
    if rng.random() < 0.1:  # an SMTPUTF8 sender, raw in the header: told apart as the store's collation does
        head, _blank, body = raw.partition(b"\n\n")
        lines = [line for line in head.split(b"\n") if not line.startswith(b"From:")]
        raw = b"From: " + rng.choice(RAW_SENDERS).encode() + b"\n" + b"\n".join(lines) + b"\n\n" + body
    if rng.random() < 0.03:
        raw = b"\xff\xfe garbage \x00" + raw[: rng.randint(0, 40)]
    return raw


def _import(db: object, mboxes: list[Path], batch_size: int, together: bool, trust: bool) -> tuple[list[Any], dict[str, Any]]:
    store = open_store(db)
    try:
        service = TicketService(store, clock=FakeClock(), actor="agent")
        figures = []
        for mbox in mboxes:
            items = [item for source in find_sources([mbox]) for item in source.messages()]
            summary = Importer(service, OURS, batch_size=batch_size, trust_own_address=trust, together=together).run(items)
            figures.append((summary.tickets_created, summary.messages_added, summary.duplicates,
                            len(summary.skipped), summary.unverified_own_address))
        rows = {table: sorted(map(repr, (tuple(row.values()) for row in store.query(f"SELECT * FROM {table}"))))
                for table in TABLES}
        return figures, rows
    finally:
        store.close()


@pytest.mark.parametrize("seed", range(12))
def test_random_hostile_mail_is_stored_the_same_in_batches(tmp_path: Path, another_db, seed: int) -> None:
    rng = random.Random(seed)
    count = rng.randint(20, 60)
    messages = [_message(rng, count // 2) for _ in range(count)]
    split = rng.randint(0, count)
    mboxes = [write_mbox(tmp_path / "first.mbox", messages[:split]), write_mbox(tmp_path / "then.mbox", messages[split:])]
    trust = rng.random() < 0.5
    reference = _import(another_db("one.db"), mboxes, 1, False, trust)
    for batch_size in (400, rng.randint(2, 9)):
        batched = _import(another_db(f"batch{batch_size}.db"), mboxes, batch_size, True, trust)
        assert batched[0] == reference[0], (seed, batch_size)
        for table in TABLES:
            assert batched[1][table] == reference[1][table], (seed, batch_size, table)

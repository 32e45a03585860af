"""The import's batch path gives the ids one message at a time gives, on PostgreSQL too.

PostgreSQL's ids come from sequences, which are never rolled back, and its `nocase` collation
folds more than ASCII (docs/issue16/pg-import.md): a batch whose sequences moved before it
failed, and was stored again one message at a time, got ids one higher than the reference;
two new customers equal to the collation but not to ASCII folding failed the batch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support import FakeClock, mail, write_mbox

from tui_desk.core.lifecycle import TicketService
from tui_desk.core.new_tickets import NewTickets
from tui_desk.mail.importer import Importer, find_sources
from tui_desk.store import Store, open_store

pytestmark = pytest.mark.both_backends

TABLES = ("customers", "tickets", "messages", "events", "attachments")
DAY = "Mon, 02 Mar 2026 {:02d}:00:00 +0000"


def _raw_utf8(sender: str, message_id: str, hour: int) -> bytes:
    """A message whose address is UTF-8 as it is (SMTPUTF8), not an RFC 2047 encoded word."""
    return (
        f"From: {sender}\r\nTo: help@desk.example\r\nSubject: Hallo\r\nMessage-ID: {message_id}\r\n"
        f"Date: {DAY.format(hour)}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHallo {message_id}.\r\n"
    ).encode()


def _messages() -> list[bytes]:
    return [
        mail("Ann <ann@example.org>", "Printer", "It jams.", "<a1@example.org>", date=DAY.format(9)),
        # Answers a new ticket of the same batch: the batch's rows are written before it is threaded.
        mail("Ann <ann@example.org>", "Re: Printer", "Still.", "<a2@example.org>", reply_to="<a1@example.org>",
             date=DAY.format(10)),
        _raw_utf8("JÜRGEN@example.org", "<j1@example.org>", 11),
        _raw_utf8("jürgen@example.org", "<j2@example.org>", 12),  # the same customer where NOCASE folds Ü
        mail("ANN <ANN@example.org>", "Toner", "Empty.", "<a3@example.org>", date=DAY.format(13)),
        mail("Bo <bo@example.org>", "Fan", "Noisy.", "<b1@example.org>", date=DAY.format(14)),
    ]


def _import(db: object, mbox: Path, together: bool, fail_once: bool = False) -> tuple[dict[str, Any], int, int, int]:
    """Every row, the ids a ticket made one at a time afterwards gets, how many new tickets the
    batch path built, how many batches were stored again one message at a time."""
    store = open_store(db)
    built, redone = [], []
    add, finish = NewTickets.add, NewTickets.finish

    def counted_add(self: NewTickets, *args: Any) -> int:  # noqa: ANN401
        built.append(args)
        return add(self, *args)

    def failing_finish(self: NewTickets) -> None:
        if fail_once and not redone:
            self.write()  # the rows are in; the batch fails before its end (the disk, the connection...)
            raise OSError("the batch fails at its end")
        finish(self)

    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(NewTickets, "add", counted_add)
            patch.setattr(NewTickets, "finish", failing_finish)
            service = TicketService(store, clock=FakeClock(), actor="agent")
            importer = Importer(service, ["help@desk.example"], batch_size=400, together=together)
            restore = importer._restore

            def counted_restore(state: Any) -> None:  # noqa: ANN401
                redone.append(state)
                restore(state)

            importer._restore = counted_restore  # type: ignore[method-assign]
            importer.run([item for source in find_sources([mbox]) for item in source.messages()])
        rows = {table: [dict(row) for row in store.query(f"SELECT * FROM {table} ORDER BY id")] for table in TABLES}
        after = _one_more(store)
        return {**rows, "one more": after}, len(built), len(redone), after[0]
    finally:
        store.close()


def _one_more(store: Store) -> tuple[int, ...]:
    service = TicketService(store, clock=FakeClock(), actor="agent")
    ticket = service.create_ticket(email="new@example.org", subject="Later", body="One at a time.")
    return (ticket, *(int(store.scalar(f"SELECT max(id) FROM {table}")) for table in ("customers", "messages", "events")))


@pytest.mark.parametrize("fail_once", [False, True], ids=["stored", "failed-at-its-end-and-redone"])
def test_a_batch_gets_the_ids_of_one_message_at_a_time(
    tmp_path: Path, another_db, backend: str, fail_once: bool
) -> None:
    mbox = write_mbox(tmp_path / "in.mbox", _messages())
    reference, built_one_by_one, _, _ = _import(another_db("one.db"), mbox, together=False)
    batched, built, redone, _ = _import(another_db("batch.db"), mbox, together=True, fail_once=fail_once)
    assert built_one_by_one == 0 and built > 0  # the batch path ran, on both backends
    assert redone == (1 if fail_once else 0)  # collation-equal customers do not fail the batch
    for table in (*TABLES, "one more"):
        assert batched[table] == reference[table], table
    emails = [row["email"] for row in reference["customers"]]
    # PostgreSQL's nocase compares Ü and ü as the same letter; SQLite's folds ASCII only.
    assert len(emails) == (3 if backend == "postgresql" else 4), emails


def test_the_premise_printable_ascii_compares_as_ascii_folding_does(store: Store, backend: str) -> None:
    """Pending customers are matched by ASCII folding: on PostgreSQL only addresses in printable ASCII
    are, which the collation must then compare exactly so (every pair of characters)."""
    if backend != "postgresql":
        pytest.skip("SQLite's NOCASE is ASCII folding")
    chars = [chr(code) for code in range(0x20, 0x7F)]
    equal = store.query(
        "SELECT a.c AS a, b.c AS b FROM unnest(?::text[]) AS a(c), unnest(?::text[]) AS b(c)"
        " WHERE a.c = b.c COLLATE nocase AND a.c < b.c COLLATE \"C\"",
        [chars, chars],
    )
    pairs = {(row["a"], row["b"]) for row in equal}
    assert pairs == {(upper, upper.lower()) for upper in map(chr, range(ord("A"), ord("Z") + 1))}
    assert store.scalar("SELECT 'Ann.Lee+x@Example.ORG' = 'ann.lee+X@example.org' COLLATE nocase")
    assert not store.scalar("SELECT 'a b@x' = 'ab@x' COLLATE nocase")


@pytest.mark.parametrize("granted", ["USAGE", "USAGE, SELECT", "USAGE, UPDATE"])
def test_a_role_that_may_only_use_the_sequences_imports_one_message_at_a_time(
    tmp_path: Path, another_db, backend: str, granted: str
) -> None:
    """A team's writing role granted its tables and USAGE on the sequences (nextval), but not both
    reading and moving them: its import runs one message at a time, as before, stores the same,
    and no batch is built to be thrown away."""
    if backend != "postgresql":
        pytest.skip("PostgreSQL grants")
    import psycopg

    mbox = write_mbox(tmp_path / "in.mbox", _messages())
    reference = _import(another_db("one.db"), mbox, together=False)[0]
    url = str(another_db("writer.db"))
    open_store(url).close()  # made by its owner
    role = "writer_" + url.split("@/")[1].split("?")[0]
    with psycopg.connect(url, autocommit=True) as owner:
        owner.execute(f"CREATE ROLE {role} LOGIN")
        owner.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
        owner.execute(f"GRANT {granted} ON ALL SEQUENCES IN SCHEMA public TO {role}")
    batched, built, redone, _ = _import(url.replace("postgresql://desk@", f"postgresql://{role}@"), mbox, together=True)
    assert (built, redone) == (0, 0)
    for table in (*TABLES, "one more"):
        assert batched[table] == reference[table], table

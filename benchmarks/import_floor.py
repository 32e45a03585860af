"""The least CPU an import of this mbox can cost with the store's schema: no program logic at all
(docs/issue16/import-floor.md).

    python benchmarks/import_floor.py MBOX IMPORTED_STORE

IMPORTED_STORE is MBOX already imported (`benchmarks/import_cpu.py MBOX STORE`). Its rows are
written again into a new store exactly as the importer writes them (batches of 400 messages, one
transaction each, `executemany` per table, the full-text index in bulk at the end of each batch),
each ticket once in its final state (the follow-ups' UPDATEs left out: the floor is lower than
any real import). The only reads are the two the trust rules cannot do without: is this
Message-ID stored (duplicates), which ticket holds the message it answers (threading). Then every
message is parsed once in this process (`parse_message`, the parsers' work without the mbox
cutting and the hand-over). The last line: the highest rate those two floors allow on this
machine's cores, when nothing else is done per message.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
import time
from itertools import groupby
from pathlib import Path

from tui_desk.mail.importer import BATCH_SIZE
from tui_desk.mail.parse import parse_message
from tui_desk.mail.sources import iter_mbox_spans
from tui_desk.store import mail_records, open_store, search_index

TABLES = ("customers", "tickets", "messages", "events", "attachments")


def _rows_by_batch(source: sqlite3.Connection) -> list[dict[str, list[tuple[object, ...]]]]:
    """Each batch's rows as the import writes them: a batch is 400 messages in their id order,
    with the customers and tickets their first message made, and their events and attachments."""
    def rows(sql: str) -> list[tuple[object, ...]]:
        return source.execute(sql).fetchall()

    messages = rows("SELECT * FROM messages ORDER BY id")
    first_of_ticket = dict(rows("SELECT ticket_id, min(id) FROM messages GROUP BY ticket_id"))
    tickets = {row[0]: row for row in rows("SELECT * FROM tickets")}
    customer_of = dict(rows("SELECT id, customer_id FROM tickets"))
    customers = {row[0]: row for row in rows("SELECT * FROM customers")}
    attachments = {key: list(group) for key, group in groupby(rows("SELECT * FROM attachments ORDER BY message_id, id"),
                                                                 key=lambda row: row[1])}
    events = rows("SELECT * FROM events ORDER BY id")  # one per message in an import: created, customer_message
    seen_customers: set[object] = set()
    batches = []
    for start in range(0, len(messages), BATCH_SIZE):
        chunk = messages[start : start + BATCH_SIZE]
        new_tickets = [tickets[row[1]] for row in chunk if first_of_ticket[row[1]] == row[0]]
        new_customers = []
        for ticket in new_tickets:
            customer = customer_of[ticket[0]]
            if customer not in seen_customers:
                seen_customers.add(customer)
                new_customers.append(customers[customer])
        batches.append({
            "customers": new_customers,
            "tickets": new_tickets,
            "messages": chunk,
            "events": events[start : start + BATCH_SIZE],
            "attachments": [row for message in chunk for row in attachments.get(message[0], [])],
        })
    return batches


def sql_floor(imported: Path, scratch: Path) -> tuple[int, float, float, float]:
    """(messages, µs a message of writes, of the two reads, of COMMIT), thread CPU time."""
    source = sqlite3.connect(imported)
    columns = {table: [row[1] for row in source.execute(f"PRAGMA table_info({table})")] for table in TABLES}
    batches = _rows_by_batch(source)
    references = dict(source.execute("SELECT id, in_reply_to FROM messages"))
    store = open_store(scratch)
    conn = store.conn
    inserts = {table: f"INSERT INTO {table}({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
               for table, cols in columns.items()}
    writes = reads = commits = 0.0
    count = 0
    for batch in batches:
        conn.execute("BEGIN IMMEDIATE")
        started = time.thread_time()
        for message in batch["messages"]:
            if message[6]:
                mail_records.message_by_id(conn, str(message[6]))
            answers = references.get(message[0])
            if answers:
                mail_records.ticket_of_message(conn, str(answers))
        reads += time.thread_time() - started
        started = time.thread_time()
        with search_index.suspended(conn):
            for table in TABLES:
                if batch[table]:
                    conn.executemany(inserts[table], batch[table])
        writes += time.thread_time() - started
        started = time.thread_time()
        conn.execute("COMMIT")
        commits += time.thread_time() - started
        count += len(batch["messages"])
    store.close()
    return count, writes / count * 1e6, reads / count * 1e6, commits / count * 1e6


def parse_floor(mbox: Path) -> float:
    """µs a message of `parse_message`, in this process."""
    with mbox.open("rb") as file:
        data = file.read()
    spans = list(iter_mbox_spans(mbox))
    started = time.process_time()
    for begin, end in spans:
        parse_message(data[begin:end])
    return (time.process_time() - started) / len(spans) * 1e6


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    mbox, imported = Path(sys.argv[1]), Path(sys.argv[2])
    with tempfile.TemporaryDirectory() as folder:
        count, writes, reads, commits = sql_floor(imported, Path(folder) / "floor.db")
    store = writes + reads + commits
    parse = parse_floor(mbox)
    cores = os.cpu_count() or 1
    best = min(1e6 / store, cores * 1e6 / (store + parse))
    print(f"{count:,} messages; load {os.getloadavg()[0]:.1f}")
    print(f"SQLite alone, the rows in bulk: writes {writes:.0f} µs/message, the two reads {reads:.0f}, "
          f"COMMIT {commits:.0f}: {store:.0f} µs/message in the storing process")
    print(f"parse_message alone: {parse:.0f} µs/message")
    print(f"highest rate on {cores} cores with nothing else done per message: {best:,.0f} messages/s")


if __name__ == "__main__":
    main()

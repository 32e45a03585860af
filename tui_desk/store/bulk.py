"""Bulk writes: many finished tickets at once (the demo), in one transaction, batched.

Row by row, a store of 100,000 tickets would take hours of one-row transactions; here
each table gets one batched ``executemany``, and the tables with full-text triggers are
staged first (see :func:`_insert_in_one_statement`). sqlite-utils' ``insert_all`` was
measured against this: the events and messages of 100,000 demo tickets took 17.5 s with
it and 5.8 s here (it builds a dict per row and has no staging), so plain sqlite3 is
kept on this hot path.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import chain
from typing import Any

from .connection import Connection, dialect
from .db import Store

TICKET_COLUMNS = (
    "id", "subject", "customer_id", "status", "previous_status", "postponed_from", "postponed_until", "priority",
    "priority_rank", "assignee_id", "department_id", "created_at", "updated_at", "waiting_since",
    "first_response_at", "resolved_at", "last_customer_message_at", "last_agent_reply_at", "last_message_at",
    "message_count", "bucket", "sort_key", "version",
)  # fmt: skip
MESSAGE_COLUMNS = ("id", "ticket_id", "kind", "author", "body", "created_at", "message_id")
EVENT_COLUMNS = ("ticket_id", "at", "actor", "kind", "from_value", "to_value", "detail")

Row = Sequence[Any]


def last_ticket_id(store: Store) -> int:
    return int(store.scalar("SELECT coalesce(max(id), 0) FROM tickets"))


@contextmanager
def big_page_cache(store: Store, mebibytes: int = 256) -> Iterator[None]:
    """The indexes take rows in random order: a bigger page cache than the default 2 MB
    saves many reads and writes while they grow (restored at the end)."""
    conn = store.conn
    cache_size = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {-1024 * int(mebibytes)}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache_size)}")


def add_names(
    conn: Connection,
    agents: Sequence[Row],
    departments: Sequence[str],
    tags: Sequence[str],
    customers: Sequence[Row],
) -> tuple[dict[str, int], dict[str, int], dict[str, int], dict[str, int]]:
    """Agents (name, full name, e-mail, active), departments, tags and customers (e-mail, name,
    phone, company, created at), the ones already there kept; the ids of each, by name or e-mail."""
    conn.executemany("INSERT OR IGNORE INTO agents(name, full_name, email, active) VALUES (?, ?, ?, ?)", agents)
    conn.executemany("INSERT OR IGNORE INTO departments(name) VALUES (?)", [(d,) for d in departments])
    conn.executemany("INSERT OR IGNORE INTO tags(name) VALUES (?)", [(t,) for t in tags])
    conn.executemany(
        "INSERT OR IGNORE INTO customers(email, name, phone, company, created_at) VALUES (?, ?, ?, ?, ?)", customers
    )
    return (
        _ids(conn, "agents", "name", [row[0] for row in agents]),
        _ids(conn, "departments", "name", list(departments)),
        _ids(conn, "tags", "name", list(tags)),
        _ids(conn, "customers", "email", [row[0] for row in customers]),
    )


def first_free_ids(conn: Connection) -> tuple[int, int]:
    """The next ticket id, above any purged ticket (so a report never mixes an old ticket with a
    new one), and the next message id. Inside the transaction that holds the write lock."""
    highest = "greatest" if dialect(conn) == "postgresql" else "max"  # SQLite's max of two values
    ticket = 1 + conn.execute(
        f"SELECT {highest}(coalesce((SELECT max(id) FROM tickets), 0), coalesce((SELECT max(ticket_id) FROM purged), 0))"
    ).fetchone()[0]
    message = 1 + conn.execute("SELECT coalesce(max(id), 0) FROM messages").fetchone()[0]
    return ticket, message


def first_free_row_ids(conn: Connection) -> tuple[int, int]:
    """The next event id and the next attachment id, for rows written with their ids given."""
    event = 1 + conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
    attachment = 1 + conn.execute("SELECT coalesce(max(id), 0) FROM attachments").fetchone()[0]
    return event, attachment


# The tables whose rows the import's batch path writes with their ids given (core/new_tickets.py).
ROW_TABLES = ("customers", "tickets", "messages", "events", "attachments")


def next_row_ids(conn: Connection) -> dict[str, int]:
    """The id each table of ROW_TABLES gives its next row (SQLite: max + 1; a ticket's above the
    purged ones too, writes._NEXT_TICKET_ID). Inside the transaction that holds the write lock."""
    ticket, message = first_free_ids(conn)
    event, attachment = first_free_row_ids(conn)
    customer = 1 + conn.execute("SELECT coalesce(max(id), 0) FROM customers").fetchone()[0]
    return {"customers": customer, "tickets": ticket, "messages": message, "events": event, "attachments": attachment}


def insert_rows(conn: Connection, table: str, rows: Sequence[dict[str, Any]]) -> None:
    """Rows of one of ROW_TABLES, their ids given: one executemany per set of columns named
    (a column left out takes its default, as in a one-row INSERT). PostgreSQL's sequences are
    left as they are: the import's batch moves them once it is written (store/pg_row_ids.py)."""
    if table not in ROW_TABLES:
        raise ValueError(table)
    by_columns: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for row in rows:
        by_columns.setdefault(tuple(row), []).append(tuple(row.values()))
    for columns, values in by_columns.items():
        conn.executemany(
            f"INSERT INTO {table}({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})", values
        )


def insert_tickets(conn: Connection, rows: Sequence[Row]) -> None:
    """Rows of TICKET_COLUMNS."""
    _insert_in_one_statement(conn, "tickets", TICKET_COLUMNS, rows)


def insert_ticket_tags(conn: Connection, rows: Sequence[Row]) -> None:
    """(ticket id, tag id) rows."""
    conn.executemany("INSERT INTO ticket_tags(ticket_id, tag_id) VALUES (?, ?)", rows)


def insert_messages(conn: Connection, rows: Sequence[Row]) -> None:
    """Rows of MESSAGE_COLUMNS."""
    _insert_in_one_statement(conn, "messages", MESSAGE_COLUMNS, rows)


def insert_attachments_with_ids(conn: Connection, rows: Sequence[Row]) -> None:
    """(id, message id, file name, content type, size, data) rows."""
    conn.executemany(
        "INSERT INTO attachments(id, message_id, filename, content_type, size, data) VALUES (?, ?, ?, ?, ?, ?)", rows
    )
    _move_sequence_past(conn, "attachments", rows)


def insert_events_with_ids(conn: Connection, rows: Sequence[Row]) -> None:
    """Rows of ("id", *EVENT_COLUMNS)."""
    _insert_many(conn, f"INSERT INTO events(id, {', '.join(EVENT_COLUMNS)})", 1 + len(EVENT_COLUMNS), rows)
    _move_sequence_past(conn, "events", rows)


def _move_sequence_past(conn: Connection, table: str, rows: Sequence[object]) -> None:
    """PostgreSQL: the ids were given, so the table's sequence moves past them (SQLite takes max + 1).
    A ticket's id comes from ticket_numbers, the others' from their serial column."""
    if rows and dialect(conn) == "postgresql":
        sequence = "'ticket_numbers'" if table == "tickets" else f"pg_get_serial_sequence('{table}', 'id')"
        conn.execute(f"SELECT setval({sequence}, (SELECT max(id) FROM {table}))")


def stamp_deleted_at(store: Store, after_id: int) -> None:
    """deleted_at of the deleted tickets above `after_id`: the time of their last deletion event."""
    with store.transaction() as conn:
        conn.execute(
            "UPDATE tickets SET deleted_at = (SELECT max(at) FROM events e WHERE e.ticket_id = tickets.id"
            " AND e.kind = 'deleted') WHERE status = 'deleted' AND id > ?",
            [after_id],
        )


def refresh_statistics(store: Store) -> None:
    """After a bulk fill on PostgreSQL: the planner's row counts and the visibility map now.

    Until autovacuum gets to the new rows (a minute or so later), the planner guesses a third
    of the tickets and sorts the whole table for a deep inbox page or a count instead of
    reading the inbox index alone (docs/issue14/load.md). SQLite keeps no such statistics.
    """
    if store.dialect != "postgresql":
        return
    conn = store.conn
    # VACUUM cannot run inside a transaction; ANALYZE alone then (the counts matter most).
    command = "ANALYZE" if conn.in_transaction else "VACUUM (ANALYZE)"
    for table in ("tickets", "ticket_tags", "messages", "events", "customers", "attachments"):
        conn.execute(f"{command} {table}")


def _insert_many(conn: Connection, insert: str, width: int, rows: Sequence[Row], batch: int = 50) -> None:
    """executemany, `batch` rows per statement: about a third less time per row than one by one."""
    one = "(" + ", ".join("?" for _ in range(width)) + ")"
    full = len(rows) - len(rows) % batch
    if full:
        conn.executemany(
            f"{insert} VALUES {', '.join(one for _ in range(batch))}",
            (tuple(chain.from_iterable(rows[i : i + batch])) for i in range(0, full, batch)),
        )
    if full < len(rows):
        conn.executemany(f"{insert} VALUES {one}", rows[full:])


def _insert_in_one_statement(conn: Connection, table: str, columns: tuple[str, ...], rows: Sequence[Row]) -> None:
    """Insert rows into a table with full-text triggers, fast.

    Row by row, every INSERT that fires a trigger opens a statement savepoint,
    and FTS5 writes its pending index data to disk at each one: a tiny index
    segment per row, merged over and over (about 10x slower). Staged in a temp
    table and moved with a single INSERT ... SELECT, the triggers still fire for
    every row but FTS5 flushes only when its buffer is full.
    """
    names = ", ".join(columns)
    if dialect(conn) == "postgresql":
        # No per-row index writes to avoid (GIN takes rows in bulk).
        _insert_many(conn, f"INSERT INTO {table}({names})", len(columns), rows)
        _move_sequence_past(conn, table, rows)
        return
    stage = f"demo_stage_{table}"
    conn.execute(f"DROP TABLE IF EXISTS temp.{stage}")
    conn.execute(f"CREATE TEMP TABLE {stage} AS SELECT {names} FROM main.{table} WHERE 0")
    _insert_many(conn, f"INSERT INTO temp.{stage}({names})", len(columns), rows)
    conn.execute(f"INSERT INTO main.{table}({names}) SELECT {names} FROM temp.{stage} ORDER BY rowid")
    conn.execute(f"DROP TABLE temp.{stage}")


def _ids(conn: Connection, table: str, column: str, values: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        rows = conn.execute(
            f"SELECT {column}, id FROM {table} WHERE {column} IN ({', '.join('?' for _ in chunk)})", chunk
        ).fetchall()
        found.update({name.casefold(): ident for name, ident in rows})
    return {value: found[value.casefold()] for value in values}

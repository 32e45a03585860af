"""Copying a whole desk into another store (`tui-desk copy --to`): SQLite or PostgreSQL, either way.

The tables come from the source's schema, not from a list here: a table a migration adds is
copied without a change to this module, or named in NOT_COPIED with the reason
(tests/test_desk_copy.py holds both backends' schemas against that). Rows keep their ids, so
ticket numbers, merge pointers, undo records and the outbox's links stay what they were.

The source is read in one snapshot (agents may go on working meanwhile) and streamed in
batches (a server-side cursor on PostgreSQL); the target is written in one transaction, so a
failure leaves it as it was. Only a target without a desk is written to: what a new store
starts with (statuses, saved replies, meta) is replaced by the source's, anything else
refuses the copy.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

from ..domain.errors import InvalidInput, StoreError
from ..i18n import _
from . import search_index
from .connection import Connection, dialect
from .db import Store
from .pg_connection import pg_values as _pg_values

# Tables that are not part of the desk: the state of the processes running on it now, or of the
# schema itself. The target keeps its own.
NOT_COPIED = {
    "job_leases": "who runs a background job now: a process working on the source",
    "presence": "who is on a ticket now: it expires within 30 s anyway",
    "schema_version": "the PostgreSQL schema's version: the target's own",
    # Reports' per-hour counts (store/report_summary.py): the target's triggers count the
    # copied tickets and events; copied as well, they would count twice.
    "report_created": "kept by the target's triggers from the copied tickets",
    "report_moves": "kept by the target's triggers from the copied events",
    "report_tags": "kept by the target's triggers from the copied tags",  # store/report_tag_summary.py
}
# What a new store is made with (schema.py, pg_schema.py): replaced by the source's rows.
SEEDED = ("meta", "statuses", "templates")

# Rows per batch. Attachments one at a time: a row may be tens of MB, and a fetched row costs
# about four times its size (the driver's buffer, the bytes, the write's copy); eight 60 MB
# attachments in one batch took 1.7 GB. One fetch per attachment measured no slower on a desk
# of 20,000 tickets (docs/issue14/review-cli.md).
BATCH = 500
BLOB_BATCH = 1

Progress = Callable[[str, int], None]


def desk_tables(conn: Connection) -> list[str]:
    """Every table of the store's schema, search indexes and the driver's own tables left out."""
    if dialect(conn) == "postgresql":
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        ).fetchall()
        return sorted(str(r[0]) for r in rows)
    rows = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    # FTS5 tables and their shadow tables (tickets_fts_data, ...): the index, rebuilt from the rows.
    virtual = [str(name) for name, sql in rows if str(sql or "").upper().startswith("CREATE VIRTUAL TABLE")]
    return sorted(
        str(name) for name, _sql in rows if not any(name == v or str(name).startswith(v + "_") for v in virtual)
    )


def copied_tables(conn: Connection) -> list[str]:
    """The tables a copy carries, parents before the tables whose foreign keys name them."""
    tables = [t for t in desk_tables(conn) if t not in NOT_COPIED]
    graph = TopologicalSorter({t: sorted(p for p in _parents(conn, t) if p != t and p in tables) for t in tables})
    return list(graph.static_order())


def _parents(conn: Connection, table: str) -> set[str]:
    if dialect(conn) == "postgresql":
        rows = conn.execute(
            "SELECT confrelid::regclass::text FROM pg_constraint WHERE contype = 'f' AND conrelid = ?::regclass",
            [table],
        ).fetchall()
        return {str(r[0]) for r in rows}
    return {str(r[2]) for r in conn.execute(f"PRAGMA foreign_key_list({table})").fetchall()}


def columns(conn: Connection, table: str) -> list[str]:
    return [str(r[1]) for r in conn.execute(f"PRAGMA table_info({table})").fetchall()]


def same_desk(source: Store, target: Store) -> bool:
    """Whether both name one store: the same file, or the same database and schema of one server."""
    if source.dialect != target.dialect:
        return False
    if source.dialect == "sqlite":
        if ":memory:" in (source.path, target.path):
            return False
        a, b = Path(source.path).expanduser(), Path(target.path).expanduser()
        with suppress(OSError):
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    # The server's start time tells two servers on one host apart (a socket has no address).
    identity = (
        "SELECT current_database(), current_schema(), pg_postmaster_start_time()::text,"
        " current_setting('port'), coalesce(host(inet_server_addr()), '')"
    )
    return bool(source.conn.execute(identity).fetchone() == target.conn.execute(identity).fetchone())


def _rows(conn: Connection, table: str, names: Sequence[str], size: int) -> Iterator[list[Any]]:
    """The table's rows in batches, in id order where there is one, never all in memory."""
    sql = f"SELECT {', '.join(names)} FROM {table}" + (" ORDER BY id" if "id" in names else "")
    if dialect(conn) == "postgresql":
        raw = conn.raw  # type: ignore[attr-defined]  # a PgConnection: a server-side cursor streams
        with raw.cursor(name=f"copy_{table}") as cursor:
            cursor.execute(sql)
            while batch := cursor.fetchmany(size):
                yield [list(row) for row in batch]
        return
    rows: Any = conn.execute(sql)  # sqlite3's cursor steps through the table as it is read
    while batch := rows.fetchmany(size):
        yield [list(row) for row in batch]


def _source_rows(source: Store, rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
    """The batches of `rows`; an error reading them names the source: inside the target's
    transaction it was the target's ("Store error in <target>: Could not decode ..." for a bad
    row of the source, or the target named for a lost connection to the source)."""
    while True:
        try:
            batch = next(rows)
        except StopIteration:
            return
        except source._db_errors as error:
            raise source._store_error(error) from None
        yield batch


def _holds_a_desk(conn: Connection, tables: Sequence[str]) -> bool:
    return any(
        conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None for table in tables if table not in SEEDED
    )


def _numbers_past_copied_ids(conn: Connection) -> None:
    """PostgreSQL hands out ids from sequences: move each past the copied rows, and the ticket
    numbers past purged ones too, so no new row or ticket takes a number the desk had used."""
    identities = conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND is_identity = 'YES'"
    ).fetchall()
    for table, column in identities:
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence(?, ?), coalesce(max({column}), 1), max({column}) IS NOT NULL)"
            f" FROM {table}",
            [table, column],
        )
    conn.execute(
        "SELECT setval('ticket_numbers', greatest(coalesce((SELECT max(id) FROM tickets), 0),"
        " coalesce((SELECT max(ticket_id) FROM purged), 0), 1),"
        " EXISTS (SELECT 1 FROM tickets) OR EXISTS (SELECT 1 FROM purged))"
    )


def copy_desk(source: Store, target: Store, progress: Progress | None = None) -> dict[str, int]:
    """Copy every row of the desk in `source` into `target` (a new or empty store); rows per table.

    Refused (InvalidInput, nothing written) when both are one store or the target holds a desk.
    """
    if same_desk(source, target):
        raise InvalidInput(_("{target} is the store being copied: copy to another one").format(target=target.path))
    counts: dict[str, int] = {}
    with source.read_snapshot() as read, target.transaction(savepoints=False) as write:
        tables = copied_tables(read)
        missing = [t for t in tables if t not in desk_tables(write)]
        if missing:
            raise StoreError(
                _("The store {target} has no table {table}: is its tui-desk older than this one?").format(
                    target=target.path, table=missing[0]
                )
            )
        if _holds_a_desk(write, tables):
            raise InvalidInput(
                _("The store {target} already holds a desk: copy only into a new, empty store (nothing was changed)").format(
                    target=target.path
                )
            )
        for table in reversed(tables):
            if table in SEEDED:
                write.execute(f"DELETE FROM {table}")
        with search_index.suspended(write):
            for table in tables:
                counts[table] = _copy_table(source, read, write, table, target.path, progress)
        if target.dialect == "postgresql":
            _numbers_past_copied_ids(write)
    return counts


def _copy_table(
    source: Store, read: Connection, write: Connection, table: str, target: str, progress: Progress | None
) -> int:
    names = columns(read, table)
    there = set(columns(write, table))
    unknown = [n for n in names if n not in there]
    if unknown:
        raise StoreError(
            _("The store {target} has no column {table}.{column}: is its tui-desk older than this one?").format(
                target=target, table=table, column=unknown[0]
            )
        )
    size = BLOB_BATCH if table == "attachments" else BATCH
    insert = f"INSERT INTO {table}({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
    done = 0
    for batch in _source_rows(source, _rows(read, table, names, size)):
        if dialect(write) == "postgresql":
            _copy_in(write, table, names, batch)
        else:
            write.executemany(insert, batch)
        done += len(batch)
        if progress is not None:
            progress(table, done)
    return done


def _copy_in(write: Connection, table: str, names: Sequence[str], batch: list[list[Any]]) -> None:
    """COPY ... FROM STDIN: about three times as fast as a batched INSERT on PostgreSQL."""
    raw = write.raw  # type: ignore[attr-defined]  # a PgConnection
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
        for row in batch:
            copy.write_row(_pg_values(row))


def discard_new_store(store: Store) -> None:
    """Remove a store file this run created (a copy into it failed): as if it was never made.

    Kept when it holds a desk after all: another copy into the same new path, started at the
    same moment, won the race and filled it (this one was refused for that): its copy stays."""
    if store.dialect != "sqlite" or store.path == ":memory:":
        store.close()
        return
    with suppress(Exception):  # a file that cannot even be read holds nothing worth keeping
        if _holds_a_desk(store.conn, [t for t in desk_tables(store.conn) if t not in NOT_COPIED]):
            store.close()
            return
    store.close()
    for suffix in ("", "-wal", "-shm", "-journal"):
        with suppress(OSError):
            Path(store.path + suffix).expanduser().unlink()

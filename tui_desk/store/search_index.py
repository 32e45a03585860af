"""The full-text index (FTS5 tables tickets_fts and messages_fts, kept by triggers; see store/schema.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from .connection import Connection, dialect

# The triggers that index each new row, with the table and the column they index.
_INSERT_TRIGGERS = {"messages_fts_insert": ("messages", "body"), "tickets_fts_insert": ("tickets", "subject")}


@contextmanager
def suspended(conn: Connection) -> Iterator[None]:
    """Rows inserted inside are indexed in bulk at the end instead of one by one.

    Per-row FTS triggers cost about a third of an imported message; one
    INSERT ... SELECT at the end of a batch costs almost nothing. Run inside a
    transaction: the insert triggers are dropped and made again within it, so
    other connections never see the store without them, and a rollback (an
    exception leaves the block without indexing) brings them back.
    """
    if dialect(conn) == "postgresql":
        yield  # GIN indexes take rows in bulk by themselves (fastupdate)
        return
    dropped = []
    for name, (table, column) in _INSERT_TRIGGERS.items():
        row = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", [name]).fetchone()
        if row is None:
            continue
        last = conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]
        conn.execute(f"DROP TRIGGER {name}")
        dropped.append((row[0], table, column, int(last)))
    yield
    for sql, table, column, last in dropped:
        conn.execute(
            f"INSERT INTO {table}_fts(rowid, {column}) SELECT id, {column} FROM {table} WHERE id > ?", [last]
        )
        conn.execute(sql)

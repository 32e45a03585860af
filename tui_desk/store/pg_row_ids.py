"""The import's batch path on PostgreSQL: ids from the sequences (docs/issue16/pg-import.md).

One at a time, a row of customers, tickets, messages, events or attachments gets its id from
its sequence (tickets: ``ticket_numbers``), which moves past rolled-back rows and is never
rolled back itself. A batch (core/new_tickets.py) takes the ids those INSERTs would get,
the sequences' next values, writes its rows with them and leaves the sequences alone until
it is written whole (`move_sequences`, inside its transaction): a batch that fails and is
stored again one message at a time then gets the very ids one message at a time gets.
"""

from __future__ import annotations

from collections.abc import Mapping

from .bulk import ROW_TABLES
from .connection import Connection


def _sequence(conn: Connection, table: str) -> str:
    if table == "tickets":
        return "ticket_numbers"
    return str(conn.execute("SELECT pg_get_serial_sequence(?, 'id')", [table]).fetchone()[0])


def may_take_ids(conn: Connection) -> bool:
    """Whether this role may read and move the sequences (SELECT, UPDATE): a role granted only
    their USAGE (nextval) imports one message at a time, as before."""
    # A list of privileges asks for any one of them: both are asked for one by one.
    return all(
        conn.execute(
            "SELECT has_sequence_privilege(?, 'SELECT') AND has_sequence_privilege(?, 'UPDATE')", [sequence, sequence]
        ).fetchone()[0]
        for sequence in (_sequence(conn, table) for table in ROW_TABLES)
    )


def next_row_ids(conn: Connection) -> dict[str, int]:
    """The id each table of ROW_TABLES gives its next row: its sequence's next value."""
    ids = {}
    for table in ROW_TABLES:
        # The name comes from the catalog, quoted as the sequence functions take it.
        last, called = conn.execute(f"SELECT last_value, is_called FROM {_sequence(conn, table)}").fetchone()
        ids[table] = int(last) + 1 if called else int(last)
    return ids


def move_sequences(conn: Connection, first: Mapping[str, int], following: Mapping[str, int]) -> None:
    """Each sequence to where taking the ids first[table] .. following[table] - 1 one by one leaves it."""
    for table in ROW_TABLES:
        if following[table] > first[table]:
            conn.execute("SELECT setval(?::regclass, ?, true)", [_sequence(conn, table), following[table] - 1])


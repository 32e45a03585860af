"""Reads and writes of merge and split (core/merging.py), always inside the caller's transaction.

A merge moves rows (messages, events, outbox entries) from one ticket to another by
id, so that undo can move exactly those rows back.
"""

from __future__ import annotations

import json

from .connection import Connection

# The rows a merge moves, by table; each has a ticket_id column.
MOVED_TABLES = ("messages", "events", "outbox")

_OWNED_IDS = {table: f"SELECT id FROM {table} WHERE ticket_id = ?" for table in MOVED_TABLES}


def owned_ids(conn: Connection, ticket_id: int) -> dict[str, list[int]]:
    """The ids of the ticket's rows in each of MOVED_TABLES."""
    return {table: [row[0] for row in conn.execute(sql, [ticket_id])] for table, sql in _OWNED_IDS.items()}


def move_rows(conn: Connection, table: str, ids: list[int], ticket_id: int) -> None:
    """Give the rows ``ids`` of ``table`` (one of MOVED_TABLES) to the ticket."""
    if table not in MOVED_TABLES:
        raise ValueError(f"not a table a merge moves: {table!r}")
    if ids:
        conn.execute(
            f"UPDATE {table} SET ticket_id = ? WHERE id IN (SELECT value FROM json_each(?))", [ticket_id, json.dumps(ids)]
        )


def copy_tags(conn: Connection, source_id: int, target_id: int) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO ticket_tags(ticket_id, tag_id) SELECT ?, tag_id FROM ticket_tags WHERE ticket_id = ?",
        [target_id, source_id],
    )


def drop_tags(conn: Connection, ticket_id: int) -> None:
    conn.execute("DELETE FROM ticket_tags WHERE ticket_id = ?", [ticket_id])


def message_to_split(conn: Connection, message_id: int) -> tuple[int, str, str, str] | None:
    """(ticket id, kind, author, created at) of a message, or None if there is none."""
    row = conn.execute(
        "SELECT ticket_id, kind, author, created_at FROM messages WHERE id = ?", [message_id]
    ).fetchone()
    return None if row is None else (row[0], row[1], row[2], row[3])


def message_count(conn: Connection, ticket_id: int) -> int:
    """How many messages the ticket's thread holds (notes included), counted, not the stored count."""
    return int(conn.execute("SELECT count(*) FROM messages WHERE ticket_id = ?", [ticket_id]).fetchone()[0])


def customer_email(conn: Connection, customer_id: int) -> str:
    return str(conn.execute("SELECT email FROM customers WHERE id = ?", [customer_id]).fetchone()[0])


def move_message(conn: Connection, message_id: int, ticket_id: int) -> None:
    """Give one message, and its outbox entry if any, to the ticket."""
    conn.execute("UPDATE messages SET ticket_id = ? WHERE id = ?", [ticket_id, message_id])
    conn.execute("UPDATE outbox SET ticket_id = ? WHERE message_id = ?", [ticket_id, message_id])


def move_message_back(conn: Connection, message_id: int, from_id: int, to_id: int) -> None:
    """Give the message back to ``to_id`` if ``from_id`` still holds it; its outbox entry in any case."""
    conn.execute("UPDATE messages SET ticket_id = ? WHERE id = ? AND ticket_id = ?", [to_id, message_id, from_id])
    conn.execute("UPDATE outbox SET ticket_id = ? WHERE message_id = ?", [to_id, message_id])


def thread_times(conn: Connection, ticket_id: int) -> list[tuple[str, str]]:
    """(kind, created at) of each of the ticket's messages, in thread order."""
    return [
        (row[0], row[1])
        for row in conn.execute("SELECT kind, created_at FROM messages WHERE ticket_id = ? ORDER BY id", [ticket_id])
    ]


__all__ = [
    "MOVED_TABLES",
    "copy_tags",
    "customer_email",
    "drop_tags",
    "message_count",
    "message_to_split",
    "move_message",
    "move_message_back",
    "move_rows",
    "owned_ids",
    "thread_times",
]

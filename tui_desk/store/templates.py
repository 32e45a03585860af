"""The templates table: saved replies (core/templates.py says what they are and checks their names).

A row is (id, name, body, created_at, updated_at); the writes run in the caller's transaction.
"""

from __future__ import annotations

from typing import Any

from .connection import Connection
from .db import Store

Row = tuple[int, str, str, str, str]  # id, name, body, created_at, updated_at

_COLUMNS = "id, name, body, created_at, updated_at"


def all_rows(store: Store) -> list[dict[str, Any]]:
    """Every saved reply, by name (case-insensitively)."""
    return store.query(f"SELECT {_COLUMNS} FROM templates ORDER BY name COLLATE NOCASE, id")


def find(conn: Connection, written: str, cleaned: str) -> Row | None:
    """The row named `written` or `cleaned` (case-insensitively), one named exactly as written first."""
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM templates WHERE name IN (?, ?) ORDER BY name = ? DESC", [cleaned, written, written]
    ).fetchone()
    return (row[0], row[1], row[2], row[3], row[4]) if row else None


def names(conn: Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM templates")]


def insert(conn: Connection, name: str, body: str, at: str) -> int:
    cursor = conn.execute(
        "INSERT INTO templates(name, body, created_at, updated_at) VALUES (?, ?, ?, ?)", [name, body, at, at]
    )
    return int(cursor.lastrowid or 0)


def set_body(conn: Connection, template_id: int, body: str, at: str) -> None:
    conn.execute("UPDATE templates SET body = ?, updated_at = ? WHERE id = ?", [body, at, template_id])


def set_name(conn: Connection, template_id: int, name: str, at: str) -> None:
    conn.execute("UPDATE templates SET name = ?, updated_at = ? WHERE id = ?", [name, at, template_id])


def delete(conn: Connection, template_id: int) -> None:
    conn.execute("DELETE FROM templates WHERE id = ?", [template_id])


# -- what placeholders read besides the ticket ------------------------------------------------------
def agent_full_name(store: Store, agent: str) -> object:
    """`agents.full_name` of the agent called `agent` (case-insensitively), as stored; None if unknown."""
    value: object = store.scalar("SELECT full_name FROM agents WHERE name = ? COLLATE NOCASE", [agent])
    return value


def status_name(store: Store, key: str) -> str | None:
    """The name of the status with this key, as stored."""
    value = store.scalar("SELECT name FROM statuses WHERE key = ?", [key])
    return None if value is None else str(value)


def ticket_mailbox(store: Store, ticket_id: int) -> str | None:
    """`tickets.mailbox`: the From identity of the mailbox the ticket came in through (None: the default one)."""
    value = store.scalar("SELECT mailbox FROM tickets WHERE id = ?", [ticket_id])
    return None if value is None else str(value)

"""The rows an export reads (mail/export.py) and the rows a JSON restore writes back, as they are."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import writes
from .connection import Connection
from .db import Store


def chosen_tickets(store: Store, statuses: Sequence[str] = (), since: str | None = None) -> list[int]:
    """The ids of the tickets in these statuses (any when none), created at or after `since`."""
    sql, params = "SELECT id FROM tickets WHERE 1", list[str]()
    if statuses:
        sql += f" AND status IN ({', '.join('?' for _ in statuses)})"
        params.extend(statuses)
    if since:
        sql += " AND created_at >= ?"
        params.append(since)
    return [r["id"] for r in store.query(sql + " ORDER BY id", params)]


def tag_names(store: Store, ticket_id: int) -> list[str]:
    return [
        r["name"]
        for r in store.query(
            "SELECT g.name FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id WHERE tt.ticket_id = ? ORDER BY g.name",
            [ticket_id],
        )
    ]


def mbox_ticket(store: Store, ticket_id: int) -> dict[str, Any] | None:
    """The ticket row with its customer's email and name, its assignee's and department's names."""
    return store.query_one(
        """SELECT t.*, c.email, c.name, a.name AS assignee, d.name AS department
           FROM tickets t JOIN customers c ON c.id = t.customer_id
           LEFT JOIN agents a ON a.id = t.assignee_id LEFT JOIN departments d ON d.id = t.department_id
           WHERE t.id = ?""",
        [ticket_id],
    )


def json_ticket(store: Store, ticket_id: int) -> dict[str, Any] | None:
    """The ticket row with everything about its customer, assignee and department."""
    return store.query_one(
        """SELECT t.*, c.email AS customer_email, c.name AS customer_name, c.phone AS customer_phone,
                  c.company AS customer_company, a.name AS assignee, a.full_name AS assignee_full_name,
                  a.email AS assignee_email, d.name AS department
           FROM tickets t JOIN customers c ON c.id = t.customer_id
           LEFT JOIN agents a ON a.id = t.assignee_id LEFT JOIN departments d ON d.id = t.department_id
           WHERE t.id = ?""",
        [ticket_id],
    )


def message_rows(store: Store, ticket_id: int) -> list[dict[str, Any]]:
    return store.query("SELECT * FROM messages WHERE ticket_id = ? ORDER BY id", [ticket_id])


def attachment_rows(store: Store, message_row: int) -> list[dict[str, Any]]:
    return store.query("SELECT * FROM attachments WHERE message_id = ? ORDER BY id", [message_row])


def event_rows(store: Store, ticket_id: int) -> list[dict[str, Any]]:
    return store.query(
        "SELECT at, actor, kind, from_value, to_value, detail FROM events WHERE ticket_id = ? ORDER BY id", [ticket_id]
    )


def custom_status_rows(store: Store) -> list[dict[str, Any]]:
    return store.query("SELECT key, name, meaning, position FROM statuses WHERE builtin = 0 ORDER BY key")


# -- writing a JSON export back (in the caller's transaction) -------------------------------------
def add_custom_status(conn: Connection, key: str, name: str, meaning: str, position: int) -> None:
    """A custom status, unless one with this key is there already."""
    conn.execute(
        "INSERT OR IGNORE INTO statuses(key, name, meaning, builtin, position) VALUES (?, ?, ?, 0, ?)",
        [key, name, meaning, position],
    )


def ticket_columns(conn: Connection) -> set[str]:
    return {r[1] for r in conn.execute("PRAGMA table_info(tickets)")}


def status_keys(conn: Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT key FROM statuses")}


def same_ticket_there(conn: Connection, ticket_id: int, created_at: str, subject: str) -> bool:
    return conn.execute(
        "SELECT 1 FROM tickets WHERE id = ? AND created_at = ? AND subject = ?", [ticket_id, created_at, subject]
    ).fetchone() is not None


def ticket_id_taken(conn: Connection, ticket_id: int) -> bool:
    return conn.execute("SELECT 1 FROM tickets WHERE id = ?", [ticket_id]).fetchone() is not None


def message_id_taken(conn: Connection, message_id: str) -> bool:
    return conn.execute("SELECT 1 FROM messages WHERE message_id = ?", [message_id]).fetchone() is not None


def get_or_create(conn: Connection, table: str, column: str, value: str, extra: dict[str, Any]) -> int:
    """The id of the row of `table` whose `column` is `value`, made with `extra` when there is none."""
    return writes.get_or_create(conn, table, column, value, **extra)


def insert_ticket_row(conn: Connection, fields: dict[str, Any]) -> int:
    """A ticket row as the file has it; without an id, the store's next number (never a purged one)."""
    return writes.insert_ticket(conn, fields)


def add_ticket_tag(conn: Connection, ticket_id: int, tag_id: int) -> None:
    conn.execute("INSERT OR IGNORE INTO ticket_tags(ticket_id, tag_id) VALUES (?, ?)", [ticket_id, tag_id])


def insert_message_row(conn: Connection, ticket_id: int, message: dict[str, Any], message_id: str | None) -> int:
    cursor = conn.execute(
        "INSERT INTO messages(ticket_id, kind, author, body, created_at, message_id, in_reply_to,"
        " references_, content_hash, cc, reply_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [ticket_id, message["kind"], message["author"], message["body"], message["created_at"], message_id,
         message.get("in_reply_to"), message.get("references_"), message.get("content_hash"),
         message.get("cc"), message.get("reply_to")],
    )
    return int(cursor.lastrowid or 0)


def insert_attachment_row(
    conn: Connection, message_row: int, filename: str, content_type: str, size: int, data: bytes | None
) -> None:
    conn.execute(
        "INSERT INTO attachments(message_id, filename, content_type, size, data) VALUES (?, ?, ?, ?, ?)",
        [message_row, filename, content_type, size, data],
    )


def insert_event_rows(conn: Connection, ticket_id: int, events: Sequence[dict[str, Any]]) -> None:
    conn.executemany(
        "INSERT INTO events(ticket_id, at, actor, kind, from_value, to_value, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [[ticket_id, e["at"], e["actor"], e["kind"], e["from_value"], e["to_value"], e["detail"]] for e in events],
    )

"""What the mail importer asks the store: is a message there already, which ticket does it belong to.

Each function takes the connection of the caller's transaction (as store/writes.py does).
"""

from __future__ import annotations

from .connection import Connection
from .db import Store


def message_by_id(conn: Connection, message_id: str) -> tuple[int, str, str] | None:
    """(row id, kind, body) of the stored message with this Message-ID."""
    row: tuple[int, str, str] | None = conn.execute(
        "SELECT id, kind, body FROM messages WHERE message_id = ?", [message_id]
    ).fetchone()
    return row


def has_content_hash(conn: Connection, content_hash: str) -> bool:
    return conn.execute("SELECT 1 FROM messages WHERE content_hash = ?", [content_hash]).fetchone() is not None


def messages_without_id(conn: Connection, ticket_id: int) -> list[tuple[int, str, str]]:
    """(row id, created_at, body) of a ticket's messages stored without a Message-ID."""
    rows: list[tuple[int, str, str]] = conn.execute(
        "SELECT id, created_at, body FROM messages WHERE ticket_id = ? AND message_id IS NULL", [ticket_id]
    ).fetchall()
    return rows


def merged_into(conn: Connection, ticket_id: int) -> int | None:
    """The ticket this one was merged into (None: not merged, or no such ticket)."""
    row = conn.execute("SELECT merged_into FROM tickets WHERE id = ?", [ticket_id]).fetchone()
    return row[0] if row else None


def attachment_sizes(conn: Connection, message_row: int) -> list[int]:
    return [size for (size,) in conn.execute("SELECT size FROM attachments WHERE message_id = ?", [message_row])]


def ticket_of_message(conn: Connection, message_id: str) -> int | None:
    """The ticket holding the message with this Message-ID."""
    row = conn.execute("SELECT ticket_id FROM messages WHERE message_id = ?", [message_id]).fetchone()
    return int(row[0]) if row else None


def ticket_exists(conn: Connection, ticket_id: int) -> bool:
    return conn.execute("SELECT id FROM tickets WHERE id = ?", [ticket_id]).fetchone() is not None


def ticket_writers(conn: Connection, ticket_id: int) -> list[str]:
    """The ticket customer's address and the authors of its customer messages, as stored."""
    rows = conn.execute(
        "SELECT c.email FROM tickets t JOIN customers c ON c.id = t.customer_id WHERE t.id = ?"
        " UNION SELECT author FROM messages WHERE ticket_id = ? AND kind = 'customer'",
        [ticket_id, ticket_id],
    ).fetchall()
    return [writer for (writer,) in rows]


def set_message_identity(
    conn: Connection, message_row: int, message_id: str | None, content_hash: str | None
) -> None:
    """Give a stored message the Message-ID (or else content hash) of the mail it came from."""
    conn.execute(
        "UPDATE messages SET message_id = ?, content_hash = ? WHERE id = ?", [message_id, content_hash, message_row]
    )


def ticket_status(store: Store, ticket_id: int) -> str | None:
    """A ticket's status key (None: no such ticket)."""
    value = store.scalar("SELECT status FROM tickets WHERE id = ?", [ticket_id])
    return None if value is None else str(value)

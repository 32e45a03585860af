"""Low-level writes used by the status-transition service, always inside its transaction."""

from __future__ import annotations

import sqlite3
from typing import Any

from ..domain.clock import to_epoch
from ..domain.models import Meaning
from .connection import Connection, dialect

# bucket: 0 needs attention, 1 other live tickets, 2 spam/deleted (hidden from the inbox)
_BUCKETS = {
    Meaning.ATTENTION: 0,
    Meaning.WAITING: 1,
    Meaning.DONE: 1,
    Meaning.HOLD: 1,
    Meaning.SPAM: 2,
    Meaning.DELETED: 2,
    Meaning.MERGED: 2,
}


def bucket_for(meaning: Meaning) -> int:
    return _BUCKETS[meaning]


def sort_key_for(meaning: Meaning, waiting_since: str | None, updated_at: str) -> int:
    """Ascending key within a priority.

    Tickets waiting on us: the longest-waiting customer first. Others: the most
    recently touched first (negated time keeps one ascending index for both).
    """
    if meaning is Meaning.ATTENTION:
        return to_epoch(waiting_since or updated_at)
    return -to_epoch(updated_at)


def get_or_create(conn: Connection, table: str, column: str, value: str, **extra: Any) -> int:
    row = conn.execute(f"SELECT id FROM {table} WHERE {column} = ?", [value]).fetchone()
    if row:
        return int(row[0])
    columns = [column, *extra]
    placeholders = ", ".join("?" for _ in columns)
    cursor = conn.execute(
        f"INSERT INTO {table}({', '.join(columns)}) VALUES ({placeholders})",
        [value, *extra.values()],
    )
    return int(cursor.lastrowid or 0)


def lookup_id(conn: Connection, table: str, column: str, value: str) -> int | None:
    row = conn.execute(f"SELECT id FROM {table} WHERE {column} = ?", [value]).fetchone()
    return int(row[0]) if row else None


# SQLite would give a purged ticket's number to the next new ticket when it was the
# highest; undo records, merge pointers and the customer's "[#12]" would then name a
# stranger's ticket. A new number is above every ticket there is and ever was.
_NEXT_TICKET_ID = (
    "(SELECT max(coalesce((SELECT max(id) FROM tickets), 0), coalesce((SELECT max(ticket_id) FROM purged), 0)) + 1)"
)


def insert_ticket(conn: Connection, fields: dict[str, Any]) -> int:
    columns = list(fields)
    if "id" in fields or dialect(conn) == "postgresql":
        # PostgreSQL: the id column's default, nextval('ticket_numbers'), never gives a number twice.
        names, values = ", ".join(columns), ", ".join("?" for _ in columns)
    else:
        names, values = ", ".join(["id", *columns]), ", ".join([_NEXT_TICKET_ID, *("?" for _ in columns)])
    cursor = conn.execute(f"INSERT INTO tickets({names}) VALUES ({values})", [fields[c] for c in columns])
    if fields.get("id") is not None and dialect(conn) == "postgresql":
        # A number given (a JSON restore keeps the backup's): move the sequence past it, or a
        # later new ticket would be handed this number and fail on the primary key.
        conn.execute(
            "SELECT setval('ticket_numbers', ?) FROM ticket_numbers"
            " WHERE ? > CASE WHEN is_called THEN last_value ELSE last_value - 1 END",
            [int(fields["id"]), int(fields["id"])],
        )
        return int(fields["id"])
    return int(cursor.lastrowid or 0)


def update_ticket(conn: Connection, ticket_id: int, version: int, fields: dict[str, Any]) -> None:
    """Write fields and bump the version, only if nobody changed the ticket since we read it."""
    assignments = "".join(f"{c} = ?, " for c in fields)
    cursor = conn.execute(
        f"UPDATE tickets SET {assignments}version = version + 1 WHERE id = ? AND version = ?",
        [*fields.values(), ticket_id, version],
    )
    if cursor.rowcount != 1:
        # Cannot happen under BEGIN IMMEDIATE; kept as a last line of defence.
        raise sqlite3.OperationalError(f"ticket {ticket_id} changed during the transaction")


def insert_event(
    conn: Connection,
    ticket_id: int,
    at: str,
    actor: str,
    kind: str,
    from_value: str | None = None,
    to_value: str | None = None,
    detail: str | None = None,
) -> int:
    cursor = conn.execute(
        "INSERT INTO events(ticket_id, at, actor, kind, from_value, to_value, detail)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [ticket_id, at, actor, kind, from_value, to_value, detail],
    )
    return int(cursor.lastrowid or 0)


def insert_message(conn: Connection, fields: dict[str, Any]) -> int:
    columns = list(fields)
    cursor = conn.execute(
        f"INSERT INTO messages({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
        [fields[c] for c in columns],
    )
    return int(cursor.lastrowid or 0)


def insert_attachment(
    conn: Connection,
    message_id: int,
    filename: str,
    content_type: str,
    data: bytes | None,
    size: int | None = None,
) -> int:
    cursor = conn.execute(
        "INSERT INTO attachments(message_id, filename, content_type, size, data) VALUES (?, ?, ?, ?, ?)",
        [message_id, filename, content_type, size if size is not None else len(data or b""), data],
    )
    return int(cursor.lastrowid or 0)


MAX_REFERENCES = 20  # message ids a reply's References header carries, the latest ones


def reply_context(conn: Connection, ticket_id: int, message_row: int) -> dict[str, Any] | None:
    """What addressing a reply needs: the ticket's customer and subject, and the thread before it."""
    row = conn.execute(
        "SELECT t.subject, c.email, c.name FROM tickets t JOIN customers c ON c.id = t.customer_id WHERE t.id = ?",
        [ticket_id],
    ).fetchone()
    if row is None:
        return None
    # The latest ones only: a ticket caught in a mail loop holds thousands.
    earlier = [
        r[0]
        for r in conn.execute(
            "SELECT message_id FROM messages WHERE ticket_id = ? AND id < ? AND message_id IS NOT NULL"
            " AND kind != 'note' ORDER BY id DESC LIMIT ?",
            [ticket_id, message_row, MAX_REFERENCES],
        )
    ][::-1]
    last_customer = conn.execute(
        "SELECT message_id FROM messages WHERE ticket_id = ? AND id < ? AND message_id IS NOT NULL"
        " AND kind = 'customer' ORDER BY id DESC LIMIT 1",
        [ticket_id, message_row],
    ).fetchone()
    return {
        "subject": row[0],
        "email": row[1],
        "name": row[2],
        "earlier": earlier,
        "last_customer": last_customer[0] if last_customer else None,
    }


def queue_outbox(
    conn: Connection,
    ticket_id: int,
    message_id: int,
    at: str,
    recipients: dict[str, Any] | None = None,
    *,
    kind: str = "reply",
) -> int:
    """An agent reply to be e-mailed: sent later by tui_desk/mail/outbox.py.

    ``recipients`` (to_address, to_name, subject, in_reply_to, references_, from_header) are fixed now:
    a merge or a customer's new address before sending must not redirect the reply.
    """
    fixed = recipients or {}
    cursor = conn.execute(
        "INSERT INTO outbox(message_id, ticket_id, status, next_attempt_at, created_at,"
        " to_address, to_name, subject, in_reply_to, references_, from_header, kind)"
        " VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [message_id, ticket_id, at, at, *(fixed.get(k) for k in _RECIPIENT_COLUMNS), fixed.get("from_header"), kind],
    )
    return int(cursor.lastrowid or 0)


_RECIPIENT_COLUMNS = ("to_address", "to_name", "subject", "in_reply_to", "references_")

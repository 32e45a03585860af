"""What outgoing mail carries beyond its text: the files of a message, and forwards (docs/issue15/forward.md).

A forward is an outbox row of kind 'forward': its message_id is the agent's note that records
it, forward_of the message it carries, to_address the third party. Sent by mail/outbox.py.
"""

from __future__ import annotations

from typing import Any

from .connection import Connection
from .db import Store


def message_files(store: Store, message_row: int) -> list[tuple[str, str, bytes]]:
    """The attachments of one message with their bytes, in the order they were stored."""
    rows = store.query(
        "SELECT filename, content_type, data FROM attachments WHERE message_id = ? ORDER BY id", [message_row]
    )
    return [(r["filename"], r["content_type"], bytes(r["data"] or b"")) for r in rows]


def forwarded_message(conn: Connection, message_row: int) -> dict[str, Any] | None:
    """A message as a forward needs it: its ticket, kind, author (with the customer's name), time, text, subject."""
    row = conn.execute(
        "SELECT m.ticket_id, m.kind, m.author, m.created_at, m.body, t.subject, c.email, c.name"
        " FROM messages m JOIN tickets t ON t.id = m.ticket_id JOIN customers c ON c.id = t.customer_id"
        " WHERE m.id = ?",
        [message_row],
    ).fetchone()
    if row is None:
        return None
    keys = ("ticket_id", "kind", "author", "created_at", "body", "subject", "customer_email", "customer_name")
    return dict(zip(keys, row, strict=True))


def outbox_forward_of(store: Store, outbox_id: int) -> int | None:
    """The message a forward row carries; None for any other row (a reply, an acknowledgement)."""
    value = store.scalar("SELECT forward_of FROM outbox WHERE id = ? AND kind = 'forward'", [outbox_id])
    return None if value is None else int(value)


def queue_forward(
    conn: Connection,
    ticket_id: int,
    note_row: int,
    forward_of: int,
    at: str,
    to_address: str,
    to_name: str,
    subject: str,
) -> int:
    """A forward to be e-mailed, in the transaction that records it; no threading headers (a new conversation).

    It goes out from the mailbox the ticket came in through, as the ticket's replies do
    (docs/issue15/mailboxes.md): the supplier answers to the address the team reads for it.
    """
    cursor = conn.execute(
        "INSERT INTO outbox(message_id, ticket_id, status, next_attempt_at, created_at,"
        " to_address, to_name, subject, kind, forward_of, from_header)"
        " VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, 'forward', ?, (SELECT mailbox FROM tickets WHERE id = ?))",
        [note_row, ticket_id, at, at, to_address, to_name, subject, forward_of, ticket_id],
    )
    return int(cursor.lastrowid or 0)


__all__ = ["forwarded_message", "message_files", "outbox_forward_of", "queue_forward"]

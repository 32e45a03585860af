"""Mailboxes ([[mail.imap]] accounts with a From identity) and their acknowledgements.

``tickets.mailbox`` is the From identity a ticket came in through: replies are
fixed to it when queued (store/addressing.py). An acknowledgement (RFC 3834,
docs/issue15/acknowledgement.md) is a reply-kind message in the thread with an
outbox row of kind 'acknowledgement' and an 'acknowledged' event; it leaves the
ticket's status, SLA and reply times alone: it is not an agent's answer.
"""

from __future__ import annotations

from . import writes
from .addressing import recipients
from .connection import Connection

ACKNOWLEDGEMENT = "acknowledgement"
ACKNOWLEDGED_EVENT = "acknowledged"


def set_mailbox(conn: Connection, ticket_id: int, identity: str | None) -> None:
    conn.execute("UPDATE tickets SET mailbox = ? WHERE id = ?", [identity, ticket_id])


def acknowledged_since(conn: Connection, address: str, since: str) -> bool:
    """Whether an acknowledgement to `address` was queued at or after `since` (index outbox_kind_recipient)."""
    row = conn.execute(
        "SELECT 1 FROM outbox WHERE kind = ? AND to_address = ? AND created_at >= ? LIMIT 1",
        [ACKNOWLEDGEMENT, address, since],
    ).fetchone()
    return row is not None


def queue_acknowledgement(
    conn: Connection, ticket_id: int, *, body: str, author: str, at: str, message_id: str
) -> int | None:
    """The acknowledgement in the thread and in the outbox, with its event; the outbox row id.

    None (and nothing written) for a ticket that does not exist. Only message_count
    moves on the ticket: no status, no first response, no reply time.
    """
    message = writes.insert_message(
        conn,
        {"ticket_id": ticket_id, "kind": "reply", "author": author, "body": body, "created_at": at,
         "message_id": message_id},
    )
    fixed = recipients(conn, ticket_id, message)
    if fixed is None:
        conn.execute("DELETE FROM messages WHERE id = ?", [message])
        return None
    outbox_id = writes.queue_outbox(conn, ticket_id, message, at, fixed, kind=ACKNOWLEDGEMENT)
    conn.execute("UPDATE tickets SET message_count = message_count + 1 WHERE id = ?", [ticket_id])
    writes.insert_event(conn, ticket_id, at, author, ACKNOWLEDGED_EVENT, None, None, fixed["to_address"])
    return outbox_id


__all__ = ["ACKNOWLEDGEMENT", "acknowledged_since", "queue_acknowledgement", "set_mailbox"]

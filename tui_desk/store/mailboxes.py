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
    """Whether an acknowledgement to `address`'s mailbox was queued at or after `since`.

    `address` is a mailbox key (core/recipients.py `mailbox_key`: lower case, no +tag): rows to
    the same mailbox in another case or with any +tag count too, or a forged From varied per
    mail would make the desk write to one victim again and again.
    """
    local, _at, domain = address.rpartition("@")
    tagged = f"{_like(local)}+%@{_like(domain)}"
    row = conn.execute(
        "SELECT 1 FROM outbox WHERE kind = ? AND created_at >= ?"
        " AND (lower(to_address) = ? OR lower(to_address) LIKE ? ESCAPE '!') LIMIT 1",
        [ACKNOWLEDGEMENT, since, address, tagged],
    ).fetchone()
    return row is not None


def _like(text: str) -> str:
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


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
    # RFC 3834 answers the sender: never a Reply-To or the Cc a stranger wrote in (backscatter).
    fixed = recipients(conn, ticket_id, message, [], reply_all=False)
    if fixed is None:
        conn.execute("DELETE FROM messages WHERE id = ?", [message])
        return None
    fixed["from_header"] = conn.execute("SELECT mailbox FROM tickets WHERE id = ?", [ticket_id]).fetchone()[0]
    outbox_id = writes.queue_outbox(conn, ticket_id, message, at, fixed, kind=ACKNOWLEDGEMENT)
    conn.execute("UPDATE tickets SET message_count = message_count + 1 WHERE id = ?", [ticket_id])
    writes.insert_event(conn, ticket_id, at, author, ACKNOWLEDGED_EVENT, None, None, fixed["to_address"])
    return outbox_id


__all__ = ["ACKNOWLEDGEMENT", "acknowledged_since", "queue_acknowledgement", "set_mailbox"]

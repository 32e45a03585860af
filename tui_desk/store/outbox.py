"""The outbox table: agent replies waiting to be e-mailed (sent by mail/outbox.py).

A row's status goes queued -> sending -> sent, or back to queued with last_error
and a later next_attempt_at ("failed" after too many attempts).
"""

from __future__ import annotations

from typing import Any

from .connection import Connection
from .db import Store

_RECIPIENT_COLUMNS = ("to_address", "to_name", "subject", "in_reply_to", "references_")


def unsent_count(store: Store) -> int:
    return int(store.scalar("SELECT count(*) FROM outbox WHERE status != 'sent'") or 0)


def unsent_rows(store: Store) -> list[dict[str, Any]]:
    return store.query(
        "SELECT id, ticket_id, status, attempts, next_attempt_at, last_error, created_at, sent_at"
        " FROM outbox WHERE status != 'sent' ORDER BY id"
    )


def claim_due(conn: Connection, now: str, stale_before: str, interrupted: str, limit: int) -> list[int]:
    """Take the rows due at `now` (queued -> sending), at most `limit`; the caller's transaction holds the lock.

    A row left in "sending" since before `stale_before` is queued again first, with `interrupted` as its error.
    """
    conn.execute(
        "UPDATE outbox SET status = 'queued', last_error = ? WHERE status = 'sending' AND claimed_at < ?",
        [interrupted, stale_before],
    )
    due = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= ? ORDER BY id LIMIT ?",
            [now, limit],
        )
    ]
    if due:
        conn.executemany(
            "UPDATE outbox SET status = 'sending', claimed_at = ? WHERE id = ? AND status = 'queued'",
            [[now, i] for i in due],
        )
    return due


def mail_row(store: Store, outbox_id: int) -> dict[str, Any] | None:
    """An outbox row with its fixed recipients and the reply it sends (message_row, body, created_at, message_id)."""
    return store.query_one(
        """SELECT o.ticket_id, o.to_address, o.to_name, o.subject, o.in_reply_to, o.references_,
                  o.from_header, o.kind,
                  m.id AS message_row, m.body, m.created_at, m.message_id
           FROM outbox o JOIN messages m ON m.id = o.message_id WHERE o.id = ?""",
        [outbox_id],
    )


def fix_recipients(conn: Connection, outbox_id: int, fixed: dict[str, Any]) -> None:
    """Store where a row goes (store/addressing.recipients) on a row queued without it."""
    conn.execute(
        "UPDATE outbox SET to_address = ?, to_name = ?, subject = ?, in_reply_to = ?, references_ = ?,"
        " from_header = ? WHERE id = ?",
        [*(fixed[k] for k in _RECIPIENT_COLUMNS), fixed.get("from_header"), outbox_id],
    )


def set_message_id(conn: Connection, message_row: int, message_id: str) -> None:
    conn.execute("UPDATE messages SET message_id = ? WHERE id = ?", [message_id, message_row])


def mark_sent(conn: Connection, outbox_id: int, at: str) -> None:
    conn.execute(
        "UPDATE outbox SET status = 'sent', sent_at = ?, last_error = NULL, attempts = attempts + 1"
        " WHERE id = ?",
        [at, outbox_id],
    )


def attempts(conn: Connection, outbox_id: int) -> int:
    row = conn.execute("SELECT attempts FROM outbox WHERE id = ?", [outbox_id]).fetchone()
    return row[0] if row else 0


def record_attempt(
    conn: Connection, outbox_id: int, status: str, attempts: int, error: str, next_attempt_at: str
) -> None:
    """A failed attempt: the row waits (status queued, or failed for good) until `next_attempt_at`."""
    conn.execute(
        "UPDATE outbox SET status = ?, attempts = ?, last_error = ?, next_attempt_at = ?, claimed_at = NULL"
        " WHERE id = ?",
        [status, attempts, error, next_attempt_at, outbox_id],
    )

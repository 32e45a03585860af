"""Who a reply goes to and which conversation it belongs to, decided once, when it is queued.

A queued reply may wait (no network, SMTP refusing) while the ticket is merged
into another customer's ticket or the customer's address changes. The mail must
still go to the customer the agent answered, in that customer's thread: so the
recipient, the subject and the threading headers are stored with the outbox row.
"""

from __future__ import annotations

from typing import Any

from . import writes
from .connection import Connection

MAX_REFERENCES = writes.MAX_REFERENCES


def reply_subject(subject: str, ticket_id: int) -> str:
    """ "Re: <subject> [#id]": the tag lets the customer's answer find its ticket."""
    tag = f"[#{ticket_id}]"
    if tag in subject:
        return subject
    return f"{subject} {tag}" if subject.lower().startswith("re:") else f"Re: {subject} {tag}"


def recipients(conn: Connection, ticket_id: int, message_row: int) -> dict[str, Any] | None:
    """The outbox columns that fix where the reply in ``message_row`` goes and who it is from
    (None: no such ticket)."""
    fixed = addressed(conn, ticket_id, message_row)
    if fixed is not None:
        # The mailbox the ticket came in through answers it (None: [mail.smtp] from).
        fixed["from_header"] = _mailbox(conn, ticket_id)
    return fixed


def addressed(conn: Connection, ticket_id: int, message_row: int) -> dict[str, Any] | None:
    """Recipient, subject and thread of the reply in ``message_row``: what schema 5 fixed (its migration's view)."""
    context = writes.reply_context(conn, ticket_id, message_row)
    if context is None:
        return None
    earlier = context["earlier"]
    return {
        "to_address": context["email"],
        "to_name": context["name"] or "",
        "subject": reply_subject(context["subject"], ticket_id),
        "in_reply_to": context["last_customer"] or (earlier[-1] if earlier else None),
        "references_": " ".join(earlier[-MAX_REFERENCES:]) or None,
    }


def _mailbox(conn: Connection, ticket_id: int) -> str | None:
    row = conn.execute("SELECT mailbox FROM tickets WHERE id = ?", [ticket_id]).fetchone()
    return row[0] if row else None


__all__ = ["addressed", "recipients", "reply_subject"]

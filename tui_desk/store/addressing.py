"""Who a reply goes to and which conversation it belongs to, decided once, when it is queued.

A queued reply may wait (no network, SMTP refusing) while the ticket is merged
into another customer's ticket or the customer's address changes. The mail must
still go to the customer the agent answered, in that customer's thread: so the
recipient, the subject and the threading headers are stored with the outbox row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import recipients as copies
from . import writes
from .connection import Connection

MAX_REFERENCES = writes.MAX_REFERENCES


def reply_subject(subject: str, ticket_id: int) -> str:
    """ "Re: <subject> [#id]": the tag lets the customer's answer find its ticket."""
    tag = f"[#{ticket_id}]"
    if tag in subject:
        return subject
    return f"{subject} {tag}" if subject.lower().startswith("re:") else f"Re: {subject} {tag}"


def recipients(
    conn: Connection, ticket_id: int, message_row: int, cc: Sequence[str] | None = None, *, reply_all: bool = True
) -> dict[str, Any] | None:
    """The outbox columns that fix where the reply in ``message_row`` goes (None: no such ticket).

    Reply-all: To is the customer, or the Reply-To of the customer's latest message; ``cc``
    (a list of plain addresses) is the ticket's remembered Cc unless the agent gave one (None:
    the remembered one). The To address is never copied as well. ``reply_all=False``: the customer
    alone, as before schema 8 (the upgrade to schema 5 runs before those columns exist).
    """
    context = writes.reply_context(conn, ticket_id, message_row)
    if context is None:
        return None
    earlier = context["earlier"]
    reply_to = copies.customer_reply_to(conn, ticket_id, message_row, context["email"]) if reply_all else None
    to_address = reply_to or context["email"]
    chosen = [] if not reply_all else copies.ticket_cc(conn, ticket_id) if cc is None else list(cc)
    fixed: dict[str, Any] = {
        "to_address": to_address,
        "to_name": "" if reply_to else context["name"] or "",
        "cc": [a for a in dict.fromkeys(chosen) if a.casefold() != to_address.casefold()],
        "subject": reply_subject(context["subject"], ticket_id),
        "in_reply_to": context["last_customer"] or (earlier[-1] if earlier else None),
        "references_": " ".join(earlier[-MAX_REFERENCES:]) or None,
    }
    if reply_all:  # the mailbox the ticket came in through answers it (None: [mail.smtp] from)
        fixed["from_header"] = _mailbox(conn, ticket_id)
    return fixed


def _mailbox(conn: Connection, ticket_id: int) -> str | None:
    row = conn.execute("SELECT mailbox FROM tickets WHERE id = ?", [ticket_id]).fetchone()
    return row[0] if row else None


__all__ = ["recipients", "reply_subject"]

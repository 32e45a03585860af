"""The Cc and Reply-To columns (schema 8): JSON arrays of addresses on tickets, messages and outbox rows.

The rules for what goes in them are core/recipients.py; here they are only read and
written. Functions that take a connection run inside the caller's transaction.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .connection import Connection

if TYPE_CHECKING:  # the schema's upgrade fixes outbox rows through store/addressing.py, which uses this module
    from .db import Store


# What json.dumps writes as it is inside a string: printable ASCII but the quote and the backslash.
_AS_IS = re.compile(r'[ !#-\[\]-~]*')


def encode(addresses: Sequence[str]) -> str | None:
    """The column value of a list of addresses (NULL for none)."""
    if not addresses:
        return None
    if all(address.__class__ is str for address in addresses) and _AS_IS.fullmatch("".join(addresses)):
        return '["' + '", "'.join(addresses) + '"]'  # json.dumps' text, a few times faster (one a message)
    return json.dumps(list(addresses))


def decode(value: Any) -> list[str]:
    """A column's list of addresses; anything that is not a JSON array of strings is no list."""
    if not value:
        return []
    try:
        found = json.loads(value)
    except (TypeError, ValueError):
        return []
    return [a for a in found if isinstance(a, str)] if isinstance(found, list) else []


def ticket_cc(conn: Connection, ticket_id: int) -> list[str]:
    row = conn.execute("SELECT cc FROM tickets WHERE id = ?", [ticket_id]).fetchone()
    return decode(row[0]) if row else []


def set_ticket_cc(conn: Connection, ticket_id: int, addresses: Sequence[str]) -> None:
    conn.execute("UPDATE tickets SET cc = ? WHERE id = ?", [encode(addresses), ticket_id])


def ticket_of_message(conn: Connection, message_row: int) -> tuple[int, str, list[str]] | None:
    """(ticket id, customer's address, ticket's Cc) of the ticket holding a message row."""
    row = conn.execute(
        "SELECT t.id, c.email, t.cc FROM messages m JOIN tickets t ON t.id = m.ticket_id"
        " JOIN customers c ON c.id = t.customer_id WHERE m.id = ?",
        [message_row],
    ).fetchone()
    return (int(row[0]), str(row[1]), decode(row[2])) if row else None


def ticket_copies(conn: Connection, ticket_id: int) -> tuple[int, str, list[str]] | None:
    """(ticket id, customer's address, ticket's Cc) of a ticket, as ticket_of_message gives them."""
    row = conn.execute(
        "SELECT t.id, c.email, t.cc FROM tickets t JOIN customers c ON c.id = t.customer_id WHERE t.id = ?",
        [ticket_id],
    ).fetchone()
    return (int(row[0]), str(row[1]), decode(row[2])) if row else None


def set_message_cc(conn: Connection, message_row: int, addresses: Sequence[str]) -> None:
    conn.execute("UPDATE messages SET cc = ? WHERE id = ?", [encode(addresses), message_row])


def customer_reply_to(conn: Connection, ticket_id: int, before_row: int, customer: str) -> str | None:
    """The Reply-To of the customer's latest message before ``before_row``, if it had one.

    Only the ticket's customer's own messages count: someone in Cc who writes in
    does not redirect the answers to the customer.
    """
    wanted = customer.casefold()
    rows = conn.execute(
        "SELECT author, reply_to FROM messages WHERE ticket_id = ? AND id < ? AND kind = 'customer'"
        " ORDER BY id DESC LIMIT 50",
        [ticket_id, before_row],
    ).fetchall()
    for author, reply_to in rows:
        if str(author or "").casefold() == wanted:
            return str(reply_to) if reply_to else None
    return None


def set_outbox_cc(conn: Connection, outbox_id: int, addresses: Sequence[str]) -> None:
    conn.execute("UPDATE outbox SET cc = ? WHERE id = ?", [encode(addresses), outbox_id])


def outbox_cc(conn: Connection, outbox_id: int) -> list[str]:
    row = conn.execute("SELECT cc FROM outbox WHERE id = ?", [outbox_id]).fetchone()
    return decode(row[0]) if row else []


def thread_recipients(store: Store, ticket_id: int) -> dict[int, tuple[list[str], str | None]]:
    """Per message row of a ticket: (its Cc, its Reply-To), for messages that have either."""
    rows = store.query(
        "SELECT id, cc, reply_to FROM messages WHERE ticket_id = ? AND (cc IS NOT NULL OR reply_to IS NOT NULL)",
        [ticket_id],
    )
    return {int(r["id"]): (decode(r["cc"]), r["reply_to"]) for r in rows}


def remembered_cc(store: Store, ticket_id: int) -> list[str]:
    """A ticket's Cc list as stored (what the next reply copies)."""
    return decode(store.scalar("SELECT cc FROM tickets WHERE id = ?", [ticket_id]))


def reply_addresses(store: Store, ticket_id: int) -> tuple[str, str, str | None, list[str]] | None:
    """(customer's address, name, Reply-To of their latest message, remembered Cc) of a ticket, read
    at one moment: what the next reply's To and Cc are made of (None: no such ticket)."""
    with store.read_snapshot() as conn:
        row = conn.execute(
            "SELECT c.email, c.name, t.cc FROM tickets t JOIN customers c ON c.id = t.customer_id WHERE t.id = ?",
            [ticket_id],
        ).fetchone()
        if row is None:
            return None
        newest = conn.execute("SELECT max(id) FROM messages WHERE ticket_id = ?", [ticket_id]).fetchone()
        reply_to = customer_reply_to(conn, ticket_id, int(newest[0] or 0) + 1, str(row[0]))
    return str(row[0]), str(row[1] or ""), reply_to, decode(row[2])


__all__ = [
    "customer_reply_to", "decode", "encode", "outbox_cc", "remembered_cc", "reply_addresses", "set_message_cc", "set_outbox_cc",
    "set_ticket_cc", "thread_recipients", "ticket_cc", "ticket_copies", "ticket_of_message",
]

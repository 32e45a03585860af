"""Ticket rows as the status-transition service reads and writes them, inside its transaction.

The service (core/lifecycle.py) opens the transaction with ``Store.transaction()``
and hands its connection to these functions; the change, its events and its undo
record are then written together or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from .connection import Connection
from .customers import customer_id
from .db import Store
from .writes import get_or_create

# What a ticket names by name rather than by id: each has a table of its own.
Named = Literal["agent", "department", "tag"]


def load_ticket(conn: Connection, ticket_id: int) -> dict[str, Any] | None:
    """The ticket's columns, with its assignee's and department's names in place of their ids."""
    cursor = conn.execute(
        """SELECT t.*, a.name AS assignee, d.name AS department
           FROM tickets t
           LEFT JOIN agents a ON a.id = t.assignee_id
           LEFT JOIN departments d ON d.id = t.department_id
           WHERE t.id = ?""",
        [ticket_id],
    )
    row = cursor.fetchone()
    if row is None:
        return None
    ticket = dict(zip([c[0] for c in cursor.description], row, strict=True))
    del ticket["assignee_id"], ticket["department_id"]
    return ticket


def ticket_tags(conn: Connection, ticket_id: int) -> list[str]:
    """The ticket's tags by name, in name order."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT tg.name FROM ticket_tags tt JOIN tags tg ON tg.id = tt.tag_id WHERE tt.ticket_id = ?"
            " ORDER BY tg.name",
            [ticket_id],
        )
    ]


def last_event(conn: Connection, ticket_id: int) -> tuple[str, str] | None:
    """(actor, kind) of the ticket's latest event: who changed it last."""
    row = conn.execute(
        "SELECT actor, kind FROM events WHERE ticket_id = ? ORDER BY id DESC LIMIT 1", [ticket_id]
    ).fetchone()
    return (row[0], row[1]) if row else None


def merged_into(conn: Connection, ticket_id: int) -> int | None:
    """The ticket this one was merged into (None: not merged, or no such ticket)."""
    row = conn.execute("SELECT merged_into FROM tickets WHERE id = ?", [ticket_id]).fetchone()
    return None if row is None else row[0]


def ticket_exists(conn: Connection, ticket_id: int) -> bool:
    return conn.execute("SELECT 1 FROM tickets WHERE id = ?", [ticket_id]).fetchone() is not None


def named_id(conn: Connection, kind: Named, name: str) -> int:
    """The id of the agent, department or tag of this name, created on first use."""
    return get_or_create(conn, f"{kind}s", "name", name)


def add_tag(conn: Connection, ticket_id: int, tag_id: int, *, if_missing: bool = False) -> None:
    verb = "INSERT OR IGNORE" if if_missing else "INSERT"
    conn.execute(f"{verb} INTO ticket_tags(ticket_id, tag_id) VALUES (?, ?)", [ticket_id, tag_id])


def remove_tag(conn: Connection, ticket_id: int, name: str) -> None:
    conn.execute(
        "DELETE FROM ticket_tags WHERE ticket_id = ? AND tag_id = (SELECT id FROM tags WHERE name = ?)",
        [ticket_id, name],
    )


def customer_email(store: Store, ticket_id: int) -> str | None:
    """The address of the ticket's customer (None: no such ticket)."""
    email = store.scalar(
        "SELECT c.email FROM tickets t JOIN customers c ON c.id = t.customer_id WHERE t.id = ?", [ticket_id]
    )
    return None if email is None else str(email)


def postponed_until_before(store: Store, moment: str) -> list[int]:
    """Ids of the postponed tickets whose time is at or before ``moment``, the earliest first."""
    rows = store.query(
        "SELECT id FROM tickets WHERE postponed_until IS NOT NULL AND postponed_until <= ?"
        " AND status = 'postponed' ORDER BY postponed_until",
        [moment],
    )
    return [row["id"] for row in rows]


# -- purging ---------------------------------------------------------------------------------
def versions_statuses_subjects(conn: Connection, ids: Iterable[int]) -> dict[int, tuple[int, str, str]]:
    """Ticket id -> (version, status, subject), for those of ``ids`` that exist."""
    return {
        ticket_id: (version, status, subject)
        for ticket_id, version, status, subject in conn.execute(
            "SELECT id, version, status, subject FROM tickets WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps(list(ids))],
        )
    }


def merged_into_any(conn: Connection, ids: Sequence[int]) -> list[tuple[int, str]]:
    """(id, subject) of the tickets merged into any of ``ids``."""
    return [
        (ticket_id, subject)
        for ticket_id, subject in conn.execute(
            "SELECT id, subject FROM tickets WHERE merged_into IN (SELECT value FROM json_each(?))",
            [json.dumps(ids)],
        )
    ]


def delete_tickets(conn: Connection, tickets: Sequence[tuple[int, str]], moment: str, who: str) -> None:
    """Delete these tickets (id, subject) with their threads and timelines, leaving a trace in `purged`."""
    conn.executemany(
        "INSERT OR REPLACE INTO purged(ticket_id, subject, at, actor) VALUES (?, ?, ?, ?)",
        [(ticket_id, subject, moment, who) for ticket_id, subject in tickets],
    )
    conn.execute(
        "DELETE FROM tickets WHERE id IN (SELECT value FROM json_each(?))",
        [json.dumps(sorted({ticket_id for ticket_id, _subject in tickets}))],
    )


__all__ = [
    "add_tag",
    "customer_email",
    "customer_id",
    "delete_tickets",
    "last_event",
    "load_ticket",
    "merged_into",
    "merged_into_any",
    "named_id",
    "postponed_until_before",
    "remove_tag",
    "ticket_exists",
    "ticket_tags",
    "versions_statuses_subjects",
]
